"""``bizcenter serve`` as an operator runs it: a real gunicorn and worker on a free port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.servers import free_port, wait_for

pytestmark = pytest.mark.slow


def test_serve_demo_on_embedded_sqlite(tmp_path: Path):
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BIZCENTER_DATA_DIR")}
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--demo", "--port", str(port),
         "--workers", "2", "--data-dir", str(data)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz")
        assert health == {"status": "ok", "database": "sqlite", "down": []}
        assert (data / "bizcenter.sqlite3").exists()
        assert (data / "secret_key").exists()
        # The worker started beside gunicorn delivers the demo's pending invitations.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            emails = list((data / "outbox" / "email").glob("*"))
            texts = list((data / "outbox" / "sms").glob("*.json"))
            if len(emails) >= 2 and texts:
                break
            time.sleep(0.3)
        assert len(emails) >= 2 and texts, "the background worker did not deliver the demo invites"
        assert "/invite/" in texts[0].read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert "Log in at" in output and "admin@demo-brand.example" in output
    assert f"serving on http://127.0.0.1:{port}" in output
