"""The demo's billing: every part of the billing page has something to show, built
through the services (so its activity log reads like a real one)."""

from __future__ import annotations

from decimal import Decimal

from bizcenter import demo
from bizcenter.billing import services
from bizcenter.billing.models import Invoice, PaymentSettings, SpendingLimit, Transaction
from bizcenter.core.actor import Actor
from tests.support.billing import chain_is_consistent


def test_the_demo_has_billing_to_show(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = demo.seed().center
    kinds = set(Transaction.objects.filter(center=center).values_list("kind", flat=True))
    assert kinds == {"TOPUP", "SPEND", "REFUND"}
    spent_on = set(Transaction.objects.filter(center=center, kind="SPEND")
                   .values_list("advertiser__name", flat=True))
    # Only the account with campaigns spends: its metrics are its spend, in billing too.
    assert spent_on == {"Demo Brand UK"}
    assert chain_is_consistent(center)
    assert services.balance_of(center) > Decimal("0")
    [invoice] = Invoice.objects.filter(center=center)
    assert invoice.amount > 0 and invoice.currency == "GBP"
    assert PaymentSettings.objects.get(center=center).card_label.startswith("Visa •••• 4242")
    assert SpendingLimit.objects.get().advertiser.name == "Demo Brand UK"
    overview = services.billing_overview(Actor.system("test"), center)
    assert overview.invoices and overview.limits and overview.settings
