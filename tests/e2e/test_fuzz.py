"""Fuzz targets over reading + mapping + validation: random bytes, random CSV text and random workbooks.

For any input, the importer must either read, map and check every row, or stop with an ImporterError: one
non-empty line for a person. Any other exception is a bug. `make test` runs each target briefly (bounded
examples); `make fuzz` runs the same targets for minutes (fuzz/run_fuzz.py, which imports this module).

The bugs they found have regression tests at the end. A bug found and not fixed yet can be registered in `KNOWN`
so that the targets keep finding new ones meanwhile. Saved crashes (fuzz/crashes/) are replayed by
test_saved_crashes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import json
import random
import re
import struct
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from importer.account.model import Account, load_account
from importer.errors import ConfigError, ImporterError, InputError
from importer.i18n.message import Message
from importer.mapping.columns import Mapping, build_mapping
from importer.mapping.config import parse_mapping_config
from importer.mapping.writer import mapping_to_toml
from importer.pipeline.run import check_rows, require_columns
from importer.reading.files import chunks, open_table
from importer.validation.validator import Options, Validator

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT: Account = load_account(ROOT / "sample_data" / "account.toml")

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


# --- the target ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FuzzInput:
    """One input: a file (its name decides nothing, its bytes do) and the options a person could pass."""

    name: str
    data: bytes
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    region: str | None = None

    def options(self) -> dict[str, str | None]:
        return {k: v for k, v in asdict(self).items() if k != "data"}


class Outcome:
    """What the target did, for the statistics (`--hypothesis-show-statistics`, fuzz/run_fuzz.py)."""

    READ = "read"  # every row read, mapped and checked
    NO_COLUMNS = "read, no phone or name column"  # rows checked too; the import would stop before sending
    REFUSED = "refused"  # open_table or the mapping stopped with an ImporterError


def run_target(inp: FuzzInput, directory: Path) -> str:
    """Read + map + validate `inp`. Returns Outcome.READ or Outcome.REFUSED (a clean ImporterError); anything
    else that escapes, or a broken invariant (AssertionError), is a bug."""
    path = directory / inp.name
    path.write_bytes(inp.data)
    try:
        table = open_table(path, encoding=inp.encoding, delimiter=inp.delimiter, sheet=inp.sheet)
        assert table.headers == [h for h in table.headers if isinstance(h, str)]
        mapping = build_mapping(table.headers, ACCOUNT)
        check_mapping(mapping)
        validator = Validator(ACCOUNT, mapping, Options(default_region=inp.region))
        last = table.header_row
        for batch in chunks(table, 64):
            for row in batch:
                assert row.number > last, f"row numbers go {last} -> {row.number}"
                assert len(row.values) == len(table.headers), row
                assert all(isinstance(c, str) for c in (*row.values, *row.extra)), row
                last = row.number
            checked = check_rows(validator, batch)
            assert [c[0] for c in checked] == [r.number for r in batch]
        assert all(isinstance(n, str | Message) and str(n) for n in table.notes), table.notes  # said in any language
    except ImporterError as exc:
        assert_one_line(exc)
        return f"{Outcome.REFUSED}: {_category(str(exc), path)}"
    try:
        require_columns(path, mapping)
    except InputError as exc:
        assert_one_line(exc)
        return Outcome.NO_COLUMNS
    return Outcome.READ


def _category(message: str, path: Path) -> str:
    """The kind of refusal, for statistics: the message without the path, quoted parts, numbers and details."""
    text = message.removeprefix(f"{path}: ")
    text = re.sub(r"'[^']*'|\"[^\"]*\"|\([^)]*\)?|\d+", "…", text)
    return text.split(";")[0][:70]


def assert_one_line(exc: ImporterError) -> None:
    message = str(exc)
    assert message.strip(), f"{type(exc).__name__} without a message"
    assert "\n" not in message and "\r" not in message, f"a message of several lines: {message!r}"


def check_mapping(mapping: Mapping) -> None:
    """Every column in exactly one place; `importer mapping`'s TOML is valid and maps the file the same way."""
    places = [
        *mapping.fields.values(),
        *mapping.custom_fields.values(),
        *mapping.phone_fallbacks,
        *mapping.phone_labels.values(),
        *mapping.same_header,  # a repeated header read with its first (the first non-empty per row wins)
        *mapping.unmapped,
    ]
    assert sorted(places) == list(range(len(mapping.headers))), (mapping.headers, places)
    mapping.describe()
    if any(name not in ACCOUNT.custom_fields for name in mapping.custom_fields):
        return  # "cf:Nope": `importer mapping` warns, and the config it writes is refused on purpose
    text = mapping_to_toml(mapping)
    try:
        again = build_mapping(mapping.headers, ACCOUNT, parse_mapping_config(tomllib.loads(text)))
    except (ConfigError, tomllib.TOMLDecodeError) as exc:
        raise AssertionError(f"`importer mapping` wrote a config that is refused: {exc}\n{text}") from exc
    assert again == mapping, text


