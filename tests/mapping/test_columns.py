import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from data import make_exports  # tests/data/make_exports.py: the exports as the tools write them

from importer.account.model import Account, CustomField
from importer.commands.mapping import mapping_command
from importer.errors import ConfigError
from importer.mapping.columns import Mapping, build_mapping, detect_mapping
from importer.mapping.config import MappingConfig, load_mapping_config, parse_mapping_config
from importer.mapping.headers import header_key, normalize_header, vocabulary
from importer.mapping.writer import mapping_to_toml

ACCOUNT = Account(
    custom_fields={
        "Status": CustomField("Status", "dropdown", ("Active",)),
        "Billing Address": CustomField("Billing Address", "text"),
    }
)

# --- the usual exports, header rows exactly as the tools write them -----------------------------------------

# Google Contacts, "Google CSV" since the 2024 redesign (one Label/Value pair per e-mail, phone, address...).
GOOGLE = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
    "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title",
    "Organization Department", "Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
    "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label",
    "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
    "Address 1 - Extended Address", "Website 1 - Label", "Website 1 - Value",
]  # fmt: skip

# Google Contacts, the older "Google CSV" (Type instead of Label, Group Membership instead of Labels).
GOOGLE_LEGACY = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi", "Additional Name Yomi",
    "Family Name Yomi", "Name Prefix", "Name Suffix", "Initials", "Nickname", "Short Name", "Maiden Name",
    "Birthday", "Gender", "Location", "Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby",
    "Sensitivity", "Priority", "Subject", "Notes", "Language", "Photo", "Group Membership", "E-mail 1 - Type",
    "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type", "Phone 2 - Value",
    "Address 1 - Type", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City", "Address 1 - PO Box",
    "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country", "Address 1 - Extended Address",
    "Organization 1 - Type", "Organization 1 - Name", "Organization 1 - Yomi Name", "Organization 1 - Title",
    "Organization 1 - Department", "Organization 1 - Symbol", "Organization 1 - Location",
    "Organization 1 - Job Description", "Website 1 - Type", "Website 1 - Value",
]  # fmt: skip

# "Outlook CSV" as Outlook.com and Google's Outlook export write it.
OUTLOOK = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Initials", "Web Page", "Gender", "Birthday",
    "Anniversary", "Location", "Language", "Internet Free Busy", "Notes", "E-mail Address", "E-mail 2 Address",
    "E-mail 3 Address", "Primary Phone", "Home Phone", "Home Phone 2", "Mobile Phone", "Pager", "Home Fax",
    "Home Address", "Home Street", "Home Street 2", "Home Street 3", "Home Address PO Box", "Home City",
    "Home State", "Home Postal Code", "Home Country", "Spouse", "Children", "Manager's Name", "Assistant's Name",
    "Referred By", "Company Main Phone", "Business Phone", "Business Phone 2", "Business Fax", "Assistant's Phone",
    "Company", "Job Title", "Department", "Office Location", "Organizational ID Number", "Profession", "Account",
    "Business Address", "Business Street", "Business Street 2", "Business Street 3", "Business Address PO Box",
    "Business City", "Business State", "Business Postal Code", "Business Country", "Other Phone", "Other Fax",
    "Other Address", "Other Street", "Other Street 2", "Other Street 3", "Other Address PO Box", "Other City",
    "Other State", "Other Postal Code", "Other Country", "Callback", "Car Phone", "ISDN", "Radio Phone",
    "TTY/TDD Phone", "Telex", "User 1", "User 2", "User 3", "User 4", "Keywords", "Mileage", "Hobby",
    "Billing Information", "Directory Server", "Sensitivity", "Priority", "Private", "Categories",
]  # fmt: skip

# Outlook for Windows (File > Open & Export > Export to a file > Comma Separated Values).
OUTLOOK_DESKTOP = make_exports.OUTLOOK_EN

# HubSpot, Contacts > Export (the default view's columns plus common properties).
HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Contact owner",
    "Lifecycle Stage", "Lead Status", "Marketing contact status", "Create Date", "Last Activity Date",
    "Company Name", "Job Title", "City", "State/Region", "Country/Region", "Associated Company",
    "Primary Associated Company ID",
]  # fmt: skip

