"""Billing for the demo Business Center: enough money moving that the billing page,
its filters, limits and invoices all have something to show.

Built through the billing services, so the demo's activity log has the same
entries a real Business Center's would. Its spend is not made up here: it is the
demo's daily metrics (reporting/demo_data.py), recorded by loading them, so the
reports and the billing page show the same numbers.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from bizcenter.billing import services
from bizcenter.campaigns.models import Campaign
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor

# Enough for the demo's 90 days of spend (about 75,000), paid in advance.
OPENING_TOP_UP = "80000.00"
# Where the busiest ad account stands against its limit this month: past the warning.
LIMIT_USED = Decimal("0.87")


def seed_payments(admin: Actor, center: BusinessCenter) -> None:
    """Payment settings and the opening top-up, before any spend."""
    today = services.today_in(center)
    services.set_payment_settings(
        admin, center, contact_name="Avery Admin", contact_email="billing@demo-brand.example",
        card_brand="VISA", card_last4="4242", card_exp_month=12, card_exp_year=today.year + 2)
    services.top_up(admin, center, OPENING_TOP_UP, "Bank transfer BT-1001")


def seed_billing(admin: Actor, center: BusinessCenter) -> None:
    """After the metrics: a top-up that covers the spend, a refund, last month's invoice
    and a monthly limit on the busiest ad account, most of it used."""
    balance = services.balance_of(center)
    services.top_up(admin, center, f"{max(0, math.ceil(-balance / 1000)) * 1000 + 5000}.00",
                    "Card payment")
    services.refund(admin, center, "250.00", "Unused promotion budget")
    first, last = services.month_of(services.today_in(center))
    previous = services.month_of(first - timedelta(days=1))[0]
    services.issue_invoice(admin, center, previous.year, previous.month)
    busiest = (Campaign.objects.filter(advertiser__center=center)
               .values_list("advertiser", flat=True).order_by("advertiser").first())
    if busiest is None:
        return
    [line] = services.account_limits(center, first, last, only=[busiest])
    limit = max(500, math.ceil(line.spent / LIMIT_USED / 100) * 100)
    services.set_spending_limit(admin, center, busiest, f"{limit}.00")

