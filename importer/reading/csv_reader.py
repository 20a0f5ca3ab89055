"""Read CSV text, streamed record by record: the encoding and the delimiter are guessed from the first bytes.

The encoding comes from a BOM, from the zero bytes of UTF-16 without one, or from whether the bytes are UTF-8
(else cp1252, else latin-1); the delimiter is the one of `, ; tab |` that splits the sample most evenly, or
Excel's "sep=" line. The csv module reads the records through a line filter that removes NUL bytes and spots
the exact row whose bytes are not in the encoding, so an error names that row instead of a chunk of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from importer.errors import InputError, capped
from importer.i18n.message import N_, NP_, Text
from importer.reading._csv_body import FIELD_SIZE_LIMIT, CsvBody, LineState, clean_lines
from importer.reading.table import SNIFF_BYTES, HeaderScore, Table, short_error, split_header

DELIMITERS = (",", ";", "\t", "|")
_ASCII_SCAN_LIMIT = 64 * 1024 * 1024  # how far to look for the first non-ASCII byte when guessing the encoding
_LONG_RECORD_LINES = 100  # a record this many lines long is reported: likely a quote that is never closed
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# A well-formed UTF-8 multi-byte character. cp1252 text almost never holds one (it would read "Ã©", "Ã±"):
# finding one in bytes that are not all UTF-8 means the file mixes encodings.
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_CONTROL = re.compile("[\x01-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")  # not \t \n \r \f, NUL or DOS's EOF (^Z)
_SEP_LINE = re.compile(r"sep=(.)$", re.IGNORECASE)  # Excel's "sep=;" first line
_DELIMITER_NAMES: dict[str, Text] = {"\t": N_("tab"), ",": "','", ";": "';'", "|": "'|'"}
_DELIMITER_ALIASES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_ENCODING_LABELS = {"utf-8-sig": "utf-8 (BOM)", "utf-16": "utf-16 (BOM)", "utf-32": "utf-32 (BOM)"}


def detect_encoding(head: bytes, path: Path | None = None) -> str:
    """Guess a CSV's codec from its first bytes (and, for a file that starts all ASCII, its first non-ASCII ones)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"  # checked before UTF-16: the UTF-32 LE BOM starts with the UTF-16 LE one
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode Text"; the codec reads the BOM to pick the byte order
    sample = head[:4096]
    # UTF-16 without a BOM: ASCII text leaves every other byte zero (stray NULs in UTF-8 text do not).
    if len(sample) >= 4:
        even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
        if odd_zeros > len(sample) // 4 and even_zeros == 0:
            return "utf-16-le"
        if even_zeros > len(sample) // 4 and odd_zeros == 0:
            return "utf-16-be"
    evidence = head
    if head.isascii() and path is not None and len(head) == SNIFF_BYTES:
        evidence = _first_non_ascii(path, len(head))
    try:
        # Not final: a multi-byte character cut at the end of the sample is still UTF-8.
        codecs.getincrementaldecoder("utf-8")().decode(evidence, final=False)
    except UnicodeDecodeError:
        if _UTF8_CHAR.search(evidence):
            # UTF-8 rows with accents and some rows that are not UTF-8 (one pasted from a cp1252 file): read as
            # cp1252, every accent of the UTF-8 rows would silently become "Ã©". Read as UTF-8 instead, so the
            # reader stops at the first row that is not, naming it.
            return "utf-8"
        # cp1252 (Excel's "CSV" on Windows) leaves five bytes undefined; latin-1 decodes anything.
        return "latin-1" if _CP1252_UNDEFINED.search(evidence) else "cp1252"
    return "utf-8"


def _first_non_ascii(path: Path, start: int) -> bytes:
    """The first chunk after `start` that is not pure ASCII (b"" if none): the evidence for UTF-8 or not."""
    with path.open("rb") as fh:
        fh.seek(start)
        while start < _ASCII_SCAN_LIMIT and (chunk := fh.read(1024 * 1024)):
            if not chunk.isascii():
                return chunk
            start += len(chunk)
    return b""


