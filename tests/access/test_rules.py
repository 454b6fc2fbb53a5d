"""The whole rule set, as a table: who may do what, and why not.

Rows are kinds of person, columns are (action, resource). Each cell is "Y"
(allowed) or the reason code of the denial. Every denial must also come with
a reason and a fix from ``explain``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

import bizcenter
from bizcenter.access import rules
from bizcenter.access.actions import Action
from bizcenter.access.engine import check, decide, explain
from bizcenter.access.snapshot import AssetAccess, Snapshot
from bizcenter.assets.kinds import CHANGE_ROLES
from bizcenter.assets.models import Asset
from bizcenter.assets.services import assign, create_asset
from bizcenter.centers.choices import Module
from bizcenter.centers.services import revoke_member, update_member
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
from tests.conftest import act, partner_up

A = Action
COLUMNS = [
    (A.CENTER_VIEW, "C"), (A.MEMBER_VIEW, "C"), (A.MEMBER_INVITE, "C"), (A.MEMBER_MANAGE, "C"),
    (A.SETTINGS_MANAGE, "C"), (A.ACTIVITY_VIEW, "C"), (A.APPROVAL_DECIDE, "C"),
    (A.ASSET_MANAGE, "C"), (A.ASSET_VIEW, "C"), (A.ASSET_VIEW, "acct"),
    (A.CAMPAIGN_VIEW, "acct"), (A.CAMPAIGN_EDIT, "acct"), (A.CAMPAIGN_EDIT, "off"),
    (A.CAMPAIGN_PROPOSE, "acct"), (A.CAMPAIGN_PROPOSE, "off"),
    (A.REPORT_VIEW, "C"), (A.REPORT_VIEW, "acct"), (A.BILLING_VIEW, "C"),
    (A.BILLING_MANAGE, "C"),
]
ADM, MOD, NAS, LOW = "admins_only", "module_missing", "asset_not_assigned", "role_too_low"
INA, FIN = "account_inactive", "finance_role_missing"
Y = "Y"
#                  view  member.view/invite/manage settings activity approval asset.manage
TABLE = {
    "admin":          [Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, INA, Y, INA, Y, Y, Y, Y],
    "standard_bare":  [Y, ADM, ADM, ADM, ADM, ADM, ADM, ADM, MOD, NAS, MOD, MOD, MOD, MOD, MOD,
                       MOD, MOD, FIN, FIN],
    "operator":       [Y, ADM, ADM, ADM, ADM, ADM, ADM, ADM, MOD, Y, Y, LOW, LOW, Y, INA,
                       Y, Y, FIN, FIN],
    "analyst":        [Y, ADM, ADM, ADM, ADM, ADM, ADM, ADM, MOD, Y, Y, LOW, NAS, LOW, NAS,
                       Y, Y, FIN, FIN],
    "analytics_only": [Y, ADM, ADM, ADM, ADM, ADM, ADM, ADM, MOD, Y, MOD, MOD, MOD, MOD, MOD,
                       Y, Y, FIN, FIN],
    "assets_module":  [Y, ADM, ADM, ADM, ADM, ADM, ADM, ADM, Y, NAS, MOD, MOD, MOD, MOD, MOD,
                       MOD, MOD, FIN, FIN],
    "finance_manager": [Y, ADM, ADM, ADM, ADM, ADM, ADM, ADM, MOD, NAS, MOD, MOD, MOD, MOD,
                        MOD, MOD, MOD, Y, Y],
    "finance_analyst": [Y, ADM, ADM, ADM, ADM, ADM, ADM, ADM, MOD, NAS, MOD, MOD, MOD, MOD,
                        MOD, MOD, MOD, Y, "finance_role_too_low"],
    "revoked":        ["revoked"] * 19,
    "ended":          ["membership_expired"] * 19,
    "outsider":       ["not_member"] * 19,
}


@pytest.fixture
def world(center, as_owner, owner, make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Main account")
    off = create_asset(as_owner, center, type="ADVERTISER", name="Old account",
                       status="DISABLED")
    people = {"admin": owner}

    def member(key: str, *, grants=(), **grant):
        [sent] = invitations.invite(as_owner, center, [f"{key}@agency.com"], Grant(**grant))
        people[key] = make_user(f"{key}@agency.com")
        membership = invitations.accept(act(people[key]), sent.link.rstrip("/").rsplit("/")[-1])
        for asset, role in grants:
            assign(as_owner, center, membership.pk, asset.pk, [role])
        return membership

    member("standard_bare", modules=())
    member("operator", modules=("CAMPAIGNS", "ANALYTICS"),
           grants=[(acct, "OPERATOR"), (off, "OPERATOR")])
    member("analyst", modules=("CAMPAIGNS", "ANALYTICS"), grants=[(acct, "ANALYST")])
    member("analytics_only", modules=("ANALYTICS",), grants=[(acct, "ANALYST")])
    member("assets_module", modules=("ASSETS",))
    member("finance_manager", modules=("BILLING",), finance_role="MANAGER")
    member("finance_analyst", modules=("BILLING",), finance_role="ANALYST")
    gone = member("revoked", modules=("CAMPAIGNS", "ANALYTICS", "ASSETS"),
                  grants=[(acct, "ADMIN")])
    revoke_member(as_owner, center, gone.pk)
    ending = member("ended", modules=("CAMPAIGNS",), grants=[(acct, "ADMIN")])
    update_member(as_owner, center, ending.pk, expires_at=timezone.now() + timedelta(hours=1))
    people["outsider"] = make_user("outsider@else.com")
    return people, {"C": center, "acct": acct, "off": off}


def test_every_person_every_action(world):
    people, resources = world
    later = timezone.now() + timedelta(hours=2)  # past the "ended" member's end time
    with time_machine.travel(later):
        mismatches = []
        for who, row in TABLE.items():
            assert len(row) == len(COLUMNS), who
            for (action, key), expected in zip(COLUMNS, row, strict=True):
                decision = check(people[who], action, resources[key])
                got = "Y" if decision.allowed else decision.code
                if got != expected:
                    mismatches.append(f"{who} {action}@{key}: expected {expected}, got {got}")
                if not decision.allowed:
                    answer = explain(people[who], action, resources[key])
                    assert answer.reasons and answer.reasons[0], (who, action, key)
                    assert answer.fix, (who, action, key)
        assert not mismatches, "\n".join(mismatches)


def test_standard_edit_says_to_propose_when_a_proposal_is_possible(world):
    people, resources = world
    answer = explain(people["operator"], A.CAMPAIGN_EDIT, resources["acct"])
    assert "Propose the change" in answer.fix and "Admin approves" in answer.fix
    answer = explain(people["analyst"], A.CAMPAIGN_EDIT, resources["acct"])
    assert "OPERATOR" in answer.fix


def test_disabled_ad_account_refuses_changes_saying_so(world):
    people, resources = world
    answer = explain(people["admin"], A.CAMPAIGN_EDIT, resources["off"])
    assert not answer.allowed
    assert "Old account is disabled" in answer.reasons[0]
    assert "reactivate" in answer.fix


def test_standard_members_never_edit_campaigns_directly_anywhere(world):
    people, resources = world
    for who in ("operator", "analyst", "standard_bare"):
        decision = check(people[who], A.CAMPAIGN_EDIT, resources["C"])
        assert decision.code in {"role_too_low", "module_missing"}, who
    assert check(people["admin"], A.CAMPAIGN_EDIT, resources["C"])
    assert check(people["operator"], A.CAMPAIGN_PROPOSE, resources["C"])


# Partner combinations: the brand shares "acct" (active) at OPERATOR and "off"
# (disabled) at ANALYST with an agency; each row is someone in the agency,
# checked within the agency.
PARTNER_COLUMNS = [
    (A.ASSET_VIEW, "acct"), (A.CAMPAIGN_VIEW, "acct"), (A.CAMPAIGN_EDIT, "acct"),
    (A.CAMPAIGN_PROPOSE, "acct"), (A.REPORT_VIEW, "acct"), (A.ASSET_MANAGE, "acct"),
    (A.CAMPAIGN_VIEW, "off"), (A.CAMPAIGN_PROPOSE, "off"), (A.CAMPAIGN_VIEW, "unshared"),
]
OWN = "owned_by_partner"
PARTNER_TABLE = {
    "agency_admin":    [Y, Y, Y, Y, Y, OWN, Y, LOW, NAS],
    "agency_operator": [Y, Y, LOW, Y, Y, OWN, NAS, NAS, NAS],
    "agency_analyst":  [Y, Y, LOW, LOW, Y, OWN, Y, LOW, NAS],
    "agency_bare":     [NAS, MOD, MOD, MOD, MOD, OWN, MOD, MOD, MOD],
}


def test_every_partner_person_every_action(center, as_owner, make_user, settings):
    from bizcenter.assets import partners
    from bizcenter.centers.services import create_center

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    acct = create_asset(as_owner, center, type="ADVERTISER", name="Brand account")
    off = create_asset(as_owner, center, type="ADVERTISER", name="Old", status="DISABLED")
    unshared = create_asset(as_owner, center, type="ADVERTISER", name="Private")
    boss = make_user("agency_admin@agency.com")
    agency = create_center(act(boss), name="Agency")
    partner_up(as_owner, center, agency)
    partners.share(as_owner, center, agency.public_id, acct.pk, "OPERATOR")
    partners.share(as_owner, center, agency.public_id, off.pk, "ANALYST")
    people = {"agency_admin": boss}
    for key, modules, grants in [
        ("agency_operator", ("CAMPAIGNS", "ANALYTICS"), [(acct, "OPERATOR")]),
        ("agency_analyst", ("CAMPAIGNS", "ANALYTICS"), [(acct, "ANALYST"), (off, "ANALYST")]),
        ("agency_bare", (), []),
    ]:
        [sent] = invitations.invite(act(boss), agency, [f"{key}@agency.com"],
                                    Grant(modules=modules))
        people[key] = make_user(f"{key}@agency.com")
        membership = invitations.accept(act(people[key]), sent.link.rstrip("/").rsplit("/")[-1])
        for asset, role in grants:
            assign(act(boss), agency, membership.pk, asset.pk, [role])
    resources = {"acct": acct, "off": off, "unshared": unshared}
    mismatches = []
    for who, row in PARTNER_TABLE.items():
        for (action, key), expected in zip(PARTNER_COLUMNS, row, strict=True):
            decision = check(people[who], action, resources[key], within=agency)
            got = "Y" if decision.allowed else decision.code
            if got != expected:
                mismatches.append(f"{who} {action}@{key}: expected {expected}, got {got}")
            if not decision.allowed:
                assert explain(people[who], action, resources[key], within=agency).fix
    assert not mismatches, "\n".join(mismatches)


# --- The rules table itself (access.rules): the engine, the troubleshooter and the README
# all read it.

def _snap(role: str = "STANDARD", **kw) -> Snapshot:
    return Snapshot(user_id=1, center_id=1, center_name="Brand Co", version=1,
                    membership_id=5, state="ACTIVE", role=role, **kw)


def _account(status: str = "ACTIVE") -> Asset:
    return Asset(pk=7, center_id=1, type="ADVERTISER", name="Spring", status=status)


def test_every_action_has_exactly_one_row():
    actions = [rule.action for rule in rules.TABLE]
    assert sorted(actions) == sorted(Action)
    assert set(rules.RULE) == set(Action)


def test_the_readme_table_is_the_generated_one():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
    assert start in readme and end in readme
    written = readme.split(start, 1)[1].split(end, 1)[0]
    assert written == rules.rules_markdown(), (
        "README.md's rules table differs from access/rules.py: paste the output of "
        "`python -m bizcenter.access.rules` between its rules markers")


def test_every_row_is_evaluated_for_admins_and_standard_members():
    account = _account()
    for rule in rules.TABLE:
        for snap in (_snap("ADMIN"), _snap(), _snap(modules=frozenset(Module.values),
                                                     finance_role="ANALYST",
                                                     assets={7: AssetAccess("ADVERTISER",
                                                             "ACTIVE",
                                                             frozenset({"ANALYST"}))})):
            for resource in (None, account):
                decision = decide(snap, rule.action, resource)
                assert decision.reason, (rule.action, snap.role, resource)
                assert decision.allowed or decision.fix, (rule.action, snap.role, resource)
        assert decide(_snap("ADMIN"), rule.action, None).allowed
        assert rules.needs(rule.action)


def test_a_permission_is_one_row(monkeypatch):
    """Change one row and the engine follows: campaign.view made to need an operating
    role and the Analytics module instead of any role and Campaigns."""
    analyst = _snap(modules=frozenset({"CAMPAIGNS"}), assets={
        7: AssetAccess("ADVERTISER", "ACTIVE", frozenset({"ANALYST"}))})
    assert decide(analyst, Action.CAMPAIGN_VIEW, _account()).allowed
    monkeypatch.setitem(rules.RULE, Action.CAMPAIGN_VIEW, rules.Rule(
        Action.CAMPAIGN_VIEW, on=rules.AD_ACCOUNT, module=Module.ANALYTICS,
        asset_roles=CHANGE_ROLES, asset_type="ADVERTISER"))
    refused = decide(analyst, Action.CAMPAIGN_VIEW, _account())
    assert refused.code == "module_missing" and "Analytics" in refused.reason
    analytics = replace(analyst, modules=frozenset({"ANALYTICS"}))
    refused = decide(analytics, Action.CAMPAIGN_VIEW, _account())
    assert refused.code == "role_too_low" and "OPERATOR" in refused.fix
    operator = replace(analytics, assets={
        7: AssetAccess("ADVERTISER", "ACTIVE", frozenset({"OPERATOR"}))})
    assert decide(operator, Action.CAMPAIGN_VIEW, _account()).allowed


def test_every_text_key_a_row_or_the_engine_names_exists():
    for rule in rules.TABLE:
        assert rule.allowed in rules.TEXTS
        if rule.instead:
            for suffix in ("center", "asset", "view_only", "fix"):
                assert f"{rule.instead}.{suffix}" in rules.TEXTS
        if rule.finance_roles:
            assert all(f"finance.{role}" in rules.TEXTS for role in rule.finance_roles)
            assert rule.finance_ask_for
        if rule.asset_roles:
            assert rule.ask_for in rule.asset_roles


ROLE_SET = re.compile(r"""[{(\[]\s*(["'](ADMIN|OPERATOR|ANALYST)["']\s*,\s*)+"""
                      r"""["'](ADMIN|OPERATOR|ANALYST)["']\s*,?\s*[})\]]""")


def test_asset_role_sets_are_spelled_once():
    """A set of ad-account roles is a named constant (assets.kinds): written out anywhere
    else it would drift from the rules."""
    src = Path(bizcenter.__file__).resolve().parent
    found = [f"{path.relative_to(src)}: {match.group(0)}"
             for path in sorted(src.rglob("*.py")) if "migrations" not in path.parts
             for match in ROLE_SET.finditer(path.read_text())]
    assert found == ['assets/kinds.py: ("ADMIN", "OPERATOR", "ANALYST")',
                     'assets/kinds.py: {"ADMIN", "OPERATOR"}'], found
