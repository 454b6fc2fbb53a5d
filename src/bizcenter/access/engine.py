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
from bizcenter.access.actions import Action
from bizcenter.access.rules import RULE, TEXTS, Rule, needs, text
from bizcenter.centers.choices import FinanceRole, Module
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
    """The row of ``access.rules`` for ``action``, evaluated on one compiled snapshot
    (DESIGN.md "Access rules"): the first step with an answer gives it."""
    rule = RULE[action]
    for step in _STEPS:
        decision = step(snap, rule, asset)
        if decision is not None:
            return decision
    raise AssertionError(f"no step answered for {action}")  # _assigned always answers


def _deny_key(snap: snapshot.Snapshot, key: str, *, fix: str | None = None,
              more: tuple[str, ...] = (), ask: OwnerAsk | None = None,
              code: str | None = None, **values: object) -> Decision:
    """A refusal from a text key: the key is the code, ``key.fix`` the fix."""
    values.setdefault("center", snap.center_name)
    return _deny(snap, code or key.split(".")[0], text(key, **values),
                 fix if fix is not None else text(f"{key}.fix", **values), *more, ask=ask)


_STATES = {None: "not_member", "REVOKED": "revoked", "EXPIRED": "membership_expired"}


def _membership(snap: snapshot.Snapshot, rule: Rule, asset: Asset | None) -> Decision | None:
    if snap.state in _STATES:
        return _deny_key(snap, _STATES[snap.state])
    if snap.needs_two_factor:
        return _deny_key(snap, "two_factor_required", two_factor=snap.needs_two_factor)
    return None


def _own(snap: snapshot.Snapshot, asset: Asset | None) -> bool:
    return asset is None or asset.center_id == snap.center_id


def _admin(snap: snapshot.Snapshot, rule: Rule, asset: Asset | None) -> Decision | None:
    """Admins may do everything in their own Business Center; changes need an active
    account."""
    if not (snap.is_admin and _own(snap, asset)):
        return None
    if asset is not None and rule.active and asset.status != "ACTIVE":
        return _inactive(snap, asset)
    return _allow(snap, text("admin", center=snap.center_name))


def _partner_owned(snap: snapshot.Snapshot, rule: Rule, asset: Asset | None
                   ) -> Decision | None:
    """What only Admins do, only the owner's Admins do to a partner's asset."""
    if asset is None or _own(snap, asset) or not rule.admins_only:
        return None
    share = _share(snap, asset)
    owner = share.owner if share is not None else "the partner Business Center"
    return _deny_key(snap, "owned_by_partner", asset=asset, owner=owner, action=rule.action)


def _standard(snap: snapshot.Snapshot, rule: Rule, asset: Asset | None) -> Decision | None:
    """A Standard member from here on (or a partner's Admin, on what was shared)."""
    if rule.members:
        return _allow(snap, text("member", center=snap.center_name))
    if rule.admins_only:
        return _deny_key(snap, "admins_only", action=rule.action)
    if rule.finance_roles:
        return _billing(snap, rule)
    return None


def _module(snap: snapshot.Snapshot, rule: Rule, asset: Asset | None) -> Decision | None:
    needed = rule.module and (asset is None or rule.module_on_asset)
    if not needed or rule.module in snap.modules or snap.is_admin:
        return None
    return _deny_key(snap, "module_missing", module=Module(rule.module).label)


def _listing(snap: snapshot.Snapshot, rule: Rule, asset: Asset | None) -> Decision | None:
    """Asked about the Business Center (a list): the module is enough, unless the row
    keeps it from Standard members."""
    if asset is not None:
        return None
    if not rule.standard and not snap.is_admin:
        return _deny_key(snap, f"{rule.instead}.center", code="role_too_low",
                         fix=text(f"{rule.instead}.fix"))
    return _allow(snap, text("module", module=Module(rule.module).label,
                             center=snap.center_name), text("module.more"))


def _assigned(snap: snapshot.Snapshot, rule: Rule, asset: Asset | None) -> Decision | None:
    assert asset is not None  # _listing answered for the Business Center
    access = snap.assets.get(asset.pk)
    if access is None:
        return _deny_key(snap, "asset_not_assigned", asset=asset)
    roles = ", ".join(sorted(access.roles))
    if rule.asset_roles and not access.roles & rule.asset_roles:
        return _view_only(snap, rule, asset, roles)
    if rule.asset_roles and not rule.standard and not snap.is_admin:
        return _deny_key(snap, f"{rule.instead}.asset", asset=asset, code="role_too_low",
                         fix=text(f"{rule.instead}.fix"))
    if rule.active and asset.status != "ACTIVE":
        return _inactive(snap, asset)
    values = {"asset": asset, "center": snap.center_name, "roles": roles,
              "via": ", ".join(access.via)}
    more = (text(f"{rule.allowed}.more"),) if f"{rule.allowed}.more" in TEXTS else ()
    return _allow(snap, text(rule.allowed, **values), *more)


def _view_only(snap: snapshot.Snapshot, rule: Rule, asset: Asset, held: str) -> Decision:
    """The asset role held is below the row's: who can raise it."""
    fix, more, ask = _raise_to(snap, asset, rule.ask_for)
    if snap.is_admin:
        # A partner's Admin holds exactly what is shared: only the owner can raise it.
        key = "shared_view_only"
    elif not rule.standard:
        key = f"{rule.instead}.view_only"
    else:
        key = "role_view_only"
    return _deny_key(snap, key, asset=asset, held=held, code="role_too_low", fix=fix,
                     more=more, ask=ask)


_STEPS = (_membership, _admin, _partner_owned, _standard, _module, _listing, _assigned)


def _inactive(snap: snapshot.Snapshot, asset: Asset) -> Decision:
    share = _share(snap, asset)
    who = (f"Only the Admins of {share.owner}, which owns it, can reactivate {asset}; "
           "ask them." if share is not None
           else f"An Admin of {snap.center_name} must reactivate {asset} first.")
    return _deny(snap, "account_inactive",
                 f"{asset} is {asset.get_status_display().lower()}; nothing in it can be "
                 "changed.", who)


def _billing(snap: snapshot.Snapshot, rule: Rule) -> Decision:
    """Billing access is the finance role, and nothing else: the Billing module is held
    exactly when a finance role is (centers.choices.billing_access)."""
    if snap.finance_role in rule.finance_roles:
        return _allow(snap, text(f"finance.{snap.finance_role}", center=snap.center_name))
    if snap.finance_role:
        return _deny_key(snap, "finance_role_too_low",
                         finance=FinanceRole(rule.finance_ask_for).label)
    return _deny_key(snap, "finance_role_missing")


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
    # What the action's row of access.rules asks of anyone, in words: the same for every
    # person, so it tells nothing about the one asked about.
    needs: str = ""

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
                       decision.ask, needs(action))


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
