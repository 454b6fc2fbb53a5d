"""The API authorization matrix: a world of callers, every documented operation
with the Action it needs, and what the database holds."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core import mail
from django.test import Client
from django.utils import timezone

from bizcenter.access import engine
from bizcenter.access.actions import Action
from bizcenter.accounts.models import ApiToken, User
from bizcenter.accounts.services import create_user
from bizcenter.accounts.tokens import create_token, revoke_token
from bizcenter.assets import groups, partners
from bizcenter.assets.models import AccessRequest, Asset
from bizcenter.assets.services import assign, create_asset
from bizcenter.billing import services as billing
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign, ChangeRequest
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import bump_access_version, create_center
from bizcenter.core.actor import Actor
from bizcenter.invitations import imports
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from bizcenter.outbox import sms
from tests.conftest import PASSWORD, act, built_once, join, partner_up, spend

PREFIX = "/api/v1"


SAFE = ("GET", "HEAD", "OPTIONS")


MISSING = 987654321  # the id of something the caller's Business Center does not have


MISSING_PUBLIC = "9876543210987654321"  # a Business Center public id it has no dealings with


# Path parameters that are another Business Center's public id, not a row id.
PUBLIC_IDS = ("partner_id", "owner_id")


OUTSIDER_CODES = ("not_member", "revoked", "membership_expired", "not_found")


# What tests/conftest.py's quick_hashing and _messages set per test, for the world built
# once per module.
QUICK = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
         "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
         "BIZCENTER_SMS_BACKEND": "bizcenter.outbox.sms.LocmemSmsBackend"}


def _document() -> dict[str, Any]:
    # Read at collection, before pytest-django allows 'testserver': ask as localhost.
    response = Client(HTTP_HOST="localhost").get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


DOCUMENT = _document()


DOCUMENTED = {f"{method.upper()} {path.removeprefix(PREFIX)}": responses
              for path, methods in DOCUMENT["paths"].items()
              for method, responses in ((m, o["responses"]) for m, o in methods.items())}


@dataclass
class World:
    """Brand Co (ours), with what every operation needs to act on; Partner Agency, which
    Brand Co shares its ad account with; Rival Co, unrelated; and a token for each kind
    of caller."""

    center: BusinessCenter
    partner: BusinessCenter
    rival: BusinessCenter
    ads: Asset
    catalog: Asset
    campaign: Campaign
    target: Membership  # the member that member operations act on (the analyst)
    operator: User  # the author of the pending change request
    partner_member: Membership
    ids: dict[str, Any]  # path parameter -> id in Brand Co
    partner_ids: dict[str, Any]  # the same, as the partner member reaches them
    last_month: Any
    callers: list[Caller] = field(default_factory=list)


@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    user: User | None = None
    token_center: BusinessCenter | None = None
    center: BusinessCenter | None = None  # the Business Center of the path
    ids: dict[str, Any] = field(default_factory=dict)
    read_only: bool = False
    authenticated: bool = True  # False: expect 401 whatever the operation


def _person(email: str, name: str) -> User:
    return create_user(Actor.system("test"), email=email, name=name, password=PASSWORD)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _token(user: User, center: BusinessCenter, **options: Any) -> dict[str, str]:
    return _bearer(create_token(act(user), center, "matrix", **options).secret)


def build_world() -> World:
    owner = _person("owner@brand.com", "Olivia Owner")
    as_owner = act(owner)
    center = create_center(as_owner, name="Brand Co")
    ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    catalog = create_asset(as_owner, center, type="CATALOG", name="Spring catalog")
    all_modules = ("CAMPAIGNS", "ANALYTICS", "ASSETS")

    def member(email: str, name: str, **grant: Any) -> tuple[User, Membership]:
        person = _person(email, name)
        return person, join(as_owner, center, person, **grant)

    operator, _ = member("op@agency.com", "Opal Operator", modules=all_modules,
                         assets={ads.pk: ["OPERATOR"]})
    analyst, target = member("an@agency.com", "Ana Analyst", modules=all_modules,
                             assets={ads.pk: ["ANALYST"]})
    bare, _ = member("bare@agency.com", "Bo Bare", modules=(), assets={ads.pk: ["OPERATOR"]})
    idle, _ = member("idle@agency.com", "Ida Idle", modules=all_modules)
    manager, _ = member("fm@brand.com", "Fran Manager", finance_role="MANAGER", modules=(),
                        kind="employee")
    accountant, _ = member("fa@brand.com", "Fay Analyst", finance_role="ANALYST", modules=(),
                           kind="employee")
    gone, gone_membership = member("gone@agency.com", "Gus Gone", modules=all_modules,
                                   assets={ads.pk: ["OPERATOR"]})
    gone_token = _token(gone, center)  # made while they belonged
    # Their access ended on its date: the token still exists and must reach nothing. (A
    # revoke ends the member's tokens too: that is the revoked token's row above.)
    Membership.objects.filter(pk=gone_membership.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    bump_access_version(center)

    group = groups.create_group(as_owner, center, "Catalog team", [catalog.pk])
    groups.set_member(as_owner, center, group.pk, target.pk, {"CATALOG": ["AD_PROMOTE"]})
    invitation = invitations.invite(as_owner, center, ["pending@agency.com"], Grant())[0]
    assert invitation.invitation is not None
    csv_import = imports.start_import(as_owner, center, b"later@agency.com\n", Grant())

    campaign = campaigns.create_campaign(as_owner, center, ads.pk, name="Spring sale",
                                         objective="TRAFFIC", budget="100").campaign
    assert campaign is not None
    proposal = campaigns.update_campaign(act(operator), center, campaign.pk, budget="150")
    assert proposal.request is not None

    billing.top_up(as_owner, center, "100")
    first = billing.today_in(center).replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    before = (last_month - timedelta(days=1)).replace(day=1)
    spend(center, ads, "40", last_month)
    spend(center, ads, "40", before)
    invoice, _ = billing.issue_invoice(as_owner, center, before.year, before.month)

    boss = _person("boss@partner.com", "Pat Partner")
    partner = create_center(act(boss), name="Partner Agency")
    pm_user = _person("pm@partner.com", "Pia Partner")
    partner_member = join(act(boss), partner, pm_user, modules=all_modules)
    partner_up(as_owner, center, partner)
    partners.share(as_owner, center, partner.public_id, ads.pk, ["OPERATOR"])
    assign(act(boss), partner, partner_member.pk, ads.pk, ["OPERATOR"])
    # The agency asks Brand Co for its catalog too.
    partners.ask_for_access(act(boss), partner, center.public_id, [catalog.pk], "AD_PROMOTE")
    asked_of_us = AccessRequest.objects.get(asset=catalog)

    rival_boss = _person("boss@rival.com", "Rita Rival")
    rival = create_center(act(rival_boss), name="Rival Co")

    # Client Co made Brand Co its partner and shares an ad account with it; Brand Co asked
    # it for another. Prospect Co asks Brand Co to be its partner; Brand Co asked an id
    # that matches no Business Center.
    client_boss = _person("boss@client.com", "Cleo Client")
    client = create_center(act(client_boss), name="Client Co")
    client_ads = create_asset(act(client_boss), client, type="ADVERTISER", name="Client ads")
    client_more = create_asset(act(client_boss), client, type="ADVERTISER", name="More ads")
    partner_up(act(client_boss), client, center)
    partners.share(act(client_boss), client, center.public_id, client_ads.pk, ["ANALYST"])
    partners.ask_for_access(as_owner, center, client.public_id, [client_more.pk], "ANALYST")
    we_asked = AccessRequest.objects.get(asset=client_more)
    prospect_boss = _person("boss@prospect.com", "Pete Prospect")
    prospect = create_center(act(prospect_boss), name="Prospect Co")
    to_us = partners.request_partner(act(prospect_boss), prospect, center.public_id,
                                     message="Work with us")
    from_us = partners.request_partner(as_owner, center, "1234 5678 9012 3456 789")

    ids = {"center_id": center.pk, "member_id": target.pk, "invitation_id":
           invitation.invitation.pk, "asset_id": ads.pk, "group_id": group.pk,
           "partner_id": partner.public_id, "campaign_id": campaign.pk,
           "request_id": proposal.request.pk, "invoice_id": invoice.pk,
           "advertiser_id": ads.pk, "owner_id": client.public_id,
           "received_asset_id": client_ads.pk, "partner_request_id": to_us.pk,
           "sent_partner_request_id": from_us.pk, "access_request_id": asked_of_us.pk,
           "sent_access_request_id": we_asked.pk, "import_id": csv_import.pk}
    # The partner member works in their own Business Center on the ad account Brand Co
    # shares; nothing else of Brand Co's exists there.
    partner_ids = {**{k: MISSING_PUBLIC if k in PUBLIC_IDS else MISSING for k in ids},
                   "center_id": partner.pk,
                   "member_id": partner_member.pk, "asset_id": ads.pk,
                   "advertiser_id": ads.pk, "campaign_id": campaign.pk}

    expired = create_token(as_owner, center, "old", expires_at=timezone.now()
                           + timedelta(days=1))
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    revoked = create_token(as_owner, center, "leaked")
    revoke_token(as_owner, revoked.token.pk)

    world = World(center, partner, rival, ads, catalog, campaign, target, operator,
                  partner_member, ids, partner_ids, last_month)

    def ours(name: str, user: User, **options: Any) -> Caller:
        return Caller(name, _token(user, center, **options), user, center, center, ids,
                      read_only=options.get("read_only", False))

    world.callers = [
        Caller("anonymous", {}, authenticated=False, center=center, ids=ids),
        Caller("malformed token", _bearer("bzc_nope_nope"), authenticated=False,
               center=center, ids=ids),
        Caller("expired token", _bearer(expired.secret), authenticated=False, center=center,
               ids=ids),
        Caller("revoked token", _bearer(revoked.secret), authenticated=False, center=center,
               ids=ids),
        ours("Admin", owner),
        ours("Admin, read-only token", owner, read_only=True),
        ours("Standard, modules, OPERATOR on the ad account", operator),
        ours("Standard, modules, ANALYST on the ad account", analyst),
        ours("Standard, no module, OPERATOR on the ad account", bare),
        ours("Standard, modules, no asset", idle),
        ours("Finance Manager", manager),
        ours("Finance Analyst", accountant),
        Caller("member whose access ended", gone_token, gone, center, center, ids),
        Caller("member of another Business Center", _token(rival_boss, rival), rival_boss,
               rival, center, ids),
        Caller("partner member, in our Business Center", pm_token := _token(pm_user, partner),
               pm_user, partner, center, ids),
        Caller("partner member, in theirs, on the shared ad account", pm_token, pm_user,
               partner, partner, partner_ids),
    ]
    return world


@dataclass
class Ctx:
    """One caller about to call one operation: the engine's answers for them."""

    caller: Caller
    path: str
    user: User
    center: BusinessCenter
    rename: dict[str, str] = field(default_factory=dict)

    def missing(self, name: str) -> bool:
        return self.caller.ids.get(self.rename.get(name, name)) in (MISSING, MISSING_PUBLIC)

    def resource(self, on: str) -> BusinessCenter | Asset | None:
        """What the access question is about; None when the caller's Business Center
        cannot reach it at all (a 404 before any question is asked)."""
        if on == "center":
            return self.center
        if self.missing(on):
            return None
        if on == "campaign_id":
            return Campaign.objects.select_related("advertiser").get(
                pk=self.caller.ids[on]).advertiser
        return Asset.objects.get(pk=self.caller.ids[on])

    def sees(self, asset: Asset) -> bool:
        """Whether the caller may see this asset at all; one they may not answers as an id
        that does not exist (404), never with a refusal naming it."""
        return engine.check(self.user, Action.ASSET_VIEW, asset, within=self.center).allowed

    def refusal(self, action: Action, resource: BusinessCenter | Asset) -> int | None:
        decision = engine.check(self.user, action, resource, within=self.center)
        if decision:
            return None
        return 404 if decision.code in OUTSIDER_CODES else 403

    def objects_missing(self) -> bool:
        return any(self.missing(name) for name in _params(self.path))


