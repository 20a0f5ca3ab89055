"""importer.sources.remote against real servers on loopback: asyncssh's SFTP server (the client finds its key,
known_hosts and ~/.ssh/config in a temporary HOME) and moto's S3 in server mode (credentials and endpoint from the
AWS_* variables). GCS is only what can be checked without Google: the missing extra and the URL's handling."""

from __future__ import annotations

import io
import os
import sys
import tracemalloc
from pathlib import Path

import asyncssh
import openpyxl
import pytest
from remote_servers import S3Server, SftpServer, s3_server_fixture, sftp_server_fixture  # noqa: F401 (fixtures)

from importer.errors import InputError, MissingExtra
from importer.sources.remote import CHUNK_SIZE, _what_happened, copy_remote, parse_remote

# Bytes a text-mode or decoding copy would change: a BOM, CRLF, a lone CR, latin-1, a NUL.
AWKWARD_CSV = b"\xef\xbb\xbfName;Phone\r\nJos\xe9 \xc1lvarez;+34 612 34 56 78\r\nNo\x00te;\r+1\n"


def copied(url: str) -> bytes:
    out = io.BytesIO()
    copy_remote(url, out)
    return out.getvalue()


def failure(url: str) -> str:
    """The one-line message copy_remote fails with."""
    with pytest.raises(InputError) as caught:
        copy_remote(url, io.BytesIO())
    message = str(caught.value)
    assert "\n" not in message
    return message


