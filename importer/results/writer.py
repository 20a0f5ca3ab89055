"""The results file (one row per input row, keyed by its row number) and the errors file to fix and re-import.

Both are written as they go (CSV, or XLSX in openpyxl's streaming mode), to a temporary name renamed at the
end, so memory stays flat and a crash never leaves half a file behind a finished-looking name.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from importer.errors import ConfigError
from importer.i18n.message import N_
from importer.mapping.headers import is_error_column
from importer.reading.cells import MAY_NEED_QUOTE, neutralize, unneutralize
from importer.state.ledger import Ledger

RESULT_COLUMNS = ("row", "status", "uuid", "identifier", "error", "warning", "href")
# Statuses that mean the row did not reach the account and a person should fix it.
ERROR_STATUSES = frozenset({"invalid", "failed"})
# What CsvLine changes (neutralize), or what the csv module would quote.
_NEEDS_CSV_CARE = re.compile(r'^\'*[=+\-@\t\r]|[",\r\n]')
# The same, for values joined by commas none of them holds; and what the csv module quotes.
_HEAD_CARE = re.compile(r'(?:^|,)\'*[=+\-@\t\r]|["\r\n]')
# CsvLine's fast lane: each cell after _SEP (a control character cells do not hold: counted), and where neutralize
# adds its quote at the start of a cell. The pattern starts with the separator, a literal the regex engine skips
# ahead to: several times faster than an alternation with "^" (and re.sub with a template, slower still, is avoided).
_SEP = "\x1f"
_QUOTED = re.compile('["\r\n]')
_FORMULA_AT_CELL = re.compile("\x1f(?='*[=+\\-@\t\r])")


RESULTS_SUFFIXES = (".csv", ".xlsx")


def results_path(source: Path, output: Path | None) -> Path:
    """Where the results of importing `source` go: `output`, or `<source stem>.results.csv` in the directory
    `output` names, or beside `source` without one. Decided before any work: a name that is neither .csv nor
    .xlsx is a ConfigError, not a CSV written under another extension."""
    default = f"{source.stem}.results.csv"
    if output is None:
        return source.with_name(default)
    if output.is_dir():
        return output / default
    if output.suffix.lower() not in RESULTS_SUFFIXES:
        kind = N_("a {suffix} name", suffix=output.suffix) if output.suffix else N_("a name without an extension")
        raise ConfigError(
            N_(
                "results file {path!r}: {kind}; give a .csv or .xlsx file (or an existing directory)",
                path=str(output),
                kind=kind,
            )
        )
    return output


class CsvLine:
    """Formats one row as a CSV line (neutralized), with the csv module's quoting, without the line end."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        # The real terminator, stripped after: the csv module only quotes a line break that is in its
        # terminator, so with "" a cell holding one would break the row in two.
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def format(self, values: Sequence[str]) -> str:
        # Most rows: the cells joined with a separator no cell holds, made inert where each starts (neutralize) in
        # one pass over the line; the cells that hold a comma (an address, a list of tags) put in quotes.
        joined = _SEP.join(values)
        if len(values) > 1 and joined.count(_SEP) == len(values) - 1 and not _QUOTED.search(joined):
            line = _FORMULA_AT_CELL.sub("\x1f'", _SEP + joined)[1:]
            if "," not in line:
                return line.replace(_SEP, ",")
            return ",".join([f'"{cell}"' if "," in cell else cell for cell in line.split(_SEP)])
        # The first-character test inline: this runs for every cell of every row.
        cells = [neutralize(v) if v[:1] in MAY_NEED_QUOTE else v for v in values]
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        return self._buffer.getvalue()[:-2]


def parse_line(line: str) -> list[str]:
    return next(csv.reader([line]), []) if line else []


class _Sheet(Protocol):
    def append(self, values: Sequence[str], cells: str) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


class _CsvSheet:
    def __init__(self, path: Path) -> None:
        self.path, self.tmp = path, path.with_name(path.name + ".tmp")
        # Bytes: lines come ready from the state file too (write_lines). UTF-8 with a BOM: Excel opens it with
        # accents intact.
        self.fh = self.tmp.open("wb")
        self.fh.write(codecs.BOM_UTF8)
        self.line = CsvLine()

    def append(self, values: Sequence[str], cells: str) -> None:
        # `cells` is already a formatted CSV line (made where the row was checked): no need to split it again.
        # The leading columns rarely need quoting; join them directly when they do not.
        head = ",".join(values)
        # One look at the joined line when no value holds a comma (each value then starts the line or follows one).
        if head.count(",") != len(values) - 1 or _HEAD_CARE.search(head):
            for value in values:  # a loop, not any(): this runs once per row of the sheet
                if value and _NEEDS_CSV_CARE.search(value):
                    head = self.line.format(values)
                    break
        self.fh.write((f"{head},{cells}\r\n" if head and cells else f"{head or cells}\r\n").encode())

    def write_lines(self, lines: bytes) -> None:
        """Lines formatted as `append` would (importer.state.rows.Rows.result_lines), UTF-8, each ending CRLF."""
        self.fh.write(lines)

    def finish(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


class _XlsxSheet:
    def __init__(self, path: Path) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ERROR_CODES

        self.write_only_cell = WriteOnlyCell
        # Text openpyxl would write as an error cell (which reads back empty) unless told it is text.
        self.error_codes = frozenset(ERROR_CODES)
        self.path, self.tmp = path, path.with_name(path.name + ".tmp")
        self.book: Any = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("Results")

    def append(self, values: Sequence[str], cells: str) -> None:
        # Every value is written as a string cell: Excel shows it as text and never evaluates it.
        self.sheet.append([self._cell(v) for v in (*values, *(unneutralize(c) for c in parse_line(cells)))])

    def _cell(self, value: str) -> Any:
        """A plain string, or a text cell marked with the quote-prefix style when it looks like a formula."""
        text = _xlsx_text(value)
        if value[:1] not in MAY_NEED_QUOTE and text not in self.error_codes:
            return text
        cell = self.write_only_cell(self.sheet, text)
        # openpyxl infers a formula from "=" and an error cell from "#N/A": text is what was read.
        cell.data_type = "s"
        # Excel's own mark for text that would read as a formula (what typing '+34… makes): shown without the
        # quote, kept as text when edited. An apostrophe inside the value would be shown, and copied.
        cell.quotePrefix = value[:1] in MAY_NEED_QUOTE
        return cell

    def finish(self) -> None:
        with self.tmp.open("wb") as fh:
            self.book.save(fh)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.tmp.unlink(missing_ok=True)


# Text in xlsx XML as Excel writes it (ECMA-376 ST_Xstring): a character XML cannot hold, and CR (an XML reader
# turns it into LF), as _xHHHH_; and the "_" of text that reads as such an escape as _x005F_. openpyxl writes text
# as it is, and Excel and python-calamine decode every _xHHHH_ they read: "_x0041_" would come back as "A".
_XLSX_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f]")


