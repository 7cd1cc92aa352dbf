"""marts.kpi_scorecard_monthly, marts.kpi_people_monthly and marts.kpi_source_freshness against
values computed by hand.

Their inputs are the seller's plan (seeds kpi_targets.csv and headcount.csv) and the load log.
The project's seeds hold a plan for the sandbox seller's months, and the tests' load log holds
whatever time the tests ran at, so neither gives hand-computable figures. These tests therefore
copy the tests' warehouse and the dbt project, put tests/dbt/seller_scorecard.py's TARGETS_CSV
and HEADCOUNT_CSV in place of the two seed files (as a seller edits them), set the load log to
two known instants, and build the seeds and the scorecard models on the copy. The shared
warehouse and the project's seeds are left untouched.

Monthly actuals used below (October 2026, see test_kpi_scorecard_monthly.py): mug-shop gmv 320,
net sales 221.5, 7 orders of 8 placed, 3 refunded, margin 117 / 198; its sales history covers
10-09 .. 10-18, 10 of 31 days; all marketplaces' net sales 416.6667, history through 10-18.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.dbt import seller_scorecard
from tests.dbt.conftest import (
    DBT,
    DBT_PROJECT,
    DBT_TIMEOUT_S,
    BuiltWarehouse,
    DbtRun,
    dbt_environment,
)
from tests.dbt.seller import APPLE_SHOP, DE, MUG_SHOP, US

MUG = f"shopify:{MUG_SHOP}"
APPLE = f"shopify:{APPLE_SHOP}"
UNIT_TEST = (
    "unit_test.kpi_warehouse.kpi_scorecard_monthly."
    "scorecard_prorates_a_running_month_to_the_last_load"
)


def build_scorecard_on_a_copy(warehouse: BuiltWarehouse, work: Path) -> BuiltWarehouse:
    """The seeds and scorecard models rebuilt on a copy, with the tests' plan and load times."""
    project = work / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "seeds" / "kpi_targets.csv").write_text(seller_scorecard.TARGETS_CSV)
    (project / "seeds" / "headcount.csv").write_text(seller_scorecard.HEADCOUNT_CSV)
    path = work / "warehouse.duckdb"
    shutil.copyfile(warehouse.path, path)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "update raw._load_log set loaded_at = case raw_table "
            "when 'raw.amazon_shipments' then cast($shipments as timestamptz) "
            "else cast($as_of as timestamptz) end",
            {
                "shipments": seller_scorecard.SHIPMENTS_LAST_LOADED,
                "as_of": seller_scorecard.AS_OF,
            },
        )
    finally:
        con.close()
    target = work / "target"
    completed = subprocess.run(
        [
            str(DBT),
            "build",
            "--select",
            "kpi_targets headcount path:models/marts/scorecard",
            "--target-path",
            str(target),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=project,
        env=dbt_environment(path, {"DBT_PROFILES_DIR": str(project)}),
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_S,
        check=False,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    run = DbtRun(completed.returncode, completed.stdout + completed.stderr, results)
    assert run.returncode == 0, run.output[-4000:]
    return BuiltWarehouse(path, target, run, run, [])


@pytest.fixture(scope="module")
def scorecard(
    warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltWarehouse]:
    yield build_scorecard_on_a_copy(warehouse, tmp_path_factory.mktemp("dbt_scorecard"))


SCORECARD_SQL = """
    select actual, target, variance, variance_pct, target_to_date, status, guardrail_kpi,
        guardrail_actual, guardrail_target, guardrail_status, days_elapsed, is_partial_month
    from marts.kpi_scorecard_monthly
    where month = date '2026-10-01' and marketplace_id = ? and kpi = ?
"""


def judged(
    actual: float | None,
    target: float,
    target_to_date: float,
    status: str | None,
    days_elapsed: float,
    guardrail: tuple[str | None, float | None, float | None, str | None] = (None,) * 4,
) -> dict[str, Any]:
    guardrail_kpi, guardrail_actual, guardrail_target, guardrail_status = guardrail
    approx = pytest.approx
    return {
        "actual": None if actual is None else approx(actual),
        "target": approx(target),
        "variance": None if actual is None else approx(actual - target),
        "variance_pct": None if actual is None else approx((actual - target) / abs(target)),
        "target_to_date": approx(target_to_date),
        "status": status,
        "guardrail_kpi": guardrail_kpi,
        "guardrail_actual": None if guardrail_actual is None else approx(guardrail_actual),
        "guardrail_target": None if guardrail_target is None else approx(guardrail_target),
        "guardrail_status": guardrail_status,
        "days_elapsed": approx(days_elapsed),
        "is_partial_month": days_elapsed < 31,
    }


@pytest.mark.parametrize(
    ("marketplace_id", "kpi", "expected"),
    [
        pytest.param(
            # a sum in a month the data covers for 10 of 31 days (10-09 00:00 .. 10-19 00:00,
            # the last load being weeks later): judged on 992 x 10 / 31 = 320; 320 >= 320.
            # Its guardrail, named in the target row: refund rate 3 / 7 against 0.40, lower is
            # better, missed by 0.0286 <= 10 % of 0.40: at risk
            MUG, "gmv", judged(320, 992, 320, "on track", 10,
                               ("refund_rate", 3 / 7, 0.4, "at risk")),
            id="on track: a sum judged on its target pro-rated to the days covered",
        ),
        pytest.param(
            # 744 x 10 / 31 = 240; 221.5 misses it by 18.5 <= 24: at risk. No guardrail in the
            # target row: the catalogue's margin_rate, 117 / 198, which has no target
            MUG, "net_sales", judged(221.5, 744, 240, "at risk", 10,
                                     ("margin_rate", 117 / 198, None, None)),
            id="at risk: within 10 % of the pro-rated target; default guardrail",
        ),
        pytest.param(
            # 93 x 10 / 31 = 30 orders expected, 7 placed: off track. Guardrail cancellation
            # rate 1 / 8 = 0.125 against 0.10 (lower), beyond 0.11: off track
            MUG, "orders_count", judged(7, 93, 30, "off track", 10,
                                        ("cancellation_rate", 1 / 8, 0.1, "off track")),
            id="off track: more than 10 % short",
        ),
        pytest.param(
            # a ratio is never pro-rated: 320 / 7 = 45.71 >= 45
            MUG, "aov", judged(320 / 7, 45, 45, "on track", 10),
            id="a ratio is judged on its target in a partial month",
        ),
        pytest.param(
            # lower is better: 0.4286 > 0.40 but <= 0.40 x 1.1 = 0.44: at risk
            MUG, "refund_rate", judged(3 / 7, 0.4, 0.4, "at risk", 10),
            id="lower is better: at risk above the target",
        ),
        pytest.param(
            # lower is better: 0.125 > 0.10 x 1.1: off track
            MUG, "cancellation_rate", judged(1 / 8, 0.1, 0.1, "off track", 10),
            id="lower is better: off track",
        ),
        pytest.param(
            # all marketplaces: (45 + 150 + 4020 + 30 + 20) / 5 = 853 minutes <= 900: on track.
            # Support history starts on 10-09: 23 days of October elapsed; a ratio: not pro-rated
            "all", "first_response_minutes", judged(853, 900, 900, "on track", 23),
            id="lower is better: on track below the target",
        ),
        pytest.param(
            # net sales of all marketplaces 416.6667 / (2 + 1 + 0.5 + 0 + 1) heads = 92.59 per
            # head; it accumulates over the month: 170.5 x 18 / 31 = 99 (sales history through
            # 10-18); 92.59 >= 99 - 9.9 = 89.1: at risk
            "all", "net_sales_per_head", judged(416.6667 / 4.5, 170.5, 99, "at risk", 18),
            id="net sales per head: pro-rated like the net sales it divides",
        ),
        pytest.param(
            # mug-shop has no ads: the target stays on the scorecard with no actual and no status
            MUG, "acos", judged(None, 0.25, 0.25, None, 0),
            id="a target without data has no status",
        ),
    ],
)  # fmt: skip
def test_scorecard_rows(
    scorecard: BuiltWarehouse, marketplace_id: str, kpi: str, expected: dict[str, Any]
) -> None:
    row = scorecard.record(SCORECARD_SQL, [marketplace_id, kpi])
    if expected["actual"] is None:
        # no monthly row: nothing covered, nothing elapsed
        expected = {**expected, "days_elapsed": None, "is_partial_month": None}
    assert row == expected


def test_scorecard_has_one_row_per_target_of_a_month_with_data(scorecard: BuiltWarehouse) -> None:
    rows = scorecard.rows(
        "select month, marketplace_id, count(*) from marts.kpi_scorecard_monthly group by all "
        "order by all"
    )
    # 7 mug-shop targets and 2 of all marketplaces in October; the December target of
    # mug-shop has no data in December: no row
    assert rows == [(date(2026, 10, 1), "all", 2), (date(2026, 10, 1), MUG, 7)]


def test_every_growth_kpi_is_shown_with_a_guardrail(scorecard: BuiltWarehouse) -> None:
    rows = scorecard.rows(
        "select kpi, guardrail_kpi from marts.kpi_scorecard_monthly where is_growth_kpi "
        "order by kpi"
    )
    assert rows == [
        ("gmv", "refund_rate"),
        ("net_sales", "margin_rate"),
        ("orders_count", "cancellation_rate"),
    ]


def test_scorecard_shows_the_lag_of_each_kpi_and_its_provisional_flag(
    scorecard: BuiltWarehouse,
) -> None:
    rows = scorecard.rows(
        "select kpi, newest_data_date, data_lag_days, is_provisional, unit, domain, direction "
        "from marts.kpi_scorecard_monthly where marketplace_id = ? and kpi in ('gmv', 'acos') "
        "order by kpi",
        [MUG],
    )
    assert rows == [
        # no ads source for a Shopify store: no lag to show; no monthly row: not provisional
        ("acos", None, None, False, "ratio", "advertising", "lower"),
        # mug-shop's newest order, 5104, was placed 10-15; last load 2026-11-27 17:30 EST:
        # 16 days of October after the 15th + 27 = 43 days behind
        ("gmv", date(2026, 10, 15), 43, True, "USD", "sales", "higher"),
    ]


def test_the_prorating_unit_test_ran_and_passed(
    warehouse: BuiltWarehouse, scorecard: BuiltWarehouse
) -> None:
    # the hand-computed dbt unit test of a month still running at the last load (YAML of the
    # scorecard models) is part of every build of the model
    for build in (warehouse.first_build, warehouse.second_build, scorecard.first_build):
        assert build.statuses()[UNIT_TEST] == "pass"


PEOPLE_SQL = """
    select team, sales_marketplace_id, headcount, net_sales, net_sales_per_head, is_provisional
    from marts.kpi_people_monthly where month = date '2026-10-01' order by team
"""


def test_net_sales_per_head_by_team_and_in_total(scorecard: BuiltWarehouse) -> None:
    rows = {row[0]: row[1:] for row in scorecard.rows(PEOPLE_SQL)}
    approx = pytest.approx
    assert rows == {
        # apple.myshopify.com has no October sales rows: no data, not 0
        "Apple store": (APPLE, 1, None, None, False),
        # US October net sales 36 / 1 head
        "Amazon US": (US, 1, Decimal("36"), approx(36.0), True),
        # a team of 0 heads: per head NULL, never infinity
        "Interns": (MUG, 0, Decimal("221.5"), None, True),
        "Shop team": (MUG, 2, Decimal("221.5"), approx(221.5 / 2), True),
        # a team answering for every marketplace: 416.6667 / 0.5
        "Support": ("all", 0.5, Decimal("416.6667"), approx(416.6667 / 0.5), True),
        # the company: all net sales over 2 + 1 + 0.5 + 0 + 1 = 4.5 heads
        "all": ("all", 4.5, Decimal("416.6667"), approx(416.6667 / 4.5), True),
    }
    # November has a headcount row but no sales anywhere: no row
    assert (
        scorecard.rows("select * from marts.kpi_people_monthly where month = date '2026-11-01'")
        == []
    )


FRESHNESS_SQL = """
    select source_stream, marketplace_id, newest_event_date, last_loaded_at, data_lag_days
    from marts.kpi_source_freshness
    where freshness_level = 'stream' and source_stream = ? and marketplace_id = ?
"""

AS_OF = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stream", "marketplace_id", "newest", "last_loaded", "lag"),
    [
        pytest.param(
            # 5104 on 10-15 (New York); last load 17:30 EST on 11-27: 16 + 27 = 43 days
            "shopify_orders", MUG, date(2026, 10, 15), AS_OF, 43,
            id="a store's orders: newest order day",
        ),
        pytest.param(
            # the zero-sales report day; 11-27 14:30 PST: 25 days
            "amazon_ads_sp_campaigns", US, date(2026, 11, 2), AS_OF, 25,
            id="ads reports: newest report day",
        ),
        pytest.param(
            # first shipments on 10-09 (Los Angeles); the connector last succeeded on 11-20,
            # but the lag counts to the last load of any stream (11-27): 22 + 27 = 49 days
            "amazon_shipments", US, date(2026, 10, 9),
            datetime(2026, 11, 20, 7, 0, tzinfo=UTC), 49,
            id="a connector that stopped loading keeps ageing",
        ),
        pytest.param(
            # ticket 5, created Wed 11-25 16:00 EST; one export serves every brand: scope all
            "zendesk_tickets", "all", date(2026, 11, 25), AS_OF, 2,
            id="help desk tickets: newest creation day in the support zone",
        ),
        pytest.param(
            # the reply to ticket 5, Fri 11-27 10:00 EST: today's events are in, lag 0
            "zendesk_ticket_comments", "all", date(2026, 11, 27), AS_OF, 0,
            id="help desk comments: up to date",
        ),
    ],
)  # fmt: skip
def test_stream_freshness(
    scorecard: BuiltWarehouse,
    stream: str,
    marketplace_id: str,
    newest: date,
    last_loaded: datetime,
    lag: int,
) -> None:
    row = scorecard.one(FRESHNESS_SQL, [stream, marketplace_id])
    assert row == (stream, marketplace_id, newest, last_loaded, lag)


def test_streams_without_event_days_show_their_last_load(scorecard: BuiltWarehouse) -> None:
    row = scorecard.one(FRESHNESS_SQL, ["zendesk_users", "all"])
    assert row == ("zendesk_users", "all", None, AS_OF, None)


KPI_FRESHNESS_SQL = """
    select source_stream, source_marketplace_id, newest_event_date, data_lag_days
    from marts.kpi_source_freshness
    where freshness_level = 'kpi' and kpi = ? and marketplace_id = ?
"""


@pytest.mark.parametrize(
    ("kpi", "marketplace_id", "expected"),
    [
        pytest.param(
            # sources amazon_orders (newest 10-09, 49 days) and amazon_refund_events (newest
            # 10-18, 40 days): the orders set the lag
            "refund_rate", US, ("amazon_orders", US, date(2026, 10, 9), 49),
            id="the worst of a KPI's sources sets its lag",
        ),
        pytest.param(
            # sources zendesk_tickets (2 days) and zendesk_ticket_comments (0 days)
            "first_response_minutes", US, ("zendesk_tickets", "all", date(2026, 11, 25), 2),
            id="a marketplace's KPI reads the streams serving every marketplace",
        ),
        pytest.param(
            # all: every marketplace with data in the KPI's newest month, November: US (ads,
            # tickets) and DE (tickets). DE's newest ads day is 10-10; 23:30 on 11-27 in Berlin:
            # 21 + 27 = 48 days, worse than US's 25 (11-02). apple.myshopify.com (2008) is not
            # read
            "acos", "all", ("amazon_ads_sp_campaigns", DE, date(2026, 10, 10), 48),
            id="all marketplaces: the worst marketplace active in the KPI's newest month",
        ),
    ],
)  # fmt: skip
def test_kpi_freshness_is_the_worst_of_its_sources(
    scorecard: BuiltWarehouse, kpi: str, marketplace_id: str, expected: tuple[Any, ...]
) -> None:
    assert scorecard.one(KPI_FRESHNESS_SQL, [kpi, marketplace_id]) == expected
