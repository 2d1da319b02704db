"""The published page in a real browser: Debian's Chromium driven by Playwright, over a
publication served on 127.0.0.1 (and opened from the folder), with the page's clock under the
test's control. What the page computes must be what the compiler answers: `now --json` at the
same instant, and `show --json` over the week or month it draws."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from astreinte_cli.cli.app import app

ROSTER = Path(__file__).parent / "data" / "page"
PUBLISHED = "2027-03-10T12:00+01:00"
BASE = "https://oncall.example.fr/astreinte"
VENDOR = Path(__file__).parent / "vendor"
REPOSITORY = Path(__file__).parent.parent

runner = CliRunner()

# Instants where `now` is easy to get wrong, in the teams' own words.
INSTANTS = [
    PUBLISHED,
    "2027-03-15T08:59+01:00",  # a minute before the week's handoff (and the coverage edge)
    "2027-03-15T09:00+01:00",  # the handoff minute
    "2027-03-14T01:59-05:00",  # New York, before its spring-forward change
    "2027-03-14T03:00-04:00",  # ... just after it: the 02:30 handoff did not exist that day
    "2027-03-14T14:30-04:00",
    "2027-03-28T01:59+01:00",  # Paris, before its change
    "2027-03-28T03:00+02:00",  # ... and after it
    "2027-03-29T10:00+02:00",  # Easter Monday, a public holiday in Moselle
    "2027-03-10T23:00+01:00",  # level 3 in its coverage with nobody: a gap
    "2027-03-11T10:00+01:00",  # business hours: levels 1 and 2 outside their coverage
    "2027-03-25T20:00+01:00",  # an override with a reason
    "2027-03-21T12:00-04:00",  # Frank on leave, the next member stands in
    "2027-07-14T12:00+02:00",  # far from the publication: the team's whole file
    "2027-10-31T02:30+01:00",  # the second 02:30 of Paris's autumn change
    "2027-02-08T00:00+01:00",  # the first instant published
    "2028-03-08T23:59+01:00",  # the last minute published
]


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI: .ci/run installs it)")
    pytest.skip(reason)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def publish(target: Path, *args: str) -> Any:
    result = runner.invoke(
        app,
        ["publish", str(target), "--rosters", str(ROSTER), "--at", PUBLISHED,
         "--no-person-feeds", "--base-url", BASE, *args],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("page") / "site"
    publish(target)
    return target


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The publication on a static web server on 127.0.0.1, as a static host serves it."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module: starting one costs a second or two."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    executable = _chromium()
    if executable is None:
        _missing("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )  # fmt: skip
        yield launched
        launched.close()


def new_page(browser: Any, *, width: int = 1100, locale: str = "en-GB") -> Any:
    """A page whose machine is in another zone than the teams: the page must not care."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=locale, timezone_id="Asia/Tokyo"
    )
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def open_at(page: Any, url: str, at: dt.datetime) -> None:
    """Opens the page with its clock a little before ``at``, then moves it to ``at`` and
    holds it there."""
    page.clock.install(time=at - dt.timedelta(seconds=20))
    page.goto(url + ("index.html" if url.endswith("/") else ""))
    page.wait_for_selector(".now-box")
    page.clock.pause_at(at)
    move_to(page, at)


_NOW_SHOWN = """seconds => {
    const shown = [...document.querySelectorAll('section.team:not([hidden])')];
    return shown.length > 0 && shown.every(team => {
        const box = team.querySelector('.now-box');
        // the instant it was computed for: that second (a timer fires a few ms late)
        return box !== null && Math.floor(Number(box.dataset.at)) === seconds;
    });
}"""


def wait_for_now(page: Any, at: dt.datetime) -> None:
    """Until every team shown has its "now" computed for ``at``. Polled from here: the page's
    own timers and animation frames are the controlled clock's."""
    until(page, _NOW_SHOWN, at.timestamp())


def until(page: Any, condition: str, argument: object = None, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition, argument):
        assert time.monotonic() < deadline, f"timed out waiting for {condition}"
        time.sleep(0.01)


def move_to(page: Any, at: dt.datetime) -> None:
    """Sets the page's clock to ``at`` (backwards too) and lets it see the change, as when its
    tab becomes visible again."""
    page.clock.set_system_time(at)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    wait_for_now(page, at)


