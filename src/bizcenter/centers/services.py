"""Use cases of Business Centers and memberships."""

from __future__ import annotations

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import live_tokens, revoke_tokens_of
from bizcenter.accounts.verification import require_verified
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.audit.services import record
from bizcenter.centers import seats
from bizcenter.centers.choices import (
    FinanceRole,
    MemberStatus,
    Module,
    PartnerKind,
    Role,
    TwoFactorPolicy,
    billing_access,
    choice,
    modules_list,
)
from bizcenter.centers.currencies import CURRENCIES
from bizcenter.centers.models import BusinessCenter, Membership, MembershipState
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotFound
from bizcenter.core.lookup import find
from bizcenter.core.pagination import Page, paginate
from bizcenter.core.ratelimit import RateLimited
from bizcenter.core.replicas import from_replica


def _name(value: str, field: str = "name", limit: int = 100) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"The {field} cannot be empty.", fields={field: "required"})
    if len(text) > limit:
        raise InvalidInput(
            f"The {field} is {len(text)} characters long; at most {limit} are allowed.",
            fields={field: f"at most {limit} characters"},
        )
    return text


def _company(value: str | None) -> str:
    """Optional, but a name too long to keep is refused, never cut short."""
    text = (value or "").strip()
    return _name(text, "company", 200) if text else ""


def _timezone(value: str) -> str:
    text = (value or "").strip()
    if text not in zoneinfo.available_timezones():
        raise InvalidInput(
            f"'{value}' is not a time zone. Use an IANA name such as Europe/Paris or "
            "America/New_York.",
            fields={"timezone": "IANA time zone name"},
        )
    return text


def _currency(value: str) -> str:
    text = (value or "").strip().upper()
    if text not in CURRENCIES:
        raise InvalidInput(
            f"'{value}' is not an ISO 4217 currency code. Use three letters such as USD, "
            "EUR or GBP.",
            fields={"currency": "ISO 4217 code"},
        )
    return text


def _domains(value: str | list[str] | None) -> list[str]:
    """An allowlist of email domains: lower-case, without @, each a real host name."""
    raw = value.split(",") if isinstance(value, str) else list(value or [])
    domains = sorted({d.strip().lower().lstrip("@") for d in raw if d.strip()})
    for domain in domains:
        labels = domain.split(".")
        if len(labels) < 2 or not all(
            label and len(label) <= 63 and label.replace("-", "").isalnum() and label.isascii()
            for label in labels
        ):
            raise InvalidInput(f"'{domain}' is not a domain name; write it like agency.com.",
                               fields={"allowed_email_domains": "domain names"})
    return domains


def _flag(field: str) -> Any:
    """A yes/no setting: true or false (also as the words people and scripts send)."""
    def clean(value: bool | str) -> bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise InvalidInput(f"'{value}' is not yes or no; give true or false.",
                           fields={field: "true or false"})
    return clean


def bump_access_version(center: BusinessCenter) -> None:
    """Tell every cached view of access in this Business Center that it is stale.

    The step is random, so a version never comes back: after a change that was rolled
    back, the next change must not land on the same number, or what a process cached
    inside the rolled-back transaction (a snapshot, an asset) would pass for current.
    """
    step = 1 + secrets.randbelow(2**31)  # 2**32 changes before the column's end
    BusinessCenter.objects.filter(pk=center.pk).update(access_version=F("access_version") + step)
    snapshot.forget(center.pk)


DAY = timedelta(hours=24)


