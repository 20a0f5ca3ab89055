"""importer.callbell.transport: which hosts are this machine (one answer for the client and the sandbox)."""

from __future__ import annotations

import pytest

from importer.callbell import client
from importer.callbell.transport import is_loopback
from importer.errors import ConfigError
from importer.sandbox import server
from importer.sandbox.config import SandboxConfig, SandboxConfigError


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "LocalHost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "0.0.0.0", "localhost.example.com", "LOCALHOST.x", ""])
def test_other_hosts(host: str) -> None:
    assert not is_loopback(host)


def test_the_client_and_the_sandbox_use_this_one(tmp_path) -> None:
    assert client.is_loopback is is_loopback and server.is_loopback is is_loopback
    client.check_base_url("http://LocalHost:8765/v1")  # plain http to this machine, whatever the name's case
    with pytest.raises(ConfigError):
        client.check_base_url("http://example.com/v1")
    server.check_host(SandboxConfig(account_file=tmp_path / "account.toml", host="LocalHost"))
    with pytest.raises(SandboxConfigError):
        server.check_host(SandboxConfig(account_file=tmp_path / "account.toml", host="example.com"))
