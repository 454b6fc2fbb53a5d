"""What a person does to their own account, for themselves alone: change their name,
and delete the account.

Deleting is refused while the person is the last Admin of a Business Center, naming
each one, because a Business Center nobody can manage is lost to everyone in it.
Otherwise, in one transaction: every membership ends (logged in each Business Center,
and the invitations they sent there are cancelled, as when an Admin revokes someone),
every API token is revoked, every web session ends, and the account is emptied of its
name, addresses and credentials and can never log in again. The row stays, so the
activity log keeps pointing at "a deleted account" instead of at nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bizcenter.accounts import sessions
from bizcenter.accounts.models import User
from bizcenter.accounts.tokens import revoke_tokens_of
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.centers.models import BusinessCenter, Membership, MembershipState, Role
from bizcenter.core.actor import Actor
from bizcenter.core.errors import Conflict, InvalidInput, NotAllowed

MAX_NAME = 150


def _me(actor: Actor, what: str) -> User:
    if actor.user is None:
        raise NotAllowed(f"Log in first to {what}.")
    return actor.user


def rename(actor: Actor, name: str) -> User:
    """The name other members see beside the person's address."""
    user = _me(actor, "change your name")
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Type your name: it shows beside your address to the people you "
                           "work with.", fields={"name": "required"})
    if len(name) > MAX_NAME:
        raise InvalidInput(f"Your name is {len(name)} characters long; shorten it to at "
                           f"most {MAX_NAME}.", fields={"name": f"at most {MAX_NAME} characters"})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = user.name
        if before == name:
            return user
        user.name = name
        user.save(update_fields=["name"])
        record(actor, center=None, category=Category.USER, action="account.renamed",
               target=user, before={"name": before}, after={"name": name})
    if actor.user is not None:
        actor.user.name = name  # the request's own copy reads the new name too
    return user


def last_admin_of(user: User) -> list[BusinessCenter]:
    """The Business Centers that would have no Admin left (none whose access does not
    end) without this person."""
    mine = (Membership.objects.active().filter(user=user, role=Role.ADMIN)
            .select_related("center").order_by("center__name"))
    alone = []
    for membership in mine:
        others = (Membership.objects.active()
                  .filter(center=membership.center, role=Role.ADMIN, expires_at__isnull=True)
                  .exclude(user=user))
        if not others.exists():
            alone.append(membership.center)
    return alone


def _names(centers: list[BusinessCenter]) -> str:
    names = [c.name for c in centers]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def why_not_delete(user: User) -> str | None:
    """Why this account cannot be deleted now, worded for its owner; None if it can."""
    alone = last_admin_of(user)
    if not alone:
        return None
    if len(alone) == 1:
        return (f"You are the last Admin of {alone[0].name}: make someone else Admin there "
                "first (Partners → Edit), then delete your account.")
    return (f"You are the last Admin of {_names(alone)}: make someone else Admin in each "
            "first (Partners → Edit), then delete your account.")


def delete_account(actor: Actor) -> User:
    """Delete the acting person's own account (see the module's docstring)."""
    from bizcenter.centers.services import bump_access_version
    from bizcenter.invitations.services import cancel_sent_by

    user = _me(actor, "delete your account")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise Conflict("This account is already deleted.", code="already_deleted")
        if reason := why_not_delete(user):
            raise Conflict(reason, code="last_admin")
        now = timezone.now()
        label = user.label
        memberships = list(Membership.objects.active().select_for_update()
                           .filter(user=user).select_related("center"))
        for membership in memberships:
            center = membership.center
            before = membership.access_dict()
            membership.state = MembershipState.REVOKED
            membership.revoked_at = now
            membership.revoked_by = user
            membership.save(update_fields=["state", "revoked_at", "revoked_by"])
            bump_access_version(center)
            record(actor, center=center, category=Category.USER, action="account.deleted",
                   target=membership, before=before, after={"state": membership.state})
            cancel_sent_by(actor, center, user, "sent by a member who deleted their account")
        revoke_tokens_of(actor, user, "account deleted")
        sessions.end_all_sessions(user)
        record(actor, center=None, category=Category.USER, action="account.deleted",
               target=user, before={"account": label},
               after={"centers": [m.center.name for m in memberships]})
        user.name = ""
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.phone = None
        user.email_verified_at = None
        user.phone_verified_at = None
        user.totp_secret = ""
        user.totp_confirmed_at = None
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.recovery_codes.all().delete()
        user.verifications.all().delete()
    return user
