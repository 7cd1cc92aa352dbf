"""Shopify streams against the sandbox store: every page, every fault, every rerun.

The sandbox (sandbox/server.py) serves a generated UK store on 127.0.0.1 with Shopify's
pagination rules (only ``limit`` and ``page_info`` after page one). Seed 3 gives 21 orders in
the 7-day history, two of them test orders and one cancelled; a page size of 5 makes 5 pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from connectors.http import HttpSettings
from connectors.shopify import ShopifySettings, sync_orders, sync_shop
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox

AS_OF = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=3, days=7, orders_per_day=3, skus=10, tickets_per_day=3, as_of=AS_OF)
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=3, backoff_factor_s=0.01)
ORDERS_PATH = "/admin/api/2024-10/orders.json"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG) as sandbox:
        yield sandbox


def settings_for(sandbox: Sandbox) -> ShopifySettings:
    return replace(ShopifySettings.from_env(sandbox.env()), http=FAST, page_size=5)


def landed_orders(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    rows = con.execute("select order_id, _record->>'updated_at' from raw.shopify_orders").fetchall()
    return {int(order_id): updated_at for order_id, updated_at in rows}


def generated_orders(sandbox: Sandbox) -> dict[int, str]:
    return {order["id"]: order["updated_at"] for order in sandbox.data.shopify_orders_json()}


def order_calls(sandbox: Sandbox) -> list[dict[str, list[str]]]:
    return [r.params for r in sandbox.requests if r.path == ORDERS_PATH]


def test_every_generated_order_lands_once_over_five_pages(con, sb) -> None:
    run = sync_orders(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert len(generated_orders(sb)) == 21
    assert landed_orders(con) == generated_orders(sb)
    calls = order_calls(sb)
    assert len(calls) == 5 and run.requests == 6  # shop.json, then five pages
    assert sorted(calls[0]) == ["limit", "status", "updated_at_min"]
    assert all(sorted(call) == ["limit", "page_info"] for call in calls[1:])
    shop_domain = sb.data.shopify_shop_json()["myshopify_domain"]
    assert con.execute("select distinct shop_domain from raw.shopify_orders").fetchall() == [
        (shop_domain,)
    ]
    assert con.execute(
        """select count(*) filter (where (_record->>'test')::boolean),
            count(*) filter (where _record->>'cancelled_at' is not null)
        from raw.shopify_orders"""
    ).fetchone() == (2, 1)
    newest = max(datetime.fromisoformat(u) for u in generated_orders(sb).values())
    assert run.cursor == newest.astimezone(UTC).isoformat()


def test_a_429_with_retry_after_is_waited_out_and_nothing_is_missing(con, sb, retry_sleeps) -> None:
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex="page_info",
            status=429,
            headers={"Retry-After": "1"},
            body=b'{"errors":"Exceeded 2 calls per second for api client."}',
            times=2,
        )
    )
    run = sync_orders(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert retry_sleeps == [1, 1]
    assert len(order_calls(sb)) == 7  # five pages, two of them asked twice more
    assert landed_orders(con) == generated_orders(sb)
    assert run.records == 21


def test_a_500_is_retried_and_nothing_is_missing(con, sb, retry_sleeps) -> None:
    sb.faults.add(FaultRule(method="GET", path_regex=r"orders\.json", status=500, times=1))
    sync_orders(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert len(order_calls(sb)) == 6
    assert landed_orders(con) == generated_orders(sb)


def test_a_rerun_of_the_same_window_changes_nothing(con, sb) -> None:
    sync_orders(con, settings_for(sb), run_id="run-1", now=AS_OF)
    con.execute("delete from raw._stream_state")  # read the first run's window again
    second = sync_orders(con, settings_for(sb), run_id="run-2", now=AS_OF)

    result = second.tables["raw.shopify_orders"]
    assert (result.records, result.inserted, result.updated) == (21, 0, 0)
    assert con.execute(
        "select count(*), count(distinct order_id), min(_run_id), max(_run_id) "
        "from raw.shopify_orders"
    ).fetchone() == (21, 21, "run-1", "run-1")


def test_the_next_night_reads_from_the_cursor_and_keeps_one_row_per_order(con, sb) -> None:
    first = sync_orders(con, settings_for(sb), run_id="run-1", now=AS_OF)
    later_as_of = AS_OF + timedelta(days=3)
    later = replace(CONFIG, days=10, as_of=later_as_of)  # same first day, three more days
    with start_sandbox(later) as next_night:
        second = sync_orders(con, settings_for(next_night), run_id="run-2", now=later_as_of)
        calls = order_calls(next_night)
        expected = generated_orders(next_night)

    cursor = datetime.fromisoformat(first.cursor)
    assert calls[0]["updated_at_min"] == [(cursor - timedelta(days=3)).isoformat()]
    assert landed_orders(con) == expected
    assert len(expected) == 30
    changed = [i for i, updated in generated_orders(sb).items() if expected[i] != updated]
    result = second.tables["raw.shopify_orders"]
    assert result.inserted == 9  # the orders of the three new days
    assert result.updated == len(changed) == 4  # fulfilled, closed or refunded since
    assert con.execute(
        "select count(*) - count(distinct order_id) from raw.shopify_orders"
    ).fetchone() == (0,)


def test_the_shop_lands_with_its_currency_and_time_zone(con, sb) -> None:
    run = sync_shop(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert con.execute(
        """select shop_id, _record->>'currency', _record->>'iana_timezone',
            _record->>'myshopify_domain' is not null, _record->>'email', _record->>'shop_owner'
        from raw.shopify_shops"""
    ).fetchall() == [("60123456789", "GBP", "Europe/London", True, None, None)]
    assert run.records == 1
