"""The closed catalogue of activity-log actions, and the sentence each one reads as.

Every action a service writes with ``audit.services.record`` or ``build`` is one member
of ``AuditAction``; writing any other string raises ``UnknownAction``, so a typo fails
in the tests instead of landing in the log. The stored string (``member.updated``) is
the machine field that exports, the API and filters use and never changes; people read
``describe(event)``: "Olivia changed Bob's role from Standard to Admin".

Adding an action: one member in ``AuditAction`` and one entry in ``CATALOGUE`` (a label,
and a sentence template or a function). A row written by an older version with an
action no longer listed still reads, in the generic form.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bizcenter.core.errors import InvalidInput

if TYPE_CHECKING:
    from bizcenter.audit.models import AuditEvent


class AuditAction(StrEnum):
    # accounts: the person's own account, outside any Business Center
    USER_SIGNED_UP = "user.signed_up"
    ACCOUNT_SIGNED_IN = "account.signed_in"
    ACCOUNT_SIGN_IN_FAILED = "account.sign_in_failed"
    ACCOUNT_SIGNED_OUT_EVERYWHERE = "account.signed_out_everywhere"
    ACCOUNT_REMOVED = "account.removed"
    ACCOUNT_NOTIFICATIONS_CHANGED = "account.notifications_changed"
    ACCOUNT_RENAMED = "account.renamed"
    ACCOUNT_SESSION_ENDED = "account.session_ended"
    ACCOUNT_OTHER_SESSIONS_ENDED = "account.other_sessions_ended"
    ACCOUNT_DELETED = "account.deleted"
    ADDRESS_CODE_SENT = "address.code_sent"
    ADDRESS_VERIFIED = "address.verified"
    ADDRESS_LOST = "address.lost"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"  # noqa: S105  (an action name)
    PASSWORD_RESET = "password.reset"  # noqa: S105  (an action name)
    PASSWORD_CHANGED = "password.changed"  # noqa: S105  (an action name)
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    TWO_FACTOR_REMOVED = "two_factor.removed"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105  (an action name)
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105  (an action name)
    # Business Centers and their people
    CENTER_CREATED = "center.created"
    CENTER_UPDATED = "center.updated"
    MEMBER_ADDED = "member.added"
    MEMBER_UPDATED = "member.updated"
    MEMBER_REVOKED = "member.revoked"
    INVITATION_SENT = "invitation.sent"
    INVITATION_RESENT = "invitation.resent"
    INVITATION_CANCELLED = "invitation.cancelled"
    INVITATION_RESTORED = "invitation.restored"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_WRONG_ACCOUNT = "invitation.wrong_account"
    INVITATION_IMPORT_STARTED = "invitation.import_started"
    INVITATION_IMPORT_FINISHED = "invitation.import_finished"
    INVITATION_IMPORT_STOPPED = "invitation.import_stopped"
    # assets, groups and partners
    ASSET_CREATED = "asset.created"
    ASSET_UPDATED = "asset.updated"
    ASSET_DELETED = "asset.deleted"
    ASSET_ASSIGNED = "asset.assigned"
    ASSET_UNASSIGNED = "asset.unassigned"
    ASSET_SHARED = "asset.shared"
    ASSET_RESHARED = "asset.reshared"
    ASSET_UNSHARED = "asset.unshared"
    ASSET_SHARE_DROPPED = "asset.share_dropped"
    ASSET_ACCESS_REQUESTED = "asset.access_requested"
    ASSET_ACCESS_APPROVED = "asset.access_approved"
    ASSET_ACCESS_DECLINED = "asset.access_declined"
    ASSET_ACCESS_WITHDRAWN = "asset.access_withdrawn"
    ASSET_GROUP_CREATED = "asset_group.created"
    ASSET_GROUP_RENAMED = "asset_group.renamed"
    ASSET_GROUP_ASSETS_SET = "asset_group.assets_set"
    ASSET_GROUP_MEMBER_SET = "asset_group.member_set"
    ASSET_GROUP_MEMBER_REMOVED = "asset_group.member_removed"
    ASSET_GROUP_DELETED = "asset_group.deleted"
    PARTNER_REQUESTED = "partner.requested"
    PARTNER_ACCEPTED = "partner.accepted"
    PARTNER_DECLINED = "partner.declined"
    PARTNER_REQUEST_CANCELLED = "partner.request_cancelled"
    PARTNER_ENDED = "partner.ended"
    # campaigns and reports
    CAMPAIGN_CREATED = "campaign.created"
    CAMPAIGN_UPDATED = "campaign.updated"
    CAMPAIGN_STATUS_CHANGED = "campaign.status_changed"
    CAMPAIGN_CHANGE_PROPOSED = "campaign.change_proposed"
    CAMPAIGN_CHANGE_APPROVED = "campaign.change_approved"
    CAMPAIGN_CHANGE_REJECTED = "campaign.change_rejected"
    CAMPAIGN_CHANGE_WITHDRAWN = "campaign.change_withdrawn"
    METRICS_IMPORTED = "metrics.imported"
    # billing
    BILLING_TOPPED_UP = "billing.topped_up"
    BILLING_REFUNDED = "billing.refunded"
    BILLING_PAYMENT_SETTINGS_CHANGED = "billing.payment_settings_changed"
    BILLING_LIMIT_SET = "billing.limit_set"
    BILLING_LIMIT_REMOVED = "billing.limit_removed"
    BILLING_LIMIT_WARNED = "billing.limit_warned"
    BILLING_LIMIT_REACHED = "billing.limit_reached"
    BILLING_SPEND_RECORDED = "billing.spend_recorded"
    BILLING_INVOICE_ISSUED = "billing.invoice_issued"
    BILLING_INVOICE_PAID = "billing.invoice_paid"
    BILLING_INVOICE_VOIDED = "billing.invoice_voided"


class UnknownAction(ValueError):
    """An action string that is not in the catalogue: a programming error, not input."""


def checked(action: str) -> AuditAction:
    """The catalogue's member for ``action``, or ``UnknownAction``."""
    try:
        return AuditAction(action)
    except ValueError:
        raise UnknownAction(
            f"{action!r} is not an activity-log action; add it to AuditAction and "
            "CATALOGUE in bizcenter/audit/catalogue.py") from None


