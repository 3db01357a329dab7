"""What a name may be: streets, departments, case types and calendars are keys of the outputs.

A name ends up in other names and in tables, so some names would make two things one:

- ``ALL`` (in any case) is the aggregate row of ``summary.csv`` (all case types), of
  ``reports.csv`` (all departments) and of per-street summaries; a case type called ``ALL`` would
  be averaged into, or mistaken for, that row.
- Pool names join a unit and a place with ``/`` (``<department>/central``,
  ``<department>/on_call``, ``<department>/<street>``, ``<street>/dispatch``,
  ``<street>/staff``, ``centre/<street>``), and so do the random streams: so no name contains
  ``/``, no street is called ``central``, ``on_call``, ``dispatch`` or ``staff``, and no
  department ``centre``.
- A name is printed in one-line messages and CSV cells: no control characters (newlines, tabs),
  not empty or only spaces, at most ``MAX_NAME_LENGTH`` characters.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.scenario.schema import Scenario

AGGREGATE = "ALL"
MAX_NAME_LENGTH = 100
RESERVED_STREETS = ("central", "on_call", "dispatch", "staff")
RESERVED_DEPARTMENTS = ("centre",)


def _control(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a street, department, case type or calendar (None if it can)."""
    if not name.strip():
        return "a name cannot be empty or only spaces"
    if _control(name):
        return f"a name cannot contain control characters (newline, tab...), got {name!r}"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name is at most {MAX_NAME_LENGTH} characters, got {len(name)}"
    if "/" in name:
        return f"a name cannot contain '/' (it joins names in pool and stream names), got {name!r}"
    if name.upper() == AGGREGATE:
        return (f"{name!r} is reserved: '{AGGREGATE}' is the aggregate row of the summaries; "
                "choose another name")
    return None


def check_names(s: Scenario) -> list[tuple[str, str]]:
    """(key path, reason) for every name the outputs could not tell apart."""
    out: list[tuple[str, str]] = []

    def each(block: str, names: Iterable[str], reserved: tuple[str, ...], what: str) -> None:
        for name in names:
            problem = name_problem(name)
            if problem is None and name in reserved:
                problem = (f"{name!r} is reserved for pool names; a {what} cannot be called "
                           f"{', '.join(repr(r) for r in reserved)}")
            if problem:
                out.append((f"{block}.{name}", problem))

    each("streets", s.streets, RESERVED_STREETS, "street")
    each("departments", s.departments, RESERVED_DEPARTMENTS, "department")
    each("case_types", s.case_types, (), "case type")
    each("calendars", [c for c in s.calendars if c not in ("office", "always")], (), "calendar")
    if not s.name.strip():
        out.append(("name", "cannot be empty or only spaces"))
    elif _control(s.name):
        out.append(("name", f"cannot contain control characters (newline, tab...), got "
                            f"{s.name[:40]!r}"))
    return out
