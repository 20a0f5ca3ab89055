"""`<results>.report.html`: the run's summary as one page a consultant can send to the client.

One self-contained file (inline CSS and SVG, no script, no network), built from the summary dict that
importer.pipeline.run writes as `<results>.summary.json`, in the run's language (`--lang`: every word of the
page, numbers, dates and durations as the language writes them, `<html lang>`). Every value that came from the
file is escaped, in SVG text too; the page also forbids scripts through its Content-Security-Policy. Each list is
cut to a bounded length, so a file with a million distinct problems still gives a page of a few hundred kilobytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from importer import __version__
from importer.i18n.message import NP_
from importer.i18n.translator import Translator
from importer.results._html_style import CSS
from importer.results._html_svg import problem_chart, status_bar
from importer.results._html_text import (
    MAX_TEXT,
    SEVERITIES,
    STATUSES,
    as_int,
    as_list,
    as_str,
    cell,
    e,
    items,
    more,
    percent,
    status_words,
    text,
)

__all__ = ["MAX_TEXT", "SEVERITIES", "STATUSES", "render_html", "write_html_report"]

MAX_PROBLEMS = 100
MAX_CHART_BARS = 12
MAX_FIX_ROWS = 200
MAX_COLUMNS = 200  # per mapping list
MAX_PHONE_EXAMPLES = 30
MAX_NOTES = 50
MAX_EXAMPLE_ROWS = 8
MAX_ADVICE = 1000  # our own advice, whole (a value quoted in it is cut where the value is shown)
# Scripts, frames, fonts and remote images are refused even if something unescaped slipped through.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def write_html_report(summary: Mapping[str, Any], path: Path, translator: Translator | None = None) -> None:
    """Write the page to a temporary name beside `path`, then rename: never a half-written report."""
    page = render_html(summary, translator)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(page)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def render_html(summary: Mapping[str, Any], translator: Translator | None = None) -> str:
    """The report page for one summary, in the translator's language (English without one); missing or odd-typed
    keys leave their part out, never fail."""
    tr = translator or Translator()
    dry_run = summary.get("dry_run")
    if not isinstance(dry_run, bool):  # an older summary: only dry runs leave rows "valid"
        dry_run = bool(_counts_of(summary).get("valid"))
    file = as_str(summary.get("file"))
    when = _when(summary.get("started_at"), tr)
    kind = tr.gettext("Dry run report") if dry_run else tr.gettext("Import report")
    title = tr.gettext("{kind}: {file}", kind=kind, file=file) if file else kind
    title += f" ({when})" if when else ""
    body = [
        _header(summary, dry_run, kind, file, tr),
        _counts(summary, tr),
        _missing(summary, tr),
        _problems(summary.get("problems"), tr),
        _rows_to_fix(summary, tr),
        _mapping(summary.get("mapping"), tr),
        _phones(summary.get("phone_examples"), tr),
        _notes(summary.get("notes"), tr),
        _footer(summary, tr),
    ]
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{tr.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'  # or the browser asks for /favicon.ico
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        '<body>\n<main class="page">\n' + "\n".join(part for part in body if part) + "\n</main>\n</body>\n</html>\n"
    )


# --- parts of the page ---------------------------------------------------------------------------------


def _header(summary: Mapping[str, Any], dry_run: bool, kind: str, file: str, tr: Translator) -> str:
    rows = _rows(summary)
    meta = [_when(summary.get("started_at"), tr), tr.ngettext("{n} row", "{n} rows", rows)]
    duration = summary.get("duration_s")
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        meta.append(tr.gettext("took {duration}", duration=tr.duration(float(duration))))
    meta.append(as_str(text(summary.get("source"), tr)))  # a Message (importer.reading): in the run's language
    what = tr.gettext("dry run, nothing was sent") if dry_run else tr.gettext("import")
    kicker = tr.gettext("Callbell contact import · {what}", what=what)
    tone, verdict = _verdict(summary, rows, dry_run, tr)
    return (
        f'<header class="hero">\n<p class="kicker">{e(kicker)}</p>\n'
        f"<h1>{e(file or kind)}</h1>\n"
        f'<p class="meta">{"".join(f"<span>{e(m)}</span>" for m in meta if m)}</p>\n'
        f'<p class="verdict {tone}" id="verdict">{e(verdict, limit=None)}</p>\n</header>'
    )


def _verdict(summary: Mapping[str, Any], rows: int, dry_run: bool, tr: Translator) -> tuple[str, str]:
    counts = _counts_of(summary)
    to_fix = counts.get("invalid", 0) + counts.get("failed", 0)
    dup, pending = counts.get("duplicate", 0), counts.get("pending", 0)
    if summary.get("signal") is not None or pending:
        return "warn", tr.gettext("The run was stopped before the end: run the same command again to send the rest.")
    if rows == 0:
        return "warn", tr.gettext("The file has no rows to import.")
    sent = ("valid",) if dry_run else ("created", "updated", "unchanged", "skipped")
    done = sum(counts.get(s, 0) for s in (*sent, "merged"))  # a merged row went through in its group's contact
    if not to_fix and not dup:
        if dry_run:
            return "ok", tr.ngettext("The row is ready to import.", "All {n} rows are ready to import.", rows)
        return "ok", tr.ngettext("The row went through.", "All {n} rows went through.", rows)
    left = [tr.ngettext("{n} needs fixing", "{n} need fixing", to_fix)] if to_fix else []
    left += [tr.ngettext("{n} is a duplicate", "{n} are duplicates", dup)] if dup else []
    told = tr.gettext("{first} and {second}", first=left[0], second=left[1]) if len(left) == 2 else left[0]
    if dry_run:
        sentence = tr.ngettext(
            "{done} of {n} row is ready to import; {left}.",
            "{done} of {n} rows are ready to import; {left}.",
            rows,
            done=done,
            left=told,
        )
    else:
        sentence = tr.ngettext(
            "{done} of {n} row went through; {left}.",
            "{done} of {n} rows went through; {left}.",
            rows,
            done=done,
            left=told,
        )
    return ("bad" if to_fix else "warn"), sentence


def _counts(summary: Mapping[str, Any], tr: Translator) -> str:
    counts = _counts_of(summary)
    rows = _rows(summary)
    order = [s for s in STATUSES if counts.get(s)] + sorted(s for s in counts if s not in STATUSES and counts[s])
    cards = [_card("total", tr.gettext("Rows read"), rows, tr.gettext("in the file"), tr)]
    for status in order:
        label, meaning, tone = status_words(status, tr)
        sub = tr.gettext("{percent} · {meaning}", percent=percent(counts[status], rows, tr), meaning=meaning)
        cards.append(_card(tone, label, counts[status], sub, tr))
    bar = _status_bar(order, counts, tr) if rows else ""
    heading = e(tr.gettext("Rows by status"))
    return f'<section id="counts">\n<h2>{heading}</h2>\n<div class="cards">{"".join(cards)}</div>\n{bar}\n</section>'


def _missing(summary: Mapping[str, Any], tr: Translator) -> str:
    """--on-missing: the contacts that left the source, what was done to them, or why nothing was."""
    missing = summary.get("missing")
    removals = summary.get("removals")
    if not isinstance(missing, Mapping):
        return ""
    counts = {str(k): as_int(v) for k, v in removals.items()} if isinstance(removals, Mapping) else {}
    policy = f"--on-missing {as_str(missing.get('on_missing'))}"
    cards = [_card("total", tr.gettext("Known contacts"), as_int(missing.get("known")), policy, tr)]
    for status, number in counts.items():
        if number:
            label, meaning, tone = status_words(status, tr, "bad" if status == "failed" else "neutral")
            cards.append(_card(tone, label, number, meaning or tr.gettext("contacts that left the source"), tr))
    lines = []
    if missing.get("held_back"):
        # held_back is importer.delivery.missing's sentence (not converted yet: shown as it is)
        sentence = tr.gettext("Held back: {why}.", why=as_str(missing.get("held_back")))
        lines.append(f'<p class="verdict bad" id="held-back">{e(sentence, limit=400)}</p>')
    if as_int(missing.get("returned")):
        n = as_int(missing.get("returned"))
        sentence = tr.ngettext(
            "{n} contact came back: the tag was removed.", "{n} contacts came back: the tag was removed.", n
        )
        lines.append(f"<p>{e(sentence)}</p>")
    heading = e(tr.gettext("Contacts that left the source"))
    return (
        f'<section id="missing">\n<h2>{heading}</h2>\n'
        f'<div class="cards">{"".join(cards)}</div>\n{"".join(lines)}\n</section>'
    )


def _card(tone: str, label: str, number: int, sub: str, tr: Translator) -> str:
    return (
        f'<div class="card {tone}"><div class="label">{e(label)}</div>'
        f'<div class="num">{tr.number(number)}</div><div class="sub">{e(sub)}</div></div>'
    )


def _status_bar(order: list[str], counts: Mapping[str, int], tr: Translator) -> str:
    segments = []
    for status in order:
        label, _, tone = status_words(status, tr)
        segments.append((label, tone, counts[status]))
    return status_bar(segments, tr)


def _problems(problems: Any, tr: Translator) -> str:
    if problems is None:
        return ""
    found = items(problems)
    heading = e(tr.gettext("Problems found"))
    head = f'<section id="problems">\n<h2>{heading}</h2>\n'
    if not found:
        empty = e(tr.gettext("No problems found: every row passed every check."))
        return head + f'<p class="empty">{empty}</p>\n</section>'
    kinds = {"error": 0, "warning": 0}
    for item in found:
        sev = _severity(item)
        kinds[sev] = kinds.get(sev, 0) + 1
    counted = {
        "error": lambda n: tr.ngettext("{n} error", "{n} errors", n),
        "warning": lambda n: tr.ngettext("{n} warning", "{n} warnings", n),
        "info": lambda n: tr.ngettext("{n} note", "{n} notes", n),
    }
    told = ", ".join(counted[s](n) for s, n in kinds.items() if n)
    lead = tr.ngettext(
        "{n} kind of problem ({told}), most rows first. Errors keep a row out of the import until it is fixed; "
        "warnings are changes the importer made on its own.",
        "{n} kinds of problem ({told}), most rows first. Errors keep a row out of the import until it is fixed; "
        "warnings are changes the importer made on its own.",
        len(found),
        told=told,
    )
    rows = [_problem_row(item, tr) for item in found[:MAX_PROBLEMS]]
    th = [
        e(w)
        for w in (
            tr.gettext("Severity"),
            tr.gettext("Column"),
            tr.gettext("Problem"),
            tr.gettext("Rows"),
            tr.gettext("Example rows"),
            tr.gettext("What to do"),
        )
    ]
    table = (
        f'<div class="scroll"><table id="problem-table" class="cards-sm"><thead><tr><th>{th[0]}</th><th>{th[1]}</th>'
        f'<th>{th[2]}</th><th class="num">{th[3]}</th><th>{th[4]}</th><th>{th[5]}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    what = NP_("{n} kind of problem", "{n} kinds of problem", len(found))
    return (
        head
        + f'<p class="lead">{e(lead, limit=None)}</p>\n'
        + _chart(found, tr)
        + table
        + more(len(found), MAX_PROBLEMS, what, tr)
        + "\n</section>"
    )


def _problem_row(item: Mapping[str, Any], tr: Translator) -> str:
    sev = _severity(item)
    value = item.get("value")
    problem = e(text(item.get("message"), tr)) + (f" <code>{e(value)}</code>" if value not in (None, "") else "")
    count = as_int(item.get("rows"))
    examples = [as_int(r) for r in as_list(item.get("examples"))[:MAX_EXAMPLE_ROWS]]
    shown = ", ".join(tr.number(r) for r in examples) + (", …" if count > len(examples) and examples else "")
    rows_label, examples_label = e(tr.gettext("Rows")), e(tr.gettext("Example rows"))
    todo_label, whole_row = e(tr.gettext("What to do")), tr.gettext("(whole row)")
    return (
        f'<tr class="sev-{e(sev)}"><td><span class="badge {e(sev)}">{e(tr.render(SEVERITIES[sev]))}</span></td>'
        f"<td><strong>{e(item.get('column') or whole_row)}</strong></td><td>{problem}</td>"
        f'<td class="num" data-label="{rows_label}">{tr.number(count)}</td>'
        f'<td data-label="{examples_label}">{shown}</td>'
        f'<td data-label="{todo_label}">{e(text(item.get("action"), tr), limit=MAX_ADVICE)}</td></tr>'
    )


def _chart(found: list[Mapping[str, Any]], tr: Translator) -> str:
    """Rows with problems per column, the columns with most first, the smallest gathered in one last bar."""
    per_column: dict[str, list[int]] = {}
    whole_row = tr.gettext("(whole row)")
    for item in found:
        bucket = per_column.setdefault(as_str(item.get("column")) or whole_row, [0, 0])
        bucket[0 if _severity(item) == "error" else 1] += as_int(item.get("rows"))
    ranked = sorted(per_column.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    if len(ranked) > MAX_CHART_BARS:
        rest = ranked[MAX_CHART_BARS - 1 :]
        other = [sum(v[0] for _, v in rest), sum(v[1] for _, v in rest)]
        label = tr.ngettext("{n} other column", "{n} other columns", len(rest))
        ranked = [*ranked[: MAX_CHART_BARS - 1], (label, other)]
    return problem_chart([(column, errors, warnings) for column, (errors, warnings) in ranked], tr)


def _rows_to_fix(summary: Mapping[str, Any], tr: Translator) -> str:
    errors_file = as_str(summary.get("errors"))
    fix = summary.get("rows_to_fix")
    if not errors_file and fix is None:
        return ""
    counts = _counts_of(summary)
    found = items(fix)
    total = max(counts.get("invalid", 0) + counts.get("failed", 0), len(found))
    heading = e(tr.gettext("Rows to fix"))
    parts = [f'<section id="rows-to-fix">\n<h2>{heading}</h2>\n']
    if errors_file:
        # The file's name goes in as a marker, escaped apart and put in its <code> afterwards.
        sentence = tr.ngettext(
            "Correct the row in {file} (the original columns, plus one saying what is wrong), then import that "
            "file again.",
            "Correct the {n} rows in {file} (the original columns, plus one saying what is wrong), then import "
            "that file again.",
            total,
            file="\0",
        )
        if not total:
            sentence = tr.gettext(
                "Correct the rows in {file} (the original columns, plus one saying what is wrong), then import "
                "that file again.",
                file="\0",
            )
        code = f'<code id="errors-file">{e(errors_file, limit=None)}</code>'
        parts.append(f'<p class="path">{e(sentence, limit=None).replace(chr(0), code)}</p>\n')
    if found:
        rows = "".join(
            f'<tr><td class="num">{tr.number(as_int(r.get("row")))}</td>'
            f'<td><span class="badge {_tone_class(r.get("status"))}">{e(r.get("status"))}</span></td>'
            f"<td>{e(r.get('error'), limit=400)}</td></tr>"
            for r in found[:MAX_FIX_ROWS]
        )
        th = [e(tr.gettext("Row")), e(tr.gettext("Status")), e(tr.gettext("What is wrong"))]
        parts.append(
            f'<div class="scroll"><table id="fix-table"><thead><tr><th class="num">{th[0]}</th><th>{th[1]}</th>'
            f"<th>{th[2]}</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
        parts.append(more(total, min(len(found), MAX_FIX_ROWS), NP_("{n} row", "{n} rows", total), tr))
    elif not total:
        none_left = e(tr.gettext("No row needs fixing."))
        parts.append(f'<p class="empty">{none_left}</p>')
    return "".join(parts) + "\n</section>"


def _mapping(mapping: Any, tr: Translator) -> str:
    if not isinstance(mapping, Mapping):
        return ""
    heading = e(tr.gettext("Column mapping"))
    parts = [f'<section id="mapping">\n<h2>{heading}</h2>\n']
    layout = as_str(mapping.get("layout"))
    if layout:
        sentence = e(tr.gettext("Recognized as a {layout} export.", layout="\0"), limit=None)
        parts.append(f'<p class="lead">{sentence.replace(chr(0), f"<strong>{e(layout)}</strong>")}</p>\n')
    else:
        how = e(tr.gettext("How each column of the file was read."))
        parts.append(f'<p class="lead">{how}</p>\n')
    column, why = tr.gettext("Column"), tr.gettext("Why")
    used = items(mapping.get("used"))
    used_cols = [("column", tr.gettext("Column in the file")), ("target", tr.gettext("Goes to"))]
    if any(item.get("inferred") for item in used):
        used_cols.append(("inferred", tr.gettext("Inferred from the values")))
    parts.append(_column_table("used", tr.gettext("Imported"), used, tr, *used_cols))
    parts.append(
        _column_table(
            "unmapped",
            tr.gettext("Not imported"),
            items(mapping.get("unmapped")),
            tr,
            ("column", column),
            ("why", why),
            ("suggestion", tr.gettext("Did you mean")),
        )
    )
    ignored = items(mapping.get("ignored"))
    parts.append(
        _column_table("ignored", tr.gettext("Ignored on purpose"), ignored, tr, ("column", column), ("why", why))
    )
    return "".join(parts) + "</section>"


def _column_table(key: str, title: str, found: list[Mapping[str, Any]], tr: Translator, *cols: tuple[str, str]) -> str:
    if not found:
        return ""
    head = "".join(f"<th>{e(label)}</th>" for _, label in cols)
    what = NP_("{n} column", "{n} columns", len(found))
    body = "".join(
        "<tr>"
        + "".join(f"<td>{cell(text(item.get(field), tr), first=i == 0)}</td>" for i, (field, _) in enumerate(cols))
        + "</tr>"
        for item in found[:MAX_COLUMNS]
    )
    return (
        f'<h3>{e(title)} <span class="muted">({tr.number(len(found))})</span></h3>\n'
        f'<div class="scroll"><table id="mapping-{key}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"</table></div>{more(len(found), MAX_COLUMNS, what, tr)}\n"
    )


def _phones(examples: Any, tr: Translator) -> str:
    found = items(examples)
    if not found:
        return ""
    rows = "".join(
        f'<tr><td class="num">{tr.number(as_int(x.get("row")))}</td><td>{e(x.get("column"))}</td>'
        f'<td><code>{e(x.get("before"))}</code><span class="arrow" aria-hidden="true">→</span>'
        f"<code>{e(x.get('after'))}</code></td></tr>"
        for x in found[:MAX_PHONE_EXAMPLES]
    )
    lead = tr.gettext("Examples of numbers as written in the file and as sent to Callbell, in international form.")
    th = [e(tr.gettext("Row")), e(tr.gettext("Column")), e(tr.gettext("As written → as sent"))]
    what = NP_("{n} example", "{n} examples", len(found))
    heading = e(tr.gettext("Phone numbers"))
    return (
        f'<section id="phones">\n<h2>{heading}</h2>\n'
        f'<p class="lead">{e(lead, limit=None)}</p>\n'
        f'<div class="scroll"><table id="phone-table"><thead><tr><th class="num">{th[0]}</th><th>{th[1]}</th>'
        f"<th>{th[2]}</th></tr></thead><tbody>{rows}</tbody></table></div>"
        f"{more(len(found), MAX_PHONE_EXAMPLES, what, tr)}\n</section>"
    )


def _notes(notes: Any, tr: Translator) -> str:
    found = [n for n in as_list(notes) if n not in (None, "")]
    if not found:
        return ""
    lis = "".join(f"<li>{e(text(n, tr), limit=400)}</li>" for n in found[:MAX_NOTES])
    what = NP_("{n} note", "{n} notes", len(found))
    heading = e(tr.gettext("Notes about the file"))
    return (
        f'<section id="notes">\n<h2>{heading}</h2>\n'
        f'<ul class="notes">{lis}</ul>{more(len(found), MAX_NOTES, what, tr)}\n</section>'
    )


def _footer(summary: Mapping[str, Any], tr: Translator) -> str:
    lines = []
    results = as_str(summary.get("results"))
    if results:
        lines.append(tr.gettext("Results file (one line per row): {path}", path=results))
    snapshot = as_str(summary.get("snapshot"))
    if snapshot:  # a URL's, standard input's or a query's rows: the copy that was read, as it was read
        lines.append(tr.gettext("Copy of the input that was read: {path}", path=snapshot))
    code = summary.get("exit_code")
    if isinstance(code, int):
        lines.append(tr.gettext("Exit code {code}", code=str(code)))
    lines.append(tr.gettext("Made by the Callbell importer {version}", version=__version__))
    return "<footer>" + "".join(f"<p>{e(line, limit=None)}</p>" for line in lines) + "</footer>"


# --- small helpers -----------------------------------------------------------------------------------------


def _severity(item: Mapping[str, Any]) -> str:
    sev = as_str(item.get("severity")).lower() or "error"
    return sev if sev in SEVERITIES else "error"


def _tone_class(status: Any) -> str:
    status = as_str(status)
    return status if status in ("invalid", "failed", "duplicate", "pending") else "other"


def _counts_of(summary: Mapping[str, Any]) -> dict[str, int]:
    counts = summary.get("counts")
    if not isinstance(counts, Mapping):
        return {}
    return {str(k): as_int(v) for k, v in counts.items()}


def _rows(summary: Mapping[str, Any]) -> int:
    rows = summary.get("rows")
    return as_int(rows) if rows is not None else sum(_counts_of(summary).values())


def _when(value: Any, tr: Translator) -> str:
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return as_str(value)
    offset = when.utcoffset()
    zone = "" if offset is None else " UTC" if offset == timedelta(0) else f" UTC{when:%z}"
    return tr.datetime(when) + zone
