"""The Python API told by its notifications (importer.pipeline.notifying): the options as keywords, a failure as a
warning on the `importer` logger (never an exception), every ending told and the run's own ending passed on."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from receiver import Receiver, refused_url

from importer import ConfigError, InputError, import_file, import_records, validate_file
from importer.notify.notifier import NotifySettings
from importer.pipeline.notifying import notify_settings, watched

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = ROOT / "sample_data" / "account.toml"
SECRET = "/hook/s3cr3t?token=t0k3n"


def test_one_url_or_a_list(tmp_path: Path) -> None:
    assert notify_settings({"notify": "https://a.example/x"}).webhooks == ("https://a.example/x",)
    assert notify_settings({"notify": ["https://a.example/x", "http://b.example/y"]}).webhooks == (
        "https://a.example/x", "http://b.example/y",
    )  # fmt: skip
    assert not notify_settings({}) and notify_settings({"metrics_file": str(tmp_path / "m.prom")})


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"notify": "ftp://h.example/s3cr3t"}, "--notify: expected an http:// or https:// URL"),
        ({"ping": "hc-ping.com/s3cr3t"}, "--ping: expected an http:// or https:// URL"),
        ({"notify_on": "sometimes"}, "--notify-on: 'sometimes' is not one of problems, always"),
    ],
)
def test_a_wrong_option_is_a_config_error_without_the_url(given: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        import_file("c.csv", account_file=ACCOUNT, **given)
    assert str(info.value) == message


def test_a_dry_run_of_records_posts_its_problems_and_warns_through_logging(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = [{"Name": "Ana", "Phone": "+34 612 34 56 78"}, {"Name": "Luis", "Phone": "12"}]
    with Receiver() as hook, caplog.at_level(logging.WARNING, logger="importer"):
        report = import_records(
            records, account_file=ACCOUNT, dry_run=True, notify=[hook.url + SECRET, refused_url() + SECRET]
        )
    assert report.exit_code == 1
    (post,) = hook.requests
    assert post.json["text"].startswith("importer (dry run): <records> — 1 invalid of 2 rows (exit 1); report: ")
    assert post.json["dry_run"] is True and post.json["counts"] == {"invalid": 1, "valid": 1}
    (warning,) = [r for r in caplog.records if r.name.startswith("importer.notify")]
    assert warning.levelno == logging.WARNING and warning.getMessage().startswith("could not notify: webhook http://")
    assert "s3cr3t" not in warning.getMessage() and "t0k3n" not in warning.getMessage()


def test_the_error_that_stops_a_run_is_told_then_raised(tmp_path: Path) -> None:
    with Receiver() as hook, pytest.raises(InputError):
        validate_file(tmp_path / "gone.csv", account_file=ACCOUNT, notify=hook.url, metrics_file=tmp_path / "m.prom")
    (post,) = hook.requests
    assert post.json["status"] == "usage" and post.json["exit_code"] == 2
    assert post.json["input"] == str(tmp_path / "gone.csv")
    assert "importer_exit_code" in (tmp_path / "m.prom").read_text(encoding="utf-8")


def test_a_bug_is_told_as_exit_4_without_its_text() -> None:
    def broken() -> object:
        raise RuntimeError("something quoting a s3cr3t")

    with Receiver() as hook, pytest.raises(RuntimeError, match="s3cr3t"):
        watched(NotifySettings(webhooks=(hook.url,)), "/d/c.csv", False, broken)  # type: ignore[arg-type]
    (post,) = hook.requests
    assert post.json["text"] == "importer: c.csv — stopped: internal error (RuntimeError) (exit 4)"
    assert post.json["status"] == "internal_error"
