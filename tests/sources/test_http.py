"""Downloads against a real HTTP server on loopback: redirects followed, errors as one line naming the redacted
URL, a slow server cut off by the timeout."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from http_files import FileServer, file_server

from importer.errors import InputError
from importer.sources.http import download

CSV = b"Name,Phone\nAna,+34 612 34 56 78\n"


@pytest.fixture
def server() -> Iterator[FileServer]:
    with file_server() as running:
        yield running


def fetched(url: str, timeout: float = 5.0) -> bytes:
    out = io.BytesIO()
    download(url, out, label="LABEL", timeout=timeout)
    return out.getvalue()


def test_a_file_is_streamed_and_a_redirect_followed(server: FileServer) -> None:
    big = CSV + b"".join(b"Row %d,+34612%06d\n" % (i, i) for i in range(20000))  # several chunks
    server.serve("/bucket/contacts.csv", big)
    assert fetched(server.url("/bucket/contacts.csv")) == big
    # A redirect to a presigned URL: followed, its signature sent as it was given.
    server.redirect("/latest", "/bucket/contacts.csv?X-Amz-Signature=abc")
    assert fetched(server.url("/latest")) == big
    assert server.requests[-1] == "/bucket/contacts.csv?X-Amz-Signature=abc"


@pytest.mark.parametrize(("status", "said"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")])
def test_an_error_answer_is_one_line_naming_the_label(server: FileServer, status: int, said: str) -> None:
    server.serve("/x.csv", b"oops", status=status)
    with pytest.raises(InputError) as info:
        fetched(server.url("/x.csv?token=SECRET"))
    assert str(info.value) == f"LABEL: the server answered {said}"


def test_a_sign_in_page_is_not_a_spreadsheet(server: FileServer) -> None:
    server.serve("/share", b"<html>sign in</html>", content_type="text/html; charset=utf-8")
    with pytest.raises(InputError, match="^LABEL: the server answered with a web page, not a spreadsheet"):
        fetched(server.url("/share"))


def test_a_slow_server_is_cut_off_by_the_timeout(server: FileServer) -> None:
    url = server.hold("/slow.csv")
    with pytest.raises(InputError, match=r"^LABEL: no answer within 0.3s \(--timeout\)$"):
        fetched(url, timeout=0.3)


def test_a_refused_connection_names_neither_the_url_nor_its_secrets(server: FileServer) -> None:
    port = server.server.server_address[1]
    server.stop()  # nothing listens there now
    with pytest.raises(InputError) as info:
        fetched(f"http://127.0.0.1:{port}/c.csv?sig=SECRET")
    assert str(info.value).startswith("LABEL: cannot download (") and "SECRET" not in str(info.value)


def test_a_redirect_loop_is_one_line(server: FileServer) -> None:
    server.redirect("/a", "/b?sig=SECRET")
    server.redirect("/b", "/a")
    with pytest.raises(InputError, match="^LABEL: too many redirects$"):
        fetched(server.url("/a"))