def _centers_refusal(user: User, now: datetime) -> RateLimited | None:
    """Why this person may not create another Business Center now, or None: at most
    BIZCENTER_CENTERS_PER_DAY in any 24 hours, counted from the activity log (every
    process agrees, a restart forgets nothing), so nobody makes a stream of them, each
    with its own invitation caps, to relay messages."""
    limit = int(settings.BIZCENTER_CENTERS_PER_DAY)
    made = list(AuditEvent.objects.filter(actor=user, action="center.created",
                                          created_at__gt=now - DAY)
                .order_by("created_at").values_list("created_at", flat=True))
    if len(made) < limit:
        return None
    frees = made[len(made) - limit] + DAY  # when one fewer than the limit is in the window
    return RateLimited(
        f"You have created {len(made)} Business Centers in the last 24 hours, the most "
        f"allowed in a day ({limit}, BIZCENTER_CENTERS_PER_DAY). You can create the next at "
        f"{frees:%Y-%m-%d %H:%M} UTC; until then, work in one you have.",
        retry_after=max(1, int((frees - now).total_seconds()) + 1), code="centers_per_day")


def create_center(
    actor: Actor,
    *,
    name: str,
    company: str = "",
    timezone_name: str = "UTC",
    currency: str = "USD",
) -> BusinessCenter:
    """Anyone with an account may create a Business Center and becomes its first Admin."""
    if actor.user is None:
        raise InvalidInput("A Business Center needs an owner: say which user creates it.",
                           fields={"owner": "required"})
    require_verified(actor.user, "create a Business Center")
    center = BusinessCenter(
        name=_name(name),
        company=_company(company),
        timezone=_timezone(timezone_name),
        currency=_currency(currency),
    )
    with transaction.atomic():
        seats.lock_person(actor.user.pk)
        if refusal := _centers_refusal(actor.user, timezone.now()):
            raise refusal
        center.save()
        membership = Membership.objects.create(
            center=center, user=actor.user, role=Role.ADMIN, kind=PartnerKind.EMPLOYEE,
            modules=list(Module.values),
        )
        record(actor, center=center, category=Category.BUSINESS, action="center.created",
               target=center, after=center_dict(center))
        record(actor, center=center, category=Category.USER, action="member.added",
               target=membership, after=membership.access_dict())
    return center


def center_dict(center: BusinessCenter) -> dict[str, Any]:
    return {"name": center.name, "company": center.company, "timezone": center.timezone,
            "currency": center.currency,
            "allowed_email_domains": list(center.allowed_email_domains),
            "allowlist_refuses_phones": center.allowlist_refuses_phones,
            "two_factor_policy": center.two_factor_policy}


def get_center(actor: Actor, center_id: int | str) -> BusinessCenter:
    """A Business Center the actor belongs to; 404 for any other, existing or not."""
    center = find(BusinessCenter.objects.all(), center_id,
                  "No Business Center with id {id} is visible to you.")
    # The row just read carries the access version the check needs: no second read
    # of it (kept only if the row came from the primary).
    snapshot.remember_version(center)
    require(actor, Action.CENTER_VIEW, center)
    return center


def centers_of(user: User) -> QuerySet[BusinessCenter]:
    """The Business Centers a person can currently work in."""
    mine = Membership.objects.active().filter(user=user).values("center_id")
    return BusinessCenter.objects.filter(pk__in=mine).order_by("name", "id")


def memberships_of(user: User) -> QuerySet[Membership]:
    """A person's current memberships with their Business Centers, for switching."""
    return Membership.objects.active().filter(user=user).select_related("center").order_by(
        "center__name", "center_id")


def visible_centers(actor: Actor) -> QuerySet[BusinessCenter]:
    """Business Centers the actor works in; the operator (no user) sees them all."""
    qs = BusinessCenter.objects.all() if actor.user is None else centers_of(actor.user)
    return qs.annotate(
        member_count=Count("memberships", distinct=True, filter=Q(
            memberships__in=Membership.objects.active()))
    ).order_by("name", "id")


