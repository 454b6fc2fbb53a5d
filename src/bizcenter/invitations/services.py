"""The invitation lifecycle: invite, resend, cancel, copy link, preview, accept."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, require
from bizcenter.accounts.addresses import Address, parse_address
from bizcenter.accounts.models import User
from bizcenter.accounts.services import sign_up
from bizcenter.assets.kinds import clean_roles
from bizcenter.assets.models import Asset, AssetGrant
from bizcenter.audit import services as audit
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.centers import seats
from bizcenter.centers.choices import (
    FinanceRole,
    Module,
    PartnerKind,
    Role,
    billing_access,
    choice,
)
from bizcenter.centers.models import BusinessCenter, Membership, MembershipState
from bizcenter.centers.services import bump_access_version, require_future
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, Gone, InvalidInput, NotAllowed, NotFound, ServiceError
from bizcenter.core.lookup import find
from bizcenter.core.pagination import Page, paginate
from bizcenter.core.ratelimit import RateLimited, hit
from bizcenter.invitations import tokens
from bizcenter.invitations.models import Invitation, InvitationState, InvitationToken
from bizcenter.outbox import services as outbox
from bizcenter.outbox.models import OutboxMessage


@dataclass(frozen=True)
class Grant:
    """The access an invitation gives on acceptance."""

    role: str = Role.STANDARD
    finance_role: str = FinanceRole.NONE
    kind: str = PartnerKind.OTHER
    modules: Sequence[str] = (Module.ANALYTICS,)
    expires_at: datetime | None = None
    # asset id -> roles on it, granted together with the membership
    assets: Mapping[int | str, Sequence[str] | str] = field(default_factory=dict)

    def cleaned(self) -> Grant:
        role = choice(Role, self.role, "role")
        if role == Role.ADMIN:  # they reach every module; recording them all keeps lists honest
            modules = list(Module.values)
            finance_role = choice(FinanceRole, self.finance_role, "finance_role")
        else:  # the Billing module and the finance role come together
            modules, finance_role = billing_access(list(self.modules), self.finance_role)
        return Grant(
            role=role,
            finance_role=finance_role,
            kind=choice(PartnerKind, self.kind, "kind"),
            modules=tuple(modules),
            expires_at=require_future(self.expires_at, "expires_at"),
            assets=self.assets,
        )


def _asset_grants(center: BusinessCenter, wanted: Mapping[int | str, Sequence[str] | str]
                  ) -> list[dict[str, object]]:
    """Check the assets chosen for an invitation belong here and take those roles."""
    if not wanted:
        return []
    try:
        ids = {int(k): v for k, v in wanted.items()}
    except (TypeError, ValueError) as exc:
        raise InvalidInput("Asset ids are numbers.", fields={"assets": "numeric ids"}) from exc
    found = {a.pk: a for a in Asset.objects.filter(center=center, pk__in=ids)}
    if missing := sorted(set(ids) - set(found)):
        raise InvalidInput(
            f"No asset with id {', '.join(map(str, missing))} in {center.name}; pick assets "
            "this Business Center owns.", fields={"assets": "unknown asset"})
    return [{"asset_id": pk, "roles": clean_roles(found[pk].type, roles)}
            for pk, roles in sorted(ids.items())]


@dataclass
class InviteResult:
    """What happened to one address of an invite call."""

    address: str
    # invited | invalid | duplicate | already_member | already_invited | limit_reached
    # | domain_not_allowed
    status: str
    message: str
    normalized: str | None = None
    invitation: Invitation | None = None
    link: str | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == "invited"


def _validity() -> timedelta:
    return timedelta(days=settings.BIZCENTER_INVITATION_DAYS)


def _day(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "an unknown date"


def _new_token(invitation: Invitation) -> tuple[InvitationToken, str]:
    nonce = tokens.new_nonce()
    token = tokens.token_for(nonce)
    return InvitationToken(invitation=invitation, nonce=nonce,
                           token_hash=tokens.hash_token(token)), token


def _message_for(invitation: Invitation, token_row: InvitationToken) -> OutboxMessage:
    return outbox.build_to(invitation.target, "invitation",
                           {"invitation_id": invitation.pk, "token_id": token_row.pk})


DAY = timedelta(hours=24)


def _count_sending(center: BusinessCenter, messages: int, sender: User | None = None) -> None:
    """The hourly rate of invitation messages per Business Center, and per inviting
    account across all its Business Centers (one account cannot multiply its rate by
    making more of them), the same in every door (web, API, CLI, compatible API, CSV
    import): counted in the shared cache before any work is done. Raises RateLimited
    (429, with the seconds to wait)."""
    hit("invite", str(center.pk), settings.BIZCENTER_INVITE_RATE, 3600,
        f"invitations sent from {center.name}", cost=messages)
    if sender is not None:
        hit("invite-sender", str(sender.pk), settings.BIZCENTER_INVITE_RATE, 3600,
            "invitations sent by your account from all its Business Centers", cost=messages)


def daily_room(center: BusinessCenter, now: datetime) -> int:
    """How many more invitations this Business Center may send before its daily cap.

    Counted from the database, not a cache, so every process agrees and a restart
    forgets nothing: invitations sent (created or resent) in the last 24 hours."""
    return _room(Invitation.objects.filter(center=center), now)


def _room(sent: QuerySet[Invitation], now: datetime) -> int:
    return settings.BIZCENTER_INVITE_DAILY_CAP - sent.filter(sent_at__gt=now - DAY).count()


def _cap_refusal(sent: QuerySet[Invitation], now: datetime, who: str, whole: str
                 ) -> RateLimited:
    """The daily cap, its setting, and the moment it frees up (when the oldest invitation
    of the window turns 24 hours old), for a Business Center or a sender."""
    cap = settings.BIZCENTER_INVITE_DAILY_CAP
    oldest = (sent.filter(sent_at__gt=now - DAY)
              .order_by("sent_at").values_list("sent_at", flat=True).first())
    frees = (oldest or now) + DAY
    wait = max(1, int((frees - now).total_seconds()) + 1)
    return RateLimited(
        f"{who} has sent its {cap:,} invitations for the last 24 hours, {whole} "
        f"(BIZCENTER_INVITE_DAILY_CAP). The next can go out at {_day(frees)}, when the "
        "oldest of them is a day old; this invitation was not sent.",
        retry_after=wait, code="daily_cap_reached")


def cap_refusal(center: BusinessCenter, now: datetime) -> RateLimited:
    return _cap_refusal(Invitation.objects.filter(center=center), now, center.name,
                        "the most allowed in a day")


def sender_daily_room(sender: User, now: datetime) -> int:
    """How many more invitations this person may send, from all their Business Centers
    together, before the daily cap: counted from the database like the Business
    Center's own cap (invitations whose latest message they sent in the last 24 hours)."""
    return _room(Invitation.objects.filter(sent_by=sender), now)


