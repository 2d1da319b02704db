"""Rest, measured between periods of work (Code du travail L3121-10, L3131-1, L3132-2), in
`check` and `report`, with the hand computation of each case written beside it.

Work is the person's working hours (their own, their team's ``work_hours``, else the team's
business hours) and their interventions, travel included; astreinte without intervention is
rest. An intervention inside a daily (11 h) or weekly (35 h) rest that is not yet complete
makes the whole rest due again from its end.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from astreinte_cli.check import Finding, check_timelines
from astreinte_cli.compile import compile_team
from astreinte_cli.load import load_roster
from astreinte_cli.model import Roster
from astreinte_cli.report import Month, month_report

PARIS = ZoneInfo("Europe/Paris")

# A team of two technicians: weekly turns from Monday 09:00, outside business hours
# (Mon-Fri 09:00-18:00), French holidays. Compensated, so that only rest is at stake.
TEAM = """\
people:
  ana: {name: Ana Petit}
  ben: {name: Ben Roussel}
team: depannage
timezone: Europe/Paris
holidays: FR
business_hours:
  mon-fri: 09:00-18:00
rules: {notice_days: off}
levels:
  - rotations:
      - members: [ana, ben]
        start: 2027-01-04 09:00        # ana from Mon 4 Jan, ben 11 Jan, ana 18 Jan...
compensation: {weeknight: 10, saturday: 30, sunday: 40, holiday: 40,
               intervention: {hourly: 20.00}}
