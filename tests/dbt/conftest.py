"""One tiny warehouse, built by dbt twice, shared by every test of tests/dbt/.

Night 1 lands the synthetic seller of ``seller.py`` through ``connectors.landing.land`` and runs
``dbt build``; what the restated Ads day looked like after that night is kept. Night 2 lands the
re-pulled Ads report and runs ``dbt build`` again with ``TZ=Australia/Sydney`` in dbt's
environment, so every mart value asserted afterwards also proves that the profile pins the
session to UTC. dbt writes its target and logs under the tmp folder (parallel runs never
collide) and gets the offline environment a caller must give it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.landing import land
from connectors.warehouse import connect
from tests.dbt import seller

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT = PROJECT_ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
DBT_TIMEOUT_S = 300


@dataclass
class DbtRun:
    """One `dbt build`: its exit code, its output and its run_results.json."""

    returncode: int
    output: str
    results: list[dict[str, Any]]

    def statuses(self) -> dict[str, str]:
        return {result["unique_id"]: result["status"] for result in self.results}


@dataclass
class BuiltWarehouse:
    """The warehouse after both nights, and what was seen after the first."""

    path: Path
    target_path: Path
    first_build: DbtRun
    second_build: DbtRun
    restated_after_first_night: list[tuple[Any, ...]]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            con.execute("set TimeZone = 'UTC'")
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def one(self, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
        found = self.rows(sql, params)
        assert len(found) == 1, f"expected one row, got {len(found)}: {sql}"
        return found[0]

    def record(self, sql: str, params: list[Any] | None = None) -> dict[str, Any]:
        """The single row of ``sql`` as a dict keyed by column name."""
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            con.execute("set TimeZone = 'UTC'")
            cursor = con.execute(sql, params or [])
            names = [column[0] for column in cursor.description]
            found = cursor.fetchall()
        finally:
            con.close()
        assert len(found) == 1, f"expected one row, got {len(found)}: {sql}"
        return dict(zip(names, found[0], strict=True))


def dbt_environment(warehouse: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DBT_") and key not in {"TZ", "KPI_WAREHOUSE_PATH"}
    }
    env.update(
        {
            "KPI_WAREHOUSE_PATH": str(warehouse),
            "DBT_PROFILES_DIR": str(DBT_PROJECT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    env.update(extra or {})
    return env


def dbt_build(warehouse: Path, work: Path, extra_env: dict[str, str] | None = None) -> DbtRun:
    target = work / "target"
    completed = subprocess.run(
        [
            str(DBT),
            "build",
            "--target-path",
            str(target),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=DBT_PROJECT,
        env=dbt_environment(warehouse, extra_env),
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_S,
        check=False,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, results)


def land_batches(con: duckdb.DuckDBPyConnection, batches: list[seller.Batch], night: str) -> None:
    for index, batch in enumerate(batches):
        land(
            con,
            batch.table,
            batch.shape,
            batch.payloads,
            run_id=night,
            stream=batch.table.name,
            context=batch.context,
            cursor=f"{night}-{index}",
        )


RESTATED_SQL = """
    select attribution_window_days, purchases, attributed_sales, acos, has_spend_without_sales
    from marts.kpi_ads_campaign_daily
    where campaign_id = '31000000000002' and local_date = date '2026-10-05'
"""


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    work = tmp_path_factory.mktemp("dbt_kpi")
    path = work / "warehouse.duckdb"

    con = connect(path)
    try:
        land_batches(con, seller.first_night(), "night-1")
    finally:
        con.close()
    first = dbt_build(path, work)
    assert first.returncode == 0, first.output[-4000:]
    restated = BuiltWarehouse(path, work / "target", first, first, []).rows(RESTATED_SQL)

    con = connect(path)
    try:
        land_batches(con, seller.second_night(), "night-2")
    finally:
        con.close()
    second = dbt_build(path, work, {"TZ": "Australia/Sydney"})
    assert second.returncode == 0, second.output[-4000:]
    yield BuiltWarehouse(path, work / "target", first, second, restated)
