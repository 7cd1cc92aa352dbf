"""Amazon Ads API streams: advertiser profiles and two daily Sponsored Products reports.

Grain: ``raw.amazon_ads_profiles`` one row per profile id (every profile the account returns,
whatever AMAZON_ADS_PROFILE_IDS selects for reporting); ``raw.amazon_ads_sp_campaigns`` one row
per (profile, report date, campaign) from the ``spCampaigns`` report;
``raw.amazon_ads_sp_advertised_products`` one row per (profile, report date, ad) from the
``spAdvertisedProduct`` report (an ad is one advertised SKU/ASIN in one ad group, so the rows of
a campaign-day add up to its campaign row). Dates are in the profile's time zone; the latest
pull of a day replaces the earlier one (Amazon restates attributed sales for weeks).

Each report, per selected profile: the window re-reads the 30 days up to the profile's stored
cursor (first run: ``history_days`` back) and ends yesterday in the profile's time zone; it is
split into reports of at most 31 days (the API's limit), so a nightly run makes one. Each report
is created (a 425 "duplicate" answer names the report already running for the same request,
which is then reused), polled within the configured bound, downloaded (gzipped JSON array) and
landed by DuckDB's JSON reader. Both reports follow the same contract; only the report type,
its grouping, its columns and its raw table differ (:class:`SpReport`).

Cursor decision: one cursor per report and profile, stream ``<report stream>:<profileId>`` (e.g.
``amazon_ads_sp_campaigns:<profileId>``), holding the last report end date landed for it,
committed with that report's rows. A profile added later gets its own first-run history, a
profile whose report fails does not hold the others back, and the two reports move on their own.
The returned StreamRun adds up all profiles; its ``cursor`` lists ``<profileId>=<date>`` pairs.
A replay of one past day (``settings.replay_day``, set by the orchestration) asks each profile
for that local day alone and leaves every cursor where it was.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import requests

from connectors.amazon_ads.settings import PLATFORM, AmazonAdsSettings
from connectors.amazon_lwa import AmazonSession, token_source
from connectors.base import StreamRun, as_utc
from connectors.errors import ConfigurationError, ConnectorError
from connectors.http import redact, sanitize_url
from connectors.landing import JsonRecords, LoadResult, RawTable, land, read_cursor, save_cursor
from connectors.raw_tables import (
    AMAZON_ADS_PROFILES,
    AMAZON_ADS_SP_ADVERTISED_PRODUCTS,
    AMAZON_ADS_SP_CAMPAIGNS,
)

log = logging.getLogger("connectors.amazon_ads")

PROFILES_STREAM = "amazon_ads_profiles"
CAMPAIGNS_STREAM = "amazon_ads_sp_campaigns"
ADVERTISED_PRODUCTS_STREAM = "amazon_ads_sp_advertised_products"
PROFILES_PATH = "/v2/profiles"
REPORTS_PATH = "/reporting/reports"
CREATE_REPORT_TYPE = "application/vnd.createasyncreportrequest.v3+json"
SP_CAMPAIGN_COLUMNS = (
    "date",
    "campaignId",
    "campaignName",
    "impressions",
    "clicks",
    "cost",
    "purchases7d",
    "sales7d",
    "unitsSoldClicks7d",
)
# one row per ad and day: the SKU and ASIN advertised, its campaign and ad group, and the same
# measures as the campaign report (sales7d counts every product bought after the ad's click)
SP_ADVERTISED_PRODUCT_COLUMNS = (
    "date",
    "campaignId",
    "adGroupId",
    "adId",
    "advertisedAsin",
    "advertisedSku",
    "impressions",
    "clicks",
    "cost",
    "purchases7d",
    "sales7d",
    "unitsSoldClicks7d",
)
ROWS = JsonRecords()
_DUPLICATE = re.compile(r"duplicate of\s*:?\s*(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class SpReport:
    """One Sponsored Products report type: what is requested, and where its rows land."""

    stream: str
    report_type_id: str
    group_by: tuple[str, ...]
    columns: tuple[str, ...]
    table: RawTable


SP_CAMPAIGNS = SpReport(
    CAMPAIGNS_STREAM, "spCampaigns", ("campaign",), SP_CAMPAIGN_COLUMNS, AMAZON_ADS_SP_CAMPAIGNS
)
SP_ADVERTISED_PRODUCTS = SpReport(
    ADVERTISED_PRODUCTS_STREAM,
    "spAdvertisedProduct",
    ("advertiser",),
    SP_ADVERTISED_PRODUCT_COLUMNS,
    AMAZON_ADS_SP_ADVERTISED_PRODUCTS,
)


def open_session(settings: AmazonAdsSettings) -> AmazonSession:
    """An Ads API session sending the LWA token as a bearer and the app's client id."""
    client_id = settings.lwa.client_id
    return AmazonSession(
        PLATFORM,
        settings.api_url,
        token_source(settings.lwa, settings.http),
        lambda token: {
            "Authorization": f"Bearer {token}",
            "Amazon-Advertising-API-ClientId": client_id,
        },
        settings.http,
        headers={"Accept": "application/json"},
    )


