"""The README's migration, step by step, as a consultant types it: a Brazilian CRM export (Portuguese headers,
cp1252, ';') into an account known only through the API, from the first error to a clean import."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from inproc import run_importer

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "sample_data" / "migration" / "contatos.csv"


def importer(*args: str, sandbox, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLBELL_")}
    env |= {"CALLBELL_API_TOKEN": sandbox.token, "CALLBELL_BASE_URL": sandbox.base_url}
    return run_importer(args, env=env, cwd=cwd)


def seed(sandbox) -> None:
    """The account already has contacts, as a real one does: they carry the tags and fields that the API shows."""
    existing = [
        {"name": "Old 1", "tags": ["VIP", "Newsletter"], "custom_fields": {"Status": "Active"}},
        {"name": "Old 2", "tags": ["Lead"], "custom_fields": {"Status": "Churned"}, "assigned_user": "ana@example.com"},
        {"name": "Old 3", "tags": [], "custom_fields": {"Status": "Trial"}},
    ]
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    for n, contact in enumerate(existing):
        body = {"identifier": f"3461234560{n}", "source": "whatsapp", **contact}
        httpx.post(f"{sandbox.base_url}/contacts", json=body, headers=headers, timeout=10).raise_for_status()


@pytest.mark.slow
def test_a_foreign_language_export_reaches_a_clean_import(sandbox, tmp_path: Path) -> None:
    seed(sandbox)
    work = tmp_path
    (work / "contatos.csv").write_bytes(EXPORT.read_bytes())

    # 1. The account file, from the API.
    pulled = importer("account", "pull", "-o", "account.toml", "--no-progress", sandbox=sandbox, cwd=work)
    assert pulled.returncode == 0, pulled.stderr

    # 2. A first dry run: the headers are understood, and the problems come grouped, with what to do.
    first = importer(
        "validate", "contatos.csv", "-a", "account.toml", "--default-region", "BR", sandbox=sandbox, cwd=work
    )
    assert first.returncode == 1, first.stderr
    assert "rows · Marcadores: unknown tag: 'Cliente VIP'" in first.stdout
    assert "Proprietário do contato: not a user of the account: 'joao.vendas@crmantigo.com.br'" in first.stdout
    assert "Status: not an option of 'Status': 'Ativo'" in first.stdout
    assert (work / "contatos.results.report.html").exists()

    # 3. One config file with the mapping and the values to translate, pre-filled.
    mapping = importer(
        "mapping", "contatos.csv", "-a", "account.toml", "--default-region", "BR", sandbox=sandbox, cwd=work
    )
    assert mapping.returncode == 0, mapping.stderr
    text = mapping.stdout
    assert '"Celular" = "phone"' in text and 'default_region = "BR"' in text

    # 4. The consultant fills in the right sides.
    answers = {
        "Cliente VIP": "VIP",
        "joao.vendas@crmantigo.com.br": "marta@example.com",
        "renata@crmantigo.com.br": "ana@example.com",
        "Ativo": "Active",
        "Cancelado": "Churned",
        "Em teste": "Trial",
    }
    for value, answer in answers.items():
        text, n = re.subn(rf'^# "{re.escape(value)}" = "[^"]*"', f'"{value}" = "{answer}"', text, flags=re.M)
        assert n == 1, value
    (work / "importer.toml").write_text(text, encoding="utf-8")

    # 5. The dry run is clean now; 6. the import creates every row; 7. a second run creates nothing twice.
    clean = importer("validate", "contatos.csv", "-a", "account.toml", "-c", "importer.toml", sandbox=sandbox, cwd=work)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    done = importer("import", "contatos.csv", "-a", "account.toml", "-c", "importer.toml", sandbox=sandbox, cwd=work)
    assert done.returncode == 0, done.stdout + done.stderr
    with (work / "contatos.results.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["status"] for r in rows} == {"created"} and len(rows) == 30
    office = next(r for r in rows if "ramal" in r["Celular"])
    assert "extension" in office["warning"]
    by_uuid = {c["uuid"]: c for c in sandbox.contacts()}
    ana = by_uuid[rows[0]["uuid"]]
    assert ana["tags"] == ["VIP"] and ana["assignedUser"] == "marta@example.com"
    assert ana["customFields"]["Status"] == "Active" and ana["name"] == "Ana Silva"
    again = importer("import", "contatos.csv", "-a", "account.toml", "-c", "importer.toml", sandbox=sandbox, cwd=work)
    assert again.returncode == 0
    summary = json.loads((work / "contatos.results.summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"skipped": 30}
    assert len(sandbox.contacts()) == 33
