"""Billing: bc/balance/get/, bc/transaction/get/, advertiser/balance/get/.

The balance is the Business Center's ledger; ad accounts spend from it and
may have a monthly spending limit, which TikTok calls a monthly budget.
bizcenter has one kind of money, cash: grants, tax and frozen amounts are 0.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bizcenter.assets.kinds import AssetType
from bizcenter.billing import services
from bizcenter.billing.models import Transaction
from bizcenter.billing.services import AccountLimit
from bizcenter.centers.models import BusinessCenter
from bizcenter.compat import shapes
from bizcenter.compat.door import Call, endpoint
from bizcenter.compat.errors import param
from bizcenter.compat.paging import listing, page_of, paging, sliced
from bizcenter.compat.params import field_of

# Ledger kinds in TikTok's transaction types.
TRANSACTION_TYPE = {"TOPUP": "RECHARGE", "SPEND": "CONSUME", "REFUND": "REFUND",
                    "ADJUSTMENT": "ADJUSTMENT"}
KIND_OF = {v: k for k, v in TRANSACTION_TYPE.items()}
CASH = "FUNDS_TYPE_CASH"
# TikTok's default range of bc/transaction/get: the last 90 days.
DEFAULT_DAYS = 90


@endpoint("GET")
def bc_balance_get(call: Call) -> dict[str, Any]:
    center = call.center()
    overview = services.billing_overview(call.actor, center, recent=0)
    cash = shapes.amount(overview.balance)
    return {"bc_id": str(center.pk), "currency": overview.currency,
            "account_balance": cash, "valid_account_balance": cash, "cash_balance": cash,
            "valid_cash_balance": cash, "grant_balance": 0.0, "valid_grant_balance": 0.0,
            "frozen_balance": 0.0, "tax": 0.0}


def transaction_row(tx: Transaction) -> dict[str, Any]:
    return {"transaction_id": str(tx.pk), "transaction_type": TRANSACTION_TYPE[tx.kind],
            "funds_type": CASH, "amount": shapes.amount(tx.amount), "currency": tx.currency,
            "balance_after": shapes.amount(tx.balance_after), "date": tx.occurred_on.isoformat(),
            "create_time": shapes.when(tx.created_at),
            "advertiser_id": str(tx.advertiser_id) if tx.advertiser_id else None,
            "advertiser_name": tx.advertiser_name or None, "note": tx.note,
            "operator_name": tx.created_by_label}


@endpoint("GET")
def bc_transaction_get(call: Call) -> dict[str, Any]:
    """The ledger, newest first, between start_date and end_date (both included; by
    default the last 90 days). filtering.funds_type (only FUNDS_TYPE_CASH exists here)
    and filtering.transaction_type (RECHARGE, CONSUME, REFUND, ADJUSTMENT: ours)."""
    center = call.center()
    p = call.params
    page = paging(p)
    filtering = p.obj("filtering")
    funds = filtering.get("funds_type")
    if funds not in (None, "", []) and (not isinstance(funds, list) or CASH not in funds):
        return listing([], page, 0)  # no grant or credit money in bizcenter
    kind = None
    if (wanted := field_of(filtering, "transaction_type")) is not None:
        if wanted not in KIND_OF:
            raise param(f"'{wanted}' is not a transaction_type. Use one of: "
                        f"{', '.join(KIND_OF)}.")
        kind = KIND_OF[wanted]
    until = p.day("end_date") or services.today_in(center)
    since = p.day("start_date") or until - timedelta(days=DEFAULT_DAYS)
    found, total = page_of(lambda n, s: services.list_transactions(
        call.actor, center, kind=kind, since=since, until=until, page=n, page_size=s), page)
    return listing([transaction_row(tx) for tx in found], page, total)


def account_row(limit: AccountLimit, center: BusinessCenter) -> dict[str, Any]:
    account = limit.account  # one the Business Center owns
    return {"advertiser_id": str(account.pk), "advertiser_name": account.name,
            "advertiser_status": shapes.ADVERTISER_STATUS[account.status],
            "currency": center.currency, "timezone": center.timezone,
            "budget_mode": "UNLIMITED" if limit.limit is None else "MONTHLY_BUDGET",
            "budget": shapes.amount(limit.limit) if limit.limit is not None else 0.0,
            "budget_cost": shapes.amount(limit.spent),
            "budget_remaining": shapes.amount(limit.remaining)}


@endpoint("GET")
def advertiser_balance_get(call: Call) -> dict[str, Any]:
    """The ad accounts this Business Center owns, with their monthly spending limit
    (budget_mode MONTHLY_BUDGET) and what they spent of it this month."""
    center = call.center()
    p = call.params
    page = paging(p)
    filtering = p.obj("filtering")
    keyword = (field_of(filtering, "keyword") or "").lower()
    statuses = filtering.get("advertiser_status") or []
    if not isinstance(statuses, list):
        raise param("filtering.advertiser_status must be a list, e.g. [\"STATUS_ENABLE\"].")
    overview = services.billing_overview(call.actor, center, recent=0)
    rows = [account_row(limit, center) for limit in overview.limits
            if limit.account.type == AssetType.ADVERTISER
            and (keyword in limit.account.name.lower() or keyword == str(limit.account.pk))
            and (not statuses
                 or shapes.ADVERTISER_STATUS[limit.account.status] in statuses)]
    chosen, total = sliced(rows, page)
    return listing(chosen, page, total, key="advertiser_account_list")
