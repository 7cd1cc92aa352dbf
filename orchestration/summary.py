"""The few lines printed after a run: rows per stream, checks, headline KPIs, where the data is
(the version published for analysts, or the one they keep when the run published nothing)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from connectors.warehouse import connect
from orchestration.publish import PublishTarget, last_publication

PUBLISHED_ASSET = "published/warehouse"


@dataclass
class RunOutcome:
    succeeded: bool
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # asset -> counts
    checks_passed: list[str] = field(default_factory=list)
    checks_failed: list[tuple[str, str]] = field(default_factory=list)  # (check, message)
    failed_steps: list[tuple[str, str]] = field(default_factory=list)  # (step, first line)
    published_version: str | None = None  # set when this run published
    partition: str = ""  # what the run did, e.g. "replay of 2026-11-20 (...)"


def run_outcome(result) -> RunOutcome:
    """Collect counts and check results from a Dagster ExecuteInProcessResult."""
    rows: dict[str, dict[str, int]] = defaultdict(dict)
    published_version = None
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        key = "/".join(materialization.asset_key.path)
        metadata = materialization.metadata
        if key == PUBLISHED_ASSET and "version" in metadata:
            published_version = str(metadata["version"].value)
        if "records_fetched" in metadata:
            rows[key] = {
                name: int(metadata[name].value)
                for name in ("records_fetched", "inserted", "updated", "quarantined")
                if name in metadata
            }
    passed, failed = [], []
    for evaluation in result.get_asset_check_evaluations():
        name = f"{'/'.join(evaluation.asset_key.path)}:{evaluation.check_name}"
        if evaluation.passed:
            passed.append(name)
        else:
            failed.append((name, evaluation.description or ""))
    failed_steps = [
        (event.step_key, first_error_line(event.step_failure_data.error))
        for event in result.all_events
        if event.is_step_failure
    ]
    succeeded = result.success and not failed_steps
    return RunOutcome(succeeded, dict(rows), passed, failed, failed_steps, published_version)


def first_error_line(error) -> str:
    """The cause a person can act on: the innermost error's first line."""
    while error is not None and error.cause is not None:
        error = error.cause
    message = (error.message if error is not None else "").strip()
    message = message.removeprefix("dagster._core.definitions.events.Failure: ")
    return message.splitlines()[0] if message else "(no message)"


HEADLINE_SQL = """
    select
        'last 30 days' as period,
        sum(gmv) as gmv,
        sum(net_sales) as net_sales,
        sum(orders_count) as orders,
        sum(gmv) / nullif(sum(orders_count), 0) as aov,
        sum(refunded_orders_count) / nullif(sum(orders_count), 0) as refund_rate
    from marts.kpi_sales_daily
    where local_date > (select max(local_date) from marts.kpi_sales_daily) - 30
"""

ADS_SQL = """
    select
        sum(cost) / nullif(sum(attributed_sales), 0) as acos,
        sum(cost) / nullif(sum(total_sales), 0) as tacos
    from marts.kpi_ads_daily
    where attribution_window_days = 7
        and local_date > (select max(local_date) from marts.kpi_ads_daily) - 30
"""


def headline_kpis(warehouse: Path) -> list[str]:
    """A handful of KPIs over the last 30 days, read from the marts (empty if not built)."""
    if not warehouse.exists():
        return []
    try:
        con = connect(warehouse, read_only=True)
    except duckdb.Error:
        return []
    lines = []
    try:
        sales = con.execute(HEADLINE_SQL).fetchone()
        if sales and sales[1] is not None:
            lines.append(
                f"GMV {sales[1]:,.2f} | net sales {sales[2]:,.2f} | orders {int(sales[3]):,} | "
                f"AOV {sales[4]:,.2f} | refund rate {_pct(sales[5])}"
            )
        ads = con.execute(ADS_SQL).fetchone()
        if ads:
            lines.append(f"ACoS {_pct(ads[0])} | TACoS {_pct(ads[1])}")
    except duckdb.CatalogException:
        lines.append("(no KPI marts built yet)")
    except duckdb.Error as exc:
        lines.append(f"(headline KPIs unavailable: {str(exc).splitlines()[0]})")
    finally:
        con.close()
    return lines


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.2f} %"


def render_summary(outcome: RunOutcome, warehouse: Path, published: PublishTarget) -> str:
    """The summary; ``warehouse`` is the job's working file, ``published`` the analysts' copy."""
    lines = ["", "=" * 72, f"Nightly KPI run: {'SUCCEEDED' if outcome.succeeded else 'FAILED'}"]
    if outcome.partition:
        lines.append(f"Partition: {outcome.partition}")
    lines.append("Rows per stream (fetched / inserted / updated):")
    width = max((len(asset) for asset in outcome.rows), default=0)
    for asset, counts in sorted(outcome.rows.items()):
        quarantined = counts.get("quarantined", 0)
        lines.append(
            f"  {asset:<{width}} {counts.get('records_fetched', 0):>9,} / "
            f"{counts.get('inserted', 0):>9,} / {counts.get('updated', 0):>9,}"
            + (f"  ({quarantined:,} quarantined: see raw._quarantine)" if quarantined else "")
        )
    total = len(outcome.checks_passed) + len(outcome.checks_failed)
    lines.append(f"Checks: {len(outcome.checks_passed)} of {total} passed")
    for name, message in outcome.checks_failed:
        lines.append(f"  FAILED {name}: {message}")
    for step, reason in outcome.failed_steps:
        lines.append(f"  step failed: {step}: {reason}")
    # this run's marts are in the working file (the published copy is the same bytes, but an
    # analyst may hold it); after a failure, what analysts still see is the published copy
    kpis = headline_kpis(warehouse if outcome.published_version else published.database)
    if kpis:
        lines.append(
            "Headline KPIs, last 30 days, reporting currency:"
            if outcome.published_version
            else "Headline KPIs of the last published build (not rebuilt by this run):"
        )
        lines.extend(f"  {line}" for line in kpis)
    lines.extend(_publication_lines(outcome, published))
    lines.append(f"Working file of the job: {warehouse}")
    lines.append("=" * 72)
    return "\n".join(lines)


def _publication_lines(outcome: RunOutcome, published: PublishTarget) -> list[str]:
    manifest = last_publication(published)
    if outcome.published_version:
        tables = len(manifest["tables"]) if manifest else 0
        return [
            f"Published for analysts, version {outcome.published_version}:",
            f"  {published.database}  (make sql)",
            f"  {published.parquet}/  ({tables} marts tables as Parquet)",
        ]
    if manifest:
        return [
            f"Not published: analysts keep version {manifest['version']} "
            f"(published {manifest['published_at']}) in {published.database}"
        ]
    return [f"Not published: nothing has been published to {published.database} yet"]
