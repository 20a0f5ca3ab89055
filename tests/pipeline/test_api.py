"""The Python API (importer.validate_file, import_file, import_records) against a real sandbox, and its docs."""

from __future__ import annotations

import asyncio
import gc
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import importer
from importer import (
    AccountError,
    ConfigError,
    ExitCode,
    ImporterError,
    InputError,
    Report,
    RowResult,
    import_file,
    import_records,
    validate_file,
)

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
README = ROOT / "README.md"
SECTION = "## Using it from Python"


@pytest.fixture(autouse=True)
def no_token_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLBELL_API_TOKEN", raising=False)
    monkeypatch.delenv("CALLBELL_BASE_URL", raising=False)


def small_csv(path: Path) -> Path:
    path.write_text(
        "Name,Phone,Tags\nAna,+34 612 34 56 78,vip\nLuis,+34 612 34 56 79,Gold\nMarta,0034612345678,\n",
        encoding="utf-8",
    )
    return path


def test_import_file_creates_contacts_and_reports_each_row(sandbox, tmp_path: Path) -> None:
    results = tmp_path / "out.csv"
    report = import_file(
        small_csv(tmp_path / "c.csv"), account_file=ACCOUNT, token=sandbox.token, base_url=sandbox.base_url,
        results=results, workers=1,
    )  # fmt: skip
    assert isinstance(report, Report)
    assert dict(report.counts) == {"created": 1, "invalid": 1, "duplicate": 1}
    assert report.exit_code == ExitCode.ROWS_FAILED == 1
    rows = list(report.rows())
    assert all(isinstance(r, RowResult) for r in rows)
    assert [(r.row, r.status) for r in rows] == [(2, "created"), (3, "invalid"), (4, "duplicate")]
    assert rows[0].uuid == sandbox.contacts()[0]["uuid"] and rows[0].href
    assert "Tags: unknown tag 'Gold'" in rows[1].error and rows[1].cells == {
        "Name": "Luis",
        "Phone": "+34 612 34 56 79",
        "Tags": "Gold",
    }
    assert {(p["column"], p["rows"]) for p in report.problems} == {("Tags", 1), ("Phone", 1)}
    assert report.results_path == results and report.errors_path == tmp_path / "out.errors.csv"
    # Again: nothing twice.
    again = import_file(
        tmp_path / "c.csv", account_file=ACCOUNT, token=sandbox.token, base_url=sandbox.base_url, results=results
    )
    assert again.counts["skipped"] == 1 and len(sandbox.contacts()) == 1


def test_validate_file_sends_nothing_and_takes_the_token_from_the_environment(sandbox, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CALLBELL_API_TOKEN", sandbox.token)
    monkeypatch.setenv("CALLBELL_BASE_URL", sandbox.base_url)
    report = validate_file(small_csv(tmp_path / "c.csv"), account_file=ACCOUNT, results=tmp_path / "v.csv")
    assert dict(report.counts) == {"valid": 1, "invalid": 1, "duplicate": 1} and report.dry_run
    assert report.requests > 0  # the token was used: existing contacts looked up, read-only
    assert sandbox.contacts() == []
    # import_file with the token from the environment only.
    created = import_file(tmp_path / "c.csv", account_file=ACCOUNT, results=tmp_path / "i.csv")
    assert created.counts["created"] == 1 and len(sandbox.contacts()) == 1


def test_a_dataframe_with_float_phones_is_read_as_text(sandbox, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Name": ["Ana", "Bia", "Caio", "Duda"],
            # float64, as pandas types a phone column with an empty cell; the last lost digits (20 of them)
            "Phone": [5511987654321.0, 34612345678.0, float("nan"), 12345678901234567890.0],
            "Orders": pd.array([3, None, 1, 2], dtype="Int64"),
        }
    )
    assert frame["Phone"].dtype == "float64"
    report = import_records(
        frame, account_file=ACCOUNT, token=sandbox.token, base_url=sandbox.base_url, phone_format="e164"
    )
    rows = list(report.rows())
    assert [(r.row, r.status, r.identifier) for r in rows] == [
        (2, "created", "+5511987654321"), (3, "created", "+34612345678"), (4, "invalid", ""), (5, "invalid", ""),
    ]  # fmt: skip
    assert rows[0].cells == {"Name": "Ana", "Phone": "5511987654321", "Orders": "3"}
    assert rows[1].cells["Orders"] == ""  # NA is empty, never "<NA>" nor "nan"
    assert "Phone" in rows[2].error
    assert rows[3].error.startswith("Phone: '1.2345678901234567e+19': in scientific notation")
    assert "its digits are lost" in rows[3].error
    assert sorted(c["phoneNumber"] for c in sandbox.contacts()) == ["+34612345678", "+5511987654321"]
    out = report.to_pandas()
    assert list(out.columns) == [
        "row",
        "status",
        "uuid",
        "identifier",
        "error",
        "warning",
        "href",
        "Name",
        "Phone",
        "Orders",
    ]
    assert out["status"].tolist() == ["created", "created", "invalid", "invalid"] and out["row"].dtype == "int64"


