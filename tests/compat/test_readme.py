"""The README's SDK example, run as written against a live bizcenter."""

from __future__ import annotations

import re
from pathlib import Path

from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign
from bizcenter.reporting.services import load_metrics

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Use your existing TikTok Business API tools"


def example() -> str:
    text = README.read_text()
    section = text[text.index(SECTION):]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the section has a Python example"
    return found.group(1)


def test_the_readme_example_works(live_server, center, as_owner, ads, admin_token,
                                  monkeypatch, capsys):
    running = campaigns.create_campaign(as_owner, center, ads.pk, name="Always on",
                                        objective="REACH", budget="100").campaign
    assert running is not None
    load_metrics(as_owner, center, [(1, {"campaign_id": running.pk, "date": "2026-03-02",
                                         "spend": "12.00", "impressions": 800, "clicks": 8,
                                         "conversions": 1})])
    monkeypatch.setenv("BIZCENTER_URL", live_server.url)
    monkeypatch.setenv("BIZCENTER_TOKEN", admin_token)
    scope: dict[str, object] = {}
    try:
        exec(compile(example(), str(README), "exec"), scope)  # noqa: S102 - our own README
    finally:
        client = scope.get("client")
        if client is not None:  # its last response holds a connection open
            client.last_response = None  # type: ignore[attr-defined]
            client.rest_client.pool_manager.clear()  # type: ignore[attr-defined]
    printed = capsys.readouterr().out.splitlines()
    created = Campaign.objects.get(name="Spring sale")
    assert printed[0] == f"created campaign {created.pk}"
    assert printed[1] == (f"{running.pk} {{'spend': '12.00', 'impressions': '800', "
                          "'clicks': '8', 'ctr': '1.00'}")
