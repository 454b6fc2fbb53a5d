"""Accounts and Business Centers: ``create-user`` and ``create-center``."""

from __future__ import annotations

from typing import Annotated

import typer

from bizcenter.cli.common import JsonOption, actor, emit, local_only, setup


def register(app: typer.Typer) -> None:
    app.command("create-user")(create_user)
    app.command("create-center")(create_center)


def create_user(
    email: Annotated[str | None, typer.Option(help="Email address to log in with.")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number with country code.")] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str | None,
        typer.Option(
            envvar="BIZCENTER_PASSWORD",
            help="Password (or BIZCENTER_PASSWORD); asked for when missing.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an account that can log in with its email or phone. You vouch for the
    addresses: they count as verified, with no code sent."""
    local_only("create-user", "the API has no way to create accounts (people sign up from "
               "their invitation link).")
    setup()
    from bizcenter.accounts.services import create_user as create
    from bizcenter.core.actor import Actor

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = create(Actor.system("cli"), email=email, phone=phone, name=name, password=password)
    emit(
        [{"id": str(user.pk), "email": user.email, "phone": user.phone, "name": user.name}],
        ["id", "email", "phone", "name"],
        as_json=as_json,
        title="Account created",
    )


def create_center(
    name: Annotated[str, typer.Argument(help="Name of the Business Center.")],
    owner: Annotated[str, typer.Option(help="Email or phone of its first Admin (must exist).")],
    company: Annotated[str, typer.Option(help="Legal name of the business.")] = "",
    timezone: Annotated[str, typer.Option(help="IANA time zone, e.g. Europe/Paris.")] = "UTC",
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. EUR.")] = "USD",
    as_json: JsonOption = False,
) -> None:
    """Create a Business Center; the owner becomes its first Admin."""
    local_only("create-center", "an API token works within the one Business Center it is "
               "for, so it cannot make another.")
    from bizcenter.centers.services import create_center as create

    who = actor(owner)
    center = create(who, name=name, company=company, timezone_name=timezone, currency=currency)
    emit(
        [
            {
                "id": str(center.pk),
                "name": center.name,
                "owner": who.label,
                "timezone": center.timezone,
                "currency": center.currency,
            }
        ],
        ["id", "name", "owner", "timezone", "currency"],
        as_json=as_json,
        title="Business Center created",
    )
