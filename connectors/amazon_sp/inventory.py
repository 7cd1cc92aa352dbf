"""SP-API FBA inventory summaries: one on-hand snapshot per marketplace and local day.

Grain: ``raw.amazon_inventory_summaries`` one row per (snapshot_date, marketplace_id,
seller_sku). The API only tells the current state, so the warehouse keeps the history itself:
each run stores what it read under ``snapshot_date``.

Decision: ``snapshot_date`` is the marketplace-local date of the run's ``now`` (the zone Seller
Central shows for that store, see marketplaces.py), because the KPIs bucket sales by
marketplace-local day and the on-hand of "today" must sit on the same day as today's sales. A
second run on the same local day replaces that day's snapshot (the later read wins); a run
after local midnight starts the next day. The cursor is the newest snapshot date written; it
does not window anything (there is no history to re-pull), and a replay of a past day
(``settings.replay_day``) lands nothing: that day's stock cannot be read again.
"""

from __future__ import annotations

import logging
from datetime import datetime

import duckdb

from connectors.amazon_sp.client import follow_pages, open_session
from connectors.amazon_sp.marketplaces import local_date
from connectors.amazon_sp.settings import AmazonSpSettings
from connectors.base import PageBuffer, StreamRun, as_utc
from connectors.landing import JsonPages, ensure_state_tables
from connectors.raw_tables import AMAZON_INVENTORY_SUMMARIES

log = logging.getLogger("connectors.amazon_sp")

INVENTORY_STREAM = "amazon_inventory_summaries"
SUMMARIES_PATH = "/fba/inventory/v1/summaries"

SUMMARY_PAGES = JsonPages(records="$.payload.inventorySummaries")


def sync_inventory_summaries(
    con: duckdb.DuckDBPyConnection, settings: AmazonSpSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Snapshot every configured marketplace's FBA inventory under its local date of ``now``."""
    now = as_utc(now)
    run = StreamRun(INVENTORY_STREAM)
    if settings.replay_day is not None:
        log.info(
            "amazon_inventory_summaries: replay of %s: the API has no history; nothing landed",
            settings.replay_day,
        )
        # the table exists afterwards, as after any run, for the checks that read it
        ensure_state_tables(con)
        con.execute(AMAZON_INVENTORY_SUMMARIES.ddl())
        return run.finish(None)
    dates = {mp: local_date(mp, now).isoformat() for mp in settings.marketplace_ids}
    cursor = max(dates.values())
    with open_session(settings) as session:
        buffers = []
        for marketplace_id in settings.marketplace_ids:
            buffer = PageBuffer(
                con,
                AMAZON_INVENTORY_SUMMARIES,
                SUMMARY_PAGES,
                run,
                run_id=run_id,
                context={
                    "snapshot_date": dates[marketplace_id],
                    "marketplace_id": marketplace_id,
                },
                max_pages=settings.batch_pages,
            )
            if buffers:
                buffers[-1].close()
            buffers.append(buffer)
            filters = {
                "details": "true",
                "granularityType": "Marketplace",
                "granularityId": marketplace_id,
                "marketplaceIds": marketplace_id,
            }
            pages = follow_pages(
                session,
                SUMMARIES_PATH,
                buffer,
                stream=INVENTORY_STREAM,
                params=filters,
                next_params=filters,
                token_param="nextToken",
            )
            log.info(
                "amazon_inventory_summaries: %s snapshot %s, %d pages",
                marketplace_id,
                dates[marketplace_id],
                pages,
            )
        buffers[-1].close(cursor)
        run.requests = session.requests
    return run.finish(cursor)
