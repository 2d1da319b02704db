"""The dial plan for a person reading it: whom the phone system rings, in order, for how long,
and until when the plan holds. Plain text: a terminal shows it as is, so roster text (names)
goes through :func:`~astreinte_cli.printable.printable` first. A plan from the last valid
roster opens with `now`'s banner."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from astreinte_cli.contacts import display_phone
from astreinte_cli.i18n import _, format_instant
from astreinte_cli.printable import printable
from astreinte_cli.route.plan import DialPlan

if TYPE_CHECKING:
    from astreinte_cli.load.last_valid import StaleRoster


def plan_text(plan: DialPlan, stale: StaleRoster | None) -> str:
    team = plan.team
    local = plan.at.astimezone(team.zone)
    lines = []
    if stale is not None:
        from astreinte_cli.render.now import stale_banner

        lines += [line.plain for line in stale_banner(stale, plan.at, team.zone)] + [""]
    lines.append(
        f"{printable(team.name)}  ({team.id}) · "
        + _("call at {when}").format(
            when=f"{format_instant(plan.at, team.zone, 'day-time-year')} {local:%Z}"
        )
    )
    labels = [
        _("fallback") if step.level is None else _("level {number}").format(number=step.level)
        for step in plan.steps
    ]
    names = [printable(step.name) for step in plan.steps]
    width = max((len(label) for label in labels), default=0)
    name_width = max((len(name) for name in names), default=0)
    for position, (step, label, name) in enumerate(
        zip(plan.steps, labels, names, strict=True), start=1
    ):
        ring = _("ring {seconds} s").format(seconds=step.ring_seconds)
        lines.append(
            f"  {position}. {label.ljust(width)}  {name.ljust(name_width)}  "
            f"{display_phone(step.number)}  {ring}"
        )
    if not plan.steps:
        lines.append("  " + _("nobody to ring: the phone system's own fallback takes the call"))
    if plan.valid_until is None:
        lines.append(_("The plan does not change within 400 days."))
    else:
        lines.append(_("Valid until {when}.").format(when=_when(plan.valid_until, plan)))
    return "\n".join(lines) + "\n"


def _when(instant: dt.datetime, plan: DialPlan) -> str:
    return format_instant(instant, plan.team.zone, "day-time-year")
