"""Change detection for `--on-existing update`: what a PATCH carries, and nothing more.

Three views of a contact meet here, all as plain dicts keyed by the PATCH's field names:
- the row: what the file says now (only the fields whose cells are filled: an empty cell is no key);
- the record: what this state last sent (or found) for the contact, kept in the ledger's `synced` table;
- the current contact: what Callbell shows (from the account listing, or a GET), in `snapshot` form.

The file wins only where the file changed since the record; a field already equal in Callbell is not sent.
"""

from __future__ import annotations

from typing import Any, Literal

TagsMode = Literal["add", "replace"]

# PATCH takes these; identity fields (identifier, source, channel) cannot change.
PATCHABLE = ("name", "tags", "custom_fields", "assigned_user", "team_uuid", "bot_status", "note")


def row_values(payload: dict[str, Any]) -> dict[str, Any]:
    """The PATCHable values a row's payload carries."""
    return {k: payload[k] for k in PATCHABLE if k in payload}


def current_values(snap: dict[str, Any]) -> dict[str, Any]:
    """A contact in `snapshot` form (what undo restores) as PATCH fields; bot_status is not shown by the API."""
    return {
        "name": snap.get("name") or "",
        "tags": list(snap.get("tags") or []),
        "custom_fields": dict(snap.get("custom_fields") or {}),
        "assigned_user": snap.get("assigned_user"),
        "team_uuid": snap.get("team"),
        "note": snap.get("note"),
    }


def changed_since(row: dict[str, Any], record: dict[str, Any] | None) -> dict[str, Any]:
    """The row's values that differ from the record (all of them when there is no record yet)."""
    if record is None:
        return dict(row)
    changed: dict[str, Any] = {}
    for key, value in row.items():
        if key == "custom_fields":
            before = record.get(key) or {}
            fields = {k: v for k, v in value.items() if before.get(k) != v}
            if fields:
                changed[key] = fields
        elif key == "tags":
            if sorted(value) != sorted(record.get(key) or []):
                changed[key] = value
        elif not _same(key, value, record.get(key)):
            changed[key] = value
    return changed


def patch_body(wanted: dict[str, Any], current: dict[str, Any] | None, tags: TagsMode) -> dict[str, Any]:
    """The PATCH for `wanted` (row values), without what Callbell already has. Tags go as the full list
    (PATCH replaces them): the contact's tags plus the row's (`add`) or exactly the row's (`replace`).
    `current` (snapshot form) is required when `wanted` has tags."""
    now = current_values(current) if current is not None else None
    body: dict[str, Any] = {}
    for key, value in wanted.items():
        if key == "tags":
            assert now is not None, "tags need the contact's current tags"
            have = now["tags"]
            result = list(value) if tags == "replace" else have + [t for t in value if t not in have]
            if sorted(result) != sorted(have):
                body[key] = result
        elif now is None:
            body[key] = value
        elif key == "custom_fields":
            fields = {k: v for k, v in value.items() if now["custom_fields"].get(k) != v}
            if fields:
                body[key] = fields
        elif key not in now or not _same(key, value, now[key]):  # bot_status: unknown, so sent
            body[key] = value
    return body


def merged_record(base: dict[str, Any] | None, row: dict[str, Any]) -> dict[str, Any]:
    """The record after this row was synced: the row's values over what was recorded (or found) before."""
    merged = dict(base or {})
    for key, value in row.items():
        if key == "custom_fields":
            merged[key] = {**(merged.get(key) or {}), **value}
        else:
            merged[key] = value
    return merged


def _same(key: str, a: Any, b: Any) -> bool:
    if key == "assigned_user" and isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()  # emails
    return bool(a == b or (not a and not b))
