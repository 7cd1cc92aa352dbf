"""``python -m sandbox``: serve the synthetic seller on 127.0.0.1 until SIGTERM or SIGINT.

Writes the connector environment (``KEY=value`` lines, every variable of docs/contracts.md's
configuration table) to ``--env-file``, or prints it on stdout, and logs the base URL on
stderr. Exits 0 on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from sandbox.generator import SellerConfig, this_hour
from sandbox.server import start_sandbox

log = logging.getLogger("sandbox")


def _as_of(text: str) -> datetime:
    if not text:
        return this_hour()
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    defaults = SellerConfig(as_of=datetime(2000, 1, 1, tzinfo=UTC))
    parser.add_argument("--days", type=int, default=defaults.days)
    parser.add_argument("--orders-per-day", type=int, default=defaults.orders_per_day)
    parser.add_argument("--skus", type=int, default=defaults.skus)
    parser.add_argument("--tickets-per-day", type=int, default=defaults.tickets_per_day)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--as-of", default="", help="ISO-8601; default: now, floored to the hour")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument("--env-file", type=Path, help="write KEY=value lines here")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )

    config = SellerConfig(
        seed=args.seed,
        days=args.days,
        orders_per_day=args.orders_per_day,
        skus=args.skus,
        tickets_per_day=args.tickets_per_day,
        as_of=_as_of(args.as_of),
    )
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    with start_sandbox(config, port=args.port) as sandbox:
        lines = "".join(f"{key}={value}\n" for key, value in sandbox.env().items())
        if args.env_file:
            args.env_file.write_text(lines, encoding="utf-8")
        else:
            sys.stdout.write(lines)
            sys.stdout.flush()
        log.info("sandbox serving on %s (as of %s)", sandbox.base_url, config.as_of.isoformat())
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
