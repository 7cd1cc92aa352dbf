"""SP-API orders and items: Amazon's own example payloads replayed from 127.0.0.1.

The pages are the ``response`` objects of the genuine files in tests/fixtures/real/amazon_sp_api
(Amazon's OpenAPI examples and static-sandbox replays, see each ``.source.txt``), served as the
platform serves them: the JSON of that response. Where a test needs an answer Amazon's files do
not contain (an order updated later, an empty item list), it is derived from a genuine page and
the test says so.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from connectors.amazon_sp import sync_orders
from connectors.errors import ConnectorError
from connectors.landing import read_cursor
from tests.connectors.amazon_sp.support import (
    ACCESS_TOKEN,
    FIXTURES,
    TOKEN_PATH,
    genuine,
    served,
    sp_settings,
    token_body,
)
from tests.support.loopback import Canned, Loopback

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "real" / "amazon_sp_api"
NOW = datetime(2026, 9, 1, 2, 0, 30, 500000, tzinfo=UTC)
ORDERS = "/orders/v0/orders"
STATIC = genuine("ordersV0_getOrders_200_sandbox_static.json")
TWO_1970_ORDERS = STATIC[0]["response"]  # 902-1845936-5435065, 902-8745147-1934268
PAGE_WITH_TOKEN = STATIC[1]["response"]  # 902-3159896-1390916, NextToken
PAGE_AFTER_TOKEN = STATIC[2]["response"]  # the same order again, no NextToken
EXAMPLE_PAGE = genuine("ordersV0_getOrders_200_example.json")  # same order, same token again
ITEMS_STATIC = genuine("ordersV0_getOrderItems_200_sandbox_static.json")[0]["response"]
ITEMS_EXAMPLE = genuine("ordersV0_getOrderItems_200_example.json")
TOKEN = "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"
REPEATED_ORDER = "902-3159896-1390916"


def no_items(order_id: str) -> Canned:
    """An items page with no items (derived: Amazon's examples have none for this order)."""
    return Canned(body=served({"payload": {"AmazonOrderId": order_id, "OrderItems": []}}))


def serve_lwa(server: Loopback) -> None:
    server.route("POST", TOKEN_PATH, Canned(body=token_body()))


def queries(server: Loopback, path: str) -> list[dict[str, str]]:
    return [dict(parse_qsl(seen.query)) for seen in server.requests if seen.path == path]


def test_fixture_copies_are_byte_identical_to_the_shared_originals() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent; the in-repo copies are used alone")
    for copy_path in FIXTURES.glob("*.json"):
        assert copy_path.read_bytes() == (SHARED / copy_path.name).read_bytes()


def test_two_pages_repeating_an_order_land_one_row_for_it(con) -> None:
    with Loopback() as server:
        serve_lwa(server)
        server.route(
            "GET",
            ORDERS,
            Canned(body=served(PAGE_WITH_TOKEN)),
            Canned(body=served(PAGE_AFTER_TOKEN)),
        )
        server.route("GET", f"{ORDERS}/{REPEATED_ORDER}/orderItems", no_items(REPEATED_ORDER))
        run = sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)
        sent = queries(server, ORDERS)
        api_headers = [s.headers for s in server.requests if s.path.startswith(ORDERS)]

    assert sent == [
        {
            "MarketplaceIds": "ATVPDKIKX0DER",
            "LastUpdatedAfter": "2026-06-03T02:00:30Z",
            "LastUpdatedBefore": "2026-09-01T01:58:30Z",
            "MaxResultsPerPage": "100",
        },
        {"MarketplaceIds": "ATVPDKIKX0DER", "NextToken": TOKEN},
    ]
    assert all(headers["x-amz-access-token"] == ACCESS_TOKEN for headers in api_headers)
    rows = con.execute(
        """select amazon_order_id, _version, _record->>'OrderStatus',
            _record->>'FulfillmentChannel', _run_id
        from raw.amazon_orders"""
    ).fetchall()
    assert rows == [
        (REPEATED_ORDER, datetime(2017, 1, 20, 19, 49, 35, tzinfo=UTC), "Pending", "MFN", "run-1")
    ]
    orders = run.tables["raw.amazon_orders"]
    assert (orders.records, orders.inserted, orders.updated) == (1, 1, 0)
    assert run.cursor == "2026-09-01T01:58:30Z"
    assert read_cursor(con, "amazon_orders") == "2026-09-01T01:58:30Z"
    assert run.requests == 3  # two pages of orders, one of items (the token call is LWA's)


