"""Hostile input for the questionnaire, the population targets and the weighting (issue 15).

Each case is one bad input and the exact outcome: a named error whose message
names the place (YAML path, line, margin, variable, respondent), or, through
``survey-kit validate``, exit 2 with a one-line message and no traceback; a few
inputs at the edge of the rules are accepted and their handling is checked.

* the questionnaire: consistency traps with negative or non-finite tolerances,
  empty ranges (min > max, NaN, infinite bounds, ``between`` low > high), trap
  answers of the wrong type, nested lists in screening values, impossible and
  reversed fieldwork dates, YAML 1.1 booleans where a word is meant (``[yes]``,
  ``action: off``), and YAML files that are alias bombs, recursive, nested
  thousands deep, tagged or repeat a top-level key;
* the targets: margins that look like shares but do not sum to 1, shares mixed
  with counts, negative / NaN / infinite / non-numeric / boolean targets, empty
  margins, nameless levels, bad totals, malformed CSV and YAML targets files,
  levels the questionnaire does not have;
* the weighting: empty cells, non-convergence, bad base weights, unknown and
  all-missing variables, columns of lists, repeated columns, bounds that cannot
  be met, inverted trimming bounds.
"""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import survey_kit as sk
from survey_kit.cli import main
from survey_kit.errors import QuestionnaireError, UsageError, WeightingError
from survey_kit.instrument.questionnaire import Questionnaire, load_questionnaire
from survey_kit.weighting.plan import Cap, check_targets, weighting_plan

ROOT = Path(__file__).resolve().parents[2]
FIRM_YAML = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
FIRM_TEXT = FIRM_YAML.read_text(encoding="utf-8")
BASE = yaml.safe_load(FIRM_TEXT)


# ---------------------------------------------------------------------------
# helpers


def qi(qid: str) -> int:
    """Position of question ``qid`` in the firm questionnaire."""
    return next(i for i, q in enumerate(BASE["questions"]) if q["id"] == qid)


def question(d: dict, qid: str) -> dict:
    return d["questions"][qi(qid)]


def trap(d: dict, tid: str) -> dict:
    return next(t for t in d["quality"]["traps"] if t["id"] == tid)


def rule(d: dict, rid: str) -> dict:
    return next(r for r in d["quality"]["rules"] if r["id"] == rid)


def ti(tid: str) -> int:
    return next(i for i, t in enumerate(BASE["quality"]["traps"]) if t["id"] == tid)


def ri(rid: str) -> int:
    return next(i for i, r in enumerate(BASE["quality"]["rules"]) if r["id"] == rid)


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, *fragments: str) -> None:
    """Exit 2, one line on stderr naming the fault, no traceback, no verdict printed."""
    assert code == 2, (out, err)
    assert err.startswith("survey-kit validate: error: ")
    assert err.strip().count("\n") == 0, err
    assert "Traceback" not in err + out
    assert "Result:" not in out
    for fragment in fragments:
        assert fragment in err, (fragment, err)


FOREIGN = "trap_foreign_share"
FRUIT = "trap_fruit"
WHEN0 = f"quality.rules[{ri('none_used_but_foreign_spend')}].when[0]"


def _set(obj_getter, **values):
    def edit(d):
        obj_getter(d).update(values)
    return edit


def _screening_value(value):
    def edit(d):
        d["survey"]["screening"][0]["value"] = value
    return edit


def _when(**values):
    def edit(d):
        rule(d, "none_used_but_foreign_spend")["when"][0].update(values)
    return edit


def _trap_on(qid, **values):
    def edit(d):
        trap(d, FRUIT).update(question=qid, **values)
    return edit


def _screening_on_missing_key(d):
    question(d, "screener_role")["missing"] = [{"code": 99, "key": "dont_know",
                                                "label": "Don't know"}]
    d["survey"]["screening"][0]["value"] = ["decision_maker", "dont_know", 99]


def _repeat_with_other_options(d):
    question(d, "foreign_share_repeat")["options"][5]["key"] = "all"


# ---------------------------------------------------------------------------
# 1. the questionnaire as data: QuestionnaireError naming the YAML path

