"""The import as stages: read -> map -> validate (everything, before anything is sent) -> send -> results."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from importer.account import AccountFileError, load_account
from importer.client import ApiError, CallbellClient, ClientConfig, OutcomeUnknown
from importer.errors import AccountError, ExitCode, InputError
from importer.mapping import Mapping, detect_mapping
from importer.read import open_table
from importer.results import ERROR_STATUSES, Outcome, write_errors, write_results
from importer.validate import Draft, Options, Validator

OK_STATUSES = frozenset({"valid", "created", "updated", "skipped"})


class Progress(Protocol):
    def start(self, total: int, description: str) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def close(self) -> None: ...


class NoProgress:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class ImportOptions:
    file: Path
    account_file: Path
    results: Path | None = None  # default: <file stem>.results.csv beside the input
    dry_run: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    validation: Options = field(default_factory=Options)
    client: ClientConfig | None = None  # required unless dry_run

    @property
    def results_path(self) -> Path:
        return self.results or self.file.with_name(f"{self.file.stem}.results.csv")

    @property
    def errors_path(self) -> Path:
        path = self.results_path
        return path.with_name(f"{path.stem}.errors.csv")


@dataclass
class Report:
    source: str  # what was read: "CSV, utf-8, delimiter ','"
    mapping: Mapping
    results_path: Path
    errors_path: Path | None
    counts: Counter[str]
    duration: float
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK if set(self.counts) <= OK_STATUSES else ExitCode.ROWS_FAILED


def run_import(options: ImportOptions, progress: Progress | None = None) -> Report:
    """Run one import (or dry-run); raises ImporterError subclasses for problems that stop it."""
    progress = progress or NoProgress()
    started = time.monotonic()
    try:
        account = load_account(options.account_file)
    except AccountFileError as exc:
        raise AccountError(str(exc)) from None
    if not options.dry_run and options.client is None:
        raise AccountError("no API token: set CALLBELL_API_TOKEN (or use --dry-run)")

    table = open_table(options.file, encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet)
    mapping = detect_mapping(table.headers, account)
    _require_columns(options.file, mapping)
    validator = Validator(account, mapping, options.validation)

    originals: dict[int, Sequence[str]] = {}
    outcomes: list[Outcome] = []
    to_send: list[Draft] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for row in table.rows:
        originals[row.number] = row.values + row.extra
        draft = validator.check(row)
        if not draft.ok:
            outcomes.append(
                Outcome(row.number, "invalid", identifier=draft.identifier or "", error="; ".join(draft.errors))
            )
            continue
        key = (draft.payload["source"], draft.identifier or "")
        if key in first_row_of:
            first = first_row_of[key]
            outcomes.append(
                Outcome(row.number, "duplicate", identifier=draft.identifier or "", error=f"same phone as row {first}")
            )
            continue
        first_row_of[key] = row.number
        if options.dry_run:
            outcomes.append(Outcome(row.number, "valid", identifier=draft.identifier or ""))
        else:
            to_send.append(draft)

    report = Report(
        source=table.description,
        mapping=mapping,
        results_path=options.results_path,
        errors_path=None,
        counts=Counter(),
        duration=0.0,
    )
    if to_send:
        assert options.client is not None
        outcomes += asyncio.run(_send_all(options.client, to_send, progress, report))

    write_results(options.results_path, table.headers, outcomes, originals)
    if any(o.status in ERROR_STATUSES for o in outcomes):
        write_errors(options.errors_path, table.headers, outcomes, originals)
        report.errors_path = options.errors_path
    else:
        options.errors_path.unlink(missing_ok=True)  # an old errors file would mislead
    report.counts = Counter(o.status for o in outcomes)
    report.duration = time.monotonic() - started
    return report


def _require_columns(path: Path, mapping: Mapping) -> None:
    found = ", ".join(repr(h) for h in mapping.headers) or "none"
    if "phone" not in mapping.fields:
        raise InputError(f"{path}: no phone column (columns found: {found})")
    if not {"name", "first_name", "last_name"} & set(mapping.fields):
        raise InputError(f"{path}: no name column (columns found: {found})")


async def _send_all(config: ClientConfig, drafts: list[Draft], progress: Progress, report: Report) -> list[Outcome]:
    async with CallbellClient(config) as client:
        await _preflight(client)
        queue: asyncio.Queue[Draft] = asyncio.Queue()
        for draft in drafts:
            queue.put_nowait(draft)
        outcomes: list[Outcome] = []

        async def worker() -> None:
            while not queue.empty():
                draft = queue.get_nowait()
                try:
                    outcomes.append(await create_once(client, draft))
                except ApiError as exc:  # a look-up that kept failing
                    outcomes.append(Outcome(draft.row, "failed", identifier=draft.identifier or "", error=exc.message))
                except Exception as exc:  # a bug must cost one row, never the run's results
                    outcomes.append(Outcome(draft.row, "failed", identifier=draft.identifier or "", error=repr(exc)))
                progress.advance()

        progress.start(len(drafts), "Creating contacts")
        try:
            await asyncio.gather(*(worker() for _ in range(min(config.concurrency, len(drafts)))))
        finally:
            progress.close()
        report.requests = client.counters.requests
        report.retries = client.counters.retries
        report.rate_limited = client.counters.rate_limited
        return outcomes


async def _preflight(client: CallbellClient) -> None:
    try:
        await client.me()
    except ApiError as exc:
        if exc.status in (401, 403):
            raise AccountError(f"the API refused the token (HTTP {exc.status}): check CALLBELL_API_TOKEN") from None
        raise AccountError(f"pre-flight GET /auth/me failed: {exc}") from None


async def create_once(client: CallbellClient, draft: Draft) -> Outcome:
    """Create the contact at most once: after a lost answer, look it up before sending again."""
    identifier = draft.identifier or ""
    uncertain = False
    last = ""
    for attempt in range(client.config.max_retries + 1):
        if uncertain:
            found = await client.find_contact_by_phone(identifier)
            if found is not None:
                return Outcome(draft.row, "created", uuid=str(found["uuid"]), identifier=identifier)
        try:
            contact = await client.create_contact(draft.payload)
        except OutcomeUnknown as exc:
            uncertain, last = True, str(exc)
            await asyncio.sleep(min(30.0, 0.25 * 2**attempt) * random.uniform(0.5, 1.0))  # backoff, not sync
            continue
        except ApiError as exc:
            # The API does not say what a POST for an existing identifier does; if the refusal is because the
            # contact exists, the row is already in the account.
            if 400 <= exc.status < 500 and draft.payload.get("source") == "whatsapp":
                found = await client.find_contact_by_phone(identifier)
                if found is not None:
                    status = "created" if uncertain else "skipped"
                    return Outcome(draft.row, status, uuid=str(found["uuid"]), identifier=identifier)
            return Outcome(draft.row, "failed", identifier=identifier, error=exc.message)
        return Outcome(draft.row, "created", uuid=str(contact["uuid"]), identifier=identifier)
    return Outcome(
        draft.row, "failed", identifier=identifier, error=f"no answer after {attempt + 1} attempts ({last}); run again"
    )
