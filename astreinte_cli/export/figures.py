"""Numbers as people read them in the active language: ``149.54 €`` in English, ``149,54 €``
in French (CLDR's French: decimal comma, a narrow no-break space between thousands, a no-break
space before the euro sign), through Babel, imported only for French."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from astreinte_cli.i18n import get_language

HUNDREDTH = Decimal("0.01")


def _french() -> bool:
    return get_language() == "fr"


def number(value: Decimal) -> str:
    """A decimal to the hundredth: ``7.50`` / ``7,50``, ``1234.50`` / ``1 234,50``."""
    value = value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    if not _french():
        return str(value)
    from babel.numbers import format_decimal

    return str(format_decimal(value, format="#,##0.00", locale="fr_FR"))


def money(value: Decimal) -> str:
    """An amount in euros: ``149.54 €`` / ``149,54 €``."""
    if not _french():
        return f"{value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)} €"
    from babel.numbers import format_currency

    return str(format_currency(value, "EUR", locale="fr_FR"))


def hours(delta: dt.timedelta) -> str:
    """A duration in decimal hours: ``7.50 h`` / ``7,50 h`` (7 h 30)."""
    value = Decimal(int(delta.total_seconds())) / Decimal(3600)
    return f"{number(value)}\N{NO-BREAK SPACE}h" if _french() else f"{number(value)} h"


def count(value: Fraction) -> str:
    """An exact count: ``4``, ``7/8``, ``4 1/5``."""
    whole, part = divmod(value, 1)
    if not part:
        return str(int(whole))
    fraction = f"{part.numerator}/{part.denominator}"
    return f"{int(whole)} {fraction}" if whole else fraction
