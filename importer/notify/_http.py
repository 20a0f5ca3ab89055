"""One notification request: short explicit timeouts and one retry at most, so that a dead chat server never holds a
finished run for long (a systemd stop timeout, a cron slot). A failure comes back as words that never quote the URL's
secret parts."""

from __future__ import annotations

from typing import Any

import httpx

from importer.i18n.message import N_, Text
from importer.notify.outcome import redact_url

# Seconds. A webhook or ping answers in well under a second when it works.
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
ATTEMPTS = 2  # one retry at most, for what a second try may cure: no connection, a timeout, a 5xx, a 429


class NotifyFailed(Exception):
    """A notification that did not arrive; the message is safe to show (the URL redacted)."""

    def __init__(self, message: Text) -> None:
        super().__init__(str(message))
        self.message = message  # a Message: shown in the run's language


def send(client: httpx.Client, method: str, url: str, **kw: Any) -> None:
    shown = redact_url(url)
    last: Text = ""
    for _ in range(ATTEMPTS):
        try:
            response = client.request(method, url, **kw)
        except httpx.TimeoutException:
            last = N_("no answer within {seconds} s", seconds=format(TIMEOUT.read, "g"))
            continue
        except httpx.HTTPError as exc:
            last = _scrub(str(exc) or type(exc).__name__, url)
            continue
        if response.is_success:
            return
        last = N_(
            "answered {status}", status=" ".join(filter(None, (str(response.status_code), response.reason_phrase)))
        )
        if response.status_code != 429 and response.status_code < 500:
            break  # a 4xx says the URL or the message is wrong: asking again changes nothing
    raise NotifyFailed(N_("{url}: {error}", url=shown, error=last))


def _scrub(message: str, url: str) -> str:
    """An httpx error may quote the URL: every secret part of it becomes …"""
    parsed = httpx.URL(url)
    secrets = [url, str(parsed), parsed.raw_path.decode("ascii", "replace"), parsed.path, parsed.query.decode()]
    for secret in sorted({s for s in secrets if len(s) > 1}, key=len, reverse=True):
        message = message.replace(secret, "…")
    return message


def client() -> httpx.Client:
    # No redirects: a webhook answering 3xx is a wrong URL, and following it would carry the body elsewhere.
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": "importer-notify"})
