"""A SQL query as the input (importer/sources/sql.py): against a SQLite file and a real PostgreSQL cluster
(tests/pg_server.py), the rows as the CSV the reading stage then reads, the cells as the Excel reader gives them,
and every failure one line that never shows the password."""

from __future__ import annotations

import csv
import socket
import sqlite3
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from pg_server import PASSWORD, PgServer

from importer.errors import ConfigError, InputError, MissingExtra
from importer.reading.files import open_table
from importer.reading.values import cell_text
from importer.sources import sql as sql_module
from importer.sources.spec import read_query_file
from importer.sources.sql import BATCH_ROWS, write_query_csv
from importer.sources.urls import redact_db_url

TRICKY_TEXT = 'Peña, "la jefa"\nsegunda línea'


def read_back(path: Path) -> list[list[str]]:
    assert path.read_bytes().decode("utf-8")  # UTF-8, no BOM needed
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def assert_fails_cleanly(db_url: str, query: str, out: Path, *expected: str) -> str:
    """The error is one InputError line holding `expected`; no file (or partial file) is left behind."""
    with pytest.raises(InputError) as caught:
        write_query_csv(db_url, query, out)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    for part in expected:
        assert part in message, message
    assert not out.exists() and not out.with_name(out.name + ".part").exists()
    return message


# --- SQLite --------------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    path = tmp_path / "crm.db"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE contacts (id INTEGER, phone INTEGER, score REAL, ratio REAL, amount NUMERIC, "
            "name TEXT, photo BLOB, raw BLOB)"
        )
        conn.executemany(
            "INSERT INTO contacts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (1, 5511987654321, 3.0, 0.1, 12.50, TRICKY_TEXT, "José".encode(), b"\xff\x00"),
                (2, None, None, None, None, None, None, None),
            ],
        )
    conn.close()
    return f"sqlite:///{path}"


