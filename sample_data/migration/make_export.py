"""Writes contatos.csv: a Brazilian CRM export as Excel saves it in Brazil (cp1252, ';'), for the README's
step-by-step migration. Run it again to rebuild the file: `python sample_data/migration/make_export.py`."""

from __future__ import annotations

import csv
import random
from pathlib import Path

HEADERS = ["Nome", "Sobrenome", "Celular", "E-mail", "Marcadores", "Proprietário do contato", "Status", "Observações"]
FIRST = ["Ana", "João", "Maria", "Pedro", "Luíza", "Carlos", "Fernanda", "Rafael", "Juliana", "Thiago", "Beatriz"]
LAST = ["Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Rodrigues", "Almeida", "Nascimento"]
TAGS = ["Cliente VIP", "Newsletter", "Lead", "", "", "Cliente VIP, Newsletter"]
OWNERS = ["joao.vendas@crmantigo.com.br", "marta@example.com", "renata@crmantigo.com.br", ""]
STATUS = ["Ativo", "Ativo", "Cancelado", "Em teste", ""]


def rows(n: int = 30) -> list[list[str]]:
    rng = random.Random(9)
    out = []
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        area = rng.choice(["11", "21", "31", "41", "51", "61", "71", "81"])
        number = f"9{rng.randint(6000, 9999)}-{rng.randint(0, 9999):04d}"
        spelling = i % 4
        phone = (
            f"({area}) {number}" if spelling == 0 else
            f"+55 {area} {number}" if spelling == 1 else
            f"0{area} {number.replace('-', '')}" if spelling == 2 else
            f"{area}{number.replace('-', '')}"
        )  # fmt: skip
        if i == 17:
            phone = f"({area}) 3456-7890 ramal 203"  # an office line with its extension
        email = f"{first.lower()}.{last.lower()}@exemplo.com.br".replace("ã", "a").replace("í", "i")
        note = "Prefere contato por WhatsApp" if i % 5 == 0 else ""
        out.append(
            [first, last, phone, email, TAGS[i % len(TAGS)], OWNERS[i % len(OWNERS)], STATUS[i % len(STATUS)], note]
        )
    return out


def main() -> None:
    path = Path(__file__).with_name("contatos.csv")
    with path.open("w", encoding="cp1252", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADERS)
        writer.writerows(rows())


if __name__ == "__main__":
    main()
