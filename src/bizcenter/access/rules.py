"""The access rules as data: one row per action, read by the engine, the troubleshooter
and the docs.

A row says what the action applies to and who may do it: Admins of the Business Center
(always, on what it owns), and a Standard member with the module, asset role and finance
role the row names. What a refusal says is a text key into ``TEXTS`` (a template with
``{center}``, ``{asset}``, ``{action}``, ... in it), never a sentence written in the engine.

``access.engine.decide`` evaluates the row of the action asked; the README's rule table is
``rules_markdown()`` (a test fails when they differ). Print it to refresh the README::

    python -m bizcenter.access.rules

Adding a permission is an ``Action`` and one row here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bizcenter.access.actions import Action
from bizcenter.assets.kinds import CHANGE_ROLES, RULES, AssetType
from bizcenter.centers.choices import FinanceRole, Module

# What a row applies to, for the docs.
CENTER = "Business Center"
ASSET = "asset"
AD_ACCOUNT = "ad account"

# An asset-role requirement: any role at all on the asset (whatever its type).
ANY_ROLE: frozenset[str] = frozenset()
# The finance roles that see billing, and those that change it.
BILLING_VIEWERS = frozenset({FinanceRole.MANAGER, FinanceRole.ANALYST})
BILLING_MANAGERS = frozenset({FinanceRole.MANAGER})
FINANCE_RANK = (FinanceRole.ANALYST, FinanceRole.MANAGER)  # least first


@dataclass(frozen=True)
class Rule:
    """Who may do ``action``.

    - ``admins_only``: only Admins, and only on what their own Business Center owns;
    - ``members``: any current member;
    - ``module``: a Standard member needs it (for an asset too, unless ``module_on_asset``
      is off: an asset assigned to you shows without the module);
    - ``asset_roles``: on an asset, a Standard member (or a partner's Admin, on what was
      shared) needs one of these roles (``ANY_ROLE``: any role);
    - ``finance_roles``: a Standard member needs one of these finance roles;
    - ``standard``: whether a Standard member may do it at all once the rest holds (else
      the refusal says what to do instead: ``instead``);
    - ``active``: it changes something inside the ad account, which must be active;
    - ``allowed``: the text key of the reason an asset-level allowance gives.
    """

    action: Action
    on: str = CENTER
    admins_only: bool = False
    members: bool = False
    module: str = ""
    module_on_asset: bool = True
    asset_roles: frozenset[str] | None = None
    finance_roles: frozenset[str] = frozenset()
    standard: bool = True
    instead: str = ""
    active: bool = False
    allowed: str = "assigned"
    asset_type: str = ""  # the asset type the roles are of, when the row names some

    @property
    def ask_for(self) -> str:
        """The least asset role that would allow it: what a refusal tells to ask for."""
        if not self.asset_roles or not self.asset_type:
            return ""
        return min(self.asset_roles, key=RULES[self.asset_type].rank)

    @property
    def finance_ask_for(self) -> str:
        """The least finance role that would allow it."""
        return min(self.finance_roles, key=FINANCE_RANK.index, default="")


def _admins(action: Action, on: str = CENTER) -> Rule:
    return Rule(action, on=on, admins_only=True)


TABLE: tuple[Rule, ...] = (
    Rule(Action.CENTER_VIEW, members=True),
    _admins(Action.MEMBER_VIEW),
    _admins(Action.MEMBER_INVITE),
    _admins(Action.MEMBER_MANAGE),
    _admins(Action.SETTINGS_MANAGE),
    _admins(Action.ACTIVITY_VIEW),
    _admins(Action.APPROVAL_DECIDE),
    _admins(Action.ASSET_MANAGE, on=f"{CENTER} or {ASSET}"),
    Rule(Action.ASSET_VIEW, on=f"{CENTER} (the asset list) or {ASSET}", module=Module.ASSETS,
         module_on_asset=False, asset_roles=ANY_ROLE),
    Rule(Action.CAMPAIGN_VIEW, on=AD_ACCOUNT, module=Module.CAMPAIGNS, asset_roles=ANY_ROLE),
    Rule(Action.CAMPAIGN_EDIT, on=AD_ACCOUNT, module=Module.CAMPAIGNS,
         asset_roles=CHANGE_ROLES, asset_type=AssetType.ADVERTISER, standard=False,
         instead="propose_instead", active=True, allowed="shared_admin"),
    Rule(Action.CAMPAIGN_PROPOSE, on=AD_ACCOUNT, module=Module.CAMPAIGNS,
         asset_roles=CHANGE_ROLES, asset_type=AssetType.ADVERTISER, active=True,
         allowed="proposal"),
    Rule(Action.REPORT_VIEW, on=f"{CENTER} (totals of what you see) or {AD_ACCOUNT}",
         module=Module.ANALYTICS, asset_roles=ANY_ROLE),
    Rule(Action.BILLING_VIEW, finance_roles=BILLING_VIEWERS),
    Rule(Action.BILLING_MANAGE, finance_roles=BILLING_MANAGERS),
)
RULE: dict[Action, Rule] = {rule.action: rule for rule in TABLE}
ADMIN_ONLY = frozenset(rule.action for rule in TABLE if rule.admins_only)
# Actions that change something inside an ad account: the account must be active.
CHANGES_ACCOUNT = frozenset(rule.action for rule in TABLE if rule.active)


# Reasons and fixes, by key. Placeholders: {center} (its name), {asset}, {action},
# {owner} (the partner that owns a shared asset), {roles} and {held} (asset roles held),
# {via} (where they come from), {module}, {finance} (a finance role's name), {two_factor}
# (whom the Business Center requires it of).
TEXTS: dict[str, str] = {
    # Membership, before any row.
    "not_member": "You are not a member of {center}.",
    "not_member.fix": "Ask an Admin of {center} to invite you, then accept the invitation.",
    "revoked": "Your access to {center} was revoked.",
    "revoked.fix": "Ask an Admin of {center} to invite you again.",
    "membership_expired": "Your access to {center} has ended (it had an end date).",
    "membership_expired.fix": "Ask an Admin of {center} to extend it.",
    "two_factor_required": "{center} requires 2-step verification for {two_factor}, and you "
                           "have not set it up.",
    "two_factor_required.fix": "Set up 2-step verification in your account (an authenticator "
                               "app), then everything you were given in {center} opens again.",
    # Admins.
    "admin": "You are an Admin of {center}: Admins may do everything in it.",
    "owned_by_partner": "{asset} is owned by {owner}, a partner Business Center; only its "
                        "owner can {action}.",
    "owned_by_partner.fix": "Only the Admins of {owner} can do it; ask them.",
    "admins_only": "Only Admins of {center} can {action}; you are a Standard member.",
    "admins_only.fix": "Ask an Admin of {center} to do it, or to make you an Admin.",
    # Everyone, modules, assets.
    "member": "You are a member of {center}.",
    "module_missing": "You were not given the {module} module in {center}.",
    "module_missing.fix": "Ask an Admin of {center} to add the {module} module to your access.",
    "module": "You have the {module} module in {center}.",
    "module.more": "Lists show only the assets assigned to you.",
    "asset_not_assigned": "{asset} is not assigned to you in {center}.",
    "asset_not_assigned.fix": "Ask an Admin of {center} to assign {asset} to you (directly, "
                              "through an asset group, or from what a partner shared).",
    "assigned": "{asset} is assigned to you as {roles} ({via}).",
    # Asset roles.
    "shared_admin": "{asset} is shared with {center} as {roles}, and you are an Admin of "
                    "{center}.",
    "shared_view_only": "{asset} is shared with {center} as {held}, which only views.",
    "role_view_only": "Your role on {asset} is {held}, which only views.",
    "proposal": "You are {roles} on {asset}.",
    "proposal.more": "Your change becomes a request that an Admin approves.",
    "propose_instead.center": "Standard members cannot change campaigns in {center} directly.",
    "propose_instead.asset": "Standard members cannot change campaigns in {asset} directly.",
    "propose_instead.view_only": "Standard members cannot change campaigns in {asset} "
                                 "directly, and your role on it ({held}) only views.",
    "propose_instead.fix": "Propose the change instead: an Admin approves it.",
    # Finance roles.
    "finance.MANAGER": "Your Billing access in {center} is Finance Manager: you view and "
                       "change billing.",
    "finance.ANALYST": "Your Billing access in {center} is Finance Analyst: you view billing.",
    "finance_role_too_low": "Your Billing access in {center} is Finance Analyst: Finance "
                            "Analysts can view billing but not change it.",
    "finance_role_too_low.fix": "Ask an Admin of {center} to make you {finance}.",
    "finance_role_missing": "You have no Billing access in {center} (no finance role).",
    "finance_role_missing.fix": "Ask an Admin of {center} to give you Billing access: Finance "
                                "Analyst to view billing, or Finance Manager to change it.",
    # The same refusal phrased for its reader: ``.you`` for the person themself (who asks
    # a named Admin, {admin}), ``.them`` for an Admin reading about {person}, ``.admin``
    # for an Admin about their own access to what a partner shares. {doing} is what they
    # try (``DOING``), {assets} where; the pages add the link to the form that fixes it.
    "reader.module_missing.you": "To {doing}, ask {admin} to add the {module} module to "
                                 "your access.",
    "reader.module_missing.them": "{person} cannot {doing} — give {person} the {module} "
                                  "module.",
    "reader.admins_only.you": "Only Admins can {doing}. If you need it done, ask {admin}.",
    "reader.admins_only.them": "{person} cannot {doing}: only Admins can. Make {person} an "
                               "Admin only if they should do all of it.",
    "reader.finance_role_missing.you": "To {doing}, ask {admin} for Billing access: Finance "
                                       "Analyst to see billing, Finance Manager to change it.",
    "reader.finance_role_missing.them": "{person} cannot {doing} — give {person} Billing "
                                        "access: Finance Analyst to see billing, Finance "
                                        "Manager to change it.",
    "reader.finance_role_too_low.you": "You are a Finance Analyst: to {doing}, ask {admin} "
                                       "to make you {finance}.",
    "reader.finance_role_too_low.them": "{person} cannot {doing} as a Finance Analyst — make "
                                        "{person} {finance}.",
    "reader.role_view_only.you": "You are {held} on {assets}, which only views: to {doing} "
                                 "there, ask {admin} to make you {role}.",
    "reader.role_view_only.them": "{person} cannot {doing} on {assets}: {person} is {held} "
                                  "there, which only views — make {person} {role}.",
    "reader.shared_cap.you": "{owner} shares {assets} with {center} only as {held}: to "
                             "{doing} there, ask {admin} to ask {owner} for {role}.",
    "reader.shared_cap.admin": "{owner} shares {assets} with {center} only as {held}: to "
                               "{doing} there, ask {owner} for {role} (Ask for access, on "
                               "the Partner Business Centers page).",
    "reader.shared_cap.them": "{person} cannot {doing} on {assets}: {owner} shares it with "
                              "{center} only as {held}, and only its Admins can raise that "
                              "— ask {owner} for {role} (Ask for access, on the Partner "
                              "Business Centers page).",
    "reader.propose_instead.you": "Standard members cannot {doing}: they propose changes, "
                                  "and an Admin approves them.",
    "reader.propose_instead.them": "{person} cannot {doing}: Standard members propose "
                                   "changes, and an Admin approves them.",
    "reader.account_inactive.you": "Nothing in {assets} can be changed while it is not "
                                   "active. {fix}",
    "reader.account_inactive.them": "{person} cannot {doing} on {assets} while it is not "
                                    "active. {fix}",
    "reader.asset_not_assigned.you": "To {doing} on {assets}, ask {admin} to assign it to "
                                     "you.",
    "reader.asset_not_assigned.them": "{person} cannot {doing} on {assets}: it is not "
                                      "assigned to {person} — assign it directly, through "
                                      "an asset group, or from what a partner shared.",
    "reader.owned_by_partner.them": "{person} cannot {doing} on {assets}: only the Admins "
                                    "of {owner}, which owns it, can.",
    "reader.revoked.them": "{person}'s access to {center} was revoked: {person} reaches "
                           "nothing in it. Invite {person} again to give it back.",
    "reader.membership_expired.them": "{person}'s access to {center} has ended (it had an "
                                      "end date) — extend it to give it back.",
    "reader.two_factor_required.them": "{center} requires 2-step verification of "
                                       "{two_factor}, and {person} has not set it up: "
                                       "{person} reaches nothing until they do.",
    # Why an Admin's troubleshooter answer is yes, about {person}.
    "reader.can.admin.them": "{person} is an Admin of {center}: Admins may do everything "
                             "in it.",
    "reader.can.member.them": "{person} is a member of {center}: every member may do this.",
    "reader.can.module.them": "{person} has the {module} module; lists show {person} only "
                              "the assets assigned to them.",
    "reader.can.finance.them": "{person}'s Billing access is {finance}.",
    "reader.can.assigned.them": "{person} is {roles} on {asset}, {sources}.",
    "reader.can.proposal.them": "{person} is {roles} on {asset}, {sources}; each change "
                                "{person} makes becomes a request an Admin approves.",
}

# What each action lets a person do, as the words of a sentence ("Only Admins can invite
# partners"): every text with {action} in it gets these words, never the action's code.
DOING: dict[Action, str] = {
    Action.CENTER_VIEW: "open the Business Center",
    Action.ASSET_VIEW: "see assets",
    Action.CAMPAIGN_VIEW: "see campaigns",
    Action.CAMPAIGN_PROPOSE: "propose campaign changes",
    Action.CAMPAIGN_EDIT: "change campaigns directly",
    Action.REPORT_VIEW: "see reports",
    Action.BILLING_VIEW: "see billing",
    Action.BILLING_MANAGE: "change billing",
    Action.MEMBER_VIEW: "see members",
    Action.MEMBER_INVITE: "invite partners",
    Action.MEMBER_MANAGE: "edit and revoke members",
    Action.ASSET_MANAGE: "manage assets and sharing",
    Action.APPROVAL_DECIDE: "approve changes",
    Action.ACTIVITY_VIEW: "read the activity log",
    Action.SETTINGS_MANAGE: "change settings",
}


def text(key: str, **values: object) -> str:
    """A text with its placeholders filled; an action is said in words (``DOING``)."""
    action = values.get("action")
    if isinstance(action, Action):
        values["action"] = DOING[action]
    return TEXTS[key].format(**values)


# --- The docs -----------------------------------------------------------------------

def _roles(roles: frozenset[str] | None) -> str:
    if roles is None:
        return ""
    return "any role" if not roles else " or ".join(sorted(roles))


def _role_words(roles: frozenset[str]) -> str:
    """Asset roles as people read them (Admin or Operator), for sentences; the README's
    table keeps the codes the API takes."""
    return " or ".join(r.replace("_", " ").capitalize() for r in sorted(roles))


def _finance(roles: frozenset[str]) -> str:
    return " or ".join(FinanceRole(r).label for r in sorted(roles, key=str))


def _standard(rule: Rule) -> tuple[str, str, str, str]:
    """A Standard member's columns: module, asset role, finance role, notes."""
    if rule.members:
        return "", "", "", "any current member"
    if rule.admins_only:
        return "", "", "", "Admins only"
    module = f"{Module(rule.module).label}" if rule.module else ""
    if rule.module and not rule.module_on_asset:
        module += " (not for an asset assigned to you)"
    notes = []
    if not rule.standard:
        notes.append("Standard members propose instead; a partner's Admin needs the asset "
                     "role on what was shared")
    if rule.active:
        notes.append("the ad account must be active, for Admins too")
    return module, _roles(rule.asset_roles), _finance(rule.finance_roles), "; ".join(notes)


