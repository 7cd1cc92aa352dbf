"""Amazon Ads profiles and the Sponsored Products campaign report, replayed from 127.0.0.1.

Genuine (tests/fixtures/real/amazon_ads, from Amazon's reporting v3 guide, see ``.source.txt``):
the create-report answer (status PENDING) and two report rows. Derived, and said so where used:
the same answer moved on to COMPLETED with a URL on the test server, and rows given the ``date``
column a DAILY report carries (Amazon's sample is a SUMMARY report). The profile list is written
from the shape docs/contracts.md gives; the restated campaign-day is the case of
../shared/cases/README.md (``ads_restated_pull1/2``), inlined.
"""

from __future__ import annotations

import copy
import gzip
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from connectors.amazon_ads import AmazonAdsSettings, sync_profiles, sync_sp_campaigns
from connectors.amazon_lwa import LwaCredentials
from connectors.errors import ConfigurationError, ConnectorError
from connectors.landing import read_cursor
from tests.connectors.amazon_sp.support import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    FAST,
    TOKEN_PATH,
    served,
    token_body,
)
from tests.support.loopback import Canned, Loopback

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "amazon_ads"
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "real" / "amazon_ads_docs"
PENDING = json.loads((FIXTURES / "createAsyncReport_v3_response_pending.json").read_text())
SAMPLE_ROWS = json.loads((FIXTURES / "spCampaigns_v3_sample_report_rows.json").read_text())
REPORT_ID = PENDING["reportId"]
CLIENT_ID = "amzn1.application-oa2-client.ads"
# 02:00 UTC on 1 September: 31 August in Los Angeles, 1 September in Tokyo
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
US_PROFILE, JP_PROFILE = "3351001", "4462002"
PROFILES = [
    {
        "profileId": int(US_PROFILE),
        "countryCode": "US",
        "currencyCode": "USD",
        "timezone": "America/Los_Angeles",
        "accountInfo": {"marketplaceStringId": "ATVPDKIKX0DER", "id": "A1SELLER", "type": "seller"},
    },
    {
        "profileId": int(JP_PROFILE),
        "countryCode": "JP",
        "currencyCode": "JPY",
        "timezone": "Asia/Tokyo",
        "accountInfo": {
            "marketplaceStringId": "A1VC38T7YXB528",
            "id": "A1SELLER",
            "type": "seller",
        },
    },
]
RESTATED_1 = [
    {
        "date": "2026-10-05",
        "campaignId": "31000000000002",
        "impressions": 1500,
        "clicks": 30,
        "cost": 45.0,
        "purchases14d": 0,
        "sales14d": 0.0,
    }
]
RESTATED_2 = [{**RESTATED_1[0], "purchases14d": 3, "sales14d": 89.97}]


def daily_rows() -> list[dict[str, object]]:
    """Amazon's sample rows given the ``date`` column of a DAILY report (derived)."""
    rows = copy.deepcopy(SAMPLE_ROWS)
    rows[0]["date"], rows[1]["date"] = "2026-08-29", "2026-08-30"
    return rows


def ads_settings(base_url: str, **overrides: object) -> AmazonAdsSettings:
    settings = AmazonAdsSettings(
        api_url=base_url,
        lwa=LwaCredentials(
            token_url=f"{base_url}{TOKEN_PATH}",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token="Atzr|ads-refresh-0003",
            refresh_token_variable="AMAZON_ADS_REFRESH_TOKEN",
        ),
        profile_ids=(US_PROFILE,),
        history_days=3,
        http=FAST,
        report_poll_interval_s=0.01,
        report_max_wait_s=5.0,
    )
    return replace(settings, **overrides)


def completed(report_id: str, url: str) -> bytes:
    """Amazon's answer moved on to COMPLETED with a download URL (derived)."""
    return served({**PENDING, "reportId": report_id, "status": "COMPLETED", "url": url})


def serve_ads(
    server: Loopback, *rows: list[dict[str, object]], create: Canned | None = None
) -> None:
    server.route("POST", TOKEN_PATH, Canned(body=token_body()))
    server.route("GET", "/v2/profiles", Canned(body=served(PROFILES)))
    server.route("POST", "/reporting/reports", create or Canned(body=served(PENDING)))
    server.route(
        "GET",
        f"/reporting/reports/{REPORT_ID}",
        Canned(body=served(PENDING)),
        Canned(body=completed(REPORT_ID, f"{server.url}/files/{REPORT_ID}.json.gz")),
    )
    files = [
        Canned(body=gzip.compress(served(page)), headers={"Content-Type": "application/json"})
        for page in rows
    ]
    server.route("GET", f"/files/{REPORT_ID}.json.gz", *files)


def report_requests(server: Loopback) -> list[dict[str, object]]:
    return [json.loads(s.body) for s in server.requests if s.path == "/reporting/reports"]