def save_reproducer(inp: FuzzInput, target: str, error: BaseException, crashes: Path) -> Path:
    """Write the input under `crashes` (named by target and kind of failure, the smallest kept) with a JSON of its
    options and the traceback beside it; returns the input's path."""
    import hashlib
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    where = next((f for f in reversed(frames) if "/importer/" in f.filename), frames[-1] if frames else None)
    signature = f"{type(error).__name__}:{where.filename if where else ''}:{where.lineno if where else ''}"
    digest = hashlib.sha1(signature.encode()).hexdigest()[:10]
    suffix = Path(inp.name).suffix
    path = crashes / f"{target}-{digest}{suffix}"
    crashes.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size <= len(inp.data):
        return path  # a smaller input of the same failure is already saved
    path.write_bytes(inp.data)
    text = "".join(traceback.format_exception(error))
    meta = {"target": target, "options": inp.options(), "signature": signature, "traceback": text}
    path.with_name(path.name + ".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def load_reproducer(path: Path) -> FuzzInput:
    meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    return FuzzInput(data=path.read_bytes(), **meta["options"])


_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def rezipped(data: bytes, members: dict[str, bytes] | None = None) -> bytes:
    """The zip rebuilt with fixed timestamps (openpyxl stamps the time of saving): the same draws give the same
    bytes, as hypothesis needs; `members` replaces its content."""
    if members is None:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {n: archive.read(n) for n in archive.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if name == "docProps/core.xml":
                content = _TIMESTAMP.sub(b"2024-01-01T00:00:00Z", content)
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


# --- bugs found: their inputs ---------------------------------------------------------------------------------
#
# Minimal inputs of the bugs these targets found, replayed by the regression tests at the end of this file.

# Codecs that codecs.lookup() accepts but that do not turn bytes into text.
NON_TEXT_CODECS = ["base64", "rot13", "hex", "zlib", "bz2", "uu", "quopri"]
SEP_LINE_DECODE_CASES = [
    # a UTF-16 file with a 'sep=' line and a lone surrogate below it
    FuzzInput("c.csv", codecs.BOM_UTF16_LE + "sep=,\n".encode("utf-16-le") + b"\x00\xd8" + b",\x00\n\x00"),
    # --encoding utf-7 (or any codec without surrogateescape) and a byte it cannot decode below a 'sep=' line
    FuzzInput("c.csv", b"sep=,\r\n+\r\n", encoding="utf-7"),
]
SUPERSCRIPT_CASES = [
    FuzzInput("c.csv", "Name,Phone,Country\nAna,612345678,²\n".encode()),  # phones.region_for
    FuzzInput("c.csv", "Name,Phone,Birthday\nAna,+34 612 34 56 78,²\n".encode()),  # validate.parse_date
]


def edit_zip_member(data: bytes, member: str, *, flag_bit: int | None = None, version: int | None = None) -> bytes:
    """The zip with `member`'s general-purpose flag `flag_bit` set (0: encrypted, 6: strong encryption), in its
    local header and central directory entry, or its central entry's "version needed to extract" set."""
    out = bytearray(data)
    name = member.encode()
    at = 0
    while (at := out.find(b"PK\x01\x02", at)) != -1:
        size = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46 : at + 46 + size] == name:
            if flag_bit is not None:
                for flags in (at + 8, struct.unpack_from("<I", out, at + 42)[0] + 6):
                    struct.pack_into("<H", out, flags, struct.unpack_from("<H", out, flags)[0] | 1 << flag_bit)
            if version is not None:
                struct.pack_into("<H", out, at + 6, version)
        at += 4
    return bytes(out)


def _small_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Name", "Phone"])
    book.active.append(["Ana", "+34 612 34 56 78"])
    buffer = io.BytesIO()
    book.save(buffer)
    return rezipped(buffer.getvalue())


ZIP_CASES = [
    FuzzInput("c.xlsx", edit_zip_member(_small_workbook(), "xl/_rels/workbook.xml.rels", flag_bit=6)),
    FuzzInput("c.xlsx", edit_zip_member(_small_workbook(), "xl/worksheets/sheet1.xml", flag_bit=0)),
    FuzzInput("c.xlsx", edit_zip_member(_small_workbook(), "docProps/app.xml", version=121)),  # "version 12.1"
]


def _run_cases(cases: list[FuzzInput]) -> list[str]:
    """Each case's outcome, or the exception it raised (as "<Type>: <message>")."""
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        for inp in cases:
            try:
                outcomes.append(run_target(inp, Path(tmp)))
            except Exception as error:
                outcomes.append(f"{type(error).__name__}: {error}")
    return outcomes


def _clean(outcomes: list[str]) -> bool:
    return all(o.startswith((Outcome.READ, Outcome.NO_COLUMNS, Outcome.REFUSED)) for o in outcomes)


# --- known bugs, not fixed yet ----------------------------------------------------------------------------------
#
# A bug found but not fixed yet goes in KNOWN: a probe (the assertion of its strict-xfail test) and a matcher of its
# failures. While the probe fails, `check` reports a matching failure as the outcome "known bug: <name>" instead of
# raising, so the targets (and make fuzz) go on finding other bugs; once it is fixed, the probe passes, its failures
# are crashes again, and the xfail test's XPASS says to drop the marker. For example (since fixed):
#
#     "superscript_digits": KnownBug(
#         lambda: _clean(_run_cases(SUPERSCRIPT_CASES)),
#         lambda inp, error: isinstance(error, ValueError) and "invalid literal for int()" in str(error),
#     ),


@dataclass(frozen=True)
class KnownBug:
    probe: Callable[[], bool]  # the assertion of its xfail test: true once the bug is fixed
    matches: Callable[[FuzzInput, BaseException], bool]  # a failure of this bug


KNOWN: dict[str, KnownBug] = {}
KNOWN_BUGS = {name: not bug.probe() for name, bug in KNOWN.items()}  # name -> still there


def known_bug(inp: FuzzInput, error: BaseException) -> str | None:
    """The known bug, not fixed yet, that explains this failure; None for a new one."""
    return next((name for name, bug in KNOWN.items() if KNOWN_BUGS[name] and bug.matches(inp, error)), None)


# --- inputs that kill the process ------------------------------------------------------------------------------

MEMORY_LIMIT = 2 << 30  # bytes of address space for a child process that may run away with memory


def limit_memory(limit: int = MEMORY_LIMIT) -> None:
    """Cap this process's address space: a native reader that allocates without end fails fast instead of eating
    the machine's memory (python-calamine on a 1 KB LOOPING_OLE reaches 24 GB before the OOM killer)."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)  # only ever lower it
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_isolated(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -c code args` from the project root, memory capped."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        preexec_fn=limit_memory,
    )


def looping_ole(size: int = 5632) -> bytes:
    """An OLE2 (.xls) header with a 512-byte sector size and every other field zero: sector 0's chain points back
    to itself, and python-calamine reads it without end."""
    data = bytearray(size)
    data[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    data[30:33] = b"\x09\x00\x06"  # sector shift 9 (512 bytes), mini sector shift 6
    data[68:72] = b"\xfe\xff\xff\xff"  # no DIFAT sectors
    data[80:512] = b"\xff" * 432  # DIFAT entries 1..108 free
    return bytes(data)


LOOPING_OLE = looping_ole()


# --- strategies ----------------------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1"]
OVERRIDE_ENCODINGS = [*ENCODINGS, "ascii", "utf-7", "idna", "punycode", "nope", "", *NON_TEXT_CODECS]
DELIMITERS = [",", ";", "\t", "|", " ", ":"]
OVERRIDE_DELIMITERS = [",", ";", "tab", "\\t", "|", "comma", "ab", '"', "\n", "", "\x00", "é"]
REGIONS = [None, None, "ES", "es", "MX", "US", "XX", ""]
SUFFIXES = [".csv", ".xlsx", "", ".xls", ".txt", ".ods", ".xlsb", ".CSV"]
HOSTILE = [
    "=1+2",
    "+34 600 11 22 33",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://x","y")',
    "'=1+2",
    'say "hi"',
    '"',
    '""',
    '"a"b',
    "a,b;c\td|e",
    "\r\n",
    "\x00",
    "\x1a",
    "\ufeff",
    "sep=;",
    "Name",
    "Phone",
    "²",
    "+800",
    "Spain",
    "VIP, Gold",
    "Mobile ::: Work",
    "+34 612 34 56 78 ::: 911 23 45 67",
    "ana@example.com",
    "Support",
    "Instagram",
    "bot_start",
    "Active",
    "Dark Mode, Beta",
    "99999",
    "2024-02-30",
    "31/12/2024",
    "1,5",
    "<html>",
    "<?xml",
    "🙂",
    "x" * 300,
]
SHEET_OVERRIDES = ["0", "1", "7", "-1", "Contacts", " contacts ", "Hoja1", "", "Sheet"]
HEADERS = [
    "Name",
    "Nombre",
    "Apellidos",
    "First Name",
    "Last Name",
    "Phone",
    "Teléfono Móvil",
    "WhatsApp",
    "Phone 1 - Value",
    "Phone 1 - Label",
    "Phone 2 - Value",
    "Phone 2 - Type",
    "Home Phone",
    "Country",
    "Tags",
    "Labels",
    "Assigned User",
    "Contact owner",
    "Record ID",
    "Team",
    "Channel",
    "Bot Status",
    "Source",
    "Notes",
    "Billing Address",
    "Invoice Email",
    "Orders",
    "Birthday",
    "Status",
    "Features",
    "cf:Status",
    "cf:",
    "cf:Nope",
    "Error",
    "",
]
PHONES = st.one_of(
    st.from_regex(r"(\+|00)?[1-9][0-9 ]{6,14}", fullmatch=True),
    st.sampled_from(["612 34 56 78", "+52 1 55 1234 5678", "whatsapp:+34612345678", "+44 7911 123456", "12"]),
)
cell_text = st.one_of(st.text(max_size=16), st.sampled_from(HOSTILE), PHONES)


@st.composite
def tables(draw: st.DrawFn, cells: st.SearchStrategy[object] = cell_text) -> list[list[object]]:
    """Rows of cells; often under a header row that has a name and a phone column, so rows get validated."""
    rows: list[list[object]] = draw(st.lists(st.lists(cells, max_size=7), max_size=10))
    if draw(st.integers(0, 3)):
        others = draw(st.lists(st.sampled_from(HEADERS), max_size=6))
        headers = draw(st.permutations(["Name", "Phone", *others]))
        rows = [list(headers), *rows]
    return rows


def _options(draw: st.DrawFn, *, csv_options: bool, sheets: Sequence[str] = ()) -> dict[str, str | None]:
    options: dict[str, str | None] = {"region": draw(st.sampled_from(REGIONS))}
    if csv_options:
        options["encoding"] = draw(st.one_of(st.none(), st.none(), st.sampled_from(OVERRIDE_ENCODINGS)))
        options["delimiter"] = draw(st.one_of(st.none(), st.none(), st.sampled_from(OVERRIDE_DELIMITERS)))
    named = [*sheets, *map(str, range(len(sheets)))]
    options["sheet"] = draw(
        st.one_of(st.none(), st.none(), st.none(), st.sampled_from(named or [None]), st.sampled_from(SHEET_OVERRIDES))
    )
    return options


@st.composite
def random_bytes(draw: st.DrawFn) -> FuzzInput:
    """Random bytes, sometimes behind the magic of a zip or an OLE file or a BOM, under any file name."""
    prefix = draw(
        st.sampled_from(
            [b"", b"", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", codecs.BOM_UTF8]
            + [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, b"Name,Phone\n", b"sep=;\n"]
        )
    )
    data = prefix + draw(st.binary(max_size=2048))
    return FuzzInput(f"input{draw(st.sampled_from(SUFFIXES))}", data, **_options(draw, csv_options=True))


@st.composite
def csv_files(draw: st.DrawFn) -> FuzzInput:
    """Delimited text: random cells, delimiter, quoting, line ends, title lines, 'sep=' line and encoding; at
    times with raw bytes spliced in."""
    rows = draw(tables())
    delimiter = draw(st.sampled_from(DELIMITERS))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    style = draw(st.sampled_from(["minimal", "all", "none", "raw"]))
    if style == "raw":  # joined by hand: quotes left unbalanced
        text = newline.join(delimiter.join(row) for row in rows)
    else:
        buffer = io.StringIO()
        quoting = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL, "none": csv.QUOTE_NONE}[style]
        writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, escapechar="\\", lineterminator=newline)
        try:
            writer.writerows(rows)
        except csv.Error:
            assume(False)
        text = buffer.getvalue()
    head = draw(st.sampled_from(["", "", f"sep={delimiter}{newline}", f"Contacts export{newline}{newline}", "\ufeff"]))
    text = head + text + draw(st.sampled_from(["", newline, newline * 3, "\x1a"]))
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return FuzzInput(
        f"contacts{draw(st.sampled_from(['.csv', '.csv', '.txt', '', '.xlsx']))}",
        data,
        **_options(draw, csv_options=True),
    )


EXCEL_VALUES = st.one_of(
    cell_text,
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(days=-3), max_value=dt.timedelta(days=3)),
    st.sampled_from(["=1+2", "=A1", "=1/0", "=SUM(A1:A3)", '=HYPERLINK("http://x","y")', "=", "==", "=NOPE("]),
    st.sampled_from([34612345678, 612345678, 3.4612345678e10, 0.1 + 0.2, 1e300, -0.0, 45000]),
)


@st.composite
def workbooks(draw: st.DrawFn) -> FuzzInput:
    """A small workbook made with openpyxl: 1-3 sheets (some hidden), cells of every type at random places, at
    times with one part of the zip (or the zip itself) damaged."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for index in range(draw(st.integers(1, 3))):
        name = draw(st.one_of(st.sampled_from(["Contacts", "Hoja1", "Sheet", "2", " "]), st.text(max_size=12)))
        try:
            sheet = book.create_sheet(name or f"S{index}")
        except ValueError:
            sheet = book.create_sheet(f"S{index}")
        if index and draw(st.booleans()):
            sheet.sheet_state = draw(st.sampled_from(["hidden", "veryHidden"]))
        top, left = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        for r, row in enumerate(draw(tables(EXCEL_VALUES))):
            for c, value in enumerate(row):
                # openpyxl refuses some values: not a file anyone can have
                with contextlib.suppress(IllegalCharacterError, ValueError, TypeError, OverflowError):
                    sheet.cell(row=top + r, column=left + c, value=value)
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except (ValueError, TypeError, OverflowError):
        assume(False)
    data = draw(damaged(rezipped(buffer.getvalue())))
    name = f"book{draw(st.sampled_from(['.xlsx', '.xlsx', '.csv', '', '.xlsm']))}"
    return FuzzInput(name, data, **_options(draw, csv_options=False, sheets=book.sheetnames))


@st.composite
def old_workbooks(draw: st.DrawFn) -> FuzzInput:
    """A small BIFF8 .xls made with xlwt (Excel 97-2003), at times with bytes flipped."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheets = draw(st.integers(1, 2))
    for index in range(sheets):
        sheet = book.add_sheet(f"Hoja{index + 1}")
        for r, row in enumerate(draw(tables(EXCEL_VALUES))):
            for c, value in enumerate(row):
                if isinstance(value, str) and value.startswith("="):
                    continue  # xlwt would parse it as a formula of its own
                if isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                with contextlib.suppress(Exception):  # xlwt refuses some values
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except Exception:
        assume(False)
    data = buffer.getvalue()
    if draw(st.integers(0, 3)) == 0:  # (this found LOOPING_OLE: the importer now probes an .xls in a child first)
        data = draw(flipped(data))
    return FuzzInput(
        f"old{draw(st.sampled_from(['.xls', '.xls', '.csv', '']))}",
        data,
        **_options(draw, csv_options=False, sheets=[f"Hoja{i + 1}" for i in range(sheets)]),
    )


@st.composite
def flipped(draw: st.DrawFn, data: bytes) -> bytes:
    rng = random.Random(draw(st.integers(0, 2**32)))
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """The zip as is, truncated, with bytes flipped, or rebuilt with one member's XML damaged."""
    how = draw(st.sampled_from(["none", "none", "none", "truncate", "flip", "member"]))
    if how == "truncate":
        return data[: draw(st.integers(0, len(data)))]
    if how == "flip":
        return draw(flipped(data))
    if how == "member":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {n: archive.read(n) for n in archive.namelist()}
        name = draw(st.sampled_from(sorted(members)))
        xml = members[name]
        edit = draw(st.sampled_from(["cut", "flip", "junk", "drop"]))
        if edit == "cut":
            members[name] = xml[: draw(st.integers(0, len(xml)))]
        elif edit == "flip":
            members[name] = draw(flipped(xml))
        elif edit == "junk":
            at = draw(st.integers(0, len(xml)))
            junk = draw(
                st.sampled_from([b"<c r='A1' t='s'><v>99</v></c>", b"&#0;", b"<row r='0'>", b"\xff\xfe", b"]]>"])
            )
            members[name] = xml[:at] + junk + xml[at:]
        else:
            del members[name]
        return rezipped(data, members)
    return data


# name -> strategy, shared with fuzz/run_fuzz.py
TARGETS: dict[str, st.SearchStrategy[FuzzInput]] = {
    "bytes": random_bytes(),
    "csv": csv_files(),
    "xlsx": workbooks(),
    "xls": old_workbooks(),
}


def check(inp: FuzzInput) -> str:
    """run_target in a fresh directory; a failure explained by a known bug (not fixed yet) is an outcome too."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            return run_target(inp, Path(tmp))
        except Exception as error:
            bug = known_bug(inp, error)
            if bug is None:
                raise
            return f"known bug: {bug}"


# --- the tests ------------------------------------------------------------------------------------------------


def _fuzz_test(target: str) -> Callable[[], None]:
    @FUZZ_SETTINGS
    @given(inp=TARGETS[target])
    def test(inp: FuzzInput) -> None:
        event(check(inp))

    return test


test_fuzz_random_bytes = _fuzz_test("bytes")
test_fuzz_csv_text = _fuzz_test("csv")
test_fuzz_workbooks = _fuzz_test("xlsx")
test_fuzz_old_workbooks = pytest.mark.slow(_fuzz_test("xls"))


def test_sample_files_are_read() -> None:
    for name in ("contacts.csv", "contacts.xlsx"):
        assert check(FuzzInput(name, (ROOT / "sample_data" / name).read_bytes())) == Outcome.READ


def _saved_crashes() -> list[object]:
    """fuzz/crashes/*.json as test parameters; one that names a `known_bug` (a reason) is a strict xfail."""
    params: list[object] = []
    for meta_path in sorted((ROOT / "fuzz" / "crashes").glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        marks = [pytest.mark.xfail(strict=True, reason=meta["known_bug"])] if meta.get("known_bug") else []
        params.append(pytest.param(meta_path.with_suffix(""), meta, marks=marks, id=meta_path.stem))
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason="no saved crash"), id="none")]


@pytest.mark.parametrize(("path", "meta"), _saved_crashes())
def test_saved_crashes(path: Path, meta: dict[str, object]) -> None:
    """Reproducers saved by `make fuzz` (fuzz/crashes/): each must now be read or refused cleanly. One that killed
    the process is replayed in a child process."""
    if meta.get("kills_process"):
        done = run_isolated(
            "import runpy, sys; runpy.run_path('fuzz/run_fuzz.py', run_name='__main__')", "--replay", str(path)
        )
        assert done.returncode == 0, f"status {done.returncode}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        return
    with tempfile.TemporaryDirectory() as tmp:
        run_target(load_reproducer(path), Path(tmp))


# --- bugs these targets found, since fixed: regression tests -------------------------------------------------------


@pytest.mark.parametrize("encoding", NON_TEXT_CODECS)
def test_a_codec_that_is_not_a_text_encoding_is_refused(encoding: str) -> None:
    """--encoding base64 (hex, zlib, rot13...) crashed with AssertionError or TypeError."""
    assert _clean(_run_cases([FuzzInput("c.csv", b"Name,Phone\nAna,612345678\n", encoding=encoding)]))


@pytest.mark.parametrize("inp", SEP_LINE_DECODE_CASES, ids=["utf-16", "utf-7"])
def test_undecodable_bytes_below_a_sep_line_are_refused(inp: FuzzInput) -> None:
    """Skipping the 'sep=' line was outside the UnicodeError handling: UnicodeDecodeError."""
    assert _clean(_run_cases([inp]))


@pytest.mark.parametrize("inp", SUPERSCRIPT_CASES, ids=["country", "birthday"])
def test_a_superscript_digit_in_a_cell_is_an_invalid_row(inp: FuzzInput) -> None:
    """str.isdigit() is true for '²', which int() refuses: ValueError in region_for and parse_date."""
    assert _clean(_run_cases([inp]))


@pytest.mark.parametrize("inp", ZIP_CASES, ids=["bit6-rels", "bit0-sheet", "version-12.1"])
def test_a_zip_member_with_odd_flags_is_refused_or_read(inp: FuzzInput) -> None:
    """zipfile's NotImplementedError and RuntimeError escaped _excel_kind and _scan_xlsx_sheet."""
    assert _clean(_run_cases([inp]))


def test_an_ole_file_whose_sector_chain_loops_is_refused(tmp_path: Path) -> None:
    """python-calamine allocates without end on it: the process aborted ('memory allocation of 1200553986800 bytes
    failed', SIGABRT, no message) or, for a 1 KB file, ate all memory until the OOM killer. Run in a child."""
    path = tmp_path / "old.xls"
    path.write_bytes(LOOPING_OLE)
    code = (
        "import sys\nfrom importer.errors import ImporterError\nfrom importer.reading.files import open_table\n"
        "try:\n    open_table(sys.argv[1])\nexcept ImporterError as exc:\n    print(exc)\n"
    )
    done = run_isolated(code, str(path))
    assert done.returncode == 0, f"status {done.returncode}: {done.stderr.strip()[:300]}"
