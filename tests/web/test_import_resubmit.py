"""A CSV upload sent twice (a double click, a refresh, the back button) starts one import:
the form carries a one-time key, and the same key from the same person finds the import
it already started."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from bizcenter.audit.models import AuditEvent
from bizcenter.invitations import imports
from bizcenter.invitations.models import Invitation, InviteImport
from bizcenter.invitations.services import Grant
from tests.support.imports import csv_of


def form_key(page) -> str:
    found = re.search(r'name="form_key" value="([^"]+)"', page.content.decode())
    assert found, "no form key on the page"
    return found.group(1)


def send(client, center, key: str, content: bytes):
    data = {"role": "STANDARD", "modules": ["ANALYTICS"], "finance_role": "", "kind": "agency",
            "addresses": "", "form_key": key,
            "file": SimpleUploadedFile("partners.csv", content, "text/csv")}
    return client.post(f"/c/{center.pk}/partners/add/", data)


def test_the_same_form_sent_twice_starts_one_import(client, owner, center, run_worker):
    client.force_login(owner)
    key = form_key(client.get(f"/c/{center.pk}/partners/add/"))
    content = csv_of([f"p{i}@agency.com" for i in range(5)])
    first = send(client, center, key, content)
    again = send(client, center, key, content)
    assert first.status_code == again.status_code == 302
    assert again.url == first.url  # the first import's progress
    job = InviteImport.objects.get()
    assert job.form_key == key
    assert AuditEvent.objects.filter(action="invitation.import_started").count() == 1
    page = client.get(again.url).content.decode()
    assert "This form was already sent" in page
    run_worker()
    send(client, center, key, content)  # even after it finished: still the same import
    assert InviteImport.objects.count() == 1
    assert Invitation.objects.filter(center=center).count() == 5
    job.refresh_from_db()
    assert job.counts == {"invited": 5}  # not "already invited" from a second run


def test_a_fresh_form_starts_a_new_import(client, owner, center):
    client.force_login(owner)
    first = send(client, center, form_key(client.get(f"/c/{center.pk}/partners/add/")),
                 csv_of(["a@agency.com"]))
    second = send(client, center, form_key(client.get(f"/c/{center.pk}/partners/add/")),
                  csv_of(["b@agency.com"]))
    assert first.url != second.url and InviteImport.objects.count() == 2


def test_a_form_refused_keeps_its_key_and_can_be_sent_once_fixed(client, owner, center):
    client.force_login(owner)
    key = form_key(client.get(f"/c/{center.pk}/partners/add/"))
    refused = send(client, center, key, b"")  # an empty file: refused on the form
    assert refused.status_code == 400 and form_key(refused) == key
    assert send(client, center, key, csv_of(["a@agency.com"])).status_code == 302
    assert InviteImport.objects.count() == 1


def test_the_core_returns_the_import_a_key_started(center, as_owner):
    first = imports.start_import(as_owner, center, csv_of(["a@agency.com"]), Grant(),
                                 form_key="k1")
    again = imports.start_import(as_owner, center, csv_of(["a@agency.com"]), Grant(),
                                 form_key="k1")
    assert again.pk == first.pk and again.repeated and not first.repeated
    other = imports.start_import(as_owner, center, csv_of(["b@agency.com"]), Grant(),
                                 form_key="k2")
    assert other.pk != first.pk and InviteImport.objects.count() == 2
