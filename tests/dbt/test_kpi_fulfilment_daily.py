"""marts.kpi_fulfilment_daily against hand-computed values."""

from __future__ import annotations

from datetime import date

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import MUG_SHOP, US


def fulfilment(warehouse: BuiltWarehouse, marketplace_id: str) -> dict[date, tuple]:
    return {
        row[0]: row[1:]
        for row in warehouse.rows(
            "select local_date, shipped_orders_count, shipped_on_time_count, shipped_late_count, "
            "shipped_without_deadline_count, on_time_shipment_rate, late_shipment_rate "
            "from marts.kpi_fulfilment_daily where marketplace_id = ?",
            [marketplace_id],
        )
    }


def test_amazon_on_time_compares_the_shipment_report_with_latest_ship_date(
    warehouse: BuiltWarehouse,
) -> None:
    # order 1: two items shipped 10:00 PDT (17:00Z) <= deadline 2026-10-10T06:59:59Z: on time,
    #          counted once;
    # order 2: shipped 23:30 PDT on the 9th = 06:30Z on the 10th > deadline 06:00Z: late,
    #          still on local day 10-09;
    # an order not loaded: shipped that day, no deadline, outside the rate.
    # on time 1 / shipped 2 = 50 %, late 1 / 2 = 50 %
    assert fulfilment(warehouse, US) == {date(2026, 10, 9): (2, 1, 1, 1, 0.5, 0.5)}


def test_shopify_on_time_uses_the_first_valid_fulfillment_and_the_handling_hours(
    warehouse: BuiltWarehouse,
) -> None:
    # 5001: created 10-09 10:00 EDT, first fulfillment 10-10 09:00 EDT = 23 h <= 48 h: on time
    #       (the second fulfillment on 10-13 is ignored);
    # 5004: created 10-09 20:30 EDT; its 10-10 fulfillment was cancelled, the valid one is
    #       10-12 10:00 EDT = 61.5 h > 48 h: late;
    # 5002 is a test order and is left out although it was fulfilled.
    assert fulfilment(warehouse, f"shopify:{MUG_SHOP}") == {
        date(2026, 10, 10): (1, 1, 0, 0, 1.0, 0.0),
        date(2026, 10, 12): (1, 0, 1, 0, 0.0, 1.0),
    }
