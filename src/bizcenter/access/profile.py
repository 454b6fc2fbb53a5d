"""Everything one person can reach in a Business Center, and why.

The partner detail page and a member's own "My access" page read this. Every
answer is the engine's own ``explain``, so the page cannot drift from what the
person is actually allowed on their next click.
"""

from __future__ import annotations

from dataclasses import dataclass

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import Explanation, explain, require
from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor
from bizcenter.core.lookup import find, holds

# What a person may try at the level of the Business Center, in reading order.
CENTER_ACTIONS = (
    Action.CENTER_VIEW, Action.ASSET_VIEW, Action.CAMPAIGN_VIEW, Action.REPORT_VIEW,
    Action.BILLING_VIEW, Action.BILLING_MANAGE, Action.MEMBER_VIEW, Action.MEMBER_INVITE,
    Action.MEMBER_MANAGE, Action.ASSET_MANAGE, Action.APPROVAL_DECIDE, Action.ACTIVITY_VIEW,
    Action.SETTINGS_MANAGE,
)
AD_ACCOUNT_ACTIONS = (Action.ASSET_VIEW, Action.CAMPAIGN_VIEW, Action.CAMPAIGN_PROPOSE,
                      Action.CAMPAIGN_EDIT, Action.REPORT_VIEW)
ACTION_LABELS = {
    Action.CENTER_VIEW: "Open the Business Center",
    Action.ASSET_VIEW: "See assets",
    Action.CAMPAIGN_VIEW: "See campaigns",
    Action.CAMPAIGN_PROPOSE: "Propose campaign changes",
    Action.CAMPAIGN_EDIT: "Change campaigns directly",
    Action.REPORT_VIEW: "See reports",
    Action.BILLING_VIEW: "See billing",
    Action.BILLING_MANAGE: "Change billing",
    Action.MEMBER_VIEW: "See members",
    Action.MEMBER_INVITE: "Invite partners",
    Action.MEMBER_MANAGE: "Edit and revoke members",
    Action.ASSET_MANAGE: "Manage assets and sharing",
    Action.APPROVAL_DECIDE: "Approve changes",
    Action.ACTIVITY_VIEW: "Read the activity log",
    Action.SETTINGS_MANAGE: "Change settings",
}


@dataclass(frozen=True)
class Answer:
    action: Action
    label: str
    explanation: Explanation


@dataclass(frozen=True)
class AssetReach:
    asset: Asset
    roles: tuple[str, ...]
    via: tuple[str, ...]
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Profile:
    membership: Membership
    center: tuple[Answer, ...]
    assets: tuple[AssetReach, ...]
    all_assets: bool  # an Admin: every asset of the Business Center, not a list


def _answers(membership: Membership, actions: tuple[Action, ...],
             resource: BusinessCenter | Asset, within: BusinessCenter) -> tuple[Answer, ...]:
    return tuple(Answer(a, ACTION_LABELS[a], explain(membership.user, a, resource, within))
                 for a in actions)


def profile(actor: Actor, center: BusinessCenter, membership_id: int | str) -> Profile:
    """A member may read their own; reading someone else's is an Admin's member view.

    Which right applies is settled before the id is looked up: any id that is not the
    caller's own membership needs the member view, so without it a real member's id and
    a made-up one are refused alike, and nobody learns which ids are members."""
    require(actor, Action.CENTER_VIEW, center)
    members = Membership.objects.select_related("user").filter(center=center)
    if actor.user is None or not holds(members.filter(user=actor.user), membership_id):
        require(actor, Action.MEMBER_VIEW, center)
    membership = find(members, membership_id, f"No member with id {{id}} in {center.name}.")
    snap = snapshot.get(membership.user_id, center.pk)
    center_answers = _answers(membership, CENTER_ACTIONS, center, center)
    reach: list[AssetReach] = []
    admin = bool(snap and snap.is_admin)
    if snap is not None and snap.is_member:
        assets = Asset.objects.filter(pk__in=list(snap.assets)).order_by("type", "name")
        if admin:
            # An Admin holds every asset the Business Center owns whatever else it was
            # given; a grant or a group seat there would read as less than that.
            assets = assets.exclude(center=center)
        for asset in assets:
            access = snap.assets[asset.pk]
            actions = (AD_ACCOUNT_ACTIONS if asset.type == AssetType.ADVERTISER
                       else (Action.ASSET_VIEW,))
            reach.append(AssetReach(asset, tuple(sorted(access.roles)), access.via,
                                    _answers(membership, actions, asset, center)))
    return Profile(membership, center_answers, tuple(reach), admin)


def mine(actor: Actor, center: BusinessCenter) -> Profile:
    """The viewer's own profile: what a Standard member sees on entering."""
    require(actor, Action.CENTER_VIEW, center)
    assert actor.user is not None  # CENTER_VIEW needs a person
    membership = Membership.objects.active().get(center=center, user=actor.user)
    return profile(actor, center, membership.pk)
