"""The commands in a language other than English: an error line (from --lang, the locale alone, a --config's
lang, and the crash guard's), `importer undo`'s summaries, `importer account pull`'s summary and the comments
it writes into the account file; JSON log lines stay English."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from inproc import run_importer
from test_delivery import ACCOUNT, env_with, make_csv, run_import

from importer.account.model import load_account
from importer.commands.cli import cli


def plain_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    env = {k: v for k, v in env.items() if not k.startswith("CALLBELL_")}
    return env | extra


def validate(tmp_path: Path, *args: str, **env: str):  # type: ignore[no-untyped-def]
    file = make_csv(tmp_path / "c.csv", 2)
    command = ["validate", str(file), "-o", str(tmp_path / "out.csv"), "--no-progress", *args]
    return run_importer(command, env=plain_env(**env))


def test_an_error_line_in_the_language_of_lang_and_of_the_locale(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-account.toml"
    es = validate(tmp_path, "-a", str(missing), "--lang", "es", LANG="de_DE.UTF-8")  # --lang wins
    assert es.returncode == 3, es.stderr
    assert es.stderr == (
        f"importer: error: {missing}: no existe el archivo de cuenta: cree uno con "
        f"`importer account pull -o {missing}`\n"
    )
    pt = validate(tmp_path, "-a", str(missing), LANG="pt_BR.UTF-8")  # the locale alone
    assert pt.returncode == 3 and pt.stderr.startswith(f"importer: error: {missing}: o arquivo de conta não existe")
    en = validate(tmp_path, "-a", str(missing), LANG="C.UTF-8")
    assert en.stderr.startswith(f"importer: error: {missing}: no such account file: write one with ")
    # --log-format json: a scheduler reads English, whatever the language.
    logged = validate(tmp_path, "-a", str(missing), "--lang", "fr", "--log-format", "json")
    assert json.loads(logged.stderr)["message"].startswith(f"{missing}: no such account file")


def test_a_configs_lang_speaks_its_own_errors(tmp_path: Path) -> None:
    config = tmp_path / "job.toml"
    config.write_text('[options]\nlang = "fr"\nworkers = 0\n', encoding="utf-8")
    proc = validate(tmp_path, "-a", str(ACCOUNT), "-c", str(config), LANG="C.UTF-8")
    assert proc.returncode == 2
    assert proc.stderr == f"importer: error: {config}: [options] workers doit valoir au moins 1\n"
    # An account file the user broke, told in Italian: the entry named, the words Italian.
    broken = tmp_path / "account.toml"
    broken.write_text('users = ["not-an-email"]\n', encoding="utf-8")
    proc = validate(tmp_path, "-a", str(broken), "--lang", "it")
    assert proc.stderr == f"importer: error: {broken}: users: 'not-an-email' non è un indirizzo email\n"


def test_the_crash_guard_speaks_the_command_lines_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("importer.commands.undo.list_runs", crash)
    monkeypatch.delenv("IMPORTER_DEBUG", raising=False)
    result = CliRunner().invoke(cli, ["runs", str(tmp_path / "r.csv"), "--lang", "de"], catch_exceptions=False)
    assert result.exit_code == 4
    assert result.stderr == (
        "importer: error: interner Fehler (RuntimeError: boom); bitte melden Sie ihn, mit IMPORTER_DEBUG=1 für"
        " Details\n"
    )


def test_undo_says_its_plan_and_its_outcome_in_the_language(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "out" / "c.results.csv"
    assert run_import(sandbox, make_csv(tmp_path / "c.csv", 3), results).returncode == 0
    env = env_with(sandbox.token) | {"LANG": "C.UTF-8"}
    undo = ["undo", str(results), "--base-url", sandbox.base_url, "--no-progress"]
    dry = run_importer([*undo, "--dry-run", "--lang", "pt"], env=env)
    assert dry.returncode == 0, dry.stderr
    assert "Simulação: execução " in dry.stdout and "(iniciada em " in dry.stdout
    assert (
        "seria preciso excluir 3 contatos que ela criou, restaurar 0 que ela atualizou; nada foi enviado." in dry.stdout
    )
    assert "(linha 2)" in dry.stdout  # the planned contacts: action and uuid as the undo file writes them
    done = run_importer([*undo, "--yes"], env=env | {"LANG": "es_ES.UTF-8"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Ejecución ") and " deshecha: 3 eliminados en " in lines[0], lines
    assert lines[1] == "API: 3 solicitudes, 0 reintentos." and lines[2].startswith("Resultados de deshacer: ")
    listed = run_importer(["runs", str(results), "--lang", "fr"], env=env)
    assert listed.stdout.splitlines()[0].split() == ["exécution", "début", "décomptes", "annulation"]
    assert "annulée (dernière)" in listed.stdout
    again = run_importer([*undo, "--yes", "--lang", "it"], env=env)
    assert "non resta nulla da annullare" in again.stdout


def seed(sandbox) -> None:
    contacts = [
        {"name": "Ana", "tags": ["VIP"], "custom_fields": {"Status": "Active"}, "assigned_user": "john@example.com"},
        {"name": "Bea", "tags": ["VIP", "Lead"]},
    ]
    for n, contact in enumerate(contacts):
        body = {"identifier": f"3460000{n:04d}", "source": "whatsapp", **contact}
        assert httpx.post(f"{sandbox.base_url}/contacts", json=body, headers=sandbox.headers, timeout=10).is_success


def test_account_pull_writes_its_comments_and_says_its_summary_in_german(sandbox, tmp_path: Path) -> None:
    seed(sandbox)
    out = tmp_path / "account.toml"
    pull = ["account", "pull", "-o", str(out), "--base-url", sandbox.base_url, "--no-progress"]
    first = run_importer([*pull, "--lang", "de"], env=env_with(sandbox.token))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"{out}: neue Kontodatei; + 2 Tags: VIP, Lead; + ")
    assert " Benutzer: " in first.stdout and "john@example.com" in first.stdout
    assert (
        "+ benutzerdefiniertes Feld 'Status' (dropdown)" in first.stdout
        and "+ 2 Teams: Support, Ventas" in first.stdout
    )
    assert first.stdout.splitlines()[-1] == "Gelesen: 2 Kontakte auf 1 Seite, 2 Teams, 2 Kanäle."
    text = out.read_text(encoding="utf-8")
    assert "# Callbell-Konto für `importer import`, `validate` und `mapping`." in text
    assert '# fügen Sie sie unter Einstellungen -> Tags hinzu, z. B. tags = ["VIP", "Call back"].' in text
    assert '"VIP", # bei 2 von 2 gelesenen Kontakten' in text
    assert '"john@example.com", # 1 gelesenen Kontakt zugewiesen' in text
    assert "# Teams (GET /teams) und ihre Mitglieder" in text and "die Liste kann unvollständig sein" in text
    assert load_account(out).tags == ("VIP", "Lead")  # the comments change nothing of what the file says
    # A merge in Spanish: the entries it adds say when, in Spanish; the German comments stay.
    seed_more = {"identifier": "34600009999", "source": "whatsapp", "name": "Cai", "tags": ["Customer"]}
    assert httpx.post(f"{sandbox.base_url}/contacts", json=seed_more, headers=sandbox.headers, timeout=10).is_success
    second = run_importer(pull, env=env_with(sandbox.token) | {"LANG": "es_ES.UTF-8"})
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(f"{out}: + 1 etiqueta: Customer; usuarios sin cambios; ")
    merged = out.read_text(encoding="utf-8")
    assert '"Customer", # en 1 de 3 contactos leídos; añadido por `importer account pull` ' in merged
    assert "# Callbell-Konto für" in merged
    third = run_importer(pull, env=env_with(sandbox.token) | {"LANG": "fr_FR.UTF-8"})
    assert third.stdout.startswith(f"{out} : aucun changement ; le fichier contient déjà tout")


def test_a_retried_pre_flight_says_why_in_the_language(tmp_path: Path) -> None:
    # The client's retry notice carries its own reason (a Message) and the wait, both in the run's language.
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]  # closed again: nobody listens there
    sheet = make_csv(tmp_path / "c.csv", 2)
    command = ["import", str(sheet), "-a", str(ACCOUNT), "--base-url", f"http://127.0.0.1:{port}/v1", "--lang", "es"]
    proc = run_importer(command, env=env_with("not-a-real-token"))
    assert proc.returncode == 3, proc.stderr
    assert f"conexión rechazada en 127.0.0.1:{port} (intento 1 de 2); se reintenta en 0," in proc.stderr
    assert "connection refused" not in proc.stderr and "trying again" not in proc.stderr
