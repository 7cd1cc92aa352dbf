"""The pipeline's stages, measured one at a time: land each stream, dbt build, checks, publish.

The stages call the same code the nightly job's Dagster steps call (each stream's sync function
with its settings from the environment, ``dbt build`` with the job's vars, every data check,
the publish step), in the job's order, one connection per step, so each figure belongs to one
stage. Dagster itself is left out here; the ``night`` preset runs the real nightly command,
Dagster included.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from bench.measure import Stage, measured, run_child
from connectors.warehouse import claim, connect, current_origin
from orchestration.environment import DBT_PROJECT_DIR
from orchestration.streams import STREAMS, Stream

log = logging.getLogger("bench.pipeline")

DBT = str(Path(sys.executable).with_name("dbt"))
TOP_MODELS = 12  # dbt models listed by execution time


def land_streams(
    warehouse: Path,
    *,
    run_id: str,
    now: datetime,
    on_stage: Callable[[Stage], None] | None = None,
) -> list[Stage]:
    """Every connector stream, in the job's order; one stage each, handed to ``on_stage`` as it
    ends. A stream that fails is recorded with its error and the next streams still run."""
    stages = []
    for stream in STREAMS:
        stage = land_stream(stream, warehouse, run_id=run_id, now=now)
        stages.append(stage)
        if on_stage is not None:
            on_stage(stage)
    return stages


def land_stream(stream: Stream, warehouse: Path, *, run_id: str, now: datetime) -> Stage:
    """One connector stream's sync function, measured; a failure is recorded on the stage."""
    stage = Stage(f"land {stream.name}")
    try:
        with measured(stage.name) as stage:
            sync, settings_class = stream.load()
            settings = settings_class.from_env()
            con = connect(warehouse)
            try:
                claim(con, current_origin(), warehouse)
                run = sync(con, settings, run_id=run_id, now=now)
            finally:
                con.close()
            stage.rows = run.records
            stage.detail = {
                "requests": run.requests,
                "tables": {
                    table: {
                        "records": result.records,
                        "inserted": result.inserted,
                        "updated": result.updated,
                        "quarantined": result.quarantined,
                    }
                    for table, result in run.tables.items()
                },
            }
    except Exception:  # noqa: BLE001 - the error is on the stage
        log.exception("%s failed", stage.name)
    log.info("%s: %d rows in %.1f s", stage.name, stage.rows, stage.seconds)
    return stage


