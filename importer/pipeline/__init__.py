"""The run: the stages tied together (check, then deliver), its options, and the Python API over them."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["api", "check", "run_options"]
