"""Shapes shared by every endpoint: the error envelope, paged lists, times, money, and
the people, members and assets that several routers answer. Routers import what they
share from here, never from each other."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar, overload

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.pagination import Page, paginate

T = TypeVar("T")


def _in_utc(moment: datetime) -> datetime:
    """A time sent with an offset is kept in UTC: PostgreSQL refuses offsets past ±15:59
    (ISO 8601 allows up to ±23:59), and one at the very edge of the calendar that cannot
    be moved to UTC is out of range, not a server error. A time without an offset is
    left to the service, which reads it as UTC."""
    if moment.utcoffset() is None:
        return moment
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range once moved to UTC") from exc


class Schema(BaseModel):
    """Every body the API reads or writes. Pydantic's own model, reading the attributes
    of objects as django-ninja's Schema does, but without that Schema's wrapper, which
    sends every field of every object through a Python call (DjangoGetter, for
    ``resolve_`` methods and dotted names, which no schema here uses): on the access
    check, the call integrations make before every action, that wrapper cost 20 us,
    a sixth of the endpoint's own time."""

    model_config = ConfigDict(from_attributes=True)


Moment = Annotated[datetime, AfterValidator(_in_utc)]
"""A time the API is sent (ISO 8601): read in UTC whatever offset it carries."""

_A_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _just_a_day(value: Any) -> Any:
    """A last day is a calendar date and nothing else: Pydantic would also take a time
    at midnight, or a number of seconds, and quietly drop what made it an instant."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _A_DAY.fullmatch(value):
        raise ValueError("must be a date, YYYY-MM-DD (the last day of access, inclusive, in "
                         "the Business Center's time zone)")
    return value


def _not_a_bare_day(value: Any) -> Any:
    """A bare date sent as an end time would be read as that day's first instant: access
    would end the day before the one named. Say where a date belongs instead."""
    if isinstance(value, str) and _A_DAY.fullmatch(value.strip()):
        raise ValueError("is a date without a time; send the last day of access as "
                         f"last_day ({value.strip()}), or the exact time access ends")
    return value


LastDay = Annotated[date, BeforeValidator(_just_a_day)]
"""The last day of access, inclusive, in the Business Center's time zone (YYYY-MM-DD)."""

def _end_in_utc(moment: datetime) -> datetime:
    """An end time without an offset is UTC, as documented, and made so here: the
    service compares it with stored (aware) times to tell whether it changed."""
    return _in_utc(moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC))


EndMoment = Annotated[datetime, BeforeValidator(_not_a_bare_day), AfterValidator(_end_in_utc)]
"""The exact instant access ends (ISO 8601 with a time): a Moment that is not a date."""

LAST_DAY_IN = ("The last day of access, inclusive, in the Business Center's time zone "
               "(YYYY-MM-DD): access ends when that day ends there. Send this or "
               "expires_at, not both.")
EXPIRES_AT_IN = ("The exact time access ends (ISO 8601 with a time; UTC when no offset). "
                 "To give a date, send last_day instead.")
LAST_DAY_OUT = ("The last day of access, inclusive, in the Business Center's time zone: "
                "the day expires_at falls in, or the day before when expires_at is that "
                "day's first instant. Null: access does not end.")
EXPIRES_AT_OUT = "The instant access ends (UTC). Null: access does not end."


def last_day_in(description: str = LAST_DAY_IN) -> Any:
    """The input field ``last_day`` (a Pydantic Field; typed Any as Field is)."""
    return Field(None, description=description, examples=["2027-06-30"])


def end_sent(last_day: date | None, expires_at: datetime | None, where: Any
             ) -> datetime | None:
    """The instant access ends, from whichever of the two a request sent."""
    if last_day is None:
        return expires_at
    return enddates.ends_at(last_day, where, field="last_day")


def one_end(expires_at: datetime | None, last_day: date | None) -> None:
    """An end date is sent one way: two that disagree would leave the server to guess."""
    if expires_at is not None and last_day is not None:
        raise ValueError("send last_day or expires_at, not both")


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class Error(Schema):
    """Every refusal, at its HTTP status: 400 bad input, 401 no or bad token, 403 not
    allowed (the message is the access engine's reason and fix), 404 not found or not
    visible, 409 conflict (a limit, a stale change), 429 rate limited."""

    error: ErrorBody


class PageInfo(Schema):
    page: int
    page_size: int
    total: int
    pages: int


class Paged(Schema, Generic[T]):
    items: list[T]
    page_info: PageInfo


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 429: Error}
"""The refusals every endpoint may answer, for its ``response=``."""


class PersonOut(Schema):
    id: str
    name: str
    email: str | None
    phone: str | None


