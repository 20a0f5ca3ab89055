"""The `importer` command: a thin click layer over importer.pipeline (and the account, mapping and undo libraries)."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["cli"]
