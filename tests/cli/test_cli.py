"""The command line, run in-process through its real entry point."""

from __future__ import annotations

import json

import pytest

from bizcenter.centers.models import Membership, MembershipState
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant, invite
from tests.conftest import PASSWORD
from tests.support.cli import as_json, run


@pytest.fixture
def admin_args(owner, center) -> tuple[str, str]:
    return str(center.pk), owner.email


def test_help_is_everywhere(capsys):
    for command in ([], ["invite"], ["members"], ["members", "edit"], ["invitations", "resend"],
                    ["activity", "export"], ["serve"], ["create-user"]):
        code, out, _ = run(capsys, *command, "--help")
        assert code == 0
        assert "Usage" in out


def test_create_user_and_center(db, capsys):
    user = as_json(capsys, "create-user", "--email", "Boss@Brand.COM", "--name", "Boss",
                   "--password", PASSWORD)
    assert user[0]["email"] == "boss@brand.com"
    made = as_json(capsys, "create-center", "Brand", "--owner", "boss@brand.com",
                   "--currency", "eur", "--timezone", "Europe/Paris")
    assert made[0]["currency"] == "EUR"
    listed = as_json(capsys, "centers", "list", "--as", "boss@brand.com")
    assert [c["name"] for c in listed] == ["Brand"]
    assert listed[0]["members"] == 1


def test_bad_input_is_one_line_and_non_zero(db, capsys, admin_args):
    center_id, admin = admin_args
    code, out, err = run(capsys, "create-user", "--email", "not-an-email", "--password", PASSWORD)
    assert code == 1
    assert out == ""  # nothing a script would mistake for a result
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "not a valid email address" in err
    code, _, err = run(capsys, "create-center", "X", "--owner", admin, "--timezone", "Mars/Base")
    assert code == 1 and "is not a time zone" in err
    code, _, err = run(capsys, "members", "list", "999999", "--as", admin)
    assert code == 1 and "No Business Center with id 999999" in err
    code, _, err = run(capsys, "members", "list", center_id, "--as", "nobody@nowhere.com")
    assert code == 1 and "No account uses nobody@nowhere.com" in err
    code, _, err = run(capsys, "invite", center_id, "a@b.com", "--role", "boss", "--as", admin)
    assert code == 1 and "'boss' is not a valid role" in err
    code, _, err = run(capsys, "invite", center_id, "a@b.com", "--expires", "someday")
    assert code == 1 and "YYYY-MM-DD" in err


def test_invite_reports_each_address(db, capsys, admin_args):
    center_id, admin = admin_args
    code, out, _ = run(capsys, "invite", center_id, "ana@agency.com", "nope", "+14155550123",
                       "--role", "standard", "-m", "analytics", "-m", "campaigns",
                       "--kind", "agency", "--as", admin, "--json")
    assert code == 1  # one address was invalid
    data = json.loads(out)
    statuses = {r["address"]: r["status"] for r in data["items"]}
    assert statuses == {"ana@agency.com": "invited", "nope": "invalid",
                        "+14155550123": "invited"}
    assert data["summary"] == {"invalid": 1, "invited": 2}
    invitation = Invitation.objects.get(address="ana@agency.com")
    assert invitation.modules == ["ANALYTICS", "CAMPAIGNS"]
    assert invitation.kind == "agency"


def test_invite_from_csv_in_batches(db, capsys, admin_args, tmp_path):
    center_id, admin = admin_args
    path = tmp_path / "people.csv"
    rows = ["name,email"] + [f"Person {i},person{i}@agency.com" for i in range(120)]
    path.write_text("\n".join(rows) + "\n")
    code, out, err = run(capsys, "invite", center_id, "--csv", str(path), "--as", admin)
    assert code == 0, err
    assert "120 rows: 120 invited." in out
    assert Invitation.objects.filter(center_id=center_id).count() == 120
    code, _, err = run(capsys, "invite", center_id, "--csv", str(tmp_path / "missing.csv"))
    assert code == 1 and "no such file" in err


def test_invite_csv_reads_email_and_phone_columns_with_typed_ones(db, capsys, admin_args,
                                                                  tmp_path):
    center_id, admin = admin_args
    path = tmp_path / "people.csv"
    path.write_text("Name,Email,Phone\nAna,ana@agency.com,+14155550123\nBo,,+14155550124\n"
                    "Cy,ana@agency.com,\nDi,oops,\n")
    code, out, _ = run(capsys, "invite", center_id, "typed@agency.com", "--csv", str(path),
                         "--as", admin, "--json")
    assert code == 1  # a row to fix: the invalid one
    answer = json.loads(out)
    assert answer["total"] == 5 == sum(answer["summary"].values()) == len(answer["items"])
    assert answer["summary"] == {"duplicate": 1, "invalid": 1, "invited": 3}
    assert answer["items"][3]["row"] == 4
    assert "duplicate of row 2" in answer["items"][3]["message"]
    assert Invitation.objects.get(address="+14155550124").address_kind == "phone"
    assert not Invitation.objects.filter(address="+14155550123").exists()  # email preferred


def test_invite_csv_over_the_member_limit_is_refused_before_inviting(db, capsys, admin_args,
                                                                     tmp_path, settings):
    center_id, admin = admin_args
    settings.BIZCENTER_MAX_MEMBERS = 3
    path = tmp_path / "people.csv"
    path.write_text("".join(f"p{i}@agency.com\n" for i in range(5)))
    code, _, err = run(capsys, "invite", center_id, "--csv", str(path), "--as", admin)
    assert code == 1 and "would invite 5 new people" in err and "member seats" in err
    assert not Invitation.objects.filter(center_id=center_id).exists()


