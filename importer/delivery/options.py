"""What the sending stage needs of a run's options: `ImportOptions.delivery` builds it, so that delivery reads
no module of the pipeline above it. Defaults from the options table (importer.options)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from importer.delivery.changes import TagsMode
from importer.errors import ConfigError
from importer.i18n.message import N_
from importer.i18n.translator import Translator
from importer.options import default

OnExisting = Literal["skip", "update", "fail"]  # importer.options' on_existing choices, for the type checker


@dataclass(frozen=True)
class DeliveryOptions:
    dry_run: bool = default("dry_run")  # look contacts up, send nothing
    on_existing: OnExisting = default("on_existing")
    tags: TagsMode = default("tags")  # updating a contact: keep its tags and add the row's, or replace them
    settle: float = default("settle")  # seconds a look-up waits after a lost answer: reads may trail writes
    on_missing: str = default("on_missing")  # keep | tag:NAME | delete (see missing_policy)
    max_missing: str = default("max_missing")  # N or P% (see max_missing_limit)
    # The language of the texts written into the state file (rows' cells); None: en. Not part of what is sent.
    lang: str | None = field(default=default("lang"), compare=False)

    @property
    def translator(self) -> Translator:
        return Translator.for_lang(self.lang or "en")

    @property
    def missing(self) -> MissingPolicy:
        return missing_policy(self.on_missing)


@dataclass(frozen=True)
class MissingPolicy:
    """--on-missing, read: what happens to a contact the job knows that is not among the rows."""

    action: Literal["keep", "tag", "delete"]
    tag: str = ""  # tag: the tag added

    def __str__(self) -> str:
        return f"tag:{self.tag}" if self.action == "tag" else self.action


def missing_policy(value: str) -> MissingPolicy:
    """--on-missing's value read, the one place it is checked: keep, delete, or tag:NAME."""
    text = value.strip()
    if text.casefold() in ("keep", "delete"):
        return MissingPolicy(text.casefold())  # type: ignore[arg-type]
    if text[:4].casefold() == "tag:" and text[4:].strip():
        return MissingPolicy("tag", text[4:].strip())
    raise ConfigError(N_("--on-missing: {value!r} is not keep, tag:NAME (e.g. tag:Gone) or delete", value=value))


_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


def max_missing_limit(value: str, known: int) -> int:
    """The most contacts --on-missing may remove in one run, of the `known` ones: N, or P% of them (rounded
    down). ConfigError for anything else."""
    match = _LIMIT.match(str(value))
    if match is None or (not match.group(2) and "." in match.group(1)):
        raise ConfigError(
            N_("--max-missing: {value!r} is not a number of contacts (N) or a share of them (P%)", value=value)
        )
    number = float(match.group(1))
    if match.group(2):
        if number > 100:
            raise ConfigError(N_("--max-missing: {value!r} is more than 100%", value=value))
        return int(known * number / 100)
    return int(number)
