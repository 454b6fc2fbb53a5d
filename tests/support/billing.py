"""Checks on the billing ledger."""

from __future__ import annotations

from decimal import Decimal

from bizcenter.billing import services
from bizcenter.billing.models import (
    Transaction,
)


def chain_is_consistent(center) -> bool:
    """Each row's balance_after is the previous one plus its amount."""
    balance = Decimal("0.00")
    for tx in Transaction.objects.filter(center=center).order_by("id"):
        balance += tx.amount
        if tx.balance_after != balance:
            return False
    return services.balance_of(center) == balance
