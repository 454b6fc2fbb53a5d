"""TikTok's pages: ``page`` (from 1) and ``page_size`` (10 by default, at most 50 on most
lists), answered with ``page_info {page, page_size, total_number, total_page}``.

Services page with their own sizes (at most 200 a page); ``window`` reads any
slice of a service's list through as many of its pages as the slice spans, so
a TikTok page of up to 1,000 rows, or a page that straddles two lists, costs a
query or two per service page, never the whole list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bizcenter.compat.errors import param
from bizcenter.compat.params import Params
from bizcenter.core.pagination import MAX_PAGE_SIZE, Page

T = TypeVar("T")
DEFAULT_SIZE = 10
MOST = 50


@dataclass(frozen=True)
class Paging:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def info(self, total: int) -> dict[str, int]:
        return {"page": self.page, "page_size": self.page_size, "total_number": total,
                "total_page": -(-total // self.page_size)}


def paging(params: Params, *, most: int = MOST) -> Paging:
    page = params.integer("page", 1)
    size = params.integer("page_size", DEFAULT_SIZE)
    if page < 1:
        raise param("page starts at 1.")
    if not 1 <= size <= most:
        raise param(f"page_size must be between 1 and {most}.")
    return Paging(page, size)


Fetch = Callable[[int, int], Page[Any]]


def window(fetch: Fetch, offset: int, count: int) -> tuple[list[Any], int]:
    """Rows ``offset`` to ``offset + count`` of a service's list, and its total."""
    if count <= 0:
        return [], fetch(1, 1).total
    size = min(count, MAX_PAGE_SIZE)
    first = offset // size + 1
    last = (offset + count - 1) // size + 1
    rows: list[Any] = []
    total = 0
    for number in range(first, last + 1):
        found = fetch(number, size)
        total = found.total
        rows.extend(found.items)
        if len(found.items) < size:
            break
    start = offset - (first - 1) * size
    return rows[start:start + count], total


def page_of(fetch: Fetch, paging: Paging) -> tuple[list[Any], int]:
    return window(fetch, paging.offset, paging.page_size)


def chained(first: Fetch, second: Fetch, paging: Paging) -> tuple[list[Any], int]:
    """One page over two lists read one after the other (members, then invitations)."""
    head, head_total = window(first, paging.offset, paging.page_size)
    start = max(paging.offset - head_total, 0)
    tail, tail_total = window(second, start, paging.page_size - len(head))
    return head + tail, head_total + tail_total


def sliced(rows: Sequence[T], paging: Paging) -> tuple[list[T], int]:
    """A page of a list a service answers whole."""
    return list(rows[paging.offset:paging.offset + paging.page_size]), len(rows)


def listing(rows: list[dict[str, Any]], paging: Paging, total: int, *, key: str = "list"
            ) -> dict[str, Any]:
    return {key: rows, "page_info": paging.info(total)}
