"""Account → API tokens: create one (shown once), use it, revoke it."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.test import Client

from bizcenter.accounts.models import ApiToken

pytestmark = pytest.mark.usefixtures("quick_hashing")


def test_create_use_and_revoke_a_token(client, owner, center):
    client.force_login(owner)
    page = client.get("/account/tokens/").content.decode()
    assert "No tokens yet." in page and "Brand Co" in page
    made = client.post("/account/tokens/", {"step": "create", "name": "Weekly sync",
                                            "center": center.pk, "read_only": "on"})
    html = made.content.decode()
    assert made.status_code == 200 and "Copy your new token now" in html
    secret = re.search(r'id="new-token">(bzc_[^<]+)<', html).group(1)
    token = ApiToken.objects.get()
    assert token.read_only and token.name == "Weekly sync"
    assert secret not in client.get("/account/tokens/").content.decode()  # shown once

    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get(f"/api/v1/centers/{center.pk}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert f"{token.last_used_at:%Y-%m-%d %H:%M}" in client.get("/account/tokens/").content.decode()

    ask = client.post("/account/tokens/", {"step": "revoke", "token": token.pk})
    assert f"Revoke the API token '{token.name}'?" in htmllib.unescape(ask.content.decode())
    assert api.get(f"/api/v1/centers/{center.pk}").status_code == 200  # asking revoked nothing
    client.post("/account/tokens/", {"step": "revoke", "token": token.pk, "confirmed": "1"})
    assert api.get(f"/api/v1/centers/{center.pk}").status_code == 401


def test_bad_token_forms_keep_what_was_typed(client, owner, center, make_user):
    client.force_login(owner)
    page = client.post("/account/tokens/", {"step": "create", "name": "x",
                                            "center": center.pk, "expires": "2001-01-01"})
    assert page.status_code == 400 and "expiry is in the past" in page.content.decode()
    assert 'value="x"' in page.content.decode()
    other = client.post("/account/tokens/", {"step": "create", "name": "y", "center": 99999})
    assert other.status_code == 400 and not ApiToken.objects.exists()
    # Someone else's token cannot be revoked from here.
    stranger = make_user("s@else.com")
    client.force_login(stranger)
    assert client.post("/account/tokens/", {"step": "revoke", "token": 1}).status_code == 404
    assert client.post("/account/tokens/", {"step": "revoke", "token": 1,
                                            "confirmed": "1"}).status_code == 404
