"""A CSV's rows handed out as text (Table.batches: TextRows, split again by a worker process) are the rows that
Table.rows gives, with the same numbers, errors and notes, however the file is written and cut."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importer.errors import InputError
from importer.reading.files import SourceRow, open_table

# Pieces of messy CSV text: quotes opened and closed (or not), doubled, stray; delimiters; every line end; blank
# and whitespace lines; NUL bytes; accents; formula starts.
PIECES = ["a", "Ana", " ", ",", '"', '""', '"x, y"', '"multi\nline"', "\n", "\r\n", "\r", "\x00", "é", "=1", "'", "\t"]
text = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def read_rows(path: Path, sample: int | None) -> tuple[list[SourceRow], list[str], str | None]:
    table = open_table(path)
    try:
        if sample is not None:
            table.sample(sample)
        rows = list(table.rows)
    except InputError as exc:
        return [], [], str(exc)
    return rows, [str(n) for n in table.notes], None


def read_batches(path: Path, sample: int | None, size: int) -> tuple[list[SourceRow], list[str], str | None]:
    table = open_table(path)
    rows: list[SourceRow] = []
    try:
        if sample is not None:
            table.sample(sample)
        for batch in table.batches(size):
            if isinstance(batch, list):
                rows += batch
            else:
                shipped = pickle.loads(pickle.dumps(batch))  # as it travels to a worker process
                split = shipped.rows()
                assert len(split) == batch.count
                rows += split
    except InputError as exc:
        return [], [], str(exc)
    return rows, [str(n) for n in table.notes], None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=text,
    size=st.integers(1, 5),
    sample=st.none() | st.integers(0, 4),
    ending=st.sampled_from(["", "\n", "\r\n"]),
)
def test_text_batches_give_the_rows_that_rows_gives(
    tmp_path: Path, body: str, size: int, sample: int | None, ending: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(("Name,Phone,Note\n" + body + ending).encode("utf-8", "surrogatepass"))
    assert read_batches(path, sample, size) == read_rows(path, sample)


def test_a_big_file_goes_as_text_in_batches_of_whole_records(tmp_path: Path) -> None:
    lines = [f'Person {i},+34 6{i:08d},"note {i}, with a comma"' for i in range(1, 40)]
    lines[9] = 'Multi,612,"two\nlines"'
    lines[20] = ""  # a blank row: counted, not handed out
    path = tmp_path / "x.csv"
    path.write_text("Name,Phone,Note\n" + "\n".join(lines) + "\n", encoding="utf-8")
    table = open_table(path)
    table.sample(3)
    batches = list(table.batches(10))
    assert isinstance(batches[0], list) and len(batches[0]) == 3  # read ahead for the mapping: already rows
    texts = batches[1:]
    assert [b.count for b in texts] == [10, 10, 10, 5]  # type: ignore[union-attr]
    rows = batches[0] + [r for b in texts for r in b.rows()]  # type: ignore[union-attr]
    assert [r.number for r in rows] == [n for n in range(2, 41) if n != 22]
    assert rows[9] == SourceRow(11, ("Multi", "612", "two\nlines"))
    # A batch starts where a record starts: the one after the two-line record holds no part of it.
    assert texts[0].text.startswith("Person 4,")  # type: ignore[union-attr]


def test_an_unclosed_quote_is_reported_as_when_reading_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('Name,Phone\nAna,612\nLuis,"699\nEva,600\nJo,611\n', encoding="utf-8")
    with pytest.raises(InputError, match="row 3: a quote opened on this row is never closed"):
        list(open_table(path).batches(1))
