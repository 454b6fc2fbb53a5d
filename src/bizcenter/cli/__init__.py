"""The ``bizcenter`` command: run the server, and manage people from a shell.

Every command parses its arguments, calls one service and prints the result
(a table, or JSON with ``--json``). Errors end the command with one line on
stderr and a non-zero exit code.
"""

from __future__ import annotations

import os
import sys

import typer

from bizcenter.cli import (
    access,
    activity,
    centers,
    invitations,
    members,
    partners,
    people,
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
STARTS_DJANGO_ITSELF = {"serve", "worker", "migrate"}


@app.callback()
def _start(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand not in STARTS_DJANGO_ITSELF and not ctx.resilient_parsing:
        from bizcenter.cli.common import setup

        setup()


serve.register(app)
people.register(app)
invitations.register(app)
access.register(app)
app.add_typer(centers.app, name="centers")
app.add_typer(invitations.app, name="invitations")
app.add_typer(members.app, name="members")
app.add_typer(activity.app, name="activity")
app.add_typer(access.app, name="assets")
app.add_typer(partners.app, name="partners")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; tests pass ``argv`` and read the SystemExit code."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizcenter.settings")
    from django.db import DatabaseError

    from bizcenter.core.errors import ServiceError

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