def page_info(page: Page) -> PageInfo:  # type: ignore[type-arg]
    return PageInfo(page=page.page, page_size=page.page_size, total=page.total, pages=page.pages)


def _printable(value: str) -> str:
    # PostgreSQL cannot store or even compare a NUL character: refuse it as bad input
    # rather than fail on it (Django's forms do the same for the web pages).
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\x00) characters")
    return value


Printable = Annotated[str, AfterValidator(_printable)]
"""Free text stored or searched in the database."""


def paged(rows: list[T], page: int, page_size: int) -> Page[T]:
    """A list a service answers whole, paged like every other list (same limits, same
    refusals)."""
    return paginate(rows, page, page_size)  # type: ignore[arg-type]  # Paginator pages lists


class Paging(Schema):
    page: int = 1
    page_size: int = 50


class MemberOut(Schema):
    id: str
    user: PersonOut
    role: str
    finance_role: str
    kind: str
    modules: list[str]
    state: str
    joined_at: datetime
    last_active_at: datetime | None
    expires_at: datetime | None = Field(description=EXPIRES_AT_OUT)
    last_day: date | None = Field(description=LAST_DAY_OUT)
    asset_count: int | None = None

    @staticmethod
    def of(m: Membership, where: BusinessCenter | None = None) -> MemberOut:
        """``where``: the member's Business Center when the caller has it at hand, so a
        page of members does not read it once per row for its time zone."""
        u = m.user
        return MemberOut(
            id=str(m.pk), user=PersonOut(id=str(u.pk), name=u.name, email=u.email, phone=u.phone),
            role=m.role, finance_role=m.finance_role, kind=m.kind, modules=list(m.modules),
            state=m.status, joined_at=m.joined_at, last_active_at=m.last_active_at,
            expires_at=m.expires_at,
            last_day=enddates.last_day(m.expires_at, where if where is not None else m.center),
            asset_count=getattr(m, "asset_count", None))


class AssetOut(Schema):
    id: str
    type: str  # ADVERTISER (ad account), TT_ACCOUNT, CATALOG or PIXEL
    name: str
    status: str  # ACTIVE, DISABLED or CLOSED (only ad accounts are ever not ACTIVE)
    # This Business Center's id for what it owns; for an asset a partner shares, the
    # owner's public id (as partner requests take it), never another's row id.
    owner_center_id: str
    shared_by: str | None  # the owner's name, for an asset a partner shares
    created_at: datetime

    @staticmethod
    def of(a: Asset, here: int) -> AssetOut:
        """``here``: the Business Center the asset is listed in."""
        own = a.center_id == here
        return AssetOut(id=str(a.pk), type=a.type, name=a.name, status=a.status,
                        owner_center_id=str(here) if own else a.center.public_id,
                        shared_by=None if own else a.center.name, created_at=a.created_at)


class CenterName(Schema):
    """Another Business Center, by the name it goes by (never its internal id)."""

    name: str


@overload
def utc(moment: datetime) -> datetime: ...
@overload
def utc(moment: datetime | None) -> datetime | None: ...
def utc(moment: datetime | None) -> datetime | None:
    """Times leave the API in UTC, whatever offset they were given with."""
    return moment.astimezone(UTC) if moment is not None else None


@overload
def money(amount: Decimal) -> str: ...
@overload
def money(amount: Decimal | None) -> str | None: ...
def money(amount: Decimal | None) -> str | None:
    """Amounts leave the API as text with two decimals: JSON numbers are floats."""
    return None if amount is None else f"{amount:.2f}"


def person(user: User | None) -> PersonOut | None:
    if user is None:
        return None
    return PersonOut(id=str(user.pk), name=user.name, email=user.email, phone=user.phone)


def _as_text(value: Any) -> Any:
    """A JSON number is read as the text it was written as; booleans stay refused."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else value


# A value the service reads from text, as people type it: a JSON number is taken too.
Text = Annotated[str, BeforeValidator(_as_text),
                 WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}]})]


def _amount_text(value: Any) -> Any:
    """A JSON number as the plain decimal text of its shortest round-trip form: 150.1
    stays 150.1 (never 150.0999…), 1e11 becomes 100000000000 so the money parser says it
    is too large rather than unreadable. Strings pass unchanged: the parser reads them
    strictly, so the string "1e11" is refused with how to write it."""
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return format(Decimal(repr(value)), "f")
    return _as_text(value)


# An amount: "150.50" (or 150.5). The one money parser (core/money.py) reads it in the
# service and says what is wrong with one.
Money = Annotated[str, BeforeValidator(_amount_text),
                  WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}]})]
