"""The ``bizcenter`` command: run the server, and manage people from a shell.

Every command parses its arguments, calls the REST API and prints the result (a
table, or JSON with ``--json``): on this installation the API is called in-process,
with no socket and no token, as ``--as`` or the operator; with ``--url`` and
``--token`` (or ``BIZCENTER_URL`` and ``BIZCENTER_TOKEN``) the same calls go to a
remote server over HTTP and touch nothing local. Errors end the command with one line
on stderr and a non-zero exit code.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from bizcenter.cli import (
    access,
    activity,
    backup,
    billing,
    campaigns,
    centers,
    groups,
    invitations,
    members,
    notifications,
    partners,
    people,
    reports,
    serve,
)

app = typer.Typer(
    name="bizcenter",
    help="A self-hostable Business Center: invite partners and give each exactly the access "
    "they need.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# These set the data folder from their own options before Django starts.
STARTS_DJANGO_ITSELF = {"serve", "worker", "migrate", "backup", "restore"}


@app.callback()
def _start(
    ctx: typer.Context,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            envvar="BIZCENTER_URL",
            help="Work on a remote bizcenter server through its API, e.g. "
            "https://bizcenter.example.com (nothing local is touched).",
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="BIZCENTER_TOKEN",
            help="API token (bzc_...) for --url; it decides who acts and in which "
            "Business Center.",
        ),
    ] = None,
) -> None:
    if ctx.resilient_parsing:
        return
    from bizcenter.cli.common import fail, use_server

    given = getattr(ctx.get_parameter_source("token"), "name", "")
    if token and not url and given == "COMMANDLINE":  # a token in the environment is fine
        fail("--token goes with --url (or BIZCENTER_URL): the address of the server.")
    use_server(url, token)
    if not url and ctx.invoked_subcommand not in STARTS_DJANGO_ITSELF:
        from bizcenter.cli.common import setup

        setup()


serve.register(app)
people.register(app)
invitations.register(app)
access.register(app)
backup.register(app)
app.add_typer(centers.app, name="centers")
app.add_typer(invitations.app, name="invitations")
app.add_typer(members.app, name="members")
app.add_typer(activity.app, name="activity")
app.add_typer(access.app, name="assets")
app.add_typer(partners.app, name="partners")
reports.register(app)
app.add_typer(groups.app, name="groups")
app.add_typer(campaigns.app, name="campaigns")
app.add_typer(campaigns.requests_app, name="requests")
app.add_typer(billing.app, name="billing")
app.add_typer(notifications.app, name="notifications")
app.add_typer(reports.metrics_app, name="metrics")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; tests pass ``argv`` and read the SystemExit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizcenter.settings")
    from django.db import DatabaseError

    from bizcenter.core.errors import ServiceError  # also what the API client raises

    try:
        app(args=argv, prog_name="bizcenter")
    except ServiceError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    except DatabaseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        typer.echo(f"error: database: {first}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("BIZCENTER_DEBUG"):
            raise
        typer.echo(
            f"error: unexpected {type(exc).__name__}: {exc} (set BIZCENTER_DEBUG=1 for "
            "the traceback)",
            err=True,
        )
        sys.exit(2)
