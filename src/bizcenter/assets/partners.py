"""Partner Business Centers: partnerships both sides agree to, and what flows through them.

A partnership joins an owner, who shares assets, and a partner (an agency), who
works on them. Either side may ask, by the other's public id; nothing is shared,
and nothing of the other Business Center is shown (not even its name), until an
Admin of the side that was asked accepts. A request to an id that matches nothing
is kept and answered like any other, so asking never tells whether an id exists.

Once active, the owner shares assets at a role, raises or lowers it in place (the
engine caps every partner member by the shared role, so a lower role applies to
all of them at once), and unshares; the partner asks for more (access requests the
owner approves, possibly at a lower role), or drops an asset from its side. Either
side ends it. Every step is logged in both Business Centers, naming the other,
emails the other side's Admins where they have something to know or decide, and
bumps both access versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.assets.kinds import RULES, clean_roles, exceeds
from bizcenter.assets.models import (
    AccessRequest,
    AccessRequestState,
    Asset,
    AssetGrant,
    PartnerShare,
    Partnership,
    PartnershipStatus,
    Side,
)
from bizcenter.assets.services import _asset, _category
from bizcenter.audit.models import Category
from bizcenter.audit.services import build
from bizcenter.centers import seats
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import bump_access_version
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, LimitReached, NotFound
from bizcenter.core.lookup import find

PUBLIC_ID = re.compile(r"\d{19}")
# Requests waiting on the other side, per Business Center: enough for any agency's
# real work, and a bound on anyone sending requests to ids picked at random.
MAX_PENDING = 50
MAX_MESSAGE = 500
# Assets one request may ask for at once.
MAX_ASKED = 100


# -- finding ---------------------------------------------------------------------------


def clean_public_id(value: object, field: str = "partner_id") -> str:
    """The 19 digits of a Business Center id as typed (spaces and dashes allowed)."""
    text = re.sub(r"[\s-]", "", str(value if value is not None else ""))
    if not PUBLIC_ID.fullmatch(text):
        raise InvalidInput(
            f"'{str(value)[:40]}' is not a Business Center id: it has 19 digits. Ask the "
            "other Business Center's Admins for the id shown in their Settings.",
            fields={field: "19 digits"})
    return text


def _message(text: str | None) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_MESSAGE:
        raise InvalidInput(f"The message is longer than {MAX_MESSAGE} characters.",
                           fields={"message": f"at most {MAX_MESSAGE} characters"})
    return cleaned


def _active_with(center: BusinessCenter, other_id: str, *, as_side: str | None = None,
                 lock: bool = False) -> Partnership:
    """The active partnership between this Business Center and the one with that public
    id, with this one on ``as_side`` (either side when None)."""
    public_id = clean_public_id(other_id)
    mine_as_owner = Q(owner=center, partner__public_id=public_id)
    mine_as_partner = Q(partner=center, owner__public_id=public_id)
    where = (mine_as_owner if as_side == Side.OWNER else mine_as_partner
             if as_side == Side.PARTNER else mine_as_owner | mine_as_partner)
    qs = Partnership.objects.active().filter(where).select_related("owner", "partner")
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.first()
    if found is None:
        raise NotFound(f"{center.name} has no partnership with Business Center {public_id}. "
                       "Check the id, or send a partner request first.")
    return found


def _lock(center: BusinessCenter, *, public_id: object = None, partnership_id: object = None,
          access_request_id: object = None) -> BusinessCenter:
    """Both Business Centers' rows, in id order (``seats.lock_both``): every step writes in
    the other's log and access version. The other is looked up before anything is checked
    and quietly (a malformed or unknown id locks this one alone), so the step itself still
    authorizes first and then says what was wrong."""
    other: int | None = None
    text = re.sub(r"[\s-]", "", str(public_id or ""))
    if PUBLIC_ID.fullmatch(text):
        other = BusinessCenter.objects.filter(public_id=text).values_list(
            "pk", flat=True).first()
    raw = str(partnership_id if partnership_id is not None else access_request_id)
    if raw.isdigit() and len(raw) < 18:
        sides = (Partnership.objects.filter(pk=int(raw)).values_list("owner_id", "partner_id")
                 if partnership_id is not None else
                 AccessRequest.objects.filter(pk=int(raw)).values_list(
                     "partnership__owner_id", "partnership__partner_id")).first()
        if sides is not None and center.pk in sides:
            other = next((pk for pk in sides if pk and pk != center.pk), None)
    return seats.lock_both(center.pk, other)


def _bump_both(link: Partnership) -> None:
    for side in (link.owner, link.partner):
        if side is not None:
            bump_access_version(side)


def _log_both(actor: Actor, link: Partnership, acting: BusinessCenter, action: str, *,
              target: Any = None, category: Category = Category.BUSINESS,
              before: dict[str, Any] | None = None,
              after: dict[str, Any] | None = None, unnamed_for_partner: bool = False) -> None:
    """The same event in each side's log, each naming the other Business Center, and the
    side that did not act showing it came from the other (``acting_center``). Written here
    rather than by ``record``, whose twin for an asset's owner would repeat the owner's
    entry. The side that was asked has no entry while its id matches nothing."""
    for center in (link.owner, link.partner):
        if center is None:
            continue
        other = link.other(center)
        if link.status == PartnershipStatus.PENDING and link.side_of(center) == link.asked_by:
            other = None  # the asker learns the other's name only when it accepts
        named = {"partner_center": other.name if other is not None else None,
                 "partner_center_id": other.public_id if other is not None
                 else link.asked_for, "side": link.side_of(center)}
        hidden = unnamed_for_partner and center.pk == link.partner_id
        if hidden:  # an asset not shared with the partner: its id, never its name
            named["asset_id"] = getattr(target, "pk", None)
        event = build(actor, center=center, category=category, action=action,
                      target=None if hidden else target, before=before,
                      after={**named, **(after or {})})
        if target is None:  # a step of the partnership itself is "on" the other side
            event.target_type, event.target_label = "partner", (
                other.name if other is not None else f"Business Center {link.asked_for}")
            event.target_id = named["partner_center_id"] or ""
        event.acting_center = acting if center.pk != acting.pk else None
        event.save()


def _notify(link: Partnership, to: BusinessCenter | None, event: str,
            **extra: Any) -> None:
    """Tell the Admins of one side, in the app and by email for who wants it; the email
    is rendered at delivery (assets/messages.py)."""
    if to is None:
        return
    from bizcenter.notifications.events import partnership

    payload = {"event": event, "to_center": to.pk, "owner": link.owner_id,
               "partner": link.partner_id, **extra}
    partnership(to, payload)


# -- asking ----------------------------------------------------------------------------


def _pending_between(center: BusinessCenter, side: str, public_id: str,
                     other: BusinessCenter | None) -> Partnership | None:
    """A pending request for the same pair and direction, whichever end sent it."""
    same = Q(**{side.lower(): center}, asked_for=public_id)
    if other is not None:
        same |= (Q(owner=center, partner=other) if side == Side.OWNER
                 else Q(owner=other, partner=center))
    return Partnership.objects.pending().filter(same).select_related("owner", "partner").first()


def _open_request(actor: Actor, center: BusinessCenter, side: str, public_id: str,
                  message: str, asked_assets: list[dict[str, Any]]) -> Partnership:
    """The shared core of asking for a partnership, with this center on ``side``."""
    if public_id == center.public_id:
        raise InvalidInput("That is this Business Center's own id; a partner is another "
                           "Business Center.", fields={"partner_id": "another Business Center"})
    other = BusinessCenter.objects.filter(public_id=public_id).first()
    if other is not None:
        pair = ({"owner": center, "partner": other} if side == Side.OWNER
                else {"owner": other, "partner": center})
        if Partnership.objects.active().filter(**pair).exists():
            raise Conflict(f"{other.name} is already a partner of {center.name} this way.",
                           code="already_partner")
    existing = _pending_between(center, side, public_id, other)
    if existing is not None:
        if existing.asked_by != side:  # they asked first: they revealed themselves to us
            raise Conflict(f"{existing.center_on(existing.asked_by)} already asked to be "
                           f"partners; accept their request on the Partner Business Centers "
                           "page.", code="asked_by_them")
        raise Conflict(f"{center.name} already asked Business Center {public_id}; the "
                       "request waits for their Admins.", code="already_requested")
    waiting = Partnership.objects.pending().filter(
        Q(owner=center, asked_by=Side.OWNER) | Q(partner=center, asked_by=Side.PARTNER))
    if waiting.count() >= MAX_PENDING:
        raise LimitReached(f"{center.name} has {MAX_PENDING} partner requests waiting; "
                           "cancel some before sending more.")
    them = {"partner" if side == Side.OWNER else "owner": other}
    link = Partnership.objects.create(
        **{side.lower(): center}, **them, status=PartnershipStatus.PENDING, asked_by=side,
        asked_for=public_id, requested_by=actor.user, message=message,
        asked_assets=asked_assets)
    _log_both(actor, link, center, "partner.requested",
              after={"message": message, "asked_assets": asked_assets} if asked_assets
              else {"message": message})
    _notify(link, other, "requested")
    return link


def request_partner(actor: Actor, center: BusinessCenter, partner_id: object, *,
                    message: str = "",
                    offer: Iterable[tuple[object, Iterable[str] | str | None]] = (),
                    needs_approval: bool = False) -> Partnership:
    """Ask another Business Center, by its public id, to become this one's partner (this
    one will share assets with it). The answer is the same whether or not the id exists.
    ``offer``: (asset id, roles) of this one's assets to share the moment it accepts, as
    TikTok's partner/add with assets does; the asked side sees them with the request."""
    with transaction.atomic():
        center = _lock(center, public_id=partner_id)
        require(actor, Action.ASSET_MANAGE, center)
        public_id = clean_public_id(partner_id)
        offered = []
        for asset_id, roles in offer:
            asset = _asset(center, str(asset_id))
            offered.append({"asset_id": asset.pk, "name": str(asset),
                            "roles": clean_roles(asset.type, roles),
                            "needs_approval": bool(needs_approval)})
        return _open_request(actor, center, Side.OWNER, public_id, _message(message),
                             offered)


