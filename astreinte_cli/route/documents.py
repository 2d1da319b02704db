"""The dial plan as a phone system reads it: the JSON document (its schema is
``astreinte_cli/schemas/route.schema.json``) and the plain ``number,seconds`` lines; and the
masked form of a number, for logs."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from astreinte_cli.route.plan import DialPlan

if TYPE_CHECKING:
    from astreinte_cli.load.last_valid import StaleRoster

JSON = dict[str, Any]


def _iso(instant: dt.datetime | None, plan: DialPlan) -> str | None:
    return None if instant is None else instant.astimezone(plan.team.zone).isoformat()


def plan_document(plan: DialPlan, generated_at: dt.datetime, stale: StaleRoster | None) -> JSON:
    """`route --json` and the route service's answer. Instants are in the team's zone;
    ``stale`` is `now --json`'s (SPEC §7): the current roster's errors and when the roster
    answered from was loaded."""
    document: JSON = {
        "team": plan.team.id,
        "name": plan.team.name,
        "timezone": plan.team.timezone,
        "at": _iso(plan.at, plan),
        "generated_at": _iso(generated_at, plan),
        "valid_until": _iso(plan.valid_until, plan),
        "steps": [
            {
                "level": step.level,
                "who": step.who,
                "name": step.name,
                "number": step.number,
                "ring_seconds": step.ring_seconds,
            }
            for step in plan.steps
        ],
        "skipped": [
            {"level": s.level, "who": s.who, "name": s.name, "reason": "no phone number"}
            for s in plan.skipped
        ],
        "gaps": list(plan.gaps),
        "unreached": list(plan.unreached),
        "complete": not plan.can_go_unanswered,
    }
    if stale is not None:
        document["stale"] = {
            "errors": stale.errors,
            "roster_loaded": _iso(stale.roster_loaded, plan),
        }
    return document


def dial_text(plan: DialPlan) -> str:
    """``number,seconds``, one line per step, in order (``--format dial``)."""
    return "".join(f"{step.number},{step.ring_seconds}\n" for step in plan.steps)


_DIGIT = re.compile(r"[0-9]")


def mask_number(e164: str) -> str:
    """``+33 6 •• •• •• 78``: the country code, the first group and the last two digits of the
    international form; every other digit hidden. What a log may keep of a number."""
    from astreinte_cli.contacts import display_phone

    shown = display_phone(e164)
    country, _space, rest = shown.partition(" ")
    first, space, tail = rest.partition(" ")
    if not space:  # a number written in one group: keep only its last two digits
        first, tail = "", rest
    digits = len(_DIGIT.findall(tail))
    kept = 0
    masked = []
    for char in tail:
        if char.isdigit():
            kept += 1
            masked.append(char if kept > digits - 2 else "•")
        else:
            masked.append(char)
    return " ".join(part for part in (country, first, "".join(masked)) if part)
