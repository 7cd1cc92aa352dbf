"""Landing into raw: batch upserts, newest version wins, cursor and rows commit together."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from connectors.errors import ConfigurationError
from connectors.landing import JsonPages, land, read_cursor
from connectors.raw_tables import AMAZON_ORDERS
from connectors.warehouse import connect

ORDERS_PAGE = JsonPages(records="$.payload.Orders")


def _page(*orders: dict) -> bytes:
    return json.dumps({"payload": {"Orders": list(orders)}}).encode()


def _order(order_id: str, updated: str, amount: str = "10.00") -> dict:
    return {
        "AmazonOrderId": order_id,
        "LastUpdateDate": updated,
        "OrderTotal": {"CurrencyCode": "USD", "Amount": amount},
        "BuyerInfo": {"BuyerEmail": "someone@example.invalid"},
    }


@pytest.fixture()
def con(tmp_path):
    connection = connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def _rows(con) -> list[tuple]:
    return con.execute(
        "select amazon_order_id, _record->'OrderTotal'->>'Amount' from raw.amazon_orders order by 1"
    ).fetchall()


def test_a_rerun_of_the_same_pages_changes_nothing(con):
    pages = [_page(_order("A", "2026-01-01T00:00:00Z"), _order("B", "2026-01-01T00:00:00Z"))]
    first = land(con, AMAZON_ORDERS, ORDERS_PAGE, pages, run_id="r1", stream="amazon_orders")
    again = land(con, AMAZON_ORDERS, ORDERS_PAGE, pages, run_id="r2", stream="amazon_orders")
    assert (first.records, first.inserted, first.updated) == (2, 2, 0)
    assert (again.records, again.inserted, again.updated, again.unchanged) == (2, 0, 0, 2)
    assert con.execute("select count(*) from raw.amazon_orders").fetchone()[0] == 2


def test_the_same_order_on_two_pages_lands_once_with_the_newest_version(con):
    pages = [
        _page(_order("A", "2026-01-01T00:00:00Z", "10.00")),
        _page(_order("A", "2026-01-03T00:00:00Z", "12.00"), _order("B", "2026-01-02T00:00:00Z")),
    ]
    result = land(con, AMAZON_ORDERS, ORDERS_PAGE, pages, run_id="r", stream="amazon_orders")
    assert (result.records, result.inserted) == (2, 2)
    assert _rows(con) == [("A", "12.00"), ("B", "10.00")]


def test_an_older_copy_arriving_later_does_not_overwrite_a_newer_one(con):
    newer = [_page(_order("A", "2026-01-03T00:00:00Z", "12.00"))]
    older = [_page(_order("A", "2026-01-01T00:00:00Z", "10.00"))]
    land(con, AMAZON_ORDERS, ORDERS_PAGE, newer, run_id="r1", stream="amazon_orders")
    result = land(con, AMAZON_ORDERS, ORDERS_PAGE, older, run_id="r2", stream="amazon_orders")
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 1)
    assert _rows(con) == [("A", "12.00")]


def test_personal_fields_are_dropped_at_landing(con):
    pages = [_page(_order("A", "2026-01-01T00:00:00Z"))]
    land(con, AMAZON_ORDERS, ORDERS_PAGE, pages, run_id="r", stream="amazon_orders")
    record = con.execute("select _record from raw.amazon_orders").fetchone()[0]
    assert "BuyerInfo" not in json.loads(record)
    assert "someone@example.invalid" not in record


def test_a_keyless_record_is_quarantined_while_the_rest_of_its_batch_lands_with_the_cursor(con):
    good = [_page(_order("A", "2026-01-01T00:00:00Z"))]
    land(con, AMAZON_ORDERS, ORDERS_PAGE, good, run_id="r1", stream="amazon_orders", cursor="c1")
    keyless = [
        _page(_order("B", "2026-01-02T00:00:00Z"), {"LastUpdateDate": "2026-01-02T00:00:00Z"})
    ]
    result = land(
        con, AMAZON_ORDERS, ORDERS_PAGE, keyless, run_id="r2", stream="amazon_orders", cursor="c2"
    )
    assert (result.records, result.inserted, result.quarantined) == (1, 1, 1)
    assert read_cursor(con, "amazon_orders") == "c2"
    assert _rows(con) == [("A", "10.00"), ("B", "10.00")]
    assert con.execute(
        "select platform, stream, raw_table, field, reason, record->>'LastUpdateDate' "
        "from raw._quarantine"
    ).fetchall() == [
        (
            "amazon_sp_api",
            "amazon_orders",
            "raw.amazon_orders",
            "amazon_order_id",
            "missing",
            "2026-01-02T00:00:00Z",
        )
    ]


def test_a_batch_that_cannot_be_read_keeps_the_cursor_and_rows_as_they_were(con):
    good = [_page(_order("A", "2026-01-01T00:00:00Z"))]
    land(con, AMAZON_ORDERS, ORDERS_PAGE, good, run_id="r1", stream="amazon_orders", cursor="c1")
    truncated = [_page(_order("B", "2026-01-02T00:00:00Z")), b'{"payload": {"Orders": [{"Am']
    with pytest.raises(duckdb.Error):
        land(
            con,
            AMAZON_ORDERS,
            ORDERS_PAGE,
            truncated,
            run_id="r2",
            stream="amazon_orders",
            cursor="c2",
        )
    assert read_cursor(con, "amazon_orders") == "c1"
    assert _rows(con) == [("A", "10.00")]
    assert con.execute("select count(*) from raw._quarantine").fetchone()[0] == 0


def test_a_page_whose_records_are_not_an_array_fails_naming_the_field(con):
    good = [_page(_order("A", "2026-01-01T00:00:00Z"))]
    land(con, AMAZON_ORDERS, ORDERS_PAGE, good, run_id="r1", stream="amazon_orders", cursor="c1")
    # an order object where the array of orders belongs; an explicit null lands nothing
    odd = b'{"payload": {"Orders": {"AmazonOrderId": "B"}}}'
    empty = b'{"payload": {"Orders": null}}'
    with pytest.raises(duckdb.Error, match="page field payload.Orders is OBJECT, not an array"):
        land(con, AMAZON_ORDERS, ORDERS_PAGE, [empty, odd], run_id="r2", stream="amazon_orders")
    assert land(con, AMAZON_ORDERS, ORDERS_PAGE, [empty], run_id="r3", stream="s").records == 0
    assert read_cursor(con, "amazon_orders") == "c1"
    assert _rows(con) == [("A", "10.00")]


def test_pages_land_the_records_byte_for_byte_as_a_typed_read_of_them_would(con, tmp_path):
    # the landing cuts records out of each page with json_extract; DuckDB's typed reading of
    # the same pages (a JSON[] in a STRUCT, as the landing did before) gives the same text
    pages = [
        _page(_order("A", "2026-01-01T00:00:00Z"), _order("B", "2026-01-02T00:00:00Z", "7.5")),
        b'{ "payload" : { "Orders" : [ {"AmazonOrderId": "C", "N": 1.50, "U": "\\u00e9"} ] } }',
    ]
    batch = tmp_path / "pages.json"
    batch.write_bytes(b"[" + b",".join(pages) + b"]")
    typed = con.execute(
        "select unnest(payload.Orders)::varchar from read_json(?, format = 'array', "
        """columns = {'payload': 'STRUCT("Orders" JSON[])'})""",
        [str(batch)],
    ).fetchall()
    ours = con.execute(
        f"select rec::varchar from ({ORDERS_PAGE.select_sql()})", {"path": str(batch)}
    ).fetchall()
    assert len(ours) == 3 and ours == typed


def test_duckdb_memory_is_bounded_by_default_and_by_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("KPI_DUCKDB_MEMORY_LIMIT", raising=False)
    setting = "select current_setting('memory_limit')"
    # 1536MB = 1,536,000,000 bytes = 1.43 GiB, shown rounded
    assert connect(tmp_path / "a.duckdb").execute(setting).fetchone() == ("1.4 GiB",)
    monkeypatch.setenv("KPI_DUCKDB_MEMORY_LIMIT", "512MiB")
    assert connect(tmp_path / "b.duckdb").execute(setting).fetchone() == ("512.0 MiB",)
    monkeypatch.setenv("KPI_DUCKDB_MEMORY_LIMIT", "half")
    with pytest.raises(ConfigurationError, match="KPI_DUCKDB_MEMORY_LIMIT='half' is not a size"):
        connect(tmp_path / "c.duckdb")
    assert not (tmp_path / "c.duckdb").exists()


def test_the_session_time_zone_is_utc_whatever_the_machine_says(tmp_path):
    script = (
        "from connectors.warehouse import connect; "
        f"con = connect({str(tmp_path / 'tz.duckdb')!r}); "
        "print(con.execute(\"select current_setting('TimeZone'), "
        "cast(timestamptz '2026-03-31T13:30:00Z' as date)\").fetchone())"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        env={"TZ": "Australia/Sydney", "PYTHONPATH": "."},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.strip() == "('UTC', datetime.date(2026, 3, 31))"


def test_a_table_versioned_by_load_time_reports_a_rerun_as_unchanged(con):
    import gzip

    from connectors.landing import JsonRecords
    from connectors.raw_tables import AMAZON_ADS_SP_CAMPAIGNS

    rows = [{"date": "2026-11-28", "campaignId": 1, "cost": 1.5, "sales7d": 0}]
    report = [gzip.compress(json.dumps(rows).encode())]
    restated = [gzip.compress(json.dumps([{**rows[0], "sales7d": 29.99}]).encode())]
    kwargs = {"run_id": "r", "stream": "ads", "context": {"profile_id": "p1"}}
    first = land(con, AMAZON_ADS_SP_CAMPAIGNS, JsonRecords(), report, **kwargs)
    again = land(con, AMAZON_ADS_SP_CAMPAIGNS, JsonRecords(), report, **kwargs)
    changed = land(con, AMAZON_ADS_SP_CAMPAIGNS, JsonRecords(), restated, **kwargs)
    assert (first.inserted, again.unchanged, changed.updated) == (1, 1, 1)
    assert con.execute(
        "select count(*), max(_record->>'sales7d') from raw.amazon_ads_sp_campaigns"
    ).fetchone() == (1, "29.99")


def test_a_ticket_keeps_its_channel_but_not_its_sender_or_first_message(con):
    from connectors.raw_tables import ZENDESK_TICKETS

    ticket = {
        "id": 42,
        "generated_timestamp": 1764410400,
        "description": "Hi, I am Jane Roe, my phone is 555-0100",
        "via": {
            "channel": "email",
            "source": {
                "from": {"address": "jane.roe@example.invalid", "name": "Jane Roe"},
                "to": {"address": "support@shop.example", "name": "Shop"},
                "rel": None,
            },
        },
    }
    pages = [json.dumps({"tickets": [ticket]}).encode()]
    land(
        con,
        ZENDESK_TICKETS,
        JsonPages("$.tickets"),
        pages,
        run_id="r",
        stream="zendesk_tickets",
    )
    stored = con.execute("select _record from raw.zendesk_tickets").fetchone()[0]
    assert json.loads(stored) == {
        "id": 42,
        "generated_timestamp": 1764410400,
        "via": {"channel": "email", "source": {"rel": None}},
    }
    assert "Jane" not in stored and "555-0100" not in stored