def test_invitations_list_resend_link_cancel(db, capsys, owner, center, admin_args):
    center_id, admin = admin_args
    [result] = invite(_admin(owner), center, ["dev@agency.com"])
    pk = str(result.invitation.pk)
    listed = as_json(capsys, "invitations", "list", center_id, "--as", admin)
    assert [i["address"] for i in listed["items"]] == ["dev@agency.com"]
    code, out, _ = run(capsys, "invitations", "link", center_id, pk, "--as", admin)
    assert code == 0 and out.strip() == result.link
    resent = as_json(capsys, "invitations", "resend", center_id, pk, "--as", admin)
    assert resent[0]["link"] != result.link
    code, out, _ = run(capsys, "invitations", "cancel", center_id, pk, "--yes", "--as", admin)
    assert code == 0
    assert Invitation.objects.get(pk=pk).state == InvitationState.CANCELLED
    code, _, err = run(capsys, "invitations", "cancel", center_id, pk, "--yes", "--as", admin)
    assert code == 1 and "already cancelled" in err


def _admin(owner):
    from tests.conftest import act

    return act(owner)


def _member(owner, center, make_user, email: str) -> Membership:
    from bizcenter.invitations.services import accept
    from tests.conftest import act

    [result] = invite(act(owner), center, [email], Grant(modules=("ANALYTICS",)))
    person = make_user(email)
    return accept(act(person), result.link.rstrip("/").rsplit("/", 1)[-1])


def test_members_list_edit_revoke(db, capsys, owner, center, make_user, admin_args):
    center_id, admin = admin_args
    member = _member(owner, center, make_user, "sam@agency.com")
    listed = as_json(capsys, "members", "list", center_id, "--as", admin, "--search", "sam")
    assert [m["email"] for m in listed["items"]] == ["sam@agency.com"]
    edited = as_json(capsys, "members", "edit", center_id, str(member.pk), "-m", "campaigns",
                     "-m", "billing", "--finance-role", "analyst", "--as", admin)
    assert edited[0]["modules"] == ["BILLING", "CAMPAIGNS"]
    assert edited[0]["finance_role"] == "ANALYST"
    # A Standard member may not manage members: refused, nothing changes.
    code, _, err = run(capsys, "members", "revoke", center_id, str(member.pk), "--yes",
                       "--as", "sam@agency.com")
    assert code == 1 and "Only Admins" in err
    code, _, _ = run(capsys, "members", "revoke", center_id, str(member.pk), "--yes",
                     "--as", admin)
    assert code == 0
    assert Membership.objects.get(pk=member.pk).state == MembershipState.REVOKED
    code, _, err = run(capsys, "members", "edit", center_id, str(owner.memberships.get().pk),
                       "--role", "standard", "--as", admin)
    assert code == 1 and "last Admin" in err


def test_activity_list_and_export(db, capsys, owner, center, admin_args, tmp_path):
    center_id, admin = admin_args
    invite(_admin(owner), center, ["x@agency.com"])
    listed = as_json(capsys, "activity", "list", center_id, "--category", "user", "--as", admin)
    assert {e["action"] for e in listed["items"]} >= {"invitation.sent", "member.added"}
    out_file = tmp_path / "log.csv"
    code, out, _ = run(capsys, "activity", "export", center_id, "--format", "csv",
                       "-o", str(out_file), "--as", admin)
    assert code == 0
    text = out_file.read_text()
    assert text.splitlines()[0].startswith("id,created_at,category,action")
    assert "invitation of x@agency.com" in text
    code, out, _ = run(capsys, "activity", "export", center_id, "--format", "json",
                       "--since", "2000-01-01", "--as", admin)
    lines = [json.loads(line) for line in out.splitlines()]
    assert all(e["category"] in {"USER", "BUSINESS"} for e in lines) and lines
    code, _, err = run(capsys, "activity", "export", center_id, "--format", "xml", "--as", admin)
    assert code == 1 and "Use csv or json" in err


def test_last_active_is_recorded_when_a_member_acts(db, capsys, owner, center, make_user):
    member = _member(owner, center, make_user, "active@agency.com")
    assert Membership.objects.get(pk=member.pk).last_active_at is None
    listed = as_json(capsys, "members", "list", str(center.pk), "--as", owner.email)
    # The Admin acted (listing), the new member has not yet.
    by_email = {m["email"]: m for m in listed["items"]}
    assert by_email[owner.email]["last_active"]
    assert by_email["active@agency.com"]["last_active"] == ""


def test_revoking_asks_first_saying_what_ends_with_the_access(db, capsys, owner, center,
                                                              make_user, admin_args,
                                                              monkeypatch):
    import io

    from bizcenter.accounts.tokens import create_token
    from tests.conftest import act, join

    center_id, admin = admin_args
    cora = make_user("cora@brand.com", name="Cora")
    membership = join(act(owner), center, cora, role="ADMIN")
    invite(act(cora), center, ["a@agency.com", "b@agency.com"])
    create_token(act(cora), center, "cora's script")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code, out, _ = run(capsys, "members", "revoke", center_id, str(membership.pk),
                       "--as", admin)
    assert code == 1
    assert ("(the 2 pending invitations they sent are cancelled; their 1 API token for it "
            "stops for good)") in out
    assert Membership.objects.get(pk=membership.pk).state == MembershipState.ACTIVE
    assert Invitation.objects.filter(state=InvitationState.PENDING).count() == 2