def _asked(asset_ids: Iterable[object], role: str | Sequence[str]) -> list[dict[str, Any]]:
    ids: list[int] = []
    for raw in asset_ids:
        text = str(raw).strip()
        if not text.isdigit() or len(text) > 18:
            raise InvalidInput(f"'{text[:40]}' is not an asset id; use the numbers the owner "
                               "shows for its ad accounts and other assets.",
                               fields={"asset_ids": "numbers"})
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        raise InvalidInput("Name at least one asset to ask for.",
                           fields={"asset_ids": "at least one"})
    if len(ids) > MAX_ASKED:
        raise InvalidInput(f"Ask for at most {MAX_ASKED} assets at once.",
                           fields={"asset_ids": f"at most {MAX_ASKED}"})
    roles = [r.strip().upper() for r in ([role] if isinstance(role, str) else list(role))
             if isinstance(r, str) and r.strip()]
    known = sorted({r for rule in RULES.values() for r in rule.roles})
    if not roles or not set(roles) <= set(known):
        raise InvalidInput(f"Choose the role to ask for: one of {', '.join(known)}.",
                           fields={"role": "a role"})
    return [{"asset_id": i, "roles": roles} for i in ids]


def _access_request(actor: Actor, link: Partnership, asset: Asset, roles: Sequence[str],
                    message: str) -> AccessRequest:
    cleaned = clean_roles(asset.type, list(roles))
    if AccessRequest.objects.filter(partnership=link, asset=asset,
                                    state=AccessRequestState.PENDING).exists():
        raise Conflict(f"{link.partner} already asked for asset {asset.pk}; the request "
                       f"waits for {link.owner}'s Admins.", code="already_requested")
    current = PartnerShare.objects.filter(partnership=link, asset=asset).first()
    if current is not None and not exceeds(asset.type, cleaned, current.roles):
        raise Conflict(f"{asset} is already shared with {link.partner} as "
                       f"{', '.join(current.roles)}; ask for a higher role.",
                       code="already_shared")
    return AccessRequest.objects.create(partnership=link, asset=asset, roles=cleaned,
                                        message=message, requested_by=actor.user)


