"""The publish step as a Dagster asset: the last node of the graph, after every KPI mart.

It depends on all marts of the dbt project and on every raw asset, so it runs only when every
connector (the inbox too, whose tables no mart reads yet) and the dbt step (which runs after the
blocking raw checks, and fails when a dbt test fails) have succeeded in the same run: a failed
stream, check or build skips it and analysts keep the last good version. What it does is in
``orchestration/publish.py``.
"""

from pathlib import Path

import dagster as dg

from connectors.warehouse import WarehouseOriginError, current_origin
from orchestration.assets.dbt import kpi_dbt_models
from orchestration.assets.raw import RAW_ASSETS
from orchestration.publish import PublishError, publish
from orchestration.resources import Warehouse

PUBLISHED_KEY = dg.AssetKey(["published", "warehouse"])
MARTS_GROUP = "marts"


def marts_keys(dbt_assets: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """Every mart the dbt project builds (whatever marts other models add later)."""
    return sorted(
        (spec.key for spec in dbt_assets.specs if spec.group_name == MARTS_GROUP),
        key=lambda key: key.to_user_string(),
    )


@dg.asset(
    key=PUBLISHED_KEY,
    deps=[
        *marts_keys(kpi_dbt_models),
        *(spec.key for assets in RAW_ASSETS for spec in assets.specs),
    ],
    group_name="published",
    kinds={"duckdb", "parquet"},
    description=(
        "The copy analysts query (KPI_PUBLISHED_PATH, default data/warehouse.duckdb) and its "
        "marts as Parquet files beside it, replaced atomically after a successful, checked "
        "build; the version is in meta.publication."
    ),
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    target = warehouse.publish_target()
    try:
        publication = publish(
            Path(warehouse.resolved_path()),
            target,
            origin=current_origin(),
            run_id=context.run.run_id,
        )
    except (PublishError, WarehouseOriginError) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None
    return dg.MaterializeResult(
        metadata={
            "version": publication.version,
            "published_at": publication.published_at.isoformat(),
            "database": dg.MetadataValue.path(str(publication.database)),
            "database_bytes": publication.database_bytes,
            "parquet": dg.MetadataValue.path(str(publication.parquet)),
            "tables": len(publication.tables),
            "rows": dg.MetadataValue.json(publication.tables),
            "seconds": round(publication.seconds, 2),
        }
    )
