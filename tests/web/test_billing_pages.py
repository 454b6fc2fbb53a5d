"""The billing page through the test client: what each person sees, the forms only for
those who may change billing, refusals at their status with what was typed kept, the
confirmation steps, and the CSV export."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import HttpResponse

from bizcenter.billing import services
from bizcenter.billing.models import Invoice, PaymentSettings, SpendingLimit, Transaction
from tests.conftest import act, spend
from tests.support import billing
from tests.support.billing import billing_events, nothing_written
from tests.support.web import field_error

# The billing tests' people and ad account (tests/support/billing.py), by name.
manager, analyst, standard = billing.manager, billing.analyst, billing.standard
other_center, outsider = billing.other_center, billing.outsider
account, system, last_month = billing.account, billing.system, billing.last_month

# Not about passwords: Argon2 is tested with sign-up.
pytestmark = pytest.mark.usefixtures("quick_hashing")


def raw(page: HttpResponse) -> str:
    return page.content.decode()


def text(page: HttpResponse) -> str:
    """The words on the page, without markup."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", raw(page))).split())


def nav_labels(page: HttpResponse) -> list[str]:
    side = re.search(r'<nav class="side"[^>]*>(.*?)</nav>', raw(page), re.S)
    return re.findall(r"<a [^>]*>([^<]+)</a>", side.group(1)) if side else []


def post_forms(page: HttpResponse) -> list[str]:
    """The steps of the page's POST forms, other than logging out."""
    return re.findall(r'name="step" value="([a-z_]+)"', raw(page))


def url(center, rest: str = "") -> str:
    return f"/c/{center.pk}/billing/{rest}"


@pytest.fixture
def funded(owner, center, account, last_month, system):
    """A Business Center with money on its balance, spend, an invoice and settings."""
    services.top_up(act(owner), center, "1000", "Wire 17")
    spend(center, account, "120.50", last_month)
    spend(center, account, "30", services.today_in(center))
    services.issue_invoice(act(owner), center, last_month.year, last_month.month)
    services.set_payment_settings(act(owner), center, contact_name="Billing Team",
                                  contact_email="billing@brand.com", card_brand="VISA",
                                  card_last4="4242", card_exp_month="12",
                                  card_exp_year=str(date.today().year + 2))
    services.set_spending_limit(act(owner), center, account.pk, "100")
    return center


# -- who sees what ------------------------------------------------------------------

@pytest.mark.parametrize("who", ["owner", "manager"])
def test_admins_and_finance_managers_see_everything_and_the_forms(request, client, who,
                                                                  funded):
    client.force_login(request.getfixturevalue(who))
    page = client.get(url(funded))
    words = text(page)
    assert page.status_code == 200
    assert "Balance 849.50 USD" in words
    assert "Wire 17" in words and "Main ads" in words
    assert "Visa •••• 4242" in words and "billing@brand.com" in words
    assert "Issued" in words and "120.50 USD" in words
    assert "No limit" not in words and "70.00 USD" in words  # 30 of 100 spent this month
    assert post_forms(page) == ["topup", "refund", "limit", "invoice_status", "invoice_status",
                                "invoice", "payment"]
    assert "Billing" in nav_labels(page)


def test_a_finance_analyst_sees_the_values_and_no_forms(client, analyst, funded):
    client.force_login(analyst)
    page = client.get(url(funded))
    words = text(page)
    assert page.status_code == 200
    assert "Balance 849.50 USD" in words and "Wire 17" in words
    assert "Visa •••• 4242, expires" in words and "Monthly limit" in words
    assert post_forms(page) == []
    assert "Top up" not in words and "Save limit" not in words and "Mark paid" not in words
    assert "Only Admins and Finance Managers change it" in words
    assert "Billing" in nav_labels(page)


STEPS = {
    "topup": {"step": "topup", "topup-amount": "10"},
    "refund": {"step": "refund", "refund-amount": "10"},
    "refund_confirmed": {"step": "refund", "refund-amount": "10", "confirmed": "1"},
    "payment": {"step": "payment", "payment-contact_name": "Me"},
    "limit": {"step": "limit", "limit-account": "ACCOUNT", "limit-amount": "1"},
    "remove_limit": {"step": "limit", "limit-account": "ACCOUNT", "limit-amount": ""},
    "invoice": {"step": "invoice", "invoice-month": "LAST"},
    "paid": {"step": "invoice_status", "invoice": "INVOICE", "status": "PAID"},
    "void": {"step": "invoice_status", "invoice": "INVOICE", "status": "VOID"},
    "void_confirmed": {"step": "invoice_status", "invoice": "INVOICE", "status": "VOID",
                       "confirmed": "1"},
}


