"""The business commands against a real server (``--url``/``--token``): asset groups,
campaigns and change requests, reports and billing print what they print on the local
database, refusals are one ``error:`` line, and nothing local is touched."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from bizcenter.accounts.tokens import create_token
from bizcenter.assets import groups
from bizcenter.assets.models import AssetGroup
from bizcenter.billing import services as billing
from bizcenter.billing.models import SpendingLimit, Transaction
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign, ChangeRequest, RequestState
from tests.conftest import act, join
from tests.support.cli import _clean, one_line_error, remote, run, same  # noqa: F401
from tests.support.reporting import build_book

pytestmark = pytest.mark.usefixtures("quick_hashing", "no_local")
SPAN = ("--from", "2026-03-30", "--to", "2026-04-06")


@pytest.fixture
def shop(live_server, owner, center, make_user):
    """Two ad accounts with a week of numbers, an asset group, a Standard OPERATOR with a
    pending proposal, a Finance Analyst, money on the balance; a token for each person."""
    book = build_book(act(owner), center)
    operator = make_user("op@agency.com", name="Opal")
    seat = join(act(owner), center, operator, modules=("CAMPAIGNS", "ANALYTICS"),
                assets={book.main.pk: ["OPERATOR"]})
    analyst = make_user("ana@brand.com", name="Ana")
    join(act(owner), center, analyst, modules=("BILLING",), finance_role="ANALYST")
    group = groups.create_group(act(owner), center, "EU agency", [book.main.pk])
    groups.set_member(act(owner), center, group.pk, seat.pk, {"ADVERTISER": ["OPERATOR"]})
    proposal = campaigns.update_campaign(act(operator), center, book.spring.pk, budget="75")
    billing.top_up(act(owner), center, "1000", "Wire 42")
    return {
        "url": live_server.url,
        "center": str(center.pk),
        "owner": owner.email,
        "op": operator.email,
        "ana": analyst.email,
        "main": str(book.main.pk),
        "second": str(book.second.pk),
        "spring": str(book.spring.pk),
        "summer": str(book.summer.pk),
        "group": str(group.pk),
        "seat": str(seat.pk),
        "proposal": str(proposal.request.pk) if proposal.request else "",
        "admin_token": create_token(act(owner), center, "cli").secret,
        "op_token": create_token(act(operator), center, "mine").secret,
        "ana_token": create_token(act(analyst), center, "mine").secret,
    }


@pytest.mark.slow  # some 25 commands, each run twice
def test_reads_print_what_the_local_database_prints(shop, capsys):
    c = shop["center"]
    same(capsys, shop, "centers", "show", c)  # the first call marks the person active
    # The tables; a table is drawn from the rows --json prints, so the JSON is compared
    # where it is more than those rows (a report) and once per kind of row.
    assert "EU agency" in same(capsys, shop, "groups", "list", c)
    assert "OPERATOR" in same(capsys, shop, "groups", "show", c, shop["group"], "--json")
    assert "Spring sale" in same(capsys, shop, "campaigns", "list", c)
    same(capsys, shop, "campaigns", "list", c, "--advertiser", shop["main"], "--page-size",
         "1", "--json")
    same(capsys, shop, "campaigns", "show", c, shop["summer"])
    assert "75.00" in same(capsys, shop, "requests", "list", c)
    same(capsys, shop, "requests", "show", c, shop["proposal"], "--json")
    same(capsys, shop, "requests", "list", c, "--mine", token="op_token", person="op")
    for flag in ([], ["--json"]):
        assert "141.25" in same(capsys, shop, "report", c, *SPAN, *flag)
        same(capsys, shop, "report", c, *SPAN, "--campaign", shop["spring"], "--group", "week",
             *flag)
    same(capsys, shop, "report", c, *SPAN, "--group", "month", "--by", "campaign")
    same(capsys, shop, "report", c, *SPAN, "--by", "account")
    same(capsys, shop, "report", c, *SPAN, "--advertiser", shop["second"])
    assert "41.25" in same(capsys, shop, "report", c, *SPAN, token="op_token", person="op")
    assert "1000.00 USD" in same(capsys, shop, "billing", "balance", c, token="ana_token",
                                 person="ana")
    assert "Wire 42" in same(capsys, shop, "billing", "transactions", c, "--json")
    same(capsys, shop, "billing", "invoices", c)
    for by in ("period", "campaign"):
        text = same(capsys, shop, "report", c, *SPAN, "--by", by, "--csv", "-")
        assert "141.25" not in text and ("Other brand" in text) == (by == "campaign")
    assert "Wire 42" in same(capsys, shop, "billing", "export", c)


def test_changes_through_the_api(shop, capsys):
    c = shop["center"]
    # Groups.
    code, out, err = remote(capsys, shop, "groups", "create", c, "Video team", "-a",
                            shop["second"], "--json")
    assert code == 0, err
    made = json.loads(out)[0]["id"]
    code, _, err = remote(capsys, shop, "groups", "set-member", c, made, shop["seat"])
    assert code == 0, err
    assert AssetGroup.objects.get(pk=made).members.get().roles == {"ADVERTISER": ["ANALYST"]}
    code, out, _ = remote(capsys, shop, "groups", "add-asset", c, made, shop["main"])
    assert code == 0 and AssetGroup.objects.get(pk=made).assets.count() == 2
    code, _, _ = remote(capsys, shop, "groups", "remove-asset", c, made, shop["main"], "--yes")
    assert code == 0 and AssetGroup.objects.get(pk=made).assets.count() == 1
    code, out, _ = remote(capsys, shop, "groups", "remove-member", c, made, shop["seat"],
                          "--yes")
    assert code == 0 and out == "Removed from the group.\n"
    code, out, _ = remote(capsys, shop, "groups", "delete", c, made, "--yes")
    assert code == 0 and out == "Deleted the asset group 'Video team'.\n"
    assert not AssetGroup.objects.filter(pk=made).exists()
    # Putting a member in again, and setting a limit to what it is, change nothing: the
    # same output both ways.
    same(capsys, shop, "groups", "set-member", c, shop["group"], shop["seat"], "-r",
         "advertiser=operator")
    same(capsys, shop, "billing", "limit", c, shop["main"], "500", "--json")
    assert str(SpendingLimit.objects.get().amount) == "500.00"

    # Campaigns: an Admin's change is applied.
    code, out, err = remote(capsys, shop, "campaigns", "create", c, shop["main"], "Autumn",
                            "--objective", "reach", "--budget", "40", "--json")
    assert code == 0, err
    autumn = json.loads(out)
    assert autumn["applied"] is True and autumn["items"][0]["budget"] == "40.00 USD"
    code, out, _ = remote(capsys, shop, "campaigns", "pause", c, autumn["items"][0]["id"])
    assert code == 0 and "DISABLE" in out and "applied: True" in out

    # A Standard member's change becomes a change request, and says so.
    code, out, err = remote(capsys, shop, "campaigns", "update", c, shop["summer"], "--name",
                            "Summer EU", token=shop["op_token"])
    assert code == 0, err
    request = ChangeRequest.objects.get(campaign_id=shop["summer"])
    assert f"Not applied yet: sent to the Admins as change request {request.pk}" in out
    assert Campaign.objects.get(pk=shop["summer"]).name == "Summer teaser"
    err = one_line_error(remote(capsys, shop, "requests", "approve", c, str(request.pk),
                                token=shop["op_token"]))
    assert "Admin" in err
    code, out, err = remote(capsys, shop, "requests", "approve", c, str(request.pk),
                            "--comment", "Fine", "--json")
    assert code == 0 and json.loads(out)[0]["state"] == "APPROVED", err
    assert Campaign.objects.get(pk=shop["summer"]).name == "Summer EU"

    # A stale request is refused and stays pending.
    code, _, _ = remote(capsys, shop, "campaigns", "update", c, shop["spring"], "--budget",
                        "90")
    assert code == 0
    err = one_line_error(remote(capsys, shop, "requests", "approve", c, shop["proposal"]))
    assert "changed since this was proposed" in err
    assert ChangeRequest.objects.get(pk=shop["proposal"]).state == RequestState.PENDING
    code, out, _ = remote(capsys, shop, "requests", "withdraw", c, shop["proposal"],
                          token=shop["op_token"])
    assert code == 0 and "WITHDRAWN" in out

    # Billing: a Finance Analyst may not top up; nothing is written.
    err = one_line_error(remote(capsys, shop, "billing", "top-up", c, "50",
                                token=shop["ana_token"]))
    assert "Finance Analysts can view billing but not change it" in err
    assert Transaction.objects.count() == 1
    code, out, _ = remote(capsys, shop, "billing", "top-up", c, "50", "--json")
    assert code == 0 and json.loads(out)[0]["balance_after"] == "1050.00 USD"
    code, out, _ = remote(capsys, shop, "billing", "refund", c, "25", "--yes", "--json")
    assert code == 0 and json.loads(out)[0]["amount"] == "-25.00 USD"
    code, _, _ = remote(capsys, shop, "billing", "limit", c, shop["main"], "--remove")
    assert code == 0 and not SpendingLimit.objects.exists()
    year = str(date.today().year + 3)
    code, _, err = remote(capsys, shop, "billing", "settings", c, "--contact-name", "Bills",
                          "--card-brand", "amex", "--card-last4", "0005", "--card-expires",
                          f"1/{year}")
    assert code == 0, err
    code, _, _ = remote(capsys, shop, "billing", "settings", c, "--contact-email",
                        "bills@brand.com")
    assert code == 0
    shown = json.loads(same(capsys, shop, "billing", "settings", c, "--json",
                            token="ana_token", person="ana"))
    assert shown == [{"contact_name": "Bills", "contact_email": "bills@brand.com",
                      "card": f"American Express •••• 0005, expires 01/{year}"}]


def test_metrics_import_through_the_api(shop, capsys, tmp_path):
    c, summer = shop["center"], shop["summer"]
    header = "campaign_id,date,spend,impressions,clicks,conversions\n"
    good = tmp_path / "metrics.csv"
    good.write_text(f"{header}{summer},2026-04-02,3.00,300,3,0\n")
    code, out, err = remote(capsys, shop, "metrics", "import", c, str(good), "--json")
    assert code == 0, err
    assert json.loads(out)[0]["created"] == 1
    assert "144.25" in same(capsys, shop, "report", c, *SPAN)
    # A bad file is refused in the same words both ways, and nothing is written.
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{header}{summer},2026-04-03,1.00,1,1,1\n{summer},2026-04-04,-5,1,1,1\n")
    local = run(capsys, "metrics", "import", c, str(bad), "--as", shop["owner"])
    assert "Nothing was imported" in one_line_error(local)
    assert remote(capsys, shop, "metrics", "import", c, str(bad)) == local
    assert "Admin" in one_line_error(remote(capsys, shop, "metrics", "import", c, str(good),
                                            token=shop["op_token"]))
    assert "144.25" in same(capsys, shop, "report", c, *SPAN)


def test_refusals_are_one_line_and_change_nothing(shop, capsys, monkeypatch, tmp_path):
    c = shop["center"]
    err = one_line_error(remote(capsys, shop, "report", c, "--from", "2026-04-06", "--to",
                                "2026-03-30"))
    assert "swap them" in err
    err = one_line_error(remote(capsys, shop, "report", c, "--from", "2026-04-06", "--to",
                                "2028-04-06"))
    assert "at most 731 days" in err
    bad = tmp_path / "report.csv"
    err = one_line_error(remote(capsys, shop, "report", c, *SPAN, "--csv", str(bad),
                                token=shop["ana_token"]))
    assert "Analytics" in err and not bad.exists()  # a refusal leaves no file
    err = one_line_error(remote(capsys, shop, "billing", "balance", c, token=shop["op_token"]))
    assert "no finance role" in err
    err = one_line_error(remote(capsys, shop, "groups", "list", c, token=shop["op_token"]))
    assert "Only Admins" in err
    assert "Renamed team" in same(capsys, shop, "groups", "rename", c, shop["group"],
                                  "Renamed team")
    other = one_line_error(remote(capsys, shop, "groups", "rename", c, shop["group"], " "))
    assert "needs a name of 1 to 100 characters" in other
    err = one_line_error(remote(capsys, shop, "campaigns", "create", c, shop["main"], "X"))
    assert "give --objective" in err
    err = one_line_error(remote(capsys, shop, "campaigns", "update", c, shop["spring"],
                                "--budget", "0.001"))
    assert "more than 2 decimals" in err
    err = one_line_error(remote(capsys, shop, "billing", "refund", c, "5000", "--yes"))
    assert "cannot take more" in err
    # Without --yes, a "no" stops before anything is sent.
    for command in (["groups", "delete", c, shop["group"]],
                    ["groups", "remove-member", c, shop["group"], shop["seat"]],
                    ["campaigns", "delete", c, shop["spring"]],
                    ["billing", "refund", c, "10"]):
        monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
        code, _, _ = remote(capsys, shop, *command)
        assert code == 1, command
    assert AssetGroup.objects.get(pk=shop["group"]).members.count() == 1
    assert Campaign.objects.get(pk=shop["spring"]).status == "ENABLE"
    assert Transaction.objects.count() == 1
