"""FX reference-rate settings, read once from the environment (see docs/contracts.md).

The rates service needs no credentials. Rates are asked per one unit of the reporting currency
(the ``base``) for each currency in ``symbols``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from connectors import env as settings_env
from connectors.errors import ConfigurationError
from connectors.http import HttpSettings

PLATFORM = "fx"
DEFAULT_REPORTING_CURRENCY = "USD"
DEFAULT_SYMBOLS = ("EUR", "JPY", "GBP")
DEFAULT_HISTORY_DAYS = 90
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class FxSettings:
    """Where the Frankfurter-compatible service is and which rates to keep."""

    rates_url: str
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY
    symbols: tuple[str, ...] = DEFAULT_SYMBOLS
    history_days: int = DEFAULT_HISTORY_DAYS
    http: HttpSettings = field(default_factory=HttpSettings)
    # a rerun of one past day (set by the orchestration, never from the environment): the
    # rates of that day and the re-pull week before it are read, the cursor kept
    replay_day: date | None = None

    def __post_init__(self) -> None:
        if urlsplit(self.rates_url).scheme not in ("http", "https"):
            raise ConfigurationError(PLATFORM, "settings", "FX_RATES_URL must be an http(s) URL")
        for code in (self.reporting_currency, *self.symbols):
            if not _CURRENCY.fullmatch(code):
                raise ConfigurationError(
                    PLATFORM,
                    "settings",
                    f"{code!r} is not a currency code (REPORTING_CURRENCY, FX_SYMBOLS)",
                )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> FxSettings:
        """Settings from ``environ`` (default: the process environment)."""
        env = os.environ if environ is None else environ
        rates_url = (env.get("FX_RATES_URL") or "").strip()
        if not rates_url:
            raise ConfigurationError(
                PLATFORM, "settings", "environment variable FX_RATES_URL is not set"
            )
        symbols = env.get("FX_SYMBOLS") or ",".join(DEFAULT_SYMBOLS)
        base = env.get("REPORTING_CURRENCY") or DEFAULT_REPORTING_CURRENCY
        return cls(
            history_days=settings_env.days(env, "KPI_HISTORY_DAYS", cls.history_days, PLATFORM),
            rates_url=rates_url,
            reporting_currency=base.strip().upper(),
            symbols=tuple(s.strip().upper() for s in symbols.split(",") if s.strip()),
        )

    @property
    def quoted(self) -> tuple[str, ...]:
        """The currencies to ask for: the symbols without the base itself, in order."""
        return tuple(dict.fromkeys(s for s in self.symbols if s != self.reporting_currency))