"""


def _roster(tmp_path: Path, text: str) -> Roster:
    path = tmp_path / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    return load_roster(path)


def _check(roster: Roster, start: dt.datetime, days: int = 21) -> list[Finding]:
    end = start + dt.timedelta(days=days)
    timelines = [compile_team(roster, t, start, end) for t in roster.teams]
    return check_timelines(roster, timelines, start, end, start, None)


def _rest(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule in ("daily-rest", "weekly-rest", "min-rest")]


def _intervention(line: str) -> str:
    return f"interventions:\n  - {line}\n"


# --------------------------------------------------------------------------- weekly rest


def test_a_sunday_night_call_out_interrupts_the_weekly_rest(tmp_path: Path) -> None:
    """Turns: ana from Mon 4 January 2027, ben from Mon 11, ana from Mon 18: Sunday 17 January
    is ben's. His working week ended Friday 15 January at 18:00; his call-out on Sunday
    01:00-02:00 comes after 31 h of rest, less than the 35 h of a weekly rest (24 h and the
    11 h of daily rest, L3132-2), inside the rest that takes in the Sunday (Fri 18:00 to Mon
    09:00, 63 h): the whole 35 h are due from 02:00, so no work before Monday 18 January
    13:00 (02:00 + 35 h). His working hours start again on Monday at 09:00."""
    roster = _roster(
        tmp_path,
        TEAM + _intervention("{person: ben, team: depannage, from: 2027-01-17 01:00, "
                             "to: 2027-01-17 02:00}"),
    )  # fmt: skip
    (finding,) = _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS)))
    assert (finding.rule, finding.severity) == ("weekly-rest", "warning")
    assert finding.message == (
        "ben's call-out Sun 17 Jan 01:00 ended at Sun 17 Jan 02:00 (travel included) and "
        "interrupted a weekly rest that was not complete: no work before Mon 18 Jan 13:00, "
        "but ben's working hours resume at Mon 18 Jan 09:00"
    )
    assert finding.hint == (
        "let ben start at Mon 18 Jan 13:00 (35 consecutive hours of weekly rest from the end "
        "of the call-out, Code du travail L3132-2)"
    )
    assert finding.start == dt.datetime(2027, 1, 17, 1, tzinfo=PARIS)
    (line,) = next(p for p in month_report(roster, roster.teams, Month(2027, 1)).people
                   if p.person == "ben").interventions  # fmt: skip
    assert line.resume_at == dt.datetime(2027, 1, 18, 13, tzinfo=PARIS)
    assert line.rest == "weekly"


def test_the_example_roster_saturday_night_call_out_bars_monday_morning(
    example_rosters: Path,
) -> None:
    """Alice (support, Metz) works Saturdays 09:00-12:00 too. Her call-out of Saturday 12
    December 2026, 23:00-00:30, with 30 minutes of travel, ends Sunday 01:00. She had rested
    11 h since Saturday 12:00: the daily rest was complete (11 h), but not the weekly rest
    (35 h), which the rest from Saturday 12:00 to Monday 09:00 (45 h, with the Sunday) is.
    35 h from Sunday 01:00: no work before Monday 14 December 12:00; business hours (her
    working hours) start at 09:00. Her December figures are unchanged (304.94)."""
    roster = load_roster(example_rosters)
    findings = _check(roster, dt.datetime(2026, 12, 1, tzinfo=PARIS), days=90)
    alice = [f for f in _rest(findings) if "alice" in f.message]
    assert [(f.rule, f.span.line) for f in alice] == [("weekly-rest", 5)]
    assert "no work before Mon 14 Dec 12:00, but alice's working hours resume at Mon 14 Dec " \
        "09:00" in alice[0].message  # fmt: skip
    report = month_report(roster, roster.teams, Month(2026, 12))
    (line,) = next(p for p in report.people if p.person == "alice").interventions
    assert line.resume_at == dt.datetime(2026, 12, 14, 12, tzinfo=PARIS)
    assert line.rest == "weekly"


def test_a_complete_weekly_rest_is_not_interrupted(tmp_path: Path) -> None:
    """Ben rested from Friday 15 January 18:00; his call-out on Sunday 17 January at 10:00
    comes 40 h later: the 35 h of weekly rest were complete, and the daily rest too, so the
    call-out has no effect on them (nothing due, no finding)."""
    roster = _roster(
        tmp_path,
        TEAM + _intervention("{person: ben, team: depannage, from: 2027-01-17 10:00, "
                             "to: 2027-01-17 11:00}"),
    )  # fmt: skip
    assert _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS))) == []
    (line,) = next(p for p in month_report(roster, roster.teams, Month(2027, 1)).people
                   if p.person == "ben").interventions  # fmt: skip
    assert (line.resume_at, line.rest) == (None, None)


# --------------------------------------------------------------------------- daily rest


def test_a_weeknight_call_out_interrupts_the_daily_rest(tmp_path: Path) -> None:
    """Ana's working day ends Tuesday 5 January 2027 at 18:00. Her call-out at 23:00 comes
    after 5 h of rest (< 11 h) and ends at 00:30 with 30 minutes of travel: 01:00. A weeknight
    rest (Tue 18:00 to Wed 09:00, 15 h) is a daily rest: 11 h are due from 01:00, no work
    before Wednesday 12:00, while her working hours start at 09:00."""
    roster = _roster(
        tmp_path,
        TEAM + _intervention("{person: ana, team: depannage, from: 2027-01-05 23:00, "
                             "to: 2027-01-06 00:30, travel: 30}"),
    )  # fmt: skip
    (finding,) = _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS)))
    assert finding.rule == "daily-rest"
    assert "no work before Wed 6 Jan 12:00, but ana's working hours resume at Wed 6 Jan 09:00" \
        in finding.message  # fmt: skip


def test_a_call_out_again_during_the_rest_is_the_one_judged(tmp_path: Path) -> None:
    """Two call-outs the same night: Tue 23:00-00:00 and Wed 03:00-04:00. The second comes 3 h
    after the first: 11 h are due from 04:00, no work before 15:00. Only the second is
    reported (the first's rest, due until 11:00, was interrupted again)."""
    roster = _roster(
        tmp_path,
        TEAM
        + "interventions:\n"
        + "  - {person: ana, team: depannage, from: 2027-01-05 23:00, to: 2027-01-06 00:00}\n"
        + "  - {person: ana, team: depannage, from: 2027-01-06 03:00, to: 2027-01-06 04:00}\n",
    )
    (finding,) = _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS)))
    assert finding.span.line == 18  # the second call-out
    assert "no work before Wed 6 Jan 15:00" in finding.message


