"""``python -m django reseal_secrets``: re-encrypt 2-step secrets under the current key.

After SECRET_KEY changes (the old one kept in SECRET_KEY_FALLBACKS), secrets still
open with the old key; this puts each under the new one, so the old key can then
leave SECRET_KEY_FALLBACKS without locking anyone out (docs/DEPLOY.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from bizcenter.accounts.models import User
from bizcenter.accounts.sealed import reseal


def reseal_all() -> int:
    """Re-encrypt every stored secret; returns how many. Reads the raw column, so a
    secret is never decrypted into a model that might be saved with other fields."""
    table = connection.ops.quote_name(User._meta.db_table)
    column = connection.ops.quote_name("totp_secret")
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        rows = cursor.fetchall()
        for pk, stored in rows:
            cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
                           [reseal(stored), pk])
            done += 1
    return done


class Command(BaseCommand):
    help = "Re-encrypt stored 2-step secrets under the current SECRET_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reseal_all()
        self.stdout.write(f"Re-encrypted {count} 2-step secret(s) under the current key.")
