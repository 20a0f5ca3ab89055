"""The person-facing text of a run in its language (`--lang`): deferred messages, one translator per run.

Lower layers (reading, validation, mapping...) say what they mean as `Message`s (importer.i18n.message), which
stay language-agnostic and travel to worker processes and back; the output layers (results, report, terminal)
render them with the run's `Translator` (importer.i18n.translator). Catalogs: locales/<lang>/LC_MESSAGES/importer.po
(`make messages` extracts and updates them); the words of Callbell's own interface: glossary.toml.
"""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["message", "translator"]
