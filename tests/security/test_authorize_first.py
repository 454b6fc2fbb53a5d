"""Authorize first, then validate: a caller without the right learns nothing from the
answer, so a real id and a made-up one get the very same refusal.

Every service that acts in a Business Center is found by introspection (a public
function of a domain module whose parameters start with ``actor`` and include
``center``), so a new one fails here until it has an entry in ``CALLS``: the right it
needs and how to call it with ids. Each is called by people without that right — a
Standard member with no module, one with every module but no asset, a Finance Analyst
with no asset, and an Admin of another Business Center — once with the real ids of
Brand Co's things (ad account, pixel, campaign, change request, invitation, member,
group, partner, invoice, import, token) and once with made-up ids. The two answers must
be the same exception, status, code, message and fields (the message may differ only
in the id the caller typed), a caller who lacks the right must be refused (403 or 404,
never a 400 that shows the input was read first), and no row of any table may change.

The other input is chosen wrong on purpose (an unknown role, an empty name, a bad
date): a service that validated before it authorized would answer with a 400.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

import bizcenter
from bizcenter.access import engine, profile, review, troubleshoot
from bizcenter.access.actions import Action
from bizcenter.accounts import tokens
from bizcenter.accounts.models import User
from bizcenter.accounts.services import create_user
from bizcenter.assets import ceilings, groups, holders, partners
from bizcenter.assets import services as assets
from bizcenter.audit import services as audit
from bizcenter.billing import services as billing
from bizcenter.billing import spend as spend_of
from bizcenter.campaigns import services as campaigns
from bizcenter.centers import bulk as center_bulk
from bizcenter.centers import onboarding
from bizcenter.centers import services as centers
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import ServiceError
from bizcenter.invitations import bulk as invitation_bulk
from bizcenter.invitations import imports
from bizcenter.invitations import services as invitations
from bizcenter.invitations import undo as invitation_undo
from bizcenter.invitations.services import Grant
from bizcenter.outbox import sms
from bizcenter.reporting import services as reporting
from tests.conftest import PASSWORD, act, built_once, join, partner_up, spend

pytestmark = pytest.mark.usefixtures("quick_hashing")

MISSING = 987_654_321  # an id nothing has
ALL_MODULES = ("ANALYTICS", "CAMPAIGNS", "ASSETS", "BILLING")
QUICK = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
         "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
         "BIZCENTER_SMS_BACKEND": "bizcenter.outbox.sms.LocmemSmsBackend"}
# The doors are not services, and core is plumbing.
NOT_SERVICES = {"api", "cli", "compat", "web", "core", "migrations", "settings", "urls",
                "wsgi", "demo", "__main__"}


@dataclass(frozen=True)
class Ids:
    """What a caller names: Brand Co's real things, or ids nothing has (``MISSING``)."""

    center: int
    ad: int  # an ad account
    pixel: int
    campaign: int
    request: int  # a pending change request
    invitation: int
    member: int  # a Standard member's membership
    user: int  # that member's account
    group: int
    partner: str  # a partner Business Center's public id
    partner_request: int  # a partner request to Brand Co, pending
    access_request: int  # a partner's request for one of Brand Co's assets, pending
    invoice: int
    import_: int
    token: int  # the owner's API token
    address: str  # the member's email

    def made_up(self) -> Ids:
        return replace(self, **{f.name: MISSING for f in fields(self) if f.type == "int"},
                       address="nobody@nowhere.example", partner="1234567890123456789")


@dataclass
class World:
    center: BusinessCenter
    real: Ids
    callers: dict[str, Actor]
    last_month: Any


def _person(email: str) -> User:
    return create_user(Actor.system("test"), email=email, password=PASSWORD)


