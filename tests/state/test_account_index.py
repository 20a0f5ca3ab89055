"""importer/state/account_index.py: the account's contacts by number, when the sender paged the account."""

from __future__ import annotations

from importer.state.ledger import Ledger


def test_entries_by_number_the_oldest_contact_wins(ledger: Ledger) -> None:
    index = ledger.index
    index.add([("34600000001", "u1", "h1", {"name": "Ana", "tags": ["Señal"]}), ("34600000002", "u2", "h2", {})])
    index.add([("34600000001", "u-later", "h-later", {"name": "Ana again"})])  # a number held twice
    assert index.find("34600000001") == ("u1", "h1")
    assert index.find("34600000003") is None
    assert index.contact("34600000001", "u1") == {"name": "Ana", "tags": ["Señal"]}
    assert index.contact("34600000001", "u-later") is None
    assert index.contact("34600000002", "u2") == {}
    index.clear()
    assert index.find("34600000001") is None
