"""Invite a CSV file of addresses: checked at upload, invited in the background.

The upload answers at once with a progress page; the worker invites batch by
batch through the same ``invite`` service as the form (same limits, same
rules, same activity log), and saves each batch's progress in that batch's
transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, ServiceError
from bizcenter.core.lookup import find
from bizcenter.invitations.models import ImportState, InviteImport
from bizcenter.invitations.services import (
    Grant,
    _asset_grants,
    cap_refusal,
    daily_room,
    invite,
    sender_cap_refusal,
    sender_daily_room,
)

ADDRESS_HEADERS = ("address", "email", "phone", "email or phone", "e-mail", "mobile")
MAX_BYTES = 1024 * 1024


def parse_csv(data: bytes) -> list[str]:
    """The addresses of a CSV: the column headed email/phone/address if there is one,
    otherwise the first cell of each row. Blank rows are skipped."""
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_BYTES // 1024} KB; split it.",
                           fields={"file": "too large"})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload "
                           "it again.", fields={"file": "not UTF-8 CSV"}) from exc
    if "\x00" in text:
        raise InvalidInput("The file is not a CSV text file.", fields={"file": "not CSV"})
    reader = csv.reader(io.StringIO(text, newline=""))  # the csv module reads line ends
    try:
        rows = [row for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:  # e.g. a cell past the csv module's 128 KB, a stray quote
        raise InvalidInput(f"Line {reader.line_num} of the file cannot be read as CSV "
                           f"({exc}). Save it as CSV UTF-8, one address per row.",
                           fields={"file": f"line {reader.line_num} is not CSV"}) from exc
    column = 0
    if rows:
        header = [c.strip().lower() for c in rows[0]]
        named = [i for i, c in enumerate(header) if c in ADDRESS_HEADERS]
        if named:
            column, rows = named[0], rows[1:]
    addresses = [row[column].strip() for row in rows if len(row) > column and row[column].strip()]
    limit = settings.BIZCENTER_MAX_IMPORT_ROWS
    if not addresses:
        raise InvalidInput("The file has no addresses: put one email address or phone number "
                           "per row.", fields={"file": "empty"})
    if len(addresses) > limit:
        raise InvalidInput(f"The file has {len(addresses)} addresses; at most {limit} can be "
                           "imported at once. Split it.", fields={"file": f"at most {limit}"})
    return addresses


def _grant_json(grant: Grant) -> dict[str, Any]:
    data = asdict(grant)
    data["modules"] = list(grant.modules)
    data["expires_at"] = grant.expires_at.isoformat() if grant.expires_at else None
    data["assets"] = {str(k): v for k, v in grant.assets.items()}
    return data


def _grant(data: dict[str, Any]) -> Grant:
    ends = data.get("expires_at")
    return Grant(role=data["role"], finance_role=data["finance_role"], kind=data["kind"],
                 modules=tuple(data["modules"]), assets=data.get("assets") or {},
                 expires_at=datetime.fromisoformat(ends) if ends else None)


def start_import(actor: Actor, center: BusinessCenter, data: bytes, grant: Grant,
                 file_name: str = "") -> InviteImport:
    """Check the file and the access to give now, so mistakes show on the form; then
    queue the work."""
    from bizcenter.invitations.tasks import run_import

    require(actor, Action.MEMBER_INVITE, center)
    addresses = parse_csv(data)
    grant = grant.cleaned()
    _asset_grants(center, grant.assets)
    now = timezone.now()
    if daily_room(center, now) <= 0:  # say so now, not from the progress page
        raise cap_refusal(center, now)
    if actor.user is not None and sender_daily_room(actor.user, now) <= 0:
        raise sender_cap_refusal(actor.user, now)
    with transaction.atomic():
        job = InviteImport.objects.create(
            center=center, created_by=actor.user, file_name=file_name[:200],
            grant=_grant_json(grant), addresses=addresses, total=len(addresses))
        record(actor, center=center, category=Category.USER, action="invitation.import_started",
               target=center, after={"import_id": job.pk, "file": job.file_name,
                                     "addresses": job.total, "role": grant.role})
        run_import.enqueue(job.pk)
    return job


def get_import(actor: Actor, center: BusinessCenter, import_id: int | str) -> InviteImport:
    require(actor, Action.MEMBER_INVITE, center)
    return find(InviteImport.objects.filter(center=center), import_id,
                f"No import with id {{id}} in {center.name}.")


def run(import_id: int) -> InviteImport:
    """Invite the next batches until done. Safe to run again after a crash: it starts at
    the first batch whose progress was not saved. Safe to run twice at once too (a
    worker resuming what it took for a dead worker's import): each batch locks the
    import and starts where the last saved one ended, and only one run finishes it."""
    job = InviteImport.objects.select_related("center", "created_by").get(pk=import_id)
    if job.finished:
        return job
    actor = Actor(job.created_by, ip=None, via="import")
    grant = _grant(job.grant)
    batch = settings.BIZCENTER_MAX_INVITES_PER_CALL
    InviteImport.objects.filter(pk=job.pk, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING)
    while True:
        with transaction.atomic():
            job = InviteImport.objects.select_for_update().get(pk=import_id)
            if job.finished:
                return job
            if job.processed >= job.total:
                break
            chunk = job.addresses[job.processed:job.processed + batch]
            try:
                results = invite(actor, job.center, chunk, grant)
            except ServiceError as error:
                # E.g. the Admin who uploaded it lost the right, the end date passed, or
                # the daily cap of invitations is reached: stop, and say why and where
                # on the progress page. The batches before were committed one by one.
                where = (f"after {job.processed} of {job.total} addresses" if job.processed
                         else "before the first address")
                job.state, job.error, job.finished_at = ImportState.FAILED, \
                    f"{where}. {error.message}", timezone.now()
                job.save(update_fields=["state", "error", "finished_at"])
                record(actor, center=job.center, category=Category.USER,
                       action="invitation.import_stopped", target=job.center,
                       after={"import_id": job.pk, "processed": job.processed,
                              "reason": error.code, **job.counts})
                return job
            for result in results:
                job.counts[result.status] = job.counts.get(result.status, 0) + 1
                if not result.ok:
                    job.problems.append([result.address, result.status, result.message])
            job.processed += len(chunk)
            job.save(update_fields=["processed", "counts", "problems"])
    with transaction.atomic():
        job = InviteImport.objects.select_for_update().get(pk=import_id)
        if job.finished:
            return job
        job.state, job.finished_at = ImportState.DONE, timezone.now()
        job.save(update_fields=["state", "finished_at"])
        record(actor, center=job.center, category=Category.USER,
               action="invitation.import_finished", target=job.center,
               after={"import_id": job.pk, **job.counts})
    return job


def resume_unfinished(*, stale: timedelta | None = None) -> int:
    """Queue again every import that is not finished and has no task waiting to run it:
    a worker killed in the middle of one leaves its task marked as running forever.

    When a worker starts (``stale=None``) that is every such import; run
    regularly (``stale=...``), only those whose task started longer ago than that,
    so a live worker's import is rarely doubled (and doubling it is harmless).
    Returns how many were queued.
    """
    from django_tasks_db.models import DBTaskResult

    from bizcenter.invitations.tasks import run_import

    tasks = DBTaskResult.objects.filter(task_path=run_import.module_path)
    busy = Q(status="READY")
    if stale is not None:
        busy |= Q(status="RUNNING", started_at__gt=timezone.now() - stale)
    taken = {t.args_kwargs["args"][0] for t in tasks.filter(busy) if t.args_kwargs["args"]}
    ids = [pk for pk in InviteImport.objects.filter(
        state__in=[ImportState.QUEUED, ImportState.RUNNING]).values_list("pk", flat=True)
        if pk not in taken]
    with transaction.atomic():
        for pk in ids:
            run_import.enqueue(pk)
    return len(ids)
