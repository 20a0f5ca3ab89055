"""`importer mapping FILE`: show how FILE's columns map, as a config file a scheduled job can pin.

importer mapping contacts.csv -a account.toml > importer.toml
"""

from __future__ import annotations

from pathlib import Path

import click

from importer.account.model import Account, AccountFileError, load_account
from importer.commands.flags import named_flags
from importer.commands.guard import error_text, fail, translator_for
from importer.errors import AccountError, ConfigError, ImporterError
from importer.i18n.message import N_
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
    tr = translator_for(lang, config_path)  # its errors in the run's language (the comments it writes: English)
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
) -> tuple[str, list[str]]:
    """The config text for FILE and the warnings for stderr; raises ImporterError subclasses."""
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

    warnings: list[str] = []
    if "phone" not in mapping.fields:
        warnings.append(
            'no phone column found: map one in [columns] with "Header" = "phone"' + _maybe(mapping, "phone")
        )
    if "name" not in mapping.fields and not mapping.name_parts:
        warnings.append('no name column found: map one in [columns] with "Header" = "name"' + _maybe(mapping, "name"))
    for index, why in mapping.inferred.items():
        column, target = mapping.column(index), mapping.target(index)
        warnings.append(f"{column!r} -> {target}: inferred from the values ({why}); check it")
    if account is not None:
        for name in mapping.custom_fields:
            if name not in account.custom_fields:
                warnings.append(f"{name!r} is not a custom field in {account_file}: add it there or fix the header")
    used = len(mapping.headers) - len(mapping.unmapped)
    comments = [
        f"Column mapping for {file.name} ({table.description}"
        + (", no header row: columns named by position" if table.headerless else "")
        + ").",
        (f"Recognized: {mapping.layout} export. " if mapping.layout else "")
        + f"{len(mapping.headers)} columns: {used} used, {len(mapping.unmapped)} not mapped.",
        f"Custom fields from {account_file}."
        if account_file is not None
        else "No --account-file: only headers written cf:<field> map to custom fields.",
    ]
    if config_path is not None:
        comments.append(f"Started from {config_path}.")
    comments += [f"WARNING: {w}" for w in warnings]
    comments.append(f"Pin it: importer mapping {file.name} -a ACCOUNT > importer.toml, then run with --config.")
    rules = config.values if config else ValueRules()
    found: list[dict[str, object]] = []
    if account is not None:
        resolved = resolve_value_rules(rules, account)  # a wrong right side: one line, exit 2
        if scan_values and not warnings_block_scan(warnings):
            validation = Options(default_region=pinned.get("default_region"), values=resolved)
            found = [e for e in scan(table, account, mapping, validation).entries() if e.get("target")]
            if found:
                rows = sum(int(e["rows"]) for e in found if e["severity"] == "error")
                warnings.append(
                    f"{len(found)} value(s) of the file are not in the account ({rows:,} rows): "
                    "map them in the [values] sections at the end"
                )
    # The input and options of a config it started from are kept, paths written relative to its folder as before.
    source = config.input_spec() if config else {}
    if "input" in source and is_local(source["input"]):
        source["input"] = Path(source["input"])
    folder = config_path.parent if config_path is not None else None
    text = mapping_to_toml(mapping, auto=False, options=pinned, comments=comments, source=source, folder=folder)
    return text + "\n" + values_to_toml(rules, found, account), warnings


def _maybe(mapping: Mapping, field: str) -> str:
    tied = mapping.ambiguous.get(field)
    if tied:
        both = " and ".join(repr(mapping.column(i)) for i in tied)
        return f" ({both} fit it equally by their values: pick one)"
    found = phone_look_alikes(mapping) if field == "phone" else name_look_alikes(mapping)
    return f" (it may be {' or '.join(repr(mapping.column(s.index)) for s in found)})" if found else ""


def warnings_block_scan(warnings: list[str]) -> bool:
    """Without a phone or name column the rows cannot be checked: the mapping must be fixed first."""
    return any(w.startswith(("no phone column", "no name column")) for w in warnings)