def test_fixture_copies_are_byte_identical_to_the_shared_originals() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent; the in-repo copies are used alone")
    for copy_path in FIXTURES.glob("*.json"):
        assert copy_path.read_bytes() == (SHARED / copy_path.name).read_bytes()


def test_every_profile_lands_with_its_time_zone_and_currency(con) -> None:
    with Loopback() as server:
        serve_ads(server)
        run = sync_profiles(con, ads_settings(server.url), run_id="run-1", now=NOW)
        (seen,) = [s for s in server.requests if s.path == "/v2/profiles"]

    assert seen.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert seen.headers["Amazon-Advertising-API-ClientId"] == CLIENT_ID
    rows = con.execute(
        """select profile_id, _record->>'timezone', _record->>'currencyCode',
            _record->'accountInfo'->>'marketplaceStringId'
        from raw.amazon_ads_profiles order by 1"""
    ).fetchall()
    assert rows == [
        (US_PROFILE, "America/Los_Angeles", "USD", "ATVPDKIKX0DER"),
        (JP_PROFILE, "Asia/Tokyo", "JPY", "A1VC38T7YXB528"),
    ]
    assert run.tables["raw.amazon_ads_profiles"].records == 2


def test_the_campaign_report_is_created_polled_downloaded_and_landed(con) -> None:
    with Loopback() as server:
        serve_ads(server, daily_rows())
        run = sync_sp_campaigns(con, ads_settings(server.url), run_id="run-1", now=NOW)
        (create,) = [s for s in server.requests if s.path == "/reporting/reports"]
        polls = [s for s in server.requests if s.path == f"/reporting/reports/{REPORT_ID}"]
        (download,) = [s for s in server.requests if s.path.startswith("/files/")]

    assert json.loads(create.body) == {
        "name": f"kpi-warehouse spCampaigns {US_PROFILE} 2026-08-28..2026-08-30",
        "startDate": "2026-08-28",
        "endDate": "2026-08-30",  # yesterday in Los Angeles
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": ["campaign"],
            "columns": [
                "date",
                "campaignId",
                "campaignName",
                "impressions",
                "clicks",
                "cost",
                "purchases7d",
                "sales7d",
                "unitsSoldClicks7d",
            ],
            "reportTypeId": "spCampaigns",
            "timeUnit": "DAILY",
            "format": "GZIP_JSON",
        },
    }
    assert create.headers["Content-Type"] == "application/vnd.createasyncreportrequest.v3+json"
    assert create.headers["Amazon-Advertising-API-Scope"] == US_PROFILE
    assert [p.headers["Amazon-Advertising-API-Scope"] for p in polls] == [US_PROFILE] * 2
    assert "Authorization" not in download.headers
    rows = con.execute(
        """select profile_id, report_date, campaign_id, cast(_record->>'cost' as decimal(9, 2)),
            cast(_record->>'clicks' as integer), cast(_record->>'impressions' as integer),
            cast(_record->>'purchases7d' as integer)
        from raw.amazon_ads_sp_campaigns order by report_date"""
    ).fetchall()
    assert [tuple(str(v) for v in row) for row in rows] == [
        (US_PROFILE, "2026-08-29", "158410630682987", "14.50", "13", "2216", "2"),
        (US_PROFILE, "2026-08-30", "158410630682987", "9.45", "10", "3721", "2"),
    ]
    assert run.stream == "amazon_ads_sp_campaigns"
    assert run.cursor == f"{US_PROFILE}=2026-08-30"
    assert read_cursor(con, f"amazon_ads_sp_campaigns:{US_PROFILE}") == "2026-08-30"


def test_yesterday_is_taken_in_each_profile_s_time_zone(con) -> None:
    with Loopback() as server:
        serve_ads(server, daily_rows())
        settings = ads_settings(server.url, profile_ids=(US_PROFILE, JP_PROFILE), history_days=1)
        run = sync_sp_campaigns(con, settings, run_id="run-1", now=NOW)
        windows = [(r["startDate"], r["endDate"]) for r in report_requests(server)]

    assert windows == [("2026-08-30", "2026-08-30"), ("2026-08-31", "2026-08-31")]
    assert run.cursor == f"{US_PROFILE}=2026-08-30,{JP_PROFILE}=2026-08-31"


def test_a_first_run_is_cut_into_reports_of_at_most_31_days_then_re_pulls_30(con) -> None:
    with Loopback() as server:
        serve_ads(server, daily_rows())
        settings = ads_settings(server.url, history_days=60)
        sync_sp_campaigns(con, settings, run_id="run-1", now=NOW)
        sync_sp_campaigns(con, settings, run_id="run-2", now=NOW + timedelta(days=1))
        windows = [(r["startDate"], r["endDate"]) for r in report_requests(server)]

    assert windows == [
        ("2026-07-02", "2026-08-01"),
        ("2026-08-02", "2026-08-30"),
        ("2026-08-01", "2026-08-31"),
    ]
    assert [date.fromisoformat(b) - date.fromisoformat(a) for a, b in windows] == [
        timedelta(days=30),
        timedelta(days=28),
        timedelta(days=30),
    ]


