"""A chat webhook: the outcome POSTed as JSON whose `text` is the line Slack's and Teams' incoming webhooks show."""

from __future__ import annotations

import httpx

from importer.notify._http import send
from importer.notify.outcome import Outcome


def post(client: httpx.Client, url: str, outcome: Outcome) -> None:
    """NotifyFailed when the webhook did not take it."""
    send(client, "POST", url, json=outcome.payload())
