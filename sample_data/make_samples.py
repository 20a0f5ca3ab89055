"""Generate the sample contact sheets: contacts.csv, contacts.xlsx and expected.json.

    .venv/bin/python sample_data/make_samples.py [--out DIR]

The sheets look like what customers really upload: names with accents, phone numbers spelled a dozen
ways (international, 00-prefixed, national with the Country column as the region), tags in the wrong
letter case, many empty cells, a note with an embedded newline, and about 5% deliberately broken rows
with exactly one problem each. expected.json lists those broken rows by the row number a person sees
in the sheet (header = row 1), so tests and demos can check the importer against a known answer.

Everything is drawn from random.Random(SEED) and the account file: no network, no clock. Two runs give
byte-identical CSV and JSON, and (zip timestamps pinned) an identical xlsx for the same openpyxl version.
The phone numbers depend on the `phonenumbers` metadata: a release that retires a number range may change
the output, and the generator then stops with an error instead of writing a sheet that lies.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import re
import tomllib
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers
from openpyxl import Workbook
from openpyxl.styles import Font
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

SEED = 20250301
ROWS = 240
HERE = Path(__file__).resolve().parent
ACCOUNT_FILE = HERE / "account.toml"

COLUMNS = [
    "Name",
    "Phone",
    "Country",
    "Tags",
    "Assigned User",
    "Team",
    "Note",
    "Billing Address",
    "Invoice Email",
    "Orders",
    "Birthday",
    "Status",
    "Features",
]

# How many people come from each country (sums to ROWS). Ten countries so the importer meets every
# national numbering plan it is likely to see from a Spanish-speaking/European customer base.
COUNTRY_WEIGHTS = {
    "ES": 40,
    "MX": 30,
    "US": 25,
    "BR": 25,
    "GB": 20,
    "IT": 20,
    "DE": 20,
    "FR": 20,
    "AR": 20,
    "CO": 20,
}

# The broken rows, in the order their kinds are handed out (positions are shuffled separately).
# 12 of 240 rows = 5%. Each bad-phone kind is tied to a country so its value reads naturally.
BREAKS: list[tuple[str, str]] = [
    ("bad_phone", "too_short"),
    ("bad_phone", "letters"),
    ("bad_phone", "too_long"),
    ("bad_phone", "plus_on_national"),
    ("unknown_tag", "alone"),
    ("unknown_tag", "among_known"),
    ("bad_dropdown", "Cancelled"),
    ("bad_dropdown", "Pendiente"),
    ("missing_name", ""),
    ("missing_name", " "),
    ("duplicate_phone", "national_of_international"),
    ("duplicate_phone", "international_of_national"),
]
BAD_PHONE_COUNTRY = {"too_short": "ES", "letters": "MX", "too_long": "GB", "plus_on_national": "FR"}
UNKNOWN_TAGS = {"alone": "Premium", "among_known": "mayorista"}

# ---------------------------------------------------------------------------------------------------------
# Phone numbers


@dataclass(frozen=True)
class PhonePlan:
    """Mobile ranges of one country and how its people tend to write their numbers."""

    ranges: tuple[tuple[str, int], ...]  # (prefix of the national significant number, its total length)
    styles: dict[str, int]  # spelling style -> weight


# US numbers stay inside the fictional 555-0100..0199 block; UK ones avoid 07700 900xxx because
# phonenumbers (rightly) treats that drama range as invalid.
PHONE_PLANS: dict[str, PhonePlan] = {
    "ES": PhonePlan(
        (("6", 9), ("71", 9), ("72", 9), ("73", 9), ("74", 9)),
        {"intl": 4, "e164": 2, "idd00": 2, "digits_cc": 2, "national": 4, "national_digits": 1, "dashes": 1},
    ),
    "MX": PhonePlan(
        (("55", 10), ("33", 10), ("81", 10), ("222", 10), ("998", 10)),
        {"intl": 4, "e164": 2, "national": 3, "digits_cc": 2, "dashes": 1},
    ),
    "IT": PhonePlan(
        tuple((p, 10) for p in ("320", "328", "333", "338", "340", "347", "349", "351", "366", "388", "393")),
        {"intl": 3, "e164": 2, "idd00": 1, "digits_cc": 2, "national": 4, "national_digits": 1},
    ),
    "GB": PhonePlan(
        (("74", 10), ("75", 10), ("77", 10), ("78", 10), ("79", 10)),
        {"intl": 4, "e164": 2, "idd00": 1, "digits_cc": 1, "national": 5},
    ),
    "US": PhonePlan(
        tuple((area + "55501", 10) for area in ("212", "305", "312", "415", "512", "617", "646", "702")),
        {"intl_paren": 3, "intl": 2, "e164": 1, "digits_cc": 1, "national": 5, "dots": 2},
    ),
    # No "digits_cc" for Germany: 4915123456789 read with region DE is a valid *national* number
    # (+49 4915123456789), so the spelling is ambiguous and a fair importer would get it wrong.
    "DE": PhonePlan(
        (("151", 11), ("152", 11), ("157", 11), ("160", 10), ("170", 10), ("171", 10), ("176", 11), ("179", 11)),
        {"intl": 3, "e164": 2, "idd00": 2, "national": 5, "dashes": 1},
    ),
    "FR": PhonePlan(
        (("6", 9), ("7", 9)),
        {"intl": 3, "e164": 1, "idd00": 1, "digits_cc": 1, "national": 4, "dots": 3},
    ),
    "BR": PhonePlan(
        tuple((ddd + "9", 11) for ddd in ("11", "21", "31", "41", "51", "61", "71", "81", "85")),
        {"intl": 4, "e164": 1, "digits_cc": 2, "national": 5},
    ),
    "AR": PhonePlan(
        (("911", 11), ("9351", 11), ("9341", 11), ("9261", 11)),
        {"intl": 4, "e164": 2, "digits_cc": 1, "national": 3},
    ),
    "CO": PhonePlan(
        tuple((p, 10) for p in ("300", "301", "310", "311", "312", "313", "315", "316", "320", "321", "350")),
        {"intl": 4, "e164": 1, "digits_cc": 2, "national": 4, "national_digits": 1},
    ),
}
INTERNATIONAL_STYLES = {"intl", "intl_paren", "e164", "idd00", "digits_cc"}
PLUS_STYLES = {"intl", "intl_paren", "e164"}  # the only spellings that parse without a region


def new_mobile(rng: random.Random, region: str, used: set[str]) -> PhoneNumber:
    """A valid mobile number of `region` that no earlier person has."""
    plan = PHONE_PLANS[region]
    cc = phonenumbers.country_code_for_region(region)
    for _ in range(1000):
        prefix, length = rng.choice(plan.ranges)
        nsn = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
        number = phonenumbers.parse(f"+{cc}{nsn}")
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        mobile = phonenumbers.number_type(number) in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
        if e164 not in used and mobile and phonenumbers.is_valid_number_for_region(number, region):
            used.add(e164)
            return number
    raise RuntimeError(f"no valid mobile number found for {region}: has the phonenumbers metadata changed?")


def spell(number: PhoneNumber, style: str) -> str:
    """Write `number` the way a person would in one of the known styles."""
    cc = number.country_code
    nsn = phonenumbers.national_significant_number(number)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)  # +34 612 34 56 78
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)  # 612 34 56 78
    spellings: dict[str, Callable[[], str]] = {
        "intl": lambda: intl,
        "intl_paren": lambda: f"+{cc} {national}",  # +1 (415) 555-0132
        "e164": lambda: f"+{cc}{nsn}",
        "idd00": lambda: f"00{cc}{nsn}",  # 0034612345678
        "digits_cc": lambda: f"{cc}{nsn}",  # 34612345678: what the API itself uses
        "national": lambda: national,
        "national_digits": lambda: re.sub(r"\D", "", national),  # 612345678
        "dashes": lambda: re.sub(r"[\s()]+", "-", national).strip("-"),  # 612-34-56-78
        "dots": lambda: re.sub(r"[\s()\-]+", ".", national).strip("."),  # 06.12.34.56.78
    }
    return spellings[style]()


def reads_back(text: str, region: str, number: PhoneNumber) -> bool:
    """True when phonenumbers, given the row's Country (or none), gets exactly `number` back."""
    try:
        parsed = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and parsed == number


