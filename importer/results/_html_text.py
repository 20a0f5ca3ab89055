"""The report's fixed words (statuses, severities) as Messages, and the small helpers that turn any value of a
summary into escaped, cut, counted text in the run's language."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from importer.i18n.message import N_, Message
from importer.i18n.translator import Translator

MAX_TEXT = 160  # characters of one value shown (a cell can be megabytes long)

# Status: (label, what it means for the client, colour class). Order: how the page lists them. The keys are the
# results file's statuses (machine-read, never translated); the labels are the client's words.
STATUSES: dict[str, tuple[Message, Message, str]] = {
    "created": (N_("Created"), N_("new contacts in Callbell"), "ok"),
    "updated": (N_("Updated"), N_("existing contacts updated"), "ok"),
    "unchanged": (N_("Unchanged"), N_("already up to date in Callbell"), "neutral"),
    "skipped": (N_("Skipped"), N_("already in Callbell"), "neutral"),
    "valid": (N_("Ready"), N_("would be imported"), "ok"),
    "merged": (N_("Merged"), N_("went into the contact of a row with the same phone"), "neutral"),
    "duplicate": (N_("Duplicate"), N_("same phone as another row, not sent"), "warn"),
    "invalid": (N_("To fix"), N_("a problem in the row"), "bad"),
    "failed": (N_("Failed"), N_("refused by the API"), "bad"),
    "pending": (N_("Not sent"), N_("run again to send them"), "warn"),
    # --on-missing: contacts that left the source (results rows after the file's rows, without a row number).
    "tagged": (N_("Tagged as gone"), N_("left the source: tag added"), "neutral"),
    "deleted": (N_("Deleted"), N_("left the source: deleted in Callbell"), "warn"),
    "would_tag": (N_("Would be tagged"), N_("left the source"), "neutral"),
    "would_delete": (N_("Would be deleted"), N_("left the source"), "warn"),
}
SEVERITIES = {"error": N_("Error"), "warning": N_("Warning"), "info": N_("Info")}


def status_words(status: str, tr: Translator, tone: str = "neutral") -> tuple[str, str, str]:
    """(label, meaning, colour class) of a status in the run's language; an unknown status as it is."""
    known = STATUSES.get(status)
    if known is None:
        return status, "", tone
    return tr.render(known[0]), tr.render(known[1]), known[2]


def text(value: Any, tr: Translator) -> Any:
    """A Message in the run's language; any other value (a string, or whatever a summary holds) as it is."""
    return tr.render(value) if isinstance(value, Message) else value


def e(value: Any, limit: int | None = MAX_TEXT) -> str:
    """A value as escaped text (for HTML and SVG alike), cut to `limit` characters."""
    text = as_str(value)
    return html.escape(cut(text, limit) if limit else text, quote=True)


def as_str(value: Any) -> str:
    return "" if value is None else str(value)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell(value: Any, first: bool) -> str:
    if value in (None, ""):
        return '<span class="muted">—</span>'
    return f"<strong>{e(value)}</strong>" if first else e(value)


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    try:
        return int(value) if isinstance(value, int | float) else int(str(value))
    except (ValueError, OverflowError):  # "many", NaN, infinity
        return 0


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list | tuple) else []


def items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in as_list(value) if isinstance(v, Mapping)]


def percent(n: int, total: int, tr: Translator) -> str:
    if not total:
        return tr.percent(0)
    share = 100 * n / total
    if 0 < share < 0.1:
        return "<" + tr.percent(0.1)
    if n != total and share > 99.9:
        return ">" + tr.percent(99.9)
    return tr.percent(round(share, 1))


def more(total: int, shown: int, what: Message, tr: Translator) -> str:
    """ "Showing the first 100 of 4,000 rows." under a list cut short; `what` is a plural Message of `total`."""
    if total <= shown:
        return ""
    text = tr.gettext("Showing the first {shown} of {total}.", shown=shown, total=what)
    return f'<p class="more">{e(text, limit=None)}</p>'
