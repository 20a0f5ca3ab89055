"""The header vocabulary (importer/data/headers.toml) in each language: names, phones and their false friends."""

from __future__ import annotations

import fnmatch
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from importer.account.model import Account, CustomField
from importer.errors import ConfigError
from importer.mapping.columns import Mapping, detect_mapping
from importer.mapping.headers import DATA_FILE, FIELDS, parse_vocabulary, vocabulary

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "es", "pt", "it", "fr", "de")


def named(mapping: Mapping) -> dict[str, str]:
    return {name: mapping.headers[i] for name, i in mapping.fields.items()}


def headers_of(mapping: Mapping, indexes: list[int]) -> list[str]:
    return [mapping.headers[i] for i in indexes]


# --- each language's basic trio -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["First Name", "Last Name", "Mobile Phone"], ("First Name", "Last Name", "Mobile Phone")),
        (["Nombre", "Apellidos", "Móvil"], ("Nombre", "Apellidos", "Móvil")),
        (["Nome", "Sobrenome", "Celular"], ("Nome", "Sobrenome", "Celular")),  # Brazil
        (["Nome próprio", "Apelido", "Telemóvel"], ("Nome próprio", "Apelido", "Telemóvel")),  # Portugal
        (["Nome", "Cognome", "Cellulare"], ("Nome", "Cognome", "Cellulare")),
        (["Prénom", "Nom", "Téléphone mobile"], ("Prénom", "Nom", "Téléphone mobile")),
        (["Vorname", "Nachname", "Handy"], ("Vorname", "Nachname", "Handy")),
        (["Vorname", "Nachname", "Mobiltelefon"], ("Vorname", "Nachname", "Mobiltelefon")),
        (["PRÉNOM", "NOM", "PORTABLE"], ("PRÉNOM", "NOM", "PORTABLE")),
    ],
    ids=["en", "es", "pt-BR", "pt-PT", "it", "fr", "de", "de-outlook", "fr-caps"],
)
def test_first_last_and_mobile_in_each_language(headers: list[str], expected: tuple[str, str, str]) -> None:
    mapping = detect_mapping(headers, None)
    first, last, phone = expected
    assert named(mapping) == {"first_name": first, "last_name": last, "phone": phone}
    assert mapping.unmapped == []


@pytest.mark.parametrize(
    "headers",
    [
        ["Full Name", "Phone"],
        ["Nombre completo", "Teléfono"],
        ["Nome completo", "Telefone"],
        ["Nome e cognome", "Telefono"],
        ["Nom complet", "Téléphone"],
        ["Vollständiger Name", "Telefon"],
        ["Nominativo", "Numero di telefono"],
        ["Nome", "Celular"],  # Brazil: Nome alone is the whole name
        ["Nom", "Numéro de téléphone"],  # France: Nom alone is the whole name
        ["Name", "Telefonnummer"],
    ],
    ids=lambda headers: headers[0],
)
def test_a_full_name_and_a_phone_in_each_language(headers: list[str]) -> None:
    mapping = detect_mapping(headers, None)
    assert named(mapping) == {"name": headers[0], "phone": headers[1]}


def test_every_language_spells_the_name_and_the_phone() -> None:
    spellings = vocabulary().spellings
    for language in LANGUAGES:
        assert spellings["phone"].get(language), f"no phone spelling in {language}"
        assert spellings["last_name"].get(language), f"no last-name spelling in {language}"
        assert spellings["first_name"].get(language), f"no first-name spelling in {language}"


# --- false friends --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # French "Nom" is the LAST name beside "Prénom", the whole name alone.
        (["Prénom", "Nom", "Tél."], {"first_name": "Prénom", "last_name": "Nom"}),
        (["Nom", "Tél."], {"name": "Nom"}),
        (["Prénom", "Nom", "Nom complet", "Tél."], {"name": "Nom complet"}),
        # Italian/Portuguese "Nome" is the first name beside a surname, the whole name alone.
        (["Nome", "Cognome", "Telefono"], {"first_name": "Nome", "last_name": "Cognome"}),
        (["Nome", "Apelidos", "Telemóvel"], {"first_name": "Nome", "last_name": "Apelidos"}),
        (["Nome", "Telefone"], {"name": "Nome"}),
        # German "Name" beside "Vorname" is the surname; English "Name" beside "First Name" stays the full name.
        (["Vorname", "Name", "Telefon"], {"first_name": "Vorname", "last_name": "Name"}),
        (["Name", "Nachname", "Telefon"], {"first_name": "Name", "last_name": "Nachname"}),
        (["First Name", "Name", "Phone"], {"name": "Name"}),
        # Spanish "Apellido" is a surname; Portuguese (Portugal) "Apelido" too.
        (["Nombre", "Apellido", "Celular"], {"first_name": "Nombre", "last_name": "Apellido"}),
    ],
)
def test_false_friends(headers: list[str], expected: dict[str, str]) -> None:
    mapping = detect_mapping(headers, None)
    assert {k: v for k, v in named(mapping).items() if k != "phone"} == expected


