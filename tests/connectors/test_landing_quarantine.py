"""Schema drift and bad records at landing: a record without its key, or whose key or version
does not parse, goes to raw._quarantine and the rest of its batch lands; new fields are kept,
missing optional ones stage to NULL, numbers sent as strings parse; a blocking check fails when
a run quarantines more than its share."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.landing import DelimitedRows, JsonPages, LoadResult, land, read_cursor
from connectors.raw_tables import AMAZON_INVENTORY_LEDGER, AMAZON_ORDERS
from connectors.warehouse import connect
from orchestration.checks.consistency import CONSISTENCY_CHECKS
from orchestration.checks.framework import run_check

ORDERS_PAGE = JsonPages(records="$.payload.Orders")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
DBT_TIMEOUT_S = 180
QUARANTINE_CHECK = next(
    check
    for check in CONSISTENCY_CHECKS
    if check.name == "amazon_orders_quarantine_within_threshold"
)
AS_OF = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # unused: the check judges a run, not an age


def _order(order_id: str | None, updated: str, **fields: object) -> dict:
    order: dict[str, object] = {
        "LastUpdateDate": updated,
        "PurchaseDate": "2026-11-28T09:00:00Z",
        "MarketplaceId": "ATVPDKIKX0DER",
        "OrderStatus": "Shipped",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "10.00"},
        "BuyerInfo": {"BuyerEmail": "someone@example.invalid"},
        **fields,
    }
    if order_id is not None:
        order["AmazonOrderId"] = order_id
    return order


def _page(*orders: dict) -> bytes:
    return json.dumps({"payload": {"Orders": list(orders)}}).encode()


FIVE_ORDERS = [
    _page(
        _order("111-A", "2026-11-29T10:00:00Z"),
        _order(None, "2026-11-29T10:00:00Z"),
        _order("111-B", "2026-11-29T10:00:00Z", BrandNewField={"Tier": "gold"}),
    ),
    _page(
        _order("111-C", "2026-11-29T10:00:00Z"),
        _order("111-D", "not-a-date"),
    ),
]


def _land(con: duckdb.DuckDBPyConnection, pages: list[bytes], run_id: str) -> LoadResult:
    return land(
        con, AMAZON_ORDERS, ORDERS_PAGE, pages, run_id=run_id, stream="amazon_orders", cursor=run_id
    )


def _everything(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    raw = con.execute(
        "select amazon_order_id, _version, cast(_record as varchar), _loaded_at, _run_id "
        "from raw.amazon_orders order by 1"
    ).fetchall()
    quarantine = con.execute(
        "select quarantined_at, run_id, platform, stream, raw_table, cast(record as varchar), "
        "field, reason, record_hash from raw._quarantine order by field"
    ).fetchall()
    return raw, quarantine


@pytest.fixture()
def con(tmp_path: Path):
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def test_three_of_five_orders_land_and_the_keyless_and_undated_ones_are_quarantined(con):
    result = _land(con, FIVE_ORDERS, "run-1")

    assert (result.records, result.inserted, result.updated, result.quarantined) == (3, 3, 0, 2)
    assert con.execute("select amazon_order_id from raw.amazon_orders order by 1").fetchall() == [
        ("111-A",),
        ("111-B",),
        ("111-C",),
    ]
    assert con.execute(
        """select run_id, platform, stream, raw_table, field, reason,
            record->>'AmazonOrderId', record->>'LastUpdateDate',
            record_hash = md5(cast(record as varchar))
        from raw._quarantine
        order by field"""
    ).fetchall() == [
        (
            "run-1",
            "amazon_sp_api",
            "amazon_orders",
            "raw.amazon_orders",
            "_version",
            "cannot parse 'not-a-date' as timestamptz",
            "111-D",
            "not-a-date",
            True,
        ),
        (
            "run-1",
            "amazon_sp_api",
            "amazon_orders",
            "raw.amazon_orders",
            "amazon_order_id",
            "missing",
            None,
            "2026-11-29T10:00:00Z",
            True,
        ),
    ]
    assert con.execute(
        "select records, inserted, updated, quarantined, cursor_value from raw._load_log"
    ).fetchall() == [(3, 3, 0, 2, "run-1")]
    assert read_cursor(con, "amazon_orders") == "run-1"


def test_personal_fields_are_dropped_from_quarantined_records_too(con):
    _land(con, FIVE_ORDERS, "run-1")
    stored = [row[0] for row in con.execute("select record from raw._quarantine").fetchall()]
    assert len(stored) == 2
    assert all("BuyerInfo" not in json.loads(record) for record in stored)
    assert all("someone@example.invalid" not in record for record in stored)


def test_a_rerun_of_the_same_batch_adds_no_quarantine_rows_and_changes_nothing(con):
    _land(con, FIVE_ORDERS, "run-1")
    before = _everything(con)

    again = _land(con, FIVE_ORDERS, "run-2")

    assert (again.records, again.inserted, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert again.quarantined == 2  # the run still reports what it refused
    assert _everything(con) == before
    assert con.execute(
        "select run_id, records, quarantined from raw._load_log order by run_id"
    ).fetchall() == [("run-1", 3, 2), ("run-2", 3, 2)]


def test_a_new_unknown_field_is_kept_in_the_record_as_sent(con):
    _land(con, FIVE_ORDERS, "run-1")
    record = con.execute(
        "select _record from raw.amazon_orders where amazon_order_id = '111-B'"
    ).fetchone()[0]
    assert json.loads(record)["BrandNewField"] == {"Tier": "gold"}


def test_an_unparseable_date_in_a_key_column_is_quarantined_with_its_text(con):
    header = "Date\tMSKU\tDisposition\tLocation\tEndingWarehouseBalance\n"
    report = header + "11/28/2026\tSKU-1\tSELLABLE\tUS\t5\n2026-11-28\tSKU-2\tSELLABLE\tUS\t7\n"
    result = land(
        con,
        AMAZON_INVENTORY_LEDGER,
        DelimitedRows(),
        [report.encode()],
        run_id="run-1",
        stream="amazon_inventory_ledger",
        context={"marketplace_id": "ATVPDKIKX0DER"},
    )
    assert (result.records, result.quarantined) == (1, 1)
    assert con.execute("select field, reason, record->>'MSKU' from raw._quarantine").fetchall() == [
        ("ledger_date", "cannot parse '2026-11-28' as date", "SKU-2")
    ]


def _check(con: duckdb.DuckDBPyConnection, run_id: str | None = None):
    return run_check(con, QUARANTINE_CHECK, as_of=AS_OF, run_id=run_id)


def test_the_quarantine_check_passes_when_a_run_stays_within_one_percent(con, monkeypatch):
    monkeypatch.delenv("KPI_QUARANTINE_MAX_SHARE", raising=False)
    good = [_order(f"111-{n:03d}", "2026-11-29T10:00:00Z") for n in range(99)]
    _land(con, [_page(*good, _order(None, "2026-11-29T10:00:00Z"))], "run-1")

    outcome = _check(con)

    assert outcome.passed, outcome.message
    assert outcome.message == "raw.amazon_orders: 1 rows ok"  # 1 of 100 records: 1 tolerated


def test_the_quarantine_check_fails_over_the_threshold_naming_table_count_and_reasons(
    con, monkeypatch
):
    monkeypatch.delenv("KPI_QUARANTINE_MAX_SHARE", raising=False)
    _land(con, FIVE_ORDERS, "run-1")

    outcome = _check(con)

    assert not outcome.passed
    assert outcome.message == (
        "raw.amazon_orders: 2 of 5 records of run run-1 quarantined, more than the 0 tolerated "
        "(KPI_QUARANTINE_MAX_SHARE=0.01); first reasons: _version: cannot parse 'not-a-date' "
        "as timestamptz; amazon_order_id: missing (records in raw._quarantine)"
    )
    assert outcome.failing_rows[["raw_table", "run_id", "records_seen", "quarantined"]].to_dict(
        "records"
    ) == [
        {"raw_table": "raw.amazon_orders", "run_id": "run-1", "records_seen": 5, "quarantined": 2}
    ]


def test_the_quarantine_threshold_is_configurable(con, monkeypatch):
    _land(con, FIVE_ORDERS, "run-1")
    monkeypatch.setenv("KPI_QUARANTINE_MAX_SHARE", "0.4")  # 2 of 5 tolerated
    assert _check(con).passed
    monkeypatch.setenv("KPI_QUARANTINE_MAX_SHARE", "0.39")  # 1 of 5 tolerated
    assert not _check(con).passed
    monkeypatch.setenv("KPI_QUARANTINE_MAX_SHARE", "two percent")
    with pytest.raises(ValueError, match="KPI_QUARANTINE_MAX_SHARE must be a share from 0 to 1"):
        _check(con)


def test_the_quarantine_check_judges_the_run_it_is_given(con, monkeypatch):
    monkeypatch.delenv("KPI_QUARANTINE_MAX_SHARE", raising=False)
    _land(con, FIVE_ORDERS, "run-1")
    _land(con, [_page(_order("111-E", "2026-11-30T10:00:00Z"))], "run-2")

    assert not _check(con, run_id="run-1").passed
    assert _check(con, run_id="run-2").passed  # the latest run, also judged without a run id
    assert _check(con).passed
    assert _check(con, run_id="run-that-landed-nothing").passed


def _stage_orders(warehouse: Path, work: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DBT_") and key not in {"TZ", "KPI_WAREHOUSE_PATH"}
    }
    env.update(
        {
            "KPI_WAREHOUSE_PATH": str(warehouse),
            "DBT_PROFILES_DIR": str(PROJECT_ROOT / "dbt_project"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    completed = subprocess.run(
        [
            str(DBT),
            "build",
            "--select",
            "marketplaces",
            "stg_amazon_sp__orders",
            "--exclude-resource-type",
            "test",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
        ],
        cwd=PROJECT_ROOT / "dbt_project",
        env=env,
        capture_output=True,
        text=True,
        timeout=DBT_TIMEOUT_S,
        check=False,
    )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]


def test_string_and_json_numbers_stage_alike_and_a_missing_optional_field_stages_to_null(
    tmp_path,
):
    path = tmp_path / "staged.duckdb"
    con = connect(path)
    try:
        total_as_string = _order("111-STR", "2026-11-29T10:00:00Z")
        total_as_string["OrderTotal"] = {"CurrencyCode": "USD", "Amount": "12.50"}
        total_as_number = _order("111-NUM", "2026-11-29T10:00:00Z", NewTopLevelField=1)
        total_as_number["OrderTotal"] = {"CurrencyCode": "USD", "Amount": 12.5}
        no_total = _order("111-NONE", "2026-11-29T10:00:00Z")
        del no_total["OrderTotal"]
        result = _land(con, [_page(total_as_string, total_as_number, no_total)], "run-1")
        assert (result.records, result.quarantined) == (3, 0)
        assert con.execute(
            "select amazon_order_id, _record->'OrderTotal'->>'Amount' "
            "from raw.amazon_orders order by 1"
        ).fetchall() == [("111-NONE", None), ("111-NUM", "12.5"), ("111-STR", "12.50")]
    finally:
        con.close()

    _stage_orders(path, tmp_path)

    staged = duckdb.connect(str(path), read_only=True)
    try:
        rows = staged.execute(
            "select amazon_order_id, order_total_amount_local, currency_code "
            "from staging.stg_amazon_sp__orders order by 1"
        ).fetchall()
    finally:
        staged.close()
    assert rows == [
        ("111-NONE", None, "USD"),  # no OrderTotal: NULL amount, the marketplace's currency
        ("111-NUM", Decimal("12.50"), "USD"),
        ("111-STR", Decimal("12.50"), "USD"),
    ]