def sender_cap_refusal(sender: User, now: datetime) -> RateLimited:
    return _cap_refusal(Invitation.objects.filter(sent_by=sender), now, "Your account",
                        "from all its Business Centers together, the most one account may "
                        "send in a day")


def _sending_room(center: BusinessCenter, sender: User | None, now: datetime
                  ) -> tuple[int, Callable[[], RateLimited]]:
    """The invitations that may still go out now under both daily caps, the Business
    Center's and its sender's, and the refusal of the one that is reached first. The
    sender's row is locked (after the Business Center's) so two of their requests count
    one after the other."""
    room, refusal = daily_room(center, now), lambda: cap_refusal(center, now)
    if sender is not None:
        seats.lock_person(sender.pk)
        mine = sender_daily_room(sender, now)
        if mine < room:
            room, refusal = mine, lambda: sender_cap_refusal(sender, now)
    return room, refusal


def invite(
    actor: Actor, center: BusinessCenter, addresses: Sequence[str], grant: Grant | None = None
) -> list[InviteResult]:
    """Invite up to 50 addresses at once; each is judged on its own and reported.

    Valid addresses are invited even when others in the same call are not.
    Everything is written in one transaction with the Business Center locked,
    so concurrent calls can never overshoot the seat limits.
    """
    # Before the input: the asset ids below would tell a caller without the right which
    # ids are assets here (docs/ARCHITECTURE.md, "Authorize first").
    require(actor, Action.MEMBER_INVITE, center)
    limit = settings.BIZCENTER_MAX_INVITES_PER_CALL
    if not addresses:
        raise InvalidInput("Give at least one email address or phone number to invite.",
                           fields={"addresses": "required"})
    if len(addresses) > limit:
        raise InvalidInput(
            f"At most {limit} addresses can be invited in one go; this list has "
            f"{len(addresses)}. Split it into batches of {limit}, or upload a CSV file.",
            fields={"addresses": f"at most {limit}"},
        )
    grant = (grant or Grant()).cleaned()
    asset_grants = _asset_grants(center, grant.assets)
    results: list[InviteResult] = []
    parsed: dict[str, tuple[Address, InviteResult]] = {}
    for raw in addresses:
        try:
            address = parse_address(raw)
        except InvalidInput as exc:
            results.append(InviteResult(str(raw), "invalid", exc.message))
            continue
        if address.value in parsed:
            results.append(InviteResult(raw, "duplicate", f"{address.value} is already in this "
                                        "list; it is invited once.", address.value))
            continue
        result = InviteResult(raw, "invited", "", address.value)
        parsed[address.value] = (address, result)
        results.append(result)

    if parsed:  # authorized above: a stranger does not use up the rate
        _count_sending(center, len(parsed), actor.user)
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_INVITE, center)
        now = timezone.now()
        room, full = _sending_room(center, actor.user, now) if parsed else (0, None)
        if full is not None and room <= 0:
            raise full()
        values = list(parsed)
        members = _current_members_by_address(center, values)
        # Pending invitations that have run out no longer hold the address or a seat.
        Invitation.objects.filter(center=center, address__in=values, state=InvitationState.PENDING,
                                  expires_at__lte=now).update(state=InvitationState.EXPIRED)
        pending = {i.address: i for i in Invitation.objects.usable().filter(
            center=center, address__in=values)}
        usage = seats.count(center)
        fresh: list[Invitation] = []
        for value, (address, result) in parsed.items():
            if value in members:
                result.status = "already_member"
                result.message = (f"{value} is already a member of {center.name}. Edit their "
                                  "access instead of inviting them again.")
            elif value in pending:
                result.status = "already_invited"
                result.invitation = pending[value]
                result.message = (f"{value} already has a pending invitation, sent "
                                  f"{_day(pending[value].sent_at)}. Resend it if they "
                                  "cannot find it.")
            elif blocked := center.refusal_for_inviter(address.kind, value):
                result.status = "domain_not_allowed"
                result.message = blocked
            elif refusal := usage.refusal(grant.role):
                result.status = "limit_reached"
                result.message = refusal.message
            elif room <= 0 and full is not None:
                result.status = "limit_reached"
                result.message = full().message
            else:
                room -= 1
                usage.take(grant.role)
                result.invitation = Invitation(
                    center=center, address_kind=address.kind, address=value,
                    role=grant.role, finance_role=grant.finance_role, kind=grant.kind,
                    modules=list(grant.modules), membership_expires_at=grant.expires_at,
                    assets=asset_grants,
                    created_at=now, sent_at=now, expires_at=now + _validity(),
                    invited_by=actor.user, sent_by=actor.user,
                )
                result.message = (f"Invitation sent to {value}; the link works until "
                                  f"{_day(result.invitation.expires_at)}.")
                fresh.append(result.invitation)
        if fresh:
            Invitation.objects.bulk_create(fresh)
            pairs = [_new_token(inv) for inv in fresh]
            InvitationToken.objects.bulk_create([row for row, _ in pairs])
            outbox.queue(_message_for(inv, row) for inv, (row, _) in zip(fresh, pairs, strict=True))
            AuditEvent.objects.bulk_create(
                audit.build(actor, center=center, category=Category.USER,
                            action="invitation.sent", target=inv, after=inv.access_dict(), at=now)
                for inv in fresh
            )
            links = {inv.pk: tokens.link_for(token) for inv, (_, token) in
                     zip(fresh, pairs, strict=True)}
            for result in results:
                if result.ok and result.invitation is not None:
                    result.link = links[result.invitation.pk]
    return results