def test_a_name_read_as_a_part_says_why() -> None:
    mapping = detect_mapping(["Prénom", "Nom", "Portable"], None)
    assert mapping.notes[1] == "the last name: the file has a first-name column"
    mapping = detect_mapping(["Nome", "Cognome", "Cellulare"], None)
    assert mapping.notes[0] == "the first name: the file has a last-name column"


# --- phones: ranking and look-alikes in every language ---------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "phone", "fallbacks"),
    [
        (["Telefon privat", "Telefon", "Mobiltelefon", "WhatsApp"], "WhatsApp", ["Mobiltelefon", "Telefon",
                                                                                 "Telefon privat"]),
        (["Telefon geschäftlich", "Haupttelefon", "Autotelefon"], "Haupttelefon", ["Telefon geschäftlich",
                                                                                   "Autotelefon"]),
        (["Téléphone (domicile)", "Téléphone", "Portable"], "Portable", ["Téléphone", "Téléphone (domicile)"]),
        (["Téléphone (voiture)", "Tél. mobile"], "Tél. mobile", ["Téléphone (voiture)"]),
        (["Telefono (uff.)", "Telefono automobile", "Cellulare"], "Cellulare", ["Telefono (uff.)",
                                                                               "Telefono automobile"]),
        (["Telefone residencial", "Telefone", "Telemóvel"], "Telemóvel", ["Telefone", "Telefone residencial"]),
        (["Telefone comercial", "Telefone celular"], "Telefone celular", ["Telefone comercial"]),
        (["Teléfono del automóvil", "Teléfono particular", "Móvil"], "Móvil", ["Teléfono del automóvil",
                                                                              "Teléfono particular"]),
        (["LANDLINE_NUMBER", "SMS", "WHATSAPP"], "WHATSAPP", ["SMS", "LANDLINE_NUMBER"]),  # Brevo
        (["Person - Phone - Work", "Person - Phone - Mobile"], "Person - Phone - Mobile", ["Person - Phone - Work"]),
        (["Festnetz", "Handynummer"], "Handynummer", ["Festnetz"]),
    ],
)  # fmt: skip
def test_whatsapp_then_mobile_then_generic_then_landline_in_every_language(
    headers: list[str], phone: str, fallbacks: list[str]
) -> None:
    mapping = detect_mapping(headers, None)
    assert named(mapping)["phone"] == phone
    assert headers_of(mapping, mapping.phone_fallbacks) == fallbacks


@pytest.mark.parametrize(
    "header",
    [
        # Someone else's number: the company's switchboard, the assistant's.
        "Telefon Firma", "Telefon Assistent", "Téléphone société", "Téléphone de l'assistant(e)",
        "Telefono principale società", "Telefono assistente", "Teléfono del ayudante",
        "Número de centralita de la organización", "Telefone principal da empresa", "Telefone do assistente",
        "Organization - Phone", "Asst Phone",
        # Not a voice number, or about a phone rather than one.
        "Fax geschäftlich", "Télécopie (bureau)", "Fax (uff.)", "Pager", "Récepteur de radiomessagerie",
        "Cercapersone", "Localizador", "Rückmeldung", "Rappel", "Telefon für Hörbehinderte", "Téléphone TDD/TTY",
        "Radiotéléphone", "Telefone de Rádio", "SMS_BLACKLISTED", "Person - Phone - Label",
    ],
)  # fmt: skip
def test_look_alike_phone_headers_stay_unmapped(header: str) -> None:
    mapping = detect_mapping([header], None)
    assert (mapping.fields, mapping.phone_fallbacks, mapping.unmapped) == ({}, [], [0])


@pytest.mark.parametrize(
    ("headers", "country"),
    [
        (["Codigo_Pais", "Numero", "Nombre"], "Codigo_Pais"),
        (["DDI", "Telefone", "Nome"], "DDI"),
        (["Prefisso", "Cellulare", "Nome"], "Prefisso"),
        (["Indicatif pays", "Portable", "Nom"], "Indicatif pays"),
        (["Ländervorwahl", "Handy", "Name"], "Ländervorwahl"),
        (["Land", "Handy", "Name"], "Land"),
        (["Pays", "Portable", "Nom"], "Pays"),
        (["Paese", "Cellulare", "Nome"], "Paese"),
    ],
)
def test_a_calling_code_column_is_the_country(headers: list[str], country: str) -> None:
    assert named(detect_mapping(headers, None))["country"] == country


