"""The wheel's one build step beyond pyproject.toml: the message catalogs compiled (.po -> .mo) into it.

An installed importer then reads the .mo files directly; a source checkout has none and compiles the .po in
memory on first use (importer/i18n/translator.py says why).
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(Path(self.build_lib, "importer", "i18n", "locales").glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=po.parent.parent.name)
            with po.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)


setup(cmdclass={"build_py": BuildWithCatalogs})
