"""Two versions of one Amazon order, then ``dbt build --full-refresh``: still one row per order.

Grain: ``raw.amazon_orders`` holds one row per ``AmazonOrderId`` by construction (the landing
MERGEs on the key, newest ``LastUpdateDate`` winning), so the unique test on the order key of
``stg_amazon_sp__orders`` must pass after a full refresh exactly as after the nightly builds.
Shown end to end: the tiny seller of ``seller.py`` is landed, then a newer version of one of its
orders (a later ``LastUpdateDate``, another ``OrderTotal``) arrives in a batch that carries the
older version again, and one ``dbt build --full-refresh --select +kpi_sales_daily`` runs on its
own warehouse (not the session one the other dbt tests share).
"""

from __future__ import annotations

import copy
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from connectors.landing import land
from connectors.raw_tables import AMAZON_ORDERS
from connectors.warehouse import connect
from tests.dbt import seller
from tests.dbt.conftest import (
    DBT,
    DBT_PROJECT,
    DBT_TIMEOUT_S,
    DbtRun,
    dbt_environment,
    land_batches,
)

ORDER_ID = "302-0000001-0000001"  # DE, 30.00 EUR, LastUpdateDate 2026-10-11T08:00:00Z
NEWER_UPDATE = "2026-10-12T09:30:00Z"
NEWER_TOTAL = "33.50"
SELLER_ORDERS = 8
UNIQUE_ORDER_KEY_TEST = "unique_stg_amazon_sp__orders_amazon_order_id"


def two_versions() -> tuple[dict[str, Any], dict[str, Any]]:
    """The seller's order as first landed, and its newer version (total changed)."""
    (older,) = [
        order for order, _ in seller.AMAZON_ORDERS_AND_ITEMS if order["AmazonOrderId"] == ORDER_ID
    ]
    newer = copy.deepcopy(older)
    newer["LastUpdateDate"] = NEWER_UPDATE
    newer["OrderTotal"]["Amount"] = NEWER_TOTAL
    return older, newer


def build_full_refresh(warehouse: Path, work: Path) -> DbtRun:
    target = work / "target"
    completed = subprocess.run(
        [
            str(DBT),
            "build",
            "--full-refresh",
            "--select",
            "+kpi_sales_daily",
            "--target-path",
            str(target),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=DBT_PROJECT,
        env=dbt_environment(warehouse),
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_S,
        check=False,
    )
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, results)


def test_two_versions_of_an_order_leave_one_row_and_unique_passes_after_a_full_refresh(
    tmp_path: Path,
) -> None:
    path = tmp_path / "warehouse.duckdb"
    older, newer = two_versions()
    con = connect(path)
    try:
        land_batches(con, seller.first_night(), "night-1")
        pages = [{"payload": {"Orders": [newer]}}, {"payload": {"Orders": [older]}}]
        result = land(
            con,
            AMAZON_ORDERS,
            seller.ORDER_PAGES,
            [json.dumps(page).encode() for page in pages],
            run_id="night-2",
            stream=AMAZON_ORDERS.name,
            cursor="night-2-0",
        )
        raw = con.execute(
            "select count(*), max(_record->'OrderTotal'->>'Amount'), "
            "max(_record->>'LastUpdateDate') from raw.amazon_orders where amazon_order_id = ?",
            [ORDER_ID],
        ).fetchone()
    finally:
        con.close()
    assert (result.records, result.inserted, result.updated) == (1, 0, 1)
    assert raw == (1, NEWER_TOTAL, NEWER_UPDATE)

    run = build_full_refresh(path, tmp_path)

    assert run.returncode == 0, run.output[-4000:]
    statuses = run.statuses()
    assert statuses, run.output[-4000:]
    assert set(statuses.values()) <= {"success", "pass"}, statuses
    (order_key_test,) = [key for key in statuses if UNIQUE_ORDER_KEY_TEST in key]
    assert statuses[order_key_test] == "pass"
    assert any(key.endswith(".kpi_sales_daily") for key in statuses)

    warehouse = duckdb.connect(str(path), read_only=True)
    try:
        warehouse.execute("set TimeZone = 'UTC'")
        staged = warehouse.execute(
            "select count(*), count(distinct amazon_order_id) from staging.stg_amazon_sp__orders"
        ).fetchone()
        order = warehouse.execute(
            "select order_total_amount_local, currency_code, "
            "strftime(last_updated_at, '%Y-%m-%dT%H:%M:%SZ') "
            "from staging.stg_amazon_sp__orders where amazon_order_id = ?",
            [ORDER_ID],
        ).fetchall()
    finally:
        warehouse.close()
    assert staged == (SELLER_ORDERS, SELLER_ORDERS)
    assert order == [(Decimal(NEWER_TOTAL), "EUR", NEWER_UPDATE)]
