"""One meaning for billing access (issue 19): the Billing module and the finance roles
are one thing. A Standard member holds the Billing module exactly when they hold a
finance role (Finance Analyst views billing, Finance Manager changes it); the web forms
offer one "Billing access" choice; the engine, the troubleshooter, the API and the
pages agree; rows saved before the rule are made to obey it."""

from __future__ import annotations

import re
from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client

from bizcenter.access.actions import Action
from bizcenter.access.engine import explain
from bizcenter.access.troubleshoot import troubleshoot
from bizcenter.accounts.tokens import create_token
from bizcenter.centers import services as centers
from bizcenter.centers.models import BusinessCenter, Membership
from bizcenter.invitations import services as invitations
from bizcenter.invitations.models import Invitation
from bizcenter.invitations.services import Grant
from tests.conftest import join
from tests.support.api import Api, error_of

pytestmark = pytest.mark.usefixtures("quick_hashing")


def page(center: BusinessCenter) -> str:
    return f"/c/{center.pk}/billing/"


def api_paths(center: BusinessCenter) -> list[str]:
    base = f"/centers/{center.pk}/billing"
    return [base, f"{base}/transactions", f"{base}/invoices"]


def api_of(person, center: BusinessCenter) -> Api:
    from tests.conftest import act

    return Api(create_token(act(person), center, "mine").secret)


