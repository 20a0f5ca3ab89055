"""Fetching the input: where the rows come from (a local file, standard input, a URL, SFTP/S3/GCS through fsspec,
a SQL query), copied to a snapshot file beside the results that the reading stage then reads. A resumed run reads
the same snapshot, never a newer export."""

# The modules other packages may import; the rest are this package's own (tests/test_layout.py).
__all__ = ["remote", "snapshot", "spec", "urls"]
