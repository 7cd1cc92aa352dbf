"""marts.kpi_ads_sku_daily and the out-of-stock spend of marts.kpi_ads_daily, by hand.

The ad rows are those of tests/dbt/seller_ads_sku.py; the sales, refunds and stock they meet
are seller.py's: US MUG-BLUE sold 2 units (40.00) on 10-08 and 1 unit (20.00, order 2, refunded
nine days later) on 10-09, the 10-09 cancelled order does not count; on hand 3 on 10-08, 2 on
10-09 and 0 on 10-10 (the snapshot: stock-out); MUG-STALE 12 every day and never sold; DE
MUG-RED sold 2 units for 60.00 EUR on Sat 10-10 (Friday's 0.8 EUR per USD carried), no DE
inventory row on 10-10.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import DE, US

SKU_SQL = """
    select ads_count, campaigns_count, impressions, clicks, cost, attributed_sales, purchases,
        attributed_units, ctr, cpc, cvr, acos, roas, units_sold, gmv, refunded_units,
        refund_rate, tacos, on_hand_units, is_stock_out, has_spend_without_sales,
        has_spend_without_total_sales, is_provisional
    from marts.kpi_ads_sku_daily
    where marketplace_id = ? and local_date = cast(? as date) and seller_sku = ?
        and attribution_window_days = ?
"""

STOCK_SQL = """
    select cost, out_of_stock_cost, out_of_stock_cost_share, stock_unknown_cost,
        out_of_stock_cost_local, stock_unknown_cost_local
    from marts.kpi_ads_daily
    where marketplace_id = ? and local_date = cast(? as date) and attribution_window_days = ?
