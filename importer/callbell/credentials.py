"""Where the API token and base URL come from, shared by every command that talks to the API."""

from __future__ import annotations

import os
from pathlib import Path

from importer.errors import AccountError, ConfigError

TOKEN_ENV = "CALLBELL_API_TOKEN"
BASE_URL_ENV = "CALLBELL_BASE_URL"
# A run that must write and has no token (the library's word; a dry run needs none).
NO_TOKEN = f"no API token: set {TOKEN_ENV} (or use --dry-run)"


def read_token(token_file: Path | None) -> str | None:
    """The token from `token_file` when given, else from CALLBELL_API_TOKEN; None when neither has one.

    Errors name the file, never its contents.
    """
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{token_file}: cannot read token file ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{token_file}: token file is not UTF-8 text") from None
        if not token:
            raise ConfigError(f"{token_file}: token file is empty")
        return token
    return os.environ.get(TOKEN_ENV, "").strip() or None


def require_token(token_file: Path | None) -> str:
    """read_token for a command that cannot go on without one (exit 3, as a refused token)."""
    token = read_token(token_file)
    if not token:
        raise AccountError(f"no API token: set {TOKEN_ENV} or give --token-file")
    return token
