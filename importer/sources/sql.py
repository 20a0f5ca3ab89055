"""A SQL query as the input: its rows streamed from the database into a CSV file, cells as the Excel reader reads.

SQLAlchemy opens the database (SQLite built in; PostgreSQL through psycopg and MySQL through pymysql, the
`postgres` and `mysql` extras), then the rows come through the driver's own cursor, a batch at a time:
PostgreSQL reads them from a server-side cursor (DECLARE ... FETCH), MySQL from an unbuffered one, SQLite
steps through them as sqlite3 always does. Going under SQLAlchemy's Result (no Row objects) is what keeps the
export near the speed of reading a CSV file (bench/bench_sql.py). The transaction is always rolled back: a
query that changes something changes nothing.

Errors are one line naming the database with its password hidden, never the password itself.
"""

from __future__ import annotations

import contextlib
import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from importer.errors import InputError, MissingExtra
from importer.i18n.message import N_, Message
from importer.reading.values import cell_text
from importer.sources.urls import redact_db_url

BATCH_ROWS = 5000  # rows per fetch: one round trip per batch, a few MB at most in memory
CONNECT_TIMEOUT_S = 15  # PostgreSQL: an unreachable host fails in this time rather than hanging a nightly job
# Which extra brings a dialect's driver (the dialect is the URL's scheme before "+").
_EXTRAS = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}
_CURSOR_NAME = "importer_export"
_ROW_STATEMENTS = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "("})  # what a cursor can be declared for


def write_query_csv(db_url: str, query: str, out: Path) -> int:
    """Run `query` on the database at `db_url` and write its rows to `out` as UTF-8 CSV, the header row being the
    result's column names; returns the number of data rows. `out` appears only once complete (written beside it,
    then renamed). Any failure is one InputError line (MissingExtra for a driver not installed)."""
    shown = redact_db_url(db_url)
    if not query.strip():
        raise InputError(N_("{database}: the query is empty", database=shown))
    engine = _engine(db_url, shown)
    secret = _password(engine)
    partial = out.with_name(out.name + ".part")
    try:
        connection = _connect(engine, shown, secret)
        try:
            count = _export(engine, connection, query, partial, shown, secret)
        finally:
            _close(connection)
        os.replace(partial, out)
        return count
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()


