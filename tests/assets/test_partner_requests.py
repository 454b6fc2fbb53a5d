"""Partnerships both sides agree to: a request, the other side's answer, what each side
sees before and after, ending it from either side, and partners asking for assets."""

from __future__ import annotations

import pytest

from bizcenter.access.actions import Action
from bizcenter.access.engine import check
from bizcenter.assets import partners
from bizcenter.assets.models import AccessRequest, AssetGrant, Partnership
from bizcenter.assets.services import assign, create_asset, list_assets
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.services import create_center
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act, token_of

MADE_UP = "1234567890123456789"


@pytest.fixture
def agency(make_user):
    """An agency's Business Center, its Admin and one member."""
    boss = make_user("boss@agency.com", name="Bea Boss")
    agency_center = create_center(act(boss), name="Agency")
    [sent] = invitations.invite(act(boss), agency_center, ["op@agency.com"],
                                Grant(modules=("CAMPAIGNS", "ANALYTICS")))
    member = invitations.accept(act(make_user("op@agency.com")), token_of(sent.link))
    return agency_center, boss, member


@pytest.fixture
def ad(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Brand ads")


def log(center, action):
    return list(AuditEvent.objects.filter(center=center, action=action))


def test_public_ids_are_random_19_digits_and_not_the_row_id(center, agency):
    agency_center, _, _ = agency
    assert len(center.public_id) == 19 and center.public_id.isdigit()
    assert center.public_id != agency_center.public_id
    assert str(center.pk) not in (center.public_id[-3:],)  # not derived from the row id


def test_nothing_is_shared_or_named_until_the_other_side_accepts(
        center, as_owner, agency, ad, run_worker, mailbox):
    agency_center, boss, _ = agency
    run_worker()
    mailbox.clear()  # the fixture's joins told their inviter
    sent = partners.request_partner(as_owner, center, agency_center.public_id,
                                    message="We would like you to run our ads")
    assert sent.status == "PENDING" and sent.asked_for == agency_center.public_id
    # Nothing can be shared yet, and the agency sees only the request.
    with pytest.raises(NotFound):
        partners.share(as_owner, center, agency_center.public_id, ad.pk, "ANALYST")
    assert list(partners.partners_of(as_owner, center)) == []
    assert list(partners.shared_with(act(boss), agency_center)) == []
    assert list_assets(act(boss), agency_center).total == 0
    [asked] = partners.requests_to(act(boss), agency_center)
    assert asked.owner == center and asked.message == "We would like you to run our ads"
    assert list(partners.requests_from(as_owner, center)) == [sent]
    # The agency's Admins are told, with the requester's name.
    run_worker()
    [email] = mailbox
    assert email.to == ["boss@agency.com"]
    assert '"Brand Co" asks to be partners with "Agency"' in email.subject
    # Accepting makes it active for both; then the brand shares.
    partners.accept(act(boss), agency_center, asked.pk)
    partners.share(as_owner, center, agency_center.public_id, ad.pk, "OPERATOR")
    [received] = partners.shared_with(act(boss), agency_center)
    assert received.asset == ad and received.roles == ["OPERATOR"]
    assert check(boss, Action.CAMPAIGN_EDIT, ad, within=agency_center)
    run_worker()
    assert mailbox[1].to == ["owner@brand.com"]
    assert '"Agency" accepted your partner request' in mailbox[1].subject
    assert '"Brand Co" shared "Brand ads" with "Agency"' in mailbox[2].subject


def test_a_made_up_id_is_answered_exactly_like_a_real_one(center, as_owner, agency):
    agency_center, _, _ = agency
    real = partners.request_partner(as_owner, center, agency_center.public_id)
    fake = partners.request_partner(as_owner, center, MADE_UP)
    assert (real.status, real.asked_by, real.message) == (fake.status, fake.asked_by,
                                                          fake.message)
    assert fake.partner is None and fake.asked_for == MADE_UP
    # Asking again answers the same refusal for both.
    for public_id in (agency_center.public_id, MADE_UP):
        with pytest.raises(Conflict) as again:
            partners.request_partner(as_owner, center, public_id)
        assert again.value.code == "already_requested"
        assert public_id in again.value.message and "Agency" not in again.value.message
    # Ids that are not ids are refused before anything is looked up.
    for bad in ("7", "abc", str(agency_center.pk), "1" * 20):
        with pytest.raises(InvalidInput, match="19 digits"):
            partners.request_partner(as_owner, center, bad)
    with pytest.raises(InvalidInput, match="own id"):
        partners.request_partner(as_owner, center, center.public_id)
    # The sender can cancel either; no other Business Center ever saw the made-up one.
    partners.cancel_request(as_owner, center, fake.pk)
    assert not Partnership.objects.filter(asked_for=MADE_UP).exists()


def test_only_the_asked_side_answers_and_only_the_sender_cancels(center, as_owner, agency,
                                                                 make_user):
    agency_center, boss, member = agency
    sent = partners.request_partner(as_owner, center, agency_center.public_id)
    # The sender cannot accept its own request; a stranger's Admin cannot see it at all.
    with pytest.raises(NotFound):
        partners.accept(as_owner, center, sent.pk)
    stranger = make_user("x@elsewhere.com")
    elsewhere = create_center(act(stranger), name="Elsewhere")
    for attempt in (partners.accept, partners.decline, partners.cancel_request):
        with pytest.raises(NotFound):
            attempt(act(stranger), elsewhere, sent.pk)
    # A Standard member of the agency cannot answer for it.
    with pytest.raises(NotAllowed):
        partners.accept(act(member.user), agency_center, sent.pk)
    with pytest.raises(NotFound):
        partners.cancel_request(act(boss), agency_center, sent.pk)
    assert Partnership.objects.get(pk=sent.pk).status == "PENDING"


def test_declining_tells_the_sender_nothing_about_who_declined(center, as_owner, agency,
                                                               run_worker, mailbox):
    agency_center, boss, _ = agency
    sent = partners.request_partner(as_owner, center, agency_center.public_id)
    partners.decline(act(boss), agency_center, sent.pk)
    assert not Partnership.objects.exists()
    run_worker()
    declined = mailbox[-1]
    assert declined.to == ["owner@brand.com"] and "declined" in declined.subject
    assert "Agency" not in declined.subject + declined.body
    # Both logs have it, the agency's naming the brand, the brand's only the id it typed.
    [theirs] = log(agency_center, "partner.declined")
    [ours] = log(center, "partner.declined")
    assert theirs.after["partner_center"] == "Brand Co"
    assert ours.after["partner_center"] is None
    assert ours.after["partner_center_id"] == agency_center.public_id
    # The log's "On" column names them as each side may know them.
    assert (theirs.target_type, theirs.target_id, theirs.target_label) == (
        "partner", center.public_id, "Brand Co")
    assert ours.target_label == f"Business Center {agency_center.public_id}"


def test_either_side_ends_it_and_access_ends_on_the_next_request(center, as_owner, agency,
                                                                   ad, run_worker, mailbox):
    agency_center, boss, member = agency
    sent = partners.request_partner(as_owner, center, agency_center.public_id)
    partners.accept(act(boss), agency_center, sent.pk)
    partners.share(as_owner, center, agency_center.public_id, ad.pk, "OPERATOR")
    assign(act(boss), agency_center, member.pk, ad.pk, ["ANALYST"])
    assert check(member.user, Action.CAMPAIGN_VIEW, ad, within=agency_center)
    # The agency ends it from its side, by the brand's public id.
    partners.end_partnership(act(boss), agency_center, center.public_id)
    assert not check(member.user, Action.CAMPAIGN_VIEW, ad, within=agency_center)
    assert not check(boss, Action.CAMPAIGN_VIEW, ad, within=agency_center)
    assert not AssetGrant.objects.filter(membership=member).exists()
    for side, other in ((center, "Agency"), (agency_center, "Brand Co")):
        [ended] = log(side, "partner.ended")
        assert ended.after["partner_center"] == other
    run_worker()
    assert '"Agency" ended the partnership with "Brand Co"' in mailbox[-1].subject
    with pytest.raises(NotFound):
        partners.end_partnership(as_owner, center, agency_center.public_id)


def test_the_receiver_drops_one_asset_and_both_logs_tell_the_story(center, as_owner, agency,
                                                                   ad):
    agency_center, boss, _ = agency
    other_ad = create_asset(as_owner, center, type="ADVERTISER", name="Other ads")
    sent = partners.request_partner(as_owner, center, agency_center.public_id)
    partners.accept(act(boss), agency_center, sent.pk)
    partners.share(as_owner, center, agency_center.public_id, ad.pk, "OPERATOR")
    partners.share(as_owner, center, agency_center.public_id, other_ad.pk, "ANALYST")
    partners.share(as_owner, center, agency_center.public_id, ad.pk, "ANALYST",
                   needs_approval=True)
    partners.unshare(as_owner, center, agency_center.public_id, other_ad.pk)
    partners.drop_shared(act(boss), agency_center, center.public_id, ad.pk)
    assert list(partners.shared_with(act(boss), agency_center)) == []
    with pytest.raises(NotFound):  # not shared any more, or never: the same answer
        partners.drop_shared(act(boss), agency_center, center.public_id, ad.pk)
    expected = ["partner.requested", "partner.accepted", "asset.shared", "asset.shared",
                "asset.reshared", "asset.unshared", "asset.share_dropped"]
    for side, other in ((center, "Agency"), (agency_center, "Brand Co")):
        events = list(AuditEvent.objects.filter(center=side).exclude(
            action__in=["center.created", "member.invited", "member.joined",
                        "invitation.accepted", "asset.created"]).order_by("id"))
        assert [e.action for e in events if e.action in expected or e.action.startswith(
            "partner.")] == expected
        assert {e.after["partner_center"] for e in events
                if e.action in expected[1:]} == {other}
    [reshared] = log(center, "asset.reshared")
    assert reshared.before == {"roles": ["OPERATOR"], "needs_approval": False}
    assert reshared.after["roles"] == ["ANALYST"] and reshared.after["needs_approval"]


def test_an_agency_asks_for_assets_before_being_a_partner(center, as_owner, agency, ad,
                                                          run_worker, mailbox):
    agency_center, boss, _ = agency
    run_worker()
    mailbox.clear()  # the fixture's joins told their inviter
    asked = partners.ask_for_access(act(boss), agency_center, center.public_id,
                                    [ad.pk, 999999], "OPERATOR", message="For the spring push")
    assert asked.status == "PENDING" and asked.asked_by == "PARTNER" and asked.owner == center
    run_worker()
    assert '"Agency" asks to be partners with "Brand Co"' in mailbox[0].subject
    # The brand sees who asks, and for what; accepting turns the real assets into requests.
    [incoming] = partners.requests_to(as_owner, center)
    assert incoming.partner == agency_center and incoming.asked_assets[0]["asset_id"] == ad.pk
    partners.accept(as_owner, center, incoming.pk)
    [request] = partners.access_requests(as_owner, center, incoming=True)
    assert request.asset == ad and request.roles == ["OPERATOR"]
    assert request.message == "For the spring push"
    with pytest.raises(InvalidInput, match="that role or a lower one"):
        partners.decide_access(as_owner, center, request.pk, approve=True, roles="ADMIN")
    done = partners.decide_access(as_owner, center, request.pk, approve=True, roles="ANALYST")
    assert done.state == "APPROVED" and done.granted_roles == ["ANALYST"]
    [received] = partners.shared_with(act(boss), agency_center)
    assert received.roles == ["ANALYST"]
    with pytest.raises(Conflict, match="already"):
        partners.decide_access(as_owner, center, request.pk, approve=False)
    # Asking again for the same role is refused; for a higher one it is a new request.
    with pytest.raises(Conflict) as same:
        partners.ask_for_access(act(boss), agency_center, center.public_id, [ad.pk], "ANALYST")
    assert same.value.code == "already_shared"
    partners.ask_for_access(act(boss), agency_center, center.public_id, [ad.pk], "OPERATOR")
    [again] = partners.access_requests(act(boss), agency_center, incoming=False)
    partners.withdraw_access(act(boss), agency_center, again.pk)
    assert AccessRequest.objects.get(pk=again.pk).state == "WITHDRAWN"
    for side in (center, agency_center):
        assert [e.after["given"] for e in log(side, "asset.access_approved")] == [["ANALYST"]]
    run_worker()
    # Accepted and shared go to the agency; its second request to the brand.
    assert [m.to for m in mailbox[1:]] == [["boss@agency.com"], ["boss@agency.com"],
                                           ["owner@brand.com"]]
    assert '"Agency" asks "Brand Co" for access' in mailbox[-1].subject


def test_asking_tells_a_partner_nothing_about_ids_the_owner_did_not_share(
        center, as_owner, agency, ad, make_user):
    agency_center, boss, _ = agency
    sent = partners.request_partner(as_owner, center, agency_center.public_id)
    partners.accept(act(boss), agency_center, sent.pk)
    stranger = make_user("s@else.com")
    theirs = create_asset(act(stranger), create_center(act(stranger), name="Else"),
                          type="ADVERTISER", name="Not Brand's")
    pixel = create_asset(as_owner, center, type="PIXEL", name="Secret pixel")
    # Someone else's asset, a made-up id and a role the asset does not take answer alike:
    # the request goes, and only the owner's real asset at a role it takes is asked for.
    partners.ask_for_access(act(boss), agency_center, center.public_id,
                            [theirs.pk, 987654, pixel.pk], "OPERATOR")
    assert not AccessRequest.objects.exists()
    partners.ask_for_access(act(boss), agency_center, center.public_id, [ad.pk], "OPERATOR")
    [request] = AccessRequest.objects.all()
    # The partner sees only the id until the owner shares it; the owner sees the name.
    assert not request.named_for(agency_center) and request.named_for(center)
    [theirs_log] = log(agency_center, "asset.access_requested")
    assert theirs_log.target_label == "" and theirs_log.after["asset_id"] == ad.pk
    assert "Brand ads" not in str(theirs_log.after)
    [ours_log] = log(center, "asset.access_requested")
    assert ours_log.target_label == "Ad account Brand ads"
    with pytest.raises(InvalidInput, match="not an asset id"):
        partners.ask_for_access(act(boss), agency_center, center.public_id, ["x1"], "ANALYST")
    with pytest.raises(InvalidInput, match="one of"):
        partners.ask_for_access(act(boss), agency_center, center.public_id, [ad.pk], "BOSS")
    partners.decide_access(as_owner, center, request.pk, approve=True)
    request.refresh_from_db()
    assert request.named_for(agency_center)


def test_they_asked_first_so_we_are_pointed_at_their_request(center, as_owner, agency):
    agency_center, boss, _ = agency
    partners.ask_for_access(act(boss), agency_center, center.public_id, ["1"], "ANALYST")
    with pytest.raises(Conflict) as first:
        partners.request_partner(as_owner, center, agency_center.public_id)
    assert first.value.code == "asked_by_them" and "Agency" in first.value.message


def test_there_is_a_bound_on_requests_waiting(center, as_owner, settings, monkeypatch):
    monkeypatch.setattr(partners, "MAX_PENDING", 2)
    partners.request_partner(as_owner, center, "1000000000000000001")
    partners.request_partner(as_owner, center, "1000000000000000002")
    with pytest.raises(Conflict, match="cancel some"):
        partners.request_partner(as_owner, center, "1000000000000000003")


def test_asking_for_several_goes_on_past_one_already_shared(center, as_owner, agency, ad):
    agency_center, boss, _ = agency
    other = create_asset(as_owner, center, type="ADVERTISER", name="Other ads")
    partners.accept(act(boss), agency_center,
                    partners.request_partner(as_owner, center, agency_center.public_id).pk)
    partners.share(as_owner, center, agency_center.public_id, ad.pk, "OPERATOR")
    partners.ask_for_access(act(boss), agency_center, center.public_id, [ad.pk, other.pk],
                            "OPERATOR")
    assert [r.asset for r in AccessRequest.objects.all()] == [other]
    # Asking only for what is already shared says so.
    with pytest.raises(Conflict, match="already shared"):
        partners.ask_for_access(act(boss), agency_center, center.public_id, [ad.pk],
                                "OPERATOR")


def test_what_the_owner_offers_with_its_request_is_shared_on_acceptance(
        center, as_owner, agency, ad, client):
    agency_center, boss, _ = agency
    pixel = create_asset(as_owner, center, type="PIXEL", name="Site pixel")
    sent = partners.request_partner(as_owner, center, agency_center.public_id,
                                    offer=[(ad.pk, "OPERATOR"), (pixel.pk, None)],
                                    needs_approval=True)
    assert not partners.shared_with(act(boss), agency_center).exists()
    # The agency sees what comes with it before answering.
    client.force_login(boss)
    page = client.get(f"/c/{agency_center.pk}/partner-centers/").content.decode()
    assert "starting with Ad account Brand ads as OPERATOR; Pixel Site pixel as ACCESS" in page
    partners.accept(act(boss), agency_center, sent.pk)
    shares = {s.asset: (s.roles, s.needs_approval)
              for s in partners.shared_with(act(boss), agency_center)}
    assert shares == {ad: (["OPERATOR"], True), pixel: (["ACCESS"], True)}
    [shared] = [e for e in log(center, "asset.shared") if e.target_id == str(ad.pk)]
    assert shared.after["offered_with_request"] and shared.acting_center == agency_center
    # An offer can only be of one's own assets, at roles they take.
    stranger_ad = create_asset(act(boss), agency_center, type="ADVERTISER", name="Theirs")
    with pytest.raises(NotFound):
        partners.request_partner(as_owner, center, MADE_UP, offer=[(stranger_ad.pk, None)])
    with pytest.raises(InvalidInput):
        partners.request_partner(as_owner, center, MADE_UP, offer=[(ad.pk, "POST")])
    assert not Partnership.objects.filter(asked_for=MADE_UP).exists()
