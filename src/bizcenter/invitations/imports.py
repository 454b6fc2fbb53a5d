"""Invite a CSV file of addresses: checked at upload, invited in the background.

Every row of the file ends in the results with its outcome, and the counts add up
to the rows: a row is invited, a duplicate of an earlier row (named), already
invited or a member, invalid, refused by a limit or the allowlist, empty, or not
reached because the import stopped. Nothing is dropped without a word.

The upload is judged at once (the file, the seats it will take, the daily caps)
so a refusal shows on the form, not halfway through; the worker then invites
batch by batch through the same ``invite`` service as the form (same limits, same
rules, same activity log), and saves each batch's outcomes in that batch's
transaction, so a crash resumes where the last saved batch ended.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import require
from bizcenter.accounts.addresses import parse_address
from bizcenter.audit.models import Category
from bizcenter.audit.services import record
from bizcenter.centers import seats
from bizcenter.centers.choices import Role
from bizcenter.centers.models import BusinessCenter
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput, LimitReached, ServiceError
from bizcenter.core.lookup import find
from bizcenter.invitations.models import ImportState, Invitation, InviteImport
from bizcenter.invitations.services import (
    Grant,
    _asset_grants,
    _current_members_by_address,
    cap_refusal,
    daily_room,
    invite,
    sender_cap_refusal,
    sender_daily_room,
)

# Headers (lower-cased, trimmed) of the columns read for addresses. A row with both
# an email and a phone is invited at its email unless the import prefers phones.
EMAIL_HEADERS = ("email", "e-mail", "email address", "e-mail address", "mail", "work email")
PHONE_HEADERS = ("phone", "mobile", "phone number", "mobile number", "mobile phone", "tel",
                 "telephone", "cell", "sms")
EITHER_HEADERS = ("address", "email or phone", "contact")
MAX_BYTES = 1024 * 1024

Prefer = Literal["email", "phone"]
FILE, TYPED = "file", "typed"
# The outcome of a row: the statuses of ``invite`` plus the three judged here.
EMPTY, DUPLICATE, STOPPED = "empty", "duplicate", "stopped"
WORDS = {"invited": "invited", "duplicate": "duplicate in this file",
         "already_invited": "already invited", "already_member": "already members",
         "invalid": "invalid", "limit_reached": "refused by a limit",
         "domain_not_allowed": "refused by the allowlist", "empty": "empty",
         "stopped": "not reached (the import stopped)"}


@dataclass
class Row:
    """One row of the file (``source`` "file", ``number`` as a spreadsheet numbers it,
    the header being row 1) or one typed address ("typed", its place in the box).
    ``status`` is set when the row is judged before inviting: empty, invalid, or a
    duplicate of an earlier row; otherwise ``invite`` decides."""

    source: str
    number: int
    address: str
    normalized: str | None = None
    kind: str = ""
    status: str = ""
    message: str = ""

    @property
    def where(self) -> str:
        return f"row {self.number}" if self.source == FILE else f"typed address {self.number}"

    def stored(self) -> list[Any]:
        return [self.source, self.number, self.address, self.normalized, self.status,
                self.message]

    @classmethod
    def of(cls, data: Sequence[Any]) -> Row:
        source, number, address, normalized, status, message = data
        return cls(source, number, address, normalized, "", status, message)


def _decode(data: bytes) -> list[list[str]]:
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
        rows = list(reader)
    except csv.Error as exc:  # e.g. a cell past the csv module's 128 KB, a stray quote
        raise InvalidInput(f"Line {reader.line_num} of the file cannot be read as CSV "
                           f"({exc}). Save it as CSV UTF-8, one address per row.",
                           fields={"file": f"line {reader.line_num} is not CSV"}) from exc
    while rows and not any(c.strip() for c in rows[-1]):  # blank lines at the end
        rows.pop()
    return rows


def _columns(header: list[str], prefer: Prefer) -> list[int]:
    """The address columns in the order a row's cells are tried: the preferred kind's,
    then the columns that may hold either, then the other kind's."""
    names = [c.strip().lower() for c in header]
    email = [i for i, c in enumerate(names) if c in EMAIL_HEADERS]
    phone = [i for i, c in enumerate(names) if c in PHONE_HEADERS]
    either = [i for i, c in enumerate(names) if c in EITHER_HEADERS]
    first, last = (email, phone) if prefer == "email" else (phone, email)
    return first + either + last


