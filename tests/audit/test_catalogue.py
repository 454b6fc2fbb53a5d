"""The closed catalogue of activity-log actions: every action the code writes is listed,
nothing else can be written, and each reads as a sentence on the activity page."""

from __future__ import annotations

import ast
import html as htmllib
import itertools
import re
from pathlib import Path

import pytest

import bizcenter
from bizcenter.assets.services import create_asset
from bizcenter.audit.catalogue import CATALOGUE, AuditAction, UnknownAction, describe, label
from bizcenter.audit.models import AuditEvent, Category
from bizcenter.audit.services import build, record
from bizcenter.centers.services import update_member
from bizcenter.core.actor import Actor
from bizcenter.invitations import services as invitations
from tests.conftest import join

pytestmark = pytest.mark.usefixtures("quick_hashing")

SRC = Path(bizcenter.__file__).parent


# -- every action string in the source is in the catalogue ---------------------------------

class _Writes(ast.NodeVisitor):
    """The ``action=`` of every record(...)/build(...) call in one module, resolved to the
    strings it can be: literals, conditional expressions, module constants, f-strings, and
    a parameter of the enclosing function followed to that function's callers."""

    def __init__(self, tree: ast.Module, where: str) -> None:
        self.where = where
        self.constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                          for t in n.targets if isinstance(t, ast.Name)
                          and isinstance(n.value, ast.Constant)
                          and isinstance(n.value.value, str)}
        self.functions = {n.name: n for n in ast.walk(tree)
                          if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        self.calls: list[tuple[ast.Call, ast.AST | None]] = []
        self.stack: list[ast.AST] = []
        self.found: set[str] = set()
        self.unresolved: list[str] = []
        self.visit(tree)
        for call, inside in self.calls:
            if _name(call.func) in ("record", "build"):
                for kw in call.keywords:
                    if kw.arg == "action":
                        self.found |= self.resolve(kw.value, inside)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.stack.append(node)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append((node, self.stack[-1] if self.stack else None))
        self.generic_visit(node)

    def resolve(self, node: ast.AST, inside: ast.AST | None) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.resolve(node.body, inside) | self.resolve(node.orelse, inside)
        if isinstance(node, ast.JoinedStr):
            parts = [self.resolve(v.value if isinstance(v, ast.FormattedValue) else v, inside)
                     for v in node.values]
            return {"".join(p) for p in itertools.product(*parts)}
        if isinstance(node, ast.Name):
            if node.id in self.constants:
                return {self.constants[node.id]}
            if isinstance(inside, ast.FunctionDef | ast.AsyncFunctionDef):
                return self.from_callers(inside, node.id)
        self.unresolved.append(f"{self.where}:{getattr(node, 'lineno', '?')}")
        return set()

    def from_callers(self, function: ast.FunctionDef | ast.AsyncFunctionDef,
                     param: str) -> set[str]:
        positional = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
        values: set[str] = set()
        for call, inside in self.calls:
            if _name(call.func) != function.name:
                continue
            given = [kw.value for kw in call.keywords if kw.arg == param]
            if not given and param in positional and positional.index(param) < len(call.args):
                given = [call.args[positional.index(param)]]
            for arg in given:
                values |= self.resolve(arg, inside)
        if not values:
            self.unresolved.append(f"{self.where}:{function.lineno} ({param})")
        return values


def _name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def written_actions() -> tuple[set[str], list[str]]:
    found: set[str] = set()
    unresolved: list[str] = []
    for path in sorted(SRC.rglob("*.py")):
        where = str(path.relative_to(SRC))
        if where.startswith("audit/"):
            continue  # record and build themselves pass the action through
        writes = _Writes(ast.parse(path.read_text(encoding="utf-8")), where)
        found |= writes.found
        unresolved += writes.unresolved
    return found, unresolved


def test_every_action_written_in_the_source_is_in_the_catalogue():
    found, unresolved = written_actions()
    assert not unresolved, f"action= that the scan cannot follow: {unresolved}"
    assert len(found) > 60  # the scan really reads the services
    assert found - set(AuditAction) == set(), "add these to audit/catalogue.py"
    assert set(AuditAction) - found == set(), "these are no longer written: remove them"


def test_every_action_has_a_label_and_a_sentence():
    assert set(CATALOGUE) == set(AuditAction)
    for action in AuditAction:
        event = AuditEvent(action=action.value, actor_label="Olivia Owner <owner@brand.com>",
                           category=Category.USER)
        said = describe(event)
        assert said and "{" not in said and said[0].isupper(), (action, said)
        assert label(action) == CATALOGUE[action].label


# -- only the catalogue can be written ------------------------------------------------------

def test_recording_an_unknown_action_raises_and_writes_nothing(center, as_owner):
    before = AuditEvent.objects.count()
    with pytest.raises(UnknownAction, match=r"member\.updatd"):
        record(as_owner, center=center, category=Category.USER, action="member.updatd")
    with pytest.raises(UnknownAction):
        build(as_owner, center=center, category=Category.USER, action="")
    assert AuditEvent.objects.count() == before
    event = record(as_owner, center=center, category=Category.USER,
                   action=AuditAction.MEMBER_UPDATED)
    assert type(event.action) is str and event.action == "member.updated"


def test_an_old_row_with_an_action_no_longer_listed_still_reads():
    event = AuditEvent(action="widget.frobbed", actor_label="Olivia Owner <owner@brand.com>",
                       target_label="Widget 7", before={"x": 1}, category=Category.ASSET)
    assert describe(event) == "Olivia Owner: widget.frobbed (Widget 7)"
    assert label("widget.frobbed") == "widget.frobbed"
    # a listed action whose details have another shape: its label, never an error
    odd = AuditEvent(action="invitation.sent", actor_label="Olivia Owner", after=None)
    assert describe(odd) == "Olivia Owner: invitation sent"


# -- sentences --------------------------------------------------------------------------------

def latest(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("created_at", "id")


def test_role_change_reads_as_a_sentence(center, as_owner, make_user):
    bob = make_user("bob@agency.com", name="Bob Builder")
    seat = join(as_owner, center, bob)
    update_member(as_owner, center, seat.pk, role="ADMIN")
    said = describe(latest("member.updated"))
    assert said.startswith("Olivia Owner changed Bob Builder's role from Standard to Admin")


def test_invitation_sent_and_accepted_read_as_sentences(center, as_owner, make_user):
    [result] = invitations.invite(as_owner, center, ["pat@agency.com"])
    assert describe(latest("invitation.sent")) == "Olivia Owner invited pat@agency.com as Standard"
    invitations.cancel(as_owner, center, result.invitation.pk)
    assert describe(latest("invitation.cancelled")) == (
        "Olivia Owner cancelled the invitation to pat@agency.com")


def test_spend_recorded_reads_as_a_sentence():
    event = AuditEvent(action="billing.spend_recorded", actor_label="system (reporting)",
                       category=Category.BUSINESS,
                       after={"amount": "12.50", "currency": "GBP", "rows": 2, "ad_accounts": 1,
                              "from": "2026-11-01", "to": "2026-11-02"})
    assert describe(event) == ("System (reporting) recorded 12.50 GBP of spend on 1 ad "
                               "account from 2026-11-01 to 2026-11-02")


def test_limit_reached_reads_as_a_sentence():
    event = AuditEvent(action="billing.limit_reached", actor_label="system (spending limit)",
                       category=Category.ACCOUNT, target_type="asset",
                       target_label="Ad account Brand ads",
                       after={"monthly_limit": "500.00", "spent": "512.00", "currency": "GBP",
                              "month": "2026-11"})
    assert describe(event) == ("Ad account 'Brand ads' reached its monthly limit: 512.00 of "
                               "500.00 GBP spent in 2026-11, so its campaigns are paused")


def test_asset_change_names_the_fields_and_quotes_names(center, as_owner):
    event = AuditEvent(action="asset.updated", actor_label="Olivia Owner <owner@brand.com>",
                       category=Category.ASSET, target_type="asset",
                       target_label="Pixel New name", before={"name": "Old name"},
                       after={"name": "New name"})
    assert describe(event) == ("Olivia Owner changed pixel 'New name': name from 'Old name' "
                               "to 'New name'")


# -- the page ---------------------------------------------------------------------------------

def test_activity_page_shows_sentences_not_dicts(client, owner, center, as_owner, make_user):
    bob = make_user("bob@agency.com", name="Bob Builder")
    seat = join(as_owner, center, bob)
    update_member(as_owner, center, seat.pk, role="ADMIN")
    create_asset(as_owner, center, type="PIXEL", name="Tom & <Jerry>")
    client.force_login(owner)
    page = client.get(f"/c/{center.pk}/activity/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "{'" not in body and "{&#x27;" not in body
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", body))
    assert "Olivia Owner changed Bob Builder's role from Standard to Admin" in text
    assert "Bob Builder accepted the invitation and joined as Standard" in text
    assert "Olivia Owner created pixel 'Tom & <Jerry>'" in text
    assert "<Jerry>" not in body and "Tom &amp; &lt;Jerry&gt;" in body  # escaped
    # the machine record is one click away: the action and each field, as JSON
    assert "<details>" in body and "<code>member.updated</code>" in body
    assert "&quot;ADMIN&quot;" in body


def test_system_actor_reads(center):
    event = record(Actor.system("test"), center=center, category=Category.BUSINESS,
                   action="center.updated", target=center, before={"name": "A"},
                   after={"name": "B"})
    assert describe(event) == ("System (test) changed Business Center 'Brand Co': name from "
                               "'A' to 'B'")
