"""``bizcenter serve`` and ``bizcenter worker``: run the product."""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bizcenter.cli.common import local_only


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("migrate")(migrate)


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="BIZCENTER_DATA_DIR",
        help="Folder for the SQLite database, secret key and file outbox [default: ./.bizcenter].",
    ),
]


def _use_data_dir(data_dir: Path | None) -> None:
    # Settings read this at import, so it must be set before Django starts.
    if data_dir is not None:
        os.environ["BIZCENTER_DATA_DIR"] = str(data_dir)


def _private_data_dir() -> None:
    """Make the data folder the owner's only, at every start: settings set the umask
    that keeps new files private, and this fixes the modes of what an older version
    (or a copy made under umask 022) left readable: the database, its WAL, the secret
    key and the outbox's links (core/private.py)."""
    from django.conf import settings

    from bizcenter.core.private import tighten

    tighten(settings.DATA_DIR)


def migrate(data_dir: DataDir = None) -> None:
    """Create or update the database schema (serve does this itself)."""
    local_only("migrate", "it changes the server's own database.")
    _use_data_dir(data_dir)
    from bizcenter.cli.common import setup

    setup()
    _private_data_dir()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    call_command("createcachetable", verbosity=1)  # the shared rate-limit counters


# Threads per worker process. A slow client (headers sent a byte at a time) holds the
# thread reading it: gunicorn's gthread worker parks a connection that sends nothing
# for 5 s without a thread and closes it after `keepalive`, but it cannot bound a
# header read that has started. With sync workers one such client per process stopped
# the server; here it takes workers x THREADS of them (bench/slow_clients.py), while
# the threads cost nothing until used. Each thread that has served a request keeps its
# own database connection (CONN_MAX_AGE), so this is also the most connections one
# process opens under full load.
THREADS = 32


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="HTTP worker processes [default: 2 per CPU, at most 8].")
    ] = 0,
    threads: Annotated[
        int, typer.Option(min=1, max=256, help="Threads per worker process; each may hold "
                          "one database connection (keep workers x threads under "
                          "PostgreSQL's max_connections).")
    ] = THREADS,
    demo: Annotated[
        bool, typer.Option("--demo", help="Also create a demo Business Center to explore.")
    ] = False,
    background: Annotated[
        bool, typer.Option(help="Run the background worker that sends email and SMS.")
    ] = True,
    data_dir: DataDir = None,
) -> None:
    """Set up the database and serve the product with gunicorn."""
    local_only("serve", "it starts the server.")
    _use_data_dir(data_dir)
    count = workers or min(8, 2 * (os.cpu_count() or 1))
    if count > 1 and not os.environ.get("REDIS_URL"):
        # Several processes and no Redis: rate limits count in a database table they all
        # share (core/cache.py), or each process would allow the whole limit on its own.
        os.environ["BIZCENTER_SHARED_COUNTERS"] = "1"
    if not os.environ.get("BIZCENTER_BASE_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        os.environ["BIZCENTER_BASE_URL"] = f"http://{shown}:{port}"
    from bizcenter.cli.common import setup

    setup()
    _private_data_dir()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the shared rate-limit counters
    database = (
        str(settings.DATABASES["default"]["NAME"])
        if connection.vendor == "sqlite"
        else f"{connection.vendor} {settings.DATABASES['default'].get('HOST', '')}"
    )
    typer.echo(f"bizcenter: database {database}")
    if demo:
        from bizcenter.demo import seed

        typer.echo(seed().instructions(settings.BIZCENTER_BASE_URL))
    connection.close()  # never share a connection with forked workers

    worker_process = None
    if background:
        worker_process = subprocess.Popen(
            [sys.executable, "-m", "bizcenter", "worker"], env=os.environ.copy()
        )
    typer.echo(
        f"bizcenter: serving on http://{host}:{port} with {count} workers "
        f"of {threads} threads "
        f"(outbox files in {settings.DATA_DIR / 'outbox'} unless SMTP is set)"
    )
    warning = exposed_warning(host, behind_proxy=bool(settings.BIZCENTER_BEHIND_PROXY))
    if warning:
        typer.echo(warning, err=True)
    try:
        _gunicorn(host, port, count, threads)
    finally:
        if worker_process is not None:
            worker_process.send_signal(signal.SIGTERM)
            try:
                worker_process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker_process.kill()


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: only this machine can connect."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any interface


def exposed_warning(host: str, *, behind_proxy: bool) -> str | None:
    """What ``serve`` says, once at start, when it listens where others can reach it
    and no reverse proxy is declared (None when there is nothing to say)."""
    if behind_proxy or is_loopback(host):
        return None
    return (
        f"bizcenter: WARNING: listening on {host}, reachable from other machines, "
        "without BIZCENTER_BEHIND_PROXY. gunicorn alone is not built to face the "
        "internet (slow or trickling clients, TLS, request buffering). Put a reverse "
        "proxy such as nginx in front of it, bind serve to 127.0.0.1, and set "
        "BIZCENTER_BEHIND_PROXY=1 (docs/DEPLOY.md)."
    )




def gunicorn_options(host: str, port: int, workers: int, threads: int = THREADS
                     ) -> dict[str, Any]:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        # Threads, so that a slow client holds one thread and not the process (see
        # THREADS); idle kept-alive connections are closed after 2 s.
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": 2,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-" if os.environ.get("BIZCENTER_ACCESS_LOG") else None,
        "errorlog": "-",
        "loglevel": "warning",
    }


def _gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in gunicorn_options(host, port, workers, threads).items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from bizcenter.wsgi import application

            return application

    Server().run()


def worker(
    interval: Annotated[float, typer.Option(help="Seconds between polls when idle.")] = 1.0,
    batch: Annotated[bool, typer.Option("--batch", help="Run what is due, then exit.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Deliver outgoing email and SMS (and other background tasks), with retries."""
    local_only("worker", "it runs beside the server, on its database.")
    _use_data_dir(data_dir)
    from bizcenter.cli.common import setup

    setup()
    _private_data_dir()
    from django.core.management import call_command

    from bizcenter.invitations import recovery as imports
    from bizcenter.outbox import recovery as messages

    # Pick up what a killed worker left half-done, and look again every few minutes.
    messages.at_start()
    imports.at_start()
    from bizcenter.access import reminders
    from bizcenter.accounts import tasks as accounts
    from bizcenter.api import tasks as api
    from bizcenter.billing import tasks as billing

    reminders.schedule()
    accounts.schedule()
    api.schedule()  # forget Idempotency-Key answers older than a day
    billing.schedule()  # resume campaigns a spending limit paused, when a month begins
    call_command(
        "db_worker",
        interval=interval,
        batch=batch,
        startup_delay=not batch,
        reload=False,
        verbosity=0,
    )