LAYOUTS = {
    "google": GOOGLE,
    "google_legacy": GOOGLE_LEGACY,
    "outlook": OUTLOOK,
    "outlook_desktop": OUTLOOK_DESKTOP,
    "hubspot": HUBSPOT,
}


def named(mapping: Mapping) -> dict[str, str]:
    """fields as {field: header}: readable assertions that do not count columns."""
    return {name: mapping.headers[i] for name, i in mapping.fields.items()}


def headers_of(mapping: Mapping, indexes: list[int]) -> list[str]:
    return [mapping.headers[i] for i in indexes]


# --- header families -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Name", "name"),
        ("\ufeffNombre", "name"),
        ("  FULL   name ", "name"),
        ("Full_Name", "name"),
        ("FullName", "name"),
        ("Nombre completo", "name"),
        ("Nombre y apellidos", "name"),
        ("Contact Name", "name"),
        ("First Name", "first_name"),
        ("first_name", "first_name"),
        ("FirstName", "first_name"),
        ("Given Name", "first_name"),
        ("Nombre de pila", "first_name"),
        ("Nombres", "first_name"),
        ("Middle Name", "middle_name"),
        ("Segundo nombre", "middle_name"),
        ("Last Name", "last_name"),
        ("Surname", "last_name"),
        ("Apellidos", "last_name"),
        ("Apellido", "last_name"),
        ("Segundo apellido", "second_last_name"),
        ("Phone", "phone"),
        ("Phone Number", "phone"),
        ("phoneNumber", "phone"),
        ("Tel.", "phone"),
        ("Teléfono", "phone"),
        ("TELÉFONO MÓVIL", "phone"),
        ("Nº de teléfono", "phone"),
        ("Móvil", "phone"),
        ("mobile", "phone"),
        ("Cell Phone", "phone"),
        ("celular", "phone"),
        ("WhatsApp", "phone"),
        ("Número de WhatsApp", "phone"),
        ("identifier", "phone"),
        ("Country", "country"),
        ("País", "country"),
        ("Código de país", "country"),
        ("Tags", "tags"),
        ("Etiquetas", "tags"),
        ("Labels", "tags"),
        ("Categories", "tags"),
        ("Categorías", "tags"),
        ("Assigned User", "assigned_user"),
        ("assignedUser", "assigned_user"),
        ("Agent", "assigned_user"),
        ("Owner Email", "assigned_user"),
        ("Contact owner", "assigned_user"),
        ("Propietario", "assigned_user"),
        ("Usuario asignado", "assigned_user"),
        ("Team", "team"),
        ("Equipo", "team"),
        ("Note", "note"),
        ("Notas", "note"),
        ("Observaciones", "note"),
        ("Source", "source"),
        ("Origen", "source"),
        ("Bot Status", "bot_status"),
        ("bot_status", "bot_status"),
        ("Estado del bot", "bot_status"),
        ("Channel", "channel"),
        ("Canal", "channel"),
    ],
)
def test_headers_map_whatever_their_case_accents_spacing_and_punctuation(header: str, field: str) -> None:
    mapping = detect_mapping([header], ACCOUNT)
    assert mapping.fields == {field: 0}
    assert mapping.unmapped == []


@pytest.mark.parametrize(
    "header",
    [
        "Phone 1 - Label", "Phone 1 - Type", "Business Fax", "Pager", "Phone Opt-In", "Assistant's Phone",
        "Company Main Phone", "TTY/TDD Phone", "Radio Phone", "Email", "Country/Region", "Original Source", "ID",
    ],
)  # fmt: skip
def test_headers_that_only_look_like_a_field_stay_unmapped(header: str) -> None:
    mapping = detect_mapping([header], ACCOUNT)
    assert (mapping.fields, mapping.phone_fallbacks, mapping.unmapped) == ({}, [], [0])


def test_every_synonym_belongs_to_one_field() -> None:
    owners: dict[str, set[str]] = {}
    for field, spellings in vocabulary().synonyms().items():
        for spelling in spellings:
            owners.setdefault(header_key(spelling), set()).add(field)
    assert {key: fields for key, fields in owners.items() if len(fields) > 1} == {}


def test_normalize_header() -> None:
    assert normalize_header(" Teléfono_Móvil ") == "telefono movil"
    assert header_key("E-mail 1 - Value") == "email1value"