def phone_cells(
    rng: random.Random, region: str, number: PhoneNumber, international: bool | None = None
) -> tuple[str, str, str]:
    """(Phone, Country, style) for a number in a weighted spelling style; `international` restricts the
    choice to international (True) or national (False) spellings. Country is left blank now and then
    for +-numbers, which parse without one."""
    styles = PHONE_PLANS[region].styles
    if international is not None:
        styles = {s: w for s, w in styles.items() if (s in INTERNATIONAL_STYLES) == international}
    style = rng.choices(list(styles), weights=list(styles.values()))[0]
    text = spell(number, style)
    country = "" if style in PLUS_STYLES and rng.random() < 0.25 else region
    if not reads_back(text, country, number):
        raise RuntimeError(f"{text!r} with Country {country!r} does not read back as {number}")
    return text, country, style


# ---------------------------------------------------------------------------------------------------------
# People


NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ES": (
        ("José", "María", "Lucía", "Álvaro", "Sofía", "Javier", "Inés", "Nuria", "Raúl", "Begoña", "Íñigo"),
        ("Álvarez", "García", "Fernández", "López", "Martínez", "Sánchez", "Muñoz", "Núñez", "Ibáñez", "Peña"),
    ),
    "MX": (
        ("Guadalupe", "Juan Carlos", "Ximena", "Luis Ángel", "Fernanda", "Jesús", "Itzel", "Andrés", "Mónica"),
        ("Hernández", "Ramírez", "Torres", "Flores", "Vázquez", "Cruz", "Reyes", "Domínguez", "Chávez"),
    ),
    "IT": (
        ("Giulia", "Lorenzo", "Niccolò", "Chiara", "Francesca", "Matteo", "Alessandro", "Federica", "Luca"),
        ("Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "De Luca", "Mancini", "Lombardi"),
    ),
    "GB": (
        ("Oliver", "Amelia", "George", "Zoë", "Siobhán", "Harry", "Isla", "Rhys", "Niamh", "Łukasz"),
        ("Smith", "Jones", "Taylor", "O'Connor", "Davies", "Evans", "Walsh", "Nowak", "Hughes"),
    ),
    "US": (
        ("James", "Emily", "Michael", "Madison", "Ethan", "Abigail", "Noah", "Chloë", "Daniel", "Zoë"),
        ("Johnson", "Williams", "Miller", "Davis", "Anderson", "Nguyen", "O'Brien", "Thompson", "Lee"),
    ),
    "DE": (
        ("Lukas", "Jürgen", "Anna", "Björn", "Jörg", "Lea", "Maximilian", "Käthe", "Søren", "Łukasz"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Schäfer", "Köhler", "Groß", "Kristensen"),
    ),
    "BR": (
        ("João", "Ana Clara", "Luíza", "Thiago", "Mariana", "Conceição", "Caio", "Beatriz", "Antônio"),
        ("Silva", "Santos", "Oliveira", "Souza", "Araújo", "Gonçalves", "Magalhães", "Brandão", "Simões"),
    ),
    "FR": (
        ("Françoise", "Jérôme", "Chloé", "Hélène", "Benoît", "Léa", "Aurélie", "Gaëlle", "François"),
        ("Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bérard", "Roussel", "Faure", "Mercier"),
    ),
    "AR": (
        ("Agustín", "Valentina", "Martín", "Lucía", "Santiago", "Camila", "Joaquín", "Florencia", "Tomás"),
        ("González", "Rodríguez", "Fernández", "Gómez", "Díaz", "Sosa", "Romero", "Benítez", "Acosta"),
    ),
    "CO": (
        ("Andrés Felipe", "María José", "Juan Sebastián", "Daniela", "Camilo", "Valeria", "Nicolás", "Laura"),
        ("Rodríguez", "Restrepo", "Ospina", "Cárdenas", "Giraldo", "Zuluaga", "Quintero", "Castaño", "Muñoz"),
    ),
}
HISPANIC = {"ES", "MX", "AR", "CO"}  # two surnames now and then

# Names the sheet must contain whatever the seed: they are the accents and letters that break
# naive encodings (Ł and ø have no ASCII decomposition, ë and ü do).
SHOWCASE = [
    ("José Álvarez", "ES"),
    ("Zoë Thompson", "US"),
    ("Łukasz Nowak", "GB"),
    ("Jürgen Müller", "DE"),
    ("Françoise Lefèvre", "FR"),
    ("João Magalhães", "BR"),
    ("Søren Kristensen", "DE"),
]


@dataclass(frozen=True)
class Person:
    name: str
    region: str
    number: PhoneNumber


def random_name(rng: random.Random, region: str) -> str:
    firsts, lasts = NAMES[region]
    name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
    if region in HISPANIC and rng.random() < 0.3:
        name += f" {rng.choice(lasts)}"
    return name


def make_people(rng: random.Random, forced_regions: dict[int, str], reserved: set[int]) -> list[Person]:
    """ROWS people with unique phone numbers. `forced_regions` pins the country of some rows; `reserved`
    rows (the ones to be broken) never get a showcase name, which a break could blank or replace."""
    regions = [r for r, count in COUNTRY_WEIGHTS.items() for _ in range(count)]
    rng.shuffle(regions)
    regions = [forced_regions.get(i, r) for i, r in enumerate(regions)]
    names: list[str | None] = [None] * ROWS
    for name, region in SHOWCASE:
        free = [i for i, r in enumerate(regions) if r == region and names[i] is None and i not in reserved]
        names[rng.choice(free)] = name
    used: set[str] = set()
    return [
        Person(names[i] or random_name(rng, region), region, new_mobile(rng, region, used))
        for i, region in enumerate(regions)
    ]


# ---------------------------------------------------------------------------------------------------------
# The other columns


STREETS: dict[str, Callable[[random.Random], str]] = {
    "ES": lambda r: (
        f"{r.choice(['Calle Mayor', 'Calle de Alcalá', 'Carrer de Mallorca', 'Calle Larios'])} "
        f"{r.randint(1, 180)}, {r.choice(['28013 Madrid', '08008 Barcelona', '41001 Sevilla', '29005 Málaga'])}"
    ),
    "MX": lambda r: (
        f"{r.choice(['Av. Insurgentes Sur', 'Calle Madero', 'Av. Chapultepec', 'Av. Vallarta'])} "
        f"{r.randint(1, 2500)}, Col. Centro, "
        f"{r.choice(['06000 Ciudad de México', '44100 Guadalajara', '64000 Monterrey', '72000 Puebla'])}"
    ),
    "IT": lambda r: (
        f"{r.choice(['Via Roma', 'Corso Buenos Aires', 'Via Garibaldi', 'Via dei Mille'])} "
        f"{r.randint(1, 120)}, {r.choice(['20121 Milano', '00184 Roma', '10121 Torino', '80132 Napoli'])}"
    ),
    "GB": lambda r: (
        f"{r.randint(1, 220)} {r.choice(['High Street', 'Church Road', 'Station Road'])}, "
        f"{r.choice(['London N1 9GU', 'Manchester M1 1AE', 'Leeds LS1 4DY', 'Bristol BS1 5TR'])}"
    ),
    "US": lambda r: (
        f"{r.randint(10, 9800)} {r.choice(['Main St', 'Oak Ave', 'Market St', 'Elm St'])}"
        f"{r.choice(['', '', ', Apt 4B', ', Suite 200'])}, "
        f"{r.choice(['San Francisco, CA 94103', 'Austin, TX 78701', 'Chicago, IL 60601', 'New York, NY 10001'])}"
    ),
    "DE": lambda r: (
        f"{r.choice(['Hauptstraße', 'Königsallee', 'Müllerstraße', 'Schloßstraße'])} "
        f"{r.randint(1, 150)}, {r.choice(['10115 Berlin', '80331 München', '20095 Hamburg', '50667 Köln'])}"
    ),
    "BR": lambda r: (
        f"{r.choice(['Rua Augusta', 'Av. Paulista', 'Rua das Flores', 'Av. Atlântica'])}, "
        f"{r.randint(1, 3000)}, "
        f"{r.choice(['São Paulo - SP, 01310-100', 'Rio de Janeiro - RJ, 22021-001', 'Curitiba - PR, 80010-000'])}"
    ),
    "FR": lambda r: (
        f"{r.randint(1, 200)} "
        f"{r.choice(['rue de la Paix', 'avenue des Champs-Élysées', 'boulevard Saint-Germain'])}, "
        f"{r.choice(['75002 Paris', '69002 Lyon', '13001 Marseille', '33000 Bordeaux'])}"
    ),
    "AR": lambda r: (
        f"{r.choice(['Av. Corrientes', 'Av. Santa Fe', 'Calle Florida', 'Av. Colón'])} "
        f"{r.randint(100, 4000)}, {r.choice(['C1043 CABA', 'X5000 Córdoba', 'S2000 Rosario', 'M5500 Mendoza'])}"
    ),
    "CO": lambda r: (
        f"{r.choice(['Carrera 7', 'Calle 72', 'Avenida 68', 'Carrera 43A'])} "
        f"# {r.randint(1, 99)}-{r.randint(1, 99)}, {r.choice(['Bogotá', 'Medellín', 'Cali', 'Barranquilla'])}"
    ),
}

NOTES = [
    "Met at the Madrid trade fair, wants a demo.",
    'Prefers "WhatsApp" over email.',
    "Llamar después de las 17:00",
    "Asked about pricing for 10 seats, follow up in March.",
    'Dice que el plan "Pro" es caro, ofrecer descuento',
    "Cliente desde 2019; muy satisfecho.",
    "Do not call on weekends",
    "Interessiert an der Beta, bitte zurückrufen.",
    "Vuole la fattura elettronica.",
    "Rappeler la semaine prochaine, elle est en congé.",
    "Pediu o catálogo, loja do centro.",
    "Referred by Ana, VIP treatment",
]
# The one note with a line break inside: a CSV reader that splits on newlines miscounts rows after it.
MULTILINE_NOTE = "Called twice, no answer.\nTry again on Monday morning."

ASCII_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "'": ""})