def test_sqlite_rows_as_text_the_way_the_excel_reader_reads_cells(sqlite_db: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    count = write_query_csv(sqlite_db, "SELECT * FROM contacts ORDER BY id", out)
    assert count == 2
    assert read_back(out) == [
        ["id", "phone", "score", "ratio", "amount", "name", "photo", "raw"],
        ["1", "5511987654321", "3", "0.1", "12.5", TRICKY_TEXT, "José", "\\xff00"],
        ["2", "", "", "", "", "", "", ""],
    ]
    assert b"\r\n" not in out.read_bytes()  # \n line ends, the newline inside the quoted cell kept as is


def test_the_written_file_reads_back_through_the_importers_reader(sqlite_db: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    write_query_csv(sqlite_db, "SELECT name AS Name, phone AS Phone FROM contacts ORDER BY id", out)
    table = open_table(out)
    assert table.headers == ["Name", "Phone"]
    assert [row.values for row in table.rows] == [(TRICKY_TEXT, "5511987654321")]  # the all-empty row is blank


def test_duplicate_and_empty_column_names_are_kept_as_given(sqlite_db: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    write_query_csv(sqlite_db, 'SELECT 1 AS a, 2 AS a, 3 AS ""', out)
    assert read_back(out) == [["a", "a", ""], ["1", "2", "3"]]


def test_an_empty_result_is_the_header_alone(sqlite_db: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    assert write_query_csv(sqlite_db, "SELECT name, phone FROM contacts WHERE id > 99", out) == 0
    assert out.read_text(encoding="utf-8") == "name,phone\n"


def test_sqlite_errors_are_one_line(sqlite_db: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    assert_fails_cleanly(sqlite_db, "SELEC name FROM contacts", out, "crm.db", "the query failed", "syntax error")
    assert_fails_cleanly(sqlite_db, "SELECT * FROM customers", out, "no such table: customers")
    assert_fails_cleanly(sqlite_db, "  ", out, "the query is empty")
    missing = f"sqlite:///{tmp_path / 'typo.db'}"
    assert_fails_cleanly(missing, "SELECT 1", out, "typo.db", "no such SQLite database file")
    assert not (tmp_path / "typo.db").exists()  # sqlite3 would have created it
    assert_fails_cleanly("not a url", "SELECT 1", out, "not a database URL")
    assert_fails_cleanly("nosuchdb://u:pw@h/db", "SELECT 1", out, "unknown kind of database")


def test_a_statement_without_rows_is_refused_and_changes_nothing(sqlite_db: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    assert_fails_cleanly(sqlite_db, "UPDATE contacts SET name = 'gone'", out, "returns no rows to import")
    with sqlite3.connect(sqlite_db.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT count(*) FROM contacts WHERE name = 'gone'").fetchone() == (0,)
    conn.close()


def test_a_failed_query_keeps_an_earlier_complete_file(sqlite_db: str, tmp_path: Path) -> None:
    # The file appears only once complete: a failure never leaves half a snapshot under the final name.
    out = tmp_path / "query.csv"
    write_query_csv(sqlite_db, "SELECT id FROM contacts", out)
    with pytest.raises(InputError):
        write_query_csv(sqlite_db, "SELECT id FROM nope", out)
    assert read_back(out) == [["id"], ["1"], ["2"]]
    assert not (tmp_path / "query.csv.part").exists()


def test_a_missing_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The drivers are installed here (the dev extra): hiding the module is the only way to meet the error.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(MissingExtra) as caught:
        write_query_csv("postgresql://u:hunter2@db.example.com/crm", "SELECT 1", tmp_path / "q.csv")
    assert str(caught.value) == (
        "postgresql://u:***@db.example.com/crm: the postgresql driver is not installed: "
        "pip install 'callbell-importer[postgres]'"
    )
    monkeypatch.setitem(sys.modules, "pymysql", None)
    with pytest.raises(MissingExtra, match=r"pip install 'callbell-importer\[mysql\]'"):
        write_query_csv("mysql://u:hunter2@db.example.com/crm", "SELECT 1", tmp_path / "q.csv")


def test_redact_db_url_hides_the_password_only() -> None:
    assert redact_db_url("postgresql://ana:s3cr%40t@db.example.com:5433/crm?sslmode=require") == (
        "postgresql://ana:***@db.example.com:5433/crm"  # a query string may carry a password too
    )
    assert redact_db_url("mysql+pymysql://ana@db/crm") == "mysql+pymysql://ana@db/crm"
    assert redact_db_url("sqlite:///data/crm.db") == "sqlite:///data/crm.db"
    assert "hunter2" not in redact_db_url("post gres://ana:hunter2@db/crm")  # not a URL SQLAlchemy reads


def test_read_query_file(tmp_path: Path) -> None:
    query = tmp_path / "nightly.sql"
    query.write_bytes(b"\xef\xbb\xbf-- contacts\nSELECT name, phone\nFROM contacts;\n\n")
    assert read_query_file(query) == "-- contacts\nSELECT name, phone\nFROM contacts;"
    for content, expected in [(b" \n", "the query file is empty"), (b"SELECT '\xe9'", "not UTF-8 text")]:
        query.write_bytes(content)
        with pytest.raises(ConfigError, match=expected) as caught:
            read_query_file(query)
        assert str(caught.value).startswith(f"{query}: ")
    with pytest.raises(ConfigError, match="no such query file"):
        read_query_file(tmp_path / "missing.sql")


def test_database_only_types() -> None:
    assert cell_text(Decimal("5511987654321")) == "5511987654321"
    assert cell_text(Decimal("5.511987654321E+12")) == "5511987654321"
    assert cell_text(Decimal("5511987654321.00")) == "5511987654321"
    assert cell_text(Decimal("12.50")) == "12.5"
    assert cell_text(Decimal("1E-7")) == "0.0000001"
    assert cell_text(Decimal("-0.00")) == "0"
    assert cell_text(memoryview(b"abc")) == "abc"
    assert cell_text({"vip": True, "city": "Málaga"}) == '{"vip": true, "city": "Málaga"}'
    assert cell_text([1, "a"]) == '[1, "a"]'


# --- PostgreSQL ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_contacts(postgres_url: str) -> str:
    """A table with every type the export converts, made once per module; the URL to read it."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS typed")
        conn.execute(
            "CREATE TABLE typed (id INTEGER, big BIGINT, phone NUMERIC(20,0), price NUMERIC(10,2), score REAL, "
            "active BOOLEAN, born DATE, seen TIMESTAMP, note TEXT, at_time TIME, took INTERVAL, blob BYTEA, "
            "extra JSONB)"
        )
        conn.execute(
            "INSERT INTO typed VALUES (1, 9007199254740993, 5511987654321, 12.50, 0.1, true, '1990-05-17', "
            "'2024-03-01 14:30:05.25', %s, '08:15:00', '1 day 02:03:04', 'José', '{\"vip\": true}'), "
            "(2, -1, 0, 3.00, 3, false, '2000-01-01', '2024-03-02 00:00:00', '', '23:59:59.7', '-90 seconds', "
            "'\\xff00', '[1, \"ñ\"]'), "
            "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
            [TRICKY_TEXT],
        )
    return postgres_url


def test_postgres_types_as_text(pg_contacts: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    assert write_query_csv(pg_contacts, "SELECT * FROM typed ORDER BY id", out) == 3
    assert read_back(out) == [
        ["id", "big", "phone", "price", "score", "active", "born", "seen", "note", "at_time", "took", "blob", "extra"],
        [
            "1",
            "9007199254740993",  # past a double's 53 bits: exact
            "5511987654321",
            "12.5",
            "0.1",
            "TRUE",
            "1990-05-17",
            "2024-03-01 14:30:05",
            TRICKY_TEXT,
            "08:15:00",
            "26:03:04",
            "José",
            '{"vip": true}',
        ],
        [
            "2",
            "-1",
            "0",
            "3",
            "3",
            "FALSE",
            "2000-01-01",
            "2024-03-02",
            "",
            "00:00:00",
            "-0:01:30",
            "\\xff00",
            '[1, "ñ"]',
        ],
        ["3", "", "", "", "", "", "", "", "", "", "", "", ""],
    ]


def test_postgres_streams_from_a_server_side_cursor(pg_contacts: str, tmp_path: Path) -> None:
    # pg_cursors lists the session's open cursors: the query sees its own DECLAREd cursor, which a client-side
    # cursor (the whole result sent at once) would not be.
    out = tmp_path / "query.csv"
    write_query_csv(pg_contacts, "SELECT name, statement, is_holdable FROM pg_cursors", out)
    header, *rows = read_back(out)
    assert header == ["name", "statement", "is_holdable"]
    assert len(rows) == 1 and rows[0][2] == "FALSE", rows
    assert "CURSOR" in rows[0][1] and "FROM pg_cursors" in rows[0][1]


def test_postgres_many_batches_and_a_percent_sign(pg_contacts: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    total = BATCH_ROWS * 2 + 7
    query = f"SELECT g AS n, 'a%' || g AS label FROM generate_series(1, {total}) g WHERE 'abc' LIKE 'a%' ORDER BY g"
    assert write_query_csv(pg_contacts, query, out) == total
    rows = read_back(out)
    assert len(rows) == total + 1 and rows[1] == ["1", "a%1"] and rows[-1] == [str(total), f"a%{total}"]


def test_postgres_empty_result(pg_contacts: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    assert write_query_csv(pg_contacts, "SELECT id, note FROM typed WHERE false", out) == 0
    assert out.read_text(encoding="utf-8") == "id,note\n"


def test_postgres_scheme_as_heroku_writes_it(pg_contacts: str, tmp_path: Path) -> None:
    # postgres:// (Heroku, many .env files) is not a name SQLAlchemy 2 knows: read as postgresql:// with psycopg.
    out = tmp_path / "query.csv"
    assert write_query_csv(pg_contacts.replace("postgresql://", "postgres://", 1), "SELECT 1 AS one", out) == 1


def test_postgres_bad_password_never_shows_a_password(postgres: PgServer, tmp_path: Path) -> None:
    wrong = "Wr0ng-pass!"
    message = assert_fails_cleanly(
        postgres.url(password=wrong),
        "SELECT 1",
        tmp_path / "query.csv",
        f"postgresql://importer:***@127.0.0.1:{postgres.port}/contacts: cannot connect:",
        'password authentication failed for user "importer"',
    )
    assert wrong not in message and PASSWORD not in message


def test_postgres_query_errors(pg_contacts: str, postgres: PgServer, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    shown = f"postgresql://importer:***@127.0.0.1:{postgres.port}/contacts: the query failed: "
    assert_fails_cleanly(pg_contacts, "SELECT id FROM typed WHER id = 1", out, shown, 'syntax error at or near "id"')
    assert_fails_cleanly(pg_contacts, "SELECT * FROM customers", out, shown, 'relation "customers" does not exist')
    message = assert_fails_cleanly(pg_contacts, "SELECT nope FROM typed", out, 'column "nope" does not exist')
    assert PASSWORD not in message
    assert_fails_cleanly(postgres.url(database="nodb"), "SELECT 1", out, 'database "nodb" does not exist')


def test_postgres_update_is_refused_and_never_run(pg_contacts: str, tmp_path: Path) -> None:
    out = tmp_path / "query.csv"
    assert_fails_cleanly(
        pg_contacts,
        "UPDATE typed SET note = 'gone'",
        out,
        "failed: UPDATE returns no rows to import (the query must be a SELECT)",
    )
    with psycopg.connect(pg_contacts) as conn:
        assert conn.execute("SELECT count(*) FROM typed WHERE note = 'gone'").fetchone() == (0,)


def test_postgres_unreachable_server(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        url = f"postgresql://importer:{PASSWORD}@127.0.0.1:{port}/contacts"
        message = assert_fails_cleanly(url, "SELECT 1", tmp_path / "q.csv", "cannot connect", "refused")
    assert PASSWORD not in message


def test_postgres_text_as_sent_and_dates_whatever_the_datestyle(pg_contacts: str, tmp_path: Path) -> None:
    # Integers, UUIDs and (under DateStyle ISO) dates come as the server's text; under another DateStyle the
    # server would send 17/05/1990, so dates are then read as dates and written ISO.
    out = tmp_path / "query.csv"
    query = "SELECT born, id, '6F9619FF-8B86-D011-B42D-00C04FC964FF'::uuid AS u FROM typed WHERE id = 1"
    for options in ("", "?options=-c%20DateStyle%3DSQL%2CDMY"):
        write_query_csv(pg_contacts + options, query, out)
        assert read_back(out) == [["born", "id", "u"], ["1990-05-17", "1", "6f9619ff-8b86-d011-b42d-00c04fc964ff"]]


def test_postgres_text_columns_are_written_by_copy_with_the_same_bytes(
    pg_contacts: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Columns all loaded as sent (integers, text, uuids, char(n)): the server writes the CSV. It must read as the
    # file the row-by-row path writes: NULL and '' empty, quotes, commas, line breaks, accents, a trailing ';'.
    with psycopg.connect(pg_contacts, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS plain")
        conn.execute("CREATE TABLE plain (id INTEGER, name TEXT, code CHAR(4), ref UUID, big BIGINT)")
        conn.execute(
            "INSERT INTO plain VALUES (1, %s, 'ab', '6f1c1d2e-0000-4000-8000-000000000001', 34600000001), "
            "(2, '', NULL, NULL, NULL), (3, NULL, 'x', NULL, -5), (4, 'ünï ✓', '', NULL, 0)",
            [TRICKY_TEXT],
        )
    query = 'SELECT id, name AS "Full name", code, ref, big FROM plain ORDER BY id ;'
    copied = tmp_path / "copied.csv"
    calls: list[str] = []
    real_copy = sql_module._copy_csv
    monkeypatch.setattr(sql_module, "_copy_csv", lambda *a: calls.append("copy") or real_copy(*a))
    assert write_query_csv(pg_contacts, query, copied) == 4
    assert calls == ["copy"]
    fetched = tmp_path / "fetched.csv"
    monkeypatch.setattr(sql_module, "_copies_as_utf8", lambda cursor: False)
    assert write_query_csv(pg_contacts, query, fetched) == 4
    assert read_back(copied) == read_back(fetched)  # COPY quotes an empty string ("") where csv does not
    assert read_back(copied)[1] == ["1", TRICKY_TEXT, "ab  ", "6f1c1d2e-0000-4000-8000-000000000001", "34600000001"]
