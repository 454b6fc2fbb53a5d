"""bc/member/get|invite|update|delete/ in TikTok's documented shapes (the SDK 1.0.1 has no
member endpoints): PENDING, BOUND and UNBOUND members, the seat limits as error codes,
the explain text on refusals, and a 4,000-member list paged 50 at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bizcenter.audit.models import AuditEvent
from bizcenter.centers import seats
from bizcenter.centers.models import Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from bizcenter.invitations.services import Grant
from tests.conftest import join


def invite(client, center, emails, **extra):
    return client.post("bc/member/invite/", {"bc_id": str(center.pk), "emails": emails,
                                             **extra})


def test_invite_then_list_pending_and_bound_members(admin, center, ads, make_user):
    data = admin.ok("POST", "bc/member/invite/", bc_id=str(center.pk),
                    emails=["new@agency.com"], user_role="STANDARD",
                    ext_user_role={"finance_role": "ANALYST"}, asset_type="ADVERTISER",
                    asset_ids=[str(ads.pk)], advertiser_role="OPERATOR")
    assert data["results"][0]["status"] == "INVITED"
    invitation = Invitation.objects.get(address="new@agency.com")
    assert (invitation.role, invitation.finance_role) == ("STANDARD", "ANALYST")
    assert invitation.assets == [{"asset_id": ads.pk, "roles": ["OPERATOR"]}]
    assert AuditEvent.objects.filter(action="invitation.sent", via="tiktok-api").exists()

    listed = admin.ok("GET", "bc/member/get/", bc_id=center.pk)
    assert listed["page_info"] == {"page": 1, "page_size": 10, "total_number": 2,
                                   "total_page": 1}
    owner, pending = listed["list"]
    assert owner["relation_status"] == "BOUND" and owner["user_role"] == "ADMIN"
    assert owner["user_email"] == "owner@brand.com" and owner["user_id"].isdigit()
    assert pending == {"user_id": None, "user_name": "", "user_email": "new@agency.com",
                       "user_phone": None, "relation_status": "PENDING",
                       "user_role": "STANDARD", "ext_user_role": {"finance_role": "ANALYST"},
                       "membership_last_day": None}
    only_pending = admin.ok("GET", "bc/member/get/", bc_id=center.pk,
                            filtering={"relation_status": "PENDING"})
    assert [m["user_email"] for m in only_pending["list"]] == ["new@agency.com"]
    admins = admin.ok("GET", "bc/member/get/", bc_id=center.pk,
                      filtering={"user_role": "ADMIN"})
    assert [m["user_email"] for m in admins["list"]] == ["owner@brand.com"]
    found = admin.ok("GET", "bc/member/get/", bc_id=center.pk, filtering={"keyword": "new@"})
    assert [m["relation_status"] for m in found["list"]] == ["PENDING"]


def test_update_and_delete_members(admin, center, as_owner, make_user):
    person = make_user("sam@agency.com", name="Sam")
    membership = join(as_owner, center, person)
    member_id = str(membership.pk)
    admin.ok("POST", "bc/member/update/", bc_id=str(center.pk), user_id=member_id,
             user_role="ADMIN", ext_user_role={"finance_role": "MANAGER"})
    membership.refresh_from_db()
    assert (membership.role, membership.finance_role) == ("ADMIN", "MANAGER")
    admin.ok("POST", "bc/member/update/", bc_id=str(center.pk), user_id=member_id,
             ext_user_role={"finance_role": "NONE"}, user_name="Sam")
    membership.refresh_from_db()
    assert membership.finance_role == ""
    renamed = admin.post("bc/member/update/", bc_id=str(center.pk), user_id=member_id,
                         user_name="Someone else")
    assert renamed["code"] == 40002 and "sets their own name" in renamed["message"]

    admin.ok("POST", "bc/member/delete/", bc_id=str(center.pk), user_id=member_id)
    membership.refresh_from_db()
    assert membership.state == "REVOKED"
    gone = admin.ok("GET", "bc/member/get/", bc_id=center.pk,
                    filtering={"relation_status": "UNBOUND"})
    assert [(m["user_id"], m["relation_status"]) for m in gone["list"]] == [
        (member_id, "UNBOUND")]
    again = admin.post("bc/member/delete/", bc_id=str(center.pk), user_id=member_id)
    assert again["code"] == 40002 and "already revoked" in again["message"]


def test_a_membership_past_its_end_time_is_unbound(admin, center, as_owner, make_user):
    ended = join(as_owner, center, make_user("ended@agency.com"))
    Membership.objects.filter(pk=ended.pk).update(expires_at=timezone.now() - timedelta(days=1))
    bound = admin.ok("GET", "bc/member/get/", bc_id=center.pk,
                     filtering={"relation_status": "BOUND"})
    assert [m["user_email"] for m in bound["list"]] == ["owner@brand.com"]
    unbound = admin.ok("GET", "bc/member/get/", bc_id=center.pk,
                       filtering={"relation_status": "UNBOUND"})
    assert [(m["user_email"], m["relation_status"]) for m in unbound["list"]] == [
        ("ended@agency.com", "UNBOUND")]


def test_pending_members_filtered_by_role_are_paged_by_the_database(admin, center, as_owner):
    invitations.invite(as_owner, center, [f"a{i}@agency.com" for i in range(3)],
                       Grant(role="ADMIN"))
    invitations.invite(as_owner, center, [f"s{i}@agency.com" for i in range(4)])
    page = admin.ok("GET", "bc/member/get/", bc_id=center.pk, page_size=2,
                    filtering={"relation_status": "PENDING", "user_role": "ADMIN"})
    assert page["page_info"]["total_number"] == 3 and len(page["list"]) == 2
    assert all(m["user_role"] == "ADMIN" for m in page["list"])
    both = admin.ok("GET", "bc/member/get/", bc_id=center.pk, page_size=50,
                    filtering={"user_role": "STANDARD"})
    assert sorted(m["user_email"] for m in both["list"]) == [f"s{i}@agency.com"
                                                              for i in range(4)]


def test_delete_by_email_revokes_a_member_or_cancels_an_invitation(admin, center, as_owner,
                                                                   make_user):
    join(as_owner, center, make_user("joined@agency.com"))
    invitations.invite(as_owner, center, ["waiting@agency.com"])
    admin.ok("POST", "bc/member/delete/", bc_id=str(center.pk), user_email="Joined@Agency.com")
    assert Membership.objects.get(user__email="joined@agency.com").state == "REVOKED"
    admin.ok("POST", "bc/member/delete/", bc_id=str(center.pk), user_email="waiting@agency.com")
    assert Invitation.objects.get(address="waiting@agency.com").state == "CANCELLED"
    unknown = admin.post("bc/member/delete/", bc_id=str(center.pk),
                         user_email="nobody@agency.com")
    assert unknown["code"] == 40007
    missing = admin.post("bc/member/delete/", bc_id=str(center.pk))
    assert missing["code"] == 40002


def test_the_last_admin_cannot_be_removed(admin, center, owner):
    mine = str(owner.memberships.get().pk)
    refused = admin.post("bc/member/delete/", bc_id=str(center.pk), user_id=mine)
    assert refused["code"] == 40002
    assert "last Admin of Brand Co" in refused["message"]


def test_a_standard_member_is_refused_with_the_explain_text(tik, center, operator_token):
    standard = tik(operator_token)
    listing = standard.get("bc/member/get/", bc_id=center.pk)
    assert listing["code"] == 40001
    assert listing["message"] == ("Only Admins of Brand Co can see members; you are "
                                  "a Standard member. Ask an Admin of Brand Co to do it, or "
                                  "to make you an Admin.")
    inviting = invite(standard, center, ["friend@agency.com"])
    assert inviting["code"] == 40001 and "can invite partners" in inviting["message"]
    assert not Invitation.objects.filter(address="friend@agency.com").exists()


def test_an_invite_call_reports_each_address(admin, center, as_owner, make_user):
    join(as_owner, center, make_user("member@agency.com"))
    partly = invite(admin, center, ["ok@agency.com", "member@agency.com", "not an address"])
    assert partly["code"] == 20001
    assert partly["message"].startswith("Partially OK: 1 of 3 invited.")
    assert "member@agency.com is already a member" in partly["message"]
    assert [r["status"] for r in partly["data"]["results"]] == [
        "INVITED", "ALREADY_MEMBER", "INVALID"]
    none = invite(admin, center, ["not an address"])
    assert none["code"] == 40002 and "neither an email address nor a phone" in none["message"]
    empty = invite(admin, center, [])
    assert empty["code"] == 40002 and "emails is required" in empty["message"]


def test_the_20_admin_limit_is_an_error_code(admin, center, as_owner, make_user):
    nineteen = [f"admin{i}@agency.com" for i in range(19)]
    filled = invite(admin, center, nineteen, user_role="ADMIN")
    assert filled["code"] == 0
    assert seats.count(center).admins == 20
    refused = invite(admin, center, ["twenty.first@agency.com"], user_role="ADMIN")
    assert refused["code"] == 40002
    assert "Admin limit reached" in refused["message"]
    assert "20 of 20 Admin seats" in refused["message"]
    # Promoting a Standard member is refused for the same limit, with the same words.
    member = join(as_owner, center, make_user("std@agency.com"))
    promoted = admin.post("bc/member/update/", bc_id=str(center.pk), user_id=str(member.pk),
                          user_role="ADMIN")
    assert promoted["code"] == 40002 and "20 of 20 Admin seats" in promoted["message"]
    member.refresh_from_db()
    assert member.role == "STANDARD"


@pytest.mark.slow
def test_4000_members_the_limit_and_every_page(admin, center, as_owner, settings):
    """The owner and 3,999 pending invitations fill the 4,000 seats (built through the
    service, 50 addresses a call, as test_limits does); the 4,001st is refused as an
    error code, and bc/member/get pages through all 4,000: 80 pages of 50."""
    assert settings.BIZCENTER_MAX_MEMBERS == 4000
    everyone = [f"person{i}@agency.com" for i in range(3999)]
    for start in range(0, len(everyone), 50):
        results = invitations.invite(as_owner, center, everyone[start:start + 50],
                                     Grant(role="STANDARD"))
        assert all(r.ok for r in results)
    assert seats.count(center).members == 4000

    refused = invite(admin, center, ["one.too.many@agency.com"])
    assert refused["code"] == 40002
    assert "Member limit reached" in refused["message"]
    assert "4000 of 4000 member seats" in refused["message"]

    seen: list[str] = []
    pages = 0
    page = 1
    while True:
        data = admin.ok("GET", "bc/member/get/", bc_id=center.pk, page=page, page_size=50)
        info = data["page_info"]
        assert info["total_number"] == 4000 and info["total_page"] == 80
        assert info["page"] == page and info["page_size"] == 50
        pages += 1
        seen += [m["user_email"] for m in data["list"]]
        if page == info["total_page"]:
            break
        assert len(data["list"]) == 50
        page += 1
    assert pages == 80
    assert len(seen) == len(set(seen)) == 4000
    assert set(seen) == {"owner@brand.com", *everyone}
    beyond = admin.ok("GET", "bc/member/get/", bc_id=center.pk, page=81, page_size=50)
    assert beyond["list"] == [] and beyond["page_info"]["total_number"] == 4000
    too_big = admin.get("bc/member/get/", bc_id=center.pk, page_size=51)
    assert too_big["code"] == 40002 and "between 1 and 50" in too_big["message"]


def test_another_business_centers_members_are_40007(admin, rival, center):
    other, _, boss = rival
    listing = admin.get("bc/member/get/", bc_id=other.pk)
    assert listing["code"] == 40007
    theirs = str(boss.memberships.get().pk)
    revoking = admin.post("bc/member/delete/", bc_id=str(center.pk), user_id=theirs)
    assert revoking["code"] == 40007
    assert boss.memberships.get().state == "ACTIVE"
    across = admin.post("bc/member/delete/", bc_id=str(other.pk), user_id=theirs)
    assert across["code"] == 40007


def test_a_revoked_members_token_stops_on_the_next_call(tik, center, as_owner, operator,
                                                        operator_token):
    standard = tik(operator_token)
    assert standard.get("bc/get/")["code"] == 0
    from bizcenter.centers.services import revoke_member

    revoke_member(as_owner, center, operator.memberships.get().pk)
    after = standard.get("bc/get/")
    assert after["code"] == 40105  # the token was revoked with the member


