"""The Sponsored Products advertised-product report (spAdvertisedProduct), end to end.

Against the sandbox seller (sandbox/, on 127.0.0.1): every ad-day up to each profile's local
yesterday lands under (profile, date, ad), and the ads of a campaign-day add up to the
campaign row the spCampaigns stream lands; a request identical to a running one is answered
425 and the running report is reused; the next night's re-pull (a sandbox one day later, whose
attributed purchases have grown) replaces the stored days. Expected rows come from the
generated ad-days (``sb.data.ads_product_rows_json``). On a canned server: the request body and
a restated ad-day replacing the earlier pull, value for value.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.amazon_ads import (
    AmazonAdsSettings,
    sync_sp_advertised_products,
    sync_sp_campaigns,
)
from connectors.errors import ConnectorError
from connectors.landing import read_cursor
from sandbox.generator import SellerConfig
from sandbox.server import start_sandbox
from tests.connectors.amazon_ads.test_amazon_ads_real_payloads import (
    PENDING,
    REPORT_ID,
    US_PROFILE,
    ads_settings,
    completed,
    report_requests,
)
from tests.connectors.amazon_sp.support import FAST, served, token_body
from tests.support.loopback import Canned, Loopback

AS_OF = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=7, days=7, orders_per_day=3, skus=10, tickets_per_day=3, as_of=AS_OF)
# 02:00 UTC: 31 August in Los Angeles, 1 September in Berlin and Tokyo
YESTERDAY = {"US": date(2026, 8, 30), "DE": date(2026, 8, 31), "JP": date(2026, 8, 31)}
TABLE = "raw.amazon_ads_sp_advertised_products"
COLUMNS = [
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
]


def sandbox_settings(sb, **overrides: object) -> AmazonAdsSettings:
    settings = replace(
        AmazonAdsSettings.from_env(sb.env()),
        http=FAST,
        history_days=10,
        report_poll_interval_s=0.01,
        report_max_wait_s=5.0,
    )
    return replace(settings, **overrides)


@pytest.fixture(scope="module")
def sb() -> Iterator[object]:
    with start_sandbox(CONFIG) as running:
        running.set_clock(lambda: AS_OF.timestamp())
        running.report_polls = 2
        yield running


def expected_ad_rows(data, days_later: int = 0) -> list[tuple]:
    rows = []
    for profile in data.profiles:
        last = (YESTERDAY[profile.channel.key] + timedelta(days=days_later)).isoformat()
        for row in data.ads_product_rows_json(profile.profile_id):
            if row["date"] <= last:
                rows.append(
                    (
                        str(profile.profile_id),
                        row["date"],
                        str(row["adId"]),
                        row["advertisedSku"],
                        row["clicks"],
                        row["purchases7d"],
                    )
                )
    return sorted(rows)


def landed_ad_rows(con) -> list[tuple]:
    return con.execute(
        f"""select profile_id, cast(report_date as varchar), ad_id, _record->>'advertisedSku',
            cast(_record->>'clicks' as integer), cast(_record->>'purchases7d' as integer)
        from {TABLE} order by 1, 2, 3"""
    ).fetchall()


def test_every_ad_day_lands_and_the_ads_of_a_campaign_day_add_up_to_it(sb, con) -> None:
    settings = sandbox_settings(sb)
    mark = len(sb.requests)
    campaigns = sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)
    run = sync_sp_advertised_products(con, settings, run_id="run-1", now=AS_OF)

    expected = expected_ad_rows(sb.data)
    assert landed_ad_rows(con) == expected
    assert run.tables[TABLE].records == len(expected) > 100
    assert {row[3] for row in expected} <= {sku.sku for sku in sb.data.catalog}
    # one campaign-day at a time: every measure of its ads adds up to the campaign row
    differences = con.execute(
        f"""with ads as (
                select profile_id, report_date, _record->>'campaignId' as campaign_id,
                    sum(cast(_record->>'impressions' as bigint)) as impressions,
                    sum(cast(_record->>'clicks' as bigint)) as clicks,
                    sum(cast(_record->>'cost' as decimal(18, 2))) as cost,
                    sum(cast(_record->>'purchases7d' as bigint)) as purchases,
                    sum(cast(_record->>'sales7d' as decimal(18, 2))) as sales,
                    sum(cast(_record->>'unitsSoldClicks7d' as bigint)) as units
                from {TABLE} group by all
            ),
            campaigns as (
                select profile_id, report_date, campaign_id,
                    cast(_record->>'impressions' as bigint) as impressions,
                    cast(_record->>'clicks' as bigint) as clicks,
                    cast(_record->>'cost' as decimal(18, 2)) as cost,
                    cast(_record->>'purchases7d' as bigint) as purchases,
                    cast(_record->>'sales7d' as decimal(18, 2)) as sales,
                    cast(_record->>'unitsSoldClicks7d' as bigint) as units
                from raw.amazon_ads_sp_campaigns
            )
            select count(*) filter (where ads is distinct from campaigns), count(*)
            from campaigns full join ads using (profile_id, report_date, campaign_id)"""
    ).fetchone()
    assert differences == (0, campaigns.tables["raw.amazon_ads_sp_campaigns"].records)
    creates = [r for r in sb.requests[mark:] if r.path == "/reporting/reports"]
    assert len(creates) == 6  # one report of each type per profile
    for profile in sb.data.profiles:
        stream = f"amazon_ads_sp_advertised_products:{profile.profile_id}"
        assert read_cursor(con, stream) == YESTERDAY[profile.channel.key].isoformat()
        # the two reports keep their own cursors
        assert read_cursor(con, f"amazon_ads_sp_campaigns:{profile.profile_id}") == (
            YESTERDAY[profile.channel.key].isoformat()
        )


def test_a_request_identical_to_a_running_one_gets_425_and_reuses_it(con) -> None:
    # a sandbox of its own: reports of other tests must not be "running" here
    with start_sandbox(CONFIG) as sb:
        sb.set_clock(lambda: AS_OF.timestamp())
        sb.report_polls = 4
        settings = sandbox_settings(sb)
        with pytest.raises(ConnectorError, match="report spAdvertisedProduct .* still PENDING"):
            sync_sp_advertised_products(
                con, replace(settings, report_max_wait_s=0.0), run_id="run-1", now=AS_OF
            )
        left_running = polled_reports(sb, since=0)
        mark = len(sb.requests)
        sync_sp_advertised_products(con, settings, run_id="run-2", now=AS_OF)
        polled_next = polled_reports(sb, since=mark)
        creates = [r for r in sb.requests[mark:] if r.path == "/reporting/reports"]
        expected = expected_ad_rows(sb.data)

    # the first profile's report, polled once then given up, is still running: the identical
    # request of the next run is answered 425 with its id, which is then polled to completion
    assert len(left_running) == 1
    assert len(creates) == 3
    assert left_running <= polled_next
    assert len(polled_next) == 3
    assert landed_ad_rows(con) == expected
    assert read_cursor(con, "amazon_ads_sp_advertised_products:" + first_profile(sb)) == (
        YESTERDAY["US"].isoformat()
    )


def polled_reports(sb, *, since: int) -> set[str]:
    prefix = "/reporting/reports/"
    return {r.path[len(prefix) :] for r in sb.requests[since:] if r.path.startswith(prefix)}


def first_profile(sb) -> str:
    return str(sb.data.profiles[0].profile_id)


def test_the_next_night_s_re_pull_replaces_the_restated_days(con) -> None:
    # a seller busy enough for ads to sell (the tiny one's campaigns attribute nothing)
    busy = replace(CONFIG, orders_per_day=30, skus=20)
    with start_sandbox(busy) as tonight:
        tonight.set_clock(lambda: AS_OF.timestamp())
        tonight.report_polls = 2
        first = sync_sp_advertised_products(
            con, sandbox_settings(tonight), run_id="night-1", now=AS_OF
        )
    before = {row[:3]: row for row in landed_ad_rows(con)}
    later = replace(busy, as_of=AS_OF + timedelta(days=1))
    with start_sandbox(later) as next_day:
        next_day.set_clock(lambda: later.as_of.timestamp())
        next_day.report_polls = 2
        second = sync_sp_advertised_products(
            con, sandbox_settings(next_day), run_id="night-2", now=later.as_of
        )
        served_then = expected_ad_rows(next_day.data, days_later=1)

    after = {row[:3]: row for row in landed_ad_rows(con)}
    served_keys = {row[:3] for row in served_then}
    # every ad-day the second sandbox serves is stored once, as the second night read it; the
    # first sandbox's oldest day (outside the later history) stays as it was
    assert [after[key] for key in sorted(served_keys)] == served_then
    assert {key: after[key] for key in after.keys() - served_keys} == {
        key: before[key] for key in before.keys() - served_keys
    }
    restated = [key for key in before.keys() & served_keys if after[key] != before[key]]
    assert restated  # late conversions of the last week were attributed since night 1
    assert all(after[key][5] > before[key][5] for key in restated)  # purchases7d only grew
    result = second.tables[TABLE]
    # each profile's new yesterday is new; the restated days are updated, the rest unchanged
    assert result.inserted == len(served_keys - before.keys()) > 0
    assert result.updated == len(restated)
    assert first.tables[TABLE].records == len(before)


RESTATED_1 = [
    {
        "date": "2026-08-30",
        "campaignId": 31000000000002,
        "adGroupId": 41000000000002,
        "adId": 51000000000007,
        "advertisedAsin": "B0MUGSET01",
        "advertisedSku": "MUG-SET",
        "impressions": 1500,
        "clicks": 30,
        "cost": 45.0,
        "purchases7d": 0,
        "sales7d": 0.0,
        "unitsSoldClicks7d": 0,
    }
]
RESTATED_2 = [{**RESTATED_1[0], "purchases7d": 3, "sales7d": 89.97, "unitsSoldClicks7d": 3}]


PROFILES = [
    {
        "profileId": int(US_PROFILE),
        "countryCode": "US",
        "currencyCode": "USD",
        "timezone": "America/Los_Angeles",
        "accountInfo": {"marketplaceStringId": "ATVPDKIKX0DER", "id": "A1SELLER", "type": "seller"},
    }
]


def serve_products(server: Loopback, *rows: list[dict], create: Canned | None = None) -> None:
    server.route("POST", "/auth/o2/token", Canned(body=token_body()))
    server.route("GET", "/v2/profiles", Canned(body=served(PROFILES)))
    server.route("POST", "/reporting/reports", create or Canned(body=served(PENDING)))
    server.route(
        "GET",
        f"/reporting/reports/{REPORT_ID}",
        Canned(body=served(PENDING)),
        Canned(body=completed(REPORT_ID, f"{server.url}/files/{REPORT_ID}.json.gz")),
    )
    files = [Canned(body=gzip.compress(served(page))) for page in rows]
    server.route("GET", f"/files/{REPORT_ID}.json.gz", *files)


def test_the_request_names_the_report_its_grouping_and_columns(con) -> None:
    with Loopback() as server:
        serve_products(server, RESTATED_1)
        sync_sp_advertised_products(con, ads_settings(server.url), run_id="run-1", now=AS_OF)
        (request,) = report_requests(server)

    assert request == {
        "name": f"kpi-warehouse spAdvertisedProduct {US_PROFILE} 2026-08-28..2026-08-30",
        "startDate": "2026-08-28",
        "endDate": "2026-08-30",  # yesterday in Los Angeles
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": ["advertiser"],
            "columns": COLUMNS,
            "reportTypeId": "spAdvertisedProduct",
            "timeUnit": "DAILY",
            "format": "GZIP_JSON",
        },
    }


def test_a_restated_ad_day_replaces_the_earlier_pull(con) -> None:
    with Loopback() as server:
        serve_products(server, RESTATED_1, RESTATED_2)
        settings = ads_settings(server.url)
        sync_sp_advertised_products(con, settings, run_id="night-1", now=AS_OF)
        second = sync_sp_advertised_products(
            con, settings, run_id="night-2", now=AS_OF + timedelta(days=1)
        )

    rows = con.execute(
        f"""select profile_id, report_date, ad_id, _record->>'advertisedSku',
            cast(_record->>'purchases7d' as integer), cast(_record->>'sales7d' as decimal(9, 2)),
            _run_id
        from {TABLE}"""
    ).fetchall()
    assert [tuple(str(v) for v in row) for row in rows] == [
        (US_PROFILE, "2026-08-30", "51000000000007", "MUG-SET", "3", "89.97", "night-2")
    ]
    result = second.tables[TABLE]
    assert (result.records, result.inserted, result.updated) == (1, 0, 1)
    assert read_cursor(con, f"amazon_ads_sp_advertised_products:{US_PROFILE}") == "2026-08-31"


def test_a_duplicate_answer_reuses_the_report_it_names(con) -> None:
    duplicate = Canned(
        status=425,
        body=served({"code": "425", "detail": f"The Request is a duplicate of : {REPORT_ID}"}),
    )
    with Loopback() as server:
        serve_products(server, RESTATED_1, create=duplicate)
        sync_sp_advertised_products(con, ads_settings(server.url), run_id="run-1", now=AS_OF)
        paths = [s.path for s in server.requests if s.path.startswith("/reporting/")]

    assert paths == ["/reporting/reports"] + [f"/reporting/reports/{REPORT_ID}"] * 2
    assert con.execute(f"select count(*) from {TABLE}").fetchone()[0] == 1


def test_a_replay_of_one_day_asks_for_that_day_only_and_keeps_the_cursor(con) -> None:
    with Loopback() as server:
        serve_products(server, RESTATED_1, RESTATED_2)
        settings = ads_settings(server.url)
        sync_sp_advertised_products(con, settings, run_id="night-1", now=AS_OF)
        replayed = sync_sp_advertised_products(
            con,
            replace(settings, replay_day=date(2026, 8, 30)),
            run_id="replay",
            now=AS_OF + timedelta(days=5),
        )
        windows = [(r["startDate"], r["endDate"]) for r in report_requests(server)]

    assert windows == [("2026-08-28", "2026-08-30"), ("2026-08-30", "2026-08-30")]
    # the replayed day's restated row replaced the stored one; the cursor did not move
    assert replayed.tables[TABLE].updated == 1
    assert read_cursor(con, f"amazon_ads_sp_advertised_products:{US_PROFILE}") == "2026-08-30"
