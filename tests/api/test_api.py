"""The REST API's conventions: tokens, the error shape, paging, idempotency, rate limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bizcenter.accounts.tokens import create_token, revoke_token
from bizcenter.centers.models import Membership
from bizcenter.centers.services import create_center, revoke_member
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from bizcenter.outbox.models import OutboxMessage
from tests.conftest import act, join
from tests.support.api import Api, error_of

pytestmark = pytest.mark.usefixtures("quick_hashing")


@pytest.fixture
def admin_api(owner, center, as_owner) -> Api:
    return Api(create_token(as_owner, center, "script").secret)


@pytest.fixture
def standard(center, as_owner, make_user):
    person = make_user("std@agency.com", name="Sam")
    join(as_owner, center, person, modules=("ANALYTICS",))
    return person


def test_no_token_or_a_bad_one_is_a_401_that_says_what_to_do(center, admin_api):
    anonymous = Client().get(f"/api/v1/centers/{center.pk}")
    assert anonymous.status_code == 401
    assert "Authorization: Bearer" in error_of(anonymous)["message"]
    for bad in ("nonsense", "bzc_abc_def", "Bearer"):
        response = Client().get(f"/api/v1/centers/{center.pk}",
                                headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, bad
        assert error_of(response)["code"] in ("token_invalid", "token_missing")


def test_a_token_reads_its_center_with_string_ids(center, admin_api):
    response = admin_api.get(f"/centers/{center.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == str(center.pk) and response.json()["name"] == "Brand Co"
    assert [c["id"] for c in admin_api.get("/centers").json()] == [str(center.pk)]


def test_a_token_reaches_only_its_own_center(owner, center, as_owner, admin_api):
    other = create_center(as_owner, name="Other Co")
    response = admin_api.get(f"/centers/{other.pk}")
    assert response.status_code == 404
    assert "visible to this token" in error_of(response)["message"]


def test_revoked_and_expired_tokens_stop_on_the_next_call(owner, center, as_owner):
    issued = create_token(as_owner, center, "old", expires_at=timezone.now() + timedelta(days=1))
    api = Api(issued.secret)
    assert api.get(f"/centers/{center.pk}").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        expired = api.get(f"/centers/{center.pk}")
    assert expired.status_code == 401 and error_of(expired)["code"] == "token_expired"
    revoke_token(as_owner, issued.token.pk)
    revoked = api.get(f"/centers/{center.pk}")
    assert revoked.status_code == 401 and error_of(revoked)["code"] == "token_revoked"


def test_a_token_never_outlives_its_owners_access(center, as_owner, standard):
    api = Api(create_token(act(standard), center, "mine").secret)
    assert api.get(f"/centers/{center.pk}").status_code == 200
    revoke_member(as_owner, center, standard.memberships.get().pk)
    gone = api.get(f"/centers/{center.pk}")
    assert gone.status_code == 401 and error_of(gone)["code"] == "token_revoked"


def test_read_only_tokens_cannot_write_and_nothing_changes(center, as_owner):
    api = Api(create_token(as_owner, center, "reader", read_only=True).secret)
    assert api.get(f"/centers/{center.pk}/members").status_code == 200
    response = api.send("post", f"/centers/{center.pk}/invitations",
                        {"addresses": ["a@agency.com"]})
    assert response.status_code == 403 and error_of(response)["code"] == "read_only_token"
    assert not Invitation.objects.exists()


def test_members_are_paged_with_totals_and_bad_options_are_400(center, as_owner, admin_api,
                                                               make_user):
    for name in ("ann", "bob", "cat"):
        join(as_owner, center, make_user(f"{name}@agency.com", name=name.title()))
    page = admin_api.get(f"/centers/{center.pk}/members", page_size=2, sort="name").json()
    assert page["page_info"] == {"page": 1, "page_size": 2, "total": 4, "pages": 2}
    assert [m["user"]["name"] for m in page["items"]] == ["Ann", "Bob"]
    assert all(isinstance(m["id"], str) for m in page["items"])
    bad = admin_api.get(f"/centers/{center.pk}/members", sort="salary")
    assert bad.status_code == 400 and "Unknown sort" in error_of(bad)["message"]
    assert error_of(bad)["fields"] == {"sort": "unknown"}


def test_a_member_past_their_end_time_reads_as_expired(center, as_owner, admin_api,
                                                       make_user):
    ended = join(as_owner, center, make_user("ended@agency.com"))
    Membership.objects.filter(pk=ended.pk).update(expires_at=timezone.now() - timedelta(days=1))
    listed = admin_api.get(f"/centers/{center.pk}/members").json()["items"]
    assert {m["user"]["email"]: m["state"] for m in listed} == {
        "owner@brand.com": "ACTIVE", "ended@agency.com": "EXPIRED"}
    current = admin_api.get(f"/centers/{center.pk}/members", state="ACTIVE").json()
    assert [m["user"]["email"] for m in current["items"]] == ["owner@brand.com"]
    assert admin_api.get(f"/centers/{center.pk}/members/{ended.pk}").json()["state"] == "EXPIRED"


def test_standard_members_are_refused_with_the_reason(center, standard):
    api = Api(create_token(act(standard), center, "mine").secret)
    response = api.get(f"/centers/{center.pk}/members")
    assert response.status_code == 403
    assert "Only Admins of Brand Co" in error_of(response)["message"]
    invite = api.send("post", f"/centers/{center.pk}/invitations", {"addresses": ["x@y.com"]})
    assert invite.status_code == 403
    assert not Invitation.objects.filter(address="x@y.com").exists()


def test_bulk_invite_answers_per_address(center, admin_api):
    response = admin_api.send("post", f"/centers/{center.pk}/invitations", {
        "addresses": ["ana@agency.com", "not an address", "ana@agency.com"],
        "modules": ["ANALYTICS", "CAMPAIGNS"], "kind": "agency"})
    assert response.status_code == 201
    body = response.json()
    assert body["invited"] == 1
    assert [r["status"] for r in body["results"]] == ["invited", "invalid", "duplicate"]
    assert body["results"][0]["invitation_id"] == str(Invitation.objects.get().pk)
    listed = admin_api.get(f"/centers/{center.pk}/invitations").json()
    assert [i["address"] for i in listed["items"]] == ["ana@agency.com"]


def test_copy_link_gives_the_messages_link_and_refuses_dead_invitations(
        center, as_owner, admin_api, make_user):
    sent = admin_api.send("post", f"/centers/{center.pk}/invitations",
                          {"addresses": ["ana@agency.com"]}).json()
    invitation_id = sent["results"][0]["invitation_id"]
    path = f"/centers/{center.pk}/invitations/{invitation_id}/link"
    copied = admin_api.get(path)
    assert copied.status_code == 200
    link = copied.json()["link"]
    assert copied.json()["invitation_id"] == invitation_id
    # The link is the one that lets ana in: accepting it as ana makes her a member.
    ana = make_user("ana@agency.com")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert invitations.accept(act(ana), token).user == ana
    used = admin_api.get(path)
    assert used.status_code == 409 and "accepted" in error_of(used)["message"]
    assert admin_api.get(f"/centers/{center.pk}/invitations/987654/link").status_code == 404


def test_more_than_fifty_or_a_malformed_body_is_400(center, admin_api):
    many = admin_api.send("post", f"/centers/{center.pk}/invitations",
                          {"addresses": [f"p{i}@agency.com" for i in range(51)]})
    assert many.status_code == 400 and "At most 50" in error_of(many)["message"]
    missing = admin_api.send("post", f"/centers/{center.pk}/invitations", {"role": "ADMIN"})
    assert missing.status_code == 400 and "addresses" in error_of(missing)["fields"]
    broken = admin_api.client.post(f"/api/v1/centers/{center.pk}/invitations", "{nope",
                                   content_type="application/json", headers=admin_api.headers)
    assert broken.status_code == 400 and "error" in broken.json()
    assert not Invitation.objects.exists()


def test_an_idempotency_key_makes_a_retry_send_nothing_twice(center, admin_api):
    body = {"addresses": ["ana@agency.com", "+14155550123"]}
    first = admin_api.send("post", f"/centers/{center.pk}/invitations", body,
                           **{"Idempotency-Key": "batch-1"})
    again = admin_api.send("post", f"/centers/{center.pk}/invitations", body,
                           **{"Idempotency-Key": "batch-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Invitation.objects.count() == 2 and OutboxMessage.objects.count() == 2
    other = admin_api.send("post", f"/centers/{center.pk}/invitations",
                           {"addresses": ["zed@agency.com"]}, **{"Idempotency-Key": "batch-1"})
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"
    # Without a key, a retry is a new request: the address is already invited.
    plain = admin_api.send("post", f"/centers/{center.pk}/invitations", body)
    assert [r["status"] for r in plain.json()["results"]] == ["already_invited"] * 2


def test_a_retried_resend_with_its_key_sends_one_message(center, admin_api):
    sent = admin_api.send("post", f"/centers/{center.pk}/invitations",
                          {"addresses": ["ana@agency.com"]}).json()
    route = f"/centers/{center.pk}/invitations/{sent['results'][0]['invitation_id']}/resend"
    first = admin_api.send("post", route, None, **{"Idempotency-Key": "resend-1"})
    again = admin_api.send("post", route, None, **{"Idempotency-Key": "resend-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["resend_count"] == 1
    assert OutboxMessage.objects.count() == 2  # the invitation's and one resend
    assert Invitation.objects.get().resend_count == 1


@pytest.mark.usefixtures("one_rate_window")
def test_too_many_calls_get_429_with_retry_after(center, admin_api, settings):
    settings.BIZCENTER_API_RATE = 3
    for _ in range(3):
        assert admin_api.get(f"/centers/{center.pk}").status_code == 200
    limited = admin_api.get(f"/centers/{center.pk}")
    assert limited.status_code == 429 and error_of(limited)["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_edit_and_revoke_members(center, as_owner, admin_api, standard):
    member_id = standard.memberships.get().pk
    edited = admin_api.send("patch", f"/centers/{center.pk}/members/{member_id}",
                            {"modules": ["ANALYTICS", "BILLING"], "kind": "client"})
    assert edited.status_code == 200
    # The Billing module is Billing access: Finance Analyst, the least that shows billing.
    assert edited.json()["modules"] == ["ANALYTICS", "BILLING"]
    assert edited.json()["finance_role"] == "ANALYST"
    bad = admin_api.send("patch", f"/centers/{center.pk}/members/{member_id}",
                         {"role": "EMPEROR"})
    assert bad.status_code == 400 and "role" in error_of(bad)["fields"]
    gone = admin_api.send("delete", f"/centers/{center.pk}/members/{member_id}")
    assert gone.status_code == 200 and gone.json()["state"] == "REVOKED"
    missing = admin_api.get(f"/centers/{center.pk}/members/999999")
    assert missing.status_code == 404


def test_settings_change_by_admins_only(center, admin_api, standard):
    done = admin_api.send("patch", f"/centers/{center.pk}", {"currency": "eur"})
    assert done.status_code == 200 and done.json()["currency"] == "EUR"
    bad = admin_api.send("patch", f"/centers/{center.pk}", {"timezone": "Mars/Base"})
    assert bad.status_code == 400 and "not a time zone" in error_of(bad)["message"]
    api = Api(create_token(act(standard), center, "mine").secret)
    refused = api.send("patch", f"/centers/{center.pk}", {"name": "Mine now"})
    assert refused.status_code == 403


def test_the_openapi_document_and_docs_are_served(db):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/centers/{center_id}/invitations" in paths
    assert Client().get("/api/v1/docs").status_code == 200


def test_a_nul_character_anywhere_is_a_400_not_a_database_error(center, admin_api):
    search = admin_api.get(f"/centers/{center.pk}/members", q="ann\x00")
    assert search.status_code == 400 and "NUL character" in error_of(search)["message"]
    rename = admin_api.send("patch", f"/centers/{center.pk}", {"name": "Brand\u0000Co"})
    assert rename.status_code == 400 and "NUL character" in error_of(rename)["message"]
    center.refresh_from_db()
    assert center.name == "Brand Co"


def test_type_errors_name_the_field_itself(center, admin_api, standard):
    member_id = standard.memberships.get().pk
    bad = admin_api.send("patch", f"/centers/{center.pk}/members/{member_id}",
                         {"modules": "ANALYTICS"})
    assert bad.status_code == 400 and "modules" in error_of(bad)["fields"]


def test_a_csv_import_reports_every_row(admin_api, center, run_worker):
    started = admin_api.send("post", f"/centers/{center.pk}/invitations/imports", {
        "csv": "Name,Email,Phone\nAna,ana@agency.com,\nBo,,+14155550123\nAgain,ANA@agency.com,"
               "\nNone,,\n", "file_name": "people.csv", "addresses": ["typed@agency.com"],
        "kind": "agency"})
    assert started.status_code == 202, started.content
    job = started.json()
    assert (job["state"], job["total"], job["typed"], job["seats"]) == ("QUEUED", 5, 1, 3)
    run_worker()
    done = admin_api.get(f"/centers/{center.pk}/invitations/imports/{job['id']}").json()
    assert done["state"] == "DONE" and sum(done["counts"].values()) == 5 == len(done["rows"])
    assert done["summary"] == ("5 rows (1 typed, 4 from the file): 3 invited, 1 duplicate in "
                               "this file, 1 empty.")
    again = next(r for r in done["rows"] if r["row"] == 4)
    assert again["status"] == "duplicate" and "duplicate of row 2" in again["message"]
    assert Invitation.objects.get(address="+14155550123").address_kind == "phone"


def test_a_csv_import_over_the_member_limit_is_refused_with_the_numbers(admin_api, center,
                                                                        settings):
    settings.BIZCENTER_MAX_MEMBERS = 3
    answer = admin_api.send("post", f"/centers/{center.pk}/invitations/imports",
                            {"csv": "a@x.com\nb@x.com\nc@x.com\n"})
    assert answer.status_code == 409
    error = answer.json()["error"]
    assert error["code"] == "member_limit" and "would invite 3 new people" in error["message"]
    assert not Invitation.objects.exists()
