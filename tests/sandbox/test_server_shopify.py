"""The served Shopify Admin REST API: token, page_info rule, Link headers, default filters."""

from __future__ import annotations

import requests

from sandbox.server import Sandbox

VERSION = "2024-10"


def orders_url(sandbox: Sandbox) -> str:
    return f"{sandbox.base_url}/admin/api/{VERSION}/orders.json"


def test_a_call_without_the_access_token_gets_401(http: requests.Session, sandbox: Sandbox) -> None:
    answer = http.get(orders_url(sandbox), timeout=10)
    assert answer.status_code == 401
    assert "Invalid API key or access token" in answer.json()["errors"]


def test_the_shop_names_its_domain_currency_and_time_zone(
    http: requests.Session, sandbox: Sandbox, shopify_headers: dict[str, str]
) -> None:
    shop = http.get(
        f"{sandbox.base_url}/admin/api/{VERSION}/shop.json", headers=shopify_headers, timeout=10
    ).json()["shop"]
    assert (shop["myshopify_domain"], shop["currency"], shop["iana_timezone"]) == (
        "sandbox-store.myshopify.com",
        "GBP",
        "Europe/London",
    )


def test_following_link_headers_returns_every_order_once(
    http: requests.Session, sandbox: Sandbox, shopify_headers: dict[str, str]
) -> None:
    answer = http.get(
        orders_url(sandbox),
        params={"status": "any", "updated_at_min": "2026-10-01T00:00:00Z", "limit": "5"},
        headers=shopify_headers,
        timeout=10,
    )
    ids = []
    pages = 0
    for _ in range(50):
        assert answer.status_code == 200, answer.text
        ids += [order["id"] for order in answer.json()["orders"]]
        pages += 1
        if "next" not in answer.links:
            break
        answer = http.get(answer.links["next"]["url"], headers=shopify_headers, timeout=10)
    assert ids == [order.order_id for order in sandbox.data.shopify_by_id_desc]
    assert (len(ids), pages) == (23, 5)
    assert 'rel="previous"' in answer.headers["Link"]


def test_anything_besides_limit_and_page_info_after_page_one_is_a_400(
    http: requests.Session, sandbox: Sandbox, shopify_headers: dict[str, str]
) -> None:
    first = http.get(
        orders_url(sandbox), params={"status": "any", "limit": "5"}, headers=shopify_headers,
        timeout=10,
    )  # fmt: skip
    next_url = first.links["next"]["url"]

    answer = http.get(next_url + "&status=any", headers=shopify_headers, timeout=10)

    assert answer.status_code == 400
    assert answer.json() == {"errors": "status cannot be passed when page_info is present"}


def test_a_limit_above_250_is_refused(
    http: requests.Session, sandbox: Sandbox, shopify_headers: dict[str, str]
) -> None:
    answer = http.get(
        orders_url(sandbox), params={"limit": "251"}, headers=shopify_headers, timeout=10
    )
    assert answer.status_code == 400


def test_the_default_status_leaves_out_cancelled_and_archived_orders(
    http: requests.Session, sandbox: Sandbox, shopify_headers: dict[str, str]
) -> None:
    answer = http.get(
        orders_url(sandbox), params={"limit": "250"}, headers=shopify_headers, timeout=10
    )
    served = answer.json()["orders"]
    assert len(served) == 8
    assert all(o["cancelled_at"] is None and o["closed_at"] is None for o in served)


def test_updated_at_min_keeps_orders_updated_at_or_after_it(
    http: requests.Session, sandbox: Sandbox, shopify_headers: dict[str, str]
) -> None:
    answer = http.get(
        orders_url(sandbox),
        params={"status": "any", "updated_at_min": "2026-11-02T00:00:00+00:00", "limit": "250"},
        headers=shopify_headers,
        timeout=10,
    )
    served = answer.json()["orders"]
    assert len(served) == 8
    assert min(o["updated_at"] for o in served) >= "2026-11-02T00:00:00+00:00"
