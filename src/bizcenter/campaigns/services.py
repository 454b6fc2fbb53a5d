"""Campaigns, and the Admin approval of what Standard members propose.

One entry point per change (create, edit, status). Each asks the engine first
whether the person may change the ad account directly; if not, whether they
may propose; a proposal becomes a ChangeRequest holding exactly the difference
and the values it was made against. Approval re-checks everything and applies
the change in one transaction, refusing cleanly when the campaign moved since.

An ad account a partner shared with "Changes need our approval" on (``PartnerShare
.needs_approval``) sends every change made from the partner's Business Center, its
Admins' too, to the owner's Approvals inbox: the request's ``center`` is the owner
(whose Admins decide) and ``proposed_in`` the partner (where its author reads and
withdraws it). Amounts are in the owner's currency: the campaign is the owner's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, explain, require
from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset, PartnerShare
from bizcenter.assets.services import visible_asset, visible_to
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.billing import limits
from bizcenter.campaigns.models import (
    BudgetMode,
    Campaign,
    CampaignStatus,
    ChangeRequest,
    Objective,
    RequestKind,
    RequestState,
)
from bizcenter.centers import seats
from bizcenter.centers.choices import choice
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bizcenter.core.lookup import find, holds
from bizcenter.core.money import BUDGET, parse_amount, show
from bizcenter.core.pagination import Page, paginate

FIELDS = ("name", "objective", "budget_mode", "budget", "start_at", "end_at", "status")
LABELS = {"name": "Name", "objective": "Objective", "budget_mode": "Budget type",
          "budget": "Budget", "start_at": "Starts", "end_at": "Ends", "status": "Status"}


@dataclass(frozen=True)
class Outcome:
    """What a change did: applied at once, or sent for approval."""

    applied: bool
    campaign: Campaign | None
    request: ChangeRequest | None


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    before: Any
    after: Any
    now: Any = None  # the campaign's current value, when it moved since the proposal


# -- values ------------------------------------------------------------------------


def _money(value: Any, center: BusinessCenter) -> Decimal:
    """An amount in ``center``'s currency: the Business Center that owns the ad account,
    whichever Business Center it is typed in. Read by the one money parser, so a
    budget is written the way every other amount is; the minimum is the campaign's own."""
    amount = parse_amount(value, center.currency, field="budget", kind=BUDGET)
    minimum = Decimal(settings.BIZCENTER_MIN_BUDGET)
    if amount < minimum:
        raise InvalidInput(f"The budget is below the minimum of {show(minimum, center.currency)} "
                           f"{center.currency}.",
                           fields={"budget": f"at least {show(minimum, center.currency)}"})
    return amount