def dbt_build(warehouse: Path, work: Path, env: Mapping[str, str]) -> Stage:
    """``dbt build`` in a child process, its own target folder; the models that took longest."""
    target = work / "dbt-target"
    variables = json.dumps({"reporting_currency": env.get("REPORTING_CURRENCY", "USD")})
    child_env = {
        **env,
        "KPI_WAREHOUSE_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }
    argv = [
        DBT,
        "build",
        "--vars",
        variables,
        "--target-path",
        str(target),
        "--log-path",
        str(work / "dbt-logs"),
    ]
    result = run_child(argv, env=child_env, cwd=DBT_PROJECT_DIR)
    stage = Stage("dbt build", seconds=result.seconds, peak_rss_mib=result.peak_rss_mib)
    if result.returncode != 0:
        stage.error = f"dbt build exited {result.returncode}: {result.stdout[-2000:]}"
    stage.detail = _dbt_timings(target / "run_results.json")
    stage.rows = _marts_rows(warehouse)
    stage.detail["marts_rows"] = stage.rows
    return stage


def _dbt_timings(run_results: Path) -> dict:
    """Per node execution time from dbt's run_results.json, longest first."""
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    nodes = sorted(
        (
            {
                "node": r["unique_id"].split(".", 1)[1],
                "kind": r["unique_id"].split(".", 1)[0],
                "seconds": round(r.get("execution_time") or 0.0, 2),
                "status": r.get("status"),
            }
            for r in results
        ),
        key=lambda node: -node["seconds"],
    )
    by_kind: dict[str, float] = {}
    for node in nodes:
        by_kind[node["kind"]] = round(by_kind.get(node["kind"], 0.0) + node["seconds"], 2)
    return {
        "nodes": len(nodes),
        "seconds_by_kind": by_kind,
        "slowest": nodes[:TOP_MODELS],
        "failed": [n["node"] for n in nodes if n["status"] not in ("success", "pass")],
    }


def _marts_rows(warehouse: Path) -> int:
    try:
        con = connect(warehouse, read_only=True)
    except Exception:  # noqa: BLE001 - a missing warehouse has no rows to count
        return 0
    try:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        return sum(
            con.execute(f'select count(*) from marts."{name}"').fetchone()[0] for (name,) in tables
        )
    finally:
        con.close()


def run_checks(warehouse: Path, *, run_id: str, now: datetime) -> Stage:
    """Every consistency and freshness check, as the job's asset checks run them."""
    from orchestration.checks.consistency import CONSISTENCY_CHECKS
    from orchestration.checks.freshness import FRESHNESS_CHECKS

    checks = (*CONSISTENCY_CHECKS, *FRESHNESS_CHECKS)
    stage = Stage("checks")
    try:
        return _run_checks(checks, warehouse, run_id=run_id, now=now)
    except Exception:  # noqa: BLE001 - recorded on the stage
        log.exception("checks failed")
        stage.error = "checks raised; see the log"
        return stage


def _run_checks(checks, warehouse: Path, *, run_id: str, now: datetime) -> Stage:  # noqa: ANN001
    from orchestration.checks.framework import run_check

    with measured("checks") as stage:
        failed, slowest = [], []
        con = connect(warehouse, read_only=True)
        try:
            for check in checks:
                with measured(check.name) as one:
                    outcome = run_check(con, check, as_of=now, run_id=run_id)
                stage.rows += outcome.rows_checked
                slowest.append((one.seconds, check.name, outcome.rows_checked))
                if not outcome.passed:
                    failed.append(f"{check.name}: {outcome.message[:200]}")
        finally:
            con.close()
        slowest.sort(reverse=True)
        stage.detail = {
            "checks": len(checks),
            "failed": failed,
            "slowest": [
                {"check": name, "seconds": round(seconds, 2), "rows": rows}
                for seconds, name, rows in slowest[:8]
            ],
        }
    return stage


def publish(warehouse: Path, *, run_id: str) -> Stage | None:
    """The publish step (orchestration/publish.py), when the project has one."""
    try:
        from orchestration.publish import PublishTarget
        from orchestration.publish import publish as publish_warehouse
    except ImportError:
        return None
    stage = Stage("publish")
    try:
        with measured("publish") as stage:
            publication = publish_warehouse(
                warehouse, PublishTarget.configured(), origin=current_origin(), run_id=run_id
            )
            stage.rows = sum(publication.tables.values())
            stage.detail = {
                "database_bytes": publication.database_bytes,
                "tables": len(publication.tables),
            }
    except Exception:  # noqa: BLE001 - the error is on the stage
        log.exception("publish failed")
    return stage


def environment(sandbox_env: Mapping[str, str], work: Path) -> dict[str, str]:
    """The process environment for a bench run: the sandbox's settings, files under ``work``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AMAZON_", "SHOPIFY_", "ZENDESK_", "FX_", "KPI_"))
    }
    env.update(sandbox_env)
    env.update(
        {
            "KPI_WAREHOUSE_PATH": str(work / "work" / "warehouse.duckdb"),
            "KPI_PUBLISHED_PATH": str(work / "published" / "warehouse.duckdb"),
            "KPI_INBOX_DIR": str(work / "inbox"),
            "DAGSTER_HOME": str(work / "dagster"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            "DAGSTER_DISABLE_TELEMETRY": "1",
        }
    )
    return env