def email_local(name: str) -> list[str]:
    """Name parts as an email user would type them: lower-case ASCII."""
    plain = unicodedata.normalize("NFKD", name.translate(ASCII_FOLD))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return plain.split()


def invoice_email(rng: random.Random, name: str) -> str:
    parts = email_local(name)
    first, last = parts[0], parts[-1]
    local = rng.choice([f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}", "facturacion", "billing"])
    return f"{local}@{rng.choice(['example.com', 'example.org', 'example.net'])}"


def vary_case(rng: random.Random, text: str, chance: float) -> str:
    """Sometimes write an account value in another letter case: the importer matches case-insensitively."""
    if rng.random() >= chance:
        return text
    return rng.choice([str.lower, str.upper, str.title])(text)


@dataclass(frozen=True)
class Account:
    tags: tuple[str, ...]
    users: tuple[str, ...]  # users plus team members: the API's only view of users is the teams
    teams: tuple[dict[str, Any], ...]
    status_options: tuple[str, ...]
    feature_options: tuple[str, ...]


def load_account(path: Path) -> Account:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    teams = tuple(data.get("teams", []))
    users = list(data["users"])
    for member in (m for t in teams for m in t.get("members", [])):
        if member.casefold() not in {u.casefold() for u in users}:
            users.append(member)
    fields = data["custom_fields"]
    return Account(
        tags=tuple(data["tags"]),
        users=tuple(users),
        teams=teams,
        status_options=tuple(fields["Status"]["options"]),
        feature_options=tuple(fields["Features"]["options"]),
    )


def assignment(rng: random.Random, account: Account) -> tuple[str, str]:
    """(Assigned User, Team). A user given together with a team is one of its members."""
    team_cell, members = "", account.users
    if rng.random() < 0.35:
        team = rng.choice(account.teams)
        team_cell = team["uuid"] if rng.random() < 0.1 else team["name"]
        members = tuple(team["members"])
    user = ""
    if rng.random() < 0.45:
        user = rng.choice(members)
        if rng.random() < 0.2:
            user = rng.choice([user.upper(), user.capitalize()])
    return user, team_cell


def sometimes(rng: random.Random, chance: float, make: Callable[[], str]) -> str:
    """An empty cell most of the time, as in real sheets; `make` is only called (and consumes
    randomness) when the cell gets a value."""
    return make() if rng.random() < chance else ""


@dataclass
class Row:
    person: Person
    phone_style: str  # the spelling of the Phone cell (a key of spell())
    cells: dict[str, str]  # column -> CSV text


def make_row(rng: random.Random, account: Account, person: Person) -> Row:
    phone, country, style = phone_cells(rng, person.region, person.number)
    user, team = assignment(rng, account)
    tags = rng.sample(account.tags, rng.randint(1, 3))
    features = rng.sample(account.feature_options, rng.randint(1, 3))
    cells = {
        "Name": person.name,
        "Phone": phone,
        "Country": country,
        "Tags": sometimes(rng, 0.5, lambda: ", ".join(vary_case(rng, t, 0.2) for t in tags)),
        "Assigned User": user,
        "Team": team,
        "Note": sometimes(rng, 0.25, lambda: rng.choice(NOTES)),
        "Billing Address": sometimes(rng, 0.4, lambda: STREETS[person.region](rng)),
        "Invoice Email": sometimes(rng, 0.35, lambda: invoice_email(rng, person.name)),
        "Orders": sometimes(rng, 0.5, lambda: str(rng.choice([0, 1, 1, 2, 3, 5, 8, 12, 27, 40, 115]))),
        "Birthday": sometimes(rng, 0.4, lambda: random_birthday(rng).isoformat()),
        "Status": sometimes(rng, 0.6, lambda: vary_case(rng, rng.choice(account.status_options), 0.12)),
        "Features": sometimes(rng, 0.35, lambda: ", ".join(features)),
    }
    return Row(person, style, cells)


def random_birthday(rng: random.Random) -> dt.date:
    start = dt.date(1950, 1, 1)
    return start + dt.timedelta(days=rng.randrange((dt.date(2005, 12, 31) - start).days))


# ---------------------------------------------------------------------------------------------------------
# Broken rows


@dataclass(frozen=True)
class Break:
    index: int  # 0-based data row
    kind: str  # the problem, as named in expected.json
    variant: str  # which flavour of it (see BREAKS)


def plan_breaks(rng: random.Random) -> list[Break]:
    """One broken row in each of len(BREAKS) equal slices of the file, so they are spread out rather
    than clustered at the end. The first slice never gets a duplicate (it needs earlier rows to repeat),
    and the first data row is never broken."""
    size = ROWS // len(BREAKS)
    kinds = list(BREAKS)
    rng.shuffle(kinds)
    while kinds[0][0] == "duplicate_phone":
        rng.shuffle(kinds)
    return [
        Break(slice_ * size + rng.randrange(1 if slice_ == 0 else 0, size), kind, variant)
        for slice_, (kind, variant) in enumerate(kinds)
    ]


def sheet_row(index: int) -> int:
    """The row number a person sees: the header is row 1, the first data row is row 2."""
    return index + 2


def bad_phone(number: PhoneNumber, variant: str) -> str:
    """A phone cell that no importer should accept, derived from the person's real number."""
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    intl = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    values = {
        "too_short": national[:-3].rstrip(" -"),  # 612 34 5: the last digits never typed
        "letters": "sin número",  # "no number" written in the phone column
        "too_long": intl + " 88",  # two stray digits glued on
        "plus_on_national": "+" + national,  # +06 12 34 56 78: a + before the trunk prefix
    }
    value = values[variant]
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(value, phonenumbers.region_code_for_number(number)))
    except phonenumbers.NumberParseException:
        valid = False
    if valid:
        raise RuntimeError(f"bad phone {value!r} ({variant}) is valid after all")
    return value