# -- how values read -----------------------------------------------------------------------

# Fields whose values are codes (ADMIN, PENDING, BUDGET_MODE_DAY), read as words
_CODED = frozenset({"role", "finance_role", "roles", "given", "asked", "status", "state",
                    "kind", "modules", "type", "side", "channel", "objective", "budget_mode"})
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_UPPER = re.compile(r"^[A-Z][A-Z_]*$")
_MEMBERSHIP = re.compile(r"^(?P<who>.+?) in .+ \([A-Z_]+\)$")
_INVITATION = re.compile(r"^invitation of (?P<address>\S+) to ")
_CONTACT = re.compile(r"^(?P<name>.+?) <[^<>]*>$")
_PREFIXED = {"campaign": "campaign ", "assetgroup": "group "}


def _choices() -> dict[str, dict[str, str]]:
    from bizcenter.assets.kinds import AssetType
    from bizcenter.campaigns.models import CampaignStatus, RequestKind
    from bizcenter.centers.choices import FinanceRole, Role

    return {"role": dict(Role.choices), "finance_role": dict(FinanceRole.choices),
            "status": dict(CampaignStatus.choices), "kind": dict(RequestKind.choices),
            "type": dict(AssetType.choices)}


def person(label: str) -> str:
    """A person's name as a sentence uses it: "Olivia Owner <o@x.com>" is Olivia Owner;
    the system, acting on its own, is "System (reporting)"."""
    found = _CONTACT.match(label or "")
    if found:
        return found.group("name")
    if (label or "").startswith("system ("):
        return "S" + label[1:]
    return label or "Someone"


def value(key: str, raw: Any) -> str:
    """One recorded value as people read it: role ADMIN is Admin, a list is a list."""
    if raw is None or raw == "" or raw == []:
        return "none"
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, list):
        return ", ".join(value(key, item) for item in raw)
    if isinstance(raw, dict):  # roles by asset type, say: "Catalog: Ad promote; Pixel: …"
        return "; ".join(f"{value('type', k)}: {value(key, v)}" for k, v in raw.items())
    text = str(raw)
    if _MOMENT.match(text):  # a moment in ISO 8601, as stored: to the minute, in UTC
        moment = datetime.fromisoformat(text).astimezone(UTC)
        return f"{moment:%Y-%m-%d %H:%M} UTC"
    known = _choices().get(key, {})
    if text in known:
        return str(known[text])
    if key in _CODED and _UPPER.match(text):
        return text.replace("_", " ").capitalize()
    if key in ("name", "message", "note", "file", "comment", "reason", "why"):
        return f"'{text}'"
    return text


