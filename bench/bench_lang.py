"""A dry run in another language costs (almost) nothing: `importer validate` of the same big CSV with --lang en and
--lang de, alternating, best of the rounds each.

    .venv/bin/python bench/bench_lang.py [--rows 1000000] [--rounds 2] [--lang de]

The sheet is bench_dry_run's generator's (about 2.5% of rows with a problem, whose error cells are written in the
run's language). Both commands run end to end as subprocesses on the same file, in the same run, sources
alternating so that the machine's other work falls on both alike. Prints the figures, then one markdown row:
| rows | English s | other language s | x English (time) | English CPU s | other CPU s | peak MB en | peak MB other |
Exits non-zero when a run fails or the results' statuses differ between the languages.
"""

from __future__ import annotations

import argparse
import collections
import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dry_run import IMPORTER, REPO, Measured, last_line, run_sampled, write_contacts  # noqa: E402

ACCOUNT = REPO / "sample_data" / "account.toml"


def statuses(path: Path) -> collections.Counter[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return collections.Counter(row["status"] for row in csv.DictReader(fh))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lang", default="de")
    args = parser.parse_args()
    best: dict[str, Measured] = {}
    counts: dict[str, collections.Counter[str]] = {}
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-lang-") as tmp:
        source = Path(tmp) / "contacts.csv"
        write_contacts(source, args.rows)
        for round_no in range(1, args.rounds + 1):
            for lang in ("en", args.lang) if round_no % 2 else (args.lang, "en"):
                results = Path(tmp) / f"{lang}.results.csv"
                command = [str(IMPORTER), "validate", str(source), "-a", str(ACCOUNT), "-o", str(results)]
                m = run_sampled([*command, "--no-progress", "--lang", lang])
                print(
                    f"{args.rows} rows, round {round_no}, --lang {lang}: exit {m.exit_code} in {m.seconds:.2f}s "
                    f"(CPU {m.cpu_seconds:.1f}s), peak RSS main {m.peak_main_mb:.0f} MB"
                    + ("" if m.exit_code in (0, 1) else f" FAILED: {last_line(m.stderr)}"),
                    flush=True,
                )
                failed |= m.exit_code not in (0, 1)
                if lang not in best or m.seconds < best[lang].seconds:
                    best[lang] = m
                counts[lang] = statuses(results)
    if counts.get("en") != counts.get(args.lang):
        print(
            f"FAILED: statuses differ: en {dict(counts.get('en', {}))}, {args.lang} {dict(counts.get(args.lang, {}))}"
        )
        failed = True
    else:
        print(f"the same statuses in both languages: {dict(counts['en'])}")
    en, other = best["en"], best[args.lang]
    print(
        f"| {args.rows:,} | {en.seconds:.2f} | {other.seconds:.2f} | {other.seconds / en.seconds:.3f} "
        f"| {en.cpu_seconds:.1f} | {other.cpu_seconds:.1f} | {en.peak_main_mb:.0f} | {other.peak_main_mb:.0f} |"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
