"""The whole nightly job on a tiny sandbox seller, through the command an operator runs.

The sandbox is started here and its settings exported as an operator would export real ones;
then ``python -m orchestration.nightly`` (the ``make nightly`` path; ``make run`` adds only the
sandbox start) pulls every platform, checks, and builds the marts. Expected mart values are
computed independently from the sandbox's own records, in Python, not by the SQL under test.
A second run of the same night must insert and update nothing and leave the marts identical.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.warehouse import connect
from orchestration.streams import STREAMS
from sandbox.generator import SellerConfig
from sandbox.server import start_sandbox

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
SELLER = SellerConfig(seed=11, days=8, orders_per_day=4, skus=12, tickets_per_day=4, as_of=AS_OF)
US = "ATVPDKIKX0DER"
SECRET_VARIABLES = (
    "AMAZON_LWA_CLIENT_SECRET",
    "AMAZON_SP_REFRESH_TOKEN",
    "AMAZON_ADS_REFRESH_TOKEN",
    "SHOPIFY_ACCESS_TOKEN",
    "ZENDESK_API_TOKEN",
)


def _nightly(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.nightly", "--as-of", AS_OF.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


RENEWED_BY_EVERY_RUN = {"last_loaded_at", "as_of_at"}


def _marts_fingerprint(path: Path) -> dict[str, tuple]:
    con = connect(path, read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        fingerprints = {}
        for name in tables:
            columns = {
                column
                for (column,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ?",
                    [name],
                ).fetchall()
            }
            # when the sources were last loaded is renewed by every run, a rerun included; the
            # data and the lags computed from it are what must not change
            renewed = sorted(columns & RENEWED_BY_EVERY_RUN)
            exclude = f" exclude ({', '.join(renewed)})" if renewed else ""
            fingerprints[name] = con.execute(
                "select count(*), "
                "md5(string_agg(cast(t as varchar), '|' order by cast(t as varchar))) "
                f"from (select *{exclude} from marts.{name}) as t"
            ).fetchone()
        return fingerprints
    finally:
        con.close()


@pytest.fixture(scope="module")
def nightly_twice(tmp_path_factory):
    work = tmp_path_factory.mktemp("e2e")
    with start_sandbox(SELLER) as sandbox:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AMAZON_", "SHOPIFY_"))},
            **sandbox.env(),
            # the job builds in work/work/ and publishes work/warehouse.duckdb, which the
            # assertions read as an analyst does
            "KPI_WAREHOUSE_PATH": str(work / "work" / "warehouse.duckdb"),
            "KPI_PUBLISHED_PATH": str(work / "warehouse.duckdb"),
            "DAGSTER_HOME": str(work / "dagster"),
            "PYTHONPATH": str(ROOT),
        }
        first = _nightly(env)
        marts_after_first = _marts_fingerprint(work / "warehouse.duckdb")
        second = _nightly(env)
        marts_after_second = _marts_fingerprint(work / "warehouse.duckdb")
        yield {
            "env": env,
            "work": work,
            "data": sandbox.data,
            "first": first,
            "second": second,
            "warehouse": work / "warehouse.duckdb",
            "marts": (marts_after_first, marts_after_second),
        }


def test_the_first_night_succeeds_with_every_check_passing(nightly_twice):
    first = nightly_twice["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Nightly KPI run: SUCCEEDED" in first.stdout
    checks_line = next(line for line in first.stdout.splitlines() if line.startswith("Checks:"))
    passed, _, total = (
        checks_line.removeprefix("Checks: ").removesuffix(" passed").partition(" of ")
    )
    assert passed == total and int(total) > 40
    # every stream succeeded at its first attempt, and the first night inserted what it read
    assert "STEP_UP_FOR_RETRY" not in first.stderr
    items_line = next(
        line for line in first.stdout.splitlines() if "raw/amazon_order_items" in line
    )
    fetched, inserted, updated = (part.strip() for part in items_line.split()[1:] if part != "/")
    assert fetched == inserted != "0" and updated == "0"


def test_us_orders_and_gmv_match_the_sandbox_records(nightly_twice):
    data = nightly_twice["data"]
    visible_until = AS_OF - timedelta(minutes=2)  # getOrders' two-minute rule
    orders = [
        order
        for order in data.amazon_orders_json(US)
        if order["OrderStatus"] != "Canceled"
        and datetime.fromisoformat(order["LastUpdateDate"].replace("Z", "+00:00")) < visible_until
    ]
    expected_gmv = sum(
        (
            Decimal(item["ItemPrice"]["Amount"])
            for order in orders
            for item in data.amazon_order_items_json(order["AmazonOrderId"])
            if "ItemPrice" in item
        ),
        Decimal(0),
    )
    con = connect(nightly_twice["warehouse"], read_only=True)
    orders_count, gmv = con.execute(
        "select sum(orders_count), sum(gmv) from marts.kpi_sales_daily where marketplace_id = ?",
        [US],
    ).fetchone()
    con.close()
    assert len(orders) > 10
    assert orders_count == len(orders)
    assert Decimal(gmv) == expected_gmv  # USD marketplace: no conversion


def test_us_ad_spend_and_clicks_match_the_sandbox_report_rows(nightly_twice):
    data = nightly_twice["data"]
    profile = next(p for p in data.ads_profiles_json() if p["countryCode"] == "US")
    rows = [
        row
        for row in data.ads_rows_json(profile["profileId"])
        if row["date"] < "2026-11-29"  # through yesterday in Los Angeles on 2026-11-29 22:00
    ]
    con = connect(nightly_twice["warehouse"], read_only=True)
    cost, clicks, impressions, ctr = con.execute(
        "select sum(cost), sum(clicks), sum(impressions), sum(clicks) / sum(impressions) "
        "from marts.kpi_ads_daily where marketplace_id = ? and attribution_window_days = 7",
        [US],
    ).fetchone()
    con.close()
    assert float(cost) == pytest.approx(sum(row["cost"] for row in rows), abs=0.005)
    assert clicks == sum(row["clicks"] for row in rows)
    assert impressions == sum(row["impressions"] for row in rows)
    assert ctr == pytest.approx(clicks / impressions)


def test_us_ad_spend_per_sku_matches_the_sandbox_advertised_product_rows(nightly_twice):
    data = nightly_twice["data"]
    profile = next(p for p in data.profiles if p.channel.key == "US")
    expected: dict[str, tuple[Decimal, int]] = {}
    for row in data.ads_product_rows_json(profile.profile_id):
        if row["date"] < "2026-11-29":  # through yesterday in Los Angeles on 2026-11-29 22:00
            cost, clicks = expected.get(row["advertisedSku"], (Decimal(0), 0))
            expected[row["advertisedSku"]] = (
                cost + Decimal(str(row["cost"])),
                clicks + row["clicks"],
            )
    con = connect(nightly_twice["warehouse"], read_only=True)
    landed = con.execute(
        "select seller_sku, sum(cost), sum(clicks) from marts.kpi_ads_sku_daily "
        "where marketplace_id = ? and attribution_window_days = 7 group by 1",
        [US],
    ).fetchall()
    day_totals = con.execute(
        "select sum(cost), sum(coalesce(out_of_stock_cost, 0) + coalesce(stock_unknown_cost, 0)) "
        "from marts.kpi_ads_daily where marketplace_id = ? and attribution_window_days = 7",
        [US],
    ).fetchone()
    con.close()
    assert len(expected) > 3
    assert {sku: (Decimal(cost), clicks) for sku, cost, clicks in landed if clicks or cost} == {
        sku: totals for sku, totals in expected.items() if totals[1] or totals[0]
    }
    # the SKU rows' spend is the campaigns' spend: the two reports agree to the cent
    assert sum(totals[0] for totals in expected.values()) == Decimal(day_totals[0])
    assert day_totals[1] <= day_totals[0]


def test_every_sandbox_ticket_is_counted_once(nightly_twice):
    tickets = [t for t in nightly_twice["data"].zendesk_tickets_json() if t["status"] != "deleted"]
    con = connect(nightly_twice["warehouse"], read_only=True)
    created, answered, unanswered = con.execute(
        "select sum(tickets_created_count), sum(answered_tickets_count), "
        "sum(unanswered_tickets_count) from marts.kpi_customer_service_daily"
    ).fetchone()
    con.close()
    assert created == len(tickets)
    assert answered + unanswered == created


def test_a_rerun_of_the_same_night_changes_nothing(nightly_twice):
    second = nightly_twice["second"]
    assert second.returncode == 0, second.stderr[-3000:]
    stream_lines = [line for line in second.stdout.splitlines() if line.startswith("  raw/")]
    assert len(stream_lines) == sum(len(stream.tables) for stream in STREAMS)
    for line in stream_lines:
        inserted, updated = line.split("/")[-2:]
        assert (inserted.strip(), updated.strip()) == ("0", "0"), line
    first_marts, second_marts = nightly_twice["marts"]
    # the KPI marts of the catalogue (other marts, e.g. scorecards, may sit beside them)
    assert {
        "kpi_sales_daily",
        "kpi_fulfilment_daily",
        "kpi_inventory_daily",
        "kpi_ads_campaign_daily",
        "kpi_ads_daily",
        "kpi_ads_sku_daily",
        "kpi_customer_service_daily",
    } <= set(first_marts)
    assert first_marts == second_marts


def test_no_secret_reaches_the_output_the_warehouse_or_the_run_history(nightly_twice):
    env = nightly_twice["env"]
    # the configured credentials, and the prefix of every LWA access token the sandbox issues
    secrets = [env[name].encode() for name in SECRET_VARIABLES] + [b"Atza|"]
    runs = (nightly_twice["first"], nightly_twice["second"])
    written = [(run.stdout + run.stderr).encode() for run in runs]
    written += [path.read_bytes() for path in nightly_twice["work"].rglob("*") if path.is_file()]
    assert len(written) > 4  # both runs' output, the warehouse, Dagster's run storage
    for secret in secrets:
        assert all(secret not in blob for blob in written), secret[:6]
