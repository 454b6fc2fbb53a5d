"""Background work of invitations (run by ``bizcenter worker`` or ``bizcenter serve``)."""

from __future__ import annotations

from django_tasks import task

from bizcenter.invitations import imports


@task()
def run_import(import_id: int) -> dict[str, int]:
    return imports.run(import_id).counts
