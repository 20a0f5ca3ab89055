"""The run's notifications as one object: `start()` before the run does anything, `finish(outcome)` after it ended,
however it ended. Every failure is a warning, logged on the `importer` logger (the command shows it as an
`importer: warning: …` line; a library caller sees it through logging) and nothing else: the run's outcome and
exit code stay what they were."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from importer.i18n.message import N_, Message
from importer.i18n.translator import Translator
from importer.notify import metrics, ping, webhook
from importer.notify._http import NotifyFailed, client
from importer.notify.outcome import Outcome

logger = logging.getLogger(__name__)

NotifyOn = Literal["problems", "always"]


@dataclass(frozen=True)
class NotifySettings:
    """Where to tell: webhook URLs (secrets), when (`problems`: exit code not 0; `always`), a ping URL (a secret),
    a metrics file."""

    webhooks: Sequence[str] = ()
    notify_on: NotifyOn = "problems"
    ping: str | None = None
    metrics_file: Path | None = None
    lang: str = "en"  # the language of the webhook's line and of the warnings (--lang)

    def __bool__(self) -> bool:
        return bool(self.webhooks or self.ping or self.metrics_file)


@dataclass
class Notifier:
    settings: NotifySettings
    run_id: str = field(default_factory=ping.new_run_id)

    def start(self) -> None:
        if self.settings.ping:
            with client() as http:
                self._try(lambda: ping.start(http, self.settings.ping or "", self.run_id), N_("ping (start)"))

    def finish(self, outcome: Outcome) -> None:
        settings = self.settings
        if settings.metrics_file is not None:
            path = settings.metrics_file
            self._try(lambda: metrics.write(path, outcome), N_("metrics file {path}", path=str(path)))
        wants_webhook = settings.webhooks and (settings.notify_on == "always" or not outcome.ok)
        if not (settings.ping or wants_webhook):
            return
        with client() as http:
            if wants_webhook:
                for url in settings.webhooks:
                    self._try(lambda url=url: webhook.post(http, url, outcome), N_("webhook"))
            if settings.ping:
                self._try(lambda: ping.finish(http, settings.ping or "", self.run_id, outcome), N_("ping"))

    def _try(self, action: Callable[[], None], what: Message) -> None:
        # The warnings in the run's language, as the person who runs it reads them (the command shows them as
        # `importer: warning: …` lines).
        tr = Translator.for_lang(self.settings.lang)
        try:
            action()
        except NotifyFailed as exc:
            text = tr.gettext(
                "could not notify: {what} {error} (the run's outcome is unchanged)", what=what, error=exc.message
            )
            logger.warning("%s", text)
        except OSError as exc:  # the metrics file: a folder not writable, a full disk
            text = tr.gettext(
                "could not write the {what}: {error} (the run's outcome is unchanged)",
                what=what,
                error=exc.strerror or str(exc),
            )
            logger.warning("%s", text)
