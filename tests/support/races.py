"""Racing jobs on threads against one database, and the people and centers they race on."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection, connections
from django.utils import timezone

from bizcenter.accounts.models import User
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from bizcenter.core.errors import ServiceError
from bizcenter.invitations import services as invitations
from bizcenter.invitations.services import Grant, InviteResult
from tests.conftest import act

# The marks of every test of requests racing each other (imported by the other
# concurrency modules): real transactions, on PostgreSQL only.
RACING = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has a single writer, so requests cannot really race "
        "(run with DATABASE_URL=postgres://...)",
    ),
]


def race(jobs: list[Callable[[], object]], timeout: float = 30) -> list[object]:
    """Run every job at the same instant, each in a thread with its own connection.

    Returns each job's result, or the exception it raised.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[i] = jobs[i]()
        except BaseException as exc:  # reported to the test below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    stuck = sum(t.is_alive() for t in threads)
    assert not stuck, f"{stuck} of {len(jobs)} requests never finished (deadlock?)"
    unexpected = [o for o in outcomes if isinstance(o, BaseException)
                  and not isinstance(o, ServiceError)]
    assert not unexpected, f"requests failed with non-service errors: {unexpected[:3]!r}"
    return outcomes


def quick_user(email: str) -> User:
    """A person with an account and a proven address, as the operator makes them (no
    password hashing: it is not what is measured)."""
    return User.objects.create(email=email, password=make_password(None),
                               email_verified_at=timezone.now())


def fresh_center(tag: str) -> tuple[User, BusinessCenter]:
    owner = quick_user(f"owner.{tag}@brand.com")
    return owner, create_center(act(owner), name=f"Race {tag}")


def token(result: InviteResult) -> str:
    assert result.link, result.message
    return result.link.rstrip("/").rsplit("/", 1)[-1]


def joined(owner: User, center: BusinessCenter, email: str, grant: Grant) -> Membership:
    [invited] = invitations.invite(act(owner), center, [email], grant)
    return invitations.accept(act(quick_user(email)), token(invited))
