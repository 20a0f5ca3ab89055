"""The Callbell API client: HTTP with explicit timeouts, pacing to the account's rate, retries, the token's sources.

It imports nothing of the importer but importer.errors."""
