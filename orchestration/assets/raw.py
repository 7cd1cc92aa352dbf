"""One Dagster asset per raw table, grouped by the connector stream that lands it.

A stream that writes two tables (orders and their items; tickets and their comments) is one
multi-asset: both tables come from one pass over the platform and share one cursor. Each step
opens the warehouse, lands, commits, and closes it before the next step starts.
"""

import logging

import dagster as dg

from connectors.errors import AuthenticationError, ConfigurationError
from orchestration.resources import RunClock, Warehouse
from orchestration.streams import STREAMS, Stream

log = logging.getLogger("orchestration.raw")

RAW_GROUP = "raw"
CONNECTOR_RETRY = dg.RetryPolicy(
    max_retries=2, delay=20, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def raw_asset_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table_name])


def _build(stream: Stream) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            raw_asset_key(table.name),
            description=f"{stream.description} Table `{table.qualified}`.",
            group_name=RAW_GROUP,
            kinds={"duckdb", "python"},
            metadata={"keys": ", ".join(table.key_names), "platform": stream.platform},
        )
        for table in stream.tables
    ]

    @dg.multi_asset(
        name=stream.name,
        specs=specs,
        retry_policy=CONNECTOR_RETRY,
        op_tags={"platform": stream.platform},
    )
    def _sync(context: dg.AssetExecutionContext, warehouse: Warehouse, clock: RunClock):
        sync, settings_class = stream.load()
        now = clock.now()
        try:
            settings = settings_class.from_env()
            with warehouse.connection() as con:
                run = sync(con, settings, run_id=context.run_id, now=now)
        except (ConfigurationError, AuthenticationError) as exc:
            # a missing setting or refused credentials: another attempt cannot succeed
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        context.log.info(
            "%s: %d records in %.1f s, cursor %s",
            stream.name,
            run.records,
            run.seconds,
            run.cursor,
        )
        for table in stream.tables:
            result = run.tables.get(table.qualified)
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(table.name),
                metadata={
                    "records_fetched": result.records if result else 0,
                    "inserted": result.inserted if result else 0,
                    "updated": result.updated if result else 0,
                    "unchanged": result.unchanged if result else 0,
                    "quarantined": result.quarantined if result else 0,
                    "cursor": run.cursor or "",
                    "requests": run.requests,
                    "seconds": round(run.seconds, 2),
                    "window_end": now.isoformat(),
                },
            )

    return _sync


RAW_ASSETS: list[dg.AssetsDefinition] = [_build(stream) for stream in STREAMS]