def _requests_for(actor: Actor, link: Partnership, asked: list[dict[str, Any]],
                  message: str) -> list[AccessRequest]:
    """An access request for each asked asset the owner has that takes the role. Any other
    id is passed over without a word: a partner must not learn by asking which ids are the
    owner's assets, or what kind, before the owner shares them."""
    assert link.owner is not None
    made: list[AccessRequest] = []
    known: list[Conflict] = []
    for item in asked:
        asset = Asset.objects.filter(center=link.owner, pk=item["asset_id"]).first()
        if asset is None:
            continue
        try:
            made.append(_access_request(actor, link, asset, item["roles"], message))
        except InvalidInput:
            continue  # a role this kind of asset does not take
        except Conflict as already:  # shared or asked for already: the partner knows it
            known.append(already)
    if known and not made:
        raise known[0]  # nothing new was asked: say why, in terms the partner knows
    return made


def ask_for_access(actor: Actor, center: BusinessCenter, owner_id: object,
                   asset_ids: Iterable[object], role: str | Sequence[str], *,
                   message: str = "") -> Partnership:
    """A partner asks the owner for assets at a role. With an active partnership each
    asset becomes an access request the owner's Admins decide; otherwise this also asks
    for the partnership, and the assets are asked for once it is accepted."""
    with transaction.atomic():
        center = _lock(center, public_id=owner_id)
        require(actor, Action.ASSET_MANAGE, center)
        public_id = clean_public_id(owner_id, "owner_id")
        message = _message(message)
        asked = _asked(asset_ids, role)
        link = Partnership.objects.active().filter(
            owner__public_id=public_id, partner=center).select_related("owner", "partner").first()
        if link is None:
            return _open_request(actor, center, Side.PARTNER, public_id, message, asked)
        assert link.owner is not None
        made = _requests_for(actor, link, asked, message)
        for request in made:
            _log_both(actor, link, center, "asset.access_requested", target=request.asset,
                      category=_category(request.asset), unnamed_for_partner=True,
                      after={"roles": request.roles, "message": message,
                             "request_id": request.pk})
        _notify(link, link.owner, "access_requested", requests=[r.pk for r in made])
        return link


