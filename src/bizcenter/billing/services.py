"""Use cases of billing: the balance and its ledger, invoices, payment settings and
the spending limits of ad accounts.

Admins and Finance Managers change billing, Finance Analysts only read it, and
nobody else sees any of it (the engine's ``billing.view`` / ``billing.manage``).
Every change authorizes first, so a person who may not change billing is told
so whatever they typed, then validates, writes and logs in one transaction.
Writes to the ledger hold the Business Center's row lock, which serialises
them: each row's ``balance_after`` is the previous one plus its amount, also
when requests race on many app processes.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, require
from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset
from bizcenter.audit.models import Category
from bizcenter.audit.services import _csv_safe, record
from bizcenter.billing.models import (
    CardBrand,
    Invoice,
    InvoiceStatus,
    Kind,
    PaymentSettings,
    SpendingLimit,
    Transaction,
)
from bizcenter.billing.money import (
    CENT,
    MONTHLY_LIMIT,
    REFUND,
    TOP_UP,
    expiry,
    fmt,
    last4,
    parse_amount,
    refuse_card_number,
)
from bizcenter.campaigns.models import Campaign
from bizcenter.centers import seats
from bizcenter.centers.choices import choice
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotFound
from bizcenter.core.lookup import find
from bizcenter.core.pagination import Page, paginate

ZERO = Decimal("0.00")
# The share of a monthly limit at which its ad account's Admins and Finance Managers are
# warned; at the whole limit its campaigns are paused (billing/limits.py).
WARN_AT = Decimal("0.8")


# -- helpers -------------------------------------------------------------------

def today_in(center: BusinessCenter) -> date:
    """Today where the business is: a top-up at 00:30 in Tokyo belongs to that day."""
    try:
        zone = zoneinfo.ZoneInfo(center.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of the calendar month holding ``day``."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _note(value: str | None) -> str:
    text = " ".join((value or "").split())
    if len(text) > 300:
        raise InvalidInput(f"The note is {len(text)} characters long; at most 300 are allowed.",
                           fields={"note": "at most 300 characters"})
    refuse_card_number(text, "note")
    return text


def _ledger(center: BusinessCenter) -> tuple[Decimal, str | None]:
    """The balance and the currency of the last ledger row (None before the first)."""
    last = (Transaction.objects.filter(center=center).order_by("-id")
            .values_list("balance_after", "currency").first())
    return (last[0], last[1]) if last else (ZERO, None)


def balance_of(center: BusinessCenter) -> Decimal:
    return _ledger(center)[0]


@dataclass(frozen=True)
class Entry:
    """A ledger row to write: what it did to the balance, and on which day."""

    kind: str
    amount: Decimal
    day: date | None = None
    advertiser: Asset | None = None
    note: str = ""


def write(actor: Actor, center: BusinessCenter, entries: Sequence[Entry]) -> list[Transaction]:
    """Append rows to the ledger, each ``balance_after`` the one before plus its amount.
    The caller holds the Business Center's lock, so no other write slips in between."""
    balance, currency = _ledger(center)
    if currency is not None and currency != center.currency and balance != 0:
        raise Conflict(
            f"The balance of {center.name} is kept in {currency}, but its currency is now "
            f"set to {center.currency}. Set the currency back to {currency} in Settings, or "
            "refund the balance to zero before changing currency.",
            code="currency_changed")
    rows = []
    for entry in entries:
        balance += entry.amount
        rows.append(Transaction(
            center=center, kind=entry.kind, amount=entry.amount, currency=center.currency,
            balance_after=balance, occurred_on=entry.day or today_in(center),
            note=entry.note, advertiser=entry.advertiser,
            advertiser_name=entry.advertiser.name if entry.advertiser else "",
            created_by=actor.user, created_by_label=actor.label[:300]))
    return Transaction.objects.bulk_create(rows, batch_size=1000)


def tx_dict(tx: Transaction) -> dict[str, Any]:
    """A ledger row as the activity log records it (amounts as text: JSON has no decimals)."""
    out: dict[str, Any] = {"kind": tx.kind, "amount": fmt(tx.amount), "currency": tx.currency,
                           "balance_after": fmt(tx.balance_after),
                           "occurred_on": tx.occurred_on.isoformat()}
    if tx.advertiser_name:
        out["ad_account"] = tx.advertiser_name
    if tx.note:
        out["note"] = tx.note
    return out


