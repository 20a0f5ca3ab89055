"""The hostile-input corpus (tests/data/corpus, written by tests/data/make_corpus.py) against the real command.

Every case runs `importer validate FILE -a sample_data/account.toml` and must end as its manifest entry says:
refused with exit 2 and one clear stderr line (no traceback, no results file), or read with exactly one
results row per input row and the expected statuses, identifiers, errors and cells. Most cases run in-process
through click's CliRunner (a subprocess costs ~0.4 s of start-up each); a handful run as real subprocesses,
among them every case whose failure mode would be an abort of the whole process rather than an exception.
Cases marked `known_bug` in the manifest are strict xfails: they pass the day the bug is fixed, and then fail
until the marker is removed from the generator.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from importer.commands.cli import cli
from importer.reading.files import FIELD_SIZE_LIMIT

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
CORPUS = DATA / "corpus"
ACCOUNT = ROOT / "sample_data" / "account.toml"
MANIFEST: dict[str, Any] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["cases"]
# Zip and OLE containers: their bytes depend on the openpyxl, xlwt and msoffcrypto versions, not only on us.
CONTAINER_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")

# Real processes: one of each outcome, and the workbooks whose failure mode is python-calamine aborting the
# process (an allocation of 512 GiB): in-process, a regression there would take pytest down with it.
SUBPROCESS = {
    "stray_cell_far_away.xlsx",
    "stray_cell_far_away.ods",
    "encrypted.xlsx",
    "unclosed_quote.csv",
    "ragged_rows.csv",
    "float_phones.xlsx",
    "header_only.csv",
}


def params(cases: list[dict[str, Any]]) -> list[Any]:
    return [
        pytest.param(c, id=c["file"], marks=[pytest.mark.xfail(strict=True, reason=c["known_bug"])])
        if "known_bug" in c
        else pytest.param(c, id=c["file"])
        for c in cases
    ]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without CALLBELL_*: a token there would make `validate` call the real API."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("CALLBELL_")}, **extra}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run(args: list[str], in_process: bool, env: dict[str, str] | None = None) -> Run:
    env = env if env is not None else clean_env()
    if not in_process:
        done = subprocess.run(
            [sys.executable, "-m", "importer", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
        )
        return Run(done.returncode, done.stdout, done.stderr)
    # CliRunner's env only adds and removes: remove what clean_env dropped, set what it holds.
    overrides: dict[str, str | None] = {k: None for k in os.environ if k.startswith("CALLBELL_")}
    overrides.update({k: v for k, v in env.items() if k.startswith("CALLBELL_")})
    result = CliRunner(env=overrides).invoke(cli, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}") from result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def validate(case: dict[str, Any], results: Path) -> Run:
    file = CORPUS / case["file"]
    return run(["validate", str(file), "-a", str(ACCOUNT), "-o", str(results)], case["file"] not in SUBPROCESS)


def read_results(path: Path) -> tuple[list[str], list[list[str]]]:
    # The results echo the 1 MiB note: raise the csv module's limit (process-wide) only as far as the reader
    # does, and put it back, so the reader's own "cell larger than 16 MB" tests see what they expect.
    saved = csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header, *rows = list(csv.reader(fh))
    finally:
        csv.field_size_limit(saved)
    return header, rows


def assert_one_clear_line(case: dict[str, Any], done: Run) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, f"stderr must be one line, got:\n{done.stderr}"
    assert lines[0].startswith("importer: error: ") and case["file"] in lines[0]
    assert case["stderr"] in lines[0], f"{case['stderr']!r} not in {lines[0]!r}"


# --- every case, dry run -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(CASES))
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    results = tmp_path / "r.csv"
    done = validate(case, results)
    assert done.code == case["exit"], f"exit {done.code}, want {case['exit']}\n{done.stdout}\n{done.stderr}"
    if case["exit"] == 2:
        assert_one_clear_line(case, done)
        assert not results.exists(), "a refused file must not leave a results file"
        return

    assert "Traceback" not in done.stderr + done.stdout
    for text in case.get("stdout", []):
        assert text in done.stdout, f"{text!r} not in stdout:\n{done.stdout}"
    header, rows = read_results(results)
    at = {name: header.index(name) for name in header}  # a repeated header ("Phone" twice): its first column
    numbers = [row[at["row"]] for row in rows]
    assert len(rows) == sum(case["counts"].values()) and len(set(numbers)) == len(numbers), numbers
    assert Counter(row[at["status"]] for row in rows) == Counter(case["counts"])
    by_number = {row[at["row"]]: row for row in rows}
    for number, expected in case["rows"].items():
        assert number in by_number, f"row {number} missing from the results ({numbers})"
        got = by_number[number]
        assert got[at["status"]] == expected["status"], f"row {number}: {got}"
        if "identifier" in expected:
            assert got[at["identifier"]] == expected["identifier"], f"row {number}: {got}"
        if "error" in expected:
            assert expected["error"] in got[at["error"]], f"row {number}: {got[at['error']]!r}"
        for column, value in expected.get("cells", {}).items():
            assert got[at[column]] == value, f"row {number}, {column}: {got[at[column]]!r}"


# --- file-level problems send nothing --------------------------------------------------------------------


def test_refused_files_send_nothing_to_a_real_api(sandbox: Any, tmp_path: Path) -> None:
    """A real import (token, sandbox) of every exit-2 case: refused the same way, and the API holds nothing.

    Some are refused only after the pre-flight (no phone column) or after reading thousands of good rows (a
    bad byte at row 3202, a quote never closed): the check stage reads everything before anything is sent.
    """
    env = clean_env(CALLBELL_API_TOKEN=sandbox.token)
    refused = [c for c in CASES if c["exit"] == 2]
    assert len(refused) >= 15
    for case in refused:
        results = tmp_path / case["file"] / "r.csv"
        results.parent.mkdir()
        args = ["import", str(CORPUS / case["file"]), "-a", str(ACCOUNT), "-o", str(results)]
        done = run([*args, "--base-url", sandbox.base_url, "--no-progress"], case["file"] not in SUBPROCESS, env)
        assert done.code == 2, f"{case['file']}: exit {done.code}\n{done.stdout}\n{done.stderr}"
        assert_one_clear_line(case, done)
        assert sandbox.contacts() == [], f"{case['file']}: contacts were created"
    assert sandbox.stats()["contacts"] == 0


# --- the corpus and its generator stay in step -------------------------------------------------------------


def test_generator_reproduces_the_committed_corpus(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_corpus", DATA / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manifest = module.generate(tmp_path)
    assert manifest == MANIFEST, "tests/data/corpus is stale: run .venv/bin/python tests/data/make_corpus.py"
    committed = sorted(p.name for p in CORPUS.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == committed
    for name in committed:
        data = (CORPUS / name).read_bytes()
        if not data.startswith(CONTAINER_MAGIC):
            assert (tmp_path / name).read_bytes() == data, f"{name} differs: run tests/data/make_corpus.py"


def test_corpus_covers_the_issue() -> None:
    """The kinds of file the issue asks for are all here, and the corpus stays small enough to commit."""
    names = {c["file"] for c in CASES}
    assert len(CASES) >= 30
    assert {
        "empty.csv",
        "header_only.csv",
        "random_bytes.csv",
        "truncated.xlsx",
        "corrupt_sheet.xlsx",
        "encrypted.xlsx",
        "workbook_named.csv",
        "csv_text_named.xlsx",
        "duplicated_headers.csv",
        "blank_header_cells.csv",
        "ragged_rows.csv",
        "nul_bytes.csv",
        "mixed_line_endings.csv",
        "one_megabyte_cell.csv",
        "thousands_of_columns.csv",
        "utf16le_no_bom.csv",
        "formulas_saved.xlsx",
        "merged_cells.xlsx",
        "hidden_sheet_first.xlsx",
        "leading_zero_phones.csv",
        "scientific_notation_phones.csv",
        "float_phones.xlsx",
        "title_block.xlsx",
    } <= names
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 3_000_000
    for case in CASES:
        assert case["exit"] in (0, 1, 2) and case["what"]
        assert ("stderr" in case) == (case["exit"] == 2) and ("counts" in case) == (case["exit"] != 2)
