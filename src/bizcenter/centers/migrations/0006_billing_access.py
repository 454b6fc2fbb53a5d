"""One meaning for billing access (issue 19): a Standard membership holds the Billing
module exactly when it has a finance role. Before, the module granted nothing and a
finance role gave billing without it; rows saved then are made to obey the rule:
the Billing module without a finance role becomes Finance Analyst (what ticking
"Billing" was meant to give), a finance role without the module gains it."""

import secrets
from typing import Any

from django.db import migrations
from django.db.models import F

from bizcenter.centers.choices import billing_access


def settle(model: Any) -> set[int]:
    """Make every row of ``model`` (memberships or invitations) obey the rule; returns
    the ids of the Business Centers whose rows changed."""
    touched: set[int] = set()
    for row in model.objects.exclude(role="ADMIN").only(
            "pk", "center_id", "role", "modules", "finance_role").iterator():
        modules, finance = billing_access(row.modules or [], row.finance_role, role=row.role)
        if modules != sorted(row.modules or []) or finance != row.finance_role:
            model.objects.filter(pk=row.pk).update(modules=modules, finance_role=finance)
            touched.add(row.center_id)
    return touched


def forward(apps: Any, schema_editor: Any) -> None:
    center_model = apps.get_model("centers", "BusinessCenter")
    for center_id in settle(apps.get_model("centers", "Membership")):
        # What anyone cached of this Business Center's access is stale now.
        center_model.objects.filter(pk=center_id).update(
            access_version=F("access_version") + 1 + secrets.randbelow(2**31))


class Migration(migrations.Migration):

    dependencies = [
        ("centers", "0005_businesscenter_public_id"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
