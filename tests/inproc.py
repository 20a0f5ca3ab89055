"""Run the `importer` command inside the test's process, for tests about what a run does rather than about the
process around it (signals, kills, a terminal, the interpreter's start-up): the same click command, flags,
output and exit code as `python -m importer ...`, without a Python start-up and the package's imports per run
(about 0.35 s of CPU each, the largest share of the suite's time when every night of a nightly test was a process).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from importer.commands.cli import cli

_PREFIX = [sys.executable, "-m", "importer"]


@contextmanager
def _cwd(path: str | Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_importer(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    input: str | bytes | None = None,
    cwd: str | Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(args, capture_output=True, text=True, env=env)` for `args` = [python, -m, importer, ...]
    (or the arguments alone), run in this process; the result has the same returncode, stdout and stderr."""
    argv = [str(a) for a in args]
    if argv[:3] == _PREFIX:
        argv = argv[3:]
    # The environment given replaces the process's, as it does for a subprocess (CliRunner only overlays it).
    overlay: dict[str, str | None] | None = None
    if env is not None:
        overlay = {key: None for key in os.environ if key not in env}
        overlay.update(env)
    with _cwd(cwd):
        result = CliRunner(env=overlay).invoke(cli, argv, input=input, catch_exceptions=False)
    return subprocess.CompletedProcess([*_PREFIX, *argv], result.exit_code, result.stdout, result.stderr)
