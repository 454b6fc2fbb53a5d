"""The partner Business Centers pages of web/partner_centers.py: asking for access,
approving, sharing and ending a partnership.

Every test drives the real pages with Django's test client over the real
database; state is built with the services, as the product itself builds it.
Each page is tried on its good path and on the ways a person gets it wrong:
the error must be readable, beside the field it is about, with what was typed
kept, and at a 4xx status; a Standard member gets a helpful 403, an outsider 404.
"""

from __future__ import annotations

import pytest

from bizcenter.assets import partners as partner_services
from bizcenter.assets.models import (
    AccessRequest,
    AssetGrant,
    PartnerShare,
    Partnership,
)
from bizcenter.assets.services import assign
from bizcenter.centers.models import BusinessCenter
from tests.conftest import act, partner_up
from tests.support import web
from tests.support.web import (
    answer_box,
    field_error,
    flash,
    logged_in,
    member,
    plain,
    raw,
    table_rows,
    text,
)

# The center page tests' fixtures, shared through tests/support/web.py.
admin, ads, other_center = web.admin, web.ads, web.other_center

# These tests are about pages, not passwords: sign-up need not run Argon2.
pytestmark = pytest.mark.usefixtures("quick_hashing")


# -- partner Business Centers ------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "status", "says"), [
    ("own", 400, "That is this Business Center's own id"),
    ("999999", 400, "'999999' is not a Business Center id: it has 19 digits."),
    ("agency", 400, "'agency' is not a Business Center id"),
    ("", 400, "This field is required."),
])
def test_a_partner_request_explains_a_wrong_id(admin, center, typed, status, says):
    value = center.public_id if typed == "own" else typed
    page = admin.post(f"/c/{center.pk}/partner-centers/",
                      {"step": "request", "partner_id": value})
    assert page.status_code == status
    assert says in field_error(page, "partner_id") or says in text(page)
    if value:
        assert f'value="{value}"' in raw(page)
    assert not Partnership.objects.exists()


def test_a_made_up_id_and_a_real_one_get_the_same_page(admin, center, other_center):
    base = f"/c/{center.pk}/partner-centers/"
    pages = []
    for public_id in (other_center.public_id, "1234567890123456789"):
        sent = admin.post(base, {"step": "request", "partner_id": public_id})
        assert sent.status_code == 302
        pages.append(flash(admin.get(base)).replace(public_id, "{id}"))
    assert pages[0] == pages[1]
    assert "Nothing is shared until its Admins accept" in pages[0]
    # Until they accept, the brand's page shows only the id it typed, never a name.
    waiting = plain(admin.get(base))
    assert other_center.public_id in waiting and "Agency Inc" not in waiting
    again = admin.post(base, {"step": "request", "partner_id": other_center.public_id})
    assert again.status_code == 409 and "already asked" in text(again)


