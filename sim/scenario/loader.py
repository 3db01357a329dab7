"""Loading scenarios: YAML files, ``extends`` chains, ``--set`` overrides and clear errors.

``load_scenario(path, overrides)`` reads a file, follows ``extends: other.yaml`` (relative to the
file; chains allowed, cycles refused), deep-merges each child over its parent (mappings merge key
by key; lists and scalars replace), applies ``--set a.b.c=value`` overrides (values parsed as
YAML, then typed by the schema), fills each street from ``street_defaults`` and validates the
result. Every problem is reported at once, as ``file: key.path: reason``.

Whatever a file holds, the work of reading it is bounded: a file is read up to
``MAX_FILE_BYTES``; its YAML may nest ``MAX_DEPTH`` levels and expand (each use of an alias
counted in full) to ``MAX_VALUES`` values, so a 700-byte alias bomb or a self-referencing
alias is refused before anything walks it; an ``extends`` chain is followed for at most
``MAX_EXTENDS`` files, without recursion. Values shown in messages are cut short.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario import distributions as dist_module
from sim.scenario.errors import Problem, ScenarioError, shown
from sim.scenario.names import check_names
from sim.scenario.schema import Scenario
from sim.scenario.size import assess

SET_SOURCE = "--set"
MAX_FILE_BYTES = 5_000_000
"""A scenario file is text of a few kilobytes; 5 MB leaves room for long empirical lists."""
MAX_DEPTH = 40
"""Nesting levels of YAML (a scenario needs about 7)."""
MAX_VALUES = 1_000_000
"""Values (scalars, lists, mappings) a file or a ``--set`` value may expand to."""
MAX_EXTENDS = 32
"""Files in one ``extends`` chain."""


# --------------------------------------------------------------------------- reading files

class _ScenarioYaml(yaml.SafeLoader):
    """YAML as a researcher reads it: ``17:00`` stays a time of day (YAML 1.1 would read the
    base-60 integer 1020, and ``1:30`` as 90), and a key given twice in one mapping is an error
    (YAML would silently keep the last one: a wrong experiment)."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


def _without_base_60(resolvers: dict) -> dict:
    """YAML 1.1's implicit resolvers, except that base-60 numbers (``17:00``) stay strings."""
    numbers = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    return {first: [(tag, re.compile(rf"(?!{_SEXAGESIMAL.pattern})(?:{rx.pattern})", re.X))
                    if tag in numbers else (tag, rx) for tag, rx in pairs]
            for first, pairs in resolvers.items()}


_ScenarioYaml.yaml_implicit_resolvers = _without_base_60(yaml.SafeLoader.yaml_implicit_resolvers)


class NotYaml(ValueError):
    """Text that does not parse as YAML (the reason is one line)."""


def _yaml_load(text: str) -> Any:
    """Parse YAML text; raise ``NotYaml`` if it does not parse, ``ValueError`` if it parses to
    something unsound (nested too deeply, expanding too far, referring to itself); each with a
    one-line reason."""
    try:
        data = yaml.load(text, Loader=_ScenarioYaml)  # safe: a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise NotYaml(f"{where}invalid YAML: {reason}") from None
    except RecursionError:  # PyYAML composes nested collections recursively
        raise ValueError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise NotYaml(f"invalid YAML: {str(exc).split(';')[0]}") from None
    problem = structure_problem(data)
    if problem:
        raise ValueError(problem)
    return data


