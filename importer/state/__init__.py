"""The state file beside the results: its schema and every SQL statement run on it (exactly-once rests here).

`importer.state.ledger.Ledger` opens it and is the one entry; its parts (`ledger.rows`, `.contacts`, `.synced`,
`.runs`, `.undo`, `.index`, `.uncertain`) each own a table or two, and `_schema` creates and migrates them all.
No other package runs SQL on the state file or touches its connection.
"""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["ledger", "uncertain", "undo"]
