"""`make wheel-check`: the wheel `python -m build` makes installs into a fresh virtualenv and runs from anywhere.

Builds the sdist and, from it, the wheel (so both are checked); checks that the wheel holds every file of the
importer package (the data files the code reads with importlib.resources, the sandbox...); creates a virtualenv
with the running Python's base interpreter, installs requirements/runtime.lock there (from the package
registry or pip's cache) and then the wheel alone (`--no-deps`, then `pip check`); and, from a directory
outside the checkout so that nothing of the checkout can be imported, runs:

- `importer --version` (it names the wheel's version) and `python -m importer --help`;
- `importer validate` on the sample (a dry run: exit 1, as the sample has broken rows on purpose);
- the installed sandbox (`importer sandbox`) and an import of the sample into it, every valid row created.

    .venv/bin/python scripts/wheel_check.py [--keep DIR]

Exits 0 when every step did what it should, else prints the step and its output and exits 1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "contacts.csv"
ACCOUNT = ROOT / "sample_data" / "account.toml"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
READY_PREFIX = "Callbell sandbox ready at "  # importer/sandbox/process.py, not imported: this checks the wheel


class CheckFailed(Exception):
    pass


def run(
    step: str, command: list[str | Path], *, cwd: Path, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None
) -> str:
    print(f"-- {step}: {' '.join(str(c) for c in command)}", flush=True)
    proc = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode not in ok:
        raise CheckFailed(f"{step}: exit {proc.returncode}, expected {ok}\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout + proc.stderr


def package_files() -> set[str]:
    """Every file of the importer package in the checkout, as the wheel names it."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "importer").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".pyo")
    }


def clean_env() -> dict[str, str]:
    """The environment without the checkout's virtualenv or any Callbell setting leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CALLBELL_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return env


def check(work: Path) -> None:
    dist, venv, elsewhere = work / "dist", work / "venv", work / "elsewhere"
    elsewhere.mkdir(parents=True)
    env = clean_env()

    run("build", [sys.executable, "-m", "build", "--outdir", dist, ROOT], cwd=ROOT)
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1 or not list(dist.glob("*.tar.gz")):
        raise CheckFailed(f"build: expected one wheel and one sdist in {dist}, found {os.listdir(dist)}")
    wheel = wheels[0]
    version = wheel.name.split("-")[1]
    with zipfile.ZipFile(wheel) as zf:
        missing = package_files() - set(zf.namelist())
    if missing:
        raise CheckFailed(f"{wheel.name} lacks files of the package: {sorted(missing)}")
    print(f"   {wheel.name}: every file of importer/ is in it", flush=True)

    # The base interpreter, not the checkout's virtualenv: a fresh environment like a user's.
    base_python = Path(getattr(sys, "_base_executable", sys.executable))
    run("virtualenv", [base_python, "-m", "venv", venv], cwd=work, env=env)
    python, importer = venv / "bin" / "python", venv / "bin" / "importer"
    pip = [python, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run("runtime dependencies from the lock", [*pip, "install", "-r", RUNTIME_LOCK], cwd=work, env=env)
    run("the wheel", [*pip, "install", "--no-deps", wheel], cwd=work, env=env)
    run("pip check", [python, "-m", "pip", "check"], cwd=work, env=env)

    where = run("installed copy", [python, "-c", "import importer; print(importer.__file__)"], cwd=elsewhere, env=env)
    if not Path(where.strip()).resolve().is_relative_to(venv.resolve()):
        raise CheckFailed(f"importer was imported from {where.strip()}, not from the virtualenv")

    out = run("version", [importer, "--version"], cwd=elsewhere, env=env)
    if not out.startswith(f"importer {version}\n") or "phonenumbers " not in out:
        raise CheckFailed(f"importer --version printed {out!r}; expected 'importer {version}' and the libraries")
    print("   " + out.strip().replace("\n", "\n   "), flush=True)
    out = run("help", [python, "-m", "importer", "--help"], cwd=elsewhere, env=env)
    if "Usage:" not in out or "validate" not in out:
        raise CheckFailed(f"python -m importer --help printed {out!r}")

    expected = json.loads((ROOT / "sample_data" / "expected.json").read_text(encoding="utf-8"))
    results = elsewhere / "dry" / "contacts.results.csv"
    dry = [importer, "validate", SAMPLE, "-a", ACCOUNT, "-o", results, "--no-progress"]
    out = run("dry run of the sample", dry, cwd=elsewhere, env=env, ok=(1,))  # 1: broken rows, on purpose
    counts = Counter(row["status"] for row in read_results(results))
    if counts["valid"] != expected["valid"] or sum(counts.values()) != expected["rows"]:
        raise CheckFailed(f"dry run: {dict(counts)}, expected {expected['valid']} valid of {expected['rows']}")
    print("   " + next((line for line in out.splitlines() if line.startswith("Dry run")), "?"), flush=True)

    # The catalogs are in the wheel (compiled .mo; a checkout compiles the .po): the same dry run in German.
    german = elsewhere / "dry-de" / "contacts.results.csv"
    out = run(
        "the same in German", [*dry[:6], german, "--no-progress", "--lang", "de"], cwd=elsewhere, env=env, ok=(1,)
    )
    said = next((line for line in out.splitlines() if line.startswith("Testlauf")), None)
    if said is None or 'lang="de"' not in german.with_name("contacts.results.report.html").read_text("utf-8"):
        raise CheckFailed(f"--lang de printed no German summary or report:\n{out}")
    print("   " + said, flush=True)

    import_into_sandbox(importer, expected, elsewhere, env)


def import_into_sandbox(importer: Path, expected: dict[str, object], cwd: Path, env: dict[str, str]) -> None:
    token = "sbx_" + secrets.token_urlsafe(16)
    command = [str(importer), "sandbox", "--port", "0", "--token", token, "--account-file", str(ACCOUNT)]
    print(f"-- the installed sandbox: {' '.join(command).replace(token, '***')}", flush=True)
    server = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True
    )
    try:
        assert server.stdout is not None
        seen: list[str] = []
        for line in server.stdout:  # its ready line, read (never waited for by sleeping)
            seen.append(line)
            if line.startswith(READY_PREFIX):
                break
        else:
            raise CheckFailed("the sandbox exited before it was ready:\n" + "".join(seen))
        base_url = line.removeprefix(READY_PREFIX).strip()
        # Keep reading what it prints, so a full pipe never blocks it.
        threading.Thread(target=server.stdout.read, daemon=True).start()
        results = cwd / "import" / "contacts.results.csv"
        command = [str(importer), "import", str(SAMPLE), "-a", str(ACCOUNT), "--base-url", base_url, "-o", str(results)]
        run(
            "import of the sample",
            [*command, "--no-progress"],
            cwd=cwd,
            env={**env, "CALLBELL_API_TOKEN": token},
            ok=(1,),
        )
        counts = Counter(row["status"] for row in read_results(results))
        if counts["created"] != expected["valid"]:
            raise CheckFailed(f"import: {dict(counts)}, expected {expected['valid']} created")
        print(f"   {counts['created']} contacts created in the installed sandbox", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def read_results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="work in this (new) directory and leave it for inspection")
    args = parser.parse_args(argv)
    try:
        if args.keep:
            args.keep.mkdir(parents=True)
            check(args.keep.resolve())
        else:
            with tempfile.TemporaryDirectory(prefix="wheel_check_") as tmp:
                check(Path(tmp))
    except CheckFailed as exc:
        print(f"wheel check FAILED: {exc}", file=sys.stderr)
        return 1
    print("wheel check passed: the wheel installs into a fresh virtualenv and runs outside the checkout")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
