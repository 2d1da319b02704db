"""Read one roster file into a YAML node tree, refusing anything unsafe or malformed.

Nodes, not values: ``yaml.safe_load`` would turn ``17:30`` into 1050 and ``no`` into False and
silently keep the last of two duplicate keys. The loader converts every scalar itself.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from astreinte_cli.diagnostics import LINE_BREAK, Collector, Span
from astreinte_cli.i18n import _
from astreinte_cli.printable import control_character
from astreinte_cli.safe_read import MAX_FILE_BYTES, UnreadableFile, read_roster_file

MAX_EXPANDED_NODES = 100_000  # aliases may not add more than this many nodes to a file
MAX_DEPTH = 50  # a roster nests a dozen levels; the readers recurse, so deeper is refused

# Every node takes at least a byte of the file: more nodes than that came from aliases.
_SATURATED = MAX_FILE_BYTES + MAX_EXPANDED_NODES + 1

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
}


def node_span(path: str, node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    width = end.column - start.column if end.line == start.line else 1
    return Span(path, start.line + 1, start.column + 1, max(1, width))


def read_yaml(
    path: Path, collector: Collector, folder: Path | None = None, raw: bytes | None = None
) -> yaml.Node | None:
    """The root node of ``path``, or None after reporting why it cannot be read. ``folder`` is
    the roster folder (default: the folder that holds ``path``): a file that resolves outside
    it is not read (see :mod:`astreinte_cli.load.files`). ``raw``: the file's bytes, when the
    caller read them already with :func:`read_roster_file` (the roster cache, which hashed
    them)."""
    name = str(path)
    control = control_character(path.name)
    if control is not None:  # the name is printed in every message about the file
        collector.error(
            Span(name, 1, 1),
            _("the file name contains a control character (U+{code:04X})").format(
                code=ord(control)
            ),
            _("rename the file"),
        )
        return None
    if raw is None:
        try:
            raw = read_roster_file(path, folder)
        except UnreadableFile as refused:
            collector.error(Span(name, 1, 1), *_refusal(refused, path))
            return None
    if b"\x00" in raw:
        line, column = _position(raw, raw.index(b"\x00"))
        collector.error(
            Span(name, line, column),
            _("the file is binary, not YAML text (it contains a NUL byte)"),
            _("only UTF-8 text files ending in .yaml or .yml belong in a roster folder"),
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        collector.error(
            Span(name, line, column),
            _("the file is not valid UTF-8 (byte 0x{byte:02x})").format(byte=raw[exc.start]),
            _("save the file as UTF-8"),
        )
        return None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line, column, problem = _syntax_error(exc, text)
        collector.error(
            Span(name, line, column),
            _("invalid YAML: {problem}").format(problem=problem),
            _yaml_hint(problem),
        )
        return None
    except RecursionError:  # only the pure-Python parser recurses; libyaml stops at depth 1000
        collector.error(Span(name, 1, 1), _("invalid YAML: the file is nested too deeply"))
        return None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = getattr(exc, "position", 0)
        line, column = _text_position(text, position)
        collector.error(
            Span(name, line, column), _("invalid YAML: {reason}").format(reason=_reason(exc))
        )
        return None
    if root is None:
        empty = _("the file is empty") if not text.strip() else _("the file holds only comments")
        collector.error(
            Span(name, 1, 1),
            empty,
            _("give it 'people:' or a 'team:', or remove it from the roster folder"),
        )
        return None
    if not _check_tree(name, root, collector):
        return None
    return root


def _refusal(refused: UnreadableFile, path: Path) -> tuple[str, str | None]:
    """The message and hint that say why the file at ``path`` was not read."""
    if isinstance(refused.error, FileNotFoundError) and path.is_symlink():
        return (
            _("this is a symbolic link to a file that does not exist: not read"),
            _("point the link at a roster file of the folder, or remove it"),
        )
    if refused.reason == "outside":
        return (
            _("this file is a symbolic link to a file outside the roster folder: not read"),
            _("a roster file must be in the roster folder: copy it there, or remove the link"),
        )
    if refused.reason == "special":
        return (
            _("this is not a regular file (a FIFO, a device or a socket): not read"),
            _("only UTF-8 text files ending in .yaml or .yml belong in a roster folder"),
        )
    if refused.reason == "folder":
        return _("this is a folder, not a file"), None
    if refused.reason == "too-large":
        return (
            _("the file is larger than {size} KiB").format(size=MAX_FILE_BYTES // 1024),
            _("a roster file is a few kilobytes; split it, or check that this is a roster"),
        )
    error = refused.error
    reason = (error.strerror or str(error)) if error is not None else refused.reason
    return _("cannot read the file: {reason}").format(reason=reason), None


def _check_tree(path: str, root: yaml.Node, collector: Collector) -> bool:
    """Refuse object-building tags, recursive aliases, alias bombs and deep nesting, without
    expanding.

    An alias bomb is counted by what its aliases add: the file's size once every alias is
    expanded, less the nodes written in it. A large file without aliases (a year of
    overrides) adds nothing. Each node's expanded size is computed once and kept; sizes stop
    growing past :data:`_SATURATED`, which no file within :data:`MAX_FILE_BYTES` reaches
    without aliases adding more than the limit."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    ok = too_deep = True

    def size(node: yaml.Node, depth: int) -> int:
        nonlocal ok, too_deep
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > MAX_DEPTH and isinstance(node, yaml.CollectionNode):
            if too_deep:  # said once, at the first place that is too deep
                collector.error(
                    node_span(path, node),
                    _("the file is nested more than {depth} levels deep").format(depth=MAX_DEPTH),
                    _("a roster is a few levels of mappings and lists: check the brackets"),
                )
            ok = too_deep = False
            return 1
        if key in active:
            ok = False
            collector.error(
                node_span(path, node),
                _("a YAML alias refers to itself"),
                _(
                    "this '&anchor' is used by a '*alias' inside its own value; "
                    "write the values out"
                ),
            )
            return 1
        if node.tag not in _STANDARD_TAGS and not node.tag.startswith("tag:yaml.org,2002:merge"):
            ok = False
            collector.error(
                node_span(path, node),
                _("YAML tag '{tag}' is not allowed").format(
                    tag=node.tag.removeprefix("tag:yaml.org,2002:")
                ),
                _("rosters are plain data: remove the '!' tag"),
            )
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total += size(child, depth + 1)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node, depth + 1) + size(value_node, depth + 1)
        active.discard(key)
        sizes[key] = min(total, _SATURATED)
        return sizes[key]

    if size(root, 1) - len(sizes) > MAX_EXPANDED_NODES:
        collector.error(
            node_span(path, root),
            _("YAML aliases add more than {count:,} values to this file").format(
                count=MAX_EXPANDED_NODES
            ),
            _("this looks like an alias bomb; write the values out"),
        )
        return False
    return ok


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset].decode("utf-8-sig", errors="replace")
    return _text_position(before, len(before))


