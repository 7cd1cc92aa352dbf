"""Report files dropped into the inbox: encodings, recognition, manifest, EU number and date
formats, and the failures that must name the file (cases from ../shared/cases/README.md)."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from connectors.errors import ConnectorError
from connectors.inbox import InboxSettings, sync_inbox
from connectors.inbox.parsing import date_sql, decimal_sql, timestamp_sql

CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"
SHARED_CASES = Path(__file__).resolve().parents[4] / "shared" / "cases"
NOW = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
LEDGER_HEADER = (
    Path(__file__).resolve().parents[2]
    / "fixtures/real/amazon_sp_api/GET_LEDGER_SUMMARY_VIEW_DATA.tsv"
)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def _sync(con: duckdb.DuckDBPyConnection, inbox: Path, run_id: str = "run-1"):
    return sync_inbox(con, InboxSettings(inbox_dir=inbox), run_id=run_id, now=NOW)


def _drop(inbox: Path, case: str, as_name: str | None = None) -> Path:
    target = inbox / (as_name or case)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CASES / case, target)
    return target


def _manifest(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select file_name, report_type, raw_table, encoding, rows from raw._inbox_manifest "
        "order by file_name"
    ).fetchall()


def test_a_cp1252_listing_lands_with_its_german_quotes_and_tilde_not_mojibake(con, inbox):
    _drop(inbox, "listing_cp1252.tsv")
    run = _sync(con, inbox)
    rows = con.execute(
        f"""select seller_sku, _record->>'item-name', {decimal_sql("_record->>'price'")}
        from raw.amazon_listings order by seller_sku"""
    ).fetchall()
    assert rows == [
        ("KF-0042", "Kaffee „Hochland“ 500g", Decimal("12.49")),
        ("PN-7", "Piña Sirup", Decimal("4.05")),
    ]
    assert run.tables["raw.amazon_listings"].inserted == 2
    assert _manifest(con) == [
        ("listing_cp1252.tsv", "GET_MERCHANT_LISTINGS_ALL_DATA", "raw.amazon_listings", "cp1252", 2)
    ]


def test_a_german_settlement_reads_decimal_commas_and_day_first_dates(con, inbox):
    _drop(inbox, "settlement_de_decimal_comma.tsv")
    _sync(con, inbox)
    rows = con.execute(
        f"""select settlement_id, line_number, _record->>'total-amount',
            {decimal_sql("_record->>'total-amount'")},
            {timestamp_sql("_record->>'settlement-start-date'")}
        from raw.amazon_settlements order by line_number"""
    ).fetchall()
    assert rows == [
        (
            "20481120034",
            1,
            "2318,47",
            Decimal("2318.47"),
            datetime(2026, 11, 3, 6, 12, 40, tzinfo=UTC),
        ),
        ("20481120035", 2, "7.15", Decimal("7.15"), datetime(2026, 11, 17, 6, 12, 40, tzinfo=UTC)),
    ]


def test_a_csv_export_with_a_bom_keeps_its_column_names_and_leading_zeros(con, inbox):
    _drop(inbox, "export_with_bom.csv")
    _sync(con, inbox)
    rows = con.execute(
        "select order_id, sku, json_keys(_record), _record->>'quantity' "
        "from raw.inbox_order_exports"
    ).fetchall()
    assert rows == [("000123", "KF-0042", ["order_id", "sku", "quantity"], "2")]
    assert _manifest(con)[0][3] == "utf-8-sig"


def test_the_same_file_dropped_twice_under_two_names_and_on_two_runs_loads_once(con, inbox):
    _drop(inbox, "export_with_bom.csv")
    _drop(inbox, "export_with_bom.csv", "copy/export_again.csv")
    first = _sync(con, inbox, "run-1")
    second = _sync(con, inbox, "run-2")
    assert first.tables["raw.inbox_order_exports"].inserted == 1
    assert second.tables == {}
    assert _manifest(con) == [
        ("copy/export_again.csv", "ORDER_EXPORT", "raw.inbox_order_exports", "utf-8-sig", 1)
    ]
    assert con.execute("select count(*) from raw._load_log").fetchone() == (1,)


def test_a_gzipped_settlement_lands_like_the_plain_file(con, inbox):
    plain = (CASES / "settlement_de_decimal_comma.tsv").read_bytes()
    (inbox / "settlement.tsv.gz").write_bytes(gzip.compress(plain))
    _sync(con, inbox)
    assert con.execute(
        "select settlement_id, _record->>'total-amount' from raw.amazon_settlements "
        "order by line_number"
    ).fetchall() == [("20481120034", "2318,47"), ("20481120035", "7.15")]
    assert _manifest(con)[0][:2] == ("settlement.tsv.gz", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE")


def test_a_shift_jis_listing_from_amazon_jp_lands_as_japanese_text(con, inbox):
    text = "seller-sku\titem-name\tprice\r\nJP-1\tコーヒー豆、深煎り 500g\t1480\r\n"
    (inbox / "listings_jp.txt").write_bytes(text.encode("cp932"))
    _sync(con, inbox)
    assert con.execute(
        f"""select seller_sku, _record->>'item-name', {decimal_sql("_record->>'price'")}
        from raw.amazon_listings"""
    ).fetchall() == [("JP-1", "コーヒー豆、深煎り 500g", Decimal("1480"))]
    assert _manifest(con)[0][3] == "cp932"


def test_a_file_valid_in_two_legacy_encodings_fails_until_its_folder_declares_one(con, inbox):
    data = "seller-sku\titem-name\tprice\nJP-2\tテスト\t980\n".encode("cp932")
    (inbox / "short_jp.tsv").write_bytes(data)
    with pytest.raises(ConnectorError, match=r"short_jp\.tsv: ambiguous: decodes as cp1252"):
        _sync(con, inbox)
    assert _manifest(con) == []
    (inbox / "cp932").mkdir()
    (inbox / "short_jp.tsv").rename(inbox / "cp932" / "short_jp.tsv")
    _sync(con, inbox, "run-2")
    assert con.execute("select _record->>'item-name' from raw.amazon_listings").fetchall() == [
        ("テスト",)
    ]


def test_an_undecodable_file_fails_naming_it_and_the_other_files_still_land(con, inbox):
    # 0x81 is undefined in cp1252, a cp932 lead byte that a space cannot follow, and no UTF-8
    (inbox / "broken.tsv").write_bytes(b"seller-sku\titem-name\tprice\nX-1\tbad \x81 byte\t1\n")
    _drop(inbox, "export_with_bom.csv")
    with pytest.raises(ConnectorError) as raised:
        _sync(con, inbox)
    message = str(raised.value)
    assert "1 of 2 inbox files failed" in message
    assert "broken.tsv: undecodable in every allowed encoding" in message
    assert "cp1252: bytes 81 20 at offset" in message
    assert [row[0] for row in _manifest(con)] == ["export_with_bom.csv"]


def test_an_unparseable_amount_fails_with_file_line_and_column_and_lands_nothing(con, inbox):
    good = (CASES / "settlement_de_decimal_comma.tsv").read_text()
    (inbox / "settlement_bad.tsv").write_text(good.replace("\t7.15\t", "\t7.1.5x\t"))
    with pytest.raises(ConnectorError) as raised:
        _sync(con, inbox)
    assert (
        "settlement_bad.tsv: data line 2 (line 3 of the file), column 'total-amount': "
        "cannot read '7.1.5x' as decimal"
    ) in str(raised.value)
    assert _manifest(con) == []
    tables = con.execute("select table_name from duckdb_tables() where schema_name = 'raw'")
    assert ("amazon_settlements",) not in tables.fetchall()


def test_an_ambiguous_thousands_value_fails_rather_than_being_read_one_way(con, inbox):
    (inbox / "listing.tsv").write_text("sku\titem-name\tprice\nA-1\tTee\t1.234\n")
    with pytest.raises(ConnectorError, match=r"data line 1 .*column 'price'.*'1\.234'"):
        _sync(con, inbox)


def test_an_unrecognised_header_fails_naming_the_file_and_its_header(con, inbox):
    (inbox / "mystery.csv").write_text("foo,bar\n1,2\n")
    with pytest.raises(ConnectorError, match=r"mystery\.csv: unrecognised header \['foo', 'bar'\]"):
        _sync(con, inbox)


def test_duplicate_keys_in_one_file_fail_naming_both_lines(con, inbox):
    (inbox / "orders.csv").write_text("order_id,sku,quantity\n1,A,2\n2,A,1\n1,A,3\n")
    with pytest.raises(ConnectorError, match=r"orders\.csv: data lines 1 and 3 .*share one key"):
        _sync(con, inbox)


def test_a_semicolon_export_with_quoted_fields_lands(con, inbox):
    (inbox / "erp.csv").write_text('order_id;sku;quantity;note\n"7";B-1;4;"a; b"\n')
    _sync(con, inbox)
    assert con.execute(
        "select order_id, sku, _record->>'note' from raw.inbox_order_exports"
    ).fetchall() == [("7", "B-1", "a; b")]


def test_a_ledger_file_lands_in_the_api_ledger_table(con, inbox):
    header = LEDGER_HEADER.read_text().splitlines()[0]
    events = "\t".join(["10", "0", "5", "-3", *["0"] * 8, "12", "0"])
    values = f"12/22/2026\tX001\tB0001\tKF-0042\tKaffee\tSELLABLE\t{events}\tDE"
    (inbox / "ledger.tsv").write_text(f"{header}\n{values}\n")
    run = _sync(con, inbox)
    assert con.execute(
        "select ledger_date, msku, location, marketplace_id, _record->>'EndingWarehouseBalance' "
        "from raw.amazon_inventory_ledger"
    ).fetchall() == [(datetime(2026, 12, 22).date(), "KF-0042", "DE", None, "12")]
    assert run.tables["raw.amazon_inventory_ledger"].inserted == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2.318,47", Decimal("2318.47"), id="german grouping and decimal comma"),
        pytest.param("2318,47", Decimal("2318.47"), id="decimal comma alone"),
        pytest.param("7,15", Decimal("7.15"), id="small decimal comma"),
        pytest.param("7.15", Decimal("7.15"), id="decimal point"),
        pytest.param("-3.22", Decimal("-3.22"), id="negative fee"),
        pytest.param("1,234.56", Decimal("1234.56"), id="us grouping"),
        pytest.param("1 234,50", Decimal("1234.50"), id="french space grouping"),
        pytest.param("0,125", Decimal("0.125"), id="three decimals after zero"),
        pytest.param("1.234", None, id="one separator before three digits is ambiguous"),
        pytest.param("12a", None, id="letters do not parse"),
    ],
)
def test_decimal_sql_reads_eu_and_us_numbers(text: str, expected: Decimal | None):
    value = duckdb.connect().execute(f"select {decimal_sql('$v')}", {"v": text}).fetchone()[0]
    assert value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "03.11.2026 06:12:40 UTC",
            datetime(2026, 11, 3, 6, 12, 40, tzinfo=UTC),
            id="dotted is day first",
        ),
        pytest.param(
            "2023-01-01 00:00:00 UTC", datetime(2023, 1, 1, tzinfo=UTC), id="us settlement"
        ),
        pytest.param(
            "2026/11/03 06:12:40 JST",
            datetime(2026, 11, 2, 21, 12, 40, tzinfo=UTC),
            id="jp with zone name",
        ),
        pytest.param(
            "2026-11-03T06:12:40+09:00",
            datetime(2026, 11, 2, 21, 12, 40, tzinfo=UTC),
            id="iso with offset",
        ),
        pytest.param("03.11.2026 06:12:40", None, id="no zone does not parse"),
        pytest.param("31.02.2026 06:00:00 UTC", None, id="no such day"),
    ],
)
def test_timestamp_sql_reads_day_first_and_zoned_timestamps(text: str, expected):
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    assert con.execute(f"select {timestamp_sql('$v')}", {"v": text}).fetchone()[0] == expected


def test_slashed_dates_follow_the_reports_order_and_are_refused_without_one():
    con = duckdb.connect()
    sql = f"select {date_sql('$v', 'mdy')}, {date_sql('$v', 'dmy')}, {date_sql('$v')}"
    assert con.execute(sql, {"v": "03/11/2026"}).fetchone() == (
        datetime(2026, 3, 11).date(),
        datetime(2026, 11, 3).date(),
        None,
    )


@pytest.mark.parametrize(
    "case", ["listing_cp1252.tsv", "settlement_de_decimal_comma.tsv", "export_with_bom.csv"]
)
def test_the_copied_case_files_match_the_shared_originals(case: str):
    original = SHARED_CASES / case
    if not original.exists():
        pytest.skip(f"{original} is absent (../shared not mounted); the copy is used alone")
    assert (CASES / case).read_bytes() == original.read_bytes()
