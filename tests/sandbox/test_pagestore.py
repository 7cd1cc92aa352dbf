"""Pre-rendered answers: one request, however its parameters are written, gets the stored answer;
anything else is rendered by the routes, and the server counts which was which."""

from __future__ import annotations

import json
import time

import requests

from sandbox.pagestore import PageStore, ServeStats, request_key
from sandbox.server import Sandbox
from sandbox.web import Response
from tests.sandbox.conftest import lwa_token

ORDERS = "/orders/v0/orders"


def test_a_request_key_ignores_the_order_of_parameters_and_json_keys() -> None:
    assert request_key("GET", ORDERS, "a=1&b=x%2By") == request_key("GET", ORDERS, "b=x%2By&a=1")
    assert request_key("POST", "/r", body=b'{"x": 1, "y": [2]}') == request_key(
        "POST", "/r", body=b'{"y":[2],"x":1}'
    )
    assert request_key("POST", "/t", body=b"b=2&a=1") == request_key("POST", "/t", body=b"a=1&b=2")


def test_a_request_key_tells_apart_method_path_values_and_bodies() -> None:
    keys = {
        request_key("GET", ORDERS, "a=1"),
        request_key("POST", ORDERS, "a=1"),
        request_key("GET", ORDERS + "/x", "a=1"),
        request_key("GET", ORDERS, "a=2"),
        request_key("GET", ORDERS, "a=1", b'{"x": 1}'),
    }

    assert len(keys) == 5


def test_the_store_gives_back_status_headers_and_body_of_each_answer(tmp_path) -> None:
    store = PageStore(tmp_path)
    first = Response(200, b'{"page": 1}', {"Link": "<next>"})
    second = Response(202, b'{"page": 2}', {"Content-Type": "application/json"})

    assert store.put("listing", request_key("GET", "/a"), first)
    assert store.put("listing", request_key("GET", "/b"), second)
    assert not store.put("listing", request_key("GET", "/a"), second)  # kept the first

    family, answer = store.get(request_key("GET", "/b"))
    assert (family, answer.status, answer.body, answer.headers) == (
        "listing",
        202,
        b'{"page": 2}',
        {"Content-Type": "application/json"},
    )
    assert store.get(request_key("GET", "/c")) is None
    # the family's bodies are newline-delimited JSON, in the order stored
    lines = store.body_path("listing").read_bytes().splitlines()
    assert [json.loads(line) for line in lines] == [{"page": 1}, {"page": 2}]
    store.close()


def test_the_server_answers_stored_requests_from_the_store_and_renders_the_rest(
    sandbox: Sandbox, http: requests.Session, tmp_path
) -> None:
    token = {"x-amz-access-token": lwa_token(http, sandbox, "AMAZON_SP_REFRESH_TOKEN")}
    params = {"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": "2026-10-01T00:00:00Z"}
    url = f"{sandbox.base_url}{ORDERS}"
    store = PageStore(tmp_path)
    # stored under the parameters in the other order: the key does not care
    query = "LastUpdatedAfter=2026-10-01T00%3A00%3A00Z&MarketplaceIds=ATVPDKIKX0DER"
    store.put("amazon_orders", request_key("GET", ORDERS, query), Response(200, b'{"stored":1}'))
    sandbox.stats = ServeStats()
    rendered = http.get(url, params=params, headers=token, timeout=10)
    sandbox.pages = store
    try:
        stored = http.get(url, params=params, headers=token, timeout=10)
        other = http.get(
            url, params={**params, "MaxResultsPerPage": "5"}, headers=token, timeout=10
        )
    finally:
        sandbox.pages = None
        store.close()

    assert rendered.status_code == 200 and b"AmazonOrderId" in rendered.content
    assert stored.content == b'{"stored":1}'
    assert other.status_code == 200 and other.content.count(b'"AmazonOrderId"') == 5
    # the server counts an answer after its last byte left: wait until all three are counted
    expected = {"stored amazon_orders": 1, "rendered api_amazon.get_orders": 2}
    counted = _wait_for_counts(sandbox, expected)
    assert counted == expected


def _wait_for_counts(sandbox: Sandbox, expected: dict[str, int]) -> dict[str, int]:
    deadline = time.monotonic() + 10
    while True:
        served = sandbox.stats.snapshot()
        counted = {name: served.get(name, {}).get("requests", 0) for name in expected}
        if counted == expected or time.monotonic() > deadline:
            return counted
        time.sleep(0.01)


def test_answer_renders_in_process_what_the_server_would_send(
    sandbox: Sandbox, http: requests.Session
) -> None:
    token = lwa_token(http, sandbox, "AMAZON_SP_REFRESH_TOKEN")
    query = "MarketplaceIds=ATVPDKIKX0DER&LastUpdatedAfter=2026-10-01T00%3A00%3A00Z"
    over_http = http.get(
        f"{sandbox.base_url}{ORDERS}?{query}", headers={"x-amz-access-token": token}, timeout=10
    )

    in_process = sandbox.answer("GET", ORDERS, query, headers={"x-amz-access-token": token})

    assert in_process.status == over_http.status_code == 200
    assert in_process.body == over_http.content
    assert sandbox.answer("GET", ORDERS, query).status == 403  # no token, as over HTTP


def test_a_store_filled_by_another_process_is_served_after_merging_its_index(tmp_path) -> None:
    # two stores on one directory, as the benchmark's two pre-rendering processes: each its own
    # families; the serving store merges the other's index and answers from both
    serving = PageStore(tmp_path)
    other = PageStore(tmp_path)
    assert serving.put("orders", request_key("GET", "/orders"), Response(200, b'{"o": 1}', {}))
    assert other.put(
        "items", request_key("GET", "/items/1"), Response(200, b'{"i": 1}', {"X-A": "1"})
    )
    assert other.put(
        "items", request_key("GET", "/items/2"), Response(404, b'{"i": 2}', {"X-A": "2"})
    )
    other.save_index(tmp_path / "other.index")
    other.close()

    assert serving.merge_index(tmp_path / "other.index") == 2
    assert serving.merge_index(tmp_path / "other.index") == 0  # already held: nothing added

    assert len(serving) == 3
    family, answer = serving.get(request_key("GET", "/items/2"))
    assert (family, answer.status, answer.body, answer.headers) == (
        "items",
        404,
        b'{"i": 2}',
        {"X-A": "2"},
    )
    assert serving.lookup("GET", "/items/1").body == b'{"i": 1}'
    assert serving.lookup("GET", "/orders").body == b'{"o": 1}'
    assert serving.lookup("GET", "/items/3") is None
    serving.close()