def _pending_for(center: BusinessCenter, request_id: object, *, asked: bool,
                 lock: bool = True) -> Partnership:
    """A pending partner request this Business Center was asked (``asked``) or sent."""
    to_me = (Q(owner=center) & ~Q(asked_by=Side.OWNER)) | (
        Q(partner=center) & ~Q(asked_by=Side.PARTNER))
    by_me = Q(owner=center, asked_by=Side.OWNER) | Q(partner=center, asked_by=Side.PARTNER)
    qs = Partnership.objects.pending().filter(to_me if asked else by_me)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return find(qs.select_related("owner", "partner"), request_id,
                f"No partner request with id {{id}} {'to' if asked else 'from'} "
                f"{center.name}.")


def accept(actor: Actor, center: BusinessCenter, request_id: object) -> Partnership:
    """The asked side's Admin agrees: the partnership is active, and assets the partner
    asked for with it become access requests for the owner to decide."""
    with transaction.atomic():
        center = _lock(center, partnership_id=request_id)
        require(actor, Action.ASSET_MANAGE, center)
        link = _pending_for(center, request_id, asked=True)
        link.status, link.accepted_at = PartnershipStatus.ACTIVE, timezone.now()
        link.save(update_fields=["status", "accepted_at"])
        if link.asked_by == Side.OWNER:  # what the owner offered with it is shared now
            made: list[Any] = []
            _log_both(actor, link, center, "partner.accepted")
            offered = {a.pk: a for a in Asset.objects.filter(
                center=link.owner, pk__in=[item["asset_id"] for item in link.asked_assets])}
            for item in link.asked_assets:
                if item["asset_id"] in offered:  # deleted since: nothing to share
                    _put_share(actor, link, offered[item["asset_id"]], item["roles"],
                               item.get("needs_approval", False), on_accepting=center)
        else:
            made = _requests_for(actor, link, link.asked_assets, link.message)
            _log_both(actor, link, center, "partner.accepted",
                      after={"access_requests": [r.pk for r in made]} if made else None)
        _bump_both(link)
        _notify(link, link.center_on(link.asked_by), "accepted")
        return link


