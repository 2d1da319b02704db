"""Phone numbers, through Google's libphonenumber port (imported only when a number is read)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from astreinte_cli.model import Person

# What earlier runs found, brought by the roster cache (load/cache.py, README "Caches"): the
# regions known to be valid, and numbers already validated (text, region) → E.164. A roster
# file read again after an edit is then checked without importing ``phonenumbers`` as long as
# its numbers and region are ones already seen. Only what was found valid is kept: an invalid
# one is always judged again, by the library.
known_regions: set[str] = set()
known_numbers: dict[tuple[str, str], str] = {}


def is_region(code: str) -> bool:
    if code.upper() in known_regions:
        return True
    import phonenumbers

    found = code.upper() in phonenumbers.SUPPORTED_REGIONS
    if found:
        known_regions.add(code.upper())
    return found


# Cached (README, "Caches"): a number written in several places, or read again at each git
# revision that `check` and `diff` load, is parsed once.
@functools.lru_cache(maxsize=4096)
def normalise_phone(text: str, region: str) -> str | None:
    """The number in E.164 (``+33612345678``), or None when it is not a valid number."""
    known = known_numbers.get((text, region))
    if known is not None:
        return known
    number = _parsed_e164(text, region)
    if number is not None:
        known_numbers[(text, region)] = number
    return number


def _parsed_e164(text: str, region: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def written_country(text: str, region: str) -> tuple[int, str, str] | None:
    """For a number written with its own country code (``+1 …``, or ``00 1 …`` where 00 is
    ``region``'s international prefix): the code, its main region (``US`` for +1) and an example
    number of that region in international form; ``(0, "", "")`` when the code is no country's.
    None for a number written in national form, which is read in ``region``."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region.upper(), keep_raw_input=True)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            return (0, "", "") if text.strip().startswith(("+", "00")) else None
        return None
    source = phonenumbers.CountryCodeSource
    if number.country_code_source not in (
        source.FROM_NUMBER_WITH_PLUS_SIGN,
        source.FROM_NUMBER_WITH_IDD,
    ):
        return None
    code = number.country_code or 0
    main = phonenumbers.region_code_for_country_code(code)
    if main == phonenumbers.UNKNOWN_REGION:
        return (0, "", "")
    example = phonenumbers.example_number(main)
    shown = (
        str(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
        if example is not None
        else ""
    )
    return code, main, shown


# E.164 → display form (README, "Caches"): filled as numbers are shown, or from the roster cache
# (load/cache.py), which spares `now` the import of ``phonenumbers`` and its metadata.
_displayed: dict[str, str] = {}


def remember_display(known: dict[str, str]) -> None:
    _displayed.update(known)


def display_phone(e164: str) -> str:
    """The international form people read and dial: ``+33 6 12 34 56 78``."""
    if e164 not in _displayed:
        import phonenumbers

        number = phonenumbers.parse(e164, None)
        _displayed[e164] = str(
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        )
    return _displayed[e164]


def known_displays() -> dict[str, str]:
    """Every display form made or remembered so far (for the roster cache)."""
    return _displayed


def with_contacts(person: Person, changes: Iterable[tuple[str, str | None]]) -> Person:
    """``person`` with the ``phone`` and ``email`` a ``*.local.yaml`` file sets."""
    for key, value in changes:
        if key == "phone":
            person = dataclasses.replace(person, phone=value)
        elif key == "email":
            person = dataclasses.replace(person, email=value)
    return person