def update_center(actor: Actor, center: BusinessCenter,
                  **changes: str | list[str] | bool | None) -> BusinessCenter:
    """Rename or change settings; only the fields given change."""
    require(actor, Action.SETTINGS_MANAGE, center)  # before the input (ARCHITECTURE.md)
    cleaners: dict[str, Any] = {
        "name": _name, "company": _company,
        "timezone": _timezone, "currency": _currency, "allowed_email_domains": _domains,
        "allowlist_refuses_phones": _flag("allowlist_refuses_phones"),
        "two_factor_policy": lambda v: choice(TwoFactorPolicy, v, "two_factor_policy"),
    }
    unknown = set(changes) - set(cleaners)
    if unknown:
        raise InvalidInput(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    clean = {k: cleaners[k](v) for k, v in changes.items() if v is not None}
    with transaction.atomic():
        require(actor, Action.SETTINGS_MANAGE, center)
        center = seats.lock(center.pk)
        before = center_dict(center)
        policy = clean.get("two_factor_policy")
        if policy in ("ADMINS", "EVERYONE") and actor.user is not None and not (
            actor.user.has_two_factor
        ):
            raise Conflict("Set up 2-step verification for yourself first: requiring it "
                           "now would lock you out of this Business Center.",
                           code="two_factor_yourself_first")
        for key, value in clean.items():
            setattr(center, key, value)
        after = center_dict(center)
        if before == after:
            return center
        center.save()
        if before["two_factor_policy"] != after["two_factor_policy"]:
            bump_access_version(center)
        record(actor, center=center, category=Category.BUSINESS, action="center.updated",
               target=center, before={k: before[k] for k in clean if before[k] != after[k]},
               after={k: after[k] for k in clean if before[k] != after[k]})
    return center


# -- members -----------------------------------------------------------------

SORTS = {
    "joined": "joined_at", "-joined": "-joined_at",
    "name": "user__name", "-name": "-user__name",
    "email": "user__email", "-email": "-user__email",
    "role": "role", "-role": "-role",
    "kind": "kind", "-kind": "-kind",
    "last_active": "last_active_at", "-last_active": "-last_active_at",
}


def _direct_asset_count() -> Coalesce:
    """Assets given to the member directly, as a correlated subquery: computed only for
    the rows of the page, with no GROUP BY over the whole Business Center."""
    grants = Membership._meta.get_field("grants").related_model
    counted = (grants.objects.filter(membership=OuterRef("pk")).order_by()  # type: ignore[union-attr]
               .values("membership").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def list_members(
    actor: Actor,
    center: BusinessCenter,
    *,
    search: str = "",
    role: str | None = None,
    kind: str | None = None,
    state: str | None = "ACTIVE,EXPIRED",
    sort: str = "joined",
    page: int = 1,
    page_size: int = 50,
) -> Page[Membership]:
    require(actor, Action.MEMBER_VIEW, center)
    qs = Membership.objects.filter(center=center)
    if state:
        # ACTIVE, EXPIRED, REVOKED, or several of them with commas.
        qs = qs.in_status(*(choice(MemberStatus, s, "state") for s in state.split(",")))
    if role:
        qs = qs.filter(role=choice(Role, role, "role"))
    if kind:
        qs = qs.filter(kind=choice(PartnerKind, kind, "kind"))
    if search := (search or "").strip():
        qs = qs.filter(Q(user__email__icontains=search) | Q(user__phone__icontains=search)
                       | Q(user__name__icontains=search))
    if sort not in SORTS:
        raise InvalidInput(f"Unknown sort '{sort}'. Use one of: {', '.join(SORTS)}.",
                           fields={"sort": "unknown"})
    # The page's ids first, then their rows with the person and the asset count: an
    # offset deep into a large list then walks the membership index alone, instead of
    # joining every person before skipping most of them.
    with from_replica():  # a list: a replica may answer it (core/replicas.py)
        ids = paginate(qs.order_by(SORTS[sort], "id").values_list("pk", flat=True), page,
                       page_size)
        rows = (Membership.objects.filter(pk__in=ids.items).select_related("user")
                .annotate(asset_count=_direct_asset_count()).in_bulk())
    return Page(items=[rows[pk] for pk in ids.items], total=ids.total, page=ids.page,
                page_size=ids.page_size)


def get_member(actor: Actor, center: BusinessCenter, membership_id: int | str) -> Membership:
    require(actor, Action.MEMBER_VIEW, center)
    return _member(center, membership_id)


def member_by_address(actor: Actor, center: BusinessCenter, address: str) -> Membership:
    """A current member found by the email or phone an Admin types, for forms that
    would otherwise need a list of thousands of people."""
    from bizcenter.accounts.addresses import AddressKind, parse_address

    require(actor, Action.MEMBER_VIEW, center)
    parsed = parse_address(address)
    field = "user__email" if parsed.kind is AddressKind.EMAIL else "user__phone"
    membership = (Membership.objects.active().select_related("user")
                  .filter(center=center, **{field: parsed.value}).first())
    if membership is None:
        raise NotFound(f"{parsed.value} is not a current member of {center.name}. Invite "
                       "them first from Users → Partners.", fields={"person": "not a member"})
    return membership


def _member(center: BusinessCenter, membership_id: int | str, *, lock: bool = False) -> Membership:
    qs = Membership.objects.select_related("user").filter(center=center)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return find(qs, membership_id, f"No member with id {{id}} in {center.name}.")


def require_future(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value <= timezone.now():
        raise InvalidInput(f"The {field.replace('_', ' ')} must be in the future.",
                           fields={field: "in the past"})
    return value


def update_member(
    actor: Actor,
    center: BusinessCenter,
    membership_id: int | str,
    *,
    role: str | None = None,
    finance_role: str | None = None,
    kind: str | None = None,
    modules: list[str] | str | None = None,
    expires_at: datetime | None = None,
    clear_expiry: bool = False,
) -> Membership:
    """Change someone's access; only the fields given change."""
    require(actor, Action.MEMBER_MANAGE, center)  # before the input (ARCHITECTURE.md)
    changes: dict[str, Any] = {}
    if role is not None:
        changes["role"] = choice(Role, role, "role")
    if finance_role is not None:
        changes["finance_role"] = choice(FinanceRole, finance_role, "finance_role")
    if kind is not None:
        changes["kind"] = choice(PartnerKind, kind, "kind")
    if modules is not None:
        changes["modules"] = modules_list(modules)
    if clear_expiry:
        changes["expires_at"] = None
    elif expires_at is not None:
        changes["expires_at"] = require_future(expires_at, "expires_at")
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_MANAGE, center)
        membership = _member(center, membership_id, lock=True)
        if membership.state != MembershipState.ACTIVE:
            raise Conflict(
                f"{membership.user.label} no longer has access (revoked). Invite them again "
                "to give access back.",
                code="revoked",
            )
        before = membership.access_dict()
        ends = changes.get("expires_at", membership.expires_at)
        revived = not membership.is_current and (ends is None or ends > timezone.now())
        if revived:
            # An ended membership holds no seat: being current again takes one, under
            # the same lock as invitations, as joining would.
            seats.count(center).take(changes.get("role", membership.role))
        elif changes.get("role") == Role.ADMIN and not membership.is_admin:
            seats.count(center).take(Role.ADMIN, joining=False)
        if membership.is_admin and changes.get("role") == Role.STANDARD:
            _keep_one_admin(center, membership, "demote")
        elif membership.is_admin and membership.expires_at is None and changes.get("expires_at"):
            # An end date on the last lasting Admin would leave nobody in charge later.
            _keep_one_admin(center, membership, "give an end date to")
        held = list(membership.modules)
        for key, value in changes.items():
            setattr(membership, key, value)
        # One meaning for billing access: the Billing module and the finance role move
        # together (centers.choices.billing_access).
        membership.modules, membership.finance_role = billing_access(
            membership.modules, membership.finance_role, role=membership.role,
            before=held, modules_named="modules" in changes,
            finance_named="finance_role" in changes)
        after = membership.access_dict()
        if before == after:
            return membership
        membership.save()
        bump_access_version(center)
        record(actor, center=center, category=Category.USER, action="member.updated",
               target=membership,
               before={k: v for k, v in before.items() if after[k] != v},
               after={k: v for k, v in after.items() if before[k] != v})
        from bizcenter.notifications.events import access_changed  # (it imports centers)
        access_changed(actor, membership, before, after)
        if before["role"] == Role.ADMIN and after["role"] != Role.ADMIN:
            _cancel_what_they_sent(actor, center, membership, "made Standard")
    return membership


def _keep_one_admin(center: BusinessCenter, membership: Membership, verb: str) -> None:
    """Refuse a change that would leave no Admin whose access does not end."""
    others = Membership.objects.active().filter(center=center, role=Role.ADMIN).exclude(
        pk=membership.pk)
    if not others.exists():
        raise Conflict(
            f"{membership.user.label} is the last Admin of {center.name}; a Business Center "
            f"always needs one. Make someone else Admin first, then {verb} this one.",
            code="last_admin",
        )
    if not others.filter(expires_at__isnull=True).exists():
        raise Conflict(
            f"{membership.user.label} is the last Admin of {center.name} whose access does "
            "not end; every other Admin's access ends on a date, after which nobody could "
            "manage it. Make someone else Admin first (without an end date), then "
            f"{verb} this one.",
            code="last_admin",
        )


def revoke_member(actor: Actor, center: BusinessCenter, membership_id: int | str) -> Membership:
    """End someone's access. The row stays for history; inviting them again works."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_MANAGE, center)
        membership = _member(center, membership_id, lock=True)
        if membership.state == MembershipState.REVOKED:
            raise Conflict(f"{membership.user.label}'s access was already revoked.",
                           code="already_revoked")
        if membership.is_admin and membership.is_current:
            _keep_one_admin(center, membership, "revoke")
        before = membership.access_dict()
        membership.state = MembershipState.REVOKED
        membership.revoked_at = timezone.now()
        membership.revoked_by = actor.user
        membership.save(update_fields=["state", "revoked_at", "revoked_by"])
        bump_access_version(center)
        record(actor, center=center, category=Category.USER, action="member.revoked",
               target=membership, before=before, after=membership.access_dict())
        from bizcenter.notifications.events import access_revoked  # (it imports centers)
        access_revoked(actor, membership)
        # What their access put in their hands ends with it: the invitations they sent,
        # and their API tokens here, for good (an invitation back must not revive them).
        _cancel_what_they_sent(actor, center, membership, "revoked")
        revoke_tokens_of(actor, membership.user, "member revoked", center)
    return membership


def _cancel_what_they_sent(actor: Actor, center: BusinessCenter, membership: Membership,
                           why: str) -> None:
    """An invitation carries its sender's authority: once they may no longer invite, each
    would be a way back in, or a grant nobody with authority stands behind any more."""
    from bizcenter.invitations.services import cancel_sent_by

    cancel_sent_by(actor, center, membership.user, f"sent by a member who was {why}")


@dataclass(frozen=True)
class Consequences:
    """What revoking or demoting a member takes with it, for the confirmation step."""

    invitations: int
    tokens: int
    # Why it cannot be done (the last Admin, already revoked), for the confirmation page
    # to say instead of offering a button that fails.
    refused: str | None = None


def consequences(actor: Actor, center: BusinessCenter, membership_id: int | str
                 ) -> Consequences:
    from bizcenter.invitations.services import sent_by

    require(actor, Action.MEMBER_MANAGE, center)
    membership = _member(center, membership_id)
    refused = None
    try:
        if membership.state == MembershipState.REVOKED:
            raise Conflict(f"{membership.user.label}'s access was already revoked.")
        if membership.is_admin and membership.is_current:
            _keep_one_admin(center, membership, "revoke")
    except Conflict as error:
        refused = error.message
    return Consequences(invitations=sent_by(center, membership.user).count(),
                        tokens=live_tokens(membership.user, center).count(), refused=refused)
