"""`sftp://`, `s3://` and `gs://` inputs through fsspec and its backends (sshfs, s3fs, gcsfs: optional extras),
copied into a file object in chunks, memory flat whatever the size.

Credentials come from where each backend's own tools look, never from the URL (it shows in process lists, shell
history and cron mails): for SFTP the keys, agent, ~/.ssh/config and ~/.ssh/known_hosts that `ssh` uses; for S3
the AWS_* variables, ~/.aws/config and ~/.aws/credentials (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 for MinIO, R2
and other S3-compatible stores, which botocore reads itself); for GCS GOOGLE_APPLICATION_CREDENTIALS or gcloud's
application-default login. Every failure is one line naming the URL without its secrets."""

from __future__ import annotations

import contextlib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from importer.errors import InputError, MissingExtra
from importer.i18n.message import N_, Message
from importer.sources.urls import has_password, redact_url

# Read size of the copy loop, and at most about what one read holds in memory. Each read of an S3 or GCS object
# is one ranged GET: 2 MiB keeps requests few (50 for 100 MB) and memory small.
CHUNK_SIZE = 2 * 1024 * 1024

SCHEMES = frozenset({"sftp", "s3", "gs"})

_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


@dataclass(frozen=True)
class _Backend:
    extra: str  # the optional extra that installs it: pip install 'callbell-importer[EXTRA]'
    modules: tuple[str, ...]  # what must import for it to work
    credentials: Message  # where its credentials go, for the message refusing a password in the URL


_BACKENDS = {
    "sftp": _Backend(
        "sftp",
        ("fsspec", "sshfs"),
        N_("SFTP logs in with your SSH keys or ssh-agent (~/.ssh/id_*, ~/.ssh/config), as ssh does"),
    ),
    "s3": _Backend(
        "s3",
        ("fsspec", "s3fs"),
        N_("S3 credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials"),
    ),
    "gs": _Backend(
        "gcs",
        ("fsspec", "gcsfs"),
        N_("Google Cloud Storage credentials come from GOOGLE_APPLICATION_CREDENTIALS or gcloud's default login"),
    ),
}


@dataclass(frozen=True)
class RemoteInput:
    """A remote input URL taken apart: what the backend is asked for, and how the URL may be shown."""

    scheme: str
    host: str  # the SFTP host (or ~/.ssh/config alias), or the bucket
    path: str  # the SFTP path (relative to the login folder for sftp://host/~/file), or the object's key
    user: str | None = None  # SFTP only; None: ~/.ssh/config's User, else the local user name
    port: int | None = None  # SFTP only; None: ~/.ssh/config's Port, else 22
    shown: str = ""  # redact_url(url): no password, query string or fragment

    @property
    def fs_path(self) -> str:
        return self.path if self.scheme == "sftp" else f"{self.host}/{self.path}"


