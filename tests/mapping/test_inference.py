"""Columns read from their values (importer.mapping.inference) and headers read for what they mean."""

from __future__ import annotations

from pathlib import Path

from importer.mapping.columns import build_mapping
from importer.mapping.config import MappingConfig
from importer.mapping.headers import vocabulary
from importer.reading.files import open_table


def test_a_constant_sender_column_is_not_the_phone_nor_the_name() -> None:
    headers = ["Destinatario", "Numero", "Remitente", "Tienda"]
    sample = [[f"Persona {chr(65 + n)}", f"61234567{n}", "34699000000", "Tienda Lima"] for n in range(5)]
    mapping = build_mapping(headers, None, None, sample, "ES")
    assert mapping.fields == {"phone": 1, "name": 0}
    assert set(mapping.inferred) == {0, 1}
    assert 0 not in mapping.notes  # the header's phone column, whose values are names, became the name
    assert 2 in mapping.unmapped and 3 in mapping.unmapped


def test_a_header_phone_with_one_valid_number_stays_and_a_pinned_column_is_never_reread() -> None:
    sample = [["Ana", "abc", "612345678"], ["Luis", "612345679", "612345670"]]
    mapping = build_mapping(["Name", "Phone", "Other"], None, None, sample, "ES")
    assert mapping.fields["phone"] == 1 and not mapping.inferred
    config = MappingConfig(columns={"Other": "note"})
    sample = [["Ana", "612345678", "x"], ["Eva", "612345679", "699887766"], ["Luis", "612345670", "y"]]
    mapping = build_mapping(["column 1", "column 2", "Other"], None, config, sample, "ES")
    assert mapping.fields["note"] == 2 and mapping.fields["phone"] == 1


def test_without_a_sample_nothing_is_inferred() -> None:
    mapping = build_mapping(["Destinatario", "Numero"], None)
    assert mapping.fields == {"phone": 0} and mapping.phone_fallbacks == [1] and not mapping.inferred


def test_a_calling_code_column_is_recognised_by_its_values_and_joined() -> None:
    sample = [["Ana Ruiz", "51", "912345678"], ["Luis Gil", "51", "987654321"], ["Eva Paz", "+51", "923456789"]]
    mapping = build_mapping(["Cliente", "CC", "Movil Peru"], None, None, sample)
    assert mapping.fields["phone"] == 2  # "Movil Peru": the header's phone, valid once joined to its code
    assert mapping.fields["country"] == 1 and "calling codes" in mapping.inferred[1]
    assert mapping.fields["name"] == 0


def test_source_is_mapped_only_for_channel_types() -> None:
    ok = build_mapping(["Name", "Phone", "Source"], None, None, [["A", "+34612345678", "Instagram"]])
    assert ok.fields["source"] == 2
    lead = build_mapping(["Name", "Phone", "Source"], None, None, [["A", "+34612345678", "Web"]])
    assert "source" not in lead.fields and "not Callbell channel types" in lead.notes[2]


def test_decorated_headers_are_read_unless_the_hint_says_whose() -> None:
    mapping = build_mapping(["Name* (s.name)", "Phone [mobile]", "Paese (uff.)", "Nota:"], None)
    assert mapping.fields == {"name": 0, "phone": 1, "note": 3}
    assert vocabulary().field_of("Téléphone (bureau)") == "phone"  # its own words: a landline phone


def test_the_header_row_is_the_one_that_matches_the_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "datev.csv"
    path.write_text("EXTF;700;16;Debitoren;5;2024;;;;\nKonto;Name;Telefon;Land\n1;Ana;612345678;ES\n", encoding="utf-8")
    table = open_table(path, header_score=vocabulary().header_score)
    assert table.headers == ["Konto", "Name", "Telefon", "Land"] and table.header_row == 2
    assert [r.values for r in table.rows] == [("1", "Ana", "612345678", "ES")]
    assert open_table(path).headers[0] == "EXTF"  # no vocabulary: the first wide row, as before


def test_a_headerless_file_is_read_whole_and_a_header_never_is(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Ana Ruiz,612345678\nLuis Gil,699887766\n", encoding="utf-8")
    table = open_table(path, header_score=vocabulary().header_score)
    assert table.headerless and table.headers == ["column 1", "column 2"]
    assert [(r.number, r.values) for r in table.rows] == [
        (1, ("Ana Ruiz", "612345678")),
        (2, ("Luis Gil", "699887766")),
    ]
    path.write_text("Cliente,Numero\nAna Ruiz,612345678\n", encoding="utf-8")
    assert not open_table(path, header_score=vocabulary().header_score).headerless
    path.write_text("Kunde,Nummer 2024\nAna Ruiz,612345678\n", encoding="utf-8")  # unknown words, no value
    assert open_table(path, header_score=vocabulary().header_score).headers == ["Kunde", "Nummer 2024"]