def build_world() -> World:
    owner = _person("owner@brand.com")
    as_owner = act(owner)
    center = centers.create_center(as_owner, name="Brand Co")
    ad = assets.create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    pixel = assets.create_asset(as_owner, center, type="PIXEL", name="Site pixel")
    victim_user = _person("victim@agency.com")
    victim = join(as_owner, center, victim_user, modules=ALL_MODULES,
                  assets={ad.pk: ["OPERATOR"]})
    campaign = campaigns.create_campaign(as_owner, center, ad.pk, name="Spring sale",
                                         objective="TRAFFIC", budget="100").campaign
    assert campaign is not None
    request = campaigns.update_campaign(act(victim_user), center, campaign.pk,
                                        budget="150").request
    assert request is not None
    group = groups.create_group(as_owner, center, "Media team", [ad.pk])
    groups.set_member(as_owner, center, group.pk, victim.pk)
    boss = _person("boss@agency.com")
    partner = centers.create_center(act(boss), name="Partner Agency")
    partner_up(as_owner, center, partner)
    partners.share(as_owner, center, partner.public_id, ad.pk, ["ANALYST"])
    [access_request] = partners.ask_for_access(act(boss), partner, center.public_id,
                                               [pixel.pk], "ACCESS").access_requests.all()
    asker = _person("boss@asking.com")
    asking = centers.create_center(act(asker), name="Asking Agency")
    partner_request = partners.ask_for_access(act(asker), asking, center.public_id, [ad.pk],
                                              "ANALYST")
    [sent] = invitations.invite(as_owner, center, ["pending@agency.com"])
    assert sent.invitation is not None
    job = imports.start_import(as_owner, center, b"email\nimported@agency.com\n", Grant())
    first = billing.today_in(center).replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    spend(center, ad, "40", last_month)
    invoice, _ = billing.issue_invoice(as_owner, center, last_month.year, last_month.month)
    token = tokens.create_token(as_owner, center, "ci").token
    real = Ids(center.pk, ad.pk, pixel.pk, campaign.pk, request.pk, sent.invitation.pk,
               victim.pk, victim_user.pk, group.pk, partner.public_id, partner_request.pk,
               access_request.pk, invoice.pk, job.pk, token.pk,
               victim_user.email or "")

    def member(email: str, **grant: Any) -> Actor:
        person = _person(email)
        join(as_owner, center, person, **grant)
        return act(person)

    rival = _person("boss@rival.com")
    centers.create_center(act(rival), name="Rival Co")
    callers = {
        "Standard, no module": member("bare@agency.com", modules=()),
        "Standard, every module, no asset": member("idle@agency.com", modules=ALL_MODULES),
        "Finance Analyst, every module, no asset": member(
            "fa@agency.com", modules=ALL_MODULES, finance_role="ANALYST"),
        "Admin of another Business Center": act(rival),
    }
    return World(center, real, callers, last_month)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Built once for the module; every call runs in a savepoint that is rolled back."""
    yield from built_once(django_db_blocker, build_world, **QUICK)


# -- how to call each service ---------------------------------------------------------------

Call = Callable[[Actor, BusinessCenter, Ids, World], Any]


@dataclass(frozen=True)
class Entry:
    """The right a service needs on the Business Center (None: anyone in it, the lookup
    itself is limited to the caller's own), and one or more ways to call it."""

    right: Action | None
    calls: Sequence[Call]


def _e(right: Action | None, *calls: Call) -> Entry:
    return Entry(right, calls)


def _range(w: World) -> dict[str, Any]:
    return {"since": w.last_month, "until": w.last_month + timedelta(days=20)}


A = Action
CALLS: dict[str, Entry] = {
    # access
    "access.engine.why": _e(
        A.MEMBER_VIEW,
        lambda a, c, i, w: engine.why(a, i.address, "campaign.view", f"asset:{i.ad}"),
        lambda a, c, i, w: engine.why(a, i.address, "asset.view", f"asset:{i.pixel}",
                                      within=c),
        lambda a, c, i, w: engine.why(a, i.address, "center.view", f"asset:{i.pixel}")),
    "access.profile.profile": _e(A.MEMBER_VIEW,
                                 lambda a, c, i, w: profile.profile(a, c, i.member)),
    "access.profile.mine": _e(A.CENTER_VIEW, lambda a, c, i, w: profile.mine(a, c)),
    "access.review.access_review": _e(A.MEMBER_MANAGE,
                                      lambda a, c, i, w: review.access_review(a, c)),
    "access.troubleshoot.troubleshoot": _e(
        A.MEMBER_VIEW,
        lambda a, c, i, w: troubleshoot.troubleshoot(a, c, i.address, "campaign.view",
                                                     f"asset:{i.ad}"),
        lambda a, c, i, w: troubleshoot.troubleshoot(a, c, i.address, "no.such.action",
                                                     f"asset:{i.pixel}")),
    "access.troubleshoot.choices": _e(A.MEMBER_VIEW,
                                      lambda a, c, i, w: troubleshoot.choices(a, c)),
    "access.troubleshoot.said_to_admin": _e(
        A.MEMBER_VIEW,
        lambda a, c, i, w: troubleshoot.said_to_admin(
            a, c, i.address, "campaign.view", f"asset:{i.ad}",
            engine.Explanation(False, "asset_not_assigned", (), ""))),
    # API tokens
    "accounts.tokens.create_token": _e(A.CENTER_VIEW,
                                       lambda a, c, i, w: tokens.create_token(a, c, "")),
    "accounts.tokens.revoke_token": _e(None,
                                       lambda a, c, i, w: tokens.revoke_token(a, i.token)),
    # assets
    "assets.services.create_asset": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: assets.create_asset(a, c, type="ROCKET", name="")),
    "assets.services.update_asset": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: assets.update_asset(a, c, i.ad, status="ON FIRE"),
        lambda a, c, i, w: assets.update_asset(a, c, i.pixel, status="DISABLED")),
    "assets.services.delete_asset": _e(A.ASSET_MANAGE,
                                       lambda a, c, i, w: assets.delete_asset(a, c, i.pixel)),
    "assets.services.list_assets": _e(
        A.ASSET_VIEW, lambda a, c, i, w: assets.list_assets(a, c, type="ROCKET")),
    "assets.services.owned_assets": _e(A.ASSET_MANAGE,
                                       lambda a, c, i, w: assets.owned_assets(a, c)),
    "assets.services.visible_to": _e(None, lambda a, c, i, w: assets.visible_to(a, c)),
    # A lookup for services that already authorized; it hides what its caller may not see.
    "assets.services.search_assets": _e(
        A.ASSET_VIEW, lambda a, c, i, w: assets.search_assets(a, c, type="ROCKET")),
    "assets.services.picked_assets": _e(
        A.ASSET_VIEW, lambda a, c, i, w: assets.picked_assets(a, c, [i.pixel])),
    "assets.services.visible_asset": _e(
        None, lambda a, c, i, w: assets.visible_asset(a, c, i.pixel)),
    "assets.services.get_asset": _e(
        A.CENTER_VIEW,
        lambda a, c, i, w: assets.get_asset(a, c, i.ad),
        lambda a, c, i, w: assets.get_asset(a, c, i.pixel)),
    "assets.services.assign": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: assets.assign(a, c, i.member, i.pixel, ["BOSS"])),
    "assets.services.unassign": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: assets.unassign(a, c, i.member, i.ad)),
    "assets.services.set_member_assets": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: assets.set_member_assets(a, c, i.member, {i.pixel: ["BOSS"]})),
    "assets.services.edit_member_access": _e(
        A.MEMBER_MANAGE,
        lambda a, c, i, w: assets.edit_member_access(a, c, i.member, role="BOSS",
                                                     assets={i.ad: ["ANALYST"]})),
    "assets.services.direct_grants": _e(
        A.MEMBER_VIEW, lambda a, c, i, w: assets.direct_grants(a, c, i.member)),
    # What partners share: the lookup is limited to what the caller may see.
    "assets.ceilings.ceilings": _e(
        A.CENTER_VIEW, lambda a, c, i, w: ceilings.ceilings(a, c, [i.ad, i.pixel])),
    "assets.ceilings.member_shared_roles": _e(
        A.MEMBER_VIEW, lambda a, c, i, w: ceilings.member_shared_roles(a, c, i.member)),
    "assets.ceilings.set_member_shared_assets": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: ceilings.set_member_shared_assets(a, c, i.member,
                                                             {i.pixel: ["BOSS"]})),
    "assets.ceilings.edit_member_with_shared": _e(
        A.MEMBER_MANAGE,
        lambda a, c, i, w: ceilings.edit_member_with_shared(a, c, i.member, role="BOSS",
                                                            assets={i.ad: ["ANALYST"]},
                                                            shared={i.pixel: ["BOSS"]})),
    "assets.holders.holders": _e(A.ASSET_MANAGE,
                                 lambda a, c, i, w: holders.holders(a, c, i.pixel)),
    "assets.groups.create_group": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: groups.create_group(a, c, "", [i.ad, i.pixel])),
    "assets.groups.rename_group": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: groups.rename_group(a, c, i.group, "")),
    "assets.groups.set_assets": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: groups.set_assets(a, c, i.group, [i.pixel, "x"])),
    "assets.groups.set_member": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: groups.set_member(a, c, i.group, i.member, {"ROCKET": ["BOSS"]})),
    "assets.groups.remove_member": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: groups.remove_member(a, c, i.group, i.member)),
    "assets.groups.delete_group": _e(A.ASSET_MANAGE,
                                     lambda a, c, i, w: groups.delete_group(a, c, i.group)),
    "assets.groups.update_group": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: groups.update_group(a, c, i.group, name="", asset_ids=[i.pixel],
                                               members={i.member: None},
                                               remove_members=[i.member])),
    "assets.groups.list_groups": _e(A.ASSET_MANAGE,
                                    lambda a, c, i, w: groups.list_groups(a, c)),
    "assets.partners.request_partner": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.request_partner(a, c, i.partner)),
    "assets.partners.ask_for_access": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: partners.ask_for_access(a, c, i.partner, [i.ad], "BOSS")),
    "assets.partners.accept": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.accept(a, c, i.partner_request)),
    "assets.partners.decline": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.decline(a, c, i.partner_request)),
    "assets.partners.cancel_request": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.cancel_request(a, c, i.partner_request)),
    "assets.partners.share": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: partners.share(a, c, i.partner, i.pixel, ["BOSS"])),
    "assets.partners.unshare": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.unshare(a, c, i.partner, i.ad)),
    "assets.partners.drop_shared": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.drop_shared(a, c, i.partner, i.ad)),
    "assets.partners.end_partnership": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.end_partnership(a, c, i.partner)),
    "assets.partners.decide_access": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.decide_access(
            a, c, i.access_request, approve=True, roles="BOSS")),
    "assets.partners.withdraw_access": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.withdraw_access(a, c, i.access_request)),
    "assets.partners.partners_of": _e(A.ASSET_MANAGE,
                                      lambda a, c, i, w: partners.partners_of(a, c)),
    "assets.partners.owners_of": _e(A.ASSET_MANAGE,
                                    lambda a, c, i, w: partners.owners_of(a, c)),
    "assets.partners.partnership_with": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.partnership_with(a, c, i.partner)),
    "assets.partners.requests_to": _e(A.ASSET_MANAGE,
                                      lambda a, c, i, w: partners.requests_to(a, c)),
    "assets.partners.requests_from": _e(A.ASSET_MANAGE,
                                        lambda a, c, i, w: partners.requests_from(a, c)),
    "assets.partners.access_requests": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: partners.access_requests(a, c, incoming=True)),
    "assets.partners.pending_count": _e(A.ASSET_MANAGE,
                                        lambda a, c, i, w: partners.pending_count(a, c)),
    "assets.partners.shared_with": _e(A.ASSET_MANAGE,
                                      lambda a, c, i, w: partners.shared_with(a, c)),
    # the activity log
    "audit.services.activity": _e(
        A.ACTIVITY_VIEW,
        lambda a, c, i, w: audit.activity(a, c, actor_id=i.user, person=i.address,
                                          category="ROCKET")),
    # billing
    "billing.services.billing_overview": _e(
        A.BILLING_VIEW, lambda a, c, i, w: billing.billing_overview(a, c)),
    "billing.services.transactions": _e(
        A.BILLING_VIEW,
        lambda a, c, i, w: billing.transactions(a, c, advertiser_id=i.pixel)),
    "billing.services.list_transactions": _e(
        A.BILLING_VIEW,
        lambda a, c, i, w: billing.list_transactions(a, c, advertiser_id=i.pixel)),
    "billing.services.export_transactions": _e(
        A.BILLING_VIEW,
        lambda a, c, i, w: billing.export_transactions(a, c, advertiser_id=i.pixel)),
    "billing.services.list_invoices": _e(A.BILLING_VIEW,
                                         lambda a, c, i, w: billing.list_invoices(a, c)),
    "billing.services.top_up": _e(A.BILLING_MANAGE,
                                  lambda a, c, i, w: billing.top_up(a, c, "-5")),
    "billing.services.preview_refund": _e(
        A.BILLING_MANAGE, lambda a, c, i, w: billing.preview_refund(a, c, "lots")),
    "billing.services.refund": _e(A.BILLING_MANAGE,
                                  lambda a, c, i, w: billing.refund(a, c, "lots")),
    "billing.spend.reconcile": _e(A.BILLING_VIEW, lambda a, c, i, w: spend_of.reconcile(a, c)),
    "billing.spend.repair": _e(A.BILLING_MANAGE, lambda a, c, i, w: spend_of.repair(a, c)),
    "billing.services.set_payment_settings": _e(
        A.BILLING_MANAGE,
        lambda a, c, i, w: billing.set_payment_settings(a, c, card_brand="ROCKET")),
    "billing.services.set_spending_limit": _e(
        A.BILLING_MANAGE,
        lambda a, c, i, w: billing.set_spending_limit(a, c, i.pixel, "100")),
    "billing.services.issue_invoice": _e(
        A.BILLING_MANAGE, lambda a, c, i, w: billing.issue_invoice(a, c, 1999, 13)),
    "billing.services.preview_void": _e(
        A.BILLING_MANAGE, lambda a, c, i, w: billing.preview_void(a, c, i.invoice)),
    "billing.services.set_invoice_status": _e(
        A.BILLING_MANAGE,
        lambda a, c, i, w: billing.set_invoice_status(a, c, i.invoice, "BURNT")),
    # campaigns and change requests
    "campaigns.services.readable_advertisers": _e(
        A.CAMPAIGN_VIEW, lambda a, c, i, w: campaigns.readable_advertisers(a, c)),
    "campaigns.services.writable_advertisers": _e(
        A.CAMPAIGN_VIEW, lambda a, c, i, w: campaigns.writable_advertisers(a, c)),
    "campaigns.services.list_campaigns": _e(
        A.CAMPAIGN_VIEW,
        lambda a, c, i, w: campaigns.list_campaigns(a, c, advertiser_id=i.ad),
        lambda a, c, i, w: campaigns.list_campaigns(a, c, advertiser_id=i.pixel)),
    "campaigns.services.get_campaign": _e(
        A.CAMPAIGN_VIEW, lambda a, c, i, w: campaigns.get_campaign(a, c, i.campaign)),
    "campaigns.services.waiting_on": _e(
        A.CAMPAIGN_VIEW, lambda a, c, i, w: campaigns.waiting_on(a, c, i.campaign)),
    "campaigns.services.overlapping": _e(
        A.CAMPAIGN_VIEW,
        lambda a, c, i, w: campaigns.overlapping(a, c, i.campaign, ["budget"])),
    "campaigns.services.create_campaign": _e(
        A.CAMPAIGN_VIEW,
        lambda a, c, i, w: campaigns.create_campaign(a, c, i.ad, name="", objective="FAME"),
        lambda a, c, i, w: campaigns.create_campaign(a, c, i.pixel, name="Summer",
                                                     objective="REACH", budget="80")),
    "campaigns.services.update_campaign": _e(
        A.CAMPAIGN_VIEW,
        lambda a, c, i, w: campaigns.update_campaign(a, c, i.campaign, status="ENABLE"),
        lambda a, c, i, w: campaigns.update_campaign(a, c, i.campaign, budget="-1")),
    "campaigns.services.set_status": _e(
        A.CAMPAIGN_VIEW, lambda a, c, i, w: campaigns.set_status(a, c, i.campaign, "BURN")),
    "campaigns.services.list_requests": _e(
        A.CENTER_VIEW, lambda a, c, i, w: campaigns.list_requests(a, c)),
    "campaigns.services.get_request": _e(
        A.APPROVAL_DECIDE, lambda a, c, i, w: campaigns.get_request(a, c, i.request)),
    "campaigns.services.decide": _e(
        A.APPROVAL_DECIDE,
        lambda a, c, i, w: campaigns.decide(a, c, i.request, approve=True, comment="x" * 2001)),
    "campaigns.services.withdraw": _e(
        None, lambda a, c, i, w: campaigns.withdraw(a, c, i.request)),
    # The count on the Approvals badge: nought for whoever may not decide.
    "campaigns.services.pending_count": _e(
        None, lambda a, c, i, w: campaigns.pending_count(a, c)),
    # Business Centers and members
    "centers.onboarding.getting_started": _e(
        A.SETTINGS_MANAGE, lambda a, c, i, w: onboarding.getting_started(a, c)),
    "centers.services.update_center": _e(
        A.SETTINGS_MANAGE,
        lambda a, c, i, w: centers.update_center(a, c, timezone="Mars/Olympus")),
    "centers.services.list_members": _e(
        A.MEMBER_VIEW, lambda a, c, i, w: centers.list_members(a, c, sort="shoe size")),
    "centers.services.get_member": _e(
        A.MEMBER_VIEW, lambda a, c, i, w: centers.get_member(a, c, i.member)),
    "centers.services.member_by_address": _e(
        A.MEMBER_VIEW, lambda a, c, i, w: centers.member_by_address(a, c, i.address)),
    "centers.services.update_member": _e(
        A.MEMBER_MANAGE,
        lambda a, c, i, w: centers.update_member(a, c, i.member, role="BOSS"),
        lambda a, c, i, w: centers.update_member(a, c, i.member, kind="client")),
    "centers.services.revoke_member": _e(
        A.MEMBER_MANAGE, lambda a, c, i, w: centers.revoke_member(a, c, i.member)),
    "centers.bulk.picked": _e(
        A.MEMBER_MANAGE, lambda a, c, i, w: center_bulk.picked(a, c, [i.member])),
    "centers.bulk.revoke_many": _e(
        A.MEMBER_MANAGE, lambda a, c, i, w: center_bulk.revoke_many(a, c, [i.member]),
        lambda a, c, i, w: center_bulk.revoke_many(a, c, [i.member], ended_only=True)),
    "centers.services.consequences": _e(
        A.MEMBER_MANAGE, lambda a, c, i, w: centers.consequences(a, c, i.member)),
    # invitations
    "invitations.services.invite": _e(
        A.MEMBER_INVITE,
        lambda a, c, i, w: invitations.invite(a, c, ["new@agency.com"],
                                              Grant(assets={i.pixel: []})),
        lambda a, c, i, w: invitations.invite(a, c, [], Grant(role="BOSS"))),
    "invitations.services.resend": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitations.resend(a, c, i.invitation)),
    "invitations.services.cancel": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitations.cancel(a, c, i.invitation)),
    "invitations.undo.cancel_preview": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitation_undo.cancel_preview(a, c, i.invitation)),
    "invitations.undo.undo_cancel": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitation_undo.undo_cancel(a, c, i.invitation)),
    "invitations.services.resend_counted": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitations.resend_counted(a, c, i.invitation)),
    "invitations.bulk.picked": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitation_bulk.picked(a, c, [i.invitation])),
    "invitations.bulk.resend_many": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitation_bulk.resend_many(a, c, [i.invitation])),
    "invitations.bulk.cancel_many": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitation_bulk.cancel_many(a, c, [i.invitation])),
    "invitations.services.link": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: invitations.link(a, c, i.invitation)),
    "invitations.services.list_invitations": _e(
        A.MEMBER_VIEW, lambda a, c, i, w: invitations.list_invitations(a, c, status="LOST")),
    "invitations.imports.start_import": _e(
        A.MEMBER_INVITE,
        lambda a, c, i, w: imports.start_import(a, c, b"", Grant(assets={i.pixel: []}))),
    "invitations.imports.get_import": _e(
        A.MEMBER_INVITE, lambda a, c, i, w: imports.get_import(a, c, i.import_)),
    # reports and metrics
    "reporting.services.subject": _e(
        A.REPORT_VIEW,
        lambda a, c, i, w: reporting.subject(a, c, "advertiser", i.ad),
        lambda a, c, i, w: reporting.subject(a, c, "advertiser", i.pixel),
        lambda a, c, i, w: reporting.subject(a, c, "campaign", i.campaign),
        lambda a, c, i, w: reporting.subject(a, c, "galaxy", i.ad)),
    "reporting.services.report_accounts": _e(
        A.REPORT_VIEW, lambda a, c, i, w: reporting.report_accounts(a, c)),
    "reporting.services.report": _e(
        A.REPORT_VIEW,
        lambda a, c, i, w: reporting.report(a, c, scope="campaign", id=i.campaign,
                                            **_range(w)),
        lambda a, c, i, w: reporting.report(a, c, scope="advertiser", id=i.ad,
                                            since="then", until=None)),
    "reporting.services.export_csv": _e(
        A.REPORT_VIEW,
        lambda a, c, i, w: reporting.export_csv(a, c, by="poem", scope="advertiser", id=i.ad,
                                                **_range(w)),
        lambda a, c, i, w: reporting.export_csv(a, c, scope="advertiser", id=i.ad,
                                                **_range(w))),
    "reporting.services.may_load": _e(A.ASSET_MANAGE,
                                      lambda a, c, i, w: reporting.may_load(a, c)),
    "reporting.services.load_metrics": _e(
        A.ASSET_MANAGE,
        lambda a, c, i, w: reporting.load_metrics(
            a, c, [(2, {"campaign_id": str(i.campaign), "date": "soon", "spend": "1"})])),
    "reporting.services.import_metrics": _e(
        A.ASSET_MANAGE, lambda a, c, i, w: reporting.import_metrics(a, c, b"\x00")),
}

