"""FBA inventory summaries and the Reports flow, replayed from Amazon's own payloads.

Genuine: the inventory summaries page, the createReport / getReport / getReportDocument answers
and the ledger report header (tests/fixtures/real/amazon_sp_api, see each ``.source.txt``).
Derived, and said so where used: a getReport answer moved on to DONE, the document URL pointed
at 127.0.0.1 instead of Amazon's CDN, and the shipments report (no genuine file exists; its
header is the one docs/contracts.md lists).
"""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl

import pytest

from connectors.amazon_sp import sync_inventory_ledger, sync_inventory_summaries, sync_shipments
from connectors.errors import ConnectorError
from connectors.landing import read_cursor
from tests.connectors.amazon_sp.support import (
    FIXTURES,
    TOKEN_PATH,
    genuine,
    served,
    sp_settings,
    token_body,
)
from tests.support.loopback import Canned, Loopback

# 02:00 UTC: still 31 August in Los Angeles, already 1 September in Tokyo
NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
SUMMARIES = "/fba/inventory/v1/summaries"
REPORTS = "/reports/2021-06-30/reports"
DOCUMENTS = "/reports/2021-06-30/documents"
US, JP = "ATVPDKIKX0DER", "A1VC38T7YXB528"

INVENTORY_PAGE = genuine("fbaInventory_getInventorySummaries_200_sandbox_static.json")[0][
    "response"
]
CREATED = genuine("reports_2021-06-30_createReport_202_sandbox_static.json")[0]["response"]
IN_PROGRESS = genuine("reports_2021-06-30_getReport_200_sandbox_static.json")[0]["response"]
DOCUMENT = genuine("reports_2021-06-30_getReportDocument_200_sandbox_static.json")[0]["response"]
LEDGER_TSV = (FIXTURES / "GET_LEDGER_SUMMARY_VIEW_DATA.tsv").read_bytes()
REPORT_ID = CREATED["reportId"]  # "ID323"
DOCUMENT_ID = DOCUMENT["reportDocumentId"]

SHIPMENTS_HEADER = (
    "amazon-order-id\tmerchant-order-id\tshipment-id\tshipment-item-id\tamazon-order-item-id\t"
    "purchase-date\tpayments-date\tshipment-date\treporting-date\tbuyer-email\tbuyer-name\t"
    "sku\tproduct-name\tquantity-shipped\tcurrency\titem-price\tcarrier\ttracking-number\t"
    "fulfillment-center-id\tfulfillment-channel\tsales-channel"
)


def shipments_tsv(product_name: str = "Kaffee „Hochland“ 500g") -> str:
    row = (
        "111-0000001-0000001\t\tDkq4pN2Vb\tDZ9jv0Pp1\t05015851154158\t"
        "2026-08-29T10:15:00-07:00\t2026-08-29T10:16:00-07:00\t2026-08-30T09:00:00-07:00\t"
        "2026-08-30T11:00:00-07:00\tbuyer@example.com\tJane Buyer\tKF-0042\t"
        f"{product_name}\t2\tUSD\t24.98\tUPS\t1Z999\tPHX7\tAFN\tAmazon.com"
    )
    return f"{SHIPMENTS_HEADER}\r\n{row}\r\n"


def serve_report(
    server: Loopback,
    document: bytes,
    *,
    statuses: tuple[str, ...] = ("IN_PROGRESS", "DONE"),
    document_headers: dict[str, str] | None = None,
) -> None:
    """createReport -> getReport (each status in turn) -> getReportDocument -> the file."""
    server.route("POST", TOKEN_PATH, Canned(body=token_body()))
    server.route("POST", REPORTS, Canned(status=202, body=served(CREATED)))
    answers = []
    for status in statuses:
        answer = copy.deepcopy(IN_PROGRESS)
        answer.update(reportId=REPORT_ID, processingStatus=status)
        if status == "DONE":
            answer["reportDocumentId"] = DOCUMENT_ID
        answers.append(Canned(body=served(answer)))
    server.route("GET", f"{REPORTS}/{REPORT_ID}", *answers)
    # derived: Amazon's answer points at its CDN; the test server stands in for it
    pointed = {**DOCUMENT, "url": f"{server.url}/files/report.gz", "compressionAlgorithm": "GZIP"}
    server.route("GET", f"{DOCUMENTS}/{DOCUMENT_ID}", Canned(body=served(pointed)))
    headers = document_headers or {"Content-Type": "application/octet-stream"}
    server.route("GET", "/files/report.gz", Canned(body=document, headers=headers))


