"""``astreinte``, the console script: a plain `now` is answered by ``fastpath.py`` without
importing Typer; every other command line goes to the Typer app (``app.py``)."""

from __future__ import annotations

import gc
import os
import sys


def main() -> None:
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    from astreinte_cli.cli import toolkit

    toolkit.prepare_streams()
    try:
        try:
            _run()
        finally:
            sys.stdout.flush()  # here, where a failure is handled, not at the interpreter's exit
    except toolkit.OutputError as error:
        toolkit.ended_by_output(error)


def _run() -> None:
    # A run is short, and over a year of a large organisation allocates millions of small
    # objects that live to the end: at Python's default threshold (700) the cyclic collector
    # kept rescanning them, a large part of `show` and `export ics`. Cycles are still
    # collected, rarely. (mypy's command line does the same, for the same reason.)
    gc.set_threshold(200_000, 30, 30)
    try:
        from astreinte_cli.cli import fastpath

        plain = fastpath.plain_arguments(sys.argv[1:])
        if plain is None:
            from astreinte_cli.cli.app import app

            app()
            return
        from astreinte_cli.i18n import language_from_env, set_language

        set_language(language_from_env())  # what the app's callback does without --lang
        fastpath.now(**plain)
    finally:
        # Python's exit runs the cyclic collector over every object still alive, which for a
        # roster with tens of thousands of leave entries is a noticeable wait. Frozen objects
        # are left out of that last pass.
        gc.freeze()


if __name__ == "__main__":
    main()