def test_records_as_a_list_or_a_generator(tmp_path: Path) -> None:
    records = [{"Name": "Ana", "Phone": "+34 612 34 56 78"}, {"Name": "Luis", "Phone": 34612345679, "Tags": "VIP"}]
    report = import_records(records, account_file=ACCOUNT, dry_run=True)
    rows = list(report.rows())
    assert [r.status for r in rows] == ["valid", "valid"]
    assert rows[1].cells == {"Name": "Luis", "Phone": "34612345679", "Tags": "VIP"}  # every key of every record
    assert report.file == Path("<records>")
    generator = (r for r in records)  # read once: its headers are the first record's keys
    with pytest.raises(InputError, match=r"<records>: row 3: key 'Tags' is not in the first record's keys") as info:
        import_records(generator, account_file=ACCOUNT, dry_run=True)
    assert info.value.exit_code == 2
    with pytest.raises(InputError, match="<records>: no phone column"):
        import_records([{"Name": "Ana"}], account_file=ACCOUNT, dry_run=True)
    with pytest.raises(InputError, match="row 2: a record must be a mapping"):
        import_records([("Ana", "+34 612 34 56 78")], account_file=ACCOUNT, dry_run=True)


def test_records_results_live_as_long_as_the_report_unless_given_a_place(tmp_path: Path) -> None:
    records = [{"Name": "Ana", "Phone": "+34 612 34 56 78"}]
    report = import_records(records, account_file=ACCOUNT, dry_run=True)
    folder = report.results_path.parent
    assert report.results_path.is_file() and report.report_path is not None and report.report_path.is_file()
    del report
    gc.collect()
    assert not folder.exists()
    kept = import_records(records, account_file=ACCOUNT, dry_run=True, results=tmp_path / "r.xlsx")
    assert kept.results_path == tmp_path / "r.xlsx" and (tmp_path / "r.report.html").is_file()
    assert [(r.status, r.identifier, r.cells) for r in kept.rows()] == [
        ("valid", "34612345678", {"Name": "Ana", "Phone": "+34 612 34 56 78"})
    ]  # read back from the workbook as written: text, the leading "+" kept


def test_records_imported_again_without_a_state_create_nothing_twice(sandbox) -> None:
    records = [{"Name": "Ana", "Phone": "+34 612 34 56 78"}, {"Name": "Luis", "Phone": "+34 612 34 56 79"}]
    api = {"account_file": ACCOUNT, "token": sandbox.token, "base_url": sandbox.base_url}
    first = import_records(records, **api)
    second = import_records(records, **api)  # a new temporary state: the account is what knows them
    assert [r.status for r in first.rows()] == ["created", "created"]
    assert [(r.status, r.uuid) for r in second.rows()] == [("skipped", r.uuid) for r in first.rows()]
    assert len(sandbox.contacts()) == 2 and second.exit_code == 0


