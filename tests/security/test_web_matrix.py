"""The authorization matrix of the web pages, after the API's (tests/api/test_matrix.py):
every Business Center page, opened and posted to by every kind of person, answers what
the access engine says, and a refused POST changes nothing at all.

The pages come from ``bizcenter.web.urls`` itself, so a page added without an entry in
``PAGES`` fails here until whoever added it says which action it needs. Expected
statuses are derived from ``bizcenter.access.engine.check`` for that person: not logged
in, a redirect to the log-in page; not a member (another Business Center's, a revoked
member, a partner's member): 404, as if the Business Center did not exist; a member the
engine refuses: 403; allowed: 200 (405 for pages that only take POST).

The world (people, assets, campaign, invitation, import ...) is the API matrix's, built
once for the module; each request runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from bizcenter.access import engine
from bizcenter.access.actions import Action
from bizcenter.accounts.models import User
from bizcenter.centers.models import BusinessCenter
from bizcenter.invitations import imports
from bizcenter.invitations.services import Grant
from tests.conftest import act
from tests.support.matrix import World, database, seeded
from tests.support.pages import CENTER_PAGES

pytestmark = pytest.mark.usefixtures("quick_hashing")

OUTSIDER_CODES = ("not_member", "revoked", "membership_expired", "not_found")


@dataclass
class Ctx:
    user: User
    center: BusinessCenter
    world: World


# Allowed, refused (403), or None: not found (404), as for an id that does not exist.
Rule = Callable[[Ctx], bool | None]


def needs(action: Action, on: str = "center", *, first: Action | None = None) -> Rule:
    """On the ad account: the right on the Business Center (``first``, else the action)
    is asked first; an ad account the person may not see at all is then not found,
    exactly like a made-up id, never a refusal that names it."""
    def rule(ctx: Ctx) -> bool | None:
        if on != "ads":
            return engine.check(ctx.user, action, ctx.center).allowed
        if not engine.check(ctx.user, first or action, ctx.center):
            return False
        if not engine.check(ctx.user, Action.ASSET_VIEW, ctx.world.ads, within=ctx.center):
            return None
        return engine.check(ctx.user, action, ctx.world.ads).allowed
    return rule


def own_or(action: Action, owner: Callable[[World], int]) -> Rule:
    """One's own record (member page, change request) or what the action allows."""
    def rule(ctx: Ctx) -> bool | None:
        return ctx.user.pk == owner(ctx.world) or needs(action)(ctx)
    return rule


A = Action
ADMIN = needs(A.MEMBER_MANAGE)
# page name -> (the rule for opening it, whether it only takes POST)
PAGES: dict[str, tuple[Rule, bool]] = {
    "center": (needs(A.CENTER_VIEW), False),
    "troubleshoot": (needs(A.MEMBER_VIEW), False),
    "review": (needs(A.MEMBER_VIEW), False),
    "activity": (needs(A.ACTIVITY_VIEW), False),
    "settings": (needs(A.SETTINGS_MANAGE), False),
    "getting_started": (needs(A.SETTINGS_MANAGE), False),
    "assets": (needs(A.ASSET_VIEW), False),
    "asset_pick": (needs(A.ASSET_VIEW), False),
    "asset": (needs(A.ASSET_VIEW, "ads", first=A.CENTER_VIEW), False),
    "asset_unassign": (needs(A.ASSET_MANAGE), True),
    "groups": (needs(A.ASSET_MANAGE), False),
    "group": (needs(A.ASSET_MANAGE), False),
    "partner_centers": (needs(A.ASSET_MANAGE), False),
    "partner_access": (needs(A.ASSET_MANAGE), False),
    "members": (needs(A.MEMBER_VIEW), False),
    "invitations": (needs(A.MEMBER_VIEW), False),
    "add_partners": (needs(A.MEMBER_INVITE), False),
    "import": (needs(A.MEMBER_INVITE), False),
    "resend": (needs(A.MEMBER_INVITE), True),
    "cancel": (needs(A.MEMBER_INVITE), True),
    "invitation_restore": (needs(A.MEMBER_INVITE), True),
    "invitations_bulk": (needs(A.MEMBER_INVITE), True),
    "members_bulk": (ADMIN, True),
    "copy_link": (needs(A.MEMBER_INVITE), False),
    "member": (own_or(A.MEMBER_VIEW, lambda w: w.target.user_id), False),
    "revoke": (ADMIN, False),
    "edit_member": (ADMIN, False),
    "campaigns": (needs(A.CAMPAIGN_VIEW), False),
    "campaign_new": (needs(A.CAMPAIGN_VIEW), False),
    "campaign": (needs(A.CAMPAIGN_VIEW, "ads"), False),
    # Every member sees the approvals page: a Standard member, their own proposals.
    "approvals": (needs(A.CENTER_VIEW), False),
    "change_request": (own_or(A.APPROVAL_DECIDE, lambda w: w.operator.pk), False),
    "reports": (needs(A.REPORT_VIEW), False),
    "report_account": (needs(A.REPORT_VIEW, "ads"), False),
    "report_campaign": (needs(A.REPORT_VIEW, "ads"), False),
    "report_upload": (ADMIN, False),  # loading metrics is for Admins
    "billing": (needs(A.BILLING_VIEW), False),
    "billing_export": (needs(A.BILLING_VIEW), False),
}

# What a hostile POST carries: enough of every form that a missing check would act.
BODY = {"addresses": "intruder@evil.com", "role": "ADMIN", "modules": ["ANALYTICS"],
        "kind": "other", "name": "Taken over", "company": "Evil", "step": "add",
        "confirm": "yes", "amount": "100", "budget": "500", "objective": "TRAFFIC",
        "advertiser": "1", "decision": "approve", "person": "owner@brand.com",
        "action": "center.view", "timezone": "UTC", "currency": "USD", "partner": "1",
        "note": "x", "partner_id": "1234567890123456789", "owner_id": "1234567890123456789",
        "asset_ids": "1", "message": "let us in", "confirmed": "1"}

