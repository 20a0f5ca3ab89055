"""Real servers for remote inputs, on 127.0.0.1 free ports: an SFTP server (asyncssh's, with a generated host key
and one authorised client key, serving a temporary folder) and S3 (moto's server mode).

Use from a test file by importing the fixtures by name (tests/conftest.py puts tests/ on sys.path):

    from remote_servers import s3_server_fixture, sftp_server_fixture  # noqa: F401  (pytest fixtures)

which gives the tests the fixtures `sftp_server` and `s3_server`.
The `sftp_server` fixture points HOME at a temporary folder holding ~/.ssh/id_ed25519 and a known_hosts that
trusts the server, as a user's own files would; `s3_server` sets the AWS_* variables (and points ~/.aws away from
the developer's). A test running the importer as a subprocess passes `server.env` to it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
import boto3
import pytest
from moto.server import ThreadedMotoServer

SFTP_USER = "importer"


@dataclass
class SftpServer:
    """A running SFTP server whose / is `root`, trusted by and trusting the keys in `home`/.ssh."""

    port: int
    root: Path  # what the server serves, as its /
    home: Path  # the client's HOME: .ssh/id_ed25519(.pub), .ssh/known_hosts
    host_key: asyncssh.SSHKey
    client_key: asyncssh.SSHKey
    host: str = "127.0.0.1"
    user: str = SFTP_USER
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _listener: asyncssh.SSHAcceptor | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _connections: list[asyncssh.SSHServerConnection] = field(default_factory=list, repr=False)
    denied: set[str] = field(default_factory=set)  # files (relative to root) the server refuses to open

    def url(self, path: str) -> str:
        """sftp://importer@127.0.0.1:PORT/path (path relative to the served folder)."""
        return f"sftp://{self.user}@{self.host}:{self.port}/{path.lstrip('/')}"

    @property
    def ssh_dir(self) -> Path:
        return self.home / ".ssh"

    @property
    def known_hosts_line(self) -> str:
        # A non-default port is written [host]:port, as ssh writes it.
        return f"[{self.host}]:{self.port} {self.host_key.export_public_key().decode().strip()}\n"

    @property
    def env(self) -> dict[str, str]:
        """The variables a subprocess needs to find the client key and known_hosts (and no ssh-agent)."""
        return {"HOME": str(self.home), "SSH_AUTH_SOCK": ""}

    def use_client_key(self, key: asyncssh.SSHKey) -> None:
        """Make `key` the client's ~/.ssh/id_ed25519 (e.g. one the server does not know)."""
        key.write_private_key(str(self.ssh_dir / "id_ed25519"))
        key.write_public_key(str(self.ssh_dir / "id_ed25519.pub"))

    def stop(self) -> None:
        if self._loop is None or self._listener is None or self._thread is None:
            return
        listener, loop = self._listener, self._loop

        connections = self._connections

        async def close() -> None:
            listener.close()
            await listener.wait_closed()
            for connection in connections:  # closing the listener leaves its connections open
                connection.close()
                await connection.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=30)
        loop.close()
        self._loop = None


def start_sftp_server(base: Path) -> SftpServer:
    """An SFTP server on a free loopback port, in a thread with its own event loop; `base`/root is served and
    `base`/home is the client's HOME, with its key and a known_hosts trusting the server."""
    root, home = base / "root", base / "home"
    root.mkdir(parents=True)
    (home / ".ssh").mkdir(parents=True, mode=0o700)
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    authorized = asyncssh.import_authorized_keys(client_key.export_public_key().decode())
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    started: dict[str, object] = {}
    connections: list[asyncssh.SSHServerConnection] = []

    denied: set[str] = set()

    class Refusing(asyncssh.SFTPServer):
        # Running as root, chmod 000 would not stop the server reading a file: refuse as a server's policy would.
        def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
            if os.fsdecode(path).lstrip("/") in denied:  # the path as the client sent it, inside the chroot
                raise asyncssh.SFTPPermissionDenied("Permission denied")
            return super().open(path, pflags, attrs)

    class Tracked(asyncssh.SSHServer):
        def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
            connections.append(conn)

    def serve() -> None:
        asyncio.set_event_loop(loop)

        async def listen() -> asyncssh.SSHAcceptor:
            return await asyncssh.listen(
                "127.0.0.1",
                0,
                server_factory=Tracked,
                server_host_keys=[host_key],
                authorized_client_keys=authorized,
                sftp_factory=lambda channel: Refusing(channel, chroot=str(root)),
                allow_scp=False,
            )

        try:
            started["listener"] = loop.run_until_complete(listen())
        except BaseException as exc:  # told to the starting thread, which raises it
            started["error"] = exc
            ready.set()
            return
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="sftp-server", daemon=True)
    thread.start()
    if not ready.wait(timeout=30):
        raise RuntimeError("the SFTP server did not start")
    if "error" in started:
        raise RuntimeError(f"the SFTP server did not start: {started['error']!r}")
    listener = started["listener"]
    assert isinstance(listener, asyncssh.SSHAcceptor)
    port = listener.sockets[0].getsockname()[1]
    server = SftpServer(
        port,
        root,
        home,
        host_key,
        client_key,
        _loop=loop,
        _listener=listener,
        _thread=thread,
        _connections=connections,
        denied=denied,
    )
    server.use_client_key(client_key)
    (home / ".ssh" / "known_hosts").write_text(server.known_hosts_line, encoding="utf-8")
    return server


@pytest.fixture(name="sftp_server")
def sftp_server_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SftpServer]:
    """A running SFTP server; HOME points at its client's home (key + known_hosts), no ssh-agent."""
    server = start_sftp_server(tmp_path / "sftp")
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class S3Server:
    """moto's S3 in server mode, with the credentials and endpoint a client needs in `env`."""

    endpoint: str
    aws_dir: Path  # AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE point here (empty): not the developer's ~/.aws

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing-secret",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": str(self.aws_dir / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.aws_dir / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",  # no waiting for an instance metadata service
        }

    def client(self):  # type: ignore[no-untyped-def]
        """A boto3 S3 client for setting up buckets and objects."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing-secret",
        )

    def put(self, bucket: str, key: str, body: bytes) -> str:
        """Store an object (creating the bucket) and return its s3:// URL."""
        client = self.client()
        if bucket not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
            client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key=key, Body=body)
        return f"s3://{bucket}/{key}"

    def reset(self) -> None:
        """Forget every bucket (moto's /moto-api/reset)."""
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")).close()


_MOTO = pytest.StashKey[S3Server]()


@pytest.fixture(name="s3_server")
def s3_server_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> S3Server:
    """moto's S3 with no buckets; the AWS_* variables set for it, and none of the developer's left."""
    # One server per test process (each xdist worker has its own), kept in the session's stash and stopped at
    # its end: starting one costs more than resetting it, and a fixture of its own would have to be imported
    # by name into every test file too.
    config = request.config
    server = config.stash.get(_MOTO, None)
    if server is None:
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        config.add_cleanup(moto.stop)
        host, port = moto.get_host_and_port()
        aws_dir = tmp_path_factory.mktemp("aws")
        server = config.stash[_MOTO] = S3Server(f"http://{host}:{port}", aws_dir)
    server.reset()
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    return server
