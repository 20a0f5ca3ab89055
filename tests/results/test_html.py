"""The HTML report: its content parsed back, its safety with hostile values, and a real browser rendering it."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from importer.pipeline.run import ImportOptions, run_import
from importer.results.html import MAX_FIX_ROWS, MAX_PROBLEMS, render_html, write_html_report

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "</style><svg onload=alert(3)>", "&amp;"]


def summary_fixture() -> dict[str, Any]:
    """What importer.pipeline.run writes as <results>.summary.json after a dry run with problems."""
    return {
        "file": "contacts.csv",
        "dry_run": True,
        "started_at": "2026-12-01T22:40:00+00:00",
        "rows": 974_700,
        "counts": {"valid": 950_000, "invalid": 24_000, "duplicate": 700},
        "exit_code": 1,
        "duration_s": 21.4,
        "source": "CSV, utf-8, delimiter ','",
        "notes": ["3 rows had more cells than the header: the extra cells are reported in the results"],
        "results": "/data/contacts.results.csv",
        "errors": "/data/contacts.results.errors.csv",
        "problems": [
            {
                "column": "Tags",
                "message": "unknown tag",
                "value": "Premium",
                "rows": 20_000,
                "examples": [2, 3, 4, 5, 6],
                "action": "create tag 'Premium' in Settings → Tags, or map it in [values.tags]",
                "severity": "error",
            },
            {
                "column": "Phone",
                "message": "not a phone number",
                "value": None,
                "rows": 4_000,
                "examples": [8, 10],
                "action": "write the number with its country code, e.g. +34 612 34 56 78",
                "severity": "error",
            },
            {
                "column": "Phone",
                "message": "extension removed",
                "value": None,
                "rows": 3,
                "examples": [7, 9, 12],
                "action": "nothing to do: the number was sent without its extension",
                "severity": "warning",
            },
        ],
        "mapping": {
            "layout": "HubSpot",
            "used": [
                {"column": "First Name", "target": "name"},
                {"column": "Mobile Phone", "target": "phone"},
                {"column": "Plan", "target": "custom field 'Status'"},
            ],
            "unmapped": [{"column": "Fax", "why": "not a contact field", "suggestion": None}],
            "ignored": [{"column": "Internal ID", "why": "ignored by the config"}],
        },
        "phone_examples": [
            {"row": 2, "column": "Mobile Phone", "before": "0612 34 56 78", "after": "33612345678"},
            {"row": 3, "column": "Mobile Phone", "before": "+44 (0)7911 123456", "after": "447911123456"},
        ],
        "rows_to_fix": [
            {"row": 5, "status": "invalid", "error": "Tags: unknown tag 'Premium'"},
            {"row": 8, "status": "invalid", "error": "Phone: not a phone number"},
        ],
    }


class Page(HTMLParser):
    """The parsed page: every start tag with its attributes, the text of each element with an id, the text of
    <style>, and the page's visible text."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.by_id: dict[str, list[str]] = {}
        self.open_ids: list[tuple[str, str | None]] = []
        self.style = ""
        self.text: list[str] = []
        self._in: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("meta", "link", "br", "img", "input", "rect"):
            return  # void elements (and self-closed SVG rects) have no end tag
        self._in.append(tag)
        self.open_ids.append((tag, attributes.get("id")))
        if attributes.get("id"):
            self.by_id[attributes["id"]] = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()
            self.open_ids.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "style":
            self.style += data
            return
        self.text.append(data)
        for _, ident in self.open_ids:
            if ident:
                self.by_id[ident].append(data)

    def section(self, ident: str) -> str:
        return " ".join(" ".join(self.by_id[ident]).split())


def parse(source: str) -> Page:
    return Page(source)


def tags_named(page: Page, name: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in page.tags if tag == name]


def body_rows(source: str, table_id: str) -> int:
    match = re.search(rf'<table id="{table_id}"[^>]*>.*?<tbody>(.*?)</tbody>', source, re.S)
    assert match, table_id
    return match.group(1).count("<tr")


# --- content -------------------------------------------------------------------------------------------------


