"""Real temporary git repositories for the notice and diff tests, with commits dated on
purpose (``GIT_AUTHOR_DATE``/``GIT_COMMITTER_DATE``) and no dependency on the user's git
configuration."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROSTER = """\
people:
  alice: {name: Alice}
  bob: {name: Bob}
team: support
timezone: Europe/Paris
compensation: {weeknight: 10, saturday: 30, sunday: 40, holiday: 40}
levels:
  - rotations:
      - name: semaine
        members: [alice, bob]
        start: 2026-11-02 09:00
"""
# Alice's week of 14 December goes to Bob.
SWAP = """\
overrides:
  - {level: 1, who: bob, replaces: alice, from: 2026-12-14 09:00, to: 2026-12-21 09:00}
"""
EXCEPTIONAL_SWAP = SWAP.replace("}\n", ", exceptional: true}\n")


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.rosters = root / "rosters"
        self.rosters.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str | None = None) -> str:
        env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "TZ": "UTC",
        }
        if date is not None:
            env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
        done = subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
             "-c", "commit.gpgsign=false", *args],
            cwd=self.root, env=env, capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        return done.stdout

    def write(self, text: str, name: str = "support.yaml") -> None:
        (self.rosters / name).write_text(text, encoding="utf-8")

    def commit(self, text: str, date: str, message: str = "roster") -> str:
        self.write(text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date)
        return self.git("rev-parse", "HEAD").strip()
