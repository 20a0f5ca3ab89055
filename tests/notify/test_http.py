"""Webhook and ping requests against a real local receiver: what they send, one retry at most, and failures in
words that never quote the URL's secret part."""

from __future__ import annotations

import pytest
from receiver import Receiver, refused_url

from importer.notify import ping, webhook
from importer.notify._http import NotifyFailed, client
from importer.notify.outcome import Outcome

OUTCOME = Outcome(input="/d/c.csv", exit_code=1, counts={"created": 2, "invalid": 1}, problems={"invalid": 1})
SECRET = "/services/T0/B0/s3cr3t-t0ken"


def test_the_webhook_gets_the_outcome_as_json() -> None:
    with Receiver() as hook, client() as http:
        webhook.post(http, hook.url + SECRET, OUTCOME)
    (got,) = hook.requests
    assert (got.method, got.path) == ("POST", SECRET)
    assert got.headers["Content-Type"] == "application/json"
    assert got.json == OUTCOME.payload() and got.json["text"].startswith("importer: c.csv — 1 invalid of 3 rows")


def test_a_5xx_is_tried_twice_then_said_without_the_secret() -> None:
    with Receiver(status=500) as hook, client() as http, pytest.raises(NotifyFailed) as info:
        webhook.post(http, hook.url + SECRET + "?token=abc", OUTCOME)
    assert len(hook.requests) == 2  # one retry, no more
    assert str(info.value) == f"{hook.url}/…: answered 500 Internal Server Error"


def test_a_4xx_is_not_tried_again() -> None:
    with Receiver(status=404) as hook, client() as http, pytest.raises(NotifyFailed, match="answered 404"):
        webhook.post(http, hook.url + SECRET, OUTCOME)
    assert len(hook.requests) == 1


def test_a_refused_connection_is_said_in_words() -> None:
    url = refused_url()
    with client() as http, pytest.raises(NotifyFailed) as info:
        webhook.post(http, url + SECRET, OUTCOME)
    assert str(info.value).startswith(f"{url}/…: ") and "s3cr3t" not in str(info.value)


def test_the_ping_starts_then_ends_with_the_exit_code_and_one_run_id() -> None:
    with Receiver() as check, client() as http:
        ping.start(http, check.url + "/ping-key/nightly?create=1", "rid-1")
        ping.finish(http, check.url + "/ping-key/nightly?create=1", "rid-1", OUTCOME)
    start, end = check.requests
    assert start.path == "/ping-key/nightly/start?create=1&rid=rid-1"
    assert end.path == "/ping-key/nightly/1?create=1&rid=rid-1"
    assert end.text.startswith(OUTCOME.text + "\n") and '"exit_code": 1' in end.text
