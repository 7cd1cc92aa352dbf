"""Report documents: gzipped files served from pre-signed-looking URLs, as S3 serves them.

A document URL carries ``X-Amz-Signature``; without the right one the download answers 403
with S3's XML error, so a client must use the URL exactly as given. The body is gzip without a
``Content-Encoding`` header (the client must gunzip it, as with the real files), and the
``Content-Type`` names the text encoding: Amazon's EU report files are Cp1252, not UTF-8.
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
from urllib.parse import quote

from sandbox.state import Document, ServerState
from sandbox.web import ROUTER, Request, Response

DOCUMENT_PATH = "/sandbox-documents/"


def publish(state: ServerState, name: str, raw: bytes, content_type: str) -> str:
    """Store ``raw`` gzipped under ``name``; return its signed download URL."""
    signature = hashlib.sha256(secrets.token_bytes(16) + name.encode()).hexdigest()
    url = (
        f"{state.base_url}{DOCUMENT_PATH}{quote(name)}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )
    # zlib's default level: a seller-year's report compresses in seconds rather than a minute
    body = gzip.compress(raw, compresslevel=6, mtime=0)
    with state.lock:
        state.documents[name] = Document(body, content_type, signature, url)
    return url


def tsv(header: tuple[str, ...], rows: list[dict[str, str]], encoding: str) -> bytes:
    lines = ["\t".join(header)]
    lines.extend("\t".join(row[column] for column in header) for row in rows)
    return ("\n".join(lines) + "\n").encode(encoding)


@ROUTER.route("GET", DOCUMENT_PATH + r"(?P<name>[^/]+)")
def download(state: ServerState, request: Request) -> Response:
    with state.lock:
        document = state.documents.get(request.group("name"))
    if document is None or request.param("X-Amz-Signature") != document.signature:
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            b"<Message>Access Denied</Message></Error>"
        )
        return Response(403, body, {"Content-Type": "application/xml"})
    return Response(200, document.body, {"Content-Type": document.content_type})
