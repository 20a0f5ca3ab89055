"""STAND-IN for the remote helper's module (replaced at merge): an fsspec URL's bytes copied to a file."""

from __future__ import annotations

import shutil
from typing import BinaryIO

from importer.errors import InputError
from importer.sources.spec import redact_url


def copy_remote(url: str, out: BinaryIO) -> None:
    import fsspec

    try:
        with fsspec.open(url, "rb") as fh:
            shutil.copyfileobj(fh, out, 1 << 16)
    except (OSError, ValueError, ImportError) as exc:
        raise InputError(f"{redact_url(url)}: cannot read ({type(exc).__name__})") from None
