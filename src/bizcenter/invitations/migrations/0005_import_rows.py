"""Imports keep every row: the rows to do and the outcome of each, instead of the
addresses alone and the problems; imports made before keep what they knew."""

from typing import Any

from django.db import migrations, models


def to_rows(apps: Any, schema_editor: Any) -> None:
    InviteImport = apps.get_model("invitations", "InviteImport")
    for job in InviteImport.objects.all():
        job.rows = [["file", n, a, None, "", ""] for n, a in enumerate(job.addresses, 1)]
        job.outcomes = [["file", None, a, status, message]
                        for a, status, message in job.problems]
        job.save(update_fields=["rows", "outcomes"])


class Migration(migrations.Migration):

    dependencies = [
        ("invitations", "0004_invitation_sent_by"),
    ]

    operations = [
        migrations.AddField(model_name="inviteimport", name="rows",
                            field=models.JSONField(default=list)),
        migrations.AddField(model_name="inviteimport", name="outcomes",
                            field=models.JSONField(default=list)),
        migrations.RunPython(to_rows, migrations.RunPython.noop),
        migrations.RemoveField(model_name="inviteimport", name="addresses"),
        migrations.RemoveField(model_name="inviteimport", name="problems"),
        migrations.AddField(model_name="inviteimport", name="prefer",
                            field=models.CharField(default="email", max_length=5)),
        migrations.AddField(model_name="inviteimport", name="typed",
                            field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name="inviteimport", name="seats",
                            field=models.PositiveIntegerField(default=0)),
        migrations.AddField(model_name="inviteimport", name="seats_free",
                            field=models.PositiveIntegerField(default=0)),
    ]
