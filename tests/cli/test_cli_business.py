"""The business commands on the local database: asset groups, campaigns and change
requests, reports and billing, run in-process through the real entry point."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bizcenter.accounts.models import User
from bizcenter.assets.models import AssetGroup, AssetGroupMember
from bizcenter.assets.services import create_asset
from bizcenter.billing import services as billing
from bizcenter.billing.models import Invoice, SpendingLimit, Transaction
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign, ChangeRequest, RequestState
from bizcenter.centers.models import BusinessCenter
from tests.conftest import act, join, spend
from tests.support.cli import run
from tests.support.reporting import Book, build_book

pytestmark = pytest.mark.usefixtures("quick_hashing")


@dataclass
class Shop:
    """One Business Center and the people around it, by the address each acts as."""

    center: BusinessCenter
    id: str
    book: Book
    admin: str = "owner@brand.com"
    operator: str = "op@agency.com"  # Standard, CAMPAIGNS, OPERATOR on Main ads
    analyst: str = "ana@brand.com"  # Finance Analyst, no Analytics
    operator_member: str = ""


@pytest.fixture
def shop(owner, center, make_user) -> Shop:
    book = build_book(act(owner), center)
    op = join(act(owner), center, make_user("op@agency.com", name="Opal"),
              modules=("CAMPAIGNS", "ANALYTICS"), assets={book.main.pk: ["OPERATOR"]})
    join(act(owner), center, make_user("ana@brand.com", name="Ana"), modules=("BILLING",),
         finance_role="ANALYST")
    return Shop(center, str(center.pk), book, operator_member=str(op.pk))


def ok(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def as_json(capsys, *args: str):
    return json.loads(ok(capsys, *args, "--json"))


def refused(capsys, *args: str) -> str:
    """One ``error:`` line on stderr, nothing on stdout, exit code 1."""
    code, out, err = run(capsys, *args)
    assert code == 1 and out == "", (out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def answer_no(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))


def test_help_is_everywhere(capsys):
    for command in (["groups"], ["groups", "set-member"], ["campaigns"], ["campaigns", "update"],
                    ["requests"], ["requests", "approve"], ["report"], ["billing"],
                    ["billing", "top-up"], ["billing", "limit"]):
        code, out, _ = run(capsys, *command, "--help")
        assert code == 0 and "Usage" in out


# -- asset groups --------------------------------------------------------------------------


def test_groups_from_creation_to_deletion(shop, capsys, monkeypatch):
    c, admin, main = shop.id, shop.admin, str(shop.book.main.pk)
    made = as_json(capsys, "groups", "create", c, "EU agency", "--asset", main, "--as", admin)
    group = made[0]["id"]
    assert made[0]["assets"] == [f"Ad account Main ads ({main})"]
    err = refused(capsys, "groups", "create", c, "EU agency", "--as", admin)
    assert "already has a group named 'EU agency'" in err

    seated = as_json(capsys, "groups", "set-member", c, group, shop.operator_member,
                     "--role", "advertiser=admin", "--as", admin)
    assert seated[0]["members"] == [f"Opal <op@agency.com> (ADVERTISER: ADMIN) "
                                    f"[{shop.operator_member}]"]
    assert "--role: 'ADVERTISER' is not TYPE=ROLE" in refused(
        capsys, "groups", "set-member", c, group, shop.operator_member, "--role", "ADVERTISER",
        "--as", admin)

    second = str(shop.book.second.pk)
    assert len(as_json(capsys, "groups", "add-asset", c, group, second, "--as",
                       admin)[0]["assets"]) == 2
    # Asked first; "no" changes nothing.
    answer_no(monkeypatch)
    code, _, _ = run(capsys, "groups", "remove-asset", c, group, second, "--as", admin)
    assert code == 1 and AssetGroup.objects.get(pk=group).assets.count() == 2
    out = ok(capsys, "groups", "remove-asset", c, group, second, "--yes", "--as", admin)
    assert "Second ads" not in out and AssetGroup.objects.get(pk=group).assets.count() == 1
    assert "is not in the group" in refused(capsys, "groups", "remove-asset", c, group, second,
                                            "--yes", "--as", admin)

    assert "EU partners" in ok(capsys, "groups", "rename", c, group, "EU partners", "--as",
                               admin)
    listed = as_json(capsys, "groups", "list", c, "--as", admin)
    assert [g["name"] for g in listed["items"]] == ["EU partners"] and listed["total"] == 1
    # Only Admins manage groups.
    assert "Admin" in refused(capsys, "groups", "list", c, "--as", shop.operator)

    ok(capsys, "groups", "remove-member", c, group, shop.operator_member, "--yes", "--as", admin)
    assert not AssetGroupMember.objects.filter(group_id=group).exists()
    answer_no(monkeypatch)
    code, _, _ = run(capsys, "groups", "delete", c, group, "--as", admin)
    assert code == 1 and AssetGroup.objects.filter(pk=group).exists()
    out = ok(capsys, "groups", "delete", c, group, "--yes", "--as", admin)
    assert out == "Deleted the asset group 'EU partners'.\n"
    assert f"No asset group with id {group}" in refused(capsys, "groups", "show", c, group,
                                                        "--as", admin)


# -- campaigns and change requests ----------------------------------------------------------


def test_campaigns_created_changed_paused_and_deleted_by_an_admin(shop, capsys, monkeypatch):
    c, admin, main = shop.id, shop.admin, str(shop.book.main.pk)
    made = as_json(capsys, "campaigns", "create", c, main, "Autumn push", "--objective",
                   "traffic", "--budget", "150.5", "--start", "2026-09-01", "--end",
                   "2026-09-30", "--as", admin)
    assert made["applied"] is True
    [row] = made["items"]
    assert row["budget"] == "150.50 USD" and row["starts"] == "2026-09-01 00:00"
    assert row["ends"] == "2026-10-01 00:00"
    out = ok(capsys, "campaigns", "update", c, row["id"], "--budget", "200", "--as", admin)
    assert "200.00 USD" in out and "applied: True" in out
    assert Campaign.objects.get(pk=row["id"]).budget == Decimal("200.00")
    assert "DISABLE" in ok(capsys, "campaigns", "pause", c, row["id"], "--as", admin)
    assert "ENABLE" in ok(capsys, "campaigns", "enable", c, row["id"], "--as", admin)
    listed = as_json(capsys, "campaigns", "list", c, "--search", "autumn", "--as", admin)
    assert [r["name"] for r in listed["items"]] == ["Autumn push"]
    err = refused(capsys, "campaigns", "update", c, row["id"], "--end", "2026-08-01",
                  "--as", admin)
    assert "ends before it starts" in err
    assert "give --objective" in refused(capsys, "campaigns", "create", c, main, "No aim",
                                         "--as", admin)
    assert "Nothing to change" in refused(capsys, "campaigns", "update", c, row["id"],
                                          "--budget", "200", "--as", admin)
    answer_no(monkeypatch)
    code, _, _ = run(capsys, "campaigns", "delete", c, row["id"], "--as", admin)
    assert code == 1 and Campaign.objects.get(pk=row["id"]).status == "ENABLE"
    ok(capsys, "campaigns", "delete", c, row["id"], "--yes", "--as", admin)
    assert Campaign.objects.get(pk=row["id"]).status == "DELETE"
    assert "cannot change any more" in refused(capsys, "campaigns", "enable", c, row["id"],
                                               "--as", admin)


def test_a_standard_members_change_becomes_a_request_an_admin_approves(shop, capsys):
    c, spring = shop.id, str(shop.book.spring.pk)
    out = ok(capsys, "campaigns", "update", c, spring, "--budget", "75", "--as", shop.operator)
    request = ChangeRequest.objects.get()
    assert f"Not applied yet: sent to the Admins as change request {request.pk}" in out
    assert Campaign.objects.get(pk=spring).budget is None  # nothing changed yet
    proposed = as_json(capsys, "campaigns", "pause", c, spring, "--as", shop.operator)
    assert proposed["applied"] is False and proposed["items"][0]["kind"] == "STATUS"

    inbox = as_json(capsys, "requests", "list", c, "--state", "pending", "--as", shop.admin)
    assert inbox["total"] == 2
    shown = as_json(capsys, "requests", "show", c, str(request.pk), "--as", shop.admin)
    assert shown[0]["changes"] == ["Budget: 75.00"] and shown[0]["proposed_by"] == \
        "Opal <op@agency.com>"
    # Only Admins decide; the author may look and withdraw.
    assert "Admin" in refused(capsys, "requests", "approve", c, str(request.pk), "--as",
                              shop.operator)
    done = as_json(capsys, "requests", "approve", c, str(request.pk), "--comment", "OK",
                   "--as", shop.admin)
    assert done[0]["state"] == "APPROVED" and done[0]["comment"] == "OK"
    assert Campaign.objects.get(pk=spring).budget == Decimal("75.00")
    assert "already approved" in refused(capsys, "requests", "approve", c, str(request.pk),
                                         "--as", shop.admin)
    status = ChangeRequest.objects.get(kind="STATUS")
    withdrawn = as_json(capsys, "requests", "withdraw", c, str(status.pk), "--as",
                        shop.operator)
    assert withdrawn[0]["state"] == "WITHDRAWN"
    assert "already withdrawn" in refused(capsys, "requests", "reject", c, str(status.pk),
                                          "--as", shop.admin)


def test_a_stale_request_is_refused_and_said_to_be_stale(shop, capsys):
    c, spring = shop.id, shop.book.spring
    operator = User.objects.get(email=shop.operator)
    proposal = campaigns.update_campaign(act(operator), shop.center, spring.pk,
                                         name="Spring sale EU")
    assert proposal.request is not None
    ok(capsys, "campaigns", "update", c, str(spring.pk), "--name", "Spring sale 2",
       "--as", shop.admin)
    pk = str(proposal.request.pk)
    out = ok(capsys, "requests", "show", c, pk, "--as", shop.admin)
    assert "approving it is refused" in out and "now Spring sale 2" in out
    err = refused(capsys, "requests", "approve", c, pk, "--as", shop.admin)
    assert "changed since this was proposed" in err
    assert ChangeRequest.objects.get(pk=pk).state == RequestState.PENDING
    assert Campaign.objects.get(pk=spring.pk).name == "Spring sale 2"
    rejected = as_json(capsys, "requests", "reject", c, pk, "--comment", "Redo it", "--as",
                       shop.admin)
    assert rejected[0]["state"] == "REJECTED"


# -- reports -------------------------------------------------------------------------------


def test_report_as_table_json_and_csv(shop, capsys, tmp_path):
    c, admin = shop.id, shop.admin
    span = ("--from", "2026-03-30", "--to", "2026-04-06")
    out = ok(capsys, "report", c, *span, "--as", admin)
    assert "total spend: 141.25 USD" in out and "2026-03-31" in out
    found = as_json(capsys, "report", c, *span, "--group", "week", "--as", admin)
    assert found["totals"]["spend"] == "141.25" and len(found["periods"]) == 2
    by_campaign = ok(capsys, "report", c, *span, "--by", "campaign", "--as", admin)
    assert by_campaign.index("Other brand") < by_campaign.index("Spring sale")
    one = as_json(capsys, "report", c, *span, "--campaign", str(shop.book.summer.pk),
                  "--as", admin)
    assert one["scope"] == "campaign" and one["totals"]["spend"] == "4.50"
    # A Standard member sees only their ad account's numbers.
    mine = as_json(capsys, "report", c, *span, "--as", shop.operator)
    assert mine["totals"]["spend"] == "41.25"

    target = tmp_path / "report.csv"
    assert ok(capsys, "report", c, *span, "--by", "campaign", "--csv", str(target), "--as",
              admin) == f"Wrote {target}\n"
    rows = list(csv.DictReader(target.open()))
    assert [r["campaign"] for r in rows] == ["Other brand", "Spring sale", "Summer teaser"]
    screen = ok(capsys, "report", c, *span, "--csv", "-", "--as", admin)
    assert screen.startswith("period_start,period_end,spend")

    assert "swap them" in refused(capsys, "report", c, "--from", "2026-04-06", "--to",
                                  "2026-03-30", "--as", admin)
    assert "'2026-02-30' is not a date" in refused(capsys, "report", c, "--from", "2026-02-30",
                                                  "--to", "2026-03-30", "--as", admin)
    assert "Pick the start date" in refused(capsys, "report", c, "--to", "2026-03-30",
                                            "--as", admin)
    assert "not both" in refused(capsys, "report", c, *span, "--campaign", "1",
                                 "--advertiser", "2", "--as", admin)
    bad = tmp_path / "bad.csv"
    assert "Analytics" in refused(capsys, "report", c, *span, "--csv", str(bad), "--as",
                                  shop.analyst)
    assert not bad.exists()  # a refusal leaves no file


def test_metrics_import_is_all_or_nothing(shop, capsys, tmp_path):
    c, spring = shop.id, str(shop.book.spring.pk)
    good = tmp_path / "metrics.csv"
    good.write_text(f"campaign_id,date,spend,impressions,clicks,conversions\n"
                    f"{spring},2026-04-02,3.00,300,3,0\n{spring},2026-03-30,12.00,1200,12,1\n")
    done = as_json(capsys, "metrics", "import", c, str(good), "--as", shop.admin)
    assert done == [{"rows": 2, "created": 1, "updated": 1, "campaigns": 1,
                     "first_day": "2026-03-30", "last_day": "2026-04-02"}]
    found = as_json(capsys, "report", c, "--from", "2026-03-30", "--to", "2026-04-06",
                    "--as", shop.admin)
    assert found["totals"]["spend"] == "146.25"  # 141.25 - 10.00 + 12.00 + 3.00
    bad = tmp_path / "bad.csv"
    bad.write_text(f"campaign_id,date,spend,impressions,clicks,conversions\n"
                   f"{spring},2026-04-03,1.00,1,1,1\n{spring},someday,x,1,1,1\n")
    err = refused(capsys, "metrics", "import", c, str(bad), "--as", shop.admin)
    assert "Nothing was imported: 1 of 2 rows need fixing" in err and "Row 3" in err
    assert shop.book.spring.metrics.filter(day="2026-04-03").count() == 0
    assert "Admin" in refused(capsys, "metrics", "import", c, str(good), "--as", shop.operator)
    assert "no such file" in refused(capsys, "metrics", "import", c, str(tmp_path / "none"),
                                     "--as", shop.admin)


# -- billing -------------------------------------------------------------------------------


def test_billing_top_up_limit_refund_and_export(shop, capsys, monkeypatch, tmp_path, owner):
    c, admin, main = shop.id, shop.admin, str(shop.book.main.pk)
    topped = as_json(capsys, "billing", "top-up", c, "1000", "--note", "Wire 42", "--as", admin)
    assert topped[0]["amount"] == "1000.00 USD" and topped[0]["balance_after"] == "1000.00 USD"
    out = ok(capsys, "billing", "balance", c, "--as", shop.analyst)  # analysts read
    assert "balance: 1000.00 USD" in out and "Main ads" in out

    # A Finance Analyst may not top up: refused, nothing written.
    err = refused(capsys, "billing", "top-up", c, "50", "--as", shop.analyst)
    assert "Finance" in err
    assert Transaction.objects.count() == 1
    assert "more than 2 decimals" in refused(capsys, "billing", "top-up", c, "1.234",
                                             "--as", admin)

    limited = as_json(capsys, "billing", "limit", c, main, "5000", "--as", admin)
    assert limited == [{"ad_account_id": main, "monthly_limit": "5000.00 USD"}]
    assert SpendingLimit.objects.get().amount == Decimal("5000.00")
    assert "or --remove" in refused(capsys, "billing", "limit", c, main, "--as", admin)
    as_json(capsys, "billing", "limit", c, main, "--remove", "--as", admin)
    assert not SpendingLimit.objects.exists()

    answer_no(monkeypatch)
    code, _, _ = run(capsys, "billing", "refund", c, "100", "--as", admin)
    assert code == 1 and Transaction.objects.count() == 1
    assert "cannot take more" in refused(capsys, "billing", "refund", c, "5000", "--yes",
                                         "--as", admin)
    refunded = as_json(capsys, "billing", "refund", c, "100", "--yes", "--as", admin)
    assert refunded[0]["amount"] == "-100.00 USD"

    ledger = as_json(capsys, "billing", "transactions", c, "--kind", "topup", "--as",
                     shop.analyst)
    assert [t["note"] for t in ledger["items"]] == ["Wire 42"]
    target = tmp_path / "ledger.csv"
    ok(capsys, "billing", "export", c, "-o", str(target), "--as", admin)
    rows = list(csv.DictReader(target.open()))
    assert [r["kind"] for r in rows] == ["TOPUP", "REFUND"]
    assert "swap them" in refused(capsys, "billing", "transactions", c, "--since", "2026-05-02",
                                  "--until", "2026-05-01", "--as", admin)
    assert "not a month" in refused(capsys, "billing", "invoice", c, "March", "--as", admin)
    assert as_json(capsys, "billing", "invoices", c, "--as", admin)["total"] == 0
    # Someone without a finance role sees no billing at all.
    assert refused(capsys, "billing", "balance", c, "--as", shop.operator)
    extra = create_asset(act(owner), shop.center, type="CATALOG", name="Shop catalog")
    assert "not an ad account" in refused(capsys, "billing", "limit", c, str(extra.pk), "10",
                                          "--as", admin)


def test_payment_settings_change_only_what_is_given(shop, capsys):
    c, admin, year = shop.id, shop.admin, date.today().year + 3
    made = as_json(capsys, "billing", "settings", c, "--contact-name", "Billing Team",
                   "--card-brand", "visa", "--card-last4", "4242", "--card-expires",
                   f"12/{year}", "--as", admin)
    assert made == [{"contact_name": "Billing Team", "contact_email": "",
                     "card": f"Visa •••• 4242, expires 12/{year}"}]
    changed = as_json(capsys, "billing", "settings", c, "--contact-email", "bills@brand.com",
                      "--as", admin)
    assert changed[0]["card"] == made[0]["card"]  # what is not given stays
    assert changed[0]["contact_name"] == "Billing Team"
    assert as_json(capsys, "billing", "settings", c, "--as", shop.analyst) == changed
    assert "never stores card numbers" in refused(
        capsys, "billing", "settings", c, "--card-last4", "4242424242424242", "--as", admin)
    assert "not MM/YYYY" in refused(capsys, "billing", "settings", c, "--card-expires", "2099",
                                    "--as", admin)
    assert "Finance Analysts" in refused(capsys, "billing", "settings", c, "--contact-name",
                                         "X", "--as", shop.analyst)
    gone = as_json(capsys, "billing", "settings", c, "--no-card", "--as", admin)
    assert gone[0]["card"] == "" and gone[0]["contact_email"] == "bills@brand.com"


def test_invoices_issued_once_paid_and_voided(shop, capsys, owner, monkeypatch):
    c, admin = shop.id, shop.admin
    last_month = (billing.today_in(shop.center).replace(day=1) - timedelta(days=1))
    spend(shop.center, shop.book.main, "12.50", last_month)
    month = f"{last_month:%Y-%m}"
    issued = as_json(capsys, "billing", "invoice", c, month, "--as", admin)
    assert issued[0]["amount"] == "12.50 USD" and issued[0]["status"] == "ISSUED"
    assert as_json(capsys, "billing", "invoice", c, month, "--as", admin) == issued  # once
    this_month = f"{billing.today_in(shop.center):%Y-%m}"
    assert "is not over yet" in refused(capsys, "billing", "invoice", c, this_month, "--as",
                                        admin)
    assert "Finance Analysts" in refused(capsys, "billing", "paid", c, issued[0]["id"], "--as",
                                         shop.analyst)
    answer_no(monkeypatch)
    code, _, _ = run(capsys, "billing", "void", c, issued[0]["id"], "--as", admin)
    assert code == 1 and Invoice.objects.get().status == "ISSUED"
    assert as_json(capsys, "billing", "paid", c, issued[0]["id"], "--as", admin)[0][
        "status"] == "PAID"
    assert "only an issued invoice" in refused(capsys, "billing", "void", c, issued[0]["id"],
                                               "--yes", "--as", admin)
    listed = as_json(capsys, "billing", "invoices", c, "--as", shop.analyst)
    assert [i["status"] for i in listed["items"]] == ["PAID"]


def test_billing_reconcile_checks_reports_against_billing_and_repairs(shop, capsys):
    c, admin = shop.id, shop.admin
    # The book's metrics are written straight into the table, as no door can: billing
    # never heard of them, and reconcile says so with exit code 1.
    code, out, _ = run(capsys, "billing", "reconcile", c, "--as", shop.analyst)
    assert code == 1 and "agree: no" in out and "NO" in out
    assert "Finance Analysts" in refused(capsys, "billing", "reconcile", c, "--repair",
                                         "--yes", "--as", shop.analyst)
    code, out, _ = run(capsys, "billing", "reconcile", c, "--repair", "--yes", "--as", admin)
    assert code == 0 and "agree: yes" in out
    found = as_json(capsys, "billing", "reconcile", c, "--as", shop.analyst)
    lines = found["items"]
    assert found["agree"] == "yes" and lines and all(line["agrees"] == "yes" for line in lines)
    main = [line for line in lines if line["ad_account"] == shop.book.main.name]
    assert main and all(line["reported"] == line["billed"] for line in main)
