"""FX reference rates: settings, window, one raw row per (base, date), reruns change nothing.

The rates service is scripted on 127.0.0.1 (tests/support/loopback.py) in the Frankfurter shape
of docs/contracts.md; the sandbox tests exercise the same stream against generated rates.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl

import pytest

from connectors.errors import ConfigurationError, ConnectorError
from connectors.fx import FxSettings, sync_rates
from connectors.http import HttpSettings
from tests.support.loopback import Canned, Loopback

NOW = datetime(2026, 9, 1, 18, 0, tzinfo=UTC)  # a Tuesday
FAST = HttpSettings(connect_timeout_s=2, read_timeout_s=10, total_retries=2, backoff_factor_s=0.01)
FIRST_WINDOW = "/v1/2026-05-27..2026-09-01"  # 90 days of history plus 7 for a leading Monday
RATES = {
    "2026-08-28": {"EUR": 0.9123, "GBP": 0.7712, "JPY": 147.31},
    "2026-08-31": {"EUR": 0.9131, "GBP": 0.7709, "JPY": 146.9},
    "2026-09-01": {"EUR": 0.9102, "GBP": 0.7698, "JPY": 147.05},
}


def page(rates: dict[str, dict[str, float]]) -> bytes:
    days = sorted(rates) or ["2026-09-01"]
    body = {"amount": 1.0, "base": "USD", "start_date": days[0], "end_date": days[-1]}
    return json.dumps({**body, "rates": rates}).encode()


def settings_for(server: Loopback) -> FxSettings:
    return FxSettings(rates_url=server.url, http=FAST)


def test_settings_default_to_usd_and_three_currencies() -> None:
    settings = FxSettings.from_env({"FX_RATES_URL": "http://127.0.0.1:9"})

    assert (settings.reporting_currency, settings.quoted) == ("USD", ("EUR", "JPY", "GBP"))


def test_the_base_currency_is_never_asked_as_a_symbol() -> None:
    settings = FxSettings.from_env(
        {"FX_RATES_URL": "http://127.0.0.1:9", "REPORTING_CURRENCY": "eur", "FX_SYMBOLS": "EUR,usd"}
    )

    assert (settings.reporting_currency, settings.quoted) == ("EUR", ("USD",))


def test_a_missing_rates_url_is_a_configuration_error_naming_it() -> None:
    with pytest.raises(ConfigurationError, match="FX_RATES_URL"):
        FxSettings.from_env({"REPORTING_CURRENCY": "USD"})


def test_a_malformed_currency_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="'EURO'"):
        FxSettings.from_env({"FX_RATES_URL": "http://127.0.0.1:9", "FX_SYMBOLS": "EURO"})


def test_each_working_day_lands_as_one_row_with_its_rates(con, server) -> None:
    server.route("GET", FIRST_WINDOW, Canned(body=page(RATES)))
    run = sync_rates(con, settings_for(server), run_id="run-1", now=NOW)
    sent = server.requests

    assert [(r.path, dict(parse_qsl(r.query))) for r in sent] == [
        (FIRST_WINDOW, {"base": "USD", "symbols": "EUR,JPY,GBP"})
    ]
    rows = con.execute(
        "select base_currency, rate_date, _record from raw.fx_rates order by rate_date"
    ).fetchall()
    assert [(base, day) for base, day, _ in rows] == [
        ("USD", date(2026, 8, 28)),
        ("USD", date(2026, 8, 31)),
        ("USD", date(2026, 9, 1)),
    ]
    assert json.loads(rows[0][2]) == {
        "date": "2026-08-28",
        "base": "USD",
        "rates": {"EUR": 0.9123, "GBP": 0.7712, "JPY": 147.31},
    }
    assert run.cursor == "2026-09-01"
    assert (run.records, run.requests) == (3, 1)


def test_the_next_run_rereads_seven_days_and_a_rerun_changes_nothing(con, server) -> None:
    server.route("GET", FIRST_WINDOW, Canned(body=page(RATES)))
    server.route("GET", "/v1/2026-08-25..2026-09-01", Canned(body=page(RATES)))
    sync_rates(con, settings_for(server), run_id="run-1", now=NOW)
    second = sync_rates(con, settings_for(server), run_id="run-2", now=NOW)

    result = second.tables["raw.fx_rates"]
    assert (result.records, result.inserted, result.updated) == (3, 0, 0)
    assert con.execute("select count(*), max(_run_id) from raw.fx_rates").fetchone() == (
        3,
        "run-1",
    )


def test_a_corrected_rate_on_a_reread_day_replaces_that_day(con, server) -> None:
    corrected = {**RATES, "2026-08-31": {"EUR": 0.9135, "GBP": 0.7709, "JPY": 146.9}}
    server.route("GET", FIRST_WINDOW, Canned(body=page(RATES)))
    server.route("GET", "/v1/2026-08-25..2026-09-01", Canned(body=page(corrected)))
    sync_rates(con, settings_for(server), run_id="run-1", now=NOW)
    second = sync_rates(con, settings_for(server), run_id="run-2", now=NOW)

    assert second.tables["raw.fx_rates"].updated == 1
    assert con.execute(
        """select (_record->'rates'->>'EUR')::double, _run_id from raw.fx_rates
        where rate_date = '2026-08-31'"""
    ).fetchone() == (0.9135, "run-2")


def test_rates_of_another_base_than_asked_fail_naming_the_field_and_land_nothing(
    con, server
) -> None:
    # a service that does not know the reporting currency and answers its default base
    server.route("GET", FIRST_WINDOW, Canned(body=page(RATES).replace(b'"USD"', b'"EUR"')))
    with pytest.raises(ConnectorError, match=r"base USD .*field 'base' = 'EUR'"):
        sync_rates(con, settings_for(server), run_id="run-1", now=NOW)

    assert con.execute(
        "select (select count(*) from raw._load_log), (select count(*) from raw._stream_state)"
    ).fetchone() == (0, 0)


def test_a_window_without_rates_lands_nothing_and_stores_no_cursor(con, server) -> None:
    server.route("GET", FIRST_WINDOW, Canned(body=page({})))
    run = sync_rates(con, settings_for(server), run_id="run-1", now=NOW)

    assert (run.records, run.cursor) == (0, None)
    assert con.execute("select count(*) from raw.fx_rates").fetchone() == (0,)


def test_a_server_error_that_persists_fails_the_run_without_moving_the_cursor(con, server) -> None:
    server.route("GET", FIRST_WINDOW, Canned(500, body=b'{"message":"upstream down"}'))
    with pytest.raises(ConnectorError, match="answered 500"):
        sync_rates(con, settings_for(server), run_id="run-1", now=NOW)
    attempts = len(server.requests)

    assert attempts == 3  # the first call and FAST's two retries
    assert con.execute("select count(*) from raw._stream_state").fetchone() == (0,)
