"""The JSON Schema of roster files (``astreinte schema``): a valid draft 2020-12 schema that
accepts every valid roster file of the repository and rejects the invalid cases it can express.

Editors read YAML 1.2 (yaml-language-server's default): unquoted ``09:00`` and ``2026-01-05``
are strings, ``57`` and ``+33243000000`` integers, ``yes`` a string, ``true`` a boolean. The
files are turned into JSON data by those rules here (:func:`editor_data`), not by
``yaml.safe_load``, which reads YAML 1.1 and would turn ``09:00`` into 540.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from astreinte_cli.diagnostics import RosterError
from astreinte_cli.load import load_roster
from astreinte_cli.load.compensation import RATE_KEYS, TOP_KEYS
from astreinte_cli.load.interventions import INTERVENTION_KEYS
from astreinte_cli.load.roster import FILE_KEYS, PERSON_KEYS
from astreinte_cli.load.rotation import ROTATION_KEYS
from astreinte_cli.load.rules import RULE_KEYS, SHARE_KEYS
from astreinte_cli.load.team import LEVEL_KEYS, OVERRIDE_KEYS, TEAM_KEYS

ROOT = Path(__file__).parents[1]
SCHEMA_PATH = ROOT / "astreinte_cli" / "schemas" / "roster.schema.json"
DATA = ROOT / "tests" / "data"
INVALID = DATA / "invalid"

# Invalid cases of tests/data/invalid that the schema rejects: unknown keys, wrong types,
# malformed times, dates, durations and ids, bad enums, missing keys, keys that need another.
REJECTED = {
    "control_in_key", "control_in_names",
    "bad_datetime", "bad_duration_empty", "bad_duration_iso_month",
    "bad_duration_month", "bad_duration_zero", "bad_email", "bad_holiday_add", "bad_kind",
    "business_hours_unread",
    "bad_offset", "bad_on_leave", "bad_ring", "bad_team_id", "bad_time_of_day_hour",
    "bad_time_of_day_minute", "bad_time_range", "bom_with_error", "changes_without_start",
    "comment_only", "compensation_bad", "compensation_rates", "count_without_start",
    "crlf_line_endings", "day_key_typo", "deep_nesting", "empty_day_key", "empty_file",
    "empty_levels", "empty_members", "every_without_start", "flow_day_list", "intervention_bad",
    "invalid_person_id", "members_without_start", "merge_key", "missing_levels",
    "missing_members", "missing_team_id", "missing_timezone", "not_a_period", "only_empty_list",
    "people_not_mapping", "python_tag", "several_errors", "team_keys_without_team",
    "top_level_list", "unknown_day_key", "unknown_holiday_country", "unknown_key_file",
    "unknown_key_level", "unknown_key_override", "unknown_key_person", "unknown_key_rotation",
    "unknown_key_team", "unknown_window",
}  # fmt: skip
# Beyond a schema: references between keys or files (unknown people, teams, levels; 'replaces'
# outside the rotations; duplicates across files; what a *.local.yaml file may set, which
# depends on its name), the calendar (30 February, an offset in the repeated hour, change
# order on the handoff grid), comparisons (end before start, per_turn above the members),
# and lists held by libraries (time zones, holiday subdivisions, phone regions and numbers).
BEYOND_THE_SCHEMA = {
    "bad_date", "business_hours_undefined", "changes_out_of_order", "changes_same_handoff",
    "day_range_same_day", "duplicate_person_files", "duplicate_rotation_name", "duplicate_team",
    "invalid_phone", "local_defines_team", "local_sets_kind", "local_sets_name",
    "phone_country_code",
    "local_unknown_person", "override_level_name", "override_level_number",
    "per_turn_out_of_range", "period_end_before_start", "period_mapping_end_before_start",
    "replaces_absent", "rotation_end_before_start", "start_offset_repeated_hour",
    "unknown_person_fallback", "unknown_person_leave", "unknown_person_members",
    "unknown_person_replaces", "unknown_person_who", "unknown_phone_region",
    "unknown_subdivision", "unknown_timezone",
}  # fmt: skip
# Not YAML an editor accepts: the YAML parser reports them before any schema is applied.
NOT_YAML = {
    "alias_bomb", "binary_nul", "control_character", "duplicate_key", "invalid_utf8",
    "multiple_documents", "recursive_alias", "tab_indentation", "unclosed_quote",
    "undefined_alias", "unquoted_colon", "yaml_syntax",
}  # fmt: skip


# --------------------------------------------------------------------------- YAML 1.2 data

_NULL = re.compile(r"(?:~|null|Null|NULL|)")
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)")
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


class NotEditorYaml(Exception):
    """What an editor's YAML parser would report before the schema is applied."""


