"""importer/validation/merge.py: the payloads of a phone's rows folded into one contact (--duplicates merge)."""

from __future__ import annotations

from importer.validation.merge import CONFLICTS_SHOWN, Conflict, merge_payloads, merge_warning

KEY = {"source": "whatsapp", "identifier": "34612345678"}


def test_tags_are_joined_in_order_without_repeats_and_fields_come_from_the_first_row_that_fills_them() -> None:
    merged, conflicts = merge_payloads(
        [
            (2, {**KEY, "name": "Ana Ruiz", "tags": ["VIP"], "custom_fields": {"Orders": "3"}}),
            (5, {**KEY, "name": "ana  ruiz", "tags": ["Lead", "vip"], "note": "first note", "team_uuid": "t1"}),
            (9, {**KEY, "name": "Ana Ruiz", "tags": ["Customer", "Lead"], "custom_fields": {"Status": "Active"}}),
        ]
    )
    assert merged == {
        **KEY,
        "name": "Ana Ruiz",  # "ana  ruiz" is the same name: no conflict for case or spacing
        "tags": ["VIP", "Lead", "Customer"],
        "custom_fields": {"Orders": "3", "Status": "Active"},
        "note": "first note",
        "team_uuid": "t1",
    }
    assert conflicts == []


def test_a_value_filled_differently_keeps_the_first_and_names_the_dropped_one() -> None:
    merged, conflicts = merge_payloads(
        [
            (2, {**KEY, "name": "Ana Ruiz", "custom_fields": {"Orders": "3"}}),
            (4, {**KEY, "name": "Ana R.", "assigned_user": "luis@example.com", "custom_fields": {"Orders": "4"}}),
            (7, {**KEY, "name": "Ana Ruiz", "assigned_user": "ANA@example.com", "team_uuid": "t2"}),
        ]
    )
    assert merged["name"] == "Ana Ruiz" and merged["custom_fields"] == {"Orders": "3"}
    assert merged["assigned_user"] == "luis@example.com"  # from the first row that fills it: row 4
    assert conflicts == [
        Conflict("name", "Ana Ruiz", "Ana R.", 4),
        Conflict("custom_fields.Orders", "3", "4", 4),
        Conflict("assigned_user", "luis@example.com", "ANA@example.com", 7),
    ]


def test_the_input_payloads_are_not_changed() -> None:
    first = {**KEY, "name": "A", "tags": ["VIP"], "custom_fields": {"Orders": "3"}}
    merge_payloads([(2, first), (3, {**KEY, "name": "A", "tags": ["Lead"], "custom_fields": {"Status": "Trial"}})])
    assert first == {**KEY, "name": "A", "tags": ["VIP"], "custom_fields": {"Orders": "3"}}


def test_the_warning_names_the_rows_the_field_and_the_dropped_value() -> None:
    conflicts = [Conflict("name", "Ana Ruiz", "Ana R.", 4), Conflict("team_uuid", "t1", "t2", 7)]
    text = merge_warning([4, 7], conflicts, {"name": "Nombre", "team_uuid": "Equipo"}, {"t1": "Support", "t2": "Sales"})
    assert text == (
        "merged with rows 4, 7 (same phone); Nombre: kept 'Ana Ruiz', dropped 'Ana R.' of row 4; "
        "Equipo: kept 'Support', dropped 'Sales' of row 7"
    )
    assert merge_warning([3], [], {}, {}) == "merged with row 3 (same phone)"


def test_a_long_group_is_cut_in_the_warning() -> None:
    conflicts = [Conflict("name", "A", f"A{n}", n) for n in range(3, 3 + CONFLICTS_SHOWN + 4)]
    text = merge_warning(list(range(3, 40)), conflicts, {}, {})
    assert text.startswith("merged with rows 3, 4, 5, 6, 7, … (37 rows) (same phone); ")
    assert text.count(" of row ") == CONFLICTS_SHOWN and text.endswith("; and 4 more values dropped")
