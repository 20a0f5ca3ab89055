"""Exports as the tools write them (tests/data/make_exports.py): with no config, detection maps the expected
columns and a dry run finds every row valid, in every language, encoding and delimiter."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from data import make_exports  # tests/data/make_exports.py (tests/ is on sys.path: see conftest.py)

from importer.account.model import load_account
from importer.commands.cli import cli
from importer.mapping.columns import build_mapping
from importer.mapping.headers import vocabulary
from importer.pipeline.run import ImportOptions, run_import
from importer.reading.files import open_table
from importer.validation.validator import Options

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_FILE = ROOT / "sample_data" / "account.toml"
EXPORTS = {export.name: export for export in make_exports.EXPORTS}


@pytest.fixture(params=sorted(EXPORTS))
def export(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    return EXPORTS[request.param]


def test_detection_maps_the_expected_columns(export, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = export.write(tmp_path)
    table = open_table(path, header_score=vocabulary().header_score)
    headers = list(table.headers)
    assert headers == export.headers  # read back as written: encoding, delimiter and header row detected
    sample = [row.values for row in table.sample()]
    mapping = build_mapping(headers, load_account(ACCOUNT_FILE), None, sample, export.region)
    assert mapping.layout == export.layout
    assert {name: headers[i] for name, i in mapping.fields.items()} == export.fields
    assert [headers[i] for i in mapping.phone_fallbacks] == export.fallbacks
    unmapped = {headers[i] for i in mapping.unmapped}
    assert set(export.unmapped) <= unmapped, set(export.unmapped) - unmapped


def test_a_dry_run_with_no_config_finds_every_row_valid(export, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = export.write(tmp_path)
    options = ImportOptions(
        file=path,
        account_file=ACCOUNT_FILE,
        dry_run=True,
        results=tmp_path / "results.csv",
        validation=Options(default_region=export.region),
        workers=1,
    )
    report = run_import(options)
    errors = (
        report.errors_path.read_text(encoding="utf-8") if report.errors_path and report.errors_path.exists() else ""
    )
    assert dict(report.counts) == {"valid": len(export.rows)}, errors


def test_the_validate_command_reads_a_german_outlook_export(tmp_path: Path) -> None:
    path = EXPORTS["outlook_de"].write(tmp_path)
    result = CliRunner().invoke(
        cli, ["validate", str(path), "-a", str(ACCOUNT_FILE), "--default-region", "DE", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "3 valid" in result.output
