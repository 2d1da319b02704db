#!/usr/bin/env python3
"""astreinte: the dial plan for Asterisk, as an AGI script (Python 3, standard library only).

Printed by `astreinte route recipe asterisk`. Install it as
/var/lib/asterisk/agi-bin/astreinte-route.agi (mode 755), and put the route service's token in
/etc/astreinte/route.token, readable by the asterisk user only. For each call it asks the route
service (`astreinte route serve`) for the team's plan and sets, for the dialplan:

  ASTREINTE_STEPS        the number of steps (0 when the service did not answer in time)
  ASTREINTE_NUMBER_<i>   the number of step i (from 1), E.164
  ASTREINTE_RING_<i>     how long step i rings, in seconds
  ASTREINTE_STALE        yes when the plan comes from the last valid roster, else no

The dialplan rings the steps in order and, with no step, its own fixed fallback: the phone
system keeps a number to ring when the route service is down. In extensions.conf:

  [astreinte]
  exten => s,1,AGI(astreinte-route.agi,support)
   same => n,GotoIf($[${ASTREINTE_STEPS} = 0]?fallback)
   same => n,Set(I=1)
   same => n,While($[${I} <= ${ASTREINTE_STEPS}])
   same => n,Dial(PJSIP/${ASTREINTE_NUMBER_${I}}@trunk,${ASTREINTE_RING_${I}})
   same => n,ExitWhile($["${DIALSTATUS}" = "ANSWER"])
   same => n,Set(I=$[${I} + 1])
   same => n,EndWhile()
   same => n,Hangup()
   same => n(fallback),Dial(PJSIP/+33387550000@trunk,30)
   same => n,Hangup()

ASTREINTE_ROUTE_URL (default http://127.0.0.1:8470/route) and ASTREINTE_TOKEN_FILE (default
/etc/astreinte/route.token) in Asterisk's environment change where the service and the token
are. The service is given one second (ASTREINTE_TIMEOUT) to answer.
"""

from __future__ import annotations

import os
import re
import sys
import urllib.parse
import urllib.request
from typing import TextIO

ROUTE_URL = os.environ.get("ASTREINTE_ROUTE_URL", "http://127.0.0.1:8470/route")
TOKEN_FILE = os.environ.get("ASTREINTE_TOKEN_FILE", "/etc/astreinte/route.token")
TIMEOUT = float(os.environ.get("ASTREINTE_TIMEOUT", "1"))
STEP = re.compile(r"(\+[1-9][0-9]{1,14}),([0-9]{1,3})")


def agi_environment(stream: TextIO) -> dict[str, str]:
    """The agi_* variables Asterisk sends first, up to an empty line."""
    found = {}
    for line in stream:
        text = line.rstrip("\n")
        if not text:
            break
        name, _colon, value = text.partition(":")
        found[name.strip()] = value.strip()
    return found


def command(text: str, answers: TextIO, commands: TextIO) -> str:
    """Sends one AGI command and returns Asterisk's answer (``200 result=1``)."""
    commands.write(text + "\n")
    commands.flush()
    return answers.readline().strip()


def quoted(text: str) -> str:
    """``text`` as one AGI argument between double quotes: a line break or another control
    character (an error can quote what a server sent) would end the command and start
    another; a double quote would end the argument."""
    return "".join(c if c.isprintable() else "?" for c in text).replace('"', "'")


def plan(team: str) -> tuple[list[tuple[str, int]], bool, str | None]:
    """The plan's steps (number, seconds), whether it is stale, and what went wrong if the
    service did not give one."""
    try:
        with open(TOKEN_FILE, encoding="utf-8") as stream:
            token = stream.read().strip()
        query = urllib.parse.urlencode({"team": team, "format": "dial"})
        request = urllib.request.Request(
            f"{ROUTE_URL}?{query}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
            body = reply.read(65536).decode("utf-8")
            stale = reply.headers.get("X-Astreinte-Stale") == "yes"
    except Exception as exc:  # anything at all: the dialplan's fallback takes the call
        return [], False, f"{type(exc).__name__}: {exc}"
    steps = []
    for line in body.splitlines():
        match = STEP.fullmatch(line.strip())
        if match is None:
            return [], False, "an answer that is not number,seconds lines"
        steps.append((match.group(1), int(match.group(2))))
    return steps, stale, None if steps else "a plan without steps"


def main(argv: list[str], answers: TextIO, commands: TextIO) -> int:
    agi_environment(answers)
    team = argv[1] if len(argv) > 1 else ""
    steps, stale, problem = plan(team)
    if problem is not None:
        message = f"astreinte: no plan for team {team} ({problem}): the dialplan's fallback"
        command(f'VERBOSE "{quoted(message)}" 1', answers, commands)
    variables = [
        ("ASTREINTE_STEPS", str(len(steps))),
        ("ASTREINTE_STALE", "yes" if stale else "no"),
    ]
    for position, (number, seconds) in enumerate(steps, start=1):
        variables += [
            (f"ASTREINTE_NUMBER_{position}", number),
            (f"ASTREINTE_RING_{position}", str(seconds)),
        ]
    for name, value in variables:
        command(f'SET VARIABLE {name} "{value}"', answers, commands)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv, sys.stdin, sys.stdout))
