"""FX rates against the sandbox's Frankfurter-compatible service: one row per ECB working day.

``AS_OF`` is Tuesday 2026-09-01 at 12:00 UTC, before that day's 16:00 Frankfurt publication, so
the first window (2026-05-27..2026-09-01) holds 69 working days: 70 weekdays less today. No
TARGET holiday falls inside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from connectors.fx import FxSettings, sync_rates
from connectors.http import HttpSettings
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox

AS_OF = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=3, days=7, orders_per_day=3, skus=10, tickets_per_day=3, as_of=AS_OF)
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=3, backoff_factor_s=0.01)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG) as sandbox:
        yield sandbox


def settings_for(sandbox: Sandbox) -> FxSettings:
    return replace(FxSettings.from_env(sandbox.env()), http=FAST)


def test_one_row_per_working_day_with_the_published_rates(con, sb) -> None:
    run = sync_rates(con, settings_for(sb), run_id="run-1", now=AS_OF)

    rows = con.execute(
        "select rate_date, _record from raw.fx_rates where base_currency = 'USD' order by 1"
    ).fetchall()
    assert len(rows) == 69
    assert (rows[0][0], rows[-1][0]) == (date(2026, 5, 27), date(2026, 8, 31))
    assert all(day.weekday() < 5 for day, _ in rows)
    published = sb.data.fx_rates(date(2026, 5, 27), date(2026, 9, 1), "USD", ("EUR", "JPY", "GBP"))
    assert {day.isoformat(): json.loads(record)["rates"] for day, record in rows} == published
    assert run.cursor == "2026-08-31"
    assert [r.path for r in sb.requests] == ["/v1/2026-05-27..2026-09-01"]


def test_the_next_week_adds_its_working_days_and_leaves_reread_days_alone(con, sb) -> None:
    sync_rates(con, settings_for(sb), run_id="run-1", now=AS_OF)
    later_as_of = AS_OF + timedelta(days=7)
    with start_sandbox(replace(CONFIG, as_of=later_as_of)) as next_week:
        second = sync_rates(con, settings_for(next_week), run_id="run-2", now=later_as_of)
        paths = [r.path for r in next_week.requests]

    assert paths == ["/v1/2026-08-24..2026-09-08"]
    result = second.tables["raw.fx_rates"]
    # 08-24..08-31 re-read unchanged; 09-01, 09-02, 09-03, 09-04 and 09-07 are new
    assert (result.records, result.inserted, result.updated) == (11, 5, 0)
    assert con.execute("select count(*), max(rate_date) from raw.fx_rates").fetchone() == (
        74,
        date(2026, 9, 7),
    )
    assert second.cursor == "2026-09-07"


def test_a_429_with_retry_after_is_waited_out(con, sb, retry_sleeps) -> None:
    sb.faults.add(
        FaultRule(
            method="GET", path_regex=r"^/v1/", status=429, headers={"Retry-After": "1"}, times=1
        )
    )
    run = sync_rates(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert retry_sleeps == [1]
    assert len(sb.requests) == 2
    assert run.records == 69
