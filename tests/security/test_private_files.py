"""The data folder is the owner's alone: 0700, and 0600 for the SQLite database, its
-wal and -shm files, the secret key and the outbox's messages (working invitation and
reset links), whatever the umask of the shell that started the product."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bizcenter.core.private import tighten

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh process, as `bizcenter` itself is, while its database is open: SQLite
# removes the -wal and -shm files when the last connection closes.
WHILE_OPEN = """
import json, os, stat, sys
from pathlib import Path
import django
django.setup()
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from bizcenter.accounts.models import User
from bizcenter.outbox.sms import FileSmsBackend

User.objects.create(email="someone@agency.com")  # a write: the WAL has something in it
send_mail("Your invitation", "http://127.0.0.1:8000/i/a-working-link", None,
          ["someone@agency.com"])
data = Path(settings.DATA_DIR)
modes = {str(p.relative_to(data)): stat.S_IMODE(p.stat().st_mode)
         for p in [data, *data.rglob("*")]}
json.dump(modes, sys.stdout)
"""


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common umask, under which files are made readable by every local user; the
    processes started here inherit it."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def sqlite_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BIZCENTER_URL", "BIZCENTER_TOKEN", "SECRET_KEY",
                        "BIZCENTER_SECRET_KEY", "EMAIL_HOST", "EMAIL_BACKEND")}
    return {**env, "BIZCENTER_DATA_DIR": str(data),
            "DJANGO_SETTINGS_MODULE": "bizcenter.settings"}


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_new_data_folder_and_everything_in_it_is_private_under_umask_022(tmp_path,
                                                                          umask_022):
    data = tmp_path / "data"
    env = sqlite_env(data)
    run(env, "-m", "bizcenter", "migrate", "--data-dir", str(data))
    modes = json.loads(run(env, "-c", WHILE_OPEN))
    for name in ("bizcenter.sqlite3", "bizcenter.sqlite3-wal", "bizcenter.sqlite3-shm",
                 "secret_key"):
        assert modes[name] == 0o600, (name, oct(modes[name]))
    emails = [name for name in modes if name.startswith("outbox/email/")]
    assert emails and all(modes[name] == 0o600 for name in emails)
    folders = [name for name in modes if (data / name).is_dir()]
    assert {".", "outbox", "outbox/email"} <= set(folders)
    assert all(modes[name] == 0o700 for name in folders), {n: oct(modes[n]) for n in folders}
    assert all(mode & 0o077 == 0 for mode in modes.values())


def test_files_an_older_version_left_readable_are_made_private_at_start(tmp_path, umask_022):
    data = tmp_path / "data"
    env = sqlite_env(data)
    run(env, "-m", "bizcenter", "migrate", "--data-dir", str(data))
    sms = data / "outbox" / "sms"
    sms.mkdir(parents=True, mode=0o755)
    (sms / "old.json").write_text('{"to": "+14155550123", "body": "a reset link"}')
    for path in (data, sms, sms.parent, data / "secret_key", data / "bizcenter.sqlite3",
                 sms / "old.json"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    run(env, "-m", "bizcenter", "migrate", "--data-dir", str(data))  # serve and worker too
    for path in (data, sms, sms.parent):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    for path in (data / "secret_key", data / "bizcenter.sqlite3", sms / "old.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_tighten_leaves_links_and_what_is_already_private_alone(tmp_path):
    tmp_path.chmod(0o755)
    (tmp_path / "db").write_text("x")
    (tmp_path / "db").chmod(0o644)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.write_text("not ours")
    outside.chmod(0o644)
    (tmp_path / "link").symlink_to(outside)
    assert tighten(tmp_path) == 2  # the folder and db
    assert stat.S_IMODE((tmp_path / "db").stat().st_mode) == 0o600
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # a link is not followed
    assert tighten(tmp_path) == 0
    outside.unlink()
