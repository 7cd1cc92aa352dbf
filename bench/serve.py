"""``python -m bench.serve``: the benchmark's sandbox, in its own process, pages pre-rendered.

The sandbox runs apart from the pipeline so that its memory (a seller-year of records) is not
counted in the pipeline's peak and its work runs on the other core. Steps: generate the seller
(``start_sandbox``), pre-render every page the connectors will ask for (bench/prerender.py) into
a page store under ``--dir``, then serve, and write ``ready.json`` (base URL, connector settings,
what generating and pre-rendering took). On SIGUSR1 it writes ``stats.json`` (what serving
has cost it so far, by family: from the store or rendered on request; the benchmark takes one
before and after a stream to count that stream's requests), on SIGTERM or SIGINT the same and
exits.

With ``--parallel`` the per-order and per-ticket pages (two million requests on ``medium``) are
rendered by a second process forked after generating (it shares the generated seller, copy on
write), on the machine's other core, while this one renders the listings and reports; it saves
its index and this process merges it. ``--scale`` shrinks (or grows) a preset's daily volumes
(orders, SKUs, tickets, campaigns) for a quicker run of the same shape.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import signal
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from bench.measure import peak_rss_mib, reset_peak_rss, rss_mib
from bench.prerender import CHILD_STEPS, Prerenderer, release_memory, write_manifest
from sandbox.generator import PRESETS, SellerConfig, SellerData, preset
from sandbox.pagestore import PageStore
from sandbox.server import Sandbox, start_sandbox

log = logging.getLogger("bench.serve")

ADS_HISTORY_DAYS = 90
# the daily volumes ``--scale`` multiplies (history length and line counts keep their shape)
SCALED = ("orders_per_day", "skus", "tickets_per_day", "campaigns_per_profile")


def scaled_preset(name: str, scale: float, as_of: datetime) -> SellerConfig:
    """A preset with its daily volumes multiplied by ``scale`` (each at least its minimum)."""
    base = preset(name, as_of=as_of)
    if scale == 1:
        return base
    overrides = {}
    for knob in SCALED:
        value = PRESETS[name].get(knob, getattr(base, knob))
        if value is not None:
            floor = 6 if knob == "campaigns_per_profile" else 1
            overrides[knob] = max(floor, round(value * scale))
    return preset(name, as_of=as_of, **overrides)


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
    parser.add_argument("--scale", type=float, default=1.0, help="multiply daily volumes")
    parser.add_argument(
        "--parallel", action="store_true", help="render per-parent pages in a second process"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s"
    )
    as_of = datetime.fromisoformat(args.as_of)
    config = scaled_preset(args.preset, args.scale, as_of)
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
        status["prerender"] = prerender(sandbox, env, as_of, cursors, args.dir, args.parallel)
    (args.dir / "ready.json").write_text(json.dumps(status, indent=1), encoding="utf-8")
    log.info("bench sandbox ready on %s", sandbox.base_url)

    stop = threading.Event()
    snapshots = [0]

    def write_stats(*_: object) -> None:
        snapshots[0] += 1
        stats = {
            "snapshot": snapshots[0],
            "served": sandbox.stats.snapshot(),
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "rss_mib": round(rss_mib(), 1),
        }
        partial = args.dir / "stats.json.tmp"
        partial.write_text(json.dumps(stats, indent=1), encoding="utf-8")
        partial.replace(args.dir / "stats.json")

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGUSR1, write_stats)
    reset_peak_rss()  # from here on: what serving costs
    while not stop.wait(0.5):
        pass
    write_stats()
    sandbox.stop()
    return 0


def prerender(
    sandbox: Sandbox,
    env: dict[str, str],
    as_of: datetime,
    cursors: dict[str, str],
    directory: Path,
    parallel: bool,
) -> dict:
    """Fill the page store (the per-parent pages in a forked process when ``parallel``) and
    hand it to the server; what it took, its peak RSS, and what serving starts from."""
    store = PageStore(directory / "pages")
    reset_peak_rss()
    started = time.perf_counter()
    child = _fork_children(sandbox, env, as_of, cursors, directory) if parallel else None
    result = Prerenderer(sandbox, store, env, as_of, cursors, children=not parallel).run()
    figures: dict = {"listings_seconds": round(time.perf_counter() - started, 2)}
    if child is not None:
        _, wait_status, usage = os.wait4(child, 0)
        if os.waitstatus_to_exitcode(wait_status) != 0:
            raise RuntimeError("the per-parent pre-render failed; see serve.log")
        figures["children_seconds"] = json.loads(
            (directory / "children.json").read_text(encoding="utf-8")
        ).pop("wall_seconds")
        store.merge_index(directory / "pages" / "children.index")
        result.merge(json.loads((directory / "children.json").read_text(encoding="utf-8")))
        # its resident high-water mark, pages it shares with this process included
        figures["children_peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    write_manifest(result, store, directory / "manifest.json")
    # the whole index, for the benchmark's fill from saved pages (bench/fill.py)
    store.save_index(directory / "pages" / "index")
    sandbox.pages = store
    release_memory()
    # each step reset the mark to measure its own peak: the pre-render's is the largest of them
    own_steps = [v for step, v in result.peak_rss_mib.items() if "(per-parent" not in step]
    figures.update(
        seconds=round(time.perf_counter() - started, 2),
        peak_rss_mib=round(max([peak_rss_mib(), *own_steps]), 1),
        serving_rss_mib=round(rss_mib(), 1),
        pages=sum(result.pages.values()),
        bytes=sum(result.bytes.values()),
        by_family=result.seconds,
        peak_rss_by_family=result.peak_rss_mib,
    )
    return figures


def _fork_children(
    sandbox: Sandbox,
    env: dict[str, str],
    as_of: datetime,
    cursors: dict[str, str],
    directory: Path,
) -> int:
    """Fork the process that renders the per-order and per-ticket pages; its pid."""
    # the generated seller moves to the collector's permanent generation first: a collection
    # in the child would otherwise write to every object's header and copy all of its pages
    gc.freeze()
    pid = os.fork()
    if pid:
        gc.unfreeze()
        return pid
    code = 1
    try:
        started = time.perf_counter()
        store = PageStore(directory / "pages")
        renderer = Prerenderer(sandbox, store, env, as_of, cursors, listings=False)
        result = renderer.run(CHILD_STEPS).as_json()
        store.save_index(directory / "pages" / "children.index")
        store.close()
        result["wall_seconds"] = round(time.perf_counter() - started, 2)
        (directory / "children.json").write_text(json.dumps(result), encoding="utf-8")
        code = 0
    except BaseException:
        log.exception("per-parent pre-render failed")
    finally:
        os._exit(code)


if __name__ == "__main__":
    raise SystemExit(main())
