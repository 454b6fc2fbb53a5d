"""Users -> Partners in the browser's terms: list, Add Partners, pending, revoke."""

from __future__ import annotations

import re

from bizcenter.centers.models import Membership, MembershipState
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation, InvitationState
from bizcenter.invitations.services import Grant
from tests.conftest import act


def member(as_owner, center, make_user, email, **grant):
    [sent] = invitations.invite(as_owner, center, [email], Grant(**grant))
    return invitations.accept(act(make_user(email, name=email.split("@")[0].title())),
                              sent.link.rstrip("/").rsplit("/", 1)[-1])


def test_members_list_searches_filters_and_pages(client, owner, center, as_owner, make_user):
    for name in ("ann", "bob", "cat"):
        member(as_owner, center, make_user, f"{name}@agency.com", kind="agency")
    client.force_login(owner)
    html = client.get(f"/c/{center.pk}/partners/").content.decode()
    assert all(f"{n}@agency.com" in html for n in ("ann", "bob", "cat"))
    assert "Revoke Access" in html
    html = client.get(f"/c/{center.pk}/partners/?q=bob").content.decode()
    assert "bob@agency.com" in html and "ann@agency.com" not in html
    html = client.get(f"/c/{center.pk}/partners/?role=ADMIN").content.decode()
    assert "owner@brand.com" in html and "ann@agency.com" not in html
    html = client.get(f"/c/{center.pk}/partners/?size=2&sort=name").content.decode()
    assert "Page 1 of 2" in html and "Next" in html
    page = client.get(f"/c/{center.pk}/partners/?sort=salary")
    assert page.status_code == 400 and "Unknown sort" in page.content.decode()


def test_members_list_shows_ended_access_as_expired_and_filters_by_status(
        client, owner, center, as_owner, make_user):
    from datetime import timedelta

    from django.utils import timezone

    ended = member(as_owner, center, make_user, "ended@agency.com")
    Membership.objects.filter(pk=ended.pk).update(expires_at=timezone.now() - timedelta(days=1))
    member(as_owner, center, make_user, "current@agency.com")
    client.force_login(owner)
    html = client.get(f"/c/{center.pk}/partners/").content.decode()
    row = html.split("ended@agency.com", 1)[1].split("</tr>", 1)[0]
    assert "Expired" in row and "ended " in row and "Edit" in row  # to extend it
    assert '<option value="ACTIVE,EXPIRED" selected>Not revoked</option>' in html
    html = client.get(f"/c/{center.pk}/partners/?state=ACTIVE").content.decode()
    assert "current@agency.com" in html and "ended@agency.com" not in html
    html = client.get(f"/c/{center.pk}/partners/?state=EXPIRED").content.decode()
    assert "ended@agency.com" in html and "current@agency.com" not in html
    assert '<option value="EXPIRED" selected>' in html
    bad = client.get(f"/c/{center.pk}/partners/?state=gone")
    assert bad.status_code == 400 and "EXPIRED" in bad.content.decode()


def test_members_list_counts_each_members_assets(client, owner, center, as_owner, make_user):
    from bizcenter.assets.services import assign, create_asset

    ann = member(as_owner, center, make_user, "ann@agency.com")
    member(as_owner, center, make_user, "bob@agency.com")
    for name in ("A", "B"):
        asset = create_asset(as_owner, center, type="PIXEL", name=name)
        assign(as_owner, center, ann.pk, asset.pk, ["ACCESS"])
    client.force_login(owner)
    html = client.get(f"/c/{center.pk}/partners/").content.decode()
    cells = lambda who: re.findall(r"<td>([^<]*)</td>",  # noqa: E731
                                   html.split(who, 1)[1].split("</tr>", 1)[0])
    assert "2" in cells("ann@agency.com") and "0" in cells("bob@agency.com")
    assert "all" in cells("owner@brand.com")


def test_add_partners_reports_each_address_and_keeps_the_form(client, owner, center):
    client.force_login(owner)
    page = client.post(f"/c/{center.pk}/partners/add/", {
        "addresses": "ana@agency.com, not-an-address\n+14155550123", "role": "STANDARD",
        "modules": ["ANALYTICS", "CAMPAIGNS"], "finance_role": "", "kind": "agency",
    })
    html = page.content.decode()
    assert page.status_code == 200
    assert "What happened to each address" in html
    assert "Invitation sent to ana@agency.com" in html and "neither an email" in html
    assert Invitation.objects.get(address="ana@agency.com").modules == ["ANALYTICS",
                                                                         "CAMPAIGNS"]
    # The form keeps only what needs fixing, and the choices made.
    assert re.search(r"<textarea[^>]*>\s*not-an-address</textarea>", html)
    assert re.search(r'value="CAMPAIGNS"[^>]*checked', html)
    empty = client.post(f"/c/{center.pk}/partners/add/", {"addresses": "", "role": "STANDARD",
                                                          "kind": "agency"})
    assert empty.status_code == 400
    assert "Type at least one email address or phone number" in empty.content.decode()


