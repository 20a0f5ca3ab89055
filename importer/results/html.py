"""`<results>.report.html`: the run's summary as one page a consultant can send to the client.

One self-contained file (inline CSS and SVG, no script, no network), built from the summary dict that
importer.pipeline.run writes as `<results>.summary.json`. Every value that came from the file is escaped, in SVG
text too; the page also forbids scripts through its Content-Security-Policy. Each list is cut to a bounded
length, so a file with a million distinct problems still gives a page of a few hundred kilobytes.
"""

from __future__ import annotations

import contextlib
import html
import os
import tempfile
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from importer import __version__
from importer.results._html_style import CSS
from importer.results._html_svg import problem_chart, status_bar

MAX_TEXT = 160  # characters of one value shown (a cell can be megabytes long)
MAX_PROBLEMS = 100
MAX_CHART_BARS = 12
MAX_FIX_ROWS = 200
MAX_COLUMNS = 200  # per mapping list
MAX_PHONE_EXAMPLES = 30
MAX_NOTES = 50
MAX_EXAMPLE_ROWS = 8

# Status: (label, what it means for the client, colour class). Order: how the page lists them.
STATUSES: dict[str, tuple[str, str, str]] = {
    "created": ("Created", "new contacts in Callbell", "ok"),
    "updated": ("Updated", "existing contacts updated", "ok"),
    "unchanged": ("Unchanged", "already up to date in Callbell", "neutral"),
    "skipped": ("Skipped", "already in Callbell", "neutral"),
    "valid": ("Ready", "would be imported", "ok"),
    "merged": ("Merged", "went into the contact of a row with the same phone", "neutral"),
    "duplicate": ("Duplicate", "same phone as another row, not sent", "warn"),
    "invalid": ("To fix", "a problem in the row", "bad"),
    "failed": ("Failed", "refused by the API", "bad"),
    "pending": ("Not sent", "run again to send them", "warn"),
    # --on-missing: contacts that left the source (results rows after the file's rows, without a row number).
    "tagged": ("Tagged as gone", "left the source: tag added", "neutral"),
    "deleted": ("Deleted", "left the source: deleted in Callbell", "warn"),
    "would_tag": ("Would be tagged", "left the source", "neutral"),
    "would_delete": ("Would be deleted", "left the source", "warn"),
}
SEVERITIES = {"error": "Error", "warning": "Warning", "info": "Info"}
# Scripts, frames, fonts and remote images are refused even if something unescaped slipped through.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def write_html_report(summary: Mapping[str, Any], path: Path) -> None:
    """Write the page to a temporary name beside `path`, then rename: never a half-written report."""
    page = render_html(summary)
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


def render_html(summary: Mapping[str, Any]) -> str:
    """The report page for one summary; missing or odd-typed keys leave their part out, never fail."""
    dry_run = summary.get("dry_run")
    if not isinstance(dry_run, bool):  # an older summary: only dry runs leave rows "valid"
        dry_run = bool(_counts_of(summary).get("valid"))
    kind = "Dry run" if dry_run else "Import"
    file = _str(summary.get("file"))
    when = _when(summary.get("started_at"))
    title = f"{kind} report: {file}" if file else f"{kind} report"
    title += f" ({when})" if when else ""
    body = [
        _header(summary, kind, file),
        _counts(summary),
        _missing(summary),
        _problems(summary.get("problems")),
        _rows_to_fix(summary),
        _mapping(summary.get("mapping")),
        _phones(summary.get("phone_examples")),
        _notes(summary.get("notes")),
        _footer(summary),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<link rel="icon" href="data:,">\n'  # or the browser asks for /favicon.ico
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        '<body>\n<main class="page">\n' + "\n".join(part for part in body if part) + "\n</main>\n</body>\n</html>\n"
    )


# --- parts of the page ---------------------------------------------------------------------------------


