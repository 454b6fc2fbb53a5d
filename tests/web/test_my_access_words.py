"""My access and a partner's detail answer "what can I do, where" in words.

The page groups a person's access by what they can do and on which assets, says where
it comes from (directly, through a group, shared by a partner), and keeps what they
cannot do in a collapsed list phrased for whoever reads it: the person asks a named
Admin; an Admin reading about them is told what to change, with a link to the form that
does. No internal code (an action, a role, a module) reaches the page.
"""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.http import HttpResponse

from bizcenter.access.actions import Action
from bizcenter.assets import groups as group_services
from bizcenter.assets import partners as partner_services
from bizcenter.assets.services import assign, create_asset
from tests.conftest import act, partner_up
from tests.support import web
from tests.support.web import logged_in, member, raw

admin, ads, other_center = web.admin, web.ads, web.other_center
pytestmark = pytest.mark.usefixtures("quick_hashing")

# What must never reach a person: every action code, the asset-role and module codes,
# the engine's "via" and the old verdict marks.
CODES = [a.value for a in Action] + [
    "OPERATOR", "ANALYST", "AD_PROMOTE", "ANALYTICS", "CAMPAIGNS", "via direct",
    "Denied", "✕", "role_too_low", "module_missing", "admins_only"]


def section(page: HttpResponse, css: str) -> str:
    """The words of one part of the access page (``can``, ``sources``, ``cannot``)."""
    found = re.search(rf'<(section|details) class="card {css}"[^>]*>(.*?)</\1>', raw(page),
                      re.S)
    assert found, f"no {css} part on the page"
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", found.group(2))).split())


def main(page: HttpResponse) -> str:
    body = re.search(r"<main[^>]*>(.*?)</main>", raw(page), re.S)
    html = body.group(1) if body else raw(page)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def assert_no_codes(page: HttpResponse) -> None:
    words = main(page)
    for code in CODES:
        assert code not in words, f"{code!r} on the page: {words}"


