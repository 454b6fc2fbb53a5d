"""/access/explain, the troubleshooter's full answer, carries ``needs``: what the action
asks of anyone, the rule's sentence, the same whoever is asked about."""

from __future__ import annotations

from bizcenter.access.actions import Action
from bizcenter.access.rules import needs
from bizcenter.invitations.services import invite


def test_explain_says_what_the_action_needs(admin_api, center, as_owner, ads):
    invite(as_owner, center, ["late@agency.com"])
    base = f"/centers/{center.pk}/access"
    for address in ("", "late@agency.com", "nobody@nowhere.com"):  # self, invited, stranger
        for action in (Action.CAMPAIGN_EDIT, Action.BILLING_VIEW, Action.MEMBER_VIEW):
            query = {"action": action.value, "resource": f"asset:{ads.pk}"
                     if action is Action.CAMPAIGN_EDIT else "center", "address": address}
            body = admin_api.get(f"{base}/explain", **query).json()
            assert body["needs"] == needs(action), query


def test_the_document_describes_needs(admin_api, db):
    from django.test import Client

    doc = Client().get("/api/v1/openapi.json").json()
    field = doc["components"]["schemas"]["ExplainOut"]["properties"]["needs"]
    assert "What the action needs" in field["description"]
    assert "needs" in doc["components"]["schemas"]["ExplainOut"]["required"]
    # /access/check stays the short answer: yes or no, one reason, the fix.
    assert "needs" not in doc["components"]["schemas"]["CheckOut"]["properties"]
