"""marts.kpi_sales_daily against values computed by hand from tests/dbt/seller.py.

Rates (units per USD): EUR Thu 2026-10-08 0.75, Fri 0.8, Mon 2026-10-12 0.9 (Saturday and
Sunday carry Friday's); JPY 140, 150, 160. Amounts in USD unless `_local`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.dbt.conftest import BuiltWarehouse
from tests.dbt.seller import DE, JP, MUG_SHOP, US

SALES_SQL = """
    select orders_count, placed_orders_count, cancelled_orders_count, units_count, gmv,
        discounts, refunded_amount, net_sales, refunded_orders_count, refund_rate, aov,
        cancellation_rate
    from marts.kpi_sales_daily
    where marketplace_id = ? and local_date = cast(? as date)
"""


def usd(amount: str) -> Decimal:
    return Decimal(amount).quantize(Decimal("0.0001"))


def sales(
    orders: int, placed: int, cancelled: int, units: int, gmv: str, discounts: str,
    refunded: str, net: str, refunded_orders: int, refund_rate: float, aov: float,
    cancellation_rate: Any,
) -> dict[str, Any]:  # fmt: skip
    return {
        "orders_count": orders,
        "placed_orders_count": placed,
        "cancelled_orders_count": cancelled,
        "units_count": units,
        "gmv": usd(gmv),
        "discounts": usd(discounts),
        "refunded_amount": usd(refunded),
        "net_sales": usd(net),
        "refunded_orders_count": refunded_orders,
        "refund_rate": refund_rate,
        "aov": aov,
        "cancellation_rate": cancellation_rate,
    }


@pytest.mark.parametrize(
    ("marketplace_id", "day", "expected"),
    [
        pytest.param(
            US, "2026-10-08",
            # order 1 at 06:59Z = 23:59 PDT on the 8th: 2 mugs, line total 40.00, promotion 4.00
            # (its item 10009, read with an older order version, is gone); net 40 - 4 = 36
            sales(1, 1, 0, 2, "40", "4", "0", "36", 0, 0.0, 40.0, 0.0),
            id="an order at 23:59 Los Angeles time counts on that Los Angeles day",
        ),
        pytest.param(
            US, "2026-10-09",
            # order 2 at 07:01Z = 00:01 PDT: 20.00, refunded on the 18th (20.00 by order date);
            # order 3 cancelled: placed 2, orders 1, cancellation 1 / 2; net 20 - 0 - 20 = 0;
            # refund rate 1 refunded / 1 order
            sales(1, 2, 1, 1, "20", "0", "20", "0", 1, 1.0, 20.0, 0.5),
            id="an order at 00:01 Los Angeles time and a cancelled one count on the next day",
        ),
        pytest.param(
            DE, "2026-10-09",
            # 21:59Z = 23:59 CEST Friday: 30.00 EUR / 0.8 = 37.50 USD; refunded Monday at
            # Monday's rate: 30.00 EUR / 0.9 = 33.3333 USD; net 37.50 - 33.3333 = 4.1667
            sales(1, 1, 0, 1, "37.5", "0", "33.3333", "4.1667", 1, 1.0, 37.5, 0.0),
            id="a German order before Berlin midnight is converted at Friday's rate",
        ),
        pytest.param(
            DE, "2026-10-10",
            # 22:01Z = 00:01 CEST Saturday: no ECB rate, Friday's 0.8 carries (not Monday's
            # 0.9): 60.00 EUR / 0.8 = 75.00 USD
            sales(1, 1, 0, 2, "75", "0", "0", "75", 0, 0.0, 75.0, 0.0),
            id="a German order after Berlin midnight falls on Saturday at Friday's carried rate",
        ),
        pytest.param(
            JP, "2026-10-09",
            # 14:59Z = 23:59 JST: 3000 JPY (no minor unit) / 150 = 20.00 USD
            sales(1, 1, 0, 1, "20", "0", "0", "20", 0, 0.0, 20.0, 0.0),
            id="a Japanese order before Tokyo midnight, yen read without minor units",
        ),
        pytest.param(
            JP, "2026-10-10",
            # 15:01Z = 00:01 JST Saturday: 9000 JPY / 150 (Friday's, carried) = 60.00 USD
            sales(1, 1, 0, 3, "60", "0", "0", "60", 0, 0.0, 60.0, 0.0),
            id="a Japanese order after Tokyo midnight falls on Saturday",
        ),
        pytest.param(
            f"shopify:{MUG_SHOP}", "2026-10-09",
            # 5001: 2 x 25.00 + 10.00, discount 5.00, 25.00 refunded on the 18th; 5004: 40.00,
            # placed 20:30 EDT = 00:30Z next day; 5002 is a test order (out of everything),
            # 5003 cancelled. gmv 50 + 10 + 40 = 100; net 100 - 5 - 25 = 70; aov 100 / 2 = 50;
            # refund rate 1 / 2; cancellation 1 / 3 placed
            sales(2, 3, 1, 4, "100", "5", "25", "70", 1, 0.5, 50.0, pytest.approx(1 / 3)),
            id="Shopify leaves out test and cancelled orders and buckets in the shop's zone",
        ),
    ],
)  # fmt: skip
def test_sales_day_matches_the_hand_computed_values(
    warehouse: BuiltWarehouse, marketplace_id: str, day: str, expected: dict[str, Any]
) -> None:
    assert warehouse.record(SALES_SQL, [marketplace_id, day]) == expected


def test_a_day_without_orders_has_null_ratios_not_zero(warehouse: BuiltWarehouse) -> None:
    # US 2026-10-10 lies between order days: 0 orders, so aov = 0 / 0, refund_rate = 0 / 0
    row = warehouse.record(
        "select orders_count, gmv, aov, refund_rate, cancellation_rate, has_no_orders "
        "from marts.kpi_sales_daily where marketplace_id = ? and local_date = date '2026-10-10'",
        [US],
    )
    assert row == {
        "orders_count": 0,
        "gmv": usd("0"),
        "aov": None,
        "refund_rate": None,
        "cancellation_rate": None,
        "has_no_orders": True,
    }


@pytest.mark.parametrize(
    ("marketplace_id", "amount", "orders_on_order_day", "refund_rate_on_order_day"),
    [
        pytest.param(
            # PostedDate 2026-10-18T16:00Z = 09:00 PDT on the 18th; Principal -20.00 -> 20.00;
            # the order day has 1 order, refunded: refund rate 1 / 1
            US, "20", 1, 1.0,
            id="Amazon refund nine days after its order",
        ),
        pytest.param(
            # refund line without subtotal (as the genuine refund.json): 1 x price 25.00;
            # the order day has 2 orders, 1 refunded: refund rate 1 / 2
            f"shopify:{MUG_SHOP}", "25", 2, 0.5,
            id="Shopify refund nine days after its order",
        ),
    ],
)  # fmt: skip
def test_a_late_refund_shows_in_both_refund_views(
    warehouse: BuiltWarehouse,
    marketplace_id: str,
    amount: str,
    orders_on_order_day: int,
    refund_rate_on_order_day: float,
) -> None:
    # both orders were placed on local day 2026-10-09 and refunded on local day 2026-10-18
    by_day = {
        row[0]: row[1:]
        for row in warehouse.rows(
            "select local_date, refunded_amount, refund_amount_by_refund_date, "
            "refunds_count_by_refund_date, orders_count, refund_rate "
            "from marts.kpi_sales_daily where marketplace_id = ? "
            "and local_date in (date '2026-10-09', date '2026-10-18')",
            [marketplace_id],
        )
    }
    assert by_day == {
        # by ORDER date the refund sits on the order's day; the cash view has nothing there
        date(2026, 10, 9): (
            usd(amount),
            usd("0"),
            0,
            orders_on_order_day,
            refund_rate_on_order_day,
        ),
        # by REFUND date it sits on the refund's day, which has no orders: refund rate NULL
        date(2026, 10, 18): (usd("0"), usd(amount), 1, 0, None),
    }


def test_local_companions_keep_the_original_currency(warehouse: BuiltWarehouse) -> None:
    # DE 2026-10-09: 30.00 EUR sold and 30.00 EUR refunded -> net 0.00 EUR, while in USD the two
    # legs used different days' rates (37.50 - 33.3333 = 4.1667)
    row = warehouse.record(
        "select currency_code, gmv_local, refunded_amount_local, net_sales_local, net_sales "
        "from marts.kpi_sales_daily where marketplace_id = ? and local_date = date '2026-10-09'",
        [DE],
    )
    assert row == {
        "currency_code": "EUR",
        "gmv_local": usd("30"),
        "refunded_amount_local": usd("30"),
        "net_sales_local": usd("0"),
        "net_sales": usd("4.1667"),
    }


def test_the_genuine_shopify_order_fixture_is_parsed(warehouse: BuiltWarehouse) -> None:
    # tests/fixtures/real/shopify/order.json: three line items of 1 x 199.00 = 597.00 (the
    # fixture's own total_line_items_price says 398.00; gmv is the sum of its lines), created
    # 2008-01-10T11:00-05:00, no discount; its only fulfillment has status "failure"
    row = warehouse.record(
        "select orders_count, units_count, gmv, discounts from marts.kpi_sales_daily "
        "where marketplace_id = 'shopify:apple.myshopify.com' and local_date = date '2008-01-10'"
    )
    assert row == {"orders_count": 1, "units_count": 3, "gmv": usd("597"), "discounts": usd("0")}
    shipped = warehouse.rows(
        "select * from marts.kpi_fulfilment_daily "
        "where marketplace_id = 'shopify:apple.myshopify.com'"
    )
    assert shipped == []


def test_every_marketplace_day_between_first_and_last_activity_has_a_row(
    warehouse: BuiltWarehouse,
) -> None:
    counts = dict(
        warehouse.rows(
            "select marketplace_id, count(*) from marts.kpi_sales_daily group by marketplace_id"
        )
    )
    assert counts == {
        US: 202,  # 2026-03-31 .. 2026-10-18
        DE: 4,  # orders 10-09 and 10-10, refund 10-12
        JP: 2,  # 10-09 and 10-10
        f"shopify:{MUG_SHOP}": 10,  # order day 10-09 .. refund day 10-18
        "shopify:apple.myshopify.com": 1,
    }
