"""importer.sources.urls: URLs as they may be shown (no password, query string or fragment)."""

from __future__ import annotations

import pytest

from importer.sources.urls import has_password, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sftp://ana:hunter2@files.example.com:2222/exports/a.csv", "sftp://ana@files.example.com:2222/exports/a.csv"),
        ("sftp://ana@files.example.com/a.csv", "sftp://ana@files.example.com/a.csv"),
        ("s3://exports/nightly/contacts.csv", "s3://exports/nightly/contacts.csv"),
        ("gs://exports/contacts.csv", "gs://exports/contacts.csv"),
        ("https://h.example/a.csv?X-Amz-Signature=hunter2&X-Amz-Credential=k", "https://h.example/a.csv"),
        ("https://h.example/a.csv#hunter2", "https://h.example/a.csv"),
        ("https://:hunter2@h.example/a.csv", "https://h.example/a.csv"),
        ("https://ana:hun@ter2@[::1]:8443/a.csv", "https://ana@[::1]:8443/a.csv"),  # an @ in the password
        ("sftp://ana:hun/ter2@host/a.csv", "sftp://host/a.csv"),  # a / in the password
        ("sftp://ana:hun?ter2@host/a.csv", "sftp://host/a.csv"),  # a ? in the password
        ("sftp://ana:12?ter2@host/a.csv", "sftp://host/a.csv"),  # ... after digits, which look like a port
        ("sftp://ana:hun#ter2@host/a.csv", "sftp://host/a.csv"),
        ("https://Host.Example/Exports/My%20File.csv", "https://Host.Example/Exports/My%20File.csv"),
        ("https://host/users/@me/a.csv?q=a@b", "https://host/users/@me/a.csv"),
        ("contacts.csv", "contacts.csv"),  # not a URL: as it is
    ],
)
def test_redact_url_keeps_everything_but_the_secrets(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert "hunter2" not in redact_url(url) and "ter2" not in redact_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sftp://ana:pw@host/a", True),
        ("sftp://ana:pw/x@host/a", True),
        ("sftp://ana:1?x@host/a", True),
        ("sftp://ana@host/a", False),
        ("https://host:8080/users/@me", False),
        ("http://[::1]:80/@me", False),
        ("s3://bucket/key", False),
        ("contacts.csv", False),
    ],
)
def test_has_password(url: str, expected: bool) -> None:
    assert has_password(url) is expected
