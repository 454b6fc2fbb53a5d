"""Billing: the balance and its ledger, top-ups and refunds, payment settings, the
monthly spending limits of ad accounts, and invoices.

Admins and Finance Managers change billing; Finance Analysts read it; anyone else
is refused (403) with the access engine's reason. Amounts are strings with two
decimals in the Business Center's currency; days are ISO dates (YYYY-MM-DD) in
its time zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Status

from bizcenter.api.auth import actor, center
from bizcenter.api.idempotency import once
from bizcenter.api.schemas import (
    ERRORS,
    Money,
    PageInfo,
    Schema,
    money,
    page_info,
    utc,
)
from bizcenter.billing import services, spend
from bizcenter.billing.models import Invoice, PaymentSettings, Transaction
from bizcenter.billing.services import AccountLimit
from bizcenter.billing.spend import MonthLine
from bizcenter.centers.models import BusinessCenter

router = Router(tags=["Billing"])


class TransactionOut(Schema):
    id: str
    kind: str  # TOPUP, SPEND, REFUND or ADJUSTMENT
    amount: str  # signed: top-ups positive, spend and refunds negative
    currency: str
    balance_after: str
    occurred_on: date
    advertiser_id: str | None  # the ad account of a SPEND
    advertiser_name: str
    note: str
    recorded_at: datetime
    recorded_by: str

    @staticmethod
    def of(tx: Transaction) -> TransactionOut:
        return TransactionOut(
            id=str(tx.pk), kind=tx.kind, amount=money(tx.amount),
            currency=tx.currency, balance_after=money(tx.balance_after),
            occurred_on=tx.occurred_on,
            advertiser_id=str(tx.advertiser_id) if tx.advertiser_id else None,
            advertiser_name=tx.advertiser_name, note=tx.note,
            recorded_at=utc(tx.created_at),
            recorded_by=tx.created_by_label)


class TransactionPage(Schema):
    items: list[TransactionOut]
    page_info: PageInfo


class InvoiceOut(Schema):
    id: str
    number: str
    period_start: date
    period_end: date  # the last day of the month, included
    amount: str
    currency: str
    status: str  # ISSUED, PAID or VOID
    issued_at: datetime
    issued_by: str

    @staticmethod
    def of(i: Invoice) -> InvoiceOut:
        return InvoiceOut(id=str(i.pk), number=i.number, period_start=i.period_start,
                          period_end=i.period_end, amount=money(i.amount),
                          currency=i.currency, status=i.status,
                          issued_at=utc(i.issued_at),
                          issued_by=i.issued_by_label)


class InvoicePage(Schema):
    items: list[InvoiceOut]
    page_info: PageInfo


class PaymentSettingsOut(Schema):
    contact_name: str
    contact_email: str
    card_brand: str  # empty when no card is on file
    card_last4: str
    card_exp_month: int | None
    card_exp_year: int | None
    card: str  # as people read it: "Visa •••• 4242, expires 12/2028"
    updated_at: datetime

    @staticmethod
    def of(s: PaymentSettings) -> PaymentSettingsOut:
        return PaymentSettingsOut(
            contact_name=s.contact_name, contact_email=s.contact_email,
            card_brand=s.card_brand, card_last4=s.card_last4, card_exp_month=s.card_exp_month,
            card_exp_year=s.card_exp_year, card=s.card_label,
            updated_at=utc(s.updated_at))


class LimitOut(Schema):
    advertiser_id: str
    advertiser_name: str
    monthly_limit: str | None  # None: no limit
    spent: str  # this calendar month
    remaining: str | None
    warned: bool  # 80% of the limit spent: Admins and Finance Managers were emailed
    reached: bool  # the limit spent: the account's campaigns are paused
    paused_campaigns: int  # campaigns the limit paused this month

    @staticmethod
    def of(line: AccountLimit) -> LimitOut:
        return LimitOut(advertiser_id=str(line.account.pk), advertiser_name=line.account.name,
                        monthly_limit=money(line.limit), spent=money(line.spent),
                        remaining=money(line.remaining), warned=line.warned,
                        reached=line.reached, paused_campaigns=line.paused)


class OverviewOut(Schema):
    currency: str
    balance: str
    month: date  # the first day of the month the limits count
    payment_settings: PaymentSettingsOut | None
    limits: list[LimitOut]
    recent: list[TransactionOut]  # the last 10 ledger rows
    invoices: list[InvoiceOut]  # the last 12


class TransactionFilters(Schema):
    kind: str | None = None
    advertiser: str | None = None
    since: date | None = None
    until: date | None = None
    page: int = 1
    page_size: int = 50


class ExportFilters(Schema):
    kind: str | None = None
    advertiser: str | None = None
    since: date | None = None
    until: date | None = None


class AmountIn(Schema):
    amount: Money
    note: str = ""

    model_config = {"json_schema_extra": {"examples": [
        {"amount": "1000.00", "note": "Wire transfer 2026-03-02"}]}}


class PaymentSettingsIn(Schema):
    """The whole settings: fields left out are cleared. The card is all four parts or
    none; card numbers are refused, only the last 4 digits are kept."""

    contact_name: str = ""
    contact_email: str = ""
    card_brand: str = ""  # VISA, MASTERCARD, AMEX, DISCOVER, JCB, UNIONPAY, OTHER
    card_last4: str = ""
    card_exp_month: int | None = None
    card_exp_year: int | None = None

    model_config = {"json_schema_extra": {"examples": [{
        "contact_name": "Billing Team", "contact_email": "billing@brand.com",
        "card_brand": "VISA", "card_last4": "4242", "card_exp_month": 12,
        "card_exp_year": 2029}]}}


class LimitIn(Schema):
    monthly_limit: Money | None  # None removes the limit

    model_config = {"json_schema_extra": {"examples": [
        {"monthly_limit": "5000.00"}, {"monthly_limit": None}]}}


class SpendingLimitOut(Schema):
    advertiser_id: str
    monthly_limit: str | None
    currency: str


class InvoiceIn(Schema):
    year: int
    month: int  # 1 to 12; a month that has ended

    model_config = {"json_schema_extra": {"examples": [{"year": 2026, "month": 3}]}}


class InvoiceStatusIn(Schema):
    status: str  # PAID or VOID

    model_config = {"json_schema_extra": {"examples": [{"status": "PAID"}]}}


class Pages(Schema):
    page: int = 1
    page_size: int = 50


# -- reading -------------------------------------------------------------------------------


@router.get("/{center_id}/billing", response={200: OverviewOut, **ERRORS})
def overview(request: HttpRequest, center_id: int) -> OverviewOut:
    """The balance, this month's spend against each ad account's limit, the latest
    transactions and invoices, and the payment settings. Admins, Finance Managers and
    Finance Analysts."""
    o = services.billing_overview(actor(request), center(request, center_id))
    return OverviewOut(
        currency=o.currency, balance=money(o.balance), month=o.month,
        payment_settings=PaymentSettingsOut.of(o.settings) if o.settings else None,
        limits=[LimitOut.of(line) for line in o.limits],
        recent=[TransactionOut.of(tx) for tx in o.recent],
        invoices=[InvoiceOut.of(i) for i in o.invoices])


@router.get("/{center_id}/billing/transactions", response={200: TransactionPage, **ERRORS})
def list_transactions(request: HttpRequest, center_id: int,
                      filters: Query[TransactionFilters]) -> TransactionPage:
    """The ledger, by the day the money moved, newest first. Filter by kind (TOPUP, SPEND,
    REFUND, ADJUSTMENT), ad account (advertiser id) and days (since and until, both
    included)."""
    found = services.list_transactions(
        actor(request), center(request, center_id), kind=filters.kind or None,
        advertiser_id=filters.advertiser or None, since=filters.since, until=filters.until,
        page=filters.page, page_size=filters.page_size)
    return TransactionPage(items=[TransactionOut.of(tx) for tx in found.items],
                           page_info=page_info(found))


CSV_OK = {200: {"description": "The transactions as CSV, oldest first.",
                "content": {"text/csv": {"schema": {"type": "string"}, "example":
                            "id,occurred_on,recorded_at,kind,ad_account,amount,currency,"
                            "balance_after,note,recorded_by\n"}}}}


@router.get("/{center_id}/billing/transactions/export", response=ERRORS,
            openapi_extra={"responses": CSV_OK})
def export_transactions(request: HttpRequest, center_id: int,
                        filters: Query[ExportFilters]) -> StreamingHttpResponse:
    """The filtered ledger as a CSV file, oldest first (same filters as the list). Text
    cells that a spreadsheet would run as a formula are defused."""
    target = center(request, center_id)
    chunks = services.export_transactions(
        actor(request), target, kind=filters.kind or None,
        advertiser_id=filters.advertiser or None, since=filters.since, until=filters.until)
    first = next(chunks)  # refusals surface here, before any byte is sent

    def body() -> Iterator[str]:
        yield first
        yield from chunks

    response = StreamingHttpResponse(body(), content_type="text/csv; charset=utf-8")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="transactions-{target.pk}-{stamp}.csv"')
    return response


@router.get("/{center_id}/billing/invoices", response={200: InvoicePage, **ERRORS})
def list_invoices(request: HttpRequest, center_id: int, pages: Query[Pages]) -> InvoicePage:
    """Invoices, newest month first."""
    found = services.list_invoices(actor(request), center(request, center_id),
                                   page=pages.page, page_size=pages.page_size)
    return InvoicePage(items=[InvoiceOut.of(i) for i in found.items],
                       page_info=page_info(found))


# -- changing ------------------------------------------------------------------------------


@router.post("/{center_id}/billing/top-ups", response={201: TransactionOut, **ERRORS})
def top_up(request: HttpRequest, center_id: int, payload: AmountIn) -> Status[Any]:
    """Record money put on the balance: a positive amount with at most 2 decimals. Admins
    and Finance Managers. Send an Idempotency-Key so a retry records it once."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        tx = services.top_up(actor(request), target, payload.amount, payload.note)
        return 201, TransactionOut.of(tx).model_dump(mode="json")

    return Status(*once(request, run))