# --- precedence ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "phone", "fallbacks"),
    [
        (["Phone", "Mobile"], "Mobile", ["Phone"]),
        (["Home Phone", "Phone", "Business Phone"], "Phone", ["Home Phone", "Business Phone"]),
        (["Teléfono fijo", "Teléfono", "Móvil"], "Móvil", ["Teléfono", "Teléfono fijo"]),
        (["Mobile", "WhatsApp"], "WhatsApp", ["Mobile"]),
        (["Phone Number", "Mobile Phone Number"], "Mobile Phone Number", ["Phone Number"]),
        (["Phone 1", "Phone 2"], "Phone 1", ["Phone 2"]),
    ],
)
def test_phone_precedence_whatsapp_then_mobile_then_generic_then_landline(
    headers: list[str], phone: str, fallbacks: list[str]
) -> None:
    mapping = detect_mapping(headers, ACCOUNT)
    assert named(mapping)["phone"] == phone
    assert headers_of(mapping, mapping.phone_fallbacks) == fallbacks
    assert mapping.unmapped == []


def test_a_full_name_beats_first_and_last_which_stay_listed() -> None:
    mapping = detect_mapping(["First Name", "Last Name", "Full Name", "Phone"], ACCOUNT)
    assert named(mapping) == {"name": "Full Name", "phone": "Phone"}
    assert mapping.name_parts == []
    assert headers_of(mapping, mapping.unmapped) == ["First Name", "Last Name"]
    assert mapping.notes[0] == '"Full Name" feeds the name'
    assert mapping.suggestions == {0: "first_name", 1: "last_name"}


def test_name_parts_are_joined_in_name_order_not_column_order() -> None:
    mapping = detect_mapping(["Last Name", "Phone", "Middle Name", "First Name"], ACCOUNT)
    assert headers_of(mapping, mapping.name_parts) == ["First Name", "Middle Name", "Last Name"]
    assert "name" not in mapping.fields


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Nombre", "Apellidos", "Teléfono"], {"first_name": "Nombre", "last_name": "Apellidos"}),
        (["Name", "Surname", "Phone"], {"first_name": "Name", "last_name": "Surname"}),
        (["Nombre", "Teléfono"], {"name": "Nombre"}),
        (
            ["Nombre", "Primer apellido", "Segundo apellido", "Móvil"],
            {"first_name": "Nombre", "last_name": "Primer apellido", "second_last_name": "Segundo apellido"},
        ),
        (["Nombre completo", "Nombre", "Apellidos", "Móvil"], {"name": "Nombre completo"}),
    ],
)
def test_a_bare_name_beside_a_surname_is_the_first_name(headers: list[str], expected: dict[str, str]) -> None:
    mapping = detect_mapping(headers, ACCOUNT)
    assert {k: v for k, v in named(mapping).items() if k != "phone"} == expected


def test_a_second_column_for_the_same_field_is_listed_not_merged() -> None:
    mapping = detect_mapping(["Name", "Phone", "Notes", "Comments", "Tags", "Etiquetas"], ACCOUNT)
    assert named(mapping) == {"name": "Name", "phone": "Phone", "note": "Notes", "tags": "Tags"}
    assert headers_of(mapping, mapping.unmapped) == ["Comments", "Etiquetas"]
    assert mapping.notes[3] == '"Notes" feeds note'


# --- duplicates, blanks, custom fields -----------------------------------------------------------------------


def test_a_repeated_header_is_read_too_and_messages_give_column_numbers() -> None:
    # Invoice Ninja writes "Phone" twice, the first empty: both are read, the first non-empty per row wins.
    mapping = detect_mapping(["Name", "Phone", "Email", "phone ", "Notes", "NOTES", "Email"], ACCOUNT)
    assert mapping.fields == {"name": 0, "phone": 1, "note": 4}
    assert mapping.phone_fallbacks == [3]  # a phone repeated: tried when the first is empty
    assert mapping.same_header == {5: 4}  # any other field: filled from it when the first is empty
    assert mapping.unmapped == [2, 6]
    assert mapping.column(1) == "Phone (column 2)"
    assert mapping.column(3) == "phone  (column 4)"
    assert mapping.column(5) == "NOTES (column 6)"
    assert mapping.column(0) == "Name"
    assert mapping.notes[6] == "same header as column 3"  # the first feeds nothing: neither does the second
    assert "NOTES (column 6) -> note, if Notes (column 5) is empty" in mapping.describe()


