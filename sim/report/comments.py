"""The comments of a scenario YAML file, keyed by key path, for the data-and-assumptions section.

The YAML loader drops comments, yet they are where a scenario file documents its values (a
source such as ``[D§4]``, or ``ASSUMPTION``). A small line-based reader recovers them: it knows
indentation, quotes and block scalars, and nothing more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_KEY = re.compile(r"^(\s*)([A-Za-z_][\w\-]*|\"[^\"]+\"|'[^']+')\s*:(?:\s+|$)(.*)$")


def _trailing_comment(text: str) -> tuple[str, str]:
    """Split ``value  # comment`` (a ``#`` outside quotes, after a space) into its two parts."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), text[i + 1:].strip()
    return text.rstrip(), ""


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
    key; the comment lines at the top of the file (before the first key) are its header. Block
    scalars (``description: >-``) are skipped. Good enough for scenario files written by hand;
    it does not pretend to be a YAML parser (the values come from the resolved scenario).
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
    extends = None
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
            continue
        if stripped.startswith("#"):
            pending.append(stripped[1:].strip())
            continue
        match = _KEY.match(line)
        if not match:
            # A continuation line (a long flow list); its comment belongs to the last key.
            _, comment = _trailing_comment(stripped)
            if comment and last_path:
                by_key[last_path] = (by_key.get(last_path, "") + " " + comment).strip()
            continue
        if not seen_key and pending and not stack:
            header += pending
            pending = []
        seen_key = True
        key = match.group(2).strip("\"'")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        key_path = ".".join([k for _, k in stack] + [key])
        value, comment = _trailing_comment(match.group(3))
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
    """The comments of a scenario file and of every file it ``extends``, parent first."""
    chain: list[YamlComments] = []
    seen: set[Path] = set()
    current: Path | None = path.resolve()
    while current is not None and current.exists() and current not in seen:
        seen.add(current)
        comments = read_yaml_comments(current)
        chain.insert(0, comments)
        current = (current.parent / comments.extends).resolve() if comments.extends else None
    return chain
