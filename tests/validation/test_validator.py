from pathlib import Path

import pytest

from importer.account.model import load_account
from importer.mapping.columns import detect_mapping
from importer.reading.files import SourceRow
from importer.validation.validator import Options, Validator, parse_date

ACCOUNT = load_account(Path(__file__).resolve().parents[2] / "sample_data" / "account.toml")
HEADERS = [
    "Name", "Phone", "Country", "Tags", "Assigned User", "Team", "Note", "Bot Status", "Channel",
    "Billing Address", "Invoice Email", "Orders", "Birthday", "Status", "Features",
]  # fmt: skip


def check(**cells: str):
    values = {"Name": "Ana", "Phone": "+34 612 34 56 78"} | {k.replace("_", " "): v for k, v in cells.items()}
    row = SourceRow(7, tuple(values.get(h, "") for h in HEADERS))
    validator = Validator(ACCOUNT, detect_mapping(HEADERS, ACCOUNT), Options(default_region=None))
    return validator.check(row)


def test_a_full_row_becomes_the_documented_payload() -> None:
    draft = check(
        Tags="vip; CALL BACK, vip", Assigned_User="ANA@example.com", Team="support", Note="hi",
        Bot_Status="Bot End", Channel="Main WhatsApp", Billing_Address="Main Street 1",
        Invoice_Email="a@b.co", Orders="1,5", Birthday="31/12/1990", Status="active", Features="beta;dark mode",
    )  # fmt: skip
    assert draft.errors == []
    assert draft.payload == {
        "name": "Ana",
        "source": "whatsapp",
        "identifier": "34612345678",
        "tags": ["VIP", "Call back"],
        "assigned_user": "ana@example.com",
        "team_uuid": "ad42a09715814e6483b1c5debd6a2dbc",
        "channel_uuid": "7c996996fea947f4a1d5a11e7fac84db",
        "bot_status": "bot_end",
        "note": "hi",
        "custom_fields": {
            "Billing Address": "Main Street 1",
            "Invoice Email": "a@b.co",
            "Orders": "1.5",
            "Birthday": "1990-12-31",
            "Status": "Active",
            "Features": ["Beta", "Dark Mode"],
        },
    }


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"Name": ""}, "Name: name is required"),
        ({"Phone": "12"}, "Phone: '12'"),
        ({"Phone": "612 34 56 78", "Country": "Narnia"}, "Country: unknown country 'Narnia'"),
        ({"Tags": "VIP, Gold"}, "Tags: unknown tag 'Gold'"),
        ({"Assigned_User": "eve@example.com"}, "Assigned User: 'eve@example.com' is not a user"),
        ({"Team": "Marketing"}, "Team: unknown team 'Marketing'"),
        ({"Channel": "Telegram"}, "Channel: unknown channel 'Telegram'"),
        ({"Bot_Status": "maybe"}, "Bot Status: 'maybe' is not one of bot_start, bot_end"),
        ({"Note": "x" * 1001}, "Note: note is 1001 characters, the limit is 1000"),
        ({"Invoice_Email": "nobody"}, "Invoice Email: 'nobody' is not an email address"),
        ({"Orders": "many"}, "Orders: 'many' is not a number"),
        ({"Birthday": "someday"}, "Birthday: 'someday' is not a date"),
        ({"Status": "Gone"}, "Status: 'Gone' is not an option of 'Status'"),
        ({"Features": "Dark Mode, Sound"}, "Features: 'Sound' is not an option of 'Features'"),
    ],
)
def test_each_rule_names_its_column(cells: dict[str, str], message: str) -> None:
    draft = check(**cells)
    assert not draft.ok
    assert any(e.startswith(message) for e in draft.errors), draft.errors


def test_every_problem_of_a_row_is_reported() -> None:
    draft = check(Name="", Tags="Gold", Status="Gone")
    assert len(draft.errors) == 3


def test_national_number_uses_the_country_column() -> None:
    assert check(Phone="612 34 56 78", Country="es").identifier == "34612345678"


def test_neutralised_values_from_our_own_files_are_read_back() -> None:
    assert check(Phone="'+34 612 34 56 78").identifier == "34612345678"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [("2026-03-03", "2026-03-03"), ("03/03/2026", "2026-03-03"), ("3.3.2026", "2026-03-03"),
     ("2026-03-03 00:00:00", "2026-03-03"), ("46084", "2026-03-03")],
)  # fmt: skip
def test_dates_in_common_spellings(raw: str, iso: str) -> None:
    day = parse_date(raw)
    assert day is not None and day.isoformat() == iso


@pytest.mark.parametrize(
    ("cell", "tags"),
    [
        ("VIP, call back", ["VIP", "Call back"]),
        ("VIP;Lead", ["VIP", "Lead"]),
        ('"VIP","Call back"', ["VIP", "Call back"]),  # Mailchimp's TAGS column
        ('"VIP", "Lead"', ["VIP", "Lead"]),
    ],
)
def test_tag_lists_as_exports_write_them(cell: str, tags: list[str]) -> None:
    draft = check(Tags=cell)
    assert draft.errors == [] and draft.payload["tags"] == tags


def test_a_full_memo_looks_new_values_up_as_they_come(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past its limit a column's memo takes no more values (memory stays flat): the rows read the same.
    rows = [
        SourceRow(n, tuple({"Name": "Ana", "Phone": "+34 612 34 56 78", "Tags": tags, "Invoice Email": email,
                            "Birthday": day, "Orders": orders}.get(h, "") for h in HEADERS))
        for n, (tags, email, day, orders) in enumerate(
            [("VIP", "a@x.com", "1990-01-02", "3"), ("Nope, VIP", "bad", "31/02/1990", "x"),
             ("VIP", "a@x.com", "1990-01-02", "3"), ("Nope", "b@x.com", "not a date", "-1"),
             ("Nope, VIP", "bad", "31/02/1990", "x")],
            2,
        )
    ]  # fmt: skip

    def drafts() -> list[tuple[object, ...]]:
        validator = Validator(ACCOUNT, detect_mapping(HEADERS, ACCOUNT), Options(default_region=None))
        return [(d.payload, d.problems, d.warnings) for d in map(validator.check, rows)]

    remembered = drafts()
    monkeypatch.setattr("importer.validation.validator._MEMO_LIMIT", 1)
    assert drafts() == remembered
    assert any(problems for _, problems, _ in remembered)
