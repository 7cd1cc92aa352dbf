"""The served Zendesk exports resume exactly; the FX service skips weekends."""

from __future__ import annotations

import requests

from sandbox.server import Sandbox
from tests.sandbox.conftest import AS_OF

TICKETS = "/api/v2/incremental/tickets/cursor.json"
USERS = "/api/v2/incremental/users/cursor.json"


def test_exports_need_basic_auth_with_the_api_token(
    http: requests.Session, sandbox: Sandbox
) -> None:
    answer = http.get(sandbox.base_url + TICKETS, params={"start_time": 0}, timeout=10)
    wrong = http.get(
        sandbox.base_url + TICKETS,
        params={"start_time": 0},
        auth=("api-user@sandbox-support.example/token", "wrong"),
        timeout=10,
    )
    assert (answer.status_code, wrong.status_code) == (401, 401)
    assert answer.json() == {"error": "Couldn't authenticate you"}


def export(
    http: requests.Session, sandbox: Sandbox, auth: tuple[str, str], path: str, **params: str
) -> tuple[list[dict], dict, int]:
    answer = http.get(sandbox.base_url + path, params=params, auth=auth, timeout=10)
    records: list[dict] = []
    pages = 0
    for _ in range(100):
        body = answer.json()
        key = "tickets" if "tickets" in path else "users"
        records += body[key]
        pages += 1
        if body["end_of_stream"]:
            return records, body, pages
        answer = http.get(body["after_url"], auth=auth, timeout=10)
    raise AssertionError("the export did not end")


def test_the_ticket_export_pages_by_cursor_and_resumes_exactly(
    http: requests.Session, sandbox: Sandbox, zendesk_auth: tuple[str, str]
) -> None:
    tickets, last, pages = export(
        http, sandbox, zendesk_auth, TICKETS, start_time="0", per_page="10"
    )
    resumed = http.get(
        sandbox.base_url + TICKETS, params={"cursor": last["after_cursor"]}, auth=zendesk_auth,
        timeout=10,
    ).json()  # fmt: skip

    assert tickets == sandbox.data.zendesk_tickets_json()
    assert (len(tickets), pages) == (23, 3)
    assert resumed["tickets"] == [] and resumed["end_of_stream"] is True
    assert resumed["after_cursor"] == last["after_cursor"]


def test_start_time_keeps_tickets_generated_at_or_after_it(
    http: requests.Session, sandbox: Sandbox, zendesk_auth: tuple[str, str]
) -> None:
    start = int(AS_OF.timestamp()) - 2 * 86400
    tickets, _, _ = export(http, sandbox, zendesk_auth, TICKETS, start_time=str(start))
    assert len(tickets) == 15  # reopened tickets changed again in these two days
    assert min(t["generated_timestamp"] for t in tickets) >= start


def test_a_start_time_less_than_a_minute_old_is_refused(
    http: requests.Session, sandbox: Sandbox, zendesk_auth: tuple[str, str]
) -> None:
    too_recent = int(AS_OF.timestamp()) + 3600 - 30  # the sandbox's clock is as_of + 1 h
    answer = http.get(
        sandbox.base_url + TICKETS, params={"start_time": too_recent}, auth=zendesk_auth,
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 400


def test_comments_of_a_ticket_come_in_order_with_the_description_first(
    http: requests.Session, sandbox: Sandbox, zendesk_auth: tuple[str, str]
) -> None:
    ticket = max(sandbox.data.tickets, key=lambda t: len(t.comments))
    answer = http.get(
        f"{sandbox.base_url}/api/v2/tickets/{ticket.ticket_id}/comments.json",
        auth=zendesk_auth,
        timeout=10,
    ).json()
    assert answer["comments"] == sandbox.data.zendesk_comments_json(ticket.ticket_id)
    assert answer["count"] == 9 and answer["next_page"] is None
    assert answer["comments"][0]["body"] == ticket.comments[0].body


def test_the_user_export_returns_agents_the_admin_and_end_users(
    http: requests.Session, sandbox: Sandbox, zendesk_auth: tuple[str, str]
) -> None:
    users, _, _ = export(http, sandbox, zendesk_auth, USERS, start_time="0")
    roles = sorted({u["role"] for u in users})
    assert len(users) == 27
    assert roles == ["admin", "agent", "end-user"]
    assert users == sandbox.data.zendesk_users_json()


def test_fx_rates_skip_the_weekend_and_start_from_the_last_working_day(
    http: requests.Session, sandbox: Sandbox
) -> None:
    answer = http.get(
        sandbox.base_url + "/v1/2026-10-31..2026-11-03",
        params={"base": "USD", "symbols": "EUR,JPY,GBP"},
        timeout=10,
    ).json()
    assert answer["base"] == "USD" and answer["amount"] == 1.0
    assert list(answer["rates"]) == ["2026-10-30", "2026-11-02"]  # Sat 31 Oct, Sun 1 Nov
    assert answer["start_date"] == "2026-10-30"
    assert set(answer["rates"]["2026-11-02"]) == {"EUR", "JPY", "GBP"}
