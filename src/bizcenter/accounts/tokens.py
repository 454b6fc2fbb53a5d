"""Personal API tokens: create (shown once), list, revoke, and check on each call.

A token reads ``bzc_<prefix>_<secret>``: the prefix finds the row without a
scan and is safe to show; the secret is compared as a SHA-256 in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.accounts.models import ApiToken, User
from bizcenter.accounts.verification import require_verified
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.centers.enddates import last_day, zone_name
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.bounded import fresh, keep
from bizcenter.core.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from bizcenter.core.lookup import find
from bizcenter.core.ratelimit import hit

PREFIX = "bzc"
MAX_TOKENS = 50
# last_used_at is written at most this often per token: a busy script must not turn
# every read into a write.
TOUCH_EVERY = timedelta(minutes=1)


class Unauthenticated(ServiceError):
    """No token, or one that does not work: 401, with what to do about it."""

    status = 401
    code = "unauthenticated"


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # the whole token text; shown once, never stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(actor: Actor, center: BusinessCenter, name: str, *, read_only: bool = False,
                 expires_at: datetime | None = None) -> Issued:
    """A token for one Business Center the person is in; its reach is theirs, now and later."""
    user = actor.user
    if user is None:
        raise NotAllowed("Log in first: tokens belong to a person.")
    require(actor, Action.CENTER_VIEW, center)
    require_verified(user, "make an API token")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("Name the token (1 to 100 characters), e.g. after the script "
                           "that uses it.", fields={"name": "1 to 100 characters"})
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("The expiry is in the past; pick a later date or none.",
                           fields={"expires_at": "in the future"})
    with transaction.atomic():
        live = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        if live.count() >= MAX_TOKENS:
            raise InvalidInput(f"You have {MAX_TOKENS} tokens; revoke unused ones first.",
                               fields={"name": f"at most {MAX_TOKENS} tokens"})
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = ApiToken.objects.create(user=user, center=center, name=name, prefix=prefix,
                                        secret_hash=_hash(secret), read_only=read_only,
                                        expires_at=expires_at)
        record(actor, center=center, category=Category.USER, action="api_token.created",
               target=user, after={"token": prefix, "name": name, "read_only": read_only,
                                   "expires_at": expires_at.isoformat() if expires_at else None})
    return Issued(token, f"{PREFIX}_{prefix}_{secret}")


def tokens_of(actor: Actor) -> QuerySet[ApiToken]:
    if actor.user is None:
        raise NotAllowed("Log in first.")
    return (ApiToken.objects.filter(user=actor.user).select_related("center")
            .order_by("revoked_at", "-created_at"))


def revoke_token(actor: Actor, token_id: int | str) -> ApiToken:
    """Effective on the very next call made with it."""
    token = find(tokens_of(actor), token_id, "No token of yours with id {id}.")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(actor, center=token.center, category=Category.USER,
                   action="api_token.revoked", target=token.user,
                   after={"token": token.prefix, "name": token.name})
    return token


def live_tokens(user: User, center: BusinessCenter | None = None) -> QuerySet[ApiToken]:
    """The person's tokens that still work, for one Business Center or all of them."""
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    return live.filter(center=center) if center is not None else live


def revoke_tokens_of(actor: Actor, user: User, reason: str,
                     center: BusinessCenter | None = None) -> int:
    """Revoke every live token of a person (for one Business Center, or all), for good:
    when the access or the credentials behind them end. One log entry names them. In
    the caller's transaction."""
    prefixes = list(live_tokens(user, center).values_list("prefix", flat=True))
    if prefixes:
        ApiToken.objects.filter(prefix__in=prefixes).update(revoked_at=timezone.now())
        record(actor, center=center, category=Category.USER, action="api_token.revoked",
               target=user, after={"tokens": prefixes, "reason": reason})
    return len(prefixes)


# Every API call starts with the token, its person and its Business Center: one SQL
# statement written once, rows built with Model.from_db (public APIs only), so no
# query is compiled per call. The row is read on every call, never kept: a revoked
# token fails on the very next one. Read from the primary, as "who someone is" always
# is (core/replicas.py). tests/perf/test_hot_lookups.py holds it equal to the ORM's
# ApiToken.objects.select_related("user", "center").
Convert = Callable[[Any], Any]


def _converter(field: models.Field[Any, Any]) -> Convert | None:
    """What turns the driver's value into the ORM's, for the field types these models use."""
    if isinstance(field, models.DateTimeField):
        # SQLite hands back naive UTC datetimes; PostgreSQL aware ones.
        return lambda v: v.replace(tzinfo=UTC) if v is not None and v.tzinfo is None else v
    if isinstance(field, models.BooleanField):
        return lambda v: v if v is None else bool(v)
    if hasattr(field, "from_db_value"):  # JSONField, SealedCharField
        return lambda v: field.from_db_value(v, None, connections[DEFAULT_DB_ALIAS])
    return None


@dataclass(frozen=True)
class _Part:
    model: type[models.Model]
    names: tuple[str, ...]  # attnames, in column order
    converters: tuple[Convert | None, ...]

    def build(self, values: Sequence[Any]) -> Any:
        row = [v if c is None else c(v) for c, v in zip(self.converters, values, strict=True)]
        return self.model.from_db(DEFAULT_DB_ALIAS, self.names, row)


