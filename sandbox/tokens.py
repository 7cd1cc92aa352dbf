"""Opaque pagination tokens: the sandbox's state travels inside them, none is kept server-side.

SP-API tokens are standard base64 that always contains ``+``, ``/`` and ``=`` (the first two
bytes are fixed so that the text starts with ``+/``, and the length is padded to end with
``==``): a client that does not URL-encode ``NextToken`` sends a space where the ``+`` was and
gets 400. Shopify ``page_info`` is URL-safe base64 without padding, as Shopify's is. Zendesk
cursors are base64 of ``"<unix seconds>.0||<id>|"`` like the real export's.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

_SP_MAGIC = b"\xfb\xff"


def encode_sp_token(state: dict[str, Any]) -> str:
    body = _SP_MAGIC + json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    body += b" " * ((1 - len(body)) % 3)  # length % 3 == 1 -> the text ends with "=="
    return base64.b64encode(body).decode("ascii")


def decode_sp_token(token: str) -> dict[str, Any] | None:
    try:
        body = base64.b64decode(token.encode("ascii"), validate=True)
        if not body.startswith(_SP_MAGIC):
            return None
        state = json.loads(body[len(_SP_MAGIC) :].decode())
    except (binascii.Error, ValueError, UnicodeError):
        return None
    return state if isinstance(state, dict) else None


def encode_page_info(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_info(token: str) -> dict[str, Any] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        state = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeError):
        return None
    return state if isinstance(state, dict) else None


def encode_zendesk_cursor(ts: int, record_id: int) -> str:
    return base64.b64encode(f"{ts}.0||{record_id}|".encode()).decode("ascii")


def decode_zendesk_cursor(cursor: str) -> tuple[int, int] | None:
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode()
        stamp, _, record, _ = text.split("|")
        return int(float(stamp)), int(record)
    except (binascii.Error, ValueError, UnicodeError):
        return None
