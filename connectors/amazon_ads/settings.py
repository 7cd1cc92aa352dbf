"""Amazon Ads API settings, read once from the environment (see docs/contracts.md).

The LWA app (client id and secret, token URL) is the one the SP-API connector uses; the refresh
token is the advertiser's own. Secrets are registered with the HTTP layer's redaction when read
and kept out of ``repr``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from connectors import env as settings_env
from connectors.amazon_lwa import LwaCredentials
from connectors.errors import ConfigurationError
from connectors.http import HttpSettings

PLATFORM = "amazon_ads"
# Amazon keeps daily Sponsored Products report data for about 60 days; asking further back
# returns nothing useful, so a first run takes that much history.
DEFAULT_HISTORY_DAYS = 60


@dataclass(frozen=True)
class AmazonAdsSettings:
    """One advertiser account in one region, and how far the campaign report looks back."""

    api_url: str
    lwa: LwaCredentials
    # empty: every profile /v2/profiles returns
    profile_ids: tuple[str, ...] = ()
    history_days: int = DEFAULT_HISTORY_DAYS
    # attribution settles over about four weeks: each run reads the last 30 days again
    repull: timedelta = timedelta(days=30)
    # the reporting API refuses a report spanning more than 31 days
    max_report_days: int = 31
    report_poll_interval_s: float = 30.0
    report_max_wait_s: float = 7200.0
    http: HttpSettings = field(default_factory=HttpSettings)
    # a rerun of one past day (set by the orchestration, never from the environment): the
    # reports ask for that day only (in each profile's zone) and keep their cursors
    replay_day: date | None = None

    def __post_init__(self) -> None:
        if urlsplit(self.api_url).scheme not in ("http", "https"):
            raise ConfigurationError(
                PLATFORM, "settings", "AMAZON_ADS_API_URL must be an http(s) URL"
            )
        if self.max_report_days < 1:
            raise ConfigurationError(PLATFORM, "settings", "max_report_days must be at least 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AmazonAdsSettings:
        """Settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        return cls(
            api_url=settings_env.required(env, "AMAZON_ADS_API_URL", PLATFORM),
            lwa=LwaCredentials.from_env(
                env, refresh_token_variable="AMAZON_ADS_REFRESH_TOKEN", platform=PLATFORM
            ),
            profile_ids=settings_env.comma_list(env.get("AMAZON_ADS_PROFILE_IDS")),
            history_days=settings_env.days(
                env, "AMAZON_ADS_HISTORY_DAYS", cls.history_days, PLATFORM
            ),
            repull=timedelta(
                days=settings_env.days(env, "AMAZON_ADS_REPULL_DAYS", cls.repull.days, PLATFORM)
            ),
            report_poll_interval_s=settings_env.seconds(
                env, "AMAZON_REPORT_POLL_INTERVAL_S", cls.report_poll_interval_s, PLATFORM
            ),
        )
