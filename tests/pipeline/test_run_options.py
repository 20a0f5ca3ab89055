"""What a run gets: what the caller gives, else the config's [options], else the table's default — for every
option, not only those a config used to pin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from importer.account.model import NO_ACCOUNT_FILE
from importer.errors import ConfigError
from importer.mapping.config import load_mapping_config
from importer.pipeline.options import ImportOptions
from importer.pipeline.run_options import build_options, merged

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"


@pytest.fixture(autouse=True)
def no_base_url_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLBELL_BASE_URL", raising=False)


def job(tmp_path: Path, options: str, top: str = "") -> Path:
    path = tmp_path / "jobs" / "nightly.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"{top}[options]\n{options}", encoding="utf-8")
    return path


def built(config: Path | None, account_file: Any = ACCOUNT, base_url: str | None = None, **given: Any) -> ImportOptions:
    return build_options(
        "c.csv", account_file=account_file, token="t", base_url=base_url, given={"config": config, **given}
    )


def test_a_given_option_wins_over_the_file_which_wins_over_the_default(tmp_path: Path) -> None:
    config = job(tmp_path, 'on_existing = "update"\ntags = "replace"\nrate = 40\nsettle = 0.5\nworkers = 2\n')
    from_file = built(config)
    assert (from_file.on_existing, from_file.tags, from_file.settle, from_file.workers) == ("update", "replace", 0.5, 2)
    assert from_file.client is not None and from_file.client.rate == 40.0
    given = built(config, on_existing="skip", rate=9.0, settle=3.0)
    assert (given.on_existing, given.settle) == ("skip", 3.0) and given.client and given.client.rate == 9.0
    assert given.tags == "replace"  # not given: still the file's
    plain = built(None)
    assert (plain.on_existing, plain.tags, plain.settle, plain.workers) == ("skip", "add", 3.0, None)
    assert plain.client is not None and plain.client.rate == 300.0 and plain.client.read_timeout == 30.0


def test_the_files_paths_and_account_file_apply(tmp_path: Path) -> None:
    (tmp_path / "jobs" / "token").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "jobs" / "token").write_text("from-the-file\n", encoding="utf-8")
    config = job(
        tmp_path,
        f'account_file = "{ACCOUNT}"\nresults = "out/r.csv"\nstate = "s.db"\ntoken_file = "token"\n',
    )
    options = build_options("c.csv", account_file=None, token=None, base_url=None, given={"config": config})
    assert options.account_file == ACCOUNT
    assert options.results == tmp_path / "jobs" / "out" / "r.csv" and options.state == tmp_path / "jobs" / "s.db"
    assert options.client is not None and options.client.token == "from-the-file"
    # Given, the account file is the caller's.
    other = tmp_path / "other.toml"
    assert built(config, account_file=other).account_file == other
    with pytest.raises(ConfigError) as caught:
        built(job(tmp_path, 'on_existing = "update"\n'), account_file=None)
    assert str(caught.value) == NO_ACCOUNT_FILE


def test_base_url_given_then_environment_then_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = job(tmp_path, 'base_url = "http://127.0.0.1:1/file"\n')

    def url(**kw: Any) -> str:
        client = built(config, **kw).client
        assert client is not None
        return client.base_url

    assert url() == "http://127.0.0.1:1/file"
    monkeypatch.setenv("CALLBELL_BASE_URL", "http://127.0.0.1:1/env")
    assert url() == "http://127.0.0.1:1/env"
    assert url(base_url="http://127.0.0.1:1/given") == "http://127.0.0.1:1/given"


def test_a_problem_with_a_value_from_the_file_names_the_file(tmp_path: Path) -> None:
    config = job(tmp_path, 'workers = 0\nreport = "nowhere/report.html"\n')
    with pytest.raises(ConfigError, match=rf"^{config}: \[options\] workers must be at least 1$"):
        built(config)
    with pytest.raises(ConfigError, match=r"^--workers must be at least 1$"):
        built(None, workers=0)
    with pytest.raises(ConfigError, match=rf"^{config}: \[options\] report: .*nowhere is not a directory$"):
        built(config, workers=1)


def test_merged_fills_only_what_was_not_given(tmp_path: Path) -> None:
    config = load_mapping_config(job(tmp_path, 'log_format = "json"\nprogress = false\n'))
    values, from_file = merged({"log_format": None, "progress": True, "log_every": None, "notify": ()}, config)
    assert values == {"log_format": "json", "progress": True, "log_every": 5.0, "notify": ()}
    assert from_file == {"log_format"}
