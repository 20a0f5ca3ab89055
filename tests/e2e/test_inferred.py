"""End to end: files whose headers do not say (or say something else) import by their values, against the sandbox.

The WhatsApp bulk-sender template names the recipient's name "Destinatario" and keeps the country code in its own
column; a recipient list may have no header row at all; a Zoho export's "Source" is a lead source, not a channel.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_import import import_into, read_results  # tests/e2e/test_import.py

BULK_SENDER = (
    "Destinatario,Codigo_Pais,Numero,Remitente\n"
    "Ana Ruiz,51,912345678,51999888777\n"
    "Luis Gil,51,987654321,51999888777\n"
    "María Soto,51,923456789,51999888777\n"
)


def test_the_bulk_sender_template_imports_with_the_country_code_joined(sandbox, tmp_path: Path) -> None:
    sheet = tmp_path / "envio.csv"
    sheet.write_text(BULK_SENDER, encoding="utf-8")
    results = tmp_path / "results.csv"
    proc = import_into(sandbox, sheet, results)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Numero -> phone: inferred from the values" in proc.stdout
    assert "Destinatario -> name: inferred from the values" in proc.stdout
    rows = read_results(results)
    assert [r["status"] for r in rows] == ["created"] * 3
    assert [r["identifier"] for r in rows] == ["51912345678", "51987654321", "51923456789"]
    names = {c["name"] for c in sandbox.contacts()}
    assert names == {"Ana Ruiz", "Luis Gil", "María Soto"}  # not the sender's number, not the recipient as phone
    summary = json.loads(results.with_name("results.summary.json").read_text(encoding="utf-8"))
    used = {u["column"]: u for u in summary["mapping"]["used"]}
    assert used["Numero"]["target"] == "phone" and "phone numbers" in used["Numero"]["inferred"]
    assert "inferred" not in used["Codigo_Pais"]  # its header says it


def test_a_list_without_a_header_row_imports_whole(sandbox, tmp_path: Path) -> None:
    sheet = tmp_path / "lista.csv"
    sheet.write_text("Ana Ruiz,612345678\nLuis Gil,699887766\nMarta Pons,633221100\n", encoding="utf-8")
    results = tmp_path / "results.csv"
    proc = import_into(sandbox, sheet, results, "--default-region", "ES")

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no header row" in proc.stdout
    rows = read_results(results)
    assert [(r["row"], r["status"], r["identifier"]) for r in rows] == [
        ("1", "created", "34612345678"), ("2", "created", "34699887766"), ("3", "created", "34633221100"),
    ]  # fmt: skip
    assert {c["name"] for c in sandbox.contacts()} == {"Ana Ruiz", "Luis Gil", "Marta Pons"}


def test_two_columns_that_fit_equally_are_refused_naming_both(sandbox, tmp_path: Path) -> None:
    sheet = tmp_path / "lista.csv"
    sheet.write_text("Ana Ruiz,612345678,699887766\nLuis Gil,633221100,644332211\n", encoding="utf-8")
    proc = import_into(sandbox, sheet, tmp_path / "results.csv", "--default-region", "ES")

    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "no phone column by its header, and 'column 2' and 'column 3' both hold phone numbers" in proc.stderr
    assert sandbox.contacts() == []


def test_a_lead_source_is_not_a_channel_and_never_skips_the_phone_check(sandbox, tmp_path: Path) -> None:
    sheet = tmp_path / "zoho.csv"
    sheet.write_text("Name,Phone,Source\nA,hello,1\nB,888-867-5309,1\nC,+34 612 34 56 78,1\n", encoding="utf-8")
    results = tmp_path / "results.csv"
    proc = import_into(sandbox, sheet, results)

    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = {r["row"]: r for r in read_results(results)}
    assert rows["2"]["status"] == "invalid" and rows["2"]["identifier"] != "hello"
    assert rows["3"]["status"] == "invalid" and "888-867-5309" not in rows["3"]["identifier"]
    assert rows["4"]["status"] == "created" and rows["4"]["identifier"] == "34612345678"
    [contact] = sandbox.contacts()
    assert contact["source"] == "whatsapp"
    summary = json.loads(results.with_name("results.summary.json").read_text(encoding="utf-8"))
    [source] = [u for u in summary["mapping"]["unmapped"] if u["column"] == "Source"]
    assert "not Callbell channel types" in source["why"]


def test_a_source_cell_that_is_not_a_channel_type_is_that_rows_error(sandbox, tmp_path: Path) -> None:
    sheet = tmp_path / "contacts.csv"
    sheet.write_text("Name,Phone,Source\nA,888-867-5309,whatsapp\nB,+34 612 34 56 79,web\n", encoding="utf-8")
    config = tmp_path / "importer.toml"
    config.write_text('[columns]\n"Source" = "source"\n', encoding="utf-8")  # pinned: the rows decide
    results = tmp_path / "results.csv"
    proc = import_into(sandbox, sheet, results, "--config", str(config))

    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = {r["row"]: r for r in read_results(results)}
    assert rows["2"]["status"] == "invalid"  # a US number with no region: not sent as typed
    assert rows["3"]["status"] == "invalid" and "'web' is not a Callbell channel type" in rows["3"]["error"]
    assert sandbox.contacts() == []
