"""Finding one row by an id a person typed, with the same clear answer everywhere."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from bizcenter.core.errors import NotFound

M = TypeVar("M", bound=Model)


def find(rows: QuerySet[M], raw_id: object, missing: str) -> M:
    """The row with this id within the queryset (so within what the caller may see).

    ``missing`` says what was looked for, with ``{id}`` where the id goes, before
    any name, e.g. "No asset with id {id} in Brand Co."; an id that is not a
    number gets the same answer as one that does not exist.
    """
    try:
        pk = int(str(raw_id))
    except (TypeError, ValueError) as exc:
        raise NotFound(missing.replace("{id}", f"'{raw_id}'", 1)) from exc
    # At most one row has this id: no ORDER BY (which .first() adds), just LIMIT 1.
    row = next(iter(rows.filter(pk=pk)[:1]), None)
    if row is None:
        # replace, not format, and only the first: a name may hold braces too
        raise NotFound(missing.replace("{id}", str(pk), 1))
    return row


def holds(rows: QuerySet[M], raw_id: object) -> bool:
    """Whether the queryset has a row with this id (False for what is not an id), for a
    service that asks "is this the caller's own?" before it decides which right applies."""
    try:
        pk = int(str(raw_id))
    except (TypeError, ValueError):
        return False
    return abs(pk) < 2**63 and rows.filter(pk=pk).exists()
