"""Add Partners by CSV upload: checked at once, invited in the background with progress."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bizcenter.assets.services import create_asset
from bizcenter.audit.models import AuditEvent
from bizcenter.invitations import imports
from bizcenter.invitations.models import ImportState, Invitation, InviteImport
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.imports import csv_of


def upload(client, center, content: bytes, name: str = "partners.csv", **fields):
    data = {"role": "STANDARD", "modules": ["ANALYTICS"], "finance_role": "", "kind": "agency",
            "addresses": "", "file": SimpleUploadedFile(name, content, "text/csv"), **fields}
    return client.post(f"/c/{center.pk}/partners/add/", data)


def test_csv_upload_invites_in_the_background_and_shows_progress(client, owner, center,
                                                                 as_owner, run_worker):
    ad = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
    good = [f"p{i}@agency.com" for i in range(120)]
    content = csv_of([*good, "not an address", "p1@agency.com"])
    client.force_login(owner)
    page = upload(client, center, content, **{f"asset_{ad.pk}": "OPERATOR",
                                              "modules": ["ANALYTICS", "CAMPAIGNS"]})
    assert page.status_code == 302 and "/partners/imports/" in page.url
    job = InviteImport.objects.get()
    assert (job.total, job.processed, job.state) == (122, 0, ImportState.QUEUED)
    waiting = client.get(page.url).content.decode()
    assert "0 of 122" in waiting and 'hx-trigger="every 1s"' in waiting

    run_worker()
    done = client.get(page.url).content.decode()
    assert "122 of 122" in done and "Done" in done
    assert 'hx-trigger' not in done  # finished: the page stops asking
    assert "Not invited" in done and "not an address" in done
    job.refresh_from_db()
    # The repeat is said to be one, naming the row it first appeared on (row 3: the
    # header is row 1), not "already invited": the file invited it itself.
    assert job.counts == {"invited": 120, "invalid": 1, "duplicate": 1}
    assert "122 rows: 120 invited, 1 duplicate in this file, 1 invalid." in done
    assert "duplicate of row 3" in done
    assert Invitation.objects.filter(center=center).count() == 120
    one = Invitation.objects.get(address="p7@agency.com")
    assert one.kind == "agency" and one.modules == ["ANALYTICS", "CAMPAIGNS"]
    assert one.assets == [{"asset_id": ad.pk, "roles": ["OPERATOR"]}]
    assert AuditEvent.objects.filter(action="invitation.import_started").count() == 1
    assert AuditEvent.objects.filter(action="invitation.import_finished").count() == 1


def test_progress_fragment_for_htmx(client, owner, center, as_owner):
    job = imports.start_import(as_owner, center, csv_of(["a@agency.com"]), Grant())
    client.force_login(owner)
    fragment = client.get(f"/c/{center.pk}/partners/imports/{job.pk}/",
                          headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="import-progress"')
    assert "<html" not in fragment


def test_a_plain_list_without_header_works(owner, center, as_owner, run_worker):
    job = imports.start_import(as_owner, center, b"+14155550123\n\nb@agency.com\n", Grant())
    run_worker()
    job.refresh_from_db()
    # The blank line is a row too, reported as empty, so the counts add up to the file.
    assert job.total == 3 and job.counts == {"invited": 2, "empty": 1}


def test_bad_files_are_refused_on_the_form_and_nothing_is_queued(client, owner, center,
                                                                 settings):
    client.force_login(owner)
    for content, words in ((b"\xff\xfe\x00b\x00a\x00d", "not UTF-8"),
                           (b"email\n\n", "no addresses")):
        page = upload(client, center, content)
        assert page.status_code == 400 and words in page.content.decode()
    settings.BIZCENTER_MAX_IMPORT_ROWS = 5
    page = upload(client, center, csv_of([f"p{i}@agency.com" for i in range(6)]))
    assert page.status_code == 400 and "6 rows; at most 5 can be imported" in \
        page.content.decode()
    # The choices made stay on the form.
    assert 'value="agency" selected' in page.content.decode()
    assert not InviteImport.objects.exists() and not Invitation.objects.exists()


def test_an_import_resumes_after_a_crash_without_inviting_twice(center, as_owner, monkeypatch):
    job = imports.start_import(as_owner, center,
                               csv_of([f"p{i}@agency.com" for i in range(120)]), Grant())
    real_invite = imports.invite
    calls = {"n": 0}

    def dies_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_invite(*args, **kwargs)

    monkeypatch.setattr(imports, "invite", dies_on_second_batch)
    with pytest.raises(RuntimeError, match="worker killed"):
        imports.run(job.pk)
    job.refresh_from_db()
    assert job.processed == 50 and Invitation.objects.count() == 50
    monkeypatch.setattr(imports, "invite", real_invite)
    imports.run(job.pk)
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.processed == 120
    assert Invitation.objects.count() == 120
    assert job.counts == {"invited": 120}
    imports.run(job.pk)  # a duplicate delivery of the task changes nothing
    assert Invitation.objects.count() == 120


def test_an_import_stops_with_a_reason_when_the_admin_loses_the_right(
        center, as_owner, make_user, run_worker):
    from bizcenter.centers.models import Membership
    from bizcenter.centers.services import update_member
    from bizcenter.invitations import services as invitations

    other = make_user("second@brand.com")
    [sent] = invitations.invite(as_owner, center, ["second@brand.com"],
                                Grant(role="ADMIN"))
    invitations.accept(act(other), invitations.link(as_owner, center, sent.invitation.pk)
                       .rsplit("/", 2)[-2])
    job = imports.start_import(act(other), center, csv_of(["z@agency.com"]), Grant())
    mine = Membership.objects.get(center=center, user=other)
    update_member(as_owner, center, mine.pk, role="STANDARD")
    run_worker()
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and "Admins" in job.error
    assert not Invitation.objects.filter(address="z@agency.com").exists()


def test_only_admins_of_this_center_see_an_import(client, center, as_owner, make_user):
    from bizcenter.centers.services import create_center

    job = imports.start_import(as_owner, center, csv_of(["a@agency.com"]), Grant())
    stranger = make_user("stranger@else.com")
    create_center(act(stranger), name="Else")
    client.force_login(stranger)
    assert client.get(f"/c/{center.pk}/partners/imports/{job.pk}/").status_code == 404


def test_typed_addresses_and_a_file_are_both_invited_and_reported(client, owner, center,
                                                                  run_worker):
    client.force_login(owner)
    page = upload(client, center, b"Name,Email,Phone\nAna,ana@agency.com,+14155550123\n"
                  b"Bo,,+14155550124\nCy,typed@agency.com,\n",
                  addresses="typed@agency.com, dee@agency.com", prefer_phone="on")
    assert page.status_code == 302
    waiting = client.get(page.url).content.decode()
    assert "Uses 4 member seats" in waiting and "2 typed addresses" in waiting
    run_worker()
    done = client.get(page.url).content.decode()
    assert "5 rows (2 typed, 3 from the file): 4 invited, 1 duplicate in this file." in done
    assert "duplicate of typed address 1" in done and "row 4" in done
    # Prefer phone: Ana's row went by SMS.
    assert set(Invitation.objects.values_list("address", flat=True)) == {
        "typed@agency.com", "dee@agency.com", "+14155550123", "+14155550124"}


def test_a_file_over_the_member_limit_is_refused_on_the_form(client, owner, center, settings):
    settings.BIZCENTER_MAX_MEMBERS = 5
    client.force_login(owner)
    page = upload(client, center, csv_of([f"p{i}@agency.com" for i in range(6)]))
    text = page.content.decode()
    assert page.status_code in (400, 409)
    assert "would invite 6 new people" in text and "1 of 5 member seats" in text
    assert "4 left" in text and "nobody was invited" in text
    assert not InviteImport.objects.exists() and not Invitation.objects.exists()
