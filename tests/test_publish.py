"""`astreinte publish DIR`: layout, secrecy of person feeds, atomic replacement, reproducibility,
and the page as a real browser shows it."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

import icalendar
import pytest
import vobject
from typer.testing import CliRunner

from astreinte_cli import atomic
from astreinte_cli.cli.app import app
from astreinte_cli.export import publish as publishing

ROSTER = Path(__file__).parent / "data" / "feeds"
AT = "2026-12-24T20:00+01:00"
SECRET = "test-secret-0123456789abcdef"
BASE = "https://oncall.example.fr/astreinte"
PHONES = ["+33612345678", "+33387550000", "+33387750000", "+15148721111", "06 12 34 56 78",
          "+33 6 12 34 56 78", "0612345678"]  # fmt: skip

runner = CliRunner()


def publish(target: Path, *args: str, secret: str | None = SECRET) -> str:
    extra = ["--secret", secret] if secret is not None else []
    result = runner.invoke(
        app,
        ["publish", str(target), "--rosters", str(ROSTER), "--at", AT, "--base-url", BASE,
         *extra, *args],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def person_file(person: str, secret: str = SECRET) -> str:
    digest = hmac.new(secret.encode(), f"astreinte-person-feed-v1:{person}".encode(), "sha256")
    return f"people/{digest.hexdigest()[:32]}.ics"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("publish") / "site"
    publish(target)
    return target


def test_layout(site: Path) -> None:
    files = set(snapshot(site))
    people = {"alice", "bob", "chloe", "david", "emma"}  # on a rotation or override; no service
    assert files == {
        ".astreinte-publication", "index.html", "timeline.json", "people/index.html",
        "publication-log.json",
        "teams/support/team.ics", "teams/support/level-1.ics", "teams/support/level-2.ics",
        "teams/noc/team.ics", "teams/noc/level-1.ics",
        "assets/astreinte.js", "assets/astreinte.css", "data/publication.js", "data/people.js",
        "data/teams/support.js", "data/teams/support.near.js",
        "data/teams/noc.js", "data/teams/noc.near.js",
    } | {person_file(p) for p in people}  # fmt: skip


def test_every_feed_parses_and_carries_no_phone_number(site: Path) -> None:
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        unfolded = text.replace("\r\n ", "")
        for phone in PHONES:
            assert phone not in unfolded, (path, phone)
        if path.suffix == ".ics":
            calendar = icalendar.Calendar.from_ical(text)
            assert calendar.get_missing_tzids() == set()
    # vobject is slow on a year of events: one feed of each kind.
    for path in ["teams/support/level-2.ics", "teams/noc/team.ics", person_file("alice")]:
        text = (site / path).read_text(encoding="utf-8")
        assert len(vobject.readOne(text).contents.get("vevent", [])) == len(
            icalendar.Calendar.from_ical(text).walk("VEVENT")
        )


def test_person_feed_holds_only_that_persons_shifts(site: Path) -> None:
    calendar = icalendar.Calendar.from_ical((site / person_file("bob")).read_bytes())
    events = calendar.walk("VEVENT")
    assert events
    assert all("bob" in str(e["x-astreinte-who"]).split(",") for e in events)
    assert str(calendar["x-wr-calname"]) == "Astreinte · Bob Lefèvre"


def test_person_feed_names_depend_on_the_secret(tmp_path: Path, site: Path) -> None:
    other = tmp_path / "other"
    publish(other, "--team", "noc", secret="another-secret-0123456789")
    names = {p.name for p in (other / "people").glob("*.ics")}
    assert names == {
        person_file(p, "another-secret-0123456789").removeprefix("people/")
        for p in ("alice", "emma")
    }
    assert names.isdisjoint(p.name for p in (site / "people").iterdir())


def test_the_page_links_team_and_level_feeds_but_never_person_feeds(site: Path) -> None:
    """The page's words and links are in its data (``tests/test_page.py`` opens it)."""
    page = (site / "index.html").read_text(encoding="utf-8")
    data = (site / "data" / "publication.js").read_text(encoding="utf-8")
    assert f'"{BASE}/teams/support/level-2.ics"' in data
    assert "people/" not in page + data
    assert "12–24 hours" in data
    team = (site / "data" / "teams" / "support.js").read_text(encoding="utf-8")
    assert "Qualifier l'appel" in team
    assert '"https://wiki.example.fr/astreinte/niveau-1"' in team
    assert '<script src="data/publication.js" defer></script>' in page


