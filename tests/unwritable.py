"""A folder the importer cannot write, even when the tests run as root (CI does): the folder is made read-only, and
a subprocess started with `preexec_fn=without_override()` loses root's CAP_DAC_OVERRIDE (dropped from its
capability bounding set before exec), so that the folder's mode holds for it too. Linux only."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1


def _drop_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE)")


def without_override() -> Callable[[], None] | None:
    """preexec_fn for subprocess: None unless root, whose writes a folder's mode does not stop."""
    return _drop_override if os.geteuid() == 0 else None


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    mode = folder.stat().st_mode
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(mode)