def _ad_account(center: BusinessCenter, advertiser: Asset | int | str,
                actor: Actor | None = None) -> Asset:
    """An ad account this Business Center owns; a partner's shared one is not billed here.

    Billing shows every ad account to who may see billing, but not the other assets: an
    asset the ``actor`` may not see answers as an id that does not exist, never with its
    name and type."""
    raw = advertiser.pk if isinstance(advertiser, Asset) else advertiser
    missing = f"No ad account with id {{id}} in {center.name}."
    asset = find(Asset.objects.filter(center=center), raw, missing)
    if asset.type != AssetType.ADVERTISER:
        if actor is not None and actor.user is not None and not check(
                actor.user, Action.ASSET_VIEW, asset, within=center):
            raise NotFound(missing.replace("{id}", str(asset.pk), 1))
        raise InvalidInput(f"{asset} is not an ad account; only ad accounts spend money.",
                           fields={"advertiser": "an ad account"})
    return asset


# -- reading -----------------------------------------------------------------

@dataclass(frozen=True)
class AccountLimit:
    """One ad account's monthly limit and what it spent this month."""

    account: Asset
    limit: Decimal | None
    spent: Decimal
    # Its campaigns the limit paused this month (billing/limits.py).
    paused: int = 0

    @property
    def remaining(self) -> Decimal | None:
        return None if self.limit is None else max(self.limit - self.spent, ZERO)

    @property
    def reached(self) -> bool:
        return self.limit is not None and self.spent >= self.limit

    @property
    def warned(self) -> bool:
        """Past the share of the limit at which Admins and Finance Managers are told."""
        return self.limit is not None and self.spent >= self.limit * WARN_AT

    @property
    def percent(self) -> int | None:
        if not self.limit:
            return None
        return int(self.spent * 100 / self.limit)


@dataclass(frozen=True)
class Overview:
    center: BusinessCenter
    currency: str
    balance: Decimal
    recent: list[Transaction]
    invoices: list[Invoice]
    settings: PaymentSettings | None
    limits: list[AccountLimit]
    month: date  # the first day of the current month, which the limits count


def billing_overview(actor: Actor, center: BusinessCenter, *, recent: int = 10) -> Overview:
    """Everything the billing page shows at once, for anyone who may view billing."""
    require(actor, Action.BILLING_VIEW, center)
    first, last = month_of(today_in(center))
    return Overview(
        center=center, currency=center.currency, balance=balance_of(center),
        recent=list(transactions(actor, center)[:recent]) if recent else [],
        invoices=list(Invoice.objects.filter(center=center)[:12]),
        settings=PaymentSettings.objects.filter(center=center).first(),
        limits=account_limits(center, first, last), month=first)


def account_limits(center: BusinessCenter, first: date, last: date, *,
                   only: Collection[int] | None = None) -> list[AccountLimit]:
    """Each ad account's limit and its spend between two days (``only`` those ad accounts),
    in three queries."""
    accounts_qs = Asset.objects.filter(center=center, type=AssetType.ADVERTISER)
    if only is not None:
        accounts_qs = accounts_qs.filter(pk__in=only)
    accounts = list(accounts_qs.select_related("spending_limit").order_by("name", "id"))
    paused = dict(Campaign.objects.filter(advertiser__in=accounts, paused_by_limit_on__gte=first)
                  .values("advertiser").annotate(n=Count("id")).values_list("advertiser", "n"))
    spent = dict(Transaction.objects.filter(
        center=center, kind=Kind.SPEND, occurred_on__range=(first, last))
        .values("advertiser").annotate(total=Sum("amount")).values_list("advertiser", "total"))
    out = []
    for account in accounts:
        limit = getattr(account, "spending_limit", None)
        out.append(AccountLimit(account, limit.amount if limit else None,
                                -Decimal(spent.get(account.pk) or ZERO).quantize(CENT),
                                paused.get(account.pk, 0)))
    return out


