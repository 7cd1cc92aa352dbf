"""marts.kpi_inventory_daily against hand-computed values (ledger + nightly snapshot).

US sales of MUG-BLUE (local days): 2 units on 2026-10-08, 1 on 2026-10-09 (the cancelled order's
unit does not count). Sellable on hand from the ledger: 5, 3, 2 on 10-07..10-09; on 10-10 the
ledger says 1 but the nightly snapshot says 0 and wins. MUG-STALE: 12 every day, never sold.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import DE, US

INVENTORY_SQL = """
    select on_hand_units, on_hand_source, units_sold, trailing_30d_units_sold,
        trailing_30d_avg_on_hand_units, inventory_turnover_days, days_of_supply,
        is_stock_out, is_dead_stock
    from marts.kpi_inventory_daily
    where marketplace_id = ? and seller_sku = ? and local_date = cast(? as date)
"""


def inventory(warehouse: BuiltWarehouse, marketplace_id: str, sku: str, day: str) -> dict:
    return warehouse.record(INVENTORY_SQL, [marketplace_id, sku, day])


def expected(
    on_hand: int, source: str, sold: int, sold_30d: int, avg_on_hand: float,
    turnover: float | None, supply: float | None, stock_out: bool, dead: bool,
) -> dict[str, Any]:  # fmt: skip
    return {
        "on_hand_units": on_hand,
        "on_hand_source": source,
        "units_sold": sold,
        "trailing_30d_units_sold": sold_30d,
        "trailing_30d_avg_on_hand_units": pytest.approx(avg_on_hand),
        "inventory_turnover_days": None if turnover is None else pytest.approx(turnover),
        "days_of_supply": None if supply is None else pytest.approx(supply),
        "is_stock_out": stock_out,
        "is_dead_stock": dead,
    }


def test_stock_out_sku_has_zero_days_of_supply_and_a_finite_turnover(
    warehouse: BuiltWarehouse,
) -> None:
    # on hand 0 (the snapshot overrides the ledger's 1); sold in the window 2 + 1 = 3, per day
    # 3 / 30 = 0.1; average on hand (5 + 3 + 2 + 0) / 4 = 2.5; turnover 2.5 / 0.1 = 25 days;
    # days of supply 0 / 0.1 = 0
    assert inventory(warehouse, US, "MUG-BLUE", "2026-10-10") == expected(
        0, "snapshot", 0, 3, 2.5, 25.0, 0.0, True, False
    )


def test_sku_with_sales_mid_window(warehouse: BuiltWarehouse) -> None:
    # on hand 2 (the CUSTOMER_DAMAGED row of 4 units is not sellable), sold 1 that day, 3 in the
    # window; average (5 + 3 + 2) / 3 = 3.3333; turnover 3.3333 / 0.1 = 33.33 days;
    # days of supply 2 / 0.1 = 20
    assert inventory(warehouse, US, "MUG-BLUE", "2026-10-09") == expected(
        2, "ledger", 1, 3, 10 / 3, 100 / 3, 20.0, False, False
    )


def test_no_sales_sku_has_null_ratios_and_is_dead_stock(warehouse: BuiltWarehouse) -> None:
    # 12 on hand, nothing sold in 30 days: 12 / 0 -> NULL (never 0 or infinity), dead stock
    assert inventory(warehouse, US, "MUG-STALE", "2026-10-10") == expected(
        12, "snapshot", 0, 0, 12.0, None, None, False, True
    )


def test_ledger_country_names_the_marketplace(warehouse: BuiltWarehouse) -> None:
    # the report was requested for the US, but its row located in DE belongs to Amazon.de;
    # 20 on hand, 1 sold that local day (order 302-...-1) -> 20 / (1 / 30) = 600 days
    assert inventory(warehouse, DE, "MUG-RED", "2026-10-09") == expected(
        20, "ledger", 1, 1, 20.0, 600.0, 600.0, False, False
    )
    counts = warehouse.rows(
        "select marketplace_id, seller_sku, count(*) from marts.kpi_inventory_daily "
        "group by all order by all"
    )
    # US history 10-07 .. 10-10 for both SKUs; DE only 10-09
    assert counts == [(DE, "MUG-RED", 1), (US, "MUG-BLUE", 4), (US, "MUG-STALE", 4)]
