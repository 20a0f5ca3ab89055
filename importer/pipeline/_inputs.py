"""The run's first step: the input fetched (importer.sources) to the file the reading stage reads, deciding
first, from the state file, whether this run resumes an unfinished one and so reads that run's snapshot again;
and how the run names that input to a person when it reads a snapshot: as given (without its secrets), not as
the copy beside the results."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from importer.errors import InputError
from importer.i18n.message import N_, Message, Text
from importer.pipeline.options import ImportOptions
from importer.sources.snapshot import Fetched, fetch_input
from importer.sources.spec import InputSpec
from importer.state.ledger import Ledger


def fetch(options: ImportOptions) -> tuple[Fetched, str]:
    """The file to read (a local file in place, else a snapshot beside the results) and the input's fingerprint,
    as the state file remembers it: a local file's resolved path, else the input without its secrets."""
    spec = options.input_spec
    source_id = spec.fingerprint()
    # A resumed run must read the rows the interrupted one read, not tonight's newer export. Dry runs too: a
    # validate of the same results must not replace the snapshot an unfinished import will resume from. Another
    # import's state file is refused now, before its snapshot is replaced.
    resume = not spec.is_local and Ledger.resumes(options.state_path, {"file": source_id})
    fetched = fetch_input(spec, options.results_path, resume=resume, kind=options.format, timeout=options.timeout)
    return fetched, source_id


def input_name(spec: InputSpec) -> str:
    """How a person is told which input a run read (the summary's "file", the report, messages): as given,
    without its secrets: a URL without its password and query string, "standard input", a query as its database
    URL (password as ***) and "query"."""
    return f"{spec.redacted} query" if spec.kind == "sql" else spec.redacted


@contextmanager
def reading_errors(fetched: Fetched | None, name: str) -> Iterator[None]:
    """Reading errors of a snapshot name the input, then where its copy is: the person fixes the input, but the
    row or cell a message points at is in the copy (the input may have changed since it was fetched). The reading
    stage names the file it reads first (`PATH: row 5: …`); only that prefix is replaced."""
    try:
        yield
    except InputError as exc:
        text, prefix = str(exc), f"{fetched.path}: " if fetched is not None else ""
        if fetched is None or not fetched.snapshot or not text.startswith(prefix):
            raise
        raise type(exc)(
            _renamed(
                exc.args[0] if exc.args else text,
                prefix,
                N_("{input} (copy: {path})", input=name, path=str(fetched.path)),
            )
        ) from None


def _renamed(message: Text, prefix: str, named: Message) -> Text:
    """`message` with its leading `prefix` (the snapshot's path and ": ") naming the input as `named` instead. A
    Message keeps its language: the field that holds the path (its first, `{file}: …`) gets `named`."""
    if isinstance(message, Message):
        for key, value in message.params:
            if message.msgid.startswith("{" + key + "}") and f"{value}: " == prefix:
                return message.with_params(**{key: named})
        return message
    return N_("{input}: {error}", input=named, error=message[len(prefix) :])
