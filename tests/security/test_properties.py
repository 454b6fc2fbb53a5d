"""Property tests (hypothesis) on what hostile input reaches first: address parsing, the
invitation CSV, the formula defusing of every CSV export, and the access rules.

Bounded on purpose: a few dozen examples each, derandomized (the same ones every run), no
deadline (the first database example is slow), data built inside each example and rolled
back.
"""

from __future__ import annotations

import csv
import io
import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bizcenter.access import engine
from bizcenter.access.actions import Action
from bizcenter.accounts.addresses import AddressKind, parse_address
from bizcenter.accounts.services import create_user
from bizcenter.assets.services import create_asset
from bizcenter.audit.services import _csv_safe
from bizcenter.centers.models import Membership
from bizcenter.centers.services import create_center, revoke_member
from bizcenter.core.actor import Actor
from bizcenter.core.errors import InvalidInput
from bizcenter.invitations.imports import EITHER_HEADERS, EMAIL_HEADERS, PHONE_HEADERS, parse_csv
from tests.conftest import PASSWORD, act, join

pytestmark = pytest.mark.usefixtures("quick_hashing")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Derandomized and without an example database: the same examples on every run, in CI too.
QUICK = settings(max_examples=60, deadline=None, derandomize=True, database=None)


# -- addresses ----------------------------------------------------------------------------


@QUICK
@given(st.text(max_size=80))
@example("Ana@Agency.COM")
@example("+1 (415) 555-0123")
@example("+14155550123".translate({ord("+"): 0xFF0B, **{48 + d: 0xFF10 + d for d in range(10)}}))
@example("a@b@c")
@example("\x00@x.com")
@example("@")
@example("+")
def test_any_text_parses_to_a_fixed_point_or_is_refused_clearly(text):
    """Whatever is typed either becomes one stored form that parses to itself again,
    plain ASCII, or is refused with our own error; nothing else is ever raised."""
    try:
        address = parse_address(text)
    except InvalidInput as refused:
        assert refused.message and refused.fields
        return
    assert address.value.isascii() and address.value == address.value.strip()
    assert parse_address(address.value) == address
    if address.kind is AddressKind.EMAIL:
        assert address.value == address.value.lower()
    else:
        assert address.value.startswith("+") and address.value[1:].isdigit()


# Letters and a dot that look like ASCII ones: Cyrillic, Greek, Armenian, fullwidth...
LOOK_ALIKES = {
    "a": "\u0430\u0251\u03b1", "e": "\u0435\u03b5", "o": "\u043e\u03bf\u0585",
    "p": "\u0440\u03c1", "c": "\u0441\u03f2", "x": "\u0445\u03c7", "i": "\u0456\u0131",
    "l": "\u04cf\u217c", "s": "\u0455", "y": "\u0443\u03b3", ".": "\uff0e\u3002",
}


@QUICK
@given(st.sampled_from(["paypal.example.com", "apple.com", "ana.lopez@agency.io",
                        "oscar@corp.example", "sales@psycho.co"]),
       st.data())
def test_a_unicode_look_alike_of_an_email_is_refused(plain, data):
    """One letter swapped for a character that looks like it (Cyrillic a, Greek
    omicron, fullwidth dot...) must never become an address an invitation could be matched to."""
    email = plain if "@" in plain else f"billing@{plain}"
    spots = [i for i, ch in enumerate(email) if ch in LOOK_ALIKES]
    where = data.draw(st.sampled_from(spots))
    twin = data.draw(st.sampled_from(LOOK_ALIKES[email[where]]))
    spoof = email[:where] + twin + email[where + 1:]
    assert parse_address(email).value == email.lower()
    with pytest.raises(InvalidInput):
        parse_address(spoof)


# -- the invitation CSV -----------------------------------------------------------------------


@QUICK
@given(st.binary(max_size=600))
@example(b'"' + b"a" * 140_000)  # a cell past the csv module's own limit
@example(b"a\rb,c\r\r\n")  # a lone carriage return
@example(b"\xef\xbb\xbfemail\r\nana@agency.com\r\n")
@example(b"\xff\xfe\x00a")
@example(b"email\n\x00")
def test_any_bytes_give_addresses_or_a_clear_refusal(data):
    try:
        addresses = parse_csv(data)
    except InvalidInput as refused:
        assert refused.message and refused.fields.get("file")
        return
    assert addresses and all(a == a.strip() and a for a in addresses)


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
               max_size=30)


@QUICK
@given(st.lists(st.lists(cell, min_size=1, max_size=4), min_size=1, max_size=20),
       st.sampled_from(["email", "phone", "address", None]))