Rule = Callable[[Ctx], int]


def _params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def needs(action: Action, on: str = "center", ok: int = 200, *,
          first: Action | None = None) -> Rule:
    """Allowed by the engine: ``ok``; refused: 403. The right on the Business Center
    (``first``, else the action itself) is checked before anything is looked up, so what
    the Business Center lacks is a 404 only to those allowed. An asset (or a campaign's
    ad account) the caller may not see is a 404 too, exactly like a made-up id."""

    def rule(ctx: Ctx) -> int:
        if refused := ctx.refusal(first or action, ctx.center):
            return refused
        resource = ctx.resource(on)
        if resource is None:
            return 404
        if isinstance(resource, Asset):
            if not ctx.sees(resource):
                return 404
            if refused := ctx.refusal(action, resource):
                return refused
        return 404 if ctx.objects_missing() else ok

    rule.__doc__ = f"{action} on {on}"
    return rule


def secret(inner: Rule) -> Rule:
    """A read that hands out a secret (an invitation's link): allowed as ``inner`` says,
    except through a read-only token, which those allowed are refused (403)."""

    def rule(ctx: Ctx) -> int:
        answer = inner(ctx)
        return 403 if answer == 200 and ctx.caller.read_only else answer

    rule.__doc__ = f"{inner.__doc__}, not read-only"
    return rule


