"""Incremental builds give exactly what a full rebuild of the same raw data gives.

The large facts are incremental models (dbt_project/README.md, "Incremental models"): staging
tables merged on their raw keys, and intermediate tables whose changed scopes (orders, profile
days, marketplace days) are replaced. Each case below builds incrementally, then runs
``dbt run --full-refresh`` on a copy of the same warehouse, and requires every table of
``staging``, ``intermediate`` and ``marts`` to hold the same rows (``EXCEPT ALL`` both ways, and
the same row count):

- the dbt test seller (``conftest.py``): night 2 is an incremental build;
- a small sandbox seller over two nights (the second one a day later, regenerated), then a hand
  repair (the raw Amazon orders of one day deleted) and a replay of another past day with the
  partition vars, as the orchestration runs it;
- a changed seed (``sku_costs``: a new cost period of one SKU) after those incremental builds.

Every incremental build is also checked to have run in changes-only mode, so that the equality
is not the trivial one of a build that re-selected every row.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.warehouse import connect
from orchestration.assets.raw import settings_for
from orchestration.partitions import nightly_partition_key, partition_run
from orchestration.streams import STREAMS
from sandbox.generator import SellerConfig
from sandbox.server import start_sandbox
from tests.dbt.conftest import (
    DBT,
    DBT_PROJECT,
    DBT_TIMEOUT_S,
    BuiltWarehouse,
    DbtRun,
    dbt_environment,
)

INCREMENTAL_MODELS = {
    "stg_amazon_sp__orders",
    "stg_amazon_sp__order_items",
    "stg_amazon_sp__inventory_ledger",
    "stg_amazon_ads__sp_campaigns",
    "stg_amazon_ads__sp_advertised_products",
    "stg_zendesk__tickets",
    "stg_zendesk__ticket_comments",
    "stg_shopify__orders",
    "stg_shopify__order_lines",
    "int_order_lines_unioned",
    "int_orders_unioned",
    "int_order_line_costs",
    "int_inventory_on_hand_daily",
    "int_ads_campaign_days_by_window",
    "int_ads_ad_days_by_window",
}
# DOUBLE columns are compared to this many decimal places (table_differences says why)
DOUBLE_PLACES = 6
# what only a changes-only build compiles: the filter on load times (macros/incremental.sql)
CHANGES_ONLY_FILTER = "loaded_at > cast('"

AS_OF_FIRST = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
AS_OF_SECOND = AS_OF_FIRST + timedelta(days=1)
SELLER = {"seed": 5, "days": 10, "orders_per_day": 4, "skus": 12, "tickets_per_day": 4}
REPLAYED = date(2026, 11, 25)  # rerun with the partition vars
REPAIRED = date(2026, 11, 22)  # its raw Amazon orders (and their items) are deleted by hand
# the seed change: SBX-0001 (18.58 USD from 2000-01-01) costs 25.00 USD from 2026-11-26 on
CHANGED_SKU = "SBX-0001"
NEW_COST_FROM = date(2026, 11, 26)
NEW_COST = Decimal("25.00")
OLD_COST = Decimal("18.58")


def run_dbt(
    project: Path,
    warehouse: Path,
    work: Path,
    *args: str,
    partition_vars: dict[str, str | None] | None = None,
) -> DbtRun:
    """One dbt command on ``warehouse`` from ``project``, target and logs under ``work``."""
    target = work / "target"
    command = [str(DBT), *args, "--target-path", str(target), "--log-path", str(work / "logs")]
    if partition_vars is not None:
        command += ["--vars", json.dumps(partition_vars)]
    environment = dbt_environment(warehouse, {"DBT_PROFILES_DIR": str(project)})
    completed = subprocess.run(
        command,
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_S,
        check=False,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    run = DbtRun(completed.returncode, completed.stdout + completed.stderr, results)
    assert run.returncode == 0, run.output[-4000:]
    return run


def full_refresh_copy(project: Path, warehouse: Path, work: Path) -> Path:
    """A copy of ``warehouse`` rebuilt from scratch (every model, no test)."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "full_refresh.duckdb"
    shutil.copyfile(warehouse, copy)
    run_dbt(project, copy, work, "run", "--full-refresh")
    return copy


