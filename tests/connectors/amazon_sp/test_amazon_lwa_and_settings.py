"""Amazon settings from the environment and the Login with Amazon token exchange."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest

from connectors.amazon_ads import AmazonAdsSettings
from connectors.amazon_lwa import LwaCredentials, LwaTokenSource
from connectors.amazon_sp import AmazonSpSettings, sync_orders, sync_refund_events
from connectors.errors import ConfigurationError, ConnectorError
from connectors.http import redact
from tests.connectors.amazon_sp.support import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    FAST,
    REFRESH_TOKEN,
    TOKEN_PATH,
    served,
    sp_settings,
    token_body,
)
from tests.support.loopback import Canned, Loopback

NOW = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)
SP_ENV = {
    "AMAZON_LWA_TOKEN_URL": "http://127.0.0.1:9/auth/o2/token",
    "AMAZON_LWA_CLIENT_ID": "amzn1.application-oa2-client.env",
    "AMAZON_LWA_CLIENT_SECRET": "amzn1.oa2-cs.v1.env-secret-0002",
    "AMAZON_SP_API_URL": "http://127.0.0.1:9",
    "AMAZON_SP_REFRESH_TOKEN": "Atzr|env-sp-refresh-0002",
    "AMAZON_SP_MARKETPLACE_IDS": "ATVPDKIKX0DER, A1PA6795UKMFR9,A1VC38T7YXB528",
}
ADS_ENV = {
    **{k: v for k, v in SP_ENV.items() if k.startswith("AMAZON_LWA")},
    "AMAZON_ADS_API_URL": "http://127.0.0.1:9",
    "AMAZON_ADS_REFRESH_TOKEN": "Atzr|env-ads-refresh-0002",
}
EMPTY_ORDERS = served({"payload": {"Orders": []}})
EMPTY_REFUNDS = served({"payload": {"FinancialEvents": {}}})


def test_sp_settings_read_every_variable_of_the_contract() -> None:
    settings = AmazonSpSettings.from_env(SP_ENV)

    assert settings.api_url == "http://127.0.0.1:9"
    assert settings.marketplace_ids == ("ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528")
    assert settings.lwa.token_url == "http://127.0.0.1:9/auth/o2/token"
    assert settings.lwa.refresh_token == "Atzr|env-sp-refresh-0002"
    assert settings.history_days == 90


@pytest.mark.parametrize("name", sorted(SP_ENV))
def test_a_missing_sp_variable_is_named_in_the_error(name: str) -> None:
    env = {key: value for key, value in SP_ENV.items() if key != name}
    with pytest.raises(ConfigurationError, match=f"environment variable {name} is not set"):
        AmazonSpSettings.from_env(env)


def test_ads_settings_take_every_profile_unless_told_otherwise() -> None:
    assert AmazonAdsSettings.from_env(ADS_ENV).profile_ids == ()
    chosen = AmazonAdsSettings.from_env({**ADS_ENV, "AMAZON_ADS_PROFILE_IDS": "111, 222"})
    assert chosen.profile_ids == ("111", "222")
    assert chosen.lwa.refresh_token_variable == "AMAZON_ADS_REFRESH_TOKEN"


@pytest.mark.parametrize("name", ["AMAZON_ADS_API_URL", "AMAZON_ADS_REFRESH_TOKEN"])
def test_a_missing_ads_variable_is_named_in_the_error(name: str) -> None:
    env = {key: value for key, value in ADS_ENV.items() if key != name}
    with pytest.raises(ConfigurationError, match=name):
        AmazonAdsSettings.from_env(env)


def test_secrets_stay_out_of_repr_and_are_masked_wherever_they_appear() -> None:
    settings = AmazonSpSettings.from_env(SP_ENV)
    text = repr(settings)

    assert "env-secret-0002" not in text
    assert "env-sp-refresh-0002" not in text
    assert redact(f"body: {SP_ENV['AMAZON_LWA_CLIENT_SECRET']}") == "body: ***"


def test_one_access_token_serves_every_stream_of_the_run(con) -> None:
    with Loopback() as server:
        server.route("POST", TOKEN_PATH, Canned(body=token_body()))
        server.route("GET", "/orders/v0/orders", Canned(body=EMPTY_ORDERS))
        server.route("GET", "/finances/v0/financialEvents", Canned(body=EMPTY_REFUNDS))
        settings = sp_settings(server.url)
        sync_orders(con, settings, run_id="run-1", now=NOW)
        sync_refund_events(con, settings, run_id="run-1", now=NOW)
        exchanges = [s for s in server.requests if s.path == TOKEN_PATH]
        api_tokens = {s.headers.get("x-amz-access-token") for s in server.requests[1:]}

    assert len(exchanges) == 1
    assert dict(parse_qsl(exchanges[0].body.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "client_id": "amzn1.application-oa2-client.replay",
        "client_secret": CLIENT_SECRET,
    }
    assert api_tokens == {ACCESS_TOKEN}


def test_the_token_is_renewed_shortly_before_it_expires() -> None:
    now = [1000.0]
    with Loopback() as server:
        server.route(
            "POST",
            TOKEN_PATH,
            Canned(body=token_body("Atza|first", expires_in=3600)),
            Canned(body=token_body("Atza|second", expires_in=3600)),
        )
        creds = LwaCredentials(f"{server.url}{TOKEN_PATH}", "client", CLIENT_SECRET, REFRESH_TOKEN)
        source = LwaTokenSource(creds, FAST, clock=lambda: now[0])
        first = source.token(stream="test")
        now[0] += 3000  # 10 minutes before expiry: still good
        still = source.token(stream="test")
        now[0] += 500  # 100 s before expiry: inside the renewal margin
        renewed = source.token(stream="test")

    assert (first, still, renewed) == ("Atza|first", "Atza|first", "Atza|second")
    assert source.exchanges == 2


def test_a_refused_token_is_renewed_once_and_the_call_succeeds(con) -> None:
    with Loopback() as server:
        server.route(
            "POST",
            TOKEN_PATH,
            Canned(body=token_body("Atza|stale")),
            Canned(body=token_body("Atza|fresh")),
        )
        server.route(
            "GET",
            "/orders/v0/orders",
            Canned(status=403, body=served({"errors": [{"code": "Unauthorized"}]})),
            Canned(body=EMPTY_ORDERS),
        )
        run = sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)
        sent = [
            s.headers.get("x-amz-access-token") for s in server.requests if s.path != TOKEN_PATH
        ]

    assert sent == ["Atza|stale", "Atza|fresh"]
    assert run.cursor == "2026-09-01T01:58:00Z"


def test_a_second_refusal_fails_clearly_without_leaking_a_secret(con, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with Loopback() as server:
        server.route("POST", TOKEN_PATH, Canned(body=token_body()))
        server.route(
            "GET",
            "/orders/v0/orders",
            Canned(status=403, body=served({"errors": [{"code": "Unauthorized"}]})),
        )
        with pytest.raises(ConnectorError) as raised:
            sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)
        exchanges = sum(1 for s in server.requests if s.path == TOKEN_PATH)

    message = str(raised.value)
    assert message == (
        "[amazon_sp_api/amazon_orders] GET /orders/v0/orders answered 403 with a freshly renewed "
        "access token: check that AMAZON_SP_REFRESH_TOKEN belongs to this account and the app "
        "has the role this call needs"
    )
    assert exchanges == 2
    for secret in (ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET):
        assert secret not in message
        assert secret not in caplog.text


def test_a_refresh_token_lwa_refuses_names_the_variables_to_check(con, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    refusal = served({"error": "invalid_grant", "error_description": f"bad token {REFRESH_TOKEN}"})
    with Loopback() as server:
        server.route("POST", TOKEN_PATH, Canned(status=400, body=refusal))
        with pytest.raises(ConnectorError) as raised:
            sync_orders(con, sp_settings(server.url), run_id="run-1", now=NOW)

    assert str(raised.value) == (
        "[amazon_lwa/amazon_orders] the token endpoint refused the refresh token (invalid_grant):"
        " check AMAZON_SP_REFRESH_TOKEN, AMAZON_LWA_CLIENT_ID and AMAZON_LWA_CLIENT_SECRET"
    )
    assert REFRESH_TOKEN not in caplog.text
    assert CLIENT_SECRET not in caplog.text