def test_errors_carry_the_commands_exit_codes(sandbox, tmp_path: Path) -> None:
    file = small_csv(tmp_path / "c.csv")
    with pytest.raises(InputError, match="cannot read") as missing:
        validate_file(tmp_path / "missing.csv", account_file=ACCOUNT)
    assert missing.value.exit_code == ExitCode.USAGE
    with pytest.raises(AccountError, match="no API token") as no_token:
        import_file(file, account_file=ACCOUNT)
    assert no_token.value.exit_code == ExitCode.ACCOUNT == 3
    with pytest.raises(AccountError, match="refused the token") as refused:
        import_file(file, account_file=ACCOUNT, token="wrong", base_url=sandbox.base_url)
    assert "wrong" not in str(refused.value)
    with pytest.raises(ConfigError, match="--on-existing: 'merge' is not one of skip, update, fail"):
        import_file(file, account_file=ACCOUNT, on_existing="merge")
    with pytest.raises(ConfigError, match="'XX' is not a two-letter country code") as region:
        validate_file(file, account_file=ACCOUNT, default_region="XX")
    assert isinstance(region.value, ImporterError) and region.value.exit_code == 2
    with pytest.raises(AccountError) as account:
        validate_file(file, account_file=tmp_path / "none.toml")
    assert account.value.exit_code == 3


def test_an_unknown_option_is_a_type_error_naming_the_valid_ones() -> None:
    with pytest.raises(TypeError, match=r"import_file\(\) got unexpected keyword argument\(s\) 'region'") as info:
        import_file("c.csv", account_file=ACCOUNT, region="ES")
    assert "default_region" in str(info.value) and "on_existing" in str(info.value)
    with pytest.raises(TypeError, match="'dry_run'"):  # validate_file is the dry run
        validate_file("c.csv", account_file=ACCOUNT, dry_run=False)
    with pytest.raises(TypeError, match="'sheet'"):  # records have no sheets
        import_records([], account_file=ACCOUNT, sheet=0)


def test_progress_goes_to_a_function_or_a_progress_object(sandbox, tmp_path: Path) -> None:
    calls: list[tuple[str, int, int | None]] = []
    file = small_csv(tmp_path / "c.csv")
    import_file(
        file, account_file=ACCOUNT, token=sandbox.token, base_url=sandbox.base_url, results=tmp_path / "r.csv",
        progress=lambda stage, done, total: calls.append((stage, done, total)),
    )  # fmt: skip
    assert {stage for stage, _, _ in calls} == {"Checking rows", "Sending contacts"}
    assert calls[-1] == ("Sending contacts", 1, 1)
    assert ("Checking rows", 3, 3) in calls

    class Recorder:
        def __init__(self) -> None:
            self.events: list[str] = []

        def start(self, total: int, description: str) -> None:
            self.events.append(f"start {description}")

        def advance(self, n: int = 1, total: int | None = None) -> None:
            self.events.append("advance")

        def close(self) -> None:
            self.events.append("close")

    recorder = Recorder()
    validate_file(file, account_file=ACCOUNT, results=tmp_path / "v.csv", progress=recorder)
    assert recorder.events[0] == "start Checking rows" and recorder.events[-1] == "close"
    with pytest.raises(TypeError, match="progress must be"):
        validate_file(file, account_file=ACCOUNT, progress=42)


def test_it_runs_inside_an_event_loop_as_in_a_notebook() -> None:
    async def cell() -> Report:  # Jupyter runs cells while its own event loop is running
        return import_records([{"Name": "Ana", "Phone": "+34 612 34 56 78"}], account_file=ACCOUNT, dry_run=True)

    assert dict(asyncio.run(cell()).counts) == {"valid": 1}


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_importing_importer_never_imports_pandas() -> None:
    proc = run_python(
        "import importer, sys\nassert 'pandas' not in sys.modules\n"
        "from importer import import_records, Report, validate_file\nassert 'pandas' not in sys.modules"
    )
    assert proc.returncode == 0, proc.stderr


