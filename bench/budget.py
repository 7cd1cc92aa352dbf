"""A per-parent stream through the real connector for a fixed time, then stopped: a sample.

SP-API Orders v0 wants one getOrderItems call per order and Zendesk one comments call per
ticket (the platforms' contracts). On ``medium`` that is 1.5 M and 0.5 M requests, hours at
the connectors' pace, so the benchmark lands those streams through the real connector, in a
child process (``python -m bench.budget``): its listing to its end, then ``budget_s`` seconds
of per-parent requests, and then kills it (SIGKILL, as a crash would). What it landed stays
landed (the connectors commit batch by batch and resume exactly; see
connectors/amazon_sp/orders.py), the rest is landed from the saved pages (bench/fill.py), and
the whole stream's time is projected from the sample, marked so.

While the child runs, the sandbox's serving counts are read every second: they give the
requests of each family (listing pages, per-parent pages) and the moment the first per-parent
request arrived, which splits the sample into the listing and the per-parent part.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from bench.measure import child_peak_rss_mib
from connectors.warehouse import PROJECT_ROOT, claim, connect, current_origin

# stream -> (its listing family, its per-parent family), as the sandbox's serving stats name them
PER_PARENT = {
    "amazon_orders": ("amazon_orders", "amazon_order_items"),
    "zendesk_tickets": ("zendesk_tickets", "zendesk_ticket_comments"),
}
MAX_LISTING_S = 900.0  # a listing still running after this is stopped too
POLL_S = 0.25  # how often the serving counts are read while the child runs


@dataclass
class Sample:
    """What the connector did in its budget."""

    stream: str
    budget_s: float
    seconds: float = 0.0
    finished: bool = False  # it ended on its own inside the budget
    returncode: int | None = None
    peak_rss_mib: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)  # by family
    rows: dict[str, int] = field(default_factory=dict)  # by raw table, committed
    # seconds from the start to the first per-parent request (None: the listing did not end)
    listing_seconds: float | None = None

    @property
    def records(self) -> int:
        return sum(self.rows.values())

    def projection(self, total_requests: dict[str, int]) -> dict:
        """The whole stream's time at the sample's pace, from the pages it would ask for.

        Listing: its actual time if it ended inside the budget, else its pace so far times its
        pages. Per-parent part: the requests still to make at the pace of those made.
        """
        listing, per_parent = PER_PARENT[self.stream]
        if self.finished:
            return {"projected_seconds": self.seconds, "basis": "ran to its end"}
        listing_made = self.requests.get(listing, 0)
        if self.listing_seconds is None:
            listing_s = (
                self.seconds * total_requests.get(listing, 0) / listing_made
                if listing_made
                else None
            )
            return {
                "projected_listing_seconds": listing_s,
                "projected_seconds": None,
                "basis": "the listing did not end inside the budget: no per-parent pace",
            }
        made = self.requests.get(per_parent, 0)
        per_parent_s = self.seconds - self.listing_seconds
        pace = made / per_parent_s if per_parent_s > 0 else 0.0
        total = total_requests.get(per_parent, 0)
        projected = self.listing_seconds + total / pace if pace else None
        return {
            "listing_seconds": round(self.listing_seconds, 1),
            "per_parent_requests": made,
            "per_parent_requests_total": total,
            "per_parent_requests_per_second": round(pace, 1),
            "projected_seconds": None if projected is None else round(projected, 1),
            "basis": "listing as measured, then every per-parent request at the sampled pace",
        }

    def as_json(self) -> dict:
        return {**asdict(self), "records": self.records}


def served_requests(snapshot: dict) -> dict[str, int]:
    """Requests by family from the sandbox's serving stats (stored and rendered alike)."""
    counts: dict[str, int] = {}
    for name, figures in (snapshot.get("served") or snapshot).items():
        family = name.split(" ", 1)[1] if " " in name else name
        counts[family] = counts.get(family, 0) + int(figures["requests"])
    return counts


def run_budgeted(
    stream: str,
    *,
    warehouse: Path,
    env: dict[str, str],
    run_id: str,
    now: datetime,
    budget_s: float,
    snapshot: Callable[[], dict],
    log_path: Path,
    max_listing_s: float = MAX_LISTING_S,
) -> Sample:
    """Run ``stream``'s connector in a child: its listing, then ``budget_s`` seconds of
    per-parent requests (or ``max_listing_s`` if the listing has not ended by then); what it
    did."""
    sample = Sample(stream, budget_s)
    listing, per_parent = PER_PARENT[stream]
    before = served_requests(snapshot())
    argv = [
        sys.executable,
        "-m",
        "bench.budget",
        "--stream",
        stream,
        "--run-id",
        run_id,
        "--now",
        now.isoformat(),
        "--warehouse",
        str(warehouse),
    ]
    started = time.perf_counter()
    with open(log_path, "ab") as log_file:
        child = subprocess.Popen(argv, env=env, cwd=PROJECT_ROOT, stdout=log_file, stderr=log_file)
        peak = 0.0
        while True:
            peak = max(peak, child_peak_rss_mib(child.pid))
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                sample.finished = os.waitstatus_to_exitcode(status) == 0
                break
            elapsed = time.perf_counter() - started
            if sample.listing_seconds is None:
                made = served_requests(snapshot())
                if made.get(per_parent, 0) > before.get(per_parent, 0):
                    sample.listing_seconds = elapsed
            # the budget is the per-parent part's: the listing runs to its end first (at most
            # ``max_listing_s``), so that the sample always holds per-parent requests
            listing_s = sample.listing_seconds
            if (listing_s is not None and elapsed - listing_s >= budget_s) or (
                listing_s is None and elapsed >= max_listing_s
            ):
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(POLL_S)
    sample.seconds = time.perf_counter() - started
    sample.returncode = os.waitstatus_to_exitcode(status)
    sample.peak_rss_mib = peak or usage.ru_maxrss / 1024
    after = served_requests(snapshot())
    sample.requests = {
        family: after.get(family, 0) - before.get(family, 0) for family in (listing, per_parent)
    }
    sample.rows = committed_rows(warehouse, run_id, stream)
    return sample


def committed_rows(warehouse: Path, run_id: str, stream: str) -> dict[str, int]:
    """Records committed by ``run_id`` for ``stream``, by raw table (the load log)."""
    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute(
            "select raw_table, sum(records) from raw._load_log "
            "where run_id = ? and stream = ? group by raw_table",
            [run_id, stream],
        ).fetchall()
    finally:
        con.close()
    return {table: int(records) for table, records in rows}


def main(argv: list[str] | None = None) -> int:
    """The child: one stream's sync function, with its settings from the environment."""
    from orchestration.streams import STREAMS

    parser = argparse.ArgumentParser(prog="python -m bench.budget")
    parser.add_argument("--stream", required=True, choices=sorted(PER_PARENT))
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--now", required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args(argv)
    (stream,) = [s for s in STREAMS if s.name == args.stream]
    sync, settings_class = stream.load()
    con = connect(args.warehouse)
    try:
        claim(con, current_origin(), args.warehouse)
        run = sync(
            con,
            settings_class.from_env(),
            run_id=args.run_id,
            now=datetime.fromisoformat(args.now),
        )
    finally:
        con.close()
    print(json.dumps({"records": run.records, "requests": run.requests}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
