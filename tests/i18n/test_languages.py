"""A run in each language, end to end: an import into the sandbox with --lang writes a report, an errors file
and a terminal summary with no English sentence left; the environment's locale alone chooses the language; what
machines read (statuses, columns, summary.json, --help) is the same in every language; and Chromium shows the
report in Portuguese and German (screenshots under the test's tmp dir)."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import importer
from importer import import_file
from importer.i18n.translator import LANGS

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
POT = Path(importer.__file__).resolve().parent / "i18n" / "locales" / "importer.pot"
OTHERS = [lang for lang in LANGS if lang != "en"]
# Rows with every kind of outcome: created, invalid (phone, tag, name, custom fields, country), a duplicate and
# warnings (an extension removed, a number read with its own country code).
ROWS = [
    ["Name", "Phone", "Country", "Tags", "Status", "Invoice Email", "Orders"],
    ["Ana Ruiz", "+34 612 34 56 78", "ES", "VIP", "Active", "ana@example.com", "3"],
    ["Luis Gómez", "+34 612 34 56 79 ext. 12", "ES", "Lead", "", "", ""],
    ["Marta Díaz", "612", "ES", "", "", "", ""],
    ["Zoë Hart", "+44 7911 123456", "GB", "Premium", "Gone", "not-an-email", "many"],
    ["", "+34 612 34 56 80", "ES", "", "", "", ""],
    ["Ana Ruiz again", "+34 612 34 56 78", "ES", "", "", "", ""],
    ["Pierre Roux", "+33 6 12 34 56 78", "Atlantis", "", "", "", ""],
    ["Hans Meier", "4915112345678", "DE", "Customer", "Trial", "", ""],
]


def sample(tmp_path: Path) -> Path:
    path = tmp_path / "kontakte.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(ROWS)
    return path


def english_phrases() -> set[str]:
    """The literal parts of every msgid (between its placeholders) of three words or more: none may be left in a
    page or file rendered in another language."""
    with POT.open("rb") as fh:
        catalog = read_po(fh)
    phrases = set()
    for message in catalog:
        for msgid in message.id if isinstance(message.id, tuple | list) else [message.id]:
            for literal, *_ in string.Formatter().parse(msgid or ""):
                # Code (`importer account pull`, [values.tags]) reads the same in every language.
                prose = re.sub(r"`[^`]*`|\[[^\]]*\]|--[\w-]+", " ", literal)
                for part in re.split(r"[()]", prose):
                    if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3:
                        phrases.add(part.strip(" :;,.·→…"))
    return phrases


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip = tag in ("style", "script")
        self.parts += [v for k, v in attrs if k in ("aria-label", "data-label") and v]

    def handle_endtag(self, tag: str) -> None:
        self.skip = False

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(html.unescape(p) for p in parser.parts)


def left_in_english(text: str, phrases: set[str]) -> list[str]:
    return sorted(p for p in phrases if p and p in text)


def test_the_phrase_check_finds_english() -> None:
    phrases = english_phrases()
    assert len(phrases) > 100 and "Rows by status" in phrases and "is not a custom field of the account" in phrases
    assert left_in_english("Zeilen nach Status\nRows by status", phrases) == ["Rows by status"]


@pytest.mark.parametrize("lang", OTHERS)
def test_an_import_in_a_language_leaves_no_english_sentence(sandbox, tmp_path: Path, lang: str) -> None:
    results = tmp_path / "out" / "kontakte.results.csv"
    report = import_file(
        sample(tmp_path), account_file=ACCOUNT, token=sandbox.token, base_url=sandbox.base_url,
        results=results, lang=lang, workers=1,
    )  # fmt: skip
    counts = dict(report.counts)
    assert counts["created"] == 3 and counts["duplicate"] == 1 and counts["invalid"] == 4, counts
    page = report.report_path.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in page
    phrases = english_phrases()
    assert left_in_english(visible_text(page), phrases) == []
    with results.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells = "\n".join(r["error"] + "\n" + r["warning"] for r in rows)
    assert all(r["error"] for r in rows if r["status"] in ("invalid", "duplicate"))
    assert any(r["warning"] for r in rows), "the sample has warnings"
    assert left_in_english(cells, phrases) == []
    with report.errors_path.open(encoding="utf-8-sig", newline="") as fh:
        assert left_in_english(fh.read(), phrases) == []
    # What machines read stays: the statuses, the columns, summary.json's groups (English).
    assert {r["status"] for r in rows} == {"created", "invalid", "duplicate"}
    summary = json.loads(report.summary_path.read_text(encoding="utf-8"))
    assert {p["message"] for p in summary["problems"]} >= {"unknown tag", "name is required"}


def english_report_words(lang: str) -> str:
    return {"pt": "Linhas por status", "de": "Zeilen nach Status", "it": "Righe per stato"}[lang]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "importer", *args], capture_output=True, text=True, env=env, timeout=120
    )


def plain_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    env.pop("CALLBELL_API_TOKEN", None)
    return env | extra


def test_the_locale_alone_gives_italian(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    proc = cli("validate", str(sample(tmp_path)), "-a", str(ACCOUNT), "-o", str(out), "--no-progress",
               env=plain_env(LANG="it_IT.UTF-8"))  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "righe lette" in proc.stdout and "Cosa correggere" in proc.stdout and "Simulazione:" in proc.stdout
    assert "il nome è obbligatorio" in (out / "kontakte.results.errors.csv").read_text(encoding="utf-8-sig")
    page = (out / "kontakte.results.report.html").read_text(encoding="utf-8")
    assert '<html lang="it">' in page and english_report_words("it") in page
    # --help stays English, whatever the locale.
    helped = cli("validate", "--help", env=plain_env(LANG="it_IT.UTF-8"))
    assert "Language of the messages" in helped.stdout and "--lang [en|es|pt|it|fr|de]" in helped.stdout


def test_machine_read_outputs_are_the_same_in_every_language(tmp_path: Path) -> None:
    runs = {}
    for lang in ("en", "de"):
        out = tmp_path / lang
        out.mkdir()
        proc = cli(
            "validate",
            str(sample(tmp_path)),
            "-a",
            str(ACCOUNT),
            "-o",
            str(out),
            "--no-progress",
            "--lang",
            lang,
            env=plain_env(LANG="fr_FR.UTF-8"),
        )  # fmt: skip  (--lang wins over the locale)
        assert proc.returncode == 1, proc.stderr
        with (out / "kontakte.results.csv").open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        summary = json.loads((out / "kontakte.results.summary.json").read_text(encoding="utf-8"))
        runs[lang] = (rows, summary, proc.stdout)
    (en_rows, en_summary, en_out), (de_rows, de_summary, de_out) = runs["en"], runs["de"]
    assert en_rows[0] == de_rows[0]  # the results columns: row, status, uuid, identifier, error, warning, href, ...
    keep = [i for i, name in enumerate(en_rows[0]) if name not in ("error", "warning")]
    assert [[r[i] for i in keep] for r in en_rows] == [[r[i] for i in keep] for r in de_rows]
    assert [r[4] for r in en_rows[1:]] != [r[4] for r in de_rows[1:]]  # the error cells are German
    varying = {"started_at", "duration_s", "results", "errors", "rows_to_fix"}  # rows_to_fix: the run's language
    assert {k: v for k, v in en_summary.items() if k not in varying} == {
        k: v for k, v in de_summary.items() if k not in varying
    }
    assert "Read 8 rows" in en_out and "Dry run: 3 valid, 1 duplicate, 4 invalid in " in en_out
    # The terminal says each status in the language (the report's words, with plurals); the files keep the machine
    # words (above: the results' status column and summary.json's counts are the same in both runs).
    assert "8 Zeilen gelesen" in de_out and "Testlauf: 3 bereit, 1 Duplikat, 4 zu korrigieren in " in de_out


def test_a_config_file_and_the_api_choose_the_language(tmp_path: Path) -> None:
    config = tmp_path / "job.toml"
    config.write_text('[options]\nlang = "pt"\n', encoding="utf-8")
    report = import_file(sample(tmp_path), account_file=ACCOUNT, config=config, dry_run=True, results=tmp_path)
    assert report.lang == "pt" and '<html lang="pt">' in report.report_path.read_text(encoding="utf-8")
    given = import_file(sample(tmp_path), account_file=ACCOUNT, config=config, dry_run=True, results=tmp_path,
                        lang="es")  # fmt: skip
    assert given.lang == "es"  # what the call gives wins over the config
    rows = {r.row: r for r in given.rows()}
    assert rows[6].error == "Name: el nombre es obligatorio"


# --- the report in a browser ---------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed (apt install chromium)"
)
def test_chromium_shows_the_report_in_portuguese_and_german(tmp_path: Path) -> None:
    assert CHROMIUM, "CI must have chromium: .ci/run installs it"
    from playwright.sync_api import sync_playwright

    pages = {}
    for lang in ("pt", "de"):
        report = import_file(sample(tmp_path), account_file=ACCOUNT, dry_run=True, lang=lang,
                             results=tmp_path / f"{lang}.results.csv")  # fmt: skip
        pages[lang] = report.report_path
    phrases = english_phrases()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
        )
        try:
            for lang, path in pages.items():
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                page.goto(path.as_uri(), wait_until="load")
                shot = tmp_path / f"report-{lang}.png"
                page.screenshot(path=str(shot), full_page=True)
                shown = page.evaluate("() => ({lang: document.documentElement.lang, text: document.body.innerText})")
                assert shot.read_bytes().startswith(b"\x89PNG")
                assert shown["lang"] == lang
                assert english_report_words(lang) in shown["text"]
                assert left_in_english(shown["text"], phrases) == []
                if os.environ.get("REPORT_SCREENSHOT_DIR"):  # to look at them: REPORT_SCREENSHOT_DIR=/tmp pytest -k
                    shutil.copy(shot, Path(os.environ["REPORT_SCREENSHOT_DIR"]) / shot.name)
        finally:
            browser.close()