def _scalar(node: yaml.ScalarNode) -> Any:
    """The YAML 1.2 core schema: plain scalars may be null, booleans or numbers."""
    text = str(node.value)
    if node.style:  # quoted, or a block scalar
        return text
    if _NULL.fullmatch(text):
        return None
    if _BOOL.fullmatch(text):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


MAX_NODES = 100_000  # editors refuse alias bombs too (the 'yaml' package's maxAliasCount)


def _data(node: yaml.Node, budget: list[int], depth: int = 0) -> Any:
    budget[0] -= 1
    if depth > 200 or budget[0] < 0:
        raise NotEditorYaml("too deep or too large: a recursive alias, or an alias bomb")
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            if key in result:
                raise NotEditorYaml(f"duplicate key '{key}'")
            result[key] = _data(value_node, budget, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_data(item, budget, depth + 1) for item in node.value]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


def editor_data(path: Path) -> Any:
    """The JSON data an editor validates for ``path``."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NotEditorYaml(str(exc)) from exc
    return None if node is None else _data(node, [MAX_NODES])


# --------------------------------------------------------------------------- the schema


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def _errors(validator: jsonschema.Draft202012Validator, path: Path) -> list[str]:
    return [
        "/".join(map(str, e.absolute_path)) + ": " + e.message
        for e in validator.iter_errors(editor_data(path))
    ]


def test_the_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate({})  # every $ref resolves


def test_the_schema_command_prints_the_file(cli: Any) -> None:
    run = cli("schema")
    assert run.code == 0
    assert json.loads(run.stdout) == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _properties_with_descriptions(node: Any, where: str = "") -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            found.append((f"{where}/{key}", isinstance(value, dict) and "description" in value))
        for key, value in node.items():
            if key not in ("if", "then", "not", "dependentSchemas"):  # constraints, not keys
                found += _properties_with_descriptions(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _properties_with_descriptions(value, f"{where}/{index}")
    return found


def test_every_key_has_a_description(schema: dict[str, Any]) -> None:
    keys = _properties_with_descriptions(schema)
    assert len(keys) > 80
    assert [key for key, described in keys if not described] == []


def _patterns(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.append((where, node))
        for key, value in node.items():
            found += _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _patterns(value, f"{where}/{index}")
    return found


def test_every_pattern_says_in_words_what_it_wants(schema: dict[str, Any]) -> None:
    """An editor showed "String does not match the pattern of '^\\s*(?:19|2[0-9])…'" for a bad
    date. yaml-language-server (and VS Code's JSON service) show a schema's ``errorMessage``
    instead of the pattern, and its ``description`` on hover: every pattern has both, in words,
    with an example where one helps."""
    patterns = _patterns(schema)
    assert len(patterns) >= 25
    for where, node in patterns:
        assert node.get("description"), where
        message = node.get("errorMessage")
        assert isinstance(message, str), where
        assert message.endswith("."), where
        assert not set("^$\\[]") & set(message), (where, message)  # words, not a regex
    date = schema["$defs"]["date"]
    assert (
        date["errorMessage"] == "A date written YYYY-MM-DD, e.g. 2026-12-24 (years 1900 to 2999)."
    )


def _keys(schema: dict[str, Any], definition: str | None) -> set[str]:
    node = schema if definition is None else schema["$defs"][definition]
    for choice in node.get("anyOf", []):  # {"anyOf": [null, {object}]}
        if "properties" in choice:
            node = choice
    return set(node["properties"])


def test_the_schema_knows_the_keys_the_loader_knows(schema: dict[str, Any]) -> None:
    """A key added to the loader and forgotten here fails this test."""
    assert _keys(schema, None) == set(FILE_KEYS)
    assert set(TEAM_KEYS) <= set(schema["dependentRequired"])
    assert _keys(schema, "person") == set(PERSON_KEYS)
    assert _keys(schema, "level") == set(LEVEL_KEYS)
    assert _keys(schema, "rotation") == set(ROTATION_KEYS)
    assert _keys(schema, "override") == set(OVERRIDE_KEYS)
    assert _keys(schema, "rules") == set(RULE_KEYS)
    share = schema["$defs"]["rules"]["anyOf"][1]["properties"]["max_share"]["anyOf"][1]
    assert set(share["properties"]) == set(SHARE_KEYS)
    assert _keys(schema, "compensation") == {*TOP_KEYS, *RATE_KEYS}
    assert _keys(schema, "rateSet") == {"from", *RATE_KEYS}
    assert _keys(schema, "intervention") == set(INTERVENTION_KEYS)


# --------------------------------------------------------------------------- valid files


def _loads(location: Path) -> bool:
    try:
        load_roster(location)
    except RosterError:
        return False
    return True


def _valid_files() -> list[Path]:
    """Every YAML file of a roster that loads: the example roster, and each file or folder
    of tests/data outside the invalid corpora that loads on its own."""
    files = sorted((ROOT / "rosters").glob("*.yaml"))
    files.append(ROOT / "rosters" / "contacts.local.yaml.example")
    for path in sorted(DATA.rglob("*.y*ml")):
        if "invalid" in path.relative_to(DATA).parts:
            continue
        if _loads(path) or _loads(path.parent):
            files.append(path)
    return files


VALID_FILES = _valid_files()


def test_the_valid_corpus_is_found() -> None:
    names = {str(p.relative_to(ROOT)) for p in VALID_FILES}
    assert {
        "rosters/support.yaml",
        "rosters/people.yaml",
        "rosters/contacts.local.yaml.example",
        "tests/data/valid/single_file.yaml",
        "tests/data/valid/bom.yaml",
        "tests/data/valid/split/contacts.local.yaml",
        "tests/data/cli/world/r-montreal.yaml",
    } <= names
    assert len(names) >= 25


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_valid_roster_files_validate(
    validator: jsonschema.Draft202012Validator, path: Path
) -> None:
    assert _errors(validator, path) == []


def test_the_starter_roster_validates(validator: jsonschema.Draft202012Validator) -> None:
    templates = ROOT / "astreinte_cli" / "templates" / "init"
    for name in ("astreinte.yaml", "contacts.local.yaml.example"):
        assert _errors(validator, templates / name) == []


# --------------------------------------------------------------------------- invalid cases


def _cases() -> set[str]:
    return {p.stem for p in INVALID.glob("*.yaml")} | {
        p.name for p in INVALID.iterdir() if p.is_dir()
    }


def test_every_invalid_case_is_classified() -> None:
    assert REJECTED.isdisjoint(BEYOND_THE_SCHEMA)
    assert REJECTED.isdisjoint(NOT_YAML)
    assert BEYOND_THE_SCHEMA.isdisjoint(NOT_YAML)
    assert _cases() - REJECTED - BEYOND_THE_SCHEMA - NOT_YAML == set()


def _case_files(name: str) -> list[Path]:
    single = INVALID / f"{name}.yaml"
    return [single] if single.is_file() else sorted((INVALID / name).glob("*.yaml"))


@pytest.mark.parametrize("name", sorted(REJECTED & _cases()))
def test_the_schema_rejects(validator: jsonschema.Draft202012Validator, name: str) -> None:
    assert any(_errors(validator, path) for path in _case_files(name))


@pytest.mark.parametrize("name", sorted(BEYOND_THE_SCHEMA & _cases()))
def test_cases_beyond_the_schema_pass_it(
    validator: jsonschema.Draft202012Validator, name: str
) -> None:
    """If one of these starts failing, the schema has learnt something: move it to REJECTED."""
    assert all(not _errors(validator, path) for path in _case_files(name))


@pytest.mark.parametrize("name", sorted(NOT_YAML & _cases()))
def test_cases_that_are_not_yaml(name: str) -> None:
    def read_all() -> None:
        for path in _case_files(name):
            editor_data(path)

    with pytest.raises(NotEditorYaml):
        read_all()


# --------------------------------------------------------------------------- fine points

GOOD = [
    "team: t\ntimezone: UTC\n"
    "business_hours: {Mon-Fri: 09:00-18:00, 'sat,sun': [9:00-12:00, 14:00-24:00]}\n"
    "levels: [{rotations: [{members: a}]}]\n",
    "team: t\ntimezone: UTC\n"
    "coverage: [weekends, Holidays, {daily: 18:00-08:00, except: holidays}]\n"
    "levels: [{rotations: [{members: [a, b], start: 2026-03-29T02:30+01:00, every: P1W}]}]\n",
    "team: t\ntimezone: UTC\nholidays: {country: FR, subdiv: 57, add: [2026-08-14]}\n"
    "rules: {notice_days: off, max_share: {nights: 4}, min_rest_hours: 10.5}\n"
    "levels: [{name: Niveau 2, rotations: [{members: [a, a, b], per_turn: 2, "
    "start: 2026-01-05}]}]\n"
    "overrides: [{level: Niveau 2, who: [a, b], from: 2026-01-01, to: 2026-01-02 12:00, "
    "exceptional: yes}]\n",
    "people: {a: {phone: +33243000000, email: ~}, b.c-d: {name: 2024, kind: service}}\n"
    "leave: {a: 2026-08-03 .. 2026-08-23, b.c-d: [{from: 2026-01-01, to: 2026-01-02}]}\n",
    "rules: ~\nteam: t\ntimezone: UTC\nlevels: [{rotations: [{members: [a]}]}]\n",
]
BAD = [
    "team: t\ntimezone: UTC\nlevels: [{rotations: [{members: [a], every: 1w}]}]\n",  # no start
    "team: t\ntimezone: UTC\nbusiness_hours: {except: holidays}\n"
    "levels: [{rotations: [{members: a}]}]\n",  # 'except' is not a day
    "team: t\ntimezone: UTC\ncoverage: {except: holidays}\nlevels: [{rotations: [{members: a}]}]\n",
    "team: t\ntimezone: UTC\nlevels: [{rotations: [{members: a, only: 'weekend'}]}]\n",
    "team: t\ntimezone: UTC\nlevels: [{escalate_after: 0h, rotations: [{members: a}]}]\n",
    "team: t\ntimezone: UTC\nlevels: [{rotations: [{members: [a, b], start: 2026-01-05 24:00}]}]\n",
    "people: {a: {name: A}}\nleave: {a: [2026-08-03 - 2026-08-23]}\n",
    "overrides: []\n",  # a team key without 'team'
]


@pytest.mark.parametrize("text", GOOD)
def test_fine_points_accepted(
    validator: jsonschema.Draft202012Validator, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "roster.yaml"
    if not text.startswith("people:"):
        text = "people: {a: {name: A}, b: {name: B}}\n" + text
    path.write_text(text, encoding="utf-8")
    load_roster(path)  # valid for astreinte: so it must be for the schema
    assert _errors(validator, path) == []


@pytest.mark.parametrize("text", BAD)
def test_fine_points_rejected(
    validator: jsonschema.Draft202012Validator, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    assert _errors(validator, path) != []