@pytest.mark.parametrize("header", ["Destinatario", "Destinatário", "Recipient", "Destinataire", "Empfänger"])
def test_a_bulk_sender_recipient_column_is_the_phone(header: str) -> None:
    assert named(detect_mapping([header, "Nombre"], None)) == {"phone": header, "name": "Nombre"}


# --- the usual precedence, in other languages --------------------------------------------------------------------


def test_account_custom_fields_win_over_the_vocabulary_in_any_language() -> None:
    account = Account(custom_fields={"Handy": CustomField("Handy", "text"), "Nom": CustomField("Nom", "text")})
    mapping = detect_mapping(["Vorname", "Nom", "Handy", "Telefon"], account)
    assert mapping.custom_fields == {"Nom": 1, "Handy": 2}
    assert named(mapping) == {"first_name": "Vorname", "phone": "Telefon"}


def test_an_export_s_look_alike_column_is_listed_with_its_reason() -> None:
    headers = ["Prénom", "Nom", "Tél. mobile", "Téléphone (bureau)", "Téléphone (domicile)", "Responsable"]
    mapping = detect_mapping(headers, None)
    assert mapping.layout == "Outlook (French)"
    assert "assigned_user" not in mapping.fields  # Outlook's "Responsable" is the manager's name
    assert mapping.notes[5] == "Outlook's manager's name, not the contact's owner"
    assert mapping.suggestions[5] == "assigned_user"
    assert named(detect_mapping(["Nom", "Portable", "Responsable"], None))["assigned_user"] == "Responsable"


def test_an_export_s_own_phone_columns_rank_with_home_and_work_numbers() -> None:
    # Italian Outlook names the business and home numbers "Ufficio" and "Abitazione": phones there only.
    mapping = detect_mapping(["Nome", "Cognome", "Abitazione", "Cellulare", "Ufficio", "Telefono principale"], None)
    assert mapping.layout == "Outlook (Italian)"
    assert named(mapping)["phone"] == "Cellulare"
    assert headers_of(mapping, mapping.phone_fallbacks) == ["Telefono principale", "Abitazione", "Ufficio"]
    assert detect_mapping(["Nome", "Cellulare", "Ufficio"], None).unmapped == [2]  # elsewhere: an office
    # Portuguese (Portugal) Outlook's business number says "empresa", as the switchboard does.
    mapping = detect_mapping(["Primeiro nome", "Apelido", "Telemóvel", "Telefone da residência",
                              "Telefone da empresa", "Telefone principal da empresa"], None)  # fmt: skip
    assert mapping.layout == "Outlook (Portuguese, Portugal)"
    assert headers_of(mapping, mapping.phone_fallbacks) == ["Telefone da residência", "Telefone da empresa"]
    assert headers_of(mapping, mapping.unmapped) == ["Telefone principal da empresa"]


@pytest.mark.parametrize("header", ["2º telefone da residência", "2º Teléfono", "Telefon 2", "2nd Phone"])
def test_an_ordinal_is_a_number_in_a_phone_header(header: str) -> None:
    mapping = detect_mapping(["Name", "Mobile", header], None)
    assert headers_of(mapping, mapping.phone_fallbacks) == [header]


def test_crm_owner_columns_say_that_they_hold_names() -> None:
    mapping = detect_mapping(["Person - Name", "Person - Phone - Mobile", "Person - Owner"], None)
    assert mapping.layout == "Pipedrive"
    assert mapping.notes[2] == "Pipedrive writes the owner's name: rows are checked against user emails"


# --- the data file ------------------------------------------------------------------------------------------------


def test_the_data_file_ships_in_the_package() -> None:
    assert resources.files("importer").joinpath(DATA_FILE).is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert any(fnmatch.fnmatch(DATA_FILE, pattern) for pattern in package_data["importer"])


def test_every_field_of_the_data_file_is_a_contact_field() -> None:
    assert set(vocabulary().spellings) <= set(FIELDS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fields": {"nickname": {"en": ["nick"]}}}, "[fields.nickname] is not a field"),
        ({"fields": {"name": {"en": ["Name"]}, "note": {"en": ["name"]}}}, "already a spelling of name"),
        ({"fields": {"name": {"en": "Name"}}}, "must be a list of strings"),
        ({"fields": {"name": {"en": ["--"]}}}, "has no letters or digits"),
        ({"ambiguous_names": {"nom": {"middle_name": ["*"]}}}, "[ambiguous_names] nom"),
        ({"layouts": [{"name": "X", "quirks": ["sparkles"]}]}, "unknown quirk"),
        ({"layouts": [{"all": ["Phone"]}]}, "[[layouts]] #1: needs a name"),
        ({"layouts": [{"name": "Everything"}]}, "needs the headers that identify it"),
    ],
)
def test_a_mistake_in_the_data_file_names_the_entry(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match="^headers.toml: ") as caught:
        parse_vocabulary(data, "headers.toml")
    assert message in str(caught.value)
