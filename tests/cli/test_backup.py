"""``bizcenter backup`` and ``bizcenter restore`` as an operator runs them: real
processes on a throwaway data folder (SQLite, always) or a scratch PostgreSQL
database (when the tests run on PostgreSQL), compared table by table."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

pytestmark = pytest.mark.slow
# The SQLite tests work on their own files whatever the suite's database is; they
# run with the SQLite suite only, so CI does not run them twice.
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite",
                               reason="SQLite backups are tested in the SQLite suite")

ROOT = Path(__file__).resolve().parents[2]
SEED = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from bizcenter.demo import seed
seed()
"""
# Something a person would notice: a new invitation, a revoked member, a renamed center.
CHANGE = """
import django
django.setup()
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import revoke_member
from bizcenter.core.actor import Actor
from bizcenter.invitations.services import invite
from bizcenter.accounts.models import User
center = BusinessCenter.objects.get(name="Demo Brand")
owner = User.objects.get(email="admin@demo-brand.example")
me = Actor(owner, via="test")
invite(me, center, ["after.backup@agency.example"])
lee = Membership.objects.get(center=center, user__email="lee@creator.example")
revoke_member(me, center, lee.pk)
BusinessCenter.objects.filter(pk=center.pk).update(name="Renamed after the backup")
"""


