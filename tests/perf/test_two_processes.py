"""The production shape: two app processes on two ports, one PostgreSQL (and Redis).

Two real ``bizcenter serve`` processes (gunicorn) run against the test database,
as docs/DEPLOY.md sets them up. A member is revoked through one; the very next
request of that member's token through the other is refused, although the other
had just answered it and holds its compiled access in memory: every process
reads the Business Center's access version once per request.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import act, join, local_redis
from tests.support.api import api_for
from tests.support.servers import call, free_port, stop, wait_until_up

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="two app processes share one PostgreSQL (run with "
                              "DATABASE_URL=postgres://...)"),
]


def url_of_test_database() -> str:
    db = connection.settings_dict
    who = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        who += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{who}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def served(data_dir: Path, *, background: bool) -> Iterator[int]:
    """``bizcenter serve`` on a free port, on the test database; stopped on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DEBUG")}
    env.update(DATABASE_URL=url_of_test_database(), BIZCENTER_DATA_DIR=str(data_dir),
               SECRET_KEY=settings.SECRET_KEY)
    if url := local_redis(15):
        env["REDIS_URL"] = url
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--port", str(port), "--workers", "1",
         *([] if background else ["--no-background"])],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        wait_until_up(server, port)
        yield port
    finally:
        stop(server)


def test_revoke_through_one_process_is_refused_by_the_other_on_the_next_request(
        tmp_path, owner, center, make_user, quick_hashing):
    ana = make_user("ana@agency.com", name="Ana")
    member = join(act(owner), center, ana, modules=("ANALYTICS",))
    admin_token = api_for(owner, center).headers["Authorization"].split()[1]
    ana_token = api_for(ana, center).headers["Authorization"].split()[1]
    here = f"/centers/{center.pk}"

    with served(tmp_path / "one", background=True) as one, \
            served(tmp_path / "two", background=False) as two:
        # Both processes answer Ana, and the second now holds her access compiled.
        for port in (one, two):
            status, body = call(port, "GET", f"{here}/access/check?action=report.view", ana_token)
            assert status == 200 and body["allowed"] is True, body
        # Her access, narrowed through one: the other answers by it on the next request.
        status, _ = call(one, "PATCH", f"{here}/members/{member.pk}", admin_token,
                         {"modules": []})
        assert status == 200
        status, body = call(two, "GET", f"{here}/access/check?action=report.view", ana_token)
        assert status == 200 and body["allowed"] is False, body
        status, _ = call(one, "DELETE", f"{here}/members/{member.pk}", admin_token)
        assert status == 200
        # The very next request through the other process is refused.
        status, body = call(two, "GET", f"{here}/access/check?action=report.view", ana_token)
        assert status in (401, 403, 404), (status, body)
        status, _ = call(two, "GET", here, ana_token)
        assert status in (401, 403, 404)
        # The Admin, through either process, still gets in and sees the revoke.
        for port in (one, two):
            status, body = call(port, "GET", f"{here}/members/{member.pk}", admin_token)
            assert status == 200 and body["state"] == "REVOKED", body
