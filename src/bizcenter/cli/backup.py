"""``bizcenter backup`` and ``bizcenter restore``: the operator's copy of the database.

SQLite is copied with SQLite's online backup API, page by page under SQLite's own
locks, so a backup taken while ``bizcenter serve`` writes is a consistent snapshot
(copying the file could catch half a transaction, or miss what still sits in the
WAL). A restore goes the same way in reverse, after copying the current database
aside. PostgreSQL goes through its own tools: ``pg_dump --format=custom`` and
``pg_restore --clean --if-exists`` in one transaction, so a restore that fails
changes nothing.

Both run on the server itself, never through ``--url``: they read and replace the
server's own database.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bizcenter.cli.common import YesOpt, confirm, fail, local_only
from bizcenter.cli.serve import DataDir, _use_data_dir

# Applied migrations of these apps make a database a bizcenter database.
OUR_APPS = ("accounts", "centers", "invitations")
# Tables a bizcenter PostgreSQL dump must hold.
OUR_TABLES = ("django_migrations", "accounts_user", "centers_businesscenter",
              "invitations_invitation")
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)


BackupPath = Annotated[Path, typer.Argument(help="The backup file.", show_default=False)]


def backup(path: BackupPath, data_dir: DataDir = None) -> None:
    """Copy the database to a file, safely while the server runs.

    SQLite: a consistent copy through SQLite's online backup API. PostgreSQL:
    pg_dump in its custom format (pg_dump must be on PATH, as new as the server).
    Keep the secret key (the data folder's secret_key, or SECRET_KEY) with it:
    invitation links and sessions are signed with it.
    """
    local_only("backup", "it copies the server's own database.")
    target = _prepare(data_dir, path)
    if target.exists():
        fail(f"{path} already exists; give a new file name (a backup never overwrites one).")
    if not target.parent.is_dir():
        fail(f"there is no folder {target.parent} to write {path.name} into.")
    from django.conf import settings

    db = settings.DATABASES["default"]
    if _vendor() == "sqlite":
        source = Path(db["NAME"])
        if not source.is_file():
            fail(f"there is no database at {source} to back up; check --data-dir "
                 "(or BIZCENTER_DATA_DIR).")
        _sqlite_copy(source, target)
        size = target.stat().st_size
    else:
        _pg_dump(db, target)
        size = target.stat().st_size
    typer.echo(f"Backed up {_describe(db)} to {target} ({size:,} bytes).")
    key = ("the SECRET_KEY setting" if os.environ.get("SECRET_KEY")
           or os.environ.get("BIZCENTER_SECRET_KEY") else str(settings.DATA_DIR / "secret_key"))
    typer.echo(f"Keep {key} with it: invitation links and sessions are signed with it.")


def restore(
    path: BackupPath,
    yes: YesOpt = False,
    data_dir: DataDir = None,
) -> None:
    """Replace the database with a backup made by ``bizcenter backup``.

    The current database is kept aside first (SQLite: a .before-restore file next
    to it; PostgreSQL: a dump in the data folder). Asks before replacing anything,
    unless --yes. Restart ``bizcenter serve`` afterwards.
    """
    local_only("restore", "it replaces the server's own database.")
    source = _prepare(data_dir, path)
    if not source.is_file():
        fail(f"there is no file {path} to restore.")
    from django.conf import settings

    db = settings.DATABASES["default"]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if _vendor() == "sqlite":
        live = Path(db["NAME"])
        summary = _check_sqlite_backup(source)
        aside = live.with_name(f"{live.name}.before-restore-{stamp}")
        kept = f"The current one is kept as {aside}." if live.is_file() else (
            "There is no database there yet.")
        confirm(yes, f"Replace the database {live} with {path} ({summary})? {kept}")
        if live.is_file():
            _sqlite_copy(live, aside)
        _sqlite_restore(source, live)
    else:
        _check_pg_dump(source)
        aside = settings.DATA_DIR / f"{db['NAME']}.before-restore-{stamp}.dump"
        confirm(yes, f"Replace every bizcenter table of {_describe(db)} with {path}? The "
                f"current data is dumped to {aside} first.")
        aside.parent.mkdir(parents=True, exist_ok=True)
        _pg_dump(db, aside)
        _pg_restore(db, source)
    typer.echo(f"Restored {_describe(db)} from {source}; the previous data is in {aside}.")
    typer.echo("Restart bizcenter serve and its workers now (serve also applies the "
               "migrations of a backup from an older version).")


# -- shared ------------------------------------------------------------------------


def _prepare(data_dir: Path | None, path: Path) -> Path:
    _use_data_dir(data_dir)
    from bizcenter.cli.common import setup

    setup()
    return path.expanduser().absolute()


def _vendor() -> str:
    from django.db import connection

    if connection.vendor not in ("sqlite", "postgresql"):
        fail(f"backup and restore know SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _describe(db: Mapping[str, Any]) -> str:
    if "sqlite" in db["ENGINE"]:
        return f"the SQLite database {db['NAME']}"
    return f"the PostgreSQL database {db['NAME']} on {db.get('HOST') or 'localhost'}"


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


# -- SQLite ------------------------------------------------------------------------


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy, readable by the owner only (it holds password hashes),
    written to a side file and renamed so a failed copy leaves nothing behind."""
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        src = sqlite3.connect(source, timeout=20)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            # One self-contained file: no -wal or -shm file needed to read it.
            dst.execute("PRAGMA journal_mode=DELETE")
            [[check]] = dst.execute("PRAGMA quick_check").fetchall()
            if check != "ok":
                fail(f"the copy of {source} failed its integrity check: {check}")
        finally:
            dst.close()
            src.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        fail(f"could not copy {source}: {exc}")
    finally:
        partial.unlink(missing_ok=True)


def _check_sqlite_backup(path: Path) -> str:
    """Refuse anything that is not a bizcenter SQLite database this version can run."""
    with path.open("rb") as handle:
        header = handle.read(16)
    if header.startswith(PG_DUMP_HEADER):
        fail(f"{path} is a PostgreSQL dump; restore it with DATABASE_URL set to the "
             "PostgreSQL database.")
    if header != SQLITE_HEADER:
        fail(f"{path} is not a SQLite database, so not a bizcenter backup.")
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            [[check]] = db.execute("PRAGMA quick_check").fetchall()
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master "
                                               "WHERE type = 'table'")}
            applied = (set(db.execute("SELECT app, name FROM django_migrations"))
                       if "django_migrations" in tables else set())
            people = centers = 0
            if {"accounts_user", "centers_businesscenter"} <= tables:
                [[people]] = db.execute("SELECT count(*) FROM accounts_user")
                [[centers]] = db.execute("SELECT count(*) FROM centers_businesscenter")
        finally:
            db.close()
    except sqlite3.Error as exc:
        fail(f"{path} cannot be read as a SQLite database: {exc}")
        raise  # unreachable
    if check != "ok":
        fail(f"{path} is damaged (SQLite integrity check: {check}).")
    missing = [app for app in OUR_APPS if not any(a == app for a, _ in applied)]
    if missing:
        fail(f"{path} is not a bizcenter database (no {', '.join(missing)} tables).")
    newer = sorted(f"{a}.{n}" for a, n in applied - _known_migrations()
                   if a in {app for app, _ in _known_migrations()})
    if newer:
        fail(f"{path} was made by a newer bizcenter (migrations {', '.join(newer[:3])} are "
             "unknown here); upgrade bizcenter first.")
    return f"{people} people, {centers} Business Centers"


