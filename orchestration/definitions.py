"""The one Dagster Definitions object: it assembles, it defines nothing itself."""

from __future__ import annotations

from orchestration import environment

environment.apply()

import dagster as dg  # noqa: E402

from orchestration.assets.dashboard import kpi_dashboard  # noqa: E402
from orchestration.assets.dbt import dbt_resource, kpi_dbt_models  # noqa: E402
from orchestration.assets.publish import published_warehouse  # noqa: E402
from orchestration.assets.raw import RAW_ASSETS  # noqa: E402
from orchestration.checks.definitions import ASSET_CHECKS  # noqa: E402
from orchestration.jobs import SENSORS, nightly_job, nightly_schedule  # noqa: E402
from orchestration.resources import RunClock, Warehouse  # noqa: E402

defs = dg.Definitions(
    assets=[*RAW_ASSETS, kpi_dbt_models, published_warehouse, kpi_dashboard],
    asset_checks=ASSET_CHECKS,
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=SENSORS,
    resources={"warehouse": Warehouse(), "clock": RunClock(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
