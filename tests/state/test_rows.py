"""importer/state/rows.py: the rows of this run, their outcomes, and what the results and the summary read."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.state.ledger import Ledger
from importer.state.rows import _PENDING_ROWS, PENDING, NewRow, Rows


def row(n: int, identifier: str, status: str = PENDING, error: str = "") -> NewRow:
    return (n, status, identifier, "whatsapp", '{"name": "x"}', "", "", error, f"cells {n}", "")


def test_rows_duplicates_and_outcomes(ledger: Ledger) -> None:
    ledger.rows.add([row(2, "34600000001"), row(3, "34600000002"), row(4, "34600000001"), row(5, "", "invalid")])
    ledger.rows.mark_duplicates()
    assert [r.row for r in ledger.rows.pending()] == [2, 3]
    assert ledger.rows.count_pending() == 2
    ledger.rows.set_outcome(2, "created", uuid="u2", href="h2")
    outcomes = {r[0]: r for r in ledger.rows.outcomes()}
    assert outcomes[2][1:3] == ("created", "u2")
    assert outcomes[4][1] == "duplicate" and outcomes[4][4] == "same phone as row 2"
    assert outcomes[5][6] == "cells 5"
    assert ledger.rows.status_counts() == {"created": 1, "pending": 1, "duplicate": 1, "invalid": 1}
    ledger.rows.reset()  # rows are rebuilt each run; contacts stay
    assert ledger.rows.status_counts() == {}


def test_a_chunk_is_added_in_one_transaction(ledger: Ledger) -> None:
    def broken() -> Iterator[NewRow]:
        yield row(2, "34600000001")
        raise RuntimeError("the reader failed mid-chunk")

    with pytest.raises(RuntimeError):
        ledger.rows.add(broken())
    assert ledger.rows.status_counts() == {}  # nothing of the half chunk


def test_pending_after_takes_batches_by_row_number(ledger: Ledger) -> None:
    ledger.rows.add([row(n, f"3460000000{n}") for n in range(2, 9)] + [row(9, "", "invalid")])
    first = ledger.rows.pending_after(0, 3)
    assert [r.row for r in first] == [2, 3, 4]
    assert (first[0].identifier, first[0].source, first[0].payload) == ("34600000002", "whatsapp", '{"name": "x"}')
    ledger.rows.set_outcome(5, "created", uuid="u5")  # done meanwhile: not taken again
    assert [r.row for r in ledger.rows.pending_after(first[-1].row, 3)] == [6, 7, 8]
    assert ledger.rows.pending_after(8, 3) == []


def test_outcomes_in_bulk_clear_the_error(ledger: Ledger) -> None:
    ledger.rows.add([row(2, "34600000002", error="old"), row(3, "34600000003")])
    ledger.rows.set_outcomes([("unchanged", "u2", "h2", 2)])
    outcomes = {r[0]: r for r in ledger.rows.outcomes()}
    assert outcomes[2][1:5] == ("unchanged", "u2", "34600000002", "")
    assert outcomes[2][5] == "h2"
    assert outcomes[3][1] == PENDING


def test_rows_left_pending_are_explained_or_reported_valid(ledger: Ledger) -> None:
    ledger.rows.add([row(2, "34600000002"), row(3, "34600000003"), row(4, "", "invalid", "no phone")])
    ledger.rows.set_outcome(3, "created", uuid="u3")
    ledger.rows.explain_pending("not sent: stopped by SIGINT")
    errors = {r[0]: r[4] for r in ledger.rows.outcomes()}
    assert errors == {2: "not sent: stopped by SIGINT", 3: "", 4: "no phone"}
    ledger.rows.pending_to_valid()  # a dry run
    assert ledger.rows.status_counts() == {"valid": 1, "created": 1, "invalid": 1}


def test_groups_and_rows_to_fix(ledger: Ledger) -> None:
    ledger.rows.add(
        [row(n, "", "failed", "refused") for n in (2, 3, 4)]
        + [row(5, "", "failed", "timeout"), row(6, "", "invalid", "no phone"), row(7, "34600000007")]
    )
    assert list(ledger.rows.groups("failed", limit=2)) == [("refused", 3, [2, 3]), ("timeout", 1, [5])]
    assert ledger.rows.first_rows("failed") == [2, 3, 4, 5]
    assert ledger.rows.first_rows("failed", 2) == [2, 3]
    assert ledger.rows.first_rows("duplicate") == []
    assert ledger.rows.to_fix(3) == [(2, "failed", "refused"), (3, "failed", "refused"), (4, "failed", "refused")]
    assert ledger.rows.to_fix(10)[-1] == (6, "invalid", "no phone")  # pending rows are not to fix


def test_duplicates_may_keep_the_last_row(ledger: Ledger) -> None:
    ledger.rows.add([row(2, "34600000001"), row(3, "34600000001"), row(4, "34600000001", "invalid"), row(5, "346")])
    ledger.rows.mark_duplicates(keep="last")
    assert [r.row for r in ledger.rows.pending()] == [3, 5]  # the last valid row of a number; an invalid one is not
    outcomes = {r[0]: r for r in ledger.rows.outcomes()}
    assert outcomes[2][1] == "duplicate" and outcomes[2][4] == "same phone as row 3"
    assert outcomes[4][1] == "invalid"


def payload_row(n: int, identifier: str, payload: str, status: str = PENDING, warning: str = "") -> NewRow:
    return (n, status, identifier, "whatsapp", payload, "", "", "", f"cells {n}", warning)


def test_merge_groups_come_page_by_page_and_the_others_end_merged_with_the_first_rows_contact(ledger: Ledger) -> None:
    ledger.rows.add(
        [
            payload_row(2, "346001", '{"a": 2}'),
            payload_row(3, "346002", '{"a": 3}'),
            payload_row(4, "346001", '{"a": 4}', warning="Tags: unknown tag dropped"),
            payload_row(5, "346003", '{"a": 5}'),
            payload_row(6, "346002", '{"a": 6}'),
            payload_row(7, "346001", None, "invalid"),  # invalid rows are not merged
            payload_row(8, "346001", '{"a": 8}'),
        ]
    )
    groups = list(ledger.rows.merge_groups(page=2))  # pages cut groups: they still come whole
    assert groups == [
        [(2, '{"a": 2}', ""), (4, '{"a": 4}', "Tags: unknown tag dropped"), (8, '{"a": 8}', "")],
        [(3, '{"a": 3}', ""), (6, '{"a": 6}', "")],
    ]
    ledger.rows.merged_payloads([('{"m": 1}', "merged with rows 4, 8", 2), ('{"m": 2}', "merged with row 6", 3)])
    ledger.rows.end_merge()
    assert [(r.row, r.payload) for r in ledger.rows.pending()] == [(2, '{"m": 1}'), (3, '{"m": 2}'), (5, '{"a": 5}')]
    assert ledger.rows.status_counts() == {PENDING: 3, "merged": 3, "invalid": 1}
    ledger.rows.set_outcome(2, "created", uuid="u2", href="h2")
    ledger.rows.share_merged_outcomes()
    outcomes = {r[0]: r for r in ledger.rows.outcomes()}  # (row, status, uuid, identifier, error, href, cells, warning)
    assert outcomes[2][7] == "merged with rows 4, 8"
    assert outcomes[4][1:3] == ("merged", "u2") and outcomes[4][5] == "h2"
    assert outcomes[4][7] == "merged into row 2; Tags: unknown tag dropped"
    assert outcomes[8][1:3] == ("merged", "u2") and outcomes[8][7] == "merged into row 2"
    assert outcomes[6][1:3] == ("merged", "")  # row 3 not sent (yet): no contact to point to
    assert outcomes[7][1] == "invalid"
    assert list(ledger.rows.merge_groups()) == []  # merged again: nothing left to merge
    ledger.rows.end_merge()
    # The first row failed: its merged rows failed with it, and go to the errors file beside it.
    ledger.rows.set_outcome(3, "failed", error="refused")
    ledger.rows.share_merged_outcomes()
    outcomes = {r[0]: r for r in ledger.rows.outcomes()}
    assert outcomes[6][1] == "failed" and outcomes[6][4] == "merged into row 3, which failed"
    assert outcomes[4][1] == "merged"


# Numbers and sources that collide in every way: the same number from two channels is two contacts; "34" and "034"
# are two numbers; an invalid row repeats nothing.
KEYS = st.tuples(st.sampled_from(["34", "034", "35", ""]), st.sampled_from(["whatsapp", "instagram"]))
SHEETS = st.lists(st.tuples(KEYS, st.sampled_from([PENDING, PENDING, "invalid"])), max_size=14)


def keyed_rows(sheet: list[tuple[tuple[str, str], str]]) -> list[NewRow]:
    rows = []
    for n, ((identifier, source), status) in enumerate(sheet, start=2):
        payload = f'{{"n": {n}}}' if status == PENDING else None
        rows.append((n, status, identifier, source, payload, "", "", "", f"cells {n}", ""))
    return rows


def repeats(sheet: list[tuple[tuple[str, str], str]]) -> dict[tuple[str, str], list[int]]:
    """The model: the pending rows of each number (and source) that more than one has, in row order."""
    groups: dict[tuple[str, str], list[int]] = {}
    for n, (key, status) in enumerate(sheet, start=2):
        if status == PENDING:
            groups.setdefault(key, []).append(n)
    return {key: rows for key, rows in groups.items() if len(rows) > 1}


class RowsWithoutJson(Rows):
    """Rows on an SQLite without its JSON functions (optional before 3.38): every pending row is grouped."""

    def _repeated(self, status: str = PENDING) -> str:
        self._db.execute("SELECT json_valid('[]')")  # they are there, but not used
        return _PENDING_ROWS.format(status=status)


@settings(max_examples=150, deadline=None)
@given(sheet=SHEETS, keep=st.sampled_from(["first", "last"]), json=st.booleans())
def test_duplicates_are_the_other_rows_of_a_repeated_number(
    sheet: list[tuple[tuple[str, str], str]], keep: str, json: bool
) -> None:
    want = {}
    for rows in repeats(sheet).values():
        kept = rows[0] if keep == "first" else rows[-1]
        want.update({n: f"same phone as row {kept}" for n in rows if n != kept})
    with tempfile.TemporaryDirectory() as tmp, Ledger.open(Path(tmp) / "state.db") as ledger:
        rows = ledger.rows if json else RowsWithoutJson(ledger.rows._db)
        rows.add(keyed_rows(sheet))
        rows.mark_duplicates(keep=keep)
        got = {r[0]: r[4] for r in rows.outcomes() if r[1] == "duplicate"}
        assert got == want
        assert {r.row for r in rows.pending()} == {n for n, (_, s) in enumerate(sheet, 2) if s == PENDING} - set(want)


@settings(max_examples=150, deadline=None)
@given(sheet=SHEETS, json=st.booleans())
def test_merge_groups_are_the_rows_of_a_repeated_number(sheet: list[tuple[tuple[str, str], str]], json: bool) -> None:
    want = sorted(repeats(sheet).values())  # group by group, by their first row
    with tempfile.TemporaryDirectory() as tmp, Ledger.open(Path(tmp) / "state.db") as ledger:
        rows = ledger.rows if json else RowsWithoutJson(ledger.rows._db)
        rows.add(keyed_rows(sheet))
        got = [[n for n, _, _ in group] for group in rows.merge_groups(page=3)]
        rows.end_merge()
        assert got == want