def _sqlite_restore(source: Path, live: Path) -> None:
    """Write the backup into the live database through the backup API, under SQLite's
    locks: a running server waits for it rather than reading half a file."""
    live.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
        dst = sqlite3.connect(live, timeout=20)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        fail(f"could not restore into {live}: {exc}")


# -- PostgreSQL --------------------------------------------------------------------


def _pg_env(db: Mapping[str, Any]) -> dict[str, str]:
    """Connection settings for the client tools; the password goes in the environment,
    never on a command line other users can read."""
    env = os.environ.copy()
    for var, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")),
                       ("PGUSER", db.get("USER")), ("PGPASSWORD", db.get("PASSWORD")),
                       ("PGDATABASE", db.get("NAME")),
                       ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode"))):
        if value:
            env[var] = str(value)
    return env


def _pg_tool(name: str) -> str:
    """The client tool on PATH, refusing one older than the server (pg_dump would)."""
    found = shutil.which(name)
    if found is None:
        fail(f"{name} was not found on PATH; install the PostgreSQL client tools "
             "(e.g. apt-get install postgresql-client) of the server's version or newer.")
        raise AssertionError  # unreachable
    from django.db import connection

    connection.ensure_connection()
    server = connection.pg_version // 10000  # type: ignore[attr-defined]
    answer = subprocess.run([found, "--version"],  # noqa: S603  (the tool found on PATH)
                            capture_output=True, text=True, check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", answer.stdout)
    client = int(match.group(1)) if match else 0
    if client < server:
        fail(f"{name} is version {client or 'unknown'} but the server runs PostgreSQL "
             f"{server}; install postgresql-client-{server} (or newer) and put its {name} "
             "first on PATH.")
    return found


def _run_pg(args: list[str], db: Mapping[str, Any], what: str) -> str:
    from django.db import connection

    connection.close()  # hold no session of ours while the tool works
    # The arguments are the tool, fixed options and the operator's own paths; no shell.
    done = subprocess.run(args, capture_output=True, text=True,  # noqa: S603
                          env=_pg_env(db), check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        fail(f"{what} failed: {lines[0] if lines else f'exit code {done.returncode}'}")
    return done.stdout


def _pg_dump(db: Mapping[str, Any], target: Path) -> None:
    tool = _pg_tool("pg_dump")
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        _run_pg([tool, "--format=custom", "--no-owner", "--no-privileges",
                 f"--file={partial}", str(db["NAME"])], db, "pg_dump")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _check_pg_dump(path: Path) -> None:
    with path.open("rb") as handle:
        header = handle.read(16)
    if header == SQLITE_HEADER:
        fail(f"{path} is a SQLite backup; restore it without DATABASE_URL (on SQLite).")
    if not header.startswith(PG_DUMP_HEADER):
        fail(f"{path} is not a pg_dump file in custom format, so not a bizcenter backup.")
    from django.conf import settings

    listing = _run_pg([_pg_tool("pg_restore"), "--list", str(path)],
                      settings.DATABASES["default"], "pg_restore --list")
    missing = [t for t in OUR_TABLES
               if not re.search(rf"\bTABLE DATA \S+ {t}\b", listing)]
    if missing:
        fail(f"{path} is not a bizcenter backup (no {', '.join(missing)} table).")


def _pg_restore(db: Mapping[str, Any], source: Path) -> None:
    _run_pg([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
             "--no-privileges", "--single-transaction", "--exit-on-error",
             f"--dbname={db['NAME']}", str(source)], db, "pg_restore")
