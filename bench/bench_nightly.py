"""A nightly re-run with `--on-existing update` against the sandbox: only what changed is sent.

    .venv/bin/python bench/bench_nightly.py [--rows 100000] [--changed 0.01] [--gone 0.01]

One sandbox (`--rate-limit 300 --latency-ms 50`, contacts in a --db file) is seeded directly with a contact
for every row of a generated sheet (name, tags, a custom field). Then, not measured, a first
`importer import --on-existing update` finds them all (the "previous night", which records each contact in
the state). Measured, on the same sheet path (the state belongs to one file):

- the offline dry run of the changed sheet (no token: reading and checking only), the time yardstick;
- changed: the sheet with `--changed` of its rows renamed, imported with `--on-existing update`;
- unchanged: the same sheet again (nothing changed since the last run);
- gone: the sheet without `--gone` of its rows, with `--on-missing tag:Gone` (the account gains a tag "Gone"):
  each contact that left the source is tagged.

For each: requests the importer sent vs its goal (1.1 x (changed + missing rows) + listing pages), wall time vs its goal
(1.5 x (dry run + changed rows / rate + pages / rate)), rows/s and its ratio to the reference (bench/reference.py:
phonenumbers on one core, measured before and after the two runs), peak memory, and the sandbox's requests per
method. Ends with one markdown row per run, and one for the reference:
| run | rows | changed or gone | requests | request goal | seconds | time goal | rows/s | x reference | peak MB |
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import secrets
import sys
import tempfile
import uuid as uuidlib
from pathlib import Path

from importer.account.model import load_account
from importer.sandbox.process import start_sandbox
from importer.sandbox.rules import Rules
from importer.sandbox.store import ContactRecord, ContactStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dry_run import IMPORTER, REPO, last_line, run_sampled  # noqa: E402
from reference import NAME, UNIT, describe, phone_reference, ratio  # noqa: E402

ACCOUNT_FILE = REPO / "sample_data" / "account.toml"
RATE = 300
PAGE_SIZE = 50  # the sandbox's default page size
SANDBOX_KNOBS = ("--rate-limit", str(RATE), "--latency-ms", "50", "--page-size", str(PAGE_SIZE))


def row(i: int, renamed: bool = False) -> tuple[str, str, str, str]:
    """(name, phone, tags, status) of row i: unique Spanish mobiles."""
    return (f"Nightly {'renamed ' if renamed else ''}{i}", f"+34 6{i:08d}", "VIP" if i % 3 == 0 else "", "Active")


def write_sheet(path: Path, rows: int, changed: set[int], gone: frozenset[int] = frozenset()) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Name", "Phone", "Tags", "Status"])
        for i in range(rows):
            if i not in gone:
                writer.writerow(row(i, i in changed))


def account_with_gone(folder: Path) -> Path:
    """The sample account plus the tag --on-missing adds (the API refuses a tag the account does not have)."""
    path = folder / "account.toml"
    path.write_text(
        ACCOUNT_FILE.read_text(encoding="utf-8").replace('tags = ["Call back"', 'tags = ["Gone", "Call back"'),
        encoding="utf-8",
    )
    return path


def seed(db: Path, rows: int, account: Path) -> None:
    """A contact per row, as the sheet has it, straight into the sandbox's database (POSTs would take minutes)."""
    rules = Rules(load_account(account))
    channel = rules.resolve_channel("whatsapp", None)
    store = ContactStore(db)
    try:
        for i in range(rows):
            name, phone, tags, status = row(i)
            digits = "".join(c for c in phone if c.isdigit())
            identity_channel, key = rules.identity("whatsapp", digits, None)
            store.insert(
                ContactRecord(
                    uuid=uuidlib.uuid4().hex,
                    name=name,
                    identifier=digits,
                    source="whatsapp",
                    identity_channel=identity_channel,
                    identity_key=key,
                    created_at="2026-01-01T00:00:00Z",
                    channel_uuid=channel,
                    phone_number="+" + digits,
                    tags=[tags] if tags else [],
                    custom_fields={"Status": status},
                )
            )
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01, help="share of rows renamed for the changed run")
    parser.add_argument("--gone", type=float, default=0.01, help="share of rows left out for the gone run")
    args = parser.parse_args()
    token = secrets.token_urlsafe(24)
    changed = set(range(0, args.rows, max(1, round(1 / args.changed))))
    gone = frozenset(range(1, args.rows, max(1, round(1 / args.gone))))  # not the changed ones: 1, 101, 201, …
    pages = math.ceil(args.rows / PAGE_SIZE) + 1  # the last one comes back empty
    env = {**os.environ, "CALLBELL_API_TOKEN": token}
    offline = {k: v for k, v in os.environ.items() if not k.startswith("CALLBELL_")}
    table: list[str] = []
    measured: list[tuple[str | float, ...]] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-nightly-") as tmp:
        work = Path(tmp)
        sheet, results, db = work / "crm.csv", work / "crm.results.csv", work / "sandbox.db"
        account = account_with_gone(work)
        write_sheet(sheet, args.rows, set())
        seed(db, args.rows, account)
        print(f"sheet: {args.rows:,} rows, every contact already in the sandbox; {len(changed):,} renamed later")
        with start_sandbox(*SANDBOX_KNOBS, "--db", str(db), account_file=account, token=token, cwd=REPO) as sb:
            common = ["-a", str(account), "--base-url", sb.base_url, "--no-progress", "--rate", str(RATE)]
            update = [str(IMPORTER), "import", str(sheet), *common, "-o", str(results), "--on-existing", "update"]
            first = run_sampled(update, env=env)
            print(f"previous night (found every contact): exit {first.exit_code} in {first.seconds:.1f}s")
            failed |= first.exit_code != 0
            write_sheet(sheet, args.rows, changed)
            dry_results = work / "dry.results.csv"
            dry = run_sampled(
                [str(IMPORTER), "import", str(sheet), *common, "-o", str(dry_results), "--dry-run"], env=offline
            )
            print(f"dry run (offline) of the changed sheet: exit {dry.exit_code} in {dry.seconds:.2f}s")
            failed |= dry.exit_code != 0
            reference = phone_reference()
            runs = (("changed", len(changed), 0), ("unchanged", 0, 0), ("gone", 0, len(gone)))
            for name, expected, missing in runs:
                if missing:
                    write_sheet(sheet, args.rows, changed, gone)
                before = sb.stats()
                m = run_sampled([*update, "--on-missing", "tag:Gone"] if missing else update, env=env)
                after = sb.stats()
                summary = json.loads(results.with_name("crm.results.summary.json").read_text(encoding="utf-8"))
                counts = summary.get("counts", {})
                requests = int(summary.get("requests") or 0)
                methods = {
                    k: v - before["by_method"].get(k, 0)
                    for k, v in after["by_method"].items()
                    if v - before["by_method"].get(k, 0)
                }
                request_goal = 1.1 * (expected + missing) + pages
                time_goal = 1.5 * (dry.seconds + (expected + missing) / RATE + pages / RATE)
                ok = m.exit_code == 0 and counts.get("updated", 0) == expected
                ok = ok and counts.get("unchanged", 0) == args.rows - expected - missing
                ok = ok and summary.get("removals", {}).get("tagged", 0) == missing
                failed |= not ok
                print(
                    f"{name}: exit {m.exit_code}{'' if m.exit_code == 0 else ': ' + last_line(m.stderr)}, "
                    f"{m.seconds:.1f}s end to end (goal {time_goal:.1f}s), {requests:,} requests sent "
                    f"(goal {request_goal:,.0f}: {expected:,} changed rows, {missing:,} missing, "
                    f"{pages:,} listing pages), removals {summary.get('removals')}, "
                    f"sandbox saw by method {methods}, counts {counts}, peak RSS {m.peak_main_mb:.0f} MB "
                    f"(all processes {m.peak_tree_mb:.0f} MB){'' if ok else ' FAILED: wrong counts'}"
                )
                rate = args.rows / m.seconds
                cells = (name, f"{args.rows:,}", f"{expected + missing:,}", f"{requests:,}", f"{request_goal:,.0f}")
                cells += (f"{m.seconds:.1f}", f"{time_goal:.1f}", f"{rate:,.0f}", rate, f"{m.peak_tree_mb:.0f}")
                measured.append(cells)
            reference = max(reference, phone_reference())
    print(describe(reference))
    for cells in measured:  # rows/s ÷ the reference, known once it has been measured after the runs too
        table.append("| " + " | ".join(c if isinstance(c, str) else ratio(c, reference) for c in cells) + " |")
    table.append(f"| reference: {NAME} | | | | | | | {reference:,.0f} {UNIT} | 1 | |")
    for line in table:
        print(line)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
