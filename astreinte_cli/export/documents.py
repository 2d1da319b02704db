"""The JSON documents of SPEC §7 (`now --json`, `show --json`), as plain dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from astreinte_cli.compile import TeamTimeline
from astreinte_cli.model import Roster, Team
from astreinte_cli.query import LevelNow

JSON = dict[str, Any]


def iso(instant: dt.datetime | None, zone: ZoneInfo) -> str | None:
    return None if instant is None else instant.astimezone(zone).isoformat()


def person_entry(roster: Roster, person_id: str) -> JSON:
    person = roster.people[person_id]
    return {"id": person.id, "name": person.name, "phone": person.phone}


def now_document(
    roster: Roster, at: dt.datetime, zone: ZoneInfo, teams: Sequence[tuple[Team, list[LevelNow]]]
) -> JSON:
    return {
        "at": iso(at, zone),
        "teams": [_team_now(roster, team, levels) for team, levels in teams],
    }


def _team_now(roster: Roster, team: Team, levels: list[LevelNow]) -> JSON:
    zone = team.zone
    return {
        "team": team.id,
        "name": team.name,
        "timezone": team.timezone,
        "instructions": team.instructions,
        "levels": [
            {
                "level": state.level.number,
                "name": state.level.name,
                "active": state.active,
                "on_call": [person_entry(roster, p) for p in state.current.who],
                "since": iso(state.since, zone),
                "until": iso(state.until, zone),
                "escalate_after_minutes": int(state.level.escalate_after.total_seconds() // 60),
                "source": state.current.source,
                "instructions": state.level.instructions,
            }
            for state in levels
        ],
        "fallback": person_entry(roster, team.fallback) if team.fallback else None,
    }


def show_document(
    timelines: Sequence[TeamTimeline],
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
    person: str | None = None,
) -> JSON:
    shifts: list[JSON] = []
    gaps: list[JSON] = []
    for timeline in timelines:
        team_zone = timeline.team.zone
        for level in timeline.levels:
            for shift in level.shifts():
                if person is not None and person not in shift.who:
                    continue
                shifts.append(
                    {
                        "team": timeline.team.id,
                        "level": level.level.number,
                        "who": list(shift.who),
                        "start": iso(shift.start, team_zone),
                        "end": iso(shift.end, team_zone),
                        "source": shift.source,
                    }
                )
            if person is not None:
                continue
            gaps.extend(
                {
                    "team": timeline.team.id,
                    "level": level.level.number,
                    "start": iso(gap.start, team_zone),
                    "end": iso(gap.end, team_zone),
                }
                for gap in level.gaps()
            )
    return {"from": iso(start, zone), "to": iso(end, zone), "shifts": shifts, "gaps": gaps}