# Services with ``actor`` and ``center`` that no caller reaches with ids of their own.
NOT_CALLED = {
    # Builds an unsaved activity-log row for a service that has already authorized.
    "audit.services.build",
    # A step of revoke_member and update_member, in their transaction, after they
    # authorized; it takes the member's account, not an id anyone typed.
    "invitations.services.cancel_sent_by",
    # A step of revoke_member and of a password reset, after they authorized; it takes
    # the person's account, not an id anyone typed.
    "accounts.tokens.revoke_tokens_of",
    # A step of load_metrics, in its transaction, after it authorized: billing's spend
    # follows the metrics just written; it takes their (ad account, day), not typed ids.
    "billing.spend.follow_metrics",
    # Appends rows to the ledger for top_up, refund and follow_metrics, after they
    # authorized, with the Business Center locked.
    "billing.services.write",
}
# Services with ids but no ``center`` parameter, called here too (found by hand).
WITHOUT_CENTER = {"access.engine.why", "accounts.tokens.revoke_token"}


def discovered() -> set[str]:
    """Every public function of a domain module whose parameters start with ``actor``
    and include ``center``: what acts in a Business Center on a caller's behalf."""
    found = set()
    for info in pkgutil.walk_packages(bizcenter.__path__, "bizcenter."):
        if NOT_SERVICES & set(info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (name.startswith("_") or not inspect.isfunction(value)
                    or value.__module__ != module.__name__):
                continue
            params = list(inspect.signature(value).parameters)
            if params[:1] == ["actor"] and "center" in params:
                found.add(f"{info.name.removeprefix('bizcenter.')}.{name}")
    return found


def test_every_service_in_a_business_center_has_an_entry():
    found = discovered()
    missing = sorted(found - set(CALLS) - NOT_CALLED)
    assert not missing, ("Say in CALLS which right each new service needs and how to call "
                         f"it with ids: {missing}")
    stale = sorted((set(CALLS) - WITHOUT_CENTER) - found | (NOT_CALLED - found))
    assert not stale, f"CALLS names services that are gone: {stale}"


# -- comparing answers ----------------------------------------------------------------------

VOLATILE = {"accounts.ApiToken": {"last_used_at"}, "centers.Membership": {"last_active_at"}}
STATIC = {"auth.Permission", "contenttypes.ContentType"}


def database() -> dict[str, str]:
    """Every table's rows, hashed, and the messages sent: what "nothing written" means
    (save when a token or a membership was last used, which any allowed read moves)."""
    state = {"email sent": str(len(mail.outbox)), "SMS sent": str(len(sms.sent))}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if label in STATIC:
            continue
        columns = [f.attname for f in model._meta.concrete_fields
                   if f.attname not in VOLATILE.get(label, set())]
        rows = list(model._base_manager.order_by("pk").values_list(*columns))
        state[label] = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
    return state


_TYPED_ID = re.compile(r"(with id )'?\d+(, \d+)*'?")


def answer(call: Callable[[], Any]) -> tuple[Any, ...]:
    """What the caller is told: the error's class, status, code, message and fields, or
    what came back. The id the caller typed, where a message repeats it, is the one
    thing allowed to differ."""
    try:
        result = call()
        if isinstance(result, QuerySet | Iterator):
            result = list(result)
    except ServiceError as error:
        return (type(error).__name__, error.status, error.code,
                _TYPED_ID.sub(r"\1{id}", error.message), error.fields)
    return ("returned", repr(result))


@pytest.mark.parametrize("service", sorted(CALLS))
def test_unauthorized_callers_get_the_same_answer_for_real_and_made_up_ids(service, world,
                                                                            db):
    entry = CALLS[service]
    real, made_up = world.real, world.real.made_up()
    wrong: list[str] = []
    for who, actor in world.callers.items():
        assert actor.user is not None
        lacks = entry.right is not None and not engine.check(actor.user, entry.right,
                                                             world.center)
        for number, call in enumerate(entry.calls, 1):
            engine.reset_caches()
            cache.clear()
            point = transaction.savepoint()
            try:
                before = database()
                told = [answer(partial(call, actor, world.center, ids, world))
                        for ids in (real, made_up)]
                changed = sorted(k for k, v in database().items() if before[k] != v)
            finally:
                transaction.savepoint_rollback(point)
            where = f"{who}, call {number}"
            if told[0] != told[1]:
                wrong.append(f"{where}: real ids -> {told[0]}\n    made-up ids -> {told[1]}")
            if lacks and not (told[0][0] != "returned" and told[0][1] in (403, 404)):
                wrong.append(f"{where}: lacks {entry.right} yet was answered {told[0]}")
            if changed:
                wrong.append(f"{where}: changed {changed}")
    assert not wrong, f"{service}:\n  " + "\n  ".join(wrong)