def test_pending_invitations_resend_cancel_and_copy_link(client, owner, center, as_owner):
    [sent] = invitations.invite(as_owner, center, ["dev@agency.com"])
    client.force_login(owner)
    html = client.get(f"/c/{center.pk}/partners/invitations/").content.decode()
    assert "dev@agency.com" in html and "Resend" in html and "Copy link" in html
    copied = client.get(f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/link/")
    assert sent.link in copied.content.decode()
    done = client.post(f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/resend/",
                       follow=True)
    assert "Sent a new link to dev@agency.com" in done.content.decode()
    done = client.post(f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/cancel/",
                       {"confirmed": "1"}, follow=True)
    assert "Cancelled the invitation" in done.content.decode()
    again = client.post(f"/c/{center.pk}/partners/invitations/{sent.invitation.pk}/cancel/",
                        {"confirmed": "1"}, follow=True)
    assert "already cancelled" in again.content.decode()
    assert Invitation.objects.get().state == InvitationState.CANCELLED


def test_revoke_asks_first_and_the_partner_is_refused_on_the_next_click(
    client, owner, center, as_owner, make_user
):
    from django.test import Client

    partner = member(as_owner, center, make_user, "gone@agency.com")
    theirs = Client()
    theirs.force_login(partner.user)
    assert "Brand Co" in theirs.get("/").content.decode()
    client.force_login(owner)
    confirm = client.get(f"/c/{center.pk}/partners/{partner.pk}/revoke/")
    assert "Revoke the access of" in confirm.content.decode()
    assert Membership.objects.get(pk=partner.pk).state == MembershipState.ACTIVE
    done = client.post(f"/c/{center.pk}/partners/{partner.pk}/revoke/", {"confirmed": "1"},
                       follow=True)
    assert "no longer has access" in done.content.decode()
    # The partner's open session: the next page no longer shows or reaches the center.
    home = theirs.get("/").content.decode()
    assert f"/c/{center.pk}/" not in home  # no way in; told who removed them (issue 21)
    assert "Brand Co removed you on" in home
    assert theirs.get(f"/c/{center.pk}/partners/").status_code == 404


def test_standard_members_get_a_helpful_403_and_outsiders_a_404(
    client, center, as_owner, make_user
):
    std = member(as_owner, center, make_user, "std@agency.com")
    client.force_login(std.user)
    page = client.get(f"/c/{center.pk}/partners/")
    assert page.status_code == 403 and "Only Admins" in page.content.decode()
    assert client.post(f"/c/{center.pk}/partners/add/", {"addresses": "x@y.com",
                                                        "role": "ADMIN",
                                                        "kind": "other"}).status_code == 403
    assert not Invitation.objects.filter(address="x@y.com").exists()
    client.force_login(make_user("out@else.com"))
    assert client.get(f"/c/{center.pk}/partners/").status_code == 404
    client.logout()
    assert client.get(f"/c/{center.pk}/partners/").status_code == 302  # to log in


def test_edit_access_with_confirm_and_clear_errors(client, owner, center, as_owner, make_user):
    partner = member(as_owner, center, make_user, "eve@agency.com", modules=("ANALYTICS",))
    client.force_login(owner)
    form = client.get(f"/c/{center.pk}/partners/{partner.pk}/edit/").content.decode()
    assert "Edit the access of" in form
    # The form opens with the access the partner has now.
    assert re.search(r'value="ANALYTICS"[^>]*checked', form)
    assert not re.search(r'value="CAMPAIGNS"[^>]*checked', form)
    done = client.post(f"/c/{center.pk}/partners/{partner.pk}/edit/", {
        "role": "STANDARD", "modules": ["CAMPAIGNS"], "finance_role": "ANALYST",
        "kind": "client", "expires": "2099-12-31"}, follow=True)
    assert done.redirect_chain[-1][0] == f"/c/{center.pk}/partners/{partner.pk}/"
    assert "Saved the access of" in done.content.decode()
    partner.refresh_from_db()
    assert (partner.modules, partner.finance_role, partner.kind) == (
        ["BILLING", "CAMPAIGNS"], "ANALYST", "client")
    assert partner.expires_at.date().isoformat() == "2100-01-01"  # to the end of the day
    mine = owner.memberships.get()
    refused = client.post(f"/c/{center.pk}/partners/{mine.pk}/edit/", {
        "role": "STANDARD", "modules": [], "finance_role": "", "kind": "employee"})
    assert refused.status_code == 400 and "last Admin" in refused.content.decode()


def test_edit_changes_assets_together_with_the_role_or_nothing(client, owner, center,
                                                                as_owner, make_user):
    from bizcenter.assets.models import AssetGrant
    from bizcenter.assets.services import assign, create_asset

    partner = member(as_owner, center, make_user, "eve@agency.com", modules=("CAMPAIGNS",))
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    tiktok = create_asset(as_owner, center, type="TT_ACCOUNT", name="@brand")
    pixel = create_asset(as_owner, center, type="PIXEL", name="Site pixel")
    assign(as_owner, center, partner.pk, ads.pk, ["ANALYST"])
    assign(as_owner, center, partner.pk, pixel.pk, ["ACCESS"])
    client.force_login(owner)
    url = f"/c/{center.pk}/partners/{partner.pk}/edit/"
    form = client.get(url).content.decode()
    assert "Assets and their roles" in form
    assert re.search(rf'name="asset_{ads.pk}"[^>]*>.*?value="ANALYST" selected', form, re.S)
    base = {"role": "STANDARD", "modules": ["CAMPAIGNS"], "finance_role": "", "kind": "agency"}

    done = client.post(url, {**base, f"asset_{ads.pk}": "OPERATOR",
                             f"asset_{tiktok.pk}": ["POST", "LIVE"], f"asset_{pixel.pk}": ""})
    assert done.status_code == 302 and done.url == f"/c/{center.pk}/partners/{partner.pk}/"
    grants = {g.asset_id: g.roles for g in AssetGrant.objects.filter(membership=partner)}
    assert grants == {ads.pk: ["OPERATOR"], tiktok.pk: ["LIVE", "POST"]}
    detail = client.get(done.url).content.decode()
    assert "Ad account Main ads" in detail and "Propose campaign changes" in detail

    # A refused role change saves none of the asset changes either.
    mine = owner.memberships.get()
    refused = client.post(f"/c/{center.pk}/partners/{mine.pk}/edit/",
                          {**base, f"asset_{pixel.pk}": "ACCESS"})
    assert refused.status_code == 400 and "last Admin" in refused.content.decode()
    assert not AssetGrant.objects.filter(membership=mine).exists()


def test_onboarding_creates_a_center_and_lands_on_getting_started(client, make_user):
    client.force_login(make_user("new@brand.com"))
    assert "Create your Business Center" in client.get("/").content.decode()
    bad = client.post("/centers/new/", {"name": "Acme", "timezone": "Mars/Base",
                                        "currency": "USD"})
    assert bad.status_code == 400 and "is not a time zone" in bad.content.decode()
    assert 'value="Acme"' in bad.content.decode()
    made = client.post("/centers/new/", {"name": "Acme", "timezone": "Europe/Paris",
                                         "currency": "eur"}, follow=True)
    html = made.content.decode()
    assert "Acme is ready" in html and "Getting started" in html
    assert "0 of 4 steps done" in html and "Add an ad account" in html


def test_each_members_row_says_who_what_until_when_and_last_seen(
        client, owner, center, as_owner, make_user):
    """Every cell of a row, as an Admin reads it: worded in the view (member_row), so
    a change of wording shows here."""
    from datetime import UTC, datetime

    ana = member(as_owner, center, make_user, "ana@agency.com", kind="agency",
                 modules=("ANALYTICS", "CAMPAIGNS"), finance_role="ANALYST")
    Membership.objects.filter(pk=ana.pk).update(
        expires_at=datetime(2031, 3, 4, 23, 30, tzinfo=UTC),
        last_active_at=datetime(2026, 11, 2, 9, 5, tzinfo=UTC))
    client.force_login(owner)
    html = client.get(f"/c/{center.pk}/partners/").content.decode()
    row = html.split(f'href="/c/{center.pk}/partners/{ana.pk}/"', 1)[1].split("</tr>", 1)[0]
    cells = [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(
        r"<td[^>]*>(.*?)</td>", "<td><a" + row, re.S)]
    assert cells == [["Ana", "ana@agency.com"], ["Standard"], ["Finance", "Analyst"],
                     ["Agency"], ["analytics,", "billing,", "campaigns"], ["0"],
                     ["Active", "last", "day", "2031-03-04"], ["2026-11-02", "09:05"],
                     ["Edit", "Revoke", "Access"]], cells
    owner_row = html.split("owner@brand.com", 1)[1].split("</tr>", 1)[0]
    assert "<td>all</td>" in owner_row and "<td>None</td>" in owner_row  # no finance role
