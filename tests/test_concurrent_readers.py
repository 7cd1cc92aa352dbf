"""Analysts query the published marts while the nightly job runs (issue 5; the last case of
../shared/cases/README.md): the job succeeds, and every answer comes from one complete version.

The job runs as an operator runs it (``python -m orchestration.nightly``, as in
tests/test_end_to_end.py) against a tiny sandbox seller. Analysts are separate processes (DuckDB
locks are per process) that query the published file in a loop for the whole run:

- night 1, from an empty working file: one reader opens a new read-only connection for every
  query, another holds one read-only connection throughout;
- night 2: an analyst holds the published file open read-write, as SQL tools open a file by
  default (DuckDB then refuses every other connection to that file);
- night 3 fails (a setting is wrong): nothing is published, readers keep the last version.

Every answer is checked against the version it came from: the row count of each marts table
must equal what ``meta.published_tables`` of the same file records for that version, and
``kpi_ads_daily.total_sales`` must equal the ``kpi_sales_daily.gmv`` of the same marketplace-day
(a reader seeing one mart of one build beside the other mart of another build breaks it).
Before night 1 the published file holds version 0, a small hand-made build, so the readers have
something to read from the first second and the two versions differ in every mart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.warehouse import SANDBOX_ORIGIN, claim, connect
from orchestration.publish import PublishTarget, publish
from sandbox.generator import SellerConfig
from sandbox.server import start_sandbox

ROOT = Path(__file__).resolve().parent.parent
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")
AS_OF = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
SELLER = SellerConfig(seed=5, days=6, orders_per_day=3, skus=8, tickets_per_day=3, as_of=AS_OF)
WAIT_S = 120  # bound on waiting for a reader process; never asserted as a duration

READER = r"""
import json, sys, time
from pathlib import Path
import duckdb

mode, path, stop, report, ready = sys.argv[1:6]
CROSS_MART = '''
    select count(*) from marts.kpi_ads_daily as ads
    left join marts.kpi_sales_daily as sales using (marketplace_id, local_date)
    where ads.total_sales <> coalesce(sales.gmv, 0)
'''


def answer(con):
    version = con.execute("select version from meta.publication").fetchone()[0]
    expected = dict(con.execute(
        "select table_name, row_count from meta.published_tables"
    ).fetchall())
    counts = dict(con.execute(" union all ".join(
        f"select '{name}', count(*) from marts.\"{name}\"" for name in sorted(expected)
    )).fetchall())
    mismatched = con.execute(CROSS_MART).fetchone()[0]
    gmv = con.execute("select sum(gmv) from marts.kpi_sales_daily").fetchone()[0]
    return version, counts == expected and mismatched == 0, str(gmv)


def open_file():
    con = duckdb.connect(path, read_only=(mode != "held-read-write"))
    con.execute("set TimeZone = 'UTC'")
    return con


held = open_file() if mode.startswith("held") else None
queries, errors, versions, inconsistent, gmv_by_version = 0, [], [], [], {}
stopping = False
while True:
    stopping = Path(stop).exists()  # one last query after the stop request
    try:
        con = held or open_file()
        try:
            version, consistent, gmv = answer(con)
        finally:
            if held is None:
                con.close()
        queries += 1
        if not versions or versions[-1] != version:
            versions.append(version)
        gmv_by_version[version] = gmv
        if not consistent:
            inconsistent.append(version)
        if queries == 1:
            Path(ready).write_text("ready")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    if stopping:
        break
    time.sleep(0.1)  # an analyst's pace; leaves the 2 cores to the job
if held is not None:
    held.close()
