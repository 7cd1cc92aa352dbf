"""marts.kpi_monthly against values computed by hand from tests/dbt/seller.py and its fixture
modules (seller_margin.py, seller_ads_sku.py, seller_scorecard.py).

October 2026 of ``mug-shop`` (USD, America/New_York), by local order day:
- 10-09: 5001 (60.00 gross, 5.00 discount, 25.00 refunded) and 5004 (40.00); 5003 cancelled:
  2 orders, 3 placed, 1 refunded;
- 10-12: 5101, 5102, 5103 at 40.00 each: 3 orders, none refunded;
- 10-14: 5005 (70.00 gross, 7.00 code, 31.50 refunded): 1 order, refunded;
- 10-15: 5104 (30.00, refunded in full): 1 order, refunded.
Month: 7 orders of 8 placed, gmv 100 + 120 + 70 + 30 = 320, discounts 5 + 7 = 12, refunded
25 + 31.5 + 30 = 86.5, net sales 320 - 12 - 86.5 = 221.5, 1 + 0 + 1 + 1 = 3 orders refunded.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import DE, JP, MUG_SHOP, US

MUG = f"shopify:{MUG_SHOP}"
OCTOBER = "2026-10-01"

MONTH_SQL = """
    select actual, numerator, denominator
    from marts.kpi_monthly
    where month = cast(? as date) and marketplace_id = ? and kpi = ?
