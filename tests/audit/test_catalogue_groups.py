"""What a filter offers (``grouped``), what it accepts (``wanted``), and the sentence the
export carries (``summary``), all from the one catalogue."""

from __future__ import annotations

import json

import pytest

from bizcenter.assets.services import create_asset
from bizcenter.audit.catalogue import CATALOGUE, AuditAction, describe, group, grouped, wanted
from bizcenter.audit.models import AuditEvent
from bizcenter.audit.services import EXPORT_FIELDS, as_row, events_for, export
from bizcenter.core.errors import InvalidInput


def test_every_action_is_offered_once_under_a_heading_by_its_label():
    offered = [(value, label) for _, choices in grouped() for value, label in choices]
    assert [v for v, _ in offered] == sorted({a.value for a in AuditAction},
                                             key=[a.value for a in CATALOGUE].index)
    assert dict(offered) == {a.value: e.label for a, e in CATALOGUE.items()}
    headings = [heading for heading, _ in grouped()]
    assert headings == ["Accounts", "Business Center and people", "Assets and partners",
                        "Campaigns and reports", "Billing"]
    assert group(AuditAction.ASSET_GROUP_CREATED) == "Assets and partners"
    assert group(AuditAction.INVITATION_SENT) == "Business Center and people"


def test_only_catalogue_actions_are_wanted():
    assert wanted("member.revoked") is AuditAction.MEMBER_REVOKED
    for raw in ("member.gone", "MEMBER.REVOKED", "Access revoked", ""):
        with pytest.raises(InvalidInput) as refused:
            wanted(raw)
        assert refused.value.fields == {"action": "unknown"}
        assert f"Unknown action '{raw}'. Use one of: user.signed_up," in refused.value.message
        assert "billing.invoice_voided." in refused.value.message


def test_the_log_refuses_an_unknown_action_instead_of_matching_nothing(center):
    assert list(events_for(center, action="center.created"))
    with pytest.raises(InvalidInput):
        events_for(center, action="center.made")


def test_the_export_carries_the_sentence(center, as_owner):
    create_asset(as_owner, center, type="ADVERTISER", name="=Main ads")
    event = AuditEvent.objects.get(center=center, action="asset.created")
    assert EXPORT_FIELDS[-1] == "summary"
    assert as_row(event)["summary"] == describe(event) == event.summary
    assert "created" in describe(event) and "=Main ads" in describe(event)
    [line] = [json.loads(x) for x in export([event], "json")]
    assert line["summary"] == describe(event)
    header, row = "".join(export([event], "csv")).splitlines()
    assert header.endswith(",summary")
    assert row.endswith(describe(event)) or describe(event).replace('"', '""') in row
