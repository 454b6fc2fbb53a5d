"""Whether a person may do something, and why: the one place access is decided.

Every door goes through ``require`` (raise unless allowed) or ``check`` (a
Decision). ``explain`` gives the reasons and, for a denial, the fix in plain
words, covering the article's troubleshooting cases. Answers come from the
person's compiled snapshot (``access.snapshot``): the cost of a check does not
grow with the number of members, assets or grants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from bizcenter.access import snapshot
from bizcenter.access.actions import ADMIN_ONLY, CHANGES_ACCOUNT, Action
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor
from bizcenter.core.errors import NotAllowed, NotFound

if TYPE_CHECKING:
    from bizcenter.accounts.models import User
    from bizcenter.assets.ceilings import Ceiling
    from bizcenter.assets.models import Asset


@dataclass(frozen=True)
class OwnerAsk:
    """The limit is what another Business Center shares, so only its Admins can lift it:
    whom to ask, for which asset and role. Doors turn it into a link to the partner's
    Ask for access page, filled in, instead of leaving the person to find it."""

    owner: str
    owner_public_id: str
    asset_id: int
    role: str


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    code: str = "allowed"
    fix: str = ""
    membership_id: int | None = None
    reasons: tuple[str, ...] = field(default=())
    ask: OwnerAsk | None = None

    def __bool__(self) -> bool:
        return self.allowed


def _allow(snap: snapshot.Snapshot, reason: str, *more: str) -> Decision:
    return Decision(True, reason, membership_id=snap.membership_id, reasons=(reason, *more))


def _deny(snap: snapshot.Snapshot | None, code: str, reason: str, fix: str, *more: str,
          ask: OwnerAsk | None = None) -> Decision:
    return Decision(False, reason, code, fix,
                    membership_id=snap.membership_id if snap else None,
                    reasons=(reason, *more), ask=ask)


def _share(snap: snapshot.Snapshot, asset: Asset) -> Ceiling | None:
    """The share that brings a partner's asset here, or None for an asset owned here.
    Read only on the way to a refusal, which is cached on the snapshot like any decision
    (and a change to a share bumps this Business Center's version)."""
    if asset.center_id == snap.center_id:
        return None
    from bizcenter.assets.ceilings import share_of

    return share_of(snap.center_id, asset.pk)


def _raise_to(snap: snapshot.Snapshot, asset: Asset, role: str
              ) -> tuple[str, tuple[str, ...], OwnerAsk | None]:
    """Who can give this person ``role`` on ``asset``, as (fix, more reasons, ask).

    When the share itself stops below the role, no Admin here can give it (they hold
    exactly the share), so the fix names the owner's Admins and how to ask them; sending
    a member to an Admin here, or an Admin to themself, would be a dead end. When the
    share allows the role, an Admin here can give it."""
    name = snap.center_name
    share = _share(snap, asset)
    if share is not None and role not in share.allowed:
        who = "ask them" if snap.is_admin else f"an Admin of {name} can ask them"
        return (f"Only the Admins of {share.owner} can raise what they share with {name}; "
                f"{who} for {role} with Ask for access on the Partner Business Centers page.",
                (f"{share.owner} shares {asset} with {name} as {share.shared_as}.",),
                OwnerAsk(share.owner, share.owner_public_id, asset.pk, role))
    return f"Ask an Admin of {name} to make you {role} on {asset}.", (), None


def _target(resource: BusinessCenter | Asset,
            within: BusinessCenter | None = None) -> tuple[int, Asset | None]:
    """The Business Center the question is asked in, and the asset if any.

    An asset shared by a partner is checked ``within`` the receiving Business
    Center; by default an asset is checked in the one that owns it.
    """
    if isinstance(resource, BusinessCenter):
        return resource.pk, None
    return (within.pk if within is not None else resource.center_id), resource


def check(user: User | None, action: Action, resource: BusinessCenter | Asset,
          within: BusinessCenter | None = None) -> Decision:
    # The hot path of every door: _target inlined, a call costs a tenth of a check.
    if isinstance(resource, BusinessCenter):
        center_id, asset = resource.pk, None
    else:
        center_id = within.pk if within is not None else resource.center_id
        asset = resource
    if user is None or not user.is_authenticated:
        return Decision(False, "You are not logged in.", "login_required", "Log in first.")
    snap = snapshot.get(user.pk, center_id)
    if snap is None:
        return Decision(False, "That Business Center does not exist.", "not_found", "")
    key = (action, asset.pk, asset.status) if asset is not None else (action, None, None)
    decision = snap.decisions.get(key)
    if decision is None:
        decision = snap.decisions[key] = decide(snap, action, asset)
    return decision


def decide(snap: snapshot.Snapshot, action: Action, asset: Asset | None) -> Decision:
    """The rules of DESIGN.md "Access rules", on one compiled snapshot."""
    name = snap.center_name
    if snap.state is None:
        return _deny(snap, "not_member", f"You are not a member of {name}.",
                     f"Ask an Admin of {name} to invite you, then accept the invitation.")
    if snap.state == "REVOKED":
        return _deny(snap, "revoked", f"Your access to {name} was revoked.",
                     f"Ask an Admin of {name} to invite you again.")
    if snap.state == "EXPIRED":
        return _deny(snap, "membership_expired", f"Your access to {name} has ended (it had an "
                     "end date).", f"Ask an Admin of {name} to extend it.")
    if snap.needs_two_factor:
        return _deny(snap, "two_factor_required",
                     f"{name} requires 2-step verification for {snap.needs_two_factor}, and "
                     "you have not set it up.",
                     "Set up 2-step verification in your account (an authenticator app), "
                     f"then everything you were given in {name} opens again.")
    own = asset is None or asset.center_id == snap.center_id
    if snap.is_admin and own:
        if asset is not None and action in CHANGES_ACCOUNT and asset.status != "ACTIVE":
            return _inactive(snap, asset)
        return _allow(snap, f"You are an Admin of {name}: Admins may do everything in it.")
    if not own and action in ADMIN_ONLY:
        assert asset is not None  # not own: an asset of another Business Center
        share = _share(snap, asset)
        owner = share.owner if share is not None else "the partner Business Center"
        return _deny(snap, "owned_by_partner",
                     f"{asset} is owned by {owner}, a partner Business Center; only its "
                     f"owner can do this ({action}).",
                     f"Only the Admins of {owner} can do it; ask them.")
    # A Standard member from here on.
    if action == Action.CENTER_VIEW:
        return _allow(snap, f"You are a member of {name}.")
    if action in ADMIN_ONLY:
        return _deny(snap, "admins_only",
                     f"Only Admins of {name} can do this ({action}); you are a Standard member.",
                     f"Ask an Admin of {name} to do it, or to make you an Admin.")
    if action in (Action.BILLING_VIEW, Action.BILLING_MANAGE):
        return _billing(snap, action)
    module = {Action.CAMPAIGN_VIEW: "CAMPAIGNS", Action.CAMPAIGN_EDIT: "CAMPAIGNS",
              Action.CAMPAIGN_PROPOSE: "CAMPAIGNS", Action.REPORT_VIEW: "ANALYTICS",
              Action.ASSET_VIEW: "ASSETS"}[action]
    needs_module = not (action == Action.ASSET_VIEW and asset is not None)
    if needs_module and module not in snap.modules and not snap.is_admin:
        return _deny(snap, "module_missing",
                     f"You were not given the {module.title()} module in {name}.",
                     f"Ask an Admin of {name} to add the {module.title()} module to your access.")
    if asset is None:
        if action == Action.CAMPAIGN_EDIT and not snap.is_admin:
            return _deny(snap, "role_too_low",
                         f"Standard members cannot change campaigns in {name} directly.",
                         "Propose the change instead: an Admin approves it.")
        return _allow(snap, f"You have the {module.title()} module in {name}.",
                      "Lists show only the assets assigned to you.")
    access = snap.assets.get(asset.pk)
    if access is None:
        return _deny(snap, "asset_not_assigned",
                     f"{asset} is not assigned to you in {name}.",
                     f"Ask an Admin of {name} to assign {asset} to you (directly, through "
                     "an asset group, or from what a partner shared).")
    if action == Action.CAMPAIGN_EDIT and snap.is_admin and access.roles & {"ADMIN", "OPERATOR"}:
        # A partner's Admin, on an account shared with it at an operating role.
        if asset.status != "ACTIVE":
            return _inactive(snap, asset)
        return _allow(snap, f"{asset} is shared with {name} as "
                      f"{', '.join(sorted(access.roles))}, and you are an Admin of {name}.")
    held = ", ".join(sorted(access.roles))
    if action in (Action.CAMPAIGN_EDIT, Action.CAMPAIGN_PROPOSE) and snap.is_admin and not (
            access.roles & {"ADMIN", "OPERATOR"}):
        # A partner's Admin holds exactly what is shared: only the owner can raise it.
        fix, more, ask = _raise_to(snap, asset, "OPERATOR")
        return _deny(snap, "role_too_low", f"{asset} is shared with {name} as {held}, which "
                     "only views.", fix, *more, ask=ask)
    if action == Action.CAMPAIGN_EDIT:
        if access.roles & {"ADMIN", "OPERATOR"}:
            return _deny(snap, "role_too_low",
                         f"Standard members cannot change campaigns in {asset} directly.",
                         "Propose the change instead: an Admin approves it.")
        fix, more, ask = _raise_to(snap, asset, "OPERATOR")
        return _deny(snap, "role_too_low",
                     f"Standard members cannot change campaigns in {asset} directly, and "
                     f"your role on it ({held}) only views.", fix, *more, ask=ask)
    if action == Action.CAMPAIGN_PROPOSE:
        if not access.roles & {"ADMIN", "OPERATOR"}:
            fix, more, ask = _raise_to(snap, asset, "OPERATOR")
            return _deny(snap, "role_too_low",
                         f"Your role on {asset} is {held}, which only views.", fix, *more,
                         ask=ask)
        if asset.status != "ACTIVE":
            return _inactive(snap, asset)
        return _allow(snap, f"You are {', '.join(sorted(access.roles))} on {asset}.",
                      "Your change becomes a request that an Admin approves.")
    return _allow(snap, f"{asset} is assigned to you as {', '.join(sorted(access.roles))} "
                        f"({', '.join(access.via)}).")


def _inactive(snap: snapshot.Snapshot, asset: Asset) -> Decision:
    share = _share(snap, asset)
    who = (f"Only the Admins of {share.owner}, which owns it, can reactivate {asset}; "
           "ask them." if share is not None
           else f"An Admin of {snap.center_name} must reactivate {asset} first.")
    return _deny(snap, "account_inactive",
                 f"{asset} is {asset.get_status_display().lower()}; nothing in it can be "
                 "changed.", who)


def _billing(snap: snapshot.Snapshot, action: Action) -> Decision:
    """Billing access is the finance role, and nothing else: the Billing module is held
    exactly when a finance role is (centers.choices.billing_access)."""
    name = snap.center_name
    if snap.finance_role == "MANAGER":
        return _allow(snap, f"Your Billing access in {name} is Finance Manager: you view "
                      "and change billing.")
    if snap.finance_role == "ANALYST" and action == Action.BILLING_VIEW:
        return _allow(snap, f"Your Billing access in {name} is Finance Analyst: you view "
                      "billing.")
    if snap.finance_role == "ANALYST":
        return _deny(snap, "finance_role_too_low",
                     f"Your Billing access in {name} is Finance Analyst: Finance Analysts can "
                     "view billing but not change it.",
                     f"Ask an Admin of {name} to make you Finance Manager.")
    return _deny(snap, "finance_role_missing",
                 f"You have no Billing access in {name} (no finance role).",
                 f"Ask an Admin of {name} to give you Billing access: Finance Analyst to view "
                 "billing, or Finance Manager to change it.")


def require(actor: Actor, action: Action, resource: BusinessCenter | Asset,
            within: BusinessCenter | None = None) -> int | None:
    """Raise unless the actor may act; returns the membership id. The operator may."""
    if actor.user is None:
        return None
    decision = check(actor.user, action, resource, within)
    if not decision:
        if decision.code in ("not_member", "revoked", "membership_expired", "not_found"):
            # Outsiders learn nothing about a Business Center, not even that it exists.
            center_id, _ = _target(resource, within)
            raise NotFound(f"No Business Center with id {center_id} is visible to you.")
        raise NotAllowed(f"{decision.reason} {decision.fix}".strip(), code=decision.code)
    if decision.membership_id is not None:
        _note_activity(decision.membership_id)
    return decision.membership_id


# "Last active" is for people reviewing access, so minutes are precise enough,
# and it must not turn every read into a write.
ACTIVITY_RESOLUTION = timedelta(minutes=5)
_noted: dict[int, datetime] = {}


def _note_activity(membership_id: int) -> None:
    now = timezone.now()
    last = _noted.get(membership_id)
    if last is not None and now - last < ACTIVITY_RESOLUTION:
        return
    _noted[membership_id] = now
    Membership.objects.filter(pk=membership_id).filter(
        Q(last_active_at__isnull=True) | Q(last_active_at__lt=now - ACTIVITY_RESOLUTION)
    ).update(last_active_at=now)


def reset_caches() -> None:
    """Forget every snapshot and activity note of this process (tests roll the
    database back, so ids and versions can repeat; in production they only grow)."""
    snapshot.clear()
    _noted.clear()


@dataclass(frozen=True)
class Explanation:
    allowed: bool
    code: str
    reasons: tuple[str, ...]
    fix: str
    ask: OwnerAsk | None = None  # only the owner of a shared asset can lift the limit

    def as_text(self) -> str:
        lines = [("Allowed" if self.allowed else "Denied") + f" ({self.code})."]
        lines += [f"- {r}" for r in self.reasons]
        if self.fix:
            lines.append(f"Fix: {self.fix}")
        return "\n".join(lines)


def explain(user: User, action: Action, resource: BusinessCenter | Asset,
            within: BusinessCenter | None = None) -> Explanation:
    """The decision with its reasons, and for a denial what to do about it.

    Only the person's access itself, never their invitations: what became of an
    invitation is the troubleshooter's to tell, and only for the address it was sent to
    (``access.troubleshoot``), so no explanation links one address of a person to
    another."""
    decision = check(user, action, resource, within)
    return Explanation(decision.allowed, decision.code, decision.reasons, decision.fix,
                       decision.ask)


def why(actor: Actor, address: str, action: str, resource: str,
        within: BusinessCenter | None = None) -> Explanation:
    """``explain`` for a door that names the person by address: the caller themself, or
    anyone through the troubleshooter for whoever may see members.

    ``resource`` is ``center:ID`` or ``asset:ID``; ``within`` is the Business Center
    asked in (found by the door for the caller), for an asset a partner shared with it.
    The caller is authorized on that Business Center before anything else they typed
    is looked up, and a Business Center or asset they may not see answers exactly as an
    id that does not exist: no answer tells which ids are real, or whose.
    """
    from bizcenter.access.troubleshoot import troubleshoot
    from bizcenter.accounts.addresses import parse_address
    from bizcenter.assets.models import Asset
    from bizcenter.assets.services import visible_asset
    from bizcenter.core.errors import InvalidInput

    try:
        wanted = Action(action)
    except ValueError as exc:
        raise InvalidInput(f"Unknown action '{action}'. Use one of: "
                           f"{', '.join(a.value for a in Action)}.",
                           fields={"action": "unknown"}) from exc
    kind, _, raw_id = resource.partition(":")
    if kind not in ("center", "asset") or not raw_id.isdigit() or int(raw_id) >= 2**63:
        raise InvalidInput(f"'{resource}' is not a resource: write center:ID or asset:ID.",
                           fields={"resource": "center:ID or asset:ID"})
    hidden = NotFound(f"No {'Business Center' if kind == 'center' else 'asset'} with id "
                      f"{raw_id} is visible to you.")
    center = within
    if center is None:
        if kind == "center":
            center = BusinessCenter.objects.filter(pk=int(raw_id)).first()
        else:
            owned_by = Asset.objects.filter(pk=int(raw_id)).values_list("center_id", flat=True)
            center = BusinessCenter.objects.filter(pk__in=owned_by).first()
    if center is None:
        raise hidden
    try:
        require(actor, Action.CENTER_VIEW, center)
    except NotFound:
        raise hidden from None
    target: BusinessCenter | Asset = center
    if kind == "center" and int(raw_id) != center.pk:
        raise hidden  # asked within one Business Center about another
    if kind == "asset":
        try:
            target, _ = visible_asset(actor, center, raw_id)
        except NotFound:
            raise hidden from None
    asked = parse_address(address)
    me = actor.user
    if me is not None and asked.value in (me.email, me.phone):
        return explain(me, wanted, target, within=center)
    return troubleshoot(actor, center, asked.value, wanted.value,
                        "center" if kind == "center" else f"asset:{target.pk}")