def _current_members_by_address(center: BusinessCenter, values: list[str]) -> set[str]:
    users = User.objects.filter(Q(email__in=values) | Q(phone__in=values)).filter(
        memberships__in=Membership.objects.active().filter(center=center)
    ).values_list("email", "phone")
    found: set[str] = set()
    for email, phone in users:
        found.update(v for v in (email, phone) if v in values)
    return found


def _invitation(center: BusinessCenter, invitation_id: int | str) -> Invitation:
    return find(Invitation.objects.select_for_update().filter(center=center), invitation_id,
                f"No invitation with id {{id}} in {center.name}.")


@dataclass
class Resent:
    invitation: Invitation
    link: str


def resend(actor: Actor, center: BusinessCenter, invitation_id: int | str) -> Resent:
    """Send a fresh link with a fresh expiry; the previous link stops working at once."""
    require(actor, Action.MEMBER_INVITE, center)
    _count_sending(center, 1, actor.user)
    return resend_counted(actor, center, invitation_id)


def resend_counted(actor: Actor, center: BusinessCenter, invitation_id: int | str) -> Resent:
    """``resend`` once the hourly rate has been counted for it (a bulk resend counts all
    its messages at once): in one transaction, or the caller's as a savepoint."""
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_INVITE, center)
        invitation = _invitation(center, invitation_id)
        if invitation.state == InvitationState.ACCEPTED:
            raise Conflict(f"{invitation.address} already accepted this invitation and is a "
                           "member; there is nothing to resend.", code="already_accepted")
        room, full = _sending_room(center, actor.user, timezone.now())
        if room <= 0:
            raise full()
        if invitation.state == InvitationState.CANCELLED:
            raise Conflict(f"The invitation to {invitation.address} was cancelled. Invite "
                           "them again instead.", code="cancelled")
        if invitation.is_expired:
            # An expired invitation gave its seat back; reviving it needs one again.
            if Invitation.objects.usable().filter(center=center, address=invitation.address
                                                  ).exclude(pk=invitation.pk).exists():
                raise Conflict(f"{invitation.address} has a newer pending invitation; resend "
                               "that one.", code="superseded")
            seats.count(center).take(invitation.role)
        now = timezone.now()
        before = {"sent_at": invitation.sent_at.isoformat(),
                  "expires_at": invitation.expires_at.isoformat(), "state": invitation.status}
        invitation.tokens.filter(replaced_at__isnull=True).update(replaced_at=now)
        invitation.state = InvitationState.PENDING
        invitation.sent_at = now
        invitation.expires_at = now + _validity()
        invitation.resend_count += 1
        invitation.sent_by = actor.user
        invitation.save(update_fields=["state", "sent_at", "expires_at", "resend_count",
                                       "sent_by"])
        row, token = _new_token(invitation)
        row.save()
        outbox.queue([_message_for(invitation, row)])
        audit.record(actor, center=center, category=Category.USER, action="invitation.resent",
                     target=invitation, before=before,
                     after={"sent_at": now.isoformat(),
                            "expires_at": invitation.expires_at.isoformat(), "state": "PENDING"})
    return Resent(invitation, tokens.link_for(token))


