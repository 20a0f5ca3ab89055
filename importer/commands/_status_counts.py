"""How many rows ended in each status, as the terminal says it: "228 valid, 2 duplicate" in English (the statuses'
own words, as before), "228 listos, 2 duplicados" in Spanish: each status by the word the report's badge uses
(importer.results._html_text.STATUSES), with the language's plural forms. The results file, summary.json and
--log-format json keep the machine words."""

from __future__ import annotations

from importer.i18n.message import NP_, Message, Text

# One plural message per status; n=1 here only to build them (`status_count` gives each its count). English: the
# status word itself, the same for any n, so that `--lang en` prints what it always printed.
_COUNTED: dict[str, Message] = {
    "created": NP_("{n} created", "{n} created", 1),
    "updated": NP_("{n} updated", "{n} updated", 1),
    "unchanged": NP_("{n} unchanged", "{n} unchanged", 1),
    "skipped": NP_("{n} skipped", "{n} skipped", 1),
    "valid": NP_("{n} valid", "{n} valid", 1),
    "merged": NP_("{n} merged", "{n} merged", 1),
    "duplicate": NP_("{n} duplicate", "{n} duplicate", 1),
    "invalid": NP_("{n} invalid", "{n} invalid", 1),
    "failed": NP_("{n} failed", "{n} failed", 1),
    "pending": NP_("{n} pending", "{n} pending", 1),
    # --on-missing's contacts that left the source
    "tagged": NP_("{n} tagged", "{n} tagged", 1),
    "deleted": NP_("{n} deleted", "{n} deleted", 1),
    "would_tag": NP_("{n} would_tag", "{n} would_tag", 1),
    "would_delete": NP_("{n} would_delete", "{n} would_delete", 1),
}


def status_count(status: str, n: int) -> Text:
    """`n` rows of `status`, as a message ("228 valid"); a status without words here as "228 status"."""
    found = _COUNTED.get(status)
    if found is None:
        return Message("{n} {status}", (("n", n), ("status", status)))  # not extracted: no words to translate
    return Message(found.msgid, (("n", n),), found.plural, n)