def test_a_repeated_header_is_read_with_its_first_when_a_config_lists_only_the_first() -> None:
    config = MappingConfig(columns={"Name": "name", "Phone": "phone", "Notes": "note"}, auto=False)
    mapping = build_mapping(["Name", "Phone", "Phone", "Notes", "Notes"], ACCOUNT, config)
    assert mapping.phone_fallbacks == [2]
    assert mapping.same_header == {4: 3}
    assert mapping.unmapped == []


def test_blank_headers_are_unmapped_and_named_by_position() -> None:
    mapping = detect_mapping(["Name", "", "Phone", "   ", "#"], ACCOUNT)
    assert mapping.fields == {"name": 0, "phone": 2}
    assert mapping.unmapped == [1, 3, 4]
    assert [mapping.column(i) for i in mapping.unmapped] == ["column 2", "column 4", "#"]


def test_account_custom_fields_win_and_cf_prefix_forces_one() -> None:
    account = Account(custom_fields={"Notes": CustomField("Notes", "text"), **ACCOUNT.custom_fields})
    mapping = detect_mapping(["status", "cf:Name", "CF: billing_address", "Notes", "cf:", "Favourite colour"], account)
    assert mapping.custom_fields == {"Status": 0, "Name": 1, "Billing Address": 2, "Notes": 3}
    assert mapping.fields == {}
    assert mapping.unmapped == [4, 5]


def test_without_an_account_only_cf_headers_are_custom_fields() -> None:
    mapping = detect_mapping(["Status", "cf:Status", "Phone"], None)
    assert mapping.custom_fields == {"Status": 1}
    assert mapping.unmapped == [0]


def test_a_custom_field_in_two_columns_maps_the_first() -> None:
    mapping = detect_mapping(["Status", "cf:status"], ACCOUNT)
    assert mapping.custom_fields == {"Status": 0}
    assert mapping.unmapped == [1]


# --- the usual exports ----------------------------------------------------------------------------------------


def test_google_contacts_export() -> None:
    mapping = detect_mapping(GOOGLE, ACCOUNT)
    assert mapping.layout == "Google Contacts"
    assert named(mapping) == {
        "first_name": "First Name",
        "middle_name": "Middle Name",
        "last_name": "Last Name",
        "note": "Notes",
        "phone": "Phone 1 - Value",
    }
    assert headers_of(mapping, mapping.phone_fallbacks) == ["Phone 2 - Value"]
    assert {mapping.headers[p]: mapping.headers[lab] for p, lab in mapping.phone_labels.items()} == {
        "Phone 1 - Value": "Phone 1 - Label",
        "Phone 2 - Value": "Phone 2 - Label",
    }
    # Google's labels ("* myContacts ::: Friends") are not account tags: listed, with the way to map them.
    labels = GOOGLE.index("Labels")
    assert labels in mapping.unmapped
    assert mapping.suggestions[labels] == "tags"
    assert "Address 1 - Country" in headers_of(mapping, mapping.unmapped)  # a country name, not a phone region
    used = set(mapping.fields.values()) | set(mapping.phone_fallbacks) | set(mapping.phone_labels.values())
    assert sorted(used | set(mapping.unmapped)) == list(range(len(GOOGLE)))


def test_google_contacts_legacy_export() -> None:
    mapping = detect_mapping(GOOGLE_LEGACY, ACCOUNT)
    assert mapping.layout == "Google Contacts (legacy Google CSV)"
    assert named(mapping) == {"name": "Name", "note": "Notes", "phone": "Phone 1 - Value"}
    assert headers_of(mapping, mapping.phone_fallbacks) == ["Phone 2 - Value"]
    assert headers_of(mapping, list(mapping.phone_labels.values())) == ["Phone 1 - Type", "Phone 2 - Type"]
    unmapped = headers_of(mapping, mapping.unmapped)
    assert {"Given Name", "Additional Name", "Family Name", "Group Membership"} <= set(unmapped)


