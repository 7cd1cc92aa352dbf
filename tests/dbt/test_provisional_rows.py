"""``is_provisional`` on every KPI mart, against settle windows worked out by hand.

A row is provisional while its day is within the mart's settle window (dbt_project.yml vars:
sales 14, ads 28, fulfilment 3, inventory 3, support 7 days) of the newest day of its data: the
marketplace's newest order, report, ship or inventory day, or the newest support day. "Within
N days" is a difference in days below N: the newest day and the N - 1 before it.
"""

from __future__ import annotations

from datetime import date

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import APPLE_SHOP, DE, JP, MUG_SHOP, US


def flags(warehouse: BuiltWarehouse, mart: str) -> dict[tuple[str, date], bool]:
    """One flag per marketplace and day (every row of that day must agree)."""
    rows = warehouse.rows(
        f"select marketplace_id, local_date, bool_and(is_provisional), bool_or(is_provisional) "
        f"from marts.{mart} group by 1, 2"
    )
    assert all(every == some for *_, every, some in rows), f"{mart}: mixed flags on one day"
    return {(marketplace, day): every for marketplace, day, every, _ in rows}


def test_sales_days_stay_provisional_for_fourteen_days_after_the_newest_order_day(
    warehouse: BuiltWarehouse,
) -> None:
    # US: newest order 111-0000003, placed 2026-10-09 08:00 PDT; the spine runs from the
    # 2026-03-31 order to the 2026-10-18 refund. 10-09 - 13 days = 09-26: 09-26..10-18 are
    # provisional (23 days, the refund-only days after the newest order included), 03-31..09-25
    # settled (1 + 30 + 31 + 30 + 31 + 31 + 25 = 179 days).
    # DE: newest order 302-0000002 at 00:01 CEST on 10-10; rows 10-09..10-12: all provisional.
    # JP: newest order 503-0000002 at 00:01 JST on 10-10; rows 10-09, 10-10: provisional.
    # mug-shop: newest order day 10-09; rows 10-09..10-18 (a refund nine days later): all.
    # apple (the genuine 2008 order): its only day is its newest order day: provisional.
    rows = warehouse.rows(
        "select marketplace_id, count(*) filter (where is_provisional), "
        "count(*) filter (where not is_provisional), "
        "min(local_date) filter (where is_provisional), "
        "max(local_date) filter (where not is_provisional) "
        "from marts.kpi_sales_daily group by 1"
    )
    assert {row[0]: row[1:] for row in rows} == {
        US: (23, 179, date(2026, 9, 26), date(2026, 9, 25)),
        DE: (4, 0, date(2026, 10, 9), None),
        JP: (2, 0, date(2026, 10, 9), None),
        f"shopify:{MUG_SHOP}": (10, 0, date(2026, 10, 9), None),
        f"shopify:{APPLE_SHOP}": (1, 0, date(2008, 1, 10), None),
    }


def test_ads_campaign_days_settle_twenty_eight_days_after_the_newest_report_day(
    warehouse: BuiltWarehouse,
) -> None:
    # US: newest report day 2026-11-02 (the zero-sales report). 10-05 is 28 days before it:
    # settled; 10-09 and 10-10 (seller_ads_sku.py's stock-out day) are 24 and 23 days before:
    # provisional. DE: its only day, 10-10: provisional.
    assert flags(warehouse, "kpi_ads_campaign_daily") == {
        (US, date(2026, 10, 5)): False,
        (US, date(2026, 10, 9)): True,
        (US, date(2026, 10, 10)): True,
        (US, date(2026, 11, 2)): True,
        (DE, date(2026, 10, 10)): True,
    }


def test_an_ads_day_is_provisional_while_its_sales_day_is(warehouse: BuiltWarehouse) -> None:
    # US 10-05: its campaigns are settled, but TACoS divides by the US sales of 10-05, which
    # are provisional (4 days before the newest US order day, 10-09): the day is provisional.
    assert flags(warehouse, "kpi_ads_daily") == {
        (US, date(2026, 10, 5)): True,
        (US, date(2026, 10, 9)): True,
        (US, date(2026, 10, 10)): True,
        (US, date(2026, 11, 2)): True,
        (DE, date(2026, 10, 10)): True,
    }


def test_fulfilment_days_stay_provisional_for_three_days_after_the_newest_ship_day(
    warehouse: BuiltWarehouse,
) -> None:
    # US ships on 10-09 only (its newest ship day). mug-shop: newest ship day 10-12; 10-10 is
    # 2 days before it, inside the 3 days: both provisional.
    assert flags(warehouse, "kpi_fulfilment_daily") == {
        (US, date(2026, 10, 9)): True,
        (f"shopify:{MUG_SHOP}", date(2026, 10, 10)): True,
        (f"shopify:{MUG_SHOP}", date(2026, 10, 12)): True,
    }


def test_inventory_days_stay_provisional_for_three_days_after_the_newest_ledger_day(
    warehouse: BuiltWarehouse,
) -> None:
    # US ledger 10-07..10-10 for two SKUs: 10-10 - 2 = 10-08, so 10-08..10-10 are provisional
    # and 10-07 (3 days before) is settled. DE: one day, 10-09: provisional.
    assert flags(warehouse, "kpi_inventory_daily") == {
        (US, date(2026, 10, 7)): False,
        (US, date(2026, 10, 8)): True,
        (US, date(2026, 10, 9)): True,
        (US, date(2026, 10, 10)): True,
        (DE, date(2026, 10, 9)): True,
    }
    assert warehouse.one(
        "select count(*) filter (where is_provisional), count(*) "
        "from marts.kpi_inventory_daily where marketplace_id = ?",
        [US],
    ) == (6, 8)


def test_support_days_stay_provisional_for_seven_days_after_the_newest_support_day(
    warehouse: BuiltWarehouse,
) -> None:
    # The newest support day of the help desk is 11-25 (ticket 5, US; ticket 8, DE); 10-13 (US,
    # 43 days before) and 10-30 (unmapped brand, 26 days before) are settled, although 10-30 is
    # its own brand's newest day: one export serves every brand. Days with orders and no ticket
    # (DE, JP 10-09 and 10-10) do not move the newest support day and are 46-47 days before.
    assert flags(warehouse, "kpi_customer_service_daily") == {
        (DE, date(2026, 10, 9)): False,
        (DE, date(2026, 10, 10)): False,
        (DE, date(2026, 11, 2)): False,  # 23 days before
        (DE, date(2026, 11, 25)): True,
        (JP, date(2026, 10, 9)): False,
        (JP, date(2026, 10, 10)): False,
        (US, date(2026, 10, 9)): False,
        (US, date(2026, 10, 13)): False,
        (US, date(2026, 10, 30)): False,
        (US, date(2026, 11, 25)): True,
        ("all", date(2026, 10, 30)): False,
    }