def _part(model: type[models.Model]) -> _Part:
    fields = model._meta.concrete_fields
    return _Part(model, tuple(f.attname for f in fields), tuple(_converter(f) for f in fields))


_PARTS = (_part(ApiToken), _part(User), _part(BusinessCenter))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'  # SQL's quoting: SQLite and PostgreSQL alike


def _token_sql() -> str:
    t, u, c = "t", "u", "c"
    columns = ", ".join(f"{alias}.{_q(f.column)}" for alias, model in
                        ((t, ApiToken), (u, User), (c, BusinessCenter))
                        for f in model._meta.concrete_fields)
    user_fk = ApiToken._meta.get_field("user")
    center_fk = ApiToken._meta.get_field("center")
    prefix = ApiToken._meta.get_field("prefix")
    joins = (f"{_q(ApiToken._meta.db_table)} {t} "
             f"JOIN {_q(User._meta.db_table)} {u} "
             f"ON {u}.{_q(User._meta.pk.column)} = {t}.{_q(user_fk.column)} "
             f"JOIN {_q(BusinessCenter._meta.db_table)} {c} "
             f"ON {c}.{_q(BusinessCenter._meta.pk.column)} = {t}.{_q(center_fk.column)}")
    # Names from the models' _meta, never from input; the prefix is a parameter.
    return f"SELECT {columns} FROM {joins} WHERE {t}.{_q(prefix.column)} = %s LIMIT 1"  # noqa: S608


_TOKEN_SQL = _token_sql()
# The instances last built from each token's row, with that row: a call whose row is
# the same, value for value, gets copies of them instead of converting and building
# the row again. The row itself is still read on every call.
_built: dict[str, tuple[tuple[Any, ...], ApiToken]] = {}
BUILT_SIZE = 1024


def token_by_prefix(prefix: str) -> ApiToken | None:
    """The token with this prefix, with its person and Business Center, as the ORM's
    ``select_related("user", "center")`` would build them; None when there is none."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_TOKEN_SQL, [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    if (seen := _built.get(prefix)) is not None and seen[0] == row:
        return _fresh_token(seen[1])
    token_part, user_part, center_part = _PARTS
    n, m = len(token_part.names), len(token_part.names) + len(user_part.names)
    token: ApiToken = token_part.build(row[:n])
    token.user = user_part.build(row[n:m])
    token.center = center_part.build(row[m:])
    keep(_built, prefix, (row, _fresh_token(token)), BUILT_SIZE)
    return token


def _fresh_token(token: ApiToken) -> ApiToken:
    copy = fresh(token)
    copy._state.fields_cache = {"user": fresh(token.user), "center": fresh(token.center)}
    return copy


def authenticate(raw: str | None, *, writes: bool) -> ApiToken:
    """The live token behind an Authorization header, or a 401 saying why not. Every
    door that takes tokens comes through here, so each call is counted against the
    token's rate (429 past BIZCENTER_API_RATE a minute) and a read-only token asking
    to write is refused (403) the same way in all of them."""
    text = (raw or "").strip()
    if not text:
        raise Unauthenticated("Send your API token as 'Authorization: Bearer bzc_…'. Create "
                              "one under Account → API tokens.", code="token_missing")
    parts = text.split("_", 2)  # the secret itself may hold underscores
    if len(parts) != 3 or parts[0] != PREFIX:
        raise Unauthenticated("That is not a bizcenter API token (they start with bzc_).",
                              code="token_invalid")
    _, prefix, secret = parts
    token = token_by_prefix(prefix)
    # Compare even when no row matched, so timing tells nothing about prefixes.
    expected = token.secret_hash if token else _hash("")
    if not hmac.compare_digest(expected, _hash(secret)) or token is None:
        raise Unauthenticated("That API token is not valid. Check it was copied whole, or "
                              "create a new one.", code="token_invalid")
    now = timezone.now()
    if token.revoked_at is not None:
        raise Unauthenticated(f"The API token '{token.name}' was revoked on "
                              f"{token.revoked_at:%Y-%m-%d}.", code="token_revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated(f"The API token '{token.name}' has expired: it worked until "
                              f"the end of {last_day(token.expires_at, token.center)} "
                              f"({zone_name(token.center)} time). Create a new one.",
                              code="token_expired")
    if not token.user.is_active:
        raise Unauthenticated("The account of this token is deactivated.",
                              code="token_invalid")
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    hit("token", token.prefix, settings.BIZCENTER_API_RATE, 60, "API calls with this token")
    if writes and token.read_only:
        raise NotAllowed(f"The token '{token.name}' is read-only; use a token that may "
                         "write.", code="read_only_token")
    return token


def owner_of(token: ApiToken) -> User:
    return token.user


def require_center(token: ApiToken, center_id: int | str) -> None:
    """A token reaches one Business Center; others do not exist for it."""
    if str(token.center_id) != str(center_id):
        raise NotFound(f"No Business Center with id {center_id} is visible to this token "
                       f"(it is for Business Center {token.center_id}).")
