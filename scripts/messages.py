"""`make messages`: extract the importer's messages into importer/i18n/locales/importer.pot and update each
language's importer.po from it (Babel's extract and update, as `pybabel extract` / `pybabel update` do).

    .venv/bin/python scripts/messages.py            # extract + update (new msgids arrive untranslated)
    .venv/bin/python scripts/messages.py --check    # exit 1 when the .pot is behind the source, or a
                                                    # language lacks a translation (tests/i18n runs it)

Messages are found by their markers (importer.i18n.message: N_, NP_; Translator.gettext/ngettext): KEYWORDS.
The .pot and .po files are rewritten only when their messages changed, so dates in headers do not churn.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "importer"
LOCALES = SOURCE / "i18n" / "locales"
POT = LOCALES / "importer.pot"
LANGS = ("es", "pt", "it", "fr", "de")  # importer.i18n.translator.LANGS but English (the msgids themselves)
KEYWORDS = {"N_": None, "NP_": (1, 2), "gettext": None, "ngettext": (1, 2)}


def extract() -> Catalog:
    catalog = Catalog(project="callbell-importer", domain="importer", charset="utf-8")
    found = extract_from_dir(str(SOURCE), method_map=[("**.py", "python")], keywords=KEYWORDS, strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        path = (SOURCE / filename).relative_to(ROOT).as_posix()
        catalog.add(
            message, None, [(path, lineno)], auto_comments=comments, context=context, flags=("python-brace-format",)
        )
    return catalog


def ids(catalog: Catalog) -> set[tuple[str, ...]]:
    return {tuple(m.id) if isinstance(m.id, (list, tuple)) else (m.id,) for m in catalog if m.id}


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        # Files, not line numbers: a line moved in the source would leave every reference stale.
        write_po(fh, catalog, width=116, sort_output=False, include_previous=True, include_lineno=False)


def untranslated(catalog: Catalog) -> list[str]:
    """The msgids of `catalog` with an empty or fuzzy translation."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(strings):
            missing.append(message.id[0] if isinstance(message.id, (list, tuple)) else message.id)
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when something is behind")
    args = parser.parse_args()
    template = extract()
    problems = []
    if not POT.exists() or ids(read(POT)) != ids(template):
        if args.check:
            problems.append(f"{POT.relative_to(ROOT)} is behind the source: run `make messages`")
        else:
            write(POT, template)
            print(f"wrote {POT.relative_to(ROOT)} ({len(template)} messages)")
    for lang in LANGS:
        po = LOCALES / lang / "LC_MESSAGES" / "importer.po"
        catalog = read(po, lang) if po.exists() else Catalog(locale=lang, domain="importer", charset="utf-8")
        if ids(catalog) != ids(template) and not args.check:
            catalog.update(template, update_header_comment=False)
            catalog.obsolete.clear()  # a message gone from the source is gone: git keeps its history
            write(po, catalog)
            print(f"updated {po.relative_to(ROOT)}")
        missing = untranslated(catalog)
        if missing:
            problems.append(f"{lang}: {len(missing)} messages without a translation, e.g. {missing[0]!r}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
