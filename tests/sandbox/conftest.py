"""Shared fixtures of the sandbox tests: tiny sellers, a running server, fresh tokens.

The server's clock is pinned an hour after ``as_of`` so the two-minute rule is judged against
a known instant. Every test gets a session that ignores proxy settings from the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from sandbox.generator import SellerConfig, SellerData, generate
from sandbox.server import Sandbox, start_sandbox

AS_OF = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
NOW = AS_OF.timestamp() + 3600
# the brief's tiny seller: 7 days, 3 orders a day per channel, 10 SKUs, 3 tickets a day
TINY = SellerConfig(seed=7, days=7, orders_per_day=3, skus=10, tickets_per_day=3, as_of=AS_OF)
# a month around the EU (25 Oct) and US (1 Nov) clock changes, big enough for a stock-out
MONTH = SellerConfig(seed=7, days=30, orders_per_day=4, skus=20, tickets_per_day=3, as_of=AS_OF)


@pytest.fixture(scope="session")
def month() -> SellerData:
    return generate(MONTH)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with start_sandbox(TINY) as running:
        running.set_clock(lambda: NOW)
        yield running


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()
    sandbox.faults.clear()
    sandbox.report_polls = 3


def lwa_token(http: requests.Session, sandbox: Sandbox, refresh_key: str) -> str:
    env = sandbox.env()
    answer = http.post(
        env["AMAZON_LWA_TOKEN_URL"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": env[refresh_key],
            "client_id": env["AMAZON_LWA_CLIENT_ID"],
            "client_secret": env["AMAZON_LWA_CLIENT_SECRET"],
        },
        timeout=10,
    )
    assert answer.status_code == 200
    return answer.json()["access_token"]


@pytest.fixture
def sp_headers(http: requests.Session, sandbox: Sandbox) -> dict[str, str]:
    return {"x-amz-access-token": lwa_token(http, sandbox, "AMAZON_SP_REFRESH_TOKEN")}


@pytest.fixture
def ads_headers(http: requests.Session, sandbox: Sandbox) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {lwa_token(http, sandbox, 'AMAZON_ADS_REFRESH_TOKEN')}",
        "Amazon-Advertising-API-ClientId": sandbox.env()["AMAZON_LWA_CLIENT_ID"],
    }


@pytest.fixture
def shopify_headers(sandbox: Sandbox) -> dict[str, str]:
    return {"X-Shopify-Access-Token": sandbox.env()["SHOPIFY_ACCESS_TOKEN"]}


@pytest.fixture
def zendesk_auth(sandbox: Sandbox) -> tuple[str, str]:
    env = sandbox.env()
    return (f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
