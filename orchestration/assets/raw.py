"""One Dagster asset per raw table, grouped by the connector stream that lands it.

A stream that writes two tables (orders and their items; tickets and their comments) is one
multi-asset: both tables come from one pass over the platform and share one cursor. Each step
opens the warehouse, lands, commits, and closes it before the next step starts.

The assets are partitioned by day (:mod:`orchestration.partitions`). A run of yesterday's
partition is the nightly pull; a run of an older day is a replay: the stream's settings get
``replay_day`` (when the settings class has it), so a dated stream re-reads that day's records
and keeps its cursor. Each materialisation records what the step did: rows fetched, inserted,
updated, unchanged and quarantined, the cursor before and after, the window, the requests made
and the duration.
"""

import dataclasses
import logging

import dagster as dg
import duckdb

from connectors.base import replay_window
from connectors.errors import AuthenticationError, ConfigurationError
from connectors.landing import RAW_SCHEMA, ensure_state_tables
from orchestration.partitions import PartitionRun, daily_partitions, partition_run
from orchestration.resources import RunClock, Warehouse
from orchestration.streams import STREAMS, Stream

log = logging.getLogger("orchestration.raw")

RAW_GROUP = "raw"
CONNECTOR_RETRY = dg.RetryPolicy(
    max_retries=2, delay=20, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
REPLAY_FIELD = "replay_day"


def raw_asset_key(table_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", table_name])


def stream_cursors(con: duckdb.DuckDBPyConnection, stream: str) -> str:
    """The stream's stored cursor(s) as one line: ``value``, or ``part=value, ...`` for a
    stream that keeps one per account (``amazon_ads_sp_campaigns:<profileId>``); empty before
    its first load."""
    ensure_state_tables(con)
    rows = con.execute(
        f"select stream, cursor_value from {RAW_SCHEMA}._stream_state "
        "where stream = $stream or starts_with(stream, $stream || ':') order by stream",
        {"stream": stream},
    ).fetchall()
    return ", ".join(
        value if name == stream else f"{name.removeprefix(stream + ':')}={value}"
        for name, value in rows
    )


def settings_for(settings, run: PartitionRun):
    """The stream's settings for this run: a replay names its day where the class knows one
    (undated streams, such as profiles or the inbox, run as on any night)."""
    day = run.replay_day
    if day is None or REPLAY_FIELD not in {f.name for f in dataclasses.fields(settings)}:
        return settings
    return dataclasses.replace(settings, **{REPLAY_FIELD: day})


def window_text(settings, run: PartitionRun, now) -> str:
    """The window the stream was asked to read, in words, for the asset's metadata."""
    day = getattr(settings, REPLAY_FIELD, None)
    if day is not None:
        start, end = replay_window(day)
        return f"day {day}: {start.isoformat()} .. {min(end, now).isoformat()}"
    if run.replay_day is not None:
        return f"undated stream: read as on any night, up to {now.isoformat()}"
    return f"from the stored cursor (less its re-pull window) to {now.isoformat()}"


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
        partitions_def=daily_partitions(),
        retry_policy=CONNECTOR_RETRY,
        op_tags={"platform": stream.platform},
    )
    def _sync(context: dg.AssetExecutionContext, warehouse: Warehouse, clock: RunClock):
        sync, settings_class = stream.load()
        now = clock.now()
        run = partition_run(context.partition_key, now)
        try:
            settings = settings_for(settings_class.from_env(), run)
            with warehouse.connection() as con:
                cursor_before = stream_cursors(con, stream.name)
                result = sync(con, settings, run_id=context.run_id, now=now)
                cursor_after = stream_cursors(con, stream.name)
        except (ConfigurationError, AuthenticationError) as exc:
            # a missing setting or refused credentials: another attempt cannot succeed
            raise dg.Failure(description=str(exc), allow_retries=False) from None
        context.log.info(
            "%s (%s): %d records in %.1f s, cursor %s -> %s",
            stream.name,
            run.describe(),
            result.records,
            result.seconds,
            cursor_before or "(none)",
            cursor_after or "(none)",
        )
        for table in stream.tables:
            counts = result.tables.get(table.qualified)
            yield dg.MaterializeResult(
                asset_key=raw_asset_key(table.name),
                metadata={
                    "pull": run.describe(),
                    "window": window_text(settings, run, now),
                    "records_fetched": counts.records if counts else 0,
                    "inserted": counts.inserted if counts else 0,
                    "updated": counts.updated if counts else 0,
                    "unchanged": counts.unchanged if counts else 0,
                    "quarantined": counts.quarantined if counts else 0,
                    "cursor_before": cursor_before,
                    "cursor_after": cursor_after,
                    "requests": result.requests,
                    "duration_s": round(result.seconds, 2),
                },
            )

    return _sync


RAW_ASSETS: list[dg.AssetsDefinition] = [_build(stream) for stream in STREAMS]
