"""The Admin's troubleshooter: "why can't this person do that here?"

It answers for any address, including one with no account yet, because the
article's commonest case is a partner who was invited but never signed up,
or signed up with another address than the one invited.

What it tells is only what this Business Center itself knows, and never whether an
address has an account:

- a member (in any state, found through the account that answers to the address)
  gets the engine's explanation of their access;
- an address this Business Center's latest invitation to it is pending or expired
  for gets what became of that invitation, in words that are the same whether or
  not the address has an account: the Admin sent it and sees it in Pending
  invitations anyway, and "resend it" is the fix they need;
- anything else (never invited, an invitation cancelled or accepted, an invitation
  sent to the person's other address, an account that exists only elsewhere) gets
  one answer, byte for byte the same whether or not anyone uses the address.

So inviting an address and cancelling at once, then asking here, tells an Admin
nothing about accounts, and never links a phone number to an email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from bizcenter.access.actions import Action
from bizcenter.access.engine import Explanation, OwnerAsk, explain, require
from bizcenter.access.rules import DOING, needs
from bizcenter.accounts.addresses import Address, parse_address
from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset
from bizcenter.assets.services import visible_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput
from bizcenter.invitations.models import Invitation, InvitationState


def _action(raw: str) -> Action:
    try:
        return Action(raw)
    except ValueError as exc:
        raise InvalidInput(f"Unknown action '{raw}'. Use one of: "
                           f"{', '.join(a.value for a in Action)}.",
                           fields={"action": "unknown"}) from exc


def _resource(actor: Actor, center: BusinessCenter, raw: str) -> BusinessCenter | Asset:
    """Only this Business Center or an asset of it the asker may see: the troubleshooter
    of one Business Center must not become a window on another, nor tell a member the
    name of an asset they were not given."""
    if raw in ("", "center", f"center:{center.pk}"):
        return center
    kind, _, raw_id = raw.partition(":")
    if kind != "asset" or not raw_id.isdigit():
        raise InvalidInput(f"'{raw}' is not something in {center.name}: pick the Business "
                           "Center or one of its assets.", fields={"resource": "unknown"})
    asset, _ = visible_asset(actor, center, raw_id)
    return asset


def _member(center: BusinessCenter, address: Address) -> User | None:
    """The account that answers to the address, if it has a membership here in any state.
    One query for the membership whether or not there is an account."""
    person = User.objects.by_address(address)
    held = Membership.objects.filter(center=center,  # 0: no account has that id
                                     user_id=person.pk if person is not None else 0)
    return person if held.exists() else None


def _invitation(center: BusinessCenter, address: str) -> Invitation | None:
    """This Business Center's latest invitation to exactly this address, when it is
    pending or expired: a cancelled or accepted one says nothing, and invitations to
    the person's other addresses are never looked at."""
    latest = (Invitation.objects.filter(center=center, address=address)
              .order_by("-sent_at", "-pk").first())
    if latest is None or latest.status not in (InvitationState.PENDING,
                                               InvitationState.EXPIRED):
        return None
    return latest


def _opened_by_someone_else(invitation: Invitation) -> datetime | None:
    """When this invitation's current link was last opened by an account with another
    address (the person signed up with their other email, say).

    Told because it is an interaction with this Business Center's own invitation, and
    it reveals nothing about accounts: the answer about the invited address does not
    depend on whether that address has an account, and the other account is not named.
    (Asked about that other account's address, the troubleshooter gives the stranger's
    answer: naming it would link the two addresses.)"""
    return (AuditEvent.objects.filter(center_id=invitation.center_id,
                                      action="invitation.wrong_account",
                                      target_type="invitation",
                                      target_id=str(invitation.pk),
                                      created_at__gte=invitation.sent_at)
            .order_by("-created_at").values_list("created_at", flat=True).first())


