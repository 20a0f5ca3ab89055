"""The metrics file parsed back with prometheus_client's own parser: the values, the last success kept across a
failed run, and the atomic write (no temporary file left; the old file intact when the folder is not writable)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from unwritable import read_only, without_override

from importer.notify import metrics
from importer.notify.outcome import Outcome

ROOT = Path(__file__).resolve().parents[2]


def read_metrics(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(path.read_text(encoding="utf-8"))
        for s in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found[(name, tuple(sorted({"input": "/d/c.csv", **labels}.items())))]


GOOD = Outcome(
    input="/d/c.csv", exit_code=0, counts={"created": 7, "unchanged": 3}, duration_s=1.5, requests=9,
    rate_limited=2, finished_at=1_700_000_000.0,
)  # fmt: skip
BAD = Outcome(input="/d/c.csv", exit_code=2, error="no such file", finished_at=1_700_086_400.0)


def test_the_values_of_a_good_run(tmp_path: Path) -> None:
    path = tmp_path / "importer.prom"
    metrics.write(path, GOOD)
    found = read_metrics(path)
    assert value(found, "importer_last_run_timestamp_seconds") == 1_700_000_000.0
    assert value(found, "importer_last_success_timestamp_seconds") == 1_700_000_000.0
    assert value(found, "importer_exit_code") == 0
    assert value(found, "importer_duration_seconds") == 1.5
    assert value(found, "importer_requests") == 9 and value(found, "importer_rate_limited_requests") == 2
    assert value(found, "importer_rows", status="created") == 7
    assert value(found, "importer_rows", status="unchanged") == 3
    assert {name for name, _ in found} == set(metrics.GAUGES)
    assert [p.name for p in tmp_path.iterdir()] == ["importer.prom"]  # the temporary file was renamed, not left


def test_a_failed_run_keeps_the_last_success(tmp_path: Path) -> None:
    path = tmp_path / "importer.prom"
    metrics.write(path, GOOD)
    metrics.write(path, BAD)
    found = read_metrics(path)
    assert value(found, "importer_last_run_timestamp_seconds") == 1_700_086_400.0
    assert value(found, "importer_last_success_timestamp_seconds") == 1_700_000_000.0
    assert value(found, "importer_exit_code") == 2
    assert not [key for key in found if key[0] == "importer_rows"]  # it read no rows


def test_no_success_yet_is_zero(tmp_path: Path) -> None:
    path = tmp_path / "importer.prom"
    path.write_text("not metrics {{{\n", encoding="utf-8")  # a stray file is replaced, not a crash
    metrics.write(path, BAD)
    assert value(read_metrics(path), "importer_last_success_timestamp_seconds") == 0.0


def test_a_folder_not_writable_leaves_the_old_file(tmp_path: Path) -> None:
    folder = tmp_path / "textfiles"
    folder.mkdir()
    path = folder / "importer.prom"
    metrics.write(path, GOOD)
    old = path.read_bytes()
    script = (
        "import sys; from pathlib import Path; from importer.notify import metrics; from importer.notify.outcome "
        "import Outcome\ntry:\n    metrics.write(Path(sys.argv[1]), Outcome(input='/d/c.csv', exit_code=1))\n"
        "except OSError as exc:\n    print(exc.strerror)\n"
    )
    with read_only(folder):
        proc = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT,
            preexec_fn=without_override(), timeout=60,
        )  # fmt: skip
    assert proc.stdout.strip() == "Permission denied", proc.stderr
    assert path.read_bytes() == old and [p.name for p in folder.iterdir()] == ["importer.prom"]
