"""``python -m bench --preset small|medium|night|all``: run presets, print and keep the figures.

Each preset's figures go to bench/results/<preset>.json (machine-readable, not committed: they
belong to the machine that ran them) and replace that preset's table in docs/benchmarks.md.
``all`` runs small, medium, then night on top of medium. On ``medium`` the streams that make
one request per order or per ticket are sampled for ``--n-plus-one-budget`` seconds each, the
rest of their records landed from the saved pages, and their whole time projected (see
bench/budget.py); ``--scale`` shrinks a preset's daily volumes for a quick run of the same shape.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from bench import report
from bench.run import run_first_load, run_night, save

PRESETS = ("small", "medium", "night")
DEFAULT_BUDGET_S = 180.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=(*PRESETS, "all"), default="small")
    parser.add_argument("--no-peer", action="store_true", help="skip the dlt side by side")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiply the preset's daily volumes (e.g. 0.1 for a quick run of the same shape)",
    )
    parser.add_argument(
        "--n-plus-one-budget",
        type=float,
        default=DEFAULT_BUDGET_S,
        help="medium: seconds each per-parent stream runs through its connector before the "
        "rest is landed from the saved pages and its time projected (0: run them to the end)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s"
    )
    # one line per HTTP request and per landed batch would drown the figures
    for name in ("connectors", "orchestration", "sandbox"):
        logging.getLogger(name).setLevel(logging.WARNING)
    failed = False
    for preset in PRESETS if args.preset == "all" else (args.preset,):
        if preset == "night":
            run = run_night()
        else:
            run = run_first_load(
                preset,
                peer=not args.no_peer,
                scale=args.scale,
                n_plus_one_budget=(args.n_plus_one_budget or None) if preset == "medium" else None,
            )
        path = save(run)
        figures = json.loads(path.read_text(encoding="utf-8"))
        print(f"\n## {preset}\n\n{report.render(figures)}\n\n(figures in {path})", flush=True)
        if not args.no_docs:
            report.update_docs(figures)
        failed = failed or any(stage.error for stage in run.stages)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