def test_timeline_json_is_show_json_over_the_published_range(site: Path) -> None:
    document = json.loads((site / "timeline.json").read_text(encoding="utf-8"))
    assert (document["from"], document["to"]) == (
        "2026-11-24T00:00:00+01:00",
        "2027-12-24T00:00:00+01:00",
    )
    shown = runner.invoke(
        app, ["show", "--json", "--rosters", str(ROSTER), "--from", document["from"],
              "--to", document["to"]],
    )  # fmt: skip
    assert json.loads(shown.stdout) == document


def test_same_input_gives_byte_identical_output(tmp_path: Path, site: Path) -> None:
    publish(tmp_path / "again")
    assert snapshot(tmp_path / "again") == snapshot(site)


def test_person_feeds_need_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASTREINTE_FEED_SECRET", raising=False)
    result = runner.invoke(
        app, ["publish", str(tmp_path / "site"), "--rosters", str(ROSTER), "--at", AT]
    )
    assert result.exit_code == 2
    assert "person feeds need a secret" in result.stderr
    assert "--no-person-feeds" in result.stderr
    assert not (tmp_path / "site").exists()

    publish(tmp_path / "site", "--no-person-feeds", secret=None)
    assert not (tmp_path / "site" / "people").exists()


def test_secret_from_the_environment(tmp_path: Path, site: Path) -> None:
    result = runner.invoke(
        app,
        ["publish", str(tmp_path / "site"), "--rosters", str(ROSTER), "--at", AT,
         "--base-url", BASE],
        env={"ASTREINTE_FEED_SECRET": SECRET},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path / "site") == snapshot(site)


