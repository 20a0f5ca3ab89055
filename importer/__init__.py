"""importer: bulk-load contacts from CSV and Excel files into a Callbell account."""

__version__ = "0.1.0"