def test_a_next_token_given_twice_ends_the_loop_and_personal_fields_are_dropped(con) -> None:
    with Loopback() as server:
        serve_lwa(server)
        # page 2 is Amazon's example page: the same order, now with buyer and address, and the
        # very token page 1 gave; a third request would get it again forever
        server.route(
            "GET", ORDERS, Canned(body=served(PAGE_WITH_TOKEN)), Canned(body=served(EXAMPLE_PAGE))
        )
        server.route("GET", f"{ORDERS}/{REPEATED_ORDER}/orderItems", no_items(REPEATED_ORDER))
        sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)
        order_calls = len(queries(server, ORDERS))

    assert order_calls == 2
    rows = con.execute(
        """select amazon_order_id, _record->>'PurchaseDate',
            json_keys(_record) && ['BuyerInfo', 'ShippingAddress', 'BuyerEmail', 'BuyerName'],
            cast(_record as varchar) like '%user@example.com%'
        from raw.amazon_orders"""
    ).fetchall()
    assert rows == [(REPEATED_ORDER, "2017-01-20T19:49:35Z", False, False)]


@pytest.mark.parametrize(
    ("newer_first", "batch_pages"),
    [
        pytest.param(False, 200, id="newer copy on the later page of one batch"),
        pytest.param(True, 200, id="newer copy on the earlier page of one batch"),
        pytest.param(False, 1, id="newer copy in a later batch"),
        pytest.param(True, 1, id="newer copy in an earlier batch"),
    ],
)
def test_the_copy_with_the_newest_last_update_date_wins(con, newer_first, batch_pages) -> None:
    # derived from Amazon's page: the same order, cancelled a day later
    updated = copy.deepcopy(PAGE_AFTER_TOKEN)
    updated["payload"]["Orders"][0].update(
        LastUpdateDate="2017-01-21T08:00:00Z", OrderStatus="Canceled"
    )
    older = copy.deepcopy(PAGE_AFTER_TOKEN)
    first, second = (updated, older) if newer_first else (older, updated)
    first["payload"]["NextToken"] = TOKEN
    with Loopback() as server:
        serve_lwa(server)
        server.route("GET", ORDERS, Canned(body=served(first)), Canned(body=served(second)))
        server.route("GET", f"{ORDERS}/{REPEATED_ORDER}/orderItems", no_items(REPEATED_ORDER))
        sync_orders(con, sp_settings(server.url, batch_pages=batch_pages), run_id="run-1", now=NOW)

    rows = con.execute(
        "select amazon_order_id, _version, _record->>'OrderStatus' from raw.amazon_orders"
    ).fetchall()
    assert rows == [(REPEATED_ORDER, datetime(2017, 1, 21, 8, 0, tzinfo=UTC), "Canceled")]


def serve_two_orders_and_their_items(server: Loopback) -> None:
    serve_lwa(server)
    server.route("GET", ORDERS, Canned(body=served(TWO_1970_ORDERS)))
    server.route(
        "GET", f"{ORDERS}/902-1845936-5435065/orderItems", Canned(body=served(ITEMS_STATIC))
    )
    # Amazon's example items page names another order (903-...) and repeats its NextToken
    server.route(
        "GET", f"{ORDERS}/902-8745147-1934268/orderItems", Canned(body=served(ITEMS_EXAMPLE))
    )


def test_orders_and_items_land_with_their_keys_timestamps_and_amounts(con) -> None:
    with Loopback() as server:
        serve_two_orders_and_their_items(server)
        run = sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)
        example_item_calls = queries(server, f"{ORDERS}/902-8745147-1934268/orderItems")

    orders = con.execute(
        """select amazon_order_id, _version, _record->'OrderTotal'->>'Amount',
            _record->'OrderTotal'->>'CurrencyCode', _record->>'LatestShipDate'
        from raw.amazon_orders order by 1"""
    ).fetchall()
    stamp = datetime(1970, 1, 19, 3, 58, 32, tzinfo=UTC)
    assert orders == [
        ("902-1845936-5435065", stamp, "11.01", "USD", "1970-01-19T04:05:13Z"),
        ("902-8745147-1934268", stamp, "11.01", "USD", "1970-01-19T04:05:13Z"),
    ]
    items = con.execute(
        """select amazon_order_id, order_item_id, order_last_update_date, _version,
            _record->>'SellerSKU', _record->'ItemPrice'->>'Amount',
            _record->'ItemPrice'->>'CurrencyCode', _record->'ItemTax'->>'Amount',
            cast(_record->>'QuantityOrdered' as integer), json_exists(_record, '$.BuyerInfo')
        from raw.amazon_order_items order by 1, 2"""
    ).fetchall()
    assert items == [
        (
            "902-1845936-5435065",
            "05015851154158",
            "1970-01-19T03:58:32Z",
            stamp,
            "NABetaASINB00551Q3CS",
            "10.00",
            "USD",
            "1.01",
            1,
            False,
        ),
        (
            "903-1671087-0812628",
            "68828574383266",
            "1970-01-19T03:58:32Z",
            stamp,
            "CBA_OTF_1",
            "25.99",
            "JPY",
            None,
            1,
            False,
        ),
        (
            "903-1671087-0812628",
            "79039765272157",
            "1970-01-19T03:58:32Z",
            stamp,
            "CBA_OTF_5",
            "17.95",
            "JPY",
            None,
            2,
            False,
        ),
    ]
    assert example_item_calls == [{}, {"NextToken": TOKEN}]
    assert run.tables["raw.amazon_order_items"].records == 3


