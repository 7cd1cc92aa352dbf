"""Login with Amazon (LWA): the access token both Amazon connectors (SP-API and Ads) send.

An LWA access token lives about an hour and is obtained by exchanging the seller's long-lived
refresh token (``grant_type=refresh_token``). One token is kept per set of credentials for the
life of the process and reused until shortly before it expires, so the streams of one nightly
run share it instead of asking LWA once per stream.

:class:`AmazonSession` wraps the shared :class:`~connectors.http.PlatformSession` (retries,
timeouts, redaction) and adds the token to every call. When the platform answers 401 or 403 the
token is dropped and fetched again once; a second refusal fails with a message saying what to
check. Report downloads (pre-signed URLs) go out without the token: those URLs carry their own
signature and a storage service may refuse a request that authenticates twice.

Every credential (client secret, refresh tokens, access tokens) is registered with the HTTP
layer's redaction as soon as it is known and is kept out of ``repr``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import requests

from connectors.env import required
from connectors.errors import AuthenticationError, ConnectorError
from connectors.http import HttpSettings, PlatformSession, register_secret

log = logging.getLogger("connectors.amazon_lwa")

PLATFORM = "amazon_lwa"
# A token is renewed this long before LWA says it expires, so no call carries a token that
# expires in flight.
EXPIRY_MARGIN_S = 120.0
DEFAULT_EXPIRES_IN_S = 3600.0
AUTH_STATUSES = (401, 403)


@dataclass(frozen=True)
class LwaCredentials:
    """The LWA app (client id and secret) and the refresh token of one seller or advertiser."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    # which environment variable holds the refresh token, named in error messages
    refresh_token_variable: str = "AMAZON_SP_REFRESH_TOKEN"

    def __post_init__(self) -> None:
        register_secret(self.client_secret)
        register_secret(self.refresh_token)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], *, refresh_token_variable: str, platform: str
    ) -> LwaCredentials:
        return cls(
            token_url=required(env, "AMAZON_LWA_TOKEN_URL", platform),
            client_id=required(env, "AMAZON_LWA_CLIENT_ID", platform),
            client_secret=required(env, "AMAZON_LWA_CLIENT_SECRET", platform),
            refresh_token=required(env, refresh_token_variable, platform),
            refresh_token_variable=refresh_token_variable,
        )

    @property
    def cache_key(self) -> tuple[str, str, str]:
        # the refresh token only as a digest: the key may show up in a debugger, never a secret
        digest = hashlib.sha256(self.refresh_token.encode()).hexdigest()
        return (self.token_url, self.client_id, digest)


