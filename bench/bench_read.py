"""Reading speed and memory: python-calamine vs openpyxl on a 100k-row XLSX, and open_table on a 1M-row CSV.

Each measurement runs in a fresh subprocess so its peak RSS (ru_maxrss) is its own: python-calamine allocates
in Rust, where tracemalloc cannot see. The files are generated into a temp dir. Prints the figures, then one
markdown row per measurement: `| what | rows | seconds | rows/s | x reference | peak MB |`, where the reference is
bench/reference.py's (phonenumbers on one core, numbers/s, measured before and after the reads: the higher),
and a last row for the reference itself.

    .venv/bin/python bench/bench_read.py [--xlsx-rows 100000] [--csv-rows 1000000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

HEADERS = ["Name", "Surname", "Phone", "Email", "City", "Country", "Orders", "Spent", "Birthday", "Last order"]
HEADERS += ["VIP", "Zip", "Notes"]
CITIES = ["Madrid", "Sevilla", "Bogotá", "Ciudad de México", "São Paulo", "Lima, Perú"]


def sample_row(i: int, rnd: random.Random) -> list[object]:
    """13 cells: text (accents, a comma), a phone as a number, ints, floats, a date, a datetime, a boolean."""
    return [
        f"Name{i}",
        f"Núñez {i % 977}",
        34600000000 + i,
        f"user{i}@example.com",
        rnd.choice(CITIES),
        "ES",
        i % 50,
        round(rnd.random() * 1000, 2),
        dt.date(1960, 1, 1) + dt.timedelta(days=i % 15000),
        dt.datetime(2020, 1, 1) + dt.timedelta(seconds=i * 37),
        i % 7 == 0,
        f"{i % 100000:05d}",
        "note " * (i % 5),
    ]


def make_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)  # streams to disk: the generator itself stays small
    sheet = book.create_sheet("Contacts")
    sheet.append(HEADERS)
    rnd = random.Random(1)
    for i in range(rows):
        sheet.append(sample_row(i, rnd))
    book.save(path)


def make_csv(path: Path, rows: int) -> None:
    rnd = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for i in range(rows):
            writer.writerow(sample_row(i, rnd))


# --- Measurements (each in its own process) --------------------------------------------------------------


def measure(mode: str, path: str) -> dict[str, float]:
    from importer.reading.files import open_table
    from importer.reading.values import cell_text

    def text_row(row: list[object] | tuple[object, ...]) -> tuple[str, ...]:
        return tuple(c if c.__class__ is str else cell_text(c) for c in row)

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    rows = 0
    first_row = 0.0
    if mode in ("xlsx-open_table", "csv-open_table"):
        for _ in open_table(path).rows:
            if not rows:
                first_row = time.perf_counter() - started  # open_table loads a whole sheet before the first row
            rows += 1
    elif mode == "xlsx-calamine-iter_rows":
        from python_calamine import load_workbook

        for row in load_workbook(path).get_sheet_by_index(0).iter_rows():
            text_row(row)
            rows += 1
        rows -= 1  # the header
    elif mode == "xlsx-calamine-to_python":
        from python_calamine import load_workbook

        for row in load_workbook(path).get_sheet_by_index(0).to_python():
            text_row(row)
            rows += 1
        rows -= 1
    elif mode == "xlsx-openpyxl-read_only":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for row in book.worksheets[0].iter_rows(values_only=True):
            text_row(row)
            rows += 1
        book.close()
        rows -= 1
    elif mode == "csv-csv.reader":
        with open(path, encoding="utf-8", newline="") as fh:
            for _ in csv.reader(fh):
                rows += 1
        rows -= 1
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"rows": rows, "seconds": seconds, "peak_mb": peak / 1024, "base_mb": base / 1024, "first_row": first_row}


def run(mode: str, path: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--measure", mode, str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return 0

    # Here, not at the top: the measuring subprocesses must not load phonenumbers (their peak RSS is the figure).
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from reference import NAME, UNIT, describe, phone_reference, ratio

    results: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="bench_read_") as tmp:
        xlsx, csv_path = Path(tmp) / "contacts.xlsx", Path(tmp) / "contacts.csv"
        started = time.perf_counter()
        make_xlsx(xlsx, args.xlsx_rows)
        print(
            f"generated {xlsx.name}: {args.xlsx_rows} rows x {len(HEADERS)} columns, "
            f"{xlsx.stat().st_size / 1e6:.1f} MB, in {time.perf_counter() - started:.1f}s"
        )
        started = time.perf_counter()
        make_csv(csv_path, args.csv_rows)
        print(
            f"generated {csv_path.name}: {args.csv_rows} rows x {len(HEADERS)} columns, "
            f"{csv_path.stat().st_size / 1e6:.1f} MB, in {time.perf_counter() - started:.1f}s"
        )
        reference = phone_reference()
        for mode in ("xlsx-calamine-iter_rows", "xlsx-calamine-to_python", "xlsx-openpyxl-read_only"):
            results.append((mode, run(mode, xlsx)))
        results.append(("xlsx-open_table", run("xlsx-open_table", xlsx)))
        results.append(("csv-csv.reader", run("csv-csv.reader", csv_path)))
        results.append(("csv-open_table", run("csv-open_table", csv_path)))
        reference = max(reference, phone_reference())

    labels = {
        "xlsx-calamine-iter_rows": "XLSX python-calamine iter_rows + cell text",
        "xlsx-calamine-to_python": "XLSX python-calamine to_python + cell text",
        "xlsx-openpyxl-read_only": "XLSX openpyxl read_only + cell text",
        "xlsx-open_table": "XLSX open_table (python-calamine)",
        "csv-csv.reader": "CSV bare csv.reader (floor)",
        "csv-open_table": "CSV open_table",
    }
    for mode, r in results:
        print(
            f"{labels[mode]}: {r['rows']:.0f} rows in {r['seconds']:.2f}s = {r['rows'] / r['seconds']:,.0f} rows/s; "
            f"peak RSS {r['peak_mb']:.0f} MB (after imports {r['base_mb']:.0f} MB)"
            + (f"; first row after {r['first_row']:.2f}s" if r["first_row"] else "")
        )
    print(describe(reference))
    print(f"python {sys.version.split()[0]}; peak MB is the measuring process's whole peak RSS")
    for mode, r in results:
        rate = r["rows"] / r["seconds"]
        print(
            f"| {labels[mode]} | {r['rows']:.0f} | {r['seconds']:.2f} | {rate:,.0f} | {ratio(rate, reference)} "
            f"| {r['peak_mb']:.0f} |"
        )
    print(f"| reference: {NAME} | | | {reference:,.0f} {UNIT} | 1 | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
