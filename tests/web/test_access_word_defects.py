"""The smaller wording defects of issue 21, one test each: module codes in the
invitation email, action codes in refusal messages, the sidebar marking the wrong
section, and a breadcrumb to a page the person may not open."""

from __future__ import annotations

import re

import pytest

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.access.rules import TEXTS
from bizcenter.assets.services import assign
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.support import web
from tests.support.web import current_section, logged_in, member, raw, text

admin, ads = web.admin, web.ads
pytestmark = pytest.mark.usefixtures("quick_hashing")

CODES = [a.value for a in Action]


def test_the_invitation_email_names_the_modules_not_their_codes(center, as_owner, run_worker,
                                                                 mailbox):
    invitations.invite(as_owner, center, ["ana@agency.com"],
                       Grant(modules=("ANALYTICS", "CAMPAIGNS")))
    run_worker()
    [email] = mailbox
    assert "as Standard (Analytics, Campaigns)." in email.body
    [(html, _)] = email.alternatives
    assert "(Analytics, Campaigns)" in html
    assert "ANALYTICS" not in email.body + html and "CAMPAIGNS" not in email.body + html


def test_no_refusal_a_standard_member_reads_names_an_action_code(center, as_owner, make_user,
                                                                  ads):
    std = member(as_owner, center, make_user, "std@agency.com")
    for action in Action:
        for resource in (center, ads):
            decision = check(std.user, action, resource, within=center)
            said = " ".join((*decision.reasons, decision.fix))
            assert not any(code in said for code in CODES), (action, said)
    assert not any(f"({code})" in TEXTS[key] for key in TEXTS for code in CODES)


def test_an_admin_page_refused_says_what_in_words(client, center, as_owner, make_user):
    std = member(as_owner, center, make_user, "std@agency.com")
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/settings/")
    assert page.status_code == 403
    assert "Only Admins of Brand Co can change settings; you are a Standard member." in text(
        page)
    assert "settings.manage" not in text(page)


def test_each_page_marks_its_own_section_not_my_access(client, center, as_owner, make_user,
                                                       ads):
    """A Standard member on an asset page (the Assets section is not theirs) or on a page
    they were refused was shown "My access" as the current section."""
    std = member(as_owner, center, make_user, "std@agency.com", modules=("ANALYTICS",))
    assign(as_owner, center, std.pk, ads.pk, ["ANALYST"])
    client.force_login(std.user)
    assert current_section(client.get(f"/c/{center.pk}/")) == "My access"
    assert current_section(client.get(f"/c/{center.pk}/partners/{std.pk}/")) == "My access"
    assert current_section(client.get(f"/c/{center.pk}/reports/")) == "Reports"
    asset_page = client.get(f"/c/{center.pk}/assets/{ads.pk}/")
    assert asset_page.status_code == 200
    assert current_section(asset_page) is None
    refused = client.get(f"/c/{center.pk}/settings/")
    assert refused.status_code == 403 and current_section(refused) is None


def test_an_admin_sees_each_section_marked_on_its_pages(admin, center, as_owner, make_user,
                                                        ads):
    bob = member(as_owner, center, make_user, "bob@agency.com")
    for path, section in [("", "My access"), (f"partners/{bob.pk}/", "Partners"),
                          (f"assets/{ads.pk}/", "Assets"), ("partners/add/", "Partners"),
                          ("campaigns/approvals/", "Campaigns"),
                          ("partner-centers/ask/", "Partner Business Centers"),
                          (f"reports/accounts/{ads.pk}/", "Reports")]:
        page = admin.get(f"/c/{center.pk}/{path}")
        assert page.status_code == 200, path
        assert current_section(page) == section, path


def test_a_breadcrumb_links_only_where_the_viewer_may_go(client, center, as_owner,
                                                        make_user, ads):
    std = member(as_owner, center, make_user, "std@agency.com", modules=("ANALYTICS",))
    assign(as_owner, center, std.pk, ads.pk, ["ANALYST"])
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/assets/{ads.pk}/")
    assert page.status_code == 200
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', raw(page), re.S).group(1)
    assert f'href="/c/{center.pk}/assets/"' not in crumbs  # they may not open the list
    assert client.get(f"/c/{center.pk}/assets/").status_code == 403
    for href in re.findall(r'href="([^"]+)"', crumbs):
        assert client.get(href).status_code == 200, href
    # With the Assets module the crumb leads to the list, which opens.
    ana = member(as_owner, center, make_user, "ana@agency.com", modules=("ASSETS",))
    assign(as_owner, center, ana.pk, ads.pk, ["ANALYST"])
    with_list = logged_in(ana.user)
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>',
                       raw(with_list.get(f"/c/{center.pk}/assets/{ads.pk}/")), re.S).group(1)
    assert f'href="/c/{center.pk}/assets/"' in crumbs
