"""importer/state/_result_lines.py: the results file's lines as SQLite builds them are the writer's own lines, byte
for byte, whatever the values hold (commas, quotes, line breaks, formula starts, quotes before them, NUL, accents);
the rows that need the writer's care come back to it in their place, and the rows to fix reach the errors file."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from importer.results.writer import ERROR_STATUSES, CsvLine, ResultsWriter
from importer.state.ledger import Ledger
from importer.state.rows import PAGE, NewRow

CHARACTERS = ["a", "é", "日", " ", ",", '"', "\n", "\r", "'", "=", "+", "-", "@", "\t", "1", "0", "\0"]
TEXT = st.text(alphabet=st.sampled_from(CHARACTERS), max_size=4)
# Identifiers as phones give them (digits, +digits with --phone-format e164), and as other channels' handles.
IDENTIFIERS = st.one_of(TEXT, st.from_regex(r"[+\-']?[0-9]{1,20}", fullmatch=True))
STATUSES = ("valid", "invalid", "duplicate", "pending", "created", "failed", "merged", "skipped")
HEADERS = ("Name", "Phone", "Error")  # "Error": the errors file refreshes that column instead of adding one


def new_row(number: int, status: str, identifier: str, texts: tuple[str, str, str, str], cells: str) -> NewRow:
    uuid, href, error, warning = texts
    return (number, status, identifier, "whatsapp", None, uuid, href, error, cells, warning)


@st.composite
def sheets(draw: st.DrawFn) -> tuple[list[str], list[NewRow]]:
    width = draw(st.integers(0, len(HEADERS)))
    numbers = draw(st.lists(st.integers(2, 10**6), unique=True, max_size=10))
    line = CsvLine()
    rows = []
    for number in numbers:
        values = draw(st.lists(TEXT, min_size=width, max_size=width + 1))  # a cell beyond the header, at times
        texts = (draw(TEXT), draw(TEXT), draw(TEXT), draw(TEXT))
        # As the check stage keeps them: one CSV line, each cell made inert (no cells at all: "").
        rows.append(new_row(number, draw(st.sampled_from(STATUSES)), draw(IDENTIFIERS), texts, line.format(values)))
    return list(HEADERS[:width]), rows


def written(headers: list[str], rows: list[NewRow], page: int | None) -> tuple[bytes, bytes]:
    """The results and errors files: row by row through `write` (page None), or by `write_rows`."""
    with tempfile.TemporaryDirectory() as tmp, Ledger.open(Path(tmp) / "state.db") as ledger:
        ledger.rows.add(rows)
        results, errors = Path(tmp) / "r.csv", Path(tmp) / "r.errors.csv"
        with ResultsWriter(results, errors, headers) as writer:
            if page is None:
                for outcome in ledger.rows.outcomes():
                    writer.write(*outcome)
            else:
                writer.write_rows(ledger, page)
        return results.read_bytes(), errors.read_bytes()


@settings(max_examples=200, deadline=None)
@given(sheet=sheets(), page=st.sampled_from([1, 2, 3, PAGE]))
@example(
    sheet=(
        ["Name", "Phone"],
        [
            new_row(2, "valid", "+34600112233", ("", "", "", ""), "Ana,'+34 600 11 22 33"),
            new_row(3, "valid", "-34", ("", "", "", ""), "'-1,2"),
            new_row(4, "invalid", "", ("", "", "Phone: '12': too short, for ES", ""), "Bea,12"),
            new_row(5, "created", "0034", ("u5", "https://x/5", "", "'=1"), ""),
            new_row(7, "valid", "34\0", ("", "", "", ""), 'a\0b,"x\r\ny"'),
            new_row(8, "valid", "34600112234", ("", "", "", "tag 'VIP' dropped"), "Carla,600112234"),
        ],
    ),
    page=2,
)
def test_ready_lines_are_the_writers_lines(sheet: tuple[list[str], list[NewRow]], page: int) -> None:
    headers, rows = sheet
    assert written(headers, rows, page) == written(headers, rows, None)


def test_long_cells_are_the_writers_too() -> None:
    # Beyond 16 KiB a row goes to the writer (a page of ready lines stays small); the file is the same.
    long_cells = CsvLine().format(["x" * 20_000, "600112233"])
    rows = [new_row(n, "valid", f"3460011223{n}", ("", "", "", ""), long_cells if n == 3 else "a,1") for n in (2, 3, 4)]
    assert written(["Name", "Phone"], rows, PAGE) == written(["Name", "Phone"], rows, None)


def line(n: int) -> bytes:
    return f"{n},valid,,3460000000{n},,,,c{n}\r\n".encode()


def test_ready_lines_come_in_pages_around_the_rows_for_the_writer(ledger: Ledger) -> None:
    plain, hostile = ("", "", "", ""), ("", "", "a, b", "")
    ledger.rows.add(
        [new_row(n, "valid", f"3460000000{n}", hostile if n == 5 else plain, f"c{n}") for n in range(2, 9)]
        + [new_row(9, "invalid", "", ("", "", "no phone", ""), "c9")]
    )
    items = list(ledger.rows.result_lines(ERROR_STATUSES, page=2))
    assert items[:2] == [line(2) + line(3), line(4)]
    assert (items[2].outcome[0], items[2].line) == (5, True)  # its error holds a comma: the writer quotes it
    # A row to fix whose results line is a ready one: only its errors file row is left to write, given as soon as it
    # is found (the errors file has its own order), ahead of the ready lines before it.
    assert (items[3].outcome[0], items[3].line) == (9, False)
    assert items[4:] == [line(6) + line(7), line(8) + b"9,invalid,,,no phone,,,c9\r\n"]