def test_a_partnership_from_request_to_end_in_the_browser(admin, center, make_user,
                                                         other_center, ads):
    base = f"/c/{center.pk}/partner-centers/"
    boss = other_center.memberships.get().user
    worker = member(act(boss), other_center, make_user, "wes@agency.com",
                    modules=("CAMPAIGNS",))
    page = admin.get(base)
    assert f'value="{center.public_id}"' in raw(page)  # the id to hand over, to copy
    admin.post(base, {"step": "request", "partner_id": f" {other_center.public_id} ",
                      "message": "Run our spring ads?"})
    # The agency's Admin sees the brand's name and message, and accepts.
    bosses = logged_in(boss)
    theirs = f"/c/{other_center.pk}/partner-centers/"
    asked = plain(bosses.get(theirs))
    assert "Requests waiting for you" in asked and "Brand Co" in asked
    assert "Run our spring ads?" in asked and "wants to share its assets" in asked
    [request] = Partnership.objects.filter(status="PENDING")
    # Declining asks first.
    asking = bosses.post(theirs, {"step": "decline", "request": str(request.pk)})
    assert "Decline the request of Brand Co?" in text(asking)
    assert Partnership.objects.get().status == "PENDING"
    accepted = bosses.post(theirs, {"step": "accept", "request": str(request.pk)})
    assert accepted.status_code == 302
    assert "You are now partners with Brand Co" in flash(bosses.get(theirs))
    # The brand now sees the agency's name, and shares with approval required.
    assert "Agency Inc" in plain(admin.get(base))
    shared = admin.post(base, {"step": "share", "other": other_center.public_id,
                               f"asset_{ads.pk}": "OPERATOR", "needs_approval": "on"})
    assert shared.status_code == 302
    mine = admin.get(base)
    assert (f"Shared Main ads · ad account · {ads.pk} as Operator: campaign changes need "
            "your approval.") in flash(mine)
    assert f"Main ads · ad account · {ads.pk} · OPERATOR · changes need your approval" in plain(
        mine)
    received = plain(bosses.get(theirs)).split("Shared with Agency Inc", 1)[1]
    assert "From Brand Co" in received and "Ad account Main ads · OPERATOR" in received
    assert "campaign changes need Brand Co's approval" in received
    assign(act(boss), other_center, worker.pk, ads.pk, ["ANALYST"])
    wes = logged_in(worker.user)
    assert wes.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 200
    # The agency removes the asset from its side, after confirming.
    assert "Remove Ad account Main ads from your side?" in text(
        bosses.post(theirs, {"step": "drop", "other": center.public_id, "asset": str(ads.pk)}))
    dropped = bosses.post(theirs, {"step": "drop", "other": center.public_id,
                                   "asset": str(ads.pk), "confirmed": "1"})
    assert dropped.status_code == 302
    assert wes.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 404
    assert not AssetGrant.objects.exists()
    # The brand shares it again, then ends the partnership, after confirming.
    admin.post(base, {"step": "share", "other": other_center.public_id,
                      f"asset_{ads.pk}": "ANALYST"})
    confirm = admin.post(base, {"step": "end", "other": other_center.public_id})
    assert "End the partnership with Agency Inc?" in text(confirm)
    assert Partnership.objects.exists()
    ended = admin.post(base, {"step": "end", "other": other_center.public_id,
                              "confirmed": "1"})
    assert ended.status_code == 302
    assert "Partnership ended" in flash(admin.get(base))
    assert not Partnership.objects.exists() and not PartnerShare.objects.exists()
    assert bosses.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 404


def test_an_agency_asks_for_access_and_the_brand_approves_lower(admin, center, other_center,
                                                                ads):
    boss = other_center.memberships.get().user
    bosses = logged_in(boss)
    ask = f"/c/{other_center.pk}/partner-centers/ask/"
    form = bosses.get(f"{ask}?owner={center.public_id}&asset={ads.pk}&role=OPERATOR")
    assert form.status_code == 200 and f'value="{center.public_id}"' in raw(form)
    bad = bosses.post(ask, {"owner_id": "12", "asset_ids": str(ads.pk), "role": "OPERATOR"})
    assert bad.status_code == 400 and "19 digits" in field_error(bad, "owner_id")
    sent = bosses.post(ask, {"owner_id": center.public_id, "asset_ids": str(ads.pk),
                             "role": "OPERATOR", "message": "For spring"})
    assert sent.status_code == 302
    assert "nothing is shared until its Admins accept" in flash(
        bosses.get(f"/c/{other_center.pk}/partner-centers/"))
    base = f"/c/{center.pk}/partner-centers/"
    asked = plain(admin.get(base))
    assert "Agency Inc" in asked and "asks to work on Brand Co's assets" in asked
    [request] = Partnership.objects.all()
    admin.post(base, {"step": "accept", "request": str(request.pk)})
    page = plain(admin.get(base))
    assert "Partners asking for access" in page and "as OPERATOR" in page
    [access] = AccessRequest.objects.all()
    too_high = admin.post(base, {"step": "approve", "request": str(access.pk),
                                 "roles": "ADMIN"})
    assert too_high.status_code == 400 and "that role or a lower one" in flash(too_high)
    approved = admin.post(base, {"step": "approve", "request": str(access.pk),
                                 "roles": "ANALYST"})
    assert approved.status_code == 302
    assert "Shared Ad account Main ads as ANALYST." in flash(admin.get(base))
    assert PartnerShare.objects.get().roles == ["ANALYST"]


