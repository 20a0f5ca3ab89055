"""Delivery: the ledger's pending rows to Callbell exactly once (send, reconcile, change detection) and undo."""