def _text_position(text: str, offset: int) -> tuple[int, int]:
    lines = LINE_BREAK.split(text[:offset])
    return len(lines), len(lines[-1]) + 1


def _reason(exc: yaml.YAMLError) -> str:
    reason = getattr(exc, "reason", None)
    character = getattr(exc, "character", None)
    if isinstance(character, str):  # the pure-Python reader gives the character, libyaml its code
        character = ord(character)
    if isinstance(character, int):
        return "{reason} (U+{code:04X})".format(
            reason=reason or _("unacceptable character"), code=character
        )
    return str(reason or exc).splitlines()[0]


def _syntax_error(exc: yaml.MarkedYAMLError, source: str) -> tuple[int, int, str]:
    """Where a syntax error is and what it is, with the construct it interrupts."""
    problem, context = exc.problem, exc.context
    mark, context_mark = exc.problem_mark or exc.context_mark, exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if _character_at(source, line, column) == "\t":
        # libyaml does not name the character; a tab is the usual culprit, and the context
        # ("while scanning a plain scalar") only confuses.
        text = (problem or "").replace("found character", "found a tab character", 1)
    elif problem is None or context is None:
        text = problem or context or _("the file cannot be parsed")
    elif problem.startswith("but "):  # "expected a single document in the stream, but found …"
        text = f"{context}, {problem}"
    elif (
        not context.startswith("while ")
        or context == "while scanning for the next token"
        or context_mark is None
        or (context_mark.line, context_mark.column) == (line - 1, column - 1)
    ):
        text = problem
    elif "end of stream" in problem:
        # The end of the file is no place to look at: point at what was left open instead.
        mark = context_mark
        text = _("{problem} {context} that starts here").format(problem=problem, context=context)
    else:
        where = _("line {line}, column {column}").format(
            line=context_mark.line + 1, column=context_mark.column + 1
        )
        text = _("{problem} {context} that starts at {where}").format(
            problem=problem, context=context, where=where
        )
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    return line, column, text


def _character_at(text: str, line: int, column: int) -> str:
    lines = LINE_BREAK.split(text)
    if 0 < line <= len(lines) and 0 < column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _yaml_hint(problem: str) -> str | None:
    if "tab" in problem:
        return _("indent with spaces, never tabs")
    if "mapping values are not allowed" in problem:
        return _("a value containing ': ' must be quoted")
    if "expected a single document" in problem:
        return _("a roster file holds one YAML document: remove the extra '---'")
    if "found undefined alias" in problem:
        return _("define the anchor with '&name' before using '*name'")
    if "quoted scalar" in problem and "end of stream" in problem:
        return _("this quote is never closed")
    if "expected ','" in problem:
        return _("a closing bracket or a ',' between two items is missing")
    if "expected '-' indicator" in problem:
        return _(
            "a 'key: value' line where a list item ('- …') was expected: check the indentation"
        )
    return None
