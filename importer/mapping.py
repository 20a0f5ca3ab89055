"""Map spreadsheet columns to Callbell contact fields by their headers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from importer.account import Account

# Contact fields a column can feed. `first_name`/`last_name` are joined into `name`; `country` is not sent,
# it is the region used to read national phone spellings on that row.
FIELDS = (
    "name",
    "first_name",
    "last_name",
    "phone",
    "country",
    "tags",
    "assigned_user",
    "team",
    "note",
    "source",
    "bot_status",
    "channel",
)

# Normalized header spellings (see normalize_header) for each field, English and Spanish.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "contact name", "display name", "nombre", "nombre completo", "contacto"),
    "first_name": ("first name", "given name", "firstname", "nombre de pila", "primer nombre"),
    "last_name": ("last name", "family name", "surname", "lastname", "apellido", "apellidos"),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "tel",
        "mobile",
        "mobile phone",
        "mobile number",
        "cell",
        "cell phone",
        "whatsapp",
        "whatsapp number",
        "identifier",
        "telefono",
        "numero de telefono",
        "movil",
        "telefono movil",
        "celular",
        "numero",
        "numero de whatsapp",
    ),
    "country": ("country", "country code", "pais", "region", "country region"),
    "tags": ("tags", "tag", "labels", "etiquetas", "etiqueta"),
    "assigned_user": (
        "assigned user",
        "assigned to",
        "assignee",
        "agent",
        "agent email",
        "owner",
        "owner email",
        "contact owner",
        "usuario asignado",
        "agente",
        "asignado a",
        "responsable",
    ),
    "team": ("team", "team uuid", "equipo"),
    "note": ("note", "notes", "comment", "comments", "nota", "notas", "comentarios"),
    "source": ("source", "origen", "fuente"),
    "bot_status": ("bot status", "bot", "estado del bot"),
    "channel": ("channel", "channel uuid", "canal"),
}
_LOOKUP = {spelling: name for name, spellings in SYNONYMS.items() for spelling in spellings}
_NON_WORD = re.compile(r"[^0-9a-z]+")
CUSTOM_PREFIX = "cf:"


def normalize_header(header: str) -> str:
    """Case-, accent- and spacing-insensitive form: ' Teléfono_Móvil ' -> 'telefono movil'."""
    text = unicodedata.normalize("NFKD", header.replace("\ufeff", "")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", text).strip()


@dataclass
class Mapping:
    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)  # contact field -> column index
    custom_fields: dict[str, int] = field(default_factory=dict)  # account custom field name -> column index
    unmapped: list[int] = field(default_factory=list)  # column indexes that feed nothing

    def column(self, index: int) -> str:
        return self.headers[index] or f"column {index + 1}"

    def describe(self) -> list[str]:
        lines = [f"{self.column(i)} -> {name}" for name, i in self.fields.items()]
        lines += [f"{self.column(i)} -> custom field {name!r}" for name, i in self.custom_fields.items()]
        return lines


def detect_mapping(headers: list[str], account: Account) -> Mapping:
    mapping = Mapping(headers=list(headers))
    custom_by_norm = {normalize_header(name): name for name in account.custom_fields}
    for index, header in enumerate(headers):
        stripped = header.strip()
        if stripped.casefold().startswith(CUSTOM_PREFIX):
            target = stripped[len(CUSTOM_PREFIX) :].strip()
            name = custom_by_norm.get(normalize_header(target), target)
            mapping.custom_fields.setdefault(name, index)
            continue
        norm = normalize_header(header)
        # The account's own custom fields win over the built-in synonyms: a field named "Status" is data.
        if norm in custom_by_norm and custom_by_norm[norm] not in mapping.custom_fields:
            mapping.custom_fields[custom_by_norm[norm]] = index
        elif norm in _LOOKUP and _LOOKUP[norm] not in mapping.fields:
            mapping.fields[_LOOKUP[norm]] = index
        else:
            mapping.unmapped.append(index)
    return mapping
