"""Dry run from SQL: the same contacts read from PostgreSQL and SQLite versus from a CSV file, in the same run.

    .venv/bin/python bench/bench_sql.py [--rows 100000 1000000] [--rounds 3 1] [--pg-url URL] [--keep DIR]

bench_dry_run.py's generator writes the contact sheet (CSV); the same rows go into a SQLite file and a PostgreSQL
table (Orders INTEGER, Birthday DATE, the rest TEXT, empty cells NULL). PostgreSQL is a throwaway cluster started
from Debian's binaries as the tests start it (tests/pg_server.py), or the database at --pg-url. Each source is
then dry-run end to end, each a subprocess sampled the same way:

- CSV: `importer validate contacts.csv -a ACCOUNT -o RESULTS --no-progress` (bench_dry_run.py's measurement);
- SQL: `importer validate --query "SELECT … FROM contacts ORDER BY id" -a ACCOUNT -o RESULTS --no-progress`, the
  database given as a user would: PostgreSQL's URL (it carries a password) in IMPORTER_DB_URL, SQLite's as
  `--db sqlite:///contacts.db`. The command copies the query's rows to its snapshot beside the results
  (`<results stem>.input.csv`), then dry-runs the snapshot.

Each size runs `--rounds` rounds, the sources alternating within a round, and keeps each source's best (other
work on a shared machine only slows a run down) and its highest memory. For each source: wall time, CPU
seconds (the process and its workers) and peak RSS sampled from /proc; the ratios are the CSV dry run's time
(and CPU) over the SQL command's (the goal: at least 0.8 x; peak memory flat from 100,000 to 1,000,000 rows).
"until snapshot s" is the SQL command's seconds from its start (Python's start-up included) to the snapshot's
last write (its mtime): the export's share of the run. Every snapshot must hold the CSV file's records cell for
cell, and every dry run's results the generator's counts. Also printed, at the first size: the export's CPU
time in this process through importer/sources/sql.py (the driver's own cursor) beside the same export through
SQLAlchemy's Result (stream_results + yield_per), the reason that module goes under Result; and where the SQL
run's seconds beyond the CSV run's go (the export's wall time in this process, what importing the SQL stack adds
to the command's start-up, the rest) beside what the 0.8 x goal allows. The load average at the start and the
end, and each run's "other processes" CPU seconds (PostgreSQL's server included in its runs), show how busy the
machine was. Ends with one markdown row per size and database: `| source | rows | until snapshot s | SQL dry
run s | CSV dry run s | x CSV (time) | x CSV (CPU) | peak MB SQL dry run | peak MB CSV dry run |`.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "tests"))
from bench_dry_run import (  # noqa: E402
    ACCOUNT_FILE,
    COLUMNS,
    IMPORTER,
    Measured,
    check_numbers,
    count_results,
    last_line,
    run_sampled,
    write_contacts,
)

from importer.sources.snapshot import snapshot_path  # noqa: E402

QUERY = "SELECT {columns} FROM contacts ORDER BY id"
TYPES = {"Orders": "INTEGER", "Birthday": "DATE"}  # typed as a CRM would; the other columns are text


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_sql(id_column: str) -> str:
    columns = ", ".join(f"{quoted(c)} {TYPES.get(c, 'TEXT')}" for c in COLUMNS)
    return f"CREATE TABLE contacts ({id_column}, {columns})"


def query() -> str:
    return QUERY.format(columns=", ".join(quoted(c) for c in COLUMNS))


def same_records(one: Path, other: Path) -> bool:
    """Both files hold the same records, cell for cell (the line ends may differ: \n here, \r\n there)."""
    with one.open(encoding="utf-8", newline="") as a, other.open(encoding="utf-8", newline="") as b:
        missing = object()
        return all(x == y for x, y in itertools.zip_longest(csv.reader(a), csv.reader(b), fillvalue=missing))


def load_sqlite(source: Path, path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(table_sql("id INTEGER PRIMARY KEY"))
        marks = ", ".join("?" * (len(COLUMNS) + 1))
        with source.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            rows = (
                (i, *(int(v) if v and c == "Orders" else v or None for c, v in zip(COLUMNS, row, strict=True)))
                for i, row in enumerate(reader, 1)
            )
            conn.executemany(f"INSERT INTO contacts VALUES ({marks})", rows)
    conn.close()


def load_postgres(source: Path, url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS contacts")
        conn.execute(table_sql("id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"))  # numbered in COPY's order
        names = ", ".join(quoted(c) for c in COLUMNS)
        # COPY ... CSV reads the sheet as written; an empty unquoted cell is NULL, as in the SQLite table.
        command = f"COPY contacts ({names}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        with conn.cursor().copy(command) as copy, source.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        conn.execute("VACUUM ANALYZE contacts")


def sql_run(url: str, results: Path) -> tuple[Measured, Path, float]:
    """`importer validate --db URL --query Q` end to end: (its measurement, its snapshot, the seconds from its start
    to the snapshot's last write). A URL with a password goes in IMPORTER_DB_URL, as the README has it."""
    snapshot = snapshot_path(results, "csv")
    snapshot.unlink(missing_ok=True)  # written again by this run: its mtime is this run's
    command = [str(IMPORTER), "validate", "--query", query(), *validate_args(results)]
    env = os.environ.copy()
    env.pop("IMPORTER_DB_URL", None)
    if urlsplit(url).password:
        env["IMPORTER_DB_URL"] = url
    else:
        command[2:2] = ["--db", url]
    started = time.time()
    m = run_sampled(command, env=env)
    until_snapshot = snapshot.stat().st_mtime - started if snapshot.exists() else float("nan")
    return m, snapshot, until_snapshot


def sqlalchemy_result_seconds(url: str, out: Path) -> float:
    """The same export through SQLAlchemy's Result (stream_results + yield_per, rows converted and written the same
    way): the path write_query_csv does not take."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from importer.sources.sql import _as_text  # the same conversion as write_query_csv's

    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, poolclass=NullPool)
    started = time.perf_counter()
    with engine.connect() as conn, out.open("w", encoding="utf-8", newline="") as fh:
        result = conn.execution_options(stream_results=True, yield_per=5000).exec_driver_sql(query())
        writer = csv.writer(fh, lineterminator="\n")
        columns = list(result.keys())
        writer.writerow(columns)
        every = list(range(len(columns)))
        for part in result.partitions():
            writer.writerows(_as_text(part, every))
    engine.dispose()
    return time.perf_counter() - started


def validate_args(results: Path) -> list[str]:
    return ["-a", str(ACCOUNT_FILE), "-o", str(results), "--no-progress"]


def validate(source: Path, results: Path) -> Measured:
    return run_sampled([str(IMPORTER), "validate", str(source), *validate_args(results)])


def others(m: Measured) -> str:
    """What else kept the 2 cores busy meanwhile (in a PostgreSQL run, the server's work on the query too)."""
    return f"other processes {max(0.0, m.machine_cpu_seconds - m.cpu_seconds):.1f} CPU-s meanwhile"


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def check_results(label: str, results: Path, rows: int, expected: dict[str, int], m: Measured) -> bool:
    if m.exit_code not in (0, 1) or not results.exists():
        print(f"{label}: FAILED: validate exit {m.exit_code}: {last_line(m.stderr)}")
        return False
    counted, statuses = count_results(results)
    if counted != rows or dict(statuses) != expected:
        print(f"{label}: FAILED: results {counted} rows {dict(statuses)}, the generator wrote {rows} rows {expected}")
        return False
    return True


@dataclass
class Best:
    """The best of the rounds (other work on the machine only slows a run down); the highest memory."""

    seconds: float = float("inf")
    until_snapshot_s: float = 0.0  # of the best round
    cpu_s: float = float("inf")
    peak_mb: float = 0.0
    tree_mb: float = 0.0
    pss_mb: float = 0.0

    def add(self, m: Measured, until_snapshot_s: float = 0.0) -> None:
        if m.seconds < self.seconds:
            self.seconds, self.until_snapshot_s = m.seconds, until_snapshot_s
        self.cpu_s = min(self.cpu_s, m.cpu_seconds)
        self.peak_mb = max(self.peak_mb, m.peak_main_mb)
        self.tree_mb = max(self.tree_mb, m.peak_tree_mb)
        self.pss_mb = max(self.pss_mb, m.peak_pss_mb)


@dataclass
class InProcess:
    """The export in this process, best of rounds: write_query_csv's CPU and wall seconds, SQLAlchemy Result's CPU."""

    cpu_s: float
    wall_s: float
    result_cpu_s: float


def in_process(url: str, workdir: Path, rounds: int = 3) -> InProcess:
    from importer.sources.sql import write_query_csv

    cpu = wall = result = float("inf")
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        write_query_csv(url, query(), workdir / "inproc.csv")
        cpu = min(cpu, time.process_time() - started_cpu)
        wall = min(wall, time.perf_counter() - started)
        started_cpu = time.process_time()
        sqlalchemy_result_seconds(url, workdir / "inproc-sa.csv")
        result = min(result, time.process_time() - started_cpu)
    for name in ("inproc.csv", "inproc-sa.csv"):
        (workdir / name).unlink(missing_ok=True)
    return InProcess(cpu, wall, result)


def import_seconds(modules: list[str], rounds: int = 3) -> float:
    """What importing `modules` adds to the command's start-up (best of rounds, each a fresh interpreter)."""

    def best(names: list[str]) -> float:
        seconds = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import " + ", ".join(names)], check=True)
            seconds = min(seconds, time.perf_counter() - started)
        return seconds

    return max(0.0, best(["importer.commands.cli", *modules]) - best(["importer.commands.cli"]))


# The modules a query adds to the command's start-up, by database (the rest of the driver stack comes with them).
SQL_STACK = {"PostgreSQL": ["sqlalchemy", "psycopg"], "SQLite": ["sqlalchemy", "sqlite3"]}
GOAL = 0.8  # x CSV (time) at 100,000 rows


def bench(rows: int, workdir: Path, pg_url: str, rounds: int, compare: bool) -> tuple[list[str], bool]:
    source = workdir / f"contacts-{rows}.csv"
    started = time.perf_counter()
    generated = write_contacts(source, rows)
    print(f"{rows} rows: generated {source.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s")
    sqlite_path = workdir / f"contacts-{rows}.db"
    started = time.perf_counter()
    load_sqlite(source, sqlite_path)
    print(
        f"{rows} rows: loaded into SQLite ({sqlite_path.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f}s"
    )
    started = time.perf_counter()
    load_postgres(source, pg_url)
    print(f"{rows} rows: loaded into PostgreSQL in {time.perf_counter() - started:.1f}s")
    databases = {"PostgreSQL": pg_url, "SQLite": f"sqlite:///{sqlite_path}"}

    ok = True
    best = {name: Best() for name in ("CSV", *databases)}
    for round_ in range(1, rounds + 1):  # the sources alternate, so a busy spell slows each of them alike
        results = workdir / f"csv-{rows}.results.csv"
        reference = validate(source, results)
        ok &= check_results(f"{rows} rows CSV", results, rows, generated.expected, reference)
        best["CSV"].add(reference)
        print(
            f"{rows} rows, round {round_}: CSV dry run exit {reference.exit_code} in {reference.seconds:.2f}s (CPU "
            f"{reference.cpu_seconds:.2f}s), peak RSS main {reference.peak_main_mb:.0f} MB, all processes "
            f"{reference.peak_tree_mb:.0f} MB (PSS {reference.peak_pss_mb:.0f} MB); {others(reference)}"
        )
        for name, url in databases.items():
            results = workdir / f"{name.lower()}-{rows}.results.csv"
            run, snapshot, until_snapshot = sql_run(url, results)
            ok &= check_results(f"{rows} rows {name}", results, rows, generated.expected, run)
            if not snapshot.exists() or (round_ == 1 and not same_records(snapshot, source)):
                print(f"{rows} rows {name}: FAILED: the snapshot is missing or its records differ from the CSV file's")
                ok = False
            best[name].add(run, until_snapshot)
            print(
                f"{rows} rows, round {round_}, {name}: importer validate --query exit {run.exit_code} in "
                f"{run.seconds:.2f}s (CPU {run.cpu_seconds:.2f}s), its snapshot written {until_snapshot:.2f}s after "
                f"the start; peak RSS main {run.peak_main_mb:.0f} MB, all processes {run.peak_tree_mb:.0f} MB "
                f"(PSS {run.peak_pss_mb:.0f} MB); {others(run)}"
            )
    if ok:
        print(
            f"{rows} rows: every snapshot holds the CSV file's records, cell for cell; every dry run's results "
            f"are the generator's counts {generated.expected}"
        )
    csv_best = best["CSV"]
    if compare:
        for name, url in databases.items():
            inproc = in_process(url, workdir)
            print(
                f"{rows} rows {name}, in this process: write_query_csv (driver cursor) {inproc.cpu_s:.2f} CPU-s, the "
                f"same export through SQLAlchemy's Result (stream_results, yield_per) {inproc.result_cpu_s:.2f} CPU-s "
                f"({inproc.result_cpu_s / inproc.cpu_s:.2f}x)"
            )
            # Where the SQL run's time beyond the CSV run's goes: the export, the SQL stack's imports, and the rest
            # (the snapshot's fsync, then reading it rather than the original, the fork of a bigger process, noise).
            extra = best[name].seconds - csv_best.seconds
            imports = import_seconds(SQL_STACK[name])
            ratio = csv_best.seconds / best[name].seconds
            verdict = "meets" if ratio >= GOAL else "misses"
            allowed = csv_best.seconds / GOAL - csv_best.seconds
            print(
                f"{rows} rows {name}: {ratio:.2f} x CSV {verdict} the goal's {GOAL} x; the SQL run's {extra:.2f}s "
                f"beyond the CSV run's: the export {inproc.wall_s:.2f}s (write_query_csv's wall time in this "
                f"process), importing {' + '.join(SQL_STACK[name])} {imports:.2f}s, the rest "
                f"{extra - inproc.wall_s - imports:.2f}s; {GOAL} x allows {allowed:.2f}s"
            )
    table = []
    for name in databases:
        b = best[name]
        label = name if ok else f"{name} (FAILED: see below)"
        table.append(
            f"| {label} | {rows:,} | {b.until_snapshot_s:.2f} | {b.seconds:.2f} | {csv_best.seconds:.2f} "
            f"| {csv_best.seconds / b.seconds:.2f} | {csv_best.cpu_s / b.cpu_s:.2f} "
            f"| {b.peak_mb:.0f} (all {b.tree_mb:.0f}, PSS {b.pss_mb:.0f}) "
            f"| {csv_best.peak_mb:.0f} (all {csv_best.tree_mb:.0f}, PSS {csv_best.pss_mb:.0f}) |"
        )
    for path in workdir.glob(f"*-{rows}.*"):
        path.unlink()
    return table, ok


def start_cluster() -> tuple[str, object]:
    from pg_server import start_postgres

    server = start_postgres()
    return server.url(), server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000], help="sizes to run")
    parser.add_argument("--pg-url", help="a PostgreSQL database to use (its table `contacts` is replaced)")
    parser.add_argument("--rounds", type=int, nargs="+", default=[3, 1], help="rounds per size (the best kept)")
    parser.add_argument("--keep", type=Path, help="work in this directory")
    args = parser.parse_args()
    check_numbers()
    server = None
    pg_url = args.pg_url
    if not pg_url:
        pg_url, server = start_cluster()
    print(
        f"python {sys.version.split()[0]}; PostgreSQL {'at --pg-url' if args.pg_url else 'throwaway cluster'}; {load()}"
    )
    table, ok = [], True
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sql-") as tmp:
            workdir = args.keep or Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            for i, rows in enumerate(args.rows):
                rounds = args.rounds[min(i, len(args.rounds) - 1)]
                rows_table, good = bench(rows, workdir, pg_url, rounds, compare=i == 0)
                table += rows_table
                ok = ok and good
    finally:
        if server is not None:
            import shutil

            server.stop()  # type: ignore[attr-defined]
            shutil.rmtree(server.folder, ignore_errors=True)  # type: ignore[attr-defined]
    print(f"end: {load()}")
    for row in table:
        print(row)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
