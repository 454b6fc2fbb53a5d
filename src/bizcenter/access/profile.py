"""Everything one person can reach in a Business Center, and why.

The partner detail page and a member's own "My access" page read this. Every
answer is the engine's own ``explain``, so the page cannot drift from what the
person is actually allowed on their next click.
"""

from __future__ import annotations

from dataclasses import dataclass

from bizcenter.access import snapshot
from bizcenter.access.actions import Action
from bizcenter.access.engine import Explanation, OwnerAsk, explain, require
from bizcenter.access.rules import DOING, RULE, TEXTS, text
from bizcenter.assets.kinds import AssetType
from bizcenter.assets.models import Asset
from bizcenter.centers.choices import FinanceRole, Module
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.core.actor import Actor
from bizcenter.core.lookup import find, holds

# What a person may try at the level of the Business Center, in reading order.
CENTER_ACTIONS = (
    Action.CENTER_VIEW, Action.ASSET_VIEW, Action.CAMPAIGN_VIEW, Action.REPORT_VIEW,
    Action.BILLING_VIEW, Action.BILLING_MANAGE, Action.MEMBER_VIEW, Action.MEMBER_INVITE,
    Action.MEMBER_MANAGE, Action.ASSET_MANAGE, Action.APPROVAL_DECIDE, Action.ACTIVITY_VIEW,
    Action.SETTINGS_MANAGE,
)
AD_ACCOUNT_ACTIONS = (Action.ASSET_VIEW, Action.CAMPAIGN_VIEW, Action.CAMPAIGN_PROPOSE,
                      Action.CAMPAIGN_EDIT, Action.REPORT_VIEW)
ACTION_LABELS = {
    Action.CENTER_VIEW: "Open the Business Center",
    Action.ASSET_VIEW: "See assets",
    Action.CAMPAIGN_VIEW: "See campaigns",
    Action.CAMPAIGN_PROPOSE: "Propose campaign changes",
    Action.CAMPAIGN_EDIT: "Change campaigns directly",
    Action.REPORT_VIEW: "See reports",
    Action.BILLING_VIEW: "See billing",
    Action.BILLING_MANAGE: "Change billing",
    Action.MEMBER_VIEW: "See members",
    Action.MEMBER_INVITE: "Invite partners",
    Action.MEMBER_MANAGE: "Edit and revoke members",
    Action.ASSET_MANAGE: "Manage assets and sharing",
    Action.APPROVAL_DECIDE: "Approve changes",
    Action.ACTIVITY_VIEW: "Read the activity log",
    Action.SETTINGS_MANAGE: "Change settings",
}


@dataclass(frozen=True)
class Answer:
    action: Action
    label: str
    explanation: Explanation


@dataclass(frozen=True)
class AssetReach:
    asset: Asset
    roles: tuple[str, ...]
    via: tuple[str, ...]
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class Profile:
    membership: Membership
    center: tuple[Answer, ...]
    assets: tuple[AssetReach, ...]
    all_assets: bool  # an Admin: every asset of the Business Center, not a list


def _answers(membership: Membership, actions: tuple[Action, ...],
             resource: BusinessCenter | Asset, within: BusinessCenter) -> tuple[Answer, ...]:
    return tuple(Answer(a, ACTION_LABELS[a], explain(membership.user, a, resource, within))
                 for a in actions)


def profile(actor: Actor, center: BusinessCenter, membership_id: int | str) -> Profile:
    """A member may read their own; reading someone else's is an Admin's member view.

    Which right applies is settled before the id is looked up: any id that is not the
    caller's own membership needs the member view, so without it a real member's id and
    a made-up one are refused alike, and nobody learns which ids are members."""
    require(actor, Action.CENTER_VIEW, center)
    members = Membership.objects.select_related("user").filter(center=center)
    if actor.user is None or not holds(members.filter(user=actor.user), membership_id):
        require(actor, Action.MEMBER_VIEW, center)
    membership = find(members, membership_id, f"No member with id {{id}} in {center.name}.")
    snap = snapshot.get(membership.user_id, center.pk)
    center_answers = _answers(membership, CENTER_ACTIONS, center, center)
    reach: list[AssetReach] = []
    admin = bool(snap and snap.is_admin)
    if snap is not None and snap.is_member:
        assets = Asset.objects.filter(pk__in=list(snap.assets)).order_by("type", "name")
        if admin:
            # An Admin holds every asset the Business Center owns whatever else it was
            # given; a grant or a group seat there would read as less than that.
            assets = assets.exclude(center=center)
        for asset in assets:
            access = snap.assets[asset.pk]
            actions = (AD_ACCOUNT_ACTIONS if asset.type == AssetType.ADVERTISER
                       else (Action.ASSET_VIEW,))
            reach.append(AssetReach(asset, tuple(sorted(access.roles)), access.via,
                                    _answers(membership, actions, asset, center)))
    return Profile(membership, center_answers, tuple(reach), admin)


