"""How fast the published page shows its first team's "now", and how much it downloads first.

    python benchmarks/page.py                      # 200 teams, 5 page loads per case
    python benchmarks/page.py --teams 20 --runs 3

Generates an organisation with ``generate.py``, publishes it twice with ``astreinte publish``
(now, and six months ago: a page that outlived its publication reads each team's whole file
instead of its near file), serves each publication from a static web server on 127.0.0.1 and
opens it in headless Chromium (Debian's, driven by Playwright) with an empty cache each time.
For each load it prints:

- the time from the start of navigation to the first team's "now" on screen, as the page
  itself records it (``performance.now()`` at the animation frame after that box is made),
  and as seen from here (from the call that opens the page to Playwright's seeing the mark:
  that includes Playwright's own work and waits until the page's main thread is free);
- the bytes received until then (the navigation's and every resource's ``transferSize``
  whose response ended before that instant), and what the server had sent by then;

then the medians. The targets (issue 15): within 1 s, under 1 MB, for 200 teams.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SECRET = "0123456789abcdef0123"


class _Counting(http.server.SimpleHTTPRequestHandler):
    sent = 0

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        type(self).sent += len(data)
        outputfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def publish(organisation: Path, target: Path, at: str) -> float:
    astreinte = Path(sys.executable).with_name("astreinte")
    started = time.perf_counter()
    subprocess.run(
        [str(astreinte), "publish", str(target), "--rosters", str(organisation), "--at", at,
         "--secret", SECRET],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def first_team_of(site: Path) -> str:
    """The id of the first team the page shows (from its data: teams in file-name order)."""
    text = (site / "data" / "publication.js").read_text(encoding="utf-8")
    data = json.loads(text[text.index(",") + 1 : text.rindex(")")])
    team: str = data["teams"][0]["id"]
    return team


def load_once(browser: Any, url: str, first_team: str) -> tuple[float, float, int]:
    """One load with an empty cache: (ms to the first now as the page saw it, ms as seen from
    here, bytes received by then)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector("html[data-first-now]", state="attached", timeout=30_000)
    assert page.query_selector(f"#team-{first_team} .now-box") is not None
    outside = (time.perf_counter() - started) * 1000
    inside = float(page.get_attribute("html", "data-first-now") or "nan")
    received = page.evaluate(
        """limit => {
            const entries = [...performance.getEntriesByType('navigation'),
                             ...performance.getEntriesByType('resource')];
            return entries.filter(e => e.responseEnd <= limit)
                          .reduce((sum, e) => sum + e.transferSize, 0);
        }""",
        inside,
    )
    context.close()
    return inside, outside, int(received)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    arguments = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = arguments.keep or Path(tempfile.mkdtemp(prefix="astreinte-page-"))
    organisation = work / "org"
    if not organisation.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--teams", str(arguments.teams),
             "--out", str(organisation)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    today = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cases = {
        "published now": today.isoformat(),
        "published 6 months ago": (today - dt.timedelta(days=182)).isoformat(),
    }
    print(f"{arguments.teams} teams; {arguments.runs} loads each")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update"],
        )  # fmt: skip
        for case, at in cases.items():
            site = work / case.replace(" ", "-")
            seconds = publish(organisation, site, at)
            timeline = (site / "timeline.json").stat().st_size
            first_team = first_team_of(site)
            handler = functools.partial(_Counting, directory=str(site))
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_port}/index.html"
            load_once(browser, url, first_team)  # the browser's own first start, not counted
            figures = []
            for _ in range(arguments.runs):
                _Counting.sent = 0
                inside, outside, received = load_once(browser, url, first_team)
                figures.append((inside, outside, received, _Counting.sent))
                print(
                    f"  {case}: first now at {inside:.0f} ms (seen from here {outside:.0f} ms),"
                    f" {received / 1024:.0f} KiB received by then"
                    f" ({_Counting.sent / 1024:.0f} KiB sent in the whole load)"
                )
            server.shutdown()
            server.server_close()
            print(
                f"{case} (publish {seconds:.1f} s, timeline.json {timeline / 2**20:.1f} MiB):"
                f" median first now {statistics.median(f[0] for f in figures):.0f} ms,"
                f" {statistics.median(f[2] for f in figures) / 1024:.0f} KiB received"
            )
        browser.close()
    if arguments.keep is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
