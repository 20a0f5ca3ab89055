"""The run's first step: the input fetched (importer.sources) to the file the reading stage reads, deciding
first, from the state file, whether this run resumes an unfinished one and so reads that run's snapshot again."""

from __future__ import annotations

from importer.pipeline.options import ImportOptions
from importer.sources.snapshot import Fetched, fetch_input
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