def edit_or_propose(on: str, ok: int, *, view_first: bool) -> Rule:
    """A campaign change: applied (``ok``) for who may edit the ad account, a change
    request (202) for who may only propose, refused otherwise."""

    def rule(ctx: Ctx) -> int:
        if refused := ctx.refusal(Action.CAMPAIGN_VIEW, ctx.center):
            return refused
        account = ctx.resource(on)
        if account is None or not ctx.sees(account):
            return 404
        if view_first and (refused := ctx.refusal(Action.CAMPAIGN_VIEW, account)):
            return refused
        if ctx.refusal(Action.CAMPAIGN_EDIT, account) is None:
            return ok
        return ctx.refusal(Action.CAMPAIGN_PROPOSE, account) or 202

    return rule


def own_or(action: Action, *, owner_of: Callable[[Ctx], int | None], others: int | None = None
           ) -> Rule:
    """The person it belongs to may (their own profile, their own change request);
    any other id needs ``action`` on the Business Center, asked before the id is looked
    up, so without it a real id and a made-up one are refused alike; or anything not
    one's own is told it does not exist (``others``)."""

    def rule(ctx: Ctx) -> int:
        if not ctx.objects_missing() and owner_of(ctx) == ctx.user.pk:
            return 200
        if others is not None:
            return others
        return ctx.refusal(action, ctx.center) or (404 if ctx.objects_missing() else 200)

    return rule


