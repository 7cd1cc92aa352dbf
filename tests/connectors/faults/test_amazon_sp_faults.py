"""SP-API orders under every fault the sandbox can inject, with the exact rows asserted after.

One small sandbox for the module (seed 1, a week, one order a day per marketplace: 22 orders
visible at ``AS_OF``, 5 per page, items paged by 2). Expected rows are the generated orders cut
at the window the connector must ask for (updated before ``AS_OF`` minus two minutes). Faults
already covered elsewhere are not repeated here: 429 with ``Retry-After`` and a 500 on getOrders,
429 with only ``x-amzn-RateLimit-Limit`` on every third getOrderItems call
(tests/connectors/amazon_sp/test_amazon_sp_against_sandbox.py); tokens that need URL-encoding
(the sandbox's always hold ``+``, ``/`` and ``=`` and it answers 400 to a raw one, so every
multi-page test there and here proves the encoding).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, quote

import duckdb
import pytest

from connectors.amazon_sp import AmazonSpSettings, sync_orders
from connectors.errors import ConnectorError
from connectors.landing import read_cursor
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox
from sandbox.tokens import decode_sp_token, encode_sp_token
from tests.connectors.faults.transport import FAULT_HTTP, not_json_bodies, transport_faults

AS_OF = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
END = AS_OF - timedelta(minutes=2)
CONFIG = SellerConfig(seed=1, days=7, orders_per_day=1, skus=10, tickets_per_day=1, as_of=AS_OF)
PAGE_SIZE = 5
ORDERS_PATH = "/orders/v0/orders"
NEXT_PAGE = r"^/orders/v0/orders\?.*NextToken="


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG) as running:
        running.set_clock(lambda: AS_OF.timestamp())
        running.order_items_page_size = 2
        yield running


@pytest.fixture
def settings(sb: Sandbox) -> Iterator[AmazonSpSettings]:
    yield replace(AmazonSpSettings.from_env(sb.env()), http=FAULT_HTTP, page_size=PAGE_SIZE)
    sb.faults.clear()


def visible_orders(sb: Sandbox) -> list:
    low, high = (AS_OF - timedelta(days=90)).timestamp(), END.timestamp()
    return [o for o in sb.data.amazon_orders_by_update if low <= o.last_update_ts < high]


def expected_orders(sb: Sandbox) -> list[tuple[str, str]]:
    served = {o["AmazonOrderId"]: o for o in sb.data.amazon_orders_json()}
    return sorted((o.order_id, served[o.order_id]["LastUpdateDate"]) for o in visible_orders(sb))


def expected_items(sb: Sandbox) -> list[tuple[str, str]]:
    return sorted((o.order_id, i.order_item_id) for o in visible_orders(sb) for i in o.items)


def landed_orders(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select amazon_order_id, _record->>'LastUpdateDate' from raw.amazon_orders order by 1"
    ).fetchall()


def landed_items(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select amazon_order_id, order_item_id from raw.amazon_order_items order by 1, 2"
    ).fetchall()


def raw_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = ?",
        [table],
    ).fetchone()[0]
    return con.execute(f"select count(*) from raw.{table}").fetchone()[0] if exists else 0


def order_page_tokens(sb: Sandbox, since: int) -> list[str]:
    return [
        parse_qs(r.query)["NextToken"][0]
        for r in sb.requests[since:]
        if r.path == ORDERS_PATH and "NextToken=" in r.query
    ]


def first_page_body(sb: Sandbox, next_token: str) -> bytes:
    """Page one of the window as the sandbox serves it, pointing at ``next_token``."""
    served = {o["AmazonOrderId"]: o for o in sb.data.amazon_orders_json()}
    orders = [served[o.order_id] for o in visible_orders(sb)[:PAGE_SIZE]]
    payload = {
        "Orders": orders,
        "NextToken": next_token,
        "LastUpdatedBefore": "2026-09-01T01:58:00Z",
    }
    return json.dumps({"payload": payload}).encode()


def test_the_sandbox_window_has_orders_on_five_pages_with_paged_items(sb) -> None:
    orders = visible_orders(sb)
    assert len(orders) == 22
    assert -(-len(orders) // PAGE_SIZE) == 5
    assert len(expected_items(sb)) > len(orders)  # some orders have several lines


@pytest.mark.parametrize("rule", transport_faults("GET", NEXT_PAGE))
def test_a_transport_fault_on_an_orders_page_is_retried_and_every_row_lands_once(
    sb, settings, con, retry_sleeps, rule: FaultRule
) -> None:
    sb.faults.add(rule)
    mark = len(sb.requests)
    run = sync_orders(con, settings, run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    orders_calls = sum(1 for r in sb.requests[mark:] if r.path == ORDERS_PATH)
    assert orders_calls == 5 + 1  # five pages, one of them asked twice
    assert landed_orders(con) == expected_orders(sb)
    assert landed_items(con) == expected_items(sb)
    assert run.tables["raw.amazon_orders"].inserted == 22
    assert run.cursor == read_cursor(con, "amazon_orders") == "2026-09-01T01:58:00Z"


@pytest.mark.parametrize("rule", transport_faults("GET", r"/orderItems"))
def test_a_transport_fault_on_an_items_page_is_retried_and_every_item_lands_once(
    sb, settings, con, retry_sleeps, rule: FaultRule
) -> None:
    sb.faults.add(rule)
    sync_orders(con, settings, run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    assert landed_items(con) == expected_items(sb)
    assert con.execute(
        "select count(*) - count(distinct (amazon_order_id, order_item_id)) "
        "from raw.amazon_order_items"
    ).fetchone() == (0,)


@pytest.mark.parametrize("body", not_json_bodies())
def test_a_page_that_is_not_json_fails_naming_the_url_and_lands_nothing(
    sb, settings, con, body: bytes
) -> None:
    sb.faults.add(FaultRule(method="GET", path_regex=NEXT_PAGE, status=200, body=body, times=1))
    with pytest.raises(ConnectorError) as raised:
        sync_orders(con, settings, run_id="run-1", now=AS_OF)

    message = str(raised.value)
    assert message.startswith("[amazon_sp_api/amazon_orders]")
    assert f"{sb.base_url}{ORDERS_PATH}?" in message and "not a complete JSON object" in message
    assert sb.faults.rules[0].fired == 1  # not retried: the answer was complete
    # page one was read but not landed: the batch it belonged to never reached the warehouse
    assert raw_count(con, "amazon_orders") == 0
    assert read_cursor(con, "amazon_orders") is None


def test_the_same_page_served_again_under_a_new_token_lands_each_order_once(
    sb, settings, con
) -> None:
    before = len(sb.requests)
    dry = duckdb.connect()
    sync_orders(dry, settings, run_id="dry-run", now=AS_OF)  # learn the tokens of the window
    dry.close()
    tokens = order_page_tokens(sb, since=before)
    # page two's request is answered with page one again, pointing on to an equivalent but
    # new token (the sandbox reads only the position inside it): six pages, 27 order records
    new_token = encode_sp_token({**decode_sp_token(tokens[0]), "r": 1})
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=f"NextToken={quote(tokens[0], safe='')}",
            status=200,
            body=first_page_body(sb, new_token),
            times=1,
        )
    )
    mark = len(sb.requests)
    run = sync_orders(con, replace(settings, batch_pages=1), run_id="run-1", now=AS_OF)

    sent = order_page_tokens(sb, since=mark)
    assert len(tokens) == 4 and len(sent) == 5 and sent[:2] == [tokens[0], new_token]
    assert landed_orders(con) == expected_orders(sb)
    orders = run.tables["raw.amazon_orders"]
    assert (orders.records, orders.inserted, orders.updated) == (22 + PAGE_SIZE, 22, 0)
    assert landed_items(con) == expected_items(sb)


def test_a_token_given_again_ends_the_loop_keeps_the_cursor_and_the_next_run_fills_the_gap(
    sb, settings, con
) -> None:
    before = len(sb.requests)
    dry = duckdb.connect()
    sync_orders(dry, settings, run_id="dry-run", now=AS_OF)
    dry.close()
    first_token = order_page_tokens(sb, since=before)[0]
    # every later page answers page one again, pointing at the token already given
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=NEXT_PAGE,
            status=200,
            body=first_page_body(sb, first_token),
        )
    )
    mark = len(sb.requests)
    run = sync_orders(con, settings, run_id="run-1", now=AS_OF)

    assert sum(1 for r in sb.requests[mark:] if r.path == ORDERS_PATH) == 2
    served = {o["AmazonOrderId"]: o for o in sb.data.amazon_orders_json()}
    page_one = sorted(
        (o.order_id, served[o.order_id]["LastUpdateDate"]) for o in visible_orders(sb)[:PAGE_SIZE]
    )
    assert landed_orders(con) == page_one
    assert run.tables["raw.amazon_orders"].records == PAGE_SIZE
    # the window was not read to its end: the cursor stays unset, so nothing is skipped for good
    assert run.cursor is None
    assert read_cursor(con, "amazon_orders") is None

    sb.faults.clear()
    sync_orders(con, settings, run_id="run-2", now=AS_OF)
    assert landed_orders(con) == expected_orders(sb)
    assert landed_items(con) == expected_items(sb)


def test_the_window_is_sent_in_utc_two_minutes_back_whatever_the_offset_of_now(
    sb, settings, con
) -> None:
    tokyo_now = AS_OF.astimezone(timezone(timedelta(hours=9)))
    mark = len(sb.requests)
    sync_orders(con, settings, run_id="run-1", now=tokyo_now)

    first = next(r for r in sb.requests[mark:] if r.path == ORDERS_PATH)
    assert first.params["LastUpdatedBefore"] == ["2026-09-01T01:58:00Z"]
    assert first.params["LastUpdatedAfter"] == ["2026-06-03T02:00:00Z"]
    assert landed_orders(con) == expected_orders(sb)


def test_an_end_closer_than_two_minutes_is_refused_by_the_sandbox_and_lands_nothing(
    sb, settings, con
) -> None:
    with pytest.raises(ConnectorError, match="answered 400: .*InvalidInput"):
        sync_orders(con, replace(settings, end_lag=timedelta(seconds=30)), run_id="r", now=AS_OF)

    assert raw_count(con, "amazon_orders") == 0
    assert read_cursor(con, "amazon_orders") is None


@pytest.mark.parametrize("status", [401, 403])
def test_an_expired_access_token_is_renewed_once_and_every_row_lands(
    sb, settings, con, status: int
) -> None:
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=NEXT_PAGE,
            status=status,
            body=b'{"errors":[{"code":"Unauthorized","message":"Access token expired"}]}',
            times=1,
        )
    )
    mark = len(sb.requests)
    sync_orders(con, settings, run_id="run-1", now=AS_OF)

    assert sum(1 for r in sb.requests[mark:] if r.path == "/auth/o2/token") == 2
    assert landed_orders(con) == expected_orders(sb)
    assert landed_items(con) == expected_items(sb)


def test_an_access_token_refused_twice_fails_naming_the_setting_to_fix(sb, settings, con) -> None:
    sb.faults.add(FaultRule(method="GET", path_regex=NEXT_PAGE, status=403, body=b"{}"))
    with pytest.raises(ConnectorError) as raised:
        sync_orders(con, settings, run_id="run-1", now=AS_OF)

    message = str(raised.value)
    assert message.startswith("[amazon_sp_api/amazon_orders]")
    assert "AMAZON_SP_REFRESH_TOKEN" in message and "answered 403" in message
    assert sb.faults.rules[0].fired == 2  # one renewal, then the clear failure
    assert raw_count(con, "amazon_orders") == 0
    assert read_cursor(con, "amazon_orders") is None
