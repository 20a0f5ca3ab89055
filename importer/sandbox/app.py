"""The sandbox's Starlette app: the Callbell routes and their JSON rendering.

What runs in front of the routes (auth, rate limit, latency, faults) is in ``middleware``; the knobs are in
``config`` and everything mutable in ``state``.
"""

from __future__ import annotations

import hashlib
import re
import uuid as uuidlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from importer.account.model import Account
from importer.sandbox.config import SandboxConfig
from importer.sandbox.middleware import REASONS, SandboxMiddleware, error_response
from importer.sandbox.rules import BadRequest, FieldError, error_body, parse_body, phone_digits
from importer.sandbox.state import SandboxState
from importer.sandbox.store import ContactFilter, ContactRecord, ContactStore

DASHBOARD = "https://dash.callbell.eu"
# Teams and users have no real history; a fixed timestamp keeps responses reproducible.
FIXED_TIMESTAMP = "2025-01-01T00:00:00Z"


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
            _route("/v1/contacts/{uuid}", GET=self.get_contact, PATCH=self.update_contact, DELETE=self.delete_contact),
            Route("/v1/teams", self.teams, methods=["GET"]),
            Route("/v1/teams/{uuid}/members", self.team_members, methods=["GET"]),
            Route("/v1/channels", self.channels, methods=["GET"]),
            Route("/v1/plan", self.plan, methods=["GET"]),
            Route("/_sandbox/contacts", self.sandbox_contacts, methods=["GET"]),
            Route("/_sandbox/stats", self.sandbox_stats, methods=["GET"]),
            Route("/_sandbox/patches", self.sandbox_patches, methods=["GET"]),
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
        record = ContactRecord(
            uuid=uuidlib.uuid4().hex,
            name=new.name,
            identifier=new.identifier,
            source=new.source,
            identity_channel=channel,
            identity_key=key,
            created_at=_now(),
            channel_uuid=state.rules.resolve_channel(new.source, new.channel_uuid),
            phone_number="+" + phone_digits(new.identifier) if new.source == "whatsapp" else None,
            tags=new.tags,
            custom_fields=new.custom_fields,
            assigned_user=new.assigned_user,
            team_uuid=new.team_uuid,
            bot_status=new.bot_status,
            note=new.note,
        )
        state.store.insert(record)
        state.replica.created(record.seq)
        return JSONResponse({"contact": [self._contact_json(record, False)]})

    async def contact_by_phone(self, request: Request) -> Response:
        digits = phone_digits(request.path_params["number"])
        channel = self.state.rules.phone_channel(request.query_params.get("channel_uuid") or None)
        record = self.state.store.find_phone(channel, "+" + digits, self.state.replica.horizon()) if digits else None
        if record is None:
            return error_response(404, "contact not found")
        return JSONResponse({"contact": self._contact_json(record, _include_types(request))})

    async def get_contact(self, request: Request) -> Response:
        record = self.state.store.get(request.path_params["uuid"], self.state.replica.horizon())
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
            before_seq=self.state.replica.horizon(),
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
        state.counters.patches.append({"uuid": record.uuid, "body": body})
        return JSONResponse({"contact": [self._contact_json(record, False)]})

    async def delete_contact(self, request: Request) -> Response:
        if not self.state.store.delete(request.path_params["uuid"]):
            return error_response(404, "contact not found")
        self.state.counters.deleted += 1
        return JSONResponse({"status": "contact was destroyed"})

    async def teams(self, request: Request) -> Response:
        page = _page(request)
        if page is None:
            return _page_error()
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
        return JSONResponse(self._listing("teams", teams, page))

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
        page = _page(request)
        if page is None:
            return _page_error()
        channels = [
            {"uuid": c.uuid, "title": c.title, "type": c.type, "main": c.main, "discardedAt": None}
            for c in self.state.account.channels
        ]
        return JSONResponse(self._listing("channels", channels, page))

    def _listing(self, key: str, items: list[dict[str, Any]], page: int) -> dict[str, Any]:
        """One page of GET /teams or /channels with its documented meta block, --page-size items a page, as
        the API pages them: a client reading only the first page misses the rest."""
        size = self.state.config.page_size
        pages = max(1, -(-len(items) // size))
        return {key: items[(page - 1) * size : page * size], "meta": {"page": page, "pages": pages}}

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

    async def sandbox_patches(self, request: Request) -> Response:
        """The bodies of the last PATCHes that changed a contact, oldest first (test-only)."""
        return JSONResponse({"patches": list(self.state.counters.patches)})

    async def sandbox_reset(self, request: Request) -> Response:
        self.state.reset()
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
    return error_response(exc.status_code, REASONS.get(exc.status_code, exc.detail), exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return error_response(500)


def build_app(config: SandboxConfig, account: Account, store: ContactStore | None = None) -> Starlette:
    """The ASGI app for ``account``; its state is at ``app.state.sandbox`` (a SandboxState)."""
    state = SandboxState.create(config, account, store)
    app = Starlette(
        routes=SandboxAPI(state).routes(),
        middleware=[Middleware(SandboxMiddleware, state=state)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.router.redirect_slashes = False  # "/v1/contacts/" is not an alias the real API promises
    app.state.sandbox = state
    return app