"""


def month(warehouse: BuiltWarehouse, marketplace_id: str, kpi: str) -> dict[str, Any]:
    """The October 2026 row of one KPI, as floats (numerator and denominator are decimals)."""
    row = warehouse.record(MONTH_SQL, [OCTOBER, marketplace_id, kpi])
    return {name: None if value is None else float(value) for name, value in row.items()}


def ratio(numerator: float, denominator: float) -> dict[str, Any]:
    return {
        "actual": pytest.approx(numerator / denominator),
        "numerator": pytest.approx(numerator),
        "denominator": pytest.approx(denominator),
    }


def total(amount: float) -> dict[str, Any]:
    return {
        "actual": pytest.approx(amount),
        "numerator": pytest.approx(amount),
        "denominator": None,
    }


def daily_average(warehouse: BuiltWarehouse, column: str, marketplace_id: str) -> float:
    """What a dashboard averaging the daily ratios of October would show (the wrong figure)."""
    (average,) = warehouse.one(
        f"select avg({column}) from marts.kpi_sales_daily "
        "where marketplace_id = ? and date_trunc('month', local_date) = cast(? as date)",
        [marketplace_id, OCTOBER],
    )
    return average


def test_a_month_ratio_is_the_ratio_of_its_sums_not_the_average_of_daily_ratios(
    warehouse: BuiltWarehouse,
) -> None:
    # refund rate: daily 1/2, 0/3, 1/1, 1/1 (days without orders have none) average 0.625;
    # the month's 3 refunded of 7 orders is 0.4286
    assert daily_average(warehouse, "refund_rate", MUG) == pytest.approx(0.625)
    assert month(warehouse, MUG, "refund_rate") == ratio(3, 7)
    # AOV: daily 100/2 = 50, 120/3 = 40, 70/1 = 70, 30/1 = 30 average 47.5; the month 320 / 7
    assert daily_average(warehouse, "aov", MUG) == pytest.approx(47.5)
    assert month(warehouse, MUG, "aov") == ratio(320, 7)
    # margin rate (seed sku_costs: MUG-1 9.00, MUG-2 15.00, COASTER none): daily 36 / 60 = 0.6
    # (10-09), 72 / 120 = 0.6 (10-12: 3 x 40 less 15 + 2 x 9 + 15 = 48), 9 / 18 = 0.5 (10-14),
    # 10-15 NULL (its one unit refunded: 0 / 0); average 0.5667; the month 117 / 198 = 0.5909
    assert daily_average(warehouse, "margin_rate", MUG) == pytest.approx(1.7 / 3)
    assert month(warehouse, MUG, "margin_rate") == ratio(36 + 72 + 9, 60 + 120 + 18)
    # cancellation: 1 cancelled of 8 placed (3 + 3 + 1 + 1)
    assert month(warehouse, MUG, "cancellation_rate") == ratio(1, 8)


def test_a_month_sums_its_days_and_all_sums_the_marketplaces(warehouse: BuiltWarehouse) -> None:
    assert month(warehouse, MUG, "gmv") == total(320)
    assert month(warehouse, MUG, "net_sales") == total(221.5)
    assert month(warehouse, MUG, "orders_count") == total(7)
    assert month(warehouse, MUG, "gross_margin") == total(117)  # 36 + 72 + 9 + 0
    # `all` adds the parts of every marketplace. Net sales: US 36 (10-08: 40 - 4; 10-09:
    # 20 - 20) + DE 4.1667 (30 EUR / 0.8 - 30 EUR / 0.9 refunded at Monday's rate) + 75 (60
    # EUR / 0.8) + JP 20 + 60 (3000 and 9000 JPY / 150) + mug-shop 221.5 = 416.6667
    assert month(warehouse, "all", "net_sales") == total(416.6667)
    # gmv: US 40 + 20, DE 37.5 + 75, JP 20 + 60, mug-shop 320 = 572.5
    assert month(warehouse, "all", "gmv") == total(572.5)
    # refund rate of all: (US 1 + DE 1 + JP 0 + mug-shop 3) / (2 + 2 + 2 + 7)
    assert month(warehouse, "all", "refund_rate") == ratio(5, 13)
    # AOV of all: 572.5 / 13, not the average of the marketplaces' AOVs
    assert month(warehouse, "all", "aov") == ratio(572.5, 13)


def test_tacos_of_a_month_divides_by_all_its_sales_days_with_or_without_ads(
    warehouse: BuiltWarehouse,
) -> None:
    # US ads, 7-day window: 10-09 two campaigns 10.00 + 30.00 for 100.00 + 50.00 of sales;
    # 10-10 the auto campaign 8.50, nothing sold. US gmv of October: 40 (10-08, no ads) + 20
    # (10-09). Daily TACoS was 40 / 20 = 2.0 and NULL on 10-10 (no sales); the month's is
    # 48.5 / 60 = 0.8083
    assert month(warehouse, US, "ad_spend") == total(48.5)
    assert month(warehouse, US, "acos") == ratio(48.5, 150)
    assert month(warehouse, US, "tacos") == ratio(48.5, 60)
    # spend on SKUs out of stock that day: MUG-BLUE on 10-10 (snapshot 0 units), 6.00 of the
    # 48.50 the advertised-product report covers (10-09 and 10-10)
    assert month(warehouse, US, "out_of_stock_ad_spend_share") == ratio(6, 48.5)
    # DE: 8.00 EUR at Saturday's carried 0.8 = 10.00 on 10-10 for 40 EUR / 0.8 = 50.00 of
    # attributed sales; all: (48.5 + 10) / (150 + 50); TACoS over the sales of the marketplaces
    # that advertise, US 60 and DE 37.5 + 75
    assert month(warehouse, "all", "acos") == ratio(58.5, 200)
    assert month(warehouse, "all", "tacos") == ratio(58.5, 60 + 112.5)
    # mug-shop has no ads: no advertising row at all (not 0)
    assert (
        warehouse.rows(
            "select kpi from marts.kpi_monthly where marketplace_id = ? and domain = 'advertising'",
            [MUG],
        )
        == []
    )


def test_inventory_month_comes_from_summed_daily_on_hand_and_units(
    warehouse: BuiltWarehouse,
) -> None:
    # US SKU-days 10-07..10-10: MUG-BLUE on hand 5, 3, 2, 0 and sold 0, 2, 1, 0; MUG-STALE 12
    # each day, none sold. Average on hand 58 / 4 days over average sales 3 / 4 days = 58 / 3
    # days of inventory; 1 stock-out SKU-day (MUG-BLUE on 10-10) of 8
    assert month(warehouse, US, "inventory_turnover_days") == ratio(5 + 3 + 2 + 0 + 4 * 12, 3)
    assert month(warehouse, US, "stock_out_rate") == ratio(1, 8)
    # all adds DE MUG-RED on 10-09: 20 on hand, 1 sold
    assert month(warehouse, "all", "inventory_turnover_days") == ratio(58 + 20, 3 + 1)
    assert month(warehouse, "all", "stock_out_rate") == ratio(1, 9)


def test_support_tickets_of_unmapped_brands_count_in_all_only(warehouse: BuiltWarehouse) -> None:
    # US brand, October: ticket 13 (10-09) answered after 20 min, 14 never; ticket 1 (10-13)
    # after 45 min (the private note at 10 min does not count), agent-created ticket 2 after
    # 150 min (its second public agent comment); ticket 7 (10-30) after 30 min. Unmapped brand,
    # 10-30: ticket 3 answered after 4020 min (Fri 16:00 EDT to Mon 10:00 EST), ticket 4 never.
    # Ticket 6 is deleted: nowhere
    assert month(warehouse, US, "first_response_minutes") == ratio(20 + 45 + 150 + 30, 4)
    assert month(warehouse, US, "tickets_created_count") == total(5)
    # all: (245 + 4020) / 5 answered = 853, not an average of daily or per-brand averages;
    # 2 unanswered of 7 created
    assert month(warehouse, "all", "first_response_minutes") == ratio(4265, 5)
    assert month(warehouse, "all", "tickets_created_count") == total(7)
    assert month(warehouse, "all", "unanswered_ticket_rate") == ratio(2, 7)
    # business minutes: all inside Mon-Fri 09:00-17:00 except ticket 3: Fri 16:00-17:00 and
    # Mon 09:00-10:00 = 120
    assert month(warehouse, "all", "first_response_business_minutes") == ratio(
        20 + 45 + 150 + 30 + 120, 5
    )
    # the unmapped brand's two tickets are in `all` only: DE and JP (mapped brands, rows for
    # their order days) have none in October
    tickets = warehouse.rows(
        "select marketplace_id, numerator from marts.kpi_monthly "
        "where kpi = 'tickets_created_count' and month = cast(? as date) order by 1",
        [OCTOBER],
    )
    assert [(marketplace, int(count)) for marketplace, count in tickets] == [
        (DE, 0),
        (JP, 0),
        (US, 5),
        ("all", 7),
    ]


def test_contacts_per_100_orders_divide_the_month_by_its_orders(warehouse: BuiltWarehouse) -> None:
    # US: 5 tickets over the 2 orders of October (10-08 and 10-09) x 100
    assert month(warehouse, US, "contacts_per_100_orders") == ratio(500, 2)
    # all: the 7 tickets of every brand over the orders of the marketplaces a brand answers for
    # (seed support_brands: US 2, DE 2, JP 2; mug-shop has no brand)
    assert month(warehouse, "all", "contacts_per_100_orders") == ratio(700, 6)


def test_support_resolution_reopens_and_satisfaction_of_a_month(
    warehouse: BuiltWarehouse,
) -> None:
    def november(kpi: str) -> dict[str, Any]:
        row = warehouse.record(MONTH_SQL, ["2026-11-01", DE, kpi])
        return {key: None if value is None else float(value) for key, value in row.items()}

    # DE tickets of November (seller_support.py): 8 solved once, 9 solved, reopened, solved
    # again, 10 and 11 solved once, 12 open. Rated: 9 good, 10 bad (11 offered, 12 unoffered)
    assert november("csat") == ratio(1, 2)
    assert november("reopen_rate") == ratio(1, 4)
    # business minutes to the first solve 960 + 60 + 120 + 120, to the final one 960 + 600 +
    # 120 + 120, over the 4 solved tickets
    assert november("first_resolution_business_minutes") == ratio(1260, 4)
    assert november("full_resolution_business_minutes") == ratio(1800, 4)


def test_a_partly_covered_month_says_so(warehouse: BuiltWarehouse) -> None:
    row = warehouse.record(
        "select days_in_month, covered_from_date, covered_through_date, days_covered, "
        "is_partial_month, is_provisional, unit, domain from marts.kpi_monthly "
        "where month = date '2026-10-01' and marketplace_id = ? and kpi = 'gmv'",
        [MUG],
    )
    # mug-shop's sales history runs from its first order day, 10-09, to its last refund day,
    # 10-18: 10 of October's 31 days; every day is within 14 days of the newest order day
    assert {key: str(value) for key, value in row.items()} == {
        "days_in_month": "31",
        "covered_from_date": "2026-10-09",
        "covered_through_date": "2026-10-18",
        "days_covered": "10",
        "is_partial_month": "True",
        "is_provisional": "True",
        "unit": "USD",
        "domain": "sales",
    }


def test_every_monthly_kpi_is_in_the_catalogue_and_only_marketplaces_with_data_appear(
    warehouse: BuiltWarehouse,
) -> None:
    sales_marketplaces = warehouse.rows(
        "select marketplace_id from marts.kpi_monthly "
        "where month = date '2026-10-01' and kpi = 'gmv' order by 1"
    )
    # apple.myshopify.com sold in 2008 only: no October row
    assert sales_marketplaces == [(DE,), (JP,), (US,), ("all",), (MUG,)]
    missing = warehouse.rows(
        "select distinct kpi from marts.kpi_monthly "
        "where kpi not in (select kpi from staging.kpi_catalogue)"
    )
    assert missing == []
