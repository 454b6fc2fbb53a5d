"""Lists at volume (issue 21) read the same number of queries whatever the rows: the
members list at 50 rows a page, sorted by each header both ways, searched, with the
bulk checkboxes, and past its last page; pending invitations and the access review
likewise. Each page is read on a Business Center of 8 people and on one of 150, and
must make exactly as many queries on both (no query per row), and stay under a bound."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bizcenter.accounts.models import User
from bizcenter.assets.models import AssetGrant, AssetGroup, AssetGroupMember
from bizcenter.assets.services import create_asset
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.centers.services import create_center
from bizcenter.invitations import services as invitations
from tests.conftest import act

pytestmark = pytest.mark.usefixtures("quick_hashing")

# Page -> the most queries it may make (measured when written, plus a little slack).
PAGES = {
    "members, 50 a page": ("/c/{c}/partners/?size=50", 9),
    "members by name": ("/c/{c}/partners/?size=50&sort=name", 9),
    "members by name, Z to A": ("/c/{c}/partners/?size=50&sort=-name", 9),
    "members by last active": ("/c/{c}/partners/?size=50&sort=-last_active", 9),
    "members by kind, searched": ("/c/{c}/partners/?size=50&sort=kind&q=agency", 9),
    "members past the last page": ("/c/{c}/partners/?size=50&page=99", 11),
    "members, select all on the page": ("/c/{c}/partners/?size=50&select=page", 9),
    "invitations, 100 a page": ("/c/{c}/partners/invitations/?size=100&sort=-address", 9),
    "access review, 50 a page": ("/c/{c}/review/?size=50&sort=-assets", 14),
}


def build(make_user, tag: str, people: int) -> tuple[BusinessCenter, Client]:
    owner = make_user(f"owner@{tag}.example", name="Owner")
    center = create_center(act(owner), name=f"Center {tag}")
    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"p{i}@agency{i % 3}.{tag}.example", name=f"Person {i:03d}",
             password=make_password(None)) for i in range(people))
    rows = Membership.objects.bulk_create(
        Membership(center=center, user=u, role="STANDARD", kind="agency" if i % 2 else "client",
                   modules=["ANALYTICS"], last_active_at=now - timedelta(days=i))
        for i, u in enumerate(users))
    assets = [create_asset(act(owner), center, type="ADVERTISER", name=f"Ads {i}")
              for i in range(3)]
    AssetGrant.objects.bulk_create(AssetGrant(membership=m, asset=assets[i % 3],
                                              roles=["ANALYST"]) for i, m in enumerate(rows))
    group = AssetGroup.objects.create(center=center, name="All ads")
    group.assets.set(assets)
    AssetGroupMember.objects.bulk_create(
        AssetGroupMember(group=group, membership=m, roles={"ADVERTISER": ["ANALYST"]})
        for m in rows[::2])
    invitations.invite(act(owner), center, [f"i{i}@brand.{tag}.example"
                                            for i in range(min(people, 50))])
    web = Client()
    web.force_login(owner)
    return center, web


def queries(web: Client, path: str) -> int:
    web.get(path)  # warm: a first view may note activity
    with CaptureQueriesContext(connection) as seen:
        response = web.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(seen)


def test_list_pages_read_as_many_queries_for_150_people_as_for_8(make_user):
    small, small_web = build(make_user, "small", 8)
    large, large_web = build(make_user, "large", 150)
    counts = {}
    for page, (template, bound) in PAGES.items():
        few = queries(small_web, template.format(c=small.pk))
        many = queries(large_web, template.format(c=large.pk))
        counts[page] = (few, many)
        assert many <= bound, (page, few, many)
        # Past the last page reads one page more only when there is one to go back to.
        if "past" not in page:
            assert few == many, (page, few, many)
    print(counts)  # shown with -s: the figures for the report
    assert counts
