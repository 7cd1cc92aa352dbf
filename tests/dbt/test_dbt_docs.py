"""``make docs``: dbt docs generate offline, with every mart and each of its columns described.

The catalog is built the way ``make docs`` builds it: target ``published`` of profiles.yml,
which opens the file analysts query read-only (here the warehouse of tests/dbt/conftest.py).
Which marts exist is read from the manifest, so a mart added later is checked too. dbt's HTTP
clients honour the proxy variables: they point at a listener on 127.0.0.1 that counts every
connection attempt, and there must be none (no usage statistics, no version check).
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from pathlib import Path

from tests.dbt.conftest import DBT, DBT_PROJECT, DBT_TIMEOUT_S, dbt_environment

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


class ConnectionCounter:
    """A listener on 127.0.0.1 that accepts and counts connections, answering nothing."""

    def __init__(self) -> None:
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def __enter__(self) -> ConnectionCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopped.set()
        self._thread.join()
        self._server.close()


def test_dbt_docs_generate_runs_offline_and_describes_every_mart_and_column(
    warehouse, tmp_path: Path
):
    target = tmp_path / "docs"
    with ConnectionCounter() as outside:
        extra = {name: outside.url for name in PROXY_VARIABLES}
        extra.update({"NO_PROXY": "", "no_proxy": "", "KPI_PUBLISHED_PATH": str(warehouse.path)})
        completed = subprocess.run(
            [
                str(DBT),
                "docs",
                "generate",
                "--target",
                "published",
                "--target-path",
                str(target),
                "--log-path",
                str(tmp_path / "logs"),
            ],
            cwd=DBT_PROJECT,
            env=dbt_environment(warehouse.path, extra),
            capture_output=True,
            text=True,
            timeout=DBT_TIMEOUT_S,
        )
    assert completed.returncode == 0, (completed.stdout + completed.stderr)[-4000:]
    assert outside.connections == 0
    assert (target / "index.html").exists()

    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    marts = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    assert len(marts) >= 6  # the six KPI marts of the README, and any added since
    undescribed = []
    for unique_id, node in sorted(marts.items()):
        assert unique_id in catalog["nodes"], f"{unique_id} is not in the catalog"
        if not node["description"].strip():
            undescribed.append(unique_id)
        described = {
            name.lower(): column["description"].strip() for name, column in node["columns"].items()
        }
        built_columns = catalog["nodes"][unique_id]["columns"]
        assert built_columns, f"{unique_id}: no column in the catalog"
        undescribed += [
            f"{node['name']}.{name}" for name in built_columns if not described.get(name.lower())
        ]
    assert undescribed == []