def test_inventory_summaries_land_under_the_marketplace_local_date(con) -> None:
    with Loopback() as server:
        server.route("POST", TOKEN_PATH, Canned(body=token_body()))
        # Amazon's page carries nextToken "seed"; served again, the repeat ends the loop
        server.route("GET", SUMMARIES, Canned(body=served(INVENTORY_PAGE)))
        run = sync_inventory_summaries(con, sp_settings(server.url), run_id="run-1", now=NOW)
        sent = [dict(parse_qsl(s.query)) for s in server.requests if s.path == SUMMARIES]

    filters = {
        "details": "true",
        "granularityType": "Marketplace",
        "granularityId": US,
        "marketplaceIds": US,
    }
    assert sent == [filters, {**filters, "nextToken": "seed"}]
    rows = con.execute(
        """select snapshot_date, marketplace_id, seller_sku,
            cast(_record->>'totalQuantity' as integer),
            cast(_record->'inventoryDetails'->>'fulfillableQuantity' as integer),
            _record->>'fnSku'
        from raw.amazon_inventory_summaries order by seller_sku"""
    ).fetchall()
    snapshot = date(2026, 8, 31)  # Los Angeles date of 02:00 UTC on 1 September
    assert rows == [
        (snapshot, US, "EMTEC 1 GB", 0, 0, "B0020MLK00"),
        (snapshot, US, "EMTEC-SdCard-reader", 0, 0, "B0020MLK00"),
        (snapshot, US, "Silicon Power 32GB", 87, 66, "B00T9QONN6"),
    ]
    version = con.execute(
        """select _version from raw.amazon_inventory_summaries
        where seller_sku = 'Silicon Power 32GB'"""
    ).fetchone()[0]
    assert version == datetime(2018, 3, 31, 23, 40, 39, tzinfo=UTC)
    assert run.cursor == "2026-08-31"
    assert read_cursor(con, "amazon_inventory_summaries") == "2026-08-31"


def test_each_marketplace_gets_its_own_local_snapshot_date(con) -> None:
    with Loopback() as server:
        server.route("POST", TOKEN_PATH, Canned(body=token_body()))
        last_page = copy.deepcopy(INVENTORY_PAGE)
        del last_page["pagination"]  # derived: the last page of a listing has no pagination
        server.route("GET", SUMMARIES, Canned(body=served(last_page)))
        settings = sp_settings(server.url, marketplace_ids=(US, JP))
        run = sync_inventory_summaries(con, settings, run_id="run-1", now=NOW)

    rows = con.execute(
        """select marketplace_id, snapshot_date, count(*) from raw.amazon_inventory_summaries
        group by all order by 1"""
    ).fetchall()
    assert rows == [(JP, date(2026, 9, 1), 3), (US, date(2026, 8, 31), 3)]
    assert run.cursor == "2026-09-01"
    assert run.requests == 2


def test_the_ledger_report_flow_lands_the_daily_country_rows(con) -> None:
    with Loopback() as server:
        serve_report(server, gzip.compress(LEDGER_TSV))
        run = sync_inventory_ledger(con, sp_settings(server.url), run_id="run-1", now=NOW)
        (created,) = [s for s in server.requests if s.path == REPORTS]
        polls = sum(1 for s in server.requests if s.path == f"{REPORTS}/{REPORT_ID}")
        download = next(s for s in server.requests if s.path == "/files/report.gz")

    assert json.loads(created.body) == {
        "reportType": "GET_LEDGER_SUMMARY_VIEW_DATA",
        "marketplaceIds": [US],
        # 2 June 00:00 to 30 August 23:59:59 in Los Angeles (PDT, UTC-7)
        "dataStartTime": "2026-06-02T07:00:00Z",
        "dataEndTime": "2026-08-31T06:59:59Z",
        "reportOptions": {"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"},
    }
    assert polls == 2
    assert "x-amz-access-token" not in {name.lower() for name in download.headers}
    # the genuine file's two data rows are identical placeholders: one key, one row
    rows = con.execute(
        """select ledger_date, msku, disposition, location, marketplace_id,
            _record->>'FNSKU', _record->>'EndingWarehouseBalance', len(json_keys(_record))
        from raw.amazon_inventory_ledger"""
    ).fetchall()
    assert rows == [
        (
            date(2022, 12, 22),
            "MSKU",
            "Disposition",
            "Location",
            US,
            "FNSKU",
            "EndingWarehouseBalance",
            21,
        )
    ]
    assert run.cursor == "2026-08-30"  # yesterday in Los Angeles, the last complete day


def test_the_second_ledger_run_re_pulls_the_three_days_up_to_the_last_complete_day(con) -> None:
    with Loopback() as server:
        serve_report(server, gzip.compress(LEDGER_TSV), statuses=("DONE",))
        settings = sp_settings(server.url)
        sync_inventory_ledger(con, settings, run_id="run-1", now=NOW)
        second = sync_inventory_ledger(
            con, settings, run_id="run-2", now=datetime(2026, 9, 2, 2, 0, tzinfo=UTC)
        )
        bodies = [json.loads(s.body) for s in server.requests if s.path == REPORTS]

    assert [(b["dataStartTime"], b["dataEndTime"]) for b in bodies] == [
        ("2026-06-02T07:00:00Z", "2026-08-31T06:59:59Z"),
        ("2026-08-28T07:00:00Z", "2026-09-01T06:59:59Z"),
    ]
    ledger = second.tables["raw.amazon_inventory_ledger"]
    assert (ledger.records, ledger.inserted) == (1, 0)
    assert con.execute("select count(*) from raw.amazon_inventory_ledger").fetchone()[0] == 1