def _member_user(ctx: Ctx) -> int | None:
    return Membership.objects.get(pk=ctx.caller.ids["member_id"]).user_id


def _request_author(ctx: Ctx) -> int | None:
    return ChangeRequest.objects.get(pk=ctx.caller.ids["request_id"]).proposed_by_id


Body = Callable[[World, dict[str, int]], Any]


@dataclass(frozen=True)
class Op:
    rule: Rule
    body: Body | None = None
    query: Body | None = None
    # Path parameter -> the key of ``World.ids`` it takes here, when this operation needs
    # another object than its namesakes (a request sent, not one received).
    ids: dict[str, str] = field(default_factory=dict)


def _range(w: World, ids: dict[str, int]) -> dict[str, str]:
    return {"since": w.last_month.isoformat(), "until": (w.last_month + timedelta(days=27))
            .isoformat()}


A = Action


OPS: dict[str, Op] = {
    # Business Centers
    "GET /centers": Op(needs(A.CENTER_VIEW)),
    "GET /centers/{center_id}": Op(needs(A.CENTER_VIEW)),
    "PATCH /centers/{center_id}": Op(needs(A.SETTINGS_MANAGE),
                                     body=lambda w, ids: {"company": "Brand Co Ltd"}),
    # members
    "GET /centers/{center_id}/members": Op(needs(A.MEMBER_VIEW)),
    "GET /centers/{center_id}/members/{member_id}": Op(needs(A.MEMBER_VIEW)),
    "PATCH /centers/{center_id}/members/{member_id}": Op(
        needs(A.MEMBER_MANAGE), body=lambda w, ids: {"kind": "client"}),
    "DELETE /centers/{center_id}/members/{member_id}": Op(needs(A.MEMBER_MANAGE)),
    "GET /centers/{center_id}/members/{member_id}/consequences": Op(needs(A.MEMBER_MANAGE)),
    # invitations
    "GET /centers/{center_id}/invitations": Op(needs(A.MEMBER_VIEW)),
    "POST /centers/{center_id}/invitations": Op(
        needs(A.MEMBER_INVITE, ok=201), body=lambda w, ids: {"addresses": ["new@agency.com"]}),
    "POST /centers/{center_id}/invitations/{invitation_id}/resend": Op(
        needs(A.MEMBER_INVITE)),
    "POST /centers/{center_id}/invitations/{invitation_id}/cancel": Op(
        needs(A.MEMBER_INVITE)),
    "GET /centers/{center_id}/invitations/{invitation_id}/link": Op(
        secret(needs(A.MEMBER_INVITE))),
    "POST /centers/{center_id}/invitations/imports": Op(
        needs(A.MEMBER_INVITE, ok=202),
        body=lambda w, ids: {"csv": "email\nimported@agency.com\n"}),
    "GET /centers/{center_id}/invitations/imports/{import_id}": Op(needs(A.MEMBER_INVITE)),
    # assets
    "GET /centers/{center_id}/assets": Op(needs(A.ASSET_VIEW)),
    "GET /centers/{center_id}/assets/search": Op(needs(A.ASSET_VIEW)),
    "POST /centers/{center_id}/assets": Op(
        needs(A.ASSET_MANAGE, ok=201), body=lambda w, ids: {"type": "PIXEL", "name": "Pixel"}),
    "GET /centers/{center_id}/assets/{asset_id}": Op(
        needs(A.ASSET_VIEW, on="asset_id", first=A.CENTER_VIEW)),
    "PATCH /centers/{center_id}/assets/{asset_id}": Op(
        needs(A.ASSET_MANAGE), body=lambda w, ids: {"name": "Main ads (US)"}),
    "DELETE /centers/{center_id}/assets/{asset_id}": Op(needs(A.ASSET_MANAGE, ok=204)),
    "GET /centers/{center_id}/assets/{asset_id}/holders": Op(needs(A.ASSET_MANAGE)),
    "PUT /centers/{center_id}/assets/{asset_id}/grants/{member_id}": Op(
        needs(A.ASSET_MANAGE), body=lambda w, ids: {"roles": ["OPERATOR"]}),
    "DELETE /centers/{center_id}/assets/{asset_id}/grants/{member_id}": Op(
        needs(A.ASSET_MANAGE, ok=204)),
    "GET /centers/{center_id}/members/{member_id}/assets": Op(needs(A.MEMBER_VIEW)),
    "PUT /centers/{center_id}/members/{member_id}/assets": Op(
        needs(A.ASSET_MANAGE),
        body=lambda w, ids: {"assets": {str(w.ads.pk): ["OPERATOR"],
                                        str(w.catalog.pk): ["ADMIN"]}}),
    # asset groups
    "GET /centers/{center_id}/asset-groups": Op(needs(A.ASSET_MANAGE)),
    "POST /centers/{center_id}/asset-groups": Op(
        needs(A.ASSET_MANAGE, ok=201), body=lambda w, ids: {"name": "EU team"}),
    "GET /centers/{center_id}/asset-groups/{group_id}": Op(needs(A.ASSET_MANAGE)),
    "PATCH /centers/{center_id}/asset-groups/{group_id}": Op(
        needs(A.ASSET_MANAGE),
        body=lambda w, ids: {"asset_ids": [str(w.catalog.pk), str(w.ads.pk)]}),
    "DELETE /centers/{center_id}/asset-groups/{group_id}": Op(needs(A.ASSET_MANAGE, ok=204)),
    "PUT /centers/{center_id}/asset-groups/{group_id}/members/{member_id}": Op(
        needs(A.ASSET_MANAGE), body=lambda w, ids: {"roles": {"CATALOG": ["ADMIN"]}}),
    "DELETE /centers/{center_id}/asset-groups/{group_id}/members/{member_id}": Op(
        needs(A.ASSET_MANAGE, ok=204)),
    # partners
    "GET /centers/{center_id}/partners": Op(needs(A.ASSET_MANAGE)),
    "POST /centers/{center_id}/partners": Op(
        needs(A.ASSET_MANAGE, ok=202),
        body=lambda w, ids: {"partner_id": w.rival.public_id, "message": "Hello"}),
    "GET /centers/{center_id}/partners/{partner_id}": Op(needs(A.ASSET_MANAGE)),
    "DELETE /centers/{center_id}/partners/{partner_id}": Op(needs(A.ASSET_MANAGE, ok=204)),
    "GET /centers/{center_id}/partner-owners": Op(needs(A.ASSET_MANAGE)),
    "POST /centers/{center_id}/partners/{partner_id}/shares": Op(
        needs(A.ASSET_MANAGE, ok=201),
        body=lambda w, ids: {"asset_id": str(w.catalog.pk), "roles": ["AD_PROMOTE"]}),
    "PATCH /centers/{center_id}/partners/{partner_id}/shares/{asset_id}": Op(
        needs(A.ASSET_MANAGE), body=lambda w, ids: {"roles": ["ANALYST"],
                                                    "needs_approval": True}),
    "DELETE /centers/{center_id}/partners/{partner_id}/shares/{asset_id}": Op(
        needs(A.ASSET_MANAGE, ok=204)),
    "GET /centers/{center_id}/partner-assets": Op(needs(A.ASSET_MANAGE)),
    "DELETE /centers/{center_id}/partner-assets/{owner_id}/{asset_id}": Op(
        needs(A.ASSET_MANAGE, ok=204), ids={"asset_id": "received_asset_id"}),
    "GET /centers/{center_id}/partner-requests": Op(needs(A.ASSET_MANAGE)),
    "POST /centers/{center_id}/partner-requests/{partner_request_id}/accept": Op(
        needs(A.ASSET_MANAGE)),
    "POST /centers/{center_id}/partner-requests/{partner_request_id}/decline": Op(
        needs(A.ASSET_MANAGE, ok=204)),
    "DELETE /centers/{center_id}/partner-requests/{partner_request_id}": Op(
        needs(A.ASSET_MANAGE, ok=204), ids={"partner_request_id": "sent_partner_request_id"}),
    "POST /centers/{center_id}/access-requests": Op(
        needs(A.ASSET_MANAGE, ok=202),
        body=lambda w, ids: {"owner_id": w.rival.public_id, "asset_ids": ["1"],
                             "role": "ANALYST"}),
    "GET /centers/{center_id}/access-requests": Op(needs(A.ASSET_MANAGE)),
    "POST /centers/{center_id}/access-requests/{access_request_id}/approve": Op(
        needs(A.ASSET_MANAGE), body=lambda w, ids: {}),
    "POST /centers/{center_id}/access-requests/{access_request_id}/decline": Op(
        needs(A.ASSET_MANAGE)),
    "DELETE /centers/{center_id}/access-requests/{access_request_id}": Op(
        needs(A.ASSET_MANAGE), ids={"access_request_id": "sent_access_request_id"}),
    # access
    "GET /centers/{center_id}/access/check": Op(
        needs(A.CENTER_VIEW, on="asset_id"), query=lambda w, ids: {"action": "campaign.edit",
                                                    "resource": f"asset:{ids['asset_id']}"}),
    "GET /centers/{center_id}/access/explain": Op(
        needs(A.CENTER_VIEW), query=lambda w, ids: {"action": "billing.view"}),
    "GET /centers/{center_id}/access/me": Op(needs(A.CENTER_VIEW)),
    "GET /centers/{center_id}/members/{member_id}/access": Op(
        own_or(A.MEMBER_VIEW, owner_of=_member_user)),
    "GET /centers/{center_id}/access/review": Op(needs(A.MEMBER_MANAGE)),
    # activity
    "GET /centers/{center_id}/activity": Op(needs(A.ACTIVITY_VIEW)),
    "GET /centers/{center_id}/activity/export": Op(
        needs(A.ACTIVITY_VIEW), query=lambda w, ids: {"format": "json"}),
    # campaigns and change requests
    "GET /centers/{center_id}/campaigns": Op(needs(A.CAMPAIGN_VIEW)),
    "POST /centers/{center_id}/campaigns": Op(
        edit_or_propose("advertiser_id", 201, view_first=False),
        body=lambda w, ids: {"advertiser_id": str(ids["advertiser_id"]), "name": "Summer",
                             "objective": "REACH", "budget": "80"}),
    "GET /centers/{center_id}/campaigns/{campaign_id}": Op(
        needs(A.CAMPAIGN_VIEW, on="campaign_id")),
    "PATCH /centers/{center_id}/campaigns/{campaign_id}": Op(
        edit_or_propose("campaign_id", 200, view_first=True),
        body=lambda w, ids: {"name": "Spring sale (EU)"}),
    "POST /centers/{center_id}/campaigns/{campaign_id}/status": Op(
        edit_or_propose("campaign_id", 200, view_first=True),
        body=lambda w, ids: {"status": "DISABLE"}),
    "GET /centers/{center_id}/change-requests": Op(needs(A.CENTER_VIEW)),
    "GET /centers/{center_id}/change-requests/{request_id}": Op(
        own_or(A.APPROVAL_DECIDE, owner_of=_request_author)),
    "POST /centers/{center_id}/change-requests/{request_id}/approve": Op(
        needs(A.APPROVAL_DECIDE), body=lambda w, ids: {"comment": "OK"}),
    "POST /centers/{center_id}/change-requests/{request_id}/reject": Op(
        needs(A.APPROVAL_DECIDE), body=lambda w, ids: {"comment": "Not now"}),
    "POST /centers/{center_id}/change-requests/{request_id}/withdraw": Op(
        own_or(A.APPROVAL_DECIDE, owner_of=_request_author, others=404)),
    # billing
    "GET /centers/{center_id}/billing": Op(needs(A.BILLING_VIEW)),
    "GET /centers/{center_id}/billing/transactions": Op(needs(A.BILLING_VIEW)),
    "GET /centers/{center_id}/billing/transactions/export": Op(needs(A.BILLING_VIEW)),
    "GET /centers/{center_id}/billing/invoices": Op(needs(A.BILLING_VIEW)),
    "POST /centers/{center_id}/billing/invoices": Op(
        needs(A.BILLING_MANAGE, ok=201),
        body=lambda w, ids: {"year": w.last_month.year, "month": w.last_month.month}),
    "POST /centers/{center_id}/billing/top-ups": Op(
        needs(A.BILLING_MANAGE, ok=201), body=lambda w, ids: {"amount": "25.00"}),
    "POST /centers/{center_id}/billing/refunds": Op(
        needs(A.BILLING_MANAGE, ok=201), body=lambda w, ids: {"amount": "10.00"}),
    "PUT /centers/{center_id}/billing/payment-settings": Op(
        needs(A.BILLING_MANAGE),
        body=lambda w, ids: {"contact_name": "Billing team",
                             "contact_email": "billing@brand.com"}),
    "PUT /centers/{center_id}/billing/spending-limits/{advertiser_id}": Op(
        needs(A.BILLING_MANAGE), body=lambda w, ids: {"monthly_limit": "500.00"}),
    "PATCH /centers/{center_id}/billing/invoices/{invoice_id}": Op(
        needs(A.BILLING_MANAGE), body=lambda w, ids: {"status": "PAID"}),
    "GET /centers/{center_id}/billing/reconcile": Op(needs(A.BILLING_VIEW)),
    "POST /centers/{center_id}/billing/reconcile": Op(needs(A.BILLING_MANAGE)),
    # reports
    "GET /centers/{center_id}/reports": Op(needs(A.REPORT_VIEW), query=_range),
    "GET /centers/{center_id}/reports/advertisers/{advertiser_id}": Op(
        needs(A.REPORT_VIEW, on="advertiser_id"), query=_range),
    "GET /centers/{center_id}/reports/campaigns/{campaign_id}": Op(
        needs(A.REPORT_VIEW, on="campaign_id"), query=_range),
    "GET /centers/{center_id}/reports/export": Op(needs(A.REPORT_VIEW), query=_range),
    # the caller's own notifications: through a token, while its person is in its center
    "GET /me/notifications": Op(needs(A.CENTER_VIEW)),
    "POST /me/notifications/read": Op(needs(A.CENTER_VIEW), body=lambda w, ids: {}),
    "POST /centers/{center_id}/metrics": Op(
        needs(A.ASSET_MANAGE, ok=201),
        body=lambda w, ids: {"rows": [{"campaign_id": str(w.campaign.pk),
                                       "date": w.last_month.isoformat(), "spend": "12.50",
                                       "impressions": 1000, "clicks": 20,
                                       "conversions": 1}]}),
}