def _xlsx_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def _xlsx_text(value: str) -> str:
    """The cell's text: the value itself (the quote-prefix style, not a quote, keeps a formula-like one inert),
    except that a value already starting with quotes before a formula character gets one more, as in CSV, since
    the importer drops one such quote when it reads a cell (the errors file must read back as written)."""
    if value[:1] == "'":
        value = neutralize(value)
    return _XLSX_ESCAPE.sub(_xlsx_escape, value)


def _open_sheet(path: Path) -> _Sheet:
    path.parent.mkdir(parents=True, exist_ok=True)
    return _XlsxSheet(path) if path.suffix.lower() == ".xlsx" else _CsvSheet(path)


class ResultsWriter:
    """Writes the results file and, beside it, the errors file (original columns plus `error`)."""

    def __init__(self, results_path: Path, errors_path: Path, headers: Sequence[str]) -> None:
        self.headers = list(headers)
        self.error_rows = 0
        # Re-importing an errors file: refresh its `error` column instead of adding a second one.
        self._error_at = next((i for i, h in enumerate(headers) if is_error_column(h)), None)
        self._results = _open_sheet(results_path)
        self._errors = _open_sheet(errors_path)
        self._results.append(RESULT_COLUMNS, CsvLine().format(self.headers))
        self._errors.append(self.headers if self._error_at is not None else [*self.headers, "error"], "")

    def write(
        self, row: int, status: str, uuid: str, identifier: str, error: str, href: str, cells: str, warning: str = ""
    ) -> None:
        """One row's outcome (and its errors file row, for a row to fix); `cells` is its original cells as one CSV
        line."""
        self._results.append((str(row), status, uuid, identifier, error, warning, href), cells)
        if status in ERROR_STATUSES:
            self._write_error(error, cells)

    def write_rows(self, ledger: Ledger, page: int | None = None) -> None:
        """Every row of the ledger, in row order, as `write` writes each. To a CSV file nearly every row comes as a
        ready line from the state file, a page at a time (`page` rows; row by row, that was most of the end of a big
        run); the rest, and the rows to fix, one by one."""
        if not isinstance(self._results, _CsvSheet):
            for outcome in ledger.rows.outcomes():
                self.write(*outcome)
            return
        for item in ledger.rows.result_lines(ERROR_STATUSES, page):
            if isinstance(item, bytes):
                self._results.write_lines(item)
            elif item.line:
                self.write(*item.outcome)
            else:  # its results line was among the ready ones
                _, _, _, _, error, _, cells, _ = item.outcome
                self._write_error(error, cells)

    def _write_error(self, error: str, cells: str) -> None:
        # The errors file is imported again as it is: it holds each cell as the importer read it (a quote before
        # a formula character undone, as validation does), so the next import reads the same values and writes
        # the same file, instead of a cell gaining a quote on each round. (`cells` holds neutralize(cell).)
        read = [unneutralize(unneutralize(c)) if c[:1] == "'" else c for c in parse_line(cells)]
        width = len(self.headers)
        values = read[:width] + [""] * (width - len(read))
        if self._error_at is not None:
            values[self._error_at] = error
        else:
            values.append(error)
        # Cells beyond the header go after the error column, so importing the file again still reports them.
        values += read[width:]
        self._errors.append(values, "")
        self.error_rows += 1

    def write_removal(self, status: str, uuid: str, identifier: str, error: str, href: str, warning: str = "") -> None:
        """A contact --on-missing removed: a results row with no row number and empty input cells (it is in no
        row of the file), never in the errors file (there is nothing to fix and import again)."""
        cells = '""' + "," * (len(self.headers) - 1) if self.headers else ""  # as many (empty) cells as headers
        self._results.append(("", status, uuid, identifier, error, warning, href), cells)

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self._results.finish()
            self._errors.finish()
        else:
            self._results.abort()
            self._errors.abort()
