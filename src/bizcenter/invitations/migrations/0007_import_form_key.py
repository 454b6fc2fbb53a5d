"""A CSV import remembers the one-time key of the web form that started it: the same form
sent again finds that import instead of starting a second one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("invitations", "0006_billing_access"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="inviteimport",
            name="form_key",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddConstraint(
            model_name="inviteimport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("form_key", ""), _negated=True),
                fields=("center", "created_by", "form_key"),
                name="one_import_per_form_key",
            ),
        ),
    ]
