"""What goes where FILE goes, parsed: each kind, its name without secrets, its fingerprint, its results' name."""

from __future__ import annotations

from pathlib import Path

import pytest

from importer.errors import ConfigError
from importer.sources.spec import DB_URL_ENV, google_export_url, parse_input, url_file_name
from importer.sources.urls import redact_db_url, redact_url


def test_a_path_is_a_local_file_with_todays_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = parse_input("contacts.csv")
    assert spec.kind == "file" and spec.is_local and spec.path == Path("contacts.csv")
    # The state files written before there were other inputs remember the resolved path: they still match.
    assert spec.fingerprint() == str((tmp_path / "contacts.csv").resolve())
    assert parse_input(tmp_path / "a.xlsx").path == tmp_path / "a.xlsx"
    # A Path is a local file whatever it looks like; file:// URLs are local paths too.
    assert parse_input(Path("-")).kind == "file"
    assert parse_input("file:///data/My%20contacts.csv").path == Path("/data/My contacts.csv")


def test_a_dash_is_standard_input() -> None:
    spec = parse_input("-")
    assert (spec.kind, spec.name, spec.redacted) == ("stdin", "stdin", "standard input")
    assert spec.fingerprint() == "standard input"


def test_an_http_url_is_named_and_remembered_without_its_secrets() -> None:
    url = "https://alice:hunter2@files.example.com:8443/exports/contacts.csv?X-Amz-Signature=SECRET&x=1#frag"
    spec = parse_input(url)
    assert spec.kind == "http" and spec.location == url  # fetched as given
    assert spec.redacted == "https://alice@files.example.com:8443/exports/contacts.csv"  # a user name is no secret
    assert spec.fingerprint() == spec.redacted
    assert spec.name == "contacts.csv"  # results: ./contacts.results.csv
    for shown in (spec.redacted, spec.fingerprint(), spec.name):
        assert "hunter2" not in shown and "SECRET" not in shown


@pytest.mark.parametrize(
    ("url", "kind"),
    [("sftp://user@host/in/c.csv", "remote"), ("s3://bucket/c.csv", "remote"), ("gs://b/c.xlsx", "remote")],
)
def test_other_schemes_go_to_fsspec(url: str, kind: str) -> None:
    spec = parse_input(url)
    assert spec.kind == kind and spec.location == url and spec.redacted == url  # nothing secret in these


def test_a_google_sheets_link_reads_its_csv_export() -> None:
    link = "https://docs.google.com/spreadsheets/d/1AbC-dEf_ghIJKlmnop/edit#gid=123456"
    spec = parse_input(link)
    assert spec.location == "https://docs.google.com/spreadsheets/d/1AbC-dEf_ghIJKlmnop/export?format=csv&gid=123456"
    assert spec.name == "sheet-1AbC-dEf-123456.csv"
    # The first tab: gid 0, also when the link names none.
    export, name = google_export_url("https://docs.google.com/spreadsheets/d/XYZ/edit?usp=sharing") or ("", "")
    assert export.endswith("/d/XYZ/export?format=csv&gid=0") and name == "sheet-XYZ.csv"
    assert google_export_url("https://docs.google.com/document/d/XYZ/edit") is None
    assert google_export_url("https://example.com/spreadsheets/d/XYZ/edit") is None


def test_redaction() -> None:
    assert redact_url("https://u:p@h/a/b.csv?sig=1") == "https://u@h/a/b.csv"
    assert redact_url("http://[::1]:8080/x?y") == "http://[::1]:8080/x"
    assert redact_url("s3://bucket/key.csv?versionId=3") == "s3://bucket/key.csv"
    assert redact_db_url("postgresql+psycopg://app:s3cr3t@db.example.com:5432/crm?sslpassword=x") == (
        "postgresql+psycopg://app:***@db.example.com:5432/crm"
    )
    assert redact_db_url("mysql://:onlypw@host/db") == "mysql://host/db"
    assert redact_db_url("sqlite:////var/data/crm.db") == "sqlite:////var/data/crm.db"
    assert redact_db_url("not a url with a secret") == "<database URL>"


def test_url_file_names() -> None:
    assert url_file_name("https://h/exports/contacts.csv?x=1") == "contacts.csv"
    assert url_file_name("https://h/api/export/") == "export"
    assert url_file_name("https://h/") == "input"
    assert url_file_name("https://h/a%20b%2Fc.csv") == "c.csv"  # an encoded slash cannot climb out of the folder
    assert url_file_name("https://h/..") == "input"


def test_a_query_is_an_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    spec = parse_input(None, db="postgresql://app:s3cr3t@db/crm", query="SELECT name, phone FROM customers")
    assert (spec.kind, spec.name, spec.query) == ("sql", "query", "SELECT name, phone FROM customers")
    assert spec.redacted == "postgresql://app:***@db/crm"
    fingerprint = spec.fingerprint()
    assert fingerprint.startswith("postgresql://app@db/crm query sha256:") and "s3cr3t" not in fingerprint
    # Another query is another input; the same query from a file is the same one.
    assert parse_input(None, db="postgresql://app@db/crm", query="SELECT 1").fingerprint() != fingerprint
    sql = tmp_path / "q.sql"
    sql.write_text("SELECT name, phone FROM customers", encoding="utf-8")
    assert parse_input(None, db="postgresql://app@db/crm", query_file=sql).fingerprint() == fingerprint
    # The database URL from the environment.
    monkeypatch.setenv(DB_URL_ENV, "sqlite:///crm.db")
    assert parse_input(None, query="SELECT 1").location == "sqlite:///crm.db"


def test_what_makes_no_sense_is_one_line_without_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    db = "postgresql://app:s3cr3t@db/crm"
    cases = {
        "give one of them, not both": {"db": db, "query": "SELECT 1", "query_file": "q.sql"},
        "--query needs --db": {"query": "SELECT 1"},
        "--db needs --query": {"db": db},
        "no input: give FILE": {},
        "--query is empty": {"db": db, "query": "  "},
        "--db: not a database URL": {"db": "s3cr3t", "query": "SELECT 1"},
    }
    for message, given in cases.items():
        with pytest.raises(ConfigError, match=message) as info:
            parse_input(None, **given)
        assert "s3cr3t" not in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="give FILE or --query, not both"):
        parse_input("c.csv", db=db, query="SELECT 1")
    with pytest.raises(ConfigError, match="no such query file"):
        parse_input(None, db=db, query_file="/nonexistent/q.sql")


def test_a_database_url_in_the_environment_does_not_break_a_file_import(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command's --db reads IMPORTER_DB_URL: a nightly job's variable must not make `importer import c.csv`
    # fail with "--db needs --query".
    monkeypatch.setenv(DB_URL_ENV, "sqlite:///crm.db")
    assert parse_input("c.csv", db="sqlite:///crm.db").kind == "file"
    with pytest.raises(ConfigError, match="--db needs --query"):
        parse_input("c.csv", db="sqlite:///other.db")