def transactions(actor: Actor, center: BusinessCenter, *, kind: str | None = None,
                 advertiser_id: int | str | None = None, since: date | None = None,
                 until: date | None = None) -> QuerySet[Transaction]:
    """The ledger, newest first, filtered; ``since`` and ``until`` are inclusive days."""
    require(actor, Action.BILLING_VIEW, center)
    qs = Transaction.objects.filter(center=center).select_related("advertiser")
    if kind:
        qs = qs.filter(kind=choice(Kind, kind, "kind"))
    if advertiser_id not in (None, ""):
        qs = qs.filter(advertiser=_ad_account(center, advertiser_id, actor))
    if since and until and since > until:
        raise InvalidInput("The first day of the range is after the last; swap them.",
                           fields={"since": "after until"})
    if since:
        qs = qs.filter(occurred_on__gte=since)
    if until:
        qs = qs.filter(occurred_on__lte=until)
    return qs.order_by("-occurred_on", "-id")


def list_transactions(actor: Actor, center: BusinessCenter, *, page: int = 1,
                      page_size: int = 50, **filters: Any) -> Page[Transaction]:
    return paginate(transactions(actor, center, **filters), page, page_size)


EXPORT_FIELDS = ("id", "occurred_on", "recorded_at", "kind", "ad_account", "amount",
                 "currency", "balance_after", "note", "recorded_by")


def export_transactions(actor: Actor, center: BusinessCenter, **filters: Any) -> Iterator[str]:
    """The filtered ledger as CSV, a chunk at a time.

    Text cells go through the activity log's formula defusing (a note or an ad
    account named ``=HYPERLINK(...)`` must not run in a spreadsheet). Amounts are
    written by us as plain numbers, so they stay numbers even when negative.
    """
    rows = transactions(actor, center, **filters).order_by("occurred_on", "id")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_FIELDS)
    for tx in rows.iterator(chunk_size=2000):
        writer.writerow([tx.pk, tx.occurred_on.isoformat(), tx.created_at.isoformat(),
                         tx.kind, _csv_safe(tx.advertiser_name), fmt(tx.amount), tx.currency,
                         fmt(tx.balance_after), _csv_safe(tx.note),
                         _csv_safe(tx.created_by_label)])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def list_invoices(actor: Actor, center: BusinessCenter, *, page: int = 1,
                  page_size: int = 50) -> Page[Invoice]:
    require(actor, Action.BILLING_VIEW, center)
    return paginate(Invoice.objects.filter(center=center), page, page_size)


# -- the balance -----------------------------------------------------------------

def top_up(actor: Actor, center: BusinessCenter, amount: object, note: str = ""
           ) -> Transaction:
    """Record money put on the balance."""
    with transaction.atomic():
        require(actor, Action.BILLING_MANAGE, center)
        value = parse_amount(amount, center.currency, kind=TOP_UP)
        text = _note(note)
        center = seats.lock(center.pk)
        [tx] = write(actor, center, [Entry(Kind.TOPUP, value, note=text)])
        record(actor, center=center, category=Category.BUSINESS, action="billing.topped_up",
               target=tx, after=tx_dict(tx))
    return tx


@dataclass(frozen=True)
class RefundPreview:
    amount: Decimal
    balance: Decimal
    after: Decimal
    card: str
    note: str


def preview_refund(actor: Actor, center: BusinessCenter, amount: object, note: str = ""
                   ) -> RefundPreview:
    """What a refund would do, checked as the refund itself would check it, for the
    confirmation step: money leaving the balance deserves a second look."""
    require(actor, Action.BILLING_MANAGE, center)
    value = parse_amount(amount, center.currency, kind=REFUND)
    text = _note(note)
    balance = balance_of(center)
    _refundable(center, value, balance)
    settings = PaymentSettings.objects.filter(center=center).first()
    return RefundPreview(value, balance, balance - value, settings.card_label if settings else "",
                         text)


def _refundable(center: BusinessCenter, value: Decimal, balance: Decimal) -> None:
    if value > balance:
        raise Conflict(
            f"The balance is {fmt(balance)} {center.currency}; a refund cannot take more "
            f"than that, and {fmt(value)} {center.currency} is more.",
            code="insufficient_balance", fields={"amount": f"at most {fmt(max(balance, ZERO))}"})


def refund(actor: Actor, center: BusinessCenter, amount: object, note: str = "") -> Transaction:
    """Pay money back from the balance to the payment method; never more than the
    balance holds (checked under the lock, so two refunds cannot both take the last of it)."""
    with transaction.atomic():
        require(actor, Action.BILLING_MANAGE, center)
        value = parse_amount(amount, center.currency, kind=REFUND)
        text = _note(note)
        center = seats.lock(center.pk)
        _refundable(center, value, balance_of(center))
        [tx] = write(actor, center, [Entry(Kind.REFUND, -value, note=text)])
        record(actor, center=center, category=Category.BUSINESS, action="billing.refunded",
               target=tx, after=tx_dict(tx))
    return tx