class Writes(io.BytesIO):
    """Records the size of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.sizes.append(len(data))
        return super().write(data)


# --- SFTP ---------------------------------------------------------------------------------------------------------


def test_sftp_copies_a_csv_byte_for_byte(sftp_server: SftpServer) -> None:
    (sftp_server.root / "exports").mkdir()
    (sftp_server.root / "exports" / "contacts.csv").write_bytes(AWKWARD_CSV)
    assert copied(sftp_server.url("exports/contacts.csv")) == AWKWARD_CSV


def test_sftp_copies_a_workbook_byte_for_byte(sftp_server: SftpServer, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone"])
    for n in range(500):
        sheet.append([f"Contact {n}", 34600000000 + n])
    book.save(tmp_path / "contacts.xlsx")
    expected = (tmp_path / "contacts.xlsx").read_bytes()
    (sftp_server.root / "contacts.xlsx").write_bytes(expected)
    assert copied(sftp_server.url("contacts.xlsx")) == expected


def test_sftp_reads_host_port_and_user_from_ssh_config(sftp_server: SftpServer) -> None:
    # sftp://exports/… with the real host, port and user in ~/.ssh/config, as `ssh exports` would use them.
    (sftp_server.root / "a.csv").write_bytes(b"Phone\n+34612345678\n")
    (sftp_server.ssh_dir / "config").write_text(
        f"Host exports\n  HostName 127.0.0.1\n  Port {sftp_server.port}\n  User {sftp_server.user}\n", encoding="utf-8"
    )
    assert copied("sftp://exports/a.csv") == b"Phone\n+34612345678\n"


def test_sftp_tilde_path_is_relative_to_the_login_folder(sftp_server: SftpServer) -> None:
    # The chrooted server's login folder is its /; /~/x is x there, as curl reads it.
    (sftp_server.root / "b.csv").write_bytes(b"x\n")
    url = f"sftp://{sftp_server.user}@127.0.0.1:{sftp_server.port}/~/b.csv"
    assert copied(url) == b"x\n"


def test_sftp_missing_file_is_one_line_naming_the_url(sftp_server: SftpServer) -> None:
    url = sftp_server.url("exports/nope.csv")
    assert failure(url) == f"{url}: not found"


def test_sftp_a_file_the_server_refuses_is_permission_denied(sftp_server: SftpServer) -> None:
    (sftp_server.root / "secret.csv").write_bytes(b"x\n")
    sftp_server.denied.add("secret.csv")
    assert failure(sftp_server.url("secret.csv")) == f"{sftp_server.url('secret.csv')}: permission denied"


def test_sftp_a_folder_is_not_a_file(sftp_server: SftpServer) -> None:
    (sftp_server.root / "exports").mkdir()
    assert failure(sftp_server.url("exports")).endswith(": is a directory, not a file")


def test_sftp_a_key_the_server_does_not_know_fails_authentication(sftp_server: SftpServer) -> None:
    (sftp_server.root / "a.csv").write_bytes(b"x\n")
    sftp_server.use_client_key(asyncssh.generate_private_key("ssh-ed25519"))
    message = failure(sftp_server.url("a.csv"))
    expected = "authentication failed as importer: no key in ~/.ssh or the ssh-agent was accepted"
    assert message == f"{sftp_server.url('a.csv')}: {expected}"


def test_sftp_a_host_not_in_known_hosts_is_refused(sftp_server: SftpServer) -> None:
    (sftp_server.root / "a.csv").write_bytes(b"x\n")
    (sftp_server.ssh_dir / "known_hosts").write_text("", encoding="utf-8")
    assert "host key is not in ~/.ssh/known_hosts" in failure(sftp_server.url("a.csv"))
    # No known_hosts file at all: refused too, not trusted on first use.
    (sftp_server.ssh_dir / "known_hosts").unlink()
    assert "host key is not in ~/.ssh/known_hosts" in failure(sftp_server.url("a.csv"))


def test_sftp_a_host_key_that_changed_is_refused(sftp_server: SftpServer) -> None:
    (sftp_server.root / "a.csv").write_bytes(b"x\n")
    other = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    (sftp_server.ssh_dir / "known_hosts").write_text(f"[127.0.0.1]:{sftp_server.port} {other}", encoding="utf-8")
    assert "does not match it" in failure(sftp_server.url("a.csv"))


def test_sftp_a_password_in_the_url_is_refused_before_connecting(sftp_server: SftpServer) -> None:
    url = f"sftp://importer:hunter2@127.0.0.1:{sftp_server.port}/a.csv"
    message = failure(url)
    assert "hunter2" not in message
    assert message.startswith(f"sftp://importer@127.0.0.1:{sftp_server.port}/a.csv: a password in the URL is refused")
    assert "~/.ssh" in message


def test_sftp_connection_refused(sftp_server: SftpServer) -> None:
    url = sftp_server.url("a.csv")
    sftp_server.stop()
    assert failure(url) == f"{url}: connection refused"


def test_sftp_a_large_file_is_copied_in_chunks_with_memory_flat(sftp_server: SftpServer, tmp_path: Path) -> None:
    # 32 MiB of incompressible bytes: the peak of Python allocations during the copy stays far below the file's
    # size, so the file is never held whole (a copy through fs.cat() or read() peaks above 32 MiB).
    size = 32 * 1024 * 1024
    body = os.urandom(size)
    (sftp_server.root / "big.csv").write_bytes(body)
    del body
    target = tmp_path / "copy.csv"
    with target.open("wb") as out:
        tracemalloc.start()
        try:
            copy_remote(sftp_server.url("big.csv"), out)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert target.read_bytes() == (sftp_server.root / "big.csv").read_bytes()
    assert peak < size / 2, f"peak {peak / 2**20:.1f} MiB copying a {size / 2**20:.0f} MiB file"


# --- S3 (moto's server) ---------------------------------------------------------------------------------------


def test_s3_copies_an_object_from_the_endpoint_in_aws_endpoint_url(s3_server: S3Server) -> None:
    url = s3_server.put("exports", "nightly/contacts.csv", AWKWARD_CSV)
    assert copied(url) == AWKWARD_CSV


def test_s3_endpoint_from_the_s3_only_variable(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    # AWS_ENDPOINT_URL_S3 is what MinIO / R2 set-ups use when other AWS services stay on AWS.
    url = s3_server.put("exports", "contacts.csv", b"Phone\n1\n")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_server.endpoint)
    assert copied(url) == b"Phone\n1\n"


def test_s3_a_missing_key_and_a_missing_bucket_are_told_apart(s3_server: S3Server) -> None:
    s3_server.put("exports", "contacts.csv", b"x\n")
    assert failure("s3://exports/gone.csv") == "s3://exports/gone.csv: no such object in bucket 'exports'"
    assert failure("s3://no-such-bucket/contacts.csv") == (
        "s3://no-such-bucket/contacts.csv: no such bucket 'no-such-bucket' (or no access to it)"
    )


def test_s3_a_prefix_is_not_a_file(s3_server: S3Server) -> None:
    s3_server.put("exports", "nightly/contacts.csv", b"x\n")
    assert failure("s3://exports/nightly").endswith(": is a directory, not a file")


def test_s3_without_credentials_says_where_they_go(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    s3_server.put("exports", "contacts.csv", b"x\n")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    message = failure("s3://exports/contacts.csv")
    assert message.startswith("s3://exports/contacts.csv: no credentials found: ")
    assert "AWS_ACCESS_KEY_ID" in message


def test_s3_a_large_object_is_read_in_chunks(s3_server: S3Server) -> None:
    # More than three chunks: every write is at most one chunk, so the object never passes through whole.
    body = os.urandom(3 * CHUNK_SIZE + 12345)
    url = s3_server.put("exports", "big.csv", body)
    out = Writes()
    copy_remote(url, out)
    assert out.getvalue() == body
    assert len(out.sizes) == 4 and max(out.sizes) <= CHUNK_SIZE


def test_s3_an_object_replaced_during_the_copy_is_not_mixed_with_the_new_one(s3_server: S3Server) -> None:
    # The export is overwritten after the first chunk is written: the copy fails rather than joining the old
    # object's start to the new one's end.
    url = s3_server.put("exports", "contacts.csv", b"a" * (2 * CHUNK_SIZE + 1))

    class ReplacedAfterFirstChunk(io.BytesIO):
        def write(self, data: bytes) -> int:  # type: ignore[override]
            if not self.tell():
                s3_server.put("exports", "contacts.csv", b"b" * (2 * CHUNK_SIZE + 1))
            return super().write(data)

    with pytest.raises(InputError) as caught:
        copy_remote(url, ReplacedAfterFirstChunk())
    assert str(caught.value) == f"{url}: the object was replaced while it was being copied (a new export?): run again"


def test_s3_an_unreachable_endpoint(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard: nothing listens
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    message = failure("s3://exports/contacts.csv")
    assert message.startswith("s3://exports/contacts.csv: cannot connect to the storage endpoint")


# --- parsing, refusals, missing extras ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("sftp://u:secret@host/a.csv", "sftp://u@host/a.csv: a password in the URL is refused"),
        ("sftp://u:sec/ret@host/a.csv", "sftp://host/a.csv: a password in the URL is refused"),
        ("s3://AKIA:secret@bucket/a.csv", "s3://AKIA@bucket/a.csv: a password in the URL is refused"),
        ("gs://u:secret@bucket/a.csv", "gs://u@bucket/a.csv: a password in the URL is refused"),
        ("s3://bucket/a.csv?X-Amz-Signature=secret", "s3://bucket/a.csv: a query string or fragment"),
        ("sftp://host/a.csv#secret", "sftp://host/a.csv: a query string or fragment"),
        ("s3://bucket/", "s3://bucket/: names a folder or bucket, not a file"),
        ("s3://bucket", "s3://bucket: names a folder or bucket, not a file"),
        ("sftp://host/exports/", "sftp://host/exports/: names a folder or bucket, not a file"),
        ("sftp:///a.csv", "sftp:///a.csv: no host in the URL"),
        ("s3://user@bucket/a.csv", "s3://user@bucket/a.csv: write s3://BUCKET/KEY"),
        ("sftp://host:port/a.csv", "sftp://host:port/a.csv: not a valid URL"),
        ("ftp://host/a.csv", "ftp://host/a.csv: not an sftp://, s3:// or gs:// URL"),
    ],
)
def test_urls_refused_before_any_connection(url: str, said: str) -> None:
    message = failure(url)
    assert message.startswith(said)
    assert "secret" not in message


def test_parse_remote_takes_the_url_apart() -> None:
    sftp = parse_remote("sftp://ana@files.example.com:2222/exports/my%20contacts.csv")
    assert (sftp.host, sftp.port, sftp.user, sftp.fs_path) == (
        "files.example.com",
        2222,
        "ana",
        "/exports/my contacts.csv",
    )
    bare = parse_remote("sftp://files/a.csv")
    assert (bare.port, bare.user) == (None, None)  # left to ~/.ssh/config, then ssh's defaults
    s3 = parse_remote("s3://exports/nightly/a%23b.csv")
    assert (s3.host, s3.fs_path) == ("exports", "exports/nightly/a#b.csv")
    gs = parse_remote("gs://exports/a.csv")
    assert (gs.scheme, gs.fs_path, gs.shown) == ("gs", "exports/a.csv", "gs://exports/a.csv")


@pytest.mark.parametrize(
    ("url", "module", "extra"),
    [("gs://b/a.csv", "gcsfs", "gcs"), ("s3://b/a.csv", "s3fs", "s3"), ("sftp://h/a", "sshfs", "sftp")],
)
def test_a_backend_not_installed_names_its_extra(
    url: str, module: str, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import gcsfs` raise ImportError, as on a machine without it.
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(MissingExtra) as caught:
        copy_remote(url, io.BytesIO())
    assert str(caught.value).endswith(f"pip install 'callbell-importer[{extra}]'")
    assert "\n" not in str(caught.value)


def test_fsspec_itself_missing_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)
    with pytest.raises(MissingExtra, match=r"\[s3\]'$"):
        copy_remote("s3://b/a.csv", io.BytesIO())


def test_a_backend_error_told_in_its_own_words_has_its_urls_redacted() -> None:
    # An error no rule names is told with the backend's text, whose URLs (an HTTP client quotes the request's)
    # lose their query strings and passwords.
    remote = parse_remote("s3://exports/a.csv")
    exc = RuntimeError("400, url='https://u:pw@s3.example/exports/a.csv?X-Amz-Signature=s3cret&x=1'\nmore")
    said = _what_happened(exc, remote, "read")
    assert said == "cannot be read (RuntimeError: 400, url='https://u@s3.example/exports/a.csv')"