def _cell(row: list[str], columns: list[int] | None) -> str:
    """The address of a row: its first non-empty address cell, or, in a file without
    a header row naming one, its first cell (the form says: one address per row)."""
    if columns is None:
        return row[0].strip() if row else ""
    return next((row[i].strip() for i in columns if i < len(row) and row[i].strip()), "")


def parse_rows(data: bytes, typed: Sequence[str] = (), prefer: Prefer = "email") -> list[Row]:
    """Every row of a CSV (and every typed address, first), each judged as far as the
    file alone can tell: empty, invalid, a duplicate of an earlier row, or to invite.

    Every email and phone column is read (headers such as Email, Phone, Mobile,
    Address); a row with both is invited at the email, or at the phone with
    ``prefer="phone"``, and at the other when the preferred cell is empty. In a file
    without a header row naming such a column, the first column is the address."""
    if prefer not in ("email", "phone"):
        raise InvalidInput("prefer is email or phone.", fields={"prefer": "email or phone"})
    cells = _decode(data) if data else []
    first = 1
    columns: list[int] | None = None
    if cells and (found := _columns(cells[0], prefer)):
        columns, cells, first = found, cells[1:], 2
    rows = [Row(TYPED, i, a.strip()) for i, a in enumerate(typed, 1) if a.strip()]
    rows += [Row(FILE, n, _cell(row, columns)) for n, row in enumerate(cells, first)]
    limit = settings.BIZCENTER_MAX_IMPORT_ROWS
    if len(rows) > limit:
        raise InvalidInput(f"The file has {len(rows)} rows; at most {limit} can be imported "
                           "at once. Split it.", fields={"file": f"at most {limit}"})
    if not any(r.address for r in rows):
        raise InvalidInput("The file has no addresses: put one email address or phone number "
                           "per row, or in a column headed Email or Phone.",
                           fields={"file": "empty"})
    seen: dict[str, Row] = {}
    for row in rows:
        if not row.address:
            row.status, row.message = EMPTY, f"{row.where.capitalize()} has no email address " \
                                             "or phone number."
            continue
        try:
            address = parse_address(row.address)
        except InvalidInput as exc:
            row.status, row.message = "invalid", exc.message
            continue
        row.normalized, row.kind = address.value, address.kind.value
        if (earlier := seen.get(address.value)) is not None:
            row.status = DUPLICATE
            row.message = (f"{address.value} is a duplicate of {earlier.where}; it is "
                           "invited once.")
            continue
        seen[address.value] = row
    return rows


def parse_csv(data: bytes) -> list[str]:
    """The address cell of every row that has one, as written, in order."""
    return [r.address for r in parse_rows(data) if r.address]


@dataclass(frozen=True)
class SeatPlan:
    """What an import will take before it starts: the new invitations it would send
    (rows not already members or invited), and the seats left for them."""

    new: int
    members_in_use: int
    max_members: int
    admins_in_use: int
    max_admins: int

    @property
    def free(self) -> int:
        return max(0, self.max_members - self.members_in_use)


def plan_seats(center: BusinessCenter, rows: Sequence[Row], role: str) -> SeatPlan:
    """Count the seats the import will use and refuse it up front, with the numbers,
    when they are more than the Business Center has left: a half-run import would
    invite an arbitrary first part of the file and leave the rest to sort out."""
    values = [r.normalized for r in rows if not r.status and r.normalized]
    members = _current_members_by_address(center, values)
    pending = set(Invitation.objects.usable().filter(
        center=center, address__in=values).values_list("address", flat=True))
    new = sum(1 for r in rows if not r.status and r.normalized
              and r.normalized not in members and r.normalized not in pending
              and not center.refusal_for_inviter(r.kind, r.normalized))
    usage = seats.count(center)
    plan = SeatPlan(new, usage.members, usage.max_members, usage.admins, usage.max_admins)
    if usage.members + new > usage.max_members:
        raise LimitReached(
            f"This import would invite {new} new {_people(new)}, but {center.name} has "
            f"{usage.members} of {usage.max_members} member seats in use (pending invitations "
            f"count): {plan.free} left. Remove at least {usage.members + new - usage.max_members}"
            " rows, or free seats first (BIZCENTER_MAX_MEMBERS); nobody was invited.",
            code="member_limit")
    if role == Role.ADMIN and usage.admins + new > usage.max_admins:
        raise LimitReached(
            f"This import would invite {new} new Admins, but {center.name} has "
            f"{usage.admins} of {usage.max_admins} Admin seats in use (pending invitations "
            f"count): {max(0, usage.max_admins - usage.admins)} left. Invite them as Standard, "
            "or remove rows (BIZCENTER_MAX_ADMINS); nobody was invited.", code="admin_limit")
    return plan