def test_to_pandas_without_pandas_says_which_extra_to_install() -> None:
    code = f"""
import sys
sys.modules["pandas"] = None  # as if not installed
from importer import MissingExtra, ImporterError, import_records
report = import_records([{{"Name": "Ana", "Phone": "+34 612 34 56 78"}}], account_file={str(ACCOUNT)!r}, dry_run=True)
assert [r.status for r in report.rows()] == ["valid"]
try:
    report.to_pandas()
except ImporterError as exc:
    assert isinstance(exc, MissingExtra) and exc.exit_code == 2
    print(exc)
"""
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == 'Report.to_pandas() needs pandas: pip install "callbell-importer[pandas]"'


# --- the docs ------------------------------------------------------------------------------------------------


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_every_public_name_is_documented_in_the_readme_and_has_a_docstring() -> None:
    documented = re.findall(r"^\| `(\w+)", readme_section(), re.MULTILINE)
    assert sorted(documented) == sorted(importer.__all__), "README 'Using it from Python' and importer.__all__ differ"
    assert len(set(importer.__all__)) == len(importer.__all__)
    for name in importer.__all__:
        value = getattr(importer, name)
        assert inspect.getdoc(value), f"importer.{name} has no docstring"
    assert set(dir(importer)) >= set(importer.__all__)


def test_the_readme_examples_run(sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", readme_section(), re.DOTALL)
    assert len(blocks) == 2
    notebook, scheduler = blocks
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CALLBELL_API_TOKEN", sandbox.token)
    monkeypatch.setenv("CALLBELL_BASE_URL", sandbox.base_url)
    (tmp_path / "account.toml").write_bytes(ACCOUNT.read_bytes())
    (tmp_path / "contacts.csv").write_text("Name,Phone\nAna,5511987654321\nBia,34612345678\nCaio,\n", encoding="utf-8")

    namespace: dict[str, object] = {"__name__": "readme"}
    exec(compile(notebook, "README notebook example", "exec"), namespace)
    assert dict(namespace["check"].counts) == {"valid": 2, "invalid": 1}  # type: ignore[attr-defined]
    assert len(sandbox.contacts()) == 2 and (tmp_path / "contacts.results.csv").is_file()
    assert namespace["contacts"]["uuid"].tolist()[:2] == namespace["report"].to_pandas()["uuid"].tolist()[:2]  # type: ignore[index,attr-defined]

    task: dict[str, object] = {"__name__": "readme"}
    exec(compile(scheduler, "README scheduler example", "exec"), task)
    (tmp_path / "good.csv").write_text("Name,Phone\nAna,+34 612 34 56 78\n", encoding="utf-8")
    task["import_contacts"]("good.csv")  # type: ignore[operator]
    (tmp_path / "broken.csv").write_text("Name,Phone\nAna,+34 612 34 56 78\nLuis,12\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="rows to fix in .*broken.results.errors.csv"):
        task["import_contacts"]("broken.csv")  # type: ignore[operator]
    with pytest.raises(RuntimeError, match=r"import not run \(exit 2\)"):
        task["import_contacts"]("missing.csv")  # type: ignore[operator]


def test_import_files_docstring_names_every_option_it_takes() -> None:
    # The docstring lists the options by hand (help() shows it): a new entry in importer.options' table must be
    # named there too, and a removed one dropped.
    from importer.options import api_keywords

    listed = re.search(r"Options, named as the command's flags: (.*?)\. Running", " ".join(import_file.__doc__.split()))
    assert listed is not None
    assert sorted(listed.group(1).split(", ")) == sorted(api_keywords())