def mine(actor: Actor, center: BusinessCenter) -> Profile:
    """The viewer's own profile: what a Standard member sees on entering."""
    require(actor, Action.CENTER_VIEW, center)
    assert actor.user is not None  # CENTER_VIEW needs a person
    membership = Membership.objects.active().get(center=center, user=actor.user)
    return profile(actor, center, membership.pk)


# --- The same profile in words, for the person reading it ----------------------------
#
# The pages group a profile by what the person can do and where, and say what they
# cannot do to whoever reads it: the person themself asks a named Admin; an Admin reading
# about them is told what to change. Every sentence is a text of access.rules (TEXTS,
# DOING); no code (an action, a role, a module) reaches the words.

# The order "You can" reads in: the work partners do first, then what Admins do.
SAY_ORDER = (
    Action.REPORT_VIEW, Action.CAMPAIGN_VIEW, Action.CAMPAIGN_PROPOSE, Action.CAMPAIGN_EDIT,
    Action.ASSET_VIEW, Action.BILLING_VIEW, Action.BILLING_MANAGE, Action.MEMBER_VIEW,
    Action.MEMBER_INVITE, Action.MEMBER_MANAGE, Action.ASSET_MANAGE, Action.APPROVAL_DECIDE,
    Action.ACTIVITY_VIEW, Action.SETTINGS_MANAGE, Action.CENTER_VIEW,
)
# Actions whose list page a Standard member opens with a module: the assets they reach
# answer for them, so a list refused is not said when some asset allows it.
LISTS = frozenset({Action.ASSET_VIEW, Action.CAMPAIGN_VIEW, Action.REPORT_VIEW})
# Which form fixes a refusal, for an Admin reading about someone: the member's edit page,
# the asset's page, the partner's Ask for access page, or Add Partners.
FIXED_ON = {
    "module_missing": "member", "admins_only": "member", "finance_role_missing": "member",
    "finance_role_too_low": "member", "propose_instead": "member",
    "membership_expired": "member", "role_view_only": "asset", "account_inactive": "asset",
    "asset_not_assigned": "asset", "shared_cap": "ask", "revoked": "invite",
}

# What a group of refusals shares besides its case: one sentence says them all.
GROUPED_BY: dict[str, tuple[str, ...]] = {
    "module_missing": ("module",), "admins_only": (), "finance_role_missing": (),
    "finance_role_too_low": ("finance",), "role_view_only": ("held", "role"),
    "shared_cap": ("held", "role", "owner"), "propose_instead": (),
    "asset_not_assigned": (), "revoked": (), "membership_expired": (),
    "two_factor_required": (),
}


def role_words(role: str) -> str:
    """An asset role as people say it: OPERATOR is Operator, AD_PROMOTE is Ad promote."""
    return role.replace("_", " ").capitalize()


def roles_words(roles: tuple[str, ...] | frozenset[str]) -> str:
    return " and ".join(role_words(r) for r in sorted(roles)) or "no role"


def source_words(via: tuple[str, ...]) -> str:
    """Where access to an asset comes from: given directly, through the group Retail,
    shared by partner Northwind."""
    said = []
    for source in via:
        kind, _, name = source.partition(" ")
        said.append({"direct": "given directly", "group": f"through the group {name}",
                     "partner": f"shared by partner {name}"}.get(kind, source))
    return " and ".join(said)


