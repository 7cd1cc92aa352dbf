"""The dbt models as Dagster assets, via dagster-dbt, so lineage runs raw -> staging -> marts.

dbt sources carry ``meta.dagster.asset_key = ["raw", <table>]``, the keys of the connector
assets, which joins the two graphs; dbt tests become asset checks of their models.
"""

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dbt.version import __version__ as DBT_VERSION
from packaging import version

from orchestration.environment import DBT_PROJECT_DIR

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
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
    subprocess.run(
        [DBT_EXECUTABLE, "parse", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        check=True,
        env={**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
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


class LayeredTranslator(DagsterDbtTranslator):
    """Groups dbt assets by layer folder (staging, intermediate, marts)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "seed":
            return "seeds"
        return fqn[1] if len(fqn) > 2 else "dbt"


def dbt_vars() -> str:
    return json.dumps({"reporting_currency": os.environ.get("REPORTING_CURRENCY", "USD")})


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    dagster_dbt_translator=LayeredTranslator(),
)
def kpi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build", "--vars", dbt_vars()], context=context).stream()


def dbt_resource() -> OfflineDbtCli:
    return OfflineDbtCli(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=DBT_EXECUTABLE,
    )
