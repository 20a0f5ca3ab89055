"""What goes where FILE goes, parsed: a local path, `-` (standard input), an http(s) URL (a Google Sheets link
becomes its CSV export), an fsspec URL (sftp://, s3://, gs://, ...), or a SQL query against a database URL.

Each kind knows how to name itself without its secrets (`redacted`: no userinfo, no query string, since a
presigned URL carries its signature there; no database password), what a state file remembers of it
(`fingerprint`), and the name its results take by default (`name`).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from importer.errors import ConfigError
from importer.i18n.message import N_
from importer.sources.urls import redact_db_url, redact_url

__all__ = ["DB_URL_ENV", "STDIN", "InputSpec", "Kind", "parse_input", "read_query_file"]

DB_URL_ENV = "IMPORTER_DB_URL"  # importer.options restates it (that table imports nothing of the importer)
STDIN = "-"
Kind = Literal["file", "stdin", "http", "remote", "sql"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_GOOGLE_SHEET = re.compile(r"^/spreadsheets/d/([A-Za-z0-9_-]+)")
_GID = re.compile(r"(?:^|[#&?])gid=(\d+)")
_UNSAFE_NAME = re.compile(r"[^\w.-]+")


@dataclass(frozen=True)
class InputSpec:
    """One input. `location` is what is fetched: the path, the URL (a Google link already turned into its export
    URL) or the database URL; `query` is the SQL of a query input."""

    kind: Kind
    location: str
    query: str | None = None
    redacted: str = ""  # how messages, the report and the state file name it: no secret in it
    name: str = ""  # a file name whose stem names the results by default: contacts.csv -> contacts.results.csv

    @property
    def is_local(self) -> bool:
        return self.kind == "file"

    @property
    def path(self) -> Path:
        """A local file's path (only for kind "file")."""
        return Path(self.location)

    def fingerprint(self) -> str:
        """What the state file remembers of this input, so that it belongs to one input: a local file's resolved
        path (as always, so older state files still match), else the redacted input; for SQL the redacted
        database URL and a hash of the query. Never a password or a token."""
        if self.kind == "file":
            return str(self.path.resolve())
        if self.kind == "sql":
            digest = hashlib.sha256((self.query or "").encode("utf-8")).hexdigest()[:16]
            return f"{redact_db_url(self.location, mark=False)} query sha256:{digest}"
        return self.redacted


def parse_input(
    file: str | os.PathLike[str] | None,
    *,
    db: str | None = None,
    query: str | None = None,
    query_file: str | os.PathLike[str] | None = None,
) -> InputSpec:
    """The input the caller named; ConfigError (one line, no secret) for a combination that makes no sense.

    A database URL alone is no input: `db` equal to IMPORTER_DB_URL's value with no query is taken as the
    environment's default, unused, so that a nightly job's variable does not break an import of a file.
    """
    if query is not None and query_file is not None:
        raise ConfigError(N_("--query and --query-file: give one of them, not both"))
    if query_file is not None:
        query = read_query_file(query_file)
    if query is not None:
        if file is not None:
            raise ConfigError(N_("give FILE or --query, not both (the query's rows are the input)"))
        db = db or os.environ.get(DB_URL_ENV) or None
        if db is None:
            raise ConfigError(
                N_("--query needs --db URL (or {variable}), the database to run it on", variable=DB_URL_ENV)
            )
        if not query.strip():
            raise ConfigError(N_("--query is empty"))
        if "://" not in db:  # not echoed: what was given may be a bare password
            raise ConfigError(N_("--db: not a database URL (such as postgresql://user@host/db or sqlite:///file.db)"))
        redacted = redact_db_url(db)
        return InputSpec("sql", db, query=query, redacted=redacted, name="query")
    if db is not None and db != os.environ.get(DB_URL_ENV):
        raise ConfigError(N_("--db needs --query (or --query-file): the SQL whose rows are the input"))
    if file is None:
        raise ConfigError(N_("no input: give FILE (a path, - for standard input, or a URL) or --db with --query"))
    text = os.fspath(file)
    if text == STDIN and not isinstance(file, Path):
        return InputSpec("stdin", STDIN, redacted="standard input", name="stdin")
    scheme = _SCHEME.match(text)
    if scheme is None or isinstance(file, Path):  # a Path is always a local file, whatever it looks like
        return InputSpec("file", text, redacted=text, name=Path(text).name)
    kind = scheme.group(1).lower()
    if kind == "file":  # file:///path is a local path
        return InputSpec("file", unquote(urlsplit(text).path), redacted=text, name=Path(urlsplit(text).path).name)
    if kind in ("http", "https"):
        google = google_export_url(text)
        if google is not None:
            url, name = google
            return InputSpec("http", url, redacted=url, name=name)
        return InputSpec("http", text, redacted=redact_url(text), name=url_file_name(text))
    return InputSpec("remote", text, redacted=redact_url(text), name=url_file_name(text))


def google_export_url(url: str) -> tuple[str, str] | None:
    """A Google Sheets link (…/spreadsheets/d/ID/edit#gid=N) as its CSV export URL and a name for its results;
    None for any other URL. The export URL's query is ours (format, gid), not a secret, so it is kept."""
    parts = urlsplit(url)
    if parts.hostname != "docs.google.com":
        return None
    found = _GOOGLE_SHEET.match(parts.path)
    if found is None:
        return None
    sheet_id = found.group(1)
    gid_found = _GID.search(parts.fragment) or _GID.search("?" + parts.query)
    gid = gid_found.group(1) if gid_found else "0"
    export = f"https://docs.google.com/spreadsheets/d/{sheet_id}/export?format=csv&gid={gid}"
    name = f"sheet-{sheet_id[:8]}" + (f"-{gid}" if gid != "0" else "")
    return export, f"{name}.csv"


def url_file_name(url: str) -> str:
    """The URL's file name, made safe for a file name beside the results: https://x/exports/contacts.csv?sig=1
    -> contacts.csv; a URL without one is named after its last path segment, else `input`."""
    segments = [s for s in PurePosixPath(unquote(urlsplit(url).path)).parts if s != "/"]
    name = _UNSAFE_NAME.sub("_", segments[-1]).strip("._") if segments else ""
    return name or "input"


def read_query_file(path: Path | str) -> str:
    """The text of a --query-file (UTF-8, a BOM allowed), refused when it cannot be read or holds no query."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(N_("{file}: no such query file", file=str(path))) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            N_("{file}: the query file is not UTF-8 text (byte {byte})", file=str(path), byte=exc.start)
        ) from None
    except OSError as exc:
        raise ConfigError(
            N_("{file}: cannot read the query file ({error})", file=str(path), error=str(exc.strerror or exc))
        ) from None
    query = text.strip()
    if not query:
        raise ConfigError(N_("{file}: the query file is empty", file=str(path)))
    return query
