"""``astreinte report``: hand-computed months, with the arithmetic written next to each figure.

Rosters: ``tests/data/report/depannage/`` (two technicians, weekly handover Monday 09:00,
business hours Mon-Fri 09:00-18:00, flat amounts), ``tests/data/report/veille.yaml`` (one
person around the clock, paid by the hour, a raise on 15 October) and the example roster.
Everything is computed in Europe/Paris, whatever the machine's TZ.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from gitrepo import ROSTER, SWAP, Repo

from astreinte_cli.check import Finding, check_timelines
from astreinte_cli.compile import compile_team
from astreinte_cli.diagnostics import RosterError
from astreinte_cli.export.report_formats import report_csv
from astreinte_cli.history import roster_commit
from astreinte_cli.load import load_roster
from astreinte_cli.model import Roster
from astreinte_cli.report import Month, MonthReport, PersonReport, month_report

if TYPE_CHECKING:
    from conftest import Cli

DATA = Path(__file__).parent / "data" / "report"
DEPANNAGE = DATA / "depannage"
VEILLE = DATA / "veille.yaml"
PARIS = ZoneInfo("Europe/Paris")
H = dt.timedelta(hours=1)


def report(location: Path, month: str, roster: Roster | None = None) -> MonthReport:
    roster = roster or load_roster(location)
    return month_report(roster, list(roster.teams), Month.parse(month))


def person(found: MonthReport, person_id: str) -> PersonReport:
    (match,) = [p for p in (*found.people, *found.services) if p.person == person_id]
    return match


def lines(found: PersonReport) -> dict[str, tuple[Fraction, Fraction]]:
    return {line.kind: (line.count, line.amount) for line in found.lines}


def hours_of(found: PersonReport) -> tuple[float, float, float, float]:
    values = (found.hours[c] / H for c in ("weekday", "saturday", "sunday", "holiday"))
    return tuple(values)  # type: ignore[return-value]


# --------------------------------------------------------------------------- February 2026


def test_february_2026_weekly_rotation() -> None:
    """1 February 2026 is a Sunday, 28 February a Saturday; no holiday. Turns: ben from
    Mon 26 Jan 09:00, ana from Mon 2 Feb, ben 9 Feb, ana 16 Feb, ben 23 Feb (to Mon 2 Mar)."""
    found = report(DEPANNAGE, "2026-02")
    ana, ben = person(found, "ana"), person(found, "ben")
    # ana, each of her two weeks (Mon 09:00 to Mon 09:00, outside Mon-Fri 09-18):
    #   weekday: Mon 18-24 (6) + Tue-Fri 00-09 and 18-24 (4 × 15) + next Mon 00-09 (9) = 75
    #   Saturday 24, Sunday 24 → 123 h a week, 246 h in the month
    assert hours_of(ana) == (150, 48, 48, 0)
    # ben: Sun 1 Feb (24) + Mon 2 Feb 00-09 (9) + the week of 9 Feb (75 + 24 + 24)
    #      + 23-28 Feb: Mon 18-24 (6) + Tue-Fri (60) + Sat 28 (24)
    #   weekday 9 + 75 + 66 = 150, Saturday 24 + 24 = 48, Sunday 24 + 24 = 48
    assert hours_of(ben) == (150, 48, 48, 0)
    # All of February outside business hours: 28 × 24 − 20 working days × 9 = 492 = 2 × 246.
    assert (ana.held + ben.held) / H == 28 * 24 - 20 * 9
    # Turns: ana 2 Feb and 16 Feb; ben 26 Jan (its Sunday 1 Feb), 9 Feb and 23 Feb.
    assert (ana.turns, ben.turns) == (2, 3)

    # Portions of a week: Mon-Thu nights (4 × 10.00), and the weekend bundle (Friday night,
    # Saturday, Sunday all held) 100.00 instead of 10 + 30 + 40.
    assert lines(ana)["weeknight"] == (Fraction(8), Fraction(80))
    assert lines(ana)["weekend"] == (Fraction(2), Fraction(200))
    # ben's weekends are cut by the month: the weekend of 30 Jan is Fri night (18-24: 6 h),
    # Sat 31 (24 h) and Sun 1 Feb with Mon 2 Feb 00-09 (33 h), 63 h of which 33 in February;
    # the weekend of 27 Feb is Fri night (6), Sat 28 (24), Sun 1 Mar + Mon 2 Mar morning (33),
    # 30 of 63 h in February. 33/63 + 1 + 30/63 = 2 weekends.
    assert lines(ben)["weekend"] == (Fraction(2), Fraction(200))
    assert lines(ben)["weeknight"] == (Fraction(8), Fraction(80))
    # Interventions: ana, Tue 3 Feb 23:00-01:00, at night: 2 h × 20.00 × 1.25 = 50.00;
    # ben, Sun 15 Feb 14:00-14:20, billed 30 min: 0.5 h × 20.00 × 1.50 = 15.00.
    assert [i.amount for i in ana.interventions] == [Fraction(50)]
    assert [i.amount for i in ben.interventions] == [Fraction(15)]
    assert ana.total == Decimal("330.00")  # 80 + 200 + 50
    assert ben.total == Decimal("295.00")  # 80 + 200 + 15
    assert (ana.money, ana.rest_hours) == (Decimal("330.00"), Decimal("0.00"))


def test_rest_rule_in_the_report() -> None:
    """ana's working day ended Tue 3 Feb 18:00; the call-out at 23:00 came after 5 h of rest
    (< 11 h), so 11 h are due from its end, 01:00: no work before Wed 4 Feb 12:00.
    ben's Sunday call-out came after more than 11 h without work: no effect."""
    found = report(DEPANNAGE, "2026-02")
    (call,) = person(found, "ana").interventions
    assert call.resume_at == dt.datetime(2026, 2, 4, 12, 0, tzinfo=PARIS)
    assert call.categories == ("night",)
    (sunday,) = person(found, "ben").interventions
    assert sunday.resume_at is None
    assert sunday.categories == ("sunday",)


