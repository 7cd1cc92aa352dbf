"""SP-API Reports 2021-06-30: the FBA inventory ledger and the fulfilled-shipments report.

Flow, for each configured marketplace: create the report, poll it every
``report_poll_interval_s`` for at most ``report_max_wait_s`` (FATAL or the timeout raise a
ConnectorError naming the report type and id; CANCELLED is how Amazon answers a window with no
data, so it lands nothing and the cursor still moves), fetch the document's URL, download it
(gzip as sent), and land it as one file with DuckDB's CSV reader. Rows are never parsed in
Python; the only transformation is re-encoding a document whose ``Content-Type`` declares a
charset other than UTF-8 (Amazon serves some marketplaces' reports as Cp1252 or Shift_JIS), so
text such as ``Kaffee „Hochland“`` lands as written, and a file that is not valid in its
declared charset fails loudly rather than landing mojibake.

Grain and windows:
- ``raw.amazon_inventory_ledger``: one row per (day, MSKU, disposition, country), daily rows
  aggregated by country. Cursor: the last complete ledger date (the earliest "yesterday" among
  the marketplaces' local days). Each run re-pulls the 3 days up to the cursor; the first run
  takes ``history_days`` so that turnover can be computed on day one.
- ``raw.amazon_shipments``: one row per (shipment, shipment item). Cursor: the last report end
  time; each run re-pulls from it minus 3 days (first run: ``history_days``) to now minus 2 min.
Both are versioned by load time: a re-pulled row replaces the stored copy of its key. A replay
of one past day (``settings.replay_day``) asks for that day only (the ledger: that local day of
each marketplace; shipments: the day's window, connectors.base.replay_window) and keeps the
cursor.
"""

from __future__ import annotations

import codecs
import gzip
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import duckdb
import requests

from connectors.amazon_lwa import AmazonSession
from connectors.amazon_sp.client import iso_z, open_session, window
from connectors.amazon_sp.marketplaces import local_date, time_zone
from connectors.amazon_sp.settings import PLATFORM, AmazonSpSettings
from connectors.base import StreamRun, as_utc
from connectors.errors import ConnectorError
from connectors.landing import DelimitedRows, RawTable, land, read_cursor, save_cursor
from connectors.raw_tables import AMAZON_INVENTORY_LEDGER, AMAZON_SHIPMENTS

log = logging.getLogger("connectors.amazon_sp")

LEDGER_STREAM = "amazon_inventory_ledger"
SHIPMENTS_STREAM = "amazon_shipments"
LEDGER_REPORT = "GET_LEDGER_SUMMARY_VIEW_DATA"
SHIPMENTS_REPORT = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"
LEDGER_OPTIONS = {"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"}
REPORTS_PATH = "/reports/2021-06-30"
TSV = DelimitedRows("\t")

# Charset names Amazon sends that Python's codec registry does not know by that name.
CHARSET_ALIASES = {"windows-31j": "cp932", "x-sjis": "shift_jis"}

DONE = "DONE"
FATAL = "FATAL"
# Amazon cancels a report that has no data for its window (or one cancelled by hand): nothing
# to land, not a failure, or a quiet marketplace would fail the nightly run.
CANCELLED = "CANCELLED"


