"""Telling someone how a run went, for runs nobody watches: a chat webhook, a dead-man's-switch ping
(healthchecks.io's convention) and a Prometheus textfile. A notification that fails is a warning: it never
changes the run's outcome or exit code.

The pipeline builds an `Outcome` (plain data: no Report, no options) and hands it to a `Notifier`."""

__all__ = ["notifier", "outcome"]
