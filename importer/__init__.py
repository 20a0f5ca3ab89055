"""importer: bulk-load contacts from CSV and Excel files into a Callbell account.

The Python API (README, "Using it from Python"): `validate_file`, `import_file` and `import_records` return a
`Report`; a problem that stops a run raises an `ImporterError` subclass with the command's `exit_code`.
Its names are loaded on first use, so `import importer` stays cheap (and never imports pandas).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AccountError",
    "ConfigError",
    "ExitCode",
    "ImporterError",
    "InputError",
    "MissingExtra",
    "Progress",
    "Report",
    "RowResult",
    "StateLocked",
    "import_file",
    "import_records",
    "validate_file",
]

_WHERE = {
    "AccountError": "importer.errors",
    "ConfigError": "importer.errors",
    "ExitCode": "importer.errors",
    "ImporterError": "importer.errors",
    "InputError": "importer.errors",
    "MissingExtra": "importer.errors",
    "Progress": "importer.progress",
    "Report": "importer.results.report",
    "RowResult": "importer.results.rows",
    "StateLocked": "importer.state.ledger",
    "import_file": "importer.pipeline.api",
    "import_records": "importer.pipeline.api",
    "validate_file": "importer.pipeline.api",
}

if TYPE_CHECKING:
    from importer.errors import AccountError, ConfigError, ExitCode, ImporterError, InputError, MissingExtra
    from importer.pipeline.api import import_file, import_records, validate_file
    from importer.progress import Progress
    from importer.results.report import Report
    from importer.results.rows import RowResult
    from importer.state.ledger import StateLocked


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'importer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