def _fill(data: dict[str, str], account, last_month, invoice_id: int) -> dict[str, str]:
    values = {"ACCOUNT": str(account.pk), "LAST": f"{last_month:%Y-%m}",
              "INVOICE": str(invoice_id)}
    return {k: values.get(v, v) for k, v in data.items()}


@pytest.mark.parametrize("step", list(STEPS))
def test_a_finance_analyst_is_refused_every_change(client, analyst, funded, account,
                                                   last_month, step):
    invoice = Invoice.objects.get()
    before = (list(Transaction.objects.values_list("pk", "amount")),
              list(SpendingLimit.objects.values_list("amount", flat=True)),
              list(Invoice.objects.values_list("status", flat=True)),
              PaymentSettings.objects.get().contact_name, len(billing_events(funded)))
    client.force_login(analyst)
    page = client.post(url(funded), _fill(STEPS[step], account, last_month, invoice.pk))
    assert page.status_code == 403
    assert "Finance Analysts can view billing but not change it" in text(page)
    after = (list(Transaction.objects.values_list("pk", "amount")),
             list(SpendingLimit.objects.values_list("amount", flat=True)),
             list(Invoice.objects.values_list("status", flat=True)),
             PaymentSettings.objects.get().contact_name, len(billing_events(funded)))
    assert after == before


def test_a_finance_analyst_cannot_change_the_spending_limit_on_the_page(client, analyst,
                                                                        funded, account):
    client.force_login(analyst)
    page = client.post(url(funded), {"step": "limit", "limit-account": account.pk,
                                     "limit-amount": "5000"})
    assert page.status_code == 403
    assert "Ask an Admin of Brand Co to make you Finance Manager" in text(page)
    assert SpendingLimit.objects.get().amount == Decimal("100.00")


def test_a_member_without_a_finance_role_sees_nothing_of_billing(client, standard, funded):
    client.force_login(standard)
    home = client.get(f"/c/{funded.pk}/")
    assert home.status_code == 200 and "Billing" not in nav_labels(home)
    for page in (client.get(url(funded)), client.get(url(funded, "transactions.csv")),
                 client.post(url(funded), {"step": "topup", "topup-amount": "5"})):
        assert page.status_code == 403
        words = text(page)
        assert "You have no Billing access in Brand Co" in words
        assert "849.50" not in words and "Wire 17" not in words
    assert services.balance_of(funded) == Decimal("849.50")


def test_another_business_centers_admin_gets_not_found(client, outsider, funded):
    client.force_login(outsider)
    for page in (client.get(url(funded)), client.get(url(funded, "transactions.csv")),
                 client.post(url(funded), {"step": "topup", "topup-amount": "5"})):
        assert page.status_code == 404
        assert f"No Business Center with id {funded.pk} is visible to you" in text(page)
        assert "Brand Co" not in text(page)
    assert services.balance_of(funded) == Decimal("849.50")


def test_logged_out_visitors_are_sent_to_log_in(client, center):
    page = client.get(url(center))
    assert page.status_code == 302 and "/login/" in page["Location"]


# -- changing billing ------------------------------------------------------------------

def test_a_top_up_adds_to_the_balance_and_says_so(client, manager, center):
    client.force_login(manager)
    page = client.post(url(center), {"step": "topup", "topup-amount": "250.00",
                                      "topup-note": "March budget"}, follow=True)
    assert page.redirect_chain[-1] == (url(center), 302)
    assert "Added 250.00 USD to the balance; it is now 250.00 USD." in text(page)
    assert "Balance 250.00 USD" in text(page)
    tx = Transaction.objects.get()
    assert (tx.amount, tx.note, tx.created_by) == (Decimal("250.00"), "March budget", manager)
    [event] = billing_events(center)
    assert event.via == "web" and event.actor == manager


@pytest.mark.parametrize(("typed", "says"), [
    ("-5", "more than 0"), ("0", "more than 0"), ("1.999", "more than 2 decimals"),
    ("99999999", "more than the 10,000,000.00 USD"), ("ten", "is not an amount"),
    ("", "Enter an amount in USD"),
])
def test_a_bad_top_up_is_refused_beside_the_field_keeping_what_was_typed(client, owner,
                                                                         center, typed, says):
    client.force_login(owner)
    page = client.post(url(center), {"step": "topup", "topup-amount": typed,
                                      "topup-note": "kept"})
    assert page.status_code == 400
    assert says in field_error(page, "topup-amount")
    assert re.search(rf'name="topup-amount" value="{re.escape(typed)}"', raw(page)) or not typed
    assert 'name="topup-note" value="kept"' in raw(page)
    assert nothing_written(center)


