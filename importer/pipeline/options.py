"""What one import is asked to do: the options of a run, shared by the stages (pipeline, send) so that the
arrows between those modules run one way."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from importer.callbell.client import ClientConfig
from importer.delivery.changes import TagsMode
from importer.mapping.config import MappingConfig
from importer.results.writer import results_path
from importer.validation.validator import Options

OnExisting = Literal["skip", "update", "fail"]


@dataclass(frozen=True)
class ImportOptions:
    file: Path
    account_file: Path
    results: Path | None = None  # a .csv or .xlsx file, or a directory; default: beside the input
    state: Path | None = None  # default: <results>.state.db beside the results
    dry_run: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    mapping_config: MappingConfig | None = None  # --config: pinned columns; default: detected from the headers
    validation: Options = field(default_factory=Options)
    client: ClientConfig | None = None  # required unless dry_run
    on_existing: OnExisting = "skip"
    tags: TagsMode = "add"  # updating a contact: keep its tags and add the row's, or replace them
    workers: int | None = None  # validation processes; default: every core
    report: Path | None = None  # default: <results stem>.report.html beside the results
    settle: float = 3.0  # seconds a look-up waits after a lost answer before a re-send: reads may trail writes

    def __post_init__(self) -> None:
        if self.results is not None:  # checked now, before any work: a directory, or a .csv or .xlsx name
            object.__setattr__(self, "results", results_path(self.file, self.results))

    @property
    def results_path(self) -> Path:
        return results_path(self.file, self.results)

    @property
    def errors_path(self) -> Path:
        path = self.results_path
        return path.with_name(f"{path.stem}.errors{path.suffix}")

    @property
    def report_path(self) -> Path:
        path = self.results_path
        return self.report or path.with_name(f"{path.stem}.report.html")

    @property
    def state_path(self) -> Path:
        path = self.results_path
        return self.state or path.with_name(f"{path.stem}.state.db")
