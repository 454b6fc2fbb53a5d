"""2-step verification: set-up, codes, recovery codes, and the policy that needs it."""

from __future__ import annotations

import pyotp
import pytest
from django.utils import timezone

from bizcenter.access.actions import Action
from bizcenter.access.engine import check, explain
from bizcenter.accounts import two_factor
from bizcenter.accounts.models import RecoveryCode
from bizcenter.centers.services import update_center
from bizcenter.core.errors import Conflict, InvalidInput
from bizcenter.invitations import services as invitations
from tests.conftest import act, fresh_code
from tests.support.cli import run


def now_code(user) -> str:
    user.refresh_from_db()
    return fresh_code(user)


def test_set_up_needs_a_first_code_and_gives_recovery_codes(make_user):
    user = make_user("kim@agency.com")
    setup = two_factor.start(act(user))
    assert setup.uri.startswith("otpauth://totp/bizcenter:kim%40agency.com?secret=")
    with pytest.raises(InvalidInput) as wrong:
        two_factor.confirm(act(user), "000000")
    assert "not the one your authenticator shows" in wrong.value.message
    user.refresh_from_db()
    assert not user.has_two_factor
    codes = two_factor.confirm(act(user), now_code(user))
    user.refresh_from_db()
    assert user.has_two_factor and len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert all(code not in stored for code in codes)  # only hashes are kept
    with pytest.raises(Conflict):
        two_factor.start(act(user))


def test_codes_and_single_use_recovery_codes_verify(make_user):
    user = make_user("kim@agency.com")
    two_factor.start(act(user))
    codes = two_factor.confirm(act(user), now_code(user))
    assert two_factor.verify(user, now_code(user))
    assert not two_factor.verify(user, "123456")
    assert two_factor.verify(user, codes[0].upper())
    assert not two_factor.verify(user, codes[0])  # used up
    two_factor.disable(act(user), codes[1])
    user.refresh_from_db()
    assert not user.has_two_factor and not RecoveryCode.objects.filter(user=user).exists()


def test_a_center_that_requires_it_opens_only_after_set_up(center, as_owner, make_user):
    [sent] = invitations.invite(as_owner, center, ["std@agency.com"])
    person = make_user("std@agency.com")
    invitations.accept(act(person), sent.link.rstrip("/").rsplit("/", 1)[-1])
    with pytest.raises(Conflict) as yourself:
        update_center(as_owner, center, two_factor_policy="admins")
    assert "for yourself first" in yourself.value.message
    update_center(act(None), center, two_factor_policy="admins")  # the operator may
    assert check(person, Action.CENTER_VIEW, center)  # Standard members are not asked
    owner = as_owner.user
    denied = explain(owner, Action.MEMBER_VIEW, center)
    assert denied.code == "two_factor_required"
    assert "requires 2-step verification for Admins" in denied.reasons[0]
    assert "Set up 2-step verification" in denied.fix
    update_center(act(None), center, two_factor_policy="everyone")
    assert check(person, Action.CENTER_VIEW, center).code == "two_factor_required"
    two_factor.start(act(person))
    two_factor.confirm(act(person), now_code(person))
    assert check(person, Action.CENTER_VIEW, center)  # on the very next check
    with pytest.raises(InvalidInput):
        update_center(act(None), center, two_factor_policy="sometimes")


def test_policy_from_the_command_line(center, owner, capsys):
    code, _, err = run(capsys, "centers", "update", str(center.pk), "--two-factor", "admins",
                       "--as", owner.email)
    assert code == 1 and "for yourself first" in err
    two_factor.start(act(owner))
    two_factor.confirm(act(owner), now_code(owner))
    code, out, _ = run(capsys, "centers", "update", str(center.pk), "--two-factor", "admins",
                       "--as", owner.email, "--json")
    assert code == 0 and '"two_factor": "ADMINS"' in out
    code, _, _ = run(capsys, "members", "list", str(center.pk), "--as", owner.email)
    assert code == 0


def test_a_code_works_once_even_within_its_window(make_user):
    user = make_user("kim@agency.com")
    two_factor.start(act(user))
    user.refresh_from_db()
    first = fresh_code(user)
    two_factor.confirm(act(user), first)
    # Seen over a shoulder, the same code is refused right after; the next one works.
    assert not two_factor.verify(user, first)
    newer = fresh_code(user)
    assert newer != first and two_factor.verify(user, newer)
    assert not two_factor.verify(user, newer)
    # An older step than the last one used is refused too, though still in the window.
    totp = pyotp.TOTP(user.totp_secret)
    assert not two_factor.verify(user, totp.generate_otp(totp.timecode(timezone.now()) - 1))