def break_row(rng: random.Random, rows: list[Row], brk: Break, broken_indexes: set[int]) -> dict[str, Any]:
    """Give one row exactly one problem and describe it for expected.json."""
    row = rows[brk.index]
    cells, kind, variant = row.cells, brk.kind, brk.variant
    entry: dict[str, Any] = {"row": sheet_row(brk.index)}
    if kind == "bad_phone":
        cells["Phone"], cells["Country"] = bad_phone(row.person.number, variant), row.person.region
        entry.update(column="Phone", problem=kind, value=cells["Phone"])
    elif kind == "unknown_tag":
        tag = UNKNOWN_TAGS[variant]
        known = [rng.choice(["VIP", "Lead", "Customer"])] if variant == "among_known" else []
        cells["Tags"] = ", ".join([*known, tag])
        entry.update(column="Tags", problem=kind, value=tag)
    elif kind == "bad_dropdown":
        cells["Status"] = variant
        entry.update(column="Status", problem=kind, value=variant)
    elif kind == "missing_name":
        cells["Name"] = variant
        entry.update(column="Name", problem=kind, value=variant)
    elif kind == "duplicate_phone":
        # The same person entered again further down, the number spelled the other way round.
        was_international = variant == "national_of_international"
        candidates = [
            i
            for i in range(brk.index)
            if i not in broken_indexes and (rows[i].phone_style in INTERNATIONAL_STYLES) == was_international
        ]
        original_index = rng.choice(candidates)
        original = rows[original_index]
        phone, country, style = phone_cells(
            rng, original.person.region, original.person.number, international=not was_international
        )
        row.person, row.phone_style = original.person, style
        cells.update(Name=original.cells["Name"], Phone=phone, Country=country)
        entry.update(column="Phone", problem=kind, duplicate_of=sheet_row(original_index), value=phone)
    else:
        raise ValueError(f"unknown break kind {kind!r}")
    return entry


