"""Zendesk settings come from the environment variables of docs/contracts.md, and nowhere else."""

from __future__ import annotations

import base64

import pytest

from connectors.errors import ConfigurationError
from connectors.http import redact
from connectors.zendesk import ZendeskSettings

ENV = {
    "ZENDESK_URL": "http://127.0.0.1:9",
    "ZENDESK_EMAIL": "agent@example.com",
    "ZENDESK_API_TOKEN": "zd_settings_test_token",
}


def test_settings_use_api_token_basic_auth() -> None:
    settings = ZendeskSettings.from_env(ENV)

    assert settings.url == "http://127.0.0.1:9"
    assert settings.auth == ("agent@example.com/token", "zd_settings_test_token")
    assert settings.history_days == 90


@pytest.mark.parametrize(
    "missing",
    [
        pytest.param("ZENDESK_URL", id="no url is an error naming it"),
        pytest.param("ZENDESK_EMAIL", id="no email is an error naming it"),
        pytest.param("ZENDESK_API_TOKEN", id="no token is an error naming it"),
    ],
)
def test_a_missing_variable_is_a_configuration_error_naming_it(missing: str) -> None:
    env = {key: value for key, value in ENV.items() if key != missing}

    with pytest.raises(ConfigurationError, match=missing):
        ZendeskSettings.from_env(env)


def test_the_token_and_the_encoded_credentials_are_masked() -> None:
    settings = ZendeskSettings.from_env(ENV)
    encoded = base64.b64encode(b"agent@example.com/token:zd_settings_test_token").decode()

    assert "zd_settings_test_token" not in repr(settings)
    assert redact(f"Authorization: Basic {encoded}") == "Authorization: Basic ***"