def _header(summary: Mapping[str, Any], kind: str, file: str) -> str:
    rows = _rows(summary)
    meta = [_when(summary.get("started_at")), f"{rows:,} row{'' if rows == 1 else 's'}"]
    duration = summary.get("duration_s")
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        meta.append(f"took {_duration(float(duration))}")
    meta.append(_str(summary.get("source")))
    kicker = "Callbell contact import · " + ("dry run, nothing was sent" if kind == "Dry run" else "import")
    tone, verdict = _verdict(summary, rows, kind == "Dry run")
    return (
        f'<header class="hero">\n<p class="kicker">{_e(kicker)}</p>\n'
        f"<h1>{_e(file or kind + ' report')}</h1>\n"
        f'<p class="meta">{"".join(f"<span>{_e(m)}</span>" for m in meta if m)}</p>\n'
        f'<p class="verdict {tone}" id="verdict">{_e(verdict)}</p>\n</header>'
    )


def _verdict(summary: Mapping[str, Any], rows: int, dry_run: bool) -> tuple[str, str]:
    counts = _counts_of(summary)
    to_fix = counts.get("invalid", 0) + counts.get("failed", 0)
    dup, pending = counts.get("duplicate", 0), counts.get("pending", 0)
    if summary.get("signal") is not None or pending:
        return "warn", "The run was stopped before the end: run the same command again to send the rest."
    if rows == 0:
        return "warn", "The file has no rows to import."
    sent = ("valid",) if dry_run else ("created", "updated", "unchanged", "skipped")
    done = sum(counts.get(s, 0) for s in (*sent, "merged"))  # a merged row went through in its group's contact
    verb = "are ready to import" if dry_run else "went through"
    if not to_fix and not dup:
        return "ok", f"All {rows:,} rows {verb}."
    left = [f"{to_fix:,} need fixing"] if to_fix else []
    left += [f"{dup:,} {'is a duplicate' if dup == 1 else 'are duplicates'}"] if dup else []
    return ("bad" if to_fix else "warn"), f"{done:,} of {rows:,} rows {verb}; {' and '.join(left)}."


def _counts(summary: Mapping[str, Any]) -> str:
    counts = _counts_of(summary)
    rows = _rows(summary)
    order = [s for s in STATUSES if counts.get(s)] + sorted(s for s in counts if s not in STATUSES and counts[s])
    cards = [_card("total", "Rows read", rows, "in the file")]
    for status in order:
        label, meaning, tone = STATUSES.get(status, (status, "", "neutral"))
        cards.append(_card(tone, label, counts[status], f"{_percent(counts[status], rows)} · {meaning}"))
    bar = _status_bar(order, counts) if rows else ""
    return (
        f'<section id="counts">\n<h2>Rows by status</h2>\n<div class="cards">{"".join(cards)}</div>\n{bar}\n</section>'
    )


def _missing(summary: Mapping[str, Any]) -> str:
    """--on-missing: the contacts that left the source, what was done to them, or why nothing was."""
    missing = summary.get("missing")
    removals = summary.get("removals")
    if not isinstance(missing, Mapping):
        return ""
    counts = {str(k): _int(v) for k, v in removals.items()} if isinstance(removals, Mapping) else {}
    policy = f"--on-missing {_str(missing.get('on_missing'))}"
    cards = [_card("total", "Known contacts", _int(missing.get("known")), policy)]
    for status, number in counts.items():
        if number:
            label, meaning, tone = STATUSES.get(status, (status, "", "bad" if status == "failed" else "neutral"))
            cards.append(_card(tone, label, number, meaning or "contacts that left the source"))
    lines = []
    if missing.get("held_back"):
        lines.append(f'<p class="verdict bad" id="held-back">Held back: {_e(missing.get("held_back"), limit=400)}.</p>')
    if _int(missing.get("returned")):
        lines.append(f"<p>{_int(missing.get('returned')):,} contacts came back: the tag was removed.</p>")
    return (
        '<section id="missing">\n<h2>Contacts that left the source</h2>\n'
        f'<div class="cards">{"".join(cards)}</div>\n{"".join(lines)}\n</section>'
    )