def test_google_row_prefers_the_number_labelled_mobile_and_splits_multi_values() -> None:
    mapping = detect_mapping(GOOGLE, ACCOUNT)
    row = [""] * len(GOOGLE)

    def put(header: str, value: str) -> None:
        row[GOOGLE.index(header)] = value

    put("Phone 1 - Label", "Work")
    put("Phone 1 - Value", "+34 911 23 45 67")
    put("Phone 2 - Label", "Mobile")
    put("Phone 2 - Value", "+34 612 34 56 78 ::: +34 699 00 00 00")
    p1, p2 = GOOGLE.index("Phone 1 - Value"), GOOGLE.index("Phone 2 - Value")
    assert mapping.phone_candidates(row) == [
        (p2, "+34 612 34 56 78"),
        (p2, "+34 699 00 00 00"),
        (p1, "+34 911 23 45 67"),
    ]
    put("Phone 2 - Label", "Home")
    assert mapping.phone_candidates(row)[0] == (p1, "+34 911 23 45 67")  # no mobile label: column order
    put("Phone 1 - Value", "")
    assert mapping.phone_candidates(row)[0] == (p2, "+34 612 34 56 78")  # empty phone: the fallback


def test_phone_candidates_without_labels_follow_phone_then_fallbacks() -> None:
    mapping = detect_mapping(["Name", "Home Phone", "Mobile"], ACCOUNT)
    assert mapping.phone_candidates(["Ana", "911", "612"]) == [(2, "612"), (1, "911")]
    assert mapping.phone_candidates(["Ana", "911", " "]) == [(1, "911")]
    assert mapping.phone_candidates(["Ana", "", ""]) == []


@pytest.mark.parametrize("headers", [OUTLOOK, OUTLOOK_DESKTOP], ids=["outlook_csv", "outlook_desktop"])
def test_outlook_export(headers: list[str]) -> None:
    mapping = detect_mapping(headers, ACCOUNT)
    assert mapping.layout == "Outlook"
    assert named(mapping) == {
        "first_name": "First Name",
        "middle_name": "Middle Name",
        "last_name": "Last Name",
        "note": "Notes",
        "phone": "Mobile Phone",
        "tags": "Categories",
    }
    fallbacks = headers_of(mapping, mapping.phone_fallbacks)
    assert fallbacks[0] == "Primary Phone"  # generic before home/business
    assert set(fallbacks) == {
        "Primary Phone", "Home Phone", "Home Phone 2", "Business Phone", "Business Phone 2", "Other Phone",
        "Car Phone",
    }  # fmt: skip
    unmapped = set(headers_of(mapping, mapping.unmapped))
    assert {"Title", "Company Main Phone", "Assistant's Phone", "Pager", "Business Fax", "E-mail Address"} <= unmapped


def test_hubspot_export() -> None:
    mapping = detect_mapping(HUBSPOT, ACCOUNT)
    assert mapping.layout == "HubSpot"
    assert named(mapping) == {
        "first_name": "First Name",
        "last_name": "Last Name",
        "phone": "Mobile Phone Number",
        "assigned_user": "Contact owner",  # an owner's name, not an email: validation reports non-users
    }
    assert headers_of(mapping, mapping.phone_fallbacks) == ["Phone Number"]
    assert "Country/Region" in headers_of(mapping, mapping.unmapped)  # "Spain", not a region code
    assert "HubSpot" in mapping.notes[HUBSPOT.index("Contact owner")]


def test_labels_outside_a_google_export_are_tags() -> None:
    assert detect_mapping(["Name", "Phone", "Labels"], ACCOUNT).fields["tags"] == 2


def test_describe_lists_used_columns_in_order() -> None:
    mapping = detect_mapping(["Nombre", "Móvil", "Teléfono", "Status", "Color"], ACCOUNT)
    assert mapping.describe() == [
        "Nombre -> name",
        "Móvil -> phone",
        "Teléfono -> phone, if the ones before are empty (fallback 1)",
        "Status -> custom field 'Status'",
    ]


# --- config ---------------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "importer.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADERS = ["Full Name", "Mobile", "Teléfono", "Plan", "Internal ID", "Notes", "Favourite colour"]


def test_config_overrides_detection_and_the_rest_is_still_detected(tmp_path: Path) -> None:
    config = load_mapping_config(
        write(
            tmp_path,
            """
            [columns]
            "full name" = "name"
            "TELEFONO" = "phone"
            "Mobile" = "phone_fallback"
            "Plan" = "cf:status"
            "Internal ID" = "Note"
            "Notes" = "ignore"
            """,
        )
    )
    assert config.auto is True
    mapping = build_mapping(HEADERS, ACCOUNT, config)
    assert named(mapping) == {"name": "Full Name", "phone": "Teléfono", "note": "Internal ID"}
    assert headers_of(mapping, mapping.phone_fallbacks) == ["Mobile"]
    assert mapping.custom_fields == {"Status": 3}
    assert headers_of(mapping, mapping.unmapped) == ["Notes", "Favourite colour"]