def table_differences(incremental: Path, full: Path) -> dict[str, tuple[int, int, int, int]]:
    """Every built table whose rows differ: name -> (rows, rows in full, only in incremental,
    only in full), multiset semantics (EXCEPT ALL). An empty dict means identical.

    DOUBLE columns are compared rounded to DOUBLE_PLACES: a mart that sums doubles (support
    minutes) adds them in the physical order of its input, which an incremental table keeps
    differently from a rebuilt one, so the last bits differ (10144.050000000001 against
    10144.05), as they may between two full builds on several threads. Every other type
    (DECIMAL amounts, integers, dates, text) must be equal exactly."""
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach '{incremental}' as incremental (read_only)")
        con.execute(f"attach '{full}' as full_build (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = 'full_build' "
            "and schema_name in ('staging', 'intermediate', 'marts') order by 1, 2"
        ).fetchall()
        assert len(tables) > 20, tables
        different = {}
        for schema, table in tables:
            columns = con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where database_name = 'full_build' and schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, table],
            ).fetchall()
            listed = ", ".join(
                f'round("{name}", {DOUBLE_PLACES}) as "{name}"'
                if data_type in {"DOUBLE", "FLOAT"}
                else f'"{name}"'
                for name, data_type in columns
            )
            left = f"select {listed} from incremental.{schema}.{table}"
            right = f"select {listed} from full_build.{schema}.{table}"
            (counts,) = con.execute(
                f"select (select count(*) from ({left})), (select count(*) from ({right})), "
                f"(select count(*) from ({left} except all {right})), "
                f"(select count(*) from ({right} except all {left}))"
            ).fetchall()
            if counts[0] != counts[1] or counts[2] or counts[3]:
                different[f"{schema}.{table}"] = counts
        return different
    finally:
        con.close()


def incremental_models_in(project_target: Path) -> set[str]:
    manifest = json.loads((project_target / "manifest.json").read_text())
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }


def changes_only_models(run: DbtRun) -> set[str]:
    """The incremental models this build compiled with the changes-only filter."""
    return {
        result["unique_id"].rsplit(".", 1)[-1]
        for result in run.results
        if result["unique_id"].startswith("model.")
        and CHANGES_ONLY_FILTER in (result.get("compiled_code") or "")
    }


def test_the_incremental_models_are_the_large_facts(warehouse: BuiltWarehouse) -> None:
    assert incremental_models_in(warehouse.target_path) == INCREMENTAL_MODELS


# ---------------------------------------------------------------- (a) the dbt test seller


def test_the_second_night_of_the_test_seller_ran_changes_only(warehouse: BuiltWarehouse) -> None:
    assert changes_only_models(warehouse.first_build) == set()
    assert changes_only_models(warehouse.second_build) == INCREMENTAL_MODELS


