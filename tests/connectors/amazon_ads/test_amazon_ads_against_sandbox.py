"""Amazon Ads streams end to end against the sandbox seller (sandbox/, on 127.0.0.1).

Expected rows come from the generated campaign-days (``sb.data.ads_rows_json``) up to each
profile's local yesterday. The sandbox finishes a report on its second poll here and answers
425 to a request identical to one still running, as the Ads API does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.amazon_ads import AmazonAdsSettings, sync_profiles, sync_sp_campaigns
from connectors.errors import ConnectorError
from connectors.landing import read_cursor
from tests.connectors.amazon_sp.support import FAST

sandbox_server = pytest.importorskip("sandbox.server", reason="the sandbox is not built yet")
from sandbox.faults import FaultRule  # noqa: E402
from sandbox.generator import SellerConfig  # noqa: E402

AS_OF = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=7, days=7, orders_per_day=3, skus=10, tickets_per_day=3, as_of=AS_OF)
# 02:00 UTC: 31 August in Los Angeles, 1 September in Berlin and Tokyo
YESTERDAY = {"US": date(2026, 8, 30), "DE": date(2026, 8, 31), "JP": date(2026, 8, 31)}


@pytest.fixture(scope="module")
def sb() -> Iterator[object]:
    with sandbox_server.start_sandbox(CONFIG) as running:
        running.set_clock(lambda: AS_OF.timestamp())
        running.report_polls = 2
        yield running


@pytest.fixture
def settings(sb) -> Iterator[AmazonAdsSettings]:
    yield replace(
        AmazonAdsSettings.from_env(sb.env()),
        http=FAST,
        history_days=10,
        report_poll_interval_s=0.01,
        report_max_wait_s=5.0,
    )
    sb.faults.clear()


def expected_rows(sb, days_later: int = 0) -> list[tuple[str, str, str, int, int]]:
    rows = []
    for profile in sb.data.profiles:
        last = (YESTERDAY[profile.channel.key] + timedelta(days=days_later)).isoformat()
        for row in sb.data.ads_rows_json(profile.profile_id):
            if row["date"] <= last:
                rows.append(
                    (
                        str(profile.profile_id),
                        row["date"],
                        str(row["campaignId"]),
                        row["clicks"],
                        row["impressions"],
                    )
                )
    return sorted(rows)


def landed_rows(con) -> list[tuple[str, str, str, int, int]]:
    return con.execute(
        """select profile_id, cast(report_date as varchar), campaign_id,
            cast(_record->>'clicks' as integer), cast(_record->>'impressions' as integer)
        from raw.amazon_ads_sp_campaigns order by 1, 2, 3"""
    ).fetchall()


def test_every_profile_lands(sb, settings, con) -> None:
    run = sync_profiles(con, settings, run_id="run-1", now=AS_OF)

    rows = con.execute(
        "select profile_id, _record->>'timezone', _record->>'currencyCode' "
        "from raw.amazon_ads_profiles order by 1"
    ).fetchall()
    assert rows == sorted(
        (str(p["profileId"]), p["timezone"], p["currencyCode"]) for p in sb.data.ads_profiles_json()
    )
    assert run.tables["raw.amazon_ads_profiles"].records == 3


def test_every_campaign_day_up_to_each_profile_s_yesterday_lands(sb, settings, con) -> None:
    run = sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)

    expected = expected_rows(sb)
    assert landed_rows(con) == expected
    assert run.tables["raw.amazon_ads_sp_campaigns"].records == len(expected)
    cost = con.execute(
        """select profile_id, round(sum(cast(_record->>'cost' as decimal(18, 2))), 2)
        from raw.amazon_ads_sp_campaigns group by 1 order by 1"""
    ).fetchall()
    assert [(pid, float(total)) for pid, total in cost] == sorted(
        (
            str(p.profile_id),
            round(
                sum(
                    r["cost"]
                    for r in sb.data.ads_rows_json(p.profile_id)
                    if r["date"] <= YESTERDAY[p.channel.key].isoformat()
                ),
                2,
            ),
        )
        for p in sb.data.profiles
    )
    for profile in sb.data.profiles:
        stream = f"amazon_ads_sp_campaigns:{profile.profile_id}"
        assert read_cursor(con, stream) == YESTERDAY[profile.channel.key].isoformat()


def test_a_rerun_of_the_same_window_keeps_one_row_per_campaign_day(sb, settings, con) -> None:
    sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)
    first = con.execute(
        "select profile_id, report_date, campaign_id, _record from raw.amazon_ads_sp_campaigns "
        "order by 1, 2, 3"
    ).fetchall()
    second = sync_sp_campaigns(con, settings, run_id="run-2", now=AS_OF)

    campaigns = second.tables["raw.amazon_ads_sp_campaigns"]
    # rows are versioned by load time: a re-pulled row replaces its copy, never adds one
    assert (campaigns.records, campaigns.inserted) == (len(first), 0)
    again = con.execute(
        "select profile_id, report_date, campaign_id, _record from raw.amazon_ads_sp_campaigns "
        "order by 1, 2, 3"
    ).fetchall()
    assert again == first


def test_a_report_left_running_by_a_timed_out_run_is_reused(settings, con) -> None:
    # a sandbox of its own: reports of other tests must not be "running" here
    with sandbox_server.start_sandbox(CONFIG) as sb:
        sb.set_clock(lambda: AS_OF.timestamp())
        sb.report_polls = 4
        patient = replace(
            settings,
            api_url=sb.base_url,
            lwa=replace(settings.lwa, token_url=f"{sb.base_url}/auth/o2/token"),
        )
        with pytest.raises(ConnectorError, match="still PENDING"):
            sync_sp_campaigns(
                con, replace(patient, report_max_wait_s=0.0), run_id="run-1", now=AS_OF
            )
        left_running = polled_reports(sb, since=0)
        mark = len(sb.requests)
        sync_sp_campaigns(con, patient, run_id="run-2", now=AS_OF)
        polled_next = polled_reports(sb, since=mark)
        creates = [r for r in sb.requests[mark:] if r.path == "/reporting/reports"]
        expected = expected_rows(sb)

    assert len(left_running) == 1  # the first profile's report, polled once, then given up
    assert len(creates) == 3  # one per profile; the first was answered 425 with the running id
    assert left_running <= polled_next
    assert len(polled_next) == 3
    assert landed_rows(con) == expected


def polled_reports(sb, *, since: int) -> set[str]:
    prefix = "/reporting/reports/"
    return {r.path[len(prefix) :] for r in sb.requests[since:] if r.path.startswith(prefix)}


def test_an_expired_token_is_renewed_once_mid_run(sb, settings, con) -> None:
    sb.faults.add(
        FaultRule(
            method="POST",
            path_regex=r"^/reporting/reports$",
            status=401,
            body=b'{"code":"UNAUTHORIZED","details":"Not authorized"}',
            times=1,
        )
    )
    mark = len(sb.requests)
    sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)

    exchanges = sum(1 for r in sb.requests[mark:] if r.path == "/auth/o2/token")
    assert exchanges == 2  # the run's first token, then one renewal after the 401
    assert sb.faults.rules[0].fired == 1
    assert landed_rows(con) == expected_rows(sb)


def test_the_next_night_re_pulls_thirty_days_in_one_report_per_profile(sb, settings, con) -> None:
    sync_sp_campaigns(con, replace(settings, history_days=3), run_id="run-1", now=AS_OF)
    mark = len(sb.requests)
    sync_sp_campaigns(con, settings, run_id="run-2", now=AS_OF + timedelta(days=1))

    creates = [r for r in sb.requests[mark:] if r.path == "/reporting/reports"]
    assert len(creates) == 3
    # the sandbox serves the partial local day of as_of as the new "yesterday"
    assert landed_rows(con) == expected_rows(sb, days_later=1)
