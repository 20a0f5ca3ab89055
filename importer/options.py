"""The options of `importer import`, `validate` and `undo`, each declared once: its name, type, default, allowed
values, help text, the commands that take it, whether the Python API takes it, and why a config file's
`[options]` may not set it (every other option of `import` it may).

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
CONFIGURED = IMPORT  # the commands that read a --config file, whose [options] may set their options
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
    not_in_config: str = ""  # why a config's [options] may not set it; "" (an option of import): it may
    short: str | None = None  # a one-letter alias, "-o"
    file: bool = False  # a Path that must not be a directory (shown as FILE)
    minimum: float | None = None  # a float flag's lower bound, checked by click
    envvar: str | None = None  # click reads the flag from this variable too
    file_only: bool = False  # about reading a file: import_records, whose rows are records, has none
    multiple: bool = False  # repeatable flag; the API keyword takes one value or a list, the default is ()
    help_for: dict[str, str] = field(default_factory=dict, hash=False)  # a command's own wording, where it differs

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def pinnable(self) -> bool:
        """A config's [options] may set it: every option of `import` but those with a reason not to."""
        return bool(self.commands & CONFIGURED) and not self.not_in_config

    @property
    def given_default(self) -> Any:
        """The default of the API keyword and of import's flag: None for a pinnable option, so that "not given"
        stays visible and a config's [options] still applies; the table's default comes after the config."""
        return None if self.pinnable else self.default

    def default_in(self, command: str) -> Any:
        """The default of `command`'s flag: a command without --config (undo, account pull) has the table's."""
        return self.given_default if command in CONFIGURED else self.default

    def help_in(self, command: str) -> str:
        return self.help_for.get(command, self.help)


_UNDO_SETTLE = "Seconds after an unanswered create before looking it up (reads may trail writes), as for import."
_STATE_OF_IMPORT = "State file of the import [RESULTS.state.db]."
_CLIENT = frozenset({"import", "validate", "undo"})
_INPUT_KEY = "the input is a top-level key of the file: input, or db with query or query_file"

# In the order `importer import --help` lists them; a command lists its own in this order, after LEADING's.
OPTIONS: tuple[RunOption, ...] = (
    RunOption(
        "account_file",
        Path,
        help="TOML file describing the account's tags, users, custom fields; `importer account pull` writes one.",
        api="argument",
        short="-a",
    ),
    RunOption(
        "results",
        Path,
        help="Results file, .csv or .xlsx [FILE.results.csv; a URL's, stdin's or query's: NAME.results.csv here].",
        short="-o",
    ),
    RunOption("report", Path, help="HTML report of the run, to send to the client [RESULTS.report.html].", file=True),
    RunOption("default_region", help="Country (ISO code, e.g. ES) for phones written without +CC."),
    RunOption(
        "phone_format",
        default="digits",
        choices=("digits", "e164"),
        help="Identifier form: 34600112233 (as in Callbell's docs; the default) or +34600112233.",
    ),
    RunOption("source", default="whatsapp", help="Source for rows without one [whatsapp]."),
    RunOption(
        "config",
        Path,
        help="The job in one file: column mapping, input and options (write one with `importer mapping`).",
        short="-c",
        file=True,
        not_in_config="a config file cannot name another one",
    ),
    RunOption("encoding", help="CSV encoding (detected when not given).", file_only=True),
    RunOption(
        "delimiter",
        help="CSV delimiter (detected when not given; use '\\t' for tab).",
        file_only=True,
    ),
    RunOption("sheet", help="Excel sheet name or 0-based index [first sheet with data].", file_only=True),
    # Where the rows come from besides FILE (importer.sources): the kind of bytes of standard input or a URL, and a
    # SQL query. The database URL is a secret: never shown, not even as a default (click shows no env value).
    RunOption(
        "format",
        choices=("csv", "xlsx", "xls", "ods"),
        help="Kind of file of standard input or a URL, when its bytes cannot tell [detected].",
        file_only=True,
    ),
    RunOption(
        "db",
        help="Database URL to run --query on (postgresql://user@host/db, sqlite:///file.db), or IMPORTER_DB_URL.",
        envvar="IMPORTER_DB_URL",  # importer.sources.spec's DB_URL_ENV, restated
        file_only=True,
        not_in_config=_INPUT_KEY,
    ),
    RunOption(
        "query",
        help="SQL whose rows are the input, instead of FILE (with --db).",
        file_only=True,
        not_in_config=_INPUT_KEY,
    ),
    RunOption(
        "query_file",
        Path,
        help="Read the --query from this file.",
        file=True,
        file_only=True,
        not_in_config=_INPUT_KEY,
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
        "duplicates",
        default="first",
        choices=("first", "last", "merge"),
        help="Rows of the file with the same phone: send the first (the others end `duplicate`), the last, or"
        " merge them into one contact (tags joined, each field from the first row that fills it).",
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
        300.0,
        help="Requests per second for the whole run.",
        commands=_CLIENT,
        help_for={"undo": "Requests per second."},
    ),
    RunOption(
        "concurrency", int, help="Requests in flight [follows the latency measured during the run].", commands=_CLIENT
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
    # importer.i18n.translator.LANGS, restated (this module imports none of the importer); tests/test_options.py
    # holds them equal. None: the environment's locale decides (importer.i18n.translator.detect_lang).
    RunOption(
        "lang",
        choices=("en", "es", "pt", "it", "fr", "de"),
        help="Language of the messages, the error and warning columns and the report [the locale of LC_ALL,"
        " LC_MESSAGES or LANG when one of these, else en]. Column names, statuses and --help stay English.",
        commands=frozenset({*IMPORT, "undo", "runs"}),
    ),
    # Telling someone (importer.notify): the URLs carry tokens, so nothing prints them past scheme://host/….
    RunOption(
        "notify",
        default=(),
        help="Webhook URL (Slack, Teams) to POST the run's outcome to as JSON; repeatable; see --notify-on.",
        multiple=True,
    ),
    RunOption(
        "notify_on",
        default="problems",
        choices=("problems", "always"),
        help="When --notify posts: only when the exit code is not 0, or after every run.",
    ),
    RunOption(
        "ping",
        help="Dead-man's switch URL (healthchecks.io): URL/start when the run starts, URL/<exit code> when it ends.",
    ),
    RunOption(
        "metrics_file",
        Path,
        help="Prometheus textfile (node-exporter's textfile collector) of the run's outcome, written atomically.",
        file=True,
    ),
    RunOption(
        "dry_run",
        bool,
        False,
        help="Validate every row and write the results; send nothing.",
        commands=frozenset({"import", "undo"}),
        # A file that quietly turns a job into a dry run (or back) is a trap: the command line says it.
        not_in_config="say it on the command line (--dry-run, or `importer validate`)",
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
        not_in_config="the token is a secret: use token_file (or CALLBELL_API_TOKEN)",
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
    """The keys a config file's [options] may set, in table order."""
    return tuple(o.name for o in OPTIONS if o.pinnable)