def decline(actor: Actor, center: BusinessCenter, request_id: object) -> None:
    with transaction.atomic():
        center = _lock(center, partnership_id=request_id)
        require(actor, Action.ASSET_MANAGE, center)
        link = _pending_for(center, request_id, asked=True)
        _log_both(actor, link, center, "partner.declined")
        _notify(link, link.center_on(link.asked_by), "declined")
        link.delete()


def cancel_request(actor: Actor, center: BusinessCenter, request_id: object) -> None:
    """The asking side takes its request back before it is answered."""
    with transaction.atomic():
        center = _lock(center, partnership_id=request_id)
        require(actor, Action.ASSET_MANAGE, center)
        link = _pending_for(center, request_id, asked=False)
        _log_both(actor, link, center, "partner.request_cancelled")
        link.delete()


# -- sharing ---------------------------------------------------------------------------


def _drop_partner_grants(partner: BusinessCenter, asset_ids: Iterable[int]) -> int:
    removed, _ = AssetGrant.objects.filter(membership__center=partner,
                                           asset_id__in=list(asset_ids)).delete()
    return removed


def _put_share(actor: Actor, link: Partnership, asset: Asset,
               roles: Iterable[str] | str | None, needs_approval: bool | None, *,
               on_accepting: BusinessCenter | None = None) -> PartnerShare:
    """``on_accepting``: the partner, sharing what the owner offered with its request as
    the partner accepts it (the log says so; the accepting side is not emailed)."""
    cleaned = clean_roles(asset.type, roles)
    current = PartnerShare.objects.filter(partnership=link, asset=asset).first()
    before = ({"roles": current.roles, "needs_approval": current.needs_approval}
              if current else None)
    if current is None:
        current = PartnerShare(partnership=link, asset=asset, shared_by=actor.user)
    current.roles = cleaned
    if needs_approval is not None:
        current.needs_approval = bool(needs_approval)
    current.save()
    assert link.owner is not None
    _log_both(actor, link, on_accepting or link.owner,
              "asset.reshared" if before else "asset.shared",
              target=asset, category=_category(asset), before=before,
              after={"roles": cleaned, "needs_approval": current.needs_approval,
                     **({"offered_with_request": True} if on_accepting else {})})
    _bump_both(link)
    if on_accepting is None:
        _notify(link, link.partner, "reshared" if before else "shared", asset=asset.pk)
    return current


def share(actor: Actor, center: BusinessCenter, partner_id: object, asset_id: object,
          roles: Iterable[str] | str | None = None, *,
          needs_approval: bool | None = None) -> PartnerShare:
    """Share an owned asset with a partner, or change the role or the approval option it
    is shared with (``needs_approval`` None keeps what it was)."""
    with transaction.atomic():
        center = _lock(center, public_id=partner_id)
        require(actor, Action.ASSET_MANAGE, center)
        link = _active_with(center, str(partner_id), as_side=Side.OWNER)
        asset = _asset(center, str(asset_id))
        return _put_share(actor, link, asset, roles, needs_approval)


def _end_share(actor: Actor, link: Partnership, acting: BusinessCenter, asset: Asset,
               action: str) -> None:
    deleted, _ = PartnerShare.objects.filter(partnership=link, asset=asset).delete()
    if not deleted:
        raise NotFound(f"{asset} is not shared with {link.partner}.")
    assert link.partner is not None
    dropped = _drop_partner_grants(link.partner, [asset.pk])
    _log_both(actor, link, acting, action, target=asset, category=_category(asset),
              before={"partner_assignments": dropped})
    _bump_both(link)
    _notify(link, link.other(acting), "unshared" if action == "asset.unshared" else "dropped",
            asset=asset.pk)


