"""Idempotency-Key answers: only final ones are kept, for a day, per token and path.

A refusal that may pass later (a rate limit, a daily cap) is not replayed, so a script
that hit one finishes by re-running with the same keys once the limit resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from bizcenter.api.models import IdempotentRequest
from bizcenter.api.tasks import purge_idempotency_keys, schedule
from bizcenter.invitations.models import Invitation
from tests.support.api import Api, api_for

pytestmark = pytest.mark.usefixtures("one_rate_window")

KEY = {"Idempotency-Key": "import-row-1"}


def invite(api: Api, center, addresses: list[str], **headers):
    return api.send("post", f"/centers/{center.pk}/invitations",
                    {"addresses": addresses}, **headers)


def statuses(answer) -> list[str]:
    return [r["status"] for r in answer.json()["results"]]


def test_a_429_is_not_replayed_and_the_rerun_succeeds_once_the_limit_resets(
        center, admin_api, settings):
    settings.BIZCENTER_INVITE_RATE = 1
    assert invite(admin_api, center, ["a@x.com"]).status_code == 201
    refused = invite(admin_api, center, ["b@x.com"], **KEY)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    again = invite(admin_api, center, ["b@x.com"], **KEY)
    assert again.status_code == 429  # still limited: the work was tried again, not replayed
    assert not IdempotentRequest.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1), tick=False):
        done = invite(admin_api, center, ["b@x.com"], **KEY)
        assert done.status_code == 201 and statuses(done) == ["invited"]
        # From now on the key answers with that success.
        assert invite(admin_api, center, ["b@x.com"], **KEY).json() == done.json()
    assert Invitation.objects.filter(address="b@x.com").count() == 1


def test_the_daily_cap_is_not_kept_so_the_import_finishes_when_it_resets(center, admin_api,
                                                                         settings):
    settings.BIZCENTER_INVITE_DAILY_CAP = 1
    assert invite(admin_api, center, ["a@x.com"]).status_code == 201
    capped = invite(admin_api, center, ["b@x.com"], **KEY)
    assert capped.status_code == 429 and capped.json()["error"]["code"] == "daily_cap_reached"
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1), tick=False):
        assert statuses(invite(admin_api, center, ["b@x.com"], **KEY)) == ["invited"]


def test_a_refusal_of_what_was_sent_is_kept_and_replayed(center, admin_api, settings):
    settings.BIZCENTER_MAX_INVITES_PER_CALL = 1
    bad = invite(admin_api, center, ["a@x.com", "b@x.com"], **KEY)
    assert bad.status_code == 400
    again = invite(admin_api, center, ["a@x.com", "b@x.com"], **KEY)
    assert again.status_code == 400 and again.json() == bad.json()
    assert IdempotentRequest.objects.get().status == 400
    assert not Invitation.objects.exists()


def test_a_success_is_replayed_within_a_day_and_not_after(center, admin_api):
    first = invite(admin_api, center, ["ana@agency.com"], **KEY)
    assert first.status_code == 201 and statuses(first) == ["invited"]
    with time_machine.travel(timezone.now() + timedelta(hours=23, minutes=59), tick=False):
        replay = invite(admin_api, center, ["ana@agency.com"], **KEY)
        assert replay.status_code == 201 and replay.json() == first.json()
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1), tick=False):
        # Forgotten: the request runs again, and the address is already invited.
        later = invite(admin_api, center, ["ana@agency.com"], **KEY)
        assert later.status_code == 201 and statuses(later) == ["already_invited"]
    assert Invitation.objects.count() == 1
    assert IdempotentRequest.objects.count() == 1  # the old row made way for the new


def test_the_same_key_on_another_path_or_token_is_independent(center, admin_api, owner):
    first = invite(admin_api, center, ["ana@agency.com"], **KEY)
    invitation = first.json()["results"][0]["invitation_id"]
    # Another path, the same key: its own request, not "key already used".
    resend = admin_api.send("post", f"/centers/{center.pk}/invitations/{invitation}/resend",
                            None, **KEY)
    assert resend.status_code == 200 and resend.json()["resend_count"] == 1
    # Another token of the same person, the same key and path: not the first's answer.
    other = api_for(owner, center)
    theirs = invite(other, center, ["ana@agency.com"], **KEY)
    assert theirs.status_code == 201 and statuses(theirs) == ["already_invited"]
    different = invite(other, center, ["zed@agency.com"], **{"Idempotency-Key": "mine"})
    assert statuses(different) == ["invited"]
    assert invite(admin_api, center, ["zed@agency.com"],
                  **{"Idempotency-Key": "mine"}).json()["results"][0]["status"] == (
        "already_invited")
    assert IdempotentRequest.objects.count() == 5


def test_the_hourly_purge_deletes_rows_older_than_a_day(center, admin_api):
    from django_tasks_db.models import DBTaskResult

    invite(admin_api, center, ["old@agency.com"], **{"Idempotency-Key": "old"})
    invite(admin_api, center, ["new@agency.com"], **{"Idempotency-Key": "new"})
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25))
    waiting = DBTaskResult.objects.filter(task_path=purge_idempotency_keys.module_path,
                                          status="READY")
    schedule()
    schedule()  # a second worker starting does not add another
    assert waiting.count() == 1
    assert purge_idempotency_keys.call() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    later = waiting.order_by("-enqueued_at").first()
    assert later is not None and later.run_after > timezone.now() + timedelta(minutes=59)