def test_page_has_every_section_with_the_numbers_of_the_summary() -> None:
    source = render_html(summary_fixture())
    page = parse(source)
    assert source.startswith("<!DOCTYPE html>")
    assert "Dry run report: contacts.csv (1 December 2026, 22:40 UTC)" in page.text  # the <title>
    for ident in ("counts", "problems", "rows-to-fix", "mapping", "phones", "notes", "verdict"):
        assert ident in page.by_id, ident
    counts = page.section("counts")
    assert "974,700" in counts and "950,000" in counts and "24,000" in counts and "700" in counts
    assert "97.5%" in counts  # 950,000 of 974,700
    assert (
        page.section("verdict")
        == "950,000 of 974,700 rows are ready to import; 24,000 need fixing and 700 are duplicates."
    )
    problems = page.section("problems")
    assert "unknown tag Premium" in problems and "20,000" in problems and "Settings → Tags" in problems
    assert "2 errors, 1 warning" in problems
    severities = [a["class"] for a in tags_named(page, "span") if "badge" in (a.get("class") or "")]
    assert severities[:3] == ["badge error", "badge error", "badge warning"]
    assert body_rows(source, "problem-table") == 3
    # The chart: one bar group per column, Tags first (most rows), Phone stacking errors and warnings.
    svg_text = re.findall(r"<text[^>]*>([^<]*)</text>", source)
    assert svg_text[:4] == ["Tags", "20,000 rows", "Phone", "4,003 rows"]
    fix = page.section("rows-to-fix")
    assert page.section("errors-file") == "/data/contacts.results.errors.csv"
    assert "Tags: unknown tag 'Premium'" in fix and "Showing the first 2 of 24,000 rows" in fix
    mapping = page.section("mapping")
    assert "HubSpot" in mapping and "Mobile Phone" in mapping and "custom field 'Status'" in mapping
    assert "Fax" in page.section("mapping-unmapped") and "Internal ID" in page.section("mapping-ignored")
    phones = page.section("phones")
    assert "0612 34 56 78 → 33612345678" in phones
    assert "more cells than the header" in page.section("notes")
    assert "1 December 2026, 22:40 UTC" in "".join(page.text)


def test_a_clean_import_says_so_and_has_no_problem_table() -> None:
    summary = {
        "file": "ok.xlsx",
        "dry_run": False,
        "rows": 3,
        "counts": {"created": 2, "skipped": 1},
        "exit_code": 0,
        "problems": [],
        "rows_to_fix": [],
        "errors": None,
    }
    source = render_html(summary)
    page = parse(source)
    assert page.section("verdict") == "All 3 rows went through."
    assert "No problems found" in page.section("problems")
    assert "problem-table" not in source and "<svg" in source  # the status bar only
    assert "No row needs fixing" in page.section("rows-to-fix")
    assert "Import report: ok.xlsx" in "".join(page.text)


def test_merged_rows_went_through_and_have_their_card() -> None:
    summary = {"rows": 9, "counts": {"created": 3, "merged": 6}, "dry_run": False, "exit_code": 0}
    page = parse(render_html(summary))
    assert page.section("verdict") == "All 9 rows went through."
    assert "Merged" in page.section("counts") and "same phone" in page.section("counts")
    summary["counts"] = {"created": 3, "merged": 5, "invalid": 1}
    assert parse(render_html(summary)).section("verdict") == "8 of 9 rows went through; 1 needs fixing."


def test_a_url_s_report_names_the_url_and_says_where_its_copy_is() -> None:
    # The rows of a URL, standard input or a query are read from a snapshot: the page names the input as the
    # person gave it (importer.pipeline.run drops its secrets) and gives the copy in the footer.
    url = "https://files.example.com/exports/contacts.csv"
    page = parse(render_html(summary_fixture() | {"file": url, "snapshot": "out/contacts.results.input.csv"}))
    text = "".join(page.text)
    assert f"Dry run report: {url} (" in text and "out/contacts.results.input.csv" not in text.split("Copy of")[0]
    assert "Copy of the input that was read: out/contacts.results.input.csv" in text
    local = "".join(parse(render_html(summary_fixture() | {"snapshot": None})).text)
    assert "Dry run report: contacts.csv (" in local and "Copy of the input" not in local


@pytest.mark.parametrize("summary", [{}, {"counts": None, "problems": "x", "mapping": [], "rows": "many"}])
def test_missing_or_odd_keys_give_a_page_not_an_error(summary: dict[str, Any]) -> None:
    page = parse(render_html(summary))
    assert "counts" in page.by_id and "mapping" not in page.by_id and "phones" not in page.by_id


def test_today_s_summary_without_the_new_keys_still_renders() -> None:
    summary = {k: v for k, v in summary_fixture().items() if k in ("rows", "counts", "exit_code", "source", "notes")}
    page = parse(render_html(summary))
    assert "974,700" in page.section("counts") and "problems" not in page.by_id
    assert "Dry run report" in page.text  # told by the "valid" rows, which only a dry run leaves


# --- safety --------------------------------------------------------------------------------------------------


