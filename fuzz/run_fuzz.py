"""Fuzz reading + mapping + validation for a while: `make fuzz` (`.venv/bin/python fuzz/run_fuzz.py`).

Runs the targets of tests/e2e/test_fuzz.py (random bytes, random CSV text, random .xlsx and .xls workbooks), which
`make test` runs briefly:

- hypothesis: rounds of fresh random examples per target until the time is up; a failure is shrunk to a small
  input before it is saved;
- atheris (coverage-guided, libFuzzer), when it is installed: raw bytes as a file, mutated from seeds
  (sample_data, the corpus of tests/data/corpus and a few hand-made files), with the second half of the time.

Each engine runs in a child process that notes every input before trying it, so an input that kills the
process (a native library aborting, running out of memory) is saved too, and the engine goes on in a new child.

A crash (any exception but ImporterError, a message of several lines, a broken reader invariant, a process
killed) is saved as fuzz/crashes/<target>-<id>.<ext> with <that>.json beside it (options and traceback).
Replay one with `--replay fuzz/crashes/<file>`; tests/e2e/test_fuzz.py replays every saved one in `make test`, except
those that kill the process (`"kills_process": true`).

    .venv/bin/python fuzz/run_fuzz.py                 # 120 s, every engine available
    .venv/bin/python fuzz/run_fuzz.py --seconds 600 --engine hypothesis --targets csv,xlsx
    .venv/bin/python fuzz/run_fuzz.py --replay fuzz/crashes/csv-0123456789.csv

Exit status: 0 when no crash was found, 1 otherwise.
"""

from __future__ import annotations

import argparse
import codecs
import hashlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CRASHES = ROOT / "fuzz" / "crashes"
sys.path[:0] = [str(ROOT / "tests" / "e2e"), str(ROOT / "tests"), str(ROOT)]

CHILD_MEMORY = 4 << 30  # bytes of address space for a child (and for --replay)
ROUND = 200  # hypothesis examples per round of one target (fresh random examples each round)
ATHERIS_SUFFIXES = [".csv", ".xlsx", "", ".xls", ".txt"]  # chosen by an atheris input's first byte


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120, help="time budget (default 120)")
    parser.add_argument("--engine", choices=["auto", "hypothesis", "atheris"], default="auto")
    parser.add_argument("--targets", default="", help="hypothesis targets, comma-separated: bytes,csv,xlsx,xls")
    parser.add_argument("--replay", type=Path, help="run one saved reproducer and show what happens")
    parser.add_argument("--child", choices=["hypothesis", "atheris"], help=argparse.SUPPRESS)
    parser.add_argument("--inflight", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.replay:
        return replay(args.replay)
    if args.child:
        from test_fuzz import limit_memory

        limit_memory(CHILD_MEMORY)  # a reader that allocates without end dies fast, not after eating the machine
        inflight = Inflight(args.inflight)
        if args.child == "atheris":
            return atheris_child(args.seconds, inflight)
        return hypothesis_child(args.seconds, [t for t in args.targets.split(",") if t], inflight)

    has_atheris = importlib.util.find_spec("atheris") is not None
    if args.engine == "atheris" and not has_atheris:
        parser.error("atheris is not installed (.venv/bin/pip install atheris; Linux x86_64 wheels only)")
    engines = {"auto": ["hypothesis", "atheris"] if has_atheris else ["hypothesis"]}.get(args.engine, [args.engine])
    started = time.monotonic()
    tried: Counter[str] = Counter()
    crashes: list[Path] = []
    print(f"fuzzing for {args.seconds:.0f} s with {' + '.join(engines)}; crashes go to {rel(CRASHES)}/", flush=True)
    for index, engine in enumerate(engines):
        left = args.seconds - (time.monotonic() - started)
        count, found = run_engine(engine, left / (len(engines) - index), args.targets)
        tried[engine] += count
        crashes += found

    elapsed = time.monotonic() - started
    per_engine = ", ".join(f"{engine} {n}" for engine, n in tried.items())
    print(f"\n{sum(tried.values())} inputs tried in {elapsed:.0f} s ({per_engine})")
    if not crashes:
        print("no crash found")
        return 0
    print(f"{len(dict.fromkeys(crashes))} crash(es) found:")
    for path in dict.fromkeys(crashes):
        print(f"  {rel(path)}    replay: .venv/bin/python fuzz/run_fuzz.py --replay {rel(path)}")
    return 1


def rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:160] if text else ""


# --- the parent: children, and the inputs that kill them -----------------------------------------------------


