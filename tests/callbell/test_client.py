"""importer/callbell/client.py on its own: base URL checks, the settings' checks, what is retried and what is not,
pacing,
and reading the API's answers. HTTP goes to a real sandbox process with its fault knobs; the end-to-end
behaviour under faults (exactly once through kills and outages) is in test_delivery.py."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from importer.callbell.client import (
    MAX_RETRY_AFTER,
    ApiError,
    CallbellClient,
    ClientConfig,
    OutcomeUnknown,
    Stopped,
    _retry_after,
    check_base_url,
    contact_of,
    error_message,
)
from importer.callbell.pacing import Pacer
from importer.errors import ConfigError

T = TypeVar("T")
_numbers = itertools.count(34611000001)


def payload(**overrides: Any) -> dict[str, Any]:
    return {"identifier": str(next(_numbers)), "source": "whatsapp", "name": "Ana Pérez", **overrides}


def config_for(running: Any, **overrides: Any) -> ClientConfig:
    return ClientConfig(token=running.token, base_url=running.base_url, **overrides)


def call(config: ClientConfig, action: Callable[[CallbellClient], Awaitable[T]]) -> tuple[T, CallbellClient]:
    """Run one action with a fresh client; the client comes back for its counters."""

    async def go() -> tuple[T, CallbellClient]:
        async with CallbellClient(config) as api:
            return await action(api), api

    return asyncio.run(go())


def fails(config: ClientConfig, action: Callable[[CallbellClient], Awaitable[Any]]) -> tuple[Exception, CallbellClient]:
    async def go() -> tuple[Exception, CallbellClient]:
        async with CallbellClient(config) as api:
            try:
                await action(api)
            except Exception as exc:  # noqa: BLE001 -- the test looks at which one
                return exc, api
        raise AssertionError("the call did not fail")

    return asyncio.run(go())


# -- settings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://api.callbell.eu/v1", "http://127.0.0.1:8765/v1", "http://localhost:1/v1", "http://[::1]:8080/v1"],
)
def test_base_urls_accepted(url: str) -> None:
    check_base_url(url)
    assert ClientConfig(token="t", base_url=url).base_url == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.callbell.eu/v1", "refusing to send the API token over plain http to api.callbell.eu"),
        ("http://192.168.1.10/v1", "over plain http"),
        ("ftp://api.callbell.eu/v1", "is not an http(s) URL"),
        ("api.callbell.eu/v1", "is not an http(s) URL"),
        ("https:///v1", "is not an http(s) URL"),
    ],
)
def test_base_urls_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match="^" + ("base URL" if "http(s)" in message else "refusing")) as caught:
        ClientConfig(token="secret-token", base_url=url)
    assert message in str(caught.value) and "secret-token" not in str(caught.value)


def test_settings_are_checked_and_the_token_never_shown() -> None:
    with pytest.raises(ConfigError, match="--rate must be greater than 0"):
        ClientConfig(token="t", rate=0)
    with pytest.raises(ConfigError, match="--concurrency must be at least 1"):
        ClientConfig(token="t", concurrency=0)
    assert "secret-token" not in repr(ClientConfig(token="secret-token"))


# -- retry classification, over HTTP ------------------------------------------------------------------------


def test_a_refused_request_is_an_api_error_and_not_retried(sandbox) -> None:
    config = config_for(sandbox)
    exc, api = fails(config, lambda api: api.create_contact(payload(tags=["No such tag"])))
    assert isinstance(exc, ApiError) and exc.status == 422 and not exc.unreachable
    assert api.counters.requests == 1 and api.counters.retries == 0


def test_a_wrong_token_is_401_and_never_echoed(sandbox) -> None:
    config = ClientConfig(token="wrong-secret-token", base_url=sandbox.base_url)
    exc, api = fails(config, lambda api: api.me())
    assert isinstance(exc, ApiError) and exc.status == 401
    assert api.counters.retries == 0 and "wrong-secret-token" not in str(exc)


def test_a_5xx_on_a_create_is_an_unknown_outcome_never_resent(sandbox_factory) -> None:
    # The POST may have landed: the client must not send it again (the caller looks the number up).
    running = sandbox_factory("--fail-rate", "1")
    exc, api = fails(config_for(running), lambda api: api.create_contact(payload()))
    assert isinstance(exc, OutcomeUnknown) and str(exc).startswith("HTTP 5")
    assert api.counters.requests == 1 and api.counters.retries == 0


def test_a_lost_answer_to_a_create_is_an_unknown_outcome_and_the_contact_exists(sandbox_factory) -> None:
    running = sandbox_factory("--drop-after-commit", "1", "--seed", "3")
    body = payload()
    exc, api = fails(config_for(running), lambda api: api.create_contact(body))
    assert isinstance(exc, OutcomeUnknown) and api.counters.requests == 1
    (contact,) = running.contacts()
    assert contact["phoneNumber"] == "+" + body["identifier"]


@pytest.mark.parametrize("kind", ["GET", "PATCH"])
def test_safe_requests_are_retried_then_given_up(sandbox_factory, kind: str) -> None:
    # GETs, and PATCHes (setting fields to values is idempotent), are sent again after a 5xx.
    running = sandbox_factory("--fail-rate", "1")
    config = config_for(running, max_retries=2)
    action = (lambda api: api.me()) if kind == "GET" else (lambda api: api.update_contact("0" * 32, {"name": "X"}))
    exc, api = fails(config, action)
    assert isinstance(exc, ApiError) and exc.status == 0 and not exc.unreachable
    assert str(exc.message).startswith("gave up after 3 attempts: HTTP 5")
    assert api.counters.requests == 3 and api.counters.retries == 2
    assert running.stats()["faults"] == 3


def test_nobody_listening_is_unreachable_after_the_retries() -> None:
    with socket.socket() as s:  # a port just freed: nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = ClientConfig(token="t", base_url=f"http://127.0.0.1:{port}/v1", max_retries=1)
    exc, api = fails(config, lambda api: api.create_contact(payload()))
    # A refused connection never reached the server: even a POST is retried, then reported unreachable.
    assert isinstance(exc, ApiError) and exc.unreachable and "connection refused at 127.0.0.1" in exc.message
    assert api.counters.retries == 1


def test_a_rate_limited_request_is_retried_until_it_passes(sandbox_factory) -> None:
    # 429 means "not processed": always safe to send again, even a POST. The sandbox lets 1 request in per
    # second here; three creates asked at once all land, exactly once each.
    running = sandbox_factory("--rate-limit", "1", "--burst", "1", "--retry-after", "1")
    bodies = [payload() for _ in range(3)]

    async def create_all(api: CallbellClient) -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(api.create_contact(b) for b in bodies)))

    created, api = call(config_for(running, rate=100), create_all)
    assert sorted(c["phoneNumber"] for c in created) == sorted("+" + b["identifier"] for b in bodies)
    assert len(running.contacts()) == 3
    assert api.counters.rate_limited >= 1 and api.counters.retries >= api.counters.rate_limited
    assert api.counters.by_status[429] == api.counters.rate_limited


def test_the_pacer_keeps_the_client_under_the_servers_limit(sandbox_factory) -> None:
    # The sandbox allows 20 requests/s in bursts of up to 10; paced at 8/s (even with a burst of a second's
    # worth), the client is never told to slow down. Unpaced, 14 requests at once would meet 429s.
    running = sandbox_factory("--rate-limit", "20", "--burst", "10")

    async def fourteen(api: CallbellClient) -> None:
        await asyncio.gather(*(api.me() for _ in range(14)))

    _, api = call(config_for(running, rate=8), fourteen)
    assert api.counters.requests == 14 and api.counters.rate_limited == 0
    assert running.stats()["rate_limited"] == 0


def test_delete_retries_and_reads_404_as_gone(sandbox_factory) -> None:
    running = sandbox_factory("--drop-after-commit", "1", "--seed", "5")
    http = httpx.Client(base_url=running.base_url, headers=running.headers, timeout=10)
    with http, contextlib.suppress(httpx.RemoteProtocolError):
        http.post("/contacts", json=payload())
    (contact,) = running.contacts()

    async def delete(api: CallbellClient) -> bool:
        return await api.delete_contact(contact["uuid"])

    # The first answer is lost, the retry finds nothing left: already gone, not an error.
    gone, api = call(config_for(running), delete)
    assert (gone, api.counters.retries) == (False, 1)
    assert running.contacts() == [] and running.stats()["deleted"] == 1
    gone, api = call(config_for(running), delete)
    assert (gone, api.counters.retries) == (False, 0)


def test_endpoints_against_the_sandbox(sandbox) -> None:
    body = payload(tags=["VIP"])

    async def scenario(api: CallbellClient) -> None:
        created = await api.create_contact(body)
        assert created["uuid"] and created["phoneNumber"] == "+" + body["identifier"]
        assert (await api.find_contact_by_phone("+" + body["identifier"]))["uuid"] == created["uuid"]
        assert await api.find_contact_by_phone("34699999999") is None  # 404: not there
        assert (await api.get_contact(created["uuid"]))["tags"] == ["VIP"]
        assert (await api.update_contact(created["uuid"], {"name": "Ana B."}))["name"] == "Ana B."
        assert [c["uuid"] for c in await api.contacts_page(1)] == [created["uuid"]]
        assert await api.contacts_page(2) == []
        assert await api.delete_contact(created["uuid"]) is True

    _, api = call(config_for(sandbox), scenario)
    assert api.counters.retries == 0 and set(api.counters.by_status) == {200, 404}


def test_a_stop_during_a_retrys_back_off_sends_no_retry(sandbox_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    # A 429 says to wait a minute (the create was not processed); the run is stopped during that wait: the wait
    # ends at once, and the retry never leaves.
    running = sandbox_factory("--rate-limit", "1", "--burst", "1", "--retry-after", "60")

    async def go() -> CallbellClient:
        stop = asyncio.Event()
        async with CallbellClient(config_for(running, rate=100), stop=stop) as api:
            told = api.pacer.too_many

            def too_many(retry_after: float | None, sent_at: float, now: float | None = None) -> None:
                told(retry_after, sent_at, now)
                asyncio.get_running_loop().call_soon(stop.set)  # the signal, while the client backs off

            monkeypatch.setattr(api.pacer, "too_many", too_many)
            await api.me()  # the bucket's one request
            with pytest.raises(Stopped) as stopped:
                await asyncio.wait_for(api.create_contact(payload()), 10)  # not the minute
            assert not stopped.value.landed  # a 429 was not processed: nothing was done
            return api

    api = asyncio.run(go())
    assert api.counters.requests == 2 and api.counters.rate_limited == 1
    assert running.stats()["by_method"]["POST"] == 1 and running.contacts() == []


def test_a_stop_after_a_write_that_may_have_landed_says_so(sandbox_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    # A DELETE answered 5xx may have been done: it is retried (it is idempotent). Stopped before the retry leaves,
    # the caller is told that the first attempt may have landed (its intent must stay).
    running = sandbox_factory("--fail-rate", "1")

    async def go() -> tuple[Stopped, CallbellClient]:
        stop = asyncio.Event()
        async with CallbellClient(config_for(running, rate=100), stop=stop) as api:
            monkeypatch.setattr(api, "_count_retry", lambda state: stop.set())  # the signal, as it backs off
            with pytest.raises(Stopped) as stopped:
                await asyncio.wait_for(api.delete_contact("c0ffee"), 10)
            return stopped.value, api

    stopped, api = asyncio.run(go())
    assert stopped.landed and api.counters.requests == 1
    assert running.stats()["by_method"]["DELETE"] == 1


# -- pacing -------------------------------------------------------------------------------------------------


def test_a_429_without_retry_after_slows_the_pacer() -> None:
    async def scenario() -> None:
        pacer = Pacer(100)
        sent = await pacer.wait()
        pacer.too_many(None, sent)
        assert 0 < pacer.rate < 100

    asyncio.run(scenario())


def test_a_429_with_retry_after_holds_every_request_back_that_long() -> None:
    async def scenario() -> None:
        pacer = Pacer(100)
        sent = await pacer.wait()
        pacer.too_many(30.0, sent)
        with pytest.raises(TimeoutError):  # nothing is let through meanwhile
            await asyncio.wait_for(pacer.wait(), 0.05)

    asyncio.run(scenario())


def test_a_stop_ends_every_wait_for_a_turn_and_records_no_send() -> None:
    async def scenario() -> None:
        pacer, stop = Pacer(1), asyncio.Event()
        assert await pacer.wait(stop) is not None
        waiting = [asyncio.ensure_future(pacer.wait(stop)) for _ in range(3)]  # turns 1, 2 and 3 s away
        await asyncio.sleep(0)
        assert not any(w.done() for w in waiting)
        stop.set()
        assert await asyncio.wait_for(asyncio.gather(*waiting), 0.5) == [None, None, None]  # at once
        assert await pacer.wait(stop) is None  # nor later, when the turn has come
        assert pacer.delay(asyncio.get_running_loop().time()) <= 1.0  # none of them took a turn

    asyncio.run(scenario())


# -- reading answers ----------------------------------------------------------------------------------------


def response(status: int = 200, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, request=httpx.Request("GET", "http://127.0.0.1/v1/x"), **kwargs)


def test_retry_after_in_seconds_or_as_a_date_clamped() -> None:
    assert _retry_after(response(429, headers={"Retry-After": "2"})) == 2.0
    assert _retry_after(response(429, headers={"Retry-After": "-5"})) == 0.0
    assert _retry_after(response(429, headers={"Retry-After": "86400"})) == MAX_RETRY_AFTER
    assert _retry_after(response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0  # past
    assert _retry_after(response(429, headers={"Retry-After": "soon"})) is None
    assert _retry_after(response(429)) is None


def test_the_contact_in_either_documented_shape() -> None:
    contact = {"uuid": "abc", "name": "Ana"}
    assert contact_of({"contact": contact}) == contact
    assert contact_of({"contact": [contact]}) == contact
    for body in ({"contact": []}, {"contact": {"name": "no uuid"}}, {}):
        with pytest.raises(ApiError, match="without a contact"):
            contact_of(body)


def test_error_messages_from_json_or_text() -> None:
    assert error_message(response(422, json={"error": "bad phone"})) == "bad phone"
    assert error_message(response(422, json={"error": {"message": "nested"}})) == "nested"
    assert error_message(response(422, json={"message": "from message"})) == "from message"
    assert error_message(response(502, text="Bad Gateway from the proxy")) == "Bad Gateway from the proxy"
    assert error_message(response(503, text="")) == "Service Unavailable"
