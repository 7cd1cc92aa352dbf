"""Zendesk Support connection settings, read once from the environment (docs/contracts.md).

API-token authentication is HTTP basic with ``{email}/token`` as the user name. The token (and
the encoded credentials built from it) are registered with the HTTP layer's redaction as soon as
they are read and kept out of ``repr``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from connectors import env as settings_env
from connectors.base import DEFAULT_BATCH_PAGES
from connectors.errors import ConfigurationError
from connectors.http import HttpSettings, register_secret

PLATFORM = "zendesk"
DEFAULT_HISTORY_DAYS = 90
MAX_EXPORT_PAGE_SIZE = 1000  # the incremental exports' maximum


@dataclass(frozen=True)
class ZendeskSettings:
    """One Zendesk account: its URL, the API user and token, how far back a first run reads."""

    url: str
    email: str
    api_token: str = field(repr=False)
    history_days: int = DEFAULT_HISTORY_DAYS
    export_page_size: int = MAX_EXPORT_PAGE_SIZE  # records per export page (``per_page``)
    batch_pages: int = DEFAULT_BATCH_PAGES  # pages landed per transaction
    http: HttpSettings = field(default_factory=HttpSettings)
    # a rerun of one past day (set by the orchestration, never from the environment): the
    # tickets export is read over that day's window (connectors.base.replay_window) and its
    # cursor kept; users are read as on any night
    replay_day: date | None = None

    def __post_init__(self) -> None:
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise ConfigurationError(PLATFORM, "settings", "ZENDESK_URL must be an http(s) URL")
        register_secret(self.api_token)
        register_secret(base64.b64encode(f"{self.auth[0]}:{self.api_token}".encode()).decode())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ZendeskSettings:
        """Settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        return cls(
            url=settings_env.required(env, "ZENDESK_URL", PLATFORM),
            email=settings_env.required(env, "ZENDESK_EMAIL", PLATFORM),
            api_token=settings_env.required(env, "ZENDESK_API_TOKEN", PLATFORM),
            history_days=settings_env.days(env, "KPI_HISTORY_DAYS", cls.history_days, PLATFORM),
        )

    @property
    def auth(self) -> tuple[str, str]:
        """HTTP basic credentials for API-token authentication."""
        return (f"{self.email}/token", self.api_token)
