"""importer.mapping.toml_text: strings written by tomlkit, in the escapes the config files always had."""

from __future__ import annotations

import tomllib

import pytest

from importer.mapping.toml_text import toml_key, toml_string

TEXTS = ["plain", 'a "quoted" \\ back', "line\nbreak\ttab", "\r\b\f\x01\x7f", "é 日本", ""]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("short", ["\n\t", ""])
def test_strings_read_back_as_written(text: str, short: str) -> None:
    assert tomllib.loads(f"k = {toml_string(text, short_escapes=short)}")["k"] == text


def test_the_escapes_of_today() -> None:
    assert toml_string("a\nb\tc\r\b\f\x7f") == r'"a\nb\tc\u000D\u0008\u000C\u007F"'  # [columns] lines
    assert toml_string("a\nb\tc", short_escapes="") == r'"a\u000Ab\u0009c"'  # [values] lines
    assert toml_string('x"\\n') == r'"x\"\\n"'  # an escaped backslash before n stays a backslash and an n
    assert (toml_key("phone"), toml_key("cf:Status")) == ("phone", '"cf:Status"')
