"""`make demo`: start a sandbox on a free port, import sample_data/contacts.csv into it, stop it, summarise.

`demo.py OUT_DIR` writes the results there instead of demo-output/.

The import runs through the real command line, exactly as a person would type it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from importer.sandbox.process import start_sandbox

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = ROOT / "sample_data" / "account.toml"
CONTACTS = ROOT / "sample_data" / "contacts.csv"


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve() if argv else ROOT / "demo-output"
    out.mkdir(parents=True, exist_ok=True)
    results = out / "contacts.results.csv"
    # Each demo starts an empty sandbox, so the previous demo's results and state describe nothing that exists.
    for old in out.glob("contacts.results*"):
        old.unlink()
    shown = results.relative_to(ROOT) if results.is_relative_to(ROOT) else results
    token = "sbx_" + secrets.token_urlsafe(16)
    with start_sandbox(account_file=ACCOUNT, token=token, cwd=ROOT) as sandbox:
        print(f"Sandbox running at {sandbox.base_url}")
        command = [
            sys.executable, "-m", "importer", "import", str(CONTACTS.relative_to(ROOT)),
            "--account-file", str(ACCOUNT.relative_to(ROOT)),
            "--base-url", sandbox.base_url,
            "--results", str(shown),
        ]  # fmt: skip
        print("$ CALLBELL_API_TOKEN=... " + " ".join(command[1:]).replace("-m importer", "importer", 1))
        env = {**os.environ, "CALLBELL_API_TOKEN": token}
        code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
        held = sandbox.stats()["contacts"]
    print(f"The sandbox held {held} contacts when it stopped.")
    if code not in (0, 1):  # 1 only means some rows need fixing, which the sample has on purpose
        print(f"demo: the import failed with exit code {code}", file=sys.stderr)
        return code
    report = shown.with_name(f"{shown.stem}.report.html")
    print(f"\nOpen {shown} for every row's outcome, the .errors.csv beside it for the rows to fix,")
    print(f"and {report} in a browser for the whole run on one page.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
