"""The comments of a scenario YAML file, keyed by key path, for the data-and-assumptions section.

The YAML loader drops comments, yet they are where a scenario file documents its values (a
source such as ``[D§4]``, or ``ASSUMPTION``). A small line-based reader recovers them: it knows
indentation, quotes and block scalars, and nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

# A mapping key and the rest of its line: a quoted key, or a plain one (any text up to the first
# ": " that does not start with a YAML indicator), so that names of any characters are found.
_KEY = re.compile(r"""^(\s*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\[\]{},&*!|>%@`-][^#]*?"""
                  r"""|-[^\s#][^#]*?)\s*:(?:\s+|$)(.*)$""")


def _trailing_comment(text: str) -> tuple[str, str, int]:
    """Split ``value  # comment`` (a ``#`` outside quotes, after a space) into its two parts;
    the third is the position of the ``#`` (-1 without a comment).

    A quote opens a quoted scalar only where one can start (at the beginning, or after ``[``,
    ``{``, ``,`` or ``:``), so the apostrophe of ``it's`` does not hide a comment; inside double
    quotes a backslash escapes the next character."""
    quote = None
    escaped = False
    for i, ch in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'" and text[:i].rstrip()[-1:] in ("", "[", "{", ",", ":"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i + 1:].strip(), i
    return text.rstrip(), "", -1


def _key_name(text: str) -> str:
    """A key as written (``name``, ``"a: b"``, ``'it''s'``) as the string it stands for."""
    if text[:1] in "\"'":
        try:
            return str(yaml.safe_load(text))
        except yaml.YAMLError:
            return text.strip("\"'")
    return text.strip()


@dataclass
class YamlComments:
    """The comments of one scenario file: a header and one text per key path."""

    path: Path
    header: str
    by_key: dict[str, str]
    extends: str | None


def read_yaml_comments(path: str | Path) -> YamlComments:
    """Comments of a YAML file keyed by key path (``departments.housing.staff``).

    A comment at the end of a key's line, and the comment lines just above it, belong to that
    key; a comment line whose ``#`` is in the same column as the ``#`` of the line above
    continues that comment. The comment lines at the top of the file (before the first key) are
    its header. Block scalars (``description: >-``) are skipped. Good enough for scenario files
    written by hand; it does not pretend to be a YAML parser (the values come from the resolved
    scenario).
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header: list[str] = []
    pending: list[str] = []
    by_key: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    seen_key = False
    block_indent: int | None = None
    last_path: str | None = None
    # The column of the "#" of the previous line's trailing comment (-1: none).
    comment_column = -1
    extends = None

    def add_to_last(comment: str) -> None:
        if comment and last_path:
            by_key[last_path] = (by_key.get(last_path, "") + " " + comment).strip()

    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped:
            if not seen_key and pending:
                header += pending + [""]
            pending = []
            comment_column = -1
            continue
        if stripped.startswith("#"):
            if indent == comment_column:
                add_to_last(stripped[1:].strip())
            else:
                pending.append(stripped[1:].strip())
                comment_column = -1
            continue
        match = _KEY.match(line)
        if not match:
            # A continuation line (a long flow list); its comment belongs to the last key.
            _, comment, at = _trailing_comment(stripped)
            add_to_last(comment)
            comment_column = indent + at if comment else -1
            continue
        if not seen_key and pending and not stack:
            header += pending
            pending = []
        seen_key = True
        key = _key_name(match.group(2))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key_path = ".".join([k for _, k in stack] + [key])
        value, comment, at = _trailing_comment(match.group(3))
        comment_column = match.start(3) + at if comment else -1
        if key_path == "extends":
            extends = value.strip("\"'")
        text = " ".join([*pending, comment]).strip()
        if text:
            by_key[key_path] = text
        pending = []
        last_path = key_path
        if value.startswith(("|", ">")):
            block_indent = indent
        stack.append((indent, key))
    return YamlComments(path, "\n".join(header).strip(), by_key, extends)


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
