"""marts.kpi_sales_daily against values computed by hand from tests/dbt/seller.py.

Rates (units per USD): EUR Thu 2026-10-08 0.75, Fri 0.8, Mon 2026-10-12 0.9 (Saturday and
Sunday carry Friday's); JPY 140, 150, 160. Amounts in USD unless `_local`.
Landed unit costs (seed sku_costs.csv, see tests/dbt/seller_margin.py): MUG-BLUE 5.00 USD,
8.00 USD from 2026-10-09; MUG-RED 12.00 EUR from 2026-10-10 only; MUG-JP 6.00 EUR; CARD-1
4.00 USD; MUG-1 9.00 USD; MUG-2 15.00 USD; COASTER and the genuine fixture's SKUs: no cost.
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


MARGIN_SQL = """
    select units_with_cost_count, units_without_cost_count, cost_coverage_rate,
        has_unknown_cost, net_sales, net_sales_with_cost, cogs, gross_margin, margin_rate
    from marts.kpi_sales_daily
    where marketplace_id = ? and local_date = cast(? as date)
"""


def margin(
    with_cost: int, without_cost: int, coverage: float | None, unknown: bool, net: str,
    net_with_cost: str, cogs: str, gross_margin: str, margin_rate: float | None,
) -> dict[str, Any]:  # fmt: skip
    return {
        "units_with_cost_count": with_cost,
        "units_without_cost_count": without_cost,
        "cost_coverage_rate": None if coverage is None else pytest.approx(coverage),
        "has_unknown_cost": unknown,
        "net_sales": usd(net),
        "net_sales_with_cost": usd(net_with_cost),
        "cogs": usd(cogs),
        "gross_margin": usd(gross_margin),
        "margin_rate": None if margin_rate is None else pytest.approx(margin_rate),
    }


@pytest.mark.parametrize(
    ("marketplace_id", "day", "expected"),
    [
        pytest.param(
            US, "2026-10-08",
            # 2 MUG-BLUE at 23:59 PDT on the 8th, the day before the cost change: 2 x 5.00 = 10;
            # every unit costed, so the base is all of net sales, 40 - 4 = 36; margin 36 - 10 =
            # 26, rate 26 / 36 = 0.7222
            margin(2, 0, 1.0, False, "36", "36", "10", "26", 26 / 36),
            id="fully costed day: gross margin = net sales - cogs",
        ),
        pytest.param(
            US, "2026-10-09",
            # 1 MUG-BLUE at 00:01 PDT on the 9th, the new cost's first day: 8.00, refunded on the
            # 18th, which takes the 8.00 back (order-date view): cogs 8 - 8 = 0; net 20 - 20 = 0;
            # margin 0, rate 0 / 0 -> NULL; the cancelled order's unit counts nowhere
            margin(1, 0, 1.0, False, "0", "0", "0", "0", None),
            id="a refunded unit takes its cost back; zero net sales give a NULL rate",
        ),
        pytest.param(
            US, "2026-03-31",
            # CARD-1 12.00, cost 4.00: margin 8, rate 8 / 12
            margin(1, 0, 1.0, False, "12", "12", "4", "8", 8 / 12),
            id="CARD-1 in spring",
        ),
        pytest.param(
            DE, "2026-10-09",
            # MUG-RED's cost starts on 10-10: the unit sold at 23:59 CEST on Friday has none,
            # nor does its refund; nothing is costed: base 0, cogs 0, rate NULL (never 100 %)
            margin(0, 1, 0.0, True, "4.1667", "0", "0", "0", None),
            id="a German order before midnight, before its SKU's first cost: not costed",
        ),
        pytest.param(
            DE, "2026-10-10",
            # 00:01 CEST Saturday: 2 x 12.00 EUR at Friday's carried 0.8 = 2 x 15.00 = 30.00;
            # net 60.00 EUR / 0.8 = 75.00; margin 45, rate 45 / 75 = 0.6
            margin(2, 0, 1.0, False, "75", "75", "30", "45", 0.6),
            id="a German order after midnight: EUR cost at Saturday's carried rate",
        ),
        pytest.param(
            JP, "2026-10-09",
            # 23:59 JST: a yen sale with a cost paid in euros: 6.00 EUR / 0.8 = 7.50 USD;
            # net 3000 JPY / 150 = 20.00; margin 12.50, rate 12.5 / 20 = 0.625
            margin(1, 0, 1.0, False, "20", "20", "7.5", "12.5", 0.625),
            id="a Japanese order before Tokyo midnight: cost converted from its own currency",
        ),
        pytest.param(
            JP, "2026-10-10",
            # 00:01 JST Saturday: 3 x 7.50 = 22.50; net 9000 / 150 = 60.00; margin 37.50,
            # rate 37.5 / 60 = 0.625
            margin(3, 0, 1.0, False, "60", "60", "22.5", "37.5", 0.625),
            id="a Japanese order after Tokyo midnight",
        ),
        pytest.param(
            f"shopify:{MUG_SHOP}", "2026-10-09",
            # costed: 5001's 2 MUG-1 (50.00, its 5.00 discount allocated to that line, 25.00
            # refunded) and 5004's MUG-2 (40.00); 5001's COASTER (10.00) has no cost.
            # base 50 + 40 - 5 - 25 = 60 (net sales 70 include the coaster); cogs 2 x 9 + 15 -
            # 1 x 9 (the refunded mug) = 24; margin 60 - 24 = 36, rate 36 / 60 = 0.6;
            # coverage 3 of 4 units
            margin(3, 1, 0.75, True, "70", "60", "24", "36", 0.6),
            id="a SKU without cost is left out of the margin and counted beside it",
        ),
        pytest.param(
            f"shopify:{MUG_SHOP}", "2026-10-14",
            # order 5005: MUG-1 2 x 20.00 = 40 (cost 9.00), COASTER 2 x 15.00 = 30 (no cost),
            # a 7.00 code allocated to no line: the mugs' share 7 x 40 / 70 = 4.00; refunded
            # 2 days later: 1 mug 18.00, 1 coaster 13.50. net sales 70 - 7 - 31.5 = 31.5;
            # base 40 - 4 - 18 = 18; cogs 2 x 9 - 1 x 9 = 9; margin 9, rate 9 / 18 = 0.5;
            # coverage 2 of 4 units
            margin(2, 2, 0.5, True, "31.5", "18", "9", "9", 0.5),
            id="an order-level discount is shared by gross between costed and uncosted lines",
        ),
        pytest.param(
            "shopify:apple.myshopify.com", "2008-01-10",
            # the genuine fixture's three SKUs have no cost: nothing costed, rate NULL
            margin(0, 3, 0.0, True, "597", "0", "0", "0", None),
            id="no unit costed: margin rate NULL, coverage 0",
        ),
    ],
)  # fmt: skip
def test_margin_covers_the_costed_units_and_shows_the_coverage(
    warehouse: BuiltWarehouse, marketplace_id: str, day: str, expected: dict[str, Any]
) -> None:
    assert warehouse.record(MARGIN_SQL, [marketplace_id, day]) == expected


def test_margin_over_several_days_is_a_ratio_of_their_sums(warehouse: BuiltWarehouse) -> None:
    # mug-shop on 10-09 and 10-14 (the days above): margin (36 + 9) / base (60 + 18) = 45 / 78 =
    # 0.5769 (the mean of the daily rates, (0.6 + 0.5) / 2 = 0.55, would be wrong); coverage
    # 5 of 8 units = 0.625; uncosted net sales (70 + 31.5) - 78 = 23.50 are visible beside it
    row = warehouse.record(
        "select sum(gross_margin) / sum(net_sales_with_cost) as margin_rate, "
        "sum(units_with_cost_count) / sum(units_count) as cost_coverage_rate, "
        "sum(net_sales) - sum(net_sales_with_cost) as net_sales_without_cost "
        "from marts.kpi_sales_daily where marketplace_id = ? "
        "and local_date in (date '2026-10-09', date '2026-10-14')",
        [f"shopify:{MUG_SHOP}"],
    )
    assert row == {
        "margin_rate": pytest.approx(45 / 78),
        "cost_coverage_rate": pytest.approx(0.625),
        "net_sales_without_cost": usd("23.5"),
    }
