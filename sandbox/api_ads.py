"""Amazon Ads API: profiles (v2) and asynchronous Sponsored Products reports (v3).

Enforced: ``Authorization: Bearer`` with an Ads access token from LWA and the app's
``Amazon-Advertising-API-ClientId`` on every call (401 otherwise); ``Amazon-Advertising-API-Scope``
naming a profile on reporting calls; the v3 content type on report creation (415 otherwise);
a report covers at most 31 days within the last 95; a report whose configuration is identical
to one still running answers 425 naming it. Two report types: ``spCampaigns`` (groupBy
``["campaign"]``, one row per campaign) and ``spAdvertisedProduct`` (groupBy ``["advertiser"]``,
one row per ad). Reports go PENDING -> PROCESSING -> COMPLETED over polls; the ``url`` serves a
gzipped JSON array, numbers as JSON numbers.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sandbox import ads
from sandbox.clock import iso_z_millis, local_date
from sandbox.documents import publish
from sandbox.state import LWA_CLIENT_ID, Report, ServerState
from sandbox.web import ROUTER, Request, Response, json_response

CREATE_CONTENT_TYPE = "application/vnd.createasyncreportrequest.v3+json"
MAX_RANGE_DAYS = 31
RETENTION_DAYS = 95
ADS_STATUSES = ("PENDING", "PROCESSING", "COMPLETED")


@dataclass(frozen=True)
class ReportType:
    """What the sandbox accepts and serves for one ``reportTypeId``."""

    group_by: list[str]
    columns: tuple[str, ...]
    summary_key: str  # the row a SUMMARY report keeps per range
    sort_key: tuple[str, ...]


REPORT_TYPES = {
    "spCampaigns": ReportType(["campaign"], ads.ROW_COLUMNS, "campaignId", ("date", "campaignId")),
    "spAdvertisedProduct": ReportType(
        ["advertiser"], ads.PRODUCT_ROW_COLUMNS, "adId", ("date", "campaignId", "adId")
    ),
}


def ads_error(status: int, detail: str) -> Response:
    return json_response(status, {"code": str(status), "detail": detail})


def unauthorized() -> Response:
    return json_response(
        401, {"code": "UNAUTHORIZED", "details": "Not authorized to access this advertiser"}
    )


def ads_auth(state: ServerState, request: Request) -> Response | None:
    authorization = request.header("Authorization") or ""
    token = authorization[7:] if authorization.startswith("Bearer ") else ""
    if state.token_audience(token) != "ads":
        return unauthorized()
    if request.header("Amazon-Advertising-API-ClientId") != LWA_CLIENT_ID:
        return unauthorized()
    return None


def _scope(state: ServerState, request: Request) -> tuple[ads.Profile | None, Response | None]:
    scope = request.header("Amazon-Advertising-API-Scope") or ""
    if not scope:
        return None, ads_error(400, "Amazon-Advertising-API-Scope header is missing")
    profile = state.data.profile(int(scope)) if scope.isdigit() else None
    if profile is None:
        return None, unauthorized()
    return profile, None


@ROUTER.route("GET", r"/v2/profiles")
def list_profiles(state: ServerState, request: Request) -> Response:
    return ads_auth(state, request) or json_response(200, state.data.ads_profiles_json())


def _validate(spec: object, today: date) -> str | None:
    """Why the create-report body is refused, or None."""
    if not isinstance(spec, dict):
        return "The body must be a JSON object"
    config = spec.get("configuration")
    if not isinstance(config, dict):
        return "configuration is required"
    try:
        start = date.fromisoformat(str(spec.get("startDate")))
        end = date.fromisoformat(str(spec.get("endDate")))
    except ValueError:
        return "startDate and endDate must be dates (YYYY-MM-DD)"
    if config.get("adProduct") != "SPONSORED_PRODUCTS":
        return "adProduct must be SPONSORED_PRODUCTS"
    report_type_id = config.get("reportTypeId")
    report_type = REPORT_TYPES.get(str(report_type_id))
    if report_type is None:
        return f"The sandbox serves reportTypeId {' and '.join(REPORT_TYPES)} only"
    if config.get("groupBy") != report_type.group_by:
        return f"groupBy must be {json.dumps(report_type.group_by)} for {report_type_id}"
    if config.get("format") != "GZIP_JSON":
        return "format must be GZIP_JSON"
    unit = config.get("timeUnit")
    if unit not in ("DAILY", "SUMMARY"):
        return "timeUnit must be DAILY or SUMMARY"
    columns = config.get("columns")
    if not isinstance(columns, list) or not columns:
        return "columns must be a non-empty list"
    unknown = [c for c in columns if c not in report_type.columns]
    if unknown:
        return f"Invalid column(s) for {report_type_id}: {', '.join(map(str, unknown))}"
    if unit == "DAILY" and ("startDate" in columns or "endDate" in columns):
        return "startDate and endDate columns are for timeUnit SUMMARY; use date"
    if unit == "SUMMARY" and "date" in columns:
        return "The date column is for timeUnit DAILY"
    if end < start:
        return "endDate must not be before startDate"
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        return f"The date range of a report is at most {MAX_RANGE_DAYS} days"
    if start < today - timedelta(days=RETENTION_DAYS):
        return f"startDate must be within the last {RETENTION_DAYS} days"
    return None


def _report_json(report: Report, status: str) -> dict:
    spec = report.spec
    created = iso_z_millis(int(report.created_ts))
    body = {
        "configuration": {"filters": None, **spec["configuration"]},
        "createdAt": created,
        "endDate": spec["endDate"],
        "failureReason": None,
        "fileSize": None,
        "generatedAt": None,
        "name": spec.get("name"),
        "reportId": report.report_id,
        "startDate": spec["startDate"],
        "status": status,
        "updatedAt": created,
        "url": None,
        "urlExpiresAt": None,
    }
    return body


@ROUTER.route("POST", r"/reporting/reports")
def create_report(state: ServerState, request: Request) -> Response:
    denied = ads_auth(state, request)
    if denied:
        return denied
    profile, error = _scope(state, request)
    if error:
        return error
    assert profile is not None
    content_type = (request.header("Content-Type") or "").split(";")[0].strip()
    if content_type != CREATE_CONTENT_TYPE:
        return ads_error(415, f"Content-Type must be {CREATE_CONTENT_TYPE}")
    try:
        spec = request.json()
    except ValueError:
        return ads_error(400, "The body must be JSON")
    today = local_date(state.data.as_of, profile.channel.timezone)
    problem = _validate(spec, today)
    if problem:
        return ads_error(400, problem)
    fingerprint = json.dumps(
        [profile.profile_id, spec["startDate"], spec["endDate"], spec["configuration"]],
        sort_keys=True,
    )
    with state.lock:
        for other in state.reports.values():
            running = other.polls < state.report_polls
            if other.kind == "ads" and other.fingerprint == fingerprint and running:
                return ads_error(425, f"The Request is a duplicate of : {other.report_id}")
        serial = state.next_serial()
        report_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox/ads-report/{serial}"))
        report = Report(
            report_id=report_id,
            kind="ads",
            spec=spec,
            created_ts=state.clock(),
            profile_id=profile.profile_id,
            fingerprint=fingerprint,
        )
        state.reports[report_id] = report
    return json_response(200, _report_json(report, "PENDING"))


def _rows(state: ServerState, report: Report) -> list[dict]:
    spec = report.spec
    config = spec["configuration"]
    start, end = spec["startDate"], spec["endDate"]
    report_type = REPORT_TYPES[config["reportTypeId"]]
    if config["reportTypeId"] == "spAdvertisedProduct":
        every_row = state.data.ads_product_rows_json(report.profile_id)
    else:
        every_row = state.data.ads_rows_json(report.profile_id)
    rows = [row for row in every_row if start <= row["date"] <= end]
    if config["timeUnit"] == "SUMMARY":
        rows = ads.summarize(rows, start, end, report_type.summary_key)
    rows.sort(key=lambda row: tuple(row[key] for key in report_type.sort_key))
    return [{column: row[column] for column in config["columns"]} for row in rows]


@ROUTER.route("GET", r"/reporting/reports/(?P<report_id>[^/]+)")
def get_report(state: ServerState, request: Request) -> Response:
    denied = ads_auth(state, request)
    if denied:
        return denied
    profile, error = _scope(state, request)
    if error:
        return error
    assert profile is not None
    with state.lock:
        report = state.reports.get(request.group("report_id"))
        if report is None or report.kind != "ads" or report.profile_id != profile.profile_id:
            return ads_error(404, "Report not found")
        report.polls += 1
        polls = report.polls
        if polls >= state.report_polls and not report.document_id:
            rows = _rows(state, report)
            raw = json.dumps(rows, separators=(",", ":")).encode("utf-8")
            report.document_id = f"ads-report-{report.report_id}.json.gz"
            report.rows = len(rows)
            publish(state, report.document_id, raw, "application/x-gzip")
        document = state.documents.get(report.document_id) if report.document_id else None
    if polls >= state.report_polls:
        status = ADS_STATUSES[2]
    else:
        status = ADS_STATUSES[0] if polls == 1 else ADS_STATUSES[1]
    body = _report_json(report, status)
    body["updatedAt"] = iso_z_millis(int(report.created_ts) + polls)
    if status == "COMPLETED" and document is not None:
        body["url"] = document.url
        body["fileSize"] = len(document.body)
        body["generatedAt"] = iso_z_millis(int(report.created_ts) + polls)
        body["urlExpiresAt"] = iso_z_millis(int(state.clock()) + 3600)
    return json_response(200, body)
