"""YAML the user wrote is read within bounds: alias bombs, deep nesting,
repeated keys and Python tags are refused with a named error, fast."""

from __future__ import annotations

import time

import pytest

from survey_kit._yaml import MAX_DEPTH, parse_yaml, read_yaml
from survey_kit.errors import QuestionnaireError, ReportError, SurveyKitError

BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x, x]"]
                 + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]"
                    for i in range(8)]) + "\n"


def test_alias_bomb_is_refused_quickly():
    start = time.perf_counter()
    with pytest.raises(QuestionnaireError, match="expands to more than .* aliases"):
        parse_yaml(BOMB, QuestionnaireError)
    assert time.perf_counter() - start < 2.0


def test_small_aliases_still_work():
    text = "base: &b {min: 1, max: 5}\nq1: *b\nq2: *b\n"
    assert parse_yaml(text, QuestionnaireError) == {
        "base": {"min": 1, "max": 5}, "q1": {"min": 1, "max": 5}, "q2": {"min": 1, "max": 5}}


@pytest.mark.parametrize("opener, closer", [("[", "]"), ("{a: ", "}")])
def test_deep_nesting_is_refused(opener, closer):
    depth = 5000
    text = opener * depth + "1" + closer * depth
    with pytest.raises(QuestionnaireError, match=f"at most {MAX_DEPTH} levels|deeper than"):
        parse_yaml(text, QuestionnaireError)


def test_nesting_at_the_limit_is_accepted():
    text = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    value = parse_yaml(text, QuestionnaireError)
    for _ in range(MAX_DEPTH - 2):
        value = value[0]
    assert value == [1]


def test_repeated_key_names_both_lines():
    text = "survey:\n  id: x\nquestions: []\nsurvey:\n  id: y\n"
    with pytest.raises(QuestionnaireError) as info:
        parse_yaml(text, QuestionnaireError)
    assert str(info.value) == "line 4: key 'survey' is repeated (first on line 1); keep one"


def test_repeated_nested_key_is_refused():
    with pytest.raises(ReportError, match="line 3: key 'code' is repeated"):
        parse_yaml("- code: 1\n  label: a\n  code: 2\n", ReportError)


@pytest.mark.parametrize("text", [
    "!!python/object/apply:os.system ['echo hi']\n",
    "a: !!python/name:os.system\n",
])
def test_python_tags_are_refused(text):
    with pytest.raises(QuestionnaireError, match="not valid YAML"):
        parse_yaml(text, QuestionnaireError)


def test_bool_words_kept_as_strings_on_request():
    assert parse_yaml("yes: 1\noff: 2\n", ReportError, keep_bool_words=True) == {"yes": 1, "off": 2}
    assert parse_yaml("yes: 1\n", ReportError) == {True: 1}


def test_read_yaml_names_the_file(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(SurveyKitError) as info:
        read_yaml(path, QuestionnaireError, "file", "give a questionnaire")
    assert str(info.value).startswith(str(path))


def test_error_messages_bound_the_value_they_show():
    err = QuestionnaireError("bad", value=[list(range(10_000))] * 10_000)
    assert len(str(err)) < 400
