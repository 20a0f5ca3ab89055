"""Run the sandbox as a child process (`python -m importer sandbox`) for the demo, tests and benchmarks.

Readiness is detected by reading the process's stdout for the ready line, never by sleeping.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

READY_PREFIX = "Callbell sandbox ready at "
TOKEN_PREFIX = "token: "
START_TIMEOUT = 30.0  # generous: a loaded CI machine may take seconds to import uvicorn and starlette


class SandboxStartError(RuntimeError):
    """The sandbox exited (or stayed silent) before printing its ready line."""


@dataclass
class RunningSandbox:
    base_url: str  # ".../v1"
    root_url: str  # without "/v1", for the /_sandbox helpers
    token: str
    process: subprocess.Popen[str]
    knobs: str = ""  # the start-up line listing the active knobs
    output: list[str] = field(default_factory=list)  # stdout lines, still collected after start-up
    _stderr: IO[bytes] | None = field(default=None, repr=False)
    _final_stderr: str = field(default="", repr=False)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _helper(self, method: str, path: str) -> Any:
        response = httpx.request(method, f"{self.root_url}/_sandbox/{path}", headers=self.headers, timeout=10)
        response.raise_for_status()
        return response.json()

    def contacts(self) -> list[dict[str, Any]]:
        return list(self._helper("GET", "contacts")["contacts"])

    def stats(self) -> dict[str, Any]:
        return dict(self._helper("GET", "stats"))

    def reset(self) -> None:
        self._helper("POST", "reset")

    def stderr_text(self) -> str:
        """What the process wrote to stderr so far (all of it, once stopped)."""
        if self._stderr is None or self._stderr.closed:
            return self._final_stderr
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, wait; SIGKILL if it does not stop in time. Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._stderr is not None and not self._stderr.closed:
            self._final_stderr = self.stderr_text()
            self._stderr.close()
        return int(self.process.returncode)


def _pump(stream: IO[str], lines: queue.Queue[str | None], sink: list[str]) -> None:
    # Keeps draining stdout for the process's whole life, so it can never block on a full pipe.
    for line in stream:
        sink.append(line.rstrip("\n"))
        lines.put(line.rstrip("\n"))
    lines.put(None)


def start_sandbox(
    *extra_args: str,
    account_file: Path,
    token: str = "",
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> RunningSandbox:
    """Start a sandbox on a free port; ``token=""`` lets it generate (and print) its own."""
    command = [
        sys.executable, "-m", "importer", "sandbox",
        "--port", "0", *(["--token", token] if token else []), "--account-file", str(account_file),
        *extra_args,
    ]  # fmt: skip
    # stderr goes to a file rather than a pipe: nobody reads it until something fails.
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the process; closed by stop()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=cwd,
        env={**os.environ, **env} if env is not None else None,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, lines, output), daemon=True).start()

    def fail(reason: str) -> SandboxStartError:
        if process.poll() is None:
            process.kill()
        process.wait()
        stderr.seek(0)
        text = stderr.read().decode("utf-8", "replace").strip()
        stderr.close()
        return SandboxStartError(f"{reason} (exit code {process.returncode}); stderr:\n{text}")

    def next_line() -> str:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            raise fail(f"no ready line within {START_TIMEOUT:.0f}s") from None
        if line is None:
            raise fail("the sandbox exited before it was ready")
        return line

    while not (line := next_line()).startswith(READY_PREFIX):
        pass
    base_url = line.removeprefix(READY_PREFIX).strip()
    token_line = next_line()
    if not token_line.startswith(TOKEN_PREFIX):
        raise fail(f"expected the token line after the ready line, got {token_line!r}")
    # The knobs line is printed and flushed together with the first two, so reading it costs no wait.
    knobs = next_line()
    return RunningSandbox(
        base_url=base_url,
        root_url=base_url.removesuffix("/v1"),
        token=token_line.removeprefix(TOKEN_PREFIX).strip(),
        process=process,
        knobs=knobs,
        output=output,
        _stderr=stderr,
    )
