"""ECB-like reference rates: EUR, JPY and GBP per USD on TARGET working days only.

Grain: one set of rates per working day. The series is a mean-reverting random walk of the
log rates that starts at a fixed anchor day; each day's step is drawn from a stream seeded by
the seed and that day, so any date's rate is the same whatever window is asked for. No rate is
published on weekends or TARGET holidays (New Year, Good Friday, Easter Monday, 1 May,
25 and 26 December); a day's rate is published at 16:00 Frankfurt time.
"""

from __future__ import annotations

import math
import random
import threading
from datetime import UTC, date, datetime, timedelta

from sandbox.clock import HOUR, local_day_bounds

ANCHOR = date(2020, 1, 1)
QUOTED = ("EUR", "JPY", "GBP")
# long-run levels per USD and daily volatility of the log rate
LEVEL = {"EUR": 0.92, "JPY": 148.0, "GBP": 0.79}
VOLATILITY = {"EUR": 0.0035, "JPY": 0.0045, "GBP": 0.0035}
REVERSION = 0.02
DECIMALS = {"EUR": 4, "JPY": 2, "GBP": 4, "USD": 4}
PUBLISH_HOUR = 16  # Europe/Berlin


def easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in ((1, 1), (5, 1), (12, 25), (12, 26)):
        return False
    sunday = easter(day.year)
    return day not in (sunday - timedelta(days=2), sunday + timedelta(days=1))


def published_through(as_of: int) -> date:
    """The last day whose rates are out at ``as_of`` (published 16:00 Frankfurt time)."""
    day = datetime.fromtimestamp(as_of, UTC).date() + timedelta(days=2)  # then walk back
    while local_day_bounds(day, "Europe/Berlin")[0] + PUBLISH_HOUR * HOUR > as_of:
        day -= timedelta(days=1)
    return day


class FxSeries:
    """The seed's rate series, extended lazily and shared by concurrent requests."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._log = {code: math.log(LEVEL[code]) for code in QUOTED}
        self._next = ANCHOR
        self._rates: dict[date, dict[str, float]] = {}

    def _extend(self, through: date) -> None:
        while self._next <= through:
            day = self._next
            rng = random.Random(f"{self.seed}|fx|{day.isoformat()}")
            steps = {code: rng.gauss(0.0, VOLATILITY[code]) for code in QUOTED}
            if is_working_day(day):
                for code in QUOTED:
                    target = math.log(LEVEL[code])
                    value = self._log[code]
                    self._log[code] = value + REVERSION * (target - value) + steps[code]
                self._rates[day] = {
                    code: round(math.exp(self._log[code]), DECIMALS[code]) for code in QUOTED
                }
            self._next = day + timedelta(days=1)

    def per_usd(self, day: date) -> dict[str, float] | None:
        """Units of each quoted currency per USD on ``day``, or None on a non-working day."""
        if day < ANCHOR:
            return None
        with self._lock:
            self._extend(day)
            return self._rates.get(day)

    def series(
        self, start: date, end: date, base: str = "USD", symbols: tuple[str, ...] = ()
    ) -> dict[str, dict[str, float]]:
        """Rates by ISO date for the working days in ``[start, end]``, quoted against ``base``.

        Like Frankfurter, a start on a closed day also returns the last working day before it,
        so the caller can carry that rate forward.
        """
        wanted = symbols or tuple(code for code in ("USD", *QUOTED) if code != base)
        first = start
        for _ in range(10):
            if self.per_usd(first) is not None or first <= ANCHOR:
                break
            first -= timedelta(days=1)
        out: dict[str, dict[str, float]] = {}
        day = first
        while day <= end:
            usd = self.per_usd(day)
            if usd is not None:
                table = {"USD": 1.0, **usd}
                out[day.isoformat()] = {
                    code: round(table[code] / table[base], DECIMALS[code])
                    for code in wanted
                    if code != base
                }
            day += timedelta(days=1)
        return out
