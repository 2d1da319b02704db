"""Phone numbers, through Google's libphonenumber port (imported only when a number is read)."""

from __future__ import annotations

import functools


def is_region(code: str) -> bool:
    import phonenumbers

    return code.upper() in phonenumbers.SUPPORTED_REGIONS


# Cached (README, "Caches"): a number written in several places, or read again at each git
# revision that `check` and `diff` load, is parsed once.
@functools.lru_cache(maxsize=4096)
def normalise_phone(text: str, region: str) -> str | None:
    """The number in E.164 (``+33612345678``), or None when it is not a valid number."""
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
