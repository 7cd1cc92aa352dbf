"""The sandbox server alone: how fast it answers when the client does nothing else.

A minimal client (``http.client``, one keep-alive connection, no parsing, no landing) replays
the first requests of every family the pre-render stored (up to 5,000 each) and reads each
answer to its last byte. The rate it reaches is what the server can give; when it is above the
rate at which a connector consumes the same family, the server is not what the connector's
figure measures (the sandbox's serving stats give its share of each stream's time as well).
"""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path
from urllib.parse import urlsplit


def measure(manifest_path: Path, base_url: str) -> dict[str, dict]:
    """Per family: requests, seconds, requests/s and MiB/s of the replayed sample."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    host = urlsplit(base_url)
    results = {}
    for family, requests in sorted(manifest.get("samples", {}).items()):
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        received = 0
        started = time.perf_counter()
        for request in requests:
            target = request["path"] + (f"?{request['query']}" if request["query"] else "")
            body = request["body"].encode("utf-8") or None
            connection.request(request["method"], target, body=body)
            answer = connection.getresponse()
            received += len(answer.read())
        seconds = time.perf_counter() - started
        connection.close()
        results[family] = {
            "requests": len(requests),
            "seconds": round(seconds, 3),
            "requests_per_second": round(len(requests) / seconds) if seconds else None,
            "mib_per_second": round(received / seconds / 2**20, 1) if seconds else None,
        }
    return results
