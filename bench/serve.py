"""``python -m bench.serve``: the benchmark's sandbox, in its own process, pages pre-rendered.

The sandbox runs apart from the pipeline so that its memory (a seller-year of records) is not
counted in the pipeline's peak and its work runs on the other core. Steps: generate the seller
(``start_sandbox``), pre-render every page the connectors will ask for (bench/prerender.py) into
a page store under ``--dir``, then serve, and write ``ready.json`` (base URL, connector settings,
what generating and pre-rendering took). On SIGTERM or SIGINT it writes ``stats.json`` (what
serving cost it, by family: from the store or rendered on request) and exits.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from bench.measure import peak_rss_mib, reset_peak_rss
from bench.prerender import Prerenderer, write_manifest
from sandbox.generator import SellerData, preset
from sandbox.pagestore import PageStore
from sandbox.server import start_sandbox

log = logging.getLogger("bench.serve")

ADS_HISTORY_DAYS = 90


def generated_rows(data: SellerData) -> dict[str, int]:
    """How many records of each kind the seller holds."""
    orders = [order for market in data.markets.values() for order in market.orders]
    return {
        "amazon_orders": len(orders),
        "amazon_order_lines": sum(len(order.items) for order in orders),
        "amazon_ledger_rows": sum(len(market.ledger) for market in data.markets.values()),
        "ads_campaign_days": sum(len(rows) for rows in data.campaign_days.values()),
        "ads_product_days": sum(len(rows) for rows in getattr(data, "ad_days", {}).values()),
        "shopify_orders": len(data.shopify_orders),
        "shopify_order_lines": sum(len(order.lines) for order in data.shopify_orders),
        "zendesk_tickets": len(data.tickets),
        "zendesk_comments": sum(len(ticket.comments) for ticket in data.tickets),
        "zendesk_users": len(data.users),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__)
    parser.add_argument("--preset", required=True)
    parser.add_argument("--as-of", required=True, help="ISO-8601, the seller's and the run's now")
    parser.add_argument("--dir", type=Path, required=True, help="page store and status files")
    parser.add_argument("--cursors", type=Path, help="JSON {stream: cursor} of a later night")
    parser.add_argument("--history-days", type=int, required=True)
    parser.add_argument("--no-prerender", action="store_true", help="render every page live")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s"
    )
    as_of = datetime.fromisoformat(args.as_of)
    config = preset(args.preset, as_of=as_of)
    args.dir.mkdir(parents=True, exist_ok=True)

    reset_peak_rss()
    started = time.perf_counter()
    sandbox = start_sandbox(config)
    generate_seconds = time.perf_counter() - started
    generate_peak = peak_rss_mib()
    sandbox.log_requests = False
    env = {
        **sandbox.env(),
        "KPI_HISTORY_DAYS": str(args.history_days),
        # Amazon Ads serves reports of the last 95 days only (so does the sandbox)
        "AMAZON_ADS_HISTORY_DAYS": str(min(args.history_days, ADS_HISTORY_DAYS)),
        "KPI_AS_OF": as_of.isoformat(),
    }
    status: dict = {
        "base_url": sandbox.base_url,
        "env": env,
        "config": {k: str(v) for k, v in vars(config).items()},
        "generate": {
            "seconds": round(generate_seconds, 2),
            "peak_rss_mib": round(generate_peak, 1),
            "rows": generated_rows(sandbox.data),
        },
    }
    if not args.no_prerender:
        cursors = json.loads(args.cursors.read_text()) if args.cursors else {}
        store = PageStore(args.dir / "pages")
        reset_peak_rss()
        started = time.perf_counter()
        result = Prerenderer(sandbox, store, env, as_of, cursors).run()
        write_manifest(result, store, args.dir / "manifest.json")
        sandbox.pages = store
        status["prerender"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "pages": sum(result.pages.values()),
            "bytes": sum(result.bytes.values()),
            "by_family": result.seconds,
        }
    (args.dir / "ready.json").write_text(json.dumps(status, indent=1), encoding="utf-8")
    log.info("bench sandbox ready on %s", sandbox.base_url)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    (args.dir / "stats.json").write_text(
        json.dumps(
            {"served": sandbox.stats.snapshot(), "peak_rss_mib": round(peak_rss_mib(), 1)},
            indent=1,
        ),
        encoding="utf-8",
    )
    sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