def hostile_summary() -> dict[str, Any]:
    summary = summary_fixture()
    evil = iter(HOSTILE * 20)
    summary["file"] = next(evil)
    summary["snapshot"] = next(evil)
    summary["source"] = next(evil)
    summary["notes"] = [next(evil)]
    summary["errors"] = next(evil)
    summary["started_at"] = next(evil)
    for i, problem in enumerate(summary["problems"]):  # one bar per hostile column name in the chart
        problem.update(column=HOSTILE[i], message=next(evil), value=next(evil), action=next(evil))
    summary["mapping"]["layout"] = next(evil)
    for group in ("used", "unmapped", "ignored"):
        for item in summary["mapping"][group]:
            item.update({key: next(evil) for key in item})
    for example in summary["phone_examples"]:
        example.update(column=next(evil), before=next(evil), after=next(evil))
    for row in summary["rows_to_fix"]:
        row.update(status=next(evil), error=next(evil))
    return summary


def test_hostile_values_render_as_text() -> None:
    source = render_html(hostile_summary())
    page = parse(source)
    assert [tag for tag, _ in page.tags if tag in ("script", "img", "iframe", "object", "embed")] == []
    assert all(not name.startswith("on") for _, attrs in page.tags for name in attrs)
    assert "<script>" not in source and "<img" not in source and "<svg onload" not in source
    assert source.count("</style>") == 1
    text = "".join(page.text)
    for value in HOSTILE:
        assert value in text  # shown to the reader as it was in the file
    # In the SVG chart too: the column names are text, with the markup escaped.
    assert '<text x="0" y="15">&lt;script&gt;alert(1)&lt;/script&gt;</text>' in source


def test_no_external_resources_and_no_environment() -> None:
    os.environ["IMPORTER_REPORT_CANARY"] = "canary-6b1f"
    try:
        source = render_html(summary_fixture())
    finally:
        del os.environ["IMPORTER_REPORT_CANARY"]
    page = parse(source)
    for _, attrs in page.tags:
        for name in ("src", "href", "action", "xlink:href", "poster", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value or value.startswith(("data:", "#")), (name, value)
    assert not tags_named(page, "script")
    assert "@import" not in page.style and not re.search(r"url\(", page.style)
    assert not re.search(r"https?:", source)
    assert "canary-6b1f" not in source
    csp = [a for a in tags_named(page, "meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_a_huge_summary_gives_a_bounded_page() -> None:
    summary = summary_fixture()
    long, examples = "x" * 100_000, list(range(1000))
    summary["problems"] = [
        {
            "column": f"Col {i % 5000}",
            "message": long,
            "value": long,
            "rows": 100_000 - i,
            "examples": examples,
        }
        for i in range(100_000)
    ]
    summary["rows_to_fix"] = [{"row": i, "status": "invalid", "error": long} for i in range(5000)]
    summary["mapping"]["used"] = [{"column": f"C{i}", "target": "name"} for i in range(10_000)]
    summary["notes"] = [long] * 1000
    source = render_html(summary)
    assert len(source) < 1_000_000
    assert body_rows(source, "problem-table") == MAX_PROBLEMS
    assert body_rows(source, "fix-table") == MAX_FIX_ROWS
    page = parse(source)
    assert "Showing the first 100 of 100,000 kinds of problem" in page.section("problems")
    assert "4,989 other columns" in page.section("problems")  # the chart's last bar gathers the rest


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
KEYS = list(summary_fixture()) + ["signal"]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), JSON), st.dictionaries(st.sampled_from(KEYS), JSON))
def test_any_json_in_any_key_gives_a_page_with_no_markup_of_its_own(
    top: dict[str, Any], nested: dict[str, Any]
) -> None:
    summary = {**top, "mapping": nested, "problems": [nested, top], "rows_to_fix": [nested]}
    page = parse(render_html(summary))
    allowed = {"html", "head", "meta", "link", "title", "style", "body", "main", "header", "section", "footer", "p",
               "h1", "h2", "h3", "span", "strong", "code", "div", "ul", "li", "i", "table", "thead", "tbody", "tr",
               "th", "td", "svg", "g", "rect", "text"}  # fmt: skip
    assert {tag for tag, _ in page.tags} <= allowed