# -- payment settings -----------------------------------------------------------------

def settings_dict(settings: PaymentSettings | None) -> dict[str, Any]:
    """What the log records: the masked card only, which is all there is."""
    if settings is None:
        return {}
    return {"contact_name": settings.contact_name, "contact_email": settings.contact_email,
            "card": settings.card_label}


def set_payment_settings(actor: Actor, center: BusinessCenter, *, contact_name: str = "",
                         contact_email: str = "", card_brand: str = "", card_last4: str = "",
                         card_exp_month: object = None, card_exp_year: object = None
                         ) -> PaymentSettings:
    """The billing contact and the card reference. The card is all four parts or none."""
    from bizcenter.accounts.addresses import parse_email

    with transaction.atomic():
        require(actor, Action.BILLING_MANAGE, center)
        name = " ".join((contact_name or "").split())
        if len(name) > 150:
            raise InvalidInput("The contact name is too long; at most 150 characters.",
                               fields={"contact_name": "at most 150 characters"})
        refuse_card_number(name, "contact_name")
        email = ""
        if (contact_email or "").strip():
            try:
                email = parse_email(contact_email).value
            except InvalidInput as error:
                raise InvalidInput(error.message, fields={"contact_email": "an email address"}
                                   ) from error
        parts = [card_brand, card_last4, card_exp_month, card_exp_year]
        given = [p for p in parts if str(p or "").strip()]
        brand, digits, month, year = "", "", None, None
        if str(card_last4 or "").strip():
            digits = last4(str(card_last4))  # a card number is refused before anything else
        if given:
            if len(given) < len(parts):
                missing = [label for label, p in zip(
                    ("card_brand", "card_last4", "card_exp_month", "card_exp_year"), parts,
                    strict=True) if not str(p or "").strip()]
                raise InvalidInput(
                    "A payment method needs its brand, last 4 digits and expiry month and "
                    "year; leave all four empty for none.",
                    fields={f: "required with the others" for f in missing})
            brand = choice(CardBrand, str(card_brand), "card_brand")
            month, year = expiry(card_exp_month, card_exp_year, today_in(center))
        center = seats.lock(center.pk)
        settings = PaymentSettings.objects.filter(center=center).first()
        before = settings_dict(settings)
        if settings is None:
            settings = PaymentSettings(center=center)
        settings.contact_name, settings.contact_email = name, email
        settings.card_brand, settings.card_last4 = brand, digits
        settings.card_exp_month, settings.card_exp_year = month, year
        after = settings_dict(settings)
        if before == after:
            return settings
        settings.updated_at = timezone.now()
        settings.save()
        record(actor, center=center, category=Category.BUSINESS,
               action="billing.payment_settings_changed", target=settings,
               before={k: v for k, v in before.items() if after.get(k) != v} or None,
               after={k: v for k, v in after.items() if before.get(k) != v})
    return settings


# -- spending limits ------------------------------------------------------------------

def set_spending_limit(actor: Actor, center: BusinessCenter, advertiser_id: int | str,
                       amount: object | None) -> SpendingLimit | None:
    """The most an ad account may spend in a calendar month; None (or empty) removes it.
    A limit at or under this month's spend pauses the account's campaigns now; raising it
    above the spend resumes the ones it paused."""
    with transaction.atomic():
        require(actor, Action.BILLING_MANAGE, center)
        remove = amount is None or (isinstance(amount, str) and not amount.strip())
        value = None if remove else parse_amount(amount, center.currency, kind=MONTHLY_LIMIT)
        center = seats.lock(center.pk)
        account = _ad_account(center, advertiser_id, actor)
        current = SpendingLimit.objects.filter(advertiser=account).first()
        before = fmt(current.amount) if current else None
        after = fmt(value) if value is not None else None
        if before == after:
            return current
        if value is None:
            assert current is not None  # before != after
            current.delete()
            result = None
        else:
            result = current or SpendingLimit(advertiser=account)
            result.amount, result.updated_at = value, timezone.now()
            result.save()
        record(actor, center=center, category=Category.ACCOUNT,
               action="billing.limit_removed" if value is None else "billing.limit_set",
               target=account,
               before={"monthly_limit": before, "currency": center.currency} if before else None,
               after={"monthly_limit": after, "currency": center.currency})
        from bizcenter.billing import limits  # it weighs accounts with this module's reads

        limits.after_spend(center, [account.pk])  # a lower limit can stop it at once
    return result