def test_the_test_seller_after_two_nights_equals_a_full_refresh(
    warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    full = full_refresh_copy(DBT_PROJECT, warehouse.path, tmp_path)
    assert table_differences(warehouse.path, full) == {}


# ---------------------------------------------------------------- (b), (c) a sandbox seller


@dataclass
class SandboxNights:
    """Warehouses kept after each incremental step, and the builds that made them."""

    second_night: Path
    second_build: DbtRun
    repaired_and_replayed: Path
    replay_build: DbtRun
    seed_changed: Path
    seed_build: DbtRun
    project_with_new_cost: Path
    work: Path


def _land(path: Path, env: dict[str, str], now: datetime, partition: str, run_id: str) -> None:
    """Every stream, as the nightly job's raw assets run it for ``partition`` at ``now``."""
    run = partition_run(partition, now)
    con = connect(path)
    try:
        for stream in STREAMS:
            sync, settings_class = stream.load()
            settings = settings_for(settings_class.from_env(env), run)
            sync(con, settings, run_id=run_id, now=now)
    finally:
        con.close()


def _delete_raw_amazon_orders(path: Path, day: date) -> int:
    """A hand repair: the raw Amazon orders purchased on ``day`` (UTC) and their items go."""
    con = connect(path)
    try:
        ids = [
            order_id
            for (order_id,) in con.execute(
                "select amazon_order_id from raw.amazon_orders "
                "where cast(cast(_record ->> 'PurchaseDate' as timestamptz) as date) = ?",
                [day],
            ).fetchall()
        ]
        for table in ("amazon_order_items", "amazon_orders"):
            con.execute(
                f"delete from raw.{table} where amazon_order_id in (select unnest($ids))",
                {"ids": ids},
            )
        return len(ids)
    finally:
        con.close()


def _project_with_new_cost(destination: Path) -> Path:
    """A copy of the dbt project whose sku_costs seed has one more period for CHANGED_SKU."""
    shutil.copytree(
        DBT_PROJECT, destination, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    costs = destination / "seeds" / "sku_costs.csv"
    with costs.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert [CHANGED_SKU, "USD", str(OLD_COST), "2000-01-01"] in rows
    rows.append([CHANGED_SKU, "USD", str(NEW_COST), NEW_COST_FROM.isoformat()])
    with costs.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return destination


@pytest.fixture(scope="module")
def sandbox_nights(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxNights]:
    work = tmp_path_factory.mktemp("incremental_sandbox")
    path = work / "warehouse.duckdb"
    inbox = work / "inbox"
    inbox.mkdir()

    def night(as_of: datetime, partition: str | None, run_id: str) -> DbtRun:
        with start_sandbox(SellerConfig(**SELLER, as_of=as_of)) as sandbox:
            env = {**sandbox.env(), "KPI_INBOX_DIR": str(inbox)}
            key = partition or nightly_partition_key(as_of)
            _land(path, env, as_of, key, run_id)
        partition_vars = partition_run(key, as_of).dbt_vars()
        return run_dbt(DBT_PROJECT, path, work / run_id, "build", partition_vars=partition_vars)

    first = night(AS_OF_FIRST, None, "night-1")
    assert changes_only_models(first) == set()
    second = night(AS_OF_SECOND, None, "night-2")
    second_night = work / "after_night_2.duckdb"
    shutil.copyfile(path, second_night)

    assert _delete_raw_amazon_orders(path, REPAIRED) > 0
    replay = night(AS_OF_SECOND, REPLAYED.isoformat(), "replay")
    replayed = work / "after_replay.duckdb"
    shutil.copyfile(path, replayed)

    project = _project_with_new_cost(work / "project_with_new_cost")
    seed_build = run_dbt(project, path, work / "seed", "build")

    yield SandboxNights(second_night, second, replayed, replay, path, seed_build, project, work)


def test_the_sandbox_builds_after_the_first_ran_changes_only(sandbox_nights) -> None:
    assert changes_only_models(sandbox_nights.second_build) == INCREMENTAL_MODELS
    assert changes_only_models(sandbox_nights.replay_build) == INCREMENTAL_MODELS
    # a changed seed makes the models that read it (through their parents) rebuild every
    # row: sku_costs is read by int_order_line_costs only; the others stay changes-only
    assert changes_only_models(sandbox_nights.seed_build) == INCREMENTAL_MODELS - {
        "int_order_line_costs"
    }


def test_the_second_sandbox_night_equals_a_full_refresh(sandbox_nights) -> None:
    incremental = sandbox_nights.second_night
    full = full_refresh_copy(DBT_PROJECT, incremental, sandbox_nights.work / "full_night_2")
    assert table_differences(incremental, full) == {}


def test_a_hand_repair_and_a_replayed_day_equal_a_full_refresh(sandbox_nights) -> None:
    incremental = sandbox_nights.repaired_and_replayed
    full = full_refresh_copy(DBT_PROJECT, incremental, sandbox_nights.work / "full_replay")
    assert table_differences(incremental, full) == {}
    # the deleted orders are gone from every order model, as from raw
    con = duckdb.connect(str(incremental), read_only=True)
    try:
        (left,) = con.execute(
            "select count(*) from intermediate.int_orders_unioned "
            "where channel = 'amazon' and order_utc_date = ?",
            [REPAIRED],
        ).fetchone()
    finally:
        con.close()
    assert left == 0


def test_a_new_cost_period_changes_the_margin_as_a_full_refresh_does(sandbox_nights) -> None:
    incremental = sandbox_nights.seed_changed
    full = full_refresh_copy(
        sandbox_nights.project_with_new_cost, incremental, sandbox_nights.work / "full_seed"
    )
    assert table_differences(incremental, full) == {}

    def read(path: Path, sql: str, params: list) -> list[tuple]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    # the SKU's unit cost: the old one before the new period, the new one from its first day
    unit_costs = read(
        incremental,
        "select order_local_date >= ?, unit_cost, count(*) from intermediate.int_order_line_costs "
        "where sku = ? group by all order by 1, 2",
        [NEW_COST_FROM, CHANGED_SKU],
    )
    assert unit_costs[0][:2] == (False, OLD_COST)
    assert unit_costs[1][:2] == (True, NEW_COST)
    assert len(unit_costs) == 2

    # the margin moved on the days from the new period on where the SKU sold, never before
    margins = """
        select sales.marketplace_id, sales.local_date, sales.gross_margin
        from marts.kpi_sales_daily as sales
        order by 1, 2
    """
    before = {
        (m, d): margin for m, d, margin in read(sandbox_nights.repaired_and_replayed, margins, [])
    }
    after = {(m, d): margin for m, d, margin in read(incremental, margins, [])}
    assert set(after) == set(before)
    moved = {key for key in after if after[key] != before[key]}
    assert moved
    assert all(day >= NEW_COST_FROM for _, day in moved)
