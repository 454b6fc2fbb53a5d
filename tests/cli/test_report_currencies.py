"""``bizcenter report`` keeps money in its currency, locally and against a server: an
agency in GBP shown a brand's EUR ad account prints a total line per currency, and every
amount beside its own currency."""

from __future__ import annotations

import pytest

from bizcenter.accounts.tokens import create_token
from tests.conftest import act
from tests.support.cli import as_json, run
from tests.support.reporting import Currencies, build_currencies

pytestmark = pytest.mark.usefixtures("quick_hashing")
SPAN = ("--from", "2026-03-30", "--to", "2026-03-31")


@pytest.fixture
def world(make_user) -> Currencies:
    return build_currencies(make_user)


def table(capsys, *args: str) -> str:
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return out


def test_a_total_line_per_currency_and_amounts_with_theirs(world, capsys):
    c, boss = str(world.agency.pk), world.boss.email
    out = table(capsys, "report", c, *SPAN, "--by", "campaign", "--as", boss)
    lines = out.splitlines()
    assert ("total spend: 56.00 GBP impressions: 7000 clicks: 70 conversions: 7 "
            "CTR: 1.00 %") in lines
    assert ("total spend: 1234.00 EUR impressions: 120000 clicks: 600 conversions: 24 "
            "CTR: 0.50 %") in lines
    assert "1290.00" not in out  # never 56.00 and 1,234.00 added up
    [push] = [line for line in lines if "Brand push" in line]
    assert "1234.00 EUR" in push and "51.42 EUR" in push and "GBP" not in push
    found = as_json(capsys, "report", c, *SPAN, "--as", boss)
    assert found["totals"] is None
    assert [t["currency"] for t in found["totals_by_currency"]] == ["GBP", "EUR"]


def test_one_currency_prints_one_total_line_as_before(world, capsys):
    out = table(capsys, "report", str(world.agency.pk), *SPAN, "--advertiser",
                str(world.brand_ads.pk), "--as", world.boss.email)
    assert [line for line in out.splitlines() if line.startswith("total spend")] == [
        "total spend: 1234.00 EUR impressions: 120000 clicks: 600 conversions: 24 "
        "CTR: 0.50 %"]


def test_the_csv_has_a_currency_column(world, capsys, tmp_path):
    target = tmp_path / "days.csv"
    table(capsys, "report", str(world.agency.pk), *SPAN, "--csv", str(target), "--as",
          world.boss.email)
    lines = target.read_text().splitlines()
    assert lines[0].endswith(",cpa,currency")
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["GBP", "GBP", "EUR", "EUR"]


@pytest.mark.usefixtures("live_server")
def test_against_a_server_it_prints_the_same(world, capsys, live_server):
    token = create_token(act(world.boss), world.agency, "cli").secret
    args = ("report", str(world.agency.pk), *SPAN, "--by", "account")
    local = run(capsys, *args, "--as", world.boss.email)
    far = run(capsys, "--url", live_server.url, "--token", token, *args)
    assert local[0] == 0 and far == local
    assert "1234.00 EUR" in far[1] and "56.00 GBP" in far[1]