def test_a_duplicate_request_reuses_the_report_already_running(con) -> None:
    duplicate = Canned(
        status=425,
        body=served({"code": "425", "detail": f"The Request is a duplicate of : {REPORT_ID}"}),
    )
    with Loopback() as server:
        serve_ads(server, daily_rows(), create=duplicate)
        sync_sp_campaigns(con, ads_settings(server.url), run_id="run-1", now=NOW)
        paths = [s.path for s in server.requests if s.path.startswith("/reporting/")]

    assert paths == ["/reporting/reports"] + [f"/reporting/reports/{REPORT_ID}"] * 2
    assert con.execute("select count(*) from raw.amazon_ads_sp_campaigns").fetchone()[0] == 2


def test_a_restated_campaign_day_replaces_the_earlier_pull(con) -> None:
    with Loopback() as server:
        serve_ads(server, RESTATED_1, RESTATED_2)
        settings = ads_settings(server.url)
        sync_sp_campaigns(con, settings, run_id="night-1", now=NOW)
        second = sync_sp_campaigns(con, settings, run_id="night-2", now=NOW + timedelta(days=1))

    rows = con.execute(
        """select report_date, campaign_id, cast(_record->>'purchases14d' as integer),
            cast(_record->>'sales14d' as decimal(9, 2)), _run_id
        from raw.amazon_ads_sp_campaigns"""
    ).fetchall()
    assert [tuple(str(v) for v in row) for row in rows] == [
        ("2026-10-05", "31000000000002", "3", "89.97", "night-2")
    ]
    campaigns = second.tables["raw.amazon_ads_sp_campaigns"]
    assert (campaigns.records, campaigns.inserted, campaigns.updated) == (1, 0, 1)


def test_amazon_s_summary_rows_without_a_date_are_quarantined_by_key(con) -> None:
    with Loopback() as server:
        serve_ads(server, SAMPLE_ROWS)
        run = sync_sp_campaigns(con, ads_settings(server.url), run_id="run-1", now=NOW)

    campaigns = run.tables["raw.amazon_ads_sp_campaigns"]
    assert (campaigns.records, campaigns.quarantined) == (0, 2)
    assert (
        con.execute(
            "select field, reason, record->>'campaignId' from raw._quarantine order by record_hash"
        ).fetchall()
        == [("report_date", "missing", "158410630682987")] * 2
    )
    assert con.execute("select count(*) from raw.amazon_ads_sp_campaigns").fetchone()[0] == 0


def test_a_failed_report_names_its_id_and_reason(con) -> None:
    with Loopback() as server:
        serve_ads(server, daily_rows())
        failed = {**PENDING, "status": "FAILED", "failureReason": "Report generation failed"}
        server.route("GET", f"/reporting/reports/{REPORT_ID}", Canned(body=served(failed)))
        with pytest.raises(ConnectorError) as raised:
            sync_sp_campaigns(con, ads_settings(server.url), run_id="run-1", now=NOW)

    assert str(raised.value) == (
        f"[amazon_ads/amazon_ads_sp_campaigns:{US_PROFILE}] report spCampaigns {REPORT_ID} "
        "FAILED: Report generation failed"
    )


def test_a_report_pending_beyond_the_bound_fails(con) -> None:
    with Loopback() as server:
        serve_ads(server, daily_rows())
        server.route("GET", f"/reporting/reports/{REPORT_ID}", Canned(body=served(PENDING)))
        settings = ads_settings(server.url, report_max_wait_s=0.05)
        with pytest.raises(ConnectorError, match=f"{REPORT_ID} still PENDING after 0 s"):
            sync_sp_campaigns(con, settings, run_id="run-1", now=NOW)


def test_a_profile_id_the_account_does_not_have_is_a_configuration_error(con) -> None:
    with Loopback() as server:
        serve_ads(server)
        settings = ads_settings(server.url, profile_ids=(US_PROFILE, "999"))
        with pytest.raises(ConfigurationError, match=r"AMAZON_ADS_PROFILE_IDS .*\['999'\]"):
            sync_sp_campaigns(con, settings, run_id="run-1", now=NOW)


def test_every_profile_is_reported_when_none_is_configured(con) -> None:
    with Loopback() as server:
        serve_ads(server, daily_rows())
        settings = ads_settings(server.url, profile_ids=())
        run = sync_sp_campaigns(con, settings, run_id="run-1", now=NOW)

    rows = con.execute(
        "select profile_id, count(*) from raw.amazon_ads_sp_campaigns group by 1 order by 1"
    ).fetchall()
    assert rows == [(US_PROFILE, 2), (JP_PROFILE, 2)]
    assert run.tables["raw.amazon_ads_sp_campaigns"].records == 4