def unshare(actor: Actor, center: BusinessCenter, partner_id: object,
            asset_id: object) -> None:
    """The owner stops sharing one asset; the partner's assignments of it end too."""
    with transaction.atomic():
        center = _lock(center, public_id=partner_id)
        require(actor, Action.ASSET_MANAGE, center)
        link = _active_with(center, str(partner_id), as_side=Side.OWNER)
        _end_share(actor, link, center, _asset(center, str(asset_id)), "asset.unshared")


def drop_shared(actor: Actor, center: BusinessCenter, owner_id: object,
                asset_id: object) -> None:
    """The partner removes one shared asset from its side, as a receiver may."""
    with transaction.atomic():
        center = _lock(center, public_id=owner_id)
        require(actor, Action.ASSET_MANAGE, center)
        link = _active_with(center, str(owner_id), as_side=Side.PARTNER)
        asset = find(Asset.objects.filter(shares__partnership=link), asset_id,
                     f"No asset with id {{id}} shared by {link.owner}.")
        _end_share(actor, link, center, asset, "asset.share_dropped")


def end_partnership(actor: Actor, center: BusinessCenter, other_id: object) -> None:
    """Either side ends it: every share goes, and the partner's assignments of them."""
    with transaction.atomic():
        center = _lock(center, public_id=other_id)
        require(actor, Action.ASSET_MANAGE, center)
        link = _active_with(center, str(other_id), lock=True)
        assert link.partner is not None
        shared = list(link.shares.values_list("asset_id", flat=True))
        dropped = _drop_partner_grants(link.partner, shared)
        _log_both(actor, link, center, "partner.ended",
                  before={"shared_assets": shared, "partner_assignments": dropped})
        _bump_both(link)
        _notify(link, link.other(center), "ended", by=center.pk)
        link.delete()


# -- access requests -------------------------------------------------------------------


def decide_access(actor: Actor, center: BusinessCenter, request_id: object, *,
                  approve: bool, roles: Iterable[str] | str | None = None) -> AccessRequest:
    """The owner's Admin approves (at the role asked for, or a lower one) or declines."""
    with transaction.atomic():
        center = _lock(center, access_request_id=request_id)
        require(actor, Action.ASSET_MANAGE, center)
        request = find(AccessRequest.objects.select_for_update(of=("self",)).filter(
            partnership__owner=center, partnership__status=PartnershipStatus.ACTIVE)
            .select_related("asset", "partnership__owner", "partnership__partner"),
            request_id, f"No access request with id {{id}} to {center.name}.")
        if request.state != AccessRequestState.PENDING:
            raise Conflict(f"This request was already {request.get_state_display().lower()}.",
                           code="decided")
        link, asset = request.partnership, request.asset
        given: list[str] = []
        if approve:
            wanted = ([roles] if isinstance(roles, str) else list(roles)) if roles else list(
                request.roles)
            given = clean_roles(asset.type, wanted)
            if exceeds(asset.type, given, request.roles):
                raise InvalidInput(f"{link.partner} asked for {', '.join(request.roles)}; "
                                   "approve at that role or a lower one.",
                                   fields={"roles": "at most what was asked"})
        request.state = AccessRequestState.APPROVED if approve else AccessRequestState.DECLINED
        request.decided_by, request.decided_at, request.granted_roles = (
            actor.user, timezone.now(), given)
        request.save()
        _log_both(actor, link, center,
                  "asset.access_approved" if approve else "asset.access_declined",
                  target=asset, category=_category(asset),
                  after={"request_id": request.pk, "asked": request.roles, "given": given})
        if approve:
            _put_share(actor, link, asset, given, None)
        else:
            _notify(link, link.partner, "access_declined", asset=asset.pk)
        return request


