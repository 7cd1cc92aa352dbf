"""Pre-rendered answers: responses computed before serving, kept on disk, served by request.

Rendering a page of a seller-year (hundreds of orders as JSON, a report of a million rows) costs
the sandbox more than it costs a connector to land it, so a benchmark that let the sandbox
render on demand would measure the sandbox. The benchmark (bench/prerender.py) therefore asks
the sandbox's own routes, in-process, for every page the connectors will request, before it
measures them, and stores each answer here; the server then answers those requests with a
lookup and one file read. A request the store does not hold is answered by the routes as usual
(and counted, see :class:`ServeStats`), so a store never changes what is served, only when it
is computed.

Storage: the bodies of one family (e.g. every getOrders page) are appended to one file, one per
line when they are JSON (the file is then newline-delimited JSON, which the benchmark also reads
with DuckDB as "the same pages saved to disk"); the index keeps, per request, the body's
offset and length and the answer's status and headers. A request is identified by its method,
path, query parameters (sorted, decoded) and body (JSON or form fields, sorted), so the order in
which a client writes its parameters does not matter.

Several processes may fill one directory at once, each with its own families (the benchmark
renders the per-order and per-ticket pages in a second process): each saves its index
(:meth:`PageStore.save_index`) and the serving store takes it in (:meth:`PageStore.merge_index`).
Only the index is held in memory (a digest and a few integers per answer); bodies stay on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
import time
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from sandbox.web import Response


def request_key(method: str, path: str, query: str = "", body: bytes = b"") -> bytes:
    """A digest naming one request whatever the order of its parameters or JSON keys."""
    params = urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
    text = f"{method.upper()} {path}?{params}\n".encode() + _canonical_body(body)
    return hashlib.blake2b(text, digest_size=16).digest()


def _canonical_body(body: bytes) -> bytes:
    if not body:
        return b""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        pass
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return body
    return urlencode(sorted(fields)).encode()


class PageStore:
    """Answers stored on disk under ``directory``, one body file per family."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._entries: dict[bytes, int] = {}
        # per entry: family, offset and length of the body, status, headers
        self._family = array("H")
        self._offset = array("q")
        self._length = array("q")
        self._status = array("H")
        self._headers_id = array("I")
        self._headers: list[dict[str, str]] = []
        self._headers_ids: dict[str, int] = {}
        self._families: list[str] = []
        self._family_ids: dict[str, int] = {}
        self._files: list[int] = []  # read-write descriptors, one per family
        self._sizes: list[int] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: bytes) -> bool:
        return key in self._entries

    def body_path(self, family: str) -> Path:
        """The file holding a family's bodies (newline-delimited JSON for JSON answers)."""
        return self.directory / f"{family}.ndjson"

    @property
    def families(self) -> list[str]:
        return list(self._families)

    def put(self, family: str, key: bytes, response: Response) -> bool:
        """Store one answer; False (nothing stored) when the request is already held."""
        with self._lock:
            if key in self._entries:
                return False
            index = self._family_index(family)
            body = response.body
            offset = self._sizes[index]
            os.pwrite(self._files[index], body + b"\n", offset)
            self._sizes[index] = offset + len(body) + 1
            headers_id = self._header_id(response.headers)
            self._entries[key] = len(self._family)
            self._family.append(index)
            self._offset.append(offset)
            self._length.append(len(body))
            self._status.append(response.status)
            self._headers_id.append(headers_id)
            return True

    def get(self, key: bytes) -> tuple[str, Response] | None:
        """The stored family and answer for ``key``, or None."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        family = self._family[entry]
        body = os.pread(self._files[family], self._length[entry], self._offset[entry])
        headers = dict(self._headers[self._headers_id[entry]])
        return self._families[family], Response(self._status[entry], body, headers)

    def lookup(self, method: str, path: str, query: str = "", body: bytes = b"") -> Response | None:
        """The stored answer to one request, or None (a reader's shortcut for :meth:`get`)."""
        found = self.get(request_key(method, path, query, body))
        return None if found is None else found[1]

    def save_index(self, path: Path) -> None:
        """Write the index (not the bodies, already on disk) for another process to merge."""
        with self._lock:
            index = {
                "keys": b"".join(self._entries),  # 16 bytes each, in entry order
                "family": [self._families[i] for i in range(len(self._families))],
                "family_of": self._family.tobytes(),
                "offset": self._offset.tobytes(),
                "length": self._length.tobytes(),
                "status": self._status.tobytes(),
                "headers_id": self._headers_id.tobytes(),
                "headers": self._headers,
            }
        Path(path).write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))

    def merge_index(self, path: Path) -> int:
        """Take in the answers another process stored in this directory (its families must be
        its own); returns how many were added (a request already held keeps its answer)."""
        index = pickle.loads(Path(path).read_bytes())  # noqa: S301 - written by save_index
        family_of, offset, length, status, headers_id = (
            array(code, index[name])
            for code, name in (
                ("H", "family_of"),
                ("q", "offset"),
                ("q", "length"),
                ("H", "status"),
                ("I", "headers_id"),
            )
        )
        keys = index["keys"]
        added = 0
        with self._lock:
            families = [self._open_family(name) for name in index["family"]]
            header_ids = [self._header_id(headers) for headers in index["headers"]]
            for entry in range(len(family_of)):
                key = keys[entry * 16 : entry * 16 + 16]
                if key in self._entries:
                    continue
                self._entries[key] = len(self._family)
                self._family.append(families[family_of[entry]])
                self._offset.append(offset[entry])
                self._length.append(length[entry])
                self._status.append(status[entry])
                self._headers_id.append(header_ids[headers_id[entry]])
                added += 1
        return added

    def _open_family(self, family: str) -> int:
        """A family another process wrote: opened as it is (not truncated), appended after."""
        index = self._family_ids.get(family)
        if index is not None:
            return index
        index = self._family_ids[family] = len(self._families)
        self._families.append(family)
        descriptor = os.open(self.body_path(family), os.O_RDWR)
        self._files.append(descriptor)
        self._sizes.append(os.fstat(descriptor).st_size)
        return index

    def _header_id(self, headers: dict[str, str]) -> int:
        text = json.dumps(headers, sort_keys=True)
        found = self._headers_ids.get(text)
        if found is None:
            found = self._headers_ids[text] = len(self._headers)
            self._headers.append(dict(headers))
        return found

    def close(self) -> None:
        for descriptor in self._files:
            os.close(descriptor)
        self._files.clear()

    def _family_index(self, family: str) -> int:
        index = self._family_ids.get(family)
        if index is None:
            index = self._family_ids[family] = len(self._families)
            self._families.append(family)
            flags = os.O_RDWR | os.O_CREAT | os.O_TRUNC
            self._files.append(os.open(self.body_path(family), flags, 0o644))
            self._sizes.append(0)
        return index


@dataclass
class ServeStats:
    """What the server spent answering, by family: from the store, or rendered on request.

    ``seconds`` runs from the parsed request to the last byte written, so it is the sandbox's
    own share of a client's wait (the client's share and the network are not in it).
    """

    lock: threading.Lock = field(default_factory=threading.Lock)
    served: dict[str, list[float]] = field(default_factory=dict)  # "kind family" -> [n, s, bytes]

    def record(self, kind: str, family: str, started: float, size: int) -> None:
        seconds = time.perf_counter() - started
        with self.lock:
            entry = self.served.setdefault(f"{kind} {family}", [0, 0.0, 0])
            entry[0] += 1
            entry[1] += seconds
            entry[2] += size

    def snapshot(self) -> dict[str, dict[str, float]]:
        with self.lock:
            return {
                name: {"requests": int(n), "seconds": round(s, 3), "bytes": int(b)}
                for name, (n, s, b) in sorted(self.served.items())
            }
