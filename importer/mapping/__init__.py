"""Mapping: which column feeds which Callbell field (headers in six languages, the config file)
and how values translate."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["columns", "config", "headers", "hints", "values", "writer"]
