"""Amazon Ads v3 campaign reports under the sandbox's faults, exact rows asserted after.

One small sandbox for the module (seed 7, a week, three profiles); a report finishes on its
second poll. Covered elsewhere and not repeated: 425 for a duplicate request reusing the running
report and a 401 renewed once mid-run (tests/connectors/amazon_ads/test_amazon_ads_against_
sandbox.py).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import duckdb
import pytest

from connectors.amazon_ads import AmazonAdsSettings, sync_sp_campaigns
from connectors.errors import ConnectorError
from connectors.landing import read_cursor
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox
from tests.connectors.faults.transport import FAULT_HTTP, transport_faults

AS_OF = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=7, days=7, orders_per_day=1, skus=10, tickets_per_day=1, as_of=AS_OF)
YESTERDAY = {"US": date(2026, 8, 30), "DE": date(2026, 8, 31), "JP": date(2026, 8, 31)}
POLL = r"^/reporting/reports/[^/?]+$"
DOWNLOAD = r"^/sandbox-documents/"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG) as running:
        running.set_clock(lambda: AS_OF.timestamp())
        running.report_polls = 2
        yield running


@pytest.fixture
def settings(sb: Sandbox) -> Iterator[AmazonAdsSettings]:
    yield replace(
        AmazonAdsSettings.from_env(sb.env()),
        http=FAULT_HTTP,
        history_days=10,
        report_poll_interval_s=0.01,
        report_max_wait_s=2.0,
    )
    sb.faults.clear()


def expected_rows(sb: Sandbox, skip_profile: int | None = None) -> list[tuple[str, str, str]]:
    return sorted(
        (str(profile.profile_id), row["date"], str(row["campaignId"]))
        for profile in sb.data.profiles
        if profile.profile_id != skip_profile
        for row in sb.data.ads_rows_json(profile.profile_id)
        if row["date"] <= YESTERDAY[profile.channel.key].isoformat()
    )


def landed_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute(
        """select profile_id, cast(report_date as varchar), campaign_id
        from raw.amazon_ads_sp_campaigns order by 1, 2, 3"""
    ).fetchall()


def raw_count(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'amazon_ads_sp_campaigns'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("select count(*) from raw.amazon_ads_sp_campaigns").fetchone()[0]


def first_profile(sb: Sandbox) -> str:
    return str(sb.data.profiles[0].profile_id)


@pytest.mark.parametrize(
    "rule",
    [
        *transport_faults("GET", POLL),
        *[
            pytest.param(p.values[0], id=f"{p.id} on the report download")
            for p in transport_faults("GET", DOWNLOAD)
        ],
    ],
)
def test_a_transport_fault_on_a_poll_or_download_is_retried_and_every_row_lands_once(
    sb, settings, con, retry_sleeps, rule: FaultRule
) -> None:
    sb.faults.add(rule)
    run = sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    assert landed_rows(con) == expected_rows(sb)
    assert run.tables["raw.amazon_ads_sp_campaigns"].inserted == len(expected_rows(sb)) > 0


def test_a_report_stuck_in_progress_fails_after_the_bound_naming_it_then_is_reused(
    sb, settings, con
) -> None:
    stuck = b'{"reportId": "stuck", "status": "PROCESSING"}'
    sb.faults.add(FaultRule(method="GET", path_regex=POLL, status=200, body=stuck))
    mark = len(sb.requests)
    with pytest.raises(ConnectorError) as raised:
        sync_sp_campaigns(con, replace(settings, report_max_wait_s=0.05), run_id="r1", now=AS_OF)

    created = [r for r in sb.requests[mark:] if r.path == "/reporting/reports"]
    polled = {
        r.path.rsplit("/", 1)[1]
        for r in sb.requests[mark:]
        if r.path.startswith("/reporting/reports/")
    }
    assert len(created) == 1 and len(polled) == 1  # the first profile's report only
    (report_id,) = polled
    message = str(raised.value)
    assert message.startswith(f"[amazon_ads/amazon_ads_sp_campaigns:{first_profile(sb)}]")
    assert f"report spCampaigns {report_id} still PROCESSING" in message
    assert "report_max_wait_s" in message
    assert raw_count(con) == 0
    assert read_cursor(con, f"amazon_ads_sp_campaigns:{first_profile(sb)}") is None

    sb.faults.clear()  # the report goes on; the next run is answered 425 and reuses it
    sync_sp_campaigns(con, settings, run_id="r2", now=AS_OF)
    assert landed_rows(con) == expected_rows(sb)


def test_a_failed_report_fails_naming_its_id_and_reason_and_lands_nothing(
    sb, settings, con
) -> None:
    failed = b'{"reportId": "x", "status": "FAILED", "failureReason": "Internal error"}'
    sb.faults.add(FaultRule(method="GET", path_regex=POLL, status=200, body=failed, times=1))
    mark = len(sb.requests)
    with pytest.raises(ConnectorError) as raised:
        sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)

    (report_id,) = {
        r.path.rsplit("/", 1)[1]
        for r in sb.requests[mark:]
        if r.path.startswith("/reporting/reports/")
    }
    assert f"report spCampaigns {report_id} FAILED: Internal error" in str(raised.value)
    assert raw_count(con) == 0
    assert read_cursor(con, f"amazon_ads_sp_campaigns:{first_profile(sb)}") is None


def test_an_empty_report_lands_nothing_for_its_profile_and_moves_its_cursor(
    sb, settings, con
) -> None:
    empty = gzip.compress(b"[]")
    sb.faults.add(
        FaultRule(
            method="GET",
            path_regex=DOWNLOAD,
            status=200,
            body=empty,
            headers={"Content-Type": "application/octet-stream"},
            times=1,
        )
    )
    run = sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)

    first = sb.data.profiles[0]
    assert landed_rows(con) == expected_rows(sb, skip_profile=first.profile_id)
    assert run.tables["raw.amazon_ads_sp_campaigns"].records == len(
        expected_rows(sb, skip_profile=first.profile_id)
    )
    assert read_cursor(con, f"amazon_ads_sp_campaigns:{first.profile_id}") == (
        YESTERDAY[first.channel.key].isoformat()
    )


@pytest.mark.parametrize(
    ("path_regex", "body"),
    [
        pytest.param(r"^/v2/profiles", b"<html>Bad Gateway</html>", id="profiles as html"),
        pytest.param(DOWNLOAD, gzip.compress(b'[{"date": "2026-08-3'), id="report cut short"),
        pytest.param(DOWNLOAD, b'[{"date": "2026-08-3', id="report neither gzip nor json"),
    ],
)
def test_an_answer_that_is_not_the_json_promised_fails_naming_platform_and_lands_nothing(
    sb, settings, con, path_regex: str, body: bytes
) -> None:
    sb.faults.add(FaultRule(method="GET", path_regex=path_regex, status=200, body=body, times=1))
    with pytest.raises(ConnectorError) as raised:
        sync_sp_campaigns(con, settings, run_id="run-1", now=AS_OF)

    assert str(raised.value).startswith("[amazon_ads/amazon_ads_sp_campaigns")
    assert sb.base_url in str(raised.value)
    assert raw_count(con) == 0
    assert read_cursor(con, f"amazon_ads_sp_campaigns:{first_profile(sb)}") is None
    assert json.dumps(str(raised.value))  # a plain message, no bytes object
