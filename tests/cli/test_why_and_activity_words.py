"""The command line says things in words too: ``why`` prints what the action needs,
``activity list`` the event's sentence, and an action filter outside the catalogue is
the API's refusal naming the valid ones."""

from __future__ import annotations

from bizcenter.access.actions import Action
from bizcenter.access.rules import needs
from bizcenter.assets.services import create_asset
from bizcenter.audit.catalogue import describe
from bizcenter.audit.models import AuditEvent
from tests.support.cli import _clean, as_json, run  # noqa: F401 (fixture)


def test_why_prints_what_the_action_needs(db, capsys, owner, center):
    code, out, err = run(capsys, "why", "nobody@nowhere.com", "billing.manage",
                         f"center:{center.pk}", "--as", owner.email)
    assert code == 0, err
    assert out.splitlines()[-1] == f"Needs: {needs(Action.BILLING_MANAGE)}"
    [answer] = as_json(capsys, "why", "nobody@nowhere.com", "billing.manage",
                       f"center:{center.pk}", "--as", owner.email)
    assert answer["needs"] == needs(Action.BILLING_MANAGE)
    assert answer["allowed"] is False and answer["code"] == "not_in_center"


def test_activity_list_shows_each_events_sentence(db, capsys, owner, center, as_owner):
    create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    code, out, err = run(capsys, "activity", "list", str(center.pk), "--as", owner.email)
    assert code == 0, err
    for event in AuditEvent.objects.filter(center=center):
        assert describe(event) in out
    listed = as_json(capsys, "activity", "list", str(center.pk), "--action", "asset.created",
                     "--as", owner.email)
    assert [(e["action"], e["summary"]) for e in listed["items"]] == [
        ("asset.created", describe(AuditEvent.objects.get(action="asset.created")))]


def test_an_action_outside_the_catalogue_is_the_apis_refusal(db, capsys, owner, center):
    for command in ("list", "export"):
        code, out, err = run(capsys, "activity", command, str(center.pk), "--action",
                             "member.gone", "--as", owner.email)
        assert code == 1 and out == ""
        assert err.startswith("error: Unknown action 'member.gone'. Use one of: "), err
        assert "member.revoked" in err
