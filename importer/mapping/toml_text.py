"""TOML strings for the config files the importer writes (`importer mapping`), written by tomlkit.

One helper for every string the config writers put in a file. tomlkit writes some control characters in a
form the importer never wrote (\\r, \\b, \\f, \\u007f): those keep the \\uXXXX form they always had, so the
files come out byte for byte as before.
"""

from __future__ import annotations

import re

import tomlkit

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SHORT = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r"}
_SHORT_OF = {v: k for k, v in _SHORT.items()}


def toml_string(text: str, *, short_escapes: str = "\n\t") -> str:
    """`text` as a TOML basic string. Control characters in `short_escapes` are written \\n and \\t, the others
    \\uXXXX: the [columns] lines have always written a header's newline as \\n, the [values] lines as \\u000A."""

    def today(match: re.Match[str]) -> str:
        code = match.group(1)
        char = _SHORT.get(code) or (chr(int(code[1:], 16)) if code[0] in "uU" and len(code) > 1 else None)
        if char is None:
            return match.group(0)  # \" and \\
        return f"\\{_SHORT_OF[char]}" if char in short_escapes else f"\\u{ord(char):04X}"

    return _ESCAPE.sub(today, tomlkit.string(text).as_string())


def toml_key(key: str) -> str:
    """A key as the [values] sections write it: bare when it is letters, digits and _, else a string."""
    return key if key.replace("_", "").isalnum() else toml_string(key, short_escapes="")
