"""Validation: a mapped row to a Callbell contact payload, or to every problem with it, grouped for the reader."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["merge", "problems", "validator"]
