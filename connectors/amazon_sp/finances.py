"""SP-API Finances v0: refund events by posting window.

Grain: ``raw.amazon_refund_events`` one row per refund event. A RefundEvent has no id of its
own; it is keyed by order, posting time and a hash of the whole event (see raw_tables), so the
same event read again by the next run's re-pull collapses onto its row.

Window: PostedAfter = stored cursor minus 7 days (refunds post days after the order and Amazon
keeps adding events late; first run: ``history_days`` back) to PostedBefore = now minus 2
minutes. The cursor is that window end, committed with the last batch; a replay of one past
day (``settings.replay_day``) reads the events posted in that day's window and keeps it. Only
RefundEventList is landed; the other event lists of the same pages (shipments, fees, ...) are
left to streams that need them.
"""

from __future__ import annotations

import logging
from datetime import datetime

import duckdb

from connectors.amazon_sp.client import follow_pages, iso_z, open_session, window
from connectors.amazon_sp.settings import PLATFORM, AmazonSpSettings
from connectors.base import PageBuffer, StreamRun, as_utc
from connectors.http import RepeatGuard
from connectors.landing import JsonPages
from connectors.raw_tables import AMAZON_REFUND_EVENTS

log = logging.getLogger("connectors.amazon_sp")

REFUNDS_STREAM = "amazon_refund_events"
EVENTS_PATH = "/finances/v0/financialEvents"

REFUND_PAGES = JsonPages(records="$.payload.FinancialEvents.RefundEventList")


def sync_refund_events(
    con: duckdb.DuckDBPyConnection, settings: AmazonSpSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land every refund event posted in this run's window into ``raw.amazon_refund_events``."""
    now = as_utc(now)
    run = StreamRun(REFUNDS_STREAM)
    start, end = window(con, REFUNDS_STREAM, now, repull=settings.refunds_repull, settings=settings)
    cursor = iso_z(end)
    buffer = PageBuffer(
        con, AMAZON_REFUND_EVENTS, REFUND_PAGES, run, run_id=run_id, max_pages=settings.batch_pages
    )
    pages = 0
    guard = RepeatGuard(PLATFORM, REFUNDS_STREAM)
    with open_session(settings) as session:
        if start < end:
            pages = follow_pages(
                session,
                EVENTS_PATH,
                buffer,
                stream=REFUNDS_STREAM,
                guard=guard,
                params={
                    "PostedAfter": iso_z(start),
                    "PostedBefore": cursor,
                    "MaxResultsPerPage": str(settings.page_size),
                },
                next_params={},
            )
        # a repeated token cut the window short: keep the stored cursor so the next run reads
        # the whole window again (upserts make the re-read harmless); a replay keeps it too
        keep_cursor = guard.repeated or settings.replay_day is not None
        buffer.close(None if keep_cursor else cursor)
        run.requests = session.requests
    log.info(
        "amazon_refund_events: Posted %s..%s, %d pages, %d events, cursor %s",
        iso_z(start),
        cursor,
        pages,
        run.records,
        "kept" if keep_cursor else cursor,
    )
    return run.finish(None if keep_cursor else cursor)