def test_rest_rule_in_check() -> None:
    roster = load_roster(DEPANNAGE)
    findings = _check(roster, dt.datetime(2026, 2, 1, tzinfo=PARIS))
    rest = [f for f in findings if f.rule == "daily-rest"]
    assert [(f.severity, f.span.line) for f in rest] == [("warning", 3)]
    assert "no work before Wed 4 Feb 12:00" in rest[0].message
    assert "ana's working hours resume at Wed 4 Feb 09:00" in rest[0].message
    assert not [f for f in findings if f.rule == "intervention-off-call"]


def _check(roster: Roster, start: dt.datetime) -> list[Finding]:
    end = start + dt.timedelta(days=30)
    timelines = [compile_team(roster, t, start, end) for t in roster.teams]
    return check_timelines(roster, timelines, start, end, start, None)


def test_intervention_off_call_is_an_error(tmp_path: Path) -> None:
    """ben intervenes on Tue 3 Feb, in ana's week: he was not on call."""
    folder = tmp_path / "depannage"
    shutil.copytree(DEPANNAGE, folder)
    log = folder / "interventions.yaml"
    log.write_text(
        log.read_text(encoding="utf-8")
        + "  - {person: ben, team: depannage, from: 2026-02-03 22:00, to: 2026-02-03 22:30}\n",
        encoding="utf-8",
    )
    findings = _check(load_roster(folder), dt.datetime(2026, 2, 1, tzinfo=PARIS))
    (error,) = [f for f in findings if f.rule == "intervention-off-call"]
    assert error.severity == "error"
    assert error.span.line == 11  # the appended entry
    assert error.message == (
        "ben was not on call in depannage at Tue 3 Feb 22:00, when this intervention started"
    )


# --------------------------------------------------------------------------- April, May


def test_april_sundays_are_split_by_turns() -> None:
    """April 2026 Sundays: 5 (ana), 12 (ben), 19 (ana), 26 (ben); ana has weeks 30 Mar, 13 Apr,
    27 Apr — Sun 5 and 19 April, and Sun 3 May is May's. ben: Sun 12 and 26."""
    found = report(DEPANNAGE, "2026-04")
    assert person(found, "ana").hours["sunday"] == 2 * 24 * H
    assert person(found, "ben").hours["sunday"] == 2 * 24 * H


def test_april_2026_easter_monday() -> None:
    """Easter Monday, 6 April 2026, is a holiday: covered 00:00-24:00. ana's turn (from
    Mon 30 Mar) ends at 09:00 and ben's starts then. Its portion runs on to Tue 7 Apr 09:00
    (the end of the holiday's night): 33 h, 9 of them ana's and 24 ben's, paid pro rata of
    50.00."""
    found = report(DEPANNAGE, "2026-04")
    ana, ben = person(found, "ana"), person(found, "ben")
    assert ana.hours["holiday"] == 9 * H
    assert ben.hours["holiday"] == 15 * H  # 09:00-24:00 on Easter Monday
    assert lines(ana)["holiday"] == (Fraction(9, 33), Fraction(9, 33) * 50)
    assert lines(ben)["holiday"] == (Fraction(24, 33), Fraction(24, 33) * 50)
    # Easter Sunday belongs to ana's weekend (Fri 3 night, Sat 4, Sun 5, all hers); it does
    # not reach into Monday, a holiday, which is a portion of its own.
    assert ben.hours["sunday"] == 2 * 24 * H