def _engine(db_url: str, shown: str) -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError
    from sqlalchemy.pool import NullPool

    try:
        url = make_url(db_url)
    except (ArgumentError, ValueError, TypeError):
        raise InputError(
            N_(
                "{database}: not a database URL (examples: sqlite:///contacts.db, postgresql://user@host/db, "
                "mysql://user@host/db)",
                database=shown,
            )
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        _check_sqlite_file(url.database, shown)
    connect_args: dict[str, object] = {}
    if backend in ("postgresql", "postgres") and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    # A driver named in the URL (postgresql+psycopg2://) is used as asked; else the one of our extra.
    if backend in ("postgresql", "postgres") and "+" not in url.drivername:
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3 (SQLAlchemy's default is 2; postgres:// too)
    elif backend in ("mysql", "mariadb") and "+" not in url.drivername:
        url = url.set(drivername=f"{backend}+pymysql")  # SQLAlchemy's default is mysqlclient
    try:
        return create_engine(url, poolclass=NullPool, connect_args=connect_args)
    except NoSuchModuleError:
        raise InputError(
            N_(
                "{database}: unknown kind of database {driver!r} (sqlite, postgresql and mysql are supported)",
                database=shown,
                driver=url.drivername,
            )
        ) from None
    except ImportError as exc:
        extra = _EXTRAS.get(backend)
        hint: Message | str = (
            f"pip install 'callbell-importer[{extra}]'"  # a command: the same in every language
            if extra
            else N_("install the Python driver {module!r}", module=exc.name)
        )
        raise MissingExtra(
            N_("{database}: the {backend} driver is not installed: {hint}", database=shown, backend=backend, hint=hint)
        ) from None
    except ArgumentError as exc:
        # The driver's own words (a param, as it gives them).
        raise InputError(
            N_("{database}: {error}", database=shown, error=_first_line(exc, str(url.password or "")))
        ) from None


def _check_sqlite_file(database: str | None, shown: str) -> None:
    # sqlite3 creates a missing file: a mistyped path would read an empty new database ("no such table").
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if not Path(database).is_file():
        raise InputError(N_("{database}: no such SQLite database file", database=shown))


def _password(engine: Any) -> str:
    password = engine.url.password
    return str(password) if password else ""


def _connect(engine: Any, shown: str, secret: str) -> Any:
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    dbapi_error: type[BaseException] = engine.dialect.loaded_dbapi.Error

    def cannot_connect(error: BaseException) -> InputError:  # the driver's words: a param, as it gives them
        return InputError(N_("{database}: cannot connect: {error}", database=shown, error=_first_line(error, secret)))

    try:
        return engine.raw_connection()  # SQLAlchemy 2.1 passes the driver's error through, 2.0 wraps it
    except dbapi_error as exc:
        raise cannot_connect(exc) from None
    except DBAPIError as exc:
        raise cannot_connect(exc.orig or exc) from None
    except (SQLAlchemyError, OSError) as exc:
        raise cannot_connect(exc) from None


def _close(connection: Any) -> None:
    # A connection already broken fails here too: the error that broke it is the one being reported.
    with contextlib.suppress(Exception):
        connection.rollback()  # the export only reads; whatever the query changed is undone
    with contextlib.suppress(Exception):
        connection.close()


def _export(engine: Any, connection: Any, query: str, partial: Path, shown: str, secret: str) -> int:
    dbapi_error: type[BaseException] = engine.dialect.loaded_dbapi.Error
    backend = engine.url.get_backend_name()
    try:
        cursor = _streaming_cursor(connection, backend, engine.driver)
        try:
            cursor.execute(query)
            if cursor.description is None:
                raise InputError(
                    N_("{database}: the query returns no rows to import (it must be a SELECT)", database=shown)
                )
            headers = [_header_text(column[0]) for column in cursor.description]
            if not headers:
                raise InputError(N_("{database}: the query returns no columns", database=shown))
            text_columns = _typed_text_columns(cursor, backend)
            if len(text_columns) == len(headers) and _copies_as_utf8(cursor):
                cursor.close()  # declared only: nothing was fetched, COPY runs the query once
                return _copy_csv(connection.driver_connection, query, partial)
            return _write_csv(partial, headers, _batches(cursor), text_columns)
        finally:
            with contextlib.suppress(dbapi_error):
                cursor.close()
    except dbapi_error as exc:
        problem = _query_problem(exc, backend, query, secret)
        raise InputError(N_("{database}: the query failed: {error}", database=shown, error=problem)) from None
    except OSError as exc:
        raise InputError(
            N_(
                "{file}: cannot write the query's rows ({error})",
                file=str(partial.with_suffix("")),
                error=str(exc.strerror or exc),
            )
        ) from None


def _streaming_cursor(connection: Any, backend: str, driver: str) -> Any:
    """A cursor that holds one batch of rows in memory, never the whole result."""
    if backend in ("postgresql", "postgres") and driver == "psycopg":
        cursor = connection.driver_connection.cursor(name=_CURSOR_NAME)  # server-side: DECLARE ... CURSOR
        _load_as_text(cursor)
        return cursor
    if backend in ("postgresql", "postgres") and driver == "psycopg2":
        return connection.driver_connection.cursor(name=_CURSOR_NAME)
    if backend in ("mysql", "mariadb") and driver == "pymysql":
        import pymysql.cursors

        return connection.driver_connection.cursor(pymysql.cursors.SSCursor)  # unbuffered
    return connection.cursor()  # sqlite3 steps through the rows as they are fetched


# PostgreSQL types whose text form is already the cell's text (digits, the text itself, a lowercase UUID): psycopg
# hands them over as the server sent them, sparing an int or a UUID made only to be turned back into text.
_TEXT_AS_SENT = ("int2", "int4", "int8", "oid", "text", "varchar", "bpchar", "name", "uuid")


def _load_as_text(cursor: Any) -> None:
    from psycopg.types.string import TextLoader

    names = list(_TEXT_AS_SENT)
    if (cursor.connection.info.parameter_status("DateStyle") or "").startswith("ISO"):
        names.append("date")  # 1990-05-17 as sent (a non-ISO DateStyle would send 05/17/1990: converted then)
    for name in names:
        info = cursor.adapters.types.get(name)
        if info is not None:
            cursor.adapters.register_loader(info.oid, TextLoader)


def _query_problem(exc: BaseException, backend: str, query: str, secret: str) -> Message | str:
    """The driver's message; PostgreSQL's server-side cursor refuses a statement that returns no rows (an UPDATE)
    with a syntax error at the query's first word (DECLARE takes a SELECT or VALUES only), said plainly here."""
    diag = getattr(exc, "diag", None)
    words = query.split(None, 1)
    first = words[0].rstrip(";") if words else ""
    if (
        backend in ("postgresql", "postgres")
        and getattr(diag, "sqlstate", "") == "42601"
        and first.upper() not in _ROW_STATEMENTS
        and (getattr(diag, "message_primary", "") or "").endswith(f'at or near "{first}"')
    ):
        return N_("{statement} returns no rows to import (the query must be a SELECT)", statement=first.upper())
    return _first_line(exc, secret)


def _first_line(exc: BaseException, secret: str) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    if secret and secret in text:
        text = text.replace(secret, "***")  # drivers do not echo it, but a message must never carry it
    return text


def _batches(cursor: Any) -> Iterator[list[tuple[object, ...]]]:
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield batch


def _typed_text_columns(cursor: Any, backend: str) -> set[int]:
    """The columns known to hold text alone, from the result's types (PostgreSQL: those loaded as sent)."""
    if backend not in ("postgresql", "postgres") or not hasattr(cursor, "adapters"):
        return set()
    if cursor.connection.info.parameter_status("client_encoding") == "SQL_ASCII":
        return set()  # psycopg gives bytes for text then: every cell is checked (and decoded)
    # The loader _load_as_text registered, as the adapters give it back: with psycopg[binary] that is the C
    # TextLoader, not psycopg.types.string's (an `is` against the latter never matched).
    text_loader = _loader(cursor, cursor.adapters.types["text"].oid)
    text_oids = {oid for oid in {c.type_code for c in cursor.description} if _loader(cursor, oid) is text_loader}
    return {index for index, column in enumerate(cursor.description) if column.type_code in text_oids}


def _loader(cursor: Any, oid: int) -> object:
    from psycopg.pq import Format

    return cursor.adapters.get_loader(oid, Format.TEXT)


def _copies_as_utf8(cursor: Any) -> bool:
    """PostgreSQL can write the CSV itself: every column is loaded as sent, so its text is the server's."""
    info = getattr(cursor.connection, "info", None)  # psycopg 3 (psycopg2 and the others: rows fetched)
    return (
        info is not None and hasattr(cursor.connection, "cursor") and info.parameter_status("server_encoding") == "UTF8"
    )


def _copy_csv(connection: Any, query: str, path: Path) -> int:
    """Every column text as sent (integers, text, uuids): the server writes the CSV (COPY ... TO STDOUT), the same
    cells as the driver's rows through csv.writer would give (NULL and '' both an empty cell; '' is written
    quoted), several times faster than fetching rows (bench/bench_sql.py)."""
    from psycopg import sql

    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT csv, HEADER, ENCODING 'UTF8')").format(
        sql.SQL(query.strip().rstrip(";").strip())  # type: ignore[arg-type]  # the user's query, run as given
    )
    with connection.cursor() as cursor, path.open("wb") as fh:
        with cursor.copy(statement) as copy:
            for data in copy:
                fh.write(data)
        return max(cursor.rowcount, 0)


def _write_csv(
    path: Path, headers: list[str], batches: Iterator[list[tuple[object, ...]]], text_columns: set[int]
) -> int:
    count = 0
    to_check = [index for index in range(len(headers)) if index not in text_columns]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(headers)
        for batch in batches:
            writer.writerows(_as_text(batch, to_check) if to_check else batch)
            count += len(batch)
    return count


_WRITTEN_AS_IS = frozenset({str, int, type(None)})  # csv writes an int as str() does, None as an empty cell


def _as_text(batch: list[tuple[object, ...]], to_check: list[int]) -> list[tuple[object, ...]] | list[list[object]]:
    """The batch with every cell text (or None). Column by column: the types in a column are found at C speed,
    and a column of text alone (most of a contact list) is left as it is, so is a batch of such columns."""
    columns: list[Any] = list(zip(*batch, strict=True))
    converted = False
    for index in to_check:
        column = columns[index]
        if not set(map(type, column)) <= _WRITTEN_AS_IS:
            columns[index] = [c if c is None or c.__class__ is str else cell_text(c) for c in column]
            converted = True
    return list(zip(*columns, strict=True)) if converted else batch


def _header_text(name: object) -> str:
    if name is None:
        return ""
    return name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
