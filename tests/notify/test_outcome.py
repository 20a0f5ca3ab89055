"""The outcome's one line and JSON: what a person must know, and no secret of a URL."""

from __future__ import annotations

from importer.notify.outcome import Outcome, describe_input, redact_url


def test_a_run_with_problems_says_them_first_then_the_report() -> None:
    outcome = Outcome(
        input="/data/contacts.csv",
        exit_code=1,
        counts={"created": 9985, "failed": 3, "invalid": 12},
        problems={"invalid": 12, "failed": 3},
        report="/data/contacts.results.report.html",
    )
    assert outcome.text == (
        "importer: contacts.csv — 3 failed, 12 invalid of 10,000 rows (exit 1);"
        " report: /data/contacts.results.report.html"
    )
    assert outcome.status == "rows_failed" and not outcome.ok


def test_a_good_run_says_what_was_done() -> None:
    outcome = Outcome(input="/d/c.csv", exit_code=0, counts={"unchanged": 1000, "created": 9000}, dry_run=True)
    assert outcome.text == "importer (dry run): c.csv — 10,000 rows: 9,000 created, 1,000 unchanged (exit 0)"
    assert outcome.status == "ok" and outcome.ok


def test_a_stopped_run_carries_its_error_line() -> None:
    outcome = Outcome(input="/d/c.csv", exit_code=2, error="c.csv: no such file")
    assert outcome.text == "importer: c.csv — stopped: c.csv: no such file (exit 2)"
    assert outcome.status == "usage"
    assert Outcome(input="x", exit_code=3, error="the API refused the token").status == "account"


def test_an_interrupted_run_names_the_signal() -> None:
    before = Outcome(input="/d/c.csv", exit_code=143)
    assert before.text == "importer: c.csv — stopped by SIGTERM before anything was sent (exit 143)"
    during = Outcome(input="/d/c.csv", exit_code=130, counts={"created": 5, "pending": 7}, problems={"pending": 7})
    assert during.text == "importer: c.csv — stopped by SIGINT: 7 pending of 12 rows (exit 130)"
    assert before.status == during.status == "interrupted"


def test_the_payload_has_text_and_the_machine_fields() -> None:
    outcome = Outcome(input="/d/c.csv", exit_code=1, counts={"invalid": 1}, problems={"invalid": 1}, requests=4)
    payload = outcome.payload()
    assert payload["text"] == outcome.text and payload["status"] == "rows_failed" and payload["exit_code"] == 1
    assert payload["counts"] == {"invalid": 1} and payload["rows"] == 1 and payload["requests"] == 4
    assert {"duration_s", "rate_limited", "results", "report", "input", "dry_run", "error"} <= set(payload)


def test_urls_are_cut_to_scheme_and_host() -> None:
    hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    assert redact_url(hook) == "https://hooks.slack.com/…"
    assert redact_url("https://hc-ping.com/uuid-secret?create=1") == "https://hc-ping.com/…"
    assert redact_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert redact_url("https://user:pw@example.com:8443/a/b?sig=1") == "https://example.com:8443/…"
    # An input keeps its file name, never the query (a presigned URL's signature).
    assert describe_input("https://x.example/exports/c.csv?X-Amz-Signature=abc", "") == "https://x.example/…/c.csv"
    assert Outcome(input="https://x.example/…/c.csv", exit_code=0).name == "c.csv"
