"""The recipes that connect a phone system to the route service, shipped with the package and
printed by `astreinte route recipe NAME`: a Kamailio configuration, an Asterisk AGI script and
a Twilio webhook (README, "Connecting a phone system")."""

from __future__ import annotations

from importlib.resources import files

RECIPES = {
    "kamailio": "kamailio.cfg",
    "asterisk": "asterisk_agi.py",
    "twilio": "twilio_webhook.py",
}


def recipe_text(name: str) -> str:
    """The recipe ``name`` (one of :data:`RECIPES`), as shipped."""
    return (files(__package__) / RECIPES[name]).read_text(encoding="utf-8")
