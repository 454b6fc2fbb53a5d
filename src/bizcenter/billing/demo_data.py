"""Billing for the demo Business Center: enough money moving that the billing page,
its filters, limits and invoices all have something to show.

Built through the billing services, so the demo's activity log has the same
entries a real Business Center's would: top-ups and the payment settings by its
Admin, spend by the system (as reporting imports record it).
"""

from __future__ import annotations

from datetime import timedelta

from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset
from bizcenter.billing import services
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor


def seed_billing(admin: Actor, center: BusinessCenter) -> None:
    """Payment settings, two top-ups, six weeks of daily spend on the ad accounts, a
    refund, last month's invoice and a monthly limit on the busiest account."""
    today = services.today_in(center)
    services.set_payment_settings(
        admin, center, contact_name="Avery Admin", contact_email="billing@demo-brand.example",
        card_brand="VISA", card_last4="4242", card_exp_month=12, card_exp_year=today.year + 2)
    services.top_up(admin, center, "5000.00", "Bank transfer BT-1001")
    accounts = list(Asset.objects.filter(center=center, type=AssetType.ADVERTISER)
                    .order_by("name"))
    system = Actor.system("reporting")
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month's 1st
    day, n = start, 0
    while day < today:
        for i, account in enumerate(accounts):
            if account.status == "ACTIVE" or day.day % 7 == 1:
                amount = f"{40 + (n * 37 + i * 53) % 90}.{(n * 13) % 100:02d}"
                services.record_spend(system, center, account, amount, day,
                                      ref=f"demo-{account.pk}-{day.isoformat()}")
        day += timedelta(days=3)
        n += 1
    services.top_up(admin, center, "2500.00", "Card payment")
    services.refund(admin, center, "250.00", "Unused promotion budget")
    services.issue_invoice(admin, center, start.year, start.month)
    busiest = next((a for a in accounts if a.status == "ACTIVE"), None)
    if busiest is not None:
        services.set_spending_limit(admin, center, busiest.pk, "3000.00")
