"""The door itself: TikTok's envelope on every answer (HTTP 200, a non-zero code for an
error), its token and rate-limit codes, parameters it cannot read, paths it does not
serve, and a system error that tells nothing but a request id."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
import urllib3
from django.utils import timezone

from bizcenter.accounts.tokens import create_token, revoke_token
from bizcenter.compat import members
from bizcenter.invitations.models import Invitation


def test_every_answer_has_a_fresh_request_id(admin, center):
    ids = {admin.get("bc/get/")["request_id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(len(i) == 34 and i[:14].isdigit() for i in ids)


def test_revoked_expired_and_read_only_tokens(tik, center, as_owner):
    issued = create_token(as_owner, center, "old", expires_at=timezone.now() + timedelta(days=1))
    client = tik(issued.secret)
    assert client.get("bc/get/")["code"] == 0
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        expired = client.get("bc/get/")
    assert expired["code"] == 40102 and "expired" in expired["message"]
    revoke_token(as_owner, issued.token.pk)
    revoked = client.get("bc/get/")
    assert revoked["code"] == 40105 and "was revoked" in revoked["message"]

    reader = tik(create_token(as_owner, center, "reader", read_only=True).secret)
    assert reader.get("bc/member/get/", bc_id=center.pk)["code"] == 0
    writing = reader.post("bc/member/invite/", bc_id=str(center.pk), emails=["a@agency.com"])
    assert writing["code"] == 40001 and "read-only" in writing["message"]
    assert not Invitation.objects.exists()


@pytest.mark.usefixtures("one_rate_window")
def test_too_many_calls_is_40100(admin, settings):
    settings.BIZCENTER_API_RATE = 3
    codes = [admin.get("bc/get/")["code"] for _ in range(4)]
    assert codes == [0, 0, 0, 40100]
    limited = admin.get("bc/get/")
    assert "at most 3 per 60 seconds" in limited["message"]


def test_parameters_it_cannot_read_are_40002(admin, center, live_server, admin_token):
    missing = admin.get("bc/member/get/")
    assert missing == {**missing, "code": 40002, "message": "bc_id is required."}
    not_json = admin.get("bc/member/get/", bc_id=center.pk, filtering="{broken")
    assert not_json["code"] == 40002 and "filtering must be a JSON object" in not_json["message"]
    wrong_status = admin.get("bc/member/get/", bc_id=center.pk,
                             filtering={"relation_status": "MAYBE"})
    assert wrong_status["code"] == 40002 and "BOUND" in wrong_status["message"]
    for size in (0, 51):
        assert admin.get("bc/get/", page_size=size)["code"] == 40002
    assert admin.get("bc/get/", page="first")["code"] == 40002
    bad_type = admin.get("bc/asset/get/", bc_id=center.pk, asset_type="SHOP")
    assert bad_type["code"] == 40002 and "ADVERTISER" in bad_type["message"]

    http = urllib3.PoolManager()
    raw = http.request("POST", f"{live_server.url}/open_api/v1.3/bc/member/invite/",
                       body=b"{not json", headers={"Access-Token": admin_token,
                                                   "Content-Type": "application/json"})
    assert raw.status == 200 and raw.json()["code"] == 40002
    assert "not valid JSON" in raw.json()["message"]
    raw.release_conn()
    http.clear()


def test_the_wrong_method_and_unknown_paths(admin, center):
    as_post = admin.post("bc/get/")
    assert as_post["code"] == 40002 and "as GET" in as_post["message"]
    as_get = admin.get("bc/member/invite/", bc_id=center.pk)
    assert as_get["code"] == 40002 and "as POST" in as_get["message"]
    unknown = admin.get("ad/get/", advertiser_id="1")
    assert unknown["code"] == 40400 and "does not serve /open_api/v1.3/ad/get/" in \
        unknown["message"]
    no_slash = admin.get("bc/get")
    assert no_slash["code"] == 40400 and "/open_api/v1.3/bc/get/, with the trailing slash" \
        in no_slash["message"]


def test_a_system_error_is_50000_with_the_request_id_and_nothing_else(admin, center,
                                                                      monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("password=hunter2 in /srv/secret.py line 12")

    monkeypatch.setattr(members.centers, "list_members", broken)
    answer = admin.get("bc/member/get/", bc_id=center.pk)
    assert answer["code"] == 50000
    assert answer["request_id"] in answer["message"]
    assert "hunter2" not in answer["message"] and "secret.py" not in answer["message"]


def test_a_failing_post_changes_nothing(admin, center, monkeypatch):
    """A POST runs in one transaction: the invitation written before the failure is
    rolled back with it."""
    real = members.invitations.invite

    def invite_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("after the write")

    monkeypatch.setattr(members.invitations, "invite", invite_then_fail)
    answer = admin.post("bc/member/invite/", bc_id=str(center.pk), emails=["x@agency.com"])
    assert answer["code"] == 50000 and "nothing was changed" in answer["message"]
    assert not Invitation.objects.exists()



def test_a_nul_character_is_refused_in_the_envelope(admin, center):
    body = admin.get("bc/member/get/", bc_id=str(center.pk), keyword="a\x00b")
    assert body["code"] == 40002 and "NUL" in body["message"]
