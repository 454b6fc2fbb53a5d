"""Billing rules at the service layer: who may view and change it, what money is
accepted, card numbers never stored, limits only on this Business Center's ad
accounts, invoices once per month, and an activity-log entry for every change."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizcenter.assets import partners
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.billing import services
from bizcenter.billing import spend as spend_of
from bizcenter.billing.models import (
    Invoice,
    InvoiceStatus,
    Kind,
    PaymentSettings,
    SpendingLimit,
    Transaction,
)
from bizcenter.centers.services import update_center
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tests.conftest import act, partner_up, spend
from tests.support.billing import billing_events, chain_is_consistent, nothing_written

CARD = dict(card_brand="VISA", card_last4="4242", card_exp_month="12",
            card_exp_year=str(date.today().year + 3))


# -- who may do what -------------------------------------------------------------------

@pytest.mark.parametrize("who", ["owner", "manager"])
def test_admins_and_finance_managers_change_billing(request, who, center, account, last_month,
                                                    system):
    person = request.getfixturevalue(who)
    me = act(person)
    tx = services.top_up(me, center, "1000.00", "Wire 17")
    assert (tx.kind, tx.amount, tx.balance_after, tx.currency) == (
        Kind.TOPUP, Decimal("1000.00"), Decimal("1000.00"), "USD")
    assert tx.created_by == person and tx.created_by_label == person.label
    services.refund(me, center, "100", "Unused")
    services.set_payment_settings(me, center, contact_name="Billing Team",
                                  contact_email="Billing@Brand.com", **CARD)
    services.set_spending_limit(me, center, account.pk, "500")
    spend(center, account, "42.10", last_month)
    invoice, new = services.issue_invoice(me, center, last_month.year, last_month.month)
    assert new and invoice.amount == Decimal("42.10")
    services.set_invoice_status(me, center, invoice.pk, "PAID")
    assert services.balance_of(center) == Decimal("857.90")
    assert [e.action for e in billing_events(center)] == [
        "billing.topped_up", "billing.refunded", "billing.payment_settings_changed",
        "billing.limit_set", "billing.spend_recorded", "billing.invoice_issued",
        "billing.invoice_paid"]
    assert all(e.actor == person for e in billing_events(center) if e.via == "test")


def test_a_finance_analyst_views_billing(owner, analyst, center, account):
    services.top_up(act(owner), center, "300")
    overview = services.billing_overview(act(analyst), center)
    assert overview.balance == Decimal("300.00") and overview.currency == "USD"
    assert [tx.amount for tx in overview.recent] == [Decimal("300.00")]
    assert [line.account for line in overview.limits] == [account]
    assert services.list_transactions(act(analyst), center).total == 1
    assert services.list_invoices(act(analyst), center).total == 0
    assert "amount" in next(services.export_transactions(act(analyst), center))


def test_a_finance_analyst_cannot_change_the_spending_limit(analyst, center, account):
    with pytest.raises(NotAllowed) as refused:
        services.set_spending_limit(act(analyst), center, account.pk, "500.00")
    assert refused.value.code == "finance_role_too_low"
    assert "Finance Analysts can view billing but not change it" in refused.value.message
    assert "Ask an Admin of Brand Co to make you Finance Manager" in refused.value.message
    assert not SpendingLimit.objects.exists()
    assert nothing_written(center)


def _changes(center, account, last_month) -> dict[str, Callable]:
    return {
        "top_up": lambda me: services.top_up(me, center, "10"),
        "refund": lambda me: services.refund(me, center, "10"),
        "preview_refund": lambda me: services.preview_refund(me, center, "10"),
        "payment_settings": lambda me: services.set_payment_settings(me, center, **CARD),
        "spending_limit": lambda me: services.set_spending_limit(me, center, account.pk, "5"),
        "remove_limit": lambda me: services.set_spending_limit(me, center, account.pk, None),
        "repair": lambda me: spend_of.repair(me, center),
        "invoice": lambda me: services.issue_invoice(me, center, last_month.year,
                                                     last_month.month),
        # Even typing nonsense, they are told first that they may not.
        "bad_amount": lambda me: services.top_up(me, center, "-3.999"),
    }


CHANGES = ["top_up", "refund", "preview_refund", "payment_settings", "spending_limit",
           "remove_limit", "repair", "invoice", "bad_amount"]


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_is_refused_to_a_finance_analyst(analyst, center, account, last_month,
                                                      change):
    with pytest.raises(NotAllowed) as refused:
        _changes(center, account, last_month)[change](act(analyst))
    assert refused.value.code == "finance_role_too_low"
    assert nothing_written(center)


def test_an_invoice_status_change_is_refused_to_a_finance_analyst(owner, analyst, center,
                                                                  account, last_month, system):
    spend(center, account, "5", last_month)
    invoice, _ = services.issue_invoice(act(owner), center, last_month.year, last_month.month)
    for status in ("PAID", "VOID"):
        with pytest.raises(NotAllowed):
            services.set_invoice_status(act(analyst), center, invoice.pk, status)
    with pytest.raises(NotAllowed):
        services.preview_void(act(analyst), center, invoice.pk)
    assert Invoice.objects.get().status == InvoiceStatus.ISSUED


@pytest.mark.parametrize("change", CHANGES)
def test_a_member_without_a_finance_role_can_do_nothing(standard, center, account,
                                                        last_month, change):
    with pytest.raises(NotAllowed) as refused:
        _changes(center, account, last_month)[change](act(standard))
    assert refused.value.code == "finance_role_missing"
    assert nothing_written(center)


def test_a_member_without_a_finance_role_sees_nothing(standard, center):
    reads = [lambda: services.billing_overview(act(standard), center),
             lambda: services.list_transactions(act(standard), center),
             lambda: services.list_invoices(act(standard), center),
             lambda: next(services.export_transactions(act(standard), center))]
    for read in reads:
        with pytest.raises(NotAllowed) as refused:
            read()
        # The engine's own explanation, with the fix.
        assert refused.value.message == (
            "You have no Billing access in Brand Co (no finance role). Ask an Admin of Brand "
            "Co to give you Billing access: Finance Analyst to view billing, or Finance "
            "Manager to change it.")


def test_another_business_centers_admin_finds_nothing(outsider, center, account, last_month):
    with pytest.raises(NotFound) as refused:
        services.billing_overview(act(outsider), center)
    assert "Brand Co" not in refused.value.message
    for change in CHANGES:
        with pytest.raises(NotFound):
            _changes(center, account, last_month)[change](act(outsider))
    assert nothing_written(center)


# -- money -----------------------------------------------------------------------------

BAD_AMOUNTS = [
    ("-5", "more than 0"), ("0", "more than 0"), ("0.00", "more than 0"),
    ("1.005", "more than 2 decimals"), ("10000000.01", "more than the 10,000,000.00 USD"),
    ("1e9", "is not an amount"), ("abc", "is not an amount"), ("", "Enter an amount"),
    ("1,000", "no thousands separators"), ("NaN", "is not an amount"),
    (Decimal("Infinity"), "is not an amount"), (True, "is not an amount"),
    (-1, "more than 0"), (0.001, "more than 2 decimals"),
]


@pytest.mark.parametrize(("amount", "says"), BAD_AMOUNTS)
def test_bad_amounts_are_refused_and_nothing_is_written(owner, center, account, amount, says):
    changes = [lambda: services.top_up(act(owner), center, amount),
               lambda: services.refund(act(owner), center, amount)]
    if amount != "":  # an empty limit is no limit
        changes.append(lambda: services.set_spending_limit(act(owner), center, account.pk,
                                                           amount))
    for change in changes:
        with pytest.raises(InvalidInput) as refused:
            change()
        assert says in refused.value.message
        assert refused.value.status == 400 and "amount" in refused.value.fields
    assert nothing_written(center)


@pytest.mark.parametrize("amount", ["0.01", "10000000", "10000000.00", " 12.5 ", ".50",
                                    12, Decimal("3.10"), 2.5])
def test_good_amounts_are_kept_to_the_cent(owner, center, amount):
    tx = services.top_up(act(owner), center, amount)
    assert tx.amount == Decimal(str(amount).strip()).quantize(Decimal("0.01"))


def test_currencies_without_cents_take_whole_amounts(owner, center, as_owner):
    update_center(as_owner, center, currency="JPY")
    center.refresh_from_db()
    with pytest.raises(InvalidInput, match="JPY has no smaller unit"):
        services.top_up(act(owner), center, "100.50")
    assert services.top_up(act(owner), center, "100").currency == "JPY"


def test_a_refund_never_takes_more_than_the_balance(owner, center):
    services.top_up(act(owner), center, "50")
    with pytest.raises(Conflict) as refused:
        services.refund(act(owner), center, "50.01")
    assert refused.value.code == "insufficient_balance"
    assert "The balance is 50.00 USD" in refused.value.message
    with pytest.raises(Conflict):
        services.preview_refund(act(owner), center, "60")
    preview = services.preview_refund(act(owner), center, "50", "all of it")
    assert (preview.balance, preview.after, preview.note) == (Decimal("50.00"), Decimal("0.00"),
                                                              "all of it")
    assert Transaction.objects.count() == 1  # the preview wrote nothing
    services.refund(act(owner), center, "50")
    assert services.balance_of(center) == Decimal("0.00")


def test_balance_after_follows_every_row(owner, center, account, system):
    today = services.today_in(center)
    services.top_up(act(owner), center, "100")
    spend(center, account, "30.25", today)
    services.top_up(act(owner), center, "0.25")
    services.refund(act(owner), center, "20")
    spend(center, account, "80", today)  # spend may go below zero
    assert services.balance_of(center) == Decimal("-30.00")
    assert chain_is_consistent(center)
    assert [tx.kind for tx in Transaction.objects.order_by("id")] == [
        "TOPUP", "SPEND", "TOPUP", "REFUND", "SPEND"]
    assert Transaction.objects.get(kind="REFUND").amount == Decimal("-20.00")


def test_the_ledger_keeps_one_currency_while_it_holds_money(owner, center, as_owner):
    services.top_up(act(owner), center, "10")
    update_center(as_owner, center, currency="EUR")
    center.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        services.top_up(act(owner), center, "10")
    assert refused.value.code == "currency_changed"
    assert "Set the currency back to USD" in refused.value.message
    update_center(as_owner, center, currency="USD")
    center.refresh_from_db()
    services.refund(act(owner), center, "10")
    update_center(as_owner, center, currency="EUR")
    center.refresh_from_db()
    assert services.top_up(act(owner), center, "10").currency == "EUR"  # empty: a fresh start


def test_notes_are_short_and_hold_no_card_number(owner, center):
    with pytest.raises(InvalidInput, match="at most 300"):
        services.top_up(act(owner), center, "10", "x" * 301)
    with pytest.raises(InvalidInput, match="looks like a card number"):
        services.top_up(act(owner), center, "10", "paid with 4111 1111 1111 1111")
    assert nothing_written(center)
    assert services.top_up(act(owner), center, "10", "  order   PO-12345 ").note == (
        "order PO-12345")


# -- payment settings ------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["4242424242424242", "4242 4242 4242 4242",
                                   "4242-4242-4242-4242", "378282246310005", "4111111111111"])
def test_a_card_number_is_refused_with_a_clear_message(owner, center, typed):
    with pytest.raises(InvalidInput) as refused:
        services.set_payment_settings(act(owner), center, **{**CARD, "card_last4": typed})
    assert "That looks like a card number. bizcenter never stores card numbers" in (
        refused.value.message)
    assert refused.value.fields == {"card_last4": "no card numbers"}
    assert nothing_written(center)


def test_more_than_four_digits_is_refused_too(owner, center):
    with pytest.raises(InvalidInput, match="Enter only the last 4 digits of the card, not 8"):
        services.set_payment_settings(act(owner), center, **{**CARD, "card_last4": "12345678"})
    with pytest.raises(InvalidInput, match=r"4 digits, e\.g\. 4242"):
        services.set_payment_settings(act(owner), center, **{**CARD, "card_last4": "42a2"})


def test_a_card_number_is_refused_in_the_contact_name(owner, center):
    with pytest.raises(InvalidInput, match="looks like a card number"):
        services.set_payment_settings(act(owner), center, contact_name="5555555555554444")
    assert nothing_written(center)


def test_the_card_is_all_four_parts_or_none(owner, center):
    with pytest.raises(InvalidInput) as refused:
        services.set_payment_settings(act(owner), center, card_brand="VISA", card_last4="4242")
    assert set(refused.value.fields) == {"card_exp_month", "card_exp_year"}
    with pytest.raises(InvalidInput, match="expired in 01/2020"):
        services.set_payment_settings(act(owner), center, **{**CARD, "card_exp_month": "1",
                                                             "card_exp_year": "2020"})
    with pytest.raises(InvalidInput, match="1 to 12"):
        services.set_payment_settings(act(owner), center, **{**CARD, "card_exp_month": "13"})
    with pytest.raises(InvalidInput, match="not a valid card brand"):
        services.set_payment_settings(act(owner), center, **{**CARD, "card_brand": "DINERS"})
    with pytest.raises(InvalidInput, match="not a valid email"):
        services.set_payment_settings(act(owner), center, contact_email="billing at brand")
    assert nothing_written(center)


def test_payment_settings_keep_only_the_masked_card_and_log_it(owner, center):
    settings = services.set_payment_settings(
        act(owner), center, contact_name=" Billing  Team ", contact_email="Billing@Brand.com",
        card_brand="mastercard", card_last4="5 5 5 4", card_exp_month="3", card_exp_year="31")
    assert (settings.contact_name, settings.contact_email) == ("Billing Team",
                                                               "billing@brand.com")
    assert settings.card_label == "Mastercard •••• 5554, expires 03/2031"
    [event] = billing_events(center)
    assert (event.category, event.action, event.actor) == (
        Category.BUSINESS, "billing.payment_settings_changed", owner)
    assert event.after["card"] == "Mastercard •••• 5554, expires 03/2031"
    # The same values again change nothing and log nothing.
    services.set_payment_settings(act(owner), center, contact_name="Billing Team",
                                  contact_email="billing@brand.com", card_brand="MASTERCARD",
                                  card_last4="5554", card_exp_month=3, card_exp_year=2031)
    assert len(billing_events(center)) == 1
    # Removing the card: all four empty.
    services.set_payment_settings(act(owner), center, contact_name="Billing Team",
                                  contact_email="billing@brand.com")
    assert PaymentSettings.objects.get().card_label == ""
    assert billing_events(center)[-1].before == {
        "card": "Mastercard •••• 5554, expires 03/2031"}


# -- spending limits -------------------------------------------------------------------

def test_spending_limits_are_set_changed_removed_and_logged(owner, manager, center, account):
    limit = services.set_spending_limit(act(manager), center, account.pk, "1500")
    assert limit is not None and limit.amount == Decimal("1500.00")
    services.set_spending_limit(act(manager), center, str(account.pk), "1500.00")  # unchanged
    services.set_spending_limit(act(owner), center, account.pk, "2000.50")
    assert services.set_spending_limit(act(owner), center, account.pk, "") is None
    assert not SpendingLimit.objects.exists()
    events = billing_events(center)
    assert [(e.action, e.category, e.target_label) for e in events] == [
        ("billing.limit_set", Category.ACCOUNT, "Ad account Main ads"),
        ("billing.limit_set", Category.ACCOUNT, "Ad account Main ads"),
        ("billing.limit_removed", Category.ACCOUNT, "Ad account Main ads"),
    ]
    assert (events[1].before, events[1].after) == (
        {"monthly_limit": "1500.00", "currency": "USD"},
        {"monthly_limit": "2000.50", "currency": "USD"})
    assert events[2].after == {"monthly_limit": None, "currency": "USD"}
    assert events[0].actor == manager


def test_limits_only_on_this_business_centers_ad_accounts(owner, center, other_center,
                                                          outsider, as_owner):
    theirs = create_asset(act(outsider), other_center, type="ADVERTISER", name="Rival ads")
    with pytest.raises(NotFound, match=f"No ad account with id {theirs.pk} in Brand Co"):
        services.set_spending_limit(act(owner), center, theirs.pk, "100")
    # An ad account a partner shares with us is billed to its owner, not here.
    partner_up(act(outsider), other_center, center)
    partners.share(act(outsider), other_center, center.public_id, theirs.pk, ["ANALYST"])
    with pytest.raises(NotFound):
        services.set_spending_limit(act(owner), center, theirs.pk, "100")
    pixel = create_asset(as_owner, center, type="PIXEL", name="Site pixel")
    with pytest.raises(InvalidInput, match="Pixel Site pixel is not an ad account"):
        services.set_spending_limit(act(owner), center, pixel.pk, "100")
    with pytest.raises(NotFound):
        services.set_spending_limit(act(owner), center, "abc", "100")
    assert not SpendingLimit.objects.exists()


def test_the_overview_shows_each_accounts_month_against_its_limit(owner, center, account,
                                                                  as_owner, system):
    quiet = create_asset(as_owner, center, type="ADVERTISER", name="Quiet ads")
    today = services.today_in(center)
    services.set_spending_limit(act(owner), center, account.pk, "100")
    spend(center, account, "60", today)
    # Spend past the limit is a fact from the ad platform: recorded, and flagged.
    spend(center, account, "55", today)
    lines = {line.account.name: line for line in services.billing_overview(
        act(owner), center).limits}
    main = lines["Main ads"]
    assert (main.limit, main.spent, main.remaining, main.reached) == (
        Decimal("100.00"), Decimal("115.00"), Decimal("0.00"), True)
    assert (lines["Quiet ads"].limit, lines["Quiet ads"].spent,
            lines["Quiet ads"].reached) == (None, Decimal("0.00"), False)
    assert quiet.pk != account.pk


# -- spend from reporting --------------------------------------------------------------

def test_spend_is_what_the_metrics_say_loaded_once_or_again(center, account, system):
    from bizcenter.campaigns.models import Campaign
    from bizcenter.reporting.services import load_metrics

    day = services.today_in(center)
    ads = Campaign.objects.create(advertiser=account, name="Ads", objective="TRAFFIC")

    def load(amount: str) -> None:
        load_metrics(system, center, [(2, {"campaign_id": str(ads.pk), "date": str(day),
                                           "spend": amount, "impressions": "10",
                                           "clicks": "1", "conversions": "0"})])

    load("12.34")
    load("12.34")  # the same file again charges nothing more
    [first] = Transaction.objects.all()
    assert (first.kind, first.advertiser, first.advertiser_name, first.occurred_on,
            first.amount) == (Kind.SPEND, account, "Main ads", day, Decimal("-12.34"))
    load("10.00")  # corrected down: the difference comes back, the ledger is not rewritten
    correction = Transaction.objects.order_by("id").last()
    assert correction is not None and correction.amount == Decimal("2.34")
    assert "loaded again" in correction.note
    assert services.balance_of(center) == Decimal("-10.00")
    assert chain_is_consistent(center)
    events = [e for e in billing_events(center) if e.action == "billing.spend_recorded"]
    assert [(e.actor, e.actor_label, e.category) for e in events] == [
        (None, "system (reporting)", Category.BUSINESS)] * 2


def test_spend_is_for_days_that_happened(center, account, system):
    later = services.today_in(center) + timedelta(days=2)
    with pytest.raises(InvalidInput, match="in the future"):
        spend(center, account, "1", later)
    assert nothing_written(center)


def test_the_history_survives_the_ad_account(owner, center, account, system, as_owner):
    from bizcenter.assets.services import delete_asset

    spend(center, account, "5", services.today_in(center))
    delete_asset(as_owner, center, account.pk)
    tx = Transaction.objects.get()
    assert tx.advertiser is None and tx.advertiser_name == "Main ads"


# -- invoices --------------------------------------------------------------------------

def test_an_invoice_covers_one_months_spend_once(owner, manager, center, account, as_owner,
                                                 last_month, system):
    other = create_asset(as_owner, center, type="ADVERTISER", name="Second ads")
    spend(center, account, "100.10", last_month)
    spend(center, other, "50", last_month + timedelta(days=20))
    spend(center, account, "7", services.today_in(center))  # not in it
    services.top_up(act(owner), center, "999")  # not spend
    invoice, new = services.issue_invoice(act(manager), center, last_month.year,
                                          last_month.month)
    assert new
    assert invoice.amount == Decimal("150.10") and invoice.currency == "USD"
    assert invoice.number == f"{center.pk}-{last_month:%Y%m}"
    assert (invoice.period_start, invoice.period_end.month, invoice.status) == (
        last_month, last_month.month, InvoiceStatus.ISSUED)
    assert (invoice.period_end + timedelta(days=1)).day == 1
    again, new = services.issue_invoice(act(owner), center, last_month.year, last_month.month)
    assert again.pk == invoice.pk and not new
    assert Invoice.objects.count() == 1
    assert [e.action for e in billing_events(center)].count("billing.invoice_issued") == 1
    # The month is closed: late spend would be missing from the invoice.
    with pytest.raises(Conflict) as refused:
        spend(center, account, "1", last_month)
    assert refused.value.code == "period_invoiced" and "Void the invoice" in (
        refused.value.message)


def test_invoices_are_for_whole_past_months_with_spend(owner, center, last_month):
    today = services.today_in(center)
    with pytest.raises(InvalidInput, match="is not over yet"):
        services.issue_invoice(act(owner), center, today.year, today.month)
    with pytest.raises(InvalidInput, match="Pick a month"):
        services.issue_invoice(act(owner), center, 2026, 13)
    with pytest.raises(Conflict) as refused:
        services.issue_invoice(act(owner), center, last_month.year, last_month.month)
    assert refused.value.code == "nothing_to_invoice"
    assert nothing_written(center)


def test_a_void_invoice_frees_its_month_for_a_new_one(owner, center, account, last_month,
                                                      system):
    spend(center, account, "10", last_month)
    first, _ = services.issue_invoice(act(owner), center, last_month.year, last_month.month)
    assert services.preview_void(act(owner), center, first.pk) == first
    services.set_invoice_status(act(owner), center, first.pk, "void")
    spend(center, account, "5", last_month)  # late spend, now allowed
    second, new = services.issue_invoice(act(owner), center, last_month.year, last_month.month)
    assert new and second.number == f"{first.number}-2" and second.amount == Decimal("15.00")
    services.set_invoice_status(act(owner), center, second.pk, "PAID")
    for status in ("VOID", "ISSUED"):
        with pytest.raises(Conflict) as refused:
            services.set_invoice_status(act(owner), center, second.pk, status)
        assert refused.value.code == "invoice_closed"
    with pytest.raises(Conflict):
        services.preview_void(act(owner), center, first.pk)
    with pytest.raises(NotFound):
        services.set_invoice_status(act(owner), center, 99999, "PAID")
    assert [e.action for e in billing_events(center) if "invoice" in e.action] == [
        "billing.invoice_issued", "billing.invoice_voided", "billing.invoice_issued",
        "billing.invoice_paid"]


# -- lists and export ------------------------------------------------------------------

def test_transactions_filter_by_kind_account_and_days(owner, center, account, as_owner,
                                                      last_month, system):
    other = create_asset(as_owner, center, type="ADVERTISER", name="Second ads")
    services.top_up(act(owner), center, "500")
    spend(center, account, "1", last_month)
    spend(center, other, "2", last_month + timedelta(days=1))
    spend(center, account, "3", last_month + timedelta(days=2))

    def amounts(**filters) -> list[str]:
        page = services.list_transactions(act(owner), center, **filters)
        return [str(tx.amount) for tx in page.items]

    assert amounts(kind="spend") == ["-3.00", "-2.00", "-1.00"]
    assert amounts(kind="TOPUP") == ["500.00"]
    assert amounts(advertiser_id=account.pk) == ["-3.00", "-1.00"]
    assert amounts(since=last_month + timedelta(days=1),
                   until=last_month + timedelta(days=1)) == ["-2.00"]
    page = services.list_transactions(act(owner), center, page=2, page_size=3)
    # By the day the money moved: the top-up of today first, last month's spend after.
    assert (page.total, page.pages, [str(t.amount) for t in page.items]) == (4, 2, ["-1.00"])
    with pytest.raises(InvalidInput, match="swap them"):
        amounts(since=date(2026, 3, 2), until=date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="not a valid kind"):
        amounts(kind="GIFT")
    with pytest.raises(NotFound):
        amounts(advertiser_id=999999)


def test_the_csv_export_defuses_formulas_and_keeps_amounts_numeric(owner, center, as_owner,
                                                                   system):
    evil = create_asset(as_owner, center, type="ADVERTISER", name="@SUM(A1:A9)")
    services.top_up(act(owner), center, "100", '=HYPERLINK("http://evil.example","x")')
    services.top_up(act(owner), center, "5", "+1-555 call me")
    spend(center, evil, "12.50", services.today_in(center))
    text = "".join(services.export_transactions(act(owner), center))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["kind"] for r in rows] == ["TOPUP", "TOPUP", "SPEND"]
    assert rows[0]["note"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1]["note"] == "'+1-555 call me"
    assert rows[2]["ad_account"] == "'@SUM(A1:A9)"
    assert [r["amount"] for r in rows] == ["100.00", "5.00", "-12.50"]
    assert rows[2]["balance_after"] == "92.50"
    assert rows[0]["recorded_by"] == "Olivia Owner <owner@brand.com>"
    assert list(rows[0]) == list(services.EXPORT_FIELDS)
    only_spend = "".join(services.export_transactions(act(owner), center, kind="SPEND"))
    assert len(list(csv.DictReader(io.StringIO(only_spend)))) == 1


def test_every_change_leaves_exactly_one_log_entry(owner, center, account, last_month, system):
    services.top_up(act(owner), center, "10")
    services.set_spending_limit(act(owner), center, account.pk, "10")
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput):
        services.top_up(act(owner), center, "0")
    services.set_spending_limit(act(owner), center, account.pk, "10.00")  # no change
    assert AuditEvent.objects.count() == before
    topped = AuditEvent.objects.get(action="billing.topped_up")
    assert topped.after == {"kind": "TOPUP", "amount": "10.00", "currency": "USD",
                            "balance_after": "10.00",
                            "occurred_on": services.today_in(center).isoformat()}
    assert (topped.ip, topped.via, topped.target_type) == ("198.51.100.1", "test",
                                                           "transaction")
