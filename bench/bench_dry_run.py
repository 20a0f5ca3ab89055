"""Dry run of a big CSV, end to end: `importer validate FILE` as a subprocess, its speed and its memory.

    .venv/bin/python bench/bench_dry_run.py [--rows 100000 1000000] [--keep DIR]

Generates realistic contact sheets with the sample account's columns (accented names, phones spelled half a
dozen ways, tags, users, teams, custom fields; about 2% broken rows and 0.5% repeated phones) from a fixed
seed, runs `importer validate FILE -a sample_data/account.toml -o OUT.csv --no-progress`, and samples from
/proc every 50 ms the RSS of the importer and of every process it forks (the validation workers). Prints the
figures, then one markdown row per size: `| rows | seconds | rows/s | reference numbers/s | x reference |
plain importer rows/s | x plain importer | peak MB (main) | peak MB (all processes) |`. The reference is
bench/reference.py's (phonenumbers parse + is_valid_number + format on one core, measured before and after the
run: the higher); the plain importer is the plainest possible importer (one process: csv.DictReader,
phonenumbers parse + is_valid) measured in the same run on the same file (see reference_rate).

The summed RSS counts pages a forked worker still shares with its parent once per process, so it overstates
what the tree really holds; the PSS sum (shared pages split between their users) is printed beside it.

Exits non-zero only when a run fails (bad exit code, missing results, a row count or status count that is not
what the generator wrote); goals are judged from BENCHMARKS.md.

`write_contacts` is also the generator of bench/bench_import.py.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import describe, phone_reference, ratio  # noqa: E402

ACCOUNT_FILE = REPO / "sample_data" / "account.toml"
IMPORTER = REPO / ".venv" / "bin" / "importer"
SEED = 20250314
PAGE = os.sysconf("SC_PAGE_SIZE")

# The sample account's columns, as the sample sheet has them.
with (REPO / "sample_data" / "contacts.csv").open(encoding="utf-8", newline="") as _sample:
    COLUMNS = next(csv.reader(_sample))

# The sample account's vocabulary (sample_data/account.toml), in the spellings people type.
TAGS = ["Call back", "Interested", "VIP", "Newsletter", "Lead", "Customer", "Cliente potencial", "vip", "LEAD"]
USERS = ["ana@example.com", "luis@example.com", "marta@example.com", "john@example.com", "Ana@Example.com"]
TEAMS = ["Support", "Ventas", "ventas"]
STATUSES = ["Active", "Churned", "Trial", "active", "TRIAL"]
FEATURES = ["Dark Mode", "Notifications", "Beta"]
UNKNOWN_TAGS = ["Premium", "VIP Gold", "Proveedor", "Mayorista"]

FIRST_ES = ["José", "María", "Lucía", "Martín", "Sofía", "Álvaro", "Inés", "Jesús", "Raúl", "Begoña", "Iñaki"]
FIRST_ES += ["Ángela", "Andrés", "Óscar", "Nuria", "Carmen", "Javier", "Elena", "Pablo", "Marta", "Zoë", "Noé"]
LAST_ES = ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez"]
LAST_ES += ["Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Gutiérrez"]
LAST_ES += ["Navarro", "Domínguez", "Vázquez", "Ramírez", "Serrano", "Castaño", "Peña", "Ibáñez", "Nieto"]
FIRST_GB = ["Oliver", "Amelia", "Jack", "Chloé", "Harry", "Isla", "Noah", "Siobhán", "Seán", "Emily"]
LAST_GB = ["Smith", "Jones", "Taylor", "Brown", "O'Brien", "Wilson", "Davies", "Evans", "Thomas", "Roberts"]
STREETS = ["Calle Mayor", "Avenida de la Constitución", "Paseo de Gràcia", "Calle de Alcalá", "Rúa do Vilar"]
CITIES = ["28013 Madrid", "08008 Barcelona", "41001 Sevilla", "46002 València", "15705 Santiago de Compostela"]
NOTES = ["Llamar por la tarde", "Prefiere WhatsApp", "Cliente desde 2019, pago domiciliado", "Pidió catálogo"]
NOTES += ["No molestar en agosto", "Interesado en la tarifa anual; volver a llamar", "Vino a la feria de Málaga"]
BAD_PHONES = ["n/a", "sin teléfono", "+34 612 34", "1234", "6123456789012345", "pendiente", "+34", "--"]

# Unique numbers without remembering them: row k of a pool gets (k * MULT + OFFSET) mod the pool's size, a
# permutation because MULT is coprime to every pool size (2^a 3^b 5^c). Every number in these ranges is valid
# for libphonenumber 9.x (checked on a sample each run).
MULT, OFFSET = 2654435761, 12345
POOLS = {  # kind: (size, how to spell member v as a national number)
    "es6": (10**8, lambda v: f"6{v:08d}"),  # Spanish mobiles 6xx xxx xxx
    "es7": (4 * 10**7, lambda v: f"7{1 + v // 10**7}{v % 10**7:07d}"),  # 71x-74x
    "gb": (3 * 10**8, lambda v: f"7{1 + v // 10**8}{v % 10**8:08d}"),  # UK mobiles 71xx-73xx
}


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def spell_es(n: str, rnd: random.Random) -> tuple[str, str]:
    """(Phone cell, Country cell) for a Spanish 9-digit national number, in one of the usual spellings."""
    pick = rnd.random()
    if pick < 0.30:
        return f"+34 {n[:3]} {n[3:5]} {n[5:7]} {n[7:]}", rnd.choice(["", "ES", "ES", "España"])
    if pick < 0.45:
        return (f"0034{n}" if rnd.random() < 0.5 else f"0034 {n[:3]} {n[3:6]} {n[6:]}"), rnd.choice(["", "ES"])
    if pick < 0.80:
        return f"{n[:3]} {n[3:6]} {n[6:]}", rnd.choice(["ES", "ES", "ES", "España", "Spain"])
    if pick < 0.90:
        return f"+34{n}", ""
    if pick < 0.95:
        return f"34{n}", "ES"  # the "+" lost by a spreadsheet
    return f"({n[:3]}) {n[3:6]}-{n[6:]}", "ES"


def spell_gb(n: str, rnd: random.Random) -> tuple[str, str]:
    pick = rnd.random()
    if pick < 0.5:
        return f"+44 {n[:4]} {n[4:]}", rnd.choice(["", "GB", "UK"])
    if pick < 0.8:
        return f"0{n[:4]} {n[4:]}", "GB"
    return f"0044{n}", ""


@dataclass
class Generated:
    rows: int = 0
    broken: int = 0  # rows the importer must report invalid
    repeated: int = 0  # rows repeating an earlier valid row's phone: status duplicate
    identifiers: list[str] | None = None  # digits of every row with a usable phone, in row order (when asked)

    @property
    def expected(self) -> dict[str, int]:
        counts = {"valid": self.rows - self.broken - self.repeated, "invalid": self.broken}
        if self.repeated:
            counts["duplicate"] = self.repeated
        return {k: v for k, v in counts.items() if v}


def contact_rows(
    rows: int,
    *,
    seed: int = SEED,
    broken: float = 0.02,
    repeated: float = 0.005,
    multiline: bool = True,
    out: Generated,
) -> Iterator[list[str]]:
    rnd = random.Random(seed)
    counters = dict.fromkeys(POOLS, 0)
    recent: list[tuple[str, str]] = []  # (kind, national number) of recent valid rows, for repeats
    folded = {name: fold(name).replace("'", "") for name in FIRST_ES + LAST_ES + FIRST_GB + LAST_GB}
    for i in range(rows):
        roll = rnd.random()
        kind = "es6" if roll < 0.85 else "es7" if roll < 0.95 else "gb"
        fault = rnd.random()
        repeat = fault < repeated and bool(recent)
        bad_phone = not repeat and fault < repeated + broken / 2
        bad_tag = not repeat and not bad_phone and fault < repeated + broken
        if repeat:
            kind, national = recent.pop(rnd.randrange(len(recent)))
        else:
            size, spell = POOLS[kind]
            national = spell((counters[kind] * MULT + OFFSET) % size)
            counters[kind] += 1
        if kind == "gb":
            first, last = rnd.choice(FIRST_GB), rnd.choice(LAST_GB)
            name = f"{first} {last}"
            phone, country = spell_gb(national, rnd)
            identifier = "44" + national
        else:
            first, last = rnd.choice(FIRST_ES), rnd.choice(LAST_ES)
            name = f"{first} {last} {rnd.choice(LAST_ES)}" if rnd.random() < 0.7 else f"{first} {last}"
            phone, country = spell_es(national, rnd)
            identifier = "34" + national
        if bad_phone:
            phone = rnd.choice(BAD_PHONES)
        tags = rnd.sample(TAGS[:7], rnd.randint(1, 3)) if rnd.random() < 0.6 else []
        if tags and rnd.random() < 0.1:
            tags[0] = tags[0].upper() if rnd.random() < 0.5 else tags[0].lower()
        if bad_tag:
            tags.append(rnd.choice(UNKNOWN_TAGS))
        email = f"{folded[first]}.{folded[last]}{i % 97}@example.com" if rnd.random() < 0.4 else ""
        address = ""
        if rnd.random() < 0.3:
            address = f"{rnd.choice(STREETS)} {rnd.randint(1, 199)}, {rnd.randint(1, 9)}º, {rnd.choice(CITIES)}"
        birthday = ""
        if rnd.random() < 0.4:
            birthday = f"{rnd.randint(1940, 2006)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        note = rnd.choice(NOTES) if rnd.random() < 0.2 else ""
        if note and rnd.random() < 0.01 and multiline:
            note += "\nSegunda línea de la nota"  # a quoted cell with a line break, as exports have
        out.rows += 1
        if bad_phone or bad_tag:
            out.broken += 1
        elif repeat:
            out.repeated += 1
        else:
            if len(recent) < 5000:
                recent.append((kind, national))
            else:
                recent[rnd.randrange(len(recent))] = (kind, national)
        if out.identifiers is not None and not bad_phone:
            out.identifiers.append(identifier)
        yield [
            name,
            phone,
            country,
            ", ".join(tags),
            rnd.choice(USERS) if rnd.random() < 0.5 else "",
            rnd.choice(TEAMS) if rnd.random() < 0.4 else "",
            note,
            address,
            email,
            str(rnd.randint(0, 250)) if rnd.random() < 0.5 else "",
            birthday,
            rnd.choice(STATUSES) if rnd.random() < 0.6 else "",
            ", ".join(rnd.sample(FEATURES, rnd.randint(1, 3))) if rnd.random() < 0.3 else "",
        ]


def write_contacts(
    path: Path,
    rows: int,
    *,
    seed: int = SEED,
    broken: float = 0.02,
    repeated: float = 0.005,
    multiline: bool = True,
    collect_identifiers: bool = False,
) -> Generated:
    """Write a contact sheet; returns what it holds (and each valid row's identifier when asked)."""
    out = Generated(identifiers=[] if collect_identifiers else None)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(contact_rows(rows, seed=seed, broken=broken, repeated=repeated, multiline=multiline, out=out))
    return out


def check_numbers(sample: int = 3000) -> None:
    """Every pool's first numbers and a random sample must be valid for phonenumbers, or the sheet would lie."""
    import phonenumbers

    rnd = random.Random(SEED)
    codes = {"es6": "+34", "es7": "+34", "gb": "+44"}
    for kind, (size, spell) in POOLS.items():
        for k in [*range(sample // 2), *(rnd.randrange(size) for _ in range(sample // 2))]:
            text = codes[kind] + spell((k * MULT + OFFSET) % size)
            if not phonenumbers.is_valid_number(phonenumbers.parse(text)):
                raise SystemExit(f"generator: {text} ({kind}) is not valid for phonenumbers {phonenumbers.__version__}")


# --- memory sampling ----------------------------------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """root and all its descendants, from /proc/*/stat (no /proc/PID/task/*/children on every kernel)."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children[ppid].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def socket_count(pid: int) -> int:
    """Open sockets of a process: for an HTTP client, about the connections in its pool."""
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    count = 0
    for name in names:
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/{pid}/fd/{name}").startswith("socket:")
    return count


def pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def machine_busy_seconds() -> float:
    """CPU-seconds all cores spent busy since boot (/proc/stat), to see what else ran during a measurement."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    seconds: float
    exit_code: int
    cpu_seconds: float  # user + system of the importer and its reaped workers
    maxrss_mb: float  # the kernel's ru_maxrss of the importer and its workers (the largest one, not a sum)
    peak_main_mb: float
    peak_tree_mb: float
    peak_pss_mb: float
    max_processes: int
    peak_sockets: int  # open sockets of the main process (sampled every 5th time)
    samples: int
    stderr: str
    machine_cpu_seconds: float  # every process's CPU time on the machine during the run, this one's included


def run_sampled(command: list[str], env: dict[str, str] | None = None, interval: float = 0.05) -> Measured:
    """Run command; every `interval` sample the RSS of it and its descendants (PSS every 5th sample)."""
    with tempfile.TemporaryFile() as err:
        busy = machine_busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=err, env=env)
        peak_main = peak_tree = peak_pss = peak_sockets = 0
        most = samples = 0
        while True:
            # wait4 without reaping first: the rusage it returns at the end covers the reaped workers too.
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree = process_tree(proc.pid)
            sizes = [rss_bytes(p) for p in tree]
            peak_main = max(peak_main, sizes[0])
            peak_tree = max(peak_tree, sum(sizes))
            if samples % 5 == 0:
                peak_pss = max(peak_pss, sum(pss_bytes(p) for p in tree))
                peak_sockets = max(peak_sockets, socket_count(proc.pid))
            most = max(most, len(tree))
            samples += 1
            time.sleep(interval)
        seconds = time.perf_counter() - started
        busy = machine_busy_seconds() - busy
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    mb = 1024 * 1024
    return Measured(
        seconds=seconds,
        exit_code=proc.returncode,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,
        peak_main_mb=peak_main / mb,
        peak_tree_mb=peak_tree / mb,
        peak_pss_mb=peak_pss / mb,
        max_processes=most,
        peak_sockets=peak_sockets,
        samples=samples,
        stderr=stderr,
        machine_cpu_seconds=busy,
    )


def last_line(text: str) -> str:
    """The line that says what went wrong (a traceback's last line, or the importer's one-line error)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(nothing on stderr)"


def brief(counts: collections.Counter[str], keep: int = 4) -> str:
    """The most common statuses; a results file torn apart by a bad line break has hundreds of "statuses"."""
    top = dict(counts.most_common(keep))
    rest = len(counts) - len(top)
    return f"{top}" + (f" and {rest} other values ({sum(counts.values()) - sum(top.values())} rows)" if rest else "")


def count_results(path: Path) -> tuple[int, collections.Counter[str]]:
    statuses: collections.Counter[str] = collections.Counter()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        at = header.index("status")
        for row in reader:
            statuses[row[at]] += 1
    return sum(statuses.values()), statuses


REFERENCE_ROWS = 100_000


def reference_rate(source: Path, limit: int = REFERENCE_ROWS) -> float:
    """Rows/s of the plainest importer one could write, measured in the same run on the same machine: one process,
    csv.DictReader, then phonenumbers.parse + is_valid_number of each row's phone (its Country as the region).
    The importer's figure is judged by its ratio to this: machines (and the same machine on another day) differ
    several-fold, the ratio much less."""
    import phonenumbers

    started = time.perf_counter()
    n = 0
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            with contextlib.suppress(phonenumbers.NumberParseException):
                phonenumbers.is_valid_number(phonenumbers.parse(row["Phone"], row["Country"] or None))
            n += 1
            if n >= limit:
                break
    return n / (time.perf_counter() - started)


def bench(rows: int, workdir: Path, args: argparse.Namespace) -> tuple[str, bool]:
    source = workdir / f"contacts-{rows}.csv"
    results = workdir / f"contacts-{rows}.results.csv"
    started = time.perf_counter()
    generated = write_contacts(
        source, rows, broken=args.broken, repeated=args.repeated, multiline=not args.no_multiline
    )
    print(
        f"{rows} rows: generated {source.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s "
        f"({generated.broken} broken, {generated.repeated} repeated phones)"
    )
    reference = reference_rate(source)
    plain = "plain importer (1 process: csv.DictReader + phonenumbers parse/is_valid)"
    print(f"{rows} rows: {plain}: {reference:,.0f} rows/s")
    command = [str(IMPORTER), "validate", str(source), "-a", str(ACCOUNT_FILE), "-o", str(results), "--no-progress"]
    phones = phone_reference()
    m = run_sampled(command)
    phones = max(phones, phone_reference())
    print(f"{rows} rows: {describe(phones)}")
    rate = rows / m.seconds
    print(
        f"{rows} rows: validate exit {m.exit_code} in {m.seconds:.2f}s = {rate:,.0f} rows/s; CPU {m.cpu_seconds:.1f}s "
        f"({m.cpu_seconds / m.seconds:.2f} cores busy on average); other processes on the machine used "
        f"{max(0.0, m.machine_cpu_seconds - m.cpu_seconds):.1f} CPU-s meanwhile (this sampler included)"
    )
    print(
        f"{rows} rows: peak RSS main {m.peak_main_mb:.0f} MB, all processes {m.peak_tree_mb:.0f} MB "
        f"(PSS {m.peak_pss_mb:.0f} MB), up to {m.max_processes} processes; kernel ru_maxrss {m.maxrss_mb:.0f} MB; "
        f"{m.samples} samples"
    )
    ok = m.exit_code in (0, 1) and results.exists()
    if not ok:
        print(f"{rows} rows: FAILED: exit {m.exit_code}: {last_line(m.stderr)}")
    else:
        summary_path = results.with_name(f"{results.stem}.summary.json")
        if summary_path.exists():
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
            print(f"{rows} rows: importer's own duration {summary.get('duration_s')}s, counts {summary.get('counts')}")
        counted, statuses = count_results(results)
        errors = results.with_name(f"{results.stem}.errors.csv")
        print(
            f"{rows} rows: results {results.stat().st_size / 1e6:.1f} MB, {counted} rows"
            + (f"; errors file {errors.stat().st_size / 1e6:.2f} MB" if errors.exists() else "")
        )
        if counted != rows:
            print(f"{rows} rows: FAILED: the results hold {counted} rows, not one per input row")
            ok = False
        if dict(statuses) != generated.expected:
            print(f"{rows} rows: FAILED: statuses {brief(statuses)}, the generator wrote {generated.expected}")
            ok = False
    label = f"{rows:,}" if ok else f"{rows:,} (FAILED: see below)"
    tree_mb = f"{m.peak_tree_mb:.0f} (PSS {m.peak_pss_mb:.0f})"
    row = (
        f"| {label} | {m.seconds:.2f} | {rate:,.0f} | {phones:,.0f} | {ratio(rate, phones)} | {reference:,.0f} "
        f"| {ratio(rate, reference)} | {m.peak_main_mb:.0f} | {tree_mb} |"
    )
    if args.keep is None:
        for path in workdir.glob(f"contacts-{rows}.*"):
            path.unlink()
    return row, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000], help="sizes to run")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the errors files")
    parser.add_argument("--broken", type=float, default=0.02, help="share of rows with a bad phone or unknown tag")
    parser.add_argument("--repeated", type=float, default=0.005, help="share of rows repeating an earlier phone")
    parser.add_argument(
        "--no-multiline", action="store_true", help="no notes with a line break (about 0.2%% of rows have one)"
    )
    args = parser.parse_args()
    check_numbers()
    print(f"importer validate on {os.cpu_count()} cores, python {sys.version.split()[0]}")
    table, ok = [], True
    with tempfile.TemporaryDirectory(prefix="bench-dry-run-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for rows in args.rows:
            row, good = bench(rows, workdir, args)
            table.append(row)
            ok = ok and good
    for row in table:
        print(row)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