# -- invoices ---------------------------------------------------------------------------

def invoice_dict(invoice: Invoice) -> dict[str, Any]:
    return {"number": invoice.number, "period": f"{invoice.period_start:%Y-%m}",
            "amount": fmt(invoice.amount), "currency": invoice.currency,
            "status": invoice.status}


def issue_invoice(actor: Actor, center: BusinessCenter, year: int, month: int
                  ) -> tuple[Invoice, bool]:
    """The invoice of one whole calendar month, from its spend. Asking again for the
    same month returns the one already issued (False: not new) instead of billing twice."""
    with transaction.atomic():
        require(actor, Action.BILLING_MANAGE, center)
        try:
            first = date(int(year), int(month), 1)
        except (TypeError, ValueError, OverflowError) as exc:  # year 10**11 overflows
            raise InvalidInput("Pick a month, e.g. 2026-03.", fields={"month": "YYYY-MM"}
                               ) from exc
        first, last = month_of(first)
        if last >= today_in(center):
            raise InvalidInput(f"{first:%B %Y} is not over yet; invoices are issued for whole "
                               "months once they end.", fields={"month": "a past month"})
        center = seats.lock(center.pk)
        existing = Invoice.objects.filter(center=center, period_start=first).exclude(
            status=InvoiceStatus.VOID).first()
        if existing is not None:
            return existing, False
        spent = Transaction.objects.filter(
            center=center, kind=Kind.SPEND, occurred_on__range=(first, last)
        ).aggregate(total=Sum("amount"))["total"]
        if not spent:
            raise Conflict(f"No ad account of {center.name} spent anything in {first:%B %Y}; "
                           "there is nothing to invoice.", code="nothing_to_invoice")
        voided = Invoice.objects.filter(center=center, period_start=first).count()
        number = f"{center.pk}-{first:%Y%m}" + (f"-{voided + 1}" if voided else "")
        invoice = Invoice.objects.create(
            center=center, number=number, period_start=first, period_end=last,
            amount=-spent, currency=center.currency, issued_by_label=actor.label[:300])
        record(actor, center=center, category=Category.BUSINESS,
               action="billing.invoice_issued", target=invoice, after=invoice_dict(invoice))
    return invoice, True


def preview_void(actor: Actor, center: BusinessCenter, invoice_id: int | str) -> Invoice:
    """The invoice a void would cancel, for its confirmation step; refused as the void
    itself would be, so nobody confirms something that cannot happen."""
    require(actor, Action.BILLING_MANAGE, center)
    invoice = find(Invoice.objects.filter(center=center), invoice_id,
                   f"No invoice with id {{id}} in {center.name}.")
    _still_issued(invoice)
    return invoice


def _still_issued(invoice: Invoice) -> None:
    if invoice.status != InvoiceStatus.ISSUED:
        raise Conflict(f"Invoice {invoice.number} is {invoice.get_status_display().lower()}"
                       "; only an issued invoice can be marked paid or voided.",
                       code="invoice_closed")


def set_invoice_status(actor: Actor, center: BusinessCenter, invoice_id: int | str,
                       status: str) -> Invoice:
    """Mark an issued invoice paid, or void it (then its month can be issued again)."""
    with transaction.atomic():
        require(actor, Action.BILLING_MANAGE, center)
        wanted = choice(InvoiceStatus, status, "status")
        center = seats.lock(center.pk)
        invoice = find(Invoice.objects.filter(center=center), invoice_id,
                       f"No invoice with id {{id}} in {center.name}.")
        if wanted == invoice.status:
            return invoice
        _still_issued(invoice)
        if wanted == InvoiceStatus.ISSUED:
            raise Conflict(f"Invoice {invoice.number} cannot be issued again; issue a new "
                           "one for its month instead.", code="invoice_closed")
        before = invoice_dict(invoice)
        invoice.status = wanted
        invoice.save(update_fields=["status"])
        record(actor, center=center, category=Category.BUSINESS,
               action="billing.invoice_paid" if wanted == InvoiceStatus.PAID
               else "billing.invoice_voided", target=invoice,
               before={"status": before["status"]}, after={"status": wanted})
    return invoice
