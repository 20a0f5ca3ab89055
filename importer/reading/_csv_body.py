"""The records of a CSV below its header: the line filter the csv module reads them through, and the rows handed
out, as SourceRows or as the lines they were read from (TextRows, which a worker process splits again).

Private to importer.reading: importer.reading.csv_reader reads with it.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from importer.reading.table import SourceRow, source_rows

FIELD_SIZE_LIMIT = 16 * 1024 * 1024  # one cell; the csv module's default (128 KiB) is too small for notes
# Bytes that could not be decoded come through `surrogateescape` as U+DC80..U+DCFF: finding one tells which
# row is not in the file's encoding, exactly, without slowing the common (valid) path.
_ESCAPED = re.compile("[\udc80-\udcff]")


class LineState:
    """What the line filter saw in the record being parsed (the csv reader pulls lines one record at a time)."""

    __slots__ = ("flag", "nul", "bad_line", "quotes", "records", "lines")

    def __init__(self) -> None:
        self.flag = False  # something below is set: one check on the common path
        self.nul = False
        self.bad_line: str | None = None
        self.quotes = 0  # '"' characters seen so far: a record's count tells whether its quotes pair up
        self.records = 0  # records read so far, the header and blank ones included (for progress)
        self.lines: list[str] = []  # the lines read since the reader last took them (see CsvBody)


def clean_lines(lines: Iterable[str], state: LineState, check_escapes: bool) -> Iterator[str]:
    # The csv module (3.11) refuses a line with NUL ("line contains NUL") and loses the row: strip them.
    keep = state.lines.append
    for line in lines:
        if "\x00" in line:
            line = line.replace("\x00", "")
            state.nul = state.flag = True
        if check_escapes and not line.isascii() and _ESCAPED.search(line):
            state.bad_line = line
            state.flag = True
        if '"' in line:
            state.quotes += line.count('"')
        keep(line)
        yield line


class CsvBody:
    """The records below the header, read once by the csv module here (row numbers, every error and note), then
    handed out as SourceRows (`rows`) or as the lines they were read from (`text_batches`: TextRows, split again by
    the worker process that checks them, so that this process neither builds nor sends each row's cells)."""

    def __init__(
        self, ahead: list[tuple[int, list[str]]], records: Iterator[tuple[int, list[str]]], width: int, delim: str,
        state: LineState,
    ) -> None:  # fmt: skip
        self.ahead = deque(ahead)  # read while looking for the header: already split
        self.records, self.width, self.delim, self.state = records, width, delim, state
        state.lines.clear()  # the header's and `ahead`'s lines

    def rows(self) -> Iterator[SourceRow]:
        while self.ahead:
            yield from source_rows([self.ahead.popleft()], self.width)
        lines = self.state.lines
        for row in source_rows(self.records, self.width):
            yield row
            lines.clear()  # the record's lines are only wanted by text_batches

    def text_batches(self, size: int) -> Iterator[list[SourceRow] | TextRows]:
        """Whole records, `size` non-blank ones per batch (the last may hold fewer): the lines read since the
        last row handed out, cut right after a record. The csv module splits them into the same records again.
        Rows read ahead while looking for the header, if still there, come first, as SourceRows."""
        if self.ahead:
            yield list(source_rows(self.ahead, self.width))
            self.ahead.clear()
        lines = self.state.lines
        lines.clear()  # those of the rows already handed out
        first, count = self.state.records + 1, 0
        for number, _ in self.records:
            count += 1
            if count == size:
                yield TextRows(first, "".join(lines), self.delim, self.width, count)
                lines.clear()
                first, count = number + 1, 0
        if count:
            yield TextRows(first, "".join(lines), self.delim, self.width, count)
        lines.clear()


@dataclass(frozen=True, slots=True)
class TextRows:
    """CSV records as the lines they were read from (a TextBatch): a few strings to send to a worker process instead
    of a tuple of cells per row. `rows` gives the SourceRows the reading process read from the same lines."""

    first: int  # the row number of the first line's record
    text: str  # the lines, joined, their line ends kept (NUL bytes already removed)
    delimiter: str
    width: int  # the header's
    count: int  # the non-blank records among them

    def rows(self) -> list[SourceRow]:
        if csv.field_size_limit() < FIELD_SIZE_LIMIT:  # a spawned worker starts with the default
            csv.field_size_limit(FIELD_SIZE_LIMIT)
        # StringIO with newline="" splits lines as the file did (at \r, \n and \r\n, nothing else).
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)
        out: list[SourceRow] = []
        keep, width, new = out.append, self.width, tuple.__new__
        # One loop for the common row (as wide as the header, its first cell not blank); blank records counted and
        # skipped, ragged ones padded or cut by source_rows, as _csv_records and source_rows do in the reader.
        for number, cells in enumerate(reader, self.first):
            if not (cells and (head := cells[0]) and not head[0].isspace()):
                joined = "".join(cells)
                if not joined or joined.isspace():
                    continue
            if len(cells) == width:
                keep(new(SourceRow, (number, tuple(cells), ())))
            else:
                out.extend(source_rows([(number, cells)], width))
        return out