def cancel(actor: Actor, center: BusinessCenter, invitation_id: int | str) -> Invitation:
    with transaction.atomic():
        center = seats.lock(center.pk)
        require(actor, Action.MEMBER_INVITE, center)
        invitation = _invitation(center, invitation_id)
        if invitation.state == InvitationState.ACCEPTED:
            raise Conflict(f"{invitation.address} already accepted this invitation. Revoke "
                           "their access from the members list instead.",
                           code="already_accepted")
        if invitation.state == InvitationState.CANCELLED:
            raise Conflict(f"The invitation to {invitation.address} was already cancelled.",
                           code="already_cancelled")
        _cancelled(actor, center, invitation)
    return invitation


def _cancelled(actor: Actor, center: BusinessCenter, invitation: Invitation,
               reason: str | None = None) -> None:
    """Cancel a pending invitation: its link dies at once, and the log says who (and,
    when the product did it on someone's behalf, why)."""
    before = invitation.status
    invitation.state = InvitationState.CANCELLED
    invitation.cancelled_at = timezone.now()
    invitation.cancelled_by = actor.user
    invitation.save(update_fields=["state", "cancelled_at", "cancelled_by"])
    invitation.tokens.filter(replaced_at__isnull=True).update(replaced_at=invitation.cancelled_at)
    audit.record(actor, center=center, category=Category.USER, action="invitation.cancelled",
                 target=invitation, before={"state": before},
                 after={"state": invitation.state, **({"reason": reason} if reason else {})})


