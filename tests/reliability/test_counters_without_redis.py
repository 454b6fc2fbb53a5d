"""Rate limits never stop counting: with Redis down they count in the database, said
once in the log and by /healthz; with several processes and no Redis, `serve` makes
them all count in one shared table, so a limit is not multiplied by the processes."""

from __future__ import annotations

import http.cookiejar
import logging
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command

from tests.support.servers import free_port, wait_for

WRONG = {"username": "owner@brand.com", "password": "not-the-password"}


@pytest.fixture
def redis_down(settings, monkeypatch):
    """REDIS_URL at a port nothing listens on; the machine's own Redis is left alone."""
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("REDIS_URL", nowhere)
    settings.CACHES = {
        "default": {"BACKEND": "bizcenter.core.cache.Redis", "LOCATION": nowhere,
                    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}},
        "counters": {"BACKEND": "bizcenter.core.cache.SharedDatabase",
                     "LOCATION": "bizcenter_counters"},
    }
    call_command("createcachetable", verbosity=0)
    from bizcenter.core import cache

    monkeypatch.setattr(cache, "redis_down_since", None)
    yield
    caches["counters"].clear()


def test_with_redis_down_log_in_still_limits_and_health_says_degraded(
        client, owner, redis_down, caplog):
    with caplog.at_level(logging.ERROR, logger="bizcenter.cache"):
        answers = [client.post("/login/", WRONG).status_code for _ in range(11)]
    # Ten wrong passwords are checked; the eleventh is refused, not a 500.
    assert answers[:10] == [200] * 10 and answers[10] == 429
    said = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(said) == 1  # said once, not on every request
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["down"] == ["redis"]
    assert health.json()["rate_limits"] == "database"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_with_redis_down_the_api_answers_json(client, owner, center, redis_down):
    from bizcenter.accounts.tokens import create_token
    from tests.conftest import act

    secret = create_token(act(owner), center, "ci").secret
    answer = client.get(f"/api/v1/centers/{center.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 200 and answer.json()["name"] == "Brand Co"


def test_without_redis_health_is_ok_and_names_no_redis(client, db):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["down"] == [] and "redis" not in body


def _log_in_form(opener: urllib.request.OpenerDirector, base: str) -> str:
    with opener.open(f"{base}/login/", timeout=5) as page:
        html = page.read().decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token on the log-in page"
    return found.group(1)


@pytest.mark.slow
def test_four_workers_without_redis_refuse_the_eleventh_wrong_password(tmp_path: Path):
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BIZCENTER_DATA_DIR", "REDIS_URL",
                        "BIZCENTER_SHARED_COUNTERS")}
    subprocess.run([sys.executable, "-m", "bizcenter", "migrate", "--data-dir", str(data)],
                   env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "bizcenter", "create-user", "--email",
                    "owner@brand.com", "--password", "a-long-passphrase-2026"],
                   env={**env, "BIZCENTER_DATA_DIR": str(data)}, check=True,
                   capture_output=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--port", str(port), "--workers", "4",
         "--no-background", "--data-dir", str(data)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz")
        statuses = []
        for _ in range(11):
            # A new connection each time, as a script would: any of the four may answer.
            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            token = _log_in_form(opener, base)
            body = urllib.parse.urlencode({**WRONG, "csrfmiddlewaretoken": token}).encode()
            try:
                with opener.open(f"{base}/login/", data=body, timeout=5) as answer:
                    statuses.append(answer.status)
            except urllib.error.HTTPError as refused:
                statuses.append(refused.code)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429, statuses
