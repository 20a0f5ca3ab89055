"""A client stopped as by a signal at a chosen moment, for the tests of what a stop leaves in the state."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from importer.callbell.client import CallbellClient, ClientConfig

T = TypeVar("T")


def stopped(running: Any, action: Callable[[CallbellClient], Awaitable[T]], *, turn: int = 0) -> T:
    """Run `action` with a client stopped (as by a signal) while its `turn`-th request waits for its turn (paced at
    one request every 2 s, every request after the first waits), or, without a turn, as it backs off before its
    first retry."""

    async def go() -> T:
        stop = asyncio.Event()
        config = ClientConfig(token=running.token, base_url=running.base_url, rate=0.5)
        async with CallbellClient(config, stop=stop) as client:
            wait, turns = client.pacer.wait, itertools.count(1)

            async def waited(stop_: asyncio.Event | None = None) -> float | None:
                if next(turns) == turn:
                    asyncio.get_running_loop().call_soon(stop.set)  # once it waits
                return await wait(stop_)

            client.pacer.wait = waited  # type: ignore[method-assign]
            if not turn:
                client._count_retry = lambda state: stop.set()  # type: ignore[method-assign]
            return await action(client)

    return asyncio.run(go())


def unstopped(running: Any, action: Callable[[CallbellClient], Awaitable[T]]) -> T:
    """Run `action` with a plain client: the next run's."""

    async def go() -> T:
        async with CallbellClient(ClientConfig(token=running.token, base_url=running.base_url)) as client:
            return await action(client)

    return asyncio.run(go())
