"""importer/delivery/snapshot.py on its own: a contact's values as a real sandbox shows them, changed, then given
back by the PATCH restore_body builds (what `importer undo` sends)."""

from __future__ import annotations

from typing import Any

import httpx

from importer.delivery.snapshot import restore_body, snapshot

SUPPORT, VENTAS = "ad42a09715814e6483b1c5debd6a2dbc", "5b1e0c7d3f2a4e6b9c8d7e6f5a4b3c2d"


def call(running: Any, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.request(method, f"{running.base_url}{path}", json=body, headers=running.headers, timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json()["contact"][0])


def contact(running: Any, uuid: str) -> dict[str, Any]:
    body = httpx.get(f"{running.base_url}/contacts/{uuid}", headers=running.headers, timeout=10).json()
    return dict(body["contact"][0] if isinstance(body["contact"], list) else body["contact"])


def test_a_contact_changed_every_way_is_given_back_its_values(sandbox) -> None:
    made = call(
        sandbox,
        "POST",
        "/contacts",
        {
            "identifier": "34622300001",
            "source": "whatsapp",
            "name": "Ana",
            "tags": ["VIP", "Lead"],
            "custom_fields": {"Orders": "3"},
            "assigned_user": "ana@example.com",
            "team_uuid": SUPPORT,
            "note": "first",
        },
    )
    before = snapshot(contact(sandbox, made["uuid"]))
    assert before == {
        "name": "Ana",
        "tags": ["VIP", "Lead"],
        "custom_fields": {"Orders": "3"},
        "assigned_user": "ana@example.com",
        "team": SUPPORT,
        "note": "first",
    }
    changes = {
        "name": "Ana B",
        "tags": ["Customer"],
        "custom_fields": {"Orders": "4", "Status": "Active"},
        "assigned_user": "luis@example.com",
        "team_uuid": VENTAS,
        "note": "second",
    }
    call(sandbox, "PATCH", f"/contacts/{made['uuid']}", changes)
    call(sandbox, "PATCH", f"/contacts/{made['uuid']}", restore_body(before))
    after = snapshot(contact(sandbox, made["uuid"]))
    # All back, but a custom field the run filled (the API cannot empty one) and the merge keeps it.
    assert after == {**before, "custom_fields": {"Orders": "3", "Status": "Active"}}


def test_an_empty_contact_is_unassigned_and_its_note_cleared(sandbox) -> None:
    made = call(sandbox, "POST", "/contacts", {"identifier": "34622300002", "source": "whatsapp", "name": "Bea"})
    before = snapshot(contact(sandbox, made["uuid"]))
    assert before["tags"] == [] and before["custom_fields"] == {}
    assert (before["assigned_user"], before["note"]) == (None, None)
    call(
        sandbox,
        "PATCH",
        f"/contacts/{made['uuid']}",
        {"tags": ["VIP"], "assigned_user": "ana@example.com", "note": "added"},
    )
    body = restore_body(before)
    assert body["unassign_user"] is True and body["note"] == "" and "team_uuid" not in body
    call(sandbox, "PATCH", f"/contacts/{made['uuid']}", body)
    after = snapshot(contact(sandbox, made["uuid"]))
    assert (after["tags"], after["assigned_user"], after["note"]) == ([], None, None)


def test_a_snapshot_of_odd_shapes_is_still_a_restorable_one() -> None:
    odd = snapshot({"name": "C", "tags": "VIP", "customFields": None, "team": "x", "assignedUser": "", "note": ""})
    assert odd == {"name": "C", "tags": [], "custom_fields": {}, "assigned_user": None, "team": None, "note": None}
    assert restore_body(odd) == {"tags": [], "name": "C", "unassign_user": True, "note": ""}