def test_partner_steps_refused_by_the_service_are_errors(admin, center, other_center, ads):
    base = f"/c/{center.pk}/partner-centers/"
    not_partner = admin.post(base, {"step": "end", "other": other_center.public_id,
                                    "confirmed": "1"})
    assert not_partner.status_code == 404
    assert "has no partnership with Business Center" in flash(not_partner)
    assert admin.post(base, {"step": "unshare", "other": "x", "asset": str(ads.pk),
                             "confirmed": "1"}).status_code == 400
    stale = admin.post(base, {"step": "share", "other": other_center.public_id,
                              f"asset_{ads.pk}": "ANALYST"})
    assert stale.status_code == 404
    assert "send a partner request first" in flash(stale)
    assert admin.post(base, {"step": "accept", "request": "999"}).status_code == 404
    assert not PartnerShare.objects.exists()


def test_a_partners_admin_sees_what_members_really_hold_after_a_lower_share(
    admin, center, as_owner, make_user, other_center, ads
):
    boss = other_center.memberships.get().user
    worker = member(act(boss), other_center, make_user, "wes@agency.com",
                    modules=("CAMPAIGNS",))
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "OPERATOR")
    assign(act(boss), other_center, worker.pk, ads.pk, ["OPERATOR"])
    # The owner lowers the share: the partner's member is an analyst from now on.
    lowered = admin.post(f"/c/{center.pk}/partner-centers/", {
        "step": "share", "other": other_center.public_id, f"asset_{ads.pk}": "ANALYST"})
    assert lowered.status_code == 302
    bosses = logged_in(boss)
    rows = table_rows(bosses.get(f"/c/{other_center.pk}/assets/{ads.pk}/"))
    [wes] = [r for r in rows if "wes@agency.com" in r]
    assert "Analyst" in wes and "Operator" not in wes
    [me] = [r for r in rows if "boss@agency.com" in r]
    assert "Analyst" in me and "Admin" in me
    # Issue 21: the member reads who shares it and whom to ask, in words.
    mine = plain(logged_in(worker.user).get(f"/c/{other_center.pk}/"))
    assert ("Brand Co shares Ad account Main ads with Agency Inc only as Analyst: to propose "
            "campaign changes there, ask Bo Boss (Admin) to ask Brand Co for Operator.") in mine
    # The troubleshooter of the partner answers about the shared account in its own terms.
    said = answer_box(bosses.get(f"/c/{other_center.pk}/troubleshoot/", {
        "person": "wes@agency.com", "action": "campaign.propose",
        "resource": f"asset:{ads.pk}"}))
    assert said.startswith("No: Wes cannot propose campaign changes on Ad account Main ads")
    assert "role_too_low" not in said and "ask Brand Co for Operator" in said


def test_only_the_owner_changes_a_shared_ad_accounts_status(admin, center, as_owner,
                                                            other_center, ads):
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "ADMIN")
    bosses = logged_in(other_center.memberships.get().user)
    page = bosses.post(f"/c/{other_center.pk}/assets/{ads.pk}/", {"step": "status",
                                                                  "status": "CLOSED"})
    assert page.status_code == 404
    assert f"No asset with id {ads.pk} in Agency Inc" in text(page)
    ads.refresh_from_db()
    assert ads.status == "ACTIVE"


def test_the_partners_member_cannot_open_the_partner_pages(client, center, as_owner,
                                                           make_user, other_center, ads):
    boss = other_center.memberships.get().user
    worker = member(act(boss), other_center, make_user, "wes@agency.com")
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, ads.pk, "ANALYST")
    client.force_login(worker.user)
    assert client.get(f"/c/{other_center.pk}/partner-centers/").status_code == 403
    assert client.get(f"/c/{center.pk}/partner-centers/").status_code == 404
    assert client.get(f"/c/{other_center.pk}/assets/{ads.pk}/").status_code == 404
    assert BusinessCenter.objects.count() == 2