def _invited(center: BusinessCenter, invitation: Invitation, action: Action) -> Explanation:
    address = invitation.address
    reasons = [f"{address} has no membership in {center.name} yet."]
    sent = f"{invitation.sent_at:%Y-%m-%d}"
    if invitation.status == InvitationState.PENDING:
        code = "invitation_pending"
        reasons.append(f"An invitation was sent to {address} on {sent} and is still "
                       f"pending (until {invitation.expires_at:%Y-%m-%d}).")
        fix = (f"They open the link in that message and accept it, logging in or signing "
               f"up with {address} itself — not another email or phone. Resend it from "
               "Pending invitations if they cannot find it.")
    else:
        code = "invitation_expired"
        reasons.append(f"The invitation sent to {address} on {sent} expired on "
                       f"{invitation.expires_at:%Y-%m-%d}.")
        fix = (f"Resend it from Pending invitations: {address} gets a new link that works "
               f"for {settings.BIZCENTER_INVITATION_DAYS} days.")
    if (opened := _opened_by_someone_else(invitation)) is not None:
        reasons.append(f"On {opened:%Y-%m-%d} its link was opened while logged in with "
                       f"another address; only {address} itself can accept it.")
    return Explanation(False, code, tuple(reasons), fix, needs=needs(action))


def _stranger(center: BusinessCenter, address: str, action: Action) -> Explanation:
    """The one answer for an address this Business Center does not know, account or not."""
    return Explanation(
        False, "not_in_center",
        (f"{address} has no membership and no pending invitation in {center.name}.",),
        f"Invite {address} from Users → Partners → Add Partners; they accept from the link "
        "by signing up or logging in with this exact address. If they were invited at "
        "another email or phone, troubleshoot that address instead.", needs=needs(action))


def troubleshoot(actor: Actor, center: BusinessCenter, address: str, action: str,
                 resource: str = "") -> Explanation:
    require(actor, Action.MEMBER_VIEW, center)
    wanted = _action(action)
    target = _resource(actor, center, resource)
    parsed = parse_address(address)
    if (person := _member(center, parsed)) is not None:
        return explain(person, wanted, target, within=center)
    if (invitation := _invitation(center, parsed.value)) is not None:
        return _invited(center, invitation, wanted)
    return _stranger(center, parsed.value, wanted)


def choices(actor: Actor, center: BusinessCenter, limit: int = 500) -> list[Asset]:
    """What the troubleshooter offers to ask about; asking needs the member view."""
    from bizcenter.assets.services import visible_to

    require(actor, Action.MEMBER_VIEW, center)
    return list(visible_to(actor, center).order_by("type", "name", "id")[:limit])


@dataclass(frozen=True)
class Said:
    """A troubleshooter answer in words for the Admin reading it: about the person (by
    name), never "you", and no code. ``fix`` names the form that fixes a refusal
    ("member": their edit page, "asset": the asset's page, "ask": the owner's Ask for
    access, "invite": Add Partners), ``member`` and ``asset`` what it is opened on."""

    allowed: bool
    headline: str
    reasons: tuple[str, ...]
    fix: str = ""
    fix_form: str = ""
    member: Membership | None = None
    asset: Asset | None = None
    ask: OwnerAsk | None = None


def said_to_admin(actor: Actor, center: BusinessCenter, address: str, action: str,
                  resource: str, answer: Explanation) -> Said:
    """The answer ``troubleshoot`` gave, phrased for the Admin who asked. Only words: the
    decision is the one given."""
    from bizcenter.access.profile import person_name, why_can, why_not

    require(actor, Action.MEMBER_VIEW, center)
    wanted = _action(action)
    target = _resource(actor, center, resource)
    parsed = parse_address(address)
    person = _member(center, parsed)
    membership = (Membership.objects.select_related("user", "center")
                  .filter(center=center, user=person).order_by("state", "-joined_at").first()
                  if person is not None else None)
    where = f" on {target}" if isinstance(target, Asset) else f" in {center.name}"
    asset = target if isinstance(target, Asset) else None
    if membership is None:  # an invitation or a stranger: already said to the Admin
        verb = "can" if answer.allowed else "cannot"
        return Said(answer.allowed, f"{parsed.value} {verb} {DOING[wanted]}{where}",
                    answer.reasons, answer.fix,
                    "invite" if answer.code == "not_in_center" else "")
    name = person_name(membership)
    if answer.allowed:
        return Said(True, f"{name} can {DOING[wanted]}{where}",
                    (why_can(membership, wanted, target),), member=membership, asset=asset)
    said = why_not(membership, wanted, target, answer)
    return Said(False, f"{name} cannot {DOING[wanted]}{where}", (said.said,),
                fix_form=said.fix, member=membership, asset=said.asset or asset,
                ask=said.ask)
