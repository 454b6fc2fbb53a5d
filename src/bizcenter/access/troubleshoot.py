"""The Admin's troubleshooter: "why can't this person do that here?"

It answers for any address, including one with no account yet, because the
article's commonest case is a partner who was invited but never signed up,
or signed up with another address than the one invited.
"""

from __future__ import annotations

from bizcenter.access.actions import Action
from bizcenter.access.engine import Explanation, explain, require
from bizcenter.accounts.addresses import parse_address
from bizcenter.accounts.models import User
from bizcenter.assets.models import Asset
from bizcenter.assets.services import reachable_asset
from bizcenter.centers.models import BusinessCenter
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
    if invitation is None:
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


def troubleshoot(actor: Actor, center: BusinessCenter, address: str, action: str,
                 resource: str = "") -> Explanation:
    require(actor, Action.MEMBER_VIEW, center)
    wanted = _action(action)
    target = _resource(center, resource)
    parsed = parse_address(address)
    person = User.objects.by_address(parsed)
    if person is None:
        return _no_account(center, parsed.value)
    return explain(person, wanted, target, within=center)


def choices(actor: Actor, center: BusinessCenter, limit: int = 500) -> list[Asset]:
    """What the troubleshooter offers to ask about; asking needs the member view."""
    from bizcenter.assets.services import visible_to

    require(actor, Action.MEMBER_VIEW, center)
    return list(visible_to(actor, center).order_by("type", "name", "id")[:limit])