class Inflight:
    """The input a child is trying, written before it tries it, and how many it tried: what the parent needs
    when the child dies."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.count = 0

    def note(self, target: str, inp: object) -> None:
        self.count += 1
        if self.path is None:
            return
        from test_fuzz import FuzzInput

        assert isinstance(inp, FuzzInput)
        self.path.with_suffix(".data").write_bytes(inp.data)
        meta = {"target": target, "options": inp.options(), "count": self.count}
        self.path.write_text(json.dumps(meta), encoding="utf-8")

    @staticmethod
    def read(path: Path) -> tuple[dict[str, object], bytes] | None:
        try:
            return json.loads(path.read_text(encoding="utf-8")), path.with_suffix(".data").read_bytes()
        except (OSError, ValueError):
            return None


def run_engine(engine: str, seconds: float, targets: str) -> tuple[int, list[Path]]:
    """Run one engine's children until the time is up, restarting after an input that killed one."""
    deadline = time.monotonic() + seconds
    tried, crashes = 0, []
    with tempfile.TemporaryDirectory(prefix="importer-fuzz-") as tmp:
        inflight = Path(tmp) / "inflight.json"
        while (left := deadline - time.monotonic()) > 1:
            before = set(CRASHES.glob("*.json"))
            inflight.unlink(missing_ok=True)
            command = [
                sys.executable,
                __file__,
                "--child",
                engine,
                "--seconds",
                f"{left:.0f}",
                "--inflight",
                str(inflight),
            ]
            if targets:
                command += ["--targets", targets]
            child = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
            output = child.stdout.decode("utf-8", "replace")
            lines = output.splitlines()
            for line in lines:
                if line.startswith(f"[{engine}]"):
                    print(line, flush=True)
            new = [p.with_suffix("") for p in sorted(set(CRASHES.glob("*.json")) - before)]
            crashes += new
            last = Inflight.read(inflight)
            counts = [int(line.split()[1]) for line in lines if line.startswith("TRIED ")]
            tried += counts[-1] if counts else int(str(last[0]["count"])) if last else 0
            if child.returncode in (0, 1):  # the time is up
                break
            if last is None:
                print(f"[{engine}] stopped with status {child.returncode}:", *lines[-20:], sep="\n", flush=True)
                break
            # libFuzzer stops at the first crash, saved by the child; any other death is the input's doing: save
            # it. Either way, go on in a new child.
            if not any(p.read_bytes() == last[1] for p in new):
                path = save_killer(last[0], last[1], child.returncode, lines)
                crashes.append(path)
                status = describe_status(child.returncode)
                print(f"[{engine}] CRASH the process died ({status}) -> {rel(path)}", flush=True)
    print(f"[{engine}] {tried} inputs", flush=True)
    return tried, crashes


def describe_status(code: int) -> str:
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"