Path(report).write_text(json.dumps({
    "queries": queries, "errors": errors, "versions": versions,
    "inconsistent": inconsistent, "gmv": gmv_by_version,
}))
"""


class Reader:
    """One analyst process querying the published file until told to stop."""

    def __init__(self, mode: str, published: Path, folder: Path) -> None:
        self.stop_file = folder / f"{mode}.stop"
        self.report_file = folder / f"{mode}.json"
        self.ready_file = folder / f"{mode}.ready"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                mode,
                str(published),
                str(self.stop_file),
                str(self.report_file),
                str(self.ready_file),
            ]
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while not self.ready_file.exists():
            assert self.process.poll() is None, "the reader process ended before its first query"
            assert time.monotonic() < deadline, "the reader never answered a first query"
            time.sleep(0.05)

    def stop(self) -> dict:
        self.stop_file.write_text("stop")
        assert self.process.wait(timeout=WAIT_S) == 0
        return json.loads(self.report_file.read_text())


def _version_zero(folder: Path, target: PublishTarget) -> str:
    """The version analysts have before night 1: a small sandbox build with both marts read by
    the readers (total_sales equal to the gmv of its day), published the way the job does."""
    working = folder / "version0.duckdb"
    con = connect(working)
    try:
        claim(con, SANDBOX_ORIGIN, working)
        con.execute("create schema marts")
        con.execute(
            "create table marts.kpi_sales_daily as select * from (values "
            "('ATVPDKIKX0DER', date '2026-11-01', 12.5000::decimal(18, 4))) "
            "as t(marketplace_id, local_date, gmv)"
        )
        con.execute(
            "create table marts.kpi_ads_daily as select * from (values "
            "('ATVPDKIKX0DER', date '2026-11-01', 12.5000::decimal(18, 4))) "
            "as t(marketplace_id, local_date, total_sales)"
        )
    finally:
        con.close()
    return publish(working, target, origin=SANDBOX_ORIGIN, run_id="version0-hand-made").version


def _nightly(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.nightly", "--as-of", AS_OF.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _published_version(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if line.startswith("Published for analysts"))
    return line.removeprefix("Published for analysts, version ").removesuffix(":")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysts")
    target = PublishTarget(folder / "warehouse.duckdb")
    version0 = _version_zero(folder, target)
    with start_sandbox(SELLER) as sandbox:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AMAZON_", "SHOPIFY_"))},
            **sandbox.env(),
            "KPI_WAREHOUSE_PATH": str(folder / "work" / "warehouse.duckdb"),
            "KPI_PUBLISHED_PATH": str(target.database),
            "DAGSTER_HOME": str(folder / "dagster"),
            "PYTHONPATH": str(ROOT),
        }
        # night 1: a reader per query and a reader holding one connection
        fresh = Reader("fresh", target.database, folder)
        held = Reader("held", target.database, folder)
        fresh.wait_ready()
        held.wait_ready()
        first = _nightly(env)
        first_readers = {"fresh": fresh.stop(), "held": held.stop()}

        # night 2: an analyst holds the published file open read-write
        writer = Reader("held-read-write", target.database, folder)
        writer.wait_ready()
        second = _nightly(env)
        # while that analyst still holds the old version, the DuckDB 1.5 shell opens the new one
        shell = subprocess.run(
            [
                str(DUCKDB_CLI),
                "-readonly",
                "-csv",
                "-noheader",
                str(target.database),
                "-c",
                "select version from meta.publication",
            ],
            capture_output=True,
            text=True,
            timeout=WAIT_S,
        )
        second_readers = {"held-read-write": writer.stop()}

        # night 3 fails before dbt (a wrong setting): nothing may be published
        fresh_again = Reader("fresh-failed-night", target.database, folder)
        fresh_again.wait_ready()
        third = _nightly({**env, "ZENDESK_URL": "not-a-url"})
        third_readers = {"fresh": fresh_again.stop()}
        yield {
            "version0": version0,
            "target": target,
            "nights": (first, second, third),
            "readers": (first_readers, second_readers, third_readers),
            "shell": shell,
        }


def test_night_one_succeeds_while_analysts_query_and_each_sees_whole_versions(nights):
    first = nights["nights"][0]
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Nightly KPI run: SUCCEEDED" in first.stdout
    version1 = _published_version(first.stdout)
    fresh, held = nights["readers"][0]["fresh"], nights["readers"][0]["held"]
    for report in (fresh, held):
        assert report["errors"] == []
        assert report["inconsistent"] == []
    # the reader that reconnects saw version 0 during the run, then version 1, never a mix
    assert fresh["versions"] == [nights["version0"], version1]
    assert fresh["queries"] > len(fresh["versions"])
    # version 0's gmv is the hand-made 12.5000; night 1's build holds the sandbox's orders
    assert fresh["gmv"][nights["version0"]] == "12.5000"
    assert fresh["gmv"][version1] not in ("12.5000", "None")
    # the reader holding its connection kept the version it opened, whole, all night
    assert held["versions"] == [nights["version0"]]


def test_night_two_succeeds_while_an_analyst_holds_the_published_file_read_write(nights):
    first, second, _ = nights["nights"]
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Nightly KPI run: SUCCEEDED" in second.stdout
    version1, version2 = _published_version(first.stdout), _published_version(second.stdout)
    assert version2 != version1
    writer = nights["readers"][1]["held-read-write"]
    assert writer["errors"] == [] and writer["inconsistent"] == []
    assert writer["versions"] == [version1]
    # meanwhile a new session (the DuckDB 1.5 shell of `make sql`) opened night 2's version
    assert nights["shell"].returncode == 0, nights["shell"].stderr
    assert nights["shell"].stdout.strip() == version2


def test_a_failed_night_publishes_nothing_and_readers_keep_the_last_version(nights):
    _, second, third = nights["nights"]
    assert third.returncode == 1
    assert "Nightly KPI run: FAILED" in third.stdout
    assert "ZENDESK_URL must be an http(s) URL" in third.stdout
    version2 = _published_version(second.stdout)
    assert f"Not published: analysts keep version {version2}" in third.stdout
    fresh = nights["readers"][2]["fresh"]
    assert fresh["errors"] == [] and fresh["inconsistent"] == []
    assert fresh["versions"] == [version2]
    con = connect(nights["target"].database, read_only=True)
    try:
        assert con.execute("select version from meta.publication").fetchone()[0] == version2
    finally:
        con.close()