def test_a_refund_asks_for_confirmation_first(client, owner, funded):
    client.force_login(owner)
    ask = client.post(url(funded), {"step": "refund", "refund-amount": "49.50",
                                     "refund-note": "unused"})
    words = text(ask)
    assert ask.status_code == 200
    assert "Refund 49.50 USD?" in words
    assert "paid back to Visa •••• 4242" in words
    assert "The balance goes from 849.50 USD to 800.00 USD" in words
    assert Transaction.objects.filter(kind="REFUND").count() == 0
    assert 'name="refund-amount" value="49.50"' in raw(ask)
    done = client.post(url(funded), {"step": "refund", "refund-amount": "49.50",
                                      "refund-note": "unused", "confirmed": "1"}, follow=True)
    assert "Refunded 49.50 USD; the balance is now 800.00 USD." in text(done)
    assert Transaction.objects.get(kind="REFUND").note == "unused"


def test_a_refund_above_the_balance_is_refused_before_confirming(client, owner, funded):
    client.force_login(owner)
    page = client.post(url(funded), {"step": "refund", "refund-amount": "900"})
    assert page.status_code == 400
    assert "The balance is 849.50 USD; a refund cannot take more than that" in text(page)
    assert 'name="refund-amount" value="900"' in raw(page)
    assert not Transaction.objects.filter(kind="REFUND").exists()


def test_payment_settings_are_saved_and_a_card_number_is_refused_and_not_echoed(
        client, owner, center):
    client.force_login(owner)
    card = "4242 4242 4242 4242"
    page = client.post(url(center), {
        "step": "payment", "payment-contact_name": "Billing Team",
        "payment-contact_email": "billing@brand.com", "payment-card_brand": "VISA",
        "payment-card_last4": card, "payment-card_exp_month": "12",
        "payment-card_exp_year": str(date.today().year + 2)})
    assert page.status_code == 400
    assert "That looks like a card number. bizcenter never stores card numbers" in text(page)
    assert card not in raw(page) and "4242424242424242" not in raw(page)
    assert 'name="payment-contact_name" value="Billing Team"' in raw(page)  # the rest kept
    assert nothing_written(center)
    saved = client.post(url(center), {
        "step": "payment", "payment-contact_name": "Billing Team",
        "payment-contact_email": "billing@brand.com", "payment-card_brand": "VISA",
        "payment-card_last4": "4242", "payment-card_exp_month": "12",
        "payment-card_exp_year": str(date.today().year + 2)}, follow=True)
    assert "Payment settings saved." in text(saved)
    assert PaymentSettings.objects.get().card_label.startswith("Visa •••• 4242, expires 12/")
    # The form shows the stored values to edit.
    assert 'name="payment-card_last4" value="4242"' in raw(saved)


def test_a_spending_limit_is_set_and_removed_on_the_page(client, manager, center, account):
    client.force_login(manager)
    page = client.post(url(center), {"step": "limit", "limit-account": account.pk,
                                      "limit-amount": "750"}, follow=True)
    assert "Main ads may now spend up to 750.00 USD a month." in text(page)
    assert "750.00 USD" in text(page)
    assert SpendingLimit.objects.get().amount == Decimal("750.00")
    bad = client.post(url(center), {"step": "limit", "limit-account": account.pk,
                                     "limit-amount": "7.505"})
    assert bad.status_code == 400 and "more than 2 decimals" in text(bad)
    assert 'name="limit-amount" value="7.505"' in raw(bad)
    gone = client.post(url(center), {"step": "limit", "limit-account": account.pk,
                                      "limit-amount": ""}, follow=True)
    assert "Main ads has no spending limit now." in text(gone)
    assert not SpendingLimit.objects.exists()
    assert [e.action for e in billing_events(center)] == ["billing.limit_set",
                                                          "billing.limit_removed"]


def test_a_limit_on_another_business_centers_ad_account_is_not_found(client, owner, center,
                                                                     other_center, outsider,
                                                                     account):
    from bizcenter.assets.services import create_asset

    theirs = create_asset(act(outsider), other_center, type="ADVERTISER", name="Rival ads")
    client.force_login(owner)
    page = client.post(url(center), {"step": "limit", "limit-account": theirs.pk,
                                      "limit-amount": "10"})
    assert page.status_code == 404
    assert f"No ad account with id {theirs.pk} in Brand Co" in text(page)
    assert not SpendingLimit.objects.exists()