QCASES = [
    # consistency traps
    ("trap: negative tolerance", _set(lambda d: trap(d, FOREIGN), tolerance=-1),
     f"quality.traps[{ti(FOREIGN)}].tolerance", "tolerance -1 is negative"),
    ("trap: NaN tolerance", _set(lambda d: trap(d, FOREIGN), tolerance=math.nan),
     f"quality.traps[{ti(FOREIGN)}].tolerance", "tolerance must be a finite number"),
    ("trap: infinite tolerance", _set(lambda d: trap(d, FOREIGN), tolerance=math.inf),
     f"quality.traps[{ti(FOREIGN)}].tolerance", "tolerance must be a finite number"),
    ("trap: text tolerance", _set(lambda d: trap(d, FOREIGN), tolerance="one"),
     f"quality.traps[{ti(FOREIGN)}].tolerance", "valid number"),
    ("trap: pair repeats its own question", _set(lambda d: trap(d, FOREIGN),
                                                 repeat="foreign_share"),
     f"quality.traps[{ti(FOREIGN)}].repeat", "names 'foreign_share' again"),
    ("trap: option paired with a number", _set(lambda d: trap(d, FOREIGN), repeat="employees"),
     f"quality.traps[{ti(FOREIGN)}]", "must both be option questions or both numeric"),
    ("trap: pair on open text", _set(lambda d: trap(d, FOREIGN), question="comments",
                                     repeat="employees"),
     f"quality.traps[{ti(FOREIGN)}]", "'comments' is open text"),
    ("trap: repeat with other option keys", _repeat_with_other_options,
     f"quality.traps[{ti(FOREIGN)}].repeat", "options ['all'] of 'foreign_share_repeat' are "
     "not options of 'foreign_share'"),
    # instructed traps: answers of the wrong type
    ("trap: expected code not an option", _set(lambda d: trap(d, FRUIT), expected=[9]),
     f"quality.traps[{ti(FRUIT)}].expected[0]", "9 is not a valid code or key of question "
     "'attention_fruit'"),
    ("trap: expected fraction", _set(lambda d: trap(d, FRUIT), expected=[1.5]),
     f"quality.traps[{ti(FRUIT)}].expected[0]", "1.5 is not a valid code or key"),
    ("trap: expected nested list", _set(lambda d: trap(d, FRUIT), expected=[["apple"]]),
     f"quality.traps[{ti(FRUIT)}].expected[0]", "valid string"),
    ("trap: text expected of a numeric question", _trap_on("employees", expected=["five"]),
     f"quality.traps[{ti(FRUIT)}].expected[0]", "expected answer 'five' of the numeric "
     "question 'employees' must be a number"),
    ("trap: instructed on open text", _trap_on("comments", expected=["apple"]),
     f"quality.traps[{ti(FRUIT)}].question", "'comments' is open text"),
    ("trap: instructed on a whole grid", _trap_on("attitudes", expected=["agree"]),
     f"quality.traps[{ti(FRUIT)}].question", "'attitudes' is a grid question"),
    ("trap: expected YAML yes", _set(lambda d: trap(d, FRUIT), expected=[True]),
     f"quality.traps[{ti(FRUIT)}].expected[0]", "YAML reads this as the boolean true"),
    # range and sum rules: empty ranges
    ("rule: range min above max", _set(lambda d: rule(d, "export_share_range"), min=100, max=0),
     f"quality.rules[{ri('export_share_range')}].min", "min 100 is above max 0: the range is "
     "empty"),
    ("rule: range min NaN", _set(lambda d: rule(d, "export_share_range"), min=math.nan),
     f"quality.rules[{ri('export_share_range')}].min", "min is not a number (.nan)"),
    ("rule: range max NaN", _set(lambda d: rule(d, "employees_range"), max=math.nan),
     f"quality.rules[{ri('employees_range')}].max", "max is not a number (.nan)"),
    ("rule: range min +inf", _set(lambda d: rule(d, "employees_range"), min=math.inf,
                                  max=None),
     f"quality.rules[{ri('employees_range')}]", "the range is empty"),
    ("rule: range max -inf", _set(lambda d: rule(d, "employees_range"), min=None,
                                  max=-math.inf),
     f"quality.rules[{ri('employees_range')}]", "no answer can fall in it"),
    ("rule: sum min above max", _set(lambda d: rule(d, "revenue_shares_add_up"), min=105,
                                     max=95),
     f"quality.rules[{ri('revenue_shares_add_up')}].min", "the range of the sum is empty"),
    ("rule: range on open text", _set(lambda d: rule(d, "export_share_range"),
                                      question="comments"),
     f"quality.rules[{ri('export_share_range')}].question", "a range rule compares numbers; "
     "'comments' is open text"),
    ("rule: range on a whole multi-select", _set(lambda d: rule(d, "export_share_range"),
                                                 question="reasons"),
     f"quality.rules[{ri('export_share_range')}].question", "'reasons' is a multi-select "
     "question"),
    ("rule: sum of open text", _set(lambda d: rule(d, "revenue_shares_add_up"),
                                    questions=["export_share", "comments"]),
     f"quality.rules[{ri('revenue_shares_add_up')}].questions[1]", "'comments' is open text"),
    ("rule: action YAML off", _set(lambda d: rule(d, "export_share_range"), action=False),
     f"quality.rules[{ri('export_share_range')}].action", "the boolean false"),
    ("question: min NaN", _set(lambda d: question(d, "export_share"), min=math.nan),
     f"questions[{qi('export_share')}].min", "min is not a number"),
    ("band: max NaN", lambda d: question(d, "employees")["bands"]["levels"][0].update(
        max=math.nan),
     f"questions[{qi('employees')}].bands.levels[0].max", "max is not a number"),
    # conditions: screening and implies
    ("screening: nested list", _screening_value([["decision_maker"]]),
     "survey.screening[0].value[0]", "a nested list or mapping is not a value"),
    ("screening: mapping in the list", _screening_value([{"key": "decision_maker"}]),
     "survey.screening[0].value[0]", "a nested list or mapping is not a value"),
    ("screening: null in the list", _screening_value([None]),
     "survey.screening[0].value[0]", "None is not a value a question can hold"),
    ("screening: empty list", _screening_value([]),
     "survey.screening[0].value", "needs at least one value"),
    ("screening: YAML yes", _screening_value([True]),
     "survey.screening[0].value[0]", "YAML reads this as the boolean true"),
    ("screening: unknown code", _screening_value([9]),
     "survey.screening[0].value[0]", "9 is not a code or key of 'screener_role'"),
    ("implies: between low above high", _when(question="employees", op="between",
                                              value=[50, 10]),
     f"{WHEN0}.value", "between [50, 10] is an empty range"),
    ("implies: between of words", _when(question="employees", op="between",
                                        value=["few", "many"]),
     f"{WHEN0}.value[0]", "op 'between' needs numbers"),
    ("implies: lt on open text", _when(question="comments", op="lt", value=3),
     f"{WHEN0}.op", "'comments' holds text"),
    ("implies: eq on a whole grid", _when(question="attitudes", op="eq", value=1),
     f"{WHEN0}.op", "'attitudes' is a grid question"),
    ("implies: unknown option of a multi", _when(question="reasons", op="in",
                                                 value=["telepathy"]),
     f"{WHEN0}.value[0]", "'telepathy' is not a code or key of 'reasons'"),
    ("implies: word for a number", _when(question="employees", op="eq", value="many"),
     f"{WHEN0}.value", "'many' is not a number or missing code of 'employees'"),
    ("implies: gt infinity", _when(question="employees", op="gt", value=math.inf),
     f"{WHEN0}.value", "needs a finite number"),
    # YAML 1.1 booleans where a word is meant
    ("overrides: action YAML off",
     lambda d: d["quality"].__setitem__("overrides", {"speeder_action": False}),
     "quality.overrides.speeder_action", "the boolean false"),
    ("option: label YAML No", lambda d: question(d, "sector")["options"][0].__setitem__(
        "label", False), f"questions[{qi('sector')}].options[0].label", "the boolean false"),
    ("option: key YAML yes", lambda d: question(d, "sector")["options"][0].__setitem__(
        "key", True), f"questions[{qi('sector')}].options[0].key", "the boolean true"),
    ("weighting: variable YAML on", lambda d: d["weighting"]["variables"].append(True),
     "weighting.variables[2]", "the boolean true"),
    # fieldwork
    ("fieldwork: end before start",
     lambda d: d["survey"]["fieldwork"].update(start="2024-07-05", end="2024-07-01"),
     "survey.fieldwork.end", "fieldwork ends (2024-07-01) before it starts (2024-07-05)"),
    ("fieldwork: impossible date as text",
     lambda d: d["survey"]["fieldwork"].update(end="2024-02-30"),
     "survey.fieldwork.end", "valid date"),
    # weighting section
    ("weighting: a whole multi-select", lambda d: d["weighting"]["variables"].append("reasons"),
     "weighting.variables[2]", "'reasons' is a multi-select question"),
    ("weighting: open text", lambda d: d["weighting"]["variables"].append("comments"),
     "weighting.variables[2]", "'comments' is open text"),
    ("weighting: trim cap below 1", lambda d: d["weighting"].__setitem__("trim_upper", 0.5),
     "weighting.trim_upper", "must be a number of at least 1"),
    ("weighting: negative trim cap", lambda d: d["weighting"].__setitem__("trim_upper", -5),
     "weighting.trim_upper", "must be a number of at least 1"),
]


