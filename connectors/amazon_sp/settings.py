"""SP-API connection settings, read once from the environment (see docs/contracts.md).

Windows and patience live here as typed defaults, so a test or a backfill changes them with
``dataclasses.replace`` instead of environment variables nobody documents. Secrets are registered
with the HTTP layer's redaction when read and are kept out of ``repr``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from connectors import env as settings_env
from connectors.amazon_lwa import LwaCredentials
from connectors.base import DEFAULT_BATCH_PAGES
from connectors.errors import ConfigurationError
from connectors.http import HttpSettings

PLATFORM = "amazon_sp_api"
MARKETPLACE_ID = re.compile(r"[A-Z0-9]{9,14}")
DEFAULT_HISTORY_DAYS = 90


@dataclass(frozen=True)
class AmazonSpSettings:
    """One seller's SP-API account in one region, and how each stream windows its reads."""

    api_url: str
    lwa: LwaCredentials
    marketplace_ids: tuple[str, ...]
    history_days: int = DEFAULT_HISTORY_DAYS
    orders_repull: timedelta = timedelta(days=3)
    refunds_repull: timedelta = timedelta(days=7)
    ledger_repull: timedelta = timedelta(days=3)
    shipments_repull: timedelta = timedelta(days=3)
    # getOrders and listFinancialEvents refuse an end later than 2 minutes before now
    end_lag: timedelta = timedelta(minutes=2)
    page_size: int = 100
    report_poll_interval_s: float = 30.0
    report_max_wait_s: float = 3600.0
    batch_pages: int = DEFAULT_BATCH_PAGES
    http: HttpSettings = field(default_factory=HttpSettings)
    # a rerun of one past day (set by the orchestration, never from the environment): the
    # dated streams read that day's records (connectors.base.replay_window) and keep their
    # cursors; the inventory snapshot, which has no history, lands nothing
    replay_day: date | None = None

    def __post_init__(self) -> None:
        if urlsplit(self.api_url).scheme not in ("http", "https"):
            raise ConfigurationError(
                PLATFORM, "settings", "AMAZON_SP_API_URL must be an http(s) URL"
            )
        if not self.marketplace_ids:
            raise ConfigurationError(
                PLATFORM, "settings", "AMAZON_SP_MARKETPLACE_IDS lists no marketplace"
            )
        for marketplace_id in self.marketplace_ids:
            if not MARKETPLACE_ID.fullmatch(marketplace_id):
                raise ConfigurationError(
                    PLATFORM,
                    "settings",
                    f"AMAZON_SP_MARKETPLACE_IDS: {marketplace_id!r} is not a marketplace id "
                    "(separate ids with commas, e.g. ATVPDKIKX0DER,A1PA6795UKMFR9)",
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AmazonSpSettings:
        """Settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        return cls(
            api_url=settings_env.required(env, "AMAZON_SP_API_URL", PLATFORM),
            lwa=LwaCredentials.from_env(
                env, refresh_token_variable="AMAZON_SP_REFRESH_TOKEN", platform=PLATFORM
            ),
            marketplace_ids=settings_env.comma_list(
                settings_env.required(env, "AMAZON_SP_MARKETPLACE_IDS", PLATFORM)
            ),
            history_days=settings_env.days(env, "KPI_HISTORY_DAYS", cls.history_days, PLATFORM),
            orders_repull=timedelta(
                days=settings_env.days(
                    env, "AMAZON_SP_REPULL_DAYS", cls.orders_repull.days, PLATFORM
                )
            ),
            refunds_repull=timedelta(
                days=settings_env.days(
                    env, "AMAZON_SP_REFUNDS_REPULL_DAYS", cls.refunds_repull.days, PLATFORM
                )
            ),
            report_poll_interval_s=settings_env.seconds(
                env, "AMAZON_REPORT_POLL_INTERVAL_S", cls.report_poll_interval_s, PLATFORM
            ),
        )
