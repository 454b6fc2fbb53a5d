"""Template pieces of every list page: a sortable column header, and the filters a
small form (the page size, a bulk action) must carry along."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from bizcenter.web.lists import Header

register = template.Library()

ARROWS = {"ascending": " ▲", "descending": " ▼"}


@register.simple_tag
def sort_header(header: Header) -> SafeString:
    """A ``<th>``: the column's name as a link that sorts by it, and ``aria-sort`` on the
    column the list is sorted by, so a screen reader says the order."""
    if not header.href:
        return format_html('<th scope="col">{}</th>', header.label)
    return format_html(
        '<th scope="col"{}><a class="sort" href="{}">{}<span aria-hidden="true">{}</span></a></th>',
        format_html(' aria-sort="{}"', header.aria_sort) if header.aria_sort else "",
        header.href, header.label, ARROWS.get(header.aria_sort, ""))


@register.simple_tag(takes_context=True)
def kept_fields(context: template.Context, *dropped: str) -> SafeString:
    """Hidden inputs carrying the list's current address (search, filters, sort) except
    ``dropped``, for a GET form that changes only one of them."""
    request: HttpRequest | None = context.get("request")
    if request is None:
        return SafeString("")
    return format_html_join("", '<input type="hidden" name="{}" value="{}">',
                            ((k, v) for k, values in request.GET.lists() if k not in dropped
                             for v in values))
