"""The generator is a pure function of its config, and a later as_of only reveals more."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import requests

from sandbox.generator import generate
from sandbox.server import start_sandbox
from tests.sandbox.conftest import NOW, TINY


def test_the_same_config_gives_byte_identical_records() -> None:
    first, second = generate(TINY).dump(), generate(TINY).dump()

    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()
    # sections: platforms, mp x3, ads campaigns x3, ads products x3, tickets
    assert first.count(b"\n") + 1 == 9 + 3 * 3 + 3 + 3 + 23


def test_another_seed_gives_other_records() -> None:
    seven = generate(TINY)
    eight = generate(replace(TINY, seed=8))

    assert seven.dump() != eight.dump()
    assert {o.order_id for o in seven.amazon_orders_by_update}.isdisjoint(
        o.order_id for o in eight.amazon_orders_by_update
    )


def test_two_servers_of_one_config_serve_identical_order_pages() -> None:
    bodies = []
    for _ in range(2):
        with start_sandbox(TINY) as sandbox:
            sandbox.set_clock(lambda: NOW)
            env = sandbox.env()
            token = requests.post(
                env["AMAZON_LWA_TOKEN_URL"],
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": env["AMAZON_SP_REFRESH_TOKEN"],
                    "client_id": env["AMAZON_LWA_CLIENT_ID"],
                    "client_secret": env["AMAZON_LWA_CLIENT_SECRET"],
                },
                timeout=10,
            ).json()["access_token"]
            page = requests.get(
                f"{sandbox.base_url}/orders/v0/orders",
                params={
                    "MarketplaceIds": env["AMAZON_SP_MARKETPLACE_IDS"],
                    "LastUpdatedAfter": "2026-10-01T00:00:00Z",
                },
                headers={"x-amz-access-token": token},
                timeout=10,
            )
            bodies.append(page.content)

    assert bodies[0] == bodies[1]
    assert bodies[0].count(b'"AmazonOrderId"') == 65


def test_a_later_as_of_keeps_every_order_and_reveals_its_future() -> None:
    early = generate(TINY)
    later = generate(replace(TINY, as_of=TINY.as_of + timedelta(days=2)))
    by_id = {order.order_id: order for order in later.amazon_orders_by_update}

    # the later window starts two days later: the orders of the days both windows hold
    shared = [
        order
        for order in early.amazon_orders_by_update
        if order.local_day >= later.markets[order.channel.key].ledger_days[0]
    ]
    assert len(early.amazon_orders_by_update) == 65
    assert len(shared) == 47
    for order in shared:
        twin = by_id[order.order_id]
        assert twin.purchase_ts == order.purchase_ts
        assert [i.order_item_id for i in twin.items] == [i.order_item_id for i in order.items]
        assert [i.ship_ts for i in twin.items] == [i.ship_ts for i in order.items]
    moved = {
        (order.status, by_id[order.order_id].status)
        for order in shared
        if by_id[order.order_id].status != order.status
    }
    # what was waiting then has shipped two days later; nothing final ever changes
    assert moved == {("Unshipped", "Shipped"), ("PartiallyShipped", "Shipped")}
    assert sum(by_id[o.order_id].status != o.status for o in shared) == 5
