"""One run's language: messages rendered from the compiled catalogs, numbers, dates and durations formatted
with Babel (CLDR) for it. Built once per run from `--lang` and passed down; nothing here is global but the
catalogs themselves, read once per process (they never change while it runs).

Catalogs: an installed importer (a wheel) reads the .mo files compiled at build time (setup.py compiles every
.po into the wheel). A source checkout has only the .po files: they are compiled in memory with Babel on first
use (a few milliseconds per language), so that no build step, cache directory or stale .mo stands between an
edited translation and the next run.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.i18n.message import N_, NP_, Fixed, Message, Territory, Text, english, territory_name

LANGS = ("en", "es", "pt", "it", "fr", "de")  # English is the msgids themselves: it has no catalog
DOMAIN = "importer"
LOCALES = Path(__file__).resolve().parent / "locales"
_ENV = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX precedence: the first one set decides


def detect_lang(environ: Mapping[str, str]) -> str:
    """The language of the environment's locale (`it_IT.UTF-8` -> it) when it is one of LANGS, else en."""
    for name in _ENV:
        value = environ.get(name, "")
        if value:
            code = value.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
            return code if code in LANGS else "en"
    return "en"


@functools.cache
def _catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (an empty one for English), read once per process."""
    if lang == "en":
        return gettext.NullTranslations()
    folder = LOCALES / lang / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    if mo.exists():
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with (folder / f"{DOMAIN}.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy entry is a guess: English until someone confirms it
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@dataclass(frozen=True, eq=False)
class Translator:
    """Renders messages, numbers, percentages, dates and durations in `lang`.

    Picklable as its language alone (the validation processes load the catalog once each)."""

    lang: str = "en"
    _catalog: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, repr=False)
    _group: str = field(default=",", repr=False)  # the digit group separator: 1,234 / 1.234 / 1 234

    @classmethod
    def for_lang(cls, lang: str) -> Translator:
        if lang not in LANGS:
            raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
        if lang == "en":
            return cls()  # no Babel import, no catalog: English is the msgids as they are written
        from babel.numbers import get_group_symbol

        return cls(lang, _catalog(lang), get_group_symbol(lang))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Translator.for_lang, (self.lang,))

    # --- messages ------------------------------------------------------------------------------------------

    def render(self, message: Text) -> str:
        """A Message in this language (a plain string, not converted yet, as it is)."""
        if isinstance(message, str):
            return message
        if message.plural is None:
            template = self._catalog.gettext(message.msgid)  # one dict look-up per message
        else:
            template = self._catalog.ngettext(message.msgid, message.plural, message.n or 0)
        if not message.params:
            return template
        try:
            return template.format_map({k: self._value(v) for k, v in message.params})
        except (KeyError, IndexError, ValueError):  # a broken translation (tests/i18n catch it): English
            return english(message)

    def gettext(self, msgid: str, /, **params: Any) -> str:
        """`msgid` (a template) translated and filled now: for the output layers' own words."""
        return self.render(N_(msgid, **params))

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        return self.render(NP_(singular, plural, n, **params))

    def _value(self, value: Any) -> Any:
        if isinstance(value, Message):
            return self.render(value)
        if isinstance(value, tuple):  # a list (message.listing): each item in this language
            return ", ".join(str(self._value(item)) for item in value)
        if isinstance(value, Territory):
            return territory_name(value.code, self.lang)
        if isinstance(value, Fixed):
            return self.fixed(value.value, value.decimals)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.number(value)
        return value

    # --- numbers, dates, durations -------------------------------------------------------------------------

    def number(self, value: int | float, decimals: int | None = None) -> str:
        """1,234 / 1.234 / 1 234 (Babel's narrow no-break space in French); `decimals`: at most that many."""
        if isinstance(value, int) and decimals is None:
            # Babel's own grouping for these six languages (#,##0), without a Babel call per number.
            text = f"{value:,}"
            return text if self._group == "," else text.replace(",", self._group)
        if self.lang == "en" and decimals is not None:
            return f"{value:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{round(value):,}"
        from babel.numbers import format_decimal

        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.lang)

    def fixed(self, value: float, decimals: int = 1) -> str:
        """A number with exactly `decimals` decimals: 12.3 / 12,3."""
        text = f"{value:,.{decimals}f}"
        if self.lang == "en":
            return text
        from babel.numbers import get_decimal_symbol

        return text.replace(",", "\0").replace(".", get_decimal_symbol(self.lang)).replace("\0", self._group)

    def percent(self, share: float) -> str:
        """A percentage given as 0-100, with at most one decimal: 12.5% / 12,5 % (as the language writes it)."""
        if self.lang == "en":
            return f"{share:.1f}%".replace(".0%", "%")
        from babel import Locale

        pattern = Locale.parse(self.lang).percent_formats[None].pattern.replace("#,##0", "#,##0.#")
        from babel.numbers import format_percent

        return format_percent(share / 100, format=pattern, locale=self.lang)

    def datetime(self, when: dt.datetime) -> str:
        """5 March 2026, 14:30 / 5 de marzo de 2026, 14:30 / 5. März 2026, 14:30."""
        if self.lang == "en":
            return f"{when.day} {when:%B %Y, %H:%M}"
        from babel.dates import format_date

        day, time = format_date(when, "long", locale=self.lang), when.strftime("%H:%M")
        return self.gettext("{date}, {time}", date=day, time=time)

    def duration(self, seconds: float) -> str:
        """12.3 s, 4 min 05 s, 2 h 07 min: the units' symbols, the number as the language writes it."""
        if seconds < 60:
            return self.gettext("{seconds} s", seconds=self.fixed(seconds, 1))
        minutes, secs = divmod(round(seconds), 60)
        if minutes < 60:
            return self.gettext("{minutes} min {seconds} s", minutes=minutes, seconds=str(secs).zfill(2))
        return self.gettext("{hours} h {minutes} min", hours=minutes // 60, minutes=str(minutes % 60).zfill(2))
