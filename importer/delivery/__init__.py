"""Delivery: the ledger's pending rows to Callbell exactly once (send, reconcile, change detection) and undo."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["changes", "missing", "options", "preflight", "send", "undo"]
