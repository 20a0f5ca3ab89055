"""End to end: `importer validate` and `import` reading a URL (from a real HTTP server on loopback), standard
input and a SQLite query; the snapshot each run reads, a resumed run reading it again, and the secrets of URLs
and database URLs kept out of every output."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from http_files import FileServer, file_server
from inproc import run_importer
from remote_servers import s3_server_fixture, sftp_server_fixture  # noqa: F401  (fixtures)
from test_import import ACCOUNT, EXPECTED, SAMPLE_CSV, SAMPLE_XLSX, read_results

from importer import validate_file
from importer.state.ledger import Ledger

SECRET = "SIG-5ecret-9f8e7d"
SMALL = b"Name,Phone,Tags\nAna,+34 612 34 56 78,vip\nLuis,+34 612 34 56 79,\n"


@pytest.fixture
def server() -> Iterator[FileServer]:
    with file_server() as running:
        yield running


def importer(
    *args: str, cwd: Path, sandbox=None, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CALLBELL_", "IMPORTER_"))}
    extra = ["--base-url", sandbox.base_url] if sandbox is not None else []
    if sandbox is not None:
        base["CALLBELL_API_TOKEN"] = sandbox.token
    return run_importer(
        [*args, "-a", str(ACCOUNT), "--no-progress", *extra],
        input=stdin if stdin is not None else b"",
        env={**base, **(env or {})},
        cwd=cwd,
    )


def written(folder: Path) -> str:
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file())


def statuses(path: Path) -> list[tuple[str, str, str]]:
    return [(r["row"], r["status"], r["identifier"]) for r in read_results(path)]


def test_validate_a_url_copies_it_beside_results_named_after_it(server: FileServer, tmp_path: Path) -> None:
    url = server.serve("/exports/contacts.csv", SAMPLE_CSV.read_bytes())
    proc = importer("validate", f"{url}?sig={SECRET}", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the sample has rows to fix
    # Results in the current folder, named after the URL's file; the rows read are those of the snapshot.
    snapshot = tmp_path / "contacts.results.input.csv"
    assert snapshot.read_bytes() == SAMPLE_CSV.read_bytes()
    assert len(read_results(tmp_path / "contacts.results.csv")) == EXPECTED["rows"]
    local = importer("validate", str(SAMPLE_CSV), "-o", str(tmp_path / "local.csv"), cwd=tmp_path)
    assert statuses(tmp_path / "contacts.results.csv") == statuses(tmp_path / "local.csv"), local.stderr
    # The report names the input, without its query string, and says where the copy that was read is.
    assert f"from {url})." in proc.stdout and "Input copy: contacts.results.input.csv\n" in proc.stdout
    summary = json.loads((tmp_path / "contacts.results.summary.json").read_text(encoding="utf-8"))
    assert summary["source"].endswith(f", from {url}")
    assert (summary["file"], summary["snapshot"]) == (url, "contacts.results.input.csv")
    page = (tmp_path / "contacts.results.report.html").read_text(encoding="utf-8")
    assert f"<title>Dry run report: {url} (" in page and f"<h1>{url}</h1>" in page
    assert "Copy of the input that was read: contacts.results.input.csv" in page
    assert SECRET not in proc.stdout + proc.stderr + written(tmp_path)
    # A local file is named by its path, and has no copy.
    local_summary = json.loads((tmp_path / "local.summary.json").read_text(encoding="utf-8"))
    assert (local_summary["file"], local_summary["snapshot"]) == (str(SAMPLE_CSV), None)
    assert "Input copy" not in local.stdout


def test_a_workbook_behind_a_redirect(server: FileServer, tmp_path: Path) -> None:
    server.serve("/download", SAMPLE_XLSX.read_bytes(), content_type="application/octet-stream")
    url = server.redirect("/latest", f"/download?X-Amz-Signature={SECRET}")
    proc = importer("validate", url, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "latest.results.input.xlsx").read_bytes() == SAMPLE_XLSX.read_bytes()
    importer("validate", str(SAMPLE_CSV), "-o", str(tmp_path / "local.csv"), cwd=tmp_path)
    assert statuses(tmp_path / "latest.results.csv") == statuses(tmp_path / "local.csv")
    assert server.requests == ["/latest", f"/download?X-Amz-Signature={SECRET}"]
    assert SECRET not in proc.stdout + proc.stderr + written(tmp_path)


@pytest.mark.parametrize(
    ("route", "extra", "said"),
    [
        ("/missing.csv", (), "the server answered HTTP 404 Not Found"),
        ("/broken.csv", (), "the server answered HTTP 500 Internal Server Error"),
        ("/slow.csv", ("--timeout", "0.5"), "no answer within 0.5s (--timeout)"),
    ],
)
def test_a_url_that_fails_is_one_line_and_sends_nothing(
    sandbox, server: FileServer, tmp_path: Path, route: str, extra: tuple[str, ...], said: str
) -> None:
    server.serve("/broken.csv", b"oops", status=500)
    server.hold("/slow.csv")
    proc = importer("import", server.url(f"{route}?token={SECRET}"), *extra, cwd=tmp_path, sandbox=sandbox)
    assert proc.returncode == 2
    assert proc.stderr == f"importer: error: {server.url(route)}: {said}\n"
    assert proc.stdout == "" and list(tmp_path.iterdir()) == []  # no results, no snapshot, no state
    assert sandbox.contacts() == []


def test_what_stops_a_url_names_it_and_for_a_row_or_sheet_its_copy(server: FileServer, tmp_path: Path) -> None:
    # Not the snapshot's name alone: the person fixes the input; the copy is where the row can be looked at.
    no_phone = b"Name,Email\nAna,ana@example.com\n"
    cases = [
        ("/people.csv", no_phone, (), "{url}: no phone column (columns found: 'Name', 'Email')"),
        ("/quote.csv", b'Name,Phone\nAna,"+34 612\nLuis,+34 612 34 56 79\n', (),
         "{url} (copy: quote.results.input.csv): row 2: a quote opened on this row is never closed"),
        ("/book", SAMPLE_XLSX.read_bytes(), ("--sheet", "Nope"),
         "{url} (copy: book.results.input.xlsx): no sheet 'Nope'"),
    ]  # fmt: skip
    for route, body, extra, said in cases:
        url = server.serve(route, body)
        proc = importer("validate", f"{url}?sig={SECRET}", *extra, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("importer: error: " + said.format(url=url)), proc.stderr
        assert len(proc.stderr.splitlines()) == 1 and proc.stdout == ""
        assert SECRET not in proc.stderr + written(tmp_path)
    # Standard input and a query are named so too.
    stdin = importer("validate", "-", cwd=tmp_path, stdin=no_phone)
    assert stdin.stderr == "importer: error: standard input: no phone column (columns found: 'Name', 'Email')\n"
    db = f"sqlite:///{crm_database(tmp_path / 'crm.db')}"
    query = importer("validate", "--db", db, "--query", "SELECT full_name AS Name FROM customers", cwd=tmp_path)
    assert query.stderr == f"importer: error: {db} query: no phone column (columns found: 'Name')\n"


def test_import_a_url_and_resume_from_its_snapshot(sandbox, server: FileServer, tmp_path: Path) -> None:
    url = server.serve("/contacts.csv", SMALL)
    first = importer("import", url, cwd=tmp_path, sandbox=sandbox)
    assert first.returncode == 0, first.stderr
    assert [r["status"] for r in read_results(tmp_path / "contacts.results.csv")] == ["created", "created"]
    # The run is made unfinished, as an interrupted one leaves it; tonight's export has changed meanwhile.
    with Ledger.open(tmp_path / "contacts.results.state.db") as ledger:
        ledger.set_meta("run_finished", "0")
    server.serve("/contacts.csv", SMALL + b"Marta,+34 612 34 56 80,\n")
    asked = len(server.requests)
    resumed = importer("import", url, cwd=tmp_path, sandbox=sandbox)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resumed an interrupted run" in resumed.stdout and "read its snapshot" in resumed.stdout
    assert len(server.requests) == asked  # the input was not fetched again
    assert [r["Name"] for r in read_results(tmp_path / "contacts.results.csv")] == ["Ana", "Luis"]
    assert len(sandbox.contacts()) == 2
    # Finished now: the next run reads tonight's export.
    nightly = importer("import", url, cwd=tmp_path, sandbox=sandbox)
    assert nightly.returncode == 0, nightly.stderr
    rows = read_results(tmp_path / "contacts.results.csv")
    assert [(r["Name"], r["status"]) for r in rows] == [("Ana", "skipped"), ("Luis", "skipped"), ("Marta", "created")]
    assert (tmp_path / "contacts.results.input.csv").read_bytes().endswith(b"Marta,+34 612 34 56 80,\n")


def test_standard_input(tmp_path: Path) -> None:
    proc = importer("validate", "-", cwd=tmp_path, stdin=SAMPLE_CSV.read_bytes())
    assert proc.returncode == 1, proc.stderr
    assert "from standard input)." in proc.stdout
    summary = json.loads((tmp_path / "stdin.results.summary.json").read_text(encoding="utf-8"))
    assert (summary["file"], summary["snapshot"]) == ("standard input", "stdin.results.input.csv")
    assert (tmp_path / "stdin.results.input.csv").read_bytes() == SAMPLE_CSV.read_bytes()
    importer("validate", str(SAMPLE_CSV), "-o", str(tmp_path / "local.csv"), cwd=tmp_path)
    assert statuses(tmp_path / "stdin.results.csv") == statuses(tmp_path / "local.csv")
    # A workbook on standard input, named by --format.
    book = importer("validate", "-", "--format", "xlsx", "-o", "book.csv", cwd=tmp_path, stdin=SAMPLE_XLSX.read_bytes())
    assert book.returncode == 1, book.stderr
    assert (tmp_path / "book.input.xlsx").read_bytes() == SAMPLE_XLSX.read_bytes()


def crm_database(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER, full_name TEXT, mobile INTEGER, segment TEXT)")
        connection.executemany(
            "INSERT INTO customers VALUES (?, ?, ?, ?)",
            [(1, "Ana", 34612345678, "vip"), (2, "Luis", 34612345679, None), (3, "Nadie", None, None)],
        )
    connection.close()
    return path


QUERY = "SELECT full_name AS Name, mobile AS Phone, segment AS Tags FROM customers ORDER BY id"


def test_import_a_sqlite_query(sandbox, tmp_path: Path) -> None:
    db = f"sqlite:///{crm_database(tmp_path / 'crm.db')}"
    proc = importer("import", "--db", db, "--query", QUERY, cwd=tmp_path, sandbox=sandbox)
    assert proc.returncode == 1, proc.stderr  # Nadie has no phone
    rows = read_results(tmp_path / "query.results.csv")
    assert [(r["Name"], r["status"], r["identifier"]) for r in rows] == [
        ("Ana", "created", "34612345678"), ("Luis", "created", "34612345679"), ("Nadie", "invalid", ""),
    ]  # fmt: skip
    assert (tmp_path / "query.results.input.csv").read_text(encoding="utf-8").splitlines()[:2] == [
        "Name,Phone,Tags", "Ana,34612345678,vip",
    ]  # fmt: skip
    assert f"from {db} query)." in proc.stdout and len(sandbox.contacts()) == 2
    summary = json.loads((tmp_path / "query.results.summary.json").read_text(encoding="utf-8"))
    assert (summary["file"], summary["snapshot"]) == (f"{db} query", "query.results.input.csv")
    # The database URL from IMPORTER_DB_URL and the query from a file: the same input, so the same state.
    (tmp_path / "q.sql").write_text(QUERY, encoding="utf-8")
    again = importer("import", "--query-file", "q.sql", cwd=tmp_path, sandbox=sandbox, env={"IMPORTER_DB_URL": db})
    assert again.returncode == 1, again.stderr
    assert [r["status"] for r in read_results(tmp_path / "query.results.csv")] == ["skipped", "skipped", "invalid"]
    # Another query is another input: its results cannot go to the same place.
    other = importer("import", "--db", db, "--query", "SELECT 1 AS Name", cwd=tmp_path, sandbox=sandbox)
    assert other.returncode == 2 and "belongs to another import" in other.stderr
    assert "Ana,34612345678,vip" in (tmp_path / "query.results.input.csv").read_text(encoding="utf-8")  # kept


def test_a_database_password_appears_nowhere(tmp_path: Path) -> None:
    # Nothing listens on port 9: the connection fails, and its message must not carry the password.
    db = f"postgresql://app:{SECRET}@127.0.0.1:9/crm"
    for how in (["--db", db], []):
        proc = importer(
            "validate", *how, "--query", "SELECT 1", "--log-format", "json", cwd=tmp_path,
            env={"IMPORTER_DB_URL": db},
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.splitlines()) == 1, proc.stderr
        assert "postgresql://app" in proc.stderr and "127.0.0.1:9/crm" in proc.stderr
        assert SECRET not in proc.stdout + proc.stderr + written(tmp_path)
    # --help shows no value of IMPORTER_DB_URL, and a usage mistake does not echo it either.
    for args in (["import", "--help"], ["import", "c.csv", "--query", "SELECT 1"]):
        proc = subprocess.run(
            [sys.executable, "-m", "importer", *args], capture_output=True, text=True,
            env={**os.environ, "IMPORTER_DB_URL": db},
        )  # fmt: skip
        assert SECRET not in proc.stdout + proc.stderr


def test_the_python_api_takes_urls_and_queries(server: FileServer, tmp_path: Path) -> None:
    url = server.serve("/contacts.csv", SMALL)
    report = validate_file(f"{url}?sig={SECRET}", account_file=ACCOUNT, results=tmp_path / "web.csv")
    assert dict(report.counts) == {"valid": 2} and str(report.source).endswith(f", from {url}")
    # `file` names the input as given (without its secrets), `snapshot` the copy the rows were read from.
    assert (report.file, report.snapshot) == (url, tmp_path / "web.input.csv")
    db = f"sqlite:///{crm_database(tmp_path / 'crm.db')}"
    report = validate_file(db=db, query=QUERY, account_file=ACCOUNT, results=tmp_path / "sql.csv")
    assert dict(report.counts) == {"valid": 2, "invalid": 1}
    assert (report.file, report.snapshot) == (f"{db} query", tmp_path / "sql.input.csv")
    assert (tmp_path / "sql.input.csv").is_file()


# --- SFTP and S3 through the command: the servers of tests/remote_servers.py ---------------------------------


def test_import_from_sftp(sandbox, sftp_server, tmp_path: Path) -> None:
    (sftp_server.root / "exports").mkdir()
    (sftp_server.root / "exports" / "contacts.xlsx").write_bytes(SAMPLE_XLSX.read_bytes())
    # The importer finds its key and known_hosts where ssh does: the HOME the server's fixture made.
    proc = importer("import", sftp_server.url("exports/contacts.xlsx"), cwd=tmp_path, sandbox=sandbox,
                    env=sftp_server.env)  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the sample has rows to fix; the others are created
    assert (tmp_path / "contacts.results.input.xlsx").read_bytes() == SAMPLE_XLSX.read_bytes()
    created = [r for r in read_results(tmp_path / "contacts.results.csv") if r["status"] == "created"]
    assert len(created) == EXPECTED["valid"] and len(sandbox.contacts()) == EXPECTED["valid"]


def test_import_from_s3_and_a_missing_key(sandbox, s3_server, tmp_path: Path) -> None:
    url = s3_server.put("crm-exports", "nightly/contacts.csv", SMALL)
    proc = importer("import", url, cwd=tmp_path, sandbox=sandbox, env=s3_server.env)
    assert proc.returncode == 0, proc.stderr
    assert statuses(tmp_path / "contacts.results.csv") == [
        ("2", "created", "34612345678"),
        ("3", "created", "34612345679"),
    ]
    missing = importer("import", "s3://crm-exports/nightly/gone.csv", cwd=tmp_path, sandbox=sandbox,
                       env=s3_server.env)  # fmt: skip
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1, missing.stderr
    assert "s3://crm-exports/nightly/gone.csv" in missing.stderr and len(sandbox.contacts()) == 2
