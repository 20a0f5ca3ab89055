"""A dead-man's switch, healthchecks.io's convention: `URL/start` when the run starts, `URL/<exit code>` when it
ends (0 is success, 1-255 a failure), each with the same `rid` so that the two are paired even when runs overlap.
A run that never ends (killed) leaves the check started, and the service alerts when its grace time is over."""

from __future__ import annotations

import json
import uuid

import httpx

from importer.notify._http import send
from importer.notify.outcome import Outcome

BODY_LIMIT = 100_000  # bytes: healthchecks.io keeps this much of a ping's body


def ping_url(url: str, suffix: str, run_id: str) -> str:
    """URL/suffix, keeping a query the URL has (healthchecks' `?create=1`), with rid=run_id added."""
    parsed = httpx.URL(url)
    path = parsed.path.rstrip("/") + "/" + suffix
    return str(parsed.copy_with(path=path).copy_merge_params({"rid": run_id}))


def new_run_id() -> str:
    return str(uuid.uuid4())


def start(client: httpx.Client, url: str, run_id: str) -> None:
    send(client, "POST", ping_url(url, "start", run_id))


def finish(client: httpx.Client, url: str, run_id: str, outcome: Outcome) -> None:
    """The exit code as the ping's last path part; the body is the line and the summary fields, for the event log."""
    body = (outcome.text + "\n\n" + json.dumps(outcome.payload(), indent=2)).encode()[:BODY_LIMIT]
    code = max(0, min(outcome.exit_code, 255))
    send(client, "POST", ping_url(url, str(code), run_id), content=body, headers={"Content-Type": "text/plain"})