def test_person_links_file(tmp_path: Path) -> None:
    links = tmp_path / "links.json"
    publish(tmp_path / "site", "--person-links", str(links))
    assert json.loads(links.read_text(encoding="utf-8"))["alice"] == (
        f"{BASE}/{person_file('alice')}"
    )
    result = runner.invoke(
        app, ["publish", str(tmp_path / "site"), "--rosters", str(ROSTER), "--at", AT,
              "--secret", SECRET, "--person-links", str(tmp_path / "site" / "links.json")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--person-links must be outside DIR" in result.stderr


def test_refuses_to_replace_a_folder_that_is_not_a_publication(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("precious", encoding="utf-8")
    result = runner.invoke(
        app, ["publish", str(tmp_path / "home"), "--rosters", str(ROSTER), "--at", AT,
              "--no-person-feeds"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "not replacing it" in result.stderr
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["thesis.tex"]


def test_a_new_publication_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "site"
    publish(target, "--team", "noc")
    (target / "stale.ics").write_bytes(b"left over")
    publish(target, "--team", "noc", "--no-person-feeds", secret=None)
    assert "stale.ics" not in snapshot(target)
    assert not (target / "people").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_interrupted_publish_leaves_the_previous_publication_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, exchange: bool
) -> None:
    target = tmp_path / "site"
    publish(target, "--team", "noc")
    before = snapshot(target)
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    written: list[BinaryIO] = []
    real_write = publishing.write_content

    def failing_write(stream: BinaryIO, content: atomic.Content) -> None:
        if len(written) == 4:  # the four feeds are written; then timeline.json, a stream
            real_write(stream, b'{\n  "from": ')  # half a file, then the disk fills up
            raise OSError(28, "No space left on device")
        written.append(stream)
        real_write(stream, content)

    monkeypatch.setattr(publishing, "write_content", failing_write)
    result = runner.invoke(
        app, ["publish", str(target), "--rosters", str(ROSTER), "--at", "2027-02-01T12:00+01:00",
              "--base-url", BASE, "--secret", SECRET, "--team", "noc"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]

    monkeypatch.setattr(publishing, "write_content", real_write)
    publish(target, "--team", "noc", "--at", "2027-02-01T12:00+01:00")
    assert snapshot(target) != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_person_feed_name_is_an_hmac_of_the_id() -> None:
    expected = hmac.new(SECRET.encode(), b"astreinte-person-feed-v1:alice", hashlib.sha256)
    assert publishing.person_feed_name(SECRET, "alice") == f"{expected.hexdigest()[:32]}.ics"


def test_short_secrets_are_refused(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["publish", str(tmp_path / "site"), "--rosters", str(ROSTER), "--at", AT,
              "--secret", "hunter2"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "too short" in result.stderr


# --------------------------------------------------------------------------- a real browser


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def test_index_page_in_headless_chromium_shows_who_is_on_call(site: Path, tmp_path: Path) -> None:
    """Chromium's own command line, opening the page from the folder (``tests/test_page.py``
    drives it further, with a controlled clock): the script runs and shows every team."""
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install -y chromium)")
        pytest.skip("chromium is not installed")
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", (site / "index.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<title>Astreinte — on-call rosters</title>" in dom
    assert dom.count('class="now-box"') == 2
    assert 'data-team="support"' in dom
    assert 'data-team="noc"' in dom


def test_progress_callback_counts_every_file(tmp_path: Path) -> None:
    from astreinte_cli.load import load_roster

    roster = load_roster(ROSTER)
    at = dt.datetime(2026, 12, 24, 19, tzinfo=dt.UTC)
    start, end = publishing.default_range(at, roster.teams[0].zone)
    seen: list[tuple[int, int, str]] = []

    def step(done: int, total: int, path: str) -> None:
        assert (tmp_path / path).is_file()  # written before ``progress`` is told of it
        seen.append((done, total, path))

    options = publishing.PublishOptions(at=at, start=start, end=end, secret=SECRET)
    publication = publishing.build_publication(roster, list(roster.teams), options, tmp_path, step)
    assert [done for done, _, _ in seen] == list(range(1, len(seen) + 1))
    assert {total for _, total, _ in seen} == {len(seen)}
    assert seen[-1][2] == "index.html"
    assert seen[-1][0] == seen[-1][1]
    assert len(publication.files) == len(seen) + 3  # + log, marker, people/index.html
    assert sorted(publication.files) == sorted(snapshot(tmp_path))


def test_each_file_is_written_before_the_next_feed_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held until the swap, the feeds of a large organisation would fill memory: each is
    written into its file as it is made, after the one before is complete."""
    from astreinte_cli.load import load_roster

    roster = load_roster(ROSTER)
    at = dt.datetime(2026, 12, 24, 19, tzinfo=dt.UTC)
    start, end = publishing.default_range(at, roster.teams[0].zone)
    options = publishing.PublishOptions(at=at, start=start, end=end, secret=SECRET)
    complete_before: list[int] = []
    write_feed = publishing.write_feed

    def recording(out: BinaryIO, *args: Any, **kwargs: Any) -> None:
        feeds = [path.read_bytes() for path in tmp_path.rglob("*.ics")]
        complete_before.append(sum(feed.endswith(b"END:VCALENDAR\r\n") for feed in feeds))
        assert len(feeds) == complete_before[-1] + 1  # and this one's file, empty yet
        write_feed(out, *args, **kwargs)

    monkeypatch.setattr(publishing, "write_feed", recording)
    publishing.build_publication(roster, list(roster.teams), options, tmp_path)
    assert complete_before == list(range(10))  # 5 team and level feeds, then 5 person feeds


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    from astreinte_cli.cli.commands.export import build
    from astreinte_cli.load import load_roster

    roster = load_roster(ROSTER)
    at = dt.datetime(2026, 12, 24, 19, tzinfo=dt.UTC)
    start, end = publishing.default_range(at, roster.teams[0].zone)
    options = publishing.PublishOptions(at=at, start=start, end=end)
    quiet = build(roster, [roster.teams[1]], options, tmp_path / "quiet", progress=False)
    shown = build(roster, [roster.teams[1]], options, tmp_path / "bar", progress=True)
    assert shown == quiet
    assert snapshot(tmp_path / "bar") == snapshot(tmp_path / "quiet")


def test_the_now_command_does_not_import_icalendar() -> None:
    code = "import sys, astreinte_cli.cli.app; print(sorted(m for m in sys.modules if 'ical' in m))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_each_team_is_read_once_and_a_person_feed_holds_their_teams_shifts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every person's feed reading every team's shifts made a publication grow with the square
    of the organisation; each team's shifts are found once, for its feeds and its people's,
    and each person's feed holds their shifts of their teams, nothing else."""
    read: list[list[str]] = []
    feed_events = publishing.feed_events

    def recording(timelines: list[object], *args: object, **kwargs: object) -> object:
        read.append([t.team.id for t in timelines])  # type: ignore[attr-defined]
        return feed_events(timelines, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(publishing, "feed_events", recording)
    site = tmp_path / "site"
    publish(site)
    assert read == [["support"], ["noc"]]

    def shifts_of(person: str) -> list[tuple[str, str]]:
        feed = (site / "people" / publishing.person_feed_name(SECRET, person)).read_bytes()
        events = icalendar.Calendar.from_ical(feed).walk("VEVENT")
        return [(str(e["X-ASTREINTE-TEAM"]), str(e["X-ASTREINTE-WHO"])) for e in events]

    for person, teams in (("alice", {"support", "noc"}), ("emma", {"noc"})):
        shifts = shifts_of(person)
        assert {team for team, _ in shifts} == teams  # alice is on both teams' rotations
        assert all(person in who.split(",") for _, who in shifts)
