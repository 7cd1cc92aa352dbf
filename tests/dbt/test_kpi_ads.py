"""marts.kpi_ads_campaign_daily and marts.kpi_ads_daily against hand-computed values.

Includes the shared cases ads_spcampaigns_zero_sales.json.gz and ads_restated_pull1/2.json
(tests/fixtures/cases/, copied from ../shared/cases), landed for the US profile (USD).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import DE, US

CAMPAIGN_SQL = """
    select clicks, cost, attributed_sales, purchases, ctr, cpc, cvr, acos, roas,
        has_spend_without_sales, has_sales_without_clicks
    from marts.kpi_ads_campaign_daily
    where marketplace_id = ? and local_date = cast(? as date) and campaign_id = ?
"""

DAY_SQL = """
    select attribution_window_days, campaigns_count, impressions, clicks, cost,
        attributed_sales, purchases, ctr, cpc, cvr, acos, roas, total_sales, tacos,
        has_spend_without_sales, has_spend_without_total_sales
    from marts.kpi_ads_daily
    where marketplace_id = ? and local_date = cast(? as date)
"""


def usd(amount: str) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.0001"))


def percent(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 3)


def test_day_acos_is_a_ratio_of_sums_not_an_average_of_campaign_acos(
    warehouse: BuiltWarehouse,
) -> None:
    campaigns = warehouse.rows(
        "select campaign_id, acos from marts.kpi_ads_campaign_daily "
        "where marketplace_id = ? and local_date = date '2026-10-09' order by campaign_id",
        [US],
    )
    # 10.00 / 100.00 = 10 % and 30.00 / 50.00 = 60 %
    assert campaigns == [("41000000000001", 0.1), ("41000000000002", 0.6)]
    day = warehouse.record(DAY_SQL, [US, "2026-10-09"])
    assert day == {
        "attribution_window_days": 7,
        "campaigns_count": 2,
        "impressions": 1600,  # 1000 + 600
        "clicks": 50,  # 20 + 30
        "cost": usd("40"),  # 10 + 30
        "attributed_sales": usd("150"),  # 100 + 50
        "purchases": 6,  # 4 + 2
        "ctr": pytest.approx(50 / 1600),  # 3.125 %
        "cpc": pytest.approx(40 / 50),  # 0.80
        "cvr": pytest.approx(6 / 50),  # 12 %
        "acos": pytest.approx(40 / 150),  # 26.67 %, not (10 % + 60 %) / 2 = 35 %
        "roas": pytest.approx(150 / 40),
        "total_sales": usd("20"),  # the US day's gmv: order 2
        "tacos": pytest.approx(40 / 20),
        "has_spend_without_sales": False,
        "has_spend_without_total_sales": False,
    }
    assert percent(day["acos"]) == 26.667


def test_zero_sales_case_gives_null_campaign_acos_with_a_flag(warehouse: BuiltWarehouse) -> None:
    # ads_spcampaigns_zero_sales.json.gz, campaign 1: 4200 impressions, 25 clicks, 50.00 spend,
    # no sales
    assert warehouse.record(CAMPAIGN_SQL, [US, "2026-11-02", "31000000000001"]) == {
        "clicks": 25,
        "cost": usd("50"),
        "attributed_sales": usd("0"),
        "purchases": 0,
        "ctr": pytest.approx(25 / 4200),
        "cpc": pytest.approx(50 / 25),
        "cvr": 0.0,  # 0 / 25
        "acos": None,  # 50 / 0: undefined, never 0 %
        "roas": 0.0,  # 0 / 50
        "has_spend_without_sales": True,
        "has_sales_without_clicks": False,
    }


def test_zero_sales_case_survives_the_row_with_sales_but_no_clicks(
    warehouse: BuiltWarehouse,
) -> None:
    # campaign 3: 0 impressions, 0 clicks, 0.00 spend, 1 purchase, 19.99 sales
    assert warehouse.record(CAMPAIGN_SQL, [US, "2026-11-02", "31000000000003"]) == {
        "clicks": 0,
        "cost": usd("0"),
        "attributed_sales": usd("19.99"),
        "purchases": 1,
        "ctr": None,  # 0 / 0
        "cpc": None,  # 0 / 0
        "cvr": None,  # 1 / 0
        "acos": 0.0,  # 0 / 19.99
        "roas": None,  # 19.99 / 0
        "has_spend_without_sales": False,
        "has_sales_without_clicks": True,
    }


def test_zero_sales_case_day_totals(warehouse: BuiltWarehouse) -> None:
    day = warehouse.record(DAY_SQL, [US, "2026-11-02"])
    assert {key: day[key] for key in ("impressions", "clicks", "cost", "attributed_sales")} == {
        "impressions": 5100,  # 4200 + 900 + 0
        "clicks": 37,  # 25 + 12 + 0
        "cost": usd("68"),  # 50 + 18 + 0
        "attributed_sales": usd("91.99"),  # 0 + 72 + 19.99
    }
    assert round(day["acos"] * 100, 2) == 73.92  # 68 / 91.99
    assert percent(day["ctr"]) == 0.725  # 37 / 5100
    # no US order that day: total sales 0 -> TACoS NULL, flagged
    assert (day["total_sales"], day["tacos"], day["has_spend_without_total_sales"]) == (
        usd("0"),
        None,
        True,
    )


def test_restated_day_is_one_row_with_the_second_pull(warehouse: BuiltWarehouse) -> None:
    # night 1 (ads_restated_pull1.json): 45.00 spend, 0 purchases -> ACoS NULL, flagged;
    # the case files carry the 14-day columns, so the window is 14
    assert warehouse.restated_after_first_night == [(14, 0, usd("0"), None, True)]
    rows = warehouse.rows(
        "select attribution_window_days, purchases, attributed_sales, acos, "
        "has_spend_without_sales from marts.kpi_ads_campaign_daily "
        "where campaign_id = '31000000000002' and local_date = date '2026-10-05'"
    )
    # night 2 (pull2) replaced it: one row, 3 purchases, 89.97 sales -> ACoS 45 / 89.97
    assert rows == [(14, 3, usd("89.97"), pytest.approx(45 / 89.97), False)]
    assert round(rows[0][3] * 100, 2) == 50.02
    day = warehouse.record(DAY_SQL, [US, "2026-10-05"])
    assert round(day["acos"] * 100, 2) == 50.02


def test_euro_ads_are_converted_and_tacos_uses_the_same_currency(
    warehouse: BuiltWarehouse,
) -> None:
    # DE, Saturday 2026-10-10, Friday's 0.8 EUR per USD carried forward
    day = warehouse.record(
        "select cost, attributed_sales, acos, total_sales, tacos, cost_local, total_sales_local "
        "from marts.kpi_ads_daily where marketplace_id = ? and local_date = date '2026-10-10'",
        [DE],
    )
    assert day == {
        "cost": usd("10"),  # 8.00 EUR / 0.8
        "attributed_sales": usd("50"),  # 40.00 EUR / 0.8
        "acos": pytest.approx(10 / 50),  # = 8 / 40 in EUR
        "total_sales": usd("75"),  # the DE day's gmv, 60.00 EUR / 0.8
        "tacos": pytest.approx(8 / 60),  # 10 / 75 in USD = 8 / 60 in EUR
        "cost_local": usd("8"),
        "total_sales_local": usd("60"),
    }
