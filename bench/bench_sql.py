"""Dry run from SQL: the same contacts read from PostgreSQL and SQLite versus from a CSV file, in the same run.

    .venv/bin/python bench/bench_sql.py [--rows 100000 1000000] [--pg-url URL] [--keep DIR]

bench_dry_run.py's generator writes the contact sheet (CSV); the same rows go into a SQLite file and a PostgreSQL
table (Orders INTEGER, Birthday DATE, the rest TEXT, empty cells NULL). PostgreSQL is a throwaway cluster started
from Debian's binaries as the tests start it (tests/pg_server.py), or the database at --pg-url. Each source is
then dry-run:

- CSV: `importer validate contacts.csv` (bench_dry_run.py's measurement);
- SQL: one process that calls `importer.sources.sql.write_query_csv(URL, "SELECT … FROM contacts ORDER BY id",
  snapshot)`, then runs `importer validate snapshot` (the command's own main) in the same process, as
  `importer validate --db URL --query …` will: those flags come from another part of issue 18; until they
  land, this is what such a run does (the export to a snapshot, then the dry run of the snapshot).

Each size runs `--rounds` rounds, the sources alternating within a round, and keeps each source's best (other
work on a shared machine only slows a run down) and its highest memory. For each source: wall time, CPU
seconds (the process and its workers) and peak RSS sampled from /proc; the ratios are the CSV dry run's time
(and CPU) over the SQL source's export + dry run (the goal: at least 0.8 x, peak memory flat from 100,000 to
1,000,000 rows). Also printed, at the first size: write_query_csv's CPU time in-process beside the same export
through SQLAlchemy's Result (stream_results + yield_per), to show why the module goes under it. Every
snapshot must hold the CSV file's records cell for cell, and every dry run's results the generator's counts.
Ends with one markdown row per size and database: `| source | rows | export s | export + dry run s | CSV dry
run s | x CSV (time) | x CSV (CPU) | peak MB export | peak MB export + dry run | peak MB CSV dry run |`.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
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


# One process, as `importer validate --db URL --query Q` will be: the export to a snapshot, then the dry run of
# the snapshot by the command itself. The export's time and its peak RSS (the process's own high-water mark at
# that point: VmHWM, not ru_maxrss, which Linux carries over from the forking parent across exec) go to stderr.
SQL_RUN = """
import pathlib, re, sys, time
started = time.perf_counter()
from importer.sources.sql import write_query_csv
url, query, snapshot, *validate = sys.argv[1:]
rows = write_query_csv(url, query, pathlib.Path(snapshot))
peak_kb = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
print(f"EXPORT {rows} {time.perf_counter() - started} {peak_kb}", file=sys.stderr)
from importer.commands.cli import main
sys.argv = ["importer", "validate", snapshot, *validate]
main()
"""


def sql_run(url: str, snapshot: Path, results: Path) -> tuple[Measured, float, float]:
    """Export + dry run in one process: (its measurement, the export's seconds, the export's peak RSS in MB)."""
    validate_args = ["-a", str(ACCOUNT_FILE), "-o", str(results), "--no-progress"]
    m = run_sampled([sys.executable, "-c", SQL_RUN, url, query(), str(snapshot), *validate_args])
    line = next((x for x in m.stderr.splitlines() if x.startswith("EXPORT ")), "")
    _, _, seconds, maxrss_kb = line.split() if line else ("", "", "nan", "0")
    return m, float(seconds), int(maxrss_kb) / 1024


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


def validate(source: Path, results: Path) -> Measured:
    command = [str(IMPORTER), "validate", str(source), "-a", str(ACCOUNT_FILE), "-o", str(results), "--no-progress"]
    return run_sampled(command)


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
    export_s: float = 0.0  # of the best round
    cpu_s: float = float("inf")
    export_mb: float = 0.0
    peak_mb: float = 0.0
    tree_mb: float = 0.0
    pss_mb: float = 0.0

    def add(self, m: Measured, export_s: float = 0.0, export_mb: float = 0.0) -> None:
        if m.seconds < self.seconds:
            self.seconds, self.export_s = m.seconds, export_s
        self.cpu_s = min(self.cpu_s, m.cpu_seconds)
        self.export_mb = max(self.export_mb, export_mb)
        self.peak_mb = max(self.peak_mb, m.peak_main_mb)
        self.tree_mb = max(self.tree_mb, m.peak_tree_mb)
        self.pss_mb = max(self.pss_mb, m.peak_pss_mb)


def in_process_cpu(url: str, workdir: Path, rounds: int = 3) -> tuple[float, float]:
    """CPU seconds (best of rounds) of write_query_csv and of the same export through SQLAlchemy's Result."""
    from importer.sources.sql import write_query_csv

    ours = result = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        write_query_csv(url, query(), workdir / "inproc.csv")
        ours = min(ours, time.process_time() - started)
        started = time.process_time()
        sqlalchemy_result_seconds(url, workdir / "inproc-sa.csv")
        result = min(result, time.process_time() - started)
    for name in ("inproc.csv", "inproc-sa.csv"):
        (workdir / name).unlink(missing_ok=True)
    return ours, result


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
            f"{reference.peak_tree_mb:.0f} MB (PSS {reference.peak_pss_mb:.0f} MB)"
        )
        for name, url in databases.items():
            snapshot = workdir / f"{name.lower()}-{rows}.csv"
            results = workdir / f"{name.lower()}-{rows}.results.csv"
            run, export_s, export_mb = sql_run(url, snapshot, results)
            ok &= check_results(f"{rows} rows {name}", results, rows, generated.expected, run)
            if not snapshot.exists() or (round_ == 1 and not same_records(snapshot, source)):
                print(f"{rows} rows {name}: FAILED: the snapshot's records differ from the CSV file's")
                ok = False
            best[name].add(run, export_s, export_mb)
            print(
                f"{rows} rows, round {round_}, {name}: export + dry run in one process exit {run.exit_code} in "
                f"{run.seconds:.2f}s (CPU {run.cpu_seconds:.2f}s), of which the export {export_s:.2f}s "
                f"({rows / export_s:,.0f} rows/s, peak RSS {export_mb:.0f} MB up to then); peak RSS main "
                f"{run.peak_main_mb:.0f} MB, all processes {run.peak_tree_mb:.0f} MB (PSS {run.peak_pss_mb:.0f} MB)"
            )
    if ok:
        print(
            f"{rows} rows: every snapshot holds the CSV file's records, cell for cell; every dry run's results "
            f"are the generator's counts {generated.expected}"
        )
    if compare:
        for name, url in databases.items():
            ours, result = in_process_cpu(url, workdir)
            print(
                f"{rows} rows {name}, in this process: write_query_csv (driver cursor) {ours:.2f} CPU-s, the same "
                f"export through SQLAlchemy's Result (stream_results, yield_per) {result:.2f} CPU-s "
                f"({result / ours:.2f}x)"
            )
    csv_best = best["CSV"]
    table = []
    for name in databases:
        b = best[name]
        label = name if ok else f"{name} (FAILED: see below)"
        table.append(
            f"| {label} | {rows:,} | {b.export_s:.2f} | {b.seconds:.2f} | {csv_best.seconds:.2f} "
            f"| {csv_best.seconds / b.seconds:.2f} | {csv_best.cpu_s / b.cpu_s:.2f} | {b.export_mb:.0f} "
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
    print(f"python {sys.version.split()[0]}; PostgreSQL {'at --pg-url' if args.pg_url else 'throwaway cluster'}")
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
    for row in table:
        print(row)
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
