"""URLs as they may be shown: in messages, logs, the results and the snapshot's fingerprint, an input URL appears
without its password, query string or fragment (a presigned URL's signature, a token), and nothing else is lost."""

from __future__ import annotations

from urllib.parse import urlsplit


def redact_url(url: str) -> str:
    """`scheme://[user@]host[:port]/path`: the password, query string and fragment dropped, the rest as written
    (case, percent-escapes, an IPv6 host's brackets). Text that is not a URL (no `scheme://`) is returned as is."""
    if "://" not in url:
        return url
    scheme = url.partition("://")[0]
    # Cut at the first ? or # by hand: urlsplit would keep one that sits in a password.
    head = url.split("#", 1)[0].split("?", 1)[0]
    authority = url.partition("://")[2].split("/", 1)[0]
    try:
        parts = urlsplit(head)
        parts.port  # noqa: B018 - raises on a port that is not a number
        if "@" in authority and "@" not in parts.netloc:
            raise ValueError("an @ after a ? or #")
    except ValueError:
        # Not a well-formed URL, most likely a password with a / ? or # in it (sftp://u:pa/ss@host/x): keep only
        # what follows the last @, which cannot be part of the credentials.
        tail = url.partition("://")[2].rpartition("@")[2]
        return f"{scheme}://{tail.split('#', 1)[0].split('?', 1)[0]}"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]  # user:password -> user
    shown_user = f"{user}@" if at and user else ""
    return f"{scheme}://{shown_user}{hostport}{parts.path}"


def has_password(url: str) -> bool:
    """Whether the URL carries a password (`user:password@host`), or is malformed in the way a password with a
    `/`, `?` or `#` in it makes a URL (an @ that urlsplit does not see in the authority)."""
    if "://" not in url:
        return False
    authority = url.partition("://")[2].split("/", 1)[0]
    head = url.split("#", 1)[0].split("?", 1)[0]
    try:
        netloc = urlsplit(head).netloc
    except ValueError:
        return "@" in url
    userinfo, at, hostport = netloc.rpartition("@")
    if at:
        return ":" in userinfo
    if "@" in authority:  # sftp://u:1?ss@host/x: urlsplit sees host u, port 1
        return True
    # sftp://u:pa/ss@host/x: urlsplit sees host u, port "pa"
    port = hostport.rpartition("]")[2].rpartition(":")[2] if ":" in hostport.rpartition("]")[2] else ""
    return "@" in url and not port.isdigit() and ":" in hostport.rpartition("]")[2]


def redact_db_url(url: str, *, mark: bool = True) -> str:
    """A database URL without its password (shown as ***) nor its query string (drivers take passwords and keys
    there too): postgresql://app:secret@db/crm?sslpassword=x -> postgresql://app:***@db/crm. SQLite's path is kept
    as it is; text that is not a URL is not shown at all. `mark=False` drops the password without a trace (a
    fingerprint: the same database whether its password is in the URL or elsewhere)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "<database URL>"
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    authority, slash, path = rest.partition("/")
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        user, colon, _ = userinfo.partition(":")
        authority = f"{user}{':***' if colon and mark else ''}@{host}" if user else host
    return f"{scheme}://{authority}{slash}{path}"