def browser_of(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_inviting_with_the_billing_module_gives_someone_who_views_billing(
        center, as_owner, make_user):
    sam = make_user("sam@agency.com", name="Sam")
    membership = join(as_owner, center, sam, modules=("ANALYTICS", "BILLING"))
    assert (membership.modules, membership.finance_role) == (["ANALYTICS", "BILLING"],
                                                            "ANALYST")
    web = browser_of(sam)
    assert web.get(page(center)).status_code == 200
    api = api_of(sam, center)
    for path in api_paths(center):
        assert api.get(path).status_code == 200, path
    # Viewing, not changing: the least power that shows billing.
    refused = api.send("post", f"{api_paths(center)[0]}/top-ups", {"amount": "10"})
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "finance_role_too_low"
    assert web.post(page(center), {"step": "topup", "topup-amount": "5"}).status_code == 403


def test_a_finance_role_always_shows_the_billing_module(center, as_owner, make_user):
    ana = make_user("ana@brand.com", name="Ana")
    membership = join(as_owner, center, ana, modules=("ANALYTICS",), finance_role="ANALYST")
    assert membership.modules == ["ANALYTICS", "BILLING"]
    # Modules named without Billing and a finance role named in the same call: the
    # finance role wins, it is the more specific.
    changed = centers.update_member(as_owner, center, membership.pk, modules=["CAMPAIGNS"],
                                    finance_role="MANAGER")
    assert (changed.modules, changed.finance_role) == (["BILLING", "CAMPAIGNS"], "MANAGER")
    listed = Api(create_token(as_owner, center, "script").secret).get(
        f"/centers/{center.pk}/members/{membership.pk}")
    assert listed.status_code == 200 and "BILLING" in listed.json()["modules"]
    pending = invitations.invite(as_owner, center, ["new@brand.com"],
                                 Grant(modules=("ASSETS",), finance_role="MANAGER"))
    assert pending[0].ok
    invitation = Invitation.objects.get(address="new@brand.com")
    assert (invitation.modules, invitation.finance_role) == (["ASSETS", "BILLING"], "MANAGER")


def test_removing_the_module_removes_billing_access_on_the_next_request(
        center, as_owner, make_user):
    sam = make_user("sam@agency.com", name="Sam")
    membership = join(as_owner, center, sam, modules=("ANALYTICS", "BILLING"))
    api = api_of(sam, center)
    assert api.get(api_paths(center)[0]).status_code == 200
    changed = centers.update_member(as_owner, center, membership.pk, modules=["ANALYTICS"])
    assert (changed.modules, changed.finance_role) == (["ANALYTICS"], "")
    refused = api.get(api_paths(center)[0])
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "finance_role_missing"
    assert browser_of(sam).get(page(center)).status_code == 403


def test_the_forms_offer_one_billing_access_choice(client, owner, center, as_owner,
                                                  make_user):
    client.force_login(owner)
    add = client.get(f"/c/{center.pk}/partners/add/").content.decode()
    assert 'value="BILLING"' not in add  # no Billing checkbox that could mean something else
    assert "Billing access" in add and "Finance Analyst — view billing" in add
    assert "Finance Manager — change billing" in add
    client.post(f"/c/{center.pk}/partners/add/", {
        "addresses": "eve@agency.com", "role": "STANDARD", "modules": ["ANALYTICS"],
        "finance_role": "ANALYST", "kind": "agency"})
    invitation = Invitation.objects.get(address="eve@agency.com")
    assert (invitation.modules, invitation.finance_role) == (["ANALYTICS", "BILLING"], "ANALYST")

    sam = make_user("sam@agency.com", name="Sam")
    membership = join(as_owner, center, sam, modules=("ANALYTICS",), finance_role="MANAGER")
    url = f"/c/{center.pk}/partners/{membership.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'value="BILLING"' not in form
    assert re.search(r'<option value="MANAGER" selected>', form)
    client.post(url, {"role": "STANDARD", "modules": ["ANALYTICS"], "finance_role": "",
                      "kind": "agency"})
    membership.refresh_from_db()
    assert (membership.modules, membership.finance_role) == (["ANALYTICS"], "")
    assert browser_of(sam).get(page(center)).status_code == 403


def test_the_troubleshooter_says_what_the_engine_says(center, as_owner, make_user):
    sam = make_user("sam@agency.com", name="Sam")
    join(as_owner, center, sam, modules=("ANALYTICS", "BILLING"))
    nobody = make_user("lee@agency.com", name="Lee")
    join(as_owner, center, nobody, modules=("ANALYTICS",))
    for person, action, allowed in ((sam, Action.BILLING_VIEW, True),
                                    (sam, Action.BILLING_MANAGE, False),
                                    (nobody, Action.BILLING_VIEW, False)):
        told = troubleshoot(as_owner, center, person.email, action.value)
        assert told == explain(person, action, center)
        assert told.allowed is allowed, told.as_text()
        words = told.as_text()
        assert "Billing access" in words
        # Nothing tells anyone to tick a Billing module: the finance role is it.
        assert "module" not in words.lower()


@pytest.mark.parametrize(("modules", "finance", "kwargs", "expected"), [
    # A finance role brings the module.
    (["ANALYTICS"], "MANAGER", {}, (["ANALYTICS", "BILLING"], "MANAGER")),
    # The module asked for alone is Finance Analyst.
    (["BILLING"], "", {}, (["BILLING"], "ANALYST")),
    (["billing", "ASSETS"], None, {}, (["ASSETS", "BILLING"], "ANALYST")),
    # An edit taking the module away, finance role not named: the role goes.
    (["ANALYTICS"], "MANAGER", {"before": ["ANALYTICS", "BILLING"]}, (["ANALYTICS"], "")),
    # The finance role named as none with the module named: the finance role wins.
    (["BILLING"], "", {"finance_named": True}, ([], "")),
    # A finance role named, modules named without Billing: the finance role wins.
    (["ASSETS"], "ANALYST", {"before": ["ASSETS", "BILLING"], "finance_named": True},
     (["ASSETS", "BILLING"], "ANALYST")),
    # The finance role cleared, modules not named: the module goes.
    (["ANALYTICS", "BILLING"], "", {"modules_named": False, "finance_named": True},
     (["ANALYTICS"], "")),
    # An Admin made Standard keeps its modules but was never given billing.
    (["ANALYTICS", "ASSETS", "BILLING", "CAMPAIGNS"], "", {"modules_named": False},
     (["ANALYTICS", "ASSETS", "CAMPAIGNS"], "")),
    # Admins see billing whatever they hold.
    (["ANALYTICS", "ASSETS", "BILLING", "CAMPAIGNS"], "", {"role": "ADMIN"},
     (["ANALYTICS", "ASSETS", "BILLING", "CAMPAIGNS"], "")),
    (["ANALYTICS"], "", {}, (["ANALYTICS"], "")),
])
def test_the_rule(modules, finance, kwargs, expected):
    from bizcenter.centers.choices import billing_access

    assert billing_access(modules, finance, **kwargs) == expected


def test_an_admin_made_standard_is_not_given_billing(center, as_owner, make_user):
    ada = make_user("ada@brand.com", name="Ada")
    membership = join(as_owner, center, ada, role="ADMIN")
    assert "BILLING" in membership.modules
    changed = centers.update_member(as_owner, center, membership.pk, role="STANDARD")
    assert "BILLING" not in changed.modules and changed.finance_role == ""
    assert api_of(ada, center).get(api_paths(center)[0]).status_code == 403


def test_the_migration_makes_rows_saved_before_the_rule_obey_it(center, as_owner, make_user):
    sam = make_user("sam@agency.com", name="Sam")
    ana = make_user("ana@brand.com", name="Ana")
    lee = make_user("lee@agency.com", name="Lee")
    ticked = join(as_owner, center, sam, modules=("ANALYTICS",))
    role_only = join(as_owner, center, ana, modules=("ANALYTICS",))
    plain = join(as_owner, center, lee, modules=("CAMPAIGNS",))
    invitations.invite(as_owner, center, ["new@brand.com"], Grant(modules=("ASSETS",)))
    # What the old forms saved: the Billing module without a finance role, and a finance
    # role without the module.
    Membership.objects.filter(pk=ticked.pk).update(modules=["ANALYTICS", "BILLING"])
    Membership.objects.filter(pk=role_only.pk).update(finance_role="MANAGER")
    Invitation.objects.filter(address="new@brand.com").update(modules=["ASSETS", "BILLING"])
    owner_row = Membership.objects.get(center=center, role="ADMIN")
    before = BusinessCenter.objects.get(pk=center.pk).access_version
    assert api_of(sam, center).get(api_paths(center)[0]).status_code == 403

    import_module("bizcenter.centers.migrations.0006_billing_access").forward(apps, None)
    import_module("bizcenter.invitations.migrations.0006_billing_access").forward(apps, None)

    def held(pk: int) -> tuple[list[str], str]:
        row = Membership.objects.get(pk=pk)
        return row.modules, row.finance_role

    assert held(ticked.pk) == (["ANALYTICS", "BILLING"], "ANALYST")
    assert held(role_only.pk) == (["ANALYTICS", "BILLING"], "MANAGER")
    assert held(plain.pk) == (["CAMPAIGNS"], "")
    assert held(owner_row.pk) == (owner_row.modules, owner_row.finance_role)  # Admins as is
    invitation = Invitation.objects.get(address="new@brand.com")
    assert (invitation.modules, invitation.finance_role) == (["ASSETS", "BILLING"], "ANALYST")
    # Cached access is stale: the very next request sees the new rule.
    assert BusinessCenter.objects.get(pk=center.pk).access_version != before
    assert api_of(sam, center).get(api_paths(center)[0]).status_code == 200
