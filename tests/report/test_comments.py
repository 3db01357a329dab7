"""YAML comments pinned to the key they document (sim/report/comments.py, read with ruamel.yaml)."""

from __future__ import annotations

from pathlib import Path

from sim.report import read_yaml_comments
from sim.report.comments import comment_chain

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_bundled_warmup_comment_is_whole_and_on_the_warmup_row():
    c = read_yaml_comments(SCENARIOS / "baseline.yaml")
    warmup = c.by_key["simulation.warmup"]
    # Both lines of the comment, in order, and nothing else.
    assert warmup.startswith("`govsim warmup` (MSER-5 on the backlog")
    assert warmup.endswith("the backlog fills for about three weeks")
    assert "140 days) suggests 690 h" in warmup
    # The next row starts with its own comment, not the tail of the warm-up's.
    assert c.by_key["simulation.drain_limit"].startswith("after the horizon, run until")
    assert c.by_key["simulation.horizon"] == ("ASSUMPTION: twelve weeks of occurrences per "
                                              "replication")


def test_bundled_comments_above_a_key_belong_to_that_key():
    c = read_yaml_comments(SCENARIOS / "baseline.yaml")
    # Written above `streets:` / `departments:` after a line of flow mappings: not the last
    # street's or the first department's comment.
    assert c.by_key["streets"].startswith("15 streets of a central district")
    assert c.by_key["departments"].startswith("District departments")
    assert c.by_key["case_types"].startswith("Deadline classes [D§4]")
    assert "departments.urban_management" not in c.by_key
    # A comment after a flow mapping documents the key that holds it, not its last field.
    assert c.by_key["street_defaults.report_delay"] == "ASSUMPTION: worker to platform"
    assert not any(k.startswith("street_defaults.report_delay.") for k in c.by_key)
    assert c.header.startswith("Baseline: a pre-reform urban district")


def test_every_bundled_comment_is_on_a_key_the_file_has():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        c = read_yaml_comments(path)
        text = path.read_text(encoding="utf-8")
        for key in c.by_key:
            assert key.split(".")[-1].split("[")[0] in text, (path.name, key)


def test_comments_before_after_and_inline_at_nested_keys(tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text(
        "# the file's header\n"
        "# on two lines\n"
        "\n"
        "# above the first key\n"
        "name: x        # the name\n"
        "outer:         # inline at outer\n"
        "  # above inner\n"
        "  inner:\n"
        "    # above deep\n"
        "    deep: 1    # inline at deep\n"
        "               # continued under deep's comment\n"
        "    # above other, after deep's continuation\n"
        "    other: {kind: fixed, value: 2}   # inline after a flow mapping\n"
        "    text: |\n"
        "      # not a comment: text of a block scalar\n"
        "    listed: [a,\n"
        "             b]   # inline after a flow list on two lines\n"
        "  # after inner's last key, above sibling\n"
        "  sibling: 3\n"
        "\n"
        "# above last, after a blank line\n"
        "last: 4\n"
        "# after everything: documents nothing\n", encoding="utf-8")
    c = read_yaml_comments(path)
    assert c.header == "the file's header\non two lines\n\nabove the first key"
    assert c.by_key == {
        "name": "the name",
        "outer": "inline at outer",
        "outer.inner": "above inner",
        "outer.inner.deep": "above deep inline at deep continued under deep's comment",
        "outer.inner.other": "above other, after deep's continuation inline after a flow "
                             "mapping",
        "outer.inner.listed": "inline after a flow list on two lines",
        "outer.sibling": "after inner's last key, above sibling",
        "last": "above last, after a blank line",
    }


def test_a_file_that_does_not_parse_has_no_comments(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\n# a comment\n", encoding="utf-8")
    c = read_yaml_comments(path)
    assert c.by_key == {} and c.header == ""


def test_comment_chain_follows_extends_parent_first():
    chain = comment_chain(SCENARIOS / "whistle.yaml")
    assert [c.path.name for c in chain] == ["baseline.yaml", "whistle.yaml"]
    assert chain[1].extends == "baseline.yaml"
    assert chain[1].by_key["reform.whistle.trigger.after_wait"].startswith("ASSUMPTION")
