"""The message catalogs: every message translated in every language, the .pot in step with the source, the
placeholders of each translation those of its msgid, the markers extractable, and the glossary's words used."""

from __future__ import annotations

import ast
import re
import string
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import importer
from importer.i18n.translator import LANGS, Translator

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(importer.__file__).resolve().parent
LOCALES = PACKAGE / "i18n" / "locales"
OTHERS = [lang for lang in LANGS if lang != "en"]
MARKERS = {"N_": 1, "NP_": 2, "gettext": 1, "ngettext": 2}  # scripts/messages.py KEYWORDS: literal arguments


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALES / lang / "LC_MESSAGES" / "importer.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def fields(template: str) -> set[str]:
    """The replacement fields of a str.format template, with their conversion: {'value!r', 'n'}."""
    return {f"{name}!{conv}" if conv else name for _, name, _, conv in string.Formatter().parse(template) if name}


def test_the_pot_is_in_step_with_the_source_and_every_language_is_complete() -> None:
    # scripts/messages.py --check: extraction run now, compared with the .pot; every .po fully translated.
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "messages.py"), "--check"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("lang", OTHERS)
def test_every_message_has_a_translation_with_the_same_placeholders(lang: str) -> None:
    found = catalog(lang)
    messages = [m for m in found if m.id]
    assert len(messages) > 150
    for message in messages:
        assert not message.fuzzy, f"{lang}: fuzzy: {message.id!r}"
        if isinstance(message.id, tuple | list):
            english = fields(message.id[0]) | fields(message.id[1])
            forms = list(message.string)
            assert len(forms) == found.num_plurals and all(forms), f"{lang}: {message.id[0]!r}"
            # A singular may leave {n} out ("The row went through."), as the English one does; nothing new.
            assert set().union(*(fields(f) for f in forms)) == english, f"{lang}: {message.id[0]!r}"
            assert all(fields(f) <= english for f in forms)
        else:
            assert message.string, f"{lang}: no translation of {message.id!r}"
            assert fields(message.string) == fields(message.id), f"{lang}: {message.id!r} -> {message.string!r}"


def test_the_check_finds_an_untranslated_message(tmp_path: Path) -> None:
    # The completeness check can fail: a .po with one empty msgstr is reported by scripts/messages.py's test.
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import messages  # scripts/messages.py
    finally:
        sys.path.pop(0)
    found = catalog("de")
    first = next(m for m in found if m.id and isinstance(m.id, str))
    first.string = ""
    assert messages.untranslated(found) == [first.id]


def test_markers_take_literal_strings_outside_f_strings() -> None:
    # Babel extracts a marker's first argument(s) only when they are plain literals, and (on Python 3.11) not at
    # all inside an f-string: a message written otherwise would silently stay English.
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_fstring = {id(n) for j in ast.walk(tree) if isinstance(j, ast.JoinedStr) for n in ast.walk(j)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in MARKERS or path.name == "message.py" and name in ("N_", "NP_"):
                continue
            literal = all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[: MARKERS[name]])
            if not literal or id(node) in in_fstring:
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    # Translator's own gettext/ngettext pass their argument on: the one place a marker takes a variable.
    wrong = [w for w in wrong if not w.startswith("importer/i18n/translator.py")]
    assert not wrong, f"markers without literal msgids, or inside f-strings: {wrong}"


GLOSSARY = tomllib.loads((PACKAGE / "i18n" / "glossary.toml").read_text(encoding="utf-8"))["terms"]


def test_the_glossary_has_every_language() -> None:
    assert {"tag", "custom_field", "team", "user", "contact", "row", "column"} <= set(GLOSSARY)
    for term, entry in GLOSSARY.items():
        assert all(entry.get(lang) for lang in LANGS), f"{term}: a language is missing"


_CODE = re.compile(r"\{[^{}]*\}|\[[^\]]*\]|`[^`]*`|\S*[@/.:]\w\S*")


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_use_the_glossarys_words(lang: str) -> None:
    # Where the English says "tag" (or "custom field", "row"...), the translation says the glossary's word.
    misses = []
    for message in catalog(lang):
        if not message.id:
            continue
        english = " ".join(message.id) if isinstance(message.id, tuple | list) else message.id
        text = " ".join(message.string) if isinstance(message.string, tuple | list) else message.string
        english = _CODE.sub(" ", english)  # {user}, [values.tags], `importer x`, user@host/db, contacts.csv: not words
        for term, entry in GLOSSARY.items():
            if not entry.get("checked"):
                continue
            said = any(re.search(rf"\b{re.escape(w)}\b", english) for w in entry["en"])
            if said and not any(w.casefold() in text.casefold() for w in entry[lang]):
                misses.append(f"{term}: {english!r} -> {text!r}")
    assert not misses, "\n".join(misses)


def test_fuzzy_entries_are_english_until_confirmed() -> None:
    # A fuzzy guess is never shown (the catalog is compiled without it): the English text appears instead.
    assert Translator.for_lang("de").gettext("not in any catalog {x}", x=1) == "not in any catalog 1"
