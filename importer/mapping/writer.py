"""A mapping written as the config `importer mapping` prints: `load_mapping_config` + `build_mapping` turn it
back into the same mapping."""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from importer.i18n.message import N_, Text
from importer.i18n.translator import Translator
from importer.mapping.columns import Mapping
from importer.mapping.config import CUSTOM_PREFIX, IGNORE, INPUT_KEYS, OPTION_KEYS, PHONE_FALLBACK
from importer.mapping.headers import FIELDS
from importer.mapping.toml_text import toml_string


def mapping_to_toml(
    mapping: Mapping,
    *,
    auto: bool = False,
    options: MappingABC[str, Any] | None = None,
    comments: Sequence[Text] = (),
    source: MappingABC[str, Any] | None = None,
    folder: Path | None = None,
    tr: Translator | None = None,
) -> str:
    """A config that `load_mapping_config` + `build_mapping` turn back into this same mapping, with `options` in
    [options] and `source` (a config's input_spec()) as its top-level input keys.

    `auto` defaults to false: a pinned mapping should not change when the export grows a column. Paths are
    written relative to `folder` (the folder of the config they came from) when given. The comments are in the
    language of `tr` (English without one); keys, values and examples stay as the config reads them.
    """
    tr = tr or Translator()
    lines = [f"# {_one_line(tr.render(c))}".rstrip() for c in comments]
    if lines:
        lines.append("")
    lines += [
        "# "
        + tr.gettext(
            "false: only the columns listed in [columns] are read; true: the others are detected by their header."
        ),
        f"auto = {'true' if auto else 'false'}",
        "",
        "# "
        + tr.gettext(
            "Where the rows come from when the command line names none (a path is relative to this file's folder)."
        ),
    ]
    if source:
        lines += [f"{key} = {toml_value(source[key], folder)}" for key in INPUT_KEYS if key in source]
    else:
        lines += [
            '# input = "exports/contacts.csv"   # ' + tr.gettext('or "https://…", "sftp://…", "s3://…"'),
            "# "
            + tr.gettext(
                "Or a query: the database URL is best left to IMPORTER_DB_URL, to keep its password out of this file."
            ),
            '# db = "postgresql://importer@db.example.com/crm"',
            '# query = "SELECT name, phone, email FROM customers"   # ' + tr.gettext('or query_file = "customers.sql"'),
        ]
    lines += [
        "",
        *textwrap.wrap(
            tr.gettext(
                'Targets: {fields}, {fallback} (tried in order when phone is empty), "cf:<custom field>", {ignore}.',
                fields=", ".join(FIELDS),
                fallback=PHONE_FALLBACK,
                ignore=IGNORE,
            ),
            width=116,
            initial_indent="# ",
            subsequent_indent="#   ",
        ),
        "# " + tr.gettext('A blank or repeated header is named by position: "column 7".'),
        "[columns]",
    ]
    targets: dict[int, str] = {index: name for name, index in mapping.fields.items()}
    targets |= {index: f"{CUSTOM_PREFIX}{name}" for name, index in mapping.custom_fields.items()}
    fallbacks = set(mapping.phone_fallbacks)
    for index in range(len(mapping.headers)):
        if index in targets:
            lines.append(_entry(mapping, index, targets[index], tr))
            if targets[index] == "phone":  # fallbacks right after the phone, in the order they are tried
                lines += [_entry(mapping, i, PHONE_FALLBACK, tr) for i in mapping.phone_fallbacks]
        elif index in fallbacks and "phone" not in mapping.fields:
            lines.append(_entry(mapping, index, PHONE_FALLBACK, tr))
    for index, first in sorted(mapping.same_header.items()):
        header = _one_line(mapping.column(first))
        said = tr.gettext("the same header as {header}, read when it is empty", header=header)
        lines.append(f"# {toml_string(mapping.config_key(index))}: {said}")
    labels = {label: index for index, label in mapping.phone_labels.items()}
    for index in sorted(labels):
        phone = _one_line(mapping.column(labels[index]))
        said = tr.gettext("the per-row label of {phone} (Mobile goes first)", phone=phone)
        lines.append(f"# {toml_string(mapping.config_key(index))}: {said}")
    for index in mapping.unmapped:
        target = mapping.suggestions.get(index, IGNORE)
        why = mapping.notes.get(index)
        said = tr.gettext("not mapped: {why}", why=_one_line(tr.render(why))) if why else tr.gettext("not mapped")
        lines.append(f"# {_entry(mapping, index, target, tr)}   ({said})")
    lines.append("")
    lines += textwrap.wrap(
        tr.gettext(
            "Run settings (all optional; a flag on the command line wins): any option of `importer import`, named as"
            " its flag with underscores: {options}. Paths are relative to this file's folder.",
            options=", ".join(OPTION_KEYS),
        ),
        width=116,
        initial_indent="# ",
        subsequent_indent="#   ",
    )
    if options:
        lines.append("[options]")
        lines += [f"{key} = {toml_value(value, folder)}" for key, value in options.items()]
    else:
        lines += [
            "# [options]",
            '# default_region = "ES"',
            '# phone_format = "digits"',
            '# on_existing = "update"',
            '# account_file = "account.toml"',
            '# token_file = "/etc/callbell/token"   # ' + tr.gettext("never the token itself"),
        ]
    return "\n".join(lines) + "\n"


def toml_value(value: Any, folder: Path | None = None) -> str:
    """An [options] or input value as TOML: a string, number, boolean, list, or a path (relative to `folder`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item, folder) for item in value) + "]"
    if isinstance(value, Path):
        value = os.path.relpath(value, folder) if folder is not None else str(value)
    return toml_string(str(value))


def _entry(mapping: Mapping, index: int, target: str, tr: Translator) -> str:
    line = f"{toml_string(mapping.config_key(index))} = {toml_string(target)}"
    note = mapping.notes.get(index) if index not in mapping.unmapped else None
    if index in mapping.inferred:  # pinned here, so that the next run does not depend on the values
        note = N_("inferred from the values: {why}", why=mapping.inferred[index])
    return f"{line}   # {_one_line(tr.render(note))}" if note else line


def _one_line(text: str) -> str:
    """Comment text: a header with a newline in it must not end the comment early."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)
