"""The pre-flight before anything is sent, for an import and an undo alike: the token and the API checked, the
concurrency sized from the API's latency, and (for an import) the account learnt from what the API lists.

Here, below importer.pipeline, because importer.delivery.undo needs it too and may not import the pipeline.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from importer.account.model import Account
from importer.account.walk import discover
from importer.callbell.client import ApiError, CallbellClient, ClientConfig
from importer.callbell.credentials import TOKEN_ENV
from importer.callbell.pacing import max_in_flight
from importer.errors import AccountError
from importer.i18n.message import N_


async def preflight(config: ClientConfig, account: Account | None = None) -> tuple[ClientConfig, Account | None]:
    """`config` with its concurrency sized (unless given), and `account` completed from the API (when given);
    a refused token or a failing API is an AccountError, before the first write."""
    async with CallbellClient(replace(config, concurrency=config.concurrency or 4)) as client:
        try:
            await client.probe()  # a wrong URL is told in seconds, each retry as it happens
        except ApiError as exc:
            raise _refused(exc) from None

        async def latency() -> float:
            # Timed a second time: the first answer included opening the connection.
            started = time.monotonic()
            try:
                await client.me()
            except ApiError as exc:
                raise _refused(exc) from None
            return time.monotonic() - started

        async def learnt(account: Account) -> Account:
            try:
                return await discover(client, account)
            except ApiError as exc:
                raise AccountError(N_("reading the account from the API failed: {error}", error=exc.text)) from None

        # Far from the API every round trip counts: the timing and the account's listings go at once.
        if account is not None:
            measured, account = await asyncio.gather(latency(), learnt(account))
        else:
            measured = await latency()
    if not config.concurrency:
        # The most ever in flight; the client keeps as many as the latency it measures needs (pacing.InFlight).
        config = replace(config, concurrency=max_in_flight(config.rate), adaptive=True, latency=measured)
    return config, account


def _refused(exc: ApiError) -> AccountError:
    if exc.status in (401, 403):
        return AccountError(
            N_(
                "the API refused the token (HTTP {status}): check {variable}",
                status=str(exc.status),
                variable=TOKEN_ENV,
            )
        )
    return AccountError(N_("pre-flight GET /auth/me failed: {error}", error=exc.text))
