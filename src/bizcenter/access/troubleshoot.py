"""The Admin's troubleshooter: "why can't this person do that here?"

It answers for any address, including one with no account yet, because the
article's commonest case is a partner who was invited but never signed up,
or signed up with another address than the one invited.

What it tells is bounded by this Business Center: whether an address has an
account is said only for addresses it has a membership or invitation for (or
that tried one of its invitations). Any other address gets the same neutral
answer whether or not someone uses it, so an Admin cannot test strangers'
addresses for accounts.
"""

from __future__ import annotations

from bizcenter.access.actions import Action
from bizcenter.access.engine import Explanation, explain, require
from bizcenter.accounts.addresses import parse_address
from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset
from bizcenter.assets.services import reachable_asset
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


def _resource(center: BusinessCenter, raw: str) -> BusinessCenter | Asset:
    """Only this Business Center or an asset it owns or was shared: the troubleshooter
    of one Business Center must not become a window on another."""
    if raw in ("", "center", f"center:{center.pk}"):
        return center
    kind, _, raw_id = raw.partition(":")
    if kind != "asset" or not raw_id.isdigit():
        raise InvalidInput(f"'{raw}' is not something in {center.name}: pick the Business "
                           "Center or one of its assets.", fields={"resource": "unknown"})
    asset, _ = reachable_asset(center, raw_id)
    return asset


def _no_account(center: BusinessCenter, address: str) -> Explanation:
    invitation = (Invitation.objects.filter(center=center, address=address)
                  .order_by("-sent_at").first())
    reasons = [f"No account uses {address}."]
    if invitation is None:  # not reached from troubleshoot: it answers strangers neutrally
        fix = (f"Invite {address} from Users → Partners → Add Partners; they sign up from "
               "the link with this exact address.")
    elif invitation.status == InvitationState.PENDING:
        reasons.append(f"An invitation was sent to {address} on {invitation.sent_at:%Y-%m-%d} "
                       f"and is still pending (until {invitation.expires_at:%Y-%m-%d}).")
        fix = (f"They must open the link and sign up with {address} itself — not another "
               "email or phone. Resend it from Pending invitations if they cannot find it.")
    else:
        reasons.append(f"The invitation sent to {address} on {invitation.sent_at:%Y-%m-%d} "
                       f"is {invitation.status.lower()}.")
        fix = f"Invite {address} again from Add Partners."
    return Explanation(False, "no_account", tuple(reasons), fix)


def _known_here(center: BusinessCenter, address: str, person: User | None) -> bool:
    """Whether this Business Center has anything to do with the address or its owner: an
    invitation to it (or to the owner's other address), a membership in any state, or an
    attempt to accept one of its invitations from this account."""
    addresses = {address} | ({person.email, person.phone} - {None, ""} if person else set())
    if Invitation.objects.filter(center=center, address__in=addresses).exists():
        return True
    if person is None:
        return False
    return (Membership.objects.filter(center=center, user=person).exists()
            or AuditEvent.objects.filter(center=center, actor=person,
                                         action="invitation.wrong_account").exists())


def _stranger(center: BusinessCenter, address: str) -> Explanation:
    """The one answer for an address this Business Center does not know, account or not."""
    return Explanation(
        False, "not_in_center",
        (f"{address} has no membership and no invitation in {center.name}.",),
        f"Invite {address} from Users → Partners → Add Partners; they accept from the link "
        "by signing up or logging in with this exact address. If they were invited at "
        "another email or phone, troubleshoot that address instead.")


def troubleshoot(actor: Actor, center: BusinessCenter, address: str, action: str,
                 resource: str = "") -> Explanation:
    require(actor, Action.MEMBER_VIEW, center)
    wanted = _action(action)
    target = _resource(center, resource)
    parsed = parse_address(address)
    person = User.objects.by_address(parsed)
    if not _known_here(center, parsed.value, person):
        return _stranger(center, parsed.value)
    if person is None:
        return _no_account(center, parsed.value)
    return explain(person, wanted, target, within=center)


def choices(actor: Actor, center: BusinessCenter, limit: int = 500) -> list[Asset]:
    """What the troubleshooter offers to ask about; asking needs the member view."""
    from bizcenter.assets.services import visible_to

    require(actor, Action.MEMBER_VIEW, center)
    return list(visible_to(actor, center).order_by("type", "name", "id")[:limit])
