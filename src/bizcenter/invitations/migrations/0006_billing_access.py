"""Pending and past invitations obey the rule for billing access too (issue 19): the
Billing module without a finance role becomes Finance Analyst, a finance role without
the module gains it (see centers 0006_billing_access)."""

from importlib import import_module
from typing import Any

from django.db import migrations


def forward(apps: Any, schema_editor: Any) -> None:
    settle = import_module("bizcenter.centers.migrations.0006_billing_access").settle
    settle(apps.get_model("invitations", "Invitation"))


class Migration(migrations.Migration):

    dependencies = [
        ("invitations", "0005_import_rows"),
        ("centers", "0006_billing_access"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
