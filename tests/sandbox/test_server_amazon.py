"""The served SP-API and LWA enforce the contract: credentials, timestamps, tokens, reports."""

from __future__ import annotations

import gzip
from urllib.parse import quote

import pytest
import requests

from sandbox.amazon import LEDGER_HEADER
from sandbox.clock import iso_z
from sandbox.server import Sandbox
from tests.sandbox.conftest import AS_OF, NOW

ORDERS = "/orders/v0/orders"
ALL_MARKETPLACES = "ATVPDKIKX0DER,A1PA6795UKMFR9,A1VC38T7YXB528"


def iso(seconds: float) -> str:
    return iso_z(int(seconds))


def test_a_wrong_client_secret_gets_invalid_grant(http: requests.Session, sandbox: Sandbox):
    env = sandbox.env()
    answer = http.post(
        env["AMAZON_LWA_TOKEN_URL"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": env["AMAZON_SP_REFRESH_TOKEN"],
            "client_id": env["AMAZON_LWA_CLIENT_ID"],
            "client_secret": "not-the-secret",
        },
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no access token"),
        pytest.param({"x-amz-access-token": "Atza|made-up"}, id="a made-up token"),
    ],
)
def test_sp_api_without_a_valid_token_answers_403(
    http: requests.Session, sandbox: Sandbox, headers: dict[str, str]
) -> None:
    answer = http.get(
        sandbox.base_url + ORDERS,
        params={"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": "2026-10-01T00:00:00Z"},
        headers=headers,
        timeout=10,
    )
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["code"] == "Unauthorized"


