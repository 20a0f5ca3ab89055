"""`importer --version`: the importer's version with Python's and the key libraries', for bug reports.

The version itself is written once, as `__version__` in importer/__init__.py (pyproject.toml reads it from
there); the libraries' versions come from the installed distributions' metadata, looked up only when asked.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

import click

from importer import __version__

# Distributions whose version changes what the importer does: transport and retries, phone rules (the
# libphonenumber metadata moves with every release), the two Excel readers, the CLI, the sandbox's server.
KEY_LIBRARIES = (
    "httpx",
    "tenacity",
    "phonenumbers",
    "pycountry",
    "openpyxl",
    "python-calamine",
    "click",
    "tqdm",
    "starlette",
    "uvicorn",
)
OPTIONAL_LIBRARIES = {"pandas": 'pip install "callbell-importer[pandas]"'}


def library_versions() -> dict[str, str | None]:
    """Installed version of each key library, and of each optional one (None when it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in (*KEY_LIBRARIES, *OPTIONAL_LIBRARIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def version_text() -> str:
    lines = [
        f"importer {__version__}",
        f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.system()} "
        f"{platform.machine()}",
    ]
    for name, version in library_versions().items():
        if version is not None:
            lines.append(f"{name} {version}")
        elif name in OPTIONAL_LIBRARIES:
            lines.append(f"{name} not installed (optional: {OPTIONAL_LIBRARIES[name]})")
        else:
            lines.append(f"{name} not installed")
    return "\n".join(lines)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(version_text())
    ctx.exit()


def version_option(func: Any) -> Any:
    """`--version` for the `importer` group; the library look-ups happen only when it is given."""
    return click.option(
        "--version",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_print_version,
        help="Show the version, with Python's and the key libraries', and exit.",
    )(func)