def parse_remote(url: str) -> RemoteInput:
    """The URL's parts, or InputError: a password in it, a query string or fragment, no host, bucket or file."""
    shown = redact_url(url)
    scheme = url.partition("://")[0].lower()
    if scheme not in _BACKENDS:
        raise InputError(N_("{input}: not an sftp://, s3:// or gs:// URL", input=shown))
    backend = _BACKENDS[scheme]
    if has_password(url):
        raise InputError(
            N_(
                "{input}: a password in the URL is refused (it would show in process lists and logs); {credentials}",
                input=shown,
                credentials=backend.credentials,
            )
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InputError(N_("{input}: not a valid URL (the host or port cannot be read)", input=shown)) from None
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        # A ? or # would be dropped from what is shown but change what is read (fsspec takes ?versionId=...).
        raise InputError(
            N_("{input}: a query string or fragment is not supported (write ? as %3F and # as %23)", input=shown)
        )
    host = parts.hostname or ""
    path = unquote(parts.path)
    if scheme != "sftp" and (parts.username is not None or port is not None):
        raise InputError(
            N_(
                "{input}: write {scheme}://BUCKET/KEY; {credentials}",
                input=shown,
                scheme=scheme,
                credentials=backend.credentials,
            )
        )
    if not host:
        if scheme == "sftp":
            raise InputError(N_("{input}: no host in the URL", input=shown))
        raise InputError(N_("{input}: no bucket in the URL", input=shown))
    if scheme != "sftp":
        path = path.lstrip("/")
    elif path.startswith("/~/"):  # as curl reads sftp:// URLs: /path is absolute, /~/path is in the login folder
        path = path[3:]
    if not path or path.endswith("/") or path == "/~":
        raise InputError(N_("{input}: names a folder or bucket, not a file", input=shown))
    user = unquote(parts.username) if parts.username else None
    return RemoteInput(scheme, host, path, user=user, port=port, shown=shown)


def require_backend(scheme: str) -> None:
    """MissingExtra (one line naming the extra) unless fsspec and the scheme's backend import."""
    backend = _BACKENDS[scheme]
    for module in backend.modules:
        try:
            importlib.import_module(module)
        except ImportError:
            command = f"pip install 'callbell-importer[{backend.extra}]'"  # a command: the same in every language
            raise MissingExtra(
                N_(
                    "{scheme}:// inputs need the {extra} extra (fsspec and {module}): {command}",
                    scheme=scheme,
                    extra=backend.extra,
                    module=backend.modules[-1],
                    command=command,
                )
            ) from None


def copy_remote(url: str, out: BinaryIO) -> None:
    """Copy the file the URL names into `out`, CHUNK_SIZE bytes at a time. InputError (one line, the URL
    redacted) for anything that goes wrong on the remote side; MissingExtra when the backend is not installed.
    Errors writing to `out` are the caller's and pass through as they are."""
    remote = parse_remote(url)
    require_backend(remote.scheme)
    fs = _attempt(remote, "connect", lambda: _filesystem(remote))
    info = _attempt(remote, "open", lambda: _info(fs, remote))
    if info.get("type") != "file":
        kind = info.get("type")
        if kind == "directory":
            raise InputError(N_("{input}: is a directory, not a file", input=remote.shown))
        if not kind:
            raise InputError(N_("{input}: is a folder, not a file", input=remote.shown))
        # Another of fsspec's types ("other", "link"...): its own word, as it gives it.
        raise InputError(N_("{input}: is a {kind}, not a file", input=remote.shown, kind=kind))
    source = _attempt(remote, "open", lambda: fs.open(remote.fs_path, "rb", **_open_options(remote)))
    try:
        while chunk := _attempt(remote, "read", lambda: source.read(CHUNK_SIZE)):
            out.write(chunk)
    finally:
        with contextlib.suppress(Exception):  # a read-only handle: nothing is lost if closing it fails
            source.close()


def _filesystem(remote: RemoteInput) -> Any:
    # A fresh instance every time (skip_instance_cache): fsspec would otherwise hand back a cached one built with
    # older credentials, or an SSH connection that has since dropped.
    if remote.scheme == "sftp":
        import sshfs

        options: dict[str, Any] = {}
        if remote.port is not None:  # else ~/.ssh/config's Port, or 22
            options["port"] = remote.port
        if remote.user is not None:  # else ~/.ssh/config's User, or the local user
            options["username"] = remote.user
        # known_hosts=() is asyncssh's default: ~/.ssh/config's UserKnownHostsFile, else ~/.ssh/known_hosts, and
        # an unknown host refused. sshfs would pass known_hosts=None, which accepts any host key. (fsspec's own
        # paramiko-based sftp also accepts unknown hosts, and reads no ~/.ssh/config.)
        return sshfs.SSHFileSystem(remote.host, known_hosts=(), skip_instance_cache=True, **options)
    if remote.scheme == "s3":
        import s3fs

        return s3fs.S3FileSystem(skip_instance_cache=True)
    import gcsfs

    return gcsfs.GCSFileSystem(skip_instance_cache=True)


def _info(fs: Any, remote: RemoteInput) -> dict[str, Any]:
    try:
        return fs.info(remote.fs_path)
    except FileNotFoundError:
        if remote.scheme == "sftp":
            raise InputError(N_("{input}: not found", input=remote.shown)) from None
        # s3fs and gcsfs raise the same error for a missing bucket and a missing key: ask about the bucket.
        if fs.exists(remote.host):
            raise InputError(
                N_("{input}: no such object in bucket {bucket!r}", input=remote.shown, bucket=remote.host)
            ) from None
        raise InputError(
            N_("{input}: no such bucket {bucket!r} (or no access to it)", input=remote.shown, bucket=remote.host)
        ) from None


def _open_options(remote: RemoteInput) -> dict[str, Any]:
    if remote.scheme == "sftp":
        return {}  # sshfs's block_size is the size of one SFTP request: it picks it from the server's limits
    # No read-ahead cache: each read is one ranged GET of CHUNK_SIZE bytes (s3fs's default caches 50 MB blocks).
    return {"block_size": CHUNK_SIZE, "cache_type": "none"}


def _attempt(remote: RemoteInput, stage: str, action: Callable[[], Any]) -> Any:
    try:
        return action()
    except (MissingExtra, InputError):
        raise
    except Exception as exc:  # every backend has its own exceptions: each becomes one line, never a traceback
        raise InputError(
            N_("{input}: {problem}", input=remote.shown, problem=_what_happened(exc, remote, stage))
        ) from None


def _what_happened(exc: Exception, remote: RemoteInput, stage: str) -> Message:
    """What went wrong, in words; never the exception's text where it could hold more than a name."""
    kind = type(exc).__name__
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "HostKeyNotVerifiable" in names:
        return N_(
            "the server's host key is not in ~/.ssh/known_hosts, or does not match it: connect once with ssh "
            "to check it and add it"
        )
    if stage == "connect" and isinstance(exc, PermissionError):
        if remote.user:
            return N_(
                "authentication failed as {user}: no key in ~/.ssh or the ssh-agent was accepted", user=remote.user
            )
        return N_("authentication failed: no key in ~/.ssh or the ssh-agent was accepted")
    if "NoCredentialsError" in names:
        return N_("no credentials found: {credentials}", credentials=_BACKENDS[remote.scheme].credentials)
    if isinstance(exc, ConnectionRefusedError):
        return N_("connection refused")
    if kind == "gaierror":
        return N_("host {host!r} not found", host=remote.host)
    if isinstance(exc, TimeoutError) or "ConnectTimeoutError" in names or "ReadTimeoutError" in names:
        return N_("timed out")
    if "EndpointConnectionError" in names:
        return N_("cannot connect to the storage endpoint (check AWS_ENDPOINT_URL / the network)")
    if "FileExpired" in names:
        # s3fs reads every chunk with If-Match on the ETag it first saw: the snapshot never mixes two exports.
        return N_("the object was replaced while it was being copied (a new export?): run again")
    if isinstance(exc, FileNotFoundError):
        return N_("not found")
    if isinstance(exc, PermissionError) or "SFTPPermissionDenied" in names:  # sshfs passes the SFTP one on as is
        return N_("permission denied")
    if isinstance(exc, IsADirectoryError) or "Is a directory" in str(exc):
        return N_("is a folder, not a file")
    if "DisconnectError" in names or isinstance(exc, ConnectionError):
        return N_("the connection was closed ({error})", error=kind)
    # The backend's own words, with any URL in them redacted (an HTTP client's error quotes the request's URL).
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), str(exc).strip())
    first_line = text.splitlines()[0][:200] if text else ""
    # The backend's words stay as it gives them (a param): only what frames them is translated.
    error = f"{kind}: {first_line}" if first_line else kind
    return N_("cannot be read ({error})", error=error)
