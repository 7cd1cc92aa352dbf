"""The peer: dlt's REST API source loading the same sandbox endpoints into DuckDB.

Runs in the benchmark's own virtual environment (``.venv-bench``, where ``make bench`` installs
the ``bench`` extra: dlt with its DuckDB destination), so nothing of dlt enters the project's
environment; it imports only dlt, requests and the standard library.

Configuration, chosen to do what our landing does: each stream is one pipeline run of the REST
API source into a DuckDB file; records are merged on their platform key (``write_disposition:
merge``, our landing upserts) and kept whole, nested parts as JSON columns
(``max_table_nesting: 0``; our raw tables keep each record as JSON). Requests are those our
connectors send (same first parameters, from the benchmark's plan; later pages with the same
parameters our connectors send, hence the small paginators below), so the sandbox answers both
from the same pre-rendered pages. Per-order items and per-ticket comments are child resources,
one request per parent, as in our connectors.

Bounded on large presets: the plan may cap each listing at its first ``max_pages[stream]``
pages (``add_limit``: the same first pages our connectors land), leave the children out of the
listings, and run them apart as a sample (``child_sample_pages``: the children of the parents
on that many first listing pages, under the per-parent family's name).

Prints one JSON line per stream as it finishes (records loaded, wall seconds), then a summary.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import dlt
import requests
from dlt.sources.helpers.rest_client.auth import HttpBasicAuth
from dlt.sources.helpers.rest_client.paginators import (
    HeaderLinkPaginator,
    JSONLinkPaginator,
    JSONResponseCursorPaginator,
)
from dlt.sources.rest_api import rest_api_source


class TokenPaginator(JSONResponseCursorPaginator):
    """A cursor read from the page, sent with exactly ``next_params`` beside it (SP-API and the
    Zendesk export want only the token, not the first request's filters, on later pages);
    ``end_path``, when true in a page, ends the listing (Zendesk's ``end_of_stream``)."""

    def __init__(
        self,
        cursor_path: str,
        cursor_param: str,
        next_params: dict[str, str],
        end_path: str | None = None,
    ) -> None:
        super().__init__(cursor_path=cursor_path, cursor_param=cursor_param)
        self.next_params = next_params
        self.end_path = end_path

    def update_state(self, response, data=None) -> None:  # noqa: ANN001
        super().update_state(response, data)
        if self.end_path and response.json().get(self.end_path):
            self._has_next_page = False

    def update_request(self, request) -> None:  # noqa: ANN001
        request.params = {**self.next_params, self.cursor_param: self._next_reference}


def _lwa_token(env_base: str, refresh_token: str, client_id: str, secret: str) -> str:
    answer = requests.post(
        f"{env_base}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": secret,
        },
        timeout=30,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def _streams(plan: dict, env: dict[str, str], children: bool) -> dict[str, dict]:
    """Our stream name -> a REST API source config for the same endpoints."""
    base = plan["base_url"]
    listings = {listing["family"]: listing for listing in plan["listings"]}
    merge = {"write_disposition": "merge", "max_table_nesting": 0}
    configs: dict[str, dict] = {}

    if "amazon_orders" in listings or "amazon_refund_events" in listings:
        token = _lwa_token(
            base,
            env["AMAZON_SP_REFRESH_TOKEN"],
            env["AMAZON_LWA_CLIENT_ID"],
            env["AMAZON_LWA_CLIENT_SECRET"],
        )
        sp_client = {"base_url": base, "headers": {"x-amz-access-token": token}}
    if "amazon_orders" in listings:
        orders = listings["amazon_orders"]
        resources = [
            {
                "name": "amazon_orders",
                "primary_key": "AmazonOrderId",
                **merge,
                "endpoint": {
                    "path": orders["path"].lstrip("/"),
                    "params": orders["params"],
                    "data_selector": "payload.Orders",
                    "paginator": TokenPaginator(
                        "payload.NextToken", "NextToken", orders["next_params"]
                    ),
                },
            }
        ]
        if children:
            resources.append(
                {
                    "name": "amazon_order_items",
                    "primary_key": ["_amazon_orders_amazon_order_id", "OrderItemId"],
                    **merge,
                    "include_from_parent": ["AmazonOrderId"],
                    "endpoint": {
                        "path": "orders/v0/orders/{resources.amazon_orders.AmazonOrderId}"
                        "/orderItems",
                        "data_selector": "payload.OrderItems",
                        "paginator": TokenPaginator("payload.NextToken", "NextToken", {}),
                    },
                }
            )
        configs["amazon_orders"] = {"client": sp_client, "resources": resources}
    if "amazon_refund_events" in listings:
        refunds = listings["amazon_refund_events"]
        configs["amazon_refund_events"] = {
            "client": sp_client,
            "resources": [
                {
                    "name": "amazon_refund_events",
                    # a refund event has no id: merge on what identifies it in our raw table
                    "primary_key": ["AmazonOrderId", "PostedDate"],
                    **merge,
                    "endpoint": {
                        "path": refunds["path"].lstrip("/"),
                        "params": refunds["params"],
                        "data_selector": "payload.FinancialEvents.RefundEventList",
                        "paginator": TokenPaginator("payload.NextToken", "NextToken", {}),
                    },
                }
            ],
        }
    if "shopify_orders" in listings:
        shopify = listings["shopify_orders"]
        configs["shopify_orders"] = {
            "client": {
                "base_url": base,
                "headers": {"X-Shopify-Access-Token": env["SHOPIFY_ACCESS_TOKEN"]},
            },
            "resources": [
                {
                    "name": "shopify_orders",
                    "primary_key": "id",
                    **merge,
                    "endpoint": {
                        "path": shopify["path"].lstrip("/"),
                        "params": shopify["params"],
                        "data_selector": "orders",
                        "paginator": HeaderLinkPaginator(),
                    },
                }
            ],
        }
    zendesk_auth = HttpBasicAuth(f"{env['ZENDESK_EMAIL']}/token", env["ZENDESK_API_TOKEN"])
    for family, records in (("zendesk_tickets", "tickets"), ("zendesk_users", "users")):
        if family not in listings:
            continue
        export = listings[family]
        resources = [
            {
                "name": family,
                "primary_key": "id",
                **merge,
                "endpoint": {
                    "path": export["path"].lstrip("/"),
                    "params": export["params"],
                    "data_selector": records,
                    "paginator": TokenPaginator(
                        "after_cursor", "cursor", export["next_params"], end_path="end_of_stream"
                    ),
                },
            }
        ]
        if family == "zendesk_tickets" and children:
            resources.append(
                {
                    "name": "zendesk_ticket_comments",
                    "primary_key": "id",
                    **merge,
                    "endpoint": {
                        "path": "api/v2/tickets/{resources.zendesk_tickets.id}/comments.json",
                        "data_selector": "comments",
                        "paginator": JSONLinkPaginator(next_url_path="next_page"),
                        "response_actions": [{"status_code": 404, "action": "ignore"}],
                    },
                }
            )
        configs[family] = {
            "client": {"base_url": base, "auth": zendesk_auth},
            "resources": resources,
        }
    return configs


def main(argv: list[str] | None = None) -> int:
    import os

    parser = argparse.ArgumentParser(prog="python -m bench.peer_dlt")
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--pipelines-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    plan = json.loads(args.plan.read_text(encoding="utf-8"))
    destination = dlt.destinations.duckdb(str(args.database))
    streams: dict[str, dict] = {}
    env = dict(os.environ)
    configs = _streams(plan, env, children=plan["children"] is True)
    limits: dict[str, int | None] = dict(plan.get("max_pages") or {})
    samples = plan.get("child_sample_pages") or {}
    if samples:
        with_children = _streams(plan, env, children=True)
        for family, parent in (
            ("amazon_order_items", "amazon_orders"),
            ("zendesk_ticket_comments", "zendesk_tickets"),
        ):
            if family in samples and parent in with_children:
                configs[family] = with_children[parent]
                limits[family] = samples[family]
    for stream, config in configs.items():
        pipeline = dlt.pipeline(
            pipeline_name=f"bench_{stream}",
            destination=destination,
            # not the file's own name (DuckDB would find both ambiguous); a children sample
            # apart from the listing it repeats
            dataset_name=f"sample_{stream}" if stream in samples else "landed",
            pipelines_dir=str(args.pipelines_dir),
        )
        started = time.perf_counter()
        source = rest_api_source(config, name=stream)
        if limits.get(stream):
            source.add_limit(max_items=limits[stream])
        pipeline.run(source)
        seconds = time.perf_counter() - started
        counts = pipeline.last_trace.last_normalize_info.row_counts
        families = {
            name: int(count) for name, count in counts.items() if not name.startswith("_dlt")
        }
        streams[stream] = {
            "rows": sum(families.values()),
            "seconds": round(seconds, 2),
            "families": families,
        }
        # one line per stream as it finishes: a peer stopped half way keeps what it did
        print(json.dumps({"stream": stream, **streams[stream]}), flush=True)
    print(
        json.dumps(
            {
                "configuration": "REST API source, merge on the platform key, "
                "max_table_nesting 0, "
                + (
                    "children included"
                    if plan["children"] is True
                    else "children sampled apart"
                    if samples
                    else "per-parent children left out"
                )
                + (", listings capped at their first pages" if limits else ""),
                "streams": streams,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
