"""Copy a non-local input to a snapshot beside the results, `<results stem>.input.<csv|xlsx|xls|ods>`, which the
reading stage then reads as a normal file.

A local file is read in place. Anything else (standard input, a URL, an fsspec URL, a query's rows) is copied
first, to a temporary name renamed at the end, so the snapshot is whole or absent: a resumed run reads the rows
the interrupted one read (never a newer export), and the user can see later exactly what was imported.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from importer.errors import InputError
from importer.i18n.message import N_, Text
from importer.sources.spec import InputSpec

__all__ = ["FORMATS", "Fetched", "existing_snapshot", "fetch_input", "sniff_format", "snapshot_path"]

FORMATS = ("csv", "xlsx", "xls", "ods")  # importer.options restates them as --format's choices
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class Fetched:
    """Where the rows are read from, and what to tell the person about it."""

    path: Path  # the local file, or the snapshot
    label: str  # the input, named without secrets
    snapshot: bool = False  # `path` is a snapshot of a non-local input
    notes: tuple[Text, ...] = ()  # Messages: said in the run's language, English in summary.json


def snapshot_path(results: Path, kind: str) -> Path:
    return results.with_name(f"{results.stem}.input.{kind}")


def existing_snapshot(results: Path) -> Path | None:
    """The snapshot an earlier run of these results wrote, if any (the newest, were there several)."""
    found = [p for kind in FORMATS if (p := snapshot_path(results, kind)).is_file()]
    return max(found, key=lambda p: p.stat().st_mtime_ns) if found else None


def fetch_input(
    spec: InputSpec, results: Path, *, resume: bool, kind: str | None = None, timeout: float = 30.0
) -> Fetched:
    """The file to read for `spec`: a local file as it is; else a snapshot beside `results`, the existing one
    when `resume` (the state file has an unfinished run of this input), else a new copy.

    `kind` (--format) names the snapshot when the bytes cannot tell (they are sniffed otherwise); the reading stage
    still decides by the bytes, and says so when they disagree with the name.
    """
    if spec.is_local:
        ignored = (N_("--format {format} ignored: a local file is read by its bytes", format=kind),) if kind else ()
        return Fetched(spec.path, spec.redacted, notes=ignored)
    notes: tuple[Text, ...] = ()
    if resume:
        found = existing_snapshot(results)
        if found is not None:
            note = N_(
                "resumed an unfinished run: read its snapshot {file} again, not a new copy of the input",
                file=found.name,
            )
            return Fetched(found, spec.redacted, snapshot=True, notes=(note,))
        notes = (N_("the unfinished run's snapshot was gone: the input was read again"),)
    path = _write_snapshot(spec, results, kind, timeout)
    # Where the copy is, the terminal says once beside the results ("Input copy:"), the report and summary too.
    return Fetched(path, spec.redacted, snapshot=True, notes=notes)


def _write_snapshot(spec: InputSpec, results: Path, kind: str | None, timeout: float) -> Path:
    results.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=results.parent, prefix=f".{results.stem}.input.", suffix=".tmp")
    tmp = Path(name)
    try:
        if spec.kind == "sql":
            os.close(fd)
            from importer.sources.sql import write_query_csv  # SQLAlchemy: loaded only for a query

            write_query_csv(spec.location, spec.query or "", tmp)
            kind = "csv"
            _fsync(tmp)
        else:
            with open(fd, "wb") as out:
                _copy(spec, out, timeout)
                out.flush()
                os.fsync(out.fileno())  # the snapshot must outlive a crash: a resumed run reads it
            kind = kind or sniff_format(tmp)
        final = snapshot_path(results, kind)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for other in FORMATS:  # an older snapshot of another kind would be taken for this one on resume
        if other != kind:
            snapshot_path(results, other).unlink(missing_ok=True)
    return final


def _copy(spec: InputSpec, out: BinaryIO, timeout: float) -> None:
    if spec.kind == "stdin":
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError(
                N_("-: standard input is a terminal; pipe the file in (importer validate - < contacts.csv)")
            )
        shutil.copyfileobj(sys.stdin.buffer, out, 1 << 16)
    elif spec.kind == "http":
        from importer.sources.http import download  # httpx is loaded by the client anyway; lazily all the same

        download(spec.location, out, label=spec.redacted, timeout=timeout)
    else:
        from importer.sources.remote import copy_remote  # fsspec and its backends: optional extras

        copy_remote(spec.location, out)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sniff_format(path: Path) -> str:
    """csv, xlsx, xls or ods from the first bytes: a zip is an ODS when its first member says so (its
    `mimetype`), else an Excel workbook; an OLE container is an XLS; anything else is read as CSV."""
    with path.open("rb") as fh:
        head = fh.read(128)
    if head.startswith(_ZIP):
        return "ods" if _ODS_MIMETYPE in head else "xlsx"
    if head.startswith(_OLE):
        return "xls"
    return "csv"
