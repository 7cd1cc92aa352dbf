"""Process-wide settings that keep a run offline and its files inside the project.

Applied once by the definitions module and by the run entry point, before Dagster or dbt start:
dbt's anonymous usage statistics off, the warehouse path and dbt profile location explicit,
Dagster's home (run history for the UI) under ``data/dagster`` with telemetry off.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from connectors.warehouse import PROJECT_ROOT, published_path, warehouse_path

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DAGSTER_HOME = PROJECT_ROOT / "data" / "dagster"
DAGSTER_YAML = PROJECT_ROOT / "orchestration" / "dagster.yaml"

OFFLINE_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "DAGSTER_DISABLE_TELEMETRY": "1",
}


def apply() -> None:
    """Set the defaults above without overriding what an operator exported."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    # the published copy first: its default follows whether KPI_WAREHOUSE_PATH was exported
    os.environ.setdefault("KPI_PUBLISHED_PATH", str(published_path().resolve()))
    os.environ.setdefault("KPI_WAREHOUSE_PATH", str(warehouse_path().resolve()))
    os.environ.setdefault("DBT_PROFILES_DIR", str(DBT_PROJECT_DIR))
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(DAGSTER_HOME)))
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(DAGSTER_YAML, home / "dagster.yaml")
