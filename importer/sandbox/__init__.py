"""A local Callbell-compatible HTTP server for the demo, the tests and the benchmarks.

Light to import: it depends only on importer.account.model, starlette and uvicorn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importer.sandbox.app import build_app
    from importer.sandbox.config import SandboxConfig
    from importer.sandbox.server import serve

__all__ = ["SandboxConfig", "build_app", "serve"]

# Resolved on first use, so importing a submodule (importer.commands.cli imports importer.sandbox.command) does not
# also import starlette and uvicorn.
_EXPORTS = {
    "SandboxConfig": "importer.sandbox.config",
    "build_app": "importer.sandbox.app",
    "serve": "importer.sandbox.server",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
