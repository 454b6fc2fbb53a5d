"""Process-wide caches that stop growing (the oldest entry makes room for a new one),
and the copies of cached rows they hand out."""

from __future__ import annotations

import contextlib
import functools
from typing import TypeVar

from django.db.models import JSONField, Model
from django.db.models.base import ModelState

K = TypeVar("K")
V = TypeVar("V")


def keep(cache: dict[K, V], key: K, value: V, size: int) -> None:
    """Store ``value``; a full cache first drops its oldest entry (dicts keep their
    insertion order), so a long-running process holds at most ``size`` of them."""
    if key not in cache and len(cache) >= size:
        # Threads of one worker share the cache: another may have emptied or changed
        # it between the two steps, and then there is nothing left to drop.
        with contextlib.suppress(StopIteration, RuntimeError, KeyError):
            del cache[next(iter(cache))]
    cache[key] = value


M = TypeVar("M", bound=Model)


def fresh(instance: M) -> M:
    """A new instance with the same field values (and related objects) as a cached one,
    so a request may change its own without changing the cache's.

    ``copy.copy`` does the same through ``Model.__reduce__`` (pickling's path), which
    costs several times more; on the hot paths that hand out cached rows on every
    request (the API token, an asset) that difference is a share of the request."""
    cls = type(instance)
    new = object.__new__(cls)
    values = new.__dict__
    values.update(instance.__dict__)
    # JSON values (lists, dicts) are copied one level, so one changed in place stays
    # the request's own.
    for name in _json_fields(cls):
        if isinstance(value := values.get(name), list | dict):
            values[name] = value.copy()
    state = ModelState()
    state.db, state.adding = instance._state.db, instance._state.adding
    state.fields_cache = dict(instance._state.fields_cache)
    new._state = state
    return new


@functools.cache
def _json_fields(cls: type[Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in cls._meta.concrete_fields if isinstance(f, JSONField))
