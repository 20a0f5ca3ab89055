"""A file with no phone (or no name) column: a few of its headers, the ones that look like what is missing, and
the --config line that maps one; following that advice makes the file import."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner
from data import make_exports  # tests/data/make_exports.py (tests/ is on sys.path: see conftest.py)

from importer.commands.cli import cli

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = str(ROOT / "sample_data" / "account.toml")

# Outlook's 92 columns as a Dutch Outlook writes them: a language the header vocabulary does not have, so
# neither the phone nor the name columns are recognized.
OUTLOOK_NL = make_exports.outlook_in(
    {
        "Title": "Titel", "First Name": "Voornaam", "Middle Name": "Middelste naam", "Last Name": "Achternaam",
        "Company": "Bedrijf", "Department": "Afdeling", "Job Title": "Functie",
        "Assistant's Phone": "Telefoon assistent", "Business Fax": "Fax op werk", "Business Phone": "Telefoon op werk",
        "Business Phone 2": "Telefoon op werk 2", "Callback": "Terugbellen", "Car Phone": "Autotelefoon",
        "Company Main Phone": "Hoofdtelefoon bedrijf", "Home Fax": "Fax thuis", "Home Phone": "Telefoon thuis",
        "Home Phone 2": "Telefoon thuis 2", "Mobile Phone": "Mobiele telefoon", "Other Fax": "Andere fax",
        "Other Phone": "Andere telefoon", "Pager": "Pieper", "Primary Phone": "Hoofdtelefoon",
        "Radio Phone": "Radiotelefoon", "TTY/TDD Phone": "Teksttelefoon", "Assistant's Name": "Naam assistent",
        "Manager's Name": "Naam manager", "E-mail Address": "E-mailadres", "E-mail Display Name": "Weergavenaam e-mail",
        "E-mail 2 Display Name": "Weergavenaam e-mail 2", "E-mail 3 Display Name": "Weergavenaam e-mail 3",
        "Notes": "Notities", "Categories": "Categorieën",
    }
)  # fmt: skip


def validate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args, "-a", ACCOUNT, "--no-progress"])
    return result.exit_code, result.output


def outlook_nl(tmp_path: Path) -> Path:
    path = tmp_path / "Contactpersonen.CSV"
    rows = [{"Voornaam": "Anne", "Achternaam": "de Vries", "Mobiele telefoon": "06 12345678"},
            {"Voornaam": "Joost", "Telefoon thuis": "020 123 4567", "Mobiele telefoon": "+31 6 87654321"}]  # fmt: skip
    with path.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(OUTLOOK_NL)
        writer.writerows([row.get(h, "") for h in OUTLOOK_NL] for row in rows)
    return path


def test_no_phone_column_in_a_92_column_export_lists_a_few_headers_and_suggests_the_phone(tmp_path: Path) -> None:
    assert len(OUTLOOK_NL) == 92
    source = outlook_nl(tmp_path)
    # No region: half the numbers are national spellings, too few phones to read the column from its values.
    code, output = validate(str(source), "-o", str(tmp_path / "r.csv"))
    assert code == 2, output
    assert output.count("\n") == 1, output  # one line
    shown = ", ".join(repr(h) for h in OUTLOOK_NL[:15])
    assert f"importer: error: {source}: no phone column (columns found: {shown}, … and 77 more); " in output
    assert "'Mobiele telefoon', 'Autotelefoon' or " in output  # the mobile first, then the car phone
    assert 'put columns = { "Mobiele telefoon" = "phone" } in a file and add --config FILE' in output
    assert "Pieper" not in output and "Fax" not in output

    # As told: the line in a file, and --config. Now the name is what is missing (first names alone, a surname on
    # one row: no column of full names to read it from), and said so the same way.
    config = tmp_path / "importer.toml"
    config.write_text('columns = { "Mobiele telefoon" = "phone" }\n', encoding="utf-8")
    code, output = validate(str(source), "-o", str(tmp_path / "r.csv"), "--default-region", "NL", "-c", str(config))
    assert code == 2, output
    assert f"{source}: no name column (columns found: {shown}, … and 77 more); 'Voornaam'" in output
    assert f'to use the first, add "Voornaam" = "first_name" to [columns] in {config}' in output

    config.write_text('columns = { "Mobiele telefoon" = "phone", "Voornaam" = "first_name" }\n', encoding="utf-8")
    code, output = validate(str(source), "-o", str(tmp_path / "r.csv"), "--default-region", "NL", "-c", str(config))
    assert code == 0, output
    assert "2 valid" in output


def test_a_short_header_row_is_listed_whole_with_a_close_spelling_suggested(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    # A national number and no --default-region: the values do not say it is a phone column either.
    path.write_text("Naam,Email,Telefoon\nAna,a@b.co,612 34 56 78\n", encoding="utf-8")
    code, output = validate(str(path), "-o", str(tmp_path / "r.csv"))
    assert code == 2
    assert output == (
        f"importer: error: {path}: no phone column (columns found: 'Naam', 'Email', 'Telefoon'); 'Telefoon' may be"
        ' one: to use it, put columns = { "Telefoon" = "phone" } in a file and add --config FILE\n'
    )

    path.write_text("Name,Email\nAna,a@b.co\n", encoding="utf-8")  # nothing like a phone: nothing suggested
    code, output = validate(str(path), "-o", str(tmp_path / "r.csv"))
    assert code == 2
    assert output == f"importer: error: {path}: no phone column (columns found: 'Name', 'Email')\n"


def test_the_mapping_command_names_the_look_alikes_too(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["mapping", str(outlook_nl(tmp_path))])
    assert result.exit_code == 0
    assert 'no phone column found: map one in [columns] with "Header" = "phone" (it may be \'Mobiele telefoon\'' in (
        result.stderr
    )
