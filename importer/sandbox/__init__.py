"""A local Callbell-compatible HTTP server for the demo, the tests and the benchmarks.

Importable without pandas: it depends only on importer.account, starlette and uvicorn.
"""

from importer.sandbox.app import SandboxConfig, build_app
from importer.sandbox.server import serve

__all__ = ["SandboxConfig", "build_app", "serve"]
