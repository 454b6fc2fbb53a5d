"""Money moving at once from many app processes, on PostgreSQL (each thread its own
connection): every ledger row's balance_after is still the one before it plus its
amount, a refund never takes money another refund already took, and a month is
invoiced once. SQLite has a single writer, so there is nothing to race there."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from bizcenter.assets.services import create_asset
from bizcenter.billing import services
from bizcenter.billing.models import Invoice, Transaction
from bizcenter.core.errors import Conflict
from tests.conftest import act, spend
from tests.support.billing import chain_is_consistent
from tests.support.races import RACING, fresh_center, race

pytestmark = RACING

ROUNDS = 3


def test_parallel_top_ups_keep_balance_after_a_running_sum():
    for round_ in range(ROUNDS):
        parallel_top_ups(round_)


def parallel_top_ups(round_: int) -> None:
    owner, center = fresh_center(f"topups{round_}")
    jobs = [(lambda i=i: services.top_up(act(owner), center, f"{i}.01")) for i in range(1, 21)]
    outcomes = race(jobs)
    assert all(isinstance(o, Transaction) for o in outcomes), outcomes
    assert services.balance_of(center) == Decimal("210.20"), f"round {round_}"
    assert chain_is_consistent(center), f"round {round_}"
    afters = list(Transaction.objects.filter(center=center)
                  .values_list("balance_after", flat=True))
    assert len(set(afters)) == 20


def test_parallel_refunds_never_take_more_than_the_balance():
    for round_ in range(ROUNDS):
        parallel_refunds(round_)


def parallel_refunds(round_: int) -> None:
    owner, center = fresh_center(f"refunds{round_}")
    services.top_up(act(owner), center, "100")
    outcomes = race([lambda: services.refund(act(owner), center, "30") for _ in range(6)])
    won = [o for o in outcomes if isinstance(o, Transaction)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert (len(won), len(lost)) == (3, 3), f"round {round_}: {outcomes}"
    assert all(o.code == "insufficient_balance" for o in lost)
    assert services.balance_of(center) == Decimal("10.00")
    assert chain_is_consistent(center)


def test_top_ups_spend_and_refunds_together_stay_consistent():
    for round_ in range(ROUNDS):
        mixed(round_)


def mixed(round_: int) -> None:
    owner, center = fresh_center(f"mixed{round_}")
    account = create_asset(act(owner), center, type="ADVERTISER", name="Ads")
    services.top_up(act(owner), center, "50")
    day = services.today_in(center)
    jobs = ([(lambda: services.top_up(act(owner), center, "10")) for _ in range(8)]
            + [(lambda: spend(center, account, "7", day)) for _ in range(8)]
            + [(lambda: services.refund(act(owner), center, "5")) for _ in range(8)])
    outcomes = race(jobs)
    refunded = sum(isinstance(o, Transaction) and o.kind == "REFUND" for o in outcomes)
    assert chain_is_consistent(center), f"round {round_}"
    assert services.balance_of(center) == Decimal(50 + 80 - 56 - 5 * refunded)


def test_one_month_is_invoiced_once_when_asked_twice_at_once():
    for round_ in range(ROUNDS):
        invoice_once(round_)


def invoice_once(round_: int) -> None:
    owner, center = fresh_center(f"invoice{round_}")
    account = create_asset(act(owner), center, type="ADVERTISER", name="Ads")
    last = (services.today_in(center).replace(day=1) - timedelta(days=1)).replace(day=1)
    spend(center, account, "40", last)
    outcomes = race([lambda: services.issue_invoice(act(owner), center, last.year, last.month)
                     for _ in range(4)])
    assert Counter(o[1] for o in outcomes) == {True: 1, False: 3}, outcomes  # type: ignore[index]
    assert Invoice.objects.filter(center=center).count() == 1