# --------------------------------------------------------------------------- min_rest_hours


NIGHTS_AND_WEEKENDS = TEAM.replace("mon-fri: 09:00-18:00", "mon-fri: 08:30-18:00").replace(
    "rules: {notice_days: off}", "rules: {notice_days: off, min_rest_hours: 11}"
)


def test_an_ordinary_nights_and_weekends_turn_gives_no_rest_finding(tmp_path: Path) -> None:
    """Business hours 08:30-18:00, astreinte every night and weekend of the turn, and
    min_rest_hours: 11. The on-call nights are rest (L3121-10): between two working days lie
    14 h 30 of rest (18:00 to 08:30), a weekend 62 h 30. No finding: the rule measured the
    9.5 h *working day* between two on-call nights as "rest" before."""
    roster = _roster(tmp_path, NIGHTS_AND_WEEKENDS)
    assert _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS), days=28)) == []


def test_working_hours_that_leave_too_little_rest_are_an_error(tmp_path: Path) -> None:
    """The team's staff work 07:00-22:00 on weekdays: from 07:00, the 24 hours hold at most
    9 h of rest (22:00 to 07:00), less than 11 h; and Monday to Friday every week, so each
    week still has its weekend (Fri 22:00 to Mon 07:00, 57 h). One error for the daily rest,
    counting the 15 weekday starts of the three weeks (their 24 hours all lie inside)."""
    text = NIGHTS_AND_WEEKENDS.replace(
        "rules: {notice_days: off, min_rest_hours: 11}",
        "rules: {notice_days: off, min_rest_hours: 11}\nwork_hours: {mon-fri: 07:00-22:00}",
    )
    roster = _roster(tmp_path, text)
    findings = _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS), days=21))
    assert [(f.rule, f.severity, f.span.line) for f in findings] == [("min-rest", "error", 10)]
    assert findings[0].message == (
        "the working hours of team depannage leave at most 9 h of consecutive rest in the 24 "
        "hours from Mon 4 Jan 07:00 to Tue 5 Jan 07:00 (15 times over the horizon); the daily "
        "rest is 11 h (Code du travail L3131-1)"
    )


def test_min_rest_hours_off_turns_the_rest_rules_off(tmp_path: Path) -> None:
    roster = _roster(
        tmp_path,
        TEAM.replace("rules: {notice_days: off}", "rules: {notice_days: off, min_rest_hours: off}")
        + _intervention("{person: ben, team: depannage, from: 2027-01-17 01:00, "
                        "to: 2027-01-17 02:00}"),
    )  # fmt: skip
    assert _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS))) == []


# --------------------------------------------------------------------------- whose hours


def test_a_part_time_person_is_judged_on_their_own_hours(tmp_path: Path) -> None:
    """Ben works only on Mondays and Tuesdays (his own work_hours). His scheduled rest runs
    from Tuesday 18:00 to Monday 09:00 and takes in the Sunday: it is his weekly rest. His
    call-out of Wednesday 13 January 01:00-02:00 (his week) comes 7 h into it, so 35 h are
    due from 02:00: no work before Thursday 14 January 13:00, and he has none before Monday:
    no finding, the report shows the rest due. With the team's hours (Monday to Friday) the
    same call-out falls in a weeknight's daily rest: 11 h from 02:00, no work before
    Wednesday 13:00, and Wednesday's work starts at 09:00."""
    call = _intervention(
        "{person: ben, team: depannage, from: 2027-01-13 01:00, to: 2027-01-13 02:00}"
    )
    part_time = TEAM.replace(
        "ben: {name: Ben Roussel}",
        "ben: {name: Ben Roussel, work_hours: {mon-tue: 09:00-18:00}}",
    )
    roster = _roster(tmp_path, part_time + call)
    assert _rest(_check(roster, dt.datetime(2027, 1, 4, tzinfo=PARIS))) == []
    (line,) = next(p for p in month_report(roster, roster.teams, Month(2027, 1)).people
                   if p.person == "ben").interventions  # fmt: skip
    assert (line.resume_at, line.rest) == (dt.datetime(2027, 1, 14, 13, tzinfo=PARIS), "weekly")
    (finding,) = _rest(
        _check(_roster(tmp_path, TEAM + call), dt.datetime(2027, 1, 4, tzinfo=PARIS))
    )
    assert finding.rule == "daily-rest"
    assert "no work before Wed 13 Jan 13:00" in finding.message


