"""One money parser for every door and every amount (issue 19): a budget typed 25,50 is
not stored as 2550.00, 1e11 and grouped thousands are refused, digits of other scripts
are refused, each with how to write it; valid amounts (JPY whole, exactly 2 decimals)
still work. Through the service, the web form, the REST API and the compatible door."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bizcenter.accounts.tokens import create_token
from bizcenter.assets.services import create_asset
from bizcenter.billing import services as billing
from bizcenter.billing.models import Transaction
from bizcenter.campaigns import services as campaigns
from bizcenter.campaigns.models import Campaign
from bizcenter.centers.services import create_center
from bizcenter.core.errors import InvalidInput
from tests.support.api import Api, error_of
from tests.support.compat import Tik
from tests.support.web import field_error

pytestmark = pytest.mark.usefixtures("quick_hashing")

NEW = {"name": "Spring sale", "objective": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY"}

# What was typed, and the words the refusal must hold.
REFUSED = [
    ("25,50", "'25,50' is not an amount: write 25.50"),
    ("1e11", "'1e11' is not an amount: write digits with a dot"),
    ("999,999,999,999.99", "write 999999999999.99 (no thousands separators)"),
    ("\u0663", "'\u0663' is not an amount: write 3"),
    ("1 000", "'1 000' is not an amount: write 1000"),
    ("+50", "'+50' is not an amount: write 50"),
    ("20000000", "more than the 10,000,000.00 USD allowed at once"),
]


@pytest.fixture
def ads(center, as_owner):
    return create_asset(as_owner, center, type="ADVERTISER", name="Main ads")


# -- the service -------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "says"), REFUSED)
def test_service_refuses_each_with_how_to_write_it(center, as_owner, ads, typed, says):
    with pytest.raises(InvalidInput) as budget:
        campaigns.create_campaign(as_owner, center, ads.pk, **NEW, budget=typed)
    assert says in budget.value.message and set(budget.value.fields) == {"budget"}
    with pytest.raises(InvalidInput) as top:
        billing.top_up(as_owner, center, typed)
    assert says.replace("a budget", "a top-up") in top.value.message
    assert set(top.value.fields) == {"amount"}
    assert not Campaign.objects.exists() and not Transaction.objects.exists()


def test_valid_amounts_still_work_including_jpy_whole_and_exact_cents(as_owner, center, ads,
                                                                     owner):
    made = campaigns.create_campaign(as_owner, center, ads.pk, **NEW, budget="25.50").campaign
    assert made.budget == Decimal("25.50")
    assert billing.top_up(as_owner, center, "10000000").amount == Decimal("10000000.00")
    assert billing.top_up(as_owner, center, Decimal("0.01")).amount == Decimal("0.01")
    yen = create_center(as_owner, name="Tokyo", currency="JPY")
    assert billing.top_up(as_owner, yen, "5000").amount == Decimal("5000.00")
    with pytest.raises(InvalidInput) as cents:
        billing.top_up(as_owner, yen, "5000.50")
    assert "JPY has no smaller unit: enter a whole amount" in cents.value.message
    with pytest.raises(InvalidInput) as third:
        billing.top_up(as_owner, center, "1.005")
    assert "'1.005' has more than 2 decimals; USD amounts have at most 2" in third.value.message


def test_monthly_limit_and_refund_read_the_same_way(as_owner, center, ads):
    billing.top_up(as_owner, center, "100")
    for call in (lambda v: billing.refund(as_owner, center, v),
                 lambda v: billing.set_spending_limit(as_owner, center, ads.pk, v)):
        with pytest.raises(InvalidInput) as refused:
            call("25,50")
        assert refused.value.message == "'25,50' is not an amount: write 25.50"
    assert billing.set_spending_limit(as_owner, center, ads.pk, "2500.75").amount == \
        Decimal("2500.75")


# -- the web form ------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "says"), REFUSED[:4])
def test_web_forms_refuse_beside_the_field_keeping_what_was_typed(client, owner, center, ads,
                                                                  typed, says):
    client.force_login(owner)
    page = client.post(f"/c/{center.pk}/campaigns/new/",
                       {"advertiser": ads.pk, **NEW, "budget": typed})
    html = page.content.decode()
    assert page.status_code == 400
    assert says.replace("'", "&#x27;") in html and f'value="{typed}"' in html
    top = client.post(f"/c/{center.pk}/billing/", {"step": "topup", "topup-amount": typed})
    assert top.status_code == 400
    assert says in field_error(top, "topup-amount")
    assert not Campaign.objects.exists() and not Transaction.objects.exists()


# -- the REST API ------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "says"), REFUSED)
def test_api_answers_400_naming_the_field(center, as_owner, ads, typed, says):
    api = Api(create_token(as_owner, center, "script").secret)
    made = api.send("post", f"/centers/{center.pk}/campaigns",
                    {"advertiser_id": str(ads.pk), **NEW, "budget": typed})
    assert made.status_code == 400 and "budget" in error_of(made)["fields"]
    assert says in error_of(made)["message"]
    top = api.send("post", f"/centers/{center.pk}/billing/top-ups", {"amount": typed})
    assert top.status_code == 400 and says.replace("a budget", "a top-up") in \
        error_of(top)["message"] and "amount" in error_of(top)["fields"]
    assert not Campaign.objects.exists() and not Transaction.objects.exists()


def test_api_json_numbers_are_read_as_written(center, as_owner, ads):
    api = Api(create_token(as_owner, center, "script").secret)
    made = api.send("post", f"/centers/{center.pk}/campaigns",
                    {"advertiser_id": str(ads.pk), **NEW, "budget": 25.5})
    assert made.status_code == 201 and Campaign.objects.get().budget == Decimal("25.50")
    huge = api.send("post", f"/centers/{center.pk}/billing/top-ups", {"amount": 1e11})
    assert huge.status_code == 400 and "allowed at once" in error_of(huge)["message"]


# -- the TikTok-compatible door ----------------------------------------------------


def test_compat_answers_40002_with_the_words(live_server, center, as_owner, ads):
    tik = Tik(live_server.url, create_token(as_owner, center, "tiktok tools").secret)
    try:
        for typed, says in REFUSED:
            body = tik.post("campaign/create/", advertiser_id=str(ads.pk),
                            campaign_name="Spring", objective_type="TRAFFIC",
                            budget_mode="BUDGET_MODE_DAY", budget=typed)
            assert body["code"] == 40002 and says in body["message"], (typed, body)
        # A JSON number as TikTok sends it: read as written, never through a float.
        raw = json.dumps({"advertiser_id": str(ads.pk), "campaign_name": "Spring",
                          "objective_type": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY"})
        for number, says in (("1e11", "allowed at once"), ("25.505", "more than 2 decimals")):
            answer = tik._answer(tik.http.request(
                "POST", tik.base + "campaign/create/",
                body=raw[:-1] + f', "budget": {number}}}',
                headers={**tik._headers(), "Content-Type": "application/json"}))
            assert answer["code"] == 40002 and says in answer["message"], answer
        assert not Campaign.objects.exists()
        made = tik.post("campaign/create/", advertiser_id=str(ads.pk), campaign_name="Spring",
                        objective_type="TRAFFIC", budget_mode="BUDGET_MODE_DAY", budget=25.5)
        assert made["code"] == 0, made
        assert Campaign.objects.get().budget == Decimal("25.50")
    finally:
        tik.http.clear()
