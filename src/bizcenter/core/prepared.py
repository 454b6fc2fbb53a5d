"""One-row lookups that every request makes, compiled by the ORM once per process.

Turning a QuerySet into SQL costs several times more than running the SQL: for the
API token (with its person and Business Center) compiling took 150 us of a 390 us
lookup on SQLite, and building the filter another 45 us. These lookups are the same
query every time with another value, so the ORM compiles each one once per database
alias, with stand-in values, and later calls only put the real values in, run the
SQL and build the model instances the way Django's own ModelIterable does (the same
converters, ``from_db`` and select_related populators). The SQL is still the ORM's,
so it follows the models and each backend's dialect.

The instances last built for each lookup's values are kept, and a call that gets
the same row again (or, on SQLite, sees that nothing was committed since) answers a
copy of them instead of building them anew: for the token, with its person and
Business Center, that took 46 us of a 110 us lookup inside a request.

On PostgreSQL a call that knows the row asks only for the version of each table's
row (its ``xmin``, the transaction that wrote it: any update writes a new one) and
reads the whole row again only when one of them moved. The database is still read
on every call, so a change committed by any process is seen on the next one, but
the answer is three short values instead of the 34 columns of a token, its person
and its Business Center, which the server has to turn into text and the driver
back (a third of the token's lookup).

Only plain reads that return at most one row belong here (a lookup by a unique key,
or by a key within its owner); anything else stays an ordinary QuerySet.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

from bizcenter.core.bounded import keep

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]
KNOWN_ROWS = 1_000  # rows remembered per lookup


@dataclass(frozen=True)
class _Known(Generic[M]):
    stamp: tuple[int, int, int] | None  # see unchanged_since; None on PostgreSQL
    fetched: tuple[Any, ...]  # the row as the database sent it
    instance: M  # never handed out, only copied
    versions: tuple[Any, ...] | None = None  # its rows' xmin (PostgreSQL, committed)


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    positions: tuple[int, ...]  # where each key's value goes in params
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]
    init_list: tuple[str, ...]
    start: int
    end: int
    populators: tuple[Any, ...]
    # PostgreSQL: the same lookup answering only each table's xmin, which the full
    # row's last ``versioned`` columns hold too (see one()).
    versions_sql: str | None = None
    versioned: int = 0


class Prepared(Generic[M]):
    """``queryset.filter(key1=v1, key2=v2, ...)[:1]``, compiled on first use.

    ``one(v1, v2, ...)`` answers the row or None, like ``next(iter(...), None)``.
    """

    def __init__(self, queryset: QuerySet[M], *keys: str) -> None:
        if not keys:
            raise ValueError("name the columns the lookup is by")
        self.queryset = queryset
        self.keys = keys
        opts = queryset.model._meta
        self.fields: tuple[Field[Any, Any], ...] = tuple(
            opts.pk if key == "pk" else opts.get_field(key)  # type: ignore[misc]
            for key in keys)
        self._plans: dict[str, _Plan] = {}
        # The instances last built for each lookup's values, kept to be copied.
        self._known: dict[tuple[Any, ...], _Known[M]] = {}

    def one(self, *values: Any) -> M | None:
        alias = router.db_for_read(self.queryset.model) or DEFAULT_DB_ALIAS
        connection = connections[alias]
        plan = self._plans.get(alias) or self._compile(alias)
        params = list(plan.params)
        for position, field, value in zip(plan.positions, self.fields, values, strict=True):
            value = field.get_db_prep_value(value, connection)
            if isinstance(value, int) and not _in_range(field, value, connection):
                return None  # as the ORM answers an id no column can hold: no row
            params[position] = value
        # Read before the row, so a change committed in between is caught next time.
        stamp = unchanged_since(connection)
        key = (alias, *params)
        known = self._known.get(key)
        if known is not None and stamp is not None and known.stamp == stamp:
            return copy_of(known.instance)  # nothing committed since it was read
        # Inside a transaction its own writes are visible under its own xmin, which a
        # second write of the same row keeps: there, only the whole row will do.
        committed = not connection.in_atomic_block
        if plan.versions_sql and known is not None and known.versions and committed:
            with connection.cursor() as cursor:
                cursor.execute(plan.versions_sql, params)
                current = cursor.fetchone()
            if current is None:
                return None
            if tuple(current) == known.versions:
                return copy_of(known.instance)  # no row of it was written since
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            fetched = cursor.fetchone()
        if fetched is None:
            return None
        versions = (tuple(fetched[len(fetched) - plan.versioned:])
                    if plan.versioned and committed else None)
        if known is not None and known.fetched == fetched:
            # The row the instances were built from, read again.
            if stamp != known.stamp or versions != known.versions:
                self._known[key] = _Known(stamp, known.fetched, known.instance, versions)
            return copy_of(known.instance)
        row = list(fetched)
        for position, converters, expression in plan.converters:
            value = row[position]
            for convert in converters:
                value = convert(value, expression, connection)
            row[position] = value
        obj = self._build(plan, alias, row)
        if copyable(obj):
            keep(self._known, key, _Known(stamp, tuple(fetched), copy_of(obj), versions),
                 KNOWN_ROWS)
        return obj

    def _build(self, plan: _Plan, alias: str, row: Sequence[Any]) -> M:
        """New instances each time, as the ORM makes them: a request may change its own."""
        obj: M = self.queryset.model.from_db(alias, plan.init_list, row[plan.start:plan.end])
        for populator in plan.populators:
            populator.populate(row, obj)
        return obj

    def _compile(self, alias: str) -> _Plan:
        # Stand-ins no real value equals, so each key's place among the params is known.
        stand_ins = [_stand_in(field, number) for number, field in enumerate(self.fields)]
        query = self.queryset.filter(**dict(zip(self.keys, stand_ins, strict=True)))[:1].query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = []
        for stand_in in stand_ins:
            found = [i for i, p in enumerate(params) if type(p) is type(stand_in) and p == stand_in]
            if len(found) != 1:
                raise TypeError(f"cannot prepare {self.queryset.model.__name__} by {self.keys}: "
                                "a key's value does not reach the SQL as one parameter")
            positions.append(found[0])
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None  # a model query always has one
        expressions = [column[0] for column in select[:compiler.col_count]]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        versions_sql, versioned = None, 0
        if compiler.connection.vendor == "postgresql":
            sql, versions_sql, versioned = _with_versions(compiler, sql)
        plan = _Plan(
            sql=sql, params=tuple(params), positions=tuple(positions),
            converters=tuple((position, tuple(converters), expression) for position,
                             (converters, expression) in compiler.get_converters(
                                 expressions).items()),
            init_list=tuple(column[0].target.attname for column in select[start:end]),
            start=start, end=end,
            populators=tuple(get_related_populators(klass_info, select, alias)),
            versions_sql=versions_sql, versioned=versioned)
        self._plans[alias] = plan
        return plan


def _with_versions(compiler: Any, sql: str) -> tuple[str, str, int]:
    """The lookup's SQL with each of its tables' ``xmin`` after the columns, and the
    same lookup answering only those: ``SELECT <columns> FROM ...`` is how Django's
    compiler writes a query, so the rest after the columns is kept as it wrote it."""
    # Only the ORM's own SQL and its quoted table names go into these strings.
    columns = ", ".join(compiler.compile(column[0])[0] for column in compiler.select)
    head = f"SELECT {columns} FROM "  # noqa: S608
    if not sql.startswith(head):
        raise TypeError(f"cannot prepare {compiler.query.model.__name__}: its SQL does not "
                        "start with its columns")
    tables = dict.fromkeys(column[0].alias for column in compiler.select)
    versions = ", ".join(f"{compiler.quote_name_unless_alias(table)}.xmin" for table in tables)
    rest = sql[len(head):]
    return (f"SELECT {columns}, {versions} FROM {rest}",  # noqa: S608
            f"SELECT {versions} FROM {rest}", len(tables))  # noqa: S608


def copy_of(obj: M) -> M:
    """A new instance equal to ``obj``, with copies of the instances it holds (its
    select_related ones) and of its JSON lists and dicts: what the ORM would build from
    the same row, for a quarter of the cost (no ``__init__`` per field). Each request
    gets its own, so one that changes an instance changes nothing for the next."""
    values = obj.__dict__.copy()
    for name, value in values.items():
        if isinstance(value, _MUTABLE):
            values[name] = _copied(value)
    state = ModelState()
    state.db, state.adding = obj._state.db, obj._state.adding
    if cached := obj._state.__dict__.get("fields_cache"):
        state.fields_cache = {name: copy_of(related) if isinstance(related, Model) else related
                              for name, related in cached.items()}
    values["_state"] = state
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__ = values
    return new


_MUTABLE = (list, dict, set, bytearray)


def _copied(value: Any) -> Any:
    """A deep copy; JSON's lists and dicts (the usual case) without ``deepcopy``'s
    memo and dispatch, which cost more than the whole rest of a copy."""
    if type(value) is list:
        return [_copied(v) if isinstance(v, _MUTABLE) else v for v in value]
    if type(value) is dict:
        return {k: _copied(v) if isinstance(v, _MUTABLE) else v for k, v in value.items()}
    return copy.deepcopy(value)


def copyable(obj: Model) -> bool:
    """No code listens for this model's instances being made (Django's ImageField does,
    to read the image's size): skipping ``__init__`` would skip it."""
    models = [obj, *obj._state.__dict__.get("fields_cache", {}).values()]
    return not any(signals.pre_init.has_listeners(type(m)) or signals.post_init.has_listeners(
        type(m)) for m in models if isinstance(m, Model))