def test_may_2026_holidays_and_1_may() -> None:
    """Holidays of May 2026: Fri 1 (ana's week of 27 Apr), Fri 8 (ben, 4 May), Thu 14,
    Ascension (ana, 11 May), Mon 25, Whit Monday (ben to 09:00, then ana)."""
    found = report(DEPANNAGE, "2026-05")
    ana, ben = person(found, "ana"), person(found, "ben")
    assert ana.hours["holiday"] == (24 + 24 + 15) * H
    assert ben.hours["holiday"] == (24 + 9) * H
    # 1 May call-out, 10:00-12:00 plus 30 min travel = 2.5 h; holiday +100 % and 1 May +100 %:
    # the largest applies (stack: false): 2.5 × 20.00 × 2 = 100.00.
    (call,) = ana.interventions
    assert call.billed == dt.timedelta(hours=2, minutes=30)
    assert call.categories == ("holiday", "may_1")
    assert call.amount == 100


def test_may_1_with_stacked_uplifts(tmp_path: Path) -> None:
    """With ``stack: true`` the uplifts add up: 2.5 h × 20.00 × (1 + 1 + 1) = 150.00."""
    folder = tmp_path / "depannage"
    shutil.copytree(DEPANNAGE, folder)
    team = folder / "team.yaml"
    team.write_text(
        team.read_text(encoding="utf-8").replace(
            "  mode: money\n", "  mode: money\n  stack: true\n"
        ),
        encoding="utf-8",
    )
    (call,) = person(report(folder, "2026-05"), "ana").interventions
    assert call.amount == 150


# --------------------------------------------------------------------------- DST, per hour


def test_march_2026_spring_forward() -> None:
    """Always on call: March 2026 lasts 31 × 24 − 1 = 743 h (Sun 29 March has 23 h).
    Sundays 1, 8, 15, 22 (24 h) and 29 (23 h): 119 h; Saturdays 7, 14, 21, 28: 96 h;
    22 weekdays: 528 h. Paid 743 × 1.50 = 1114.50, half as rest (mixed, 50 %):
    557.25 € paid and 557.25 / 20.00 = 27.8625 → 27.86 h of rest."""
    zoe = person(report(VEILLE, "2026-03"), "zoe")
    assert hours_of(zoe) == (528, 96, 119, 0)
    assert zoe.held == 743 * H
    assert zoe.total == Decimal("1114.50")
    assert zoe.money == Decimal("557.25")
    assert zoe.rest_hours == Decimal("27.86")
    assert lines(zoe) == {"per_hour": (Fraction(743), Fraction(743) * Fraction(3, 2))}


def test_october_2026_fall_back_and_a_raise_in_mid_month() -> None:
    """October 2026 lasts 31 × 24 + 1 = 745 h (Sun 25 October has 25 h). The rate goes from
    1.50 to 2.00 on 15 October: 1-14 Oct: 14 × 24 = 336 h × 1.50 = 504.00;
    15-31 Oct: 17 × 24 + 1 = 409 h × 2.00 = 818.00; total 1322.00."""
    zoe = person(report(VEILLE, "2026-10"), "zoe")
    assert hours_of(zoe) == (528, 120, 97, 0)  # 5 Saturdays; Sundays 4, 11, 18 and 25 (25 h)
    assert zoe.held == 745 * H
    assert zoe.total == Decimal("1322.00")
    assert zoe.money == Decimal("661.00")
    assert zoe.rest_hours == Decimal("33.05")  # 661.00 / 20.00


# --------------------------------------------------------------------------- example roster


