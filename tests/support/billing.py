"""Billing's people and checks, shared by the billing tests (tests/billing/conftest.py
binds the fixtures for that folder), the billing page tests in tests/web and the
billing API tests.

The people around one Business Center's billing: its Admin (the owner), a Finance
Manager, a Finance Analyst, a Standard member with no finance role, and the Admin of
another Business Center; plus an ad account to spend and limit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.billing import services
from bizcenter.billing.models import Invoice, PaymentSettings, SpendingLimit, Transaction
from bizcenter.billing.services import today_in
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import create_center
from bizcenter.core.actor import Actor
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act


def member(owner: User, center: BusinessCenter, person: User, **grant: object) -> User:
    """Invite this person with this access and accept for them, as they would."""
    [sent] = invitations.invite(act(owner), center, [person.email], Grant(**grant))  # type: ignore[arg-type]
    assert sent.link, sent.message
    invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])
    return person


# The people around the money, by fixture name: address, name, and the access they get.
# Billing access is the finance role; the BILLING module comes with it.
PEOPLE: dict[str, tuple[str, str, dict[str, object]]] = {
    "manager": ("fran@brand.com", "Fran Finance",
                {"finance_role": "MANAGER", "modules": ("BILLING",), "kind": "employee"}),
    "analyst": ("ana@brand.com", "Ana Analyst",
                {"finance_role": "ANALYST", "modules": ("BILLING",), "kind": "employee"}),
    "standard": ("sam@agency.com", "Sam Standard",
                 {"modules": ("ANALYTICS",), "kind": "agency"}),
}


def person(owner: User, center: BusinessCenter, make_user, who: str) -> User:
    address, name, grant = PEOPLE[who]
    return member(owner, center, make_user(address, name=name), **grant)


@pytest.fixture
def manager(owner, center, make_user) -> User:
    return person(owner, center, make_user, "manager")


@pytest.fixture
def analyst(owner, center, make_user) -> User:
    return person(owner, center, make_user, "analyst")


@pytest.fixture
def standard(owner, center, make_user) -> User:
    return person(owner, center, make_user, "standard")


@pytest.fixture
def other_center(make_user) -> BusinessCenter:
    boss = make_user("boss@rival.com", name="Rita Rival")
    return create_center(act(boss), name="Rival Inc")


@pytest.fixture
def outsider(other_center) -> User:
    return other_center.memberships.get().user


@pytest.fixture
def account(as_owner, center) -> Asset:
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


@pytest.fixture
def system() -> Actor:
    return Actor.system("reporting")


@pytest.fixture
def last_month(center) -> date:
    """The first day of the month before this one, in the center's time zone."""
    return (today_in(center).replace(day=1) - timedelta(days=1)).replace(day=1)


def nothing_written(center: BusinessCenter) -> bool:
    """No billing row and no billing log entry: a refused change left no trace."""
    return not (Transaction.objects.filter(center=center).exists()
                or Invoice.objects.filter(center=center).exists()
                or PaymentSettings.objects.filter(center=center).exists()
                or SpendingLimit.objects.filter(advertiser__center=center).exists()
                or AuditEvent.objects.filter(center=center,
                                             action__startswith="billing.").exists())


def billing_events(center: BusinessCenter) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(center=center, action__startswith="billing.")
                .order_by("id"))


def chain_is_consistent(center) -> bool:
    """Each row's balance_after is the previous one plus its amount."""
    balance = Decimal("0.00")
    for tx in Transaction.objects.filter(center=center).order_by("id"):
        balance += tx.amount
        if tx.balance_after != balance:
            return False
    return services.balance_of(center) == balance
