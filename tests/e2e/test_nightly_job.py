"""Issue 18's cron line, whole: `importer import --config nightly.toml` reads a PostgreSQL query, updates what
changed, tags what left the source, holds back a mass removal, pings a dead-man's switch, posts to a chat webhook
on problems and leaves a metrics file — three nights against the sandbox, a real PostgreSQL cluster and a local
receiver standing in for Slack and healthchecks.io."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pg_server import PASSWORD, postgres_url  # noqa: F401  (the fixture)
from prometheus_client.parser import text_string_to_metric_families
from receiver import Receiver
from test_missing import (  # noqa: F401  (fixtures: the sample account with a "Gone" tag)
    _server,  # noqa: F401
    account,
    sandbox,
)

TABLE = "nightly_customers"  # a table of this test's own in the worker's shared cluster


def write_job(folder: Path, sandbox, account: Path, hook: str, ping: str) -> Path:  # noqa: F811
    """The job in one file, as deploy/nightly.toml has it; the database URL comes from IMPORTER_DB_URL."""
    (folder / "customers.sql").write_text(
        f'SELECT full_name AS "Name", mobile AS "Phone" FROM {TABLE} ORDER BY id\n', encoding="utf-8"
    )
    config = folder / "nightly.toml"
    config.write_text(
        f"""query_file = "customers.sql"

[options]
account_file = {json.dumps(str(account))}
base_url = {json.dumps(sandbox.base_url)}
results = "out/customers.results.csv"
on_existing = "update"
on_missing = "tag:Gone"
max_missing = "10%"
notify = [{json.dumps(hook)}]
ping = {json.dumps(ping)}
metrics_file = "metrics/importer.prom"
log_format = "json"
progress = false
""",
        encoding="utf-8",
    )
    (folder / "metrics").mkdir()
    return config


def night(config: Path, db_url: str, token: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CALLBELL_", "IMPORTER_"))}
    env = clean | {"CALLBELL_API_TOKEN": token, "IMPORTER_DB_URL": db_url}
    # The whole cron line, run from another folder: the config's relative paths are its folder's.
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "import", "--config", str(config)],
        capture_output=True, text=True, env=env, cwd="/", timeout=120,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def metrics(path: Path) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        for sample in family.samples:
            labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "input"))
            found[(sample.name, labels)] = sample.value
    return found


def statuses(results: Path) -> dict[str, str]:
    with results.open(encoding="utf-8", newline="") as fh:
        return {row["identifier"]: row["status"] for row in csv.DictReader(fh)}


@pytest.mark.slow
def test_a_nightly_job_in_one_file_from_postgresql(
    tmp_path: Path,
    sandbox,  # noqa: F811
    account: Path,  # noqa: F811
    postgres_url: str,  # noqa: F811
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f"DROP TABLE IF EXISTS {TABLE}")
        db.execute(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, full_name TEXT, mobile BIGINT)")
        # BIGINT phones: the query's values are read as text, digits and never 34622000001.0.
        db.cursor().executemany(
            f"INSERT INTO {TABLE} VALUES (%s, %s, %s)", [(i, f"Cliente {i}", 34622000000 + i) for i in range(1, 21)]
        )
        with Receiver() as hook, Receiver() as ping:
            config = write_job(tmp_path, sandbox, account, hook.url + "/services/T/B/secret", ping.url + "/uuid-1")
            results = tmp_path / "out" / "customers.results.csv"
            prom = tmp_path / "metrics" / "importer.prom"

            # Night 1: every customer created; a good night pings /start and /0 and posts nothing.
            first = night(config, postgres_url, sandbox.token)
            assert first.returncode == 0, first.stderr
            assert set(statuses(results).values()) == {"created"} and len(statuses(results)) == 20
            assert [p.partition("?")[0] for p in ping.paths()] == ["/uuid-1/start", "/uuid-1/0"] and hook.requests == []
            assert (tmp_path / "out" / "customers.results.input.csv").exists()  # the snapshot of what was read
            first_metrics = metrics(prom)
            assert first_metrics[("importer_exit_code", ())] == 0
            assert first_metrics[("importer_rows", (("status", "created"),))] == 20
            succeeded = first_metrics[("importer_last_success_timestamp_seconds", ())]
            assert succeeded > 0

            # Night 2: one customer renamed, one gone from the CRM: one PATCH, one tag.
            db.execute(f"UPDATE {TABLE} SET full_name = 'Cliente Dos' WHERE id = 2")
            db.execute(f"DELETE FROM {TABLE} WHERE id = 20")
            second = night(config, postgres_url, sandbox.token)
            assert second.returncode == 0, second.stderr
            outcome = statuses(results)
            assert outcome["34622000002"] == "updated" and outcome["34622000020"] == "tagged"
            assert list(outcome.values()).count("unchanged") == 18
            contacts = {c["phoneNumber"].lstrip("+"): c for c in sandbox.contacts()}
            assert contacts["34622000002"]["name"] == "Cliente Dos"
            assert "Gone" in contacts["34622000020"]["tags"] and "Gone" not in contacts["34622000001"]["tags"]
            assert hook.requests == []  # still a good night

            # Night 3: a broken export (half the customers gone): every removal held back, exit 1, and someone told.
            db.execute(f"DELETE FROM {TABLE} WHERE id > 10")
            third = night(config, postgres_url, sandbox.token)
            assert third.returncode == 1, third.stderr
            assert "tagged" not in statuses(results).values()
            assert all("Gone" not in c["tags"] for c in sandbox.contacts() if c["phoneNumber"][-2:] in ("11", "15"))
            assert [p.partition("?")[0] for p in ping.paths()[-2:]] == ["/uuid-1/start", "/uuid-1/1"]
            [post] = hook.requests
            assert post.json["exit_code"] == 1 and post.json["text"]
            third_metrics = metrics(prom)
            assert third_metrics[("importer_exit_code", ())] == 1
            assert third_metrics[("importer_last_success_timestamp_seconds", ())] >= succeeded  # kept from night 2

    # Secrets: the database password and the webhook's path appear in nothing the runs wrote or printed.
    written = "".join(p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*") if p.is_file()
                      and p.suffix in {".csv", ".json", ".html", ".prom"})  # fmt: skip
    for proc in (first, second, third):
        written += proc.stdout + proc.stderr
    assert PASSWORD not in written and "/services/T/B/secret" not in written
