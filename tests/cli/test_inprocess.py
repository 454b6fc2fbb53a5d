"""The command line's in-process door to the API: who it acts as, and that no HTTP
request can pose as it."""

from __future__ import annotations

import pytest

from bizcenter.api.auth import IN_PROCESS
from bizcenter.cli.inprocess import Local
from bizcenter.cli.remote import RemoteError, path
from bizcenter.core.actor import Actor
from tests.conftest import act


def test_acts_as_the_person_and_keeps_their_limits(db, owner, center, make_user):
    stranger = make_user("stranger@example.com")
    mine = Local(act(owner)).get(path("centers", center.pk))
    assert mine["name"] == center.name
    with pytest.raises(RemoteError) as refused:
        Local(act(stranger)).get(path("centers", center.pk))
    assert refused.value.status == 404


def test_the_operator_lists_every_center(db, center):
    listed = Local(Actor.system("cli")).get(path("centers"))
    assert str(center.pk) in {c["id"] for c in listed}


@pytest.mark.parametrize("header", [IN_PROCESS, "Bizcenter-In-Process-Actor"])
def test_no_http_request_reaches_the_in_process_door(db, client, center, header):
    """A header lands in the environ as HTTP_<NAME>, and its value is text, never an
    Actor: with no token the API answers 401."""
    answer = client.get(f"/api/v1/centers/{center.pk}", headers={header: "operator"})
    assert answer.status_code == 401
    answer = client.get(f"/api/v1/centers/{center.pk}", **{f"HTTP_{IN_PROCESS}": "x"})
    assert answer.status_code == 401


def test_a_server_failure_is_raised_as_itself(db, owner, center, monkeypatch):
    """A command on this installation ends with the failure itself ("error: database:
    ..."), not with the 500 page the API would answer a remote caller."""
    from django.db import DatabaseError

    from bizcenter.api.routers import centers

    def broken(c):
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(centers.CenterOut, "of", staticmethod(broken))
    with pytest.raises(DatabaseError, match="disk is full"):
        Local(act(owner)).get(path("centers", center.pk))