def test_an_ads_token_does_not_open_the_sp_api(
    http: requests.Session, sandbox: Sandbox, ads_headers: dict[str, str]
) -> None:
    token = ads_headers["Authorization"].removeprefix("Bearer ")
    answer = http.get(
        sandbox.base_url + ORDERS,
        params={"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": "2026-10-01T00:00:00Z"},
        headers={"x-amz-access-token": token},
        timeout=10,
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "before",
    [
        pytest.param(iso(NOW - 60), id="a minute before now breaks the two-minute rule"),
        pytest.param("2026-10-01T10:00:00+09:00", id="an offset instead of Z"),
        pytest.param("2026-10-01 10:00:00", id="no zone at all"),
    ],
)
def test_last_updated_before_must_be_utc_z_and_two_minutes_old(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str], before: str
) -> None:
    answer = http.get(
        sandbox.base_url + ORDERS,
        params={
            "MarketplaceIds": "ATVPDKIKX0DER",
            "LastUpdatedAfter": "2026-09-01T00:00:00Z",
            "LastUpdatedBefore": before,
        },
        headers=sp_headers,
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"


def test_posted_before_follows_the_two_minute_rule_too(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    answer = http.get(
        sandbox.base_url + "/finances/v0/financialEvents",
        params={"PostedAfter": "2026-10-01T00:00:00Z", "PostedBefore": iso(NOW - 30)},
        headers=sp_headers,
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"


def collect_orders(
    http: requests.Session, sandbox: Sandbox, headers: dict[str, str], **params: str
) -> tuple[list[dict], list[str]]:
    orders: list[dict] = []
    tokens: list[str] = []
    query = {"MarketplaceIds": ALL_MARKETPLACES, **params}
    for _ in range(100):
        answer = http.get(sandbox.base_url + ORDERS, params=query, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        payload = answer.json()["payload"]
        orders.extend(payload["Orders"])
        if "NextToken" not in payload:
            return orders, tokens
        tokens.append(payload["NextToken"])
        query = {"MarketplaceIds": ALL_MARKETPLACES, "NextToken": payload["NextToken"]}
    raise AssertionError("pagination did not end")


def test_next_token_pages_return_every_order_once_in_the_window(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    orders, tokens = collect_orders(
        http,
        sandbox,
        sp_headers,
        LastUpdatedAfter="2026-10-30T00:00:00Z",
        LastUpdatedBefore="2026-11-02T00:00:00Z",
        MaxResultsPerPage="10",
    )
    expected = [
        o["AmazonOrderId"]
        for o in sandbox.data.amazon_orders_json()
        if "2026-10-30T00:00:00Z" <= o["LastUpdateDate"] < "2026-11-02T00:00:00Z"
    ]
    assert [o["AmazonOrderId"] for o in orders] == expected
    assert len(expected) == 25
    assert len(tokens) == 2
    assert all("+" in t and "/" in t and t.endswith("==") for t in tokens)


def test_a_next_token_works_only_url_encoded(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    first = http.get(
        sandbox.base_url + ORDERS,
        params={
            "MarketplaceIds": ALL_MARKETPLACES,
            "LastUpdatedAfter": "2026-10-01T00:00:00Z",
            "MaxResultsPerPage": "5",
        },
        headers=sp_headers,
        timeout=10,
    ).json()["payload"]
    token = first["NextToken"]
    raw = f"{sandbox.base_url}{ORDERS}?MarketplaceIds={ALL_MARKETPLACES}&NextToken={token}"
    encoded = (
        f"{sandbox.base_url}{ORDERS}?MarketplaceIds={ALL_MARKETPLACES}"
        f"&NextToken={quote(token, safe='')}"
    )

    broken = http.get(raw, headers=sp_headers, timeout=10)
    working = http.get(encoded, headers=sp_headers, timeout=10)

    assert broken.status_code == 400
    assert broken.json()["errors"][0]["code"] == "InvalidInput"
    assert working.status_code == 200
    assert len(working.json()["payload"]["Orders"]) == 5


def test_page_size_above_one_hundred_is_refused(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    answer = http.get(
        sandbox.base_url + ORDERS,
        params={
            "MarketplaceIds": "ATVPDKIKX0DER",
            "LastUpdatedAfter": "2026-10-01T00:00:00Z",
            "MaxResultsPerPage": "101",
        },
        headers=sp_headers,
        timeout=10,
    )
    assert answer.status_code == 400


def test_order_items_page_by_next_token_when_the_page_is_small(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    order = next(o for o in sandbox.data.amazon_orders_by_update if len(o.items) == 3)
    sandbox.order_items_page_size = 2
    try:
        url = f"{sandbox.base_url}{ORDERS}/{order.order_id}/orderItems"
        first = http.get(url, headers=sp_headers, timeout=10)
        token = first.json()["payload"]["NextToken"]
        second = http.get(url, params={"NextToken": token}, headers=sp_headers, timeout=10)
    finally:
        sandbox.order_items_page_size = 30
    ids = [i["OrderItemId"] for i in first.json()["payload"]["OrderItems"]]
    ids += [i["OrderItemId"] for i in second.json()["payload"]["OrderItems"]]
    assert first.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert ids == [item.order_item_id for item in order.items]
    assert "NextToken" not in second.json()["payload"]


def test_refund_events_are_served_with_negative_principal(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    answer = http.get(
        sandbox.base_url + "/finances/v0/financialEvents",
        params={"PostedAfter": "2026-10-01T00:00:00Z", "MaxResultsPerPage": "1"},
        headers=sp_headers,
        timeout=10,
    )
    events = answer.json()["payload"]["FinancialEvents"]["RefundEventList"]
    token = answer.json()["payload"]["NextToken"]
    rest = http.get(
        sandbox.base_url + "/finances/v0/financialEvents",
        params={"NextToken": token},
        headers=sp_headers,
        timeout=10,
    ).json()["payload"]
    events += rest["FinancialEvents"]["RefundEventList"]
    assert events == sandbox.data.amazon_refund_events_json()
    assert len(events) == 2
    assert "NextToken" not in rest
    charges = events[0]["ShipmentItemAdjustmentList"][0]["ItemChargeAdjustmentList"]
    assert (
        charges[0]["ChargeType"] == "Principal" and charges[0]["ChargeAmount"]["CurrencyAmount"] < 0
    )


def test_inventory_summaries_of_a_marketplace(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    answer = http.get(
        sandbox.base_url + "/fba/inventory/v1/summaries",
        params={
            "details": "true",
            "granularityType": "Marketplace",
            "granularityId": "A1VC38T7YXB528",
            "marketplaceIds": "A1VC38T7YXB528",
        },
        headers=sp_headers,
        timeout=10,
    )
    body = answer.json()
    assert body["payload"]["inventorySummaries"] == sandbox.data.amazon_inventory_json(
        "A1VC38T7YXB528"
    )
    assert len(body["payload"]["inventorySummaries"]) == 10
    assert "pagination" not in body  # one page: 10 SKUs, 50 a page


def run_report(
    http: requests.Session, sandbox: Sandbox, headers: dict[str, str], body: dict
) -> tuple[list[str], bytes, str]:
    created = http.post(
        sandbox.base_url + "/reports/2021-06-30/reports", json=body, headers=headers, timeout=10
    )
    assert created.status_code == 202
    report_id = created.json()["reportId"]
    statuses = []
    for _ in range(10):
        report = http.get(
            f"{sandbox.base_url}/reports/2021-06-30/reports/{report_id}",
            headers=headers,
            timeout=10,
        ).json()
        statuses.append(report["processingStatus"])
        if report["processingStatus"] in ("DONE", "CANCELLED", "FATAL"):
            break
    if statuses[-1] != "DONE":
        return statuses, b"", ""
    document = http.get(
        f"{sandbox.base_url}/reports/2021-06-30/documents/{report['reportDocumentId']}",
        headers=headers,
        timeout=10,
    ).json()
    assert document["compressionAlgorithm"] == "GZIP"
    download = http.get(document["url"], timeout=10)
    assert download.status_code == 200
    return statuses, gzip.decompress(download.content), download.headers["Content-Type"]


def test_a_ledger_report_goes_through_its_states_and_serves_gzipped_cp1252(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    statuses, raw, content_type = run_report(
        http,
        sandbox,
        sp_headers,
        {
            "reportType": "GET_LEDGER_SUMMARY_VIEW_DATA",
            "marketplaceIds": ["A1PA6795UKMFR9"],
            "dataStartTime": "2026-10-27T00:00:00+01:00",
            "dataEndTime": "2026-11-02T23:59:59+01:00",
            "reportOptions": {"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"},
        },
    )
    lines = raw.decode("cp1252").splitlines()
    assert statuses == ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert content_type == "text/plain; charset=Cp1252"
    assert lines[0].split("\t") == list(LEDGER_HEADER)
    assert len(lines) == 1 + 7 * 10
    assert "Kaffeebecher „Classic“, Schwarz" in lines[1]


def test_a_shipments_report_lists_every_shipped_item_with_local_offsets(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    sandbox.report_polls = 1
    statuses, raw, content_type = run_report(
        http,
        sandbox,
        sp_headers,
        {
            "reportType": "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "dataStartTime": "2026-10-01T00:00:00Z",
            "dataEndTime": "2026-11-03T10:00:00Z",
        },
    )
    rows = [line.split("\t") for line in raw.decode("utf-8").splitlines()]
    header, body = rows[0], rows[1:]
    assert statuses == ["DONE"]
    assert content_type == "text/plain; charset=UTF-8"
    assert len(body) == 26
    shipment_date = body[0][header.index("shipment-date")]
    assert shipment_date.endswith(("-07:00", "-08:00"))


def test_a_report_with_no_data_is_cancelled(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    sandbox.report_polls = 1
    statuses, _, _ = run_report(
        http,
        sandbox,
        sp_headers,
        {
            "reportType": "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "dataStartTime": "2026-01-01T00:00:00Z",
            "dataEndTime": "2026-01-31T00:00:00Z",
        },
    )
    assert statuses == ["CANCELLED"]


def test_a_document_url_without_its_signature_is_refused(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    sandbox.report_polls = 1
    report_id = http.post(
        sandbox.base_url + "/reports/2021-06-30/reports",
        json={
            "reportType": "GET_LEDGER_SUMMARY_VIEW_DATA",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "dataStartTime": AS_OF.replace(day=1).isoformat(),
            "dataEndTime": AS_OF.isoformat(),
        },
        headers=sp_headers,
        timeout=10,
    ).json()["reportId"]
    document_id = http.get(
        f"{sandbox.base_url}/reports/2021-06-30/reports/{report_id}", headers=sp_headers, timeout=10
    ).json()["reportDocumentId"]
    url = http.get(
        f"{sandbox.base_url}/reports/2021-06-30/documents/{document_id}",
        headers=sp_headers,
        timeout=10,
    ).json()["url"]

    answer = http.get(url.split("?")[0], timeout=10)

    assert answer.status_code == 403
    assert b"AccessDenied" in answer.content
