"""What the input sources, the config file and the run's summary say, in the run's language: an HTTP error of a URL
input in Portuguese (the redacted URL and the protocol's status words kept), a query without a database in Spanish,
a config mistake in Italian, the terminal's counts in German and French (English byte for byte as before), and the
report's column mapping naming its targets in Portuguese while summary.json keeps them in English."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from http_files import file_server

from importer.commands._status_counts import status_count
from importer.errors import ConfigError, InputError
from importer.i18n.translator import Translator
from importer.mapping.config import load_mapping_config
from importer.sources.sql import write_query_csv

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
ROWS = [
    ["Nome", "Telefone", "Etiquetas"],
    ["Ana Souza", "+55 11 91234 5678", "VIP"],
    ["Bruno Lima", "+55 11 91234 5679", ""],
    ["Carla Dias", "123", ""],
    ["Ana de novo", "+55 11 91234 5678", ""],
]


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    for name in ("CALLBELL_API_TOKEN", "IMPORTER_DB_URL"):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "importer", *args], capture_output=True, text=True, env=clean | env, timeout=120
    )


def contacts(tmp_path: Path) -> Path:
    path = tmp_path / "contatos.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(ROWS)
    return path


def test_an_http_404_is_said_in_portuguese_without_the_urls_secret(tmp_path: Path) -> None:
    with file_server() as server:
        server.serve("/exports/contatos.csv", b"not here", status=404)
        url = server.url("/exports/contatos.csv?X-Amz-Signature=SEGREDO")
        proc = cli("validate", url, "-a", str(ACCOUNT), "-o", str(tmp_path), "--no-progress", "--lang", "pt")
    assert proc.returncode == 2, proc.stderr
    shown = url.split("?")[0]
    assert proc.stderr.strip() == f"importer: error: {shown}: o servidor respondeu HTTP 404 Not Found"
    assert "SEGREDO" not in proc.stderr + proc.stdout


def test_a_query_without_a_database_is_said_in_spanish() -> None:
    proc = cli("validate", "--query", "SELECT name, phone FROM contacts", "-a", str(ACCOUNT), "--lang", "es")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        "importer: error: --query necesita --db URL (o IMPORTER_DB_URL), la base de datos en la que ejecutarla"
    )
    english = cli("validate", "--query", "SELECT 1", "-a", str(ACCOUNT), "--lang", "en")
    assert english.stderr.strip() == (
        "importer: error: --query needs --db URL (or IMPORTER_DB_URL), the database to run it on"
    )


def test_a_database_error_keeps_the_drivers_words_and_hides_the_password(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    import sqlite3

    sqlite3.connect(db).close()
    with pytest.raises(InputError) as caught:
        write_query_csv(f"sqlite:///{db}", "SELECT * FROM clientes", tmp_path / "out.csv")
    said = Translator.for_lang("fr").render(caught.value.args[0])
    assert said == f"sqlite:///{db} : la requête a échoué : no such table: clientes"  # SQLite's own words
    assert str(caught.value) == f"sqlite:///{db}: the query failed: no such table: clientes"
    with pytest.raises(InputError) as missing:
        write_query_csv("postgresql://app:s3cret@127.0.0.1:1/crm", "SELECT 1", tmp_path / "out.csv")
    de = Translator.for_lang("de").render(missing.value.args[0])
    assert de.startswith("postgresql://app:***@127.0.0.1:1/crm: keine Verbindung möglich: ") and "s3cret" not in de


def test_a_config_mistake_is_said_in_italian(tmp_path: Path) -> None:
    config = tmp_path / "job.toml"
    config.write_text('[columns]\n"Telefone" = "telephone"\n[options]\nsettle = -1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mapping_config(config)
    it = Translator.for_lang("it").render(caught.value.args[0])
    assert it.startswith(f"{config}: [columns] \"Telefone\": destinazione sconosciuta 'telephone'; previste: name")
    config.write_text("[options]\nsettle = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as low:
        load_mapping_config(config)
    assert str(low.value) == f"{config}: [options] settle: must be at least 0, got -1"
    assert (
        Translator.for_lang("it").render(low.value.args[0])
        == f"{config}: [options] settle: deve essere almeno 0, non -1"
    )


def test_the_terminal_counts_each_status_in_the_language_and_english_is_unchanged(tmp_path: Path) -> None:
    runs = {}
    for lang in ("en", "pt", "de"):
        out = tmp_path / lang
        out.mkdir()
        proc = cli("validate", str(contacts(tmp_path)), "-a", str(ACCOUNT), "-o", str(out), "--no-progress",
                   "--lang", lang)  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        runs[lang] = (proc.stdout, out)
    assert "Dry run: 2 valid, 1 duplicate, 1 invalid in " in runs["en"][0]
    assert "Simulação: 2 prontos, 1 duplicado, 1 a corrigir em " in runs["pt"][0]
    assert "Testlauf: 2 bereit, 1 Duplikat, 1 zu korrigieren in " in runs["de"][0]
    # The files keep the machine words: the same status column and counts whatever the language.
    for lang in ("pt", "de"):
        with (runs[lang][1] / "contatos.results.csv").open(encoding="utf-8-sig", newline="") as fh:
            statuses = [row["status"] for row in csv.DictReader(fh)]
        assert statuses == ["valid", "valid", "invalid", "duplicate"]


@pytest.mark.parametrize(
    ("lang", "status", "n", "said"),
    [("en", "would_delete", 1, "1 would_delete"), ("en", "created", 1234, "1,234 created"),
     ("fr", "would_delete", 1, "1 serait supprimé"), ("fr", "would_delete", 2, "2 seraient supprimés"),
     ("es", "created", 1, "1 creado"), ("es", "created", 1234, "1.234 creados"), ("it", "failed", 3, "3 non riusciti"),
     ("de", "duplicate", 1, "1 Duplikat"), ("pt", "no_such_status", 2, "2 no_such_status")],
)  # fmt: skip
def test_a_status_count_takes_the_languages_plural(lang: str, status: str, n: int, said: str) -> None:
    assert Translator.for_lang(lang).render(status_count(status, n)) == said


def test_the_reports_column_mapping_names_the_targets_in_portuguese(tmp_path: Path) -> None:
    proc = cli("validate", str(contacts(tmp_path)), "-a", str(ACCOUNT), "-o", str(tmp_path), "--no-progress",
               "--lang", "pt")  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    page = (tmp_path / "contatos.results.report.html").read_text(encoding="utf-8")
    table = page[page.index('<table id="mapping-used">') :]
    table = table[: table.index("</table>")]
    assert "<td>nome</td>" in table and "<td>telefone</td>" in table and "<td>etiquetas</td>" in table
    summary = json.loads((tmp_path / "contatos.results.summary.json").read_text(encoding="utf-8"))
    assert summary["mapping"]["used"] == [
        {"column": "Nome", "target": "name"},
        {"column": "Telefone", "target": "phone"},
        {"column": "Etiquetas", "target": "tags"},
    ]
