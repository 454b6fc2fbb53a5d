"""One page shape for every list, built on Django's Paginator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.paginator import EmptyPage, Paginator
from django.db.models import QuerySet

from bizcenter.core.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


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
