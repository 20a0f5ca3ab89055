"""The table `rows`: this run's rows of the sheet, keyed by their row number, with each one's outcome and
original cells. The results file, the summary's groups and the rows to fix are all written from it, so the
sheet is read once. Rows are rebuilt from the file on every run; what was created lives on in `contacts`."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from importer.state._part import Part, transaction
from importer.state._result_lines import OUTCOME_COLUMNS, PAGE, Outcome, ToWrite, result_lines

PENDING = "pending"  # valid, to be sent
VALID = "valid"  # valid, and a dry run sends nothing (an offline one records its rows so at once)
MERGED = "merged"  # --duplicates merge: went into the contact of another row with the same number

# As the check stage hands rows over: plain tuples, since a million of them pass through here.
# (row, status, identifier, source, payload, uuid, href, error, cells, warning)
NewRow = tuple[int, str, str, str, str | None, str, str, str, str, str]

# The pending rows whose number another pending row has too, whatever its source (the callers group them exactly, by
# source and identifier). One sorted pass over the identifiers alone finds the repeated ones, each with its rows; only
# those rows (a few in most files) are then grouped by a window function, which no longer sorts every row.
_REPEATED = """SELECT r.row, r.source, r.identifier FROM (
        SELECT group_concat(row) AS numbers FROM rows WHERE status = '{status}' GROUP BY identifier HAVING COUNT(*) > 1
    ) AS g, json_each('[' || g.numbers || ']') AS j, rows AS r WHERE r.row = j.value"""
# The same without SQLite's JSON functions (built in since 3.38, optional before): every pending row.
_PENDING_ROWS = "SELECT row, source, identifier FROM rows WHERE status = '{status}'"


@dataclass(frozen=True)
class RowRecord:
    row: int
    status: str
    identifier: str = ""
    source: str = ""
    payload: str | None = None  # JSON, for rows to send
    uuid: str = ""
    href: str = ""
    error: str = ""
    cells: str = ""  # the original cells as one CSV line


class Rows(Part):
    # --- filled by the check stage ------------------------------------------------------------------------

    def reset(self) -> None:
        """Rows are rebuilt from the file on every run; what was created lives on in `contacts`."""
        self._db.execute("DELETE FROM rows")

    def add(self, rows: Iterable[NewRow]) -> None:
        """One chunk of the check stage, in one transaction and one executemany (no round trip per row)."""
        with transaction(self._db):
            self._db.executemany(
                "INSERT OR REPLACE INTO rows (row, status, identifier, source, payload, uuid, href, error, cells,"
                " warning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def set_phone_digits(self, digits: Iterable[tuple[int, str]]) -> None:
        """(row, digits) of invalid rows whose phone could not be read: the digits of their phone cells, so that
        --on-missing does not take their contacts for gone when only the key's format changed."""
        with transaction(self._db):
            self._db.executemany("UPDATE rows SET phone_digits = ? WHERE row = ?", ((d, r) for r, d in digits))

    def phone_digits(self) -> list[str]:
        """Every digit string set by set_phone_digits."""
        cursor = self._db.execute("SELECT phone_digits FROM rows WHERE phone_digits != ''")
        return [d for (cell,) in cursor for d in cell.split()]

    def mark_duplicates(
        self, keep: str = "first", text: str = "same phone as row {row}", status: str = PENDING
    ) -> None:
        """A number repeated in the file is sent once: the first row (or the last: `keep`) is sent, the others say
        which row that is (`text`, in the run's language, with {row} for the kept row's number). Among the rows
        with `status`: those to send (`valid` in an offline dry run, which records them so)."""
        kept = "MAX" if keep == "last" else "MIN"
        with transaction(self._db):
            self._db.execute(
                f"""UPDATE rows SET status = 'duplicate', payload = NULL, error = replace(?, '{{row}}', d.kept)
                FROM (
                    SELECT row, kept FROM (
                        SELECT row, {kept}(row) OVER (PARTITION BY source, identifier) AS kept
                        FROM ({self._repeated(status)}))
                    WHERE row != kept) AS d
                WHERE rows.row = d.row""",
                (text,),
            )

    def _repeated(self, status: str = PENDING) -> str:
        """SQL for the rows with `status` that may share their number with another (_REPEATED, or every such row)."""
        if status not in (PENDING, VALID):  # formatted into the SQL: one of two known words, never input
            raise ValueError(f"not a status to send: {status!r}")
        try:
            self._db.execute("SELECT json_valid('[]')")
        except sqlite3.OperationalError:
            return _PENDING_ROWS.format(status=status)
        return _REPEATED.format(status=status)

    # --- --duplicates merge ----------------------------------------------------------------------------------
    # The rows to merge are found by the state file, not in memory: the repeated numbers' rows (_REPEATED, as for
    # duplicates), grouped by a window function, go to a temporary table, each with its group's first row; the
    # groups are then read back one page at a time, merged by the caller and written back. Memory holds one page
    # and one group, whatever the size of the file (the rows' payloads are already in the state file: no second
    # read of the input). Rows are rebuilt on every run, so a resumed run merges the same groups into the same
    # payloads: the merged contact is one `contacts` entry, keyed by its number like any.

    def merge_groups(self, page: int = 2000) -> Iterator[list[tuple[int, str, str]]]:
        """The pending rows sharing a number, group by group, each group's (row, payload, warning) in row order;
        the first row of a group is the one to send. Close with `end_merge` (after `merged_payloads`)."""
        with transaction(self._db):
            self._db.execute("DROP TABLE IF EXISTS temp.merging")
            self._db.execute("CREATE TEMP TABLE merging (row INTEGER PRIMARY KEY, first INTEGER NOT NULL)")
            self._db.execute(
                f"""INSERT INTO temp.merging SELECT row, first FROM (
                    SELECT row, MIN(row) OVER same AS first, COUNT(*) OVER same AS n
                    FROM ({self._repeated()}) WINDOW same AS (PARTITION BY source, identifier))
                WHERE n > 1"""
            )
            self._db.execute("CREATE INDEX temp.merging_groups ON merging (first, row)")
        after: tuple[int, int] = (0, 0)
        group: list[tuple[int, str, str]] = []
        first = 0
        while True:
            # Pages by key, fetched whole: no cursor stays open over `rows` while the caller writes to it.
            batch = self._db.execute(
                "SELECT m.first, r.row, r.payload, r.warning FROM temp.merging m JOIN rows r ON r.row = m.row "
                "WHERE (m.first, m.row) > (?, ?) ORDER BY m.first, m.row LIMIT ?",
                (*after, page),
            ).fetchall()
            if not batch:
                break
            for group_first, row, payload, warning in batch:
                if group and group_first != first:
                    yield group
                    group = []
                first = group_first
                group.append((int(row), str(payload or ""), str(warning)))
            after = (int(batch[-1][0]), int(batch[-1][1]))
        if group:
            yield group

    def merged_payloads(self, sent: Iterable[tuple[str, str, int]]) -> None:
        """(payload, warning, row) of the rows sent for their group: the merged payload, and what the merge says."""
        with transaction(self._db):
            self._db.executemany("UPDATE rows SET payload = ?, warning = ? WHERE row = ?", sent)

    def end_merge(self, text: str = "merged into row {row}") -> None:
        """Every row of a group but the first ends `merged`, pointing to the first (its uuid comes with
        `share_merged_outcomes`, once the first is sent); its warning says so (`text`, in the run's language, with
        {row} for the first row's number)."""
        with transaction(self._db):
            self._db.execute(
                f"""UPDATE rows SET status = '{MERGED}', payload = NULL, merged_into = m.first,
                    warning = replace(?, '{{row}}', m.first)
                        || CASE WHEN warning = '' THEN '' ELSE '; ' || warning END
                FROM temp.merging m WHERE rows.row = m.row AND m.row != m.first""",
                (text,),
            )
            self._db.execute("DROP TABLE temp.merging")

    def share_merged_outcomes(self, text: str = "merged into row {row}, which failed") -> None:
        """A merged row gets the uuid and link of the contact it went into: its first row's, as sent. When that
        row failed, the merged rows failed with it: they go to the errors file beside it, so that importing that
        file again (with --duplicates merge) sends the whole group, not the first row's values alone. Their error
        is `text` (in the run's language, with {row} for the failed row's number)."""
        self._db.execute(
            f"""UPDATE rows SET uuid = t.uuid, href = t.href,
                status = CASE WHEN t.status = 'failed' THEN 'failed' ELSE rows.status END,
                error = CASE WHEN t.status = 'failed' THEN replace(?, '{{row}}', t.row) ELSE rows.error END
            FROM rows AS t WHERE rows.status = '{MERGED}' AND t.row = rows.merged_into""",
            (text,),
        )

    # --- the rows to send, and their outcomes -------------------------------------------------------------

    def pending(self) -> Iterator[RowRecord]:
        cursor = self._db.execute(
            "SELECT row, status, identifier, source, payload FROM rows WHERE status = ? ORDER BY row", (PENDING,)
        )
        for row, status, identifier, source, payload in cursor:
            yield RowRecord(row, status, identifier, source, payload)

    def pending_after(self, after: int, limit: int) -> list[RowRecord]:
        """Up to `limit` pending rows after row `after`, in row order. The sender takes them in batches by row
        number: it never iterates a cursor over rows that are being updated meanwhile."""
        batch = self._db.execute(
            "SELECT row, status, identifier, source, payload FROM rows WHERE status = ? AND row > ? "
            "ORDER BY row LIMIT ?",
            (PENDING, after, limit),
        ).fetchall()
        return [RowRecord(*values) for values in batch]

    def count_pending(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM rows WHERE status = ?", (PENDING,)).fetchone()[0])

    def set_outcome(self, row: int, status: str, *, uuid: str = "", href: str = "", error: str = "") -> None:
        self._db.execute(
            "UPDATE rows SET status = ?, uuid = ?, href = ?, error = ? WHERE row = ?", (status, uuid, href, error, row)
        )

    def set_outcomes(self, outcomes: list[tuple[str, str, str, int]]) -> None:
        """(status, uuid, href, row) for many rows at once."""
        with transaction(self._db):
            self._db.executemany("UPDATE rows SET status = ?, uuid = ?, href = ?, error = '' WHERE row = ?", outcomes)

    def add_warning(self, row: int, warning: str) -> None:
        """A note on a row after it was sent (e.g. the --on-missing tag removed from its contact, which came back)."""
        self._db.execute(
            "UPDATE rows SET warning = CASE WHEN warning = '' THEN ? ELSE warning || '; ' || ? END WHERE row = ?",
            (warning, warning, row),
        )

    def explain_pending(self, why: str) -> None:
        """Why the rows still pending were not sent (a signal, the API gone): their error in the results."""
        self._db.execute("UPDATE rows SET error = ? WHERE status = ?", (why, PENDING))

    def pending_to_valid(self) -> None:
        """A dry run sends nothing: its rows to send are reported valid."""
        self._db.execute("UPDATE rows SET status = ? WHERE status = ?", (VALID, PENDING))

    # --- read for the results, the summary and the report ------------------------------------------------

    def outcomes(self) -> Iterator[Outcome]:
        """(row, status, uuid, identifier, error, href, cells, warning) in row order, as the results file wants."""
        return self._db.execute(f"SELECT {OUTCOME_COLUMNS} FROM rows ORDER BY row")

    def result_lines(self, errors: Collection[str], page: int | None = None) -> Iterator[bytes | ToWrite]:
        """The results file's rows in row order, nearly all as ready CSV lines (bytes, up to `page` rows at a time);
        the rest, and the rows with one of the `errors` statuses, for the caller (importer.state._result_lines)."""
        return result_lines(self._db, errors, page or PAGE)

    def groups(self, status: str, limit: int = 5) -> Iterator[tuple[str, int, list[int]]]:
        """(error, rows, first row numbers) of the rows with `status`, grouped by their error text."""
        cursor = self._db.execute(
            "SELECT error, COUNT(*), MIN(row) FROM rows WHERE status = ? GROUP BY error ORDER BY COUNT(*) DESC",
            (status,),
        )
        for error, count, _ in cursor.fetchall():
            first = [
                r[0]
                for r in self._db.execute(
                    "SELECT row FROM rows WHERE status = ? AND error = ? ORDER BY row LIMIT ?", (status, error, limit)
                )
            ]
            yield str(error), int(count), first

    def first_rows(self, status: str, limit: int = 5) -> list[int]:
        """The first `limit` row numbers with `status`, in row order."""
        cursor = self._db.execute("SELECT row FROM rows WHERE status = ? ORDER BY row LIMIT ?", (status, limit))
        return [int(row) for (row,) in cursor]

    def to_fix(self, limit: int) -> list[tuple[int, str, str]]:
        """(row, status, error) of the first `limit` invalid or failed rows, in row order."""
        cursor = self._db.execute(
            "SELECT row, status, error FROM rows WHERE status IN ('invalid', 'failed') ORDER BY row LIMIT ?", (limit,)
        )
        return [(int(row), str(status), str(error)) for row, status, error in cursor]

    def count_status(self, rows: Collection[int], status: str) -> int:
        """How many of `rows` (row numbers) have `status` now."""
        chunk = 500  # under SQLite's limit on bound variables
        ordered = sorted(rows)
        total = 0
        for start in range(0, len(ordered), chunk):
            part = ordered[start : start + chunk]
            marks = ", ".join("?" * len(part))
            query = f"SELECT COUNT(*) FROM rows WHERE status = ? AND row IN ({marks})"
            total += int(self._db.execute(query, (status, *part)).fetchone()[0])
        return total

    def status_counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT status, COUNT(*) FROM rows GROUP BY status").fetchall())