def test_example_roster_december_2026_to_the_cent(example_rosters: Path) -> None:
    """Support team (Moselle: 25 and 26 December are holidays), December 2026.

    Level 2: David from Mon 30 Nov, Alice 7 Dec, Bob 14 Dec, Chloé 21 Dec (Bob replaces her
    from Thu 24 Dec 14:00 to Mon 28 Dec 09:00), David 28 Dec (on leave: Alice stands in, until
    Sun 3 Jan 24:00). Holidays layer: David on Fri 25, Alice on Sat 26.
    Rates from 1 July: weeknight 10.05, Sunday 43.38, holiday 43.38, week 149.48,
    intervention 25.00/h (+25 % night, +100 % Sunday, holiday)."""
    found = report(example_rosters, "2026-12")
    alice, bob = person(found, "alice"), person(found, "bob")
    chloe, david = person(found, "chloe"), person(found, "david")

    # Alice: the week of 7 Dec, held whole: 149.48. Nights of Mon 28 to Thu 31 Dec (the last
    # one 18:00-24:00, since 1 January is a holiday): 4 × 10.05 = 40.20. Sat 26 Dec: 43.38.
    # Call-out Sat 12 Dec 23:00 to Sun 00:30 + 30 min travel:
    #   Sat 23:00-24:00, night: 1 h × 25 × 1.25 = 31.25
    #   Sun 00:00-00:30, night and Sunday (largest: +100 %): 0.5 × 25 × 2 = 25.00
    #   travel, at the first minute's uplift (night): 0.5 × 25 × 1.25 = 15.625
    # 149.48 + 40.20 + 43.38 + 31.25 + 25 + 15.625 = 304.935 → 304.94 (half up)
    assert lines(alice) == {
        "weeknight": (Fraction(4), Fraction("40.20")),
        "holiday": (Fraction(1), Fraction("43.38")),
        "week": (Fraction(1), Fraction("149.48")),
    }
    assert alice.interventions[0].amount == Fraction("71.875")
    assert alice.total == Decimal("304.94")
    # Her hours: week of 7 Dec (168 − 48 business hours = 120), Sat 26 (24), and Mon 28 09:00
    # to Fri 1 Jan 00:00 (87 − 4 × 9 = 51): 195 h; weekday 75 + 51 = 126.
    assert hours_of(alice) == (126, 21, 24, 24)

    # Bob: week of 14 Dec (149.48); Thu 24 Dec 14:00-24:00 (the night before Christmas, its
    # whole portion: 10.05); Sun 27 Dec with Mon 28 00:00-09:00 (43.38).
    # Call-out Sun 20 Dec 10:00-10:20, billed 30 min: 0.5 × 25 × 2 = 25.00. Total 227.91.
    assert lines(bob) == {
        "weeknight": (Fraction(1), Fraction("10.05")),
        "sunday": (Fraction(1), Fraction("43.38")),
        "week": (Fraction(1), Fraction("149.48")),
    }
    assert bob.total == Decimal("227.91")

    # Chloé: Mon 21, Tue 22, Wed 23 nights: 3 × 10.05 = 30.15.
    assert chloe.total == Decimal("30.15")

    # David: his week of 30 Nov is held whole; its portions last Mon-Thu 4 × 15 h, Fri 6 h,
    # Sat 21 h (00-09 and 12-24), Sun 33 h = 120 h, of which Mon 30 Nov's night (15 h) is
    # November's: 105/120 × 149.48 = 130.795. Christmas Day: 43.38.
    # Call-out Fri 25 Dec 03:00-04:30 + 40 min = 13/6 h, night and holiday (+100 %):
    # 13/6 × 25 × 2 = 108.333…  Total 130.795 + 43.38 + 108.333… = 282.508… → 282.51.
    assert lines(david)["week"] == (Fraction(105, 120), Fraction(105, 120) * Fraction("149.48"))
    assert david.interventions[0].amount == Fraction(13, 6) * 50
    assert david.total == Decimal("282.51")

    # THELEM is a service: listed apart, hours only. All of December outside business hours:
    # 744 h − (22 working days × 9 h − 4 h closed on 24 Dec + 3 Saturdays × 3 h) = 541 h.
    (thelem,) = found.services
    assert thelem.person == "thelem"
    assert not thelem.compensated
    assert thelem.held == 541 * H
    assert thelem.hours["holiday"] == 48 * H

    # Billing at 90.00/h (+50 % night, +100 % Sunday or holiday), e.g. the bakery:
    # 2 h billed: 180.00 base; surcharge 1 h × 45 + 0.5 h × 90 + 0.5 h (travel) × 45 = 112.50.
    bakery = next(b for b in found.billing if b.client == "Boulangerie Muller")
    assert (bakery.base, bakery.surcharge) == (Fraction(180), Fraction("112.50"))


def test_example_roster_still_passes_check(cli: Cli, example_rosters: Path) -> None:
    result = cli("check", "--at", "2026-12-01", "--rosters", str(example_rosters))
    assert result.code == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- formats