def page_now(page: Any) -> dict[str, Any]:
    """The page's answer, read from the data attributes of its "now" boxes."""
    found: dict[str, Any] = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('section.team')].map(team => {
            const box = team.querySelector('.now-box');
            const levels = [...box.querySelectorAll('.level')].map(level => ({
                level: Number(level.dataset.level),
                active: level.dataset.active === 'true',
                on_call: level.dataset.onCall ? level.dataset.onCall.split(' ') : [],
                source: level.dataset.source || null,
                since: level.dataset.since ? Number(level.dataset.since) : null,
                until: level.dataset.until ? Number(level.dataset.until) : null,
                next: level.dataset.next ? JSON.parse(level.dataset.next) : null,
            }));
            return [team.dataset.team, {levels, chain: JSON.parse(box.dataset.chain)}];
        }))"""
    )
    return found


def compiler_now(at: str) -> dict[str, Any]:
    """What `astreinte now --json` answers at ``at``, with the next state and the escalation
    chain as the compiler's query module gives them."""
    from astreinte_cli.load import load_roster
    from astreinte_cli.query import chain_steps, team_now

    result = runner.invoke(app, ["now", "--json", "--rosters", str(ROSTER), "--at", at])
    assert result.exit_code in (0, 3), result.output
    document = json.loads(result.stdout)
    roster = load_roster(ROSTER)
    when = instant(at)
    answer: dict[str, Any] = {}
    for team in document["teams"]:
        states = team_now(roster, roster.team(team["team"]), when)
        levels = []
        for level, state in zip(team["levels"], states, strict=True):
            stamp = lambda text: None if text is None else instant(text).timestamp()  # noqa: E731
            following = state.next if state.until is not None else None
            levels.append(
                {
                    "level": level["level"],
                    "active": level["active"],
                    "on_call": [person["id"] for person in level["on_call"]],
                    "source": level["source"],
                    "since": stamp(level["since"]),
                    "until": stamp(level["until"]),
                    "next": None if following is None else [following.active, list(following.who)],
                }
            )
        steps = chain_steps(roster.team(team["team"]), [(s.level, s.current.who) for s in states])
        chain = [[n, list(who), int(after.total_seconds() // 60)] for n, who, after in steps]
        answer[team["team"]] = {"levels": levels, "chain": chain}
    return answer


def show(start: str, end: str, *args: str) -> dict[str, Any]:
    result = runner.invoke(
        app, ["show", "--json", "--rosters", str(ROSTER), "--from", start, "--to", end, *args]
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# --------------------------------------------------------------------------- now


def test_now_is_the_compilers_answer_at_every_instant(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant(PUBLISHED))
    # The chosen instants, then one every 11 days 7 hours 13 minutes across the range.
    sweep = [
        (instant("2027-02-08T00:00+01:00") + n * dt.timedelta(days=11, hours=7, minutes=13))
        for n in range(35)
    ]
    for at in INSTANTS + [s.isoformat() for s in sweep]:
        move_to(page, instant(at))
        assert page_now(page) == compiler_now(at), at
    assert page.errors == []


def test_the_page_moves_on_by_itself_past_a_handoff(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-15T08:58:30+01:00"))
    page.evaluate("window.notReloaded = true")
    assert page_now(page) == compiler_now("2027-03-15T08:58:30+01:00")
    before = page_now(page)["support"]["levels"][1]
    page.clock.run_for("01:35")  # to 09:00:05: the page changed at the handoff itself
    wait_for_now(page, instant("2027-03-15T09:00+01:00"))
    after = page_now(page)
    assert after == compiler_now("2027-03-15T09:00+01:00")
    assert after["support"]["levels"][1] != before
    page.clock.run_for("01:00")  # and again at the next minute
    wait_for_now(page, instant("2027-03-15T09:01+01:00"))
    assert page.evaluate("window.notReloaded") is True
    assert page.errors == []


def test_the_age_banner_appears_past_the_threshold_and_the_range(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-11T13:59+01:00"))  # 25 h 59 min after publishing
    assert page.get_attribute("#age", "data-stale") == ""
    assert "Published" in page.inner_text("#age")
    page.clock.run_for("02:00")
    page.wait_for_selector("#age[data-stale='old']")
    text = page.inner_text("#age")
    assert "may be out of date" in text
    assert "1 d 2 h ago" in text
    move_to(page, instant("2027-06-01T12:00+02:00"))
    assert page.get_attribute("#age", "data-stale") == "old"
    page.clock.set_system_time(instant("2028-03-09T00:00:30+01:00"))  # past the range
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_selector("#age[data-stale='past']")
    assert "past the end of what was published" in page.inner_text("#age")
    assert page.errors == []


def test_the_stale_after_option_sets_the_threshold(tmp_path: Path, browser: Any) -> None:
    publish(tmp_path / "site", "--stale-after", "2h")
    text = (tmp_path / "site" / "data" / "publication.js").read_text(encoding="utf-8")
    assert '"stale_after":7200' in text
    page = new_page(browser)
    open_at(page, (tmp_path / "site").as_uri() + "/", instant("2027-03-10T14:01+01:00"))
    assert page.get_attribute("#age", "data-stale") == "old"
    result = runner.invoke(
        app, ["publish", str(tmp_path / "other"), "--rosters", str(ROSTER), "--no-person-feeds",
              "--stale-after", "soon"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--stale-after" in result.stderr


# --------------------------------------------------------------------------- the picture


def bars_of(page: Any, team: str) -> list[tuple[int, str, int, int, bool]]:
    found = page.evaluate(
        """team => [...document.querySelectorAll(`#team-${team} .lane`)].flatMap(lane =>
            [...lane.querySelectorAll('.bar')].map(bar => [
                Number(lane.dataset.level),
                bar.classList.contains('gap') ? 'gap' : bar.dataset.who,
                Number(bar.dataset.start), Number(bar.dataset.end),
                bar.classList.contains('mine')]))""",
        team,
    )
    return [tuple(bar) for bar in found]


def expected_bars(document: dict[str, Any], team: str) -> list[tuple[int, str, int, int]]:
    def seconds(text: str) -> int:
        return int(instant(text).timestamp())

    shifts = [
        (s["level"], " ".join(s["who"]), seconds(s["start"]), seconds(s["end"]))
        for s in document["shifts"]
        if s["team"] == team
    ]
    gaps = [
        (g["level"], "gap", seconds(g["start"]), seconds(g["end"]))
        for g in document["gaps"]
        if g["team"] == team
    ]
    return sorted(shifts + gaps)


def test_the_week_view_draws_the_weeks_shifts_and_gaps(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-24T20:00+01:00"))
    for team, monday, next_monday in (
        ("support", "2027-03-22T00:00+01:00", "2027-03-29T00:00+02:00"),
        ("noc", "2027-03-22T00:00-04:00", "2027-03-29T00:00-04:00"),
    ):
        expected = expected_bars(show(monday, next_monday, "--team", team), team)
        drawn = sorted(bar[:4] for bar in bars_of(page, team))
        assert drawn == expected, team
    # The week with the override: Bob stands in for David from Wednesday 14:00.
    support = bars_of(page, "support")
    assert sum(1 for bar in support if bar[0] == 3 and bar[1] == "gap") == 6  # nights, weekend
    assert "bob" in {bar[1] for bar in support if bar[0] == 2}
    page.click("#previous")
    monday = int(instant("2027-03-15T00:00+01:00").timestamp())
    page.wait_for_selector(f"#team-support .picture[data-from='{monday}']")
    expected = expected_bars(
        show("2027-03-15T00:00+01:00", "2027-03-22T00:00+01:00", "--team", "support"), "support"
    )
    assert sorted(bar[:4] for bar in bars_of(page, "support")) == expected
    assert page.errors == []


def test_the_month_view_and_a_month_far_ahead(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant(PUBLISHED))
    page.select_option("#view", "month")
    for _ in range(4):  # July 2027: beyond the near file, the team's whole file is read
        page.click("#next")
    july = int(instant("2027-07-01T00:00+02:00").timestamp())
    page.wait_for_selector(f"#team-support .picture[data-from='{july}']")
    expected = expected_bars(
        show("2027-07-01T00:00+02:00", "2027-08-01T00:00+02:00", "--team", "support"), "support"
    )
    assert sorted(bar[:4] for bar in bars_of(page, "support")) == expected
    # The present is in March: no line for it in July, and "now" is still March's.
    assert page.is_hidden("#team-support .present")
    assert page_now(page) == compiler_now(PUBLISHED)
    assert "view=month" in page.url
    assert page.errors == []


def test_the_person_filter_highlights_only_that_persons_shifts(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-24T20:00+01:00"))
    page.focus("#person")  # the names are read when the page is idle, or at once from here
    page.wait_for_selector("#person option[value='alice']", state="attached")
    page.select_option("#person", "alice")
    page.wait_for_selector("#team-support .bar.mine")
    bars = bars_of(page, "support")
    mine = [bar for bar in bars if bar[4]]
    assert mine
    assert all("alice" in bar[1].split(" ") for bar in mine)
    assert all("alice" not in bar[1].split(" ") for bar in bars if not bar[4])
    week = show("2027-03-22T00:00+01:00", "2027-03-29T00:00+02:00", "--person", "alice")
    assert len(mine) == len(week["shifts"])
    assert page.is_hidden("#team-noc")  # Alice is in no rotation of that team
    assert "person=alice" in page.url
    page.select_option("#person", "")
    page.wait_for_selector("#team-noc", state="visible")
    assert not page.query_selector_all(".bar.mine")
    assert page.errors == []


def test_a_bar_shows_its_details_on_click_and_from_the_keyboard(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-24T20:00+01:00"))
    bar = page.locator("#team-support .lane[data-level='2'] .bar[data-who='bob']").first
    bar.click()
    details = page.locator("#team-support .details")
    assert "override:1" in details.inner_text()
    assert "échange avec David" in details.inner_text()
    page.keyboard.press("Enter")  # the focus is on Close
    assert details.inner_text() == ""
    bar.focus()
    page.keyboard.press("Enter")
    assert "Bob Lefèvre" in details.inner_text()
    assert page.errors == []


# --------------------------------------------------------------------------- reading it


def overflow(page: Any) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return width


def test_nothing_overflows_on_a_390_px_phone(browser: Any, served: str) -> None:
    page = new_page(browser, width=390)
    open_at(page, served, instant("2027-03-25T20:00+01:00"))
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.locator("#team-support .bar").first.click()
    assert overflow(page) <= 0
    page.select_option("#view", "month")
    page.wait_for_selector(".view-month")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert overflow(page) <= 0
    assert page.errors == []


def test_no_serious_accessibility_violation(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-10T23:00+01:00"))  # with a gap shown
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.locator("#team-support .bar").first.click()
    page.add_script_tag(path=str(VENDOR / "axe.min.js"))
    page.clock.resume()  # axe waits on timers of its own
    for view in ("week", "month"):
        page.select_option("#view", view)
        page.wait_for_selector(f".view-{view}")
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], serious


def test_the_page_works_opened_from_the_folder(browser: Any, site: Path) -> None:
    """A browser refuses fetch() of a file:// address: the data files are scripts."""
    page = new_page(browser)
    open_at(page, site.as_uri() + "/", instant("2027-03-10T23:00+01:00"))
    assert page_now(page) == compiler_now("2027-03-10T23:00+01:00")
    move_to(page, instant("2027-07-14T12:00+02:00"))  # the whole file, from the folder too
    assert page_now(page) == compiler_now("2027-07-14T12:00+02:00")
    assert page.errors == []


def test_a_gap_is_shown_loudly(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-10T23:00+01:00"))
    gap = page.locator("#team-support .level[data-level='3']")
    assert "NOBODY ON CALL" in gap.inner_text()
    assert "is-gap" in (gap.get_attribute("class") or "")
    assert page.errors == []


def test_the_page_speaks_the_publications_language(tmp_path: Path, browser: Any) -> None:
    result = runner.invoke(
        app, ["--lang", "fr", "publish", str(tmp_path / "site"), "--rosters", str(ROSTER),
              "--at", PUBLISHED, "--no-person-feeds"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = new_page(browser, locale="fr-CA")
    open_at(page, (tmp_path / "site").as_uri() + "/", instant("2027-03-10T23:00+01:00"))
    assert page.evaluate("document.documentElement.lang") == "fr"
    text = page.inner_text("#team-support")
    assert "Niveau 1 · Niveau 1 — accueil" in text
    assert "mars" in text  # dates in French, at the team's zone
    assert "Europe/Paris" in text
    assert page.errors == []


# --------------------------------------------------------------------------- the files


def test_no_phone_number_unless_asked_and_then_with_a_warning(
    tmp_path: Path, site: Path, browser: Any
) -> None:
    numbers = ("+33612345678", "+33387750000", "06 12 34 56 78", "+33 6 12 34 56 78")
    for path in site.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(number in text for number in numbers), path
    result = publish(tmp_path / "site", "--with-phones")
    assert "behind authentication" in result.stderr
    data = (tmp_path / "site" / "data" / "teams" / "support.js").read_text(encoding="utf-8")
    assert "+33612345678" in data
    assert "+33612345678" not in (tmp_path / "site" / "timeline.json").read_text(encoding="utf-8")
    page = new_page(browser)
    open_at(page, (tmp_path / "site").as_uri() + "/", instant("2027-03-10T23:00+01:00"))
    link = page.locator("#team-support a[href='tel:+33387750000']").first
    assert link.inner_text() == "+33 3 87 75 00 00"
    assert "behind authentication" in page.inner_text("#age")


def test_roster_text_is_never_markup(browser: Any, served: str) -> None:
    page = new_page(browser)
    open_at(page, served, instant("2027-03-10T23:00+01:00"))
    assert page.query_selector("b") is None
    assert "Emma <b>Tremblay</b>" in page.inner_text("#team-noc")


def test_page_and_script_stay_small(site: Path) -> None:
    size = sum((site / name).stat().st_size for name in
               ("index.html", "assets/astreinte.js", "assets/astreinte.css"))  # fmt: skip
    assert size < 100_000


def test_the_script_passes_its_linter() -> None:
    """ESLint from npm, at the versions of package-lock.json (`npm ci` installs them)."""
    eslint = REPOSITORY / "node_modules" / ".bin" / "eslint"
    if not eslint.exists():
        _missing("ESLint is not installed (npm ci)")
    done = subprocess.run(
        [str(eslint), "astreinte_cli/export/web"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
