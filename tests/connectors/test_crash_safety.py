"""A sync killed with SIGKILL mid-stream resumes to exactly the rows of a clean run.

A real child process (``python -c`` importing :func:`child_main` below) syncs Amazon orders with
their items, Shopify orders and Zendesk tickets with their comments into a warehouse file, one
page per landed batch, against a sandbox served by this test process on 127.0.0.1. The child
writes one stdout line per landed batch (a handler on the ``connectors.landing`` logger); the
pages after the kill point are slowed by a sandbox fault, so the test reads the Nth line of the
chosen raw table and sends SIGKILL while the child waits for its next page. The killed warehouse
must hold those batches but not the stream's cursor; a second, uninterrupted run into the same
file must then end with the very rows (keys, version, record) and cursors of a clean run into
another file: no duplicates, no gaps.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.amazon_sp import AmazonSpSettings
from connectors.amazon_sp import sync_orders as sync_amazon_orders
from connectors.http import HttpSettings
from connectors.landing import RawTable
from connectors.raw_tables import (
    AMAZON_ORDER_ITEMS,
    AMAZON_ORDERS,
    SHOPIFY_ORDERS,
    ZENDESK_TICKET_COMMENTS,
    ZENDESK_TICKETS,
)
from connectors.shopify import ShopifySettings
from connectors.shopify import sync_orders as sync_shopify_orders
from connectors.warehouse import connect
from connectors.zendesk import ZendeskSettings, sync_tickets
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[2]
AS_OF = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)
# 3 days and 2 orders a day per channel: about 25 Amazon orders, 8 Shopify orders, 12 tickets
SELLER = SellerConfig(seed=5, days=3, orders_per_day=2, skus=10, tickets_per_day=3, as_of=AS_OF)
ITEMS_PAGE_SIZE = 2  # an Amazon order with 3 or more lines pages its items
SLOW_PAGE_S = 0.25  # how long a slowed page waits: the kill lands inside that wait
CHILD_TIMEOUT_S = 90.0
HTTP = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=2, backoff_factor_s=0.01)
TABLES = (
    AMAZON_ORDERS,
    AMAZON_ORDER_ITEMS,
    SHOPIFY_ORDERS,
    ZENDESK_TICKETS,
    ZENDESK_TICKET_COMMENTS,
)
STREAMS = ("amazon_orders", "shopify_orders", "zendesk_tickets")
CHILD = "from tests.connectors.test_crash_safety import child_main; child_main()"

Snapshot = dict[str, list[tuple]]


def sync_all(path: Path, env: Mapping[str, str], *, run_id: str) -> None:
    """Run the three streams under test into ``path``, landing every page in its own batch."""
    sp = replace(
        AmazonSpSettings.from_env(env), http=HTTP, page_size=5, batch_pages=1, history_days=30
    )
    shopify = replace(
        ShopifySettings.from_env(env), http=HTTP, page_size=3, batch_pages=1, history_days=30
    )
    zendesk = replace(
        ZendeskSettings.from_env(env), http=HTTP, export_page_size=4, batch_pages=1, history_days=30
    )
    con = connect(path)
    try:
        sync_amazon_orders(con, sp, run_id=run_id, now=AS_OF)
        sync_shopify_orders(con, shopify, run_id=run_id, now=AS_OF)
        sync_tickets(con, zendesk, run_id=run_id, now=AS_OF)
    finally:
        con.close()


def child_main() -> None:
    """The killed process: sync into ``argv[1]``, printing a line after every landed batch."""
    handler = logging.StreamHandler(sys.stdout)  # flushed after every line
    handler.setFormatter(logging.Formatter("%(message)s"))
    landing = logging.getLogger("connectors.landing")
    landing.addHandler(handler)
    landing.setLevel(logging.INFO)
    sync_all(Path(sys.argv[1]), os.environ, run_id="killed-run")


def snapshot(path: Path) -> tuple[Snapshot, dict[str, str]]:
    """Every row of the tables under test as (keys, version, record), and the stored cursors."""
    con = connect(path, read_only=True)
    try:
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        rows = {
            table.qualified: con.execute(
                f"select {', '.join(table.key_names)}, cast(_version as varchar), "
                f"cast(_record as varchar) from {table.qualified} order by all"
            ).fetchall()
            if table.name in present
            else []
            for table in TABLES
        }
        cursors = (
            dict(con.execute("select stream, cursor_value from raw._stream_state").fetchall())
            if "_stream_state" in present
            else {}
        )
    finally:
        con.close()
    return rows, cursors


def distinct_keys(rows: list[tuple], table: RawTable) -> int:
    return len({row[: len(table.key_names)] for row in rows})


def first_split_order_batch(sb: Sandbox) -> int:
    """Which items page is the first page of the first order whose items span two pages.

    The connector asks for items oldest change first; a page-per-batch landing that committed
    this page and died before the next would leave that order with half its items.
    """
    end = (AS_OF - timedelta(minutes=2)).timestamp()
    pages = 0
    for order in sb.data.amazon_orders_by_update:
        if order.last_update_ts >= end:
            continue
        if len(order.items) > ITEMS_PAGE_SIZE:
            return pages + 1
        pages += max(1, math.ceil(len(order.items) / ITEMS_PAGE_SIZE))
    raise AssertionError("no Amazon order pages its items: make the seller larger")


@dataclass(frozen=True)
class KillPoint:
    """Where the child dies: after its ``nth`` landed batch of ``table``."""

    stream: str
    table: RawTable
    slow_path: str  # a regex of the requests slowed, so the kill lands before the next batch
    nth: Callable[[Sandbox], int]


KILL_POINTS = [
    pytest.param(
        KillPoint("amazon_orders", AMAZON_ORDERS, r"/orders/v0/orders\?", lambda sb: 2),
        id="killed between two Amazon order pages",
    ),
    pytest.param(
        KillPoint("amazon_orders", AMAZON_ORDER_ITEMS, r"/orderItems", first_split_order_batch),
        id="killed inside the items of an Amazon order that spans two pages",
    ),
    pytest.param(
        KillPoint("shopify_orders", SHOPIFY_ORDERS, r"/orders\.json", lambda sb: 1),
        id="killed after the first Shopify orders page",
    ),
    pytest.param(
        KillPoint("zendesk_tickets", ZENDESK_TICKET_COMMENTS, r"/comments\.json", lambda sb: 3),
        id="killed among the Zendesk ticket comments",
    ),
]


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with start_sandbox(SELLER) as running:
        running.set_clock(lambda: AS_OF.timestamp())
        running.order_items_page_size = ITEMS_PAGE_SIZE
        yield running


@pytest.fixture(scope="module")
def clean(sb: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, dict]:
    path = tmp_path_factory.mktemp("clean") / "warehouse.duckdb"
    sync_all(path, sb.env(), run_id="clean-run")
    return snapshot(path)


def run_and_kill(sb: Sandbox, path: Path, table: RawTable, nth: int) -> list[str]:
    """Start the child syncing into ``path`` and SIGKILL it after its ``nth`` batch of ``table``.

    Returns the batch lines the child printed before it died.
    """
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AMAZON_", "SHOPIFY_"))},
        **sb.env(),
        "PYTHONPATH": str(ROOT),
    }
    stderr_path = path.with_suffix(".stderr")
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []
    with stderr_path.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        reader = threading.Thread(target=_pump, args=(child, lines), daemon=True)
        reader.start()
        deadline = time.monotonic() + CHILD_TIMEOUT_S
        marker = f" -> {table.qualified}:"
        try:
            while sum(marker in line for line in seen) < nth:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                if line is None:
                    pytest.fail(
                        f"the child ended (code {child.wait(5)}) before batch {nth} of "
                        f"{table.qualified}:\n{''.join(seen)}\n{stderr_path.read_text()[-3000:]}"
                    )
                seen.append(line)
            os.kill(child.pid, signal.SIGKILL)
            assert child.wait(timeout=10) == -signal.SIGKILL
        finally:
            if child.poll() is None:
                child.kill()
                child.wait(timeout=10)
            reader.join(timeout=5)
    return seen


def _pump(child: subprocess.Popen, lines: queue.Queue[str | None]) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        lines.put(line)
    lines.put(None)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_sync_killed_mid_stream_resumes_to_exactly_the_rows_of_a_clean_run(
    sb: Sandbox, clean: tuple[Snapshot, dict], tmp_path: Path, point: KillPoint
) -> None:
    clean_rows, clean_cursors = clean
    path = tmp_path / "warehouse.duckdb"
    sb.faults.add(
        FaultRule(method="GET", path_regex=point.slow_path, status=None, delay_s=SLOW_PAGE_S)
    )
    try:
        printed = run_and_kill(sb, path, point.table, point.nth(sb))
    finally:
        sb.faults.clear()

    killed_rows, killed_cursors = snapshot(path)
    landed = killed_rows[point.table.qualified]
    assert sum(f" -> {point.table.qualified}:" in line for line in printed) == point.nth(sb)
    assert 0 < len(landed) < len(clean_rows[point.table.qualified])
    assert point.stream not in killed_cursors  # the cursor moves only with the last batch
    assert set(landed) <= set(clean_rows[point.table.qualified])
    if point.table is AMAZON_ORDER_ITEMS:  # an order's items land together or not at all
        expected = {o.order_id: len(o.items) for o in sb.data.amazon_orders_by_update}
        per_order: dict[str, int] = {}
        for order_id, *_ in landed:
            per_order[order_id] = per_order.get(order_id, 0) + 1
        assert {k: expected[k] for k in per_order} == per_order

    sync_all(path, sb.env(), run_id="resumed-run")

    resumed_rows, resumed_cursors = snapshot(path)
    for table in TABLES:
        rows = resumed_rows[table.qualified]
        assert len(rows) == distinct_keys(rows, table), f"duplicate keys in {table.qualified}"
        assert rows == clean_rows[table.qualified], table.qualified
    assert resumed_cursors == clean_cursors
    assert sorted(resumed_cursors) == sorted(STREAMS)


def test_the_clean_run_lands_every_table_in_several_batches(
    sb: Sandbox, clean: tuple[Snapshot, dict]
) -> None:
    rows, cursors = clean
    assert {table: len(landed) for table, landed in rows.items()} == {
        "raw.amazon_orders": 21,
        "raw.amazon_order_items": 30,
        "raw.shopify_orders": 7,
        "raw.zendesk_tickets": 10,
        "raw.zendesk_ticket_comments": 29,
    }
    newest_shopify = max(
        datetime.fromisoformat(order["updated_at"]) for order in sb.data.shopify_orders_json()
    )
    assert cursors["amazon_orders"] == "2026-10-05T05:58:00Z"
    assert cursors["shopify_orders"] == newest_shopify.astimezone(UTC).isoformat()
    assert first_split_order_batch(sb) > 1  # some batches land before the split order's first
