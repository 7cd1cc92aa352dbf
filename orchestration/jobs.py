"""The nightly job, its schedule, and the two sensors that raise alerts about it.

The job materialises every asset (connectors, then the checks that guard them, then dbt, then
the publish of the copy analysts query: orchestration/assets/publish.py) in one process, one
step at a time: DuckDB allows a single writer per file, and a step spawned in
parallel would race the others for it (see ../shared/STACK.md). Its assets are partitioned by
day (orchestration/partitions.py); the schedule runs, at 02:00 in ``KPI_SCHEDULE_TIMEZONE``, the
partition of the local day that just ended, which is the nightly pull. The same job with an
older partition (UI, backfill, ``python -m orchestration.nightly --partition``) replays that day.

Alerts (orchestration/alerts.py say where they go): ``run_failure_alert`` when a run of the job
fails, ``stale_marts_alert`` when a mart's last build is older than ``KPI_MART_MAX_AGE_HOURS``
(once per mart until it is built again). Both need the Dagster daemon, as the schedule does
(``make ui`` runs one); ``python -m orchestration.nightly`` alerts on its own failures itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import dagster as dg

from orchestration.alerts import send_alert
from orchestration.assets.dbt import MARTS_GROUP, kpi_dbt_models, mart_max_age
from orchestration.summary import first_error_line

NIGHTLY_JOB_NAME = "nightly_kpi_job"
SCHEDULE_NAME = "nightly_at_0200"
PARTITION_TAG = "dagster/partition"
# set on runs whose launcher sends its own failure alert (the command line), so the run
# failure sensor does not send a second one
ALERTED_TAG = "kpi/alerts"
ALERTED_BY_CALLER = "sent-by-caller"
STALE_CHECK_INTERVAL_S = 15 * 60

nightly_job = dg.define_asset_job(
    NIGHTLY_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Pull every platform, check the raw data, rebuild the KPI marts. A partition is a "
        "local day: yesterday's is the nightly pull, an older one replays that day."
    ),
    executor_def=dg.in_process_executor,
)

nightly_schedule = dg.build_schedule_from_partitioned_job(
    nightly_job,
    name=SCHEDULE_NAME,
    hour_of_day=2,
    minute_of_hour=0,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "02:00 every night in KPI_SCHEDULE_TIMEZONE (an IANA zone; default UTC): the nightly "
        "pull, as the partition of the local day that just ended."
    ),
)


def run_failure_message(
    job_name: str,
    run_id: str,
    partition: str | None,
    failed_steps: Iterable[tuple[str, str]],
    failed_checks: Iterable[tuple[str, str]] = (),
) -> str:
    """What failed, in a few lines: the run, then each failed step and blocking check."""
    lines = [
        f"KPI warehouse: run {run_id} of {job_name} FAILED"
        + (f" (partition {partition})" if partition else "")
    ]
    lines += [f"  step {step}: {reason}" for step, reason in failed_steps]
    lines += [f"  check {check}: {message}" for check, message in failed_checks]
    lines.append("The marts keep the last good build; open the run in the Dagster UI for details.")
    return "\n".join(lines)


@dg.run_failure_sensor(
    name="run_failure_alert",
    monitored_jobs=[nightly_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert (KPI_ALERT_COMMAND / KPI_ALERT_WEBHOOK_URL / log) when a run "
    "of the nightly job fails.",
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    run = context.dagster_run
    if run.tags.get(ALERTED_TAG) == ALERTED_BY_CALLER:
        return
    steps = [
        (event.step_key or "run", first_error_line(event.step_failure_data.error))
        for event in context.get_step_failure_events()
    ]
    if not steps:
        steps = [("run", (context.failure_event.message or "").splitlines()[0][:300])]
    send_alert(
        "run_failure",
        run_failure_message(run.job_name, run.run_id, run.tags.get(PARTITION_TAG), steps),
    )


@dataclass(frozen=True)
class StaleMart:
    key: dg.AssetKey
    age: timedelta

    def describe(self) -> str:
        hours = self.age.total_seconds() / 3600
        return f"{self.key.to_user_string()}: last built {hours:.1f} h ago"


def mart_keys() -> list[dg.AssetKey]:
    """Every KPI mart (the dbt models of the marts group): the assets with a freshness policy."""
    return sorted(
        (spec.key for spec in kpi_dbt_models.specs if spec.group_name == MARTS_GROUP),
        key=lambda key: key.to_user_string(),
    )


def stale_marts(
    instance: dg.DagsterInstance,
    keys: Sequence[dg.AssetKey],
    *,
    now: float,
    max_age: timedelta,
) -> list[StaleMart]:
    """The marts whose newest materialisation (any partition) is older than ``max_age`` at
    ``now`` (unix seconds). A mart never built is not stale: the first run has not happened."""
    stale = []
    for key in keys:
        event = instance.get_latest_materialization_event(key)
        if event is None:
            continue
        age = timedelta(seconds=now - event.timestamp)
        if age > max_age:
            stale.append(StaleMart(key, age))
    return stale


def stale_marts_message(stale: Sequence[StaleMart], max_age: timedelta) -> str:
    hours = max_age.total_seconds() / 3600
    lines = [f"KPI warehouse: {len(stale)} mart(s) older than {hours:g} h (KPI_MART_MAX_AGE_HOURS)"]
    lines += [f"  {mart.describe()}" for mart in stale]
    lines.append("The nightly run has not rebuilt them: check the schedule and the last runs.")
    return "\n".join(lines)


@dg.sensor(
    name="stale_marts_alert",
    minimum_interval_seconds=STALE_CHECK_INTERVAL_S,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends an alert when a KPI mart's last build is older than "
    "KPI_MART_MAX_AGE_HOURS (once per mart until it is built again).",
)
def stale_marts_alert(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    max_age = mart_max_age()
    stale = stale_marts(context.instance, mart_keys(), now=time.time(), max_age=max_age)
    already = set(json.loads(context.cursor or "[]"))
    new = [mart for mart in stale if mart.key.to_user_string() not in already]
    if new:
        send_alert("stale_marts", stale_marts_message(new, max_age))
    context.update_cursor(json.dumps(sorted(mart.key.to_user_string() for mart in stale)))
    if not stale:
        return dg.SkipReason("every mart is fresh")
    return dg.SkipReason(f"{len(stale)} stale mart(s); alerted for {len(new)} new")


SENSORS = [run_failure_alert, stale_marts_alert]
