"""What reading, the mapping and `importer mapping` say, in the run's language: a read error, the reader's notes and
the table's description, why a column is not mapped or was inferred, a country named in a phone note, a capped
list, and the comments `importer mapping --lang` writes. English (str()) stays as it was."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from importer.errors import InputError
from importer.i18n.message import Territory, listing
from importer.i18n.translator import Translator
from importer.mapping.columns import build_mapping
from importer.mapping.headers import vocabulary
from importer.phones.numbers import normalize_phone
from importer.reading.files import open_table


def env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    clean.pop("CALLBELL_API_TOKEN", None)
    return clean | extra


def test_a_read_error_is_said_in_portuguese_and_stays_english_as_text(tmp_path: Path) -> None:
    path = tmp_path / "vazio.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError) as caught:
        open_table(path)
    message = caught.value.args[0]
    assert str(caught.value) == f"{path}: the file is empty"
    assert Translator.for_lang("pt").render(message) == f"{path}: o arquivo está vazio"


def test_the_description_and_notes_of_a_file_are_said_in_spanish(tmp_path: Path) -> None:
    path = tmp_path / "contactos.csv"
    path.write_bytes("Informe de marzo\n\nNombre;Teléfono\nAna;+34612345678\n".encode("cp1252"))
    table = open_table(path, header_score=vocabulary().header_score)
    es = Translator.for_lang("es")
    assert es.render(table.description) == "CSV, cp1252, delimitador ';'"
    notes = [es.render(note) for note in table.notes]
    assert "codificación cp1252 detectada (el archivo no está en UTF-8)" in notes
    assert "delimitador ';' detectado" in notes
    assert any(note.startswith("encabezado en la fila 3: se ignora la fila 1") for note in notes), notes
    assert str(table.description) == "CSV, cp1252, delimiter ';'"  # English, as summary.json writes it


def test_a_mapping_note_and_an_inferred_reason_are_said_in_german() -> None:
    headers = ["Destinatario", "Numero", "Source"]
    sample = [["Ana Ruiz", "612345678", "1"], ["Luis Gil", "699887766", "2"]]
    mapping = build_mapping(headers, None, None, sample, "ES")
    de = Translator.for_lang("de")
    source = headers.index("Source")
    assert source in mapping.unmapped
    assert de.render(mapping.notes[source]).startswith("ihre Werte (wie '1') sind keine Callbell-Kanaltypen")
    reasons = [de.render(why) for why in mapping.inferred.values()]
    assert any("der geprüften Werte sind Telefonnummern" in r for r in reasons), reasons
    used = dict(mapping.uses())
    assert de.render(used[mapping.fields["phone"]]) == "Telefon"


def test_a_country_in_a_phone_note_is_named_in_the_run_language() -> None:
    phone = normalize_phone("447400123456", "ES")
    assert phone.notes == ("read as +44 7400123456 (United Kingdom): not a valid ES number",)
    said = {lang: Translator.for_lang(lang).render(phone.notes[0]) for lang in ("es", "it", "de")}
    assert "Reino Unido" in said["es"] and "Regno Unito" in said["it"] and "Vereinigtes Königreich" in said["de"]
    assert Translator.for_lang("fr").render(listing([Territory("ES"), "x"])) == "Espagne, x"


def test_importer_mapping_writes_its_comments_in_french(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Nom,Téléphone,Source,Notes internes\nAna,+34612345678,1,x\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "mapping", str(path), "--lang", "fr", "--no-scan"],
        capture_output=True, text=True, env=env(), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "# Correspondance des colonnes de contacts.csv (CSV, utf-8, délimiteur ',')." in text
    assert "# false : seules les colonnes listées dans [columns] sont lues" in text
    assert "non associée : ses valeurs (comme '1') ne sont pas des types de canal Callbell" in text
    assert "Column mapping for" not in text and "not mapped" not in text
    config = tomllib.loads(text)  # the comments change, the config does not
    assert config["columns"] == {"Nom": "name", "Téléphone": "phone"}


def test_importer_mapping_follows_the_locale_and_english_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "contatti.csv"
    path.write_text("Nome,Cellulare\nAna,+34612345678\n", encoding="utf-8")
    args = [sys.executable, "-m", "importer", "mapping", str(path), "--no-scan"]
    italian = subprocess.run(args, capture_output=True, text=True, env=env(LANG="it_IT.UTF-8"), timeout=120)
    assert "# Mappatura delle colonne di contatti.csv (CSV, utf-8, delimitatore ',')." in italian.stdout
    english = subprocess.run([*args, "--lang", "en"], capture_output=True, text=True, env=env(), timeout=120)
    assert "# Column mapping for contatti.csv (CSV, utf-8, delimiter ',')." in english.stdout
    assert "# 2 columns: 2 used, 0 not mapped." in english.stdout
