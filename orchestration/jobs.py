"""The nightly job and its schedule.

The job materialises every asset (connectors, then the checks that guard them, then dbt) in one
process, one step at a time: DuckDB allows a single writer per file, and a step spawned in
parallel would race the others for it (see ../shared/STACK.md). The schedule starts the same job
that ``make run`` executes.
"""

from __future__ import annotations

import os

import dagster as dg

NIGHTLY_JOB_NAME = "nightly_kpi_job"
DEFAULT_SCHEDULE_TIMEZONE = "UTC"

nightly_job = dg.define_asset_job(
    NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Pull every platform, check the raw data, rebuild the KPI marts.",
    executor_def=dg.in_process_executor,
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_at_0200",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone=os.environ.get("KPI_SCHEDULE_TIMEZONE", DEFAULT_SCHEDULE_TIMEZONE),
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="02:00 every night in KPI_SCHEDULE_TIMEZONE (an IANA zone; default UTC).",
)