def detect_delimiter(text: str) -> str:
    """Pick the candidate that splits most sample records into the same number (> 1) of cells.

    Ties go to the wider split, then to the order of DELIMITERS. Only `, ; tab |` are candidates: letting
    anything be a delimiter is how sniffers pick a letter or a space. A candidate that splits the first record
    (the header, as a rule) comes before one that leaves it whole: an errors file's messages hold `;` on every
    row, and a re-import must not read them as the delimiter.
    """
    best, best_score = ",", (0, 0, 0)
    for candidate in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=candidate)
        try:
            widths = [len(r) for r in islice(reader, 200) if r and not _is_blank(r)]
        except csv.Error:
            continue
        counts: dict[int, int] = {}
        for width in widths:
            if width > 1:
                counts[width] = counts.get(width, 0) + 1
        if not counts:
            continue
        width, count = max(counts.items(), key=lambda item: (item[1], item[0]))
        score = (int(widths[0] > 1), count, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _is_blank(cells: list[str]) -> bool:
    joined = "".join(cells)
    return not joined or joined.isspace()


def _delimiter_name(delim: str) -> Text:
    """The delimiter as a note names it: ',' or "tab" (a word, translated)."""
    return _DELIMITER_NAMES.get(delim, repr(delim))


def _encoding_hint(line: str, enc: str) -> str:
    """Which encoding to try for a line that is not valid `enc`: the first candidate that decodes it."""
    try:
        raw = line.encode(enc, "surrogateescape")
    except (UnicodeError, LookupError):
        raw = b""
    current = codecs.lookup(enc).name
    for candidate in ("utf-8", "cp1252", "latin-1"):
        if codecs.lookup(candidate).name == current:
            continue
        try:
            raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "latin-1"


def open_csv(
    path: Path, head: bytes, encoding: str | None, delimiter: str | None, header_score: HeaderScore | None = None
) -> Table:
    notes: list[Text] = []
    if encoding:
        enc = encoding
        try:
            info = codecs.lookup(enc)
        except LookupError:
            raise InputError(
                N_("{file}: unknown encoding {encoding!r} (--encoding)", file=str(path), encoding=enc)
            ) from None
        if not getattr(info, "_is_text_encoding", True):  # base64, zlib, rot13...: bytes to bytes, not text
            raise InputError(
                N_("{file}: {encoding!r} is not a text encoding (--encoding)", file=str(path), encoding=enc)
            )
    else:
        enc = detect_encoding(head, path)
        label = _ENCODING_LABELS.get(enc, enc)
        if enc == "cp1252":
            notes.append(N_("encoding {encoding} detected (the file is not UTF-8)", encoding=label))
        elif enc == "latin-1":
            notes.append(N_("encoding {encoding} detected (the file is not UTF-8 nor cp1252)", encoding=label))
        else:
            notes.append(N_("encoding {encoding} detected", encoding=label))
    enc_label = _ENCODING_LABELS.get(enc, codecs.lookup(enc).name)

    # The sample decides the delimiter and whether this is text at all; cut the last, maybe partial, line.
    try:
        sample = codecs.getincrementaldecoder(enc)(errors="replace").decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeError as exc:  # "utf-16" given for a file without a BOM, and the like
        guess = detect_encoding(head, path)
        hint = guess if codecs.lookup(guess).name != codecs.lookup(enc).name else "cp1252"
        raise InputError(
            N_(
                "{file}: row 1: not valid {encoding} text ({error}); try --encoding {hint}",
                file=str(path),
                encoding=enc,
                error=short_error(exc),
                hint=hint,
            )
        ) from None
    if len(head) == SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    _reject_non_csv(path, sample)
    first_line = re.split(r"\r\n|\r|\n", sample.lstrip("\ufeff"), maxsplit=1)[0]
    sep_line = _SEP_LINE.match(first_line)

    if delimiter is not None:
        delim = _DELIMITER_ALIASES.get(delimiter.lower(), delimiter)
        if len(delim) != 1 or delim in '"\r\n':
            raise InputError(N_("--delimiter must be one character (or 'tab'), got {value!r}", value=delimiter))
    elif sep_line:
        delim = sep_line.group(1)
        notes.append(N_("delimiter {delimiter} from the file's 'sep=' line", delimiter=_delimiter_name(delim)))
    else:
        delim = detect_delimiter(sample)
        notes.append(N_("delimiter {delimiter} detected", delimiter=_delimiter_name(delim)))

    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    # surrogateescape: a byte that is not valid in `enc` must not stop the read somewhere inside an 8 KiB
    # chunk; the line filter finds it and the error names the exact row.
    fh = path.open("r", encoding=enc, errors="surrogateescape", newline="")
    try:
        state = LineState()
        check = codecs.lookup(enc).name not in ("iso8859-1", "latin-1")  # latin-1 decodes every byte
        lines = clean_lines(fh, state, check)
        if sep_line:
            try:
                next(lines, None)  # Excel hides this line: the header is still row 1
            except UnicodeError as exc:
                raise InputError(
                    N_(
                        "{file}: row 1: not valid {encoding} text ({error})",
                        file=str(path),
                        encoding=enc_label,
                        error=short_error(exc),
                    )
                ) from None
        records = _csv_records(path, lines, delim, enc, state, notes)
        header_number, headers, ahead, header_notes = split_header(path, records, N_("the file"), header_score)
    except BaseException:
        fh.close()
        raise
    notes.extend(header_notes)
    description = N_("CSV, {encoding}, delimiter {delimiter}", encoding=enc_label, delimiter=_delimiter_name(delim))
    body = CsvBody(ahead, records, len(headers), delim, state)
    estimate = _csv_estimate(fh, state, header_number)
    return Table(
        path,
        headers,
        body.rows(),
        description,
        notes,
        kind="CSV",
        encoding=enc,
        delimiter=delim,
        header_row=header_number,
        headerless=header_number == 0,
        _estimate=estimate,
        _text_batches=body.text_batches,
    )


def _csv_estimate(fh: io.TextIOWrapper, state: LineState, header_row: int) -> Callable[[], int | None]:
    """How many rows lie below the header, from those read so far and the bytes they took: the position in the
    file as stored (`fh.buffer`), so UTF-16 and other codecs are measured in the same unit as the file's size.
    The text layer reads ahead by at most a few KiB: the estimate is a little low, exact at the end."""
    size = os.fstat(fh.fileno()).st_size

    def estimate() -> int | None:
        try:
            done = fh.buffer.tell()
        except (ValueError, OSError):  # closed: read to the end
            done = size
        rows = state.records - header_row
        if rows <= 0 or done <= 0:
            return None
        return max(rows, round(rows * size / done))

    return estimate


def _reject_non_csv(path: Path, sample: str) -> None:
    """Refuse what is not delimited text: binary data, or an HTML/XML page saved with a spreadsheet's name."""
    start = sample.lstrip("\ufeff \t\r\n")[:200].lower()
    if start.startswith(("<!doctype html", "<html", "<table")):
        raise InputError(
            N_("{file}: is an HTML page, not CSV or a workbook; open it in Excel and save it as .xlsx", file=str(path))
        )
    if start.startswith("<?xml"):
        raise InputError(
            N_("{file}: is an XML file (Excel 2003 XML?); open it in Excel and save it as .xlsx", file=str(path))
        )
    chunk = sample[:65536]
    if chunk and len(_CONTROL.findall(chunk)) > max(8, len(chunk) // 50):
        raise InputError(
            N_(
                "{file}: not a readable spreadsheet: binary data, neither CSV text nor a known workbook format",
                file=str(path),
            )
        )


def _csv_records(
    path: Path, lines: Iterator[str], delim: str, enc: str, state: LineState, notes: list[Text]
) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with their row numbers (blank records count: a spreadsheet shows them as rows)."""
    reader = csv.reader(lines, delimiter=delim)
    number = 0
    nul_rows: list[int] = []
    line_num = 0
    quotes = before = spanned = 0  # state.quotes after the last record and the one before it; its lines
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            # A quote never closed makes the csv module (not strict) read every line after it, to the end of
            # the file, into one cell: the rows below would vanish, maybe into a valid note. Such a record is
            # the last one, spans several lines and holds an odd number of quotes (real ones come in pairs).
            if number and spanned > 1 and (quotes - before) % 2:
                raise InputError(
                    NP_(
                        "{file}: row {row}: a quote opened on this row is never closed, so the line below it would"
                        " be read into one cell; fix the quotes on this row",
                        "{file}: row {row}: a quote opened on this row is never closed, so the {n} lines below it"
                        " would be read into one cell; fix the quotes on this row",
                        spanned - 1,
                        file=str(path),
                        row=str(number),
                    )
                ) from None
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputError(
                    N_(
                        "{file}: row {row}: a cell is larger than {size} MB (a quote that is never closed swallows"
                        " the rest of the file: check the quotes on this row)",
                        file=str(path),
                        row=str(number + 1),
                        size=FIELD_SIZE_LIMIT // (1024 * 1024),
                    )
                ) from None
            raise InputError(
                N_("{file}: row {row}: unreadable CSV ({error})", file=str(path), row=str(number + 1), error=str(exc))
            ) from None
        except UnicodeError as exc:  # a codec (UTF-16) that cannot escape the bad bytes
            raise InputError(
                N_(
                    "{file}: near row {row}: not valid {encoding} text ({error}); the file may be damaged",
                    file=str(path),
                    row=str(number + 1),
                    encoding=enc,
                    error=short_error(exc),
                )
            ) from None
        number += 1
        state.records = number
        if state.flag:
            if state.bad_line is not None:
                hint = _encoding_hint(state.bad_line, enc)
                raise InputError(
                    N_(
                        "{file}: row {row}: bytes that are not valid {encoding} text (the rows above are);"
                        " try --encoding {hint}",
                        file=str(path),
                        row=str(number),
                        encoding=enc,
                        hint=hint,
                    )
                )
            if state.nul:
                nul_rows.append(number)
            state.flag = state.nul = False
        spanned = reader.line_num - line_num
        if spanned > _LONG_RECORD_LINES:
            notes.append(N_("row {row} spans {n} lines: check for a quote never closed", row=str(number), n=spanned))
        line_num = reader.line_num
        before, quotes = quotes, state.quotes
        joined = "".join(cells)
        if not joined or joined.isspace():
            continue
        yield number, cells
    if nul_rows:
        shown = capped([str(n) for n in nul_rows], 10)
        notes.append(
            NP_(
                "NUL bytes removed from {n} row: {rows}",
                "NUL bytes removed from {n} rows: {rows}",
                len(nul_rows),
                rows=shown,
            )
        )
