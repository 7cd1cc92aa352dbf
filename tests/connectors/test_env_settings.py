"""Windows and limits can be set from the environment; a bad value names its variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.amazon_ads import AmazonAdsSettings
from connectors.amazon_sp import AmazonSpSettings
from connectors.errors import ConfigurationError
from connectors.shopify import ShopifySettings

LWA = {
    "AMAZON_LWA_TOKEN_URL": "http://127.0.0.1:9/auth/o2/token",
    "AMAZON_LWA_CLIENT_ID": "client-id",
    "AMAZON_LWA_CLIENT_SECRET": "client-secret-for-tests",
}
SP = {
    **LWA,
    "AMAZON_SP_API_URL": "http://127.0.0.1:9",
    "AMAZON_SP_REFRESH_TOKEN": "sp-refresh-token-for-tests",
    "AMAZON_SP_MARKETPLACE_IDS": "ATVPDKIKX0DER",
}
ADS = {
    **LWA,
    "AMAZON_ADS_API_URL": "http://127.0.0.1:9",
    "AMAZON_ADS_REFRESH_TOKEN": "ads-refresh-token-for-tests",
}
SHOPIFY = {"SHOPIFY_STORE_URL": "http://127.0.0.1:9", "SHOPIFY_ACCESS_TOKEN": "shpat_tests0000"}


def test_defaults_hold_when_nothing_is_set():
    sp, ads, shop = (
        AmazonSpSettings.from_env(SP),
        AmazonAdsSettings.from_env(ADS),
        ShopifySettings.from_env(SHOPIFY),
    )
    assert (sp.history_days, sp.orders_repull, sp.refunds_repull) == (
        90,
        timedelta(days=3),
        timedelta(days=7),
    )
    assert (ads.history_days, ads.repull) == (60, timedelta(days=30))
    assert (shop.history_days, shop.repull_days) == (90, 3)


def test_windows_come_from_the_environment():
    sp = AmazonSpSettings.from_env({**SP, "KPI_HISTORY_DAYS": "30", "AMAZON_SP_REPULL_DAYS": "5"})
    ads = AmazonAdsSettings.from_env({**ADS, "AMAZON_ADS_REPULL_DAYS": "14"})
    shop = ShopifySettings.from_env({**SHOPIFY, "SHOPIFY_REPULL_DAYS": "10"})
    assert (sp.history_days, sp.orders_repull) == (30, timedelta(days=5))
    assert ads.repull == timedelta(days=14)
    assert shop.repull_days == 10


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        pytest.param("KPI_HISTORY_DAYS", "thirty", id="days in words"),
        pytest.param("AMAZON_SP_REPULL_DAYS", "-1", id="negative days"),
        pytest.param("AMAZON_REPORT_POLL_INTERVAL_S", "0", id="zero poll interval"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(variable: str, value: str):
    with pytest.raises(ConfigurationError, match=variable):
        AmazonSpSettings.from_env({**SP, variable: value})
