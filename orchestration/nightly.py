"""Run the nightly job once, now, and print what it did: ``python -m orchestration.nightly``.

This executes the same job the 02:00 schedule starts, recorded in the same Dagster instance
(``data/dagster``) so the run shows up in the UI. The job builds in the working warehouse
(``KPI_WAREHOUSE_PATH``) and, when every step succeeded, publishes it to the copy analysts query
(``KPI_PUBLISHED_PATH``). ``--sandbox`` first starts the bundled sandbox
platforms on 127.0.0.1 and points every connector at them (that is what ``make run`` does);
without it the connectors use the accounts configured in the environment or in ``.env``.

The run is the partition of the local day before ``--as-of`` (default: now): the nightly pull.
``--partition 2026-11-20`` reruns that past day instead (orchestration/partitions.py): the
connectors re-read that day's records and keep their cursors, and dbt rebuilds. A failed run
sends an alert (orchestration/alerts.py).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from dotenv import load_dotenv

from connectors.http import SecretsFilter
from connectors.warehouse import WarehouseOriginError, claim, connect, current_origin
from orchestration import environment
from orchestration.partitions import (
    PartitionError,
    nightly_partition_key,
    partition_run,
    require_partition,
)
from orchestration.publish import PublishTarget, check_published_origin
from orchestration.resources import RunClock

log = logging.getLogger("orchestration.nightly")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", action="store_true", help="serve and use the sandbox")
    parser.add_argument("--days", type=int, default=90, help="sandbox history in days")
    parser.add_argument("--orders-per-day", type=int, default=30, help="sandbox, per channel")
    parser.add_argument("--skus", type=int, default=200, help="sandbox catalogue size")
    parser.add_argument("--tickets-per-day", type=int, default=25, help="sandbox tickets")
    parser.add_argument("--seed", type=int, default=7, help="sandbox random seed")
    parser.add_argument("--as-of", default="", help="ISO-8601 'now' for a replayed night")
    parser.add_argument(
        "--partition",
        default="",
        metavar="YYYY-MM-DD",
        help="rerun this past local day (of KPI_SCHEDULE_TIMEZONE) instead of the nightly pull",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also log every HTTP request (INFO)"
    )
    args = parser.parse_args(argv)

    _configure_logging(verbose=args.verbose)
    environment.apply()
    load_dotenv(Path.cwd() / ".env", override=False)  # real exports win over .env
    if args.as_of:
        os.environ["KPI_AS_OF"] = args.as_of

    sandbox = None
    if args.sandbox:
        from sandbox.generator import SellerConfig
        from sandbox.server import start_sandbox

        as_of = _as_of(args.as_of)
        sandbox = start_sandbox(
            SellerConfig(
                seed=args.seed,
                days=args.days,
                orders_per_day=args.orders_per_day,
                skus=args.skus,
                tickets_per_day=args.tickets_per_day,
                as_of=as_of,
            )
        )
        os.environ.update(sandbox.env())
        os.environ["KPI_AS_OF"] = as_of.isoformat()
        log.info("sandbox platforms serving on %s (as of %s)", sandbox.base_url, as_of)
    try:
        now = RunClock().now()
        partition = require_partition(args.partition or nightly_partition_key(now), now)
        _check_origin(Path(os.environ["KPI_WAREHOUSE_PATH"]), PublishTarget.configured())
        result = _execute(partition)
    except (WarehouseOriginError, PartitionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if sandbox is not None:
            sandbox.stop()

    from orchestration.summary import render_summary, run_outcome

    outcome = run_outcome(result)
    outcome.partition = partition_run(partition, now).describe()
    print(
        render_summary(outcome, Path(os.environ["KPI_WAREHOUSE_PATH"]), PublishTarget.configured())
    )
    if not outcome.succeeded:
        _alert_failure(result, partition, outcome)
    return 0 if outcome.succeeded else 1


def _check_origin(path: Path, published: PublishTarget) -> None:
    """Refuse before any download when the working warehouse, or the published copy the run
    would replace, holds the other kind of data."""
    con = connect(path)
    try:
        claim(con, current_origin(), path)
    finally:
        con.close()
    check_published_origin(published, current_origin())


def _execute(partition: str):
    from dagster import DagsterInstance

    from orchestration.definitions import defs
    from orchestration.jobs import ALERTED_BY_CALLER, ALERTED_TAG, NIGHTLY_JOB_NAME

    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    # dagster-dbt echoes dbt's log to stdout; keep stdout for the summary
    with DagsterInstance.get() as instance, contextlib.redirect_stdout(sys.stderr):
        return job.execute_in_process(
            instance=instance,
            partition_key=partition,
            # this command alerts on its own failure: the run failure sensor stays quiet
            tags={ALERTED_TAG: ALERTED_BY_CALLER},
            raise_on_error=False,
        )


def _alert_failure(result, partition: str, outcome) -> None:
    from orchestration.alerts import send_alert
    from orchestration.jobs import NIGHTLY_JOB_NAME, run_failure_message

    send_alert(
        "run_failure",
        run_failure_message(
            NIGHTLY_JOB_NAME,
            result.run_id,
            partition,
            outcome.failed_steps,
            outcome.checks_failed,
        ),
    )


def _as_of(text: str) -> datetime:
    if text:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _configure_logging(*, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(SecretsFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    if not verbose:
        # one line per request is thousands on a first run; the per-stream lines remain
        for name in ("connectors.http", "sandbox"):
            logging.getLogger(name).setLevel(logging.WARNING)


if __name__ == "__main__":
    raise SystemExit(main())
