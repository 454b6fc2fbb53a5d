"""Billing through the REST API: Finance Analysts read, Admins and Finance Managers
write, anyone else is refused with the engine's reason; amounts are strings with two
decimals; a retried top-up is recorded once; another Business Center's ids are 404."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.billing import services
from bizcenter.billing.models import Invoice, PaymentSettings, SpendingLimit, Transaction
from bizcenter.centers.services import create_center
from tests.conftest import act, spend
from tests.support.api import Api, error_of
from tests.support.billing import person

pytestmark = pytest.mark.usefixtures("quick_hashing")
CARD = {"card_brand": "VISA", "card_last4": "4242", "card_exp_month": 12,
        "card_exp_year": date.today().year + 3}


@pytest.fixture
def account(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


@pytest.fixture
def admin_api(center, as_owner) -> Api:
    return Api(create_token(as_owner, center, "script").secret)


def api_of(owner, center, make_user, who: str) -> Api:
    return Api(create_token(act(person(owner, center, make_user, who)), center, "mine").secret)


@pytest.fixture
def manager_api(owner, center, make_user) -> Api:
    return api_of(owner, center, make_user, "manager")


@pytest.fixture
def analyst_api(owner, center, make_user) -> Api:
    return api_of(owner, center, make_user, "analyst")


@pytest.fixture
def standard_api(owner, center, make_user) -> Api:
    return api_of(owner, center, make_user, "standard")


@pytest.fixture
def last_month(center) -> date:
    return (services.today_in(center).replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def rival(make_user, last_month):
    """Another Business Center with its own owner, ad account, money and invoice."""
    boss = make_user("boss@rival.com", name="Rita Rival")
    other = create_center(act(boss), name="Rival Inc")
    their_ads = create_asset(act(boss), other, type="ADVERTISER", name="Rival ads")
    services.top_up(act(boss), other, "500")
    services.set_spending_limit(act(boss), other, their_ads.pk, "100")
    spend(other, their_ads, "40", last_month)
    invoice, _ = services.issue_invoice(act(boss), other, last_month.year, last_month.month)
    return other, their_ads, invoice


def url(center, rest: str = "") -> str:
    return f"/centers/{center.pk}/billing{rest}"


def nothing_written(center) -> bool:
    return not (Transaction.objects.filter(center=center).exists()
                or Invoice.objects.filter(center=center).exists()
                or PaymentSettings.objects.filter(center=center).exists()
                or SpendingLimit.objects.filter(advertiser__center=center).exists()
                or AuditEvent.objects.filter(center=center,
                                             action__startswith="billing.").exists())


# -- reading -------------------------------------------------------------------------------


def test_a_finance_analyst_reads_the_overview_with_money_as_text(center, as_owner, account,
                                                                analyst_api):
    services.top_up(as_owner, center, "1000", "Wire 17")
    services.set_spending_limit(as_owner, center, account.pk, "500")
    response = analyst_api.get(url(center))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["currency"], body["balance"]) == ("USD", "1000.00")
    assert body["payment_settings"] is None and body["invoices"] == []
    assert body["limits"] == [{"advertiser_id": str(account.pk), "advertiser_name": "Main ads",
                               "monthly_limit": "500.00", "spent": "0.00",
                               "remaining": "500.00", "warned": False, "reached": False,
                               "paused_campaigns": 0}]
    [tx] = body["recent"]
    assert (tx["kind"], tx["amount"], tx["balance_after"], tx["note"]) == (
        "TOPUP", "1000.00", "1000.00", "Wire 17")
    assert tx["id"] == str(Transaction.objects.get().pk) and tx["recorded_at"].endswith("Z")


def test_members_without_a_finance_role_are_refused_with_the_reason(center, standard_api):
    for response in (standard_api.get(url(center)), standard_api.get(url(center, "/transactions")),
                     standard_api.get(url(center, "/invoices")),
                     standard_api.get(url(center, "/transactions/export")),
                     standard_api.send("post", url(center, "/top-ups"), {"amount": "10"})):
        assert response.status_code == 403
        error = error_of(response)
        assert error["code"] == "finance_role_missing"
        assert "no Billing access in Brand Co" in error["message"]
        assert "Finance Manager" in error["message"]  # the fix
    assert nothing_written(center)


def test_transactions_are_filtered_and_paged(center, as_owner, account, analyst_api):
    services.top_up(as_owner, center, "1000")
    services.top_up(as_owner, center, "50")
    services.refund(as_owner, center, "20")
    today = services.today_in(center)
    spend(center, account, "12.34", today)

    def listed(**filters) -> dict:
        response = analyst_api.get(url(center, "/transactions"), **filters)
        assert response.status_code == 200, response.content
        return response.json()

    page = listed(page_size=2)
    assert page["page_info"] == {"page": 1, "page_size": 2, "total": 4, "pages": 2}
    assert [t["kind"] for t in page["items"]] == ["SPEND", "REFUND"]  # newest first
    assert [t["amount"] for t in listed(kind="TOPUP")["items"]] == ["50.00", "1000.00"]
    [spent] = listed(advertiser=str(account.pk))["items"]
    assert (spent["amount"], spent["advertiser_id"], spent["balance_after"]) == (
        "-12.34", str(account.pk), "1017.66")
    assert listed(since=str(today), until=str(today))["page_info"]["total"] == 4
    assert listed(until=str(today - timedelta(days=1)))["items"] == []


def test_bad_filters_are_400_with_the_field(center, analyst_api):
    cases = [
        (dict(since="2026-03-10", until="2026-03-01"), "since", "swap them"),
        (dict(since="yesterday"), "since", "not valid"),
        (dict(kind="GIFT"), "kind", "GIFT"),
        (dict(page_size=0), "page_size", "between 1 and 200"),
    ]
    for filters, field, words in cases:
        response = analyst_api.get(url(center, "/transactions"), **filters)
        assert response.status_code == 400, filters
        assert field in error_of(response)["fields"] and words in error_of(response)["message"]
    export = analyst_api.get(url(center, "/transactions/export"), since="2026-03-10",
                             until="2026-03-01")
    assert export.status_code == 400 and error_of(export)["fields"] == {"since": "after until"}
    assert analyst_api.get(url(center, "/transactions"), advertiser="999999").status_code == 404


def test_the_ledger_exports_as_csv_with_formulas_defused(center, as_owner, analyst_api):
    services.top_up(as_owner, center, "100", "=HYPERLINK(\"http://evil\")")
    services.top_up(as_owner, center, "5")
    response = analyst_api.get(url(center, "/transactions/export"), kind="TOPUP")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"transactions-{center.pk}-" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["kind"], r["amount"], r["balance_after"]) for r in rows] == [
        ("TOPUP", "100.00", "100.00"), ("TOPUP", "5.00", "105.00")]  # oldest first
    assert rows[0]["note"].startswith("'=")


@pytest.mark.parametrize(("method", "path"), [
    ("get", ""), ("get", "/transactions"), ("get", "/transactions/export"),
    ("get", "/invoices"), ("post", "/top-ups"), ("post", "/refunds"),
    ("put", "/payment-settings"), ("put", "/spending-limits/1"), ("post", "/invoices"),
    ("patch", "/invoices/1")])
def test_every_endpoint_wants_a_token(center, method, path):
    response = getattr(Client(), method)(f"/api/v1{url(center, path)}", {"amount": "10"},
                                         content_type="application/json")
    assert response.status_code == 401 and error_of(response)["code"] == "token_missing"
    assert nothing_written(center)


# -- the balance ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_api", "manager_api"])
def test_admins_and_finance_managers_top_up_and_refund(request, center, who):
    api = request.getfixturevalue(who)
    top = api.send("post", url(center, "/top-ups"), {"amount": "1000.00", "note": "Wire 17"})
    assert top.status_code == 201, top.content
    assert (top.json()["kind"], top.json()["amount"], top.json()["balance_after"]) == (
        "TOPUP", "1000.00", "1000.00")
    back = api.send("post", url(center, "/refunds"), {"amount": 100.5, "note": "Unused"})
    assert back.status_code == 201
    assert (back.json()["amount"], back.json()["balance_after"]) == ("-100.50", "899.50")
    assert services.balance_of(center) == Decimal("899.50")
    assert api.get(url(center)).json()["balance"] == "899.50"


def test_bad_amounts_are_400_with_the_field_and_write_nothing(center, admin_api):
    cases = [
        ({"amount": "-50"}, "amount", "more than 0"),
        ({"amount": -50}, "amount", "more than 0"),
        ({"amount": "0"}, "amount", "more than 0"),
        ({"amount": "10.005"}, "amount", "more than 2 decimals"),
        ({"amount": 10.005}, "amount", "more than 2 decimals"),
        ({"amount": "1,000"}, "amount", "no thousands separators"),
        ({"amount": "ten"}, "amount", "not an amount"),
        ({"amount": "99999999"}, "amount", "allowed at once"),
        ({"amount": True}, "amount", "not valid"),
        ({}, "amount", "not valid"),
        ({"amount": "10", "note": "card 4242 4242 4242 4242"}, "note", "card number"),
    ]
    for body, field, words in cases:
        for path in ("/top-ups", "/refunds"):
            response = admin_api.send("post", url(center, path), body)
            assert response.status_code == 400, (path, body, response.content)
            error = error_of(response)
            assert field in error["fields"] and words in error["message"], (body, error)
    assert nothing_written(center)


def test_a_refund_never_takes_more_than_the_balance(center, admin_api):
    admin_api.send("post", url(center, "/top-ups"), {"amount": "30"})
    response = admin_api.send("post", url(center, "/refunds"), {"amount": "30.01"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "insufficient_balance"
    assert error["fields"] == {"amount": "at most 30.00"}
    assert "The balance is 30.00 USD" in error["message"]
    assert Transaction.objects.count() == 1


def test_an_idempotency_key_records_a_retried_top_up_once(center, admin_api):
    body = {"amount": "250.00", "note": "Wire 18"}
    first = admin_api.send("post", url(center, "/top-ups"), body, **{"Idempotency-Key": "w-18"})
    again = admin_api.send("post", url(center, "/top-ups"), body, **{"Idempotency-Key": "w-18"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Transaction.objects.count() == 1 and services.balance_of(center) == Decimal("250.00")
    other = admin_api.send("post", url(center, "/top-ups"), {"amount": "99"},
                           **{"Idempotency-Key": "w-18"})
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"
    refund = admin_api.send("post", url(center, "/refunds"), {"amount": "50"},
                            **{"Idempotency-Key": "r-1"})
    retried = admin_api.send("post", url(center, "/refunds"), {"amount": "50"},
                             **{"Idempotency-Key": "r-1"})
    assert refund.json() == retried.json() and Transaction.objects.count() == 2
    # A refused request replays its refusal, and still writes nothing.
    too_much = {"amount": "5000"}
    no = admin_api.send("post", url(center, "/refunds"), too_much, **{"Idempotency-Key": "r-2"})
    no_again = admin_api.send("post", url(center, "/refunds"), too_much,
                              **{"Idempotency-Key": "r-2"})
    assert no.status_code == no_again.status_code == 409
    assert error_of(no) == error_of(no_again) and Transaction.objects.count() == 2


# -- settings and limits -------------------------------------------------------------------


def test_payment_settings_keep_only_the_card_reference(center, manager_api, analyst_api):
    done = manager_api.send("put", url(center, "/payment-settings"), {
        "contact_name": "Billing Team", "contact_email": "Billing@Brand.com", **CARD})
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["contact_email"] == "billing@brand.com" and body["card_last4"] == "4242"
    assert body["card"].startswith("Visa •••• 4242, expires 12/")
    assert analyst_api.get(url(center)).json()["payment_settings"]["card_last4"] == "4242"
    cleared = manager_api.send("put", url(center, "/payment-settings"),
                               {"contact_name": "Billing Team"})
    assert cleared.status_code == 200 and cleared.json()["card"] == ""


def test_bad_payment_settings_are_400_and_card_numbers_refused(center, admin_api):
    cases = [
        ({**CARD, "card_last4": "4242 4242 4242 4242"}, "card_last4", "card number"),
        ({"card_brand": "VISA", "card_last4": "4242"}, "card_exp_month", "all four empty"),
        ({**CARD, "card_exp_month": 13}, "card_exp_month", "1 to 12"),
        ({**CARD, "card_brand": "DINERS"}, "card_brand", "DINERS"),
        ({"contact_email": "not an address"}, "contact_email", ""),
        ({"contact_name": "x" * 151}, "contact_name", "too long"),
    ]
    for body, field, words in cases:
        response = admin_api.send("put", url(center, "/payment-settings"), body)
        assert response.status_code == 400, (body, response.content)
        error = error_of(response)
        assert field in error["fields"] and words in error["message"], (body, error)
    assert nothing_written(center)


def test_spending_limits_are_set_and_removed(center, account, manager_api):
    path = url(center, f"/spending-limits/{account.pk}")
    done = manager_api.send("put", path, {"monthly_limit": "5000"})
    assert done.status_code == 200
    assert done.json() == {"advertiser_id": str(account.pk), "monthly_limit": "5000.00",
                           "currency": "USD"}
    assert SpendingLimit.objects.get().amount == Decimal("5000.00")
    bad = manager_api.send("put", path, {"monthly_limit": "12.345"})
    assert bad.status_code == 400 and error_of(bad)["fields"] == {
        "amount": "at most 2 decimals"}
    missing = manager_api.send("put", path, {})
    assert missing.status_code == 400 and "monthly_limit" in error_of(missing)["fields"]
    removed = manager_api.send("put", path, {"monthly_limit": None})
    assert removed.status_code == 200 and removed.json()["monthly_limit"] is None
    assert not SpendingLimit.objects.exists()
    assert manager_api.send("put", url(center, "/spending-limits/999999"),
                            {"monthly_limit": "1"}).status_code == 404


def test_a_finance_analyst_cannot_change_anything_and_is_told_why(center, account,
                                                                  analyst_api):
    writes = [
        analyst_api.send("put", url(center, f"/spending-limits/{account.pk}"),
                         {"monthly_limit": "500"}),
        analyst_api.send("post", url(center, "/top-ups"), {"amount": "10"}),
        analyst_api.send("post", url(center, "/refunds"), {"amount": "10"}),
        analyst_api.send("put", url(center, "/payment-settings"), {"contact_name": "Ana"}),
        analyst_api.send("post", url(center, "/invoices"), {"year": 2020, "month": 1}),
        # even with bad input, the refusal of the person comes first
        analyst_api.send("post", url(center, "/top-ups"), {"amount": "-1"}),
    ]
    for response in writes:
        assert response.status_code == 403, response.content
        error = error_of(response)
        assert error["code"] == "finance_role_too_low"
        assert "Finance Analysts can view billing but not change it." in error["message"]
        assert "Ask an Admin of Brand Co to make you Finance Manager." in error["message"]
    assert nothing_written(center)


def test_read_only_tokens_read_billing_but_never_write(center, as_owner, account):
    reader = Api(create_token(as_owner, center, "reader", read_only=True).secret)
    assert reader.get(url(center)).status_code == 200
    writes = [
        reader.send("post", url(center, "/top-ups"), {"amount": "10"}),
        reader.send("post", url(center, "/refunds"), {"amount": "10"}),
        reader.send("put", url(center, "/payment-settings"), {"contact_name": "Olivia"}),
        reader.send("put", url(center, f"/spending-limits/{account.pk}"),
                    {"monthly_limit": "500"}),
        reader.send("post", url(center, "/invoices"), {"year": 2020, "month": 1}),
        reader.send("patch", url(center, "/invoices/1"), {"status": "PAID"}),
    ]
    for response in writes:
        assert response.status_code == 403 and error_of(response)["code"] == "read_only_token"
    assert nothing_written(center)


# -- invoices ------------------------------------------------------------------------------


def test_a_month_is_invoiced_once_then_paid(center, account, admin_api, analyst_api,
                                            last_month):
    spend(center, account, "42.10", last_month)
    body = {"year": last_month.year, "month": last_month.month}
    issued = admin_api.send("post", url(center, "/invoices"), body)
    assert issued.status_code == 201, issued.content
    invoice = issued.json()
    assert (invoice["amount"], invoice["status"], invoice["period_start"]) == (
        "42.10", "ISSUED", str(last_month))
    same = admin_api.send("post", url(center, "/invoices"), body)
    assert same.status_code == 200 and same.json()["id"] == invoice["id"]
    assert Invoice.objects.count() == 1
    listed = analyst_api.get(url(center, "/invoices")).json()
    assert [i["id"] for i in listed["items"]] == [invoice["id"]]
    assert listed["page_info"]["total"] == 1
    paid = admin_api.send("patch", url(center, f"/invoices/{invoice['id']}"),
                          {"status": "PAID"})
    assert paid.status_code == 200 and paid.json()["status"] == "PAID"
    closed = admin_api.send("patch", url(center, f"/invoices/{invoice['id']}"),
                            {"status": "VOID"})
    assert closed.status_code == 409 and error_of(closed)["code"] == "invoice_closed"
    bad = admin_api.send("patch", url(center, f"/invoices/{invoice['id']}"), {"status": "LOST"})
    assert bad.status_code == 400 and "status" in error_of(bad)["fields"]
    assert Invoice.objects.get().status == "PAID"


def test_bad_invoice_months_are_400_and_an_empty_month_409(center, admin_api, last_month):
    today = services.today_in(center)
    cases = [
        ({"year": today.year, "month": today.month}, "month", "not over yet"),
        ({"year": 2026, "month": 13}, "month", "Pick a month"),
        ({"year": 2026}, "month", "not valid"),
    ]
    for body, field, words in cases:
        response = admin_api.send("post", url(center, "/invoices"), body)
        assert response.status_code == 400, (body, response.content)
        assert field in error_of(response)["fields"] and words in error_of(response)["message"]
    empty = admin_api.send("post", url(center, "/invoices"),
                           {"year": last_month.year, "month": last_month.month})
    assert empty.status_code == 409 and error_of(empty)["code"] == "nothing_to_invoice"
    assert nothing_written(center)


# -- another Business Center -------------------------------------------------------------


def test_another_centers_ids_are_404_and_change_nothing(center, admin_api, rival):
    other, their_ads, invoice = rival
    before = list(Transaction.objects.filter(center=other).values_list("pk", "balance_after"))
    answers = [
        admin_api.send("put", url(center, f"/spending-limits/{their_ads.pk}"),
                       {"monthly_limit": "1"}),
        admin_api.send("put", url(center, f"/spending-limits/{their_ads.pk}"),
                       {"monthly_limit": None}),
        admin_api.send("patch", url(center, f"/invoices/{invoice.pk}"), {"status": "VOID"}),
        admin_api.get(url(center, "/transactions"), advertiser=str(their_ads.pk)),
        # and the other Business Center's own paths
        admin_api.get(url(other)),
        admin_api.get(url(other, "/transactions")),
        admin_api.send("post", url(other, "/refunds"), {"amount": "500"}),
        admin_api.send("put", url(other, f"/spending-limits/{their_ads.pk}"),
                       {"monthly_limit": None}),
    ]
    for response in answers:
        assert response.status_code == 404, response.content
        assert error_of(response)["code"] == "not_found"
    invoice.refresh_from_db()
    assert invoice.status == "ISSUED"
    assert SpendingLimit.objects.get(advertiser=their_ads).amount == Decimal("100.00")
    assert list(Transaction.objects.filter(center=other).values_list(
        "pk", "balance_after")) == before
    # Nothing of theirs shows in this Business Center's billing.
    mine = admin_api.get(url(center)).json()
    assert mine["balance"] == "0.00" and mine["invoices"] == [] and mine["limits"] == []
    assert nothing_written(center)


def test_the_openapi_document_describes_billing_with_examples(db):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    base = "/api/v1/centers/{center_id}/billing"
    for rest in ("", "/transactions", "/transactions/export", "/invoices", "/top-ups",
                 "/refunds", "/payment-settings", "/spending-limits/{advertiser_id}",
                 "/invoices/{invoice_id}"):
        for operation in paths[base + rest].values():
            assert operation["description"], rest
    export = paths[base + "/transactions/export"]["get"]["responses"]["200"]
    assert "text/csv" in export["content"]
    for name in ("AmountIn", "PaymentSettingsIn", "LimitIn", "InvoiceIn", "InvoiceStatusIn"):
        assert schema["components"]["schemas"][name]["examples"], name