# The API world's callers a web page can have (sessions, not tokens).
PEOPLE = ("anonymous", "Admin", "Standard, modules, OPERATOR on the ad account",
          "Standard, modules, ANALYST on the ad account",
          "Standard, no module, OPERATOR on the ad account", "Standard, modules, no asset",
          "Finance Manager", "Finance Analyst", "member whose access ended",
          "member of another Business Center", "partner member, in our Business Center")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    for built in seeded(django_db_blocker):
        with django_db_blocker.unblock():
            owner = _person(built, "Admin")
            assert owner is not None
            job = imports.start_import(act(owner), built.center, b"later@agency.com\n",
                                       Grant())
            built.ids["import_id"] = job.pk
        yield built


def _person(world: World, name: str) -> User | None:
    [caller] = [c for c in world.callers if c.name == name]
    return caller.user


def _url(path: str, ids: dict[str, int]) -> str:
    return "/" + re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), path)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def expected(name: str, user: User | None, world: World, method: str) -> set[int]:
    """The statuses a page may answer this person with; empty: not a refusal to test."""
    rule, post_only = PAGES[name]
    if user is None:
        return {302}
    if engine.check(user, Action.CENTER_VIEW, world.center).code in OUTSIDER_CODES:
        return {404}
    allowed = rule(Ctx(user, world.center, world))
    if allowed is None:
        return {404} if method == "GET" else {404, 405}
    if method == "GET":
        return {405} if post_only else {200} if allowed else {403}
    if allowed:
        return set()  # allowed POSTs are the pages' own tests
    # 405: a page that takes no POST at all may say so before checking access.
    return {403, 405}


def test_every_center_page_has_a_rule():
    undeclared = sorted(set(CENTER_PAGES) - set(PAGES))
    stale = sorted(set(PAGES) - set(CENTER_PAGES))
    assert not undeclared, f"Say which Action each new page needs, in PAGES: {undeclared}"
    assert not stale, f"PAGES names pages that no longer exist: {stale}"


def _check(response, want: set[int], url: str, anonymous: bool) -> str | None:
    got = response.status_code
    if got not in want:
        return f"expected {sorted(want)}, got {got}"
    if "script-src 'self'" not in response.get("Content-Security-Policy", ""):
        return "answered without the Content-Security-Policy"
    if got == 302:
        to_login = response.url.startswith("/login/?next=")
        if anonymous and not to_login:
            return f"redirected to {response.url}, not to the log-in page"
        if not anonymous and (to_login or not response.url.startswith(url[:3])):
            return f"redirected to {response.url}"
    return None


def _post(client: Client, url: str) -> Any:
    """A hostile POST carrying every form's fields and a file (the CSV forms)."""
    upload = SimpleUploadedFile("data.csv", b"campaign_id,date,spend\n1,2026-01-01,5\n",
                                content_type="text/csv")
    return client.post(url, {**BODY, "file": upload})


@pytest.mark.parametrize("name", sorted(CENTER_PAGES))
def test_web_authorization_matrix(name, world, db):
    assert name in PAGES, f"{name} has no rule in PAGES"
    url = _url(CENTER_PAGES[name], world.ids)
    clients = {who: _client(_person(world, who)) for who in PEOPLE}  # logging in writes
    before = database()
    wrong: list[str] = []
    for who in PEOPLE:
        user = _person(world, who)
        engine.reset_caches()
        cache.clear()
        for method in ("GET", "POST"):
            want = expected(name, user, world, method)
            if not want:
                continue
            point = transaction.savepoint()
            try:
                client = clients[who]
                response = client.get(url) if method == "GET" else _post(client, url)
                if problem := _check(response, want, url, user is None):
                    wrong.append(f"{method} as {who}: {problem}")
                if method == "POST" or min(want) >= 300:
                    changed = sorted(label for (label, was), now in
                                     zip(before.items(), database().values(), strict=True)
                                     if was != now)
                    if changed:
                        wrong.append(f"{method} as {who}: answered {response.status_code} "
                                     f"yet changed {changed}")
            finally:
                transaction.savepoint_rollback(point)
    assert not wrong, f"{url}:\n  " + "\n  ".join(wrong)


OBJECT_PAGES = sorted(n for n, p in CENTER_PAGES.items() if p.count("<int:") > 1)


@pytest.mark.parametrize("name", OBJECT_PAGES)
def test_ids_from_another_business_center_are_not_found(name, world, db):
    """The Admin of Rival Co, on their own Business Center's pages, with Brand Co's ids
    (as if guessed or copied from a link): 404, never Brand Co's data, nothing changed."""
    rival_admin = _person(world, "member of another Business Center")
    ids = {**world.ids, "center_id": world.rival.pk}
    url = _url(CENTER_PAGES[name], ids)
    client = _client(rival_admin)  # before the snapshot: logging in writes a session
    before = database()
    point = transaction.savepoint()
    try:
        for method in ("GET", "POST"):
            response = client.get(url) if method == "GET" else _post(client, url)
            allowed = {404, 405} if method == "GET" and PAGES[name][1] else {404}
            assert response.status_code in allowed, (method, url, response.status_code)
            body = response.content.decode()
            for secret in ("Main ads", "Spring sale", "Catalog team", "an@agency.com",
                           "pending@agency.com", "later@agency.com"):
                assert secret not in body, (method, url, secret)
        assert database() == before
    finally:
        transaction.savepoint_rollback(point)
