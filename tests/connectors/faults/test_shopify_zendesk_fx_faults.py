"""Shopify, Zendesk and FX under the sandbox's transport faults, exact rows asserted after.

One small sandbox for the module (seed 3, a week: 21 Shopify orders on 5 pages of 5, 23 Zendesk
tickets on 5 export pages of 5 with 82 comments, 69 FX working days). Covered elsewhere and not
repeated: 429 with ``Retry-After`` and 500 for each (tests/connectors/<platform>/*_sandbox.py);
Shopify's 400 to anything but ``limit`` and ``page_info`` after page one (the sandbox enforces
it, test_shopify_sandbox.py asserts the parameters sent); the same Zendesk ticket on two pages
with ``generated_timestamp`` newer than ``updated_at`` (test_zendesk_real_payloads.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from connectors import fx, shopify, zendesk
from connectors.errors import ConnectorError
from connectors.landing import read_cursor
from sandbox.faults import FaultRule
from sandbox.generator import SellerConfig
from sandbox.server import Sandbox, start_sandbox
from tests.connectors.faults.transport import FAULT_HTTP, not_json_bodies, transport_faults

AS_OF = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
CONFIG = SellerConfig(seed=3, days=7, orders_per_day=3, skus=10, tickets_per_day=3, as_of=AS_OF)
SHOPIFY_PAGE = r"orders\.json\?.*page_info="
ZENDESK_PAGE = r"incremental/tickets/cursor\.json\?cursor="
FX_PAGE = r"^/v1/"


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with start_sandbox(CONFIG) as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults_left(sb: Sandbox) -> Iterator[None]:
    yield
    sb.faults.clear()


def shopify_settings(sb: Sandbox) -> shopify.ShopifySettings:
    return replace(shopify.ShopifySettings.from_env(sb.env()), http=FAULT_HTTP, page_size=5)


def zendesk_settings(sb: Sandbox) -> zendesk.ZendeskSettings:
    return replace(zendesk.ZendeskSettings.from_env(sb.env()), http=FAULT_HTTP, export_page_size=5)


def fx_settings(sb: Sandbox) -> fx.FxSettings:
    return replace(fx.FxSettings.from_env(sb.env()), http=FAULT_HTTP)


def pairs(con, sql: str) -> dict:
    return {
        int(key) if str(key).isdigit() else key: value for key, value in con.execute(sql).fetchall()
    }


@pytest.mark.parametrize("rule", transport_faults("GET", SHOPIFY_PAGE))
def test_shopify_rides_out_a_transport_fault_and_lands_every_order_once(
    sb, con, retry_sleeps, rule: FaultRule
) -> None:
    sb.faults.add(rule)
    run = shopify.sync_orders(con, shopify_settings(sb), run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    expected = {o["id"]: o["updated_at"] for o in sb.data.shopify_orders_json()}
    assert len(expected) == 21
    assert pairs(con, "select order_id, _record->>'updated_at' from raw.shopify_orders") == expected
    assert con.execute("select count(*) from raw.shopify_orders").fetchone() == (21,)
    assert run.records == 21


@pytest.mark.parametrize("rule", transport_faults("GET", ZENDESK_PAGE))
def test_zendesk_rides_out_a_transport_fault_and_lands_every_ticket_once(
    sb, con, retry_sleeps, rule: FaultRule
) -> None:
    sb.faults.add(rule)
    zendesk.sync_tickets(con, zendesk_settings(sb), run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    expected = {t["id"]: t["generated_timestamp"] for t in sb.data.zendesk_tickets_json()}
    assert len(expected) == 23
    landed = pairs(
        con,
        "select ticket_id, (_record->>'generated_timestamp')::bigint from raw.zendesk_tickets",
    )
    assert landed == expected
    assert con.execute(
        "select count(*), count(distinct comment_id) from raw.zendesk_ticket_comments"
    ).fetchone() == (82, 82)  # 4 of them from two reopened tickets


@pytest.mark.parametrize("rule", transport_faults("GET", FX_PAGE))
def test_fx_rides_out_a_transport_fault_and_lands_every_working_day_once(
    sb, con, retry_sleeps, rule: FaultRule
) -> None:
    sb.faults.add(rule)
    run = fx.sync_rates(con, fx_settings(sb), run_id="run-1", now=AS_OF)

    assert rule.fired == 1
    assert con.execute(
        "select count(*), count(distinct rate_date) from raw.fx_rates"
    ).fetchone() == (
        69,
        69,
    )
    assert run.cursor == "2026-08-31"


@pytest.mark.parametrize("body", not_json_bodies())
@pytest.mark.parametrize(
    ("sync", "settings_for", "path_regex", "prefix"),
    [
        pytest.param(
            shopify.sync_orders,
            shopify_settings,
            SHOPIFY_PAGE,
            "[shopify/shopify_orders]",
            id="shopify",
        ),
        pytest.param(
            zendesk.sync_tickets,
            zendesk_settings,
            ZENDESK_PAGE,
            "[zendesk/zendesk_tickets]",
            id="zendesk",
        ),
        pytest.param(fx.sync_rates, fx_settings, FX_PAGE, "[fx/fx_rates]", id="fx"),
    ],
)
def test_a_page_that_is_not_json_fails_naming_the_url_and_keeps_the_cursor(
    sb, con, body: bytes, sync, settings_for, path_regex: str, prefix: str
) -> None:
    sb.faults.add(FaultRule(method="GET", path_regex=path_regex, status=200, body=body, times=1))
    with pytest.raises(ConnectorError) as raised:
        sync(con, settings_for(sb), run_id="run-1", now=AS_OF)

    assert str(raised.value).startswith(prefix)
    assert sb.base_url in str(raised.value)
    assert con.execute("select count(*) from raw._stream_state").fetchone() == (0,)
    tables = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' "
        "and table_name not like '\\_%' escape '\\'"
    ).fetchall()
    for (table,) in tables:
        assert con.execute(f"select count(*) from raw.{table}").fetchone() == (0,), table


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize(
    ("sync", "settings_for", "path_regex", "setting"),
    [
        pytest.param(
            shopify.sync_orders,
            shopify_settings,
            SHOPIFY_PAGE,
            "SHOPIFY_ACCESS_TOKEN",
            id="shopify",
        ),
        pytest.param(
            zendesk.sync_tickets,
            zendesk_settings,
            ZENDESK_PAGE,
            "ZENDESK_API_TOKEN",
            id="zendesk",
        ),
    ],
)
def test_refused_credentials_fail_naming_the_platform_and_the_setting_to_fix(
    sb, con, status: int, sync, settings_for, path_regex: str, setting: str
) -> None:
    sb.faults.add(FaultRule(method="GET", path_regex=path_regex, status=status, body=b"{}"))
    with pytest.raises(ConnectorError) as raised:
        sync(con, settings_for(sb), run_id="run-1", now=AS_OF)

    message = str(raised.value)
    assert setting in message and f"HTTP {status}" in message
    assert sb.faults.rules[0].fired == 1  # no refresh exists on these platforms: no retry
    assert read_cursor(con, "shopify_orders") is None
    assert read_cursor(con, "zendesk_tickets") is None
