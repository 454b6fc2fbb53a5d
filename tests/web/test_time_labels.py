"""Times in tables said "2026-12-07 14:03" with no zone (issue 21): every time on a
page goes through the one ``when`` filter, which names the zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import bizcenter.web
from bizcenter.web.templatetags.bizcenter import when

TEMPLATES = Path(bizcenter.web.__file__).parent / "templates"


def test_when_names_the_zone():
    moment = datetime(2026, 12, 7, 14, 3, 9, tzinfo=UTC)
    assert when(moment) == "2026-12-07 14:03 UTC"
    assert when(moment, "seconds") == "2026-12-07 14:03:09 UTC"
    # An instant from another zone is the same instant, shown in UTC.
    berlin = datetime(2026, 12, 7, 15, 3, tzinfo=ZoneInfo("Europe/Berlin"))
    assert when(berlin) == "2026-12-07 14:03 UTC"
    assert when(None) == ""


def test_no_template_prints_an_hour_without_its_zone():
    """A clock time through Django's date filter (H:i) prints without the zone, or with
    one typed beside it that the one filter would not change with it."""
    unlabelled = []
    for path in TEMPLATES.rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\|date:[\"'][^\"']*H:i[^\"']*[\"']", line):
                unlabelled.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert not unlabelled, f"use |when for times: {unlabelled}"


@pytest.mark.django_db
def test_the_activity_log_labels_its_times(client, owner, center):
    client.force_login(owner)
    page = client.get(f"/c/{center.pk}/activity/").content.decode()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page), "the log's times name the zone"
