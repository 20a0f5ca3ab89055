"""A throwaway PostgreSQL cluster from Debian's binaries (/usr/lib/postgresql/*/bin; .ci/run installs the
`postgresql` package): initdb into a temporary folder, pg_ctl start on a free 127.0.0.1 port with its socket in
that folder, a database and a user with a password, stopped and removed at the end.

    from pg_server import postgres_url   # a session-scoped fixture (one cluster per xdist worker)

initdb and postgres refuse to run as root: as root they run as the `postgres` user (runuser), in a folder
that user owns. The server runs without fsync: a test cluster never survives a crash, and needs not to.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "importer"
PASSWORD = "s3cret-Pw;9"  # with characters a URL must escape: the tests check it never shows
DATABASE = "contacts"


@dataclass
class PgServer:
    bin_dir: Path
    folder: Path  # the data directory, the socket and the log live here
    port: int
    as_user: list[str]  # the command prefix that runs a binary as the cluster's owner

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def url(self, password: str = PASSWORD, database: str = DATABASE) -> str:
        from sqlalchemy.engine import URL

        url = URL.create("postgresql", USER, password, "127.0.0.1", self.port, database)
        return url.render_as_string(hide_password=False)

    def superuser_connect(self, database: str = "postgres") -> object:
        """A psycopg connection as the superuser over the Unix socket (trust), autocommit."""
        import psycopg

        return psycopg.connect(host=str(self.folder), port=self.port, user="postgres", dbname=database, autocommit=True)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=60)

    def stop(self) -> None:
        self.run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")


def find_bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        pytest.fail(
            "PostgreSQL's server binaries are not installed (/usr/lib/postgresql/*/bin/initdb): "
            "apt-get install postgresql (.ci/run does it)",
            pytrace=False,
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_postgres() -> PgServer:
    bin_dir = find_bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="importer-pg-"))  # not under pytest's tmp: root-only folders above it
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PgServer(bin_dir, folder, 0, as_user)
    init = server.run(
        str(bin_dir / "initdb"),
        "-D",
        str(server.data),
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    )
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}", pytrace=False)
    # A free port can be taken by another process between the probe and the start: try a few.
    for _ in range(5):
        server.port = _free_port()
        options = f"-p {server.port} -k {folder} -h 127.0.0.1 -c fsync=off -c full_page_writes=off"
        started = server.run(
            str(bin_dir / "pg_ctl"), "-D", str(server.data), "-l", str(server.log), "-o", options, "-w", "start"
        )
        if started.returncode == 0:
            break
    else:
        log = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else started.stderr
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"pg_ctl start failed: {log}", pytrace=False)
    try:
        with server.superuser_connect() as conn:  # type: ignore[attr-defined]
            conn.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
            conn.execute(f"CREATE DATABASE {DATABASE} OWNER {USER}")
    except BaseException:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgServer]:
    """A running PostgreSQL cluster with database `contacts` owned by user `importer` (password PASSWORD)."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres: PgServer) -> str:
    """postgresql://importer:PASSWORD@127.0.0.1:PORT/contacts"""
    return postgres.url()
