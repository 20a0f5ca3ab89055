"""The report's two charts as inline SVG. Bar lengths are percentages of the width and text is in pixels, so a
chart fits a phone and a printed page without its text shrinking; every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from importer.i18n.translator import Translator

LABEL_CHARS = 34  # a longer column name is cut in the chart (the table below shows it whole)
STEP = 44  # pixels per bar: its label above, then the bar


def status_bar(segments: Sequence[tuple[str, str, int]], tr: Translator) -> str:
    """One bar split by status, with its legend; segments are (label, colour class, rows)."""
    # Each segment gets a sliver at least: 700 duplicates beside 950,000 valid rows still show.
    slivers = [max(count, 1) for _, _, count in segments]
    widths = [max(100 * n / (sum(slivers) or 1), 0.5) for n in slivers]
    scale = 100 / (sum(widths) or 1)
    x, rects, legend = 0.0, [], []
    for (label, tone, count), width in zip(segments, widths, strict=True):
        width *= scale
        rects.append(
            f'<rect class="fill-{tone}" x="{x:.3f}%" y="0" width="{width:.3f}%" height="14">'
            f"<title>{escape(label)}: {tr.number(count)}</title></rect>"
        )
        legend.append(f'<li><i class="fill-{tone}"></i>{escape(label)} {tr.number(count)}</li>')
        x += width
    label = escape(tr.gettext("Rows by status"))
    return (
        f'<div class="stack"><svg width="100%" height="14" role="img" aria-label="{label}">'
        f'{"".join(rects)}</svg></div>\n<ul class="legend">{"".join(legend)}</ul>'
    )


def problem_chart(bars: Sequence[tuple[str, int, int]], tr: Translator) -> str:
    """A horizontal bar per column, errors and warnings stacked; bars are (column, error rows, warning rows)."""
    top = max((errors + warnings for _, errors, warnings in bars), default=0) or 1
    parts = []
    for i, (column, errors, warnings) in enumerate(bars):
        y = i * STEP
        label = column if len(column) <= LABEL_CHARS else column[: LABEL_CHARS - 1] + "…"
        total = tr.ngettext("{n} row", "{n} rows", errors + warnings)
        parts.append(
            f"<g><title>{escape(column)}: {escape(_told(errors, warnings, tr))}</title>"
            f'<text x="0" y="{y + 15}">{escape(label)}</text>'
            f'<text class="value" x="100%" y="{y + 15}" text-anchor="end">'
            f"{escape(total)}</text>"
            f'<rect class="fill-track" x="0" y="{y + 22}" width="100%" height="12" rx="3"/>'
        )
        x = 0.0
        for count, tone in ((errors, "bad"), (warnings, "warn")):
            if count:  # a sliver at least, so that 3 rows beside 20,000 still show
                width = min(max(100 * count / top, 0.6), 100 - x)
                parts.append(f'<rect class="fill-{tone}" x="{x:.3f}%" y="{y + 22}" width="{width:.3f}%" height="12"/>')
                x += width
        parts.append("</g>")
    aria = escape(tr.gettext("Rows with problems, by column"))
    legend = escape(tr.gettext("Errors")), escape(tr.gettext("Warnings"))
    return (
        f'<div class="chart"><svg width="100%" height="{len(bars) * STEP}" role="img" '
        f'aria-label="{aria}">{"".join(parts)}</svg>'
        f'<ul class="legend"><li><i class="fill-bad"></i>{legend[0]}</li>'
        f'<li><i class="fill-warn"></i>{legend[1]}</li></ul>'
        "</div>\n"
    )


def _told(errors: int, warnings: int, tr: Translator) -> str:
    return tr.gettext(
        "{errors}, {warnings}",
        errors=tr.ngettext("{n} row with errors", "{n} rows with errors", errors),
        warnings=tr.ngettext("{n} row with warnings", "{n} rows with warnings", warnings),
    )