def _moment(value: Any, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise InvalidInput(f"'{value}' is not a date and time; use YYYY-MM-DDTHH:MM.",
                               fields={field: "date and time"}) from exc
    return moment if moment.tzinfo else timezone.make_aware(moment, timezone.get_current_timezone())


def _clean(owner: BusinessCenter, data: dict[str, Any], *, base: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    """Validate the fields given, against the campaign's other values (base) where rules
    span fields: a budget for its mode, an end after its start. ``owner`` owns the ad
    account: a partner's budget is in the owner's currency, as the owner sees it."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown campaign field(s): {', '.join(sorted(unknown))}.")
    clean: dict[str, Any] = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name or len(name) > 512:
            raise InvalidInput("A campaign needs a name of 1 to 512 characters.",
                               fields={"name": "1 to 512 characters"})
        clean["name"] = name
    if "objective" in data:
        clean["objective"] = choice(Objective, data["objective"], "objective")
    if "status" in data:
        clean["status"] = choice(CampaignStatus, data["status"], "status")
    merged = {**(base or {}), **data}
    mode = choice(BudgetMode, merged.get("budget_mode") or BudgetMode.DAILY, "budget_mode")
    if "budget_mode" in data or "budget" in data:
        clean["budget_mode"] = mode
        if mode == BudgetMode.INFINITE:
            clean["budget"] = None
        elif merged.get("budget") in (None, ""):
            raise InvalidInput("Give a budget, or choose “No limit”.",
                               fields={"budget": "required"})
        else:
            clean["budget"] = _money(merged["budget"], owner)
    if "start_at" in data:
        clean["start_at"] = _moment(data["start_at"], "start_at")
    if "end_at" in data:
        clean["end_at"] = _moment(data["end_at"], "end_at")
    start = clean.get("start_at", _moment(merged.get("start_at"), "start_at"))
    end = clean.get("end_at", _moment(merged.get("end_at"), "end_at"))
    if start and end and end <= start:
        raise InvalidInput("The campaign ends before it starts; pick an end after the start.",
                           fields={"end_at": "after the start"})
    return clean


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def values_of(campaign: Campaign) -> dict[str, Any]:
    return {f: _json(getattr(campaign, f)) for f in FIELDS}


def currency_of(campaign: Campaign) -> str:
    """The currency of the campaign's amounts: its ad account owner's, whoever looks."""
    return campaign.advertiser.center.currency


# -- finding -----------------------------------------------------------------------


def _advertiser(actor: Actor, center: BusinessCenter, advertiser_id: int | str) -> Asset:
    """An ad account this person may see here; any other id, real or not, is not found
    (the caller is authorized on the Business Center first, by whoever calls this)."""
    asset, _ = visible_asset(actor, center, advertiser_id)
    if asset.type != AssetType.ADVERTISER:
        raise InvalidInput(f"{asset} is not an ad account; campaigns live in ad accounts.",
                           fields={"advertiser": "an ad account"})
    return asset


def _campaign(center: BusinessCenter, campaign_id: int | str, *, lock: bool = False) -> Campaign:
    reachable = Q(advertiser__center=center) | Q(
        advertiser__shares__partnership__partner=center)
    qs = Campaign.objects.filter(reachable).select_related("advertiser__center").distinct()
    if lock:
        found = find(qs, campaign_id, f"No campaign with id {{id}} in {center.name}.")
        return Campaign.objects.select_for_update().select_related("advertiser").get(
            pk=found.pk)
    return find(qs, campaign_id, f"No campaign with id {{id}} in {center.name}.")


def _visible_campaign(actor: Actor, center: BusinessCenter, campaign_id: int | str, *,
                      lock: bool = False) -> Campaign:
    """A campaign in an ad account this person may see campaigns of; any other id, real
    or not, gets the very same "no campaign" (authorize on the Business Center first)."""
    campaign = _campaign(center, campaign_id, lock=lock)
    if actor.user is not None and not check(actor.user, Action.CAMPAIGN_VIEW,
                                            campaign.advertiser, within=center):
        raise NotFound(f"No campaign with id {campaign.pk} in {center.name}.")
    return campaign


def readable_advertisers(actor: Actor, center: BusinessCenter) -> list[Asset]:
    """The ad accounts whose campaigns this person may see here."""
    require(actor, Action.CAMPAIGN_VIEW, center)
    return [a for a in visible_to(actor, center).filter(type=AssetType.ADVERTISER)
            .order_by("name", "id")
            if check(actor.user, Action.CAMPAIGN_VIEW, a, within=center)]


def writable_advertisers(actor: Actor, center: BusinessCenter) -> list[Asset]:
    """The ad accounts where this person may create campaigns, directly or by proposal."""
    return [a for a in readable_advertisers(actor, center)
            if check(actor.user, Action.CAMPAIGN_EDIT, a, within=center)
            or check(actor.user, Action.CAMPAIGN_PROPOSE, a, within=center)]


def list_campaigns(actor: Actor, center: BusinessCenter, *, advertiser_id: int | str | None = None,
                   status: str | None = None, objective: str | None = None, search: str = "",
                   page: int = 1, page_size: int = 50) -> Page[Campaign]:
    visible = [a.pk for a in readable_advertisers(actor, center)]
    qs = Campaign.objects.filter(advertiser_id__in=visible).select_related(
        "advertiser__center")
    if advertiser_id:
        qs = qs.filter(advertiser=_advertiser(actor, center, advertiser_id))
    if status:
        qs = qs.filter(status=choice(CampaignStatus, status, "status"))
    else:
        qs = qs.exclude(status=CampaignStatus.DELETED)
    if objective:
        qs = qs.filter(objective=choice(Objective, objective, "objective"))
    if search := (search or "").strip():
        qs = qs.filter(name__icontains=search)
    return paginate(qs.order_by("-updated_at", "-id"), page, page_size)


def get_campaign(actor: Actor, center: BusinessCenter, campaign_id: int | str) -> Campaign:
    require(actor, Action.CAMPAIGN_VIEW, center)
    campaign = _visible_campaign(actor, center, campaign_id)
    require(actor, Action.CAMPAIGN_VIEW, campaign.advertiser, within=center)
    return campaign


# -- changing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """Where a change goes: applied at once, or a request the Admins of ``decides`` approve."""

    direct: bool
    decides: BusinessCenter


def owner_approves(center: BusinessCenter, advertiser: Asset) -> bool:
    """Whether the ad account is a partner's, shared with this Business Center with
    "Changes need our approval" on: then every change from here waits for the owner."""
    return advertiser.center_id != center.pk and PartnerShare.objects.filter(
        partnership__owner_id=advertiser.center_id, partnership__partner=center,
        asset=advertiser, needs_approval=True).exists()


def _may(actor: Actor, center: BusinessCenter, advertiser: Asset) -> Route:
    """Change directly, or propose to whose Admins. Refused otherwise, with the engine's
    reason. The owner's "Changes need our approval" turns even a partner Admin's change
    into a request for the owner's Admins; without it a partner's Standard member
    proposes to the partner's own Admins, as inside any Business Center."""
    if check(actor.user, Action.CAMPAIGN_EDIT, advertiser, within=center):
        direct = True
    elif check(actor.user, Action.CAMPAIGN_PROPOSE, advertiser, within=center):
        direct = False
    else:
        _refuse(actor, center, advertiser)
    if owner_approves(center, advertiser):
        return Route(False, advertiser.center)
    return Route(direct, center)


def _refuse(actor: Actor, center: BusinessCenter, advertiser: Asset) -> NoReturn:
    if actor.user is None:
        raise NotAllowed("Log in first.")
    why = explain(actor.user, Action.CAMPAIGN_EDIT, advertiser, within=center)
    if why.code == "role_too_low":  # a Standard member who cannot propose either
        why = explain(actor.user, Action.CAMPAIGN_PROPOSE, advertiser, within=center)
    raise NotAllowed(" ".join(why.reasons) + (f" {why.fix}" if why.fix else ""),
                     code=why.code)


def _propose(actor: Actor, center: BusinessCenter, advertiser: Asset, kind: str,
             proposed: dict[str, Any], campaign: Campaign | None,
             decides: BusinessCenter) -> ChangeRequest:
    """A request in the inbox of ``decides``; logged where its author acted (and, by the
    activity log's own rule, in the owner's log when that is another Business Center)."""
    base = ({f: v for f, v in values_of(campaign).items() if f in proposed}
            if campaign else {})
    request = ChangeRequest.objects.create(
        center=decides, proposed_in=center if decides.pk != center.pk else None,
        advertiser=advertiser, campaign=campaign, kind=kind,
        proposed={k: _json(v) for k, v in proposed.items()}, base=base,
        base_version=campaign.version if campaign else None, proposed_by=actor.user)
    record(actor, center=center, category=Category.ACCOUNT, action="campaign.change_proposed",
           target=campaign or advertiser, before=base or None,
           after={"request_id": request.pk, "kind": kind, **request.proposed})
    _notify(request, "proposed")
    return request


def create_campaign(actor: Actor, center: BusinessCenter, advertiser_id: int | str,
                    **fields: Any) -> Outcome:
    data = {"budget_mode": BudgetMode.DAILY, **fields}
    with transaction.atomic():
        center = seats.lock_both(center.pk, _sharing_owner(center, advertiser_id=advertiser_id))
        # Who may act on which ad account before what they typed: docs/ARCHITECTURE.md.
        require(actor, Action.CAMPAIGN_VIEW, center)
        advertiser = _advertiser(actor, center, advertiser_id)
        route = _may(actor, center, advertiser)
        for required in ("name", "objective"):
            if not data.get(required):
                raise InvalidInput(f"A campaign needs a {LABELS[required].lower()}.",
                                   fields={required: "required"})
        clean = _clean(advertiser.center, data)
        limits.refuse_if_stopped(advertiser, clean.get("status", CampaignStatus.ENABLED))
        if not route.direct:
            return Outcome(False, None, _propose(actor, center, advertiser, RequestKind.CREATE,
                                                 clean, None, route.decides))
        campaign = Campaign.objects.create(advertiser=advertiser, created_by=actor.user, **clean)
        record(actor, center=center, category=Category.ACCOUNT, action="campaign.created",
               target=campaign, after=values_of(campaign))
    return Outcome(True, campaign, None)


def _changes(campaign: Campaign, clean: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in clean.items() if getattr(campaign, k) != v}


def update_campaign(actor: Actor, center: BusinessCenter, campaign_id: int | str,
                    **fields: Any) -> Outcome:
    """Edit fields (status goes through set_status). Only what differs is changed or
    proposed."""
    return _change(actor, center, campaign_id, fields, RequestKind.UPDATE)


def set_status(actor: Actor, center: BusinessCenter, campaign_id: int | str,
               status: str) -> Outcome:
    return _change(actor, center, campaign_id, {"status": status}, RequestKind.STATUS)


def _change(actor: Actor, center: BusinessCenter, campaign_id: int | str,
            fields: dict[str, Any], kind: str) -> Outcome:
    with transaction.atomic():
        center = seats.lock_both(center.pk, _sharing_owner(center, campaign_id=campaign_id))
        require(actor, Action.CAMPAIGN_VIEW, center)
        campaign = _visible_campaign(actor, center, campaign_id, lock=True)
        route = _may(actor, center, campaign.advertiser)
        if kind == RequestKind.UPDATE and "status" in fields:
            raise InvalidInput("Change the status with Enable, Disable or Delete.",
                               fields={"status": "use set_status"})
        if campaign.status == CampaignStatus.DELETED:
            raise Conflict(f"{campaign} is deleted; it cannot change any more.",
                           code="deleted")
        changes = _changes(campaign, _clean(campaign.advertiser.center, fields,
                                            base=values_of(campaign)))
        if not changes:
            raise InvalidInput("Nothing to change: the values are the campaign's own.",
                               fields={"name": "unchanged"})
        limits.refuse_if_stopped(campaign.advertiser, changes.get("status"))
        if not route.direct:
            return Outcome(False, campaign, _propose(actor, center, campaign.advertiser, kind,
                                                     changes, campaign, route.decides))
        before = {k: _json(getattr(campaign, k)) for k in changes}
        _apply(campaign, changes)
        record(actor, center=center, category=Category.ACCOUNT,
               action="campaign.status_changed" if kind == RequestKind.STATUS
               else "campaign.updated", target=campaign, before=before,
               after={k: _json(v) for k, v in changes.items()})
    return Outcome(True, campaign, None)


def _pk(raw_id: object) -> int | None:
    try:
        pk = int(str(raw_id))
    except (TypeError, ValueError):
        return None
    return pk if abs(pk) < 2**63 else None


def _sharing_owner(center: BusinessCenter, *, campaign_id: object = None,
                   advertiser_id: object = None) -> int | None:
    """The owner of the ad account, when a partner shares it with this Business Center
    (None otherwise, and for any id that is not such an ad account or its campaign): the
    change will write in the owner's log, and maybe its inbox. Read before anything is
    locked, to lock both rows in order; it decides nothing and answers nobody."""
    pk = _pk(campaign_id if campaign_id is not None else advertiser_id)
    if pk is None:
        return None
    if campaign_id is not None:
        rows = Campaign.objects.filter(pk=pk, advertiser__shares__partnership__partner=center)
        return rows.values_list("advertiser__center_id", flat=True).first()
    shares = PartnerShare.objects.filter(partnership__partner=center, asset_id=pk)
    return shares.values_list("asset__center_id", flat=True).first()


def _apply(campaign: Campaign, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(campaign, key, value)
    if "status" in changes:
        campaign.paused_by_limit_on = None  # a person decided; the limit no longer resumes it
    campaign.version += 1
    campaign.updated_at = timezone.now()
    campaign.save()


# -- approvals ---------------------------------------------------------------------


def _mine(actor: Actor, center: BusinessCenter) -> Q:
    """The person's own requests made from this Business Center, whichever inbox they wait
    in: here, or the owner's of an ad account shared with "Changes need our approval"."""
    if actor.user is None:
        return Q(pk__in=[])
    return Q(proposed_by=actor.user) & (
        Q(proposed_in=center) | Q(center=center, proposed_in__isnull=True))


def _admins_read(center: BusinessCenter) -> Q:
    """What an Admin of this Business Center may read: requests waiting here, those its
    people sent to a partner's inbox, and those on its own ad accounts waiting in a
    partner's inbox (a partner's member proposing to the partner's Admins)."""
    return Q(center=center) | Q(proposed_in=center) | Q(advertiser__center=center)


def list_requests(actor: Actor, center: BusinessCenter, *, state: str | None = None,
                  mine: bool = False, advertiser_id: int | str | None = None,
                  author: str = "", oldest_first: bool = False, page: int = 1,
                  page_size: int = 50) -> Page[ChangeRequest]:
    """Admins see the requests waiting here (the Approvals inbox) and those their people
    sent to a partner's; others only their own, whichever inbox they wait in. Narrowed
    by ad account (an id) and by author (part of a name, email or phone)."""
    require(actor, Action.CENTER_VIEW, center)
    qs = ChangeRequest.objects.select_related(
        "center", "proposed_in", "advertiser", "campaign", "proposed_by", "decided_by")
    if mine or not check(actor.user, Action.APPROVAL_DECIDE, center):
        qs = qs.filter(_mine(actor, center))
    else:
        qs = qs.filter(Q(center=center) | Q(proposed_in=center))
    if state:
        qs = qs.filter(state=choice(RequestState, state, "state"))
    if advertiser_id not in (None, ""):
        pk = _pk(advertiser_id)
        if pk is None:
            raise InvalidInput(f"The ad account id {advertiser_id!s} is not a number.",
                               fields={"advertiser": "a number"})
        qs = qs.filter(advertiser_id=pk)
    if author := (author or "").strip():
        qs = qs.filter(Q(proposed_by__name__icontains=author)
                       | Q(proposed_by__email__icontains=author)
                       | Q(proposed_by__phone__icontains=author))
    order = ("proposed_at", "id") if oldest_first else ("-proposed_at", "-id")
    return paginate(qs.order_by(*order), page, page_size)


def get_request(actor: Actor, center: BusinessCenter, request_id: int | str) -> ChangeRequest:
    """Its author reads their own; any other id needs the right to decide, asked before
    the id is looked up, so someone else's request and a made-up id are refused alike."""
    require(actor, Action.CENTER_VIEW, center)
    qs = ChangeRequest.objects.filter(_mine(actor, center))
    if actor.user is None or not holds(qs, request_id):
        require(actor, Action.APPROVAL_DECIDE, center)
        qs = ChangeRequest.objects.filter(_admins_read(center))
    return find(qs.select_related("center", "proposed_in", "advertiser", "campaign",
                                  "proposed_by", "decided_by"),
                request_id, f"No change request with id {{id}} in {center.name}.")


def waiting_on(actor: Actor, center: BusinessCenter, campaign_id: int | str
               ) -> list[ChangeRequest]:
    """The requests waiting on a campaign that this person may read here, from whichever
    side they came: an Admin sees their own Business Center's and, on its own campaigns,
    a partner's too; anyone else only their own. Oldest first."""
    campaign = get_campaign(actor, center, campaign_id)
    qs = ChangeRequest.objects.filter(campaign=campaign, state=RequestState.PENDING)
    if actor.user is None or check(actor.user, Action.APPROVAL_DECIDE, center):
        qs = qs.filter(_admins_read(center))
    else:
        qs = qs.filter(_mine(actor, center))
    return list(qs.select_related("center", "proposed_in", "proposed_by", "campaign")
                .order_by("proposed_at", "id"))


@dataclass(frozen=True)
class Overlap:
    """A pending proposal on the same campaign that changes some of the same fields."""

    request: ChangeRequest
    labels: list[str]


def overlapping(actor: Actor, center: BusinessCenter, campaign_id: int | str,
                fields: Iterable[str]) -> list[Overlap]:
    """Pending proposals on this campaign that change any of these fields, oldest
    first: a second proposal on the same fields is asked about before it is sent, since
    approving one makes the other stale. Who proposed and which fields, never values."""
    campaign = get_campaign(actor, center, campaign_id)
    wanted = set(fields)
    found = []
    for request in (ChangeRequest.objects.filter(campaign=campaign, state=RequestState.PENDING)
                    .select_related("proposed_by").order_by("proposed_at", "id")):
        same = [LABELS[f] for f in request.proposed if f in wanted and f in LABELS]
        if same:
            found.append(Overlap(request, same))
    return found


def proposed_from(request: ChangeRequest) -> BusinessCenter:
    """The Business Center the request was made in: where its author reads it."""
    return request.proposed_in or request.center


def differences(request: ChangeRequest) -> list[Difference]:
    """Field by field: what it was when proposed, what is proposed, and — when the
    campaign changed since — what it is now."""
    now = values_of(request.campaign) if request.campaign else {}
    return [Difference(f, LABELS[f], request.base.get(f), v,
                       now.get(f) if request.campaign and now.get(f) != request.base.get(f)
                       else None)
            for f, v in request.proposed.items()]


def is_stale(request: ChangeRequest) -> bool:
    return bool(request.campaign and request.base_version is not None
                and request.campaign.version != request.base_version)


def decide(actor: Actor, center: BusinessCenter, request_id: int | str, *, approve: bool,
           comment: str = "") -> ChangeRequest:
    with transaction.atomic():
        center = seats.lock_both(center.pk, _came_from(center, request_id))
        require(actor, Action.APPROVAL_DECIDE, center)
        comment = (comment or "").strip()
        if len(comment) > 2000:
            raise InvalidInput("The comment is longer than 2,000 characters.",
                               fields={"comment": "at most 2000 characters"})
        request = find(ChangeRequest.objects.select_for_update().filter(center=center),
                       request_id, f"No change request with id {{id}} in {center.name}.")
        if request.state != RequestState.PENDING:
            raise Conflict(f"This request was already {request.get_state_display().lower()}.",
                           code="decided")
        if not approve and not comment:
            # Its author is told why (in the app, by email): a bare "rejected" leaves
            # them guessing what to propose instead.
            raise InvalidInput("Say why you reject it: its author reads the reason, and "
                               "what to propose instead.",
                               fields={"comment": "a reason is required to reject"})
        if approve:
            _approve(actor, center, request)
        request.state = RequestState.APPROVED if approve else RequestState.REJECTED
        request.decided_by, request.decided_at, request.comment = (
            actor.user, timezone.now(), comment)
        request.save()
        record(actor, center=center, category=Category.ACCOUNT,
               action="campaign.change_approved" if approve else "campaign.change_rejected",
               target=request.campaign or request.advertiser,
               after={"request_id": request.pk, "comment": comment},
               also=request.proposed_in)
        _notify(request, "approved" if approve else "rejected")
    return request


def _came_from(center: BusinessCenter, request_id: object) -> int | None:
    """The partner a request waiting here was made in, if any, read before locking to
    lock both rows in order (see ``_lock``); it decides nothing and answers nobody."""
    pk = _pk(request_id)
    if pk is None:
        return None
    return (ChangeRequest.objects.filter(pk=pk, center=center)
            .values_list("proposed_in_id", flat=True).first())


def _waits_in(center: BusinessCenter, request_id: object) -> int | None:
    """The inbox a request made here waits in, when it is a partner's; as ``_came_from``."""
    pk = _pk(request_id)
    if pk is None:
        return None
    return (ChangeRequest.objects.filter(pk=pk, proposed_in=center)
            .values_list("center_id", flat=True).first())


def _approve(actor: Actor, center: BusinessCenter, request: ChangeRequest) -> None:
    """Apply the proposal, or refuse without changing anything when it no longer fits.
    Its author's right to propose is checked where they proposed it from; the change is
    logged here, in the owner's log (the activity log's rule) and in the log of the
    Business Center the request came from."""
    advertiser = request.advertiser
    edit = check(actor.user, Action.CAMPAIGN_EDIT, advertiser, within=center)
    if not edit:
        raise Conflict(f"It cannot be applied: {edit.reason} {edit.fix}".strip(),
                       code=edit.code)
    if owner_approves(center, advertiser):
        owner = advertiser.center
        raise Conflict(f"Changes in {advertiser} now need the approval of {owner.name}, "
                       "which shares it; reject this one and ask for it again: it then "
                       f"goes to {owner.name}'s Admins.", code="owner_approval")
    proposer, came_from = request.proposed_by, proposed_from(request)
    if proposer is None or not check(proposer, Action.CAMPAIGN_PROPOSE, advertiser,
                                     within=came_from):
        raise Conflict(f"{proposer.label if proposer else 'Its author'} may no longer "
                       f"propose changes in {advertiser}; reject it instead.",
                       code="proposer_lost_access")
    clean = _clean(advertiser.center, request.proposed,
                   base=values_of(request.campaign) if request.campaign else None)
    limits.refuse_if_stopped(advertiser, clean.get(
        "status", CampaignStatus.ENABLED if request.kind == RequestKind.CREATE else None))
    if request.kind == RequestKind.CREATE:
        campaign = Campaign.objects.create(advertiser=advertiser, created_by=proposer, **clean)
        request.campaign = campaign
        record(actor, center=center, category=Category.ACCOUNT, action="campaign.created",
               target=campaign, after=values_of(campaign), also=request.proposed_in)
        return
    assert request.campaign_id is not None  # an edit or a status change names its campaign
    campaign = Campaign.objects.select_for_update().get(pk=request.campaign_id)
    if campaign.version != request.base_version:
        moved = ", ".join(
            f"{LABELS[f]} is now {values_of(campaign)[f]!s} (was {request.base.get(f)!s} "
            f"when proposed, proposal {v!s})" for f, v in request.proposed.items())
        raise Conflict(f"{campaign} changed since this was proposed, so it was not applied: "
                       f"{moved}. Reject it, or ask for a new proposal.", code="stale")
    before = {k: _json(getattr(campaign, k)) for k in clean}
    _apply(campaign, clean)
    record(actor, center=center, category=Category.ACCOUNT, action="campaign.updated",
           target=campaign, before=before, after={k: _json(v) for k, v in clean.items()},
           also=request.proposed_in)


def withdraw(actor: Actor, center: BusinessCenter, request_id: int | str) -> ChangeRequest:
    with transaction.atomic():
        # The Business Center first, as decide() does: locking the request first and
        # then the center (the activity-log row references it) deadlocked on
        # PostgreSQL when an Admin approved the same request at that moment.
        center = seats.lock_both(center.pk, _waits_in(center, request_id))
        require(actor, Action.CENTER_VIEW, center)
        # Only one's own, made from here: someone else's request answers as one that
        # does not exist. A partner's waits in the owner's inbox; its author withdraws it
        # from the partner's Business Center, where they made it.
        mine = ChangeRequest.objects.select_for_update().filter(_mine(actor, center))
        request = find(mine, request_id,
                       f"No change request with id {{id}} of yours in {center.name}.")
        if request.state != RequestState.PENDING:
            raise Conflict(f"This request was already {request.get_state_display().lower()}.",
                           code="decided")
        request.state, request.decided_at = RequestState.WITHDRAWN, timezone.now()
        request.save(update_fields=["state", "decided_at"])
        record(actor, center=center, category=Category.ACCOUNT,
               action="campaign.change_withdrawn", target=request.campaign or request.advertiser,
               after={"request_id": request.pk})
    return request


def pending_count(actor: Actor, center: BusinessCenter) -> int:
    if not check(actor.user, Action.APPROVAL_DECIDE, center):
        return 0
    return ChangeRequest.objects.filter(center=center, state=RequestState.PENDING).count()


def _notify(request: ChangeRequest, event: str) -> None:
    """Tell the deciding Business Center's Admins about a proposal (the owner's, for a
    change that needs its approval), and the proposer about the decision: in the app,
    and by email for who wants it (notifications/events.py)."""
    from bizcenter.notifications.events import change_request

    change_request(request, event)