@pytest.fixture
def fr(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Brand Co FR")


@pytest.fixture
def de(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Brand Co DE")


def test_a_standard_member_reads_what_they_can_do_where(client, center, as_owner,
                                                        make_user, de, fr):
    bob = member(as_owner, center, make_user, "bob@agency.com",
                 modules=("ANALYTICS", "CAMPAIGNS"))
    assign(as_owner, center, bob.pk, de.pk, ["OPERATOR"])
    assign(as_owner, center, bob.pk, fr.pk, ["ANALYST"])
    client.force_login(bob.user)
    page = client.get(f"/c/{center.pk}/")
    assert page.status_code == 200
    can = section(page, "can")
    assert can.startswith("You can")
    assert "See reports — on Ad account Brand Co DE, Ad account Brand Co FR" in can
    assert "Propose campaign changes — on Ad account Brand Co DE An Admin approves" in can
    sources = section(page, "sources")
    assert "Ad account Brand Co DE — Operator, given directly" in sources
    assert "Ad account Brand Co FR — Analyst, given directly" in sources
    # What they cannot do is collapsed, and says whom to ask, by name.
    assert re.search(r'<details class="card cannot">', raw(page))
    cannot = section(page, "cannot")
    assert "What you cannot do" in cannot
    assert ("You are Analyst on Ad account Brand Co FR, which only views: to propose "
            "campaign changes there, ask Olivia Owner (Admin) to make you Operator.") in cannot
    assert ("Only Admins can see members, invite partners, edit and revoke members, "
            "manage assets and sharing, approve changes, read the activity log and change "
            "settings. If you need it done, ask Olivia Owner (Admin).") in cannot
    assert ("To see billing and change billing, ask Olivia Owner (Admin) for Billing "
            "access") in cannot
    assert "Standard members cannot change campaigns directly" in cannot
    assert "/edit/" not in raw(page)  # the fix is the Admin's to make, not a link here
    assert_no_codes(page)


def test_a_member_without_the_assets_module_is_not_told_both_yes_and_no(
        client, center, as_owner, make_user, de):
    """The old page said "See assets ✕" above "See assets ✓ Brand Co DE"."""
    bob = member(as_owner, center, make_user, "bob@agency.com", modules=("ANALYTICS",))
    assign(as_owner, center, bob.pk, de.pk, ["ANALYST"])
    client.force_login(bob.user)
    page = client.get(f"/c/{center.pk}/")
    assert "See assets — on Ad account Brand Co DE" in section(page, "can")
    assert "see assets" not in section(page, "cannot")
    assert ("To see campaigns, propose campaign changes and change campaigns directly, ask "
            "Olivia Owner (Admin) to add the Campaigns module to your access."
            ) in section(page, "cannot")
    assert_no_codes(page)


def test_an_admin_reads_what_a_partner_cannot_do_and_how_to_fix_it(admin, center, as_owner,
                                                                   make_user, de, fr):
    bob = member(as_owner, center, make_user, "bob@agency.com", kind="agency",
                 modules=("ANALYTICS",))
    assign(as_owner, center, bob.pk, de.pk, ["OPERATOR"])
    page = admin.get(f"/c/{center.pk}/partners/{bob.pk}/")
    assert page.status_code == 200
    assert section(page, "can").startswith("Bob can See reports — on Ad account Brand Co DE")
    cannot = section(page, "cannot")
    assert "What Bob cannot do" in cannot
    assert ("Bob cannot see campaigns, propose campaign changes and change campaigns "
            "directly — give Bob the Campaigns module. Edit Bob's access") in cannot
    assert "Fix: ask an Admin" not in cannot and "your access" not in cannot
    assert "ask Olivia" not in cannot  # the Admin reading is the one who fixes it
    edit = f'href="/c/{center.pk}/partners/{bob.pk}/edit/">Edit Bob\'s access</a>'
    assert edit in raw(page)
    assert_no_codes(page)


def test_an_admin_reads_a_view_only_role_with_a_link_to_the_asset(admin, center, as_owner,
                                                                  make_user, de):
    bob = member(as_owner, center, make_user, "bob@agency.com", modules=("CAMPAIGNS",))
    assign(as_owner, center, bob.pk, de.pk, ["ANALYST"])
    page = admin.get(f"/c/{center.pk}/partners/{bob.pk}/")
    cannot = section(page, "cannot")
    assert ("Bob cannot propose campaign changes on Ad account Brand Co DE: Bob is Analyst "
            "there, which only views — make Bob Operator. Open Ad account Brand Co DE"
            ) in cannot
    assert f'href="/c/{center.pk}/assets/{de.pk}/">Open Ad account Brand Co DE' in raw(page)
    assert_no_codes(page)


def test_group_access_says_which_group(client, center, as_owner, make_user, de, fr):
    bob = member(as_owner, center, make_user, "bob@agency.com", modules=("ANALYTICS",))
    retail = group_services.create_group(as_owner, center, "Retail", [de.pk, fr.pk])
    group_services.set_member(as_owner, center, retail.pk, bob.pk, {"ADVERTISER": "OPERATOR"})
    assign(as_owner, center, bob.pk, de.pk, ["ANALYST"])
    client.force_login(bob.user)
    page = client.get(f"/c/{center.pk}/")
    assert "See reports — on Ad account Brand Co DE, Ad account Brand Co FR" in section(
        page, "can")
    sources = section(page, "sources")
    assert ("Ad account Brand Co DE — Operator, given directly and through the group Retail"
            in sources)
    assert "Ad account Brand Co FR — Operator, through the group Retail" in sources
    assert_no_codes(page)


def test_a_partner_shared_asset_says_who_shares_it(client, center, as_owner, make_user,
                                                   other_center, de):
    """An agency's member reaches what the brand shares with the agency: the page says it
    is shared by the brand, and who can raise it."""
    boss = other_center.memberships.get().user
    partner_up(as_owner, center, other_center)
    partner_services.share(as_owner, center, other_center.public_id, de.pk, "ANALYST")
    wes = member(act(boss), other_center, make_user, "wes@agency.com",
                 modules=("ANALYTICS", "CAMPAIGNS"))
    assign(act(boss), other_center, wes.pk, de.pk, ["ANALYST"])
    client.force_login(wes.user)
    page = client.get(f"/c/{other_center.pk}/")
    assert "See reports — on Ad account Brand Co DE" in section(page, "can")
    assert ("Ad account Brand Co DE — Analyst, shared by partner Brand Co"
            in section(page, "sources"))
    assert ("Brand Co shares Ad account Brand Co DE with Agency Inc only as Analyst: to "
            "propose campaign changes there, ask Bo Boss (Admin) to ask Brand Co for "
            "Operator.") in section(page, "cannot")
    assert_no_codes(page)
    # The agency's Admin reads their own access to it, and gets the Ask for access link.
    bosses = logged_in(boss)
    mine = bosses.get(f"/c/{other_center.pk}/")
    assert "Do everything in Agency Inc, on every asset it owns" in section(mine, "can")
    assert ("Brand Co shares Ad account Brand Co DE with Agency Inc only as Analyst: to "
            "propose campaign changes and change campaigns directly there, ask Brand Co for "
            "Operator (Ask for access, on the Partner Business Centers page). Ask Brand Co for "
            "Operator") in section(mine, "cannot")
    assert 'class="ask-owner"' in raw(mine)
    assert_no_codes(mine)


def test_an_admins_own_page_is_one_line_not_thirteen(admin, center, ads):
    page = admin.get(f"/c/{center.pk}/")
    can = section(page, "can")
    assert can == "You can Do everything in Brand Co, on every asset it owns"
    assert "As an Admin, you reach every asset Brand Co owns." in section(page, "sources")
    assert 'class="card cannot"' not in raw(page)  # nothing to collapse
    assert_no_codes(page)


def test_a_revoked_members_detail_says_so_to_the_admin(admin, center, as_owner, make_user):
    from bizcenter.centers.services import revoke_member

    bob = member(as_owner, center, make_user, "bob@agency.com")
    revoke_member(as_owner, center, bob.pk)
    page = admin.get(f"/c/{center.pk}/partners/{bob.pk}/")
    cannot = section(page, "cannot")
    assert "Bob's access to Brand Co was revoked: Bob reaches nothing in it." in cannot
    assert f'href="/c/{center.pk}/partners/add/">Add Partners' in raw(page)
    assert_no_codes(page)
