"""The options of `importer import`, `validate` and `undo`, each declared once: its name, type, default, allowed
values, help text, the commands that take it, whether the Python API takes it, and whether a mapping config's
`[options]` may pin it.

Everything else reads this table: the click flags (importer.commands.flags), the API's keyword check and
defaults (importer.pipeline.run_options), `ImportOptions`, `UndoOptions` and the validator's defaults, and the
config file's `[options]` keys and choices (importer.mapping.config). A new option is one entry here plus the
code that uses it.

Low in the layers on purpose (it imports nothing of the importer, and not click, which the validation workers
never need), so that every stage may read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

IMPORT = frozenset({"import", "validate"})  # validate is `import --dry-run`: the same flags but --dry-run
Api = Literal["option", "argument"]  # a keyword in **options, or one of the API functions' own arguments


@dataclass(frozen=True)
class RunOption:
    name: str  # the keyword; its flag is --name-with-dashes
    type: type = str  # str, int, float, bool or Path; a bool defaulting to None is a --x/--no-x switch
    default: Any = None  # what a run uses when neither the caller nor a config's [options] gives a value
    help: str = ""
    choices: tuple[str, ...] = ()
    commands: frozenset[str] = IMPORT  # the commands that take it as a flag
    api: Api | None = "option"  # None: a flag of the commands only
    pinnable: bool = False  # a config's [options] may pin it: not given stays None so that the config can win
    short: str | None = None  # a one-letter alias, "-o"
    file: bool = False  # a Path that must not be a directory (shown as FILE)
    minimum: float | None = None  # a float flag's lower bound, checked by click
    envvar: str | None = None  # click reads the flag from this variable too
    file_only: bool = False  # about reading a file: import_records, whose rows are records, has none
    help_for: dict[str, str] = field(default_factory=dict, hash=False)  # a command's own wording, where it differs

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def given_default(self) -> Any:
        """The default of the flag and of the API keyword: None for a pinnable option, so that a config's
        [options] still applies when the caller gave nothing."""
        return None if self.pinnable else self.default

    def help_in(self, command: str) -> str:
        return self.help_for.get(command, self.help)


_UNDO_SETTLE = "Seconds after an unanswered create before looking it up (reads may trail writes), as for import."
_STATE_OF_IMPORT = "State file of the import [RESULTS.state.db]."
_CLIENT = frozenset({"import", "validate", "undo"})

# In the order `importer import --help` lists them; a command lists its own in this order, after LEADING's.
OPTIONS: tuple[RunOption, ...] = (
    RunOption(
        "account_file",
        Path,
        help="TOML file describing the account's tags, users, custom fields; `importer account pull` writes one.",
        api="argument",
        short="-a",
    ),
    RunOption("results", Path, help="Results file, .csv or .xlsx [FILE.results.csv].", short="-o"),
    RunOption("report", Path, help="HTML report of the run, to send to the client [RESULTS.report.html].", file=True),
    RunOption("default_region", help="Country (ISO code, e.g. ES) for phones written without +CC.", pinnable=True),
    RunOption(
        "phone_format",
        default="digits",
        choices=("digits", "e164"),
        help="Identifier form: 34600112233 (as in Callbell's docs; the default) or +34600112233.",
        pinnable=True,
    ),
    RunOption("source", default="whatsapp", help="Source for rows without one [whatsapp].", pinnable=True),
    RunOption(
        "config",
        Path,
        help="Pinned column mapping and options (write one with `importer mapping`).",
        short="-c",
        file=True,
    ),
    RunOption("encoding", help="CSV encoding (detected when not given).", pinnable=True, file_only=True),
    RunOption(
        "delimiter",
        help="CSV delimiter (detected when not given; use '\\t' for tab).",
        pinnable=True,
        file_only=True,
    ),
    RunOption(
        "sheet", help="Excel sheet name or 0-based index [first sheet with data].", pinnable=True, file_only=True
    ),
    # callbell.client's DEFAULT_BASE_URL and callbell.credentials' names, restated (this module imports none of
    # the importer); tests/test_options.py holds them equal.
    RunOption(
        "base_url",
        default="https://api.callbell.eu/v1",
        help="API base URL (or CALLBELL_BASE_URL).",
        commands=_CLIENT,
        api="argument",
        envvar="CALLBELL_BASE_URL",
    ),
    RunOption(
        "token_file",
        Path,
        help="Read the API token from this file instead of CALLBELL_API_TOKEN.",
        commands=_CLIENT,
        file=True,
    ),
    RunOption(
        "on_existing",
        default="skip",
        choices=("skip", "update", "fail"),
        help="A contact already in the account: leave it, PATCH it with what the file changed, or fail the row.",
    ),
    RunOption(
        "tags",
        default="add",
        choices=("add", "replace"),
        help="Updating a contact: keep its tags and add the row's, or set exactly the row's tags.",
    ),
    RunOption(
        "on_missing",
        default="keep",
        help="keep, tag:NAME or delete: what happens to the contacts this job created or synced before that are"
        " not among the rows now (tag:NAME adds the tag, removed when they come back; delete deletes them in"
        " Callbell). See --max-missing.",
    ),
    RunOption(
        "max_missing",
        default="10%",
        help="Hold back every removal of --on-missing when more contacts are missing than this: a number N, or P%"
        " of the contacts the job knows.",
    ),
    RunOption(
        "state",
        Path,
        help="Ledger file [RESULTS.state.db].",
        commands=frozenset({*IMPORT, "undo", "runs"}),
        file=True,
        help_for={"undo": _STATE_OF_IMPORT, "runs": _STATE_OF_IMPORT},
    ),
    RunOption(
        "rate",
        float,
        250.0,
        help="Requests per second for the whole run.",
        commands=_CLIENT,
        help_for={"undo": "Requests per second."},
    ),
    RunOption(
        "concurrency", int, help="Requests in flight [sized from --rate and the API's latency].", commands=_CLIENT
    ),
    RunOption("max_retries", int, 6, help="Retries per request.", commands=_CLIENT),
    RunOption("timeout", float, 30.0, help="Read timeout in seconds.", commands=_CLIENT),
    RunOption(
        "settle",
        float,
        3.0,  # reads may trail writes: a look-up right after a lost answer could miss the contact it made
        help="Seconds to wait after a lost answer before looking the contact up (reads may trail writes).",
        commands=_CLIENT,
        minimum=0,
        help_for={"undo": _UNDO_SETTLE},
    ),
    RunOption("workers", int, help="Processes that validate rows [every core]."),
    # The command's switch; the API's `progress` argument is a Progress or a callback instead.
    RunOption("progress", bool, help="Progress bar [on when stderr is a terminal].", commands=_CLIENT, api="argument"),
    RunOption(
        "log_every",
        float,
        5.0,
        help="Seconds between progress lines when there is no progress bar.",
        api=None,
        minimum=0.1,
    ),
    RunOption(
        "log_format",
        default="text",
        choices=("text", "json"),
        help="Progress and summary lines on stderr as text or JSON (one object per line, for schedulers).",
        api=None,
    ),
    RunOption(
        "dry_run",
        bool,
        False,
        help="Validate every row and write the results; send nothing.",
        commands=frozenset({"import", "undo"}),
        help_for={"undo": "List what would be deleted and restored; send nothing."},
    ),
    RunOption(
        "run",
        help="The run to undo (an id or its first characters, see `importer runs`) [last].",
        commands=frozenset({"undo"}),
        api=None,
    ),
    RunOption(
        "yes",
        bool,
        False,
        help="Do not ask; required when not at a terminal.",
        commands=frozenset({"undo"}),
        api=None,
        short="-y",
    ),
    RunOption(
        "token",
        help="The API token [the token_file's, else CALLBELL_API_TOKEN].",
        commands=frozenset(),
        api="argument",
    ),
)
# Options a command lists before the others, in this order: undo names the run before how to reach the API.
LEADING: dict[str, tuple[str, ...]] = {"undo": ("run", "yes", "dry_run", "state")}

BY_NAME: dict[str, RunOption] = {option.name: option for option in OPTIONS}


def default(name: str) -> Any:
    """The value a run uses for option `name` when nothing gives one."""
    return BY_NAME[name].default


def choices(name: str) -> tuple[str, ...]:
    return BY_NAME[name].choices


def of_command(command: str) -> list[RunOption]:
    """The flags of `command`, in the order its --help lists them."""
    first = [BY_NAME[name] for name in LEADING.get(command, ())]
    leading = set(LEADING.get(command, ()))
    return first + [o for o in OPTIONS if command in o.commands and o.name not in leading]


def api_keywords(*, files: bool = True, dry_run: bool = True) -> dict[str, Any]:
    """The keywords an API function takes in **options, with their defaults: of `import_file` (a file, dry_run),
    `validate_file` (dry_run=False) or `import_records` (files=False)."""
    return {
        o.name: o.given_default
        for o in OPTIONS
        if o.api == "option" and (files or not o.file_only) and (dry_run or o.name != "dry_run")
    }


def api_arguments() -> tuple[str, ...]:
    """The API functions' own keyword arguments, named in the TypeError for an unknown keyword too."""
    return tuple(o.name for o in OPTIONS if o.api == "argument")


def pinnable() -> tuple[str, ...]:
    """The keys a config file's [options] may pin, in table order."""
    return tuple(o.name for o in OPTIONS if o.pinnable)
