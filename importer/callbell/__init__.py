"""The Callbell API client: HTTP with explicit timeouts, pacing to the account's rate, retries, the token's sources.

It imports nothing of the importer but importer.errors."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["client", "credentials", "pacing", "transport"]
