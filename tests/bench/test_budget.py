"""A per-parent stream stopped after its budget, then filled from the saved pages, holds exactly
what the connector holds after running to its end.

The benchmark lands the per-order and per-ticket streams through their connector for a fixed
time, kills it (bench/budget.py), and lands the rest from the pre-rendered pages through our
landing code (bench/fill.py). These tests do both on the tiny seller, with every per-parent
request slowed down so that the budget always ends half way, and compare the raw tables with a
full connector landing row by row (keys and versions) and the cursors.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from bench.budget import run_budgeted, served_requests
from bench.fill import FILLS
from bench.prerender import Prerenderer
from connectors.raw_tables import (
    AMAZON_ORDER_ITEMS,
    AMAZON_ORDERS,
    ZENDESK_TICKET_COMMENTS,
    ZENDESK_TICKET_METRICS,
    ZENDESK_TICKETS,
)
from connectors.warehouse import connect
from orchestration.streams import STREAMS
from sandbox.faults import FaultRule
from sandbox.pagestore import PageStore
from sandbox.server import start_sandbox
from tests.sandbox.conftest import AS_OF, TINY

TABLES = {
    "amazon_orders": (AMAZON_ORDERS, AMAZON_ORDER_ITEMS),
    "zendesk_tickets": (ZENDESK_TICKETS, ZENDESK_TICKET_METRICS, ZENDESK_TICKET_COMMENTS),
}
# per-parent requests each wait this long, so the budget below ends before the stream does:
# the tiny seller's 60-odd orders (and 20-odd tickets) take longer than the budget
SLOW_REQUEST_S = 0.25
BUDGET_S = 4.0
PER_PARENT_PATHS = {"amazon_orders": r"/orderItems", "zendesk_tickets": r"/comments\.json"}


@pytest.fixture
def clean_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith(("AMAZON_", "SHOPIFY_", "ZENDESK_", "FX_", "KPI_")):
            monkeypatch.delenv(key)
    return monkeypatch


def _rows(warehouse: Path, stream: str) -> dict[str, list[tuple]]:
    con = connect(warehouse, read_only=True)
    try:
        found = {}
        landed = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        for table in TABLES[stream]:
            keys = ", ".join([column.name for column in table.keys] + ["_version"])
            # a run killed before its first commit may not have created the table
            found[table.qualified] = (
                con.execute(f"select {keys} from {table.qualified} order by all").fetchall()
                if table.name in landed
                else []
            )
        found["cursor"] = con.execute(
            "select cursor_value from raw._stream_state where stream = ?", [stream]
        ).fetchall()
        return found
    finally:
        con.close()


def _except_all(left: Path, right: Path, stream: str) -> dict[str, int]:
    """Rows (keys and version) of ``left`` that ``right`` lacks, per table, both ways summed."""
    con = connect(left, read_only=True)
    try:
        con.execute(f"attach '{right}' as other (read_only)")
        missing = {}
        for table in TABLES[stream]:
            keys = ", ".join([column.name for column in table.keys] + ["_version"])
            other = f"other.{table.qualified}"
            (count,) = con.execute(
                f"select count(*) from ((select {keys} from {table.qualified} except all "
                f"select {keys} from {other}) union all (select {keys} from {other} "
                f"except all select {keys} from {table.qualified}))"
            ).fetchone()
            missing[table.qualified] = count
        return missing
    finally:
        con.close()


@pytest.mark.parametrize("stream_name", ["amazon_orders", "zendesk_tickets"])
def test_a_stream_stopped_after_its_budget_and_filled_from_saved_pages_equals_a_full_landing(
    tmp_path, clean_env, stream_name
) -> None:
    (stream,) = [s for s in STREAMS if s.name == stream_name]
    with start_sandbox(replace(TINY, as_of=AS_OF)) as sandbox:
        env = {
            **sandbox.env(),
            "KPI_HISTORY_DAYS": str(TINY.days),
            "AMAZON_ADS_HISTORY_DAYS": str(TINY.days),
            "KPI_INBOX_DIR": str(tmp_path / "inbox"),
        }
        store = PageStore(tmp_path / "pages")
        Prerenderer(sandbox, store, env, AS_OF).run()
        sandbox.pages = store
        for key, value in env.items():
            clean_env.setenv(key, value)
        sync, settings_class = stream.load()

        full = tmp_path / "full.duckdb"
        con = connect(full)
        try:
            sync(con, settings_class.from_env(), run_id="full", now=AS_OF)
        finally:
            con.close()

        sandbox.faults.add(
            FaultRule(path_regex=PER_PARENT_PATHS[stream_name], status=None, delay_s=SLOW_REQUEST_S)
        )
        sampled = tmp_path / "sampled.duckdb"
        sample = run_budgeted(
            stream_name,
            warehouse=sampled,
            env={**os.environ, "KPI_WAREHOUSE_PATH": str(sampled)},
            run_id="sampled",
            now=AS_OF,
            budget_s=BUDGET_S,
            snapshot=lambda: {"served": sandbox.stats.snapshot()},
            log_path=tmp_path / "budget.log",
        )
        sandbox.faults.clear()

    # stopped half way (the per-parent requests alone take longer than the budget), after the
    # listing and some per-parent requests, with the stream incomplete
    assert not sample.finished
    assert sample.listing_seconds is not None
    assert sample.requests[TABLES[stream_name][-1].name] > 0
    assert _rows(sampled, stream_name) != _rows(full, stream_name)

    con = connect(sampled)
    try:
        kwargs = {"listing_complete": True} if stream_name == "amazon_orders" else {}
        FILLS[stream_name](
            con, store, settings_class.from_env(), run_id="sampled", now=AS_OF, **kwargs
        )
    finally:
        con.close()
    store.close()

    assert _rows(sampled, stream_name) == _rows(full, stream_name)
    assert set(_except_all(sampled, full, stream_name).values()) == {0}


def test_served_requests_add_up_stored_and_rendered_answers_by_family() -> None:
    snapshot = {
        "served": {
            "stored amazon_order_items": {"requests": 5, "seconds": 0.1, "bytes": 10},
            "rendered amazon_order_items": {"requests": 2, "seconds": 0.1, "bytes": 10},
            "stored amazon_orders": {"requests": 3, "seconds": 0.1, "bytes": 10},
        }
    }

    # 5 stored + 2 rendered = 7 per-order requests; 3 listing pages
    assert served_requests(snapshot) == {"amazon_order_items": 7, "amazon_orders": 3}
