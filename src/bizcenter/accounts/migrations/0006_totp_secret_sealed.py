"""2-step secrets encrypted at rest (accounts/sealed.py).

The column first widens (a Fernet token of a 32-character secret is 140 characters),
then each plain secret is encrypted under the current SECRET_KEY, then the field
becomes the sealed kind, which changes nothing in the database. Reversed, the
secrets are decrypted back to plain text."""

from django.db import migrations, models

import bizcenter.accounts.sealed


def seal_existing(apps, schema_editor):
    """Encrypt every plain secret. Runs on the plain field of this migration's state,
    so the raw stored text is what is read; a value already sealed is left alone."""
    from bizcenter.accounts.sealed import is_sealed, seal

    User = apps.get_model("accounts", "User")
    for pk, secret in User.objects.exclude(totp_secret="").values_list("pk", "totp_secret"):
        if not is_sealed(secret):
            User.objects.filter(pk=pk).update(totp_secret=seal(secret))


def unseal_existing(apps, schema_editor):
    from bizcenter.accounts.sealed import is_sealed, unseal

    User = apps.get_model("accounts", "User")
    for pk, secret in User.objects.exclude(totp_secret="").values_list("pk", "totp_secret"):
        if is_sealed(secret):
            User.objects.filter(pk=pk).update(totp_secret=unseal(secret))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_verified_addresses"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.RunPython(seal_existing, unseal_existing, elidable=False),
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=bizcenter.accounts.sealed.SealedCharField(blank=True, max_length=255),
        ),
    ]
