import pytest

from importer.account import Account, CustomField
from importer.mapping import detect_mapping, normalize_header

ACCOUNT = Account(custom_fields={"Status": CustomField("Status", "dropdown", ("Active",))})


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Name", "name"),
        ("\ufeffNombre", "name"),
        ("  FULL   name ", "name"),
        ("Teléfono", "phone"),
        ("Móvil", "phone"),
        ("celular", "phone"),
        ("WhatsApp", "phone"),
        ("Etiquetas", "tags"),
        ("Owner Email", "assigned_user"),
        ("Notas", "note"),
        ("Equipo", "team"),
        ("País", "country"),
        ("First Name", "first_name"),
        ("Apellidos", "last_name"),
    ],
)
def test_headers_map_whatever_their_case_accents_and_spacing(header: str, field: str) -> None:
    assert detect_mapping([header], ACCOUNT).fields == {field: 0}


def test_account_custom_fields_and_cf_prefix() -> None:
    mapping = detect_mapping(["status", "cf:Name", "Favourite colour"], ACCOUNT)
    assert mapping.custom_fields == {"Status": 0, "Name": 1}
    assert mapping.unmapped == [2]


def test_a_second_column_for_the_same_field_is_left_unmapped_not_merged() -> None:
    mapping = detect_mapping(["Phone", "Mobile"], ACCOUNT)
    assert mapping.fields == {"phone": 0}
    assert mapping.unmapped == [1]


def test_normalize_header() -> None:
    assert normalize_header(" Teléfono_Móvil ") == "telefono movil"
