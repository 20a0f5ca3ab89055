"""Auth, rate limit, latency and fault injection in front of the sandbox's routes, plus the JSON error answers.

Per request, in this order: auth -> rate limit -> latency -> fail-rate -> handler (-> drop-after-commit).
The order matters: a rate-limited or failed request must not have touched the store, and a dropped answer
must only ever follow a committed write (that is the case the importer has to recover from).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from importer.sandbox.state import SandboxState

FAULT_STATUSES = (500, 502, 503, 504)
DROP_LOG_MESSAGE = "ASGI callable returned without completing response."
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_ONE_CONTACT = re.compile(r"/v1/contacts/[^/]+")


def error_response(status: int, message: str | None = None, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message or REASONS.get(status, "Error")}, status_code=status, headers=headers)


class DropLogFilter(logging.Filter):
    """Hides uvicorn's "returned without completing response" error for the connections we cut on purpose.

    uvicorn logs it synchronously right after the app returns, in the same event-loop step; the middleware
    raises ``pending_drop_logs`` just before returning and lowers it again with ``call_soon`` (which runs
    after that step), so a genuine incomplete response at any other moment is still logged.
    """

    def __init__(self, state: SandboxState) -> None:
        super().__init__()
        self.state = state

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.state.pending_drop_logs > 0 and record.getMessage() == DROP_LOG_MESSAGE)


class SandboxMiddleware:
    """Auth, rate limit, latency and faults: a plain ASGI wrapper (cheaper than BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state
        self._bearer = b"bearer " + state.config.token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        is_api = path == "/v1" or path.startswith("/v1/")
        is_helper = path == "/_sandbox" or path.startswith("/_sandbox/")
        if not (is_api or is_helper):
            await self.app(scope, receive, send)
            return
        state, config, counters = self.state, self.state.config, self.state.counters

        if is_api:
            counters.requests += 1
            method = str(scope["method"])
            counters.by_method[method] = counters.by_method.get(method, 0) + 1

            async def counted(message: Message) -> None:
                if message["type"] == "http.response.start":
                    key = str(message["status"])
                    counters.by_status[key] = counters.by_status.get(key, 0) + 1
                await send(message)

            out: Send = counted
        else:
            out = send  # helper calls stay out of the statistics they report

        if not self._authorized(scope):
            await error_response(401, "missing or invalid bearer token")(scope, receive, out)
            return
        if is_helper:
            await self.app(scope, receive, out)
            return

        if not state.limiter.take():
            counters.rate_limited += 1
            headers = {"Retry-After": str(config.retry_after)} if config.retry_after is not None else None
            await error_response(429, headers=headers)(scope, receive, out)
            return
        if config.latency_ms or config.latency_jitter_ms:
            jitter = state.rng.uniform(0, config.latency_jitter_ms) if config.latency_jitter_ms else 0.0
            await asyncio.sleep((config.latency_ms + jitter) / 1000)
        if config.fail_rate and state.rng.random() < config.fail_rate:
            counters.faults += 1
            await error_response(state.rng.choice(FAULT_STATUSES))(scope, receive, out)
            return
        if config.drop_after_commit and _is_write(scope) and state.rng.random() < config.drop_after_commit:
            await self._commit_then_lose_answer(scope, receive, send, out)
            return
        await self.app(scope, receive, out)

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                # The scheme is case-insensitive (RFC 9110); the token is compared in constant time.
                scheme, _, token = value.partition(b" ")
                return hmac.compare_digest(scheme.lower() + b" " + token.strip(), self._bearer)
        return False

    async def _commit_then_lose_answer(self, scope: Scope, receive: Receive, raw_send: Send, out: Send) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        if not messages or messages[0]["status"] != 200:
            # Nothing was committed (validation error, unknown contact): answer truthfully.
            for message in messages:
                await out(message)
            return
        state = self.state
        state.counters.dropped += 1
        if state.rng.random() < 0.5:
            await error_response(502)(scope, receive, out)
            return
        # Cut the connection: headers promising a body (Content-Length > 0), then no body. uvicorn closes the
        # transport and the client sees an incomplete response, as when a proxy dies mid-answer.
        state.pending_drop_logs += 1
        asyncio.get_running_loop().call_soon(self._drop_logged)
        await raw_send(messages[0])

    def _drop_logged(self) -> None:
        self.state.pending_drop_logs -= 1


def _is_write(scope: Scope) -> bool:
    method, path = scope["method"], scope["path"]
    return (method == "POST" and path == "/v1/contacts") or (
        method in ("PATCH", "DELETE") and _ONE_CONTACT.fullmatch(path) is not None
    )
