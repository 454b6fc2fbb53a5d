"""The command line against a real server (``--url``/``--token``), through its API.

Each command must print what it prints on the local database for the same data,
end with one ``error:`` line on a refusal, and touch nothing local.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import create_token, revoke_token
from bizcenter.assets import partners
from bizcenter.assets.models import Asset
from bizcenter.assets.services import assign, create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import Membership
from bizcenter.centers.services import create_center
from bizcenter.cli import common
from bizcenter.cli.invitations import batch_key
from bizcenter.cli.remote import api_base, path
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import invite
from tests.conftest import act, join, partner_up
from tests.support.cli import _clean, one_line_error, remote, run, same  # noqa: F401 (fixtures)


@pytest.fixture
def world(live_server, owner, center, make_user):
    """A Business Center with a Standard member, an asset, a pending invitation and a
    partner; tokens for its Admin and for the member."""
    sam = join(act(owner), center, make_user("sam@agency.com", name="Sam"),
               modules=("ANALYTICS", "CAMPAIGNS"))
    acct = create_asset(act(owner), center, type="ADVERTISER", name="Brand account")
    create_asset(act(owner), center, type="CATALOG", name="Spring catalog")
    assign(act(owner), center, sam.pk, acct.pk, ["ANALYST"])
    invite(act(owner), center, ["pending@agency.com", "+14155550123"])
    boss = make_user("boss@agency.com", name="Boss")
    agency = create_center(act(boss), name="Agency")
    partner_up(act(owner), center, agency)
    partners.share(act(owner), center, agency.public_id, acct.pk, "OPERATOR")
    return {
        "url": live_server.url,
        "center": str(center.pk),
        "agency": str(agency.pk),
        "agency_public_id": agency.public_id,
        "owner": owner.email,
        "boss": boss.email,
        "sam": sam,
        "sam_email": "sam@agency.com",
        "acct": str(acct.pk),
        "admin_token": create_token(act(owner), center, "cli").secret,
        "sam_token": create_token(act(sam.user), center, "sam's script").secret,
        "boss_token": create_token(act(boss), agency, "agency script").secret,
    }


def test_reads_print_what_the_local_database_prints(world, capsys, no_local):
    c = world["center"]
    # The first call of each person marks them active; afterwards both doors agree.
    same(capsys, world, "centers", "show", c)
    for json_flag in ([], ["--json"]):
        assert "Brand Co" in same(capsys, world, "centers", "list", *json_flag)
        same(capsys, world, "centers", "show", c, *json_flag)
        out = same(capsys, world, "members", "list", c, "--state", "all", *json_flag)
        assert "sam@agency.com" in out
        same(capsys, world, "members", "list", c, "--search", "sam", "--page-size", "1",
             *json_flag)
        out = same(capsys, world, "invitations", "list", c, "--status", "all", *json_flag)
        assert "pending@agency.com" in out
        assert "Brand account" in same(capsys, world, "assets", "list", c, *json_flag)
        same(capsys, world, "assets", "list", c, "--type", "catalog", *json_flag)
        assert "Agency" in same(capsys, world, "partners", "list", c, *json_flag)
        out = same(capsys, world, "partners", "received", world["agency"], *json_flag,
                   token="boss_token", person="boss")
        assert "Brand Co" in out
        assert "sam@agency.com" in same(capsys, world, "review", c, *json_flag)
        same(capsys, world, "activity", "list", c, "--category", "user", *json_flag)
        out = same(capsys, world, "why", "sam@agency.com", "campaign.edit",
                   f"asset:{world['acct']}", *json_flag)
        assert "role_too_low" in out
        same(capsys, world, "why", "sam@agency.com", "billing.view", f"center:{c}", *json_flag)
    listed = json.loads(same(capsys, world, "centers", "list", "--json"))
    assert listed[0]["members"] == 2
    # A Standard member may ask about themself through the API as on the command line.
    same(capsys, world, "why", "sam@agency.com", "campaign.view", f"asset:{world['acct']}",
               token="sam_token", person="sam_email")


def test_exports_are_the_same_file(world, capsys, tmp_path, no_local):
    c = world["center"]
    for fmt in ("csv", "json"):
        text = same(capsys, world, "activity", "export", c, "--format", fmt,
                    "--since", "2000-01-01")
        assert "invitation.sent" in text
    code, out, _ = remote(capsys, world, "activity", "export", c, "-o",
                          str(tmp_path / "log.csv"), "--category", "asset")
    assert code == 0 and "Wrote" in out
    lines = (tmp_path / "log.csv").read_text().splitlines()
    assert lines[0].startswith("id,created_at,category,action") and len(lines) > 1
    err = one_line_error(remote(capsys, world, "activity", "export", c, "--format", "xml",
                                "-o", str(tmp_path / "bad.xml")))
    assert "csv or json" in err
    assert not (tmp_path / "bad.xml").exists()  # a refusal leaves no file


def test_changes_through_the_api(world, capsys, no_local):
    c, sam = world["center"], world["sam"]
    code, out, err = remote(capsys, world, "members", "edit", c, str(sam.pk), "-m", "billing",
                            "-m", "campaigns", "--finance-role", "analyst", "--expires",
                            "2099-01-31", "--json")
    assert code == 0, err
    edited = json.loads(out)[0]
    assert edited["modules"] == ["BILLING", "CAMPAIGNS"] and edited["finance_role"] == "ANALYST"
    assert edited["last_day"] == "2099-01-31"  # the day given, inclusive
    assert edited["expires_at"] == "2099-02-01T00:00:00Z"  # a UTC center: next midnight
    member = Membership.objects.get(pk=sam.pk)
    assert member.modules == ["BILLING", "CAMPAIGNS"] and member.expires_at is not None
    # The same edit again prints the same thing both ways.
    same(capsys, world, "members", "edit", c, str(sam.pk), "--no-expiry", "--json")
    assert Membership.objects.get(pk=sam.pk).expires_at is None

    code, out, err = remote(capsys, world, "centers", "update", c, "--allowed-domains",
                            "agency.com, brand.com", "--currency", "eur", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["allowed_domains"] == "agency.com, brand.com"
    assert json.loads(out)[0]["currency"] == "EUR"
    code, out, _ = remote(capsys, world, "centers", "update", c, "--allowed-domains", "")
    assert code == 0 and "agency.com" not in out

    code, out, err = remote(capsys, world, "assets", "create", c, "PIXEL", "Site pixel",
                            "--json")
    assert code == 0, err
    pixel = json.loads(out)[0]["id"]
    code, out, _ = remote(capsys, world, "assets", "update", c, pixel, "--name", "Shop pixel")
    assert code == 0 and "Shop pixel" in out
    code, out, err = remote(capsys, world, "assets", "assign", c, str(sam.pk), pixel)
    assert code == 0 and "Sam <sam@agency.com>" in out and "Pixel Shop pixel" in out, err
    code, out, _ = remote(capsys, world, "assets", "unassign", c, str(sam.pk), pixel)
    assert code == 0 and out == "Unassigned.\n"
    code, out, _ = remote(capsys, world, "assets", "delete", c, pixel, "--yes")
    assert code == 0 and out == "Deleted Pixel Shop pixel.\n"
    assert not Asset.objects.filter(pk=pixel).exists()

    agency = world["agency_public_id"]  # other Business Centers: by public id only
    code, out, _ = remote(capsys, world, "partners", "share", c, agency, world["acct"],
                          "-r", "analyst")
    assert code == 0 and out == "Ad account Brand account shared as ANALYST.\n"
    code, out, _ = remote(capsys, world, "partners", "unshare", c, agency, world["acct"], "-y")
    assert code == 0 and out == "Unshared.\n"
    code, out, _ = remote(capsys, world, "partners", "end", c, agency, "--yes")
    assert code == 0 and out == "Partnership ended.\n"
    code, out, _ = remote(capsys, world, "partners", "request", c, agency)
    assert code == 0 and out.endswith(f"sent to Business Center {agency}; it waits for "
                                      "their Admins.\n")

    pending = Invitation.objects.get(address="pending@agency.com")
    code, out, _ = remote(capsys, world, "invitations", "resend", c, str(pending.pk), "--json")
    assert code == 0 and "/invite/" in json.loads(out)[0]["link"]
    assert Invitation.objects.get(pk=pending.pk).resend_count == 1
    code, out, _ = remote(capsys, world, "invitations", "cancel", c, str(pending.pk), "--yes")
    assert code == 0 and "cancelled" in out.lower()
    assert Invitation.objects.get(pk=pending.pk).state == InvitationState.CANCELLED

    code, out, _ = remote(capsys, world, "members", "revoke", c, str(sam.pk), "--yes")
    assert code == 0 and "REVOKED" in out
    # Every change went through the API door, and the log says so.
    vias = set(AuditEvent.objects.filter(via="api").values_list("action", flat=True))
    assert {"member.updated", "asset.created", "member.revoked"} <= vias


def test_refusals_are_one_line_and_non_zero(world, capsys, no_local, owner):
    c, sam = world["center"], world["sam"]
    err = one_line_error(remote(capsys, world, "members", "list", c, token="bzc_nope_nope"))
    assert "That API token is not valid" in err
    # A Standard member: the engine's own reason, as on the local database.
    far = one_line_error(remote(capsys, world, "members", "revoke", c, str(sam.pk), "--yes",
                                token=world["sam_token"]))
    common.use_server(None, None)
    local = one_line_error(run(capsys, "members", "revoke", c, str(sam.pk), "--yes",
                               "--as", "sam@agency.com"))
    assert far == local and "Only Admins" in far
    # Unknown ids: the same 404 message as locally.
    for args in (["members", "edit", c, "999999", "--role", "admin"],
                 ["invitations", "cancel", c, "999999", "--yes"],
                 ["assets", "update", c, "999999", "--name", "x"]):
        far = one_line_error(remote(capsys, world, *args))
        local = one_line_error(run(capsys, *args, "--as", owner.email))
        assert far == local, args
    err = one_line_error(remote(capsys, world, "members", "list", "999999"))
    assert "No Business Center with id 999999 is visible to this token" in err
    err = one_line_error(remote(capsys, world, "invite", c, "a@b.com", "--role", "boss"))
    assert "'boss' is not a valid role" in err
    # A read-only token may read, not write.
    reader = create_token(act(owner), sam.center, "reader", read_only=True).secret
    code, _, _ = remote(capsys, world, "members", "list", c, token=reader)
    assert code == 0
    err = one_line_error(remote(capsys, world, "assets", "create", c, "PIXEL", "x",
                                token=reader))
    assert "read-only" in err
    old = create_token(act(owner), sam.center, "gone")
    revoke_token(act(owner), old.token.pk)
    err = one_line_error(remote(capsys, world, "centers", "list", token=old.secret))
    assert "was revoked" in err


def test_what_remote_mode_refuses(world, capsys, no_local):
    c = world["center"]
    err = one_line_error(remote(capsys, world, "members", "list", c, "--as", world["owner"]))
    assert "--as" in err and "token decides who acts" in err
    err = one_line_error(run(capsys, "--url", world["url"], "members", "list", c))
    assert "needs an API token" in err
    for args in (["serve"], ["worker", "--batch"], ["migrate"],
                 ["create-user", "--email", "x@y.com", "--password", "p"],
                 ["create-center", "X", "--owner", "x@y.com"]):
        err = one_line_error(remote(capsys, world, *args))
        assert "runs on the server itself" in err, args
    err = one_line_error(run(capsys, "--url", "ftp://example.com", "--token", "t",
                             "centers", "list"))
    assert "is not the address of a server" in err
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    err = one_line_error(run(capsys, "--url", f"http://127.0.0.1:{closed}", "--token", "t",
                             "centers", "list"))
    assert "cannot reach http://127.0.0.1" in err
    # Not the API: the page's own status, with a hint.
    err = one_line_error(run(capsys, "--url", f"{world['url']}/nowhere", "--token", "t",
                             "centers", "list"))
    assert "HTTP 404" in err and "bizcenter server" in err
    common.use_server(None, None)
    err = one_line_error(run(capsys, "--token", "t", "centers", "list"))
    assert "--token goes with --url" in err


def test_invite_a_csv_of_120_as_one_keyed_import(world, capsys, tmp_path, no_local,
                                                  run_worker):
    c = world["center"]
    sheet = tmp_path / "people.csv"
    sheet.write_text("name,email\n" + "".join(f"P{i},p{i}@agency.com\n" for i in range(120)))
    before = Invitation.objects.count()
    args = ("invite", c, "--csv", str(sheet), "--kind", "agency", "-m", "campaigns",
            "--no-wait", "--json")
    code, out, err = remote(capsys, world, *args)
    assert code == 0, err
    queued = json.loads(out)
    assert (queued["state"], queued["total"], queued["seats"]) == ("QUEUED", 120, 120)
    run_worker()  # the server's worker
    code, out, err = remote(capsys, world, "invitations", "import", c, queued["import_id"])
    assert code == 0, err
    assert "120 rows: 120 invited." in out and "Invitations to Brand Co" in out
    made = Invitation.objects.filter(address__regex=r"^p[0-9]+@agency\.com$")
    assert made.count() == 120 == Invitation.objects.count() - before
    assert set(made.values_list("kind", flat=True)) == {"agency"}

    # The same command again: it carries the same key, the server replays its first
    # answer (the same import), and nobody is invited twice, even someone cancelled.
    cancelled = made.get(address="p7@agency.com")
    invite_cancel = run(capsys, "--url", world["url"], "--token", world["admin_token"],
                        "invitations", "cancel", c, str(cancelled.pk), "--yes")
    assert invite_cancel[0] == 0
    code, out, _ = remote(capsys, world, *args)
    assert code == 0 and json.loads(out)["import_id"] == queued["import_id"]
    run_worker()
    assert Invitation.objects.count() - before == 120
    # A new key imports the file again on purpose: the server's own rules then apply.
    code, out, _ = remote(capsys, world, *args, "--idempotency-key", "again")
    again = json.loads(out)["import_id"]
    assert again != queued["import_id"]
    run_worker()
    code, out, _ = remote(capsys, world, "invitations", "import", c, again, "--json")
    answer = json.loads(out)
    assert answer["summary"] == {"already_invited": 119, "invited": 1}
    assert len(answer["items"]) == 120 and answer["items"][0]["row"] == 2
    assert Invitation.objects.filter(address="p7@agency.com").count() == 2


def test_invite_reports_each_address(world, capsys, no_local):
    c = world["center"]
    code, out, _ = remote(capsys, world, "invite", c, "ana@agency.com", "nope", "+14155550199",
                          "--role", "standard", "-m", "analytics", "-m", "campaigns", "--json")
    assert code == 1  # one address was invalid, as locally
    data = json.loads(out)
    assert {r["address"]: r["status"] for r in data["items"]} == {
        "ana@agency.com": "invited", "nope": "invalid", "+14155550199": "invited"}
    assert data["summary"] == {"invalid": 1, "invited": 2}
    assert Invitation.objects.get(address="ana@agency.com").modules == ["ANALYTICS",
                                                                        "CAMPAIGNS"]
    # The table and its summary line, as locally.
    code, out, _ = remote(capsys, world, "invite", c, "ana@agency.com")
    assert code == 0 and "1 already invited" in out


def test_batch_keys_follow_the_content():
    body = {"addresses": ["a@b.com"], "role": "STANDARD"}
    assert batch_key("1", body, "") == batch_key("1", dict(body), "")
    assert batch_key("1", body, "") != batch_key("2", body, "")
    assert batch_key("1", body, "") != batch_key("1", body, "again")
    assert batch_key("1", body, "") != batch_key("1", {**body, "role": "ADMIN"}, "")
    assert len(batch_key("1", body, "")) <= 200
    assert api_base("https://bc.example.com/") == "https://bc.example.com/api/v1"
    assert api_base("https://bc.example.com/api/v1/") == "https://bc.example.com/api/v1"
    assert path("centers", "1/../2", "members") == "/centers/1%2F..%2F2/members"


def test_environment_instead_of_options(world, capsys, monkeypatch, no_local):
    monkeypatch.setenv("BIZCENTER_URL", world["url"])
    monkeypatch.setenv("BIZCENTER_TOKEN", world["admin_token"])
    monkeypatch.setenv("BIZCENTER_CENTER", world["center"])
    code, out, err = run(capsys, "members", "list", "--json")
    assert code == 0, err
    assert {m["email"] for m in json.loads(out)["items"]} == {"owner@brand.com",
                                                              "sam@agency.com"}
    # BIZCENTER_AS means nothing to a server: refused, not silently ignored.
    monkeypatch.setenv("BIZCENTER_AS", world["owner"])
    err = one_line_error(run(capsys, "centers", "list"))
    assert "BIZCENTER_AS" in err


def test_a_remote_command_needs_no_local_database(world, tmp_path):
    """A separate process with an empty data folder and an unreachable database."""
    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "BIZCENTER_DATA_DIR": str(data),
           "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",
           "BIZCENTER_URL": world["url"], "BIZCENTER_TOKEN": world["admin_token"]}
    done = subprocess.run(
        [sys.executable, "-m", "bizcenter", "assets", "list", world["center"], "--json"],
        env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert {a["name"] for a in json.loads(done.stdout)["items"]} == {"Brand account",
                                                                     "Spring catalog"}
    assert list(Path(data).iterdir()) == []  # no database, no secret key: nothing local


def test_labels_read_from_the_api_match_the_models(db, owner, center, make_user):
    """Labels the remote side rebuilds from the API's JSON are the models' own."""
    from bizcenter.api.schemas import AssetOut, PersonOut
    from bizcenter.assets.kinds import AssetType

    for user in (owner, make_user("plain@agency.com"), make_user(phone="+14155550100")):
        person = PersonOut(id=str(user.pk), name=user.name, email=user.email,
                           phone=user.phone)
        assert common.person_label(person.model_dump(mode="json")) == user.label
    for kind in AssetType.values:
        asset = create_asset(act(owner), center, type=kind, name=f"Own {kind}")
        shown = AssetOut.of(asset, asset.center_id).model_dump(mode="json")
        assert common.asset_label(shown) == str(asset)


def test_links_through_the_api_are_the_links_the_messages_carry(world, capsys, no_local):
    c = world["center"]
    pending = Invitation.objects.get(address="pending@agency.com")
    code, out, _ = remote(capsys, world, "invitations", "link", c, str(pending.pk))
    assert code == 0
    local = run(capsys, "invitations", "link", c, str(pending.pk), "--as", world["owner"])
    assert out == local[1] and "/invite/" in out
    code, out, _ = remote(capsys, world, "invite", c, "new@agency.com", "--links", "--json")
    row = json.loads(out)["items"][0]
    assert code == 0 and row["status"] == "invited" and "/invite/" in row["link"]
    # A resend answers the new link; the one printed before it stops working.
    code, out, _ = remote(capsys, world, "invitations", "resend", c, row["invitation_id"],
                          "--json")
    fresh = json.loads(out)[0]["link"]
    assert code == 0 and fresh != row["link"]
    code, out, _ = remote(capsys, world, "invitations", "link", c, row["invitation_id"])
    assert out.strip() == fresh
    # A link is a secret: a read-only token is told so, in one line, and gets none.
    reader = create_token(act(User.objects.get(email=world["owner"])),
                          Membership.objects.get(pk=world["sam"].pk).center, "reader",
                          read_only=True).secret
    err = one_line_error(remote(capsys, world, "invitations", "link", c, row["invitation_id"],
                                token=reader))
    assert "read-only API token cannot read invitation links" in err and "/invite/" not in err
    # A cancelled invitation has no link: one line saying so.
    assert remote(capsys, world, "invitations", "cancel", c, str(pending.pk), "--yes")[0] == 0
    err = one_line_error(remote(capsys, world, "invitations", "link", c, str(pending.pk)))
    assert "cancelled" in err
