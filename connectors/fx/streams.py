"""ECB reference rates from a Frankfurter-compatible service, landed into ``raw.fx_rates``.

Grain: one row per (base currency, rate date), for ECB working days only; the record is
``{"date", "base", "rates": {...}}`` for that day. DuckDB splits the service's ``rates`` object
(keyed by date) into those records; nothing is parsed in Python.

Window: from the stored cursor (the last rate date landed) minus 7 days, so a late correction is
read again; the first run starts ``history_days`` plus 7 days back, because a Monday at the start
of the history needs the Friday before it (rates carry forward over weekends and holidays). A
replay of one past day (``settings.replay_day``) reads that day and the 7 days before it and
keeps the cursor. A rerun stores byte-identical records, which the upsert leaves unchanged.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import duckdb

from connectors.base import PageBuffer, StreamRun
from connectors.errors import ConnectorError
from connectors.fx.settings import PLATFORM, FxSettings
from connectors.http import PlatformSession, sanitize_url
from connectors.landing import JsonMapPages, read_cursor
from connectors.raw_tables import FX_RATES

log = logging.getLogger("connectors.fx")

FX_STREAM = "fx_rates"
REPULL_WINDOW = timedelta(days=7)

RATE_PAGES = JsonMapPages(
    columns="{'base': 'VARCHAR', 'rates': 'MAP(VARCHAR, JSON)'}",
    entries="rates",
    record="json_object('date', entry.key, 'base', base, 'rates', entry.value)",
)

_LAST_DATE_SQL = (
    "select max(cast(day as date)), any_value(base) "
    "from (select unnest(json_keys(p, '$.rates')) as day, p->>'base' as base "
    "from (select cast(? as varchar) as p))"
)


def sync_rates(
    con: duckdb.DuckDBPyConnection, settings: FxSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the daily rates of the window into ``raw.fx_rates``; the cursor is the last date."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    run = StreamRun(FX_STREAM)
    today = now.astimezone(UTC).date()
    stored = read_cursor(con, FX_STREAM)
    previous = date.fromisoformat(stored) if stored else None
    if settings.replay_day is not None:
        start, today = settings.replay_day - REPULL_WINDOW, min(settings.replay_day, today)
    elif previous is not None:
        start = previous - REPULL_WINDOW
    else:
        start = today - timedelta(days=settings.history_days) - REPULL_WINDOW
    path = f"v1/{start.isoformat()}..{today.isoformat()}"
    params = {"base": settings.reporting_currency, "symbols": ",".join(settings.quoted)}
    session = PlatformSession(
        PLATFORM, settings.rates_url, settings.http, headers={"Accept": "application/json"}
    )
    try:
        run.requests += 1
        response = session.get(path, stream=FX_STREAM, params=params)
    finally:
        session.session.close()
    try:
        last_date, base = con.execute(_LAST_DATE_SQL, [response.content.decode("utf-8")]).fetchone()
    except (UnicodeDecodeError, duckdb.Error) as exc:
        raise ConnectorError(
            PLATFORM,
            FX_STREAM,
            f"{sanitize_url(response.url)} did not answer a rates page: {type(exc).__name__}",
        ) from None
    if last_date is not None and base != settings.reporting_currency:
        # a service that ignores ``base`` (or knows no such currency and falls back to its
        # default) would otherwise land rates the marts divide by under the wrong base
        raise ConnectorError(
            PLATFORM,
            FX_STREAM,
            f"asked for rates of base {settings.reporting_currency} (REPORTING_CURRENCY) but "
            f"{sanitize_url(response.url)} answered field 'base' = {base!r}; nothing landed",
        )
    known = [day for day in (last_date, previous) if day is not None]
    cursor = max(known).isoformat() if known and settings.replay_day is None else None
    buffer = PageBuffer(con, FX_RATES, RATE_PAGES, run, run_id=run_id)
    buffer.add(response.content)
    buffer.close(cursor)
    log.info(
        "fx_rates: %s..%s base %s, %d days, cursor %s",
        start,
        today,
        settings.reporting_currency,
        run.records,
        cursor or "kept",
    )
    return run.finish(cursor)
