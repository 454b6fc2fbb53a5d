"""Every page of a Business Center, by URL name."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver

from bizcenter.web import urls as web_urls


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + str(p.pattern), p.name


CENTER_PAGES = {name: path for path, name in _walk(web_urls.urlpatterns)
                if path.startswith("c/<int:center_id>/")}