class LwaTokenSource:
    """Exchanges a refresh token for an access token and keeps it until shortly before expiry.

    Thread-safe: streams run one after the other today, but a token source is shared by every
    stream of the process that uses the same credentials.
    """

    def __init__(
        self,
        credentials: LwaCredentials,
        http: HttpSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials
        self.http = http or HttpSettings()
        self.clock = clock
        self.exchanges = 0
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self, *, stream: str) -> str:
        """A valid access token, from the cache or from a new exchange."""
        with self._lock:
            if self._token is None or self.clock() >= self._expires_at:
                self._exchange(stream)
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token (the platform refused it); the next call exchanges again."""
        with self._lock:
            self._token = None
            self._expires_at = 0.0

    def _exchange(self, stream: str) -> None:
        creds = self.credentials
        session = PlatformSession(PLATFORM, creds.token_url, self.http)
        try:
            response = session.post(
                creds.token_url,
                stream=stream,
                expected=(200, 400, 401),
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": creds.refresh_token,
                    "client_id": creds.client_id,
                    "client_secret": creds.client_secret,
                },
            )
        finally:
            session.session.close()
        self.exchanges += 1
        if response.status_code != 200:
            raise AuthenticationError(
                PLATFORM,
                stream,
                f"the token endpoint refused the refresh token ({_error_code(response)}): "
                f"check {creds.refresh_token_variable}, AMAZON_LWA_CLIENT_ID and "
                "AMAZON_LWA_CLIENT_SECRET",
            )
        try:
            answer = response.json()
            token = str(answer["access_token"])
        except (ValueError, KeyError, TypeError):
            raise ConnectorError(
                PLATFORM, stream, "the token endpoint answered 200 without an access_token"
            ) from None
        register_secret(token)
        try:
            lifetime = float(answer.get("expires_in") or DEFAULT_EXPIRES_IN_S)
        except (TypeError, ValueError):
            lifetime = DEFAULT_EXPIRES_IN_S
        self._token = token
        self._expires_at = self.clock() + max(lifetime - EXPIRY_MARGIN_S, 0.0)
        log.info("LWA access token obtained for %s, valid %.0f s", stream, lifetime)


def _error_code(response: requests.Response) -> str:
    try:
        code = response.json().get("error")
    except (ValueError, AttributeError):
        code = None
    return str(code) if code else f"HTTP {response.status_code}"


_sources: dict[tuple[str, str, str], LwaTokenSource] = {}
_sources_lock = threading.Lock()


def token_source(credentials: LwaCredentials, http: HttpSettings | None = None) -> LwaTokenSource:
    """The process-wide token source for ``credentials`` (one access token per seller/app)."""
    with _sources_lock:
        source = _sources.get(credentials.cache_key)
        if source is None:
            source = LwaTokenSource(credentials, http)
            _sources[credentials.cache_key] = source
        return source


def clear_token_cache() -> None:
    """Forget every cached access token (tests, or after rotating credentials)."""
    with _sources_lock:
        _sources.clear()


AuthHeaders = Callable[[str], Mapping[str, str]]


class AmazonSession:
    """A platform session that sends an LWA access token and renews it once when refused."""

    def __init__(
        self,
        platform: str,
        base_url: str,
        tokens: LwaTokenSource,
        auth_headers: AuthHeaders,
        http: HttpSettings | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.platform = platform
        self.tokens = tokens
        self.auth_headers = auth_headers
        self.api = PlatformSession(platform, base_url, http or HttpSettings(), dict(headers or {}))
        # downloads of pre-signed report URLs: same retries and timeouts, no credentials
        self.files = PlatformSession(platform, base_url, http or HttpSettings())
        self.requests = 0

    def __enter__(self) -> AmazonSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.api.session.close()
        self.files.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        stream: str,
        expected: Iterable[int] = (200,),
        headers: Mapping[str, str] | None = None,
        **kwargs: object,
    ) -> requests.Response:
        """One authenticated call; a 401/403 renews the token once, a second one fails."""
        wanted = tuple(expected)
        for attempt in (1, 2):
            sent = {**(headers or {}), **self.auth_headers(self.tokens.token(stream=stream))}
            response = self.api.request(
                method,
                path,
                stream=stream,
                expected=(*wanted, *AUTH_STATUSES),
                headers=sent,
                **kwargs,
            )
            self.requests += 1
            if response.status_code in wanted or response.status_code not in AUTH_STATUSES:
                return response
            self.tokens.invalidate()
            if attempt == 1:
                log.warning(
                    "%s/%s: %s answered %d; renewing the access token once",
                    self.platform,
                    stream,
                    path.split("?")[0],
                    response.status_code,
                )
        raise AuthenticationError(
            self.platform,
            stream,
            f"{method} {path.split('?')[0]} answered {response.status_code} with a freshly "
            f"renewed access token: check that {self.tokens.credentials.refresh_token_variable} "
            "belongs to this account and the app has the role this call needs",
        )

    def get(self, path: str, *, stream: str, **kwargs: object) -> requests.Response:
        return self.request("GET", path, stream=stream, **kwargs)

    def post(self, path: str, *, stream: str, **kwargs: object) -> requests.Response:
        return self.request("POST", path, stream=stream, **kwargs)

    def download(self, url: str, *, stream: str) -> requests.Response:
        """GET a report file by its (pre-signed) URL, without the access token."""
        response = self.files.get(url, stream=stream)
        self.requests += 1
        return response
