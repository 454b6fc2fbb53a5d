"""On SQLite, app processes share one file. A revoke committed by any other process
is refused on the very next request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.support.servers import call, free_port, stop, wait_until_up

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file's own test"),
]

ROOT = Path(__file__).resolve().parents[2]

# Run in a process of its own on the data folder: what another app process (or the
# CLI) does to the shared file.
SEED = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bizcenter.accounts.services import create_user
from bizcenter.accounts.tokens import create_token
from bizcenter.centers.services import create_center
from bizcenter.core.actor import Actor
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant
system = Actor.system("test")
owner = create_user(system, email="owner@brand.com", password="a long passphrase 42")
ana = create_user(system, email="ana@agency.com", password="a long passphrase 42")
center = create_center(Actor(owner, via="test"), name="Brand Co")
[sent] = invitations.invite(Actor(owner, via="test"), center, ["ana@agency.com"],
                            Grant(modules=("ANALYTICS",)))
member = invitations.accept(Actor(ana, via="test"), sent.link.rstrip("/").rsplit("/", 1)[-1])
print(json.dumps({
    "center": center.pk, "member": member.pk,
    "admin": create_token(Actor(owner, via="test"), center, "admin").secret,
    "ana": create_token(Actor(ana, via="test"), center, "ana").secret,
    "ana2": create_token(Actor(ana, via="test"), center, "ana, second").secret,
}))
"""

REVOKE_TOKEN = """
import sys, django
django.setup()
from bizcenter.accounts.models import ApiToken
from bizcenter.accounts.tokens import revoke_token
from bizcenter.core.actor import Actor
token = ApiToken.objects.select_related("user").get(prefix=sys.argv[1])
revoke_token(Actor(token.user, via="test"), token.pk)
"""


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(BIZCENTER_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="bizcenter.settings")
    return env


def python(code: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def served(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--port", str(port), "--workers", "1",
         "--no-background"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)
    wait_until_up(server, port)
    return server, port


def test_a_revoke_committed_anywhere_is_refused_by_the_other_process_next(tmp_path):
    env = env_for(tmp_path)
    made = json.loads(python(SEED, env).strip().splitlines()[-1])
    here = f"/centers/{made['center']}"
    check = f"{here}/access/check?action=report.view"
    servers = [served(env), served(env)]
    try:
        (_, one), (_, two) = servers
        for port in (one, two):  # each process now holds Ana's token row in memory
            for _ in range(3):
                status, body = call(port, "GET", check, made["ana"])
                assert status == 200 and body["allowed"] is True, body

        # Her token, revoked by a third process (the CLI, say): refused at once by both.
        python(REVOKE_TOKEN, env, made["ana"].split("_")[1])
        for port in (one, two):
            status, body = call(port, "GET", check, made["ana"])
            assert status == 401 and body["error"]["code"] == "token_revoked", body

        # Her access, narrowed through one: the other answers by it on the next request.
        status, body = call(two, "GET", check, made["ana2"])
        assert status == 200 and body["allowed"] is True, body
        status, _ = call(one, "PATCH", f"{here}/members/{made['member']}", made["admin"],
                         {"modules": []})
        assert status == 200
        status, body = call(two, "GET", check, made["ana2"])
        assert status == 200 and body["allowed"] is False, body
        # Her membership, revoked through one: her other token dies with it, everywhere.
        status, _ = call(one, "DELETE", f"{here}/members/{made['member']}", made["admin"])
        assert status == 200
        status, body = call(two, "GET", check, made["ana2"])
        assert status == 401 and body["error"]["code"] == "token_revoked", (status, body)
    finally:
        for server, _ in servers:
            stop(server)
