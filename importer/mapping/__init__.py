"""Mapping: which column feeds which Callbell field (headers in six languages, the config file)
and how values translate."""
