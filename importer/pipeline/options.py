"""What one import is asked to do: the options of a run, shared by the stages (pipeline, results) so that the
arrows between those modules run one way. Defaults come from the options table (importer.options); the sending
stage gets its part as `delivery`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from importer.callbell.client import ClientConfig
from importer.delivery.changes import TagsMode
from importer.delivery.options import DeliveryOptions, OnExisting
from importer.mapping.config import MappingConfig
from importer.options import default
from importer.results.writer import results_path
from importer.sources.spec import InputSpec
from importer.validation.merge import DuplicatesMode
from importer.validation.validator import Options

__all__ = ["ImportOptions", "OnExisting"]


@dataclass(frozen=True)
class ImportOptions:
    # A local file's path; for another input (`input`), a name whose stem names the results in the current folder.
    file: Path
    account_file: Path
    results: Path | None = default("results")  # a .csv or .xlsx file, or a directory; default: beside the input
    state: Path | None = default("state")  # default: <results>.state.db beside the results
    dry_run: bool = default("dry_run")
    encoding: str | None = default("encoding")
    delimiter: str | None = default("delimiter")
    sheet: str | None = default("sheet")
    mapping_config: MappingConfig | None = None  # --config: pinned columns; default: detected from the headers
    validation: Options = field(default_factory=Options)
    client: ClientConfig | None = None  # required unless dry_run
    duplicates: DuplicatesMode = default("duplicates")  # rows with the same phone: first | last | merge
    on_existing: OnExisting = default("on_existing")
    tags: TagsMode = default("tags")  # updating a contact: keep its tags and add the row's, or replace them
    on_missing: str = default("on_missing")  # keep | tag:NAME | delete: contacts the job knows not among the rows
    max_missing: str = default("max_missing")  # N or P%: more missing than that and nothing is removed
    workers: int | None = default("workers")  # validation processes; default: every core
    report: Path | None = default("report")  # default: <results stem>.report.html beside the results
    settle: float = default("settle")  # seconds a look-up waits after a lost answer: reads may trail writes
    input: InputSpec | None = None  # where the rows come from (importer.sources); None: the local file `file`
    format: str | None = default("format")  # the kind of a non-local input's bytes, when they cannot tell
    timeout: float = default("timeout")  # a URL's read timeout, as the API's
    lang: str | None = default("lang")  # what people read (cells, report); build_options reads the locale; None: en

    @property
    def input_spec(self) -> InputSpec:
        """The input: `input`, or the local file `file`."""
        return self.input or InputSpec("file", str(self.file), redacted=str(self.file), name=self.file.name)

    def __post_init__(self) -> None:
        if self.results is not None:  # checked now, before any work: a directory, or a .csv or .xlsx name
            object.__setattr__(self, "results", results_path(self.file, self.results))

    @property
    def delivery(self) -> DeliveryOptions:
        return DeliveryOptions(
            dry_run=self.dry_run,
            on_existing=self.on_existing,
            tags=self.tags,
            settle=self.settle,
            on_missing=self.on_missing,
            max_missing=self.max_missing,
            lang=self.lang,
        )

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
