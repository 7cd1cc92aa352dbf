"""Helpers of the Amazon tests: genuine fixtures, settings on 127.0.0.1, shared pytest fixtures.

The fixtures are imported by the conftest of tests/connectors/amazon_sp and .../amazon_ads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from connectors.amazon_lwa import LwaCredentials, clear_token_cache
from connectors.amazon_sp import AmazonSpSettings
from connectors.http import HttpSettings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "real" / "amazon_sp_api"
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=3, backoff_factor_s=0.01)
CLIENT_SECRET = "amzn1.oa2-cs.v1.replay-client-secret-0001"
REFRESH_TOKEN = "Atzr|replay-refresh-token-0001"
ACCESS_TOKEN = "Atza|replay-access-token-0001"
TOKEN_PATH = "/auth/o2/token"


def genuine(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


def served(document: object) -> bytes:
    """A response object as the platform sends it: its JSON text."""
    return json.dumps(document).encode()


def token_body(token: str = ACCESS_TOKEN, expires_in: int = 3600) -> bytes:
    return served({"access_token": token, "token_type": "bearer", "expires_in": expires_in})


def sp_settings(base_url: str, **overrides: object) -> AmazonSpSettings:
    settings = AmazonSpSettings(
        api_url=base_url,
        lwa=LwaCredentials(
            token_url=f"{base_url}{TOKEN_PATH}",
            client_id="amzn1.application-oa2-client.replay",
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
        ),
        marketplace_ids=("ATVPDKIKX0DER",),
        http=FAST,
        report_poll_interval_s=0.01,
        report_max_wait_s=5.0,
    )
    return replace(settings, **overrides)


@pytest.fixture(autouse=True)
def fresh_tokens() -> Iterator[None]:
    # a later test may get the same ephemeral port, hence the same cache key
    clear_token_cache()
    yield
    clear_token_cache()
