"""The sandbox as a subprocess, with the defaults the tests use (the sample account, a fixed token)."""

from __future__ import annotations

from pathlib import Path

from importer.sandbox.process import RunningSandbox, SandboxStartError
from importer.sandbox.process import start_sandbox as _start

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ACCOUNT = REPO / "sample_data" / "account.toml"


def start_sandbox(
    *extra_args: str, account_file: Path = SAMPLE_ACCOUNT, token: str = "test-token", **kwargs: object
) -> RunningSandbox:
    return _start(*extra_args, account_file=account_file, token=token, cwd=REPO, **kwargs)  # type: ignore[arg-type]


__all__ = ["REPO", "SAMPLE_ACCOUNT", "RunningSandbox", "SandboxStartError", "start_sandbox"]
