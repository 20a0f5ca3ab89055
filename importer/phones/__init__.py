"""Phone numbers to WhatsApp identifiers (Google's libphonenumber, with a fast path for the common spellings)."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["numbers"]
