"""Open the Dagster UI on 127.0.0.1: ``python -m orchestration.ui`` (``make ui``).

When no platform account is configured (no ``AMAZON_SP_API_URL`` in the environment or
``.env``), the sandbox platforms are started first and the UI's runs use them, so a new user can
click "Materialize all" and watch the same job ``make run`` executes.

``dagster dev`` runs the webserver and the daemon (schedule, sensors, backfills, freshness).
Ctrl-C or SIGTERM stops it and the sandbox: a script or test may start this module in the
background and stop it with SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dotenv import dotenv_values, load_dotenv

from orchestration import environment

SANDBOX_ENV_FILE = Path("data") / "sandbox.env"
SANDBOX_START_TIMEOUT_S = 120


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    # SIGTERM ends the UI as Ctrl-C does: the children are stopped, not orphaned
    signal.signal(signal.SIGTERM, _interrupt)

    environment.apply()
    load_dotenv(Path.cwd() / ".env", override=False)
    sandbox = None
    if not os.environ.get("AMAZON_SP_API_URL"):
        sandbox = _start_sandbox()
    ui = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("dagster")),
            "dev",
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(args.port),
        ],
        # dagster dev copies the parent's SIGINT handler; give it the default one
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    print(f"Dagster UI: http://127.0.0.1:{args.port}  (Ctrl-C to stop)", flush=True)
    try:
        return ui.wait()
    except KeyboardInterrupt:
        ui.terminate()
        return ui.wait(timeout=30)
    finally:
        if sandbox is not None:
            sandbox.terminate()
            sandbox.wait(timeout=30)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _start_sandbox() -> subprocess.Popen:
    SANDBOX_ENV_FILE.unlink(missing_ok=True)
    SANDBOX_ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--env-file", str(SANDBOX_ENV_FILE)]
    )
    deadline = time.monotonic() + SANDBOX_START_TIMEOUT_S
    while not SANDBOX_ENV_FILE.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the sandbox did not start; run `make sandbox` to see why")
        time.sleep(0.2)
    time.sleep(0.2)  # the file is written in one go; give the writer a moment to close it
    for key, value in dotenv_values(SANDBOX_ENV_FILE).items():
        if value is not None:
            os.environ[key] = value
    print(f"sandbox platforms running (settings in {SANDBOX_ENV_FILE})", flush=True)
    return process


if __name__ == "__main__":
    raise SystemExit(main())