# Moved by any authenticated call, by design: when a token or a membership was last used.
VOLATILE = {"accounts.ApiToken": {"last_used_at"}, "centers.Membership": {"last_active_at"}}


STATIC = {"auth.Permission", "contenttypes.ContentType"}


def _tables() -> list[tuple[str, Any, list[str]]]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if label in STATIC:
            continue
        skip = VOLATILE.get(label, set())
        tables.append((label, model, [f.attname for f in model._meta.concrete_fields
                                      if f.attname not in skip]))
    return tables


TABLES = _tables()


def database() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of all its rows, and the messages sent."""
    state = {"email sent": (len(mail.outbox), ""), "SMS sent": (len(sms.sent), "")}
    for label, model, columns in TABLES:
        rows = list(model._base_manager.order_by("pk").values_list(*columns))
        state[label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
    return state


def expected(key: str, op: Op, caller: Caller) -> int:
    method, path = key.split(" ", 1)
    if not caller.authenticated:
        return 401
    if caller.read_only and method not in SAFE:
        return 403
    assert caller.user is not None and caller.token_center is not None
    center = caller.center if "{center_id}" in path else caller.token_center
    assert center is not None
    if caller.token_center.pk != center.pk:
        return 404  # a token reaches one Business Center; others do not exist for it
    if engine.check(caller.user, Action.CENTER_VIEW, center).code in OUTSIDER_CODES:
        return 404
    return op.rule(Ctx(caller, path, caller.user, center, op.ids))


def call(client: Client, key: str, op: Op, caller: Caller, world: World) -> Any:
    method, path = key.split(" ", 1)
    url = PREFIX + path.format(**{**caller.ids, **{name: caller.ids[key]
                                                     for name, key in op.ids.items()}})
    query = op.query(world, caller.ids) if op.query else {}
    if method == "GET":
        return client.get(url, query, headers=caller.headers)
    body = op.body(world, caller.ids) if op.body else None
    return getattr(client, method.lower())(url, body, content_type="application/json",
                                           headers=caller.headers)


def read(response: Any) -> Any:
    """Read a streamed answer to its end, as a client would, before its savepoint goes:
    on PostgreSQL the stream reads from a server-side cursor of that savepoint."""
    if response.streaming:
        b"".join(response.streaming_content)  # the test client closes it at the end
    return response


def _shape(response: Any) -> str:
    if response.status_code < 300:
        return ""
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return f"{body['error']['code']}: {body['error']['message']}"


def seeded(django_db_blocker: Any) -> Iterator[World]:
    """The world, built once for a module (tests/api/test_schema.py uses it too)."""
    yield from built_once(django_db_blocker, build_world, **QUICK)