def test_the_team_work_hours_replace_its_business_hours(tmp_path: Path) -> None:
    """The phone is answered 09:00-18:00 but the staff start at 07:00 (work_hours). Ana's
    call-out of Tuesday 5 January 23:00-00:00 makes 11 h due until Wednesday 11:00: her work
    resumes at 07:00."""
    text = TEAM.replace(
        "rules: {notice_days: off}", "rules: {notice_days: off}\nwork_hours: {mon-fri: 07:00-16:00}"
    ) + _intervention(
        "{person: ana, team: depannage, from: 2027-01-05 23:00, to: 2027-01-06 00:00}"
    )
    (finding,) = _rest(_check(_roster(tmp_path, text), dt.datetime(2027, 1, 4, tzinfo=PARIS)))
    assert "no work before Wed 6 Jan 11:00, but ana's working hours resume at Wed 6 Jan 07:00" \
        in finding.message  # fmt: skip


def test_a_service_has_no_rest_rules(tmp_path: Path) -> None:
    text = TEAM.replace("ben: {name: Ben Roussel}", "ben: {name: Ben Roussel, kind: service}")
    text += _intervention(
        "{person: ben, team: depannage, from: 2027-01-17 01:00, to: 2027-01-17 02:00}"
    )
    assert _rest(_check(_roster(tmp_path, text), dt.datetime(2027, 1, 4, tzinfo=PARIS))) == []


@pytest.mark.parametrize(
    ("zone", "sunday", "resume"),
    [
        # Sunday 01:30 CET (00:30 UTC) + 35 h = Monday 11:30 UTC = 13:30 CEST
        ("Europe/Paris", "2027-03-28", "2027-03-29 13:30"),
        # Sunday 01:30 EST (06:30 UTC) + 35 h = Monday 17:30 UTC = 13:30 EDT
        ("America/New_York", "2027-03-14", "2027-03-15 13:30"),
        # Sunday 01:30 AEDT (Saturday 14:30 UTC) + 35 h = Monday 01:30 UTC = 11:30 AEST
        ("Australia/Sydney", "2027-04-04", "2027-04-05 11:30"),
    ],
)
def test_the_weekly_rest_across_a_dst_change(
    tmp_path: Path, zone: str, sunday: str, resume: str
) -> None:
    """The weekend of a DST change: 35 h of rest are 35 elapsed hours, whatever the clocks
    do. Ana's call-out Sunday 01:00-01:30 comes 31 h (±1) after Friday 18:00."""
    text = TEAM.replace("timezone: Europe/Paris", f"timezone: {zone}").replace(
        "holidays: FR", "holidays: none"
    ) + _intervention(f"{{person: ana, team: depannage, from: {sunday} 01:00, to: {sunday} 01:30}}")
    roster = _roster(tmp_path, text)
    day = dt.date.fromisoformat(sunday)
    found = month_report(roster, roster.teams, Month(day.year, day.month))
    (line,) = [i for p in found.people for i in p.interventions]
    assert line.resume_at == dt.datetime.fromisoformat(resume).replace(tzinfo=ZoneInfo(zone))
    assert line.rest == "weekly"
