"""Zendesk Support: incremental cursor exports of tickets and users, and ticket comments.

Enforced: HTTP basic ``{email}/token:{api_token}`` (401 otherwise); ``start_time`` (unix
seconds, at least a minute old) or ``cursor`` on the exports; at most 1000 records per export
page (100 unless ``per_page`` says otherwise) and 100 comments per page. The export cursor is
exact: it resumes strictly after the last ``(generated_timestamp, id)`` returned, so a later run
sees each changed ticket once, at its newest state.

The ticket export honours the sideload ``include=metric_sets`` (a comma list, as Zendesk takes
it; other names are ignored): a top-level ``metric_sets`` array beside ``tickets`` holds the
ticket metric set of every ticket of the page (sandbox/zendesk.py computes them).
"""

from __future__ import annotations

import base64
import bisect
from collections.abc import Callable
from urllib.parse import quote

from sandbox import zendesk
from sandbox.state import ZENDESK_API_TOKEN, ZENDESK_EMAIL, ServerState
from sandbox.tokens import decode_zendesk_cursor, encode_zendesk_cursor
from sandbox.web import ROUTER, Request, Response, json_response

EXPORT_PAGE_SIZE = 100
EXPORT_MAX_PAGE_SIZE = 1000
COMMENTS_PAGE_SIZE = 100
RATE_HEADERS = {"x-rate-limit": "700", "x-zendesk-api-version": "v2"}


def zendesk_auth(request: Request) -> Response | None:
    expected = base64.b64encode(f"{ZENDESK_EMAIL}/token:{ZENDESK_API_TOKEN}".encode()).decode()
    if (request.header("Authorization") or "") != f"Basic {expected}":
        return json_response(401, {"error": "Couldn't authenticate you"})
    return None


def invalid(description: str) -> Response:
    return json_response(400, {"error": "InvalidValue", "description": description})


def _export(
    state: ServerState,
    request: Request,
    *,
    name: str,
    keys: list[tuple[int, int]],
    records: list,
    render,
    sideloads: dict[str, Callable[[list], list]] | None = None,
) -> Response:
    denied = zendesk_auth(request)
    if denied:
        return denied
    size_text = request.param("per_page") or str(EXPORT_PAGE_SIZE)
    if not size_text.isdigit() or not 1 <= int(size_text) <= EXPORT_MAX_PAGE_SIZE:
        return invalid(f"per_page must be from 1 to {EXPORT_MAX_PAGE_SIZE}")
    size = int(size_text)
    cursor_text = request.param("cursor")
    if cursor_text is not None:
        position = decode_zendesk_cursor(cursor_text)
        if position is None:
            return invalid("cursor is not a cursor this export gave")
    else:
        start_text = request.param("start_time")
        if start_text is None or not start_text.lstrip("-").isdigit():
            return invalid("start_time (unix seconds) or cursor is required")
        start_time = int(start_text)
        if start_time > int(state.clock()) - 60:
            return invalid("Too recent start_time. Use a start_time older than 1 minute")
        position = (start_time, -1)  # everything with generated/updated >= start_time
    first = bisect.bisect_right(keys, position)
    page = records[first : first + size]
    last = keys[first + len(page) - 1] if page else position
    after_cursor = encode_zendesk_cursor(*last)
    path = f"/api/v2/incremental/{name}/cursor.json"
    after_url = f"{state.base_url}{path}?cursor={quote(after_cursor, safe='')}"
    if request.param("per_page") is not None:  # the real after_url keeps the page size
        after_url += f"&per_page={size}"
    body: dict[str, object] = {name: [render(record) for record in page]}
    included = {part.strip() for part in (request.param("include") or "").split(",")}
    for sideload, render_all in (sideloads or {}).items():
        if sideload in included:
            body[sideload] = render_all(page)
    body |= {
        "after_url": after_url,
        "after_cursor": after_cursor,
        "before_url": None,
        "before_cursor": None,
        "end_of_stream": first + len(page) >= len(records),
    }
    return json_response(200, body, RATE_HEADERS)


@ROUTER.route("GET", r"/api/v2/incremental/tickets/cursor\.json")
def export_tickets(state: ServerState, request: Request) -> Response:
    data = state.data
    return _export(
        state,
        request,
        name="tickets",
        keys=state.ticket_keys,
        records=data.tickets_by_generated,
        render=lambda ticket: zendesk.ticket_json(ticket, data.as_of, state.base_url),
        sideloads={
            "metric_sets": lambda page: zendesk.metric_sets_json(
                page, data.as_of, state.base_url, zendesk.clock_for(data.tickets, data.as_of)
            )
        },
    )


@ROUTER.route("GET", r"/api/v2/incremental/users/cursor\.json")
def export_users(state: ServerState, request: Request) -> Response:
    data = state.data
    return _export(
        state,
        request,
        name="users",
        keys=state.user_keys,
        records=data.users_by_updated,
        render=lambda user: zendesk.user_json(user, data.as_of, state.base_url),
    )


@ROUTER.route("GET", r"/api/v2/tickets/(?P<ticket_id>\d+)/comments\.json")
def ticket_comments(state: ServerState, request: Request) -> Response:
    denied = zendesk_auth(request)
    if denied:
        return denied
    ticket = state.data.tickets_by_id.get(int(request.group("ticket_id")))
    if ticket is None:
        return json_response(404, {"error": "RecordNotFound", "description": "Not found"})
    page_text = request.param("page") or "1"
    size_text = request.param("per_page") or str(COMMENTS_PAGE_SIZE)
    if not page_text.isdigit() or int(page_text) < 1:
        return invalid("page must be a positive integer")
    if not size_text.isdigit() or not 1 <= int(size_text) <= COMMENTS_PAGE_SIZE:
        return invalid(f"per_page must be from 1 to {COMMENTS_PAGE_SIZE}")
    page_number, size = int(page_text), int(size_text)
    comments = zendesk.visible_comments(ticket, state.data.as_of)
    if request.param("sort_order") == "desc":
        comments = comments[::-1]
    start = (page_number - 1) * size
    chunk = comments[start : start + size]
    url = f"{state.base_url}/api/v2/tickets/{ticket.ticket_id}/comments.json"
    next_page = f"{url}?page={page_number + 1}&per_page={size}"
    previous_page = f"{url}?page={page_number - 1}&per_page={size}"
    body = {
        "comments": [zendesk.comment_json(ticket, item) for item in chunk],
        "next_page": next_page if start + size < len(comments) else None,
        "previous_page": previous_page if page_number > 1 else None,
        "count": len(comments),
    }
    return json_response(200, body, RATE_HEADERS)
