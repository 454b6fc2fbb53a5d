"""Billing of a Business Center: its ledger, invoices, payment settings and the
spending limits of its ad accounts.

Money is ``Decimal`` with two places, in the Business Center's currency. The
ledger is append-only: every row keeps the balance after it, written with the
Business Center row locked, so the balance is one read and the chain of
``balance_after`` can be checked against the sum of amounts at any time.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bizcenter.assets.models import Asset
from bizcenter.centers.models import BusinessCenter


class Kind(models.TextChoices):
    # Money put on the balance.
    TOPUP = "TOPUP", "Top-up"
    # What an ad account spent on a day: written only by loading daily metrics
    # (billing/spend.py), as the difference between the metrics and the spend already
    # recorded, so it is negative for new spend and positive when a day is corrected down.
    SPEND = "SPEND", "Spend"
    # Money paid back from the balance to the payment method.
    REFUND = "REFUND", "Refund"
    # The operator's corrections; no page writes them.
    ADJUSTMENT = "ADJUSTMENT", "Adjustment"


class Transaction(models.Model):
    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE,
                               related_name="transactions")
    # Only SPEND names an ad account. SET_NULL and the name kept as text: deleting an
    # ad account must not rewrite the money history.
    advertiser = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="transactions")
    advertiser_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Signed: what it did to the balance (top-ups positive, spend and refunds negative).
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    # The day the money moved: the spend's day, else the day it was recorded (the
    # Business Center's time zone). Filters, limits and invoices go by it.
    occurred_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    # A reporting import's own id for a spend, so importing the same day twice
    # does not charge it twice.
    ref = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # Kept as text so the ledger still reads right after a user is deleted.
    created_by_label = models.CharField(max_length=300)

    class Meta:
        # By the day the money moved, newest first; rows of one day in the order written.
        ordering: ClassVar = ["-occurred_on", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["center", "ref"], condition=~Q(ref=""),
                                    name="billing_one_spend_per_ref"),
            models.CheckConstraint(condition=~Q(amount=0), name="billing_amount_not_zero"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["center", "-id"], name="billing_tx_center_id"),
            models.Index(fields=["center", "-occurred_on", "-id"], name="billing_tx_center_day"),
            models.Index(fields=["center", "kind", "occurred_on"], name="billing_tx_kind_day"),
            models.Index(fields=["advertiser", "kind", "occurred_on"],
                         name="billing_tx_account_day"),
        ]

    def __str__(self) -> str:
        what = f" {self.advertiser_name}" if self.advertiser_name else ""
        return f"{self.get_kind_display()}{what} {self.amount} {self.currency}"


class InvoiceStatus(models.TextChoices):
    ISSUED = "ISSUED", "Issued"
    PAID = "PAID", "Paid"
    VOID = "VOID", "Void"


class Invoice(models.Model):
    """One calendar month's spend. At most one invoice per month that is not void."""

    center = models.ForeignKey(BusinessCenter, on_delete=models.CASCADE,
                               related_name="invoices")
    number = models.CharField(max_length=40)
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive: the last day of the month
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.ISSUED)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by_label = models.CharField(max_length=300)

    class Meta:
        ordering: ClassVar = ["-period_start", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["center", "number"], name="billing_invoice_number"),
            models.UniqueConstraint(fields=["center", "period_start"],
                                    condition=~Q(status="VOID"),
                                    name="billing_one_invoice_per_period"),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.number}"


class CardBrand(models.TextChoices):
    VISA = "VISA", "Visa"
    MASTERCARD = "MASTERCARD", "Mastercard"
    AMEX = "AMEX", "American Express"
    DISCOVER = "DISCOVER", "Discover"
    JCB = "JCB", "JCB"
    UNIONPAY = "UNIONPAY", "UnionPay"
    OTHER = "OTHER", "Other"


class PaymentSettings(models.Model):
    """Who receives the bills, and which card pays them.

    The card is kept only as brand, last 4 digits and expiry: enough for a person
    to recognise it, useless to anyone who reads the database. Card numbers are
    never stored (the service refuses them).
    """

    center = models.OneToOneField(BusinessCenter, on_delete=models.CASCADE,
                                  related_name="payment_settings")
    contact_name = models.CharField(max_length=150, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    card_brand = models.CharField(max_length=16, choices=CardBrand.choices, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Payment settings of {self.center}"

    @property
    def card_label(self) -> str:
        """The masked reference people see: ``Visa •••• 4242, expires 12/2028``."""
        if not self.card_last4:
            return ""
        return (f"{self.get_card_brand_display()} •••• {self.card_last4}, expires "
                f"{self.card_exp_month:02d}/{self.card_exp_year}")


class SpendingLimit(models.Model):
    """The most an ad account may spend in a calendar month; no row means no limit."""

    advertiser = models.OneToOneField(Asset, on_delete=models.CASCADE,
                                      related_name="spending_limit")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Spending limit of {self.advertiser}: {self.amount}"


class LimitLevel(models.IntegerChoices):
    WARNED = 80, "80% of the limit spent"
    REACHED = 100, "Limit reached"


class LimitAlert(models.Model):
    """That an ad account's spend crossed a share of its limit in a month, so its Admins
    and Finance Managers are told once per level and month, not on every import."""

    advertiser = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the calendar month
    level = models.PositiveSmallIntegerField(choices=LimitLevel.choices)
    spent = models.DecimalField(max_digits=14, decimal_places=2)
    limit = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["advertiser", "month", "level", "limit"],
                                    name="billing_one_alert_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.advertiser} at {self.level}% of its limit in {self.month:%Y-%m}"