def rules_markdown() -> str:
    """The table as Markdown, for the README."""
    lines = ["| action | on | Admin | Standard: module | Standard: asset role | "
             "Standard: finance role | notes |",
             "|---|---|---|---|---|---|---|"]
    for rule in TABLE:
        module, roles, finance, notes = _standard(rule)
        cells = (f"`{rule.action}`", rule.on, "yes", module, roles, finance, notes)
        lines.append("| " + " | ".join(cell or "—" for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def needs(action: Action) -> str:
    """What the row asks of a person, in words: what the troubleshooter says would be
    needed."""
    rule = RULE[action]
    if rule.members:
        return "Any current member may do this."
    if rule.admins_only:
        return "Only Admins may do this."
    if rule.finance_roles:
        return f"Admins may do this, and Standard members who are {_finance(rule.finance_roles)}."
    parts = [f"the {Module(rule.module).label} module"] if rule.module else []
    if rule.asset_roles is not None:
        parts.append("any role on the asset" if not rule.asset_roles
                     else f"{_role_words(rule.asset_roles)} on the asset")
    who = "Standard members" if rule.standard else "a partner's Admin (Standard members propose)"
    said = f"Admins may do this, and {who} with {' and '.join(parts)}."
    if rule.active:
        said += " The ad account must be active."
    return said


if __name__ == "__main__":
    print(rules_markdown(), end="")
