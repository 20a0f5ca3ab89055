"""`importer mapping FILE`: show how FILE's columns map, as a config file a scheduled job can pin.

importer mapping contacts.csv -a account.toml > importer.toml
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from importer.account.model import Account, AccountFileError, load_account
from importer.commands.flags import named_flags
from importer.commands.guard import error_text, fail, translator_for
from importer.errors import AccountError, ConfigError, ImporterError
from importer.i18n.message import N_, NP_, Message, Text
from importer.i18n.translator import Translator, detect_lang
from importer.mapping.columns import Mapping, build_mapping
from importer.mapping.config import is_local, load_mapping_config
from importer.mapping.headers import vocabulary
from importer.mapping.hints import name_look_alikes, phone_look_alikes
from importer.mapping.values import ValueRules, resolve_value_rules, values_to_toml
from importer.mapping.writer import mapping_to_toml
from importer.phones.numbers import is_region
from importer.pipeline.check import scan
from importer.reading.files import open_table
from importer.validation.validator import Options


@click.command("mapping")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--account-file",
    "-a",
    type=click.Path(path_type=Path),
    help="Account TOML: headers equal to its custom fields map to them [none: only cf: headers do].",
)
@click.option(
    "--config",
    "-c",
    "config_path",
    type=click.Path(path_type=Path),
    help="Mapping config to start from: its [columns] override detection, its [options] are kept.",
)
@click.option("--encoding", help="CSV encoding [config's, else detected].")
@click.option("--delimiter", help="CSV delimiter [config's, else detected; '\\t' for tab].")
@click.option("--sheet", help="Excel sheet name or 0-based index [config's, else the first with data].")
@click.option("--default-region", help="Country (e.g. BR) for phones without +CC: pinned in [options].")
@click.option(
    "--scan/--no-scan",
    default=True,
    show_default=True,
    help="With --account-file: read every row and list the values the account lacks in [values] sections.",
)
@named_flags("lang", command="mapping")
def mapping_command(
    file: Path,
    account_file: Path | None,
    config_path: Path | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    default_region: str | None,
    scan: bool,
    lang: str | None,
) -> None:
    """Print the column mapping of FILE as a TOML config (for --config); unmapped columns are listed, and (with
    --account-file) the file's values that the account lacks, ready to map in [values] sections."""
    # The comments it writes and what it says on stderr, in the run's language (a config's lang when no --lang).
    tr = translator_for(lang, config_path)
    try:
        text, warnings = render_mapping(
            file,
            account_file=account_file,
            config_path=config_path,
            encoding=encoding,
            delimiter=delimiter,
            sheet=sheet,
            default_region=default_region,
            scan_values=scan,
            lang=lang,
        )
    except ImporterError as exc:
        fail(error_text(exc, tr), int(exc.exit_code))
    for warning in warnings:
        click.echo(f"importer: warning: {tr.render(warning)}", err=True)
    click.echo(text, nl=False)


