"""What every part of the ledger shares: the one connection to the state file, and its transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    # The connection is in autocommit mode (each intent commits at once); batches need an explicit one.
    db.execute("BEGIN")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class Part:
    """One concern of the state file (a table or two), on the ledger's connection: every write outside a
    transaction commits at once, which is what makes an intent safe before its request leaves. Batches (a chunk
    of rows, a page of the account) take one, so that a million rows are not a million commits."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
