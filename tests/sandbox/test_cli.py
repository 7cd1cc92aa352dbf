"""``python -m sandbox`` writes the environment, serves, and exits 0 on SIGTERM or SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
SMALL = ("--days", "3", "--orders-per-day", "2", "--skus", "5", "--tickets-per-day", "2",
         "--as-of", "2026-11-03T10:00:00Z")  # fmt: skip


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_cli_serves_until_told_to_stop(tmp_path: Path, stop_signal: signal.Signals) -> None:
    env_file = tmp_path / "sandbox.env"
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", *SMALL, "--env-file", str(env_file)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not env_file.exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            time.sleep(0.1)
        lines = env_file.read_text(encoding="utf-8").splitlines()
        env = dict(line.split("=", 1) for line in lines)
        answer = requests.get(
            env["FX_RATES_URL"] + "/v1/latest", params={"base": "USD"}, timeout=10
        )
        process.send_signal(stop_signal)
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
    stderr = process.stderr.read().decode() if process.stderr else ""

    assert len(lines) == 19  # every variable Sandbox.env() sets
    assert answer.json()["date"] == "2026-11-02"
    assert code == 0
    assert f"sandbox serving on {env['FX_RATES_URL']}" in stderr
