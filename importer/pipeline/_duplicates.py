"""The end of the check stage: rows of the file with the same number (`--duplicates first|last|merge`).

`first` and `last` keep one row and mark the others `duplicate` (importer.state.rows.mark_duplicates). `merge`
folds each group's valid rows into the payload of its first row (importer.validation.merge) and marks the
others `merged`. The groups are found and read by the state file, page by page (see importer.state.rows), so
memory holds one group at a time however many rows the file has; the input is not read a second time.

The merged payload replaces the first row's, so everything after the check stage treats it as any row: one
contact in the ledger (exactly once, resumed as one), PATCHed by `--on-existing update`, and recorded in
`synced` as sent, so that the same file merged the same way the next night is `unchanged` (importer.delivery.changes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from importer.account.model import Account
from importer.i18n.message import N_
from importer.i18n.translator import Translator
from importer.mapping.columns import Mapping
from importer.state.ledger import PENDING, Ledger
from importer.validation.merge import DuplicatesMode, merge_payloads, merge_warning
from importer.validation.problems import Problem, Tally

_SENT_PAGE = 500  # merged payloads written per transaction
_CONFLICT = N_("different values for the same phone: the first row's kept")


def settle_duplicates(
    ledger: Ledger,
    mode: DuplicatesMode,
    account: Account,
    mapping: Mapping,
    tally: Tally,
    translator: Translator,
    to_send: str = PENDING,
) -> None:
    """Leave one row to send per number (rows to send have the status `to_send`); `tally` gets a warning group per
    field whose values a merge dropped."""
    if mode != "merge":
        text = translator.gettext("same phone as row {row}", row="{row}")
        ledger.rows.mark_duplicates(keep=mode, text=text, status=to_send)
        return
    label = _labels(mapping)
    shown = {t.uuid: t.name for t in account.teams} | {c.uuid: c.title for c in account.channels}
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    sent: list[tuple[str, str, int]] = []
    for group in ledger.rows.merge_groups():
        (row, _, warning), others = group[0], [r for r, _, _ in group[1:]]
        payload, conflicts = merge_payloads(_payloads(group))
        note = merge_warning(others, conflicts, label, shown, translator.render)
        sent.append((dumps(payload), f"{warning}; {note}" if warning else note, row))
        for field in dict.fromkeys(c.field for c in conflicts):  # one per field and row, as a row's problems
            tally.add(row, Problem("merge_conflict", label.get(field, field), _CONFLICT, severity="warning"))
        if len(sent) >= _SENT_PAGE:
            ledger.rows.merged_payloads(sent)
            sent = []
    ledger.rows.merged_payloads(sent)
    ledger.rows.end_merge(translator.gettext("merged into row {row}", row="{row}"))


def _payloads(group: list[tuple[int, str, str]]) -> Iterator[tuple[int, dict[str, object]]]:
    for row, payload, _ in group:
        yield row, json.loads(payload or "{}")


def _labels(mapping: Mapping) -> dict[str, str]:
    """A payload field as people know it: the column that fills it."""
    fields = mapping.fields
    names = [mapping.column(fields["name"])] if "name" in fields else [mapping.column(i) for i in mapping.name_parts]
    label = {"name": " / ".join(names) or "name"}
    for key, field in (("assigned_user", "assigned_user"), ("team_uuid", "team"), ("channel_uuid", "channel")):
        if field in fields:
            label[key] = mapping.column(fields[field])
    for key in ("bot_status", "note"):
        if key in fields:
            label[key] = mapping.column(fields[key])
    for name, index in mapping.custom_fields.items():
        label[f"custom_fields.{name}"] = mapping.column(index)
    return label
