"""Probe YAML loaded with a line for every value: YAML 1.2 scalars, duplicates, bombs, tags."""

from __future__ import annotations

import re

import pytest

from matrix.probe.yaml_lines import MAX_NODES, YamlProblem, load_yaml


def test_every_value_has_its_line() -> None:
    loaded = load_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert loaded.lines[("a",)] == 1
    assert loaded.lines[("b", 0)] == 3
    assert loaded.lines[("b", 1, "c")] == 4
    assert loaded.line_of(("b", 1, "c", "missing")) == 4


def test_on_and_no_stay_text_as_in_yaml_1_2() -> None:
    loaded = load_yaml("linger: {on: true, seconds: 1}\nanswer: no\n")
    assert loaded.data == {"linger": {"on": True, "seconds": 1}, "answer": "no"}


def test_duplicate_key_is_an_error_with_its_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml("id: a\ntitle: t\nid: b\n")
    assert caught.value.line == 3
    assert "duplicate key 'id'" in caught.value.message


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(YamlProblem) as caught:
        load_yaml("a: [1, 2\nb: 3\n")
    assert caught.value.line is not None
    assert caught.value.message.startswith("YAML syntax")


def test_alias_bomb_is_refused_before_it_expands() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [{', '.join(['*' + previous] * 10)}]\n"
    with pytest.raises(YamlProblem) as caught:
        load_yaml(bomb)
    assert str(MAX_NODES) in caught.value.message


def test_python_tags_are_not_constructed() -> None:
    with pytest.raises(YamlProblem):
        load_yaml("x: !!python/object/apply:os.system ['true']\n")


def test_pure_python_parser_path_refuses_lone_surrogates_and_non_finite_numbers() -> None:
    """Where PyYAML has no libyaml, its own parser makes these values: refused."""
    import pytest
    import yaml

    from matrix.probe.yaml_lines import YamlProblem, _Walker

    for text, message in (
        ('t: "\\ud800"\n', "lone surrogate (U+D800)"),
        ("t: .nan\n", "not a finite number"),
        ("t: " + "9" * 5000 + "\n", "at most 40 digits"),
        ("? [a, b]\n: 1\n", "keys must be text, not a collection"),
        ('"a\\nb": 1\n', "has control, format or unpaired characters"),
    ):
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            with pytest.raises(YamlProblem, match=re.escape(message)):
                _Walker(loader).walk(node, ())  # type: ignore[arg-type]
        finally:
            loader.dispose()