def render_mapping(
    file: Path,
    *,
    account_file: Path | None = None,
    config_path: Path | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    default_region: str | None = None,
    scan_values: bool = True,
    lang: str | None = None,
) -> tuple[str, list[Text]]:
    """The config text for FILE and the warnings for stderr (Messages); raises ImporterError subclasses. The
    comments are in `lang`, else the config's [options] lang, else the environment's (importer.i18n)."""
    account: Account | None = None
    if account_file is not None:
        try:
            account = load_account(account_file)
        except AccountFileError as exc:
            raise AccountError(exc.message) from None  # exit code 3, as for `importer import`
    config = load_mapping_config(config_path) if config_path is not None else None
    pinned = dict(config.options) if config else {}
    if default_region is not None:
        if not is_region(default_region):
            raise ConfigError(
                N_("{name}: {value!r} is not a two-letter country code such as ES", name="--default-region",
                   value=default_region)
            )  # fmt: skip
        pinned["default_region"] = default_region.strip().upper()
    tr = Translator.for_lang(lang or pinned.get("lang") or detect_lang(os.environ))
    # Explicit flags beat the config's pinned settings, which beat detection.
    delimiter = delimiter if delimiter is not None else pinned.get("delimiter")
    if delimiter in ("\\t", "tab"):
        delimiter = "\t"
    table = open_table(
        file,
        encoding=encoding or pinned.get("encoding"),
        delimiter=delimiter,
        sheet=sheet if sheet is not None else pinned.get("sheet"),
        header_score=vocabulary().header_score,
    )
    sample = [row.values for row in table.sample()]
    mapping = build_mapping(table.headers, account, config, sample, pinned.get("default_region"))

    warnings: list[Text] = []
    for field in ("phone", "name"):
        if field not in mapping.fields and (field == "phone" or not mapping.name_parts):
            warnings.append(_missing(mapping, field))
    blocked = bool(warnings)  # without a phone or name column the rows cannot be checked: fix the mapping first
    for index, why in mapping.inferred.items():
        column, target = mapping.column(index), mapping.target(index)
        warnings.append(
            N_(
                "{column!r} -> {target}: inferred from the values ({why}); check it",
                column=column,
                target=target,
                why=why,
            )
        )
    if account is not None:
        for name in mapping.custom_fields:
            if name not in account.custom_fields:
                warnings.append(
                    N_(
                        "{name!r} is not a custom field in {file}: add it there or fix the header",
                        name=name,
                        file=str(account_file),
                    )
                )
    used = len(mapping.headers) - len(mapping.unmapped)
    described = (
        N_("{description}, no header row: columns named by position", description=table.description)
        if table.headerless
        else table.description
    )
    counted = NP_(
        "{n} column: {used} used, {unmapped} not mapped.",
        "{n} columns: {used} used, {unmapped} not mapped.",
        len(mapping.headers),
        used=used,
        unmapped=len(mapping.unmapped),
    )
    comments: list[Text] = [
        N_("Column mapping for {file} ({description}).", file=file.name, description=described),
        N_("Recognized: {layout} export. {counts}", layout=mapping.layout, counts=counted)
        if mapping.layout
        else counted,
        N_("Custom fields from {file}.", file=str(account_file))
        if account_file is not None
        else N_("No --account-file: only headers written cf:<field> map to custom fields."),
    ]
    if config_path is not None:
        comments.append(N_("Started from {file}.", file=str(config_path)))
    comments += [N_("WARNING: {warning}", warning=w) for w in warnings]
    comments.append(
        N_("Pin it: importer mapping {file} -a ACCOUNT > importer.toml, then run with --config.", file=file.name)
    )
    rules = config.values if config else ValueRules()
    found: list[dict[str, object]] = []
    if account is not None:
        resolved = resolve_value_rules(rules, account)  # a wrong right side: one line, exit 2
        if scan_values and not blocked:
            validation = Options(default_region=pinned.get("default_region"), values=resolved)
            found = [e for e in scan(table, account, mapping, validation).entries() if e.get("target")]
            if found:
                rows = sum(int(e["rows"]) for e in found if e["severity"] == "error")
                warnings.append(
                    NP_(
                        "{n} value of the file is not in the account ({total}): map it in the [values] sections at"
                        " the end",
                        "{n} values of the file are not in the account ({total}): map them in the [values] sections at"
                        " the end",
                        len(found),
                        total=NP_("{n} row", "{n} rows", rows),
                    )
                )
    # The input and options of a config it started from are kept, paths written relative to its folder as before.
    source = config.input_spec() if config else {}
    if "input" in source and is_local(source["input"]):
        source["input"] = Path(source["input"])
    folder = config_path.parent if config_path is not None else None
    text = mapping_to_toml(mapping, auto=False, options=pinned, comments=comments, source=source, folder=folder, tr=tr)
    return text + "\n" + values_to_toml(rules, found, account, tr=tr), warnings


def _missing(mapping: Mapping, field: str) -> Message:
    """No phone (name) column: how to map one, and the columns that may be it."""
    message = _NO_COLUMN[field]
    tied = mapping.ambiguous.get(field)
    if tied:
        both = " and ".join(repr(mapping.column(i)) for i in tied)
        return N_("{message} ({candidates} fit it equally by their values: pick one)", message=message, candidates=both)
    found = phone_look_alikes(mapping) if field == "phone" else name_look_alikes(mapping)
    if not found:
        return message
    columns = " or ".join(repr(mapping.column(s.index)) for s in found)
    return N_("{message} (it may be {candidates})", message=message, candidates=columns)


_NO_COLUMN = {
    "phone": N_('no phone column found: map one in [columns] with "Header" = "phone"'),
    "name": N_('no name column found: map one in [columns] with "Header" = "name"'),
}