def _stand_in(field: Field[Any, Any], number: int) -> object:
    if field.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField"):
        return f"\x00stand-in {number}"
    return -(2**40) - number  # integer keys: ids, foreign keys


def _in_range(field: Field[Any, Any], value: int, connection: Any) -> bool:
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    low, high = connection.ops.integer_field_range(target.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


# Each database connection this process opens gets a number of its own: SQLite's
# data_version means something only on the connection that read it. The number is
# kept beside a reference to the connection it was given to, so a new connection
# (even one at a closed one's address) gets a new number.
_numbers = itertools.count(1)
NUMBERED = "bizcenter_numbered"


def _number(connection: Any) -> int:
    numbered = getattr(connection, NUMBERED, None)
    if numbered is None or numbered[0] is not connection.connection:
        numbered = (connection.connection, next(_numbers))
        setattr(connection, NUMBERED, numbered)
    return numbered[1]  # type: ignore[no-any-return]


def unchanged_since(connection: Any) -> tuple[int, int, int] | None:
    """A stamp that stays equal while nothing is committed to the database, by anyone:
    SQLite's ``PRAGMA data_version`` (which changes when another connection commits)
    with this connection's own count of changed rows. None where no such stamp exists
    (PostgreSQL), or inside a transaction, where a read must see its own writes.

    A row read under a stamp that is still current cannot have changed, so the
    lookup answers it from memory: a PRAGMA instead of a join (a 40 us saving on the
    API token, read on every call); a revoke committed by any process changes the
    stamp, so it still takes effect on the very next request.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    connection.ensure_connection()
    raw = connection.connection
    # On the driver's connection: a counter of this connection, not a query of rows,
    # and Django's cursor would cost four times the PRAGMA itself.
    (version,) = raw.execute("PRAGMA data_version").fetchone()
    return _number(connection), version, raw.total_changes
