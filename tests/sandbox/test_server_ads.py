"""The served Ads API: profiles, the v3 report lifecycle, duplicates and the report limits."""

from __future__ import annotations

import gzip
import json

import pytest
import requests

from sandbox.server import Sandbox

CONTENT_TYPE = "application/vnd.createasyncreportrequest.v3+json"
COLUMNS = [
    "date", "campaignId", "campaignName", "impressions", "clicks", "cost", "purchases7d",
    "sales7d", "unitsSoldClicks7d",
]  # fmt: skip


def report_body(start: str = "2026-10-27", end: str = "2026-11-02") -> dict:
    return {
        "name": "sandbox test",
        "startDate": start,
        "endDate": end,
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": ["campaign"],
            "columns": COLUMNS,
            "reportTypeId": "spCampaigns",
            "timeUnit": "DAILY",
            "format": "GZIP_JSON",
        },
    }


def scoped(sandbox: Sandbox, headers: dict[str, str], index: int = 0) -> dict[str, str]:
    profile_id = sandbox.data.profiles[index].profile_id
    return {
        **headers,
        "Amazon-Advertising-API-Scope": str(profile_id),
        "Content-Type": CONTENT_TYPE,
    }


def test_profiles_need_a_bearer_token(http: requests.Session, sandbox: Sandbox) -> None:
    answer = http.get(sandbox.base_url + "/v2/profiles", timeout=10)
    assert answer.status_code == 401


def test_one_profile_per_marketplace_in_its_currency_and_time_zone(
    http: requests.Session, sandbox: Sandbox, ads_headers: dict[str, str]
) -> None:
    profiles = http.get(sandbox.base_url + "/v2/profiles", headers=ads_headers, timeout=10).json()
    assert [(p["countryCode"], p["currencyCode"], p["timezone"]) for p in profiles] == [
        ("US", "USD", "America/Los_Angeles"),
        ("DE", "EUR", "Europe/Berlin"),
        ("JP", "JPY", "Asia/Tokyo"),
    ]
    assert sandbox.env()["AMAZON_ADS_PROFILE_IDS"] == ",".join(
        str(p["profileId"]) for p in profiles
    )


def test_a_report_runs_pending_processing_completed_and_a_duplicate_gets_425(
    http: requests.Session, sandbox: Sandbox, ads_headers: dict[str, str]
) -> None:
    headers = scoped(sandbox, ads_headers, 1)
    url = sandbox.base_url + "/reporting/reports"
    created = http.post(url, data=json.dumps(report_body()), headers=headers, timeout=10)
    duplicate = http.post(url, data=json.dumps(report_body()), headers=headers, timeout=10)
    report_id = created.json()["reportId"]
    statuses = []
    for _ in range(10):
        report = http.get(f"{url}/{report_id}", headers=headers, timeout=10).json()
        statuses.append(report["status"])
        if report["status"] == "COMPLETED":
            break
    rows = json.loads(gzip.decompress(http.get(report["url"], timeout=10).content))
    again = http.post(url, data=json.dumps(report_body()), headers=headers, timeout=10)

    assert (created.status_code, created.json()["status"]) == (200, "PENDING")
    assert duplicate.status_code == 425
    assert duplicate.json() == {
        "code": "425",
        "detail": f"The Request is a duplicate of : {report_id}",
    }
    assert statuses == ["PENDING", "PROCESSING", "COMPLETED"]
    assert len(rows) == 7 * 6  # seven days x six campaigns
    assert list(rows[0]) == COLUMNS
    expected = [
        {c: r[c] for c in COLUMNS}
        for r in sandbox.data.ads_rows_json(sandbox.data.profiles[1].profile_id)
        if "2026-10-27" <= r["date"] <= "2026-11-02"
    ]
    assert sorted(rows, key=lambda r: (r["date"], r["campaignId"])) == sorted(
        expected, key=lambda r: (r["date"], r["campaignId"])
    )
    assert again.status_code == 200  # the first one completed: a new request is no duplicate


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(report_body("2026-09-01", "2026-10-15"), CONTENT_TYPE, 400, id="45 days"),
        pytest.param(report_body("2026-06-01", "2026-06-20"), CONTENT_TYPE, 400, id="too old"),
        pytest.param(report_body(), "application/json", 415, id="plain JSON content type"),
    ],
)
def test_reports_over_31_days_too_old_or_of_the_wrong_type_are_refused(
    http: requests.Session,
    sandbox: Sandbox,
    ads_headers: dict[str, str],
    body: dict,
    content_type: str,
    status: int,
) -> None:
    headers = {**scoped(sandbox, ads_headers, 2), "Content-Type": content_type}
    answer = http.post(
        sandbox.base_url + "/reporting/reports", data=json.dumps(body), headers=headers, timeout=10
    )
    assert answer.status_code == status


