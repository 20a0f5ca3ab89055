"""Reading files: CSV and workbooks (and Python records) as a `Table` of text rows, the way a person sees them."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["cells", "files", "records", "values"]
