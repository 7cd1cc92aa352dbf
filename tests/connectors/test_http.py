"""The shared HTTP layer: retries that honour the platforms' rate signals, and redaction."""

from __future__ import annotations

import logging

import pytest

from connectors.errors import ConnectorError
from connectors.http import (
    HttpSettings,
    PlatformRetry,
    PlatformSession,
    RepeatGuard,
    find_next_token,
    register_secret,
    sanitize_url,
)
from tests.support.loopback import Canned, Loopback

FAST = HttpSettings(total_retries=3, backoff_factor_s=0.01, backoff_max_s=0.05)
OK = Canned(200, b'{"ok": true}')


def _session(server: Loopback, **headers: str) -> PlatformSession:
    return PlatformSession("testplatform", server.url, FAST, headers=dict(headers))


def test_a_429_with_retry_after_is_retried_once_then_succeeds():
    with Loopback() as server:
        server.route("GET", "/x", Canned(429, b"{}", {"Retry-After": "0"}), OK)
        response = _session(server).get("/x", stream="s")
    assert response.json() == {"ok": True}
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("status", "attempts"),
    [
        pytest.param(500, 3, id="500 twice then success"),
        pytest.param(502, 3, id="502 twice then success"),
        pytest.param(503, 3, id="503 twice then success"),
    ],
)
def test_server_errors_are_retried(status: int, attempts: int):
    with Loopback() as server:
        server.route("GET", "/x", Canned(status), Canned(status), OK)
        response = _session(server).get("/x", stream="s")
    assert response.status_code == 200
    assert len(server.requests) == attempts


def test_amazon_rate_header_sets_the_wait_when_retry_after_is_absent():
    class FakeResponse:
        status = 429
        headers = {"x-amzn-RateLimit-Limit": "0.5"}

    # 0.5 requests per second -> one token every 2 seconds
    assert PlatformRetry().get_retry_after(FakeResponse()) == 2.0


def test_a_429_with_only_the_rate_header_is_retried():
    with Loopback() as server:
        server.route("GET", "/items", Canned(429, b"{}", {"x-amzn-RateLimit-Limit": "50"}), OK)
        response = _session(server).get("/items", stream="s")
    assert response.status_code == 200
    assert len(server.requests) == 2


def test_exhausted_retries_raise_an_error_naming_platform_and_stream_without_secrets():
    register_secret("tok-secret-123456")
    with Loopback() as server:
        server.route("GET", "/x", Canned(500, b'{"error": "boom tok-secret-123456"}'))
        session = _session(server, Authorization="Bearer tok-secret-123456")
        with pytest.raises(ConnectorError) as info:
            session.get("/x?access_token=tok-secret-123456", stream="orders")
    message = str(info.value)
    assert message.startswith("[testplatform/orders]")
    assert "500" in message
    assert "tok-secret-123456" not in message
    assert len(server.requests) == 4  # first try + 3 retries


def test_request_log_lines_never_show_a_registered_secret(caplog):
    register_secret("sk-live-abcdef987654")
    with Loopback() as server:
        server.route("GET", "/x", OK)
        with caplog.at_level(logging.INFO, logger="connectors.http"):
            _session(server).get("/x?api_key=sk-live-abcdef987654&page=2", stream="s")
    assert caplog.records, "one INFO line per request is expected"
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "sk-live-abcdef987654" not in text
    assert "page=2" in text


def test_sanitize_url_masks_credential_parameters():
    url = "https://h.example/p?access_token=abc&cursor=xyz&client_secret=s3"
    assert sanitize_url(url) == "https://h.example/p?access_token=***&cursor=xyz&client_secret=***"


def test_repeat_guard_stops_a_loop_when_a_token_comes_back():
    guard = RepeatGuard("p", "s")
    assert [guard.is_new(t) for t in ["a", "b", "a", None, ""]] == [True, True, False, False, False]


@pytest.mark.parametrize(
    ("body", "token"),
    [
        pytest.param(b'{"payload": {"NextToken": "abc+/="}}', "abc+/=", id="sp-api payload token"),
        pytest.param(b'{"pagination": {"nextToken": "n1"}}', "n1", id="fba pagination token"),
        pytest.param(b'{"payload": {"NextToken": "a\\/b"}}', "a/b", id="escaped slash"),
        pytest.param(b'{"payload": {"Orders": []}}', None, id="last page has none"),
    ],
)
def test_next_token_is_read_from_page_bytes(body: bytes, token: str | None):
    assert find_next_token(body) == token