def sent_by(center: BusinessCenter, user: User) -> QuerySet[Invitation]:
    """Pending invitations this person sent in this Business Center."""
    return Invitation.objects.pending().filter(center=center, invited_by=user)


def cancel_sent_by(actor: Actor, center: BusinessCenter, user: User, reason: str) -> int:
    """Cancel what a person sent once they may no longer invite (revoked, demoted): an
    invitation carries its sender's authority, and must not outlive it as a way back
    in. Each is logged. In the caller's transaction, with the Business Center locked."""
    cancelled = list(sent_by(center, user).select_for_update())
    for invitation in cancelled:
        _cancelled(actor, center, invitation, reason)
    return len(cancelled)


def link(actor: Actor, center: BusinessCenter, invitation_id: int | str) -> str:
    """The current link of a pending invitation, for an Admin to copy and share.

    A link is a secret even though only the invited address can accept it: whoever
    holds it sees the invitation, and it is the way in for a person without an account
    yet. So reading it takes the right to invite, through a token that may write."""
    with transaction.atomic():
        require(actor, Action.MEMBER_INVITE, center)
        if actor.read_only:
            raise NotAllowed("A read-only API token cannot read invitation links: a link is "
                             "the invited person's way in. Use a token that may write.",
                             code="read_only_token")
        invitation = _invitation(center, invitation_id)
        if invitation.status != InvitationState.PENDING:
            raise Conflict(
                f"The invitation to {invitation.address} is {invitation.status.lower()}; "
                "only a pending invitation has a working link. Resend it to get a new one.",
                code=invitation.status.lower(),
            )
        row = invitation.tokens.get(replaced_at__isnull=True)
    return tokens.link_for(tokens.token_for(row.nonce))


def list_invitations(
    actor: Actor,
    center: BusinessCenter,
    *,
    status: str | None = InvitationState.PENDING,
    search: str = "",
    role: str | None = None,
    sort: str = "-sent",
    page: int = 1,
    page_size: int = 50,
) -> Page[Invitation]:
    """Invitations by what a person sees (PENDING means still usable), newest first
    unless ``sort`` names a column of INVITATION_SORTS (``-`` first: descending)."""
    require(actor, Action.MEMBER_VIEW, center)
    qs: QuerySet[Invitation] = Invitation.objects.filter(center=center)
    now = timezone.now()
    wanted = choice(InvitationState, status, "status") if status else None
    if wanted == InvitationState.PENDING:
        qs = qs.filter(state=InvitationState.PENDING, expires_at__gt=now)
    elif wanted == InvitationState.EXPIRED:
        qs = qs.filter(Q(state=InvitationState.EXPIRED)
                       | Q(state=InvitationState.PENDING, expires_at__lte=now))
    elif wanted:
        qs = qs.filter(state=wanted)
    if role:
        qs = qs.filter(role=choice(Role, role, "role"))
    if search := (search or "").strip():
        qs = qs.filter(address__icontains=search.lower())
    if sort.removeprefix("-") not in INVITATION_SORTS:
        raise InvalidInput(f"Unknown sort '{sort}'. Use one of: {', '.join(INVITATION_SORTS)} "
                           "(a leading - sorts the other way).", fields={"sort": "unknown"})
    column = INVITATION_SORTS[sort.removeprefix("-")]
    down = sort.startswith("-")
    return paginate(qs.order_by(f"-{column}" if down else column, "-id" if down else "id"),
                    page, page_size)