def test_a_second_run_asks_no_items_of_unchanged_orders_and_changes_nothing(con) -> None:
    with Loopback() as server:
        serve_two_orders_and_their_items(server)
        settings = sp_settings(server.url)
        sync_orders(con, settings, run_id="run-1", now=NOW)
        before = con.execute("select * from raw.amazon_orders order by 1").fetchall()
        calls_before = len(server.requests)
        second = sync_orders(con, settings, run_id="run-2", now=NOW + timedelta(hours=1))
        second_calls = [s.path for s in server.requests[calls_before:]]

    assert second_calls == [ORDERS]
    orders = second.tables["raw.amazon_orders"]
    assert (orders.records, orders.inserted, orders.updated, orders.unchanged) == (2, 0, 0, 2)
    assert "raw.amazon_order_items" not in second.tables
    assert con.execute("select * from raw.amazon_orders order by 1").fetchall() == before
    assert second.cursor == "2026-09-01T02:58:30Z"


def test_the_second_window_starts_three_days_before_the_stored_cursor(con) -> None:
    with Loopback() as server:
        serve_two_orders_and_their_items(server)
        settings = sp_settings(server.url)
        sync_orders(con, settings, run_id="run-1", now=NOW)
        sync_orders(con, settings, run_id="run-2", now=NOW + timedelta(days=1))
        windows = queries(server, ORDERS)

    assert [(w["LastUpdatedAfter"], w["LastUpdatedBefore"]) for w in windows] == [
        ("2026-06-03T02:00:30Z", "2026-09-01T01:58:30Z"),
        ("2026-08-29T01:58:30Z", "2026-09-02T01:58:30Z"),
    ]


def test_the_window_is_sent_in_utc_with_z_even_when_now_has_another_offset(con) -> None:
    tokyo_now = NOW.astimezone(timezone(timedelta(hours=9)))
    with Loopback() as server:
        serve_lwa(server)
        server.route("GET", ORDERS, Canned(body=served({"payload": {"Orders": []}})))
        sync_orders(con, sp_settings(server.url), run_id="run-1", now=tokyo_now)
        (sent,) = queries(server, ORDERS)

    assert sent["LastUpdatedBefore"] == "2026-09-01T01:58:30Z"
    assert NOW - datetime.fromisoformat(sent["LastUpdatedBefore"]) >= timedelta(minutes=2)
    assert sent["LastUpdatedAfter"].endswith("Z")


def test_a_naive_now_is_refused_before_any_call(con) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sync_orders(
            con, sp_settings("http://127.0.0.1:9"), run_id="run-1", now=datetime(2026, 9, 1)
        )


def test_getorders_400_invalid_input_fails_the_run_and_keeps_the_cursor(con) -> None:
    error = genuine("ordersV0_getOrders_400_sandbox_static.json")[0]["response"]
    with Loopback() as server:
        serve_lwa(server)
        server.route("GET", ORDERS, Canned(status=400, body=served(error)))
        with pytest.raises(ConnectorError, match="answered 400.*InvalidInput") as raised:
            sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)

    assert "[amazon_sp_api/amazon_orders]" in str(raised.value)
    assert read_cursor(con, "amazon_orders") is None


def test_getorderitems_throttled_every_third_call_still_lands_every_order_once(
    con, retry_sleeps
) -> None:
    # the case from the field: 429 QuotaExceeded with only x-amzn-RateLimit-Limit: 0.5
    quota = Canned(
        status=429,
        body=served({"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]}),
        headers={"Content-Type": "application/json", "x-amzn-RateLimit-Limit": "0.5"},
    )
    page = copy.deepcopy(TWO_1970_ORDERS)
    orders = page["payload"]["Orders"]
    for index in range(2, 6):  # derived: four more orders shaped like Amazon's
        orders.append({**orders[0], "AmazonOrderId": f"902-0000000-00000{index}"})
    with Loopback() as server:
        serve_lwa(server)
        server.route("GET", ORDERS, Canned(body=served(page)))
        for number, order in enumerate(orders):
            order_id = order["AmazonOrderId"]
            items = {
                "payload": {
                    "AmazonOrderId": order_id,
                    "OrderItems": [
                        {
                            **ITEMS_STATIC["payload"]["OrderItems"][0],
                            "OrderItemId": f"item-{number}",
                        }
                    ],
                }
            }
            answers = [Canned(body=served(items))]
            if number % 3 == 2:
                answers.insert(0, quota)
            server.route("GET", f"{ORDERS}/{order_id}/orderItems", *answers)
        run = sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)
        item_calls = sum(1 for s in server.requests if s.path.endswith("/orderItems"))

    assert retry_sleeps == [2.0, 2.0]
    assert item_calls == 8  # six orders, two of them asked twice
    rows = con.execute(
        """select amazon_order_id, count(*) from raw.amazon_order_items
        group by 1 order by 1"""
    ).fetchall()
    assert rows == sorted((order["AmazonOrderId"], 1) for order in orders)
    assert run.tables["raw.amazon_order_items"].records == 6