def _card(tone: str, label: str, number: int, sub: str) -> str:
    return (
        f'<div class="card {tone}"><div class="label">{_e(label)}</div>'
        f'<div class="num">{number:,}</div><div class="sub">{_e(sub)}</div></div>'
    )


def _status_bar(order: list[str], counts: Mapping[str, int]) -> str:
    segments = []
    for status in order:
        label, _, tone = STATUSES.get(status, (status, "", "neutral"))
        segments.append((label, tone, counts[status]))
    return status_bar(segments)


def _problems(problems: Any) -> str:
    if problems is None:
        return ""
    items = _items(problems)
    head = '<section id="problems">\n<h2>Problems found</h2>\n'
    if not items:
        return head + '<p class="empty">No problems found: every row passed every check.</p>\n</section>'
    kinds = {"error": 0, "warning": 0}
    for item in items:
        sev = _severity(item)
        kinds[sev] = kinds.get(sev, 0) + 1
    told = ", ".join(f"{n:,} {SEVERITIES.get(s, s).lower()}{'' if n == 1 else 's'}" for s, n in kinds.items() if n)
    kinds_of = f"{len(items):,} kind{'' if len(items) == 1 else 's'} of problem"
    lead = (
        f'<p class="lead">{kinds_of} ({_e(told)}), most rows first. Errors keep a row out of the import until '
        "it is fixed; warnings are changes the importer made on its own.</p>\n"
    )
    rows = [_problem_row(item) for item in items[:MAX_PROBLEMS]]
    table = (
        '<div class="scroll"><table id="problem-table" class="cards-sm"><thead><tr><th>Severity</th><th>Column</th>'
        '<th>Problem</th><th class="num">Rows</th><th>Example rows</th><th>What to do</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return head + lead + _chart(items) + table + _more(len(items), MAX_PROBLEMS, "kinds of problem") + "\n</section>"


def _problem_row(item: Mapping[str, Any]) -> str:
    sev = _severity(item)
    value = item.get("value")
    problem = _e(item.get("message")) + (f" <code>{_e(value)}</code>" if value not in (None, "") else "")
    count = _int(item.get("rows"))
    examples = [_int(r) for r in _list(item.get("examples"))[:MAX_EXAMPLE_ROWS]]
    shown = ", ".join(f"{r:,}" for r in examples) + (", …" if count > len(examples) and examples else "")
    return (
        f'<tr class="sev-{_e(sev)}"><td><span class="badge {_e(sev)}">{_e(SEVERITIES.get(sev, sev))}</span></td>'
        f"<td><strong>{_e(item.get('column') or '(whole row)')}</strong></td><td>{problem}</td>"
        f'<td class="num" data-label="Rows">{count:,}</td><td data-label="Example rows">{shown}</td>'
        f'<td data-label="What to do">{_e(item.get("action"))}</td></tr>'
    )


def _chart(items: list[Mapping[str, Any]]) -> str:
    """Rows with problems per column, the columns with most first, the smallest gathered in one last bar."""
    per_column: dict[str, list[int]] = {}
    for item in items:
        bucket = per_column.setdefault(_str(item.get("column")) or "(whole row)", [0, 0])
        bucket[0 if _severity(item) == "error" else 1] += _int(item.get("rows"))
    ranked = sorted(per_column.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    if len(ranked) > MAX_CHART_BARS:
        rest = ranked[MAX_CHART_BARS - 1 :]
        other = [sum(v[0] for _, v in rest), sum(v[1] for _, v in rest)]
        ranked = [*ranked[: MAX_CHART_BARS - 1], (f"{len(rest):,} other columns", other)]
    return problem_chart([(column, errors, warnings) for column, (errors, warnings) in ranked])


def _rows_to_fix(summary: Mapping[str, Any]) -> str:
    errors_file = _str(summary.get("errors"))
    fix = summary.get("rows_to_fix")
    if not errors_file and fix is None:
        return ""
    counts = _counts_of(summary)
    items = _items(fix)
    total = max(counts.get("invalid", 0) + counts.get("failed", 0), len(items))
    parts = ['<section id="rows-to-fix">\n<h2>Rows to fix</h2>\n']
    if errors_file:
        parts.append(
            f'<p class="path">Correct {_rows_phrase(total)} in '
            f'<code id="errors-file">{_e(errors_file, limit=None)}</code> (the original columns, plus one saying '
            "what is wrong), then import that file again.</p>\n"
        )
    if items:
        rows = "".join(
            f'<tr><td class="num">{_int(r.get("row")):,}</td>'
            f'<td><span class="badge {_tone_class(r.get("status"))}">{_e(r.get("status"))}</span></td>'
            f"<td>{_e(r.get('error'), limit=400)}</td></tr>"
            for r in items[:MAX_FIX_ROWS]
        )
        parts.append(
            '<div class="scroll"><table id="fix-table"><thead><tr><th class="num">Row</th><th>Status</th>'
            f"<th>What is wrong</th></tr></thead><tbody>{rows}</tbody></table></div>"
        )
        parts.append(_more(total, min(len(items), MAX_FIX_ROWS), "rows"))
    elif not total:
        parts.append('<p class="empty">No row needs fixing.</p>')
    return "".join(parts) + "\n</section>"


def _mapping(mapping: Any) -> str:
    if not isinstance(mapping, Mapping):
        return ""
    parts = ['<section id="mapping">\n<h2>Column mapping</h2>\n']
    layout = _str(mapping.get("layout"))
    parts.append(
        f'<p class="lead">Recognized as a <strong>{_e(layout)}</strong> export.</p>\n'
        if layout
        else '<p class="lead">How each column of the file was read.</p>\n'
    )
    used = _items(mapping.get("used"))
    unmapped = _items(mapping.get("unmapped"))
    ignored = _items(mapping.get("ignored"))
    used_cols = [("column", "Column in the file"), ("target", "Goes to")]
    if any(item.get("inferred") for item in used):
        used_cols.append(("inferred", "Inferred from the values"))
    parts.append(_column_table("used", "Imported", used, *used_cols))
    parts.append(
        _column_table(
            "unmapped", "Not imported", unmapped, ("column", "Column"), ("why", "Why"), ("suggestion", "Did you mean")
        )
    )
    parts.append(_column_table("ignored", "Ignored on purpose", ignored, ("column", "Column"), ("why", "Why")))
    return "".join(parts) + "</section>"


def _column_table(key: str, title: str, items: list[Mapping[str, Any]], *cols: tuple[str, str]) -> str:
    if not items:
        return ""
    head = "".join(f"<th>{_e(label)}</th>" for _, label in cols)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(item.get(field), first=i == 0)}</td>" for i, (field, _) in enumerate(cols))
        + "</tr>"
        for item in items[:MAX_COLUMNS]
    )
    return (
        f'<h3>{_e(title)} <span class="muted">({len(items):,})</span></h3>\n'
        f'<div class="scroll"><table id="mapping-{key}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"</table></div>{_more(len(items), MAX_COLUMNS, 'columns')}\n"
    )


