"""The data checks as Dagster asset checks on the raw tables they guard."""

import os

import dagster as dg

from orchestration.assets.raw import raw_asset_key
from orchestration.checks.consistency import AFTER_BUILD_CHECKS, CONSISTENCY_CHECKS
from orchestration.checks.framework import DataCheck, preview, run_check
from orchestration.checks.freshness import FRESHNESS_CHECKS
from orchestration.resources import RunClock, Warehouse

JUDGE_ALL_VARIABLE = "KPI_CHECK_ALL_ROWS"


def judge_all_rows() -> bool:
    """``KPI_CHECK_ALL_ROWS=1``: judge every row again, not only those landed since the last
    publication (after changing a check or a tolerance)."""
    return os.environ.get(JUDGE_ALL_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def _build(check: DataCheck) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(check.asset)) if check.asset else raw_asset_key(check.table),
        name=check.name,
        description=check.description,
        blocking=check.blocking,
        additional_deps=[raw_asset_key(name) for name in check.needs],
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: Warehouse, clock: RunClock
    ) -> dg.AssetCheckResult:
        with warehouse.connection() as con:
            outcome = run_check(
                con,
                check,
                as_of=clock.now(),
                run_id=context.run.run_id,
                judge_all=judge_all_rows(),
            )
        metadata: dict[str, dg.RawMetadataValue] = {
            "rows_checked": outcome.rows_checked,
            "rows_failing": len(outcome.failing_rows),
        }
        if not outcome.passed and not outcome.failing_rows.empty:
            metadata["failing_rows"] = dg.MetadataValue.md(preview(outcome.failing_rows))
        return dg.AssetCheckResult(
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR,
            description=outcome.message,
            metadata=metadata,
        )

    return _check


DATA_CHECKS: tuple[DataCheck, ...] = (
    *CONSISTENCY_CHECKS,
    *AFTER_BUILD_CHECKS,
    *FRESHNESS_CHECKS,
)
ASSET_CHECKS: list[dg.AssetChecksDefinition] = [_build(check) for check in DATA_CHECKS]
