"""What every list page reads from its address and gives back to it: the search, the
sort (a link per column header), the page and page size, and the way back after an
action. One implementation, so every list behaves alike (issue 21, lists at volume)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpRequest, QueryDict

from bizcenter.core.pagination import Sort, page_number_of, page_size_of, sort_of
from bizcenter.web.views import safe_next


@dataclass(frozen=True)
class ListQuery:
    """A list's address, read forgivingly: a bad page, size or column falls back to
    the default instead of failing the page."""

    search: str
    sort: Sort
    page: int
    size: int


def list_query(request: HttpRequest, keys: Sequence[str], default_sort: str) -> ListQuery:
    q = request.GET
    return ListQuery(search=(q.get("q") or "").strip(),
                     sort=sort_of(q.get("sort"), keys, default_sort),
                     page=page_number_of(q.get("page")), size=page_size_of(q.get("size")))


@dataclass(frozen=True)
class Header:
    """One column header: a link that sorts by it (again: the other way), and its
    ``aria-sort`` when the list is sorted by it."""

    label: str
    href: str = ""  # empty: the column does not sort
    aria_sort: str = ""  # "ascending", "descending" or "" (not sorted by it)


def headers(request: HttpRequest, sort: Sort,
            columns: Sequence[tuple[str, str | None]]) -> list[Header]:
    """``columns`` is (label, sort key or None). A header's link keeps the search and
    filters and starts again at page 1: the old page number means nothing in another
    order."""
    made: list[Header] = []
    for label, key in columns:
        if key is None:
            made.append(Header(label))
            continue
        current = sort.key == key
        wanted = f"-{key}" if current and not sort.descending else key
        query: QueryDict = request.GET.copy()
        query.pop("page", None)
        query.pop("select", None)
        query["sort"] = wanted
        made.append(Header(label, f"?{query.urlencode()}",
                           ("descending" if sort.descending else "ascending") if current
                           else ""))
    return made


def here(request: HttpRequest) -> str:
    """This list's address with its search, sort, page and filters: where an action on
    one of its rows comes back to (sent as ``next``)."""
    query = request.GET.copy()
    query.pop("select", None)  # "select all on this page" is not kept after the action
    return f"{request.path}?{query.urlencode()}" if query else request.path


def back(request: HttpRequest, fallback: str) -> str:
    """The list an action came from, if ``next`` names a page of this site; else
    ``fallback``. Another host is never followed (safe_next)."""
    target = safe_next(request, fallback)
    # Only a path on this site: an absolute address, even to this host, is not needed.
    return target if target.startswith("/") and not target.startswith("//") else fallback