def _phones(examples: Any) -> str:
    items = _items(examples)
    if not items:
        return ""
    rows = "".join(
        f'<tr><td class="num">{_int(x.get("row")):,}</td><td>{_e(x.get("column"))}</td>'
        f'<td><code>{_e(x.get("before"))}</code><span class="arrow" aria-hidden="true">→</span>'
        f"<code>{_e(x.get('after'))}</code></td></tr>"
        for x in items[:MAX_PHONE_EXAMPLES]
    )
    return (
        '<section id="phones">\n<h2>Phone numbers</h2>\n'
        '<p class="lead">Examples of numbers as written in the file and as sent to Callbell, in international '
        "form.</p>\n"
        '<div class="scroll"><table id="phone-table"><thead><tr><th class="num">Row</th><th>Column</th>'
        f"<th>As written → as sent</th></tr></thead><tbody>{rows}</tbody></table></div>"
        f"{_more(len(items), MAX_PHONE_EXAMPLES, 'examples')}\n</section>"
    )


def _notes(notes: Any) -> str:
    items = [n for n in _list(notes) if n not in (None, "")]
    if not items:
        return ""
    lis = "".join(f"<li>{_e(n, limit=400)}</li>" for n in items[:MAX_NOTES])
    return (
        '<section id="notes">\n<h2>Notes about the file</h2>\n'
        f'<ul class="notes">{lis}</ul>{_more(len(items), MAX_NOTES, "notes")}\n</section>'
    )