_FIELDS = {"expires_at": "access end", "membership_expires_at": "access end",
           "finance_role": "finance role", "monthly_limit": "monthly limit"}


def _field(key: str) -> str:
    return _FIELDS.get(key, key.replace("_", " "))


def _plural(count: object, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def target(event: AuditEvent) -> str:
    """What the event is about, named as the app names things: people by name, things
    by kind and quoted name ("campaign 'Spring sale'")."""
    label, kind = event.target_label, event.target_type
    if not label:
        return "the Business Center" if event.center_id else "their account"
    if kind == "membership":
        found = _MEMBERSHIP.match(label)
        return person(found.group("who") if found else label)
    if kind == "user":
        return person(label)
    if kind == "invitation":
        found = _INVITATION.match(label)
        address = (event.after or {}).get("address") or (found and found.group("address"))
        return f"the invitation to {address}" if address else label
    if kind in _PREFIXED and label.startswith(_PREFIXED[kind]):
        prefix = _PREFIXED[kind]
        return f"{prefix}'{label[len(prefix):]}'"
    if kind == "asset":
        from bizcenter.assets.kinds import AssetType

        for name in AssetType.labels:
            if label.startswith(f"{name} "):
                kind_name = name if any(c.isupper() for c in name[1:]) else name.lower()
                return f"{kind_name} '{label[len(name) + 1:]}'"
    if kind == "businesscenter":
        return f"Business Center '{label}'"
    if kind == "partner":  # a partner not yet named to this side reads by its id
        return label if re.fullmatch(r"Business Center \d+", label) else f"'{label}'"
    return label


def changes(event: AuditEvent) -> str:
    """The fields that changed: "role from Standard to Admin and modules from … to …"."""
    return diff(event.before or {}, event.after or {})


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """Each field of ``after`` that differs from ``before``: "name from 'A' to 'B'", or
    "name to 'B'" when it had no value before."""
    parts = []
    for key, now in after.items():
        was = before.get(key)
        if was == now:
            continue
        told = "" if was in (None, "", []) else f" from {value(key, was)}"
        parts.append(f"{_field(key)}{told} to {value(key, now)}")
    if not parts:
        return ""
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


class _Facts(Mapping[str, str]):
    """What a sentence template may name: {who}, {target}, {changes}, and any recorded
    value as {after_<key>} or {before_<key>}, each as people read it. A key the event
    does not have raises KeyError, and the sentence falls back to the generic form."""

    def __init__(self, event: AuditEvent) -> None:
        self.event = event

    def __getitem__(self, key: str) -> str:
        if key == "who":
            return person(self.event.actor_label)
        if key == "target":
            return target(self.event)
        if key == "Target":  # at the start of a sentence
            named = target(self.event)
            return named[:1].upper() + named[1:]
        if key == "changes":
            return changes(self.event)
        for side in ("after", "before"):
            if key.startswith(f"{side}_"):
                recorded = getattr(self.event, side) or {}
                name = key[len(side) + 1:]
                if name in recorded:
                    return value(name, recorded[name])
        raise KeyError(key)

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0


Renderer = Callable[["AuditEvent"], str]


@dataclass(frozen=True)
class Entry:
    """One action: its label (a filter or a heading) and its sentence, a template over
    ``_Facts`` or a function of the event."""

    label: str
    sentence: str | Renderer

    def render(self, event: AuditEvent) -> str:
        if callable(self.sentence):
            return self.sentence(event)
        return string.Formatter().vformat(self.sentence, (), _Facts(event))


def _changed(event: AuditEvent) -> str:
    said = changes(event)
    about = target(event)
    if event.target_type in ("membership", "user"):
        return f"{person(event.actor_label)} changed {about}'s {said}" if said else (
            f"{person(event.actor_label)} changed {about}")
    return f"{person(event.actor_label)} changed {about}" + (f": {said}" if said else "")


def _member_added(event: AuditEvent) -> str:
    who, whom = person(event.actor_label), target(event)
    role = value("role", (event.after or {}).get("role"))
    return f"{who} joined as {role}" if who == whom else f"{who} added {whom} as {role}"


def _status(event: AuditEvent) -> str:
    after = event.after or {}
    now = after.get("status")
    who, about = person(event.actor_label), target(event)
    verb = {"ENABLE": "enabled", "DISABLE": "paused", "DELETE": "deleted"}.get(str(now))
    sentence = (f"{who} {verb} {about}" if verb else
                f"{who} set the status of {about} to {value('status', now)}")
    return sentence + (f": {after['why']}" if after.get("why") else "")


def _proposed(event: AuditEvent) -> str:
    after = dict(event.after or {})
    kind = after.pop("kind", None)
    after.pop("request_id", None)
    what = {"CREATE": "a new campaign in", "STATUS": "a status change to"}.get(
        str(kind), "a change to")
    sentence = f"{person(event.actor_label)} proposed {what} {target(event)}"
    fields = diff(event.before or {}, after)
    return sentence + (f": {fields}" if fields else "")


def _counts(event: AuditEvent) -> str:
    skip = {"import_id", "processed", "reason"}
    return ", ".join(f"{v} {_field(k)}" for k, v in (event.after or {}).items()
                     if k not in skip and isinstance(v, int) and not isinstance(v, bool))


def _import_finished(event: AuditEvent) -> str:
    counts = _counts(event)
    return "An invitation import finished" + (f": {counts}" if counts else "")


def _token_revoked(event: AuditEvent) -> str:
    after = event.after or {}
    who = person(event.actor_label)
    if "name" in after:
        return f"{who} revoked API token {value('name', after['name'])}"
    tokens = after.get("tokens") or []
    why = f" ({after['reason']})" if after.get("reason") else ""
    return f"{who} revoked {len(tokens)} API token{'s' if len(tokens) != 1 else ''} " \
           f"of {target(event)}{why}"


def _limit_set(event: AuditEvent) -> str:
    before, after = event.before or {}, event.after or {}
    was = f" (was {before['monthly_limit']})" if before.get("monthly_limit") else ""
    return (f"{person(event.actor_label)} set the monthly limit of {target(event)} to "
            f"{after.get('monthly_limit')} {after.get('currency', '')}".rstrip() + was)


def _verified(e: AuditEvent) -> str:
    address = next(iter((e.after or {}).values()), "an address")
    return f"{person(e.actor_label)} confirmed {address} as theirs"

def _lost(e: AuditEvent) -> str:
    address = next(iter((e.after or {}).values()), "an address")
    return f"The account of {target(e)} lost {address}: another account confirmed it"

def _cancelled(e: AuditEvent) -> str:
    reason = (e.after or {}).get("reason")
    return f"{person(e.actor_label)} cancelled {target(e)}" + (f" ({reason})" if reason else "")

def _import_stopped(e: AuditEvent) -> str:
    after = e.after or {}
    return (f"An invitation import stopped after {after.get('processed', 0)} rows "
            f"({after.get('reason', 'no reason given')})")

def _assigned(e: AuditEvent) -> str:
    after = e.after or {}
    return (f"{person(e.actor_label)} gave {person(str(after.get('member', 'someone')))} "
            f"access to {target(e)} as {value('roles', after.get('roles'))}")

def _unassigned(e: AuditEvent) -> str:
    whom = person(str((e.before or {}).get("member", "someone")))
    return f"{person(e.actor_label)} removed {whom}'s access to {target(e)}"

def _reshared(e: AuditEvent) -> str:
    partner = value("name", (e.after or {}).get("partner_center"))
    return (f"{person(e.actor_label)} changed what partner {partner} may do on {target(e)}: "
            f"{changes(e)}")

def _group_member_set(e: AuditEvent) -> str:
    after = e.after or {}
    return (f"{person(e.actor_label)} put {person(str(after.get('member')))} in {target(e)} "
            f"as {value('roles', after.get('roles'))}")

def _payment_settings(e: AuditEvent) -> str:
    said = changes(e)
    return f"{person(e.actor_label)} changed the payment settings" + (f": {said}" if said else "")


def _import_started(e: AuditEvent) -> str:
    after = e.after or {}
    source = f" from {value('file', after['file'])}" if after.get("file") else ""
    return (f"{person(e.actor_label)} started inviting "
            f"{_plural(after['rows'], 'person', 'people')}{source} as "
            f"{value('role', after.get('role'))}")


def _metrics_imported(e: AuditEvent) -> str:
    after = e.after or {}
    return (f"{person(e.actor_label)} imported {_plural(after['rows'], 'row', 'rows')} of "
            f"daily metrics from {after['from']} to {after['to']} ({after.get('source')})")


def _spend_recorded(e: AuditEvent) -> str:
    after = e.after or {}
    accounts = _plural(after["ad_accounts"], "ad account", "ad accounts")
    return (f"{person(e.actor_label)} recorded {after['amount']} {after['currency']} of spend "
            f"on {accounts} from {after['from']} to {after['to']}")


def _refunded(e: AuditEvent) -> str:
    after = e.after or {}
    amount = str(after["amount"]).removeprefix("-")
    return f"{person(e.actor_label)} refunded {amount} {after['currency']}"


def _generic(event: AuditEvent, label: str | None = None) -> str:
    """The form for an action without a sentence, or no longer in the catalogue."""
    what = label.lower() if label else event.action
    about = f" ({target(event)})" if event.target_label else ""
    return f"{person(event.actor_label)}: {what}{about}"


_ = AuditAction
CATALOGUE: dict[AuditAction, Entry] = {
    _.USER_SIGNED_UP: Entry("Signed up", "{who} signed up"),
    _.ACCOUNT_SIGNED_IN: Entry("Signed in", "{who} signed in"),
    _.ACCOUNT_SIGN_IN_FAILED: Entry(
        "Sign-in failed", "A sign-in as {after_address} failed"),
    _.ACCOUNT_SIGNED_OUT_EVERYWHERE: Entry("Signed out everywhere",
                                           "{who} signed out everywhere"),
    _.ACCOUNT_REMOVED: Entry("Account removed", "The account of {target} was removed: "
                                                "{after_reason}"),
    _.ACCOUNT_NOTIFICATIONS_CHANGED: Entry("Notification emails chosen",
                                           "{who} chose which notification emails they get"),
    _.ACCOUNT_RENAMED: Entry("Name changed", "{who} changed their name to {after_name}"),
    _.ACCOUNT_SESSION_ENDED: Entry("Session ended",
                                   "{who} ended a session ({after_device}, {after_ip})"),
    _.ACCOUNT_OTHER_SESSIONS_ENDED: Entry("Other sessions ended",
                                          "{who} logged out everywhere else"),
    _.ACCOUNT_DELETED: Entry("Account deleted", "{who} deleted their account"),
    _.ADDRESS_CODE_SENT: Entry("Code sent", "{who} was sent a code at {after_address}"),
    _.ADDRESS_VERIFIED: Entry("Address confirmed", _verified),
    _.ADDRESS_LOST: Entry("Address lost", _lost),
    _.PASSWORD_RESET_REQUESTED: Entry(
        "Password reset asked for", "A password reset for {target} was asked for "
                                    "(by {after_channel})"),
    _.PASSWORD_RESET: Entry("Password reset", "{who} reset their password"),
    _.PASSWORD_CHANGED: Entry("Password changed", "{who} changed their password"),
    _.TWO_FACTOR_ENABLED: Entry("2-step verification on",
                                "{who} turned on 2-step verification"),
    _.TWO_FACTOR_DISABLED: Entry("2-step verification off",
                                 "{who} turned off 2-step verification"),
    _.TWO_FACTOR_REMOVED: Entry("2-step verification removed",
                                "2-step verification of {target} was removed: {after_reason}"),
    _.API_TOKEN_CREATED: Entry("API token created", "{who} created API token {after_name}"),
    _.API_TOKEN_REVOKED: Entry("API token revoked", _token_revoked),
    _.CENTER_CREATED: Entry("Business Center created", "{who} created {target}"),
    _.CENTER_UPDATED: Entry("Settings changed", _changed),
    _.MEMBER_ADDED: Entry("Member added", _member_added),
    _.MEMBER_UPDATED: Entry("Member changed", _changed),
    _.MEMBER_REVOKED: Entry("Access revoked", "{who} revoked {target}'s access"),
    _.INVITATION_SENT: Entry("Invitation sent", "{who} invited {after_address} as {after_role}"),
    _.INVITATION_RESENT: Entry("Invitation resent", "{who} resent {target}"),
    _.INVITATION_CANCELLED: Entry("Invitation cancelled", _cancelled),
    _.INVITATION_RESTORED: Entry("Invitation restored",
                                 "{who} undid the cancellation of {target}"),
    _.INVITATION_ACCEPTED: Entry("Invitation accepted",
                                 "{who} accepted the invitation and joined as {after_role}"),
    _.INVITATION_WRONG_ACCOUNT: Entry(
        "Invitation opened by another account",
        "Another account than {after_sent_to} opened {target}"),
    _.INVITATION_IMPORT_STARTED: Entry("Invitation import started", _import_started),
    _.INVITATION_IMPORT_FINISHED: Entry("Invitation import finished", _import_finished),
    _.INVITATION_IMPORT_STOPPED: Entry(
        "Invitation import stopped",
        _import_stopped),
    _.ASSET_CREATED: Entry("Asset created", "{who} created {target}"),
    _.ASSET_UPDATED: Entry("Asset changed", _changed),
    _.ASSET_DELETED: Entry("Asset deleted", "{who} deleted {target}"),
    _.ASSET_ASSIGNED: Entry("Asset assigned", _assigned),
    _.ASSET_UNASSIGNED: Entry("Asset unassigned", _unassigned),
    _.ASSET_SHARED: Entry(
        "Asset shared", "{who} shared {target} with partner {after_partner_center} as "
                        "{after_roles}"),
    _.ASSET_RESHARED: Entry("Sharing changed", _reshared),
    _.ASSET_UNSHARED: Entry("Asset unshared",
                            "{who} stopped sharing {target} with partner {after_partner_center}"),
    _.ASSET_SHARE_DROPPED: Entry(
        "Shared asset given back",
        "{who} gave back {target}, shared by partner {after_partner_center}"),
    _.ASSET_ACCESS_REQUESTED: Entry("Access asked for",
                                    "{who} asked for {target} as {after_roles}"),
    _.ASSET_ACCESS_APPROVED: Entry("Access request approved",
                                   "{who} approved the request for {target} as {after_given}"),
    _.ASSET_ACCESS_DECLINED: Entry("Access request declined",
                                   "{who} declined the request for {target}"),
    _.ASSET_ACCESS_WITHDRAWN: Entry("Access request withdrawn",
                                    "{who} withdrew the request for {target}"),
    _.ASSET_GROUP_CREATED: Entry("Group created", "{who} created {target}"),
    _.ASSET_GROUP_RENAMED: Entry("Group renamed",
                                 "{who} renamed a group from {before_name} to {after_name}"),
    _.ASSET_GROUP_ASSETS_SET: Entry("Group's assets set", "{who} set the assets of {target}"),
    _.ASSET_GROUP_MEMBER_SET: Entry(
        "Group member set", _group_member_set),
    _.ASSET_GROUP_MEMBER_REMOVED: Entry("Group member removed",
                                        "{who} removed a member from {target}"),
    _.ASSET_GROUP_DELETED: Entry("Group deleted", "{who} deleted group {before_name}"),
    _.PARTNER_REQUESTED: Entry("Partnership asked for",
                               "{who} asked {target} to become partners"),
    _.PARTNER_ACCEPTED: Entry("Partnership accepted",
                              "{who} accepted the partnership with {target}"),
    _.PARTNER_DECLINED: Entry("Partnership declined",
                              "{who} declined the partnership with {target}"),
    _.PARTNER_REQUEST_CANCELLED: Entry("Partnership request cancelled",
                                       "{who} cancelled the partnership request to {target}"),
    _.PARTNER_ENDED: Entry("Partnership ended", "{who} ended the partnership with {target}"),
    _.CAMPAIGN_CREATED: Entry("Campaign created", "{who} created {target}"),
    _.CAMPAIGN_UPDATED: Entry("Campaign changed", _changed),
    _.CAMPAIGN_STATUS_CHANGED: Entry("Campaign status changed", _status),
    _.CAMPAIGN_CHANGE_PROPOSED: Entry("Change proposed", _proposed),
    _.CAMPAIGN_CHANGE_APPROVED: Entry(
        "Change approved", "{who} approved change request {after_request_id} on {target}"),
    _.CAMPAIGN_CHANGE_REJECTED: Entry(
        "Change rejected", "{who} rejected change request {after_request_id} on {target}"),
    _.CAMPAIGN_CHANGE_WITHDRAWN: Entry(
        "Change withdrawn", "{who} withdrew change request {after_request_id} on {target}"),
    _.METRICS_IMPORTED: Entry("Metrics imported", _metrics_imported),
    _.BILLING_TOPPED_UP: Entry("Balance topped up",
                               "{who} topped up {after_amount} {after_currency}"),
    _.BILLING_REFUNDED: Entry("Refund", _refunded),
    _.BILLING_PAYMENT_SETTINGS_CHANGED: Entry("Payment settings changed", _payment_settings),
    _.BILLING_LIMIT_SET: Entry("Monthly limit set", _limit_set),
    _.BILLING_LIMIT_REMOVED: Entry("Monthly limit removed",
                                   "{who} removed the monthly limit of {target}"),
    _.BILLING_LIMIT_WARNED: Entry(
        "Near the monthly limit",
        "{Target} is near its monthly limit: {after_spent} of {after_monthly_limit} "
        "{after_currency} spent in {after_month}"),
    _.BILLING_LIMIT_REACHED: Entry(
        "Monthly limit reached",
        "{Target} reached its monthly limit: {after_spent} of {after_monthly_limit} "
        "{after_currency} spent in {after_month}, so its campaigns are paused"),
    _.BILLING_SPEND_RECORDED: Entry("Spend recorded", _spend_recorded),
    _.BILLING_INVOICE_ISSUED: Entry(
        "Invoice issued", "{who} issued {target} for {after_period}: {after_amount} "
                          "{after_currency}"),
    _.BILLING_INVOICE_PAID: Entry("Invoice paid", "{who} marked {target} as paid"),
    _.BILLING_INVOICE_VOIDED: Entry("Invoice voided", "{who} voided {target}"),
}
del _


# The headings a picker groups the actions under, by the stored string's first part, in
# the catalogue's own order; tests/audit/test_catalogue_groups.py holds every action to one.
_GROUP_OF_PREFIX = {
    "user": "Accounts", "account": "Accounts", "address": "Accounts",
    "password": "Accounts", "two_factor": "Accounts", "api_token": "Accounts",
    "center": "Business Center and people", "member": "Business Center and people",
    "invitation": "Business Center and people",
    "asset": "Assets and partners", "asset_group": "Assets and partners",
    "partner": "Assets and partners",
    "campaign": "Campaigns and reports", "metrics": "Campaigns and reports",
    "billing": "Billing",
}


def group(action: AuditAction) -> str:
    """The heading ``action`` is listed under in a picker."""
    return _GROUP_OF_PREFIX[action.value.partition(".")[0]]


def grouped() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every action as (stored string, label), under its heading: what a filter offers."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action, entry in CATALOGUE.items():
        groups.setdefault(group(action), []).append((action.value, entry.label))
    return list(groups.items())


def wanted(raw: str) -> AuditAction:
    """The action a reader filters by: one of the catalogue, or ``InvalidInput`` naming
    them all (an unknown string would only ever match nothing, silently)."""
    try:
        return AuditAction(raw)
    except ValueError:
        raise InvalidInput(
            f"Unknown action '{raw}'. Use one of: {', '.join(a.value for a in AuditAction)}.",
            fields={"action": "unknown"}) from None


def label(action: str) -> str:
    """The action's label, or the stored string for one no longer in the catalogue."""
    try:
        return CATALOGUE[AuditAction(action)].label
    except ValueError:
        return action


def describe(event: AuditEvent) -> str:
    """The event as a sentence for people. Never fails: an old row whose action left the
    catalogue, or whose details have another shape, reads in the generic form."""
    try:
        entry = CATALOGUE[AuditAction(event.action)]
    except ValueError:
        return _generic(event)
    try:
        return entry.render(event)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return _generic(event, entry.label)


def details(event: AuditEvent) -> list[tuple[str, str, str]]:
    """The recorded fields as (name, before, after), each value as JSON text ("" when the
    side has no such field): the raw record, for those who need more than the sentence."""
    before, after = event.before or {}, event.after or {}

    def raw(side: dict[str, Any], key: str) -> str:
        return json.dumps(side[key], ensure_ascii=False, sort_keys=True) if key in side else ""

    return [(key, raw(before, key), raw(after, key)) for key in dict.fromkeys([*before, *after])]