# The invitations list's sort keys and the column each orders by.
INVITATION_SORTS = {"sent": "sent_at", "address": "address", "role": "role",
                    "expires": "expires_at"}


# -- the invited person's side --------------------------------------------------


def _token_row(token: str) -> InvitationToken:
    row = (InvitationToken.objects
           .select_related("invitation", "invitation__center", "invitation__invited_by")
           .filter(token_hash=tokens.hash_token(token or "")).first())
    if row is None:
        raise NotFound(
            "This invitation link is not valid. Check that you opened the whole link from "
            "the message; if it still fails, ask an Admin of the Business Center to send "
            "the invitation again.",
            code="invalid_link",
        )
    return row


def _refusal(invitation: Invitation, row: InvitationToken) -> ServiceError | None:
    """Why this link cannot be used now, worded for the invited person."""
    center = invitation.center.name
    if invitation.state == InvitationState.ACCEPTED:
        return Gone(
            f"This invitation to {center} was already used on {_day(invitation.accepted_at)}"
            f". If that was you, just log in; if not, ask an Admin of {center} to invite "
            "you again.", code="used")
    if invitation.state == InvitationState.CANCELLED:
        return Gone(f"This invitation to {center} was cancelled by an Admin. Ask an Admin "
                    f"of {center} to invite you again.", code="cancelled")
    if row.replaced_at is not None:
        return Gone(
            f"This link was replaced by a newer invitation to {center}, sent to "
            f"{invitation.target.masked()} on {_day(invitation.sent_at)}. Open the link "
            "in the newest message.", code="replaced")
    if invitation.is_expired:
        return Gone(
            f"This invitation to {center} expired on {_day(invitation.expires_at)}; links "
            f"work for {settings.BIZCENTER_INVITATION_DAYS} days. Ask an Admin of {center} "
            "to resend it: you will get a new link.", code="expired")
    if not _inviter_may_invite(invitation):
        return Gone(
            f"This invitation to {center} can no longer be used: the person who sent it may "
            f"no longer invite people to {center}. Ask an Admin of {center} to invite you "
            "again.", code="inviter_cannot_invite")
    return None


def _inviter_may_invite(invitation: Invitation) -> bool:
    """An invitation carries its sender's authority, so it lasts only as long as that
    authority: revoking or demoting an Admin cancels what they sent, and one whose
    access ended or changed otherwise can no longer bring anyone in through it.
    Invitations the operator sent (no sender) carry the installation's own."""
    if invitation.invited_by_id is None:
        return True
    inviter = invitation.invited_by
    assert inviter is not None
    return bool(check(inviter, Action.MEMBER_INVITE, invitation.center))


@dataclass(frozen=True)
class Preview:
    """What the accept page shows before the person logs in."""

    center_name: str
    masked_address: str
    address_kind: str
    role: str
    modules: list[str]
    expires_at: datetime
    problem: ServiceError | None


def preview(token: str) -> Preview:
    row = _token_row(token)
    inv = row.invitation
    return Preview(inv.center.name, inv.target.masked(), inv.address_kind, inv.role,
                   list(inv.modules), inv.expires_at, _refusal(inv, row))


