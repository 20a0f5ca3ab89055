"""The Callbell account: its tags, users, custom fields, teams and channels, from the account file and the API."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["file", "model", "pull", "walk"]