def test_write_html_report_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "x.report.html"
    path.write_text("old", encoding="utf-8")
    write_html_report(summary_fixture(), path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.report.html"]


# --- end to end ----------------------------------------------------------------------------------------------


def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(
        "Name,Phone,Tags\nAna,+34 612 34 56 78,VIP\n<b>Luis</b>,not a phone,\nMarta,+34 612 34 56 78,\n",
        encoding="utf-8",
    )
    return path


def test_a_dry_run_writes_the_report_beside_the_results(tmp_path: Path) -> None:
    source = small_csv(tmp_path)
    report = run_import(ImportOptions(file=source, account_file=ACCOUNT, dry_run=True, workers=1))
    path = tmp_path / "people.results.report.html"
    assert report.report_path == path
    page = parse(path.read_text(encoding="utf-8"))
    counts = page.section("counts")
    assert "Rows read 3" in counts and "Ready 1" in counts and "To fix 1" in counts and "Duplicate 1" in counts
    # What the run found, from the run itself: grouped problems with actions, the rows, the mapping, the phones.
    problems = page.section("problem-table")
    assert "Phone" in problems and "same phone as an earlier row" in problems and "the first is sent" in problems
    assert "Rows to fix" in page.section("rows-to-fix")
    assert "3" in page.section("fix-table") and "not a phone" in page.section("fix-table")
    assert "Tags" in page.section("mapping-used") and "tags" in page.section("mapping-used")
    assert "+34 612 34 56 78" in page.section("phone-table") and "34612345678" in page.section("phone-table")
    assert not tags_named(page, "b")  # the cell "<b>Luis</b>" is text, not markup


def test_cli_report_option_puts_it_elsewhere(tmp_path: Path) -> None:
    source = small_csv(tmp_path)
    elsewhere = tmp_path / "for-client" / "report.html"
    elsewhere.parent.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "CALLBELL_API_TOKEN"}
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "validate", str(source), "-a", str(ACCOUNT), "--report", str(elsewhere)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert f"Report: {elsewhere}" in proc.stdout
    assert elsewhere.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "people.results.report.html").exists()


def test_report_in_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "validate", str(small_csv(tmp_path)), "-a", str(ACCOUNT),
         "--report", str(missing)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (
        proc.returncode == 2
        and proc.stderr.strip() == f"importer: error: --report: {missing.parent} is not a directory"
    )
    assert not (tmp_path / "people.results.csv").exists()


# --- a real browser --------------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed (apt install chromium)"
)
@pytest.mark.parametrize("width", [1100, 390])
def test_chromium_renders_the_page_without_console_errors(tmp_path: Path, width: int) -> None:
    assert CHROMIUM, "CI must have chromium: .ci/run installs it"
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    write_html_report(hostile_summary(), path)
    problems: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            # As root and with no network here: no sandbox, no background requests to Google's hosts.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on(
                "console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
            )
            page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
            page.on("request", lambda r: requests.append(r.url))
            page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
            page.goto(path.as_uri(), wait_until="load")
            shot = tmp_path / f"report-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
            layout = page.evaluate(
                """() => ({
                    overflow: document.documentElement.scrollWidth - window.innerWidth,
                    sections: document.querySelectorAll('main section').length,
                    bars: document.querySelectorAll('#problems svg rect').length,
                    heading: document.querySelector('h1').textContent,
                })"""
            )
        finally:
            browser.close()
    assert problems == []
    assert requests == [path.as_uri()]  # the page itself and nothing else
    assert layout["overflow"] <= 0, "the page is wider than the screen"
    assert layout["sections"] == 6 and layout["bars"] > 3
    assert layout["heading"] == HOSTILE[0]
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG")
    assert not_blank(png)
    if os.environ.get("REPORT_SCREENSHOT_DIR"):  # to look at it: REPORT_SCREENSHOT_DIR=/tmp pytest -k chromium
        shutil.copy(shot, Path(os.environ["REPORT_SCREENSHOT_DIR"]) / shot.name)


def not_blank(png: bytes) -> bool:
    """Many colours in the screenshot: text, bars and cards were drawn, not one flat background."""
    with Image.open(io.BytesIO(png)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    return len(colours) > 50


def test_contacts_that_left_the_source_have_their_section() -> None:
    summary = summary_fixture() | {
        "dry_run": False,
        "removals": {"tagged": 12, "failed": 1},
        "missing": {"on_missing": "tag:<Gone>", "known": 1000, "missing": 13, "max_missing": 100,
                    "held_back": None, "returned": 2},
    }  # fmt: skip
    page = render_html(summary)
    section = page.split('<section id="missing">')[1].split("</section>")[0]
    assert "Contacts that left the source" in section and "Tagged as gone" in section and ">12<" in section
    assert "--on-missing tag:&lt;Gone&gt;" in section and "2 contacts came back" in section
    assert 'id="held-back"' not in section
    held = summary | {"removals": {}, "missing": summary["missing"] | {"held_back": "130 of the 1,000 are missing"}}
    assert "Held back: 130 of the 1,000 are missing." in render_html(held)
    assert '<section id="missing">' not in render_html(summary_fixture())  # --on-missing keep: no section


def test_the_advice_is_shown_whole_however_long() -> None:
    # The advice is our own sentence: cutting it at the limit of a value read from the file left it mid-word.
    summary = summary_fixture()
    advice = "the same phone as an earlier row: only the first is sent; " * 5 + "the end of the advice"
    summary["problems"][0]["action"] = advice
    assert advice in html.unescape(render_html(summary))
