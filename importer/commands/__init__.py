"""The `importer` command: a thin click layer over importer.pipeline (and the account, mapping and undo libraries)."""
