"""One benchmark run of a preset: sandbox up, stages measured, side-by-sides, results written.

``small`` and ``medium`` build a fresh warehouse from a first run (every stream's full history);
``night`` is one more day on top of the ``medium`` warehouse, through the nightly command an
operator runs (``python -m orchestration.nightly``, Dagster included), against a sandbox of the
same seller one day later whose pages are pre-rendered from the cursors that warehouse holds.

With a per-parent budget (``medium``: ``--n-plus-one-budget``, 180 s by default) the two
streams that make one request per order or per ticket run through their connector for that
long in a child process, which is then killed (bench/budget.py); the rest of their records is
landed from the saved pages through our landing code (bench/fill.py), and their whole time is
projected from the sample. The limit and the peer get the same sampled per-parent requests, and
the peer the first pages of each listing (it is the slowest of the three by far).
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import budget, limit, pipeline, server_alone
from bench.fill import FILLS
from bench.measure import Stage, load_average, machine, measured, run_child
from bench.prerender import release_memory
from connectors.warehouse import PROJECT_ROOT, connect
from orchestration.streams import STREAMS
from sandbox.pagestore import PageStore

log = logging.getLogger("bench.run")

BENCH_DATA = PROJECT_ROOT / "data" / "bench"
RESULTS = PROJECT_ROOT / "bench" / "results"
PEER_PYTHON = PROJECT_ROOT / ".venv-bench" / "bin" / "python"
# history the connectors read on a first run: the seller's whole history
HISTORY_DAYS = {"small": 90, "medium": 365}
SANDBOX_START_TIMEOUT_S = 3 * 3600
# per-parent child requests (items, comments) are left to our connectors on sizes above this
PEER_CHILDREN_MAX_PARENTS = 50_000
TOP_STEPS = 12  # Dagster steps of the night listed one by one, longest first
# the peer on a budgeted preset: each listing's first pages up to this many records, and the
# children of the parents on the first listing pages up to this many per-parent requests
PEER_MAX_RECORDS = 20_000
PEER_MAX_CHILD_REQUESTS = 2_000
# the peer is stopped beyond this (the machine is shared; dlt took 7.4 GB for 300 k orders with
# its defaults, see ../shared/STACK.md)
PEER_MAX_RSS_MIB = 6_000


@dataclass
class Run:
    """Everything one preset measured, as written to bench/results/<preset>.json."""

    preset: str
    as_of: str
    started_at: str
    machine: dict
    load_before: tuple[float, float, float]
    scale: float = 1.0
    n_plus_one_budget_s: float | None = None
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sandbox: dict = field(default_factory=dict)
    stages: list[Stage] = field(default_factory=list)
    limit: list[Stage] = field(default_factory=list)
    peer: dict = field(default_factory=dict)
    server_alone: dict = field(default_factory=dict)
    git: dict = field(default_factory=dict)

    def add(self, stage: Stage) -> None:
        """Record a finished stage and keep the figures so far on disk, so a run that is
        stopped half way (an hour into a seller-year) still leaves them."""
        self.stages.append(stage)
        RESULTS.mkdir(parents=True, exist_ok=True)
        partial = RESULTS / f"{self.preset}.partial.json"
        partial.write_text(json.dumps(self.as_json(), indent=1, default=str), encoding="utf-8")

    def as_json(self) -> dict:
        data = dict(vars(self))
        data["stages"] = [stage.as_json() for stage in self.stages]
        data["limit"] = [stage.as_json() for stage in self.limit]
        return data


class SandboxProcess:
    """``python -m bench.serve`` in a child process, started and stopped around a run."""

    def __init__(
        self,
        preset: str,
        as_of: datetime,
        work: Path,
        history_days: int,
        cursors: Path | None = None,
        scale: float = 1.0,
    ) -> None:
        self.work = work / "sandbox"
        self._snapshots = 0
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        argv = [
            sys.executable,
            "-m",
            "bench.serve",
            "--preset",
            preset,
            "--as-of",
            as_of.isoformat(),
            "--dir",
            str(self.work),
            "--history-days",
            str(history_days),
            "--scale",
            str(scale),
            "--parallel",
        ]
        if cursors is not None:
            argv += ["--cursors", str(cursors)]
        self.log_path = self.work / "serve.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(argv, cwd=PROJECT_ROOT, stdout=self._log, stderr=self._log)
        self.status: dict = {}

    def wait_ready(self) -> dict:
        ready = self.work / "ready.json"
        deadline = time.monotonic() + SANDBOX_START_TIMEOUT_S
        while not ready.exists():
            if self.process.poll() is not None:
                raise RuntimeError(f"bench sandbox exited: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError("bench sandbox not ready in time")
            time.sleep(0.5)
        time.sleep(0.1)  # the file is written in one call; let it land
        self.status = json.loads(ready.read_text(encoding="utf-8"))
        return self.status

    def snapshot(self, timeout_s: float = 10.0) -> dict:
        """What serving has cost the sandbox so far (it writes stats.json on SIGUSR1)."""
        self._snapshots += 1
        self.process.send_signal(signal.SIGUSR1)
        path = self.work / "stats.json"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                stats = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stats = {}
            if stats.get("snapshot", 0) >= self._snapshots:
                return stats
            time.sleep(0.02)
        raise RuntimeError("the bench sandbox did not write its serving stats")

    def stop(self) -> dict:
        """Stop it; what serving cost (by family) and its own peak RSS."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            _, status, usage = os.wait4(self.process.pid, 0)
            self.process.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss / 1024
        else:
            peak = 0.0
        self._log.close()
        stats_path = self.work / "stats.json"
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
        stats["process_peak_rss_mib"] = round(peak, 1)
        return stats

    def log_tail(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    @property
    def manifest(self) -> Path:
        return self.work / "manifest.json"


def this_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def run_first_load(
    preset: str, *, peer: bool = True, scale: float = 1.0, n_plus_one_budget: float | None = None
) -> Run:
    """``small`` or ``medium``: a first run into a fresh warehouse, every stage measured; with
    ``n_plus_one_budget`` the per-parent streams are sampled, filled and projected."""
    work = BENCH_DATA / preset
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # a day before this hour, so the ``night`` after it is not in the future
    as_of = this_hour() - timedelta(days=1)
    run = Run(
        preset,
        as_of.isoformat(),
        datetime.now(UTC).isoformat(),
        machine(),
        load_average(),
        git=_git_state(),
        scale=scale,
        n_plus_one_budget_s=n_plus_one_budget,
    )
    sandbox = SandboxProcess(preset, as_of, work, HISTORY_DAYS[preset], scale=scale)
    samples: dict[str, budget.Sample] = {}
    try:
        status = sandbox.wait_ready()
        run.sandbox = {
            key: status[key]
            for key in ("base_url", "config", "generate", "prerender")
            if key in status
        }
        run.add(_generate_stage(status))
        run.add(_prerender_stage(status))
        env = pipeline.environment(status["env"], work)
        os.environ.clear()
        os.environ.update(env)
        log.info("server alone")
        try:
            run.server_alone = server_alone.measure(sandbox.manifest, status["base_url"])
        except OSError as exc:
            run.server_alone = {"error": f"{type(exc).__name__}: {exc}"}
        warehouse = Path(env["KPI_WAREHOUSE_PATH"])
        run_id = f"bench-{preset}-{as_of:%Y%m%d%H}"
        manifest = json.loads(sandbox.manifest.read_text(encoding="utf-8"))
        for stream in STREAMS:
            if n_plus_one_budget and stream.name in budget.PER_PARENT:
                sample = _land_sampled(
                    run, stream.name, warehouse, env, manifest, run_id, as_of,
                    n_plus_one_budget, sandbox, work,
                )  # fmt: skip
                samples[stream.name] = sample
            else:
                run.add(pipeline.land_stream(stream, warehouse, run_id=run_id, now=as_of))
        log.info("dbt build")
        run.add(pipeline.dbt_build(warehouse, work, env))
        log.info("checks")
        run.add(pipeline.run_checks(warehouse, run_id=run_id, now=as_of))
        published = pipeline.publish(warehouse, run_id=run_id)
        if published is not None:
            run.add(published)
        log.info("limit: DuckDB reading the saved pages")
        sample_lines = {
            budget.PER_PARENT[name][1]: sample.requests.get(budget.PER_PARENT[name][1], 0)
            for name, sample in samples.items()
            if not sample.finished
        }
        run.limit = limit.run_limit(sandbox.manifest, work / "limit.duckdb", sample_lines)
        if peer:
            log.info("peer: dlt")
            try:
                run.peer = run_peer(status, env, work, run.limit, sample_lines)
            except Exception as exc:  # noqa: BLE001 - the figures so far are still worth keeping
                log.exception("the dlt peer failed")
                run.peer = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        run.sandbox["served"] = sandbox.stop()
    run.load_after = load_average()
    return run


def _stream_rows(warehouse: Path, name: str, run_id: str) -> int:
    """The stream's records in the warehouse from this run (the sample's and the fill's, each
    record once: a record both landed is one row)."""
    stream = next(s for s in STREAMS if s.name == name)
    con = connect(warehouse, read_only=True)
    try:
        return sum(
            con.execute(
                f"select count(*) from {table.qualified} where _run_id = ?", [run_id]
            ).fetchone()[0]
            for table in stream.tables
        )
    finally:
        con.close()


def _open_store(directory: Path) -> PageStore:
    """The pre-rendered pages, read-only in practice: the index the sandbox saved."""
    store = PageStore(directory)
    store.merge_index(directory / "index")
    return store


def _land_sampled(
    run: Run,
    name: str,
    warehouse: Path,
    env: dict[str, str],
    manifest: dict,
    run_id: str,
    now: datetime,
    budget_s: float,
    sandbox: SandboxProcess,
    work: Path,
) -> budget.Sample:
    """A per-parent stream: the connector for ``budget_s`` (a sample), the rest from the saved
    pages, and the whole stream's time projected from the sample."""
    log.info("land %s through the connector for %.0f s", name, budget_s)
    sample = budget.run_budgeted(
        name,
        warehouse=warehouse,
        env=env,
        run_id=run_id,
        now=now,
        budget_s=budget_s,
        snapshot=sandbox.snapshot,
        log_path=work / "budget.log",
    )
    projection = sample.projection(manifest["pages"])
    stage = Stage(
        f"land {name} (sample)",
        seconds=sample.seconds,
        rows=sample.records,
        peak_rss_mib=sample.peak_rss_mib,
        detail={"sample": sample.as_json(), "projection": projection},
    )
    if not sample.finished and sample.returncode != -signal.SIGKILL:
        stage.error = f"the connector exited {sample.returncode}; see {work / 'budget.log'}"
    run.add(stage)
    if sample.finished:
        return sample
    listing, _ = budget.PER_PARENT[name]
    fill_stage = Stage(f"fill {name} (from saved pages)")
    # the saved pages' index is held for the fill only, so that the later stages' peaks (the
    # process's own) do not carry it
    store = _open_store(sandbox.manifest.parent / "pages")
    try:
        with measured(fill_stage.name) as fill_stage:
            stream = next(s for s in STREAMS if s.name == name)
            settings = stream.load()[1].from_env()
            extra = {}
            if name == "amazon_orders":
                extra["listing_complete"] = sample.requests.get(listing, 0) >= manifest[
                    "pages"
                ].get(listing, 0)
            con = connect(warehouse)
            try:
                filled = FILLS[name](con, store, settings, run_id=run_id, now=now, **extra)
            finally:
                con.close()
            fill_stage.rows = filled.records
            fill_stage.detail = {
                "tables": {table: result.records for table, result in filled.tables.items()},
                "parents": filled.requests,
            }
    except Exception:  # noqa: BLE001 - recorded on the stage
        log.exception("%s failed", fill_stage.name)
    finally:
        store.close()
        del store
        release_memory()
    run.add(fill_stage)
    run.add(
        Stage(
            f"land {name} (whole stream)",
            seconds=projection.get("projected_seconds") or 0.0,
            rows=_stream_rows(warehouse, name, run_id),
            projected=True,
            detail=projection,
        )
    )
    return sample


def run_night() -> Run:
    """One more day on top of ``medium`` through ``python -m orchestration.nightly``."""
    medium = _load_results("medium")
    work = BENCH_DATA / "medium"
    warehouse = work / "work" / "warehouse.duckdb"
    if medium is None or not warehouse.exists():
        raise SystemExit("night runs on top of the medium warehouse: run PRESET=medium first")
    as_of = datetime.fromisoformat(medium["as_of"]) + timedelta(days=1)
    run = Run(
        "night",
        as_of.isoformat(),
        datetime.now(UTC).isoformat(),
        machine(),
        load_average(),
        git=_git_state(),
    )
    cursors = work / "night-cursors.json"
    cursors.write_text(json.dumps(_cursors(warehouse)), encoding="utf-8")
    # the same seller one day later (generated again: the sandbox keeps no state between runs);
    # nothing is landed again but the night's windows, on the medium warehouse itself
    scale = float(medium.get("scale") or 1.0)
    run.scale = scale
    sandbox = SandboxProcess(
        "medium", as_of, work / "night", HISTORY_DAYS["medium"], cursors, scale=scale
    )
    try:
        status = sandbox.wait_ready()
        run.sandbox = {
            key: status[key]
            for key in ("base_url", "config", "generate", "prerender")
            if key in status
        }
        run.add(_generate_stage(status))
        run.add(_prerender_stage(status))
        env = pipeline.environment(status["env"], work)
        result = run_child(
            [sys.executable, "-m", "orchestration.nightly", "--as-of", as_of.isoformat()],
            env=env,
            cwd=PROJECT_ROOT,
        )
        night = Stage(
            "nightly job (Dagster, end to end)",
            seconds=result.seconds,
            peak_rss_mib=result.peak_rss_mib,
        )
        if result.returncode != 0:
            night.error = f"exit {result.returncode}: {result.stderr[-1500:]}"
        night.detail = {"summary": result.stdout[-4000:]}
        steps = _dagster_steps(env)
        night.rows = _rows_landed(warehouse, steps.get("run_id", ""))
        run.stages.append(night)
        run.stages += steps.get("stages", [])
    finally:
        run.sandbox["served"] = sandbox.stop()
    run.load_after = load_average()
    return run


def _generate_stage(status: dict) -> Stage:
    generated = status["generate"]
    return Stage(
        "generate (sandbox)",
        seconds=generated["seconds"],
        rows=sum(generated["rows"].values()),
        peak_rss_mib=generated["peak_rss_mib"],
        detail=generated["rows"],
    )


def _prerender_stage(status: dict) -> Stage:
    rendered = status.get("prerender") or {}
    # the largest of its steps' own peaks (each step resets the mark), the second process's
    # per-parent steps aside (they are its own figure, children_peak_rss_mib)
    steps = [
        value
        for step, value in (rendered.get("peak_rss_by_family") or {}).items()
        if "(per-parent" not in step
    ]
    return Stage(
        "pre-render pages (sandbox)",
        seconds=rendered.get("seconds", 0.0),
        rows=rendered.get("pages", 0),
        peak_rss_mib=max([rendered.get("peak_rss_mib", 0.0), *steps]),
        detail={"bytes": rendered.get("bytes", 0), "seconds": rendered.get("by_family", {})},
    )


def run_peer(
    status: dict,
    env: dict[str, str],
    work: Path,
    limit_stages: list[Stage] | None = None,
    sample_lines: dict[str, int] | None = None,
) -> dict:
    """dlt's REST API source over the same endpoints, in the bench venv (see bench/peer_dlt).

    With sampled per-parent streams (``sample_lines``) dlt is bounded the same way: each
    listing's first pages (up to ``PEER_MAX_RECORDS`` records) and, apart, the children of the
    first listing pages (up to ``PEER_MAX_CHILD_REQUESTS`` requests, the sample's at most)."""
    if not PEER_PYTHON.exists():
        return {"skipped": f"{PEER_PYTHON} missing: `make bench` installs dlt there"}
    manifest = json.loads((work / "sandbox" / "manifest.json").read_text(encoding="utf-8"))
    plan = work / "peer-plan.json"
    children = max(
        manifest["pages"].get("amazon_order_items", 0),
        manifest["pages"].get("zendesk_ticket_comments", 0),
    )
    content: dict = {
        "base_url": status["base_url"],
        "listings": manifest["listings"],
        "children": children <= PEER_CHILDREN_MAX_PARENTS and not sample_lines,
    }
    if sample_lines:
        per_page = _records_per_page(manifest, limit_stages or [])
        content["max_pages"] = {
            family: max(1, math.ceil(PEER_MAX_RECORDS / records))
            for family, records in per_page.items()
        }
        parents = {
            "amazon_order_items": "amazon_orders",
            "zendesk_ticket_comments": "zendesk_tickets",
        }
        content["child_sample_pages"] = {
            family: max(
                1,
                math.ceil(min(made, PEER_MAX_CHILD_REQUESTS) / per_page.get(parents[family], 1)),
            )
            for family, made in sample_lines.items()
            if made
        }
    plan.write_text(json.dumps(content), encoding="utf-8")
    database = work / "peer.duckdb"
    result = run_child(
        [
            str(PEER_PYTHON),
            "-m",
            "bench.peer_dlt",
            "--plan",
            str(plan),
            "--database",
            str(database),
            "--pipelines-dir",
            str(work / "dlt"),
        ],
        env={**env, "PYTHONPATH": str(PROJECT_ROOT), "RUNTIME__LOG_LEVEL": "WARNING"},
        cwd=PROJECT_ROOT,
        max_rss_mib=PEER_MAX_RSS_MIB,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    finished = {line.pop("stream"): line for line in lines if "stream" in line}
    report = next((line for line in lines if "configuration" in line), {"streams": finished})
    if result.returncode != 0:
        report["error"] = f"exit {result.returncode}: {result.stderr[-1500:]}"
    if result.killed_for_memory:
        report["error"] = f"stopped when its memory passed {PEER_MAX_RSS_MIB:,} MiB"
    report.setdefault("configuration", "REST API source (stopped before its summary)")
    report["seconds"] = round(result.seconds, 2)
    report["peak_rss_mib"] = round(result.peak_rss_mib, 1)
    report["dlt"] = _peer_version()
    shutil.rmtree(work / "dlt", ignore_errors=True)
    database.unlink(missing_ok=True)
    return report


def _records_per_page(manifest: dict, limit_stages: list[Stage]) -> dict[str, float]:
    """Average records per page of each listing (the limit's records over the pages stored)."""
    rows = {stage.name.removeprefix("limit "): stage.rows for stage in limit_stages}
    return {
        listing["family"]: rows[listing["family"]] / manifest["pages"][listing["family"]]
        for listing in manifest["listings"]
        if rows.get(listing["family"]) and manifest["pages"].get(listing["family"])
    }


def _peer_version() -> str:
    result = subprocess.run(
        [str(PEER_PYTHON), "-c", "import dlt; print(dlt.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def _cursors(warehouse: Path) -> dict[str, str]:
    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute("select stream, cursor_value from raw._stream_state").fetchall()
    finally:
        con.close()
    return {stream: value for stream, value in rows if value}


def _rows_landed(warehouse: Path, run_id: str) -> int:
    con = connect(warehouse, read_only=True)
    try:
        (rows,) = con.execute(
            "select coalesce(sum(records), 0) from raw._load_log where run_id = ?", [run_id]
        ).fetchone()
    finally:
        con.close()
    return int(rows)


def _dagster_steps(env: dict[str, str]) -> dict:
    """The nightly run's steps from its Dagster instance: each step's wall time."""
    script = (
        "import json, dagster as dg\n"
        "i = dg.DagsterInstance.get()\n"
        "run = i.get_runs(limit=1)[0]\n"
        "steps = [dict(key=s.step_key, start=s.start_time, end=s.end_time, status=str(s.status))"
        " for s in i.get_run_step_stats(run.run_id)]\n"
        "print(json.dumps(dict(run_id=run.run_id, steps=steps)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    try:
        found = json.loads(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}
    stages = [
        Stage(
            f"  step {step['key']}",
            seconds=(step["end"] or 0) - (step["start"] or 0),
            detail={"status": step["status"]},
        )
        for step in found["steps"]
        if step["start"] and step["end"]
    ]
    stages.sort(key=lambda stage: -stage.seconds)
    if len(stages) > TOP_STEPS:  # the rest (mostly checks of a tenth of a second) in one line
        rest = stages[TOP_STEPS:]
        stages = stages[:TOP_STEPS] + [
            Stage(
                f"  {len(rest)} other steps (summed)",
                seconds=sum(stage.seconds for stage in rest),
                detail={"steps": [stage.name.strip() for stage in rest]},
            )
        ]
    return {"run_id": found["run_id"], "stages": stages}


def _git_state() -> dict:
    def git(*args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
        )
        return result.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_files": len(git("status", "--porcelain").splitlines()),
    }


def _load_results(preset: str) -> dict | None:
    path = RESULTS / f"{preset}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def save(run: Run) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{run.preset}.json"
    path.write_text(json.dumps(run.as_json(), indent=1, default=str), encoding="utf-8")
    (RESULTS / f"{run.preset}.partial.json").unlink(missing_ok=True)
    return path
