"""Value translation ([values], [unknown] in --config), the warning column, and the grouped problems."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pytest
from inproc import run_importer

from importer.account.model import load_account
from importer.errors import ConfigError
from importer.mapping.config import parse_mapping_config
from importer.mapping.values import parse_value_rules, resolve_value_rules

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_FILE = ROOT / "sample_data" / "account.toml"
ACCOUNT = load_account(ACCOUNT_FILE)

CONFIG = """
[values.tags]
"Cliente VIP" = "VIP"
"Lead frío" = ""
[values.assigned_user]
"dwight@oldcrm.com" = "ana@example.com"
[values."cf:status"]
"activo" = "Active"
[values."cf:Features"]
"modo oscuro" = "Dark Mode"
[values.team]
"Soporte" = "Support"
"""

ROWS = [
    ["Name", "Phone", "Tags", "Owner Email", "Status", "Features", "Team"],
    [
        "Ana",
        "+34 612 34 56 78",
        "cliente vip, Lead frío",
        "DWIGHT@oldcrm.com",
        "Activo",
        "modo oscuro, beta",
        "soporte",
    ],
    ["Luis", "+34 612 34 56 79", "VIP", "jim@oldcrm.com", "", "", ""],
    ["Marta", "+34 612 34 56 70", "Premium", "", "", "", ""],
]


def run_cli(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CALLBELL_API_TOKEN", "CALLBELL_BASE_URL")}
    if token is not None:
        env["CALLBELL_API_TOKEN"] = token
    return run_importer(args, env=env)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def results_of(path: Path) -> dict[int, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {int(r["row"]): r for r in csv.DictReader(fh)}


def test_values_and_unknown_translate_rows_in_a_dry_run(tmp_path: Path) -> None:
    config = tmp_path / "importer.toml"
    config.write_text(CONFIG + '[unknown]\nassigned_user = "drop"\n', encoding="utf-8")
    sheet = write_csv(tmp_path / "in.csv", ROWS)
    proc = run_cli("validate", str(sheet), "-a", str(ACCOUNT_FILE), "-c", str(config), "--no-progress")
    assert proc.returncode == 1, proc.stderr  # Marta's Premium tag is still unknown (no [unknown] tags)
    rows = results_of(tmp_path / "in.results.csv")
    assert rows[2]["status"] == "valid" and rows[2]["warning"] == "" and rows[2]["error"] == ""
    assert rows[3]["status"] == "valid"
    assert rows[3]["warning"] == (
        "Owner Email: 'jim@oldcrm.com' is not a user of the account: dropped ([unknown] assigned_user = \"drop\")"
    )
    assert rows[4]["status"] == "invalid" and rows[4]["error"] == "Tags: unknown tag 'Premium'"
    summary = json.loads((tmp_path / "in.results.summary.json").read_text(encoding="utf-8"))
    kinds = {(p["kind"], p["severity"], p["value"]) for p in summary["problems"]}
    assert kinds == {("unknown_tag", "error", "Premium"), ("value_dropped", "warning", "jim@oldcrm.com")}


def test_translated_values_reach_the_account_and_dropped_ones_do_not(sandbox, tmp_path: Path) -> None:
    config = tmp_path / "importer.toml"
    config.write_text(CONFIG + '[unknown]\nassigned_user = "drop"\ntags = "drop"\n', encoding="utf-8")
    sheet = write_csv(tmp_path / "in.csv", ROWS)
    results = tmp_path / "out.csv"
    proc = run_cli(
        "import", str(sheet), "-a", str(ACCOUNT_FILE), "-c", str(config), "--base-url", sandbox.base_url,
        "-o", str(results), "--no-progress", token=sandbox.token,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr + proc.stdout
    rows = results_of(results)
    assert [rows[n]["status"] for n in (2, 3, 4)] == ["created", "created", "created"]
    assert "'Premium'" in rows[4]["warning"] and "dropped" in rows[4]["warning"]
    contacts = {c["uuid"]: c for c in sandbox.contacts()}
    ana = contacts[rows[2]["uuid"]]
    assert ana["tags"] == ["VIP"]  # "Lead frío" = "" dropped on purpose
    assert ana["assignedUser"] == "ana@example.com"
    assert ana["customFields"] == {"Status": "Active", "Features": ["Dark Mode", "Beta"]}
    luis = contacts[rows[3]["uuid"]]
    assert luis["assignedUser"] is None and luis["tags"] == ["VIP"]
    assert contacts[rows[4]["uuid"]]["tags"] == []
    assert "warning" in proc.stdout  # the grouped warnings are shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[values.colour]\n"a" = "b"\n', "x.toml: [values.colour]: not a field whose values can be mapped"),
        ("[values]\ntags = 3\n", 'x.toml: [values.tags]: must be a table of "File value" = "Account value" lines'),
        ('[values.tags]\n"a" = 3\n', 'x.toml: [values.tags] "a": the account value must be a string'),
        ('[values.tags]\n"VIP" = "a"\n"vip" = "b"\n', 'x.toml: [values.tags] "vip": given twice'),
        ('[unknown]\nassigned_user = "ignore"\n', "x.toml: [unknown] assigned_user: 'ignore' is not a policy"),
        ('[unknown]\nphone = "drop"\n', "x.toml: [unknown] phone: not a field whose values can be mapped"),
        ('[unknown]\n"cf:" = "drop"\n', 'x.toml: [unknown] "cf:": "cf:" needs a custom field name'),
    ],
)
def test_a_bad_values_section_is_one_line_naming_the_file_and_key(text: str, message: str) -> None:
    import tomllib

    with pytest.raises(ConfigError) as caught:
        parse_mapping_config(tomllib.loads(text), Path("x.toml"))
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"tags": {"a": "Gold"}}, 'x.toml: [values.tags] "a" = "Gold": \'Gold\' is not a tag of the account'),
        ({"assigned_user": {"a": "eve@x.com"}}, "'eve@x.com' is not a user of the account"),
        ({"team": {"a": "Marketing"}}, "'Marketing' is not a team of the account"),
        ({"channel": {"a": "Telegram"}}, "'Telegram' is not a channel of the account"),
        ({"cf:Status": {"a": "Gone"}}, "'Gone' is not an option of 'Status' of the account"),
        ({"cf:Colour": {"a": "b"}}, "[values.\"cf:Colour\"]: 'Colour' is not a custom field of the account"),
    ],
)
def test_a_right_side_not_in_the_account_is_refused(values: dict[str, dict[str, str]], message: str) -> None:
    rules = parse_value_rules(values, None, "x.toml")
    with pytest.raises(ConfigError) as caught:
        resolve_value_rules(rules, ACCOUNT)
    assert message in str(caught.value), str(caught.value)


def test_resolving_spells_values_as_the_account_does() -> None:
    rules = parse_value_rules(
        {"tags": {"A": "vip, call back"}, "cf:status": {"x": "active"}}, {"cf:STATUS": "drop"}, "x"
    )
    resolved = resolve_value_rules(rules, ACCOUNT)
    assert resolved.translate("tags", "a") == "VIP, Call back"
    assert resolved.translate("cf:Status", "X") == "Active"
    assert resolved.policy("cf:Status") == "drop"


def test_a_bad_right_side_stops_the_import_before_anything_is_sent(sandbox, tmp_path: Path) -> None:
    config = tmp_path / "importer.toml"
    config.write_text('[values.tags]\n"Cliente VIP" = "Platinum"\n', encoding="utf-8")
    sheet = write_csv(tmp_path / "in.csv", ROWS)
    proc = run_cli(
        "import", str(sheet), "-a", str(ACCOUNT_FILE), "-c", str(config), "--base-url", sandbox.base_url,
        "--no-progress", token=sandbox.token,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f'importer: error: {config}: [values.tags] "Cliente VIP" = "Platinum": \'Platinum\' is not a tag of the '
        "account (it has: Call back, Interested, VIP, Newsletter, Lead, Customer, Cliente potencial)"
    ]
    assert sandbox.contacts() == []
    assert not (tmp_path / "in.results.csv").exists()


def test_a_crm_export_with_unknown_owners_gets_one_answer(tmp_path: Path) -> None:
    """950 rows, each owned by someone who is not a Callbell user: one group, not 950 lines to read."""
    owners = ["dwight@oldcrm.com", "jim@oldcrm.com"]
    rows = [["First Name", "Last Name", "Phone Number", "Contact owner"]]
    rows += [[f"P{i}", "X", f"+34 612 {i // 1000:03d} {i % 1000:03d}", owners[i % 7 == 0]] for i in range(1200)]
    sheet = write_csv(tmp_path / "hubspot.csv", rows)
    proc = run_cli("validate", str(sheet), "-a", str(ACCOUNT_FILE), "--no-progress")
    assert proc.returncode == 1
    assert "Dry run: 1,200 invalid" in proc.stdout
    jim = sum(1 for i in range(1200) if i % 7 == 0)
    assert f"{1200 - jim:,} rows · Contact owner: not a user of the account: 'dwight@oldcrm.com'" in proc.stdout
    assert "[values.assigned_user]" in proc.stdout and '[unknown] assigned_user = "drop"' in proc.stdout
    summary = json.loads((tmp_path / "hubspot.results.summary.json").read_text(encoding="utf-8"))
    problems = summary["problems"]
    assert [(p["value"], p["rows"]) for p in problems] == [("dwight@oldcrm.com", 1200 - jim), ("jim@oldcrm.com", jim)]
    assert problems[0]["examples"] == [3, 4, 5, 6, 7]  # row 2 (i = 0) is Jim's
    assert problems[0]["column"] == "Contact owner" and problems[0]["message"] == "not a user of the account"


def test_grouped_problems_are_the_same_with_many_workers(tmp_path: Path) -> None:
    """Chunks checked in several processes merge into the groups one process finds."""
    from importer.pipeline.run import ImportOptions, run_import

    rows = [["Name", "Phone", "Tags"]]
    rows += [[f"P{i}" if i % 11 else "", f"+34 612 {i // 1000:03d} {i % 1000:03d}", "Gold" if i % 3 else "VIP"]
             for i in range(9000)]  # fmt: skip
    sheet = write_csv(tmp_path / "big.csv", rows)
    found = []
    for workers in (1, 2):
        report = run_import(
            ImportOptions(
                file=sheet,
                account_file=ACCOUNT_FILE,
                dry_run=True,
                workers=workers,
                results=tmp_path / f"r{workers}.csv",
            )  # fmt: skip
        )
        found.append(report.problems)
    assert found[0] == found[1]
    by_kind = {p["kind"]: p for p in found[0]}
    assert by_kind["unknown_tag"]["rows"] == sum(1 for i in range(9000) if i % 3)
    assert by_kind["unknown_tag"]["examples"] == [3, 4, 6, 7, 9]
    assert by_kind["name_required"]["rows"] == sum(1 for i in range(9000) if i % 11 == 0)


def test_importer_mapping_lists_the_unknown_values_to_map_and_the_edited_file_imports(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "hub.csv",
        [
            ["First Name", "Last Name", "Phone Number", "Contact owner", "Etiquetas", "Status"],
            ["Ana", "X", "+34 612 34 56 78", "dwight@oldcrm.com", "Cliente VIP", "activo"],
            ["Bea", "X", "+34 612 34 56 79", "dwight@oldcrm.com", "vip", "Active"],
            ["Cid", "X", "+34 612 34 56 70", "ana@example.com", "Newsletters", "Churn"],
        ],
    )
    proc = run_cli("mapping", str(sheet), "-a", str(ACCOUNT_FILE))
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert '[values.assigned_user]\n# "dwight@oldcrm.com" = ""   # 2 rows; account values: ana@example.com' in text
    assert '# "Newsletters" = "Newsletter"   # 1 row; closest in the account: \'Newsletter\'' in text
    assert '[values."cf:Status"]' in text and '# "activo" = "Active"' in text
    assert "5 values of the file are not in the account (6 rows)" in proc.stderr
    # Unchanged, the file is a valid config: the dry run reports the same values as problems.
    config = tmp_path / "importer.toml"
    config.write_text(text, encoding="utf-8")
    assert run_cli("validate", str(sheet), "-a", str(ACCOUNT_FILE), "-c", str(config)).returncode == 1
    # The user edits one file: uncomment the suggestions, map the owner, and the file imports clean.
    edited = text.replace('# "dwight@oldcrm.com" = ""', '"dwight@oldcrm.com" = "luis@example.com"')
    edited = edited.replace('# "Cliente VIP" = ""', '"Cliente VIP" = "VIP"')
    for line in ('"Newsletters" = "Newsletter"', '"Churn" = "Churned"', '"activo" = "Active"'):
        edited = edited.replace(f"# {line}", line)
    config.write_text(edited, encoding="utf-8")
    proc = run_cli("validate", str(sheet), "-a", str(ACCOUNT_FILE), "-c", str(config), "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Started from that config, `importer mapping` keeps its entries and lists nothing more to map.
    again = run_cli("mapping", str(sheet), "-a", str(ACCOUNT_FILE), "-c", str(config))
    assert again.returncode == 0 and '"dwight@oldcrm.com" = "luis@example.com"' in again.stdout
    assert '# "' not in again.stdout.split("[values.")[1] and "not in the account" not in again.stderr


def test_what_a_phone_reading_changed_is_a_warning_grouped_by_kind(tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "in.csv",
        [
            ["Name", "Phone"],
            ["Ana", "(212) 555-0123 x12"],
            ["Bea", "212-555-0124 ext. 7"],
            ["Cid", "+1 212 555 0125"],
            ["Dan", "34612345678"],  # a Spanish mobile that lost its "+", in a US sheet
        ],
    )
    proc = run_cli("validate", str(sheet), "-a", str(ACCOUNT_FILE), "--default-region", "US", "--no-progress")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # warnings do not fail a run
    rows = results_of(tmp_path / "in.results.csv")
    assert [rows[n]["identifier"] for n in (2, 3, 4, 5)] == ["12125550123", "12125550124", "12125550125", "34612345678"]
    assert rows[2]["warning"] == "Phone: extension 12 removed"
    assert rows[4]["warning"] == ""
    summary = json.loads((tmp_path / "in.results.summary.json").read_text(encoding="utf-8"))
    groups = {p["kind"]: p for p in summary["problems"]}
    assert groups["extension_removed"]["rows"] == 2 and groups["extension_removed"]["examples"] == [2, 3]
    assert groups["extension_removed"]["severity"] == "warning"
    assert set(groups) == {"extension_removed", "foreign_number"}, groups  # not a valid US number: read as +34
    assert "2 rows · Phone: warning: extension removed (rows 2, 3)" in proc.stdout


def test_a_row_with_the_same_problem_twice_counts_once() -> None:
    from importer.validation.problems import Problem, Tally

    tally = Tally()
    for row in (2, 2, 3):
        tally.add(row, Problem("unknown_tag", "Tags", "unknown tag", "Gold", "tags"))
    (entry,) = tally.entries()
    assert entry["rows"] == 2 and entry["examples"] == [2, 3]