def test_a_written_csv_is_read_back_as_its_address_column(rows, header):
    """Any table a spreadsheet could save: the addresses read are exactly the address
    column's non-blank cells (the first column without a known header)."""
    headers = EMAIL_HEADERS + PHONE_HEADERS + EITHER_HEADERS
    assume(all(c.strip().lower() not in headers for r in rows[:1] for c in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(["name", header])
        rows = [["someone", *r] for r in rows]
        column = 1
    else:
        column = 0
    writer.writerows(rows)
    wanted = [r[column].strip() for r in rows
              if any(c.strip() for c in r) and len(r) > column and r[column].strip()]
    try:
        assert parse_csv(buffer.getvalue().encode()) == wanted
    except InvalidInput as refused:
        assert not wanted and "no addresses" in refused.message


# -- CSV exports never carry a live formula ---------------------------------------------------


@QUICK
@given(st.text(max_size=40))
@example("=cmd|' /C calc'!A0")
@example("@SUM(1+1)*cmd|' /C calc'!A0")
@example("\t=1+1")
@example("\r=1+1")
@example("-2+3")
def test_a_cell_never_starts_a_formula_and_keeps_its_text(text):
    safe = _csv_safe(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe in (text, "'" + text)


HOSTILE_CELLS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                 "\t=1", "\r=1", "=cmd|' /C calc'!A0"]


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]


def _no_live_formula(text: str, numeric_ok: bool = False) -> None:
    for value in _cells(text):
        if numeric_ok and value.lstrip("-").replace(".", "", 1).isdigit():
            continue  # our own negative amounts
        assert not value.startswith(FORMULA_STARTS), repr(value)


def test_the_activity_export_defuses_formulas(center, as_owner, make_user):
    from bizcenter.audit.services import activity, export

    for n, name in enumerate(HOSTILE_CELLS):
        make_user(f"p{n}@x.com", name=name)  # names appear as the log's labels
        join(as_owner, center, make_user(f"m{n}@x.com", name=name))
    text = "".join(export(activity(as_owner, center), "csv"))
    assert "=HYPERLINK" in text  # the names are there, defused
    _no_live_formula(text)


def test_the_report_export_defuses_formulas(center, as_owner):
    from bizcenter.campaigns.models import Campaign
    from bizcenter.reporting.services import export_csv
    from tests.support.reporting import metric

    ads = create_asset(as_owner, center, type="ADVERTISER", name="=cmd|' /C calc'!A0")
    for n, name in enumerate(HOSTILE_CELLS):
        campaign = Campaign.objects.create(advertiser=ads, name=name, objective="TRAFFIC")
        metric(campaign, "2026-03-30", f"{n + 1}.00", 100, 1, 0)
    text = export_csv(as_owner, center, by="campaign", since="2026-03-01", until="2026-04-30")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    _no_live_formula(text)


def test_the_billing_export_defuses_formulas(center, as_owner):
    from bizcenter.billing import services as billing

    for name in HOSTILE_CELLS:
        billing.top_up(as_owner, center, "10", note=name)
    text = "".join(billing.export_transactions(as_owner, center))
    assert "'+1+1" in text
    _no_live_formula(text, numeric_ok=True)


# -- the access rules ---------------------------------------------------------------------------

ACTIONS = list(Action)
counter = itertools.count()


grants = st.fixed_dictionaries({
    "role": st.sampled_from(["ADMIN", "STANDARD"]),
    "finance_role": st.sampled_from(["", "MANAGER", "ANALYST"]),
    "modules": st.lists(st.sampled_from(["ANALYTICS", "CAMPAIGNS", "ASSETS", "BILLING"]),
                        unique=True, max_size=4),
    "ads": st.sampled_from([None, "ADMIN", "OPERATOR", "ANALYST"]),
    "paused": st.sampled_from([None, "ADMIN", "OPERATOR", "ANALYST"]),
    "catalog": st.sampled_from([None, "ADMIN", "AD_PROMOTE"]),
    "end": st.sampled_from(["revoked", "expired", None, None]),
})


@settings(QUICK, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grant=grants)
def test_check_agrees_with_explain_and_an_ended_member_reaches_nothing(db, grant):
    """For random roles, modules and asset roles, on every action and resource: `check`
    and `explain` give the same verdict and code; once the membership is revoked or has
    expired, nothing at all is allowed."""
    n = next(counter)
    with transaction.atomic():
        engine.reset_caches()
        owner = create_user(Actor.system("test"), email=f"owner{n}@brand.com", password=PASSWORD)
        as_owner = act(owner)
        center = create_center(as_owner, name=f"Brand {n}")
        ads = create_asset(as_owner, center, type="ADVERTISER", name="Main ads")
        paused = create_asset(as_owner, center, type="ADVERTISER", name="Paused ads",
                              status="DISABLED")
        catalog = create_asset(as_owner, center, type="CATALOG", name="Catalog")
        assets = {ads.pk: grant["ads"], paused.pk: grant["paused"], catalog.pk: grant["catalog"]}
        person = create_user(Actor.system("test"), email=f"p{n}@agency.com", password=PASSWORD)
        membership = join(as_owner, center, person, role=grant["role"],
                          finance_role=grant["finance_role"], modules=tuple(grant["modules"]),
                          assets={k: [v] for k, v in assets.items() if v})
        resources = [center, ads, paused, catalog]

        for action, resource in itertools.product(ACTIONS, resources):
            decision = engine.check(person, action, resource)
            explained = engine.explain(person, action, resource)
            assert (decision.allowed, decision.code) == (explained.allowed, explained.code), \
                (action, resource)
        if grant["role"] == "ADMIN":
            assert engine.check(person, Action.MEMBER_MANAGE, center).allowed

        if grant["end"] == "revoked":
            revoke_member(as_owner, center, membership.pk)
        elif grant["end"] == "expired":
            Membership.objects.filter(pk=membership.pk).update(
                expires_at=timezone.now() - timedelta(seconds=1))
            engine.reset_caches()  # a new process; the snapshot also stops at expiry itself
        if grant["end"]:
            for action, resource in itertools.product(ACTIONS, resources):
                assert not engine.check(person, action, resource).allowed, (action, resource)
                assert not engine.explain(person, action, resource).allowed
        transaction.set_rollback(True)
    engine.reset_caches()
