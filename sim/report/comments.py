"""The comments of a scenario YAML file, keyed by key path, for the data-and-assumptions section.

The scenario loader (PyYAML) drops comments, yet they are where a scenario file documents its
values (a source such as ``[D§4]``, or ``ASSUMPTION``). ruamel.yaml's round-trip parser keeps
them, each with its line and column, so quotes, flow lists and block scalars are a parser's
business, not ours. What ruamel does not decide is which key a comment *documents*: it files
every comment under the key just before it, so the comment written above ``horizon`` arrives
with the key above that. ``read_yaml_comments`` walks the parsed file in document order and
applies the rules a reader of the file would:

* a comment at the end of a key's line belongs to that key, and so do the comment lines below
  it whose ``#`` is in the same column (a long comment continued);
* other comment lines belong to the next key (a comment written above its key);
* comment lines before the first key, and those separated from it by a blank line, are the
  file's header.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError


@dataclass
class YamlComments:
    """The comments of one scenario file: a header and one text per key path."""

    path: Path
    header: str
    by_key: dict[str, str]
    extends: str | None


class _Event(NamedTuple):
    """One step of a file in document order: a key (``kind`` "key", ``text`` its path), a
    comment at the end of a line ("end"), a comment on a line of its own ("line", ``column``
    its ``#``) or a blank line ("blank")."""

    kind: str
    text: str = ""
    column: int = -1


def _token_events(token: Any, lines: list[str], whole_lines: bool) -> Iterator[_Event]:
    """The comment lines and blank lines one ruamel comment token stands for.

    A token after a value runs from the end of that value's line to the next key (``"# a\n  #
    b\n\n"``, or ``"\n  # b\n"`` when the line has no comment); a token of ``whole_lines``
    is one or more lines of their own (``"\n"`` is a blank line). Only a token's first line
    has a known position, which tells whether it ends a line of data."""
    value: str = token.value
    pieces = value.split("\n")[:-1]   # the text after the last newline is the next key's line
    first = True
    if value.startswith("\n") and not whole_lines:   # the end of the line of data before it
        pieces, first = pieces[1:], False
    for piece in pieces:
        text = piece.strip()
        if not text:
            yield _Event("blank")
        elif first:
            line = lines[token.start_mark.line] if token.start_mark.line < len(lines) else ""
            ends_data = bool(line[:token.start_mark.column].strip())
            yield _Event("end" if ends_data else "line", text[1:].strip(),
                         token.start_mark.column)
        else:
            yield _Event("line", text[1:].strip(), len(piece) - len(piece.lstrip()))
        first = False


def _tokens(entry: Any) -> Iterator[Any]:
    """The comment tokens of one ruamel comment slot (``None``, a token or a list of them)."""
    if entry is None:
        return
    for item in entry if isinstance(entry, list) else [entry]:
        if isinstance(item, list):
            yield from _tokens(item)
        elif item is not None and hasattr(item, "value"):
            yield item


def _slot_events(slots: list, which: range, lines: list[str]) -> Iterator[_Event]:
    """The events of some of the four comment slots ruamel keeps per key or item: 0 and 1 the
    lines before it, 2 the end of its line and the lines after its value, 3 the lines between
    a key and its block collection's first item."""
    for i in which:
        if i < len(slots):
            for token in _tokens(slots[i]):
                yield from _token_events(token, lines, whole_lines=i != 2)


def _is_collection(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq)


def _flow_comments(node: Any, lines: list[str]) -> Iterator[_Event]:
    """Every comment inside a flow collection (``{kind: …, mean: …}``, ``[a, b]``), without its
    keys: a comment there documents the key that holds the collection."""
    if not _is_collection(node):
        return
    for key in (node.keys() if isinstance(node, CommentedMap) else range(len(node))):
        yield from _flow_comments(node[key], lines)
        yield from _slot_events(node.ca.items.get(key, []), range(4), lines)


def _node_events(node: Any, prefix: str, lines: list[str]) -> Iterator[_Event]:
    """Keys and comments of a parsed block mapping or sequence, in document order."""
    if isinstance(node, CommentedMap):
        keys: list[Any] = list(node.keys())
    elif isinstance(node, CommentedSeq):
        keys = list(range(len(node)))
    else:
        return
    for key in keys:
        slots = node.ca.items.get(key, [])
        yield from _slot_events(slots, range(2), lines)
        if isinstance(node, CommentedMap):
            path = f"{prefix}.{key}" if prefix else str(key)
            yield _Event("key", path)
        else:
            path = f"{prefix}[{key}]"
        value = node[key]
        if _is_collection(value) and not value.fa.flow_style():
            # The end of the key's line and the lines above the first item, then the items.
            yield from _slot_events(slots, range(2, 4), lines)
            yield from _node_events(value, path, lines)
        else:
            # A scalar or a flow collection ends on its own lines: its comments follow it.
            yield from _flow_comments(value, lines)
            yield from _slot_events(slots, range(2, 4), lines)


def _events(data: Any, lines: list[str]) -> Iterator[_Event]:
    if _is_collection(data) and data.ca.comment:
        for token in _tokens(data.ca.comment[1:]):   # [0] repeats a parent key's comment
            yield from _token_events(token, lines, whole_lines=True)
    yield from _node_events(data, "", lines)


def _parse(text: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True   # the loader reports duplicates; here, read what is there
    return yaml.load(text)


def read_yaml_comments(path: str | Path) -> YamlComments:
    """Comments of a YAML file keyed by key path (``departments.housing.staff``), and its header.

    A file that does not parse has no comments to show (the loader reports why it does not
    parse); the report then shows the resolved values alone."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = _parse(text)
    except (YAMLError, ValueError):
        return YamlComments(path, "", {}, None)
    lines = text.splitlines()
    header: list[str] = []
    pending: list[str] = []
    by_key: dict[str, str] = {}
    last_key: str | None = None
    continued_column = -1   # the column of the "#" a comment line continues (-1: none)
    for event in _events(data, lines):
        if event.kind == "key":
            if last_key is None and pending:
                header += pending   # comments right above the first key head the file
            elif pending:
                by_key[event.text] = " ".join(pending)
            pending, last_key, continued_column = [], event.text, -1
        elif event.kind == "blank":
            if last_key is None and pending:
                header += [*pending, ""]
            pending, continued_column = [], -1
        elif event.kind == "end" and last_key is not None:
            by_key[last_key] = (by_key.get(last_key, "") + " " + event.text).strip()
            continued_column = event.column
        elif event.column == continued_column and last_key is not None and not pending:
            by_key[last_key] = (by_key.get(last_key, "") + " " + event.text).strip()
        elif event.text:
            pending.append(event.text)
            continued_column = -1
    extends = data.get("extends") if isinstance(data, CommentedMap) else None
    return YamlComments(path, "\n".join(header).strip(), by_key,
                        str(extends) if isinstance(extends, str) else None)


def comment_chain(path: Path) -> list[YamlComments]:
    """The comments of a scenario file and of every file it ``extends``, parent first.

    The chain stops at a file already in it, so files that extend each other end it (the loader
    refuses such a chain; the report still shows what it can)."""
    chain: list[YamlComments] = []
    seen: set[Path] = set()
    current: Path | None = path.resolve()
    while current is not None and current.is_file() and current not in seen:
        seen.add(current)
        comments = read_yaml_comments(current)
        chain.insert(0, comments)
        current = (current.parent / comments.extends).resolve() if comments.extends else None
    return chain
