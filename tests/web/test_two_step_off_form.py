"""Turning 2-step verification on showed the turn-off form with the code just used
already typed in (issue 21): the form right after starts empty."""

from __future__ import annotations

import re

import pytest

from tests.conftest import fresh_code

pytestmark = pytest.mark.usefixtures("quick_hashing")


def test_the_turn_off_form_after_turning_on_is_empty(client, make_user):
    kim = make_user("kim@agency.com", name="Kim")
    client.force_login(kim)
    client.post("/account/security/", {"step": "start"})
    kim.refresh_from_db()
    code = fresh_code(kim)
    done = client.post("/account/security/", {"step": "confirm", "code": code})
    page = done.content.decode()
    assert done.status_code == 200 and "Turn off 2-step verification" in page
    off = page[page.index('value="disable"'):]
    field = re.search(r"<input[^>]*name=\"code\"[^>]*>", off)
    assert field is not None
    assert "value=" not in field.group(0), field.group(0)
    assert code not in page
