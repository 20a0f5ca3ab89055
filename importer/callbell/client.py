"""An async Callbell API client: rate-limited, retried where a retry is safe, never leaking the token.

Layering: httpx does transport and timeouts; a Pacer spaces requests; tenacity retries what is safe to
retry. A POST whose answer was lost is *not* retried here: it raises OutcomeUnknown and the caller looks
the contact up before sending it again (the API has no idempotency key).
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import logging
import math
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from importer.callbell.pacing import InFlight, Pacer, rest
from importer.callbell.transport import describe, is_loopback
from importer.errors import ConfigError
from importer.i18n.message import N_, NP_, Text

logger = logging.getLogger(__name__)  # a pre-flight retry, as it happens; the commands show it on stderr

DEFAULT_BASE_URL = "https://api.callbell.eu/v1"
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})
POOL_SIZE = 8  # connections per httpx pool
MAX_RETRY_AFTER = 60.0
PROBE_ATTEMPTS = 5  # a pre-flight asks a few times only (a person is waiting), enough to ride out a 5xx blip


class ApiError(Exception):
    """A definite answer from the API that the request was refused (4xx other than 429, or retries ran out)."""

    def __init__(self, status: int, message: Text, *, unreachable: bool = False) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else str(message))
        self.status = status
        # The API's own text (as it wrote it), or ours (a Message: the run shows it in its language).
        self.message = message
        self.unreachable = unreachable  # the retries ran out on connection failures: the API is not there

    @property
    def text(self) -> Text:
        """str(self) for a person: the status and the message, in the run's language where the message is ours."""
        return (
            N_("HTTP {status}: {message}", status=str(self.status), message=self.message)
            if self.status
            else self.message
        )


class OutcomeUnknown(Exception):
    """A write may or may not have happened: timeout, dropped connection or 5xx after sending."""

    def __init__(self, message: Text) -> None:
        super().__init__(str(message))
        self.message = message  # why, for a person (a Message where the words are ours)


class Stopped(Exception):
    """The run is stopping (a signal, or the API gone): this request did not start, and will not.

    `landed`: an earlier attempt of it may have been processed all the same (its answer lost, or a 5xx: retried
    because the call is idempotent), so an intent written before it must stay. Else nothing was done: every
    earlier attempt was refused unprocessed (429) or never reached the server. A create is never retried after
    an attempt that may have landed: for it, `landed` is always False."""

    def __init__(self, *, landed: bool = False) -> None:
        super().__init__()
        self.landed = landed