def _footer(summary: Mapping[str, Any]) -> str:
    lines = []
    results = _str(summary.get("results"))
    if results:
        lines.append(f"Results file (one line per row): {_e(results, limit=None)}")
    snapshot = _str(summary.get("snapshot"))
    if snapshot:  # a URL's, standard input's or a query's rows: the copy that was read, as it was read
        lines.append(f"Copy of the input that was read: {_e(snapshot, limit=None)}")
    code = summary.get("exit_code")
    if isinstance(code, int):
        lines.append(f"Exit code {code}")
    lines.append(f"Made by the Callbell importer {__version__}")
    return "<footer>" + "".join(f"<p>{line}</p>" for line in lines) + "</footer>"


# --- small helpers -----------------------------------------------------------------------------------------


def _e(value: Any, limit: int | None = MAX_TEXT) -> str:
    """A value as escaped text (for HTML and SVG alike), cut to `limit` characters."""
    text = _str(value)
    return html.escape(_cut(text, limit) if limit else text, quote=True)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(value: Any, first: bool) -> str:
    if value in (None, ""):
        return '<span class="muted">—</span>'
    return f"<strong>{_e(value)}</strong>" if first else _e(value)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value) if isinstance(value, int | float) else int(str(value))
    except (ValueError, OverflowError):  # "many", NaN, infinity
        return 0


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list | tuple) else []


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in _list(value) if isinstance(v, Mapping)]


def _severity(item: Mapping[str, Any]) -> str:
    sev = _str(item.get("severity")).lower() or "error"
    return sev if sev in SEVERITIES else "error"


def _tone_class(status: Any) -> str:
    status = _str(status)
    return status if status in ("invalid", "failed", "duplicate", "pending") else "other"


def _counts_of(summary: Mapping[str, Any]) -> dict[str, int]:
    counts = summary.get("counts")
    if not isinstance(counts, Mapping):
        return {}
    return {str(k): _int(v) for k, v in counts.items()}


def _rows(summary: Mapping[str, Any]) -> int:
    rows = summary.get("rows")
    return _int(rows) if rows is not None else sum(_counts_of(summary).values())


def _percent(n: int, total: int) -> str:
    if not total:
        return "0%"
    share = 100 * n / total
    if 0 < share < 0.1:
        return "<0.1%"
    if n != total and share > 99.9:
        return ">99.9%"
    return f"{share:.1f}%".replace(".0%", "%")


def _when(value: Any) -> str:
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return _str(value)
    offset = when.utcoffset()
    zone = "" if offset is None else " UTC" if offset == timedelta(0) else f" UTC{when:%z}"
    return f"{when.day} {when:%B %Y, %H:%M}{zone}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _rows_phrase(n: int) -> str:
    return "the row" if n == 1 else f"the {n:,} rows" if n else "the rows"


def _more(total: int, shown: int, what: str) -> str:
    if total <= shown:
        return ""
    return f'<p class="more">Showing the first {shown:,} of {total:,} {_e(what)}.</p>'