@router.post("/{center_id}/billing/refunds", response={201: TransactionOut, **ERRORS})
def refund(request: HttpRequest, center_id: int, payload: AmountIn) -> Status[Any]:
    """Pay money back from the balance: never more than the balance holds (409 otherwise).
    Admins and Finance Managers. Send an Idempotency-Key so a retry refunds once."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        tx = services.refund(actor(request), target, payload.amount, payload.note)
        return 201, TransactionOut.of(tx).model_dump(mode="json")

    return Status(*once(request, run))


@router.put("/{center_id}/billing/payment-settings", response={200: PaymentSettingsOut, **ERRORS})
def set_payment_settings(request: HttpRequest, center_id: int,
                         payload: PaymentSettingsIn) -> PaymentSettingsOut:
    """Replace the billing contact and the card reference (brand, last 4 digits, expiry).
    Admins and Finance Managers."""
    done = services.set_payment_settings(
        actor(request), center(request, center_id), contact_name=payload.contact_name,
        contact_email=payload.contact_email, card_brand=payload.card_brand,
        card_last4=payload.card_last4, card_exp_month=payload.card_exp_month,
        card_exp_year=payload.card_exp_year)
    return PaymentSettingsOut.of(done)


@router.put("/{center_id}/billing/spending-limits/{advertiser_id}",
            response={200: SpendingLimitOut, **ERRORS})
def set_spending_limit(request: HttpRequest, center_id: int, advertiser_id: int,
                       payload: LimitIn) -> SpendingLimitOut:
    """The most an ad account of this Business Center may spend in a calendar month;
    null removes it. Admins and Finance Managers."""
    target = center(request, center_id)
    done = services.set_spending_limit(actor(request), target, advertiser_id,
                                       payload.monthly_limit)
    return SpendingLimitOut(advertiser_id=str(advertiser_id),
                            monthly_limit=money(done.amount) if done else None,
                            currency=target.currency)


@router.post("/{center_id}/billing/invoices",
             response={201: InvoiceOut, 200: InvoiceOut, **ERRORS})
def issue_invoice(request: HttpRequest, center_id: int, payload: InvoiceIn) -> Status[Any]:
    """Invoice one whole calendar month that has ended, from its spend (201). Asking again
    for the same month answers the invoice already issued (200): a month is billed once.
    Admins and Finance Managers."""
    target = center(request, center_id)

    def run() -> tuple[int, Any]:
        invoice, new = services.issue_invoice(actor(request), target, payload.year,
                                              payload.month)
        return 201 if new else 200, InvoiceOut.of(invoice).model_dump(mode="json")

    return Status(*once(request, run))


@router.patch("/{center_id}/billing/invoices/{invoice_id}", response={200: InvoiceOut, **ERRORS})
def set_invoice_status(request: HttpRequest, center_id: int, invoice_id: int,
                       payload: InvoiceStatusIn) -> InvoiceOut:
    """Mark an issued invoice PAID, or VOID it (its month can then be invoiced again).
    A paid or void invoice changes no more (409). Admins and Finance Managers."""
    return InvoiceOut.of(services.set_invoice_status(actor(request), center(request, center_id),
                                                     invoice_id, payload.status))


class ReconcileLine(Schema):
    advertiser_id: str
    advertiser_name: str
    month: str  # YYYY-MM
    reported: str  # the month's spend in reports (daily metrics)
    billed: str  # the month's spend in billing (the ledger)
    difference: str  # billed - reported; "0.00" when they agree
    agrees: bool


class ReconcileOut(Schema):
    currency: str
    agrees: bool  # every month of every ad account agrees
    months: list[ReconcileLine]
    written: int  # ledger rows written by a repair (0 for a check)

    @staticmethod
    def of(target: BusinessCenter, lines: list[MonthLine], written: int) -> ReconcileOut:
        return ReconcileOut(
            currency=target.currency, agrees=all(line.agrees for line in lines),
            written=written, months=[ReconcileLine(
                advertiser_id=str(line.account_id), advertiser_name=line.account,
                month=f"{line.month:%Y-%m}", reported=money(line.reported),
                billed=money(line.billed), difference=money(line.difference),
                agrees=line.agrees) for line in lines])


@router.get("/{center_id}/billing/reconcile", response={200: ReconcileOut, **ERRORS})
def reconcile(request: HttpRequest, center_id: int) -> ReconcileOut:
    """Each ad account's spend per month as the reports count it (daily metrics) beside
    billing's (the ledger). They are one source and agree to the cent; a difference means
    spend was written outside the metrics. Admins, Finance Managers and Finance Analysts."""
    target = center(request, center_id)
    return ReconcileOut.of(target, spend.reconcile(actor(request), target), 0)


@router.post("/{center_id}/billing/reconcile", response={200: ReconcileOut, **ERRORS})
def repair(request: HttpRequest, center_id: int) -> ReconcileOut:
    """Bring billing's spend to the daily metrics, writing the differences in the ledger
    (409 ``period_invoiced`` when an invoiced month would change: void it first). Admins
    and Finance Managers."""
    target, who = center(request, center_id), actor(request)
    written = spend.repair(who, target)
    return ReconcileOut.of(target, spend.reconcile(who, target), len(written))
