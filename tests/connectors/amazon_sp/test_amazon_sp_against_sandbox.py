"""SP-API streams end to end against the sandbox seller (sandbox/, on 127.0.0.1).

Expected values come from the generated records (``sb.data``) cut at the window the connector
must ask for: everything updated before ``as_of`` minus two minutes. The sandbox's clock is
pinned to ``as_of``, so the two-minute rule is enforced against the same instant. Faults
(429 with ``Retry-After`` or with ``x-amzn-RateLimit-Limit`` only, 500) are injected with the
sandbox's fault rules; the waits urllib3 asks for are recorded instead of slept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from connectors.amazon_sp import (
    AmazonSpSettings,
    sync_inventory_ledger,
    sync_inventory_summaries,
    sync_orders,
    sync_refund_events,
    sync_shipments,
)
from connectors.landing import LoadResult, read_cursor
from tests.connectors.amazon_sp.support import FAST

sandbox_server = pytest.importorskip("sandbox.server", reason="the sandbox is not built yet")
from sandbox.faults import FaultRule  # noqa: E402
from sandbox.generator import SellerConfig, generate  # noqa: E402

AS_OF = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
END = AS_OF - timedelta(minutes=2)
# one order a day per marketplace keeps the sandbox runs to a few dozen calls each
CONFIG = SellerConfig(seed=1, days=7, orders_per_day=1, skus=10, tickets_per_day=3, as_of=AS_OF)
QUOTA = b'{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota."}]}'


@pytest.fixture(scope="module")
def sb() -> Iterator[object]:
    with sandbox_server.start_sandbox(CONFIG) as running:
        running.set_clock(lambda: AS_OF.timestamp())
        running.report_polls = 2
        running.order_items_page_size = 2  # orders with 3 lines page their items
        yield running


@pytest.fixture
def settings(sb) -> Iterator[AmazonSpSettings]:
    yield replace(
        AmazonSpSettings.from_env(sb.env()),
        http=FAST,
        page_size=5,
        report_poll_interval_s=0.01,
        report_max_wait_s=5.0,
    )
    sb.faults.clear()


def visible_orders(sb, start: datetime = AS_OF - timedelta(days=90)) -> list:
    low, high = start.timestamp(), END.timestamp()
    return [o for o in sb.data.amazon_orders_by_update if low <= o.last_update_ts < high]


def calls(sb, fragment: str, since: int = 0) -> int:
    return sum(1 for r in sb.requests[since:] if fragment in r.path)


def test_every_order_and_item_visible_at_as_of_lands_once(sb, settings, con) -> None:
    run = sync_orders(con, settings, run_id="run-1", now=AS_OF)

    orders = visible_orders(sb)
    assert len(orders) > 20  # an order a day in 3 marketplaces for a week
    landed = con.execute(
        """select amazon_order_id, _record->>'LastUpdateDate', _record->>'OrderStatus',
            _record->'OrderTotal'->>'Amount', _record->'OrderTotal'->>'CurrencyCode'
        from raw.amazon_orders order by 1"""
    ).fetchall()
    served = {o["AmazonOrderId"]: o for o in sb.data.amazon_orders_json()}
    assert landed == sorted(
        (
            order.order_id,
            served[order.order_id]["LastUpdateDate"],
            served[order.order_id]["OrderStatus"],
            served[order.order_id]["OrderTotal"]["Amount"],
            served[order.order_id]["OrderTotal"]["CurrencyCode"],
        )
        for order in orders
    )
    items = con.execute(
        """select amazon_order_id, order_item_id, _record->'ItemPrice'->>'Amount',
            cast(_record->>'QuantityOrdered' as integer)
        from raw.amazon_order_items order by 1, 2"""
    ).fetchall()
    expected_items = sorted(
        (order.order_id, item["OrderItemId"], item["ItemPrice"]["Amount"], item["QuantityOrdered"])
        for order in orders
        for item in sb.data.amazon_order_items_json(order.order_id)
    )
    assert items == expected_items
    assert any(len(order.items) > sb.order_items_page_size for order in orders)  # items paged
    assert run.tables["raw.amazon_orders"].inserted == len(orders)
    assert run.tables["raw.amazon_order_items"].inserted == len(expected_items)
    assert run.cursor == "2026-09-01T01:58:00Z"


def test_a_second_run_re_pulls_three_days_without_duplicates(sb, settings, con) -> None:
    sync_orders(con, settings, run_id="run-1", now=AS_OF)
    before = con.execute("select * from raw.amazon_orders order by 1").fetchall()
    mark = len(sb.requests)
    second = sync_orders(con, settings, run_id="run-2", now=AS_OF)

    repulled = visible_orders(sb, start=END - timedelta(days=3))
    orders = second.tables["raw.amazon_orders"]
    assert (orders.records, orders.inserted, orders.updated) == (len(repulled), 0, 0)
    assert orders.unchanged == len(repulled) > 0
    assert "raw.amazon_order_items" not in second.tables
    assert calls(sb, "/orderItems", since=mark) == 0
    assert con.execute("select * from raw.amazon_orders order by 1").fetchall() == before
    items = sum(len(order.items) for order in visible_orders(sb))
    assert con.execute("select count(*) from raw.amazon_order_items").fetchone()[0] == items


def test_throttled_order_items_are_retried_and_land_exactly_once(
    sb, settings, con, retry_sleeps
) -> None:
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=r"/orderItems",
            status=429,
            headers={"x-amzn-RateLimit-Limit": "0.5"},
            body=QUOTA,
            every_nth=3,
        )
    )
    mark = len(sb.requests)
    sync_orders(con, settings, run_id="run-1", now=AS_OF)

    orders = visible_orders(sb)
    pages = sum(-(-len(order.items) // sb.order_items_page_size) for order in orders)
    throttled = sb.faults.rules[0].fired
    assert throttled == (pages + throttled) // 3 > 0  # every third call answered 429
    assert retry_sleeps == [2.0] * throttled  # 1 / 0.5 requests per second
    assert calls(sb, "/orderItems", since=mark) == pages + throttled
    landed = con.execute(
        "select amazon_order_id, order_item_id, count(*) over () from raw.amazon_order_items"
    ).fetchall()
    expected = {(order.order_id, item.order_item_id) for order in orders for item in order.items}
    assert {(order_id, item_id) for order_id, item_id, _ in landed} == expected
    assert landed[0][2] == len(expected)


def test_a_429_with_retry_after_and_a_500_are_waited_out(sb, settings, con, retry_sleeps) -> None:
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=r"^/orders/v0/orders\?",
            status=429,
            headers={"Retry-After": "3"},
            body=QUOTA,
            times=1,
        )
    )
    sb.faults.add(
        FaultRule(method="GET", path_regex=r"NextToken=", status=500, body=b"{}", times=2)
    )
    run = sync_orders(con, settings, run_id="run-1", now=AS_OF)

    assert retry_sleeps[0] == 3.0  # as told; the 500s are backed off by settings.http
    assert [rule.fired for rule in sb.faults.rules] == [1, 2]
    orders = len(visible_orders(sb))
    assert run.tables["raw.amazon_orders"].records == orders
    assert con.execute("select count(*) from raw.amazon_orders").fetchone()[0] == orders


def refund_rich_config() -> SellerConfig:
    """Refunds post days after the order, so a week rarely has two: the first seed whose three
    weeks carry at least two (generation takes milliseconds)."""
    for seed in range(1, 50):
        config = replace(CONFIG, seed=seed, days=21, orders_per_day=3)
        if len(generate(config).amazon_refunds) >= 2:
            return config
    raise AssertionError("no seed below 50 gives two refunds in three weeks")


def test_refund_events_page_by_token_and_keep_negative_amounts(con) -> None:
    with sandbox_server.start_sandbox(refund_rich_config()) as refunds_sb:
        refunds_sb.set_clock(lambda: AS_OF.timestamp())
        settings = replace(AmazonSpSettings.from_env(refunds_sb.env()), http=FAST, page_size=1)
        run = sync_refund_events(con, settings, run_id="run-1", now=AS_OF)
        rerun = sync_refund_events(con, settings, run_id="run-2", now=AS_OF)
        expected = [
            event
            for event in refunds_sb.data.amazon_refund_events_json()
            if event["PostedDate"] < "2026-09-01T01:58:00Z"
        ]

    assert len(expected) >= 2
    rows = con.execute(
        """select amazon_order_id, _record->>'PostedDate', _record->>'MarketplaceName',
            cast(_record->'ShipmentItemAdjustmentList'->0->'ItemChargeAdjustmentList'->0
                ->'ChargeAmount'->>'CurrencyAmount' as decimal(18, 2))
        from raw.amazon_refund_events order by 2, 1"""
    ).fetchall()
    assert rows == sorted(
        (
            (
                event["AmazonOrderId"],
                event["PostedDate"],
                event["MarketplaceName"],
                Decimal(str(principal(event))),
            )
            for event in expected
        ),
        key=lambda row: (row[1], row[0]),
    )
    assert all(amount < 0 for *_, amount in rows)
    assert run.requests == len(expected)  # one event per page, then no NextToken
    # the rerun reads the last 7 days before the stored cursor again, and changes nothing
    recent = [e for e in expected if e["PostedDate"] >= "2026-08-25T01:58:00Z"]
    events = rerun.tables.get("raw.amazon_refund_events", LoadResult())
    assert (events.records, events.inserted, events.updated) == (len(recent), 0, 0)
    assert con.execute("select count(*) from raw.amazon_refund_events").fetchone()[0] == len(
        expected
    )


def principal(event: dict) -> float:
    charges = event["ShipmentItemAdjustmentList"][0]["ItemChargeAdjustmentList"]
    return next(
        c["ChargeAmount"]["CurrencyAmount"] for c in charges if c["ChargeType"] == "Principal"
    )


def test_inventory_is_snapshotted_per_marketplace_local_day(sb, settings, con) -> None:
    sync_inventory_summaries(con, settings, run_id="run-1", now=AS_OF)

    rows = con.execute(
        """select marketplace_id, snapshot_date, count(*),
            sum(cast(_record->>'totalQuantity' as integer))
        from raw.amazon_inventory_summaries group by all order by 1"""
    ).fetchall()
    local_days = {
        "A1PA6795UKMFR9": date(2026, 9, 1),  # Berlin, 04:00
        "A1VC38T7YXB528": date(2026, 9, 1),  # Tokyo, 11:00
        "ATVPDKIKX0DER": date(2026, 8, 31),  # Los Angeles, 19:00 the day before
    }
    assert rows == [
        (
            mp,
            local_days[mp],
            10,
            sum(s["totalQuantity"] for s in sb.data.amazon_inventory_json(mp)),
        )
        for mp in sorted(local_days)
    ]
    assert read_cursor(con, "amazon_inventory_summaries") == "2026-09-01"


def test_the_ledger_lands_every_complete_local_day_of_each_marketplace(sb, settings, con) -> None:
    run = sync_inventory_ledger(con, settings, run_id="run-1", now=AS_OF)

    yesterday = {
        "ATVPDKIKX0DER": date(2026, 8, 30),
        "A1PA6795UKMFR9": date(2026, 8, 31),
        "A1VC38T7YXB528": date(2026, 8, 31),
    }
    expected = Counter()
    expected_rows = Counter()
    titles = set()
    for mp, last in yesterday.items():
        for row in sb.data.amazon_ledger_rows(mp):
            if datetime.strptime(row["Date"], "%m/%d/%Y").date() <= last:
                expected[(mp, row["Location"])] += int(row["EndingWarehouseBalance"])
                expected_rows[mp] += 1
                titles.add((row["MSKU"], row["Title"]))
    landed = con.execute(
        """select marketplace_id, location, sum(cast(_record->>'EndingWarehouseBalance' as int))
        from raw.amazon_inventory_ledger group by all"""
    ).fetchall()
    assert Counter({(mp, loc): total for mp, loc, total in landed}) == expected
    # the DE file is Cp1252 on the wire: its titles must land as the generator wrote them
    landed_titles = set(
        con.execute("select msku, _record->>'Title' from raw.amazon_inventory_ledger").fetchall()
    )
    assert landed_titles == titles
    assert run.tables["raw.amazon_inventory_ledger"].records == sum(expected_rows.values())
    assert run.cursor == "2026-08-30"


def test_shipments_of_the_window_land_without_buyer_fields(sb, settings, con) -> None:
    run = sync_shipments(con, settings, run_id="run-1", now=AS_OF)

    expected = sorted(
        (row["shipment-id"], row["shipment-item-id"], row["shipment-date"], row["item-price"])
        for mp in sb.data.marketplace_ids
        for (order, item), row in zip(
            sb.data.shipped_items(mp), sb.data.amazon_shipment_rows(mp), strict=True
        )
        if item.ship_ts <= END.timestamp()
    )
    landed = con.execute(
        """select shipment_id, shipment_item_id, _record->>'shipment-date',
            _record->>'item-price'
        from raw.amazon_shipments order by 1, 2"""
    ).fetchall()
    assert landed == expected
    personal = con.execute(
        """select count(*) from raw.amazon_shipments
        where json_exists(_record, '$."buyer-email"') or json_exists(_record, '$."recipient-name"')
        """
    ).fetchone()[0]
    assert personal == 0
    assert run.tables["raw.amazon_shipments"].records == len(expected)
    rerun = sync_shipments(con, settings, run_id="run-2", now=AS_OF)
    assert rerun.tables["raw.amazon_shipments"].inserted == 0
    assert con.execute("select count(*) from raw.amazon_shipments").fetchone()[0] == len(expected)