# ---------------------------------------------------------------------------------------------------------
# Writing


def build(rng: random.Random, account: Account) -> tuple[list[Row], list[dict[str, Any]]]:
    breaks = plan_breaks(rng)
    broken_indexes = {b.index for b in breaks}
    forced = {b.index: BAD_PHONE_COUNTRY[b.variant] for b in breaks if b.kind == "bad_phone"}
    people = make_people(rng, forced, reserved=broken_indexes)
    rows = [make_row(rng, account, person) for person in people]
    rows[rng.choice(sorted(set(range(ROWS)) - broken_indexes))].cells["Note"] = MULTILINE_NOTE
    broken = [break_row(rng, rows, brk, broken_indexes) for brk in breaks]
    return rows, sorted(broken, key=lambda e: e["row"])


def write_csv(path: Path, rows: list[Row]) -> None:
    # "\n" line ends keep git diffs clean; the note's embedded "\n" is inside a quoted field.
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row.cells for row in rows)


def excel_value(column: str, text: str) -> Any:
    """A cell as an Excel user ends up with it: digit-only phones become numbers (unless a leading zero
    would be lost), Orders are numbers, Birthdays are real dates, the rest is text, empty is empty."""
    if text == "":
        return None
    if column == "Phone" and text.isdigit() and not text.startswith("0"):
        return int(text)
    if column == "Orders":
        return int(text)
    if column == "Birthday":
        return dt.date.fromisoformat(text)
    return text


