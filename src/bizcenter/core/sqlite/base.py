"""Django's SQLite backend, with each query's placeholders converted once per process.

Django's SQLite cursor rewrites every query from ``%s`` to ``?`` with a regular
expression before running it. The ORM sends the same few hundred SQL texts over and
over, and for a long one (the API token with its person and Business Center, 2 KB)
the rewrite took 16 us: longer than SQLite took to run it (13 us). This backend
remembers each text's rewrite, so a repeated query pays a dictionary lookup.
Everything else is Django's own backend (ENGINE "bizcenter.core.sqlite"), as Django's
documentation suggests for changing one behaviour of a built-in backend.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base


@lru_cache(maxsize=2048)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _qmark(query)
        return super().convert_query(  # type: ignore[misc]
            query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> SQLiteCursorWrapper:
        return self.connection.cursor(factory=SQLiteCursorWrapper)  # type: ignore[no-any-return]