def _people(n: int) -> str:
    return "person" if n == 1 else "people"


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


FORM_KEY_MAX = 64


def new_form_key() -> str:
    """A one-time key for a form that may start an import (see start_import)."""
    return secrets.token_urlsafe(24)


def is_form_key(key: str) -> bool:
    return 0 < len(key) <= FORM_KEY_MAX and key.isascii() and key.isprintable()


def _form_key(key: str) -> str:
    key = key.strip()
    if key and not is_form_key(key):
        raise InvalidInput("This form's key is not one this server made. Open the form "
                           "again and send it from there.",
                           fields={"form_key": f"at most {FORM_KEY_MAX} ASCII characters"})
    return key


def _started_with(actor: Actor, center: BusinessCenter, key: str) -> InviteImport | None:
    job = InviteImport.objects.filter(center=center, created_by=actor.user,
                                      form_key=key).first()
    if job is not None:
        job.repeated = True
    return job


def start_import(actor: Actor, center: BusinessCenter, data: bytes, grant: Grant,
                 file_name: str = "", *, typed: Sequence[str] = (), prefer: Prefer = "email",
                 background: bool = True, form_key: str = "") -> InviteImport:
    """Check the file, the access to give and the seats it takes now, so mistakes show
    on the form; then queue the work (``background=False``: the caller runs it, as
    the CLI does on this machine). Typed addresses go in the same import, before the
    file's rows, so both are invited and reported together.

    ``form_key``, the one-time key of the form that was sent: the same person sending
    the same form again (a double click, a refresh, the back button) gets the import that
    form already started (``repeated`` set), not a second one that would invite everyone
    again. A unique constraint settles two sends at the same moment."""
    from bizcenter.invitations.tasks import run_import

    require(actor, Action.MEMBER_INVITE, center)
    key = _form_key(form_key) if actor.user is not None else ""
    if key and (job := _started_with(actor, center, key)) is not None:
        return job  # before any check: its seats are taken by this very import
    rows = parse_rows(data, typed, prefer)
    grant = grant.cleaned()
    _asset_grants(center, grant.assets)
    plan = plan_seats(center, rows, grant.role)
    now = timezone.now()
    if daily_room(center, now) <= 0:  # say so now, not from the progress page
        raise cap_refusal(center, now)
    if actor.user is not None and sender_daily_room(actor.user, now) <= 0:
        raise sender_cap_refusal(actor.user, now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                job = InviteImport.objects.create(
                    center=center, created_by=actor.user, file_name=file_name[:200],
                    grant=_grant_json(grant), rows=[r.stored() for r in rows],
                    total=len(rows), typed=sum(r.source == TYPED for r in rows),
                    seats=plan.new, seats_free=plan.free, prefer=prefer, form_key=key)
        except IntegrityError:
            # The same form, sent twice at once: the other send committed its import
            # while this one waited on the key (only a keyed row can collide).
            if key and (started := _started_with(actor, center, key)) is not None:
                return started
            raise
        record(actor, center=center, category=Category.USER, action="invitation.import_started",
               target=center, after={"import_id": job.pk, "file": job.file_name,
                                     "rows": job.total, "typed": job.typed, "seats": plan.new,
                                     "role": grant.role})
        if background:
            run_import.enqueue(job.pk)
    return job


def get_import(actor: Actor, center: BusinessCenter, import_id: int | str) -> InviteImport:
    require(actor, Action.MEMBER_INVITE, center)
    return find(InviteImport.objects.filter(center=center), import_id,
                f"No import with id {{id}} in {center.name}.")


def _note(job: InviteImport, row: Row, status: str, message: str) -> None:
    job.outcomes.append([row.source, row.number, row.address, status, message])
    job.counts[status] = job.counts.get(status, 0) + 1


def _next_batch(job: InviteImport, size: int) -> list[Row]:
    """The rows from the first not yet done up to and including the ``size``-th one
    left to invite: rows judged at upload travel with them, so outcomes stay in order."""
    batch: list[Row] = []
    inviting = 0
    for data in job.rows[job.processed:]:
        row = Row.of(data)
        if not row.status:
            if inviting == size:
                break
            inviting += 1
        batch.append(row)
    return batch


def run(import_id: int, progress: Callable[[InviteImport], None] | None = None
        ) -> InviteImport:
    """Invite the next batches until done. Safe to run again after a crash: it starts at
    the first batch whose progress was not saved. Safe to run twice at once too (a
    worker resuming what it took for a dead worker's import): each batch locks the
    import and starts where the last saved one ended, and only one run finishes it.
    ``progress`` is told after each saved batch (the CLI's progress bar)."""
    job = InviteImport.objects.select_related("center", "created_by").get(pk=import_id)
    if job.finished:
        return job
    actor = Actor(job.created_by, ip=None, via="import")
    grant = _grant(job.grant)
    size = settings.BIZCENTER_MAX_INVITES_PER_CALL
    InviteImport.objects.filter(pk=job.pk, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING)
    while True:
        with transaction.atomic():
            job = InviteImport.objects.select_for_update().get(pk=import_id)
            if job.finished:
                return job
            if job.processed >= job.total:
                break
            batch = _next_batch(job, size)
            chunk = [r.normalized or r.address for r in batch if not r.status]
            try:
                results = iter(invite(actor, job.center, chunk, grant) if chunk else [])
            except ServiceError as error:
                # E.g. the Admin who uploaded it lost the right, the end date passed, or
                # a daily cap of invitations is reached: stop, say why and where, and
                # give every row not reached that reason. The batches before were
                # committed one by one.
                _stopped(actor, job, error)
                return job
            for row in batch:
                if row.status:
                    _note(job, row, row.status, row.message)
                else:
                    result = next(results)
                    _note(job, row, result.status, "" if result.ok else result.message)
            job.processed += len(batch)
            job.save(update_fields=["processed", "counts", "outcomes"])
        if progress is not None:
            progress(job)
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


def _stopped(actor: Actor, job: InviteImport, error: ServiceError) -> None:
    where = (f"after {job.processed} of {job.total} rows" if job.processed
             else "before the first row")
    job.state, job.error, job.finished_at = ImportState.FAILED, \
        f"{where}. {error.message}", timezone.now()
    for data in job.rows[job.processed:]:
        row = Row.of(data)
        if row.status:  # judged at upload: that outcome stands
            _note(job, row, row.status, row.message)
        else:
            _note(job, row, STOPPED, f"Not invited: the import stopped {where}. "
                                     f"{error.message}")
    job.save(update_fields=["state", "error", "finished_at", "counts", "outcomes"])
    record(actor, center=job.center, category=Category.USER,
           action="invitation.import_stopped", target=job.center,
           after={"import_id": job.pk, "processed": job.processed,
                  "reason": error.code, **job.counts})


def summary(job: InviteImport) -> str:
    """"500 rows: 440 invited, 50 already invited, 10 invalid": the counts, which add up
    to the rows (typed addresses included, and said)."""
    total = f"{job.total} row{'s' if job.total != 1 else ''}"
    if job.typed:
        total += f" ({job.typed} typed, {job.total - job.typed} from the file)"
    done = job.total if job.finished else job.processed
    if not job.counts:
        return f"{total}: none done yet."
    ordered = sorted(job.counts.items(), key=lambda kv: (kv[0] != "invited", -kv[1], kv[0]))
    parts = ", ".join(f"{n} {WORDS.get(status, status.replace('_', ' '))}"
                      for status, n in ordered)
    return f"{total}: {parts}" + ("" if done == job.total else f" (so far, {done} done)") + "."


def not_invited(job: InviteImport) -> list[list[Any]]:
    """The rows that did not end in an invitation, for the results table."""
    return [o for o in job.outcomes if o[3] != "invited"]


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
