"""Give every Business Center its public id, one random draw per existing row."""

from django.db import migrations, models

import bizcenter.centers.models


def draw_ids(apps, schema_editor):  # type: ignore[no-untyped-def]
    center_model = apps.get_model("centers", "BusinessCenter")
    taken: set[str] = set()
    for center in center_model.objects.only("pk"):
        public_id = bizcenter.centers.models.new_public_id()
        while public_id in taken:
            public_id = bizcenter.centers.models.new_public_id()
        taken.add(public_id)
        center_model.objects.filter(pk=center.pk).update(public_id=public_id)


class Migration(migrations.Migration):
    dependencies = [
        ("centers", "0004_businesscenter_allowlist_refuses_phones"),
    ]

    operations = [
        migrations.AddField(
            model_name="businesscenter",
            name="public_id",
            field=models.CharField(editable=False, max_length=19, null=True),
        ),
        migrations.RunPython(draw_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="businesscenter",
            name="public_id",
            field=models.CharField(default=bizcenter.centers.models.new_public_id,
                                   editable=False, max_length=19, unique=True),
        ),
    ]
