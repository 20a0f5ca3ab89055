"""`importer --version`: the version written once, with Python's and the key libraries' versions."""

from __future__ import annotations

import platform
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import importer
from importer.commands import about
from importer.commands.about import KEY_LIBRARIES, library_versions

ROOT = Path(__file__).resolve().parents[2]


def version_output() -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stderr == ""
    return proc.stdout.splitlines()


def test_version_names_the_importer_python_and_the_libraries() -> None:
    lines = version_output()
    assert lines[0] == f"importer {importer.__version__}"
    assert lines[1].startswith(f"Python {platform.python_version()} (")
    for name in KEY_LIBRARIES:
        assert f"{name} {metadata.version(name)}" in lines
    try:
        pandas = f"pandas {metadata.version('pandas')}"
    except metadata.PackageNotFoundError:
        pandas = 'pandas not installed (optional: pip install "callbell-importer[pandas]")'
    assert pandas in lines


def test_a_missing_optional_library_says_how_to_get_it(monkeypatch) -> None:
    versions = library_versions()
    assert set(versions) >= {"httpx", "phonenumbers", "openpyxl", "python-calamine", "tenacity", "pandas"}
    assert all(versions[name] for name in KEY_LIBRARIES)  # the runtime dependencies are all installed
    monkeypatch.setattr(about, "OPTIONAL_LIBRARIES", {"no-such-distribution": "pip install it"})
    assert about.library_versions()["no-such-distribution"] is None
    assert about.version_text().endswith("\nno-such-distribution not installed (optional: pip install it)")


def test_the_version_is_written_in_one_place() -> None:
    # pyproject.toml takes it from importer/__init__.py rather than repeating it (make wheel-check checks that the
    # wheel carries it).
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "importer.__version__"}
    assert isinstance(importer.__version__, str) and importer.__version__[0].isdigit()
