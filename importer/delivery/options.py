"""What the sending stage needs of a run's options: `ImportOptions.delivery` builds it, so that delivery reads
no module of the pipeline above it. Defaults from the options table (importer.options)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from importer.delivery.changes import TagsMode
from importer.options import default

OnExisting = Literal["skip", "update", "fail"]  # importer.options' on_existing choices, for the type checker


@dataclass(frozen=True)
class DeliveryOptions:
    dry_run: bool = default("dry_run")  # look contacts up, send nothing
    on_existing: OnExisting = default("on_existing")
    tags: TagsMode = default("tags")  # updating a contact: keep its tags and add the row's, or replace them
    settle: float = default("settle")  # seconds a look-up waits after a lost answer: reads may trail writes