"""


def usd(amount: str) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.0001"))


def sku_day(
    warehouse: BuiltWarehouse, marketplace_id: str, day: str, sku: str, window: int = 7
) -> dict:
    return warehouse.record(SKU_SQL, [marketplace_id, day, sku, window])


def test_refund_rate_sits_beside_acos_and_tacos_in_one_sku_row(warehouse: BuiltWarehouse) -> None:
    assert sku_day(warehouse, US, "2026-10-09", "MUG-BLUE") == {
        "ads_count": 2,  # the auto campaign's ad and the exact campaign's ad
        "campaigns_count": 2,
        "impressions": 1300,  # 700 + 600
        "clicks": 44,  # 14 + 30
        "cost": usd("37"),  # 7.00 + 30.00
        "attributed_sales": usd("130"),  # 80.00 + 50.00
        "purchases": 5,  # 3 + 2
        "attributed_units": 5,  # 3 + 2
        "ctr": pytest.approx(44 / 1300),
        "cpc": pytest.approx(37 / 44),
        "cvr": pytest.approx(5 / 44),
        # 37 / 130 = 28.46 %: the ratio of the summed ads, not the average of the two ads'
        # ACoS (7 / 80 = 8.75 % and 30 / 50 = 60 %, average 34.375 %)
        "acos": pytest.approx(37 / 130),
        "roas": pytest.approx(130 / 37),
        "units_sold": 1,  # order 2; the cancelled order 3 does not count
        "gmv": usd("20"),  # 1 x 20.00
        "refunded_units": 1,  # order 2's unit, refunded on 10-18 (order-date view)
        "refund_rate": 1.0,  # 1 / 1
        "tacos": pytest.approx(37 / 20),  # 185 %: ads cost more than the SKU sold that day
        "on_hand_units": 2,
        "is_stock_out": False,
        "has_spend_without_sales": False,
        "has_spend_without_total_sales": False,
        "is_provisional": True,  # 1 day before the newest US ads day, 10-10
    }


def test_a_sku_with_halo_sales_and_no_sales_of_its_own(warehouse: BuiltWarehouse) -> None:
    row = sku_day(warehouse, US, "2026-10-09", "MUG-STALE")
    # its ad's clicks bought 20.00 of other products (sales7d counts them), MUG-STALE sold none
    assert {key: row[key] for key in ("cost", "attributed_sales", "acos", "units_sold")} == {
        "cost": usd("3"),
        "attributed_sales": usd("20"),
        "acos": pytest.approx(3 / 20),  # 15 %
        "units_sold": 0,
    }
    assert (row["gmv"], row["tacos"], row["has_spend_without_total_sales"]) == (
        usd("0"),
        None,  # 3.00 / 0: undefined
        True,
    )
    assert (row["refund_rate"], row["on_hand_units"], row["is_stock_out"]) == (None, 12, False)


def test_spend_on_an_out_of_stock_sku_with_no_sales(warehouse: BuiltWarehouse) -> None:
    row = sku_day(warehouse, US, "2026-10-10", "MUG-BLUE")
    assert row == {
        "ads_count": 1,
        "campaigns_count": 1,
        "impressions": 500,
        "clicks": 10,
        "cost": usd("6"),
        "attributed_sales": usd("0"),
        "purchases": 0,
        "attributed_units": 0,
        "ctr": pytest.approx(10 / 500),
        "cpc": pytest.approx(6 / 10),
        "cvr": 0.0,  # 0 / 10
        "acos": None,  # 6.00 / 0: undefined, never 0 %
        "roas": 0.0,  # 0 / 6.00
        "units_sold": 0,
        "gmv": usd("0"),
        "refunded_units": 0,
        "refund_rate": None,  # 0 / 0
        "tacos": None,  # 6.00 / 0
        "on_hand_units": 0,  # the nightly snapshot of 10-10
        "is_stock_out": True,
        "has_spend_without_sales": True,
        "has_spend_without_total_sales": True,
        "is_provisional": True,
    }


def test_the_day_s_out_of_stock_spend_and_its_share(warehouse: BuiltWarehouse) -> None:
    # US 10-10: the auto campaign spent 8.50: 6.00 on MUG-BLUE (out of stock) and 2.50 on
    # MUG-STALE (12 on hand) -> 6.00 / 8.50 = 70.59 %
    assert warehouse.record(STOCK_SQL, [US, "2026-10-10", 7]) == {
        "cost": usd("8.5"),
        "out_of_stock_cost": usd("6"),
        "out_of_stock_cost_share": pytest.approx(6 / 8.5),
        "stock_unknown_cost": usd("0"),
        "out_of_stock_cost_local": usd("6"),
        "stock_unknown_cost_local": usd("0"),
    }
    # US 10-09: every advertised SKU in stock -> 0 / 40.00 = 0 %, known, not NULL
    assert warehouse.record(STOCK_SQL, [US, "2026-10-09", 7]) == {
        "cost": usd("40"),
        "out_of_stock_cost": usd("0"),
        "out_of_stock_cost_share": 0.0,
        "stock_unknown_cost": usd("0"),
        "out_of_stock_cost_local": usd("0"),
        "stock_unknown_cost_local": usd("0"),
    }


def test_spend_on_skus_without_inventory_is_unknown_not_in_stock(
    warehouse: BuiltWarehouse,
) -> None:
    # DE 10-10: MUG-RED has no DE inventory row that day -> stock unknown: 8.00 EUR / 0.8 =
    # 10.00 USD counted apart, the out-of-stock share is 0 / 10.00
    assert warehouse.record(STOCK_SQL, [DE, "2026-10-10", 7]) == {
        "cost": usd("10"),
        "out_of_stock_cost": usd("0"),
        "out_of_stock_cost_share": 0.0,
        "stock_unknown_cost": usd("10"),
        "out_of_stock_cost_local": usd("0"),
        "stock_unknown_cost_local": usd("8"),
    }
    row = sku_day(warehouse, DE, "2026-10-10", "MUG-RED")
    assert (row["on_hand_units"], row["is_stock_out"]) == (None, None)
    # US 11-02: the advertised-product report does not cover the day -> NULL, not 0
    assert warehouse.record(STOCK_SQL, [US, "2026-11-02", 7]) == {
        "cost": usd("68"),
        "out_of_stock_cost": None,
        "out_of_stock_cost_share": None,
        "stock_unknown_cost": None,
        "out_of_stock_cost_local": None,
        "stock_unknown_cost_local": None,
    }


def test_euro_sku_row_converts_both_legs_at_the_day_s_rate(warehouse: BuiltWarehouse) -> None:
    row = warehouse.record(
        "select cost, attributed_sales, gmv, acos, tacos, refund_rate, cost_local, "
        "attributed_sales_local, gmv_local, currency_code from marts.kpi_ads_sku_daily "
        "where marketplace_id = ? and seller_sku = 'MUG-RED'",
        [DE],
    )
    assert row == {
        "cost": usd("10"),  # 8.00 EUR / 0.8
        "attributed_sales": usd("50"),  # 40.00 EUR / 0.8
        "gmv": usd("75"),  # 60.00 EUR / 0.8 (order 302-...-2, 2 units)
        "acos": pytest.approx(10 / 50),  # = 8 / 40 in EUR
        "tacos": pytest.approx(8 / 60),  # 10 / 75 in USD = 8 / 60 in EUR
        "refund_rate": 0.0,  # 0 of the 2 units (the DE refund is of the 10-09 order)
        "cost_local": usd("8"),
        "attributed_sales_local": usd("40"),
        "gmv_local": usd("60"),
        "currency_code": "EUR",
    }


def test_sku_rows_add_up_to_the_day_as_a_ratio_of_sums(warehouse: BuiltWarehouse) -> None:
    skus = warehouse.one(
        "select sum(cost), sum(attributed_sales), sum(cost) / sum(attributed_sales) "
        "from marts.kpi_ads_sku_daily where marketplace_id = ? and local_date = '2026-10-09' "
        "and attribution_window_days = 7",
        [US],
    )
    day = warehouse.one(
        "select cost, attributed_sales, acos from marts.kpi_ads_daily "
        "where marketplace_id = ? and local_date = '2026-10-09' and attribution_window_days = 7",
        [US],
    )
    # MUG-BLUE 37.00 / 130.00 and MUG-STALE 3.00 / 20.00 -> 40.00 / 150.00 = 26.67 %, the
    # campaign report's day, not the average of 28.46 % and 15 %
    assert skus[:2] == day[:2] == (usd("40"), usd("150"))
    assert float(skus[2]) == pytest.approx(40 / 150)
    assert day[2] == pytest.approx(40 / 150)


def test_a_sku_s_month_adds_up_from_its_rows_sales_only_days_included(
    warehouse: BuiltWarehouse,
) -> None:
    rows = warehouse.rows(
        "select local_date, ads_count, cost, gmv, units_sold, acos, tacos, refund_rate "
        "from marts.kpi_ads_sku_daily where marketplace_id = ? and seller_sku = 'MUG-BLUE' "
        "and attribution_window_days = 7 order by local_date",
        [US],
    )
    # 10-08 has no ad but MUG-BLUE sold (inside the US ads history 10-05..10-10): a row with
    # zero ad figures, ACoS 0 / 0 = NULL, TACoS 0 / 40.00 = 0, refund rate 0 / 2 = 0
    assert rows[0] == (date(2026, 10, 8), 0, usd("0"), usd("40"), 2, None, 0.0, 0.0)
    assert [row[0] for row in rows] == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
    month = warehouse.one(
        "select sum(cost) / sum(attributed_sales), sum(cost) / sum(gmv), "
        "sum(refunded_units) / sum(units_sold) from marts.kpi_ads_sku_daily "
        "where marketplace_id = ? and seller_sku = 'MUG-BLUE' and attribution_window_days = 7",
        [US],
    )
    # ACoS (0 + 37 + 6) / (0 + 130 + 0) = 33.08 %; TACoS 43 / (40 + 20 + 0) = 71.67 %;
    # refund rate (0 + 1 + 0) / (2 + 1 + 0) = 33.33 %
    assert [float(value) for value in month] == pytest.approx([43 / 130, 43 / 60, 1 / 3])


def test_the_restated_sku_day_is_one_row_with_the_second_pull(warehouse: BuiltWarehouse) -> None:
    # the 14-day window of the shared restated case, as one ad: night 2 brought 3 purchases
    # for 89.97 -> ACoS 45.00 / 89.97 = 50.02 %; no inventory on 10-05: stock unknown
    row = sku_day(warehouse, US, "2026-10-05", "MUG-SET", window=14)
    assert (row["purchases"], row["attributed_sales"], row["is_stock_out"]) == (
        3,
        usd("89.97"),
        None,
    )
    assert round(row["acos"] * 100, 2) == 50.02
    assert warehouse.record(STOCK_SQL, [US, "2026-10-05", 14])["stock_unknown_cost"] == usd("45")


def test_rows_exist_only_for_advertised_skus_inside_the_ads_history(
    warehouse: BuiltWarehouse,
) -> None:
    counts = warehouse.rows(
        "select marketplace_id, attribution_window_days, seller_sku, count(*), "
        "bool_and(is_provisional) from marts.kpi_ads_sku_daily group by all order by all"
    )
    # DE: only 10-10 (its ads history is that one day; the 10-09 sale is before it).
    # US window 7: MUG-BLUE 10-08..10-10, MUG-STALE 10-09 and 10-10; window 14: MUG-SET 10-05.
    # Every row is within 28 days of its marketplace's newest ads day (10-10): provisional.
    assert counts == [
        (DE, 7, "MUG-RED", 1, True),
        (US, 7, "MUG-BLUE", 3, True),
        (US, 7, "MUG-STALE", 2, True),
        (US, 14, "MUG-SET", 1, True),
    ]
