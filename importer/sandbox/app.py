"""The sandbox's Starlette app: the Callbell routes, plus auth, rate limit and fault injection in front of them.

Per request, in this order: auth -> rate limit -> latency -> fail-rate -> handler (-> drop-after-commit).
The order matters: a rate-limited or failed request must not have touched the store, and a dropped answer
must only ever follow a committed write (that is the case the importer has to recover from).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import re
import secrets
import time
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from importer.account import Account
from importer.sandbox.rules import BadRequest, FieldError, Rules, error_body, parse_body, phone_digits
from importer.sandbox.store import ContactFilter, ContactRecord, ContactStore

DASHBOARD = "https://dash.callbell.eu"
# Teams and users have no real history; a fixed timestamp keeps responses reproducible.
FIXED_TIMESTAMP = "2025-01-01T00:00:00Z"
FAULT_STATUSES = (500, 502, 503, 504)
DROP_LOG_MESSAGE = "ASGI callable returned without completing response."
_WRITE_PATCH = re.compile(r"/v1/contacts/[^/]+")
_REASONS = {
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


class SandboxConfigError(ValueError):
    """A knob has an impossible value, or the host is not allowed."""


def new_token() -> str:
    return "sbx_" + secrets.token_urlsafe(24)


@dataclass
class SandboxConfig:
    account_file: Path
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = field(default_factory=new_token)
    rate_limit: float = 300.0  # requests per second over all /v1 requests; 0 turns it off
    burst: float | None = None  # bucket size; None = rate_limit
    retry_after: int | None = None  # seconds for a Retry-After header on 429; None = no header (as documented)
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0  # each /v1 response waits latency_ms + uniform(0, jitter) ms
    fail_rate: float = 0.0
    drop_after_commit: float = 0.0
    # A random default seed, but always a concrete one, so the start-up line can print it for a replay.
    seed: int = field(default_factory=lambda: secrets.randbits(32))
    on_duplicate: Literal["reject", "create"] = "reject"
    page_size: int = 50
    db: Path | None = None
    ready_file: Path | None = None
    access_log: bool = False
    allow_remote: bool = False

    def __post_init__(self) -> None:
        problems = []
        if not self.token:
            problems.append("the token must not be empty")
        if self.rate_limit < 0:
            problems.append("--rate-limit must be >= 0")
        if self.burst is not None and self.burst < 1:
            problems.append("--burst must be >= 1")
        if self.retry_after is not None and self.retry_after < 0:
            problems.append("--retry-after must be >= 0")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            problems.append("--latency-ms and --latency-jitter-ms must be >= 0")
        for name, p in (("--fail-rate", self.fail_rate), ("--drop-after-commit", self.drop_after_commit)):
            if not 0 <= p <= 1:
                problems.append(f"{name} must be between 0 and 1")
        if self.on_duplicate not in ("reject", "create"):
            problems.append("--on-duplicate must be reject or create")
        if self.page_size < 1:
            problems.append("--page-size must be >= 1")
        if not 0 <= self.port <= 65535:
            problems.append("--port must be between 0 and 65535")
        if problems:
            raise SandboxConfigError("; ".join(problems))

    def knobs(self) -> str:
        """One line describing the active knobs (never the token)."""
        parts = [
            f"rate-limit={self.rate_limit:g}/s burst={self.effective_burst:g}" if self.rate_limit else "rate-limit=off"
        ]
        if self.retry_after is not None:
            parts.append(f"retry-after={self.retry_after}s")
        if self.latency_ms or self.latency_jitter_ms:
            parts.append(f"latency={self.latency_ms:g}ms+{self.latency_jitter_ms:g}ms jitter")
        if self.fail_rate:
            parts.append(f"fail-rate={self.fail_rate:g}")
        if self.drop_after_commit:
            parts.append(f"drop-after-commit={self.drop_after_commit:g}")
        parts += [
            f"on-duplicate={self.on_duplicate}",
            f"page-size={self.page_size}",
            f"db={self.db or ':memory:'}",
            f"seed={self.seed}",
        ]
        return "knobs: " + ", ".join(parts)

    @property
    def effective_burst(self) -> float:
        return self.burst if self.burst is not None else max(self.rate_limit, 1.0)


@dataclass
class Counters:
    requests: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    faults: int = 0  # --fail-rate answers (nothing was done)
    dropped: int = 0  # --drop-after-commit: committed writes whose answer was a 502 or a cut connection

    def as_json(self, contacts: int) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_status": dict(sorted(self.by_status.items())),
            "rate_limited": self.rate_limited,
            "faults": self.faults,
            "dropped": self.dropped,
            "contacts": contacts,
        }


@dataclass
class TokenBucket:
    rate: float  # tokens per second; 0 = unlimited
    capacity: float
    tokens: float = 0.0
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity  # start full: a client may burst right away, as after any idle period

    def take(self) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def refill(self) -> None:
        self.tokens, self.updated = self.capacity, time.monotonic()


@dataclass
class SandboxState:
    """Everything mutable lives here, one instance per app."""

    config: SandboxConfig
    account: Account
    rules: Rules
    store: ContactStore
    rng: random.Random
    bucket: TokenBucket
    counters: Counters = field(default_factory=Counters)
    # > 0 while uvicorn is about to log a connection we cut on purpose (see DropLogFilter).
    pending_drop_logs: int = 0


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


def error_response(status: int, message: str | None = None, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message or _REASONS.get(status, "Error")}, status_code=status, headers=headers)


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

        if not state.bucket.take():
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
        method == "PATCH" and _WRITE_PATCH.fullmatch(path) is not None
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _display_name(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part) or email


class SandboxAPI:
    """The route handlers; bound methods so they reach the state without globals."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        account = state.account
        self._teams = {t.uuid: t for t in account.teams}
        self._channels = {c.uuid: c for c in account.channels}

    def routes(self) -> list[Route]:
        return [
            Route("/v1/auth/me", self.auth_me, methods=["GET"]),
            _route("/v1/contacts", GET=self.list_contacts, POST=self.create_contact),
            # Before /v1/contacts/{uuid}, which would otherwise swallow "phone".
            Route("/v1/contacts/phone/{number}", self.contact_by_phone, methods=["GET"]),
            _route("/v1/contacts/{uuid}", GET=self.get_contact, PATCH=self.update_contact),
            Route("/v1/teams", self.teams, methods=["GET"]),
            Route("/v1/teams/{uuid}/members", self.team_members, methods=["GET"]),
            Route("/v1/channels", self.channels, methods=["GET"]),
            Route("/v1/plan", self.plan, methods=["GET"]),
            Route("/_sandbox/contacts", self.sandbox_contacts, methods=["GET"]),
            Route("/_sandbox/stats", self.sandbox_stats, methods=["GET"]),
            Route("/_sandbox/reset", self.sandbox_reset, methods=["POST"]),
        ]

    # -- API --------------------------------------------------------------------------------------------------

    async def auth_me(self, request: Request) -> Response:
        users = self.state.account.all_users
        # A key id derived from the token identifies it without ever echoing it.
        key_id = "key_" + hashlib.sha256(self.state.config.token.encode()).hexdigest()[:8]
        return JSONResponse(
            {
                "status": "ok",
                "user_email": users[0] if users else "sandbox@example.com",
                "user_name": "Sandbox",
                "api_key": key_id,
            }
        )

    async def create_contact(self, request: Request) -> Response:
        try:
            body = parse_body(await request.body())
        except BadRequest as exc:
            return error_response(400, str(exc))
        state = self.state
        new, errors = state.rules.check_create(body)
        channel, key = state.rules.identity(new.source, new.identifier, new.channel_uuid)
        # From here to the insert there is no await: check-then-insert is atomic on the event loop.
        identity_ok = not any(e.field in ("identifier", "source", "channel_uuid") for e in errors)
        if state.config.on_duplicate == "reject" and identity_ok:
            existing = state.store.find_identity(channel, key)
            if existing is not None:
                errors.append(
                    FieldError("identifier", f"a contact with this identifier already exists (uuid {existing.uuid})")
                )
        if errors:
            return JSONResponse(error_body(errors), status_code=422)
        resolved_channel = new.channel_uuid or (main.uuid if (main := state.account.main_channel(new.source)) else None)
        record = ContactRecord(
            uuid=uuidlib.uuid4().hex,
            name=new.name,
            identifier=new.identifier,
            source=new.source,
            identity_channel=channel,
            identity_key=key,
            created_at=_now(),
            channel_uuid=resolved_channel,
            phone_number="+" + phone_digits(new.identifier) if new.source == "whatsapp" else None,
            tags=new.tags,
            custom_fields=new.custom_fields,
            assigned_user=new.assigned_user,
            team_uuid=new.team_uuid,
            bot_status=new.bot_status,
            note=new.note,
        )
        state.store.insert(record)
        return JSONResponse({"contact": [self._contact_json(record, False)]})

    async def contact_by_phone(self, request: Request) -> Response:
        digits = phone_digits(request.path_params["number"])
        channel = self.state.rules.phone_channel(request.query_params.get("channel_uuid") or None)
        record = self.state.store.find_phone(channel, "+" + digits) if digits else None
        if record is None:
            return error_response(404, "contact not found")
        return JSONResponse({"contact": self._contact_json(record, _include_types(request))})

    async def get_contact(self, request: Request) -> Response:
        record = self.state.store.get(request.path_params["uuid"])
        if record is None:
            return error_response(404, "contact not found")
        return JSONResponse({"contact": [self._contact_json(record, _include_types(request))]})

    async def list_contacts(self, request: Request) -> Response:
        page = _page(request)
        if page is None:
            return _page_error()
        params = request.query_params
        where = ContactFilter(
            source=params.get("source") or None,
            tags=tuple(t.strip() for t in params.get("tags", "").split(",") if t.strip()),
            team_uuid=params.get("team_uuid") or None,
        )
        size = self.state.config.page_size
        records = self.state.store.page((page - 1) * size, size, where)
        include = _include_types(request)
        return JSONResponse({"contacts": [self._contact_json(r, include) for r in records]})

    async def update_contact(self, request: Request) -> Response:
        state = self.state
        record = state.store.get(request.path_params["uuid"])
        if record is None:
            return error_response(404, "contact not found")
        try:
            body = parse_body(await request.body())
        except BadRequest as exc:
            return error_response(400, str(exc))
        changes, errors = state.rules.check_update(body)
        if errors:
            return JSONResponse(error_body(errors), status_code=422)
        # Re-read after the await above: another request may have changed the contact meanwhile.
        record = state.store.get(record.uuid)
        if record is None:
            return error_response(404, "contact not found")
        if changes.name is not None:
            record.name = changes.name
        if changes.tags is not None:
            record.tags = changes.tags  # replace, as documented
        if changes.custom_fields is not None:
            record.custom_fields = {**record.custom_fields, **changes.custom_fields}  # merge
        if changes.assigned_user is not None:
            record.assigned_user = changes.assigned_user
        if changes.unassign:
            record.assigned_user = None
        if changes.team_uuid is not None:
            record.team_uuid = changes.team_uuid
        if changes.bot_status is not None:
            record.bot_status = changes.bot_status
        if changes.note is not None:
            record.note = changes.note or None  # "" clears it
        state.store.update(record)
        return JSONResponse({"contact": [self._contact_json(record, False)]})

    async def teams(self, request: Request) -> Response:
        teams = [
            {
                "uuid": t.uuid,
                "name": t.name,
                "createdAt": FIXED_TIMESTAMP,
                "default": t.default,
                "members": len(t.members),
            }
            for t in self.state.account.teams
        ]
        return JSONResponse({"teams": teams, "meta": {"page": 1, "pages": 1}})

    async def team_members(self, request: Request) -> Response:
        team = self._teams.get(request.path_params["uuid"])
        if team is None:
            return error_response(404, "team not found")
        page = _page(request)
        if page is None:
            return _page_error()
        size = self.state.config.page_size
        members = team.members[(page - 1) * size : page * size]
        users = [
            {"email": m, "name": _display_name(m), "available": True, "lastUpdatedAt": FIXED_TIMESTAMP} for m in members
        ]
        return JSONResponse({"users": users})

    async def channels(self, request: Request) -> Response:
        channels = [
            {"uuid": c.uuid, "title": c.title, "type": c.type, "main": c.main, "discardedAt": None}
            for c in self.state.account.channels
        ]
        return JSONResponse({"channels": channels, "meta": {"page": 1, "pages": 1}})

    async def plan(self, request: Request) -> Response:
        account = self.state.account
        users = len(account.all_users)
        return JSONResponse(
            {"plan": {"name": "Sandbox", "licenses": users, "activeUsers": users, "teams": len(account.teams)}}
        )

    # -- sandbox helpers --------------------------------------------------------------------------------------

    async def sandbox_contacts(self, request: Request) -> Response:
        return JSONResponse({"contacts": [self._contact_json(r, False) for r in self.state.store.all()]})

    async def sandbox_stats(self, request: Request) -> Response:
        return JSONResponse(self.state.counters.as_json(self.state.store.count()))

    async def sandbox_reset(self, request: Request) -> Response:
        state = self.state
        state.store.clear()
        state.counters = Counters()
        state.bucket.refill()
        return JSONResponse({"status": "ok"})

    # -- rendering --------------------------------------------------------------------------------------------

    def _contact_json(self, r: ContactRecord, include_types: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "uuid": r.uuid,
            "name": r.name,
            "phoneNumber": r.phone_number,
            "avatarUrl": None,
            "createdAt": r.created_at,
            "source": r.source,
            "href": f"{DASHBOARD}/contacts/{r.uuid}",
            "conversationHref": f"{DASHBOARD}/chat/{r.uuid}",
            "tags": list(r.tags),
            "assignedUser": r.assigned_user,
            "customFields": dict(r.custom_fields),
            "note": r.note,
        }
        if r.team_uuid and (team := self._teams.get(r.team_uuid)):
            out["team"] = {"uuid": team.uuid, "name": team.name}
        if r.channel_uuid and (channel := self._channels.get(r.channel_uuid)):
            out["channel"] = {"uuid": channel.uuid, "title": channel.title, "type": channel.type}
        if include_types:
            meta: dict[str, Any] = {}
            for name, value in r.custom_fields.items():
                spec = self.state.account.custom_fields.get(name)
                if spec is None:  # a --db contact from an older account file: no type to report
                    continue
                entry: dict[str, Any] = {"value": value, "type": spec.type}
                if spec.type in ("dropdown", "checkbox"):
                    entry["options"] = list(spec.options)
                meta[name] = entry
            out["customFieldsMetadata"] = meta
        return out


