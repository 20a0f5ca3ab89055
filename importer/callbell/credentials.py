"""Where the API token and base URL come from, shared by every command that talks to the API."""

from __future__ import annotations

import os
from pathlib import Path

from importer.errors import AccountError, ConfigError
from importer.i18n.message import N_

TOKEN_ENV = "CALLBELL_API_TOKEN"
BASE_URL_ENV = "CALLBELL_BASE_URL"
# A run that must write and has no token (the library's word; a dry run needs none).
NO_TOKEN = N_("no API token: set {variable} (or use --dry-run)", variable=TOKEN_ENV)


def read_token(token_file: Path | None) -> str | None:
    """The token from `token_file` when given, else from CALLBELL_API_TOKEN; None when neither has one.

    Errors name the file, never its contents.
    """
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                N_("{path}: cannot read token file ({error})", path=str(token_file), error=exc.strerror or str(exc))
            ) from None
        except UnicodeDecodeError:
            raise ConfigError(N_("{path}: token file is not UTF-8 text", path=str(token_file))) from None
        if not token:
            raise ConfigError(N_("{path}: token file is empty", path=str(token_file)))
        return token
    return os.environ.get(TOKEN_ENV, "").strip() or None


def require_token(token_file: Path | None) -> str:
    """read_token for a command that cannot go on without one (exit 3, as a refused token)."""
    token = read_token(token_file)
    if not token:
        raise AccountError(N_("no API token: set {variable} or give --token-file", variable=TOKEN_ENV))
    return token
