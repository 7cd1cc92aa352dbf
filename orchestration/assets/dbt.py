"""The dbt models as Dagster assets, via dagster-dbt, so lineage runs raw -> staging -> marts.

dbt sources carry ``meta.dagster.asset_key = ["raw", <table>]``, the keys of the connector
assets, which joins the two graphs; dbt tests become asset checks of their models.

The models share the connectors' daily partitions: a run of day D passes the partition's vars
(:meth:`orchestration.partitions.PartitionRun.dbt_vars`, contract in dbt_project/README.md).
Each materialisation carries the row count of its table (``dagster/row_count``; views are not
counted, that would run their query). The marts carry a freshness policy
(``KPI_MART_MAX_AGE_HOURS``, default 30): the UI marks a mart stale when its last build is older,
and the staleness sensor (orchestration/jobs.py) sends an alert.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError
from dbt.version import __version__ as DBT_VERSION
from packaging import version

from connectors.warehouse import published_path, warehouse_path
from orchestration.environment import DBT_PROJECT_DIR
from orchestration.partitions import daily_partitions, partition_run
from orchestration.resources import RunClock, Warehouse

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
MARTS_GROUP = "marts"
MART_MAX_AGE_VARIABLE = "KPI_MART_MAX_AGE_HOURS"
# the nightly run starts at 02:00 and takes minutes to a few hours: a mart built more than a
# day and six hours ago missed a night
DEFAULT_MART_MAX_AGE_HOURS = 30
ROW_COUNT = "dagster/row_count"
TABLE_NAME = "dagster/table_name"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than a model or macro.

    ``@dbt_assets`` needs target/manifest.json at import; a fresh clone has none.
    """
    manifest = Path(dbt_project.manifest_path)
    sources = [
        p
        for folder in ("models", "macros", "seeds", "tests")
        for p in (DBT_PROJECT_DIR / folder).rglob("*")
        if p.is_file()
    ] + [DBT_PROJECT_DIR / "dbt_project.yml"]
    newest = max((p.stat().st_mtime for p in sources if p.exists()), default=0.0)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return manifest
    # parsing renders profiles.yml, whose paths are required variables: when this module is
    # imported without the entry points' environment (a test, a notebook), give the defaults
    paths = {
        "KPI_WAREHOUSE_PATH": str(warehouse_path().resolve()),
        "KPI_PUBLISHED_PATH": str(published_path().resolve()),
    }
    subprocess.run(
        [DBT_EXECUTABLE, "parse", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        check=True,
        env={**paths, **os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
    )
    return manifest


class OfflineDbtCli(DbtCliResource):
    """DbtCliResource that reads dbt's version from the installed package.

    dagster-dbt learns the version by running ``dbt --version``, which asks the package
    registry for the latest release on every run; a nightly job must make no outbound call.
    """

    @cached_property
    def _cli_version(self) -> version.Version:  # type: ignore[override]
        return version.parse(DBT_VERSION)


def mart_max_age() -> timedelta:
    """How old a mart may get before it counts as stale (``KPI_MART_MAX_AGE_HOURS``)."""
    text = (os.environ.get(MART_MAX_AGE_VARIABLE) or "").strip()
    if not text:
        return timedelta(hours=DEFAULT_MART_MAX_AGE_HOURS)
    try:
        hours = float(text)
    except ValueError:
        hours = 0.0
    if hours <= 0:
        raise ValueError(
            f"{MART_MAX_AGE_VARIABLE} must be a positive number of hours, not {text!r}"
        )
    return timedelta(hours=hours)


class LayeredTranslator(DagsterDbtTranslator):
    """Groups dbt assets by layer folder (staging, intermediate, marts); marts get the
    freshness policy."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name != MARTS_GROUP:
            return spec
        return spec.replace_attributes(
            freshness_policy=dg.FreshnessPolicy.time_window(fail_window=mart_max_age())
        )


def dbt_vars(partition_vars: Mapping[str, str | None]) -> str:
    """``--vars`` for a build: the reporting currency and the partition's vars."""
    return json.dumps(
        {
            # as the FX connector reads it (connectors/fx/settings.py): "usd" means USD
            "reporting_currency": (os.environ.get("REPORTING_CURRENCY") or "USD").strip().upper(),
            **partition_vars,
        }
    )


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=LayeredTranslator(),
    partitions_def=daily_partitions(),
    # one run per day, as the connectors: a backfill of a week is seven replays
    backfill_policy=dg.BackfillPolicy.multi_run(1),
)
def kpi_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, clock: RunClock, warehouse: Warehouse
):
    run = partition_run(context.partition_key, clock.now())
    context.log.info("dbt build for %s, vars %s", run.describe(), run.dbt_vars())
    invocation = dbt.cli(["build", "--vars", dbt_vars(run.dbt_vars())], context=context)
    # dbt holds the warehouse until it exits: the events are kept until then, and the tables'
    # row counts (one count(*) each, after dbt let go of the file) added to them
    events, failure = [], None
    try:
        events.extend(invocation.stream())
    except DagsterDbtCliRuntimeError as exc:
        failure = exc
    yield from with_row_counts(context, events, warehouse)
    if failure is not None:
        raise failure


def with_row_counts(
    context: dg.AssetExecutionContext, events: list, warehouse: Warehouse
) -> Iterator[Any]:
    """``events`` with ``dagster/row_count`` added to each table's materialisation."""
    tables = {}
    for event in events:
        if isinstance(event, dg.Output):
            key = context.asset_key_for_output(event.output_name)
            spec = context.assets_def.specs_by_key[key]
            if _materialized(spec) != "view" and spec.metadata.get(TABLE_NAME):
                tables[event.output_name] = str(spec.metadata[TABLE_NAME]).split(".")[-2:]
    counts = _row_counts(warehouse, tables) if tables else {}
    for event in events:
        if isinstance(event, dg.Output) and event.output_name in counts:
            yield event.with_metadata({**event.metadata, ROW_COUNT: counts[event.output_name]})
        else:
            yield event


def _materialized(spec: dg.AssetSpec) -> str | None:
    for name, value in spec.metadata.items():
        if name.endswith("materialization_type"):
            return str(getattr(value, "value", value))
    return None


def _row_counts(warehouse: Warehouse, tables: Mapping[str, list[str]]) -> dict[str, int]:
    counts = {}
    with warehouse.connection(read_only=True) as con:
        for output_name, (schema, name) in tables.items():
            try:
                (count,) = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            except duckdb.Error:  # a table dbt did not build (it failed) only loses its count
                continue
            counts[output_name] = int(count)
    return counts


def dbt_resource() -> OfflineDbtCli:
    return OfflineDbtCli(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=DBT_EXECUTABLE,
    )