def test_invoices_are_issued_marked_paid_and_voided_with_confirmation(client, owner, center,
                                                                      account, last_month,
                                                                      system):
    spend(center, account, "80", last_month)
    client.force_login(owner)
    month = f"{last_month:%Y-%m}"
    page = client.post(url(center), {"step": "invoice", "invoice-month": month}, follow=True)
    invoice = Invoice.objects.get()
    assert f"Issued invoice {invoice.number} for {last_month:%B %Y}: 80.00 USD." in text(page)
    again = client.post(url(center), {"step": "invoice", "invoice-month": month}, follow=True)
    assert "was already issued; nothing was billed twice" in text(again)
    assert Invoice.objects.count() == 1
    ask = client.post(url(center), {"step": "invoice_status", "invoice": invoice.pk,
                                     "status": "VOID"})
    assert ask.status_code == 200 and f"Void invoice {invoice.number}?" in text(ask)
    assert Invoice.objects.get().status == "ISSUED"
    client.post(url(center), {"step": "invoice_status", "invoice": invoice.pk,
                              "status": "VOID", "confirmed": "1"})
    assert Invoice.objects.get().status == "VOID"
    closed = client.post(url(center), {"step": "invoice_status", "invoice": invoice.pk,
                                        "status": "PAID"})
    assert closed.status_code == 409 and "only an issued invoice" in text(closed)
    client.post(url(center), {"step": "invoice", "invoice-month": month})
    fresh = Invoice.objects.exclude(status="VOID").get()
    done = client.post(url(center), {"step": "invoice_status", "invoice": fresh.pk,
                                      "status": "PAID"}, follow=True)
    assert f"Invoice {fresh.number} is now paid." in text(done)


def test_an_invoice_for_this_month_is_refused_beside_the_field(client, owner, center):
    client.force_login(owner)
    today = services.today_in(center)
    page = client.post(url(center), {"step": "invoice", "invoice-month": f"{today:%Y-%m}"})
    assert page.status_code == 400
    assert f"{today:%B %Y} is not over yet" in text(page)
    bad = client.post(url(center), {"step": "invoice", "invoice-month": "soon"})
    assert bad.status_code == 400 and "Pick a month, e.g. 2026-03." in text(bad)


def test_an_unknown_step_is_a_bad_request(client, owner, center):
    client.force_login(owner)
    page = client.post(url(center), {"step": "gift", "amount": "5"})
    assert page.status_code == 400 and "not one of this page's" in text(page)


# -- the transactions table and export ---------------------------------------------------

def test_the_table_filters_and_pages(client, owner, center, account, last_month, system):
    for i in range(30):
        spend(center, account, str(i + 1), last_month)
    services.top_up(act(owner), center, "5000", "Big wire")
    client.force_login(owner)
    first = client.get(url(center))
    assert "Page 1 of 2 · 31 in all" in text(first)
    topups = client.get(url(center), {"kind": "TOPUP"})
    assert "Big wire" in text(topups) and "-30.00 USD" not in text(topups)
    second = client.get(url(center), {"kind": "SPEND", "page": "2"})
    assert "Page 2 of 2" in text(second) and "-5.00 USD" in text(second)
    assert 'href="?kind=SPEND&amp;page=1"' in raw(second)
    assert f'href="/c/{center.pk}/billing/transactions.csv?kind=SPEND"' in raw(second)
    window = client.get(url(center), {"since": f"{last_month + timedelta(days=1)}"})
    assert "Big wire" in text(window) and "-30.00 USD" not in text(window)
    swapped = client.get(url(center), {"since": "2026-03-02", "until": "2026-03-01"})
    assert swapped.status_code == 400 and "swap them" in text(swapped)
    nonsense = client.get(url(center), {"since": "yesterday"})
    assert nonsense.status_code == 400 and "Enter a valid date" in text(nonsense)


def test_the_csv_export_follows_the_filters_and_defuses_formulas(client, analyst, owner,
                                                                 center, account):
    services.top_up(act(owner), center, "100", "=cmd|' /C calc'!A0")
    services.top_up(act(owner), center, "1", "plain")
    client.force_login(analyst)  # viewing billing is enough to export it
    page = client.get(url(center, "transactions.csv"))
    assert page.status_code == 200
    assert page["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(rf'attachment; filename="transactions-{center.pk}-\d{{8}}-\d{{4}}\.csv"',
                    page["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(b"".join(page.streaming_content).decode())))
    assert [r["note"] for r in rows] == ["'=cmd|' /C calc'!A0", "plain"]
    assert [r["amount"] for r in rows] == ["100.00", "1.00"]
    bad = client.get(url(center, "transactions.csv"), {"kind": "GIFT"})
    assert bad.status_code == 400 and "not a valid kind" in text(bad)


def test_an_account_past_its_limit_is_flagged(client, owner, center, account, system):
    services.set_spending_limit(act(owner), center, account.pk, "100")
    spend(center, account, "120", services.today_in(center))
    client.force_login(owner)
    row = re.search(r'<tr class="problem"><td>Main ads</td>.*?</tr>', raw(client.get(url(center))),
                    re.S)
    assert row, "the over-limit account is not flagged"
    cells = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", row.group(0))).split())
    assert cells == "Main ads Active 100.00 USD 120.00 USD 0.00 USD limit reached"