def bizcenter(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bizcenter", *args], env=env, cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=120, check=False)


def python(env: dict[str, str], code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def sqlite_env(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BIZCENTER_URL", "BIZCENTER_TOKEN", "SECRET_KEY")}
    return {**env, "BIZCENTER_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "bizcenter.settings"}


def sqlite_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, in primary-key order."""
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                          "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {n: db.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall()  # noqa: S608
                for n in names}
    finally:
        db.close()


def assert_same(expected: dict[str, list], got: dict[str, list]) -> None:
    assert sorted(got) == sorted(expected)
    for table, rows in expected.items():
        assert len(got[table]) == len(rows), f"{table}: {len(got[table])} rows, not {len(rows)}"
        assert got[table] == rows, f"{table} differs"


@pytest.fixture(scope="module")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo seeded once; each test gets its own copy."""
    data = tmp_path_factory.mktemp("demo") / "data"
    python(sqlite_env(data), SEED)
    return data


@pytest.fixture
def seeded(demo_sqlite: Path, tmp_path: Path) -> tuple[dict[str, str], Path]:
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret_key").write_text((demo_sqlite / "secret_key").read_text())
    source = sqlite3.connect(demo_sqlite / "bizcenter.sqlite3")
    copy = sqlite3.connect(data / "bizcenter.sqlite3")
    source.backup(copy)
    copy.close()
    source.close()
    return sqlite_env(data), data / "bizcenter.sqlite3"


@on_sqlite
def test_sqlite_backup_change_restore_gives_back_every_row(seeded, tmp_path):
    env, live = seeded
    before = sqlite_tables(live)
    assert sum(map(len, before.values())) > 100  # the demo fills many tables

    made = bizcenter(env, "backup", str(tmp_path / "monday.sqlite3"))
    assert made.returncode == 0, made.stderr
    assert "Backed up the SQLite database" in made.stdout and "secret_key" in made.stdout
    backup = tmp_path / "monday.sqlite3"
    assert backup.stat().st_mode & 0o077 == 0  # password hashes: the owner's eyes only
    assert not list(tmp_path.glob("monday.sqlite3-*"))  # one self-contained file
    assert_same(before, sqlite_tables(backup))

    python(env, CHANGE)
    changed = sqlite_tables(live)
    assert changed != before

    done = bizcenter(env, "restore", str(backup), "--yes")
    assert done.returncode == 0, done.stderr
    assert "Restart bizcenter serve" in done.stdout
    assert_same(before, sqlite_tables(live))
    [aside] = live.parent.glob("bizcenter.sqlite3.before-restore-*")
    assert_same(changed, sqlite_tables(aside))
    # The product reads it: the center's old name, the revoked member back.
    listed = bizcenter(env, "members", "list", "1", "--json", "--as", "admin@demo-brand.example")
    assert listed.returncode == 0, listed.stderr
    assert "lee@creator.example" in listed.stdout
    centers = bizcenter(env, "centers", "list", "--json", "--as", "admin@demo-brand.example")
    assert "Demo Brand" in centers.stdout and "Renamed" not in centers.stdout


@on_sqlite
def test_restore_asks_first_and_no_changes_nothing(seeded, tmp_path):
    env, live = seeded
    assert bizcenter(env, "backup", str(tmp_path / "b.sqlite3")).returncode == 0
    python(env, CHANGE)
    changed = sqlite_tables(live)
    done = bizcenter(env, "restore", str(tmp_path / "b.sqlite3"), stdin="n\n")
    assert done.returncode == 1
    assert "Replace the database" in done.stdout and "7 people, 2 Business Centers" in done.stdout
    assert sqlite_tables(live) == changed
    assert not list(live.parent.glob("*.before-restore-*"))


@on_sqlite
def test_a_backup_taken_while_writes_go_on_holds_whole_transactions(seeded, tmp_path):
    env, live = seeded
    writer = sqlite3.connect(live, timeout=20, check_same_thread=False)
    writer.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, pair INTEGER)")
    writer.commit()
    stop = threading.Event()

    def write_pairs() -> None:
        pair = 0
        while not stop.is_set():
            pair += 1
            with writer:  # two rows per transaction
                writer.executemany("INSERT INTO probe (pair) VALUES (?)", [(pair,), (pair,)])

    thread = threading.Thread(target=write_pairs, daemon=True)
    thread.start()
    try:
        made = [bizcenter(env, "backup", str(tmp_path / f"hot{i}.sqlite3")) for i in range(3)]
    finally:
        stop.set()
        thread.join(timeout=10)
        writer.close()
    assert all(m.returncode == 0 for m in made), [m.stderr for m in made]
    for i in range(3):
        rows = sqlite_tables(tmp_path / f"hot{i}.sqlite3")["probe"]
        assert rows and len(rows) % 2 == 0, f"backup {i} caught half a transaction"
        db = sqlite3.connect(tmp_path / f"hot{i}.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()


@on_sqlite
def test_backup_and_restore_refuse_bad_paths_and_files(seeded, tmp_path):
    env, live = seeded
    kept = sqlite_tables(live)
    (tmp_path / "taken").write_text("mine")

    def error_of(*args: str) -> str:
        done = bizcenter(env, *args)
        assert done.returncode == 1, done
        [line] = done.stderr.strip().splitlines()
        assert line.startswith("error: ")
        return line

    assert "already exists" in error_of("backup", str(tmp_path / "taken"))
    assert (tmp_path / "taken").read_text() == "mine"
    assert "no folder" in error_of("backup", str(tmp_path / "nowhere" / "b.sqlite3"))
    assert "no file" in error_of("restore", str(tmp_path / "missing.sqlite3"), "--yes")
    assert "not a SQLite database" in error_of("restore", str(tmp_path / "taken"), "--yes")
    (tmp_path / "dump").write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))
    assert "PostgreSQL dump" in error_of("restore", str(tmp_path / "dump"), "--yes")

    other = sqlite3.connect(tmp_path / "other.sqlite3")
    other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    other.commit()
    other.close()
    assert "not a bizcenter database" in error_of("restore", str(tmp_path / "other.sqlite3"),
                                                  "--yes")

    assert bizcenter(env, "backup", str(tmp_path / "future.sqlite3")).returncode == 0
    future = sqlite3.connect(tmp_path / "future.sqlite3")
    future.execute("INSERT INTO django_migrations (app, name, applied) "
                   "VALUES ('centers', '9999_from_the_future', '2030-01-01')")
    future.commit()
    future.close()
    assert "newer bizcenter" in error_of("restore", str(tmp_path / "future.sqlite3"), "--yes")

    remote = {**env, "BIZCENTER_URL": "https://bizcenter.example.com", "BIZCENTER_TOKEN": "bzc_x"}
    for command in ("backup", "restore"):
        done = bizcenter(remote, command, str(tmp_path / "x.sqlite3"))
        assert done.returncode == 1 and "runs on the server itself" in done.stderr
    assert sqlite_tables(live) == kept  # nothing refused touched the database
    assert not list(tmp_path.glob("*.partial"))


@on_sqlite
def test_sqlite_backup_and_restore_while_the_server_runs(seeded, tmp_path):
    """The online backup API works under SQLite's locks beside a serving gunicorn
    (its workers keep their connections open); the server keeps answering."""
    from tests.support.servers import free_port, wait_for

    env, live = seeded
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bizcenter", "serve", "--port", str(port), "--workers", "2",
         "--no-background"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        health = f"http://127.0.0.1:{port}/healthz"
        assert wait_for(health)["status"] == "ok"
        before = sqlite_tables(live)
        assert bizcenter(env, "backup", str(tmp_path / "hot.sqlite3")).returncode == 0
        python(env, CHANGE)
        assert wait_for(health)["status"] == "ok"
        done = bizcenter(env, "restore", str(tmp_path / "hot.sqlite3"), "--yes")
        assert done.returncode == 0, done.stderr
        assert wait_for(health)["status"] == "ok"
        assert_same(before, sqlite_tables(live))
        db = sqlite3.connect(live)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# -- PostgreSQL ------------------------------------------------------------------------

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")


def pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}"
                                              if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
        admin.execute(sql)  # type: ignore[arg-type]


def pg_tables(name: str) -> dict[str, list[tuple[Any, ...]]]:
    import psycopg

    with psycopg.connect(pg_url(name)) as db:
        names = [r[0] for r in db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        return {n: db.execute(f'SELECT * FROM "{n}" ORDER BY 1')  # type: ignore[arg-type]  # noqa: S608
                .fetchall() for n in names}


@pytest.fixture
def scratch_pg(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    """An empty database of its own (named after this test run's, so parallel runs
    differ), dropped at the end."""
    name = f"{connection.settings_dict['NAME']}_backup"[:63]
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"')
    env = {**sqlite_env(tmp_path / "data"), "DATABASE_URL": pg_url(name)}
    try:
        yield env, name
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@on_postgres
def test_postgres_backup_change_restore_gives_back_every_row(scratch_pg, tmp_path):
    env, name = scratch_pg
    python(env, SEED)
    before = pg_tables(name)
    made = bizcenter(env, "backup", str(tmp_path / "monday.dump"))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "monday.dump").read_bytes().startswith(b"PGDMP")

    python(env, CHANGE)
    changed = pg_tables(name)
    assert changed != before

    done = bizcenter(env, "restore", str(tmp_path / "monday.dump"), "--yes")
    assert done.returncode == 0, done.stderr
    assert_same(before, pg_tables(name))
    [aside] = (tmp_path / "data").glob(f"{name}.before-restore-*.dump")
    assert aside.read_bytes().startswith(b"PGDMP")
    listed = bizcenter(env, "members", "list", "1", "--json", "--as", "admin@demo-brand.example")
    assert listed.returncode == 0 and "lee@creator.example" in listed.stdout

    # A SQLite file is not restored into PostgreSQL, and nothing changes.
    (tmp_path / "b.sqlite3").write_bytes(b"SQLite format 3\x00" + bytes(100))
    wrong = bizcenter(env, "restore", str(tmp_path / "b.sqlite3"), "--yes")
    assert wrong.returncode == 1 and wrong.stderr.startswith("error: ")
    assert "SQLite backup" in wrong.stderr
    assert_same(before, pg_tables(name))


@pytest.mark.postgres
@on_postgres
def test_postgres_backup_says_what_is_wrong_with_the_client_tools(scratch_pg, tmp_path):
    env, _ = scratch_pg
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    old = bin_dir / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)

    too_old = bizcenter({**env, "PATH": str(bin_dir)}, "backup", str(tmp_path / "a.dump"))
    assert too_old.returncode == 1
    assert too_old.stderr.startswith("error: pg_dump is version 9 but the server runs "
                                     "PostgreSQL ")
    old.unlink()
    missing = bizcenter({**env, "PATH": str(bin_dir)}, "backup", str(tmp_path / "a.dump"))
    assert missing.returncode == 1
    assert "pg_dump was not found on PATH" in missing.stderr
    assert not list(tmp_path.glob("a.dump*"))