@pytest.mark.parametrize("edit,path,fragment", [c[1:] for c in QCASES],
                         ids=[c[0] for c in QCASES])
def test_bad_instrument_names_the_yaml_path(edit, path, fragment):
    data = copy.deepcopy(BASE)
    edit(data)
    with pytest.raises(QuestionnaireError) as info:
        Questionnaire.from_dict(data, source="bad.yaml")
    err = info.value
    assert err.path == path, str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"bad.yaml, {path}")


ACCEPTED = [
    ("rule action 'off' in quotes", _set(lambda d: rule(d, "export_share_range"), action="off")),
    ("tolerance 0", _set(lambda d: trap(d, FOREIGN), tolerance=0)),
    ("range of one point", _set(lambda d: rule(d, "employees_range"), min=5, max=5)),
    ("between low equal to high", _when(question="employees", op="between", value=[10, 10])),
    ("expected given as a code", _set(lambda d: trap(d, FRUIT), expected=[2])),
    ("screening on a missing key", _screening_on_missing_key),
    ("numeric trap with a fraction", _trap_on("employees", expected=[7.5])),
    ("one-day fieldwork", lambda d: d["survey"]["fieldwork"].update(start="2024-07-05",
                                                                     end="2024-07-05")),
]


@pytest.mark.parametrize("edit", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_edge_instruments_are_accepted(edit):
    data = copy.deepcopy(BASE)
    edit(data)
    q = Questionnaire.from_dict(data)
    assert q.id == "japan_digital_services_2024"


def test_quoted_off_action_switches_the_rule_off():
    data = copy.deepcopy(BASE)
    rule(data, "export_share_range")["action"] = "off"
    from survey_kit.cleaning.parameters import resolve_parameters

    params, _ = resolve_parameters(Questionnaire.from_dict(data))
    assert params["export_share_range_action"] == "off"


# ---------------------------------------------------------------------------
# 2. questionnaire files: bounded YAML through load_questionnaire


def _with(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BOMB = ("survey_notes:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
                  for i in range(8)))
DUP_LINE = FIRM_TEXT.splitlines().index("quality:") + 1

YAML_CASES = [
    ("repeated top-level key", FIRM_TEXT + "\nquality:\n  traps: []\n",
     f"key 'quality' is repeated (first on line {DUP_LINE})"),
    ("repeated key in a flow mapping",
     _with(FIRM_TEXT, "{id: trap_fruit, type: instructed,", "{id: trap_fruit, id: x, type: "
           "instructed,"), "key 'id' is repeated"),
    ("alias bomb", BOMB + FIRM_TEXT, "expands to more than 200,000 values"),
    ("recursive alias", "loop: &loop [1, *loop]\n" + FIRM_TEXT, "refers to a mapping or list "
     "that contains it"),
    ("nested 5000 deep", "deep: " + "[" * 5000 + "1" + "]" * 5000 + "\n" + FIRM_TEXT,
     "nesting deeper than 64 levels"),
    ("python tag", "boom: !!python/object/apply:os.system ['echo hi']\n" + FIRM_TEXT,
     "not valid YAML"),
    ("impossible date", _with(FIRM_TEXT, "end: 2024-10-05", "end: 2024-02-30"),
     "'2024-02-30' is not a real date or time"),
    ("month 13", _with(FIRM_TEXT, "start: 2024-07-05", "start: 2024-13-05"),
     "'2024-13-05' is not a real date or time"),
    ("end before start", _with(FIRM_TEXT, "end: 2024-10-05", "end: 2024-01-05"),
     "survey.fieldwork.end: fieldwork ends (2024-01-05) before it starts (2024-07-05)"),
    ("screening value [yes]", _with(FIRM_TEXT, "value: [decision_maker, influencer]",
                                    "value: [yes]"),
     "survey.screening[0].value[0]: YAML reads this as the boolean true"),
    ("rule action off", _with(FIRM_TEXT, "min: 0, max: 100, label: Export",
                              "min: 0, max: 100, action: off, label: Export"),
     f"quality.rules[{ri('export_share_range')}].action: YAML reads this as the boolean false"),
    ("override action off", _with(FIRM_TEXT, "  overrides: {straightliner_action: exclude, "
                                  "near_duplicate_action: exclude}",
                                  "  overrides: {speeder_action: off}"),
     "quality.overrides.speeder_action: YAML reads this as the boolean false"),
    ("negative tolerance", _with(FIRM_TEXT, "tolerance: 1,", "tolerance: -1,"),
     f"quality.traps[{ti(FOREIGN)}].tolerance: tolerance -1 is negative"),
    ("range min above max", _with(FIRM_TEXT, "question: employees, min: 1, max: 500000",
                                  "question: employees, min: 500000, max: 1"),
     "min 500000 is above max 1"),
    ("empty file", "", "must hold a mapping"),
    ("a list at the top", "- survey\n- questions\n", "must hold a mapping"),
]


@pytest.mark.parametrize("text,fragment", [c[1:] for c in YAML_CASES],
                         ids=[c[0] for c in YAML_CASES])
def test_bad_questionnaire_file(tmp_path, text, fragment):
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert time.perf_counter() - start < 5.0
    assert str(info.value).startswith(str(path))
    assert fragment in str(info.value)


# ---------------------------------------------------------------------------
# 3. survey-kit validate: exit 2, one line, no traceback


def _write_instrument(tmp_path: Path, data: dict, targets: str | None = None) -> Path:
    data = copy.deepcopy(data)
    if targets is not None:
        data["weighting"]["targets"] = targets
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def test_validate_refuses_a_repeated_top_level_key(tmp_path, capsys):
    """The issue's case: a second `quality:` silently won and validate reported 0 traps."""
    path = tmp_path / "q.yaml"
    path.write_text(FIRM_TEXT + "\nquality:\n  traps: []\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", path)
    assert_one_line_error(code, out, err, f"key 'quality' is repeated (first on line "
                                          f"{DUP_LINE})")
    assert "Traps:          0" not in out


def test_validate_refuses_a_negative_tolerance(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text(_with(FIRM_TEXT, "tolerance: 1,", "tolerance: -2,"), encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", path)
    assert_one_line_error(code, out, err, f"quality.traps[{ti(FOREIGN)}].tolerance",
                          "tolerance -2 is negative")


def test_validate_refuses_an_impossible_date(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text(_with(FIRM_TEXT, "end: 2024-10-05", "end: 2024-02-30"), encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", path)
    assert_one_line_error(code, out, err, "'2024-02-30' is not a real date")


def test_validate_refuses_a_nested_screening_value(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text(_with(FIRM_TEXT, "value: [decision_maker, influencer]",
                          "value: [[decision_maker], influencer]"), encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", path)
    assert_one_line_error(code, out, err, "survey.screening[0].value[0]", "nested list")


def test_validate_refuses_an_alias_bomb_quickly(tmp_path, capsys):
    path = tmp_path / "q.yaml"
    path.write_text(BOMB + FIRM_TEXT, encoding="utf-8")
    start = time.perf_counter()
    code, out, err = run_cli(capsys, "validate", path)
    assert time.perf_counter() - start < 5.0
    assert_one_line_error(code, out, err, "expands to more than")


def test_validate_checks_cleaning_overrides(tmp_path, capsys):
    data = copy.deepcopy(BASE)
    data["quality"]["overrides"] = {"speeder_fraktion": 0.4}
    code, out, err = run_cli(capsys, "validate", _write_instrument(tmp_path, data))
    assert_one_line_error(code, out, err, "quality.overrides",
                          "unknown cleaning parameter 'speeder_fraktion'")


def test_validate_checks_override_values(tmp_path, capsys):
    data = copy.deepcopy(BASE)
    data["quality"]["overrides"] = {"speeder_fraction": 4}
    code, out, err = run_cli(capsys, "validate", _write_instrument(tmp_path, data))
    assert_one_line_error(code, out, err, "'speeder_fraction'", "got 4")


def test_validate_accepts_a_quoted_off_override(tmp_path, capsys):
    data = copy.deepcopy(BASE)
    data["quality"]["overrides"] = {"speeder_action": "off"}
    data["weighting"]["targets"] = str(ROOT / "sample_data" /
                                       "japan_firm_population_targets.csv")
    code, out, err = run_cli(capsys, "validate", _write_instrument(tmp_path, data))
    assert code == 0, err
    assert "Result: the questionnaire is valid." in out


TARGET_FILES = [
    ("shares summing to 1.1",
     "variable,level,target\nsize_class,micro,0.5\nsize_class,small,0.3\n"
     "size_class,medium,0.2\nsize_class,large,0.1\nsector,manufacturing,0.5\n"
     "sector,business_services,0.3\nsector,digital_services,0.2\n",
     ["targets of 'size_class' look like shares", "sum to 1.1, not 1"]),
    ("shares mixed with counts",
     "variable,level,target\nsize_class,micro,0.5\nsize_class,small,0.3\n"
     "size_class,medium,0.1\nsize_class,large,0.1\nsector,manufacturing,500\n"
     "sector,business_services,300\nsector,digital_services,200\n",
     ["targets mix shares ('size_class') and counts ('sector')"]),
    ("a level the questionnaire lacks",
     "variable,level,target\nsize_class,micro,50\nsize_class,small,30\nsize_class,medium,10\n"
     "size_class,huge,10\nsector,manufacturing,50\nsector,business_services,30\n"
     "sector,digital_services,20\n",
     ["targets of 'size_class' name level(s) ['huge']"]),
    ("a weighting variable without targets",
     "variable,level,target\nsize_class,micro,50\nsize_class,small,30\nsize_class,medium,10\n"
     "size_class,large,10\n", ["no targets for weighting variable(s) ['sector']"]),
    ("a non-numeric target",
     "variable,level,target\nsize_class,micro,many\n", ["level 'micro' is 'many', not a "
                                                         "number"]),
]


@pytest.mark.parametrize("csv,fragments", [c[1:] for c in TARGET_FILES],
                         ids=[c[0] for c in TARGET_FILES])
def test_validate_checks_the_targets_file(tmp_path, capsys, csv, fragments):
    (tmp_path / "t.csv").write_text(csv, encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", _write_instrument(tmp_path, BASE, "t.csv"))
    assert_one_line_error(code, out, err, "t.csv", *fragments)


def test_validate_warns_of_a_level_without_target(tmp_path, capsys):
    (tmp_path / "t.csv").write_text(
        "variable,level,target\nsize_class,micro,60\nsize_class,small,30\n"
        "size_class,medium,10\nsector,manufacturing,50\nsector,business_services,30\n"
        "sector,digital_services,20\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", _write_instrument(tmp_path, BASE, "t.csv"))
    assert code == 0, err
    assert "Targets:        size_class (3 levels), sector (3 levels); counts, total 100" in out
    assert "level(s) ['large'] of 'size_class' have no population target" in out
    assert "Result: the questionnaire is valid (1 warning)." in out


# ---------------------------------------------------------------------------
# 4. targets: WeightingError naming the margin, the level, the file

SIZE = {"micro": 600, "small": 250, "large": 150}

TARGET_CASES = [
    ("shares summing to 1.1", {"sector": {"a": 0.5, "b": 0.6}}, {},
     "targets of 'sector' look like shares (every value at most 1) but sum to 1.1, not 1 "
     "(shares must sum to 1 within 1e-06)"),
    ("shares summing to 0.99", {"sector": {"a": 0.33, "b": 0.33, "c": 0.33}}, {},
     "sum to 0.99, not 1"),
    ("shares 1.1 beside counts", {"size": SIZE, "sector": {"a": 0.5, "b": 0.6}}, {},
     "targets of 'sector' look like shares"),
    ("shares mixed with counts", {"size": SIZE, "sector": {"a": 0.4, "b": 0.6}}, {},
     "targets mix shares ('sector') and counts ('size')"),
    ("cell shares with margin counts",
     pd.DataFrame({"size": ["micro", "large"], "sector": ["a", "b"], "target": [0.7, 0.3]}),
     {}, "not_a_margin"),
    ("forced shares not summing to 1", {"sector": {"a": 60, "b": 50}}, {"kind": "share"},
     "shares of 'sector' sum to 110, not 1"),
    ("negative target", {"size": {"micro": 10, "large": -5}}, {}, "is negative (-5.0)"),
    ("NaN target", {"size": {"micro": 10, "large": math.nan}}, {}, "level 'large' is nan; "
     "targets must be finite"),
    ("infinite target", {"size": {"micro": 10, "large": math.inf}}, {}, "is inf; targets "
     "must be finite"),
    ("text target", {"size": {"micro": 10, "large": "lots"}}, {}, "is 'lots', not a number"),
    ("boolean target", {"size": {"micro": 10, "large": True}}, {}, "is True, not a number"),
    ("list target", {"size": {"micro": 10, "large": [1, 2]}}, {}, "is [1, 2], not a number"),
    ("empty margin", {"size": {}}, {}, "targets for variable 'size' are empty"),
    ("null margin", {"size": None}, {}, "must be a mapping level -> count or share, not "
     "NoneType"),
    ("no margins", {}, {}, "targets are empty"),
    ("all-zero margin", {"size": {"micro": 0, "large": 0}}, {}, "every target of 'size' is "
     "zero"),
    ("null level", {"size": {None: 10, "large": 5}}, {}, "a level of variable 'size' has no "
     "name (None)"),
    ("blank level", {"size": {"  ": 10, "large": 5}}, {}, "has no name ('  ')"),
    ("level given twice", {"size": {"micro": 10, " micro ": 5}}, {}, "level 'micro' of "
     "variable 'size' has two targets"),
    ("total as text", {"size": SIZE}, {"total": "abc"}, "population total must be a positive "
     "number, not 'abc'"),
    ("total as boolean", {"size": SIZE}, {"total": True}, "not True"),
    ("total zero", {"size": SIZE}, {"total": 0}, "not 0"),
    ("total NaN", {"size": SIZE}, {"total": math.nan}, "not nan"),
    ("total disagreeing with counts", {"size": SIZE}, {"total": 999},
     "target margins disagree with the population total 999"),
    ("counts beyond a float", {"size": {"micro": 1e308, "large": 1e308}}, {},
     "sum to more than a float can hold"),
    ("margins table with an extra column",
     pd.DataFrame({"variable": ["size"] * 2, "level": ["micro", "large"], "target": [6, 4],
                   "note": ["", ""]}), {}, "remove ['note']"),
    ("table without a target column",
     pd.DataFrame({"variable": ["size"], "level": ["micro"], "count": [6]}), {},
     "it needs either 'variable, level, target'"),
    ("table without rows", pd.DataFrame({"variable": [], "level": [], "target": []}), {},
     "targets table has no rows"),
    ("table row without a level",
     pd.DataFrame({"variable": ["size", "size"], "level": ["micro", None], "target": [6, 4]}),
     {}, "targets row 2 has no variable or no level"),
    ("cell without a level",
     pd.DataFrame({"size": ["micro", None], "sector": ["a", "b"], "target": [6, 4]}), {},
     "cell target row 2 has no level for variable 'size'"),
    ("unknown kind", {"size": SIZE}, {"kind": "percent"}, "kind must be 'auto'"),
]


@pytest.mark.parametrize("targets,kw,fragment", [c[1:] for c in TARGET_CASES],
                         ids=[c[0] for c in TARGET_CASES])
def test_bad_targets(targets, kw, fragment):
    if fragment == "not_a_margin":         # joint cells in shares, a margin in counts
        cells = sk.as_targets(targets).cells
        both = sk.Targets(margins={"size": pd.Series([700.0, 300.0], index=["micro", "large"])},
                          cells=cells)
        with pytest.raises(WeightingError, match=r"targets mix shares \('size:sector'\) and "
                                                 r"counts \('size'\)"):
            sk.as_targets(both, rescale=True)
        return
    error = UsageError if kw.get("kind") == "percent" else WeightingError
    with pytest.raises(error) as info:
        sk.as_targets(targets, **kw)
    assert fragment in str(info.value)


TARGET_ACCEPTED = [
    ("shares within the tolerance", {"sector": {"a": 0.4, "b": 0.6 + 5e-7}}, {},
     {"a": 0.4, "b": 0.6}),
    ("shares 1.1 rescaled on request", {"sector": {"a": 0.55, "b": 0.55}}, {"rescale": True},
     {"a": 0.5, "b": 0.5}),
    ("shares-looking counts on request", {"sector": {"a": 0.5, "b": 0.6}}, {"kind": "count"},
     {"a": 0.5, "b": 0.6}),
    ("shares with a total", {"size": {"micro": 0.6, "large": 0.4}, "sector": {"a": 0.5,
                                                                              "b": 0.5}},
     {"total": 1000}, {"a": 500, "b": 500}),
    ("integer counts of 0 and 1", {"sector": {"a": 1, "b": 1}}, {}, {"a": 1, "b": 1}),
]


@pytest.mark.parametrize("targets,kw,expected", [c[1:] for c in TARGET_ACCEPTED],
                         ids=[c[0] for c in TARGET_ACCEPTED])
def test_edge_targets_are_read_right(targets, kw, expected):
    t = sk.as_targets(targets, **kw)
    assert t.margins["sector"].to_dict() == pytest.approx(expected, rel=1e-6)


FILE_CASES = [
    ("csv margins with a note column", "t.csv",
     "variable,level,target,note\nsize,micro,6,\nsize,large,4,\n", "remove ['note']"),
    ("csv repeating a column", "t.csv", "variable,level,target,target\nsize,micro,6,6\n",
     "repeats column(s) ['target']"),
    ("csv shares summing to 1.1", "t.csv",
     "variable,level,target\nsector,a,0.55\nsector,b,0.55\n", "sum to 1.1, not 1"),
    ("csv blank target", "t.csv", "variable,level,target\nsize,micro,\nsize,large,4\n",
     "level 'micro' is nan"),
    ("csv thousands separator", "t.csv", 'variable,level,target\nsize,micro,"1,000"\n',
     "is '1,000', not a number"),
    ("csv header only", "t.csv", "variable,level,target\n", "targets table has no rows"),
    ("csv blank column name", "t.csv", "size,,target\nmicro,a,6\n",
     "column 2 of the targets table has no name"),
    ("csv cells repeating a variable", "t.csv", "size,size,target\nmicro,large,6\n",
     "repeats column(s) ['size']"),
    ("csv comments only", "t.csv", "# nothing here\n", "has no table"),
    ("yaml alias bomb", "t.yaml", "size:\n  micro: 1\n" + BOMB, "expands to more than"),
    ("yaml recursive alias", "t.yaml", "size: &s {micro: *s}\n", "refers to a mapping or list "
     "that contains it"),
    ("yaml nested 5000 deep", "t.yaml", "size: " + "[" * 5000 + "]" * 5000 + "\n",
     "nesting deeper than 64 levels"),
    ("yaml repeated level", "t.yaml", "size:\n  micro: 6\n  micro: 4\n",
     "line 3: key 'micro' is repeated (first on line 2)"),
    ("yaml repeated variable", "t.yaml", "size:\n  micro: 6\nsize:\n  large: 4\n",
     "line 3: key 'size' is repeated"),
    ("yaml python tag", "t.yaml", "size: !!python/object/apply:os.system ['echo hi']\n",
     "not valid YAML"),
    ("yaml list at the top", "t.yaml", "- size\n- sector\n", "must be a mapping variable"),
    ("yaml empty", "t.yaml", "", "must be a mapping variable"),
    ("yaml margin as a list", "t.yaml", "size: [6, 4]\n", "not list"),
    ("yaml shares summing to 1.1", "t.yaml", "sector:\n  yes: 0.5\n  no: 0.6\n",
     "targets of 'sector' look like shares"),
    ("yaml shares mixed with counts", "t.yaml", "size:\n  micro: 60\n  large: 40\n"
     "exporter:\n  yes: 0.3\n  no: 0.7\n", "targets mix shares ('exporter') and counts "
     "('size')"),
    ("yaml broken", "t.yaml", "size: {micro: 6\n", "not valid YAML"),
]


@pytest.mark.parametrize("name,text,fragment", [c[1:] for c in FILE_CASES],
                         ids=[c[0] for c in FILE_CASES])
def test_bad_targets_file(tmp_path, name, text, fragment):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(WeightingError) as info:
        sk.load_targets(path)
    assert time.perf_counter() - start < 5.0
    assert str(info.value).startswith(str(path))
    assert fragment in str(info.value)


def test_targets_file_not_utf8(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes("規模:\n  micro: 6\n".encode("cp932"))
    with pytest.raises(WeightingError, match="cannot read the targets file.*UTF-8"):
        sk.load_targets(path)


@pytest.mark.parametrize("values,fragment", [
    ([np.nan, 1.0], "level 'it' is nan; targets must be finite"),
    ([-1.0, 2.0], "level 'it' is negative"),
    ([np.inf, 1.0], "level 'it' is inf"),
    (["a", 1.0], "level 'it' is 'a', not a number"),
], ids=["NaN", "negative", "infinite", "text"])
def test_hand_made_targets_are_checked(values, fragment):
    t = sk.Targets(margins={"sector": pd.Series(values, index=["it", "manu"])})
    with pytest.raises(WeightingError) as info:
        sk.rake(pd.DataFrame({"sector": ["it", "manu", "it"]}), t)
    assert fragment in str(info.value)


def test_hand_made_targets_with_a_bad_total():
    t = sk.Targets(margins={"sector": pd.Series([1.0, 2.0], index=["it", "manu"])}, total=-3.0)
    with pytest.raises(WeightingError, match="population total must be a positive number"):
        sk.as_targets(t)


def test_yaml_targets_keep_bool_words_as_levels(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("exporter:\n  yes: 30\n  no: 60\n  off: 10\n", encoding="utf-8")
    assert sk.load_targets(path).margins["exporter"].index.tolist() == ["yes", "no", "off"]


def test_targets_levels_checked_against_the_questionnaire(firm_q):
    with pytest.raises(WeightingError, match=r"targets of 'sector' name level\(s\) "
                                             r"\['Manufacturing'\]"):
        check_targets(firm_q, {"size_class": {"micro": 6, "small": 2, "medium": 1, "large": 1},
                               "sector": {"Manufacturing": 5, "business_services": 3,
                                          "digital_services": 2}})


# ---------------------------------------------------------------------------
# 5. weighting: empty cells, non-convergence, base weights, variables, trimming


@pytest.fixture
def small():
    return pd.DataFrame({
        "size_class": ["micro", "micro", "small", "small", "medium", "large", "large", "micro",
                       "micro", "medium", "large", "small"],
        "sector": ["it", "manu", "it", "manu", "it", "manu", "it", "it", "manu", "manu", "it",
                   "it"],
        "w": [1.0, 2.0, 1.0, 1.5, 2.0, 1.0, 1.0, 1.0, 1.2, 0.8, 1.3, 0.9],
    }, index=[f"R{i}" for i in range(12)])


T = {"size_class": {"micro": 500, "small": 300, "medium": 150, "large": 50},
     "sector": {"it": 600, "manu": 400}}


def _all_missing(df):
    return df.assign(size_class=np.nan)


WEIGHT_CASES = [
    ("sample level without target", lambda df: sk.rake(df, {
        "size_class": {"micro": 500, "small": 300, "large": 200}}),
     WeightingError, "sample cell size_class=medium has 2 respondent(s) but no population "
     "target"),
    ("population level without respondents", lambda df: sk.calibrate(df, {
        "size_class": {**T["size_class"], "huge": 10}, "sector": {"it": 610, "manu": 400}}),
     WeightingError, "population cell size_class=huge (target 10) has no respondents"),
    ("empty joint cell", lambda df: sk.poststratify(df, pd.DataFrame({
        "size_class": ["micro", "micro", "small", "small", "medium", "large"],
        "sector": ["it", "manu", "it", "manu", "it", "it"],
        "target": [1.0, 1, 1, 1, 1, 1]})), WeightingError,
     "sample cell (size_class=medium, sector=manu) has 1 respondent(s) but no population "
     "target"),
    ("zero target with respondents", lambda df: sk.rake(df, {
        "size_class": {**T["size_class"], "medium": 0}}), WeightingError, "population target "
     "of 0"),
    ("rake does not converge", lambda df: sk.rake(df, T, max_iter=2, tol=1e-14),
     WeightingError, "raking did not converge in 2 sweeps"),
    ("calibration bounds cannot be met", lambda df: sk.calibrate(df, T, "raking", (0.99, 1.01)),
     WeightingError, "calibration (raking, bounds (0.99, 1.01)) did not converge"),
    ("logit bounds not around 1", lambda df: sk.calibrate(df, T, "logit", (1.5, 3)),
     UsageError, "lower < 1 < upper"),
    ("calibration bounds inverted", lambda df: sk.calibrate(df, T, "raking", (2, 0.5)),
     UsageError, "need lower < upper"),
    ("calibration bounds of text", lambda df: sk.calibrate(df, T, "raking", ("lo", 2)),
     UsageError, "bounds must be a pair (lower, upper) of numbers"),
    ("zero base weight", lambda df: sk.rake(df, T, df["w"].where(df.index != "R3", 0.0)),
     WeightingError, "1 respondent(s) have a zero or negative base weight ('R3')"),
    ("negative base weight", lambda df: sk.rake(df, T, df["w"].where(df.index != "R5", -1.0)),
     WeightingError, "zero or negative base weight ('R5')"),
    ("NaN base weight", lambda df: sk.rake(df, T, df["w"].where(df.index != "R7")),
     WeightingError, "missing or infinite base weight ('R7')"),
    ("infinite base weight", lambda df: sk.rake(df, T, [np.inf] + [1.0] * 11),
     WeightingError, "missing or infinite base weight ('R0')"),
    ("text base weights", lambda df: sk.rake(df.assign(w=["heavy"] * 12), T, "w"),
     WeightingError, "column 'w' are not all numbers"),
    ("boolean base weights", lambda df: sk.rake(df.assign(w=[True] * 12), T, "w"),
     WeightingError, "column 'w' are true/false values, not weights"),
    ("base weights beyond a float", lambda df: sk.rake(df, T, [1e308] * 12),
     WeightingError, "base weights sum to more than a float can hold"),
    ("base weights near zero", lambda df: sk.rake(df, T, [1e-320] * 12),
     WeightingError, "is not a number a float can hold"),
    ("base weights repeating an id", lambda df: sk.rake(df, T, pd.Series(
        [1.0] * 13, index=[*df.index, "R0"])), WeightingError,
     "give respondent id 'R0' 2 weights"),
    ("base weight column absent", lambda df: sk.rake(df, T, "weight"), WeightingError,
     "base weight column 'weight' is not in the data"),
    ("unknown weighting variable", lambda df: sk.rake(df, T, variables=["region"]),
     WeightingError, "no targets for variable(s) ['region']"),
    ("targets for a column the data lack", lambda df: sk.rake(df, {
        **T, "region": {"kanto": 1000}}), WeightingError,
     "the targets are for variable(s) ['region'], which the data do not have"),
    ("all missing, no strategy", lambda df: sk.rake(_all_missing(df), T), WeightingError,
     "column 'size_class': the weighting variable is missing (not stated) for every "
     "respondent (12)"),
    ("all missing, separate", lambda df: sk.rake(_all_missing(df), T, not_stated="separate"),
     WeightingError, "missing (not stated) for every respondent"),
    ("all missing, impute", lambda df: sk.poststratify(_all_missing(df), T,
                                                       variables="size_class",
                                                       not_stated="impute"),
     WeightingError, "missing (not stated) for every respondent"),
    ("all missing, exclude", lambda df: sk.calibrate(_all_missing(df), T,
                                                     not_stated="exclude"),
     WeightingError, "missing (not stated) for every respondent"),
    ("lists in a weighting column", lambda df: sk.rake(df.assign(
        sector=[["it"]] * 12), {"sector": {"it": 1}}), WeightingError,
     "column 'sector': the weighting variable holds lists (e.g. ['it']), not levels"),
    ("two columns of one name", lambda df: sk.rake(pd.concat(
        [df[["size_class", "sector"]], df[["sector"]]], axis=1), T), WeightingError,
     "more than one column named 'sector'"),
    ("unknown not-stated strategy", lambda df: sk.rake(df, T, not_stated="drop"),
     UsageError, "not_stated must be one of"),
    ("impute within an unknown column", lambda df: sk.rake(
        df.assign(size_class=[np.nan, *df.size_class[1:]]), T, not_stated="impute",
        impute_within="region"), WeightingError, "impute_within names 'region'"),
]


@pytest.mark.parametrize("call,error,fragment", [c[1:] for c in WEIGHT_CASES],
                         ids=[c[0] for c in WEIGHT_CASES])
def test_bad_weighting(small, call, error, fragment):
    with pytest.raises(error) as info:
        call(small)
    assert fragment in str(info.value)


@pytest.mark.parametrize("levels,error,fragment", [
    (None, UsageError, "levels must be one level or a list of levels, not NoneType"),
    ([], UsageError, "give at least two different levels"),
    ("huge", WeightingError, "level 'huge' of 'size_class' is in neither the data nor the "
     "targets"),
    (["micro", "tiny"], WeightingError, "level(s) ['tiny'] of 'size_class' are in neither"),
], ids=["none", "empty list", "unknown level", "unknown level in a list"])
def test_bad_collapse(small, levels, error, fragment):
    with pytest.raises(error) as info:
        sk.collapse_levels(small, T, "size_class", levels)
    assert fragment in str(info.value)


TRIM_CASES = [
    ("bounds inverted", dict(lower=3, upper=1), UsageError, "trim bounds need lower < upper"),
    ("bounds equal", dict(lower=2, upper=2), UsageError, "trim bounds need lower < upper"),
    ("bound NaN", dict(upper=math.nan), UsageError, "upper=nan"),
    ("bound of text", dict(upper="high"), UsageError, "trim bound upper='high' is not a number"),
    ("bound boolean", dict(lower=True), UsageError, "trim bound lower=True is not a number"),
    ("upper cannot be met", dict(upper=1.5), WeightingError, "upper=1.5 is too low: 3 weights "
     "summing to 6 cannot all be <= 1.5"),
    ("lower cannot be met", dict(lower=2.5), WeightingError, "lower=2.5 is too high"),
    ("no rounds", dict(upper=2.5, strict=True, max_rounds=0), UsageError,
     "max_rounds must be a positive integer"),
]


@pytest.mark.parametrize("kw,error,fragment", [c[1:] for c in TRIM_CASES],
                         ids=[c[0] for c in TRIM_CASES])
def test_bad_trimming(kw, error, fragment):
    with pytest.raises(error) as info:
        sk.trim_weights([1.0, 2.0, 3.0], **kw)
    assert fragment in str(info.value)


@pytest.mark.parametrize("weights,fragment", [
    (["a", "b"], "weights to trim are not all numbers"),
    (pd.Series([True, False]), "weights to trim are not all numbers"),
    ([], "there are no weights to trim"),
    ([0.0, 0.0], "every weight is zero"),
    ([1.0, np.nan], "1 weight(s) are missing or infinite"),
], ids=["text", "booleans", "empty", "all zero", "NaN"])
def test_bad_weights_to_trim(weights, fragment):
    with pytest.raises(WeightingError) as info:
        sk.trim_weights(weights, upper=2)
    assert fragment in str(info.value)


def test_plan_trim_caps_inverted(firm_q):
    with pytest.raises(UsageError, match="trim_lower 3x is not below trim_upper 2x"):
        weighting_plan(firm_q, T, trim_upper="2x", trim_lower="3x")


@pytest.mark.parametrize("text", [True, "x", "-2x", "nan", ""],
                         ids=["boolean", "word", "negative", "NaN", "empty"])
def test_bad_trim_cap(text):
    with pytest.raises(UsageError, match="trim cap"):
        Cap.parse(text)
