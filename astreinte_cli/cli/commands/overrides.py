"""``astreinte override add`` and ``astreinte swap``: changing who is on call by writing overrides
into the team files, in git.

Options are parsed here; the edits are :mod:`astreinte_cli.authoring`, the timeline changes
:mod:`astreinte_cli.diff`. An edit is checked by loading the whole roster, with the new file
contents, from a temporary copy before anything is written: a request the roster would reject
leaves every file as it was, and the diagnostics say why (exit 1).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer

from astreinte_cli.cli.completion import complete_level, complete_person, complete_team
from astreinte_cli.cli.options import (
    EditAt,
    PeriodFrom,
    PeriodTo,
    RostersOption,
    TeamOption,
    TzOption,
)
from astreinte_cli.cli.toolkit import (
    DEFAULT_ROSTERS,
    ExitCode,
    boundary,
    check_person,
    checked_range,
    echo_error,
    fail_usage,
    find_team,
    load,
    print_roster_error,
    read_when,
    read_zone,
    select,
)
from astreinte_cli.i18n import _, ngettext

if TYPE_CHECKING:
    from astreinte_cli.authoring import OverrideEntry
    from astreinte_cli.diff import Change
    from astreinte_cli.model import Override, Roster, Team

ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason", help="Why: kept in the roster for whoever reads it next.", show_default=False
    ),
]
ExceptionalOption = Annotated[
    bool,
    typer.Option(
        "--exceptional",
        help="Mark the change exceptional (short notice for exceptional circumstances).",
    ),
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show the entry and what it changes; write nothing.")
]
AllowPastOption = Annotated[
    bool,
    typer.Option(
        "--allow-past",
        help="Accept a period that ends before --at: a correction of who was really on call.",
    ),
]


def _reason(reason: str | None) -> str | None:
    """``--reason`` as it is written into the roster (None when blank). A roster value has no
    control character: one in the reason is refused here, before any file is read, rather than
    as an error in a file that is never written."""
    from astreinte_cli.printable import control_character

    text = reason.strip() if reason else ""
    found = control_character(text)
    if found is not None:
        fail_usage(
            _("--reason: the text has a control character (U+{code:04X})").format(code=ord(found)),
            _("write the reason on one line"),
        )
    return text or None


def override_add(
    *,
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: Annotated[
        str | None,
        typer.Option(
            "--team",
            help="The team (default: the only team of the roster).",
            autocompletion=complete_team,
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="Level number (from 1) or exact name (default: the team's only level).",
            autocompletion=complete_level,
            show_default=False,
        ),
    ] = None,
    who: Annotated[
        list[str],
        typer.Option(
            "--who",
            metavar="ID",
            help="Who is on call instead (person id; repeat or separate with commas for several).",
            autocompletion=complete_person,
            show_default=False,
        ),
    ],
    replaces: Annotated[
        str | None,
        typer.Option(
            "--replaces",
            metavar="ID",
            help="Replace only this person, only where they are on call.",
            autocompletion=complete_person,
            show_default=False,
        ),
    ] = None,
    start: PeriodFrom,
    end: PeriodTo,
    reason: ReasonOption = None,
    exceptional: ExceptionalOption = False,
    tz: TzOption = None,
    at: EditAt = "now",
    dry_run: DryRunOption = False,
    allow_past: AllowPastOption = False,
) -> None:
    """Add an override to the team's file, keeping its comments and layout, and show what
    it changes in the timeline.

    The whole roster is loaded with the new entry before the file is written: a request it
    would reject (unknown person, no such level) changes nothing and exits 1. A period that
    ends before --at is refused unless --allow-past: history is what the report pays."""
    from astreinte_cli.authoring import OverrideEntry, written_instant

    with boundary(), _edit_lock(rosters):
        reason_text = _reason(reason)
        roster = load(rosters)
        chosen = _one_team(roster, team)
        zone = read_zone(tz, [chosen])
        first, last = _period(start, end, zone)
        ids = tuple(dict.fromkeys(p.strip() for item in who for p in item.split(",") if p.strip()))
        if not ids:
            fail_usage(_("--who names nobody"))
        if level is None and len(chosen.levels) != 1:
            fail_usage(
                _("which level? give --level"),
                _("team '{team}' has levels 1 to {count}").format(
                    team=chosen.id, count=len(chosen.levels)
                ),
            )
        now = read_when(at, zone, "--at")
        if last <= now and not allow_past:
            _refuse_past(
                _("the override {range} is entirely in the past (before {now})"),
                first, last, now, zone,
            )  # fmt: skip
        entry = OverrideEntry(
            level=_level_value(level) if level is not None else 1,
            who=ids,
            start=written_instant(first, chosen.zone),
            end=written_instant(last, chosen.zone),
            replaces=replaces.strip() if replaces else None,
            reason=reason_text,
            exceptional=exceptional,
        )
        _apply(rosters, roster, {chosen.id: [entry]}, first, last, now, dry_run)


def swap(
    first_person: Annotated[
        str,
        typer.Argument(
            metavar="A", help="One person (id).", autocompletion=complete_person, show_default=False
        ),
    ],
    second_person: Annotated[
        str,
        typer.Argument(
            metavar="B", help="The other (id).", autocompletion=complete_person, show_default=False
        ),
    ],
    *,
    rosters: RostersOption = DEFAULT_ROSTERS,
    team: TeamOption = None,
    start: PeriodFrom,
    end: PeriodTo,
    reason: ReasonOption = None,
    exceptional: ExceptionalOption = False,
    tz: TzOption = None,
    at: EditAt = "now",
    dry_run: DryRunOption = False,
    allow_past: AllowPastOption = False,
) -> None:
    """Swap A and B over a period: wherever one of them is on call and the other is not, the
    other takes their place, on every level of every team (or of --team).

    Written as overrides with 'replaces' in each team's file, one per run of time where one
    of them is on call without the other, so that the two halves do not undo each other
    (overrides apply in file order). A period that ends before --at is refused unless
    --allow-past: history is what the report pays."""
    from astreinte_cli.authoring import swap_entries
    from astreinte_cli.compile import compile_team

    with boundary(), _edit_lock(rosters):
        given_reason = _reason(reason)
        roster = load(rosters)
        teams = select(roster, team)
        for person in (first_person, second_person):
            check_person(roster, person)
        if first_person == second_person:
            fail_usage(_("A and B are the same person"))
        zone = read_zone(tz, teams)
        first, last = _period(start, end, zone)
        now = read_when(at, zone, "--at")
        if last <= now and not allow_past:
            _refuse_past(
                _("the swap {range} is entirely in the past (before {now})"),
                first, last, now, zone,
            )  # fmt: skip
        reason_text = given_reason or _("swap {first_person} ↔ {second_person}").format(
            first_person=first_person, second_person=second_person
        )
        entries: dict[str, list[OverrideEntry]] = {}
        for chosen in teams:
            timeline = compile_team(roster, chosen, first, last)
            found = swap_entries(
                timeline.levels, first_person, second_person, chosen.zone, reason_text, exceptional
            )
            if found:
                entries[chosen.id] = found
        if not entries:
            fail_usage(
                _(
                    "nothing to swap: neither {first_person} nor {second_person} is on call "
                    "without the other {range_text}"
                ).format(
                    first_person=first_person,
                    second_person=second_person,
                    range_text=_range_text(first, last, zone),
                ),
                _("check the period with 'astreinte show --from … --to …'"),
            )
        _apply(rosters, roster, entries, first, last, now, dry_run)


# --------------------------------------------------------------------------- shared


@contextmanager
def _edit_lock(rosters: Path) -> Iterator[None]:
    """The roster's files locked from the first read to the last write (see
    :func:`astreinte_cli.authoring.locked`): two edits run at once never lose an entry."""
    from astreinte_cli.authoring import locked
    from astreinte_cli.load.files import roster_files

    def waiting(path: Path) -> None:
        echo_error(_("waiting for another edit of {path} to end…").format(path=path))

    with locked(roster_files(rosters), waiting=waiting):
        yield


def _one_team(roster: Roster, team: str | None) -> Team:
    if team is None:
        if len(roster.teams) == 1:
            return roster.teams[0]
        fail_usage(
            _("which team? give --team"),
            "teams: " + ", ".join(t.id for t in roster.teams) if roster.teams else None,
        )
    return find_team(roster, team)


def _level_value(text: str) -> int | str:
    value = text.strip()
    return int(value) if value.isdigit() else value


def _period(start: str, end: str, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return checked_range(read_when(start, zone, "--from"), read_when(end, zone, "--to"))


def _refuse_past(
    message: str, first: dt.datetime, last: dt.datetime, now: dt.datetime, zone: ZoneInfo
) -> NoReturn:
    """Refuse to rewrite the past: who was on call is what the monthly report pays."""
    from astreinte_cli.check.findings import local_text

    fail_usage(
        message.format(range=_range_text(first, last, zone), now=local_text(now, zone)),
        _(
            "who was on call then is what the monthly report pays; to correct that record, "
            "run the command again with --allow-past"
        ),
    )


def _range_text(first: dt.datetime, last: dt.datetime, zone: ZoneInfo) -> str:
    from astreinte_cli.check.findings import local_range

    return str(local_range(first, last, zone))


@dataclass(frozen=True, slots=True)
class _Edit:
    path: Path
    raw: bytes
    old: str
    new: str


def _read(path: Path) -> tuple[bytes, str]:
    raw = path.read_bytes()
    return raw, raw.decode("utf-8")  # a BOM stays in the text, and so in the file


def _edits(
    roster: Roster, entries: dict[str, list[OverrideEntry]], *, dry_run: bool = False
) -> list[_Edit]:
    from astreinte_cli.authoring import EditError, add_overrides, writable

    edits = []
    for team in roster.teams:
        if team.id not in entries:
            continue
        path = Path(team.path)
        if not dry_run:  # a read-only file is refused before anything is shown as done
            writable(path)
        raw, text = _read(path)
        bom = text.startswith("\ufeff")
        try:
            new = add_overrides(text.removeprefix("\ufeff"), entries[team.id])
        except EditError as exc:
            fail_usage(
                _("{subject}: {message}").format(subject=path, message=exc.message), exc.hint
            )
        edits.append(_Edit(path, raw, text, ("\ufeff" if bom else "") + new))
    return edits


def _would_be(count: int) -> str:
    return ngettext(
        "{count} error in the roster as it would be: nothing was written",
        "{count} errors in the roster as it would be: nothing was written",
        count,
    ).format(count=count)


@contextmanager
def _staged(rosters: Path, edits: Sequence[_Edit]) -> Iterator[Roster]:
    """The roster loaded from a temporary copy holding the edits; on errors, prints them as
    if they were in the real files (as they would be) and exits 1, having written nothing."""
    import tempfile

    from astreinte_cli.diagnostics import RosterError
    from astreinte_cli.load import load_roster
    from astreinte_cli.load.files import roster_files

    with tempfile.TemporaryDirectory(prefix="astreinte-edit-") as tmp:
        location = Path(tmp) / (rosters.name or "rosters")
        if rosters.is_file():
            shutil.copyfile(rosters, location)
        else:
            location.mkdir()
            for path in roster_files(rosters):
                shutil.copyfile(path, location / path.name)
        changed = {edit.path.name: edit.new for edit in edits}
        for name, text in changed.items():
            target = location if rosters.is_file() else location / name
            target.write_text(text, encoding="utf-8", newline="")
        try:
            roster = load_roster(location)
        except RosterError as exc:
            print_roster_error(exc, _would_be, moved=(str(location), str(rosters)))
            raise typer.Exit(ExitCode.INVALID) from None
        yield roster


def _apply(
    rosters: Path,
    roster: Roster,
    entries: dict[str, list[OverrideEntry]],
    first: dt.datetime,
    last: dt.datetime,
    now: dt.datetime,
    dry_run: bool,
) -> None:
    """Stage the edits, show them and what they change, then write them (unless dry run)."""
    import difflib

    from astreinte_cli.authoring import write_atomically
    from astreinte_cli.compile import compile_team
    from astreinte_cli.diff import team_changes

    edits = _edits(roster, entries, dry_run=dry_run)
    with _staged(rosters, edits) as new_roster:
        _check_landed(roster, new_roster, entries)
        for edit in edits:
            count = sum(
                len(v) for k, v in entries.items() if Path(roster.team(k).path) == edit.path
            )
            typer.echo(
                (
                    ngettext(
                        "{path}: would add {count} override",
                        "{path}: would add {count} overrides",
                        count,
                    )
                    if dry_run
                    else ngettext(
                        "{path}: adding {count} override", "{path}: adding {count} overrides", count
                    )
                ).format(path=edit.path, count=count)
            )
            for line in difflib.unified_diff(
                edit.old.splitlines(), edit.new.splitlines(), lineterm="", n=0
            ):
                if line.startswith("+") and not line.startswith("+++"):
                    typer.echo("  " + line)
        services = frozenset(p.id for p in new_roster.people.values() if p.is_service)
        for team_id in entries:
            old_team, new_team = roster.team(team_id), new_roster.team(team_id)
            before = compile_team(roster, old_team, first, last)
            after = compile_team(new_roster, new_team, first, last)
            changes = team_changes(before, after, now, services)
            _print_changes(new_team, changes, now)
    if dry_run:
        typer.echo(_("dry run: nothing was written"))
        return
    try:
        for edit in edits:
            write_atomically(edit.path, edit.new, expected=edit.raw)
            typer.echo(_("wrote {path}").format(path=edit.path))
    except OSError as exc:
        fail_usage(_("cannot write: {reason}").format(reason=exc.strerror or exc))


def _check_landed(old: Roster, new: Roster, entries: dict[str, list[OverrideEntry]]) -> None:
    """Refuses (usage error) an edit whose entries are not, in the roster as it would be, the
    last overrides of their team, as asked, after the team's overrides as they were: the
    overrides apply in file order, so an entry anywhere else would not do what was asked."""
    for team_id, added in entries.items():
        before, after = old.team(team_id).overrides, new.team(team_id).overrides
        count = len(before)
        landed = (
            len(after) == count + len(added)
            and all(_same(a, b) for a, b in zip(before, after[:count], strict=True))
            and all(
                _asked(new.team(team_id), entry, override)
                for entry, override in zip(added, after[count:], strict=True)
            )
        )
        if not landed:
            fail_usage(
                _(
                    "{path}: the new entry would not be the last of 'overrides', so it would "
                    "not do what was asked; nothing was written"
                ).format(path=new.team(team_id).path),
                _("add the override by hand"),
            )


def _same(first: Override, second: Override) -> bool:
    return (first.level, first.who, first.replaces, first.period, first.reason) == (
        second.level, second.who, second.replaces, second.period, second.reason
    )  # fmt: skip


def _asked(team: Team, entry: OverrideEntry, override: Override) -> bool:
    level = entry.level
    if isinstance(level, str):
        level = next((lv.number for lv in team.levels if lv.name == level), -1)
    return (override.level, override.who, override.replaces, override.exceptional) == (
        level, tuple(dict.fromkeys(entry.who)), entry.replaces, entry.exceptional
    )  # fmt: skip


def _print_changes(team: Team, changes: Sequence[Change], now: dt.datetime) -> None:
    from astreinte_cli.render.changes import change_sentence, team_heading

    if not changes:
        typer.echo(
            _(
                "{team}: the timeline does not change over that period (whoever it "
                "replaces is not on call then, it is outside coverage, or it is already so)"
            ).format(team=team.id)
        )
        return
    typer.echo(team_heading(team))
    for change in changes:
        typer.echo("  " + change_sentence(change, team.zone, team.rules.notice_days))
    broken = [c for c in changes if c.breaks_notice]
    if broken:
        typer.echo(_notice_warning(team, min(c.start for c in broken), now))


def _notice_warning(team: Team, start: dt.datetime, now: dt.datetime) -> str:
    """The warning for a change that breaks the notice rule, with the way out that fits it:
    --exceptional when one whole day (jour franc) lies between the day it is made and the day
    it starts; else none does, and it says from when even an exceptional change may start."""
    from astreinte_cli.check.findings import local_date, local_text
    from astreinte_cli.times import midnight, place

    made = local_date(now, team.zone)
    if (local_date(start, team.zone) - made).days >= 2:
        return _(
            "warning: this breaks the notice rule; 'astreinte check' will report it "
            "(use --exceptional for a change made for exceptional circumstances)"
        )
    earliest = place(midnight(made + dt.timedelta(days=2)), team.zone)
    return _(
        "warning: this breaks the notice rule even for an exceptional change, which needs one "
        "whole day (jour franc) between the day it is made and the day it starts (so a start "
        "on {day} at the earliest); 'astreinte check' will report it"
    ).format(day=local_text(earliest, team.zone))
