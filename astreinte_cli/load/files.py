"""Which files make a roster (SPEC §1), apart from reading them: the roster cache needs the list
without the YAML machinery."""

from __future__ import annotations

from pathlib import Path


def roster_files(location: Path) -> list[Path]:
    """The files of a roster: ordinary files by name, then ``*.local.yaml`` by name."""
    if location.is_file():
        return [location]
    files = sorted(
        (p for p in location.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()),
        key=lambda p: p.name,
    )
    return [p for p in files if not is_local(p)] + [p for p in files if is_local(p)]


def is_local(path: Path) -> bool:
    return path.name.endswith((".local.yaml", ".local.yml"))