def save_killer(meta: dict[str, object], data: bytes, code: int, lines: list[str]) -> Path:
    target = str(meta["target"])
    signature = f"killed:{describe_status(code)}:{target}"
    digest = hashlib.sha1(signature.encode()).hexdigest()[:10]
    options = meta["options"]
    assert isinstance(options, dict)
    path = CRASHES / f"{target}-{digest}{Path(str(options['name'])).suffix}"
    CRASHES.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size <= len(data):
        return path  # a smaller input that kills the process the same way is already saved
    path.write_bytes(data)
    record = {
        "target": target,
        "options": options,
        "signature": signature,
        "kills_process": True,
        "traceback": "\n".join(lines[-40:]),
    }
    path.with_name(path.name + ".json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


# --- hypothesis -----------------------------------------------------------------------------------------------


class TimeUp(BaseException):
    """Raised inside a hypothesis example when the time is up: hypothesis lets it through at once."""


def hypothesis_child(seconds: float, targets: list[str], inflight: Inflight) -> int:
    import test_fuzz
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis.errors import HypothesisException

    names = targets or list(test_fuzz.TARGETS)
    unknown = set(names) - set(test_fuzz.TARGETS)
    if unknown:
        raise SystemExit(f"unknown target(s) {', '.join(sorted(unknown))}; known: {', '.join(test_fuzz.TARGETS)}")
    deadline = time.monotonic() + seconds
    tried: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = {name: Counter() for name in names}
    crashes = 0
    failing: dict[str, tuple[test_fuzz.FuzzInput, BaseException]] = {}

    def one_round(name: str) -> None:
        """ROUND fresh examples of one target (no example database: every round explores anew)."""

        @settings(
            max_examples=ROUND,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,  # crashes are reported (and saved) below
        )
        @given(inp=test_fuzz.TARGETS[name])
        def body(inp: test_fuzz.FuzzInput) -> None:
            if time.monotonic() >= deadline:
                raise TimeUp
            tried[name] += 1
            inflight.note(name, inp)
            try:
                outcome = test_fuzz.check(inp)
            except Exception as error:
                failing[name] = (inp, error)  # the last one is the shrunk example that hypothesis reports
                raise
            outcomes[name][outcome.split(":")[0]] += 1

        body()

    def save(name: str, inp: test_fuzz.FuzzInput, error: BaseException) -> None:
        nonlocal crashes
        path = test_fuzz.save_reproducer(inp, name, error, CRASHES)
        crashes += 1
        print(f"[hypothesis] {name}: CRASH {type(error).__name__}: {one_line(error)} -> {rel(path)}", flush=True)

    while time.monotonic() < deadline:
        for name in names:
            if time.monotonic() >= deadline:
                break
            try:
                one_round(name)
            except TimeUp:  # in the middle of a round, or of shrinking a crash: keep what is failing, unshrunk
                if name in failing:
                    save(name, *failing.pop(name))
                break
            except HypothesisException as error:  # not a crash: the strategies are broken
                raise SystemExit(f"[hypothesis] {name}: {type(error).__name__}: {error}") from error
            except Exception:  # a crash, shrunk: save it and go on
                if name not in failing:
                    raise
                save(name, *failing.pop(name))
    for name in names:
        shares = ", ".join(f"{k} {v}" for k, v in outcomes[name].most_common())
        print(f"[hypothesis] {name}: {tried[name]} inputs ({shares})", flush=True)
    print(f"TRIED {sum(tried.values())}", flush=True)
    return 1 if crashes else 0


# --- atheris ------------------------------------------------------------------------------------------------------


def atheris_child(seconds: float, inflight: Inflight) -> int:
    import atheris

    with atheris.instrument_imports(include=["importer"]):
        import importer.mapping.columns
        import importer.mapping.config
        import importer.mapping.headers
        import importer.phones.numbers
        import importer.pipeline.run
        import importer.reading.files
        import importer.validation.validator  # noqa: F401
    import test_fuzz

    def decode(data: bytes) -> test_fuzz.FuzzInput:
        """Byte 0 picks the file name, byte 1 the options; the rest is the file."""
        suffix = ATHERIS_SUFFIXES[data[0] % len(ATHERIS_SUFFIXES)] if data else ".csv"
        options = data[1] if len(data) > 1 else 0
        encodings, delimiters = test_fuzz.OVERRIDE_ENCODINGS, test_fuzz.OVERRIDE_DELIMITERS
        encoding = encodings[options % len(encodings)] if options & 0x80 else None
        delimiter = delimiters[options % len(delimiters)] if options & 0x40 else None
        region = test_fuzz.REGIONS[(options >> 3) % len(test_fuzz.REGIONS)]
        return test_fuzz.FuzzInput(f"input{suffix}", data[2:], encoding, delimiter, None, region)

    def one_input(data: bytes) -> None:
        inp = decode(data)
        inflight.note("atheris", inp)
        try:
            test_fuzz.check(inp)
        except Exception as error:
            path = test_fuzz.save_reproducer(inp, "atheris", error, CRASHES)
            print(f"[atheris] CRASH {type(error).__name__}: {one_line(error)} -> {rel(path)}", flush=True)
            raise

    corpus = Path(tempfile.mkdtemp(prefix="importer-corpus-"))
    for i, seed in enumerate(seeds()):
        (corpus / f"seed{i}").write_bytes(seed)
    artifacts = Path(tempfile.mkdtemp(prefix="importer-artifacts-"))
    flags = [f"-max_total_time={max(int(seconds), 1)}", "-print_final_stats=1", "-timeout=30", "-rss_limit_mb=3072"]
    flags += [f"-artifact_prefix={artifacts}/", "-max_len=131072"]
    atheris.Setup([sys.argv[0], *flags, str(corpus)], one_input)
    atheris.Fuzz()
    return 0


def seeds() -> list[bytes]:
    """Files to start mutating from, each behind its two option bytes (file name, options)."""
    by_suffix = {suffix: i for i, suffix in enumerate(ATHERIS_SUFFIXES)}
    files = [
        (".csv", (ROOT / "sample_data" / "contacts.csv").read_bytes()[:8192]),
        (".xlsx", (ROOT / "sample_data" / "contacts.xlsx").read_bytes()),
        (".csv", b"Name;Phone;Country;Tags\r\nAna;612 34 56 78;ES;VIP\r\nLuis;+52 1 55 1234 5678;;\r\n"),
        (".csv", b'sep=|\nName|Phone\n"Ana ""A"""|0034 612 34 56 78\n'),
        (".csv", b"Contacts export\n\nNombre,Tel\xe9fono\nZo\xeb,+34 612 34 56 78\n"),
        (".csv", codecs.BOM_UTF16_LE + "Name\tPhone\r\nAna\t612345678\r\n".encode("utf-16-le")),
        (".csv", b"Phone 1 - Value,Phone 1 - Label,Name\n+34 612 ::: +34 699,Mobile ::: Work,Ana\n"),
    ]
    for path in sorted((ROOT / "tests" / "data" / "corpus").glob("*")):  # the corpus of bad and strange files
        if path.is_file() and path.suffix != ".json" and path.stat().st_size <= 131072:
            files.append((path.suffix.lower() if path.suffix.lower() in by_suffix else "", path.read_bytes()))
    return [bytes([by_suffix[suffix], 0]) + data for suffix, data in files]


# --- replay -------------------------------------------------------------------------------------------------------


def replay(path: Path) -> int:
    import test_fuzz

    test_fuzz.limit_memory(CHILD_MEMORY)
    if path.suffix == ".json":
        path = path.with_suffix("")
    inp = test_fuzz.load_reproducer(path)
    print(f"{rel(path)}: {inp.name}, {len(inp.data)} bytes, options {inp.options()}", flush=True)
    try:
        outcome = test_fuzz.check(inp)
    except Exception:
        traceback.print_exc()
        return 1
    print(f"no crash: {outcome}")
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
