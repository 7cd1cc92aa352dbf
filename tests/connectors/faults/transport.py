"""Transport faults every connector must ride out, as sandbox fault rules (one hit each).

Each is retried by the shared HTTP layer (connectors/http.py): statuses and failures before
the response headers by urllib3's Retry, a body cut off or stalled after the headers by
``PlatformSession.request``. The read timeout is short so that a stalled answer costs a third
of a second; the retry waits themselves are recorded, not slept (the ``retry_sleeps`` fixture).
"""

from __future__ import annotations

import pytest

from connectors.http import HttpSettings
from sandbox.faults import FaultRule

# 0.3 s is far above any sandbox answer on 127.0.0.1 and far below the stalls below
FAULT_HTTP = HttpSettings(
    connect_timeout_s=2, read_timeout_s=0.3, total_retries=3, backoff_factor_s=0.01
)
STALL_S = 0.6


def transport_faults(method: str, path_regex: str) -> list[pytest.param]:
    """One pytest param per transport fault, each a rule hitting the next matching request."""

    def rule(**kwargs: object) -> FaultRule:
        return FaultRule(method=method, path_regex=path_regex, times=1, **kwargs)

    return [
        pytest.param(rule(status=500, body=b"{}"), id="500 internal error"),
        pytest.param(rule(status=502, body=b"<html>Bad Gateway</html>"), id="502 bad gateway"),
        pytest.param(rule(status=503, body=b""), id="503 unavailable"),
        pytest.param(
            rule(status=None, delay_s=STALL_S), id="read timeout before the response headers"
        ),
        pytest.param(
            rule(status=None, truncate_at=25, stall_s=STALL_S), id="read timeout mid-body"
        ),
        pytest.param(rule(disconnect=True), id="connection reset before any answer"),
        pytest.param(rule(status=None, truncate_at=25), id="body cut short of its content length"),
    ]


def not_json_bodies() -> list[pytest.param]:
    """Complete 200 answers that are not the JSON page promised (not retried: they fail)."""
    return [
        pytest.param(b"<html><body>Service Unavailable</body></html>", id="an html page"),
        pytest.param(
            b'{"payload": {"Orders": [{"AmazonOrderId": "113-0', id="json cut short, length intact"
        ),
    ]