def test_config_columns_it_does_not_mention_are_detected_around_its_choices(tmp_path: Path) -> None:
    config = load_mapping_config(write(tmp_path, '[columns]\n"Teléfono" = "phone"\n'))
    mapping = build_mapping(HEADERS, ACCOUNT, config)
    assert named(mapping) == {"phone": "Teléfono", "name": "Full Name", "note": "Notes"}
    assert headers_of(mapping, mapping.phone_fallbacks) == ["Mobile"]  # detected, behind the pinned phone


def test_auto_false_reads_only_the_config_columns(tmp_path: Path) -> None:
    config = load_mapping_config(write(tmp_path, 'auto = false\n[columns]\n"Full Name" = "name"\n"Mobile" = "phone"\n'))
    mapping = build_mapping(HEADERS, ACCOUNT, config)
    assert named(mapping) == {"name": "Full Name", "phone": "Mobile"}
    assert mapping.phone_fallbacks == []
    assert headers_of(mapping, mapping.unmapped) == ["Teléfono", "Plan", "Internal ID", "Notes", "Favourite colour"]
    assert mapping.notes[2] == "not in the config (auto = false)"


def test_config_names_blank_or_repeated_columns_by_position(tmp_path: Path) -> None:
    config = load_mapping_config(write(tmp_path, '[columns]\n"column 2" = "phone"\n"Column 4" = "note"\n'))
    mapping = build_mapping(["Name", "", "Notes", "Notes"], ACCOUNT, config)
    assert mapping.fields == {"phone": 1, "note": 3, "name": 0}
    assert mapping.unmapped == [2]


def test_config_name_parts_keep_a_detected_full_name_out(tmp_path: Path) -> None:
    config = load_mapping_config(write(tmp_path, '[columns]\n"Nombre" = "first_name"\n'))
    mapping = build_mapping(["Nombre", "Apellidos", "Full Name", "Phone"], ACCOUNT, config)
    assert named(mapping) == {"first_name": "Nombre", "last_name": "Apellidos", "phone": "Phone"}
    assert mapping.unmapped == [2]


def test_config_options(tmp_path: Path) -> None:
    config = load_mapping_config(
        write(
            tmp_path,
            '[options]\ndefault_region = "es"\nphone_format = "e164"\nsource = "whatsapp"\n'
            'encoding = "cp1252"\ndelimiter = "tab"\nsheet = 0\n',
        )
    )
    assert config.options == {
        "default_region": "ES",
        "phone_format": "e164",
        "source": "whatsapp",
        "encoding": "cp1252",
        "delimiter": "\t",
        "sheet": "0",
    }
    assert config.columns == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[columns]\n"Mobil" = "phone"\n', '[columns] "Mobil": no such column in the file (did you mean "Mobile"?)'),
        ('[columns]\n"Nope" = "phone"\n', '[columns] "Nope": no such column in the file'),
        ('[columns]\n"column 99" = "phone"\n', '[columns] "column 99": no such column in the file'),
        ('[columns]\n"Mobile" = "telefono"\n', "[columns] \"Mobile\": unknown target 'telefono'; expected one of"),
        ('[columns]\n"Mobile" = "phone"\n"Teléfono" = "phone"\n', '[columns] "Teléfono": "Mobile" already feeds phone'),
        ('[columns]\n"Mobile" = "phone"\n"mobile" = "note"\n', '[columns] "mobile": the same column as "Mobile"'),
        ('[columns]\n"Mobile" = "phone"\n"column 2" = "note"\n', '[columns] "column 2": the same column as "Mobile"'),
        (
            '[columns]\n"Plan" = "cf:Status"\n"Notes" = "cf:status"\n',
            '[columns] "Notes": "Plan" already feeds cf:status',
        ),
        ('[columns]\n"Plan" = "cf:Plan"\n', "[columns] \"Plan\": 'Plan' is not a custom field of the account"),
        ('[columns]\n"Plan" = "cf: "\n', '[columns] "Plan": "cf:" needs a custom field name'),
        ('[columns]\n"Plan" = 3\n', '[columns] "Plan": the target must be a string'),
        ('[columns]\n"  " = "note"\n', '[columns] "  ": an empty header'),
        (
            'auto = false\n[columns]\n"Mobile" = "phone_fallback"\n',
            '[columns] "Mobile": phone_fallback needs another column mapped to phone',
        ),
        ('columns = ["Mobile"]\n', "columns must be a table"),
        ("auto = 1\n", "auto must be true or false, got 1"),
        ("colums = {}\n", "unknown key(s) colums; expected auto, columns, options"),
        ('[options]\nregion = "ES"\n', "[options] region: unknown option; expected one of account_file, results"),
        ('[options]\nphone_format = "national"\n', "[options] phone_format: 'national' is not one of digits, e164"),
        ('[options]\ndefault_region = "Spain"\n', "[options] default_region: 'SPAIN' is not a two-letter country"),
        ('[options]\ndelimiter = ";;"\n', "[options] delimiter: must be one character"),
        ('[options]\nencoding = "klingon"\n', "[options] encoding: unknown encoding 'klingon'"),
        ("[options]\nsource = 7\n", "[options] source: must be a non-empty string"),
        ("options = 3\n", "options must be a table"),
        ('[columns\n"a" = "b"\n', "not valid TOML"),
    ],
)
def test_config_errors_are_one_line_naming_the_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        build_mapping(HEADERS, ACCOUNT, load_mapping_config(path))
    error = str(caught.value)
    assert error.startswith(f"{path}: ")
    assert message in error
    assert "\n" not in error


