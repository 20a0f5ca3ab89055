"""importer.i18n: Messages (deferred, English by str()), the Translator's look-ups, plural forms and CLDR formats,
and the language of the environment."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from babel.numbers import format_decimal

from importer.i18n.message import N_, NP_, Message
from importer.i18n.translator import LANGS, Translator, detect_lang


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({"LANG": "it_IT.UTF-8"}, "it"),
        ({"LANG": "pt_BR.UTF-8"}, "pt"),
        ({"LANG": "de_DE@euro"}, "de"),
        ({"LANG": "fr"}, "fr"),
        ({"LC_MESSAGES": "es_ES.UTF-8", "LANG": "de_DE.UTF-8"}, "es"),  # LC_MESSAGES before LANG
        ({"LC_ALL": "pt_PT.UTF-8", "LC_MESSAGES": "es_ES", "LANG": "de_DE"}, "pt"),  # LC_ALL before both
        ({"LC_ALL": "C", "LANG": "it_IT.UTF-8"}, "en"),  # the first one set decides, as POSIX says
        ({"LC_ALL": "", "LANG": "it_IT.UTF-8"}, "it"),  # an empty variable is not set
        ({"LANG": "ja_JP.UTF-8"}, "en"),  # not one of the six
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_of_the_environment(environ: dict[str, str], lang: str) -> None:
    assert detect_lang(environ) == lang


def test_a_message_is_english_as_a_string_and_compares_as_one() -> None:
    tag = N_("unknown tag {value!r}", value="Premium")
    assert str(tag) == "unknown tag 'Premium'" and tag == "unknown tag 'Premium'" and tag != "unknown tag"
    assert hash(tag) == hash("unknown tag 'Premium'") and {tag: 1}["unknown tag 'Premium'"] == 1
    assert "Premium" in tag
    assert pickle.loads(pickle.dumps(tag)) == tag  # it comes back from the validation processes
    assert str(NP_("{n} row", "{n} rows", 1)) == "1 row" and str(NP_("{n} row", "{n} rows", 1234)) == "1,234 rows"
    nested = N_("{detail}: dropped", detail=N_("unknown tag {value!r}", value="X"))
    assert str(nested) == "unknown tag 'X': dropped"
    assert N_("a {x}", x=1).with_params(x=2) == Message("a {x}", (("x", 2),))


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_a_message_renders_in_the_language_nested_ones_too(lang: str) -> None:
    tr = Translator.for_lang(lang)
    message = N_("{message}: dropped", message=N_("unknown tag dropped"))
    rendered = tr.render(message)
    assert rendered != str(message) and "unknown" not in rendered and "dropped" not in rendered
    assert tr.render("not converted yet") == "not converted yet"  # a plain string is shown as it is
    assert pickle.loads(pickle.dumps(tr)).render(message) == rendered  # the worker processes' copy


def test_plural_forms_follow_each_languages_rules() -> None:
    # French and Portuguese say "0 ligne" (singular) where English and German say "0 rows".
    def rows(lang: str, n: int) -> str:
        return Translator.for_lang(lang).ngettext("{n} row", "{n} rows", n)

    assert [rows("en", n) for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert [rows("de", n) for n in (0, 1, 2)] == ["0 Zeilen", "1 Zeile", "2 Zeilen"]
    assert [rows("fr", n) for n in (0, 1, 2)] == ["0 ligne", "1 ligne", "2 lignes"]
    assert [rows("pt", n) for n in (0, 1, 2)] == ["0 linha", "1 linha", "2 linhas"]
    assert [rows("it", n) for n in (0, 1, 2)] == ["0 righe", "1 riga", "2 righe"]
    assert rows("es", 1_000_000) == "1.000.000 filas"  # CLDR's "many" form


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "1,234"), ("de", "1.234"), ("it", "1.234"), ("es", "1.234"), ("pt", "1.234"), ("fr", "1\u202f234")],
)
def test_numbers_are_grouped_as_the_language_writes_them(lang: str, expected: str) -> None:
    tr = Translator.for_lang(lang)
    assert tr.number(1234) == expected
    for n in (0, 7, 999, 1000, 12_345, 974_700, 1_234_567_890, -4321):
        assert tr.number(n) == format_decimal(n, locale=lang)  # Babel's own grouping, without a call per number
    assert tr.render(NP_("{n} row", "{n} rows", 1234)).startswith(expected)


def test_percentages_dates_and_durations_per_language() -> None:
    en, de, fr = Translator(), Translator.for_lang("de"), Translator.for_lang("fr")
    assert (en.percent(97.5), en.percent(100), de.percent(97.5)) == ("97.5%", "100%", "97,5\u00a0%")
    assert fr.percent(12.5) == "12,5\u00a0%"
    when = dt.datetime(2026, 12, 1, 22, 40)
    assert en.datetime(when) == "1 December 2026, 22:40"
    assert de.datetime(when) == "1. Dezember 2026, 22:40"
    assert Translator.for_lang("es").datetime(when) == "1 de diciembre de 2026, 22:40"
    assert fr.datetime(when) == "1 décembre 2026 à 22:40"
    assert (en.duration(21.4), en.duration(65), en.duration(7260)) == ("21.4 s", "1 min 05 s", "2 h 01 min")
    assert (de.duration(21.4), de.fixed(1234.5)) == ("21,4 s", "1.234,5")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of en, es, pt, it, fr, de"):
        Translator.for_lang("ja")
