"""A mapping written as the config `importer mapping` prints: `load_mapping_config` + `build_mapping` turn it
back into the same mapping."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence

from importer.mapping.columns import Mapping
from importer.mapping.config import CUSTOM_PREFIX, IGNORE, OPTION_KEYS, PHONE_FALLBACK
from importer.mapping.headers import FIELDS
from importer.mapping.toml_text import toml_string


def mapping_to_toml(
    mapping: Mapping,
    *,
    auto: bool = False,
    options: MappingABC[str, str] | None = None,
    comments: Sequence[str] = (),
) -> str:
    """A config that `load_mapping_config` + `build_mapping` turn back into this same mapping.

    `auto` defaults to false: a pinned mapping should not change when the export grows a column.
    """
    lines = [f"# {_one_line(c)}".rstrip() for c in comments]
    if lines:
        lines.append("")
    lines += [
        "# false: only the columns listed in [columns] are read; true: the others are detected by their header.",
        f"auto = {'true' if auto else 'false'}",
        "",
        *textwrap.wrap(
            f"Targets: {', '.join(FIELDS)}, {PHONE_FALLBACK} (tried in order when phone is empty),"
            f' "cf:<custom field>", {IGNORE}.',
            width=116,
            initial_indent="# ",
            subsequent_indent="#   ",
        ),
        '# A blank or repeated header is named by position: "column 7".',
        "[columns]",
    ]
    targets: dict[int, str] = {index: name for name, index in mapping.fields.items()}
    targets |= {index: f"{CUSTOM_PREFIX}{name}" for name, index in mapping.custom_fields.items()}
    fallbacks = set(mapping.phone_fallbacks)
    for index in range(len(mapping.headers)):
        if index in targets:
            lines.append(_entry(mapping, index, targets[index]))
            if targets[index] == "phone":  # fallbacks right after the phone, in the order they are tried
                lines += [_entry(mapping, i, PHONE_FALLBACK) for i in mapping.phone_fallbacks]
        elif index in fallbacks and "phone" not in mapping.fields:
            lines.append(_entry(mapping, index, PHONE_FALLBACK))
    labels = {label: index for index, label in mapping.phone_labels.items()}
    for index in sorted(labels):
        phone = _one_line(mapping.column(labels[index]))
        lines.append(f"# {toml_string(mapping.config_key(index))}: the per-row label of {phone} (Mobile goes first)")
    for index in mapping.unmapped:
        target = mapping.suggestions.get(index, IGNORE)
        why = mapping.notes.get(index)
        lines.append(f"# {_entry(mapping, index, target)}   (not mapped{': ' + _one_line(why) if why else ''})")
    lines += ["", "# Run settings to pin (all optional): " + ", ".join(OPTION_KEYS) + "."]
    if options:
        lines.append("[options]")
        lines += [f"{key} = {toml_string(value)}" for key, value in options.items()]
    else:
        lines += ["# [options]", '# default_region = "ES"', '# phone_format = "digits"']
    return "\n".join(lines) + "\n"


def _entry(mapping: Mapping, index: int, target: str) -> str:
    line = f"{toml_string(mapping.config_key(index))} = {toml_string(target)}"
    note = mapping.notes.get(index) if index not in mapping.unmapped else None
    return f"{line}   # {_one_line(note)}" if note else line


def _one_line(text: str) -> str:
    """Comment text: a header with a newline in it must not end the comment early."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)