def withdraw_access(actor: Actor, center: BusinessCenter, request_id: object) -> AccessRequest:
    with transaction.atomic():
        center = _lock(center, access_request_id=request_id)
        require(actor, Action.ASSET_MANAGE, center)
        request = find(AccessRequest.objects.select_for_update(of=("self",)).filter(
            partnership__partner=center).select_related("asset", "partnership__owner",
                                                         "partnership__partner"),
            request_id, f"No access request with id {{id}} from {center.name}.")
        if request.state != AccessRequestState.PENDING:
            raise Conflict(f"This request was already {request.get_state_display().lower()}.",
                           code="decided")
        request.state, request.decided_at = AccessRequestState.WITHDRAWN, timezone.now()
        request.save(update_fields=["state", "decided_at"])
        _log_both(actor, request.partnership, center, "asset.access_withdrawn",
                  target=request.asset, category=_category(request.asset),
                  after={"request_id": request.pk})
        return request


# -- reading ---------------------------------------------------------------------------


def partners_of(actor: Actor, center: BusinessCenter) -> QuerySet[Partnership]:
    """Active partners this Business Center shares with, with what it shares."""
    require(actor, Action.ASSET_MANAGE, center)
    return (Partnership.objects.active().filter(owner=center).select_related("partner")
            .prefetch_related("shares__asset").order_by("partner__name", "pk"))


def owners_of(actor: Actor, center: BusinessCenter) -> QuerySet[Partnership]:
    """Active partnerships where this Business Center is the partner (its clients)."""
    require(actor, Action.ASSET_MANAGE, center)
    return (Partnership.objects.active().filter(partner=center).select_related("owner")
            .prefetch_related("shares__asset").order_by("owner__name", "pk"))


def partnership_with(actor: Actor, center: BusinessCenter, other_id: object) -> Partnership:
    """One active partnership, from either side, by the other's public id."""
    require(actor, Action.ASSET_MANAGE, center)
    return _active_with(center, str(other_id))


def requests_to(actor: Actor, center: BusinessCenter) -> QuerySet[Partnership]:
    """Pending partner requests this Business Center's Admins are asked to answer."""
    require(actor, Action.ASSET_MANAGE, center)
    return (Partnership.objects.pending().filter(
        (Q(owner=center) & ~Q(asked_by=Side.OWNER))
        | (Q(partner=center) & ~Q(asked_by=Side.PARTNER)))
        .select_related("owner", "partner", "requested_by").order_by("-created_at", "-pk"))


def requests_from(actor: Actor, center: BusinessCenter) -> QuerySet[Partnership]:
    """Pending partner requests this Business Center sent."""
    require(actor, Action.ASSET_MANAGE, center)
    return (Partnership.objects.pending().filter(
        Q(owner=center, asked_by=Side.OWNER) | Q(partner=center, asked_by=Side.PARTNER))
        .select_related("owner", "partner", "requested_by").order_by("-created_at", "-pk"))


def access_requests(actor: Actor, center: BusinessCenter, *, incoming: bool,
                    state: str | None = AccessRequestState.PENDING
                    ) -> QuerySet[AccessRequest]:
    """Access requests to this owner (``incoming``) or from this partner."""
    require(actor, Action.ASSET_MANAGE, center)
    side = {"partnership__owner": center} if incoming else {"partnership__partner": center}
    qs = AccessRequest.objects.filter(**side).select_related(
        "asset", "partnership__owner", "partnership__partner", "requested_by", "decided_by")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-requested_at", "-pk")


def shared_with(actor: Actor, center: BusinessCenter) -> QuerySet[PartnerShare]:
    """Assets other Business Centers share with this one ("owned by partner")."""
    require(actor, Action.ASSET_MANAGE, center)
    return (PartnerShare.objects.filter(partnership__partner=center,
                                        partnership__status=PartnershipStatus.ACTIVE)
            .select_related("asset", "partnership__owner", "shared_by").order_by("asset__name"))


def pending_count(actor: Actor, center: BusinessCenter) -> int:
    """Partner and access requests waiting on this Business Center's Admins (a badge)."""
    return requests_to(actor, center).count() + access_requests(actor, center,
                                                                incoming=True).count()