NOTES_SHEET = [
    "Sample contacts for the Callbell importer.",
    "Generated by sample_data/make_samples.py; do not edit by hand.",
    "The Contacts sheet holds the same people as contacts.csv, typed as in Excel:",
    "some phones and all Orders are numbers, Birthdays are dates.",
    "About 5% of the rows are broken on purpose; expected.json lists them.",
]


def write_xlsx(path: Path, rows: list[Row]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Contacts"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([excel_value(column, row.cells[column]) for column in COLUMNS])
    birthday_col = COLUMNS.index("Birthday") + 1
    for (cell,) in sheet.iter_rows(min_row=2, min_col=birthday_col, max_col=birthday_col):
        cell.number_format = "DD/MM/YYYY"  # what a European user sees; the value is the date itself
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Notes")
    for line in NOTES_SHEET:
        notes.append([line])
    # Pin the document dates so the file does not change on every run (openpyxl stamps "modified").
    fixed = dt.datetime(2025, 3, 1)
    workbook.properties.creator = "make_samples.py"
    workbook.properties.created = fixed
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(pin_zip_times(buffer.getvalue(), fixed))


def pin_zip_times(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite an xlsx with fixed zip timestamps and a fixed "modified" date, so the bytes only depend
    on the content."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            dst.writestr(
                zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6]),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()


def write_expected(path: Path, broken: list[dict[str, Any]]) -> None:
    expected = {"rows": ROWS, "valid": ROWS - len(broken), "broken": broken}
    path.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="directory to write into (default: %(default)s)")
    parser.add_argument("--account", type=Path, default=ACCOUNT_FILE, help="account file (default: %(default)s)")
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    rows, broken = build(rng, load_account(args.account))
    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "contacts.csv", rows)
    write_xlsx(args.out / "contacts.xlsx", rows)
    write_expected(args.out / "expected.json", broken)
    print(f"wrote {ROWS} rows ({len(broken)} broken) to {args.out}")


if __name__ == "__main__":
    main()
