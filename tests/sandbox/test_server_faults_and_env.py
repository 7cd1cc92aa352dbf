"""Fault rules answer in place of the platform; env() names every configured variable."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from sandbox.faults import FaultRule
from sandbox.server import Sandbox

CONTRACTS = Path(__file__).resolve().parents[2] / "docs" / "contracts.md"
QUOTA = b'{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota."}]}'


def items_url(sandbox: Sandbox) -> str:
    order = sandbox.data.amazon_orders_by_update[0]
    return f"{sandbox.base_url}/orders/v0/orders/{order.order_id}/orderItems"


def test_the_next_two_matching_requests_get_the_canned_429(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    sandbox.faults.add(
        FaultRule(
            method="GET",
            path_regex=r"/orderItems",
            status=429,
            headers={"x-amzn-RateLimit-Limit": "0.5"},
            body=QUOTA,
            times=2,
        )
    )
    answers = [http.get(items_url(sandbox), headers=sp_headers, timeout=10) for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert answers[0].json()["errors"][0]["code"] == "QuotaExceeded"


def test_every_third_matching_request_fails(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    sandbox.faults.add(FaultRule(path_regex=r"/orderItems", status=500, every_nth=3))
    statuses = [
        http.get(items_url(sandbox), headers=sp_headers, timeout=10).status_code for _ in range(7)
    ]
    assert statuses == [200, 200, 500, 200, 200, 500, 200]


def test_a_delay_only_rule_answers_for_real_and_clear_removes_rules(
    http: requests.Session, sandbox: Sandbox, sp_headers: dict[str, str]
) -> None:
    rule = sandbox.faults.add(
        FaultRule(path_regex=r"/orderItems", status=None, delay_s=0.05, times=1)
    )
    slow = http.get(items_url(sandbox), headers=sp_headers, timeout=10)
    sandbox.faults.add(FaultRule(path_regex=r"/orderItems", status=503))
    sandbox.faults.clear()
    after_clear = http.get(items_url(sandbox), headers=sp_headers, timeout=10)

    assert slow.status_code == 200 and rule.fired == 1
    assert after_clear.status_code == 200


def test_env_names_every_variable_of_the_contract_table(sandbox: Sandbox) -> None:
    text = CONTRACTS.read_text(encoding="utf-8")
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)`(?:, `([A-Z_]+)`)?", table, re.M))
    names = {name for pair in documented for name in pair if name}
    env = sandbox.env()
    optional = {"FX_SYMBOLS"}  # has a default in the connectors; the sandbox serves all three

    assert names - optional <= set(env)
    assert all(value for value in env.values())
    assert all(env[k].startswith(sandbox.base_url) for k in env if k.endswith("_URL"))
    assert env["AMAZON_SP_MARKETPLACE_IDS"] == "ATVPDKIKX0DER,A1PA6795UKMFR9,A1VC38T7YXB528"
    assert (env["SHOPIFY_API_VERSION"], env["REPORTING_CURRENCY"]) == ("2024-10", "USD")
    assert sandbox.base_url.startswith("http://127.0.0.1:")


def test_every_request_is_logged_with_its_raw_query(
    http: requests.Session, sandbox: Sandbox
) -> None:
    mark = len(sandbox.requests)
    http.get(sandbox.base_url + "/v1/2026-11-02..2026-11-02?base=USD&symbols=EUR", timeout=10)
    logged = sandbox.requests[mark:]
    assert [(r.method, r.path, r.query) for r in logged] == [
        ("GET", "/v1/2026-11-02..2026-11-02", "base=USD&symbols=EUR")
    ]
    assert logged[0].params == {"base": ["USD"], "symbols": ["EUR"]}


def test_an_unknown_path_is_a_404_not_a_hang(http: requests.Session, sandbox: Sandbox) -> None:
    assert http.get(sandbox.base_url + "/nowhere", timeout=10).status_code == 404