def sign_up_to_accept(actor: Actor, token: str, *, password: str, name: str = "") -> User:
    """An account made from an invitation link, for the address the invitation was sent
    to: the person does not type it, so it cannot be mistyped or swapped. The account
    still proves the address with the code sent to it before it can accept, so a
    forwarded link lets nobody else in."""
    row = _token_row(token)
    if refusal := _refusal(row.invitation, row):
        raise refusal
    target = row.invitation.target
    return sign_up(actor, password=password, name=name, **{target.kind.value: target.value})


def _wrong_address(user: User, target: Address) -> NotAllowed:
    return NotAllowed(
        f"This invitation was sent to {target.masked()}, but you are logged in as "
        f"{user.shown_address}. Log out, then log in or sign up with "
        f"{target.masked()}. If that is not your address, ask the Admin who invited you "
        "to invite the address you use.",
        code="wrong_address",
    )


def accept(actor: Actor, token: str) -> Membership:
    """Join the Business Center; only the person the invitation was sent to can."""
    user = actor.user
    if user is None:
        raise NotAllowed("Log in or sign up first, then open the invitation link again.",
                         code="login_required")
    row = _token_row(token)
    if not user.has_address(row.invitation.target) and _refusal(row.invitation, row) is None:
        # Remembered (in its own transaction, the refusal rolls nothing back) so
        # that explain can later tell this person, or an Admin, what went wrong.
        audit.record(actor, center=row.invitation.center, category=Category.USER,
                     action="invitation.wrong_account", target=row.invitation,
                     after={"sent_to": row.invitation.target.masked()})
        raise _wrong_address(user, row.invitation.target)
    with transaction.atomic():
        center = seats.lock(row.invitation.center_id)
        invitation = Invitation.objects.select_for_update().get(pk=row.invitation_id)
        row.refresh_from_db()
        if refusal := _refusal(invitation, row):
            raise refusal
        target: Address = invitation.target
        user = User.objects.get(pk=user.pk)  # as it is now, not as the session loaded it
        if not user.has_address(target):  # the address changed since the check above
            raise _wrong_address(user, target)
        if not user.has_verified_address(target):
            raise NotAllowed(
                f"Confirm that {target.masked()} is yours first: enter the code we sent to "
                "it (or send a new one), then accept. Only the owner of the invited "
                "address can accept.", code="address_unverified")
        if blocked := center.refuses_address(invitation.address_kind, invitation.address):
            raise NotAllowed(f"{blocked} The allowlist changed after this invitation was "
                             "sent; ask an Admin.", code="domain_not_allowed")
        current = Membership.objects.filter(center=center, user=user,
                                            state=MembershipState.ACTIVE).first()
        if current is not None and current.is_current:
            raise Conflict(f"You are already a member of {center.name}; log in to reach it.",
                           code="already_member")
        now = timezone.now()
        if current is not None:  # an ended (expired) membership makes way for the new one
            current.state = MembershipState.REVOKED
            current.revoked_at = now
            current.save(update_fields=["state", "revoked_at"])
        membership = Membership.objects.create(
            center=center, user=user, role=invitation.role, finance_role=invitation.finance_role,
            kind=invitation.kind, modules=list(invitation.modules), joined_at=now,
            expires_at=invitation.membership_expires_at,
        )
        owned = set(Asset.objects.filter(center=center, pk__in=[
            g["asset_id"] for g in invitation.assets]).values_list("pk", flat=True))
        AssetGrant.objects.bulk_create(  # an asset deleted since the invitation is skipped
            AssetGrant(membership=membership, asset_id=g["asset_id"], roles=g["roles"],
                       granted_by=invitation.invited_by)
            for g in invitation.assets if g["asset_id"] in owned
        )
        invitation.state = InvitationState.ACCEPTED
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.membership = membership
        invitation.save(update_fields=["state", "accepted_at", "accepted_by", "membership"])
        bump_access_version(center)
        audit.record(actor, center=center, category=Category.USER,
                     action="invitation.accepted", target=membership,
                     before={"invitation": invitation.pk}, after=membership.access_dict())
        from bizcenter.notifications.events import invitation_accepted
        invitation_accepted(invitation, membership)
    return membership
