"""What the run writes as it goes, in the run's language: a failed row's error cell, the warning of rows merged by
`--duplicates merge`, the reason `--on-missing` was held back, the webhook's line and the notification warnings.
Each is written in the language of `lang` when it is written (the state file and the results hold the text), while
what machines read (statuses, summary.json, the webhook's JSON fields) stays English."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import httpx
import pytest

from importer import import_file
from importer.i18n.translator import Translator
from importer.notify.notifier import Notifier, NotifySettings
from importer.notify.outcome import Outcome

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_failed_rows_error_is_in_the_runs_language(sandbox, tmp_path: Path) -> None:
    existing = httpx.post(
        f"{sandbox.base_url}/contacts",
        json={"identifier": "34612345678", "source": "whatsapp", "name": "Ana"},
        headers=sandbox.headers,
    ).json()["contact"][0]
    file = write(tmp_path / "contatos.csv", [["Nome", "Telefone"], ["Ana Ruiz", "+34 612 34 56 78"]])
    out = tmp_path / "contatos.results.csv"
    report = import_file(
        file, account_file=ACCOUNT, token=sandbox.token, base_url=sandbox.base_url, results=out,
        on_existing="fail", lang="pt", workers=1,
    )  # fmt: skip
    [row] = results(out)
    assert (row["status"], row["uuid"]) == ("failed", existing["uuid"])  # the status word stays
    assert row["error"] == "já está na conta (--on-existing fail)"
    assert results(report.errors_path)[0]["error"] == "já está na conta (--on-existing fail)"
    # summary.json's groups stay English: the failed group is the row's cell, as the state file holds it.
    summary = json.loads(report.summary_path.read_text(encoding="utf-8"))
    assert summary["counts"] == {"failed": 1}


def test_merged_rows_say_so_in_the_runs_language(tmp_path: Path) -> None:
    file = write(
        tmp_path / "kontakte.csv",
        [
            ["Name", "Phone", "Tags", "Orders"],
            ["Ana Ruiz", "+34 612 34 56 78", "VIP", "1"],
            ["Luis Gómez", "+34 612 34 56 79", "Lead", "1"],
            ["Ana Ruiz", "+34 612 34 56 78", "Lead", "2"],
        ],
    )
    out = tmp_path / "kontakte.results.csv"
    report = import_file(
        file, account_file=ACCOUNT, results=out, dry_run=True, duplicates="merge", lang="de", workers=1
    )
    rows = {int(r["row"]): r for r in results(out)}
    assert [rows[n]["status"] for n in (2, 3, 4)] == ["valid", "valid", "merged"]
    assert rows[2]["warning"] == (
        "mit Zeile 4 zusammengeführt (gleiche Telefonnummer); Orders: '1' behalten, '2' aus Zeile 4 verworfen"
    )
    assert rows[4]["warning"] == "in Zeile 2 zusammengeführt"
    # The grouped problem keeps its English message in summary.json, and reads German in the report.
    summary = json.loads(report.summary_path.read_text(encoding="utf-8"))
    assert "different values for the same phone: the first row's kept" in {p["message"] for p in summary["problems"]}
    page = report.report_path.read_text(encoding="utf-8")
    assert "unterschiedliche Werte für dieselbe Telefonnummer" in page


def test_on_missing_held_back_is_told_in_the_runs_language(sandbox, tmp_path: Path) -> None:
    def night(numbers: range, **options: object):  # type: ignore[no-untyped-def]
        rows = [["Name", "Phone"], *([f"Persona {n}", f"+34 6000000{n:02d}"] for n in numbers)]
        return import_file(
            write(tmp_path / "c.csv", rows), account_file=ACCOUNT, token=sandbox.token, base_url=sandbox.base_url,
            results=tmp_path / "r.csv", workers=1, **options,
        )  # fmt: skip

    assert night(range(10)).exit_code == 0
    report = night(range(4, 10), on_missing="tag:Call back", max_missing="1", lang="es")
    assert report.exit_code == 1
    spanish = (
        "faltan 4 de los 10 contactos conocidos por este proceso (40,0\u00a0%), más de lo que permite --max-missing 1"
        " (1): no se eliminó nada; revise la entrada o aumente --max-missing para una ejecución"
    )
    assert Translator.for_lang("es").render(report.missing["held_back"]) == spanish
    summary = json.loads(report.summary_path.read_text(encoding="utf-8"))  # English, as machines read it
    assert summary["missing"]["held_back"].startswith("4 of the 10 contacts this job knows are missing (40.0%)")
    assert spanish.replace("\u00a0", "&nbsp;") in report.report_path.read_text(encoding="utf-8").replace(
        "\u00a0", "&nbsp;"
    )


def test_the_webhook_line_is_in_the_runs_language() -> None:
    outcome = Outcome(
        input="/data/contacts.csv",
        exit_code=1,
        counts={"created": 9985, "failed": 3, "invalid": 12},
        problems={"invalid": 12, "failed": 3},
        report="/data/contacts.results.report.html",
        lang="fr",
    )
    assert outcome.text == (
        "importer: contacts.csv — 3 failed, 12 invalid sur 10\u202f000 lignes (sortie 1)\u00a0;"
        " rapport\u00a0: /data/contacts.results.report.html"
    )
    stopped = Outcome(input="/d/c.csv", exit_code=143, dry_run=True, lang="it")
    assert (
        stopped.text
        == "importer (simulazione): c.csv — interrotto da SIGTERM prima di inviare qualsiasi cosa (uscita 143)"
    )
    payload = outcome.payload()  # the machine fields are the same in every language; `text` is the line
    assert payload["status"] == "rows_failed" and payload["text"] == outcome.text and payload["counts"]["failed"] == 3


def test_a_failed_notification_is_a_warning_in_the_runs_language(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 9 of this machine: the webhook cannot be reached.
    notifier = Notifier(NotifySettings(webhooks=("http://127.0.0.1:9/hook/secret",), lang="pt"))
    with caplog.at_level(logging.WARNING, logger="importer"):
        notifier.finish(Outcome(input="/d/c.csv", exit_code=1, counts={"invalid": 1}, problems={"invalid": 1}))
    [warning] = [r.getMessage() for r in caplog.records if r.name.startswith("importer")]
    assert warning.startswith("não foi possível notificar: webhook http://127.0.0.1:9/…: ")
    assert warning.endswith("(o resultado da execução não muda)") and "secret" not in warning
