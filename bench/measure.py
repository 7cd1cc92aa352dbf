"""Measuring a stage: wall time, rows, rows per second, and the peak memory it reached.

Peak memory is the resident set's high-water mark (``VmHWM``). For a stage run inside this
process the mark is reset when the stage starts (writing ``5`` to ``/proc/self/clear_refs``,
Linux 4.0+), so each stage reports its own peak, which includes what earlier stages left
resident (DuckDB keeps its buffers while its connection is open; a stage's floor is never below
what the process already holds). For a stage run as a child process (dbt, dlt, a sampled stream)
the peak is the child's own ``VmHWM``, read while it runs (``wait4``'s figure would include the
parent's: see :func:`child_peak_rss_mib`). Where the mark cannot be reset the
stage reports the process's lifetime peak and says so.
"""

from __future__ import annotations

import logging
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger("bench.measure")

MIB = 1024 * 1024


@dataclass
class Stage:
    """One measured step of a benchmark run."""

    name: str
    seconds: float = 0.0
    rows: int = 0
    peak_rss_mib: float = 0.0
    detail: dict = field(default_factory=dict)
    peak_is_lifetime: bool = False  # the peak could not be reset for this stage
    error: str = ""
    projected: bool = False  # seconds projected from a sample, not measured (bench/budget.py)

    @property
    def rows_per_second(self) -> float | None:
        return self.rows / self.seconds if self.rows and self.seconds > 0 else None

    def as_json(self) -> dict:
        data = asdict(self)
        data["rows_per_second"] = (
            round(self.rows_per_second) if self.rows_per_second is not None else None
        )
        data["seconds"] = round(self.seconds, 3)
        data["peak_rss_mib"] = round(self.peak_rss_mib, 1)
        return data


def _status_kib(field_name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Reset this process's high-water mark to its current RSS; False where Linux refuses."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    """This process's resident high-water mark since the last reset, in MiB."""
    try:
        return _status_kib("VmHWM") / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    try:
        return _status_kib("VmRSS") / 1024
    except OSError:
        return 0.0


HEARTBEAT_S = 120.0  # a long stage logs that it is still running this often


@contextmanager
def measured(name: str) -> Iterator[Stage]:
    """Time the block and record its peak RSS; the caller sets ``rows`` and ``detail``.

    An exception inside the block is recorded on the stage (``error``) and re-raised. A stage
    that runs long logs a line every two minutes (a seller-year's stream takes an hour).
    """
    stage = Stage(name)
    stage.peak_is_lifetime = not reset_peak_rss()
    started = time.perf_counter()
    done = threading.Event()

    def heartbeat() -> None:
        while not done.wait(HEARTBEAT_S):
            log.info(
                "%s: still running after %.0f s, RSS %.0f MiB (peak %.0f)",
                name,
                time.perf_counter() - started,
                rss_mib(),
                peak_rss_mib(),
            )

    threading.Thread(target=heartbeat, name=f"heartbeat {name}", daemon=True).start()
    try:
        yield stage
    except BaseException as exc:
        stage.error = f"{type(exc).__name__}: {exc}"[:500]
        raise
    finally:
        done.set()
        stage.seconds = time.perf_counter() - started
        stage.peak_rss_mib = peak_rss_mib()


@dataclass
class ChildResult:
    returncode: int
    seconds: float
    peak_rss_mib: float
    stdout: str
    stderr: str
    killed_for_memory: bool = False  # stopped at ``max_rss_mib`` (a shared machine's guard)


def run_child(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout_s: float | None = None,
    max_rss_mib: float | None = None,
) -> ChildResult:
    """Run a command to completion; its wall time and its own peak RSS (``VmHWM``).

    Output goes to temporary files rather than pipes so a chatty child never blocks on a full
    pipe while we wait for it. With ``max_rss_mib`` the child is killed when its resident set
    passes that size (checked every 50 ms), so a peer that balloons cannot take the machine.
    """
    out_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-child-{os.getpid()}.out"
    err_path = out_path.with_suffix(".err")
    started = time.perf_counter()
    with open(out_path, "w+b") as out, open(err_path, "w+b") as err:
        child = subprocess.Popen(
            list(argv), env=dict(env) if env else None, cwd=cwd, stdout=out, stderr=err
        )
        deadline = None if timeout_s is None else started + timeout_s
        killed_for_memory = False
        peak = 0.0
        while True:
            peak = max(peak, child_peak_rss_mib(child.pid))
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            too_big = max_rss_mib is not None and _child_rss_mib(child.pid) > max_rss_mib
            if too_big or (deadline is not None and time.perf_counter() > deadline):
                killed_for_memory = too_big
                child.kill()
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    out_path.unlink(missing_ok=True)
    err_path.unlink(missing_ok=True)
    return ChildResult(
        child.returncode, seconds, peak or usage.ru_maxrss / 1024, stdout, stderr, killed_for_memory
    )


def child_peak_rss_mib(pid: int) -> float:
    """A running child's resident high-water mark (``VmHWM``), 0.0 once it is gone.

    Read while the child runs rather than from ``wait4``: Linux carries the parent's
    high-water mark into a child across fork and exec, so ``ru_maxrss`` of a child started by
    a process holding 800 MiB is never below 800 MiB. The mark only rises, so the last reading
    before the child ends misses at most the last poll interval.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _child_rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (what ``uptime`` prints)."""
    return os.getloadavg()


def machine() -> dict:
    """The machine and software a figure was measured on."""
    info: dict = {
        "cores": os.cpu_count(),
        "memory_gib": round(_meminfo_kib("MemTotal") / MIB, 1),
        "cpu": _cpu_model(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    for package in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "dagster-dbt", "requests"):
        info[package] = _version(package)
    return info


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _meminfo_kib(name: str) -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
