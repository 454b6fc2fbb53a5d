"""Behind a reverse proxy: the client's address is the one the proxy wrote last in
X-Forwarded-For, and only when BIZCENTER_BEHIND_PROXY says a proxy is there; a client
talking straight to the app cannot pick its address with the header."""

from __future__ import annotations

import pytest
from django.test import Client

from bizcenter.audit.models import AuditEvent
from bizcenter.centers.models import BusinessCenter
from tests.conftest import PASSWORD

PROXY = "10.0.0.5"


def sign_up(client: Client, n: int, forwarded: str) -> int:
    answer = client.post("/signup/", {"email": f"new{n}@x.com", "password": PASSWORD},
                         headers={"X-Forwarded-For": forwarded})
    client.post("/logout/")
    return answer.status_code


@pytest.mark.usefixtures("quick_hashing", "one_rate_window")
def test_behind_a_proxy_each_client_has_its_own_network_limit(settings, db):
    settings.BIZCENTER_BEHIND_PROXY = True
    settings.BIZCENTER_SIGNUP_RATE = 1
    proxy = Client(REMOTE_ADDR=PROXY)
    assert sign_up(proxy, 0, "203.0.113.50") == 302
    assert sign_up(proxy, 1, "203.0.113.50") == 429
    # Another client through the same proxy is not held back by the first one.
    assert sign_up(proxy, 2, "198.51.100.9") == 302
    # Addresses the client put before the proxy's entry change nothing.
    assert sign_up(proxy, 3, "198.51.100.77, 203.0.113.50") == 429


@pytest.mark.usefixtures("quick_hashing", "one_rate_window")
def test_the_activity_log_records_the_client_not_the_proxy(settings, owner, client):
    settings.BIZCENTER_BEHIND_PROXY = True
    client.force_login(owner)
    client.post("/centers/new/", {"name": "Via proxy", "timezone": "UTC", "currency": "USD"},
                REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": "spoofed, 2001:db8::7"})
    made = BusinessCenter.objects.get(name="Via proxy")
    event = AuditEvent.objects.get(center=made, action="center.created")
    assert event.ip == "2001:db8::7"


@pytest.mark.usefixtures("quick_hashing", "one_rate_window")
def test_without_a_proxy_the_header_is_ignored(settings, db):
    settings.BIZCENTER_BEHIND_PROXY = False
    settings.BIZCENTER_SIGNUP_RATE = 1
    direct = Client(REMOTE_ADDR="203.0.113.50")
    assert sign_up(direct, 0, "198.51.100.1") == 302
    assert sign_up(direct, 1, "198.51.100.2") == 429  # the header does not dodge it
    garbage = Client(REMOTE_ADDR="203.0.113.60")
    settings.BIZCENTER_BEHIND_PROXY = True
    assert sign_up(garbage, 2, "not-an-address") == 302  # falls back to the connection
    assert sign_up(garbage, 3, "") == 429