def test_csv_neutralises_formulas_and_has_totals(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "depannage"
    shutil.copytree(DEPANNAGE, folder)
    team = folder / "team.yaml"
    team.write_text(
        team.read_text(encoding="utf-8").replace(
            "ben: {name: Ben Roussel}", 'ben: {name: "=1+2", phone: null}'
        ),
        encoding="utf-8",
    )
    result = cli("report", "--month", "2026-02", "--format", "csv", "--rosters", str(folder))
    assert result.code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:4] == ["kind", "team", "person", "name"]
    assert rows[2][3] == "'=1+2"
    assert rows[3][:1] == ["total"]
    assert rows[3][8] == "492.00"  # hours: 246 + 246
    assert rows[3][15] == "625.00"  # 330 + 295
    assert rows[-1][0] == "roster"
    billing = cli(
        "report", "--month", "2026-02", "--format", "csv", "--billing", "--rosters", str(folder)
    )
    clients = [row[0] for row in csv.reader(io.StringIO(billing.stdout))]
    assert clients[1] == '\'=HYPERLINK("http://evil.example")'
    notes = [row[-1] for row in csv.reader(io.StringIO(billing.stdout))]
    assert "'-2+3" in notes


def test_report_csv_without_git() -> None:
    found = report(VEILLE, "2026-10")
    text = report_csv(load_roster(VEILLE), found, None)
    assert text.splitlines()[-1] == "roster,not in git"


def test_json_for_payroll(cli: Cli, example_rosters: Path) -> None:
    result = cli(
        "report", "--month", "2026-12", "--format", "json", "--rosters", str(example_rosters)
    )
    assert result.code == 0, result.stderr
    document = result.json()
    assert document["month"] == "2026-12"
    assert document["commit"] is None  # a copy outside git
    alice = next(p for p in document["people"] if p["person"] == "alice")
    assert alice["compensation"]["total"] == "304.94"
    assert alice["hours"] == {
        "weekday": "126.00", "saturday": "21.00", "sunday": "24.00", "holiday": "24.00"
    }  # fmt: skip
    assert [s["person"] for s in document["services"]] == ["thelem"]
    assert "compensation" not in document["services"][0]
    # --json, a common option of SPEC §7, is the same as --format json
    same = cli("report", "--month", "2026-12", "--json", "--rosters", str(example_rosters))
    assert (same.code, same.stdout) == (0, result.stdout)


def test_markdown_has_a_signature_block(cli: Cli, example_rosters: Path, tmp_path: Path) -> None:
    target = tmp_path / "doc.md"
    result = cli(
        "report", "--month", "2026-12", "--format", "markdown", "--team", "support",
        "--person", "bob", "-o", str(target), "--rosters", str(example_rosters),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    text = target.read_text(encoding="utf-8")
    assert "## Bob Lefèvre (bob) — Support client" in text
    assert "| **total** | | **227.91** |" in text
    assert "| Signature | | |" in text
    assert "Alice" not in text


def test_report_names_the_commit(tmp_path: Path) -> None:
    """The commit the roster was read at, marked when the working tree differs from it."""
    repo = Repo(tmp_path / "repo")
    assert roster_commit(repo.rosters) == "uncommitted changes"  # no commit yet
    repo.commit(ROSTER, "2026-11-01T10:00:00+00:00")
    sha = repo.git("rev-parse", "HEAD").strip()
    assert roster_commit(repo.rosters) == sha
    repo.write(ROSTER + SWAP)
    assert roster_commit(repo.rosters) == f"{sha} (uncommitted changes)"
    assert roster_commit(tmp_path / "elsewhere") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--month", "2026-13"), "error: --month: '2026-13' is not a month"),
        (("--month", "2026-12", "--format", "xlsx"), "error: unknown format 'xlsx'"),
        (("--month", "2026-12", "--person", "alcie"), "error: no person 'alcie' in the roster"),
    ],
)
def test_usage_errors(cli: Cli, example_rosters: Path, args: tuple[str, ...], message: str) -> None:
    result = cli("report", *args, "--rosters", str(example_rosters))
    assert result.code == 2
    assert result.stderr.splitlines()[0] == message


def test_invalid_compensation_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "depannage"
    shutil.copytree(DEPANNAGE, folder)
    team = folder / "team.yaml"
    team.write_text(
        team.read_text(encoding="utf-8").replace("saturday: 30.00", "saturday: trente"),
        encoding="utf-8",
    )
    with pytest.raises(RosterError) as caught:
        load_roster(folder)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "saturday must be an amount, not 'trente'"
    assert (diagnostic.span.line, diagnostic.span.column) == (20, 13)


