"""Download an http(s) URL to a file: streamed (memory stays flat), redirects followed, explicit timeouts.

Whatever fails is one line naming the input as `label` (the redacted URL): never the URL itself, nor a
redirect's target (a presigned URL's signature is in its query string), nor httpx's message when it holds one.
"""

from __future__ import annotations

from typing import BinaryIO

import httpx

from importer.errors import InputError
from importer.i18n.message import N_

__all__ = ["download"]

CHUNK = 1 << 16
_CONNECT_TIMEOUT = 10.0  # an address that does not answer: told in seconds, not after the read timeout


def download(url: str, out: BinaryIO, *, label: str, timeout: float) -> None:
    """Write the body of GET `url` into `out`; InputError for an answer of 400 or more, an HTML page (a login
    page where a file was expected), a timeout or a connection that fails."""
    limits = httpx.Timeout(timeout, connect=min(timeout, _CONNECT_TIMEOUT))
    try:
        with (
            httpx.Client(follow_redirects=True, timeout=limits) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                # The status's code and reason phrase are the protocol's words ("404 Not Found"): never translated.
                status = f"{response.status_code} {response.reason_phrase}".strip()
                raise InputError(N_("{input}: the server answered HTTP {status}", input=label, status=status))
            if response.headers.get("content-type", "").startswith("text/html"):
                # A share link that is not public, or an expired link, answers 200 with a sign-in page.
                raise InputError(
                    N_(
                        "{input}: the server answered with a web page, not a spreadsheet (is the link shared, or"
                        " does it need signing in?)",
                        input=label,
                    )
                )
            for chunk in response.iter_bytes(CHUNK):
                out.write(chunk)
    except httpx.TimeoutException:
        seconds = int(timeout) if timeout == int(timeout) else f"{timeout:g}"
        raise InputError(N_("{input}: no answer within {seconds}s (--timeout)", input=label, seconds=seconds)) from None
    except httpx.TooManyRedirects:
        raise InputError(N_("{input}: too many redirects", input=label)) from None
    except httpx.HTTPError as exc:
        # httpx's own words (a network error's text), as it gives them: a param, not translated.
        raise InputError(N_("{input}: cannot download ({error})", input=label, error=_reason(exc))) from None


def _reason(exc: httpx.HTTPError) -> str:
    """httpx's first line, unless it names a URL (which may hold a secret): then only the kind of error."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not text or "://" in text or "?" in text or "@" in text:
        return type(exc).__name__
    return text
