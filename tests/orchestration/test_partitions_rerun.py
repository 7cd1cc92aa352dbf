"""Rerun one past day from the command line, on the sandbox: only that day changes.

A nightly run lands a small sandbox seller (the baseline). Then the raw orders of two local days
are lost (deleted from the working warehouse): every Amazon and Shopify order placed on D, and
on E the orders that no refund refers to (so that only E's own sales row depends on them).
``python -m orchestration.nightly --partition D`` must re-read day D only: D's orders and items
come back exactly as they were, E's stay lost, no other raw row is written (its load time and
run id stay the baseline's), no cursor moves, dbt is told the day, and the sales mart equals the
baseline on every row except E's. The same rerun a second time changes nothing at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from connectors.warehouse import connect
from orchestration.streams import STREAMS
from sandbox.generator import SellerConfig
from sandbox.server import start_sandbox

ROOT = Path(__file__).resolve().parents[2]
AS_OF = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
SELLER = SellerConfig(seed=5, days=10, orders_per_day=4, skus=12, tickets_per_day=4, as_of=AS_OF)
REPLAYED = date(2026, 11, 25)  # D: rerun; its lost orders must come back
UNTOUCHED = date(2026, 11, 22)  # E: not rerun; its lost orders must stay lost
RAW_TABLES = {table.name: table.key_names for stream in STREAMS for table in stream.tables}
CURSORS_SQL = "select stream, cursor_value from raw._stream_state order by stream"
# marts that report when each stream last loaded: every run moves that, by design
LOAD_TIME_MARTS = {"kpi_source_freshness"}


def _nightly(env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.nightly", "--as-of", AS_OF.isoformat(), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _raw_rows(path: Path) -> dict[str, dict[tuple, tuple]]:
    """Every raw row: table -> key -> (version, record, loaded at, run id)."""
    con = connect(path, read_only=True)
    try:
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        rows = {}
        for table, keys in RAW_TABLES.items():
            if table not in present:
                continue
            key_list = ", ".join(keys)
            rows[table] = {
                tuple(row[:-4]): tuple(row[-4:])
                for row in con.execute(
                    f"select {key_list}, cast(_version as varchar), cast(_record as varchar), "
                    f"cast(_loaded_at as varchar), _run_id from raw.{table}"
                ).fetchall()
            }
        return rows
    finally:
        con.close()


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(path, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _sales_rows(path: Path) -> dict[tuple, tuple]:
    """kpi_sales_daily: (marketplace, local day) -> the whole row as text."""
    return {
        (marketplace, day): row
        for marketplace, day, row in _query(
            path,
            "select marketplace_id, local_date, cast(t as varchar) from marts.kpi_sales_daily as t",
        )
    }


def _marts_fingerprint(path: Path) -> dict[str, tuple]:
    tables = [
        name
        for (name,) in _query(
            path,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    ]
    return {
        name: _query(
            path,
            "select count(*), md5(string_agg(cast(t as varchar), '|' order by cast(t as varchar)))"
            f" from marts.{name} as t",
        )[0]
        for name in tables
        if name not in LOAD_TIME_MARTS
    }


def _lose_orders(path: Path) -> dict[str, set[tuple]]:
    """Delete the orders of D (all) and of E (those without refunds); the keys deleted."""
    con = connect(path)
    try:
        amazon = {
            day: [
                order_id
                for (order_id,) in con.execute(
                    "select amazon_order_id from staging.stg_amazon_sp__orders as o "
                    "where purchase_local_date = $day and ($all or not exists (select 1 from "
                    "raw.amazon_refund_events as r where r.amazon_order_id = o.amazon_order_id))",
                    {"day": day, "all": day == REPLAYED},
                ).fetchall()
            ]
            for day in (REPLAYED, UNTOUCHED)
        }
        shopify = {
            day: [
                order_id
                for (order_id,) in con.execute(
                    "select o.order_id from staging.stg_shopify__orders as o "
                    "join raw.shopify_orders as r using (order_id) "
                    "where created_local_date = $day "
                    "and ($all or coalesce(json_array_length(r._record, '$.refunds'), 0) = 0)",
                    {"day": day, "all": day == REPLAYED},
                ).fetchall()
            ]
            for day in (REPLAYED, UNTOUCHED)
        }
        lost: dict[str, set[tuple]] = {}
        for day in (REPLAYED, UNTOUCHED):
            label = "replayed" if day == REPLAYED else "untouched"
            items = con.execute(
                "select amazon_order_id, order_item_id from raw.amazon_order_items "
                "where amazon_order_id in (select unnest($ids))",
                {"ids": amazon[day]},
            ).fetchall()
            lost[f"{label}:amazon_orders"] = {(order_id,) for order_id in amazon[day]}
            lost[f"{label}:amazon_order_items"] = set(items)
            lost[f"{label}:shopify_orders"] = {(order_id,) for order_id in shopify[day]}
            con.execute(
                "delete from raw.amazon_order_items where amazon_order_id in (select unnest($ids))",
                {"ids": amazon[day]},
            )
            con.execute(
                "delete from raw.amazon_orders where amazon_order_id in (select unnest($ids))",
                {"ids": amazon[day]},
            )
            con.execute(
                "delete from raw.shopify_orders where order_id in (select unnest($ids))",
                {"ids": shopify[day]},
            )
        return lost
    finally:
        con.close()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    work = tmp_path_factory.mktemp("partition")
    warehouse = work / "work" / "warehouse.duckdb"
    with start_sandbox(SELLER) as sandbox:
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("AMAZON_", "SHOPIFY_", "ZENDESK_", "FX_", "KPI_"))
            },
            **sandbox.env(),
            "KPI_WAREHOUSE_PATH": str(warehouse),
            "KPI_PUBLISHED_PATH": str(work / "published" / "warehouse.duckdb"),
            "DAGSTER_HOME": str(work / "dagster"),
            "PYTHONPATH": str(ROOT),
        }
        nightly = _nightly(env)
        assert nightly.returncode == 0, nightly.stdout[-2000:] + nightly.stderr[-3000:]
        baseline = {
            "raw": _raw_rows(warehouse),
            "sales": _sales_rows(warehouse),
            "cursors": _query(warehouse, CURSORS_SQL),
        }
        lost = _lose_orders(warehouse)
        first = _nightly(env, "--partition", REPLAYED.isoformat())
        after_first = {
            "raw": _raw_rows(warehouse),
            "sales": _sales_rows(warehouse),
            "marts": _marts_fingerprint(warehouse),
            "cursors": _query(warehouse, CURSORS_SQL),
        }
        second = _nightly(env, "--partition", REPLAYED.isoformat())
        after_second = {"raw": _raw_rows(warehouse), "marts": _marts_fingerprint(warehouse)}
    return {
        "baseline": baseline,
        "lost": lost,
        "first": first,
        "after_first": after_first,
        "second": second,
        "after_second": after_second,
    }


def test_the_rerun_of_a_past_day_succeeds_as_a_replay_and_tells_dbt_the_day(replayed):
    first = replayed["first"]
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    assert "Nightly KPI run: SUCCEEDED" in first.stdout
    assert f"Partition: replay of {REPLAYED}" in first.stdout
    window = f"'kpi_window_start': '{REPLAYED}', 'kpi_window_end': '{REPLAYED}'"
    assert window in first.stderr


def test_something_was_lost_on_both_days(replayed):
    lost = replayed["lost"]
    for label in ("replayed", "untouched"):
        assert lost[f"{label}:amazon_orders"], label
        assert lost[f"{label}:amazon_order_items"], label
        assert lost[f"{label}:shopify_orders"], label


def test_the_replayed_day_comes_back_as_it_was_and_nothing_else_is_written(replayed):
    baseline, after = replayed["baseline"]["raw"], replayed["after_first"]["raw"]
    lost = replayed["lost"]
    replay_run_ids = set()
    for table, rows in baseline.items():
        restored = lost.get(f"replayed:{table}", set())
        still_lost = lost.get(f"untouched:{table}", set())
        assert set(after[table]) == set(rows) - still_lost, table
        for key, (version, record, loaded_at, run_id) in after[table].items():
            if key in restored:
                # the same record and version, landed again by the rerun
                assert (version, record) == rows[key][:2], (table, key)
                replay_run_ids.add(run_id)
            else:
                # every other row is the baseline's, down to its load time and run
                assert (version, record, loaded_at, run_id) == rows[key], (table, key)
    assert len(replay_run_ids) == 1
    assert replay_run_ids.isdisjoint(
        {row[3] for rows in baseline.values() for row in rows.values()}
    )


def test_the_rerun_keeps_every_cursor(replayed):
    # dated streams keep theirs; undated ones (users) run as every night and found nothing new
    assert replayed["after_first"]["cursors"] == replayed["baseline"]["cursors"]
    assert len(replayed["baseline"]["cursors"]) >= 8


def test_the_sales_mart_is_the_baseline_except_on_the_day_not_rerun(replayed):
    baseline, after = replayed["baseline"]["sales"], replayed["after_first"]["sales"]
    assert set(after) == set(baseline)
    changed = {key for key in baseline if after[key] != baseline[key]}
    # E lost orders on every marketplace where it had some to lose; D is whole again
    assert changed and {day for _, day in changed} == {UNTOUCHED}
    assert all(after[key] == baseline[key] for key in baseline if key[1] == REPLAYED)


def test_a_second_rerun_of_the_same_day_changes_nothing(replayed):
    second = replayed["second"]
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-3000:]
    stream_lines = [line for line in second.stdout.splitlines() if line.startswith("  raw/")]
    assert len(stream_lines) == len(RAW_TABLES)
    for line in stream_lines:
        inserted, updated = line.split("/")[-2:]
        assert (inserted.strip(), updated.strip()) == ("0", "0"), line
    assert replayed["after_second"]["raw"] == replayed["after_first"]["raw"]
    assert {"kpi_sales_daily", "kpi_ads_daily"} <= set(replayed["after_first"]["marts"])
    assert replayed["after_second"]["marts"] == replayed["after_first"]["marts"]
