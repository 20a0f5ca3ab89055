"""Deferred text: what a lower layer means, rendered in the run's language by the output layer.

`N_("unknown tag {value!r}", value=tag)` and `NP_("{n} row", "{n} rows", n)` build a `Message`; `str()` of it is
English (so that code comparing strings, and summary.json, stay as they were); `Translator.render` gives the run's
language. Templates are str.format templates with named fields (`{value!r}` quotes a value as repr does); an int
field is written with the language's digit grouping at render time, so templates never say `{n:,}`. A tuple
field is a list, each item rendered and joined by ", " (`listing`); a `Territory` field is a country's name in
the language (Babel's, from CLDR).

Babel's extractor finds the templates by these names (scripts/messages.py, KEYWORDS): keep the first arguments
plain string literals.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Params = tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True, eq=False)
class Message:
    """A msgid (a str.format template), its named values, and for a plural its plural msgid and count `n`.

    Frozen and made of plain values: hashable (problems are grouped by it) and picklable (it comes back from the
    validation processes). A value may itself be a Message, rendered in the same language."""

    msgid: str
    params: Params = ()
    plural: str | None = None
    n: int | None = None

    def __str__(self) -> str:
        return english(self)

    # Equal to another Message with the same fields, and to its English text: code and tests that compared
    # strings before a message was converted keep working (the hash is the English text's, as equality needs).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return (self.msgid, self.params, self.plural, self.n) == (other.msgid, other.params, other.plural, other.n)
        if isinstance(other, str):
            return english(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(english(self))

    def __contains__(self, text: str) -> bool:  # `"too short" in phone.error`, as with a string
        return text in english(self)

    def with_params(self, **params: Any) -> Message:
        """The same text with more (or other) values: a constant message completed where the value is known."""
        return Message(self.msgid, tuple({**dict(self.params), **params}.items()), self.plural, self.n)


@dataclass(frozen=True, slots=True)
class Territory:
    """A country or territory (ISO 3166 alpha-2 code, "ES") as a message value: its name in the language it is
    rendered in (Spain, España, Espanha, Spagna, Espagne, Spanien); the code itself when CLDR has no name."""

    code: str

    def __str__(self) -> str:
        return territory_name(self.code, "en")


def territory_name(code: str, lang: str) -> str:
    return _territories(lang).get(code.upper(), code)


@functools.cache
def _territories(lang: str) -> Mapping[str, str]:
    from babel import Locale  # only when a message names a country

    return Locale.parse(lang).territories


@dataclass(frozen=True, slots=True)
class Fixed:
    """A number with `decimals` decimals as a message value (0.7 s / 0,7 s): written as the language writes it."""

    value: float
    decimals: int = 1

    def __str__(self) -> str:
        return f"{self.value:.{self.decimals}f}"


def listing(items: Iterable[Text]) -> Message:
    """Items as one message value, rendered each in the language and joined by ", " ("'A', 'B' (hidden)")."""
    return Message("{items}", (("items", tuple(items)),))


def N_(msgid: str, /, **params: Any) -> Message:  # noqa: N802 (gettext's conventional marker name)
    """A message to translate later: `msgid` with `{name}` fields filled from `params`."""
    return Message(msgid, tuple(params.items()))


def NP_(singular: str, plural: str, n: int, /, **params: Any) -> Message:  # noqa: N802
    """A message with a plural: `singular` or `plural` (or the language's other forms) chosen by `n`, which the
    templates may show as `{n}`."""
    return Message(singular, (("n", n), *params.items()), plural, n)


Text = Message | str  # what output layers accept: a Message, or a string not converted yet (shown as it is)


def english(message: Text) -> str:
    """A message in English: the msgid itself (or the plural one), with its values; ints grouped as 1,234."""
    if isinstance(message, str):
        return message
    template = message.plural if message.plural is not None and message.n != 1 else message.msgid
    if not message.params:
        return template
    return template.format_map({k: _english_value(v) for k, v in message.params})


def _english_value(value: Any) -> Any:
    if isinstance(value, Message):
        return english(value)
    if isinstance(value, tuple):
        return ", ".join(str(_english_value(item)) for item in value)
    if isinstance(value, Territory):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return value
