"""The one HTTP layer every connector uses: sessions, retries, pagination guards, redaction.

Retries are urllib3's :class:`~urllib3.util.Retry` mounted on a requests session, not a loop of
our own: it already backs off exponentially, honours ``Retry-After`` and counts attempts. The
only extension is :class:`PlatformRetry`, which also understands Amazon's
``x-amzn-RateLimit-Limit`` header (requests per second) when a 429 carries no ``Retry-After``.

urllib3 retries what fails before the response headers (connect errors, resets, read timeouts,
retryable statuses). A body cut off after the headers (connection reset, fewer bytes than
``Content-Length``, read timeout mid-body) surfaces later, while requests reads the body, so
:meth:`PlatformSession.request` reads the body itself and asks the same Retry, counted per call,
whether and how long to wait before sending the request again: transient, bounded, never a
partial page handed to a connector. A complete body that is not what the platform promised (not
JSON) is not retried: see :func:`require_json_page`.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.util.retry import Retry

from connectors.errors import ConnectorError

log = logging.getLogger("connectors.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# raised by requests while it reads a body whose transfer broke after the headers
_BODY_ERRORS = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ConnectionError,
    requests.exceptions.ContentDecodingError,
)
# Query parameters whose values are credentials on some platform; always masked in logs.
SENSITIVE_PARAMS = frozenset(
    {
        "access_token",
        "refresh_token",
        "client_secret",
        "token",
        "api_key",
        "apikey",
        "password",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "signature",
    }
)
MASK = "***"

_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a credential so that :func:`redact` masks it wherever it appears."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    """Mask every registered secret in ``text`` (longest first, so prefixes do not leak)."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def sanitize_url(url: str) -> str:
    """The URL with credential-like query values masked and registered secrets removed."""
    parts = urlsplit(url)
    query = [
        (key, MASK if key.lower() in SENSITIVE_PARAMS else value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    clean = urlunsplit(parts._replace(query=urlencode(query, safe=",:*")))
    return redact(clean)


class SecretsFilter(logging.Filter):
    """A handler filter that masks registered secrets in every formatted record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class PlatformRetry(Retry):
    """urllib3 Retry that also reads Amazon's rate header when ``Retry-After`` is absent.

    SP-API answers 429 with ``x-amzn-RateLimit-Limit: 0.5`` (requests per second) and no
    ``Retry-After``; waiting one token interval (1 / limit seconds) is what the platform asks.
    """

    def get_retry_after(self, response):  # type: ignore[override]
        retry_after = super().get_retry_after(response)
        if retry_after is not None:
            return retry_after
        if response.status != 429:
            return None
        limit = response.headers.get("x-amzn-RateLimit-Limit")
        try:
            per_second = float(limit) if limit else 0.0
        except ValueError:
            return None
        return 1.0 / per_second if per_second > 0 else None


@dataclass(frozen=True)
class HttpSettings:
    """How patient a connector is with one platform."""

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 60.0
    total_retries: int = 6
    backoff_factor_s: float = 0.5
    backoff_max_s: float = 60.0

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout_s, self.read_timeout_s)


@dataclass
class PlatformSession:
    """A requests session for one platform with retries, timeouts and one log line per call."""

    platform: str
    base_url: str
    settings: HttpSettings = field(default_factory=HttpSettings)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.retry = retry = PlatformRetry(
            total=self.settings.total_retries,
            connect=self.settings.total_retries,
            read=self.settings.total_retries,
            status=self.settings.total_retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # POSTs here create reports; a duplicate answers 425, not harm
            backoff_factor=self.settings.backoff_factor_s,
            backoff_max=self.settings.backoff_max_s,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(self.headers)
        self.session.headers.setdefault("User-Agent", "kpi-warehouse/0.1")
        self.session.trust_env = False  # never route through a proxy from the environment

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def require_same_origin(self, url: str, *, stream: str, setting: str) -> None:
        """Refuse a next-page link to another host: this session's credentials would go there.

        ``setting`` names the variable holding the base URL, for the error message.
        """
        ours, theirs = urlsplit(self.base_url), urlsplit(url)
        if (ours.scheme, ours.netloc) != (theirs.scheme, theirs.netloc):
            raise ConnectorError(
                self.platform,
                stream,
                f"next-page link {sanitize_url(url)} is not on {setting}'s host; stopped",
            )

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        stream: str,
        expected: Iterable[int] = (200,),
        **kwargs,
    ) -> requests.Response:
        """Send one request; a status outside ``expected`` raises a redacted ConnectorError."""
        url = self.url(path_or_url)
        kwargs.setdefault("timeout", self.settings.timeout)
        started = time.monotonic()
        retry: Retry = self.retry
        while True:
            try:
                response = self.session.request(method, url, stream=True, **kwargs)
            except requests.RequestException as exc:
                reason = type(exc).__name__
                raise ConnectorError(
                    self.platform, stream, f"{method} {sanitize_url(url)} failed: {reason}"
                ) from None
            try:
                response.content  # noqa: B018 - reads the body; a broken transfer raises here
                break
            except _BODY_ERRORS as exc:
                response.close()
                reason = type(exc).__name__
                try:
                    retry = retry.increment(method, url, error=ProtocolError(reason))
                except MaxRetryError:
                    raise ConnectorError(
                        self.platform,
                        stream,
                        f"{method} {sanitize_url(url)} failed: the body was cut off ({reason}) "
                        f"on every one of {self.settings.total_retries + 1} attempts",
                    ) from None
                log.warning(
                    "%s %s %s: body cut off (%s); sending the request again",
                    self.platform,
                    method,
                    sanitize_url(url),
                    reason,
                )
                retry.sleep()
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info(
            "%s %s %s -> %s in %.0f ms (%d bytes)",
            self.platform,
            method,
            sanitize_url(response.url or url),
            response.status_code,
            elapsed_ms,
            len(response.content),
        )
        if response.status_code not in set(expected):
            raise ConnectorError(
                self.platform,
                stream,
                f"{method} {sanitize_url(url)} answered {response.status_code}: "
                f"{redact(response.text[:300])}",
            )
        return response

    def get(self, path_or_url: str, *, stream: str, **kwargs) -> requests.Response:
        return self.request("GET", path_or_url, stream=stream, **kwargs)

    def post(self, path_or_url: str, *, stream: str, **kwargs) -> requests.Response:
        return self.request("POST", path_or_url, stream=stream, **kwargs)


def require_json_page(response: requests.Response, platform: str, stream: str) -> bytes:
    """The body of a page that must be one JSON object; anything else fails naming the URL.

    A cheap envelope check (the first and last non-blank bytes are ``{`` and ``}``) catches an
    HTML error page served with 200 and a body cut short whose length header was rewritten to
    match. It does not parse: DuckDB's reader does that once, at landing, and a page that passes
    this check but is still malformed fails its whole batch there (nothing of it lands, the
    cursor stays). Retrying would not help: the answer was complete, only wrong.
    """
    body = response.content
    stripped = body.strip()
    if not (stripped.startswith(b"{") and stripped.endswith(b"}")):
        raise ConnectorError(
            platform,
            stream,
            f"{sanitize_url(response.url or '')} answered {response.status_code} with a body "
            f"that is not a complete JSON object ({len(body)} bytes, starting "
            f"{redact(body[:40].decode('utf-8', 'replace'))!r}); nothing of this page landed",
        )
    return body


class RepeatGuard:
    """Ends a pagination loop when a platform hands back a token or URL it already gave.

    SP-API and Zendesk have both been seen returning the same next-page token forever.
    """

    def __init__(self, platform: str, stream: str) -> None:
        self.platform = platform
        self.stream = stream
        self.repeated = False  # True once a token came back: the pages after it were not read
        self._seen: set[str] = set()

    def is_new(self, token: str | None) -> bool:
        if not token:
            return False
        if token in self._seen:
            self.repeated = True
            log.warning(
                "%s/%s: next-page token repeated; pagination stopped", self.platform, self.stream
            )
            return False
        self._seen.add(token)
        return True


_NEXT_TOKEN = re.compile(rb'"(?:NextToken|nextToken)"\s*:\s*"((?:[^"\\]|\\.)*)"')


def find_next_token(body: bytes) -> str | None:
    """The SP-API ``NextToken``/``nextToken`` of a page, read from its bytes without parsing it.

    Pages are landed by DuckDB's JSON reader; parsing each page in Python only to find its
    token would double the work.
    """
    match = _NEXT_TOKEN.search(body)
    if not match:
        return None
    raw = match.group(1)
    return json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode()