def fetch_report(
    session: AmazonSession,
    settings: AmazonSpSettings,
    *,
    stream: str,
    report_type: str,
    marketplace_id: str,
    start: datetime,
    end: datetime,
    options: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Create one report, wait for it within the configured bound, return its document bytes.

    The bytes are the document as served (gzip stays gzip; the landing reader decompresses),
    re-encoded to UTF-8 only when the download declares another charset. A CANCELLED report
    (Amazon's answer when there is no data) gives ``b""``; FATAL or no answer in time raises.
    """
    body: dict[str, object] = {
        "reportType": report_type,
        "marketplaceIds": [marketplace_id],
        "dataStartTime": iso_z(start),
        "dataEndTime": iso_z(end),
    }
    if options:
        body["reportOptions"] = dict(options)
    created = session.post(f"{REPORTS_PATH}/reports", stream=stream, expected=(200, 202), json=body)
    report_id = _field(created, "reportId", stream, report_type)
    log.info(
        "%s: report %s (%s) requested for %s, %s..%s",
        stream,
        report_type,
        report_id,
        marketplace_id,
        body["dataStartTime"],
        body["dataEndTime"],
    )
    deadline = time.monotonic() + settings.report_max_wait_s
    while True:
        status_response = session.get(f"{REPORTS_PATH}/reports/{report_id}", stream=stream)
        status = _field(status_response, "processingStatus", stream, report_type)
        if status == DONE:
            document_id = _field(status_response, "reportDocumentId", stream, report_type)
            break
        if status == FATAL:
            raise ConnectorError(PLATFORM, stream, f"report {report_type} {report_id} ended FATAL")
        if status == CANCELLED:
            log.warning(
                "%s: report %s %s for %s was CANCELLED (Amazon's answer when the window has "
                "no data); nothing to land",
                stream,
                report_type,
                report_id,
                marketplace_id,
            )
            return b""
        if time.monotonic() + settings.report_poll_interval_s > deadline:
            raise ConnectorError(
                PLATFORM,
                stream,
                f"report {report_type} {report_id} still {status} after "
                f"{settings.report_max_wait_s:.0f} s (report_max_wait_s)",
            )
        sleep(settings.report_poll_interval_s)
    document = session.get(f"{REPORTS_PATH}/documents/{document_id}", stream=stream)
    url = _field(document, "url", stream, report_type)
    download = session.download(url, stream=stream)
    return _as_utf8(download, stream=stream, report=f"{report_type} {report_id}")


def sync_inventory_ledger(
    con: duckdb.DuckDBPyConnection, settings: AmazonSpSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the daily, by-country ledger of every marketplace up to its last complete day."""
    now = as_utc(now)
    run = StreamRun(LEDGER_STREAM)
    last_complete = {mp: local_date(mp, now) - timedelta(days=1) for mp in settings.marketplace_ids}
    stored = read_cursor(con, LEDGER_STREAM)
    cursor: str | None = min(last_complete.values()).isoformat()
    if settings.replay_day is not None:
        start_date, cursor = settings.replay_day, None
        last_complete = {mp: min(day, start_date) for mp, day in last_complete.items()}
    elif stored:
        # the re-pull days up to and including the cursor are read again
        start_date = date.fromisoformat(stored) - settings.ledger_repull + timedelta(days=1)
    else:
        start_date = min(last_complete.values()) - timedelta(days=settings.history_days - 1)
    latest_end = (now - settings.end_lag).replace(microsecond=0)
    # the ledger's days are the marketplace's local days: the window is cut at local midnight
    windows = {
        mp: (
            datetime.combine(start_date, clock_time.min, time_zone(mp)).astimezone(UTC),
            min(
                datetime.combine(end_date, clock_time(23, 59, 59), time_zone(mp)).astimezone(UTC),
                latest_end,
            ),
        )
        for mp, end_date in last_complete.items()
        if end_date >= start_date
    }
    _land_reports(
        con,
        settings,
        run,
        table=AMAZON_INVENTORY_LEDGER,
        report_type=LEDGER_REPORT,
        options=LEDGER_OPTIONS,
        windows=windows,
        run_id=run_id,
        cursor=cursor,
    )
    log.info(
        "amazon_inventory_ledger: from %s, %d rows, cursor %s",
        start_date,
        run.records,
        cursor or "kept",
    )
    return run.finish(cursor)


def sync_shipments(
    con: duckdb.DuckDBPyConnection, settings: AmazonSpSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the fulfilled-shipments report of every marketplace for this run's window."""
    now = as_utc(now)
    run = StreamRun(SHIPMENTS_STREAM)
    start, end = window(
        con, SHIPMENTS_STREAM, now, repull=settings.shipments_repull, settings=settings
    )
    cursor = iso_z(end) if settings.replay_day is None else None
    windows = {mp: (start, end) for mp in settings.marketplace_ids} if start < end else {}
    _land_reports(
        con,
        settings,
        run,
        table=AMAZON_SHIPMENTS,
        report_type=SHIPMENTS_REPORT,
        options=None,
        windows=windows,
        run_id=run_id,
        cursor=cursor,
    )
    log.info(
        "amazon_shipments: %s..%s, %d rows, cursor %s",
        iso_z(start),
        iso_z(end),
        run.records,
        cursor or "kept",
    )
    return run.finish(cursor)


def _land_reports(
    con: duckdb.DuckDBPyConnection,
    settings: AmazonSpSettings,
    run: StreamRun,
    *,
    table: RawTable,
    report_type: str,
    options: Mapping[str, str] | None,
    windows: Mapping[str, tuple[datetime, datetime]],
    run_id: str,
    cursor: str | None,
) -> None:
    """One report per marketplace, each landed as it arrives; the cursor rides on the last
    (None, a replay's: the stored cursor stays)."""
    committed = False
    with open_session(settings) as session:
        marketplaces = list(windows)
        for index, marketplace_id in enumerate(marketplaces):
            start, end = windows[marketplace_id]
            document = fetch_report(
                session,
                settings,
                stream=run.stream,
                report_type=report_type,
                marketplace_id=marketplace_id,
                start=start,
                end=end,
                options=options,
            )
            is_last = index == len(marketplaces) - 1
            if not document:
                continue
            result = land(
                con,
                table,
                TSV,
                [document],
                run_id=run_id,
                stream=run.stream,
                context={"marketplace_id": marketplace_id},
                cursor=cursor if is_last else None,
            )
            run.add(table, result)
            committed = committed or is_last
        run.requests = session.requests
    if not committed and cursor is not None:
        save_cursor(con, run.stream, cursor, run_id=run_id)


def _field(response: requests.Response, name: str, stream: str, report_type: str) -> str:
    try:
        value = response.json()[name]
    except (ValueError, KeyError, TypeError):
        value = None
    if not value:
        raise ConnectorError(
            PLATFORM,
            stream,
            f"report {report_type}: the answer has no {name}: {response.text[:200]}",
        )
    return str(value)


def _as_utf8(response: requests.Response, *, stream: str, report: str) -> bytes:
    """The document as UTF-8: unchanged when it declares UTF-8 or nothing, re-encoded otherwise."""
    body = response.content
    charset = (response.encoding or "") if "charset" in _content_type(response) else ""
    if not charset:
        return body
    try:
        codec = codecs.lookup(CHARSET_ALIASES.get(charset.lower(), charset)).name
    except LookupError:
        raise ConnectorError(
            PLATFORM, stream, f"report {report} declares an unknown charset {charset!r}"
        ) from None
    if codec == "utf-8":
        return body
    raw = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise ConnectorError(
            PLATFORM,
            stream,
            f"report {report} is not valid {charset} at byte {exc.start}; nothing was landed",
        ) from None
    log.info("%s: report %s re-encoded from %s to UTF-8", stream, report, charset)
    return text.encode("utf-8")


def _content_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").lower()
