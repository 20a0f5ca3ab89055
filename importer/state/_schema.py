"""The state file's tables, and the in-place migration of state files written by earlier versions.

Every table of the state file is created here, when the ledger opens it (importer.state.ledger), and nowhere
else: a state file of any earlier version is brought up to date in place and resumes as it would have there.
The schema version only changes for a change that cannot be migrated; a newer one is refused by the ledger.
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = "2"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    identifier TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    payload TEXT,
    uuid TEXT NOT NULL DEFAULT '',
    href TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    cells TEXT NOT NULL DEFAULT '',  -- the row's original cells as one CSV line, for the results file
    warning TEXT NOT NULL DEFAULT '',  -- what was changed or dropped on a row that is still sent
    phone_digits TEXT NOT NULL DEFAULT '',  -- an invalid row without identifier: its phone cells' digits, space
                                   -- separated (--on-missing: its contact is not missing for a reformatted key)
    merged_into INTEGER NOT NULL DEFAULT 0  -- a `merged` row (--duplicates merge): the row whose contact it went into
);
CREATE TABLE IF NOT EXISTS contacts (
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    state TEXT NOT NULL,           -- sending (intent written, answer not yet known) | done | existing
    uuid TEXT NOT NULL DEFAULT '',
    href TEXT NOT NULL DEFAULT '',
    run TEXT NOT NULL,             -- the run that created it: resumed runs report it as created
    updated REAL NOT NULL,
    PRIMARY KEY (source, identifier)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    started TEXT NOT NULL,         -- ISO time; '' for a run recorded before this table existed
    finished TEXT,                 -- ISO time, NULL while unfinished (interrupted runs are resumed)
    dry_run INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}'  -- rows per final status, JSON
);
CREATE TABLE IF NOT EXISTS before (
    run TEXT NOT NULL,
    uuid TEXT NOT NULL,
    contact TEXT NOT NULL,         -- JSON: name, tags, custom_fields, assigned_user, team, note as the API showed them
    PRIMARY KEY (run, uuid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS undo (
    run TEXT NOT NULL,
    uuid TEXT NOT NULL,
    action TEXT NOT NULL,          -- delete | restore | untag | recreate (of --on-missing removals)
    row INTEGER,
    status TEXT NOT NULL,          -- todo | deleted | gone | restored | untagged | sending | recreated | failed
    error TEXT NOT NULL DEFAULT '',
    new_uuid TEXT NOT NULL DEFAULT '',  -- recreate: the new contact's uuid (a deleted contact comes back as a new one)
    PRIMARY KEY (run, uuid)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS account_index (
    digits TEXT PRIMARY KEY, uuid TEXT NOT NULL, href TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT ''  -- JSON, snapshot form: the contact as the listing showed it
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS synced (
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    contact_values TEXT NOT NULL,  -- JSON, PATCH field names: what this state last sent (or found) for it
    PRIMARY KEY (source, identifier)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uncertain (
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    run TEXT NOT NULL,             -- the run that doubted it; once reconciled, the run that did it
    since REAL NOT NULL,           -- when the intent was written (epoch s): no contact of ours is older
    last REAL NOT NULL,            -- when its last POST ended (or a run took it up): none of ours is newer
    posts INTEGER NOT NULL,        -- POSTs that may have created a contact: at most this many are ours
    found INTEGER NOT NULL DEFAULT 0,  -- 1: its contact was found by a look-up after several POSTs, so the
                                   -- contact of a later one, if any, is not known to the state
    state TEXT NOT NULL,           -- open | done
    note TEXT NOT NULL DEFAULT '', -- for the row's warning: what reconciling it did ('' = nothing to say)
    uuid TEXT NOT NULL DEFAULT '', -- the contact kept for the row ('' = none found)
    href TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (source, identifier)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS removals (
    run TEXT NOT NULL,             -- the run that removed it (--on-missing)
    uuid TEXT NOT NULL,
    source TEXT NOT NULL,
    identifier TEXT NOT NULL,
    href TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,          -- tag | delete
    tag TEXT NOT NULL DEFAULT '',  -- tag: the tag added
    state TEXT NOT NULL,           -- todo | sending (intent written before the request) | done | failed
                                   -- | returned (tag: the contact came back, the tag was removed)
    added INTEGER NOT NULL DEFAULT 0,  -- tag: 1 when this job added it (an undo removes only such a tag)
    known TEXT NOT NULL DEFAULT '',    -- delete: JSON, the `contacts` record (state, run), restored by an undo
    contact TEXT NOT NULL DEFAULT '',  -- delete: JSON, the contact's last known fields, for an undo to re-create
    error TEXT NOT NULL DEFAULT '',
    new_uuid TEXT NOT NULL DEFAULT '', -- delete, undone: the uuid of the contact the undo re-created
    PRIMARY KEY (run, uuid)
) WITHOUT ROWID;
"""


def prepare(db: sqlite3.Connection) -> None:
    """Create what is missing and migrate what is old. Raises sqlite3.DatabaseError for a file that is not
    SQLite; the schema version is checked afterwards, by the ledger."""
    # Tables added since the first state files (runs, before, undo, account_index, synced, uncertain, removals) are
    # simply created empty: CREATE TABLE IF NOT EXISTS is the migration for them.
    db.executescript(_TABLES)
    _record_old_run(db)
    _add_column(db, "rows", "warning", "TEXT NOT NULL DEFAULT ''")  # rows are rebuilt each run anyway
    _add_column(db, "rows", "phone_digits", "TEXT NOT NULL DEFAULT ''")
    _add_column(db, "rows", "merged_into", "INTEGER NOT NULL DEFAULT 0")
    _add_column(db, "undo", "new_uuid", "TEXT NOT NULL DEFAULT ''")  # a re-created contact's new uuid
    # Before change detection the index had no snapshot of each contact; it is rebuilt each run anyway.
    _add_column(db, "account_index", "contact", "TEXT NOT NULL DEFAULT ''")


def _record_old_run(db: sqlite3.Connection) -> None:
    """A state file from before the runs table: its last run is listed (without a start time) and can be undone."""
    found = db.execute("SELECT value FROM meta WHERE key = 'run'").fetchone()
    if found is None or db.execute("SELECT 1 FROM runs LIMIT 1").fetchone() is not None:
        return
    finished = db.execute("SELECT value FROM meta WHERE key = 'run_finished'").fetchone()
    # '' (finished, at an unknown time) or NULL (unfinished: the next import resumes it).
    db.execute(
        "INSERT INTO runs (id, started, finished) VALUES (?, '', ?)",
        (found[0], "" if finished is not None and finished[0] == "1" else None),
    )


def _add_column(db: sqlite3.Connection, table: str, column: str, declaration: str) -> None:
    if column not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
