"""A contact's restorable values: taken before a run PATCHes it, sent back by `importer undo`.

Kept as the API shows them (name, tags, custom_fields, assigned_user, team, note), so the PATCH that restores
them is built from what Callbell said, not from what the sheet said.
"""

from __future__ import annotations

from typing import Any


def snapshot(contact: dict[str, Any]) -> dict[str, Any]:
    """The values of a contact (as GET /contacts/:uuid answers it) that a PATCH can set back."""
    team = contact.get("team")
    custom = contact.get("customFields")
    tags = contact.get("tags")
    return {
        "name": contact.get("name"),
        "tags": list(tags) if isinstance(tags, list) else [],
        "custom_fields": dict(custom) if isinstance(custom, dict) else {},
        "assigned_user": contact.get("assignedUser") or None,
        "team": team.get("uuid") if isinstance(team, dict) else None,
        "note": contact.get("note") or None,
    }


def restore_body(before: dict[str, Any]) -> dict[str, Any]:
    """The PATCH that gives a contact back its `before` values.

    Tags are sent as the full list (PATCH replaces them) and custom fields as they were (PATCH merges them, so
    a field the run filled that was empty before keeps its value: the API has no way to empty one). A contact
    with no user gets `unassign_user`; a note that was empty is cleared. A team cannot be removed through the
    API, so one is only set back when there was one.
    """
    body: dict[str, Any] = {"tags": list(before.get("tags") or [])}
    if before.get("name"):
        body["name"] = before["name"]
    if before.get("custom_fields"):
        body["custom_fields"] = dict(before["custom_fields"])
    if before.get("assigned_user"):
        body["assigned_user"] = before["assigned_user"]
    else:
        body["unassign_user"] = True
    if before.get("team"):
        body["team_uuid"] = before["team"]
    body["note"] = before.get("note") or ""
    return body
