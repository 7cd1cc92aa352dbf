"""The KPI dashboard as a Dagster asset: rendered right after every successful publish.

It depends on the published warehouse, so a run whose checks or build failed (and therefore
published nothing) leaves the last good page in place, like the data it shows. The page is read
from the working file the publish step has just copied: the same bytes, version and marts as the
published copy, and a file only the job opens, so an analyst's session on the published copy
can never make this step fail. ``make dashboard`` re-renders from the published copy itself.
What the page shows is in ``dashboard/``.
"""

from pathlib import Path

import dagster as dg

from dashboard.build import dashboard_path, render_dashboard
from orchestration.assets.publish import PUBLISHED_KEY, published_warehouse
from orchestration.resources import Warehouse

DASHBOARD_KEY = dg.AssetKey(["published", "dashboard"])


@dg.asset(
    key=DASHBOARD_KEY,
    deps=[PUBLISHED_KEY],
    partitions_def=published_warehouse.partitions_def,
    group_name="published",
    kinds={"html"},
    description=(
        "The nightly KPI dashboard: one self-contained HTML page (KPI_DASHBOARD_PATH, default "
        "data/dashboard/index.html) with the monthly scorecard, daily trends per marketplace, "
        "sales per head and the freshness of each source; open it in any browser, offline."
    ),
)
def kpi_dashboard(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    out = dashboard_path(warehouse.publish_target().database)
    rendered = render_dashboard(Path(warehouse.resolved_path()), out)
    for table in rendered.missing:
        context.log.warning("dashboard section left empty: %s is not in the warehouse", table)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(rendered.path)),
            "bytes": rendered.bytes,
            "charts": rendered.charts,
            "scorecard_rows": rendered.scorecard_rows,
            "empty_sections": ", ".join(rendered.missing) or "none",
        }
    )