def sync_profiles(
    con: duckdb.DuckDBPyConnection, settings: AmazonAdsSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land every profile of the account into ``raw.amazon_ads_profiles``; no cursor."""
    run = StreamRun(PROFILES_STREAM)
    with open_session(settings) as session:
        response = session.get(PROFILES_PATH, stream=PROFILES_STREAM)
        run.requests = session.requests
    result = land(
        con, AMAZON_ADS_PROFILES, ROWS, [response.content], run_id=run_id, stream=PROFILES_STREAM
    )
    run.add(AMAZON_ADS_PROFILES, result)
    return run.finish(None)


def sync_sp_campaigns(
    con: duckdb.DuckDBPyConnection, settings: AmazonAdsSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the daily Sponsored Products campaign report of every selected profile."""
    return _sync_report(con, settings, SP_CAMPAIGNS, run_id=run_id, now=now)


def sync_sp_advertised_products(
    con: duckdb.DuckDBPyConnection, settings: AmazonAdsSettings, *, run_id: str, now: datetime
) -> StreamRun:
    """Land the daily Sponsored Products advertised-product (per ad and SKU) report."""
    return _sync_report(con, settings, SP_ADVERTISED_PRODUCTS, run_id=run_id, now=now)


def _sync_report(
    con: duckdb.DuckDBPyConnection,
    settings: AmazonAdsSettings,
    report: SpReport,
    *,
    run_id: str,
    now: datetime,
) -> StreamRun:
    now = as_utc(now)
    total = StreamRun(report.stream)
    cursors: list[str] = []
    with open_session(settings) as session:
        for profile in _selected_profiles(session, settings, report.stream):
            profile_run = _sync_profile(
                con, session, settings, report, profile, run_id=run_id, now=now
            )
            for table, result in profile_run.tables.items():
                total.tables[table] = total.tables.get(table, LoadResult()) + result
            cursors.append(f"{profile['profileId']}={profile_run.cursor}")
        total.requests = session.requests
    return total.finish(",".join(cursors) or None)


def _selected_profiles(
    session: AmazonSession, settings: AmazonAdsSettings, stream: str
) -> list[Mapping[str, object]]:
    # a handful of small objects: parsed in Python, unlike report rows
    response = session.get(PROFILES_PATH, stream=stream)
    try:
        profiles = response.json()
    except ValueError:
        profiles = None
    if not isinstance(profiles, list):
        raise ConnectorError(
            PLATFORM,
            stream,
            f"{sanitize_url(response.url)} did not answer a JSON list of profiles: "
            f"{redact(response.text[:200])}",
        )
    if not settings.profile_ids:
        return list(profiles)
    by_id = {str(profile["profileId"]): profile for profile in profiles}
    unknown = [pid for pid in settings.profile_ids if pid not in by_id]
    if unknown:
        raise ConfigurationError(
            PLATFORM,
            stream,
            f"AMAZON_ADS_PROFILE_IDS names profiles the account does not have: {unknown}",
        )
    return [by_id[pid] for pid in settings.profile_ids]


def _sync_profile(
    con: duckdb.DuckDBPyConnection,
    session: AmazonSession,
    settings: AmazonAdsSettings,
    report: SpReport,
    profile: Mapping[str, object],
    *,
    run_id: str,
    now: datetime,
) -> StreamRun:
    profile_id = str(profile["profileId"])
    stream = f"{report.stream}:{profile_id}"
    run = StreamRun(stream)
    zone = _zone(profile.get("timezone"), profile_id)
    end = now.astimezone(zone).date() - timedelta(days=1)
    stored = read_cursor(con, stream)
    replay = settings.replay_day
    if replay is not None:
        # a rerun of one past day: that profile-local day alone, the cursor left where it is
        start = end = replay
    elif stored:
        # the ``repull`` days up to and including the cursor are read again: 30 of them plus
        # yesterday make 31, one report a night
        start = date.fromisoformat(stored) - settings.repull + timedelta(days=1)
    else:
        start = end - timedelta(days=settings.history_days - 1)
    cursor = stored
    for chunk_start, chunk_end in _chunks(start, end, settings.max_report_days):
        rows = _fetch_report(
            session,
            settings,
            report,
            profile_id=profile_id,
            start=chunk_start,
            end=chunk_end,
            stream=stream,
        )
        try:
            result = land(
                con,
                report.table,
                ROWS,
                [rows.content],
                run_id=run_id,
                stream=stream,
                context={"profile_id": profile_id},
                cursor=None if replay is not None else chunk_end.isoformat(),
            )
        except duckdb.Error as exc:
            # a complete download that is not the gzipped JSON array promised: retrying the same
            # file would not help; nothing of it landed and the cursor stays
            raise ConnectorError(
                PLATFORM,
                stream,
                f"report {chunk_start}..{chunk_end} from {sanitize_url(rows.url)} is not a "
                f"readable JSON array of rows: {type(exc).__name__}",
            ) from None
        if replay is None:
            cursor = chunk_end.isoformat()
        run.add(report.table, result)
    if cursor is None and replay is None:
        # a first run with nothing to ask for (history_days < 1): start from yesterday next time
        cursor = end.isoformat()
        save_cursor(con, stream, cursor, run_id=run_id)
    log.info("%s: %s..%s (%s), %d rows, cursor %s", stream, start, end, zone, run.records, cursor)
    return run.finish(cursor)


def fetch_sp_campaign_report(
    session: AmazonSession,
    settings: AmazonAdsSettings,
    *,
    profile_id: str,
    start: date,
    end: date,
    stream: str,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """Create (or reuse) one daily spCampaigns report, wait for it, return the gzipped rows."""
    return _fetch_report(
        session,
        settings,
        SP_CAMPAIGNS,
        profile_id=profile_id,
        start=start,
        end=end,
        stream=stream,
        sleep=sleep,
    ).content


def _fetch_report(
    session: AmazonSession,
    settings: AmazonAdsSettings,
    report_spec: SpReport,
    *,
    profile_id: str,
    start: date,
    end: date,
    stream: str,
    sleep: Callable[[float], None] = time.sleep,
) -> requests.Response:
    """Create (or reuse) one daily report, wait for it, return the download (its URL names
    the file)."""
    report_type = report_spec.report_type_id
    scope = {"Amazon-Advertising-API-Scope": profile_id}
    request = {
        "name": f"kpi-warehouse {report_type} {profile_id} {start}..{end}",
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": list(report_spec.group_by),
            "columns": list(report_spec.columns),
            "reportTypeId": report_type,
            "timeUnit": "DAILY",
            "format": "GZIP_JSON",
        },
    }
    created = session.post(
        REPORTS_PATH,
        stream=stream,
        expected=(200, 202, 425),
        headers={**scope, "Content-Type": CREATE_REPORT_TYPE},
        data=json.dumps(request),
    )
    if created.status_code == 425:
        report_id = _duplicate_of(created, stream)
        log.info(
            "%s: report for %s..%s already running as %s; reusing it", stream, start, end, report_id
        )
    else:
        report_id = str(_json(created, stream).get("reportId") or "")
        if not report_id:
            raise ConnectorError(PLATFORM, stream, "create report answered without a reportId")
    deadline = time.monotonic() + settings.report_max_wait_s
    while True:
        report = _json(
            session.get(f"{REPORTS_PATH}/{report_id}", stream=stream, headers=scope), stream
        )
        status = str(report.get("status") or "")
        if status == "COMPLETED" and report.get("url"):
            break
        if status == "FAILED":
            raise ConnectorError(
                PLATFORM,
                stream,
                f"report {report_type} {report_id} FAILED: {report.get('failureReason')}",
            )
        if time.monotonic() + settings.report_poll_interval_s > deadline:
            raise ConnectorError(
                PLATFORM,
                stream,
                f"report {report_type} {report_id} still {status or 'unknown'} after "
                f"{settings.report_max_wait_s:.0f} s (report_max_wait_s)",
            )
        sleep(settings.report_poll_interval_s)
    return session.download(str(report["url"]), stream=stream)


def _duplicate_of(response: requests.Response, stream: str) -> str:
    detail = str(_json(response, stream).get("detail") or "")
    match = _DUPLICATE.search(detail)
    if not match:
        raise ConnectorError(
            PLATFORM, stream, f"425 without the id of the running report: {detail[:200]}"
        )
    return match.group(1)


def _json(response: requests.Response, stream: str) -> dict[str, object]:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ConnectorError(
            PLATFORM, stream, f"expected a JSON object, got: {response.text[:200]}"
        )
    return answer


def _chunks(start: date, end: date, max_days: int) -> list[tuple[date, date]]:
    """``start..end`` (inclusive) cut into consecutive pieces of at most ``max_days`` days."""
    pieces = []
    while start <= end:
        piece_end = min(start + timedelta(days=max_days - 1), end)
        pieces.append((start, piece_end))
        start = piece_end + timedelta(days=1)
    return pieces


def _zone(name: object, profile_id: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("profile %s has time zone %r; its days are taken as UTC days", profile_id, name)
        return ZoneInfo("UTC")