def test_config_file_unreadable_or_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_mapping_config(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[columns]\n"Teléfono" = "phone"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_mapping_config(bad)


def test_without_an_account_a_config_custom_field_is_not_checked() -> None:
    config = parse_mapping_config({"columns": {"Plan": "cf:Plan"}})
    assert build_mapping(HEADERS, None, config).custom_fields == {"Plan": 3}


def test_detect_mapping_is_build_mapping_without_config() -> None:
    assert detect_mapping(HEADERS, ACCOUNT) == build_mapping(HEADERS, ACCOUNT) == build_mapping(HEADERS, ACCOUNT, None)
    assert build_mapping(HEADERS, ACCOUNT, MappingConfig()) == detect_mapping(HEADERS, ACCOUNT)


# --- mapping_to_toml round trip --------------------------------------------------------------------------------

ODD = ['Na"me', "Back\\slash", "Téléphone", "", "Phone", "phone", "Line\nbreak", "cf:Status", "column 9", "Tags"]


@pytest.mark.parametrize("auto", [False, True])
@pytest.mark.parametrize(
    "headers", [*LAYOUTS.values(), HEADERS, ODD, ["Nombre", "Apellidos", "Móvil"]], ids=[*LAYOUTS, "plain", "odd", "es"]
)
def test_mapping_to_toml_round_trips(tmp_path: Path, headers: list[str], auto: bool) -> None:
    mapping = detect_mapping(headers, ACCOUNT)
    text = mapping_to_toml(mapping, auto=auto, comments=["made by a test", "with a\nnewline"])
    config = load_mapping_config(write(tmp_path, text))
    assert config.auto is auto
    again = build_mapping(headers, ACCOUNT, config)
    assert again == mapping
    assert mapping_to_toml(again, auto=auto) == mapping_to_toml(mapping, auto=auto)


def test_mapping_to_toml_of_a_config_mapping_round_trips_with_its_options(tmp_path: Path) -> None:
    config = parse_mapping_config(
        {
            "columns": {"Full Name": "name", "Teléfono": "phone", "Mobile": "phone_fallback", "Plan": "cf:Status"},
            "options": {"default_region": "ES", "delimiter": ";"},
        }
    )
    mapping = build_mapping(HEADERS, ACCOUNT, config)
    again_config = load_mapping_config(write(tmp_path, mapping_to_toml(mapping, options=config.options)))
    assert build_mapping(HEADERS, ACCOUNT, again_config) == mapping
    assert again_config.options == {"default_region": "ES", "delimiter": ";"}


def test_mapping_to_toml_lists_unmapped_columns_as_comments() -> None:
    text = mapping_to_toml(detect_mapping(["Name", "Phone", "Favourite colour", "First Name"], ACCOUNT))
    assert '# "Favourite colour" = "ignore"   (not mapped)' in text
    assert '# "First Name" = "first_name"   (not mapped: "Name" feeds the name)' in text
    data = tomllib.loads(text)
    assert data == {"auto": False, "columns": {"Name": "name", "Phone": "phone"}}


# --- the `importer mapping` command ------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(mapping_command, list(args))


def test_mapping_command_prints_a_config_to_pin(tmp_path: Path) -> None:
    data = tmp_path / "contacts.csv"
    data.write_text(",".join(HUBSPOT) + "\n" + ",".join(["x"] * len(HUBSPOT)) + "\n", encoding="utf-8")
    account = write(tmp_path, '[custom_fields."Lifecycle Stage"]\ntype = "text"\n', "account.toml")
    result = run(str(data), "-a", str(account), "--no-scan")  # its cells are "x": no values to list
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    text = result.stdout
    assert text.startswith("# Column mapping for contacts.csv (CSV, utf-8")
    assert "Recognized: HubSpot export. 19 columns: 6 used, 13 not mapped." in text
    assert '# "Record ID" = "ignore"   (not mapped)' in text
    assert '"Lifecycle Stage" = "cf:Lifecycle Stage"' in text
    pinned = write(tmp_path, text, "importer.toml")
    config = load_mapping_config(pinned)
    assert config.auto is False
    assert config.columns["Mobile Phone Number"] == "phone"
    assert config.columns["Phone Number"] == "phone_fallback"

    # Run again from the pinned config: the same mapping, the same text but for the "Started from" line.
    again = run(str(data), "-a", str(account), "--config", str(pinned), "--no-scan")
    assert again.exit_code == 0, again.stderr
    assert again.stdout.replace(f"# Started from {pinned}.\n", "") == text


def test_mapping_command_without_account_and_with_config_options(tmp_path: Path) -> None:
    data = tmp_path / "semicolons.csv"
    data.write_bytes("Nombre;Teléfono;Status\nAna;600;Active\n".encode("cp1252"))
    config = write(tmp_path, '[options]\nencoding = "cp1252"\ndelimiter = ";"\n')
    result = run(str(data), "--config", str(config))
    assert result.exit_code == 0, result.stderr
    assert "No --account-file" in result.stdout
    data_toml = tomllib.loads(result.stdout)
    assert data_toml["columns"] == {"Nombre": "name", "Teléfono": "phone"}
    assert data_toml["options"] == {"encoding": "cp1252", "delimiter": ";"}


def test_mapping_command_warns_when_there_is_no_phone_column(tmp_path: Path) -> None:
    data = tmp_path / "nophone.csv"
    data.write_text("Name,Email\nAna,a@b.co\n", encoding="utf-8")
    result = run(str(data))
    assert result.exit_code == 0
    assert result.stderr.startswith("importer: warning: no phone column found")
    assert "# WARNING: no phone column found" in result.stdout


@pytest.mark.parametrize(
    ("make", "code", "message"),
    [
        (lambda d: d / "missing.csv", 2, "cannot read"),
        (lambda d: (d / "empty.csv", (d / "empty.csv").write_text(""))[0], 2, "the file is empty"),
        (lambda d: d, 2, "is a directory"),
    ],
    ids=["missing", "empty", "directory"],
)
def test_mapping_command_bad_file_is_one_line_and_exit_2(tmp_path: Path, make, code: int, message: str) -> None:
    result = run(str(make(tmp_path)))
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr.startswith("importer: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_mapping_command_bad_config_exit_2_and_bad_account_exit_3(tmp_path: Path) -> None:
    data = tmp_path / "c.csv"
    data.write_text("Name,Phone\n", encoding="utf-8")
    bad_config = write(tmp_path, '[columns]\n"Mobile" = "phone"\n')
    result = run(str(data), "-c", str(bad_config))
    assert (result.exit_code, result.stderr) == (
        2,
        f'importer: error: {bad_config}: [columns] "Mobile": no such column in the file\n',
    )
    bad_account = write(tmp_path, "tags = 3\n", "account.toml")
    result = run(str(data), "-a", str(bad_account))
    assert result.exit_code == 3
    assert result.stderr == f"importer: error: {bad_account}: tags must be a list of strings\n"
