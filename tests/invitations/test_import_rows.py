"""Imports keep every row: each row of the file (and each typed address) ends in the
results with its outcome, the counts add up to the rows, and a file needing more seats
than are left is refused before anyone is invited."""

from __future__ import annotations

from bizcenter.audit.models import AuditEvent
from bizcenter.core.errors import LimitReached
from bizcenter.invitations import imports
from bizcenter.invitations.models import ImportState, Invitation, InviteImport
from bizcenter.invitations.services import Grant, invite
from bizcenter.outbox.models import OutboxMessage


def people(n: int = 500, phone_only: int = 50, both: int = 100) -> bytes:
    """Name,Email,Phone: ``phone_only`` rows without an email (the last ones), ``both``
    rows with an email and a phone."""
    lines = ["Name,Email,Phone"]
    for i in range(n - phone_only):
        phone = f"+1415555{i:04d}" if i < both else ""
        lines.append(f"Person {i},p{i}@agency.com,{phone}")
    lines += [f"Mobile {i},,+1212555{i:04d}" for i in range(phone_only)]
    return ("\n".join(lines) + "\n").encode()


def test_every_row_of_a_name_email_phone_file_is_read_and_reported(center, as_owner,
                                                                   run_worker):
    job = imports.start_import(as_owner, center, people(), Grant(), file_name="people.csv")
    assert (job.total, job.seats) == (500, 500)
    run_worker()
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert len(job.outcomes) == 500 == sum(job.counts.values())
    assert job.counts == {"invited": 500}
    assert imports.summary(job) == "500 rows: 500 invited."
    # Rows with both are invited by email; the phone-only rows by SMS.
    assert [o[1] for o in job.outcomes] == list(range(2, 502))
    assert Invitation.objects.filter(center=center, address_kind="email").count() == 450
    assert Invitation.objects.filter(center=center, address_kind="phone").count() == 50
    texts = OutboxMessage.objects.filter(kind="invitation", channel="sms")
    assert sorted(texts.values_list("to", flat=True)) == [f"+1212555{i:04d}" for i in range(50)]


def test_prefer_phone_invites_rows_with_both_by_sms(center, as_owner, run_worker):
    job = imports.start_import(as_owner, center, people(20, phone_only=5, both=10), Grant(),
                               prefer="phone")
    run_worker()
    job.refresh_from_db()
    assert job.counts == {"invited": 20}
    assert Invitation.objects.filter(address_kind="phone").count() == 15  # 10 both + 5 only
    assert not Invitation.objects.filter(address="p3@agency.com").exists()


def test_outcomes_of_every_kind_add_up_to_the_rows(center, as_owner, run_worker):
    invite(as_owner, center, ["old@agency.com"])
    content = (b"Name,Email,Phone\n"
               b"Ana,ana@agency.com,\n"       # row 2: invited
               b"Ana again,ANA@agency.com,\n"  # row 3: duplicate of row 2
               b"Old,old@agency.com,\n"       # row 4: already invited
               b"Typo,not-an-address,\n"      # row 5: invalid
               b"Nobody,,\n"                  # row 6: empty
               b"Bo,,+14155550123\n")  # row 7: invited by SMS
    job = imports.start_import(as_owner, center, content, Grant(), typed=["typed@agency.com"])
    assert job.seats == 3
    run_worker()
    job.refresh_from_db()
    assert job.total == 7 and job.typed == 1
    assert job.counts == {"invited": 3, "duplicate": 1, "already_invited": 1, "invalid": 1,
                          "empty": 1}
    assert sum(job.counts.values()) == job.total == len(job.outcomes)
    by_row = {(o[0], o[1]): (o[3], o[4]) for o in job.outcomes}
    assert by_row[("typed", 1)][0] == "invited"
    assert by_row[("file", 3)] == ("duplicate", "ana@agency.com is a duplicate of row 2; it "
                                   "is invited once.")
    assert by_row[("file", 4)][0] == "already_invited"
    assert by_row[("file", 6)] == ("empty", "Row 6 has no email address or phone number.")
    assert imports.summary(job) == ("7 rows (1 typed, 6 from the file): 3 invited, 1 already "
                                    "invited, 1 duplicate in this file, 1 empty, 1 invalid.")


def test_typed_addresses_and_the_file_are_both_invited(center, as_owner, run_worker):
    job = imports.start_import(as_owner, center, b"email\nfile@agency.com\ntyped@agency.com\n",
                               Grant(), typed=["typed@agency.com", "+14155550123"])
    run_worker()
    job.refresh_from_db()
    assert set(Invitation.objects.values_list("address", flat=True)) == {
        "typed@agency.com", "+14155550123", "file@agency.com"}
    assert job.outcomes[3][3:] == ["duplicate", "typed@agency.com is a duplicate of typed "
                                   "address 1; it is invited once."]


def test_a_file_over_the_member_limit_is_refused_before_anyone_is_invited(
        center, as_owner, settings):
    settings.BIZCENTER_MAX_MEMBERS = 30  # the owner holds one seat
    invite(as_owner, center, ["a@agency.com", "b@agency.com"])
    content = b"email\n" + b"".join(f"p{i}@agency.com\n".encode() for i in range(40)) \
        + b"a@agency.com\n"  # already invited: takes no new seat
    try:
        imports.start_import(as_owner, center, content, Grant())
    except LimitReached as refused:
        assert refused.code == "member_limit"
        assert refused.message.startswith(
            "This import would invite 40 new people, but Brand Co has 3 of 30 member seats "
            "in use (pending invitations count): 27 left. Remove at least 13 rows")
    else:
        raise AssertionError("an import past the member limit was started")
    assert Invitation.objects.count() == 2 and not InviteImport.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation.import_started").exists()


def test_admins_over_the_admin_limit_are_refused_up_front(center, as_owner, settings):
    settings.BIZCENTER_MAX_ADMINS = 3
    try:
        imports.start_import(as_owner, center, b"a@x.com\nb@x.com\nc@x.com\n",
                             Grant(role="ADMIN"))
    except LimitReached as refused:
        assert refused.code == "admin_limit" and "1 of 3 Admin seats" in refused.message
    else:
        raise AssertionError("an import past the Admin limit was started")
    assert not InviteImport.objects.exists()


def test_a_daily_cap_reached_midway_says_so_for_every_row_not_reached(
        center, as_owner, settings, run_worker):
    """The seats are checked up front; the daily caps can still stop an import partway
    (other invitations go out meanwhile): every row not reached is then reported."""
    settings.BIZCENTER_INVITE_DAILY_CAP = 55
    rows = b"email\n" + b"".join(f"p{i}@agency.com\n".encode() for i in range(120))
    job = imports.start_import(as_owner, center, rows, Grant())
    run_worker()
    job.refresh_from_db()
    assert job.state == ImportState.FAILED and job.error.startswith("after 100 of 120 rows")
    assert "BIZCENTER_INVITE_DAILY_CAP" in job.error
    assert job.counts == {"invited": 55, "limit_reached": 45, "stopped": 20}
    assert sum(job.counts.values()) == 120 == len(job.outcomes)
    capped = [o for o in job.outcomes if o[3] == "limit_reached"]
    assert "BIZCENTER_INVITE_DAILY_CAP" in capped[0][4]
    stopped = [o for o in job.outcomes if o[3] == "stopped"]
    assert stopped[0][1] == 102 and stopped[0][4].startswith(
        "Not invited: the import stopped after 100 of 120 rows.")
    assert "100 invited" not in imports.summary(job)
    assert imports.summary(job) == ("120 rows: 55 invited, 45 refused by a limit, 20 not "
                                    "reached (the import stopped).")