class _Retryable(Exception):
    def __init__(
        self, reason: Text, retry_after: float | None = None, *, transport: bool = False, advice: Text = "",
        probe_attempts: int | None = None, landed: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(str(reason))
        self.reason = reason
        self.retry_after = retry_after
        self.transport = transport
        self.landed = landed  # the server may have processed it (a lost answer, a 5xx), unlike a 429
        self.advice = advice or reason  # the reason with what to check, for a person
        self.probe_attempts = probe_attempts  # refused, no such host, TLS: asking again soon meets the same answer


@dataclass(frozen=True)
class ClientConfig:
    token: str = field(repr=False)  # never printed, logged or put in an error
    base_url: str = DEFAULT_BASE_URL
    # The defaults restate importer.options' table (held equal by tests/test_options.py).
    rate: float = 300.0  # the API's documented limit; the pacer settles just under what it really allows
    concurrency: int | None = None  # requests in flight; None = sized from the rate and the measured latency
    # Set by the pre-flight when --concurrency is not given: `concurrency` is then the most ever in flight, and
    # the client keeps fewer in flight, following the latency (pacing.InFlight), from `latency` (the pre-flight's).
    adaptive: bool = False
    latency: float = 0.05
    max_retries: int = 6
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    def __post_init__(self) -> None:
        check_base_url(self.base_url)
        if self.rate <= 0:
            raise ConfigError(N_("--rate must be greater than 0"))
        if self.concurrency is not None and self.concurrency < 1:
            raise ConfigError(N_("--concurrency must be at least 1"))


def check_base_url(url: str) -> None:
    """Refuse to send the token in clear text anywhere but this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(N_("base URL {url!r} is not an http(s) URL", url=url))
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            N_("refusing to send the API token over plain http to {host}; use https", host=parts.hostname)
        )


@dataclass
class Counters:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    by_status: dict[int, int] = field(default_factory=dict)


class CallbellClient:
    def __init__(self, config: ClientConfig, *, stop: asyncio.Event | None = None) -> None:
        self.config = config
        # Once set, no request starts: the waits before one (its turn, a retry's back-off) end, raising Stopped.
        # A request already sent finishes.
        self.stop = stop
        self.counters = Counters()
        self.pacer = Pacer(config.rate)
        # httpcore's pool does work quadratic in its connections on every request (encode/httpcore#928): at
        # 48 connections that made the client CPU-bound below 200 requests/s. Several small pools, used in
        # turn, keep each one cheap. The JSON body travels as JSON: httpx sets the Content-Type for `json=`.
        connections = (config.concurrency or 16) + 4
        # One TLS context for all the pools: each AsyncClient would load the CA bundle again (~30 ms each, 1.5 s
        # for the 50 pools of 400 in flight, measured before the first request).
        tls = httpx.create_ssl_context()
        count = max(1, math.ceil(connections / POOL_SIZE))
        self._pools = [self._pool(config, POOL_SIZE, tls) for _ in range(count)]
        self._next_pool = itertools.cycle(self._pools)
        self.in_flight = InFlight(config.rate, config.latency, config.concurrency or 16) if config.adaptive else None

    @staticmethod
    def _pool(config: ClientConfig, size: int, tls: ssl.SSLContext) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            verify=tls,
            base_url=config.base_url.rstrip("/") + "/",
            headers={
                "Authorization": f"Bearer {config.token}",
                "Accept": "application/json",
                "User-Agent": "callbell-importer",
            },
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            follow_redirects=False,
        )

    async def __aenter__(self) -> CallbellClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for pool in self._pools:
            await pool.aclose()

    # --- transport ---------------------------------------------------------------------------------------

    async def request(
        self, method: str, path: str, *, idempotent: bool = False, probe: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send one API call; 429 is always retried (the request was not processed), 5xx and transport errors
        only for safe methods or calls the caller declares idempotent (a PATCH setting fields).

        A probe (the pre-flight) asks PROBE_ATTEMPTS times at most, once more only for connection refused or an
        unknown host and never again after a TLS error, and logs each retry as it happens."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Retryable)),
            stop=self._probe_stop if probe else stop_after_attempt(self.config.max_retries + 1),
            wait=_wait_retry_after(wait_exponential(multiplier=0.5, max=30) + wait_random(0, 0.5)),
            before_sleep=self._say_retry(method, path) if probe else self._count_retry,
            sleep=self._back_off,
            reraise=True,
        )
        landed = False  # an attempt so far may have been processed (for Stopped: the caller's intent stays)
        try:
            async for attempt in retrying:
                with attempt:
                    try:
                        return await self._send_once(method, path, idempotent or method in IDEMPOTENT, **kwargs)
                    except _Retryable as exc:
                        landed = landed or exc.landed
                        raise
                    except Stopped:
                        raise Stopped(landed=landed) from None
        except _Retryable as exc:
            attempts = retrying.statistics.get("attempt_number", self.config.max_retries + 1)
            if probe and exc.probe_attempts is not None:  # the advice says it all
                raise ApiError(0, exc.advice, unreachable=exc.transport) from None
            why = exc.advice if probe else exc.reason
            message = NP_("gave up after {n} attempt: {why}", "gave up after {n} attempts: {why}", attempts, why=why)
            raise ApiError(0, message, unreachable=exc.transport) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_once(self, method: str, path: str, safe: bool, **kwargs: Any) -> httpx.Response:
        gate = self.in_flight
        if gate is None:
            return await self._send_paced(method, path, safe, **kwargs)
        await gate.acquire()  # before the pacer: a request waiting for a slot holds no pacing slot
        try:
            return await self._send_paced(method, path, safe, **kwargs)
        finally:
            gate.release()

    async def _send_paced(self, method: str, path: str, safe: bool, **kwargs: Any) -> httpx.Response:
        sent_at = await self.pacer.wait(self.stop)
        if sent_at is None:
            raise Stopped
        self.counters.requests += 1
        try:
            response = await next(self._next_pool).request(method, path.lstrip("/"), **kwargs)
            if self.in_flight is not None:
                self.in_flight.answered(asyncio.get_running_loop().time() - sent_at, self.pacer.rate)
        except httpx.TransportError as exc:
            config = self.config
            why = describe(
                exc, config.base_url, connect_timeout=config.connect_timeout, read_timeout=config.read_timeout
            )
            never_reached = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            if safe or never_reached:  # a connect failure never reached it
                raise _Retryable(
                    why.text, transport=True, advice=why.advice, probe_attempts=why.probe_attempts,
                    landed=not never_reached,
                ) from None  # fmt: skip
            raise OutcomeUnknown(why.text) from None
        status = response.status_code
        self.counters.by_status[status] = self.counters.by_status.get(status, 0) + 1
        if status == 429:
            self.counters.rate_limited += 1
            retry_after = _retry_after(response)
            self.pacer.too_many(retry_after, sent_at)
            raise _Retryable("429 Too Many Requests", retry_after)
        if status >= 500:
            if safe:
                raise _Retryable(f"HTTP {status}", _retry_after(response), landed=True)
            raise OutcomeUnknown(ApiError(status, error_message(response)).text)
        if status >= 400:
            raise ApiError(status, error_message(response))
        return response

    async def _back_off(self, seconds: float) -> None:
        # Cut short by the stop: the next attempt then meets it at its turn and is not sent.
        await rest(seconds, self.stop)

    def _count_retry(self, state: RetryCallState) -> None:
        self.counters.retries += 1

    def _probe_limit(self, exc: BaseException | None) -> int:
        limit = min(self.config.max_retries + 1, PROBE_ATTEMPTS)
        if isinstance(exc, _Retryable) and exc.probe_attempts is not None:
            limit = min(limit, exc.probe_attempts)
        return limit

    def _probe_stop(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        return state.attempt_number >= self._probe_limit(exc)

    def _say_retry(self, method: str, path: str) -> Any:
        def before_sleep(state: RetryCallState) -> None:
            self._count_retry(state)
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0.0
            logger.warning(
                "%s /%s: %s (attempt %d of %d); trying again in %.1f s",
                method, path.lstrip("/"), exc, state.attempt_number, self._probe_limit(exc), wait,
            )  # fmt: skip

        return before_sleep

    # --- endpoints ---------------------------------------------------------------------------------------

    async def me(self) -> dict[str, Any]:
        return _json(await self.request("GET", "auth/me"))

    async def probe(self) -> dict[str, Any]:
        """GET /auth/me as a pre-flight: a few seconds at most for a wrong URL, each retry logged, and the cause
        in words ("connection refused at 127.0.0.1:1 — is the URL right?") when it gives up."""
        return _json(await self.request("GET", "auth/me", probe=True))

    async def create_contact(self, payload: dict[str, Any]) -> dict[str, Any]:
        return contact_of(_json(await self.request("POST", "contacts", json=payload)))

    async def find_contact_by_phone(self, number: str, channel_uuid: str | None = None) -> dict[str, Any] | None:
        params = {"channel_uuid": channel_uuid} if channel_uuid else None
        try:
            response = await self.request("GET", f"contacts/phone/{number.lstrip('+')}", params=params)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return contact_of(_json(response))

    async def update_contact(self, uuid: str, changes: dict[str, Any]) -> dict[str, Any]:
        # Setting fields to given values is idempotent, so a lost answer is simply sent again.
        return contact_of(_json(await self.request("PATCH", f"contacts/{uuid}", json=changes, idempotent=True)))

    async def get_contact(self, uuid: str) -> dict[str, Any]:
        return contact_of(_json(await self.request("GET", f"contacts/{uuid}")))

    async def delete_contact(self, uuid: str) -> bool:
        """True when this call destroyed the contact, False when it was already gone (404).

        A DELETE is idempotent: a lost answer is simply sent again, and a 404 then means the first one landed.
        """
        try:
            await self.request("DELETE", f"contacts/{uuid}", idempotent=True)
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    async def contacts_page(
        self, page: int, *, include_field_types: bool = False, source: str | None = None
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"page": page} | ({"source": source} if source else {})
        if include_field_types:
            params["include_field_types"] = "true"
        body = _json(await self.request("GET", "contacts", params=params))
        contacts = body.get("contacts")
        return [c for c in contacts if isinstance(c, dict)] if isinstance(contacts, list) else []

    async def teams(self) -> list[dict[str, Any]]:
        return list(_json(await self.request("GET", "teams")).get("teams", []))

    async def team_members(self, team_uuid: str, page: int) -> list[dict[str, Any]]:
        body = _json(await self.request("GET", f"teams/{team_uuid}/members", params={"page": page}))
        users = body.get("users")
        return [u for u in users if isinstance(u, dict)] if isinstance(users, list) else []

    async def channels(self) -> list[dict[str, Any]]:
        return list(_json(await self.request("GET", "channels")).get("channels", []))

    async def listing_page(self, path: str, key: str, page: int) -> tuple[list[dict[str, Any]], int | None]:
        """One page of GET /teams or /channels: the items under `key`, and meta.pages when the API says it."""
        body = _json(await self.request("GET", path, params={"page": page}))
        items = body.get(key)
        meta = body.get("meta")
        pages = meta.get("pages") if isinstance(meta, dict) else None
        return (
            [i for i in items if isinstance(i, dict)] if isinstance(items, list) else [],
            pages if isinstance(pages, int) and not isinstance(pages, bool) else None,
        )


def contact_of(body: dict[str, Any]) -> dict[str, Any]:
    """The contact in a response: documented as a one-item list for some endpoints, an object for others."""
    contact = body.get("contact")
    if isinstance(contact, list):
        contact = contact[0] if contact else None
    if not isinstance(contact, dict) or not contact.get("uuid"):
        raise ApiError(0, N_("the API answered without a contact"))
    return contact


def error_message(response: httpx.Response) -> str:
    """The API's error text: the body shape is undocumented, so take JSON if it is, else text."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:500] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("error", "message", "errors", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])
    return str(body)[:500]


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise ApiError(response.status_code, N_("the API answered with something that is not JSON")) from None
    if not isinstance(body, dict):
        raise ApiError(response.status_code, N_("the API answered with unexpected JSON"))
    return body


def _retry_after(response: httpx.Response) -> float | None:
    """Retry-After in seconds or as an HTTP date, clamped; None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class _wait_retry_after:
    """Wait what the server asked for when it said so, else the fallback backoff."""

    def __init__(self, fallback: Any) -> None:
        self.fallback = fallback

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        return float(self.fallback(state))