def test_reporting_without_a_scope_header_is_refused(
    http: requests.Session, sandbox: Sandbox, ads_headers: dict[str, str]
) -> None:
    answer = http.post(
        sandbox.base_url + "/reporting/reports",
        data=json.dumps(report_body()),
        headers={**ads_headers, "Content-Type": CONTENT_TYPE},
        timeout=10,
    )
    assert answer.status_code == 400


PRODUCT_COLUMNS = [
    "date", "campaignId", "adGroupId", "adId", "advertisedAsin", "advertisedSku", "impressions",
    "clicks", "cost", "purchases7d", "sales7d", "unitsSoldClicks7d",
]  # fmt: skip


def product_body(time_unit: str = "DAILY", group_by: str = "advertiser") -> dict:
    columns = PRODUCT_COLUMNS if time_unit == "DAILY" else ["adId", "clicks", "cost"]
    return {
        "name": "sandbox test products",
        "startDate": "2026-10-28",
        "endDate": "2026-11-02",
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": [group_by],
            "columns": columns,
            "reportTypeId": "spAdvertisedProduct",
            "timeUnit": time_unit,
            "format": "GZIP_JSON",
        },
    }


def run_report(
    http: requests.Session, sandbox: Sandbox, headers: dict, body: dict, report_id: str = ""
) -> list:
    """Create the report (or follow ``report_id``), poll it and return its rows."""
    url = sandbox.base_url + "/reporting/reports"
    if not report_id:
        created = http.post(url, data=json.dumps(body), headers=headers, timeout=10)
        assert created.status_code == 200, created.text
        report_id = created.json()["reportId"]
    for _ in range(10):
        report = http.get(f"{url}/{report_id}", headers=headers, timeout=10).json()
        if report["status"] == "COMPLETED":
            return json.loads(gzip.decompress(http.get(report["url"], timeout=10).content))
    raise AssertionError(f"report {report_id} never completed")


def test_the_advertised_product_report_serves_one_row_per_ad_and_day(
    http: requests.Session, sandbox: Sandbox, ads_headers: dict[str, str]
) -> None:
    headers = scoped(sandbox, ads_headers, 0)
    url = sandbox.base_url + "/reporting/reports"
    first = http.post(url, data=json.dumps(product_body()), headers=headers, timeout=10)
    duplicate = http.post(url, data=json.dumps(product_body()), headers=headers, timeout=10)
    rows = run_report(http, sandbox, headers, product_body(), first.json()["reportId"])

    assert duplicate.status_code == 425
    assert duplicate.json()["detail"] == (
        f"The Request is a duplicate of : {first.json()['reportId']}"
    )
    profile_id = sandbox.data.profiles[0].profile_id
    expected = [
        {c: r[c] for c in PRODUCT_COLUMNS}
        for r in sandbox.data.ads_product_rows_json(profile_id)
        if "2026-10-28" <= r["date"] <= "2026-11-02"
    ]
    assert len(rows) == len(expected) > 0
    assert all(list(row) == PRODUCT_COLUMNS for row in rows)
    key = lambda r: (r["date"], r["campaignId"], r["adId"])  # noqa: E731
    assert rows == sorted(expected, key=key)  # served in date, campaign, ad order


def test_an_advertised_product_summary_has_one_row_per_ad(
    http: requests.Session, sandbox: Sandbox, ads_headers: dict[str, str]
) -> None:
    headers = scoped(sandbox, ads_headers, 2)  # JP: whole yen
    rows = run_report(http, sandbox, headers, product_body("SUMMARY"))

    daily = [
        r
        for r in sandbox.data.ads_product_rows_json(sandbox.data.profiles[2].profile_id)
        if "2026-10-28" <= r["date"] <= "2026-11-02"
    ]
    totals: dict[int, tuple[int, float]] = {}
    for r in daily:
        clicks, cost = totals.get(r["adId"], (0, 0.0))
        totals[r["adId"]] = (clicks + r["clicks"], cost + r["cost"])
    assert {r["adId"]: (r["clicks"], r["cost"]) for r in rows} == totals
    assert len(rows) == len(totals)


def test_an_advertised_product_report_must_group_by_advertiser(
    http: requests.Session, sandbox: Sandbox, ads_headers: dict[str, str]
) -> None:
    answer = http.post(
        sandbox.base_url + "/reporting/reports",
        data=json.dumps(product_body(group_by="campaign")),
        headers=scoped(sandbox, ads_headers, 1),
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["detail"] == 'groupBy must be ["advertiser"] for spAdvertisedProduct'
