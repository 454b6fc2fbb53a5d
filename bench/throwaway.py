"""Run a benchmark once per database, each in a fresh process on a throwaway database.

SQLite gets a temporary data folder; PostgreSQL (when DATABASE_URL is set) a
database created for the run on that server and dropped after it, so a
benchmark never touches anyone's data. The child prints its figures as one
JSON line, which the parent collects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent


def run_child(script: str, child_args: list[str], database_url: str | None) -> dict | None:
    with tempfile.TemporaryDirectory(prefix="bizcenter-bench-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
        env.update(DJANGO_SETTINGS_MODULE="bizcenter.settings", BIZCENTER_DATA_DIR=data_dir,
                   ALLOWED_HOSTS="testserver")
        if database_url:
            env["DATABASE_URL"] = database_url
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, script, "--child", *child_args],
            env=env, capture_output=True, text=True, check=False, cwd=ROOT,
        )
    if done.returncode != 0:
        print(f"  failed:\n{done.stderr.strip()[-3000:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_database(url: str, label: str) -> tuple[str, str, str] | None:
    """A fresh database on the server DATABASE_URL names, or None with a note."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        print("  PostgreSQL skipped: psycopg is not installed.", file=sys.stderr)
        return None
    name = f"bzc_bench_{label}_{os.getpid()}"
    parts = urlsplit(url)
    admin_url = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        print(f"  PostgreSQL skipped: {parts.hostname}:{parts.port or 5432} unreachable "
              f"({str(exc).strip()})", file=sys.stderr)
        return None
    return name, parts._replace(path=f"/{name}").geturl(), admin_url


# Where Debian's and the upstream PostgreSQL put the server's Unix socket.
SOCKET_DIRS = ("/var/run/postgresql", "/run/postgresql", "/tmp")  # noqa: S108 - read only


def over_unix_socket(url: str) -> str | None:
    """The same database through the server's Unix socket, when the URL names this
    machine over TCP and that server has one here; else None."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    port = parts.port or 5432
    for folder in SOCKET_DIRS:
        if Path(folder, f".s.PGSQL.{port}").exists():
            user = parts.netloc.rpartition("@")[0]
            host = f"{quote(folder, safe='')}:{port}"
            return parts._replace(netloc=f"{user}@{host}" if user else host).geturl()
    return None


def drop(name: str, admin_url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                     .format(sql.Identifier(name)))


def on_each_database(script: str, child_args: list[str], label: str, *,
                     skip_sqlite: bool = False) -> list[dict]:
    """The child's figures on SQLite, then on PostgreSQL when DATABASE_URL is set."""
    runs: list[dict] = []
    if not skip_sqlite:
        print("  SQLite ...", file=sys.stderr)
        if result := run_child(script, child_args, None):
            runs.append(result)
    if url := os.environ.get("DATABASE_URL"):
        if pg := postgres_database(url, label):
            name, bench_url, admin_url = pg
            print(f"  PostgreSQL ({name}) ...", file=sys.stderr)
            try:
                if result := run_child(script, child_args, bench_url):
                    runs.append(result)
            finally:
                drop(name, admin_url)
    elif skip_sqlite:
        sys.exit("--skip-sqlite needs DATABASE_URL")
    if not runs:
        sys.exit("no database could be measured")
    return runs
