"""What a run leaves: the results and errors files, each row's outcome read back, the Report and its HTML page."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["html", "report", "rows", "writer"]
