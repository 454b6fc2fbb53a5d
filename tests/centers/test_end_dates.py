"""End dates mean what the person picked (issue 17): a last day, inclusive, in the
Business Center's time zone, kept as the instant access ends, and read back as the
same day. These tests hold the conversion itself, the moment access really stops,
and the reminders; the doors' round trips are in the web, API and CLI tests."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bizcenter.access.reminders import send_reminders
from bizcenter.centers import enddates
from bizcenter.centers.models import BusinessCenter
from bizcenter.centers.services import update_center, update_member
from bizcenter.core.errors import InvalidInput
from tests.conftest import join

pytestmark = pytest.mark.usefixtures("quick_hashing")

PICKED = date(2027, 6, 30)
# Where access ends for PICKED: the first instant of July 1 in each zone, in UTC.
ENDS = {"Europe/Paris": datetime(2027, 6, 30, 22, tzinfo=UTC),  # UTC+2 in summer
        "America/New_York": datetime(2027, 7, 1, 4, tzinfo=UTC),  # UTC-4 in summer
        "UTC": datetime(2027, 7, 1, tzinfo=UTC)}
BEFORE_THE_DAY = datetime(2027, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def june_2027():
    """Weeks before the picked day, whatever the date of the machine running this."""
    with time_machine.travel(BEFORE_THE_DAY, tick=True):
        yield


def in_zone(center: BusinessCenter, as_owner, zone: str) -> BusinessCenter:
    return update_center(as_owner, center, timezone=zone)


@pytest.mark.parametrize("zone", list(ENDS))
def test_a_last_day_is_the_start_of_the_next_day_there_and_reads_back_as_itself(zone):
    ends = enddates.ends_at(PICKED, zone)
    assert ends == ENDS[zone] and ends.tzinfo is UTC
    assert enddates.last_day(ends, zone) == PICKED
    assert enddates.shown(ends, zone) == "2027-06-30"
    assert enddates.shown(None, zone, never="never") == "never"


def test_an_instant_reads_as_the_last_day_on_which_some_access_remained():
    paris = "Europe/Paris"
    # Older versions stored a date picked as June 30 as the next midnight UTC: in Paris
    # that leaves two hours of July 1, so July 1 is its last day there, and in New York
    # (still June 30, 20:00) June 30.
    old = datetime(2027, 7, 1, tzinfo=UTC)
    assert enddates.last_day(old, paris) == date(2027, 7, 1)
    assert enddates.last_day(old, "America/New_York") == PICKED
    # An end set to the second through the API counts its own day.
    assert enddates.last_day(datetime(2027, 6, 30, 13, 15, tzinfo=UTC), paris) == PICKED


def test_days_that_start_at_a_clock_change_and_zones_that_no_longer_exist():
    # Chile moves its clocks from 24:00 to 01:00 on the first Sunday of September:
    # 2027-09-05 starts at 01:00 local, which is 04:00 UTC.
    ends = enddates.ends_at(date(2027, 9, 4), "America/Santiago")
    assert ends == datetime(2027, 9, 5, 4, tzinfo=UTC)
    assert enddates.last_day(ends, "America/Santiago") == date(2027, 9, 4)
    assert enddates.zone_name("Mars/Base") == "UTC"  # a stale zone name counts as UTC
    assert enddates.ends_at(PICKED, "Mars/Base") == ENDS["UTC"]


def test_a_day_the_calendar_cannot_follow_is_refused_with_the_field_named():
    with pytest.raises(InvalidInput) as refused:
        enddates.ends_at(date.max, "Pacific/Kiritimati", field="last_day")
    assert refused.value.fields == {"last_day": "too far in the future"}
    assert "9999-12-31" in refused.value.message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day=st.dates(min_value=date(1971, 1, 1), max_value=date(9999, 12, 30)),
       zone=st.sampled_from(sorted(zoneinfo.available_timezones())))
def test_every_day_in_every_zone_round_trips(day, zone):
    ends = enddates.ends_at(day, zone)
    assert enddates.last_day(ends, zone) == day
    local = ends.astimezone(zoneinfo.ZoneInfo(zone))
    # The instant is the next day's first: the day before it is still ``day``.
    assert local.date() == day + timedelta(days=1)
    assert (ends - timedelta(microseconds=1)).astimezone(zoneinfo.ZoneInfo(zone)).date() == day


def test_reminders_fire_relative_to_the_instant_and_name_the_last_day(
        center, as_owner, make_user, june_2027, run_worker, mailbox):
    center = in_zone(center, as_owner, "Europe/Paris")
    partner = join(as_owner, center, make_user("temp@agency.com", name="Tem"))
    update_member(as_owner, center, partner.pk,
                  expires_at=enddates.ends_at(PICKED, center))
    run_worker()
    mailbox.clear()
    week_before = ENDS["Europe/Paris"] - timedelta(days=7)
    with time_machine.travel(week_before - timedelta(minutes=1), tick=False):
        assert send_reminders() == 0  # 7 days and a minute left
    with time_machine.travel(week_before + timedelta(minutes=1), tick=False):
        assert send_reminders() == 1
        run_worker()
    [note] = [m for m in mailbox if m.to != ["temp@agency.com"]]  # the Admin's (and Tem's)
    assert "Access ends in 7 days" in note.subject
    assert "its last day is 2027-06-30 (Europe/Paris time)" in note.body
    assert "2027-07-01" not in note.body
    day_before = ENDS["Europe/Paris"] - timedelta(days=1)
    with time_machine.travel(day_before - timedelta(minutes=1), tick=False):
        assert send_reminders() == 0
    with time_machine.travel(day_before + timedelta(minutes=1), tick=False):
        assert send_reminders() == 1
        run_worker()
    admins = [m for m in mailbox if m.to != ["temp@agency.com"]]
    assert "Access ends in 1 day" in admins[-1].subject
    assert "2027-06-30" in admins[-1].body