def test_a_fatal_report_names_its_type_and_id_and_keeps_the_cursor(con) -> None:
    with Loopback() as server:
        serve_report(server, b"", statuses=("IN_QUEUE", "FATAL"))
        with pytest.raises(ConnectorError) as raised:
            sync_inventory_ledger(con, sp_settings(server.url), run_id="run-1", now=NOW)

    assert str(raised.value) == (
        "[amazon_sp_api/amazon_inventory_ledger] report GET_LEDGER_SUMMARY_VIEW_DATA ID323 "
        "ended FATAL"
    )
    assert read_cursor(con, "amazon_inventory_ledger") is None


def test_a_cancelled_report_means_no_data_lands_nothing_and_moves_the_cursor(con) -> None:
    with Loopback() as server:
        serve_report(server, b"", statuses=("IN_QUEUE", "CANCELLED"))
        run = sync_shipments(con, sp_settings(server.url), run_id="run-1", now=NOW)
        asked_for_document = any(s.path.startswith(DOCUMENTS) for s in server.requests)

    assert not asked_for_document
    assert run.records == 0
    assert read_cursor(con, "amazon_shipments") == "2026-09-01T01:58:00Z"


def test_a_report_still_processing_after_the_bound_fails_with_its_id(con) -> None:
    with Loopback() as server:
        serve_report(server, b"", statuses=("IN_PROGRESS",))
        settings = sp_settings(server.url, report_poll_interval_s=0.01, report_max_wait_s=0.05)
        with pytest.raises(
            ConnectorError,
            match=r"report GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL ID323 still IN_PROGRESS",
        ):
            sync_shipments(con, settings, run_id="run-1", now=NOW)
        polls = sum(1 for s in server.requests if s.path == f"{REPORTS}/{REPORT_ID}")

    assert 1 <= polls <= 10
    assert read_cursor(con, "amazon_shipments") is None


def test_shipments_land_without_buyer_fields_and_keep_their_offsets(con) -> None:
    with Loopback() as server:
        serve_report(server, gzip.compress(shipments_tsv().encode("utf-8")))
        run = sync_shipments(con, sp_settings(server.url), run_id="run-1", now=NOW)
        (created,) = [s for s in server.requests if s.path == REPORTS]

    body = json.loads(created.body)
    assert body == {
        "reportType": "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
        "marketplaceIds": [US],
        "dataStartTime": "2026-06-03T02:00:00Z",
        "dataEndTime": "2026-09-01T01:58:00Z",
    }
    rows = con.execute(
        """select shipment_id, shipment_item_id, marketplace_id, _record->>'amazon-order-id',
            _record->>'shipment-date', _record->>'item-price', _record->>'product-name',
            json_exists(_record, '$."buyer-email"'), json_exists(_record, '$."buyer-name"')
        from raw.amazon_shipments"""
    ).fetchall()
    assert rows == [
        (
            "Dkq4pN2Vb",
            "DZ9jv0Pp1",
            US,
            "111-0000001-0000001",
            "2026-08-30T09:00:00-07:00",
            "24.98",
            "Kaffee „Hochland“ 500g",
            False,
            False,
        )
    ]
    assert run.cursor == "2026-09-01T01:58:00Z"


def test_a_cp1252_report_lands_as_the_text_it_declares(con) -> None:
    document = shipments_tsv("Kaffee „Hochland“ 500g; Piña Sirup").encode("cp1252")
    with Loopback() as server:
        serve_report(
            server, document, document_headers={"Content-Type": "text/plain; charset=Cp1252"}
        )
        sync_shipments(con, sp_settings(server.url), run_id="run-1", now=NOW)

    (name,) = con.execute("select _record->>'product-name' from raw.amazon_shipments").fetchone()
    assert name == "Kaffee „Hochland“ 500g; Piña Sirup"


@pytest.mark.parametrize(
    ("document", "content_type", "message"),
    [
        pytest.param(
            shipments_tsv().encode("cp1252") + b"\x81\r\n",
            "text/plain; charset=Cp1252",
            "is not valid Cp1252",
            id="bytes undefined in the declared charset",
        ),
        pytest.param(
            shipments_tsv().encode("cp1252"),
            "text/plain",
            "not utf-8 encoded",
            id="cp1252 bytes served without a charset",
        ),
    ],
)
def test_an_undecodable_report_fails_loudly_and_lands_nothing(
    con, document, content_type, message
) -> None:
    with Loopback() as server:
        serve_report(server, document, document_headers={"Content-Type": content_type})
        with pytest.raises(Exception, match=message):
            sync_shipments(con, sp_settings(server.url), run_id="run-1", now=NOW)

    tables = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'amazon_shipments'"
    ).fetchone()[0]
    landed = con.execute("select count(*) from raw.amazon_shipments").fetchone()[0] if tables else 0
    assert landed == 0
    assert read_cursor(con, "amazon_shipments") is None
