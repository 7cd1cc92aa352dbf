"""Shopify connection settings, read once from the environment (see docs/contracts.md).

The access token is registered with the HTTP layer's redaction as soon as it is read, and kept
out of the settings' ``repr``, so it cannot reach a log line, an exception or the warehouse.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from connectors import env as settings_env
from connectors.base import DEFAULT_BATCH_PAGES
from connectors.errors import ConfigurationError
from connectors.http import HttpSettings, register_secret

PLATFORM = "shopify"
DEFAULT_API_VERSION = "2024-10"
DEFAULT_HISTORY_DAYS = 90
MAX_PAGE_SIZE = 250


@dataclass(frozen=True)
class ShopifySettings:
    """One Shopify store: where it is, how to authenticate, how far back a first run reads."""

    store_url: str
    access_token: str = field(repr=False)
    api_version: str = DEFAULT_API_VERSION
    history_days: int = DEFAULT_HISTORY_DAYS
    repull_days: int = 3  # orders change for days after placement (refunds, fulfilments)
    page_size: int = MAX_PAGE_SIZE  # orders per page (``limit``); Shopify allows 1-250
    batch_pages: int = DEFAULT_BATCH_PAGES  # pages landed per transaction
    http: HttpSettings = field(default_factory=HttpSettings)
    # a rerun of one past day (set by the orchestration, never from the environment): orders
    # created in that day's window (connectors.base.replay_window) are read, the cursor kept
    replay_day: date | None = None

    def __post_init__(self) -> None:
        if urlsplit(self.store_url).scheme not in ("http", "https"):
            raise ConfigurationError(
                PLATFORM, "settings", "SHOPIFY_STORE_URL must be an http(s) URL"
            )
        register_secret(self.access_token)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ShopifySettings:
        """Settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        return cls(
            store_url=settings_env.required(env, "SHOPIFY_STORE_URL", PLATFORM),
            access_token=settings_env.required(env, "SHOPIFY_ACCESS_TOKEN", PLATFORM),
            api_version=env.get("SHOPIFY_API_VERSION") or DEFAULT_API_VERSION,
            history_days=settings_env.days(env, "KPI_HISTORY_DAYS", cls.history_days, PLATFORM),
            repull_days=settings_env.days(env, "SHOPIFY_REPULL_DAYS", cls.repull_days, PLATFORM),
        )

    @property
    def admin_url(self) -> str:
        """The versioned Admin REST root, e.g. ``https://shop.myshopify.com/admin/api/2024-10``."""
        return f"{self.store_url.rstrip('/')}/admin/api/{self.api_version}"
