"""Shopify settings come from the environment variables of docs/contracts.md, and nowhere else."""

from __future__ import annotations

import pytest

from connectors.errors import ConfigurationError
from connectors.http import redact
from connectors.shopify import ShopifySettings

ENV = {
    "SHOPIFY_STORE_URL": "http://127.0.0.1:9/",
    "SHOPIFY_ACCESS_TOKEN": "shpat_settings_test_token",
}


def test_settings_read_the_documented_variables_and_default_the_api_version() -> None:
    settings = ShopifySettings.from_env(ENV)

    assert settings.store_url == "http://127.0.0.1:9/"
    assert settings.api_version == "2024-10"
    assert settings.history_days == 90
    assert settings.admin_url == "http://127.0.0.1:9/admin/api/2024-10"


def test_an_explicit_api_version_is_used() -> None:
    settings = ShopifySettings.from_env({**ENV, "SHOPIFY_API_VERSION": "2025-01"})

    assert settings.admin_url == "http://127.0.0.1:9/admin/api/2025-01"


@pytest.mark.parametrize(
    "missing",
    [
        pytest.param("SHOPIFY_STORE_URL", id="no store url is an error naming it"),
        pytest.param("SHOPIFY_ACCESS_TOKEN", id="no access token is an error naming it"),
    ],
)
def test_a_missing_variable_is_a_configuration_error_naming_it(missing: str) -> None:
    env = {key: value for key, value in ENV.items() if key != missing}

    with pytest.raises(ConfigurationError, match=missing):
        ShopifySettings.from_env(env)


def test_the_token_is_kept_out_of_repr_and_masked_by_redaction() -> None:
    settings = ShopifySettings.from_env(ENV)

    assert "shpat_settings_test_token" not in repr(settings)
    assert redact("token=shpat_settings_test_token") == "token=***"


def test_a_store_url_without_a_scheme_is_rejected() -> None:
    with pytest.raises(ConfigurationError, match="SHOPIFY_STORE_URL"):
        ShopifySettings.from_env({**ENV, "SHOPIFY_STORE_URL": "myshop.myshopify.com"})
