"""Shopify orders: genuine Admin REST payloads replayed byte for byte from 127.0.0.1.

``orders.json`` is Shopify's own client-library fixture (see its ``.source.txt``). The server is
tests/support/loopback.py; the second page answers only when the request carries exactly
``limit`` and ``page_info``, as Shopify does. There is no genuine ``shop.json`` here: the shop
below is scripted, shaped as docs/contracts.md describes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from connectors.errors import ConnectorError
from connectors.http import HttpSettings
from connectors.shopify import ShopifySettings, sync_orders, sync_shop
from tests.support.loopback import Canned, Loopback, Seen

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "shopify"
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "real"
ORDERS_PAGE = (FIXTURES / "orders.json").read_bytes()
ORDERS_PATH = "/admin/api/2024-10/orders.json"
SHOP_PATH = "/admin/api/2024-10/shop.json"
SHOP = {
    "id": 548380009,
    "name": "Replay Store",
    "email": "owner@example.com",
    "shop_owner": "Replay Owner",
    "myshopify_domain": "replay-store.myshopify.com",
    "currency": "USD",
    "iana_timezone": "America/New_York",
    "updated_at": "2026-08-01T10:00:00-04:00",
}
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=2, backoff_factor_s=0.01)
TOKEN = "shpat_replay_test_token_0001"
PAGE_INFO = "eyJsYXN0X2lkIjo0NTA3ODk0NjksImxhc3RfdmFsdWUiOiIyMDA4LTAxLTEwIn0"
NEXT_QUERY = f"limit=250&page_info={PAGE_INFO}"


@pytest.fixture
def store(server: Loopback) -> Loopback:
    """The canned-answer server with the shop already answering."""
    server.route("GET", SHOP_PATH, Canned(body=json.dumps({"shop": SHOP}).encode()))
    return server


def settings_for(server: Loopback) -> ShopifySettings:
    return ShopifySettings(store_url=server.url, access_token=TOKEN, http=FAST)


def next_link(query: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Link": f'<{{base}}{ORDERS_PATH}?{query}>; rel="next"',
    }


def orders_sent(server: Loopback) -> list[Seen]:
    return [request for request in server.requests if request.path == ORDERS_PATH]


def test_fixture_copies_are_byte_identical_to_the_shared_originals() -> None:
    originals = SHARED / "shopify_python_api_fixtures"
    if not originals.is_dir():
        pytest.skip(f"{originals} is absent; the in-repo copies are used alone")
    for name in ("orders.json", "order.json"):
        assert (FIXTURES / name).read_bytes() == (originals / name).read_bytes()


def test_the_genuine_orders_page_lands_one_row_without_personal_fields(con, store) -> None:
    store.route("GET", ORDERS_PATH, Canned(body=ORDERS_PAGE))
    run = sync_orders(con, settings_for(store), run_id="run-1", now=NOW)
    sent = orders_sent(store)

    assert len(sent) == 1
    assert dict(parse_qsl(sent[0].query)) == {
        "status": "any",
        "updated_at_min": "2026-06-03T02:00:00+00:00",
        "limit": "250",
    }
    assert sent[0].headers["X-Shopify-Access-Token"] == TOKEN
    rows = con.execute(
        """select order_id, shop_domain, _version, _record->>'total_price',
            _record->>'name', _record->>'financial_status',
            json_keys(_record) && ['customer', 'email', 'contact_email', 'phone',
                'billing_address', 'shipping_address', 'browser_ip', 'client_details']
        from raw.shopify_orders"""
    ).fetchall()
    assert rows == [
        (
            "450789469",
            "replay-store.myshopify.com",
            datetime(2008, 1, 10, 16, 0, tzinfo=UTC),
            "598.94",
            "#1001",
            "partially_refunded",
            False,
        )
    ]
    assert run.records == 1 and run.requests == 2  # shop.json, then one orders page
    # the order is older than the window start, so the cursor stays at the window start
    assert run.cursor == "2026-06-03T02:00:00+00:00"


def test_after_page_one_only_limit_and_page_info_are_sent(con, store) -> None:
    store.route("GET", ORDERS_PATH, Canned(body=ORDERS_PAGE, headers=next_link(NEXT_QUERY)))
    store.route("GET", f"{ORDERS_PATH}?{NEXT_QUERY}", Canned(body=b'{"orders":[]}'))
    sync_orders(con, settings_for(store), run_id="run-1", now=NOW)
    sent = orders_sent(store)

    assert len(sent) == 2
    assert sent[1].query == NEXT_QUERY
    assert con.execute("select count(*) from raw.shopify_orders").fetchone() == (1,)


def test_the_same_order_on_two_pages_is_one_row(con, store) -> None:
    store.route("GET", ORDERS_PATH, Canned(body=ORDERS_PAGE, headers=next_link(NEXT_QUERY)))
    store.route("GET", f"{ORDERS_PATH}?{NEXT_QUERY}", Canned(body=ORDERS_PAGE))
    run = sync_orders(con, settings_for(store), run_id="run-1", now=NOW)

    assert run.records == 1  # collapsed inside the batch before the upsert
    assert con.execute("select count(*) from raw.shopify_orders").fetchone() == (1,)


def test_a_next_link_that_repeats_ends_the_loop(con, store) -> None:
    store.route("GET", ORDERS_PATH, Canned(body=ORDERS_PAGE, headers=next_link(NEXT_QUERY)))
    store.route(
        "GET",
        f"{ORDERS_PATH}?{NEXT_QUERY}",
        Canned(body=b'{"orders":[]}', headers=next_link(NEXT_QUERY)),
    )
    sync_orders(con, settings_for(store), run_id="run-1", now=NOW)

    assert len(orders_sent(store)) == 2


def test_a_next_link_to_another_host_is_refused_before_any_request(con, store) -> None:
    foreign = {"Link": f'<http://127.0.0.2:9{ORDERS_PATH}?{NEXT_QUERY}>; rel="next"'}
    store.route("GET", ORDERS_PATH, Canned(body=ORDERS_PAGE, headers=foreign))
    with pytest.raises(ConnectorError, match="not on SHOPIFY_STORE_URL's host"):
        sync_orders(con, settings_for(store), run_id="run-1", now=NOW)

    assert len(orders_sent(store)) == 1


def test_the_second_run_rereads_three_days_before_the_stored_cursor(con, store) -> None:
    newer = ORDERS_PAGE.replace(b"2008-01-10T11:00:00-05:00", b"2026-08-30T09:30:00-04:00")
    store.route("GET", ORDERS_PATH, Canned(body=newer))
    first = sync_orders(con, settings_for(store), run_id="run-1", now=NOW)
    second = sync_orders(con, settings_for(store), run_id="run-2", now=NOW)
    sent = orders_sent(store)

    assert first.cursor == "2026-08-30T13:30:00+00:00"
    assert dict(parse_qsl(sent[1].query))["updated_at_min"] == "2026-08-27T13:30:00+00:00"
    assert second.cursor == "2026-08-30T13:30:00+00:00"
    result = second.tables["raw.shopify_orders"]
    assert (result.records, result.inserted, result.updated) == (1, 0, 0)
    assert con.execute("select count(*), max(_run_id) from raw.shopify_orders").fetchone() == (
        1,
        "run-1",
    )


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_names_the_variable_to_fix_and_not_the_token(
    con, server, status: int
) -> None:
    refusal = Canned(status, body=f'{{"errors":"[API] Invalid token {TOKEN}"}}'.encode())
    server.route("GET", SHOP_PATH, refusal)
    with pytest.raises(ConnectorError) as raised:
        sync_orders(con, settings_for(server), run_id="run-1", now=NOW)

    message = str(raised.value)
    assert "SHOPIFY_ACCESS_TOKEN" in message and f"HTTP {status}" in message
    assert TOKEN not in message


def test_the_shop_lands_with_its_currency_and_without_the_owner(con, store) -> None:
    run = sync_shop(con, settings_for(store), run_id="run-1", now=NOW)

    rows = con.execute(
        """select shop_id, _record->>'currency', _record->>'iana_timezone',
            _record->>'email', _record->>'shop_owner', _version
        from raw.shopify_shops"""
    ).fetchall()
    assert rows == [
        (
            "548380009",
            "USD",
            "America/New_York",
            None,
            None,
            datetime(2026, 8, 1, 14, 0, tzinfo=UTC),
        )
    ]
    assert run.cursor is None and run.records == 1


def test_a_page_that_is_not_json_fails_loudly_and_keeps_the_cursor(con, store) -> None:
    html = {"Content-Type": "text/html"}
    store.route("GET", ORDERS_PATH, Canned(body=b"<html>Store unavailable</html>", headers=html))
    with pytest.raises(ConnectorError, match="did not answer an orders page"):
        sync_orders(con, settings_for(store), run_id="run-1", now=NOW)

    assert con.execute("select count(*) from raw._stream_state").fetchone() == (0,)
