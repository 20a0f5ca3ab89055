"""Why a request got no answer, in words a person can act on, and whether asking again could help.

httpx reports connection refused, an unknown host and a TLS failure alike as ConnectError; the cause is further
down the exception chain (a ConnectionRefusedError, a socket.gaierror, an ssl.SSLError), sometimes behind
anyio's "All connection attempts failed".
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from importer.i18n.message import N_, Text

# The resolver's "this name does not exist" answers; others (EAI_AGAIN...) mean it could not be asked.
_NO_SUCH_HOST = {getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA") if hasattr(socket, name)}
_URL = N_("is the URL right?")
_SSL_NOISE = re.compile(r"^\[SSL(?:: [A-Z_]+)?\] |\s*\(_ssl\.c:\d+\)$")


@dataclass(frozen=True)
class TransportFailure:
    text: Text  # what happened, e.g. "connection refused at 127.0.0.1:1" (a Message: shown in the run's language)
    hint: Text = ""  # what to check, for a person; appended when a probe gives up
    # Asking again right away would meet the same answer: the attempts a probe makes at most (None: its default).
    # Refused or no such host: once more, for a server restarting or a resolver's hiccup. TLS: never.
    probe_attempts: int | None = None

    @property
    def advice(self) -> Text:
        return N_("{what} — {hint}", what=self.text, hint=self.hint) if self.hint else self.text


def describe(
    exc: httpx.TransportError, base_url: str, *, connect_timeout: float, read_timeout: float
) -> TransportFailure:
    address = _address(base_url)
    for cause in _chain(exc):
        if isinstance(cause, ConnectionRefusedError):
            return TransportFailure(N_("connection refused at {address}", address=address), _URL, probe_attempts=2)
        if isinstance(cause, socket.gaierror):
            host = urlsplit(base_url).hostname or address
            if cause.errno in _NO_SUCH_HOST:
                return TransportFailure(N_("no such host {host}", host=host), _URL, probe_attempts=2)
            reason = (cause.strerror or str(cause)).lower()
            return TransportFailure(
                N_("cannot look up {host} ({reason})", host=host, reason=reason),
                N_("is the network up?"),
                probe_attempts=2,
            )
        if isinstance(cause, ssl.SSLError):
            hint = N_("is it a plain http server?") if cause.reason == "WRONG_VERSION_NUMBER" else ""
            text = N_("TLS error talking to {address}: {reason}", address=address, reason=_ssl_reason(cause))
            return TransportFailure(text, hint, probe_attempts=1)
    if isinstance(exc, httpx.ConnectTimeout):
        return TransportFailure(
            N_("no connection to {address} within {seconds} s", address=address, seconds=format(connect_timeout, "g")),
            _URL,
        )
    if isinstance(exc, httpx.ReadTimeout):
        return TransportFailure(
            N_("no answer from {address} within {seconds} s", address=address, seconds=format(read_timeout, "g"))
        )
    if isinstance(exc, httpx.RemoteProtocolError):
        return TransportFailure(N_("{address} closed the connection without an answer", address=address))
    return TransportFailure(N_("{error} from {url}", error=type(exc).__name__, url=base_url))


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _address(base_url: str) -> str:
    parts = urlsplit(base_url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port or (443 if parts.scheme == 'https' else 80)}"


def _ssl_reason(exc: ssl.SSLError) -> str:
    verify = getattr(exc, "verify_message", None)
    if verify:
        return f"certificate verify failed: {verify}"
    text = _SSL_NOISE.sub("", str(exc.args[1] if len(exc.args) > 1 else exc))
    return text or (exc.reason or "").replace("_", " ").lower() or type(exc).__name__


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine: "localhost" in any case (host names are case-insensitive) or a
    loopback address, bracketed or not. Any other name could resolve anywhere."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