def listed(words: list[str]) -> str:
    """a, b and c."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def person_name(membership: Membership) -> str:
    user = membership.user
    return user.name or user.email or user.phone or f"member {membership.pk}"


def admin_to_ask(center: BusinessCenter) -> str:
    """The Admin a member is told to ask, by name: the longest-serving current one."""
    first = (Membership.objects.active().filter(center=center, role="ADMIN")
             .select_related("user").order_by("joined_at", "pk").first())
    return f"{person_name(first)} (Admin)" if first is not None else f"an Admin of {center}"


@dataclass(frozen=True)
class Can:
    """Something the person can do, and on which assets (none: in the Business Center)."""

    doing: str
    assets: tuple[Asset, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Cannot:
    """Things the person cannot do for one reason, said to the reader, and what fixes it:
    ``fix`` is the form that does ("member", "asset", "ask", "invite" or "")."""

    doing: tuple[str, ...]
    assets: tuple[Asset, ...]
    said: str
    fix: str = ""
    asset: Asset | None = None
    ask: OwnerAsk | None = None


@dataclass(frozen=True)
class Source:
    """An asset the person reaches, their role on it and where it comes from, in words."""

    asset: Asset
    roles: str
    source: str


@dataclass(frozen=True)
class Summary:
    person: str
    yours: bool  # the reader is the person
    admin: bool
    can: tuple[Can, ...]
    cannot: tuple[Cannot, ...]
    sources: tuple[Source, ...]


def _case(answer: Answer, held: frozenset[str], subject_admin: bool) -> str:
    """Which reader text a refusal takes."""
    code = answer.explanation.code
    if code != "role_too_low":
        return code
    if not RULE[answer.action].standard and not subject_admin:
        return "propose_instead"  # whatever their role, a Standard member proposes
    return "shared_cap" if answer.explanation.ask is not None else "role_view_only"


def _reader_key(case: str, yours: bool, reader_admin: bool) -> str | None:
    side = ("admin" if case == "shared_cap" and reader_admin else "you") if yours else "them"
    key = f"reader.{case}.{side}"
    return key if key in TEXTS else None


def summarize(found: Profile, *, yours: bool, asker: str = "",
              reader_admin: bool = False) -> Summary:
    """The profile grouped by what the person can do and where, and what they cannot,
    phrased for the reader: ``yours`` when the person reads their own (``asker`` is the
    Admin they ask), else an Admin reads about them."""
    membership = found.membership
    person = person_name(membership)
    center = membership.center
    allowed: dict[Action, list[Asset]] = {}
    center_allowed: set[Action] = set()
    refusals: list[tuple[Answer, Asset | None]] = []
    for answer in found.center:
        if answer.explanation.allowed:
            center_allowed.add(answer.action)
        else:
            refusals.append((answer, None))
    held_by: dict[int, frozenset[str]] = {}
    for reach in found.assets:
        held_by[reach.asset.pk] = frozenset(reach.roles)
        for answer in reach.answers:
            if answer.explanation.allowed:
                allowed.setdefault(answer.action, []).append(reach.asset)
            else:
                refusals.append((answer, reach.asset))
    can: list[Can] = []
    if found.all_assets:
        can.append(Can(f"do everything in {center.name}, on every asset it owns"))
    for action in SAY_ORDER:
        if action == Action.CENTER_VIEW or (found.all_assets and not allowed.get(action)):
            continue
        on = tuple(allowed.get(action, ()))
        note = ("An Admin approves each change." if action == Action.CAMPAIGN_PROPOSE
                and not found.all_assets else "")
        if action in LISTS and action in center_allowed and not on and not found.all_assets:
            whose = "you" if yours else person
            can.append(Can(DOING[action], (), f"Nothing yet: no asset is assigned to {whose}."))
        elif on or action in center_allowed:
            can.append(Can(DOING[action], on, note))
    cannot = _cannot(refusals, allowed, held_by, center, person=person, yours=yours,
                     asker=asker, reader_admin=reader_admin, subject_admin=found.all_assets)
    sources = tuple(Source(r.asset, roles_words(r.roles), source_words(r.via))
                    for r in found.assets)
    return Summary(person, yours, found.all_assets, tuple(can), cannot, sources)


def _cannot(refusals: list[tuple[Answer, Asset | None]], allowed: dict[Action, list[Asset]],
            held_by: dict[int, frozenset[str]], center: BusinessCenter, *, person: str,
            yours: bool, asker: str, reader_admin: bool, subject_admin: bool
            ) -> tuple[Cannot, ...]:
    """Refusals grouped by what would lift them, each said once."""
    groups: dict[tuple, dict] = {}
    for answer, asset in refusals:
        if asset is None and answer.action in LISTS and allowed.get(answer.action):
            continue  # the list page: the assets they were given answer for them
        rule = RULE[answer.action]
        held = held_by.get(asset.pk, frozenset()) if asset is not None else frozenset()
        case = _case(answer, held, subject_admin)
        ask = answer.explanation.ask
        values = {
            "module": Module(rule.module).label if rule.module else "",
            "role": role_words(ask.role if ask else rule.ask_for),
            "held": roles_words(held), "owner": ask.owner if ask else "",
            "finance": FinanceRole(rule.finance_ask_for).label if rule.finance_roles else "",
            "fix": answer.explanation.fix,
        }
        per_asset = case in ("role_view_only", "shared_cap", "account_inactive",
                             "asset_not_assigned", "owned_by_partner")
        key = (case, tuple(values[k] for k in GROUPED_BY.get(case, ("fix",))),
               asset.pk if case == "account_inactive" and asset is not None else None)
        group = groups.setdefault(key, {"case": case, "values": values, "doing": [],
                                        "assets": [], "answer": answer, "ask": ask})
        if DOING[answer.action] not in group["doing"]:
            group["doing"].append(DOING[answer.action])
        if per_asset and asset is not None and asset not in group["assets"]:
            group["assets"].append(asset)
    said: list[Cannot] = []
    for group in groups.values():
        case, doing, assets = group["case"], group["doing"], group["assets"]
        reader = _reader_key(case, yours, reader_admin)
        first: Answer = group["answer"]
        if reader is None:  # no reader text: the engine's own words
            sentence = " ".join((*first.explanation.reasons, first.explanation.fix)).strip()
        else:
            sentence = TEXTS[reader].format(
                doing=listed(doing), assets=listed([str(a) for a in assets]) or center.name,
                person=person, admin=asker, center=center.name,
                two_factor="everyone" if "everyone" in " ".join(first.explanation.reasons)
                else "Admins", **group["values"]).strip()
        said.append(Cannot(tuple(doing), tuple(assets), sentence,
                           "" if yours else FIXED_ON.get(case, ""),
                           assets[0] if assets else None, group["ask"]))
    return tuple(said)


def why_can(membership: Membership, action: Action, resource: BusinessCenter | Asset
            ) -> str:
    """Why an Admin's troubleshooter answer about a member is yes, about them."""
    center = membership.center
    person = person_name(membership)
    snap = snapshot.get(membership.user_id, center.pk)
    rule = RULE[action]
    asset = resource if isinstance(resource, Asset) else None
    if snap is not None and snap.is_admin and (asset is None or asset.center_id == center.pk):
        return text("reader.can.admin.them", person=person, center=center.name)
    if rule.members:
        return text("reader.can.member.them", person=person, center=center.name)
    if rule.finance_roles and snap is not None:
        return text("reader.can.finance.them", person=person,
                    finance=FinanceRole(snap.finance_role).label)
    if asset is None or snap is None or asset.pk not in snap.assets:
        return text("reader.can.module.them", person=person,
                    module=Module(rule.module).label if rule.module else "")
    access = snap.assets[asset.pk]
    key = "reader.can.proposal.them" if rule.allowed == "proposal" else "reader.can.assigned.them"
    return text(key, person=person, roles=roles_words(access.roles), asset=asset,
                sources=source_words(access.via))


def why_not(membership: Membership, action: Action, resource: BusinessCenter | Asset,
            explanation: Explanation) -> Cannot:
    """Why an Admin's troubleshooter answer about a member is no, about them, with the
    form that fixes it."""
    asset = resource if isinstance(resource, Asset) else None
    snap = snapshot.get(membership.user_id, membership.center_id)
    held = (snap.assets[asset.pk].roles if snap is not None and asset is not None
            and asset.pk in snap.assets else frozenset())
    answer = Answer(action, ACTION_LABELS[action], explanation)
    [said] = _cannot([(answer, asset)], {}, {asset.pk: held} if asset else {},
                     membership.center, person=person_name(membership), yours=False,
                     asker="", reader_admin=True, subject_admin=bool(snap and snap.is_admin))
    return said