def structure_problem(data: Any) -> str | None:
    """Why ``data`` is too big or not a tree (None if it is fine).

    YAML aliases let a few bytes stand for an exponentially large tree (``&a [x, x]``,
    ``&b [*a, *a]``...), or for a cycle (``&a [*a]``). The expanded size and depth are computed
    once per distinct node (an iterative depth-first walk, sizes memoised by identity), so the
    check itself costs the size of the file, not of the expansion.
    """
    if not isinstance(data, dict | list):
        return None
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = list(node.values()) if isinstance(node, dict) else node
        if finished:
            nested = [c for c in children if isinstance(c, dict | list)]
            size[key] = 1 + len(children) - len(nested) + sum(size[id(c)] for c in nested)
            height[key] = 1 + max((height[id(c)] for c in nested), default=0)
            if size[key] > MAX_VALUES:
                return (f"expands to more than {MAX_VALUES:,} values (each use of a YAML "
                        "alias counted in full): too large for a scenario")
            if height[key] > MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels deep"
            continue
        if key in size:
            continue
        if key in entered:  # reached again below itself
            return "a YAML alias refers to a mapping or list that contains it (a cycle)"
        entered.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children
                     if isinstance(c, dict | list) and id(c) not in size)
    return None


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem(str(path), "", "file not found")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(str(path), "", f"cannot read: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(str(path), "", f"larger than {MAX_FILE_BYTES:,} bytes: "
                                                    "not a scenario file")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(str(path), "", (
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"))]) from None


def _read_yaml(path: Path) -> dict:
    text = _read_text(path)
    try:
        data = _yaml_load(text)
    except ValueError as exc:
        raise ScenarioError([Problem(str(path), "", str(exc))]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([Problem(str(path), "", "a scenario must be a YAML mapping, got "
                                     f"{type(data).__name__}")])
    return data


def _deep_merge(base: dict, over: Mapping, origins: dict, source: str, prefix: tuple) -> dict:
    """Merge ``over`` onto ``base`` in place, recording which file set each key path.

    A distribution of another ``kind`` (``{kind: exponential, mean: 2h}`` over a lognormal's
    ``{kind: lognormal, median: ..., p90: ...}``) replaces the parent's mapping whole: merged,
    it would keep parameters the new kind does not have."""
    for key, value in over.items():
        path = (*prefix, key)
        parent = base.get(key)
        new_kind = (isinstance(value, Mapping) and isinstance(parent, dict)
                    and "kind" in value and value["kind"] != parent.get("kind"))
        if isinstance(value, Mapping) and isinstance(parent, dict) and not new_kind:
            # Merged key by key: the keys record their own files; the mapping keeps its
            # origin, so that what the parent set is still blamed on the parent.
            _deep_merge(base[key], value, origins, source, path)
        else:
            base[key] = copy.deepcopy(value)
            for known in [p for p in origins if p[: len(path)] == path]:
                del origins[known]
            origins[path] = source
    return base


def _resolve_extends(path: Path, origins: dict) -> dict:
    """Follow ``extends`` from ``path`` to the root file (a loop, not recursion: a long chain
    cannot exhaust the stack), then merge each file over its parent, root first."""
    chain: list[tuple[Path, dict]] = []
    path = path.resolve()
    while True:
        if any(path == seen for seen, _ in chain):
            cycle = " -> ".join(p.name for p in [*(seen for seen, _ in chain), path])
            raise ScenarioError([Problem(str(chain[-1][0]), "extends", f"cycle: {cycle}")])
        if len(chain) == MAX_EXTENDS:
            raise ScenarioError([Problem(str(chain[-1][0]), "extends",
                                         f"a chain of more than {MAX_EXTENDS} files")])
        data = _read_yaml(path)
        chain.append((path, data))
        parent_ref = data.pop("extends", None)
        if parent_ref is None:
            break
        if not isinstance(parent_ref, str) or not parent_ref.strip():
            raise ScenarioError([Problem(str(path), "extends",
                                         f"must be a file name, got {shown(parent_ref)}")])
        parent = path.parent / parent_ref
        if not parent.is_file():
            what = "not a file" if parent.exists() else "file not found"
            raise ScenarioError([Problem(str(path), "extends", f"{what}: {parent}")])
        path = parent.resolve()
    merged: dict = {}
    for file, data in reversed(chain):
        merged = _deep_merge(merged, data, origins, str(file), ())
    return merged


# --------------------------------------------------------------------------- overrides

Overrides = Iterable[str] | Mapping[str, Any]
"""Changes to a scenario before it is validated: ``--set`` texts (``"a.b.c=value"``, the value
read as YAML) or a mapping of dotted key paths to values already typed
(``{"departments.housing.staff": 30, "simulation.warmup": "2d"}``). Either way a value
replaces what is at its key path (a mapping value replaces the whole node; it is not merged)."""

MAPPING_SOURCE = "overrides"
"""What an error names as the source of a value given in an overrides mapping."""


def _key_path(key: Any, source: str) -> list[str]:
    """``"a.b.c"`` as ``["a", "b", "c"]``, refused (naming ``source``) if it is no key path."""
    if not isinstance(key, str):
        raise ScenarioError([Problem(source, shown(key), "a key path is a text such as "
                                     "'departments.um.staff'")])
    keys = key.strip().split(".")
    if not all(keys):
        raise ScenarioError([Problem(source, key, "empty key in path")])
    if len(keys) > MAX_DEPTH:
        raise ScenarioError([Problem(source, ".".join(keys[:3]) + "...",
                                     f"a key path of more than {MAX_DEPTH} keys")])
    return keys


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=value`` into a key path and a YAML-typed value."""
    if "=" not in text:
        raise ScenarioError([Problem(SET_SOURCE, text, "expected KEY.PATH=VALUE")])
    key, raw = text.split("=", 1)
    keys = _key_path(key, SET_SOURCE)
    try:
        value = _yaml_load(raw) if raw.strip() else ""
    except NotYaml:
        value = raw  # not YAML: the text itself (a label with a colon, say)
    except ValueError as exc:
        raise ScenarioError([Problem(SET_SOURCE, key.strip(), str(exc))]) from None
    return keys, value


def override_items(overrides: Overrides) -> list[tuple[list[str], Any, str]]:
    """Each override as (key path, value, source for error messages), in the order given.

    The one place where both forms of ``Overrides`` become the same thing; one text alone is
    taken as one override (not as a sequence of characters).
    """
    if isinstance(overrides, Mapping):
        return [(_key_path(key, MAPPING_SOURCE), copy.deepcopy(value), MAPPING_SOURCE)
                for key, value in overrides.items()]
    if isinstance(overrides, str):
        overrides = [overrides]
    return [(*parse_override(text), SET_SOURCE) for text in overrides]


def apply_overrides(data: dict, overrides: Overrides, origins: dict) -> dict:
    for keys, value, source in override_items(overrides):
        node = data
        for i, key in enumerate(keys[:-1]):
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            elif not isinstance(child, dict):
                raise ScenarioError([Problem(source, ".".join(keys[: i + 1]),
                                             "is not a mapping, cannot set a key inside it")])
            node = child
        node[keys[-1]] = value
        origins[tuple(keys)] = source
    return data


# --------------------------------------------------------------------------- street defaults

def _apply_street_defaults(data: dict, origins: dict) -> dict[tuple, tuple]:
    """Fill every street from ``street_defaults``; return path aliases for error messages."""
    defaults = data.pop("street_defaults", None) or {}
    aliases: dict[tuple, tuple] = {}
    streets = data.get("streets")
    if not isinstance(defaults, dict) or not isinstance(streets, dict):
        if defaults and not isinstance(defaults, dict):
            raise ScenarioError([Problem(origins.get(("street_defaults",), ""), "street_defaults",
                                         "must be a mapping")])
        return aliases
    for name, own in list(streets.items()):
        own = own if isinstance(own, dict) else {} if own is None else own
        if not isinstance(own, dict):
            continue
        merged = copy.deepcopy(defaults)
        for key in defaults:
            if key not in own:
                aliases[("streets", name, key)] = ("street_defaults", key)
        streets[name] = _deep_merge(merged, own, {}, "", ())
    return aliases


# --------------------------------------------------------------------------- error formatting

def _data_path(raw: Any, loc: tuple) -> list:
    """Keep the parts of a pydantic location that are keys of the data (drop union tags)."""
    path, node = [], raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(part)
            node = node[part]
    return path


def _format_path(path: Iterable) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _unwrap(annotation: Any) -> list:
    """All model classes / containers an annotation may stand for."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [x for arg in typing.get_args(annotation) for x in _unwrap(arg)]
    return [annotation]


def _allowed_keys(path: list) -> list[str]:
    """Field names valid at ``path`` (the mapping that holds the unknown key)."""
    candidates: list = [Scenario]
    for part in path:
        nxt: list = []
        for cand in candidates:
            origin = typing.get_origin(cand)
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                for name, field in cand.model_fields.items():
                    if part in (name, field.alias):
                        nxt.extend(_unwrap(field.annotation))
            elif origin is dict:
                nxt.extend(_unwrap(typing.get_args(cand)[1]))
            elif origin is list and isinstance(part, int):
                nxt.extend(_unwrap(typing.get_args(cand)[0]))
        candidates = nxt
    names: list[str] = []
    for cand in candidates:
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            names.extend(f.alias or n for n, f in cand.model_fields.items())
    return list(dict.fromkeys(names))


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def _got(value: Any) -> str:
    return shown(value)


def _reason(err: dict, path: list) -> str:
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    if kind == "extra_forbidden":
        return "unknown key" + _did_you_mean(path[-1], _allowed_keys(path[:-1]))
    if kind == "missing":
        return "required key is missing"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
              "less_than": "<"}[kind]
        bound = next(iter(ctx.values()))
        return f"must be {op} {bound}, got {_got(value)}"
    if kind == "union_tag_invalid":
        tag = ctx.get("tag")
        return (f"unknown distribution kind {tag!r}"
                + _did_you_mean(tag, dist_module.DISTRIBUTION_KINDS)
                + f" (one of: {', '.join(dist_module.DISTRIBUTION_KINDS)})")
    if kind == "union_tag_not_found":
        return ("a distribution needs a 'kind' (one of: "
                f"{', '.join(dist_module.DISTRIBUTION_KINDS)})")
    if kind == "model_attributes_type":  # where a distribution is expected
        return ("a distribution is a mapping with a 'kind', e.g. {kind: fixed, value: 30min}, "
                f"got {_got(value)}")
    if kind in ("model_type", "dict_type"):
        return f"must be a mapping (key: value, ...), got {_got(value)}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected')}, got {_got(value)}"
    if kind == "value_error":
        return err["msg"].removeprefix("Value error, ")
    if kind == "too_short":
        return err["msg"].replace("List", "list").lower()
    if kind == "too_long":
        got = f", got {len(value):,}" if isinstance(value, dict | list) else ""
        return f"at most {ctx.get('max_length'):,} entries{got}"
    if kind == "name_not_text":
        written = "null" if value is None else str(value).lower() if isinstance(
            value, bool) else _got(value)
        return (f"a name must be text, got the key {written} (YAML reads 1, yes or null "
                f"as a number, boolean or nothing): quote it, e.g. '{written}'")
    if kind == "finite_number":
        return f"must be a finite number, got {_got(value)}"
    if kind == "int_from_float":
        return f"must be a whole number, got {_got(value)}"
    msg = err["msg"]
    msg = msg[0].lower() + msg[1:]
    return f"{msg}, got {_got(value)}"


def _node(raw: Any, path: list) -> Any:
    for part in path:
        raw = raw[part]
    return raw


def _source_for(path: list, origins: dict, fallback: str) -> str:
    for cut in range(len(path), 0, -1):
        hit = origins.get(tuple(path[:cut]))
        if hit:
            return hit
    return fallback


def _problems_from(exc: ValidationError, raw: dict, origins: dict, aliases: dict,
                   fallback: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set = set()
    for err in exc.errors():
        path = _data_path(raw, err["loc"])
        blamed: list = []  # a key below the path, whose file is the one to name
        if err["loc"] and err["loc"][-1] == "[key]":
            # A key YAML read as a number, boolean or null (``1:``, ``yes:``, ``null:``).
            path = _data_path(raw, err["loc"][:-2])
            blamed = [err["input"]]
            err = {**err, "type": "name_not_text"}
        if (err["type"] in ("extra_forbidden", "missing") and err["loc"]
                and isinstance(err["loc"][-1], str) and err["loc"][-1] not in path):
            path.append(err["loc"][-1])  # the key itself is not in the data: name it
        if (err["type"] == "model_attributes_type" and "per_department" in err["loc"]
                and not any(isinstance(v, dict) for v in _node(raw, path[:-1]).values())):
            # ``work: {mean: 2h}``: a distribution without its kind, read as per-department.
            path = path[:-1]
            err = {**err, "type": "union_tag_not_found"}
        shown = list(path)
        if len(path) >= 3 and tuple(path[:3]) in aliases:
            shown = [*aliases[tuple(path[:3])], *path[3:]]
        reason = _reason(err, path)
        key = (_format_path(shown), reason)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(_source_for([*shown, *blamed], origins, fallback), key[0],
                                reason))
    return problems


# --------------------------------------------------------------------------- references

def check_references(s: Scenario) -> list[tuple[str, str]]:
    """Names used in one place that are not defined where they should be."""
    out: list[tuple[str, str]] = []
    depts, types_, cals = set(s.departments), set(s.case_types), set(s.calendars)

    def need(names: Iterable[str], known: set, what: str, path: str) -> None:
        for i, name in enumerate(names):
            if name not in known:
                hint = _did_you_mean(name, known)
                out.append((f"{path}[{i}]", f"unknown {what} {shown(name)}{hint}"))

    def need_one(name: str, known: set, what: str, path: str) -> None:
        if name not in known:
            out.append((path, f"unknown {what} {shown(name)}{_did_you_mean(name, known)} "
                              f"(defined: {', '.join(sorted(known))})"))

    for name, street in s.streets.items():
        need_one(street.calendar, cals, "calendar", f"streets.{name}.calendar")
        need(street.powers, types_, "case type", f"streets.{name}.powers")
    for name, dept in s.departments.items():
        need_one(dept.calendar, cals, "calendar", f"departments.{name}.calendar")
    for name, ct in s.case_types.items():
        need(ct.departments, depts, "department", f"case_types.{name}.departments")
        if len(set(ct.departments)) != len(ct.departments):
            out.append((f"case_types.{name}.departments", "lists a department twice"))
        if isinstance(ct.work, dict):
            for d in ct.departments:
                if d not in ct.work:
                    out.append((f"case_types.{name}.work", f"no work content for department {shown(d)}"))
            for d in ct.work:
                if d not in ct.departments:
                    out.append((f"case_types.{name}.work.{d}",
                                f"{shown(d)} is not among the departments this case type needs"))
    w, sk = s.reform.whistle, s.reform.sinking
    if isinstance(w.trigger.types, list):
        need(w.trigger.types, types_, "case type", "reform.whistle.trigger.types")
    if isinstance(sk.powers, dict):
        for t, server in sk.powers.items():
            if t not in types_:
                out.append((f"reform.sinking.powers.{t}",
                            f"unknown case type {t!r}{_did_you_mean(t, types_)}"))
            if server != "street" and server not in depts:
                out.append((f"reform.sinking.powers.{t}",
                            f"unknown department {server!r}{_did_you_mean(server, depts)} "
                            "(a department's name, or 'street' for the street's own staff)"))
    else:
        need(sk.powers, types_, "case type", "reform.sinking.powers")
    need(sk.centre_departments, depts, "department", "reform.sinking.centre_departments")
    if isinstance(sk.fraction, dict):
        for d in sk.fraction:
            if d not in depts:
                out.append((f"reform.sinking.fraction.{d}",
                            f"unknown department {shown(d)}{_did_you_mean(d, depts)}"))
    return [(p.replace(".[", "["), m) for p, m in out]


def _strip_index(path: str) -> tuple:
    return tuple(p.split("[")[0] for p in path.split("."))


# --------------------------------------------------------------------------- entry points

def validate(raw: dict, origins: dict | None = None, fallback: str = "<scenario>",
             memory_available: float | None = None) -> Scenario:
    """Validate a merged raw mapping; raise ScenarioError listing every problem.

    Beyond the schema: names used but not defined, names the outputs could not tell apart
    (``sim.scenario.names``), and a size above the limits of ``sim.scenario.size`` (unless
    ``simulation.allow_large``); with ``memory_available`` (bytes), also a replication that
    would not fit in it.
    """
    origins = dict(origins or {})
    raw = copy.deepcopy(raw)
    aliases = _apply_street_defaults(raw, origins)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_problems_from(exc, raw, origins, aliases, fallback)) from None

    def problem(path: str, message: str) -> Problem:
        parts = _strip_index(path)
        if parts[:3] in aliases:  # a street's value that came from street_defaults
            path = ".".join([*aliases[parts[:3]], *parts[3:]])
            parts = _strip_index(path)
        return Problem(_source_for(list(parts), origins, fallback), path, message)

    wrong = check_references(scenario) + check_names(scenario)
    if wrong:
        raise ScenarioError([problem(p, m) for p, m in wrong])
    too_large = [f for f in assess(scenario, memory_available) if f.refuse]
    if too_large and not scenario.simulation.allow_large:
        raise ScenarioError([problem(f.path, f.message) for f in too_large])
    return scenario


def load_raw(path: str | Path, overrides: Overrides = ()) -> tuple[dict, dict]:
    """The merged mapping of a scenario file (extends and overrides applied), and its origins."""
    origins: dict = {}
    raw = _resolve_extends(Path(path), origins)
    apply_overrides(raw, overrides, origins)
    return raw, origins


def load_scenario(path: str | Path, overrides: Overrides = (),
                  memory_available: float | None = None) -> Scenario:
    """Read, merge, override and validate a scenario file (``validate`` says what is checked)."""
    raw, origins = load_raw(path, overrides)
    return validate(raw, origins, str(path), memory_available)


def scenario_from_dict(data: Mapping, overrides: Overrides = (),
                       source: str = "<dict>", memory_available: float | None = None
                       ) -> Scenario:
    """Validate a scenario given as a Python mapping (for notebooks and tests)."""
    origins: dict = {}
    raw = _deep_merge({}, data, origins, source, ())
    apply_overrides(raw, overrides, origins)
    return validate(raw, origins, source, memory_available)


def resolved_dict(scenario: Scenario) -> dict:
    """The resolved scenario as plain data (what the manifest stores and the cache hashes)."""
    return scenario.model_dump(mode="json", by_alias=True)