Handler = Callable[[Request], Awaitable[Response]]


def _route(path: str, **handlers: Handler) -> Route:
    """One route per path with a handler per method, so a 405 lists every allowed method in Allow."""

    async def dispatch(request: Request) -> Response:
        return await handlers["GET" if request.method == "HEAD" else request.method](request)

    return Route(path, dispatch, methods=list(handlers))


def _include_types(request: Request) -> bool:
    return request.query_params.get("include_field_types", "").lower() == "true"


def _page(request: Request) -> int | None:
    raw = request.query_params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else None


def _page_error() -> Response:
    return JSONResponse(error_body([FieldError("page", "must be a positive integer")]), status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette's own 404 (no route) and 405 (wrong method) answered as JSON, like every other error.
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, _REASONS.get(exc.status_code, exc.detail), exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500)


def build_app(config: SandboxConfig, account: Account, store: ContactStore | None = None) -> Starlette:
    """The ASGI app for ``account``; its state is at ``app.state.sandbox`` (a SandboxState)."""
    state = SandboxState(
        config=config,
        account=account,
        rules=Rules(account),
        store=store or ContactStore(config.db or ":memory:"),
        rng=random.Random(config.seed),
        bucket=TokenBucket(rate=config.rate_limit, capacity=config.effective_burst),
    )
    app = Starlette(
        routes=SandboxAPI(state).routes(),
        middleware=[Middleware(SandboxMiddleware, state=state)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.router.redirect_slashes = False  # "/v1/contacts/" is not an alias the real API promises
    app.state.sandbox = state
    return app
