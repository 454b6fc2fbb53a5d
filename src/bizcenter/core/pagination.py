"""One page shape for every list, built on Django's Paginator, and what a list page
needs around it: a page-size choice, a sort that names its column, and clamping a page
number past the end to the last page (a bookmarked page 99 of a list that shrank)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet

from bizcenter.core.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 200
# The page sizes a person picks from on a web list.
PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_row(self) -> int:
        """The position of the page's first item in the whole list, from 1 (0: none)."""
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.items) - 1 if self.items else 0

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers a pager links to: the first, the last, and two either side of
        this one; None where a run of pages is left out (shown as an ellipsis)."""
        keep = {1, self.pages, *range(self.page - 2, self.page + 3)}
        shown: list[int | None] = []
        for n in range(1, self.pages + 1):
            if n in keep:
                shown.append(n)
            elif shown and shown[-1] is not None:
                shown.append(None)
        return shown


def paginate(queryset: QuerySet, page: int = 1, page_size: int = 50) -> Page:
    if page < 1:
        raise InvalidInput("Page numbers start at 1.", fields={"page": "must be 1 or more"})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"Page size must be between 1 and {MAX_PAGE_SIZE}.",
            fields={"page_size": f"between 1 and {MAX_PAGE_SIZE}"},
        )
    paginator = Paginator(queryset, page_size)
    total = paginator.count
    try:
        items = list(paginator.page(page).object_list) if total else []
    except EmptyPage:
        items = []
    return Page(items=items, total=total, page=page, page_size=page_size)


def clamped(fetch: Callable[[int], Page[T]], page: int) -> Page[T]:
    """The page asked for, or the last page when it is past the end, so a person never
    reads "Page 99 of 2" over an empty table. The API keeps answering an empty page
    past the end (clients stop on it); web lists go through here. One more query only
    when the page asked is past the end."""
    found = fetch(max(1, page))
    if found.page > found.pages:
        found = fetch(found.pages)
    return found


def page_size_of(value: str | int | None) -> int:
    """The page size asked in a web list's address: the picker offers PAGE_SIZES, an
    address may ask any size up to MAX_PAGE_SIZE; anything else is the default."""
    try:
        size = int(value or DEFAULT_PAGE_SIZE)
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE
    return size if 1 <= size <= MAX_PAGE_SIZE else DEFAULT_PAGE_SIZE


def page_number_of(value: str | int | None) -> int:
    """The page number asked in an address: 1 when missing, malformed or below 1."""
    try:
        return max(1, int(value or 1))
    except (TypeError, ValueError):
        return 1


@dataclass(frozen=True)
class Sort:
    """A list's order as a column key and a direction: ``name`` or ``-name``."""

    key: str
    descending: bool = False

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def sort_of(value: str | None, keys: Sequence[str], default: str) -> Sort:
    """The sort asked for (``name``, ``-name``), ``default`` when none is asked; a column
    the list does not sort by is refused with the ones it does."""
    raw = (value or "").strip() or default
    key = raw.removeprefix("-")
    if key not in keys:
        raise InvalidInput(f"Unknown sort '{raw}'. Use one of: {', '.join(keys)} (a leading "
                           "- sorts the other way).", fields={"sort": "unknown"})
    return Sort(key=key, descending=raw.startswith("-"))