def test_billing_of_the_example_roster(cli: Cli, example_rosters: Path) -> None:
    """Billing at 90.00/h, +50 % night, +100 % Sunday or holiday (the largest applies):
    bakery 2 h: 180.00 + 112.50 (see above); clinic 13/6 h at +100 %: 195.00 + 195.00;
    pharmacy 0.5 h (the minimum) on a Sunday: 45.00 + 45.00. Total 420.00 + 352.50."""
    result = cli(
        "report", "--month", "2026-12", "--billing", "--format", "json",
        "--rosters", str(example_rosters),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    document = result.json()
    assert [b["client"] for b in document["billing"]] == [
        "Boulangerie Muller", "Clinique Sainte-Croix", "Pharmacie du Centre"
    ]  # fmt: skip
    assert [b["categories"] for b in document["billing"]] == [
        ["night", "sunday"], ["night", "holiday"], ["sunday"]
    ]  # fmt: skip
    assert document["total"] == {
        "billed_hours": "4.67", "base": "420.00", "surcharge": "352.50", "total": "772.50"
    }  # fmt: skip


def test_table_lists_people_then_services(cli: Cli, example_rosters: Path) -> None:
    result = cli(
        "report", "--month", "2026-12", "--team", "support", "--rosters", str(example_rosters)
    )
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Astreinte report 2026-12 (support) — roster not in git"
    total = next(line for line in lines if line.startswith("total"))
    # 304.94 + 227.91 + 30.15 + 282.51
    assert total.split()[-3:] == ["845.51", "845.51", "0.00"]
    assert "Services (invoice view: hours held)" in lines
    assert lines[-1].split()[-5:] == ["334.00", "63.00", "96.00", "48.00", "541.00"]


# --------------------------------------------------------------------------- pay (L3121-9, L3133-6)

PAY = """\
people:
  ana: {name: Ana Petit}
team: paie
timezone: Europe/Paris
holidays: FR
business_hours: {mon-fri: 09:00-18:00}
levels:
  - rotations:
      - members: [ana]
"""


def _pay(tmp_path: Path, compensation: str, interventions: str, month: str) -> PersonReport:
    path = tmp_path / "paie.yaml"
    path.write_text(PAY + compensation + "interventions:\n" + interventions, encoding="utf-8")
    return person(report(path, month), "ana")


def test_mode_rest_gives_the_astreinte_as_rest_and_pays_the_intervention(tmp_path: Path) -> None:
    """mode: rest, one hour of rest for each 20.00. Ana is on call all of January 2027 outside
    business hours; only weeknights have an amount (10.00): 21 weekdays less Friday 1 January
    (a holiday, whose portion has no amount) = 20 weeknights = 200.00 of astreinte. One
    call-out, Tue 5 Jan 20:00-22:00, at 30.00/h without uplift: 2 × 30.00 = 60.00.
    Intervention time is working time (L3121-9): the 60.00 are paid; only the astreinte's
    200.00 become rest, 200.00 / 20.00 = 10 h. (Before, the 60.00 became rest too and
    nothing was paid.)"""
    found = _pay(
        tmp_path,
        "compensation:\n  mode: rest\n  rest_hour_value: 20.00\n"
        "  weeknight: 10.00\n  intervention: {hourly: 30.00}\n",
        "  - {person: ana, team: paie, from: 2027-01-05 20:00, to: 2027-01-05 22:00}\n",
        "2027-01",
    )
    (call,) = found.interventions
    assert call.shown == Decimal("60.00")
    assert found.intervention_pay == Decimal("60.00")
    assert found.astreinte == Decimal("200.00")
    assert found.total == Decimal("260.00")
    assert found.rest_amount == Decimal("200.00")  # all of the astreinte, none of the pay
    assert found.money == Decimal("60.00")  # the intervention, paid
    assert found.rest_hours == Decimal("10.00")  # 200.00 / 20.00


def test_1_may_is_paid_at_least_double_whatever_the_rates(tmp_path: Path) -> None:
    """Saturday 1 May 2027, 10:00-12:00, at 20.00/h with no uplift at all in the rates: the
    hours of 1 May are paid double (L3133-6), 2 h × 20.00 × 2 = 80.00 (it was 40.00). The
    client's billing follows its own rates: 2 h × 90.00 = 180.00, no legal uplift there."""
    found = _pay(
        tmp_path,
        "compensation:\n  saturday: 30.00\n  holiday: 30.00\n"
        "  intervention: {hourly: 20.00}\n  billing: {hourly: 90.00}\n",
        "  - {person: ana, team: paie, from: 2027-05-01 10:00, to: 2027-05-01 12:00, "
        "client: Mairie}\n",
        "2027-05",
    )
    (call,) = found.interventions
    assert call.categories == ("holiday", "may_1")
    assert call.amount == 80
    path = tmp_path / "paie.yaml"
    (bill,) = report(path, "2027-05").billing
    assert (bill.base, bill.surcharge) == (Fraction(180), Fraction(0))


def test_a_larger_1_may_uplift_in_the_rates_is_kept(tmp_path: Path) -> None:
    """With may_1: 150 % in the rates: 2 h × 20.00 × 2.5 = 100.00 (the law is a floor)."""
    found = _pay(
        tmp_path,
        "compensation:\n  saturday: 30.00\n  holiday: 30.00\n"
        "  intervention: {hourly: 20.00, uplift: {may_1: 150%}}\n",
        "  - {person: ana, team: paie, from: 2027-05-01 10:00, to: 2027-05-01 12:00}\n",
        "2027-05",
    )
    assert found.interventions[0].amount == 100


def test_shown_lines_add_up_to_the_total(tmp_path: Path, cli: Cli) -> None:
    """Three night call-outs of 30 minutes at 25.00/h +25 %: 0.5 × 25 × 1.25 = 15.625 each,
    46.875 in all → 46.88. Shown one by one and rounded each, they made 15.63 × 3 = 46.89 under
    a total of 46.88; shared out by largest remainder they are 15.63, 15.63 and 15.62 (equal
    remainders: the earlier first). With January's 200.00 of weeknights: 246.88."""
    calls = "".join(
        f"  - {{person: ana, team: paie, from: 2027-01-{day} 22:00, to: 2027-01-{day} 22:30}}\n"
        for day in ("05", "06", "07")
    )
    found = _pay(
        tmp_path,
        "compensation:\n  weeknight: 10.00\n"
        "  intervention: {hourly: 25.00, uplift: {night: 25%}}\n",
        calls,
        "2027-01",
    )
    assert [c.amount for c in found.interventions] == [Fraction("15.625")] * 3
    assert [c.shown for c in found.interventions] == [
        Decimal("15.63"), Decimal("15.63"), Decimal("15.62")
    ]  # fmt: skip
    assert found.intervention_pay == Decimal("46.88")
    assert found.total == Decimal("246.88")
    document = cli(
        "report", "--month", "2027-01", "--format", "json", "--rosters", str(tmp_path / "paie.yaml")
    ).json()
    ana = document["people"][0]
    amounts = [Decimal(i["amount"]) for i in ana["interventions"]]
    lines_ = [Decimal(line["amount"]) for line in ana["compensation"]["lines"]]
    assert sum(amounts) + sum(lines_) == Decimal(ana["compensation"]["total"])


def test_a_bundle_share_is_shown_exactly(cli: Cli, example_rosters: Path) -> None:
    """David's week of 30 November is held whole; 105 of its 120 hours are in December: the
    share is 105/120 = 7/8 of a week, shown as such (it was 0.88), in Markdown and JSON."""
    markdown = cli(
        "report", "--month", "2026-12", "--format", "markdown", "--person", "david",
        "--rosters", str(example_rosters),
    ).stdout  # fmt: skip
    assert "| whole weeks | 7/8 | 130.80 |" in markdown
    document = cli(
        "report", "--month", "2026-12", "--format", "json", "--person", "david",
        "--rosters", str(example_rosters),
    ).json()  # fmt: skip
    week = next(x for x in document["people"][0]["compensation"]["lines"] if x["kind"] == "week")
    assert week == {"kind": "week", "count": "7/8", "amount": "130.80"}


def test_report_flags_an_intervention_by_someone_not_on_call(cli: Cli, tmp_path: Path) -> None:
    """ben intervenes on Tue 3 Feb 2026, in ana's week: the report says so (check already
    did), in the table and in JSON."""
    folder = tmp_path / "depannage"
    shutil.copytree(DEPANNAGE, folder)
    log = folder / "interventions.yaml"
    log.write_text(
        log.read_text(encoding="utf-8")
        + "  - {person: ben, team: depannage, from: 2026-02-03 22:00, to: 2026-02-03 22:30}\n",
        encoding="utf-8",
    )
    table = cli("report", "--month", "2026-02", "--rosters", str(folder)).stdout
    assert (
        "Ben Roussel: the call-out of 2026-02-03 22:00 was made while not on call in depannage"
        in table.splitlines()
    )
    document = cli(
        "report", "--month", "2026-02", "--format", "json", "--rosters", str(folder)
    ).json()
    ben = next(p for p in document["people"] if p["person"] == "ben")
    assert [i["on_call"] for i in ben["interventions"]] == [False, True]


# --------------------------------------------------------------------------- documents


def test_each_employee_gets_a_statement_in_french(
    cli: Cli, example_rosters: Path, tmp_path: Path
) -> None:
    """The support team is French (Moselle): each statement is in French whatever the
    environment's language, with French numbers and dates, the employer, the hours, the
    interventions apart, the compensation, the rest due and a line to acknowledge receipt."""
    target = tmp_path / "statements"
    result = cli(
        "report", "--month", "2026-12", "--per-person", str(target), "--rosters",
        str(example_rosters),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.stdout == f"wrote 4 documents to {target}\n"
    assert sorted(p.name for p in target.iterdir()) == [
        "2026-12-alice.md", "2026-12-bob.md", "2026-12-chloe.md", "2026-12-david.md"
    ]  # fmt: skip
    text = (target / "2026-12-alice.md").read_text(encoding="utf-8")
    assert text.startswith("# Astreinte — relevé mensuel, décembre 2026\n")
    assert "- Employeur\u00a0: Exemple Réseaux SAS" in text
    assert "- Salarié\u00a0: Alice Martin (alice)" in text
    assert "| 126,00\u00a0h | 21,00\u00a0h | 24,00\u00a0h | 24,00\u00a0h | 195,00\u00a0h |" in text
    assert "| semaines entières | 1 | 149,48\u00a0€ |" in text
    assert "| **total** | | **304,94\u00a0€** |" in text
    assert "samedi 12 décembre 2026, 23:00" in text
    assert "lundi 14 décembre 2026, 12:00" in text
    assert "Je soussigné(e) Alice Martin" in text
    assert "Signature\u00a0:" in text
    assert "THELEM" not in text  # a service is not an employee: no statement


def test_statements_follow_lang_when_given(cli: Cli, example_rosters: Path, tmp_path: Path) -> None:
    target = tmp_path / "statements"
    result = cli(
        "--lang", "en", "report", "--month", "2026-12", "--per-person", str(target),
        "--person", "bob", "--rosters", str(example_rosters),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    text = (target / "2026-12-bob.md").read_text(encoding="utf-8")
    assert text.startswith("# Astreinte — monthly statement, December 2026\n")
    assert "| **total** | | **227.91 €** |" in text


def test_csv_for_a_french_spreadsheet(cli: Cli, example_rosters: Path) -> None:
    """excel-fr: a UTF-8 byte order mark, semicolons, decimal commas; dates untouched."""
    result = cli(
        "report", "--month", "2026-12", "--format", "csv", "--csv-dialect", "excel-fr",
        "--rosters", str(example_rosters),
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("\ufeffkind;team;person;name;")
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff")), delimiter=";"))
    alice = next(r for r in rows if r[2] == "alice")
    assert alice[15] == "304,94"
    assert alice[18] == "2026-12-14T12:00+01:00"


def test_billing_has_client_subtotals_and_names(cli: Cli, example_rosters: Path) -> None:
    result = cli(
        "report", "--month", "2026-12", "--billing", "--format", "csv",
        "--rosters", str(example_rosters),
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:4] == ["client", "team", "person", "name"]
    assert rows[1][:4] == ["Boulangerie Muller", "support", "alice", "Alice Martin"]
    assert rows[2] == [
        "Boulangerie Muller", "", "subtotal", "", "", "", "2.00", "", "180.00", "112.50",
        "292.50", "",
    ]  # fmt: skip
    assert rows[-2][:3] == ["total", "", ""]
    assert rows[-2][10] == "772.50"  # 292.50 + 390.00 + 90.00


def test_working_shifts_are_left_out_of_the_astreinte_document(example_rosters: Path) -> None:
    """The network operations team works 12-hour shifts on site around the clock (`kind:
    shifts`): that is working time, paid as salary, not astreinte. It had no compensation and
    its people were listed with hours only (Emma 192 h in December…); it is now left out of the
    monthly astreinte document, and check asks it for no compensation. The support team's
    figures are unchanged to the cent."""
    found = report(example_rosters, "2026-12")
    assert [t.id for t in found.teams] == ["support"]
    assert {p.person for p in found.people} == {"alice", "bob", "chloe", "david"}
    assert sum((p.total for p in found.people), Decimal(0)) == Decimal("845.51")
