"""The sandbox over real HTTP: every endpoint's shape, every validation rule, auth, rate limit and faults.

Most tests share one module-wide sandbox (they use fresh phone numbers, so they do not see each other);
knob tests start their own through `sandbox_factory`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_proc import REPO, SAMPLE_ACCOUNT, RunningSandbox, start_sandbox

from importer.sandbox.state import SlidingWindow

SUPPORT = "ad42a09715814e6483b1c5debd6a2dbc"
VENTAS = "5b1e0c7d3f2a4e6b9c8d7e6f5a4b3c2d"
WHATSAPP = "7c996996fea947f4a1d5a11e7fac84db"
INSTAGRAM = "0e8f4a1b2c3d4e5f6a7b8c9d0e1f2a3b"
CONTACT_KEYS = {
    "uuid", "name", "phoneNumber", "avatarUrl", "createdAt", "source", "href", "conversationHref", "tags",
    "assignedUser", "customFields", "note",
}  # fmt: skip
FAULTS = {500, 502, 503, 504}

Factory = Callable[..., RunningSandbox]
_numbers = itertools.count(34600000001)


def fresh_phone() -> str:
    """A WhatsApp number no other test uses (digits only, as the API docs write them)."""
    return str(next(_numbers))


def client(sandbox: RunningSandbox, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=sandbox.base_url, headers=sandbox.headers, **{"timeout": 10, **kwargs})


DROP = object()  # an override value that removes the key


def contact_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {"identifier": fresh_phone(), "source": "whatsapp", "name": "Ana Pérez"}
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not DROP}


@pytest.fixture(scope="module")
def shared() -> Iterator[RunningSandbox]:
    running = start_sandbox()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def api(shared: RunningSandbox) -> Iterator[httpx.Client]:
    with client(shared) as c:
        yield c


@pytest.fixture(scope="module")
def paged() -> Iterator[RunningSandbox]:
    """Page size 1 and three contacts of different kinds, for paging and filters."""
    running = start_sandbox("--page-size", "1")
    with client(running) as c:
        for body in (
            contact_payload(name="First", tags=["VIP", "Lead"], team_uuid=SUPPORT),
            contact_payload(name="Second", tags=["VIP"], custom_fields={"Status": "Trial"}),
            {"identifier": "ana.ig", "source": "instagram", "name": "Third", "tags": ["Lead"], "team_uuid": VENTAS},
        ):
            assert c.post("/contacts", json=body).status_code == 200
    try:
        yield running
    finally:
        running.stop()


def create(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = api.post("/contacts", json=contact_payload(**overrides))
    assert response.status_code == 200, response.text
    return dict(response.json()["contact"][0])


# -- endpoint shapes -----------------------------------------------------------------------------------------


def test_auth_me_identifies_the_key_without_echoing_the_token(api: httpx.Client, shared: RunningSandbox) -> None:
    response = api.get("/auth/me")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["user_email"] == "ana@example.com"
    assert body["user_name"] == "Sandbox"
    assert re.fullmatch(r"key_[0-9a-f]{8}", body["api_key"])
    assert shared.token not in response.text


def test_create_answers_a_list_with_the_full_contact(api: httpx.Client) -> None:
    number = fresh_phone()
    payload = {
        "identifier": number,
        "source": "whatsapp",
        "name": "Ana Pérez",
        "tags": ["VIP", "Call back"],
        "custom_fields": {"Status": "Active", "Features": ["Beta"], "Orders": "3", "Birthday": "1990-05-17"},
        "assigned_user": "LUIS@example.com",
        "team_uuid": SUPPORT,
        "bot_status": "bot_end",
        "note": "Met at the fair",
    }
    response = api.post("/contacts", json=payload)
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["contact"], list) and len(body["contact"]) == 1
    contact = body["contact"][0]
    assert set(contact) == CONTACT_KEYS | {"team", "channel"}
    assert re.fullmatch(r"[0-9a-f]{32}", contact["uuid"])
    assert contact["name"] == "Ana Pérez"
    assert contact["phoneNumber"] == "+" + number
    assert contact["avatarUrl"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", contact["createdAt"])
    assert contact["source"] == "whatsapp"
    assert contact["href"] == f"https://dash.callbell.eu/contacts/{contact['uuid']}"
    assert contact["conversationHref"] == f"https://dash.callbell.eu/chat/{contact['uuid']}"
    assert contact["tags"] == ["VIP", "Call back"]
    assert contact["assignedUser"] == "luis@example.com"  # matched case-insensitively, stored as the account has it
    assert contact["customFields"] == payload["custom_fields"]
    assert contact["note"] == "Met at the fair"
    assert contact["team"] == {"uuid": SUPPORT, "name": "Support"}
    assert contact["channel"] == {"uuid": WHATSAPP, "title": "Main WhatsApp", "type": "whatsapp"}


def test_minimal_non_whatsapp_contact(api: httpx.Client) -> None:
    contact = create(api, identifier="ana_insta", source="instagram", name="Ana")
    assert set(contact) == CONTACT_KEYS | {"channel"}  # no team: none was set
    assert contact["phoneNumber"] is None
    assert contact["tags"] == [] and contact["customFields"] == {}
    assert contact["assignedUser"] is None and contact["note"] is None
    assert contact["channel"]["uuid"] == INSTAGRAM


def test_get_contact_by_uuid_is_a_list(api: httpx.Client) -> None:
    created = create(api, custom_fields={"Status": "Trial", "Features": ["Beta"], "Orders": "7"})
    response = api.get(f"/contacts/{created['uuid']}")
    assert response.status_code == 200
    assert response.json() == {"contact": [created]}


def test_get_contact_with_field_types(api: httpx.Client) -> None:
    created = create(api, custom_fields={"Status": "Trial", "Features": ["Beta"], "Orders": "7"})
    contact = api.get(f"/contacts/{created['uuid']}", params={"include_field_types": "true"}).json()["contact"][0]
    assert contact["customFieldsMetadata"] == {
        "Status": {"value": "Trial", "type": "dropdown", "options": ["Active", "Churned", "Trial"]},
        "Features": {"value": ["Beta"], "type": "checkbox", "options": ["Dark Mode", "Notifications", "Beta"]},
        "Orders": {"value": "7", "type": "number"},
    }


def test_unknown_contact_is_404(api: httpx.Client) -> None:
    for response in (api.get("/contacts/" + "0" * 32), api.patch("/contacts/" + "0" * 32, json={"name": "X"})):
        assert response.status_code == 404
        assert "error" in response.json()


def test_delete_destroys_the_contact_then_404s(api: httpx.Client) -> None:
    created = create(api)
    response = api.delete(f"/contacts/{created['uuid']}")
    assert response.status_code == 200
    assert response.json() == {"status": "contact was destroyed"}
    assert api.get(f"/contacts/{created['uuid']}").status_code == 404
    assert api.get(f"/contacts/phone/{created['phoneNumber']}").status_code == 404
    again = api.delete(f"/contacts/{created['uuid']}")
    assert again.status_code == 404 and again.json() == {"error": "contact not found"}
    # The number is free again: a new contact can be made with it.
    assert api.post("/contacts", json=contact_payload(identifier=created["phoneNumber"])).status_code == 200


@pytest.mark.parametrize("form", ["{d}", "+{d}", "%2B{d}"])
def test_phone_lookup_with_or_without_plus(api: httpx.Client, form: str) -> None:
    number = fresh_phone()
    created = create(api, identifier="+" + number)
    response = api.get("/contacts/phone/" + form.format(d=number))
    assert response.status_code == 200
    assert response.json() == {"contact": created}  # an object here, not a list


def test_phone_lookup_unknown_or_other_channel_is_404(api: httpx.Client) -> None:
    number = fresh_phone()
    assert api.get(f"/contacts/phone/{number}").status_code == 404
    create(api, identifier=number)
    assert api.get(f"/contacts/phone/{number}", params={"channel_uuid": WHATSAPP}).status_code == 200
    assert api.get(f"/contacts/phone/{number}", params={"channel_uuid": INSTAGRAM}).status_code == 404


def test_patch_updates_replaces_merges_and_clears(api: httpx.Client) -> None:
    created = create(
        api,
        tags=["VIP"],
        custom_fields={"Status": "Active", "Orders": "1"},
        note="old",
        assigned_user="ana@example.com",
    )
    response = api.patch(
        f"/contacts/{created['uuid']}",
        json={
            "name": "Renamed",
            "tags": ["Lead"],
            "custom_fields": {"Orders": "2", "Billing Address": "Main Street 1"},
            "team_uuid": VENTAS,
            "bot_status": "bot_start",
            "note": "",
            "assigned_user": "marta@example.com",
        },
    )
    assert response.status_code == 200
    contact = response.json()["contact"][0]
    assert contact["uuid"] == created["uuid"]
    assert contact["name"] == "Renamed"
    assert contact["tags"] == ["Lead"]  # replaced
    assert contact["customFields"] == {"Status": "Active", "Orders": "2", "Billing Address": "Main Street 1"}  # merged
    assert contact["team"] == {"uuid": VENTAS, "name": "Ventas"}
    assert contact["note"] is None  # "" clears it
    assert contact["assignedUser"] == "marta@example.com"
    assert api.get(f"/contacts/{created['uuid']}").json()["contact"][0] == contact

    unassigned = api.patch(f"/contacts/{created['uuid']}", json={"unassign_user": True}).json()["contact"][0]
    assert unassigned["assignedUser"] is None
    assert unassigned["name"] == "Renamed"  # untouched fields stay


def test_teams(api: httpx.Client) -> None:
    body = api.get("/teams").json()
    assert body["meta"] == {"page": 1, "pages": 1}
    assert [t["uuid"] for t in body["teams"]] == [SUPPORT, VENTAS]
    support = body["teams"][0]
    assert set(support) == {"uuid", "name", "createdAt", "default", "members"}
    assert support["name"] == "Support" and support["default"] is True and support["members"] == 2


def test_team_members_are_paged(paged: RunningSandbox) -> None:
    with client(paged) as c:
        pages = [c.get(f"/teams/{SUPPORT}/members", params={"page": n}).json()["users"] for n in (1, 2, 3)]
        assert [[u["email"] for u in page] for page in pages] == [["ana@example.com"], ["luis@example.com"], []]
        assert set(pages[0][0]) == {"email", "name", "available", "lastUpdatedAt"}
        assert c.get("/teams/" + "f" * 32 + "/members").status_code == 404


def test_channels(api: httpx.Client) -> None:
    body = api.get("/channels").json()
    assert body["meta"] == {"page": 1, "pages": 1}
    assert body["channels"][0] == {
        "uuid": WHATSAPP,
        "title": "Main WhatsApp",
        "type": "whatsapp",
        "main": True,
        "discardedAt": None,
    }
    assert [c["type"] for c in body["channels"]] == ["whatsapp", "instagram"]


def test_plan(api: httpx.Client) -> None:
    plan = api.get("/plan").json()["plan"]
    assert plan["name"] == "Sandbox"
    assert plan["teams"] == 2
    assert plan["activeUsers"] == 5 and plan["licenses"] == 5  # 4 listed users + sofia (a team member)


def test_contacts_are_paged_oldest_first_without_meta(paged: RunningSandbox) -> None:
    with client(paged) as c:
        bodies = [c.get("/contacts", params={"page": n}).json() for n in (1, 2, 3, 4)]
        assert all(set(b) == {"contacts"} for b in bodies)
        assert [[x["name"] for x in b["contacts"]] for b in bodies] == [["First"], ["Second"], ["Third"], []]
        assert c.get("/contacts").json()["contacts"][0]["name"] == "First"  # no page = page 1
        assert c.get("/contacts", params={"page": "0"}).status_code == 422


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"source": "instagram"}, ["Third"]),
        ({"tags": "VIP"}, ["First", "Second"]),
        ({"tags": "VIP,Lead"}, ["First"]),  # all of them
        ({"tags": "Lead"}, ["First", "Third"]),
        ({"team_uuid": VENTAS}, ["Third"]),
        ({"source": "whatsapp", "tags": "Lead"}, ["First"]),
    ],
)
def test_contacts_filters(paged: RunningSandbox, params: dict[str, str], names: list[str]) -> None:
    with client(paged) as c:
        found: list[str] = []
        for page in itertools.count(1):
            contacts = c.get("/contacts", params={**params, "page": page}).json()["contacts"]
            if not contacts:
                break
            found += [x["name"] for x in contacts]
    assert found == names


def test_contacts_list_with_field_types(paged: RunningSandbox) -> None:
    with client(paged) as c:
        second = c.get("/contacts", params={"page": 2, "include_field_types": "true"}).json()["contacts"][0]
        plain = c.get("/contacts", params={"page": 2}).json()["contacts"][0]
    assert second["customFieldsMetadata"] == {
        "Status": {"value": "Trial", "type": "dropdown", "options": ["Active", "Churned", "Trial"]}
    }
    assert "customFieldsMetadata" not in plain


def test_unknown_path_and_wrong_method_are_json(api: httpx.Client) -> None:
    missing = api.get("/nothing/here")
    assert missing.status_code == 404 and "error" in missing.json()
    wrong = api.put("/contacts/" + "0" * 32, json={})
    assert wrong.status_code == 405 and "error" in wrong.json()
    assert {"GET", "PATCH", "DELETE"} <= {m.strip() for m in wrong.headers["allow"].split(",")}
    assert api.put("/contacts").status_code == 405


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b'"text"'])
def test_body_that_is_not_a_json_object_is_400(api: httpx.Client, content: bytes) -> None:
    response = api.post("/contacts", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "error" in response.json()


# -- validation ---------------------------------------------------------------------------------------------

REJECTED: list[tuple[str, dict[str, Any], str]] = [
    ("identifier required", {"identifier": DROP}, "identifier"),
    ("source required", {"source": DROP}, "source"),
    ("name required", {"name": DROP}, "name"),
    ("name empty", {"name": "   "}, "name"),
    ("name not a string", {"name": 5}, "name"),
    ("identifier not a string", {"identifier": 34600112233}, "identifier"),
    ("phone too short", {"identifier": "123456"}, "identifier"),
    ("phone too long", {"identifier": "1234567890123456"}, "identifier"),
    ("phone with spaces", {"identifier": "+34 600 11 22 33"}, "identifier"),
    ("phone with letters", {"identifier": "34600abc12"}, "identifier"),
    ("phone with double plus", {"identifier": "++34600112233"}, "identifier"),
    ("tags not a list", {"tags": "VIP"}, "tags"),
    ("tag not a string", {"tags": [1]}, "tags"),
    ("unknown tag", {"tags": ["Gold"]}, "tags"),
    ("tag in the wrong case", {"tags": ["vip"]}, "tags"),
    ("custom_fields not an object", {"custom_fields": ["Status"]}, "custom_fields"),
    ("unknown custom field", {"custom_fields": {"Colour": "red"}}, "custom_fields.Colour"),
    ("text not a string", {"custom_fields": {"Billing Address": 5}}, "custom_fields.Billing Address"),
    ("email malformed", {"custom_fields": {"Invoice Email": "nope"}}, "custom_fields.Invoice Email"),
    ("number not numeric", {"custom_fields": {"Orders": "4x2"}}, "custom_fields.Orders"),
    ("number with a comma", {"custom_fields": {"Orders": "1,5"}}, "custom_fields.Orders"),
    ("number as a JSON number", {"custom_fields": {"Orders": 42}}, "custom_fields.Orders"),
    ("date not a real date", {"custom_fields": {"Birthday": "2026-02-30"}}, "custom_fields.Birthday"),
    ("date in another format", {"custom_fields": {"Birthday": "03/03/2026"}}, "custom_fields.Birthday"),
    ("dropdown not an option", {"custom_fields": {"Status": "Paused"}}, "custom_fields.Status"),
    ("checkbox not a list", {"custom_fields": {"Features": "Beta"}}, "custom_fields.Features"),
    ("checkbox option unknown", {"custom_fields": {"Features": ["Beta", "Sparkles"]}}, "custom_fields.Features"),
    ("assigned_user unknown", {"assigned_user": "nobody@example.com"}, "assigned_user"),
    ("assigned_user not a string", {"assigned_user": 1}, "assigned_user"),
    ("team unknown", {"team_uuid": "f" * 32}, "team_uuid"),
    ("channel unknown", {"channel_uuid": "f" * 32}, "channel_uuid"),
    ("bot_status unknown", {"bot_status": "bot_pause"}, "bot_status"),
    ("note too long", {"note": "x" * 1001}, "note"),
    ("note not a string", {"note": 5}, "note"),
    ("unknown top-level key", {"tgas": ["VIP"]}, "tgas"),
]


@pytest.mark.parametrize(("overrides", "field"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_create_rejects(api: httpx.Client, shared: RunningSandbox, overrides: dict[str, Any], field: str) -> None:
    before = shared.stats()["contacts"]
    response = api.post("/contacts", json=contact_payload(**overrides))
    assert response.status_code == 422, response.text
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["error"].startswith(f"{field}: ")
    assert shared.stats()["contacts"] == before


WHATSAPP_CHANNEL = {"uuid": WHATSAPP, "title": "Main WhatsApp", "type": "whatsapp"}
# (id, what the request changes from contact_payload's, what the contact then holds besides contact_payload's)
ACCEPTED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("phone with plus", {"identifier": "+34699000001"}, {"phoneNumber": "+34699000001"}),
    ("phone of 7 digits", {"identifier": "3469901"}, {"phoneNumber": "+3469901"}),
    ("phone of 15 digits", {"identifier": "346990000000001"}, {"phoneNumber": "+346990000000001"}),
    (
        "any identifier for other sources",
        {"identifier": "ana.ig 01", "source": "instagram"},
        {
            "phoneNumber": None,
            "source": "instagram",
            "channel": {"uuid": INSTAGRAM, "title": "Instagram", "type": "instagram"},
        },
    ),
    ("negative decimal number", {"custom_fields": {"Orders": "-3.5"}}, {"customFields": {"Orders": "-3.5"}}),
    ("leap day", {"custom_fields": {"Birthday": "2024-02-29"}}, {"customFields": {"Birthday": "2024-02-29"}}),
    (
        "email",
        {"custom_fields": {"Invoice Email": "billing@example.com"}},
        {"customFields": {"Invoice Email": "billing@example.com"}},
    ),
    ("empty checkbox", {"custom_fields": {"Features": []}}, {"customFields": {"Features": []}}),
    ("user of a team only", {"assigned_user": "Sofia@Example.com"}, {"assignedUser": "sofia@example.com"}),
    ("note of 1000 characters", {"note": "x" * 1000}, {"note": "x" * 1000}),
    ("explicit channel", {"channel_uuid": WHATSAPP, "bot_status": "bot_start"}, {"channel": WHATSAPP_CHANNEL}),
]


@pytest.mark.parametrize(("overrides", "holds"), [a[1:] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED])
def test_create_accepts(
    api: httpx.Client, shared: RunningSandbox, overrides: dict[str, Any], holds: dict[str, Any]
) -> None:
    payload = contact_payload(**overrides)
    response = api.post("/contacts", json=payload)
    assert response.status_code == 200, response.text
    (contact,) = response.json()["contact"]
    expected = {
        "name": payload["name"],
        "phoneNumber": "+" + payload["identifier"].removeprefix("+"),
        "source": "whatsapp",
        "tags": [],
        "assignedUser": None,
        "customFields": {},
        "note": None,
        "channel": WHATSAPP_CHANNEL,
        **holds,
    }
    assert {key: contact.get(key) for key in expected} == expected, contact
    # Kept as sent: fetched by uuid, listed, and found by its number.
    assert api.get(f"/contacts/{contact['uuid']}").json() == {"contact": [contact]}
    listed = [c for c in shared.contacts() if c["uuid"] == contact["uuid"]]
    assert len(listed) == 1
    assert {key: listed[0].get(key) for key in expected if key != "channel"} == {
        key: value for key, value in expected.items() if key != "channel"
    }
    if expected["phoneNumber"]:
        found = api.get(f"/contacts/phone/{payload['identifier'].removeprefix('+')}")
        assert found.status_code == 200 and found.json() == {"contact": contact}  # an object here


def test_every_problem_is_reported_at_once(api: httpx.Client) -> None:
    response = api.post(
        "/contacts",
        json={"identifier": "12", "source": "whatsapp", "tags": ["Gold"], "custom_fields": {"Orders": "x"}, "x": 1},
    )
    assert response.status_code == 422
    body = response.json()
    fields = sorted(e["field"] for e in body["errors"])
    assert fields == ["custom_fields.Orders", "identifier", "name", "tags", "x"]
    assert body["error"] == "; ".join(f"{e['field']}: {e['message']}" for e in body["errors"])


PATCH_REJECTED: list[tuple[dict[str, Any], str]] = [
    ({"identifier": "34600000000"}, "identifier"),  # not patchable: an unknown key for PATCH
    ({"name": ""}, "name"),
    ({"tags": ["Gold"]}, "tags"),
    ({"custom_fields": {"Orders": "many"}}, "custom_fields.Orders"),
    ({"assigned_user": "nobody@example.com"}, "assigned_user"),
    ({"unassign_user": "yes"}, "unassign_user"),
    ({"unassign_user": True, "assigned_user": "ana@example.com"}, "unassign_user"),
    ({"team_uuid": "f" * 32}, "team_uuid"),
    ({"bot_status": "on"}, "bot_status"),
    ({"note": "x" * 1001}, "note"),
]


@pytest.mark.parametrize(("body", "field"), PATCH_REJECTED)
def test_patch_rejects(api: httpx.Client, body: dict[str, Any], field: str) -> None:
    created = create(api)
    response = api.patch(f"/contacts/{created['uuid']}", json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert api.get(f"/contacts/{created['uuid']}").json()["contact"][0] == created


# -- auth ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic dGVzdC10b2tlbg=="},
        {"Authorization": "test-token"},
    ],
    ids=["missing", "wrong token", "basic scheme", "no scheme"],
)
def test_requests_without_the_token_are_401(shared: RunningSandbox, headers: dict[str, str]) -> None:
    for url in (f"{shared.base_url}/auth/me", f"{shared.base_url}/contacts", f"{shared.root_url}/_sandbox/stats"):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 401
        assert "error" in response.json()
    assert httpx.post(f"{shared.base_url}/contacts", json=contact_payload(), headers=headers).status_code == 401


def test_generated_token_is_printed_and_accepted(sandbox_factory: Factory) -> None:
    running = sandbox_factory(token="")
    assert re.fullmatch(r"sbx_[A-Za-z0-9_-]{20,}", running.token)
    assert httpx.get(f"{running.base_url}/auth/me", headers=running.headers).status_code == 200
    assert httpx.get(f"{running.base_url}/auth/me", headers={"Authorization": "Bearer test-token"}).status_code == 401


# -- duplicates ---------------------------------------------------------------------------------------------


def test_duplicate_is_rejected_naming_the_existing_contact(api: httpx.Client) -> None:
    number = fresh_phone()
    first = create(api, identifier=number)
    response = api.post("/contacts", json=contact_payload(identifier="+" + number, name="Again"))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["identifier"]
    assert first["uuid"] in errors[0]["message"]
    # The same number on another channel is another contact.
    assert api.post("/contacts", json=contact_payload(identifier=number, channel_uuid=INSTAGRAM)).status_code == 200


def test_duplicate_create_mode_makes_a_second_contact(sandbox_factory: Factory) -> None:
    running = sandbox_factory("--on-duplicate", "create")
    body = contact_payload()
    with client(running) as c:
        uuids = {c.post("/contacts", json=body).json()["contact"][0]["uuid"] for _ in range(2)}
    assert len(uuids) == 2
    assert {c["uuid"] for c in running.contacts()} == uuids


# -- stats and reset ----------------------------------------------------------------------------------------


def test_stats_count_api_requests_and_reset_clears(sandbox: RunningSandbox) -> None:
    with client(sandbox) as c:
        c.post("/contacts", json=contact_payload())
        c.get("/contacts/" + "0" * 32)
        c.get("/plan", headers={"Authorization": "Bearer nope"})
        doomed = c.post("/contacts", json=contact_payload()).json()["contact"][0]
        c.delete(f"/contacts/{doomed['uuid']}")
        c.delete(f"/contacts/{doomed['uuid']}")
    stats = sandbox.stats()
    assert stats == {
        "requests": 6,
        "by_status": {"200": 3, "401": 1, "404": 2},
        "rate_limited": 0,
        "faults": 0,
        "dropped": 0,
        "deleted": 1,
        "by_method": {"DELETE": 2, "GET": 2, "POST": 2},
        "contacts": 1,
    }
    assert len(sandbox.contacts()) == 1
    sandbox.reset()
    assert sandbox.contacts() == []
    assert sandbox.stats()["requests"] == 0 and sandbox.stats()["contacts"] == 0


# -- rate limit ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", [None, "2"])
def test_rate_limit_answers_429(sandbox_factory: Factory, retry_after: str | None) -> None:
    extra = ("--retry-after", retry_after) if retry_after else ()
    # 2/s with a burst of 5: 30 requests would need 12.5 s to pass unthrottled, so some must be 429.
    running = sandbox_factory("--rate-limit", "2", "--burst", "5", *extra)
    with client(running) as c:
        responses = [c.get("/plan") for _ in range(30)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited and all(r.status_code in (200, 429) for r in responses)
    assert sum(r.status_code == 200 for r in responses) >= 5  # the burst
    assert limited[0].json() == {"error": "Too Many Requests"}
    assert all(r.headers.get("retry-after") == retry_after for r in limited)
    stats = running.stats()
    assert stats["rate_limited"] == len(limited) == stats["by_status"]["429"]


def test_window_limiter_allows_the_rate_in_any_second_and_no_burst() -> None:
    window = SlidingWindow(rate=3)
    assert [window.take(t) for t in (0.0, 0.1, 0.2, 0.3, 0.9)] == [True, True, True, False, False]
    # The 0.0 request leaves the window at 1.0 exactly; refused requests never counted.
    assert [window.take(t) for t in (1.0, 1.05, 1.15, 1.25)] == [True, False, True, True]
    assert window.take(1.3) is False
    window.refill()
    assert window.take(1.3) is True


def test_window_limiter_over_http(sandbox_factory: Factory) -> None:
    running = sandbox_factory("--rate-limit", "3", "--limiter", "window")
    assert "rate-limit=3/s window=1s" in running.knobs
    with client(running) as c:
        started = time.monotonic()
        statuses = [c.get("/plan").status_code for _ in range(20)]
        elapsed = time.monotonic() - started
    assert set(statuses) == {200, 429}
    # At most 3 in any second: the requests span `elapsed` seconds, so at most 3 per started second.
    assert 3 <= statuses.count(200) <= 3 * (math.floor(elapsed) + 1)
    assert running.stats()["rate_limited"] == statuses.count(429)


def test_window_limiter_takes_no_burst() -> None:
    proc = run_cli("--account-file", str(SAMPLE_ACCOUNT), "--limiter", "window", "--burst", "5")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: --limiter must be bucket or window (--burst applies to bucket only)"


# -- faults -------------------------------------------------------------------------------------------------


def test_latency_delays_answers(sandbox_factory: Factory) -> None:
    running = sandbox_factory("--latency-ms", "400")
    with client(running, timeout=httpx.Timeout(10, read=0.05)) as c, pytest.raises(httpx.ReadTimeout):
        c.get("/plan")
    with client(running) as c:
        assert c.get("/plan").status_code == 200


def test_fail_rate_one_fails_everything_and_does_nothing(sandbox_factory: Factory) -> None:
    running = sandbox_factory("--fail-rate", "1")
    with client(running) as c:
        responses = [c.post("/contacts", json=contact_payload()) for _ in range(8)] + [c.get("/plan")]
    assert {r.status_code for r in responses} <= FAULTS
    assert all("error" in r.json() for r in responses)
    assert running.contacts() == []
    assert running.stats()["faults"] == len(responses)


def test_fractional_fail_rate_is_reproducible_with_a_seed(sandbox_factory: Factory) -> None:
    def statuses(running: RunningSandbox) -> list[int]:
        with client(running) as c:
            return [c.get("/plan").status_code for _ in range(24)]

    first = statuses(sandbox_factory("--fail-rate", "0.5", "--seed", "7"))
    second = statuses(sandbox_factory("--fail-rate", "0.5", "--seed", "7"))
    assert first == second
    assert 200 in first and any(s in FAULTS for s in first)
    assert set(first) <= FAULTS | {200}


def test_drop_after_commit_loses_the_answer_but_keeps_the_contact(sandbox_factory: Factory) -> None:
    running = sandbox_factory("--drop-after-commit", "1", "--seed", "3")
    outcomes: list[str] = []
    sent = [contact_payload() for _ in range(10)]
    with client(running) as c:
        for body in sent:
            try:
                response = c.post("/contacts", json=body)
            except httpx.RemoteProtocolError:
                outcomes.append("dropped")
            else:
                assert response.status_code == 502
                outcomes.append("502")
        # A rejected write commits nothing, so its answer is not lost.
        assert c.post("/contacts", json=contact_payload(tags=["Gold"])).status_code == 422
    assert set(outcomes) == {"dropped", "502"}
    stored = running.contacts()
    assert sorted(c["phoneNumber"] for c in stored) == sorted("+" + b["identifier"] for b in sent)

    # A 502 or a cut connection: either way the answer is lost.
    with client(running) as c, contextlib.suppress(httpx.RemoteProtocolError):
        c.patch(f"/contacts/{stored[0]['uuid']}", json={"name": "Patched"})
    assert running.contacts()[0]["name"] == "Patched"
    assert running.stats()["dropped"] == 11
    assert running.stop() == 0
    assert "without completing response" not in running.stderr_text()


def test_delete_is_a_write_for_faults_and_drops(sandbox_factory: Factory) -> None:
    failing = sandbox_factory("--fail-rate", "1")
    with client(failing) as c:
        assert c.delete("/contacts/" + "0" * 32).status_code in FAULTS  # the fault comes first, nothing done
    assert failing.stats()["deleted"] == 0

    running = sandbox_factory("--drop-after-commit", "1", "--seed", "5")
    with client(running) as c:
        uuids = []
        for _ in range(4):
            with contextlib.suppress(httpx.RemoteProtocolError):
                c.post("/contacts", json=contact_payload())
        uuids = [x["uuid"] for x in running.contacts()]
        for uuid in uuids:
            try:
                lost = c.delete(f"/contacts/{uuid}").status_code == 502
            except httpx.RemoteProtocolError:
                lost = True
            assert lost  # deleted, then the answer dropped
        # An unknown uuid commits nothing: its 404 is not lost.
        assert c.delete("/contacts/" + "0" * 32).status_code == 404
    stats = running.stats()
    assert running.contacts() == [] and len(uuids) == 4
    assert stats["deleted"] == 4 and stats["dropped"] == 8


# -- server -------------------------------------------------------------------------------------------------


def test_db_keeps_contacts_across_a_restart(sandbox_factory: Factory, tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    first = sandbox_factory("--db", str(db))
    with client(first) as c:
        created = create(c)
    assert first.stop() == 0  # SIGTERM is a clean stop

    second = sandbox_factory("--db", str(db))
    assert second.contacts() == [created]
    with client(second) as c:
        number = created["phoneNumber"]
        assert c.get(f"/contacts/phone/{number}").json()["contact"]["uuid"] == created["uuid"]
        assert c.post("/contacts", json=contact_payload(identifier=number)).status_code == 422


def test_port_zero_and_ready_file(sandbox_factory: Factory, tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    running = sandbox_factory("--ready-file", str(ready))
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", running.base_url)
    assert not running.base_url.endswith(":0/v1")
    assert json.loads(ready.read_text()) == {
        "base_url": running.base_url,
        "token": running.token,
        "pid": running.process.pid,
    }
    assert running.knobs.startswith("knobs: ")
    assert running.token not in running.knobs


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "importer", "sandbox", "--port", "0", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"])
def test_non_loopback_host_is_refused(host: str) -> None:
    proc = run_cli("--account-file", str(SAMPLE_ACCOUNT), "--host", host)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "--allow-remote" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_bad_account_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "account.toml"
    bad.write_text('tags = "not a list"\n')
    for path in (bad, tmp_path / "missing.toml"):
        proc = run_cli("--account-file", str(path))
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1 and str(path) in proc.stderr
        assert "Traceback" not in proc.stderr


def test_patches_lists_the_bodies_of_the_last_patches_that_changed_a_contact(sandbox: RunningSandbox) -> None:
    with client(sandbox) as c:
        uuid = c.post("/contacts", json=contact_payload()).json()["contact"][0]["uuid"]
        c.patch(f"/contacts/{uuid}", json={"name": "First"})
        c.patch(f"/contacts/{uuid}", json={"tags": "not a list"})  # refused: not recorded
        c.patch(f"/contacts/{uuid}", json={"note": "second"})
    answer = httpx.get(f"{sandbox.root_url}/_sandbox/patches", headers=sandbox.headers)
    assert answer.json() == {
        "patches": [{"uuid": uuid, "body": {"name": "First"}}, {"uuid": uuid, "body": {"note": "second"}}]
    }
    sandbox.reset()
    assert httpx.get(f"{sandbox.root_url}/_sandbox/patches", headers=sandbox.headers).json() == {"patches": []}
