"""Hostile input to cleaning: bad parameters and overrides, odd durations, missing trap
columns, nobody kept, no rows, repeated ids, tiny grids, near-duplicate thresholds at
their ends, singular Mahalanobis matrices, and cells an XLSX file cannot hold.

Each case asserts its exact outcome: a named error with the fragment that names the
parameter, column or value; a warning recorded on the result (and printed by the
CLI); or the documented handling. Every case where ``clean`` runs also checks that
nothing is lost: kept + excluded is the raw frame, and the flow adds up (issue 15).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk
from survey_kit.cleaning.careless.near_duplicates import near_duplicates
from survey_kit.cli import main
from survey_kit.errors import CleaningError, DataError, QuestionnaireError, UsageError

ROOT = Path(__file__).resolve().parents[2]
FIRMS = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
SAMPLE = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"


@pytest.fixture(scope="module")
def q():
    return sk.load_questionnaire(FIRMS)


@pytest.fixture(scope="module")
def raw(q):
    return sk.read_responses(SAMPLE, q, duplicate_ids="keep")


def accounted(res, raw: pd.DataFrame):
    """Nothing lost: kept + excluded is the raw frame, and the flow adds up."""
    assert len(res.kept) + len(res.excluded) == len(raw)
    assert sorted(map(str, res.kept.index.append(res.excluded.index))) == sorted(
        map(str, raw.index))
    assert len(res.flags) == len(raw)
    flow = res.flow
    assert flow["n_remaining"].iloc[0] == len(raw)
    assert flow["n_removed"].sum() == len(res.excluded)
    assert flow["n_remaining"].iloc[-1] == len(res.kept)
    return res


def cleaned(raw, q, **overrides):
    return accounted(sk.clean(raw, q, **overrides), raw)


def flow_row(res, rule: str) -> pd.Series:
    return res.flow.set_index("rule").loc[rule]


# -- parameters given to clean() ------------------------------------------------------

BAD_PARAMETERS = [
    ("unknown-name", {"speeder_fractio": 0.3},
     "unknown cleaning parameter 'speeder_fractio'; valid names are: skip_unavailable"),
    ("unknown-action", {"speedr_action": "off"}, "unknown cleaning parameter 'speedr_action'"),
    ("fraction-list", {"speeder_fraction": [0.3]},
     "'speeder_fraction' must be a number strictly between 0 and 1; got [0.3] (list)"),
    ("fraction-none", {"speeder_fraction": None}, "got None (NoneType)"),
    ("fraction-word-off", {"speeder_fraction": "off"}, "got 'off' (str)"),
    ("fraction-word-yes", {"speeder_fraction": "yes"}, "got 'yes' (str)"),
    ("fraction-nan", {"speeder_fraction": float("nan")}, "got nan (float)"),
    ("fraction-nan-text", {"speeder_fraction": "nan"}, "got 'nan' (str)"),
    ("fraction-inf", {"speeder_fraction": float("inf")}, "got inf (float)"),
    ("fraction-zero", {"speeder_fraction": 0}, "strictly between 0 and 1; got 0 (int)"),
    ("fraction-one", {"speeder_fraction": 1}, "strictly between 0 and 1; got 1 (int)"),
    ("fraction-negative", {"speeder_fraction": -0.2}, "got -0.2 (float)"),
    ("fraction-bool", {"speeder_fraction": True}, "got True (bool)"),
    ("fraction-ratio-text", {"speeder_fraction": "1/3"}, "got '1/3' (str)"),
    ("threshold-zero", {"near_duplicate_threshold": 0},
     "'near_duplicate_threshold' must be a number above 0 and at most 1; got 0 (int)"),
    ("threshold-above-one", {"near_duplicate_threshold": 1.0000001}, "got 1.0000001"),
    ("threshold-negative", {"near_duplicate_threshold": -0.5}, "got -0.5"),
    ("trap-max-zero", {"trap_max_failures": 0},
     "'trap_max_failures' must be a whole number >= 1; got 0 (int)"),
    ("trap-max-fraction", {"trap_max_failures": 1.5}, "got 1.5 (float)"),
    ("trap-max-bool", {"trap_max_failures": True}, "got True (bool)"),
    ("trap-max-negative-text", {"trap_max_failures": "-1"}, "got '-1' (str)"),
    ("min-items-zero", {"near_duplicate_min_items": 0},
     "'near_duplicate_min_items' must be a whole number >= 1"),
    ("dense-max-negative", {"near_duplicate_dense_max": -1},
     "'near_duplicate_dense_max' must be a whole number >= 0"),
    ("straightline-one-item", {"straightline_min_items": 1},
     "'straightline_min_items' must be a whole number >= 2"),
    ("sd-negative-duration", {"speeder_method": "sd", "speeder_sd": -1},
     "'speeder_sd' must be a number above 0; got -1 (int)"),
    ("sd-overflow-text", {"speeder_sd": "1e400"}, "got '1e400' (str)"),
    ("method-unknown", {"speeder_method": "median"},
     "'speeder_method' must be one of 'fraction', 'sd'; got 'median'"),
    ("confidence-one", {"mahalanobis_confidence": 1},
     "'mahalanobis_confidence' must be a number strictly between 0 and 1"),
    ("even-odd-below-minus-one", {"even_odd_min": -2},
     "'even_odd_min' must be a number between -1 and 1; got -2"),
    ("even-odd-one-scale", {"even_odd_min_scales": 1},
     "'even_odd_min_scales' must be a whole number >= 2"),
    ("action-false", {"speeder_action": False},
     "'speeder_action' must be one of 'exclude', 'review', 'off'; got False (bool)"),
    ("action-no", {"speeder_action": "no"}, "got 'no' (str)"),
    ("action-none", {"speeder_action": None}, "got None (NoneType)"),
    ("questionnaire-rule-action", {"export_share_range_action": "drop"},
     "'export_share_range_action' must be one of 'exclude', 'review', 'off'; got 'drop'"),
    ("skip-int", {"skip_unavailable": 1},
     "'skip_unavailable' must be true or false; got 1 (int)"),
    ("skip-maybe", {"skip_unavailable": "maybe"}, "got 'maybe' (str)"),
]


@pytest.mark.parametrize("overrides,message", [c[1:] for c in BAD_PARAMETERS],
                         ids=[c[0] for c in BAD_PARAMETERS])
def test_bad_parameter_is_a_cleaning_error(raw, q, overrides, message):
    with pytest.raises(CleaningError) as info:
        sk.clean(raw, q, **overrides)
    assert message in str(info.value)


ACCEPTED = [
    ("fraction-padded-text", {"speeder_fraction": " 0.4 "}, "speeder_fraction", 0.4),
    ("trap-max-text", {"trap_max_failures": "2"}, "trap_max_failures", 2),
    ("trap-max-whole-float", {"trap_max_failures": 2.0}, "trap_max_failures", 2),
    ("action-upper-case", {"speeder_action": "OFF"}, "speeder_action", "off"),
    ("skip-yes", {"skip_unavailable": "yes"}, "skip_unavailable", True),
    ("skip-off", {"skip_unavailable": "off"}, "skip_unavailable", False),
    ("numpy-number", {"speeder_fraction": np.float32(0.25)}, "speeder_fraction", 0.25),
]


@pytest.mark.parametrize("overrides,name,value", [c[1:] for c in ACCEPTED],
                         ids=[c[0] for c in ACCEPTED])
def test_parameter_spellings_accepted(raw, q, overrides, name, value):
    res = cleaned(raw, q, **overrides)
    assert res.params[name] == value and type(res.params[name]) is type(value)
    assert res.param_sources[name] == "call"


def test_action_off_switches_the_rule_off(raw, q):
    res = cleaned(raw, q, speeder_action="OFF")
    assert flow_row(res, "speeder")["status"] == "off"
    assert not res.flags["speeder"].any()


# -- parameters given in the questionnaire (quality.overrides) --------------------------

#: the overrides line of the bundled firm questionnaire (near-duplicates excluded)
BUNDLED_OVERRIDES = ("  overrides: {straightliner_action: exclude, "
                     "near_duplicate_action: exclude}\n")


def _firms_with(tmp_path: Path, overrides: str) -> Path:
    text = FIRMS.read_text(encoding="utf-8")
    assert BUNDLED_OVERRIDES in text
    text = text.replace(BUNDLED_OVERRIDES, f"  overrides: {overrides}\n").replace(
        "targets: ../sample_data/", f"targets: {ROOT / 'sample_data'}/")
    path = tmp_path / "firms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("overrides,message", [
    ("{speeder_action: off}", "YAML reads this as the boolean false"),
    ("[speeder_fraction]", "quality.overrides"),
], ids=["unquoted-off-action", "list-not-mapping"])
def test_questionnaire_override_refused_on_loading(tmp_path, overrides, message):
    with pytest.raises(QuestionnaireError) as info:
        sk.load_questionnaire(_firms_with(tmp_path, overrides))
    assert message in str(info.value) and "firms.yaml" in str(info.value)


@pytest.mark.parametrize("overrides,message", [
    ("{speeder_fraction: off}",
     "quality.overrides: cleaning parameter 'speeder_fraction' must be a number strictly "
     "between 0 and 1; got False (bool)"),
    ("{speeder_fraction: .nan}", "got nan (float)"),
    ("{speeder_fractio: 0.3}", "quality.overrides: unknown cleaning parameter 'speeder_fractio'"),
    ("{trap_max_failures: -1}", "'trap_max_failures' must be a whole number >= 1; got -1"),
    ("{near_duplicate_threshold: 0}", "'near_duplicate_threshold' must be a number above 0"),
], ids=["unquoted-off-number", "yaml-nan", "misspelt", "negative-count", "threshold-zero"])
def test_questionnaire_override_refused_by_clean(tmp_path, raw, overrides, message):
    q = sk.load_questionnaire(_firms_with(tmp_path, overrides))
    with pytest.raises(CleaningError) as info:
        sk.clean(raw, q)
    assert message in str(info.value) and "firms.yaml" in str(info.value)


def test_questionnaire_yes_for_a_switch_and_the_call_wins(tmp_path, raw):
    q = sk.load_questionnaire(_firms_with(tmp_path, "{skip_unavailable: yes, "
                                                    "speeder_fraction: 0.2}"))
    res = cleaned(raw, q, speeder_fraction=0.4)
    assert res.params["skip_unavailable"] is True
    assert res.param_sources["skip_unavailable"] == "questionnaire"
    assert (res.params["speeder_fraction"], res.param_sources["speeder_fraction"]) == (0.4,
                                                                                       "call")


def test_questionnaire_rule_named_like_a_builtin_rule(tmp_path, raw):
    text = FIRMS.read_text(encoding="utf-8").replace("- {id: export_share_range, kind: range",
                                                     "- {id: speeder, kind: range")
    path = tmp_path / "firms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((QuestionnaireError, CleaningError),
                       match="rule id 'speeder' is the name of a built-in cleaning rule"):
        sk.clean(raw, sk.load_questionnaire(path))


# -- the duration column ------------------------------------------------------------------

def _with_duration(raw, values) -> pd.DataFrame:
    frame = raw.copy()
    frame["duration"] = values
    return frame


def test_duration_text_names_respondent_and_value(raw, q):
    values = raw["duration"].astype(object)
    values.iloc[3] = "fast"
    with pytest.raises(CleaningError) as info:
        sk.clean(_with_duration(raw, values), q)
    assert info.value.column == "duration"
    assert f"respondent {raw.index[3]!r} has 'fast' where a number is expected" in str(
        info.value)


def test_duration_as_numeric_text_is_read_as_numbers(raw, q):
    as_text = cleaned(_with_duration(raw, raw["duration"].map(lambda v: f"{v:g}")), q)
    assert as_text.flags["speeder"].equals(cleaned(raw, q).flags["speeder"])


def test_duration_as_timedelta_gives_the_same_speeders(raw, q):
    res = cleaned(_with_duration(raw, pd.to_timedelta(raw["duration"], unit="s")), q)
    assert res.flags["speeder"].equals(cleaned(raw, q).flags["speeder"])


def test_duration_column_missing(raw, q):
    frame = raw.drop(columns=["duration"])
    with pytest.raises(CleaningError, match="rule 'speeder': it needs the duration column "
                                            "'duration'"):
        sk.clean(frame, q)
    res = cleaned(frame, q, skip_unavailable=True)
    assert flow_row(res, "speeder")["status"] == "skipped"
    assert any(w.startswith("speeder: it needs the duration column") for w in res.warnings)


def test_duration_column_blank(raw, q):
    frame = _with_duration(raw, np.nan)
    with pytest.raises(CleaningError, match="no respondent has a duration in column 'duration'"):
        sk.clean(frame, q)
    res = cleaned(frame, q, skip_unavailable=True)
    assert flow_row(res, "speeder")["status"] == "skipped"


def test_negative_durations_are_not_judged_and_are_reported(raw, q):
    values = raw["duration"].copy()
    values.iloc[:5] = -100
    res = cleaned(_with_duration(raw, values), q)
    assert not res.flags["speeder"].iloc[:5].any()
    assert [w for w in res.warnings if "impossible duration" in w] == [
        f"speeder: 5 respondent(s) have an impossible duration (negative or infinite, e.g. "
        f"respondent {raw.index[0]!r}: -100 s) in column 'duration'; they were not checked"]
    assert not any("have no duration" in w for w in res.warnings)


def test_infinite_duration_is_reported(raw, q):
    values = raw["duration"].copy()
    values.iloc[7] = np.inf
    res = cleaned(_with_duration(raw, values), q)
    assert any("1 respondent(s) have an impossible duration" in w for w in res.warnings)


def test_all_durations_negative_is_an_error(raw, q):
    with pytest.raises(CleaningError, match=r"no respondent has a duration in column "
                                            r"'duration' \(700 negative or infinite\)"):
        sk.clean(_with_duration(raw, -raw["duration"]), q)


def test_all_durations_zero_is_reported(raw, q):
    res = cleaned(_with_duration(raw, 0.0), q)
    assert flow_row(res, "speeder")["status"] == "not applicable"
    assert "speeder: no respondent has a positive duration in column 'duration'; the rule was " \
           "not applied" in res.warnings


# -- traps ----------------------------------------------------------------------------------

def test_trap_column_missing_is_named(raw, q):
    frame = raw.drop(columns=["att_trap"])
    with pytest.raises(CleaningError) as info:
        sk.clean(frame, q, near_duplicate_action="off", straightliner_action="off")
    assert "rule 'trap_failed': trap 'trap_grid_row' needs column(s) ['att_trap']" in str(
        info.value)


def test_trap_column_missing_skipped_other_traps_count(raw, q):
    res = cleaned(raw.drop(columns=["att_trap"]), q, skip_unavailable=True)
    assert "failed_trap_grid_row" not in res.flags
    assert res.flags["traps_evaluated"].max() == 2
    assert any("trap 'trap_grid_row' needs column(s) ['att_trap']" in w for w in res.warnings)


def test_every_trap_column_missing_skips_the_rule(raw, q):
    frame = raw.drop(columns=["att_trap", "attention_fruit", "foreign_share_repeat"])
    res = cleaned(frame, q, skip_unavailable=True)
    assert flow_row(res, "trap_failed")["status"] == "skipped"
    assert not res.flags["trap_failed"].any()


def test_trap_column_of_numbers(raw, q):
    frame = raw.copy()
    frame["attention_fruit"] = frame["attention_fruit"].cat.codes
    with pytest.raises(CleaningError, match="column 'attention_fruit' holds numbers"):
        sk.clean(frame, q)


def test_trap_column_with_a_foreign_key(raw, q):
    frame = raw.copy()
    frame["attention_fruit"] = frame["attention_fruit"].astype(object)
    frame.iloc[2, frame.columns.get_loc("attention_fruit")] = "banana"
    with pytest.raises(CleaningError) as info:
        sk.clean(frame, q)
    assert "has 'banana', which is not an option key of 'attention_fruit'" in str(info.value)


def test_trap_expecting_an_unknown_answer(tmp_path, raw):
    text = FIRMS.read_text(encoding="utf-8").replace("expected: [apple]", "expected: [pear]")
    path = tmp_path / "firms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((QuestionnaireError, CleaningError), match="pear"):
        sk.clean(raw, sk.load_questionnaire(path))


# -- nobody kept, no rows ---------------------------------------------------------------

def test_everyone_screened_out(raw, q):
    frame = raw.copy()
    frame["screener_role"] = pd.Categorical(["no_role"] * len(raw),
                                            categories=raw["screener_role"].cat.categories)
    res = cleaned(frame, q)
    assert len(res.kept) == 0
    assert (res.excluded["reason"] == "screened_out").all()
    assert "0 kept" in str(res) and "screened_out" in res.summary()


def test_empty_frame(raw, q):
    res = cleaned(raw.iloc[:0], q)
    assert len(res.kept) == len(res.excluded) == 0
    assert res.flow["n_remaining"].tolist() == [0] * len(res.flow)
    assert "0 raw respondents" in str(res)


def test_one_respondent(raw, q):
    res = cleaned(raw.iloc[:1], q)
    assert flow_row(res, "mahalanobis")["status"] == "not applicable"


def test_not_a_frame(raw, q):
    with pytest.raises(CleaningError, match="responses must be a pandas DataFrame .* not "
                                            "ndarray"):
        sk.clean(raw.to_numpy(), q)


def test_questionnaire_given_as_path(raw):
    with pytest.raises(CleaningError, match="questionnaire must be a Questionnaire"):
        sk.clean(raw, str(FIRMS))


def test_input_already_has_reason_column(raw, q):
    with pytest.raises(CleaningError, match="already have a column 'reason'"):
        sk.clean(raw.assign(reason="x"), q)


def test_option_column_of_codes_names_the_number(raw, q):
    frame = raw.copy()
    frame["sector"] = frame["sector"].cat.codes
    with pytest.raises(CleaningError) as info:
        sk.clean(frame, q)
    first = int(frame["sector"].iloc[0])
    assert f"holds numbers (e.g. {first}) where option keys" in str(info.value)


# -- repeated respondent ids ------------------------------------------------------------

def test_duplicate_ids_error_names_the_id(q):
    with pytest.raises(DataError, match="read with duplicate_ids='keep'"):
        sk.read_responses(SAMPLE, q)


def test_duplicate_ids_unknown_option(q):
    with pytest.raises(UsageError, match="duplicate_ids must be 'error' or 'keep', not 'drop'"):
        sk.read_responses(SAMPLE, q, duplicate_ids="drop")


@pytest.mark.parametrize("action,removed", [("exclude", 4), ("review", 0), ("off", 0)])
def test_duplicate_id_actions(raw, q, action, removed):
    res = cleaned(raw, q, duplicate_id_action=action)
    row = flow_row(res, "duplicate_id")
    assert row["n_removed"] == removed
    assert res.flags["duplicate_id"].sum() == (0 if action == "off" else 4)
    assert row["action"] == action
    assert row["status"] == ("off" if action == "off" else "applied")


def test_duplicate_index_without_raw_ids(raw, q):
    frame = raw.drop(columns=["_raw_id"])
    frame.index = pd.Index(["same"] * len(frame), name=raw.index.name)
    res = accounted(sk.clean(frame, q), frame)
    assert res.flags["duplicate_id"].sum() == len(frame) - 1
    assert not res.flags["duplicate_id"].iloc[0]


# -- grids ------------------------------------------------------------------------------------

MINI = """\
survey:
  id: mini
  title: Mini survey
  sponsor: Test
  fielded_by: Test
  platform: Test
  mode: Online
  population: Firms
  country: Japan
  fieldwork: {start: 2024-07-05, end: 2024-10-05}
  languages: [en]
  target_sample_size: 6
  recruitment: Panel
  source_line: Test
  respondent_id: rid
questions:
  - {id: duration, text: Duration, type: meta, role: duration, column: dur}
  - id: g
    text: First grid
    type: grid
    options: [{code: 1, key: lo, label: Low}, {code: 2, key: mid, label: Mid},
              {code: 3, key: hi, label: High}]
    items:
ITEMS
  - id: h
    text: Second grid
    type: grid
    options: [{code: 1, key: lo, label: Low}, {code: 2, key: mid, label: Mid},
              {code: 3, key: hi, label: High}]
    items:
      - {id: h1, text: First, column: H1}
      - {id: h2, text: Second, column: H2}
"""
ITEM = "      - {{id: g{0}, text: Item {0}, column: G{0}}}\n"


def _mini(tmp_path: Path, n_items: int):
    path = tmp_path / "mini.yaml"
    path.write_text(MINI.replace("ITEMS\n", "".join(ITEM.format(i + 1)
                                                    for i in range(n_items))),
                    encoding="utf-8")
    return path


def test_grid_of_one_item_is_refused(tmp_path):
    with pytest.raises(QuestionnaireError, match="a grid needs at least two items"):
        sk.load_questionnaire(_mini(tmp_path, 1))


def test_two_item_grids(tmp_path):
    q = sk.load_questionnaire(_mini(tmp_path, 2))
    data = tmp_path / "mini.csv"
    data.write_text("rid,dur,G1,G2,H1,H2\nr1,300,1,1,1,1\nr2,320,2,3,1,2\nr3,20,3,3,3,3\n"
                    "r4,310,1,2,2,3\nr5,290,2,2,3,1\nr6,,,,,\n", encoding="utf-8")
    raw = sk.read_responses(data, q)
    res = accounted(sk.clean(raw, q, straightline_min_items=2, even_odd_min_scales=2), raw)
    assert res.flags["straightliner"].tolist() == [True, False, True, False, True, False]
    assert flow_row(res, "even_odd")["status"] == "applied"
    res = accounted(sk.clean(raw, q), raw)        # default: grids of >= 4 items only
    assert flow_row(res, "straightliner")["status"] == "not applicable"
    assert flow_row(res, "even_odd")["status"] == "not applicable"


# -- near-duplicate thresholds at their ends ---------------------------------------------

def test_near_duplicate_threshold_one_flags_identical_answers_only(raw, q):
    res = cleaned(raw, q, near_duplicate_threshold=1)
    shares = res.flags.loc[res.flags["near_duplicate"], "near_duplicate_share"]
    assert len(shares) and (shares == 1.0).all()


def test_near_duplicate_threshold_near_zero_runs(raw, q):
    res = cleaned(raw, q, near_duplicate_threshold=1e-9, near_duplicate_action="review")
    assert res.flags["near_duplicate"].sum() > 600        # almost everyone shares one answer
    assert flow_row(res, "near_duplicate")["n_removed"] == 0   # a review rule removes nobody


@pytest.mark.parametrize("threshold", [0, -1, float("nan")], ids=["zero", "negative", "nan"])
def test_near_duplicates_threshold_outside_range(threshold):
    with pytest.raises(CleaningError, match=r"threshold must be in \(0, 1\]"):
        near_duplicates(np.array([[0, 1], [0, 1]]), threshold, 1)


def test_near_duplicates_threshold_one():
    codes = np.array([[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 2], [-1, -1, -1, -1]])
    res = near_duplicates(codes, 1.0, 2)
    assert res.flagged.tolist() == [False, True, False, False]
    assert res.match.tolist() == [-1, 0, -1, -1]


# -- Mahalanobis D2 on a singular matrix --------------------------------------------------

CONSTANT = np.array([[1, 2, 3], [2, 1, 3], [3, 3, 3], [4, 5, 3], [5, 4, 3]], float)
COLLINEAR = np.array([[1, 2, 2], [2, 1, 1], [3, 3, 3], [4, 5, 5], [5, 4, 4]], float)


@pytest.mark.parametrize("x", [CONSTANT, COLLINEAR], ids=["constant-item", "collinear-items"])
def test_mahad_singular_error(x):
    with pytest.raises(CleaningError, match="covariance matrix of the items is singular"):
        sk.mahad(x, singular="error")


@pytest.mark.parametrize("x", [CONSTANT, COLLINEAR], ids=["constant-item", "collinear-items"])
def test_mahad_singular_pinv(x):
    assert sk.mahad(x, singular="pinv").round(6).tolist() == [2.0, 2.0, 0.0, 2.0, 2.0]


@pytest.mark.parametrize("singular", ["ignore", None, "PINV"])
def test_mahad_singular_unknown_option(singular):
    with pytest.raises(CleaningError, match="singular must be 'error' or 'pinv'"):
        sk.mahad(CONSTANT, singular=singular)


@pytest.mark.parametrize("x,message", [
    ([[1, 2], [np.inf, 3], [2, 2]], "item scores must be finite; respondent 1 has inf in "
                                    "column 0"),
    (np.c_[CONSTANT[:, :2], [np.nan] * 5], "never answered together"),
    ([[1, 2]], "at least two respondents are needed, got 1"),
    (np.zeros((5, 0)), "no items given"),
    ([["a", "b"], ["c", "d"]], "the data must be numeric item scores"),
], ids=["infinite", "item-never-answered", "one-respondent", "no-items", "text"])
def test_mahad_bad_matrix(x, message):
    with pytest.raises(CleaningError, match=message):
        sk.mahad(x)


@pytest.mark.parametrize("level", ["0.9", 1, float("nan"), True],
                         ids=["text", "one", "nan", "bool"])
def test_mahad_bad_conf_level(level):
    with pytest.raises(CleaningError, match="conf_level must be between 0 and 1 \\(a number"):
        sk.mahad(COLLINEAR[:, :2], flag=True, conf_level=level)


def test_clean_with_collinear_rating_items_uses_the_pseudo_inverse(raw, q):
    frame = raw.copy()
    for item in ("impact_profitability", "impact_exports"):
        frame[item] = frame["impact_revenue"]
    res = cleaned(frame, q)
    assert flow_row(res, "mahalanobis")["status"] == "applied"
    assert "mahalanobis: the covariance matrix of the rating items is singular (collinear " \
           "items); the pseudo-inverse was used" in res.warnings


def test_clean_with_constant_rating_items(raw, q):
    frame = raw.copy()
    for item in ("foreign_value", "impact_revenue", "impact_profitability", "impact_exports",
                 "impact_dx", "impact_innovation", "impact_hiring", "att_cloud_first",
                 "att_data_rules", "att_ai_plans", "att_domestic_pref"):
        frame[item] = pd.Categorical([frame[item].cat.categories[0]] * len(frame),
                                     categories=frame[item].cat.categories)
    res = cleaned(frame, q, straightliner_action="off")
    row = flow_row(res, "mahalanobis")
    assert row["status"] == "not applicable"
    assert row["parameter"].startswith("needs >= 2 rating items that vary; constant items left "
                                       "out: foreign_value")


@pytest.mark.parametrize("factors,message", [
    ("3", "factors must be a list of scale lengths"),
    (3, "factors must be a list of scale lengths"),
    ([1.5, 1.5], "factor lengths must be whole numbers; got 1.5"),
    (["a", "b"], "factor lengths must be whole numbers; got 'a'"),
    ([2, 2], "factor lengths [2, 2] must be positive and add up to the 3 items given"),
    ([0, 3], "must be positive"),
], ids=["text", "number", "fractional", "words", "wrong-total", "zero-length"])
def test_evenodd_bad_factors(factors, message):
    with pytest.raises(CleaningError) as info:
        sk.evenodd(CONSTANT, factors)
    assert message in str(info.value)


# -- the command line -------------------------------------------------------------------

def _rows() -> list[list[str]]:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(path: Path, rows: list[list[str]]) -> str:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return str(path)


def _cli(capsys, *argv) -> tuple[int, str, str]:
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _cli_accounted(folder: Path, stem: str, n_raw: int) -> None:
    """The CLI's kept and excluded files hold every raw respondent once."""
    kept = pd.read_csv(folder / f"{stem}_kept.csv", dtype=str, keep_default_na=False)
    excluded = pd.read_csv(folder / f"{stem}_excluded.csv", dtype=str, keep_default_na=False)
    flow = pd.read_csv(folder / f"{stem}_flow.csv")
    assert len(kept) + len(excluded) == n_raw == flow["n_remaining"].iloc[0]
    assert flow["n_remaining"].iloc[-1] == len(kept)


def _one_line_error(err: str, command: str) -> str:
    assert err.startswith(f"survey-kit {command}: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("rule,message", [
    ("speeder_fraction=off", "'speeder_fraction' must be a number strictly between 0 and 1; "
                             "got 'off'"),
    ("speeder_fraction=nan", "got 'nan'"),
    ("trap_max_failures=-1", "must be a whole number >= 1; got '-1'"),
    ("=0.3", "--rule '=0.3': write NAME=VALUE"),
    ("a=b=c", "unknown cleaning parameter 'a'"),
], ids=["word-for-number", "nan", "negative-count", "no-name", "two-equals"])
def test_cli_bad_rule(tmp_path, capsys, rule, message):
    rc, _, err = _cli(capsys, "clean", FIRMS, SAMPLE, "--out", tmp_path, "--rule", rule)
    assert rc == 2 and message in _one_line_error(err, "clean")
    assert not list(tmp_path.glob("*.csv"))


def test_cli_header_only_file(tmp_path, capsys):
    data = _write(tmp_path / "empty.csv", _rows()[:1])
    rc, out, _ = _cli(capsys, "clean", FIRMS, data, "--out", tmp_path / "o")
    assert rc == 0 and "0 raw respondents" in out
    _cli_accounted(tmp_path / "o", "empty", 0)
    assert "respondent_id" in pd.read_csv(tmp_path / "o" / "empty_kept.csv").columns
    rc, _, err = _cli(capsys, "weight", FIRMS, data, "--out", tmp_path / "w")
    assert rc == 2
    assert "empty.csv: the file has no respondents" in _one_line_error(err, "weight")


def test_cli_everyone_excluded(tmp_path, capsys):
    rows = _rows()
    s1 = rows[0].index("S1")
    data = _write(tmp_path / "nobody.csv",
                  [rows[0]] + [r[:s1] + ["3"] + r[s1 + 1:] for r in rows[1:]])
    rc, out, _ = _cli(capsys, "clean", FIRMS, data, "--out", tmp_path / "o")
    assert rc == 0 and "700 excluded, 0 kept" in out
    _cli_accounted(tmp_path / "o", "nobody", 700)
    assert len(pd.read_csv(tmp_path / "o" / "nobody_kept.csv")) == 0
    rc, _, err = _cli(capsys, "weight", FIRMS, data, "--out", tmp_path / "w")
    assert rc == 2
    assert "cleaning excluded all 700 respondents, so there is nothing to weight" in \
        _one_line_error(err, "weight")
    assert not (tmp_path / "w").exists() or not list((tmp_path / "w").iterdir())


def test_cli_negative_duration_warning_is_printed(tmp_path, capsys):
    rows = _rows()
    d = rows[0].index("duration_sec")
    rows[5][d] = "-30"
    rc, out, _ = _cli(capsys, "clean", FIRMS, _write(tmp_path / "neg.csv", rows),
                      "--out", tmp_path / "o")
    assert rc == 0 and "speeder: 1 respondent(s) have an impossible duration" in out
    _cli_accounted(tmp_path / "o", "neg", 700)


def test_cli_workbook_cells_it_cannot_hold(tmp_path, capsys):
    """Control characters and text over 32,767 characters: replaced / cut in the XLSX with a
    printed warning; the CSV keeps them whole."""
    import openpyxl

    rows = _rows()
    col = rows[0].index("Q16")
    long_answer = "long answer " * 3000
    rows[2][col] = "bad\x01char please"
    rows[3][col] = long_answer
    data = _write(tmp_path / "cells.csv", rows)
    rc, out, _ = _cli(capsys, "clean", FIRMS, data, "--out", tmp_path / "o")
    assert rc == 0
    assert ("writing: sheet 'kept', column 'comments': 1 cell(s) hold control characters an "
            "XLSX file cannot store; they were replaced by U+FFFD") in out
    assert ("writing: sheet 'kept', column 'comments': 1 cell(s) are longer than Excel's limit "
            "of 32,767 characters and were cut in the workbook") in out
    _cli_accounted(tmp_path / "o", "cells", 700)
    kept = pd.read_csv(tmp_path / "o" / "cells_kept.csv", keep_default_na=False)
    assert {"bad\x01char please", long_answer} <= set(kept["comments"])
    sheet = openpyxl.load_workbook(tmp_path / "o" / "cells_cleaning.xlsx")["kept"]
    texts = {c.value for c in next(c for c in sheet.iter_cols() if c[0].value == "comments")}
    assert "bad\ufffdchar please" in texts and long_answer[:32_767] in texts


def test_cli_workbook_has_a_fixed_date(tmp_path, capsys):
    """Two runs write the same workbook (no run time in the document properties)."""
    for out in ("a", "b"):
        rc, _, _ = _cli(capsys, "clean", FIRMS, SAMPLE, "--out", tmp_path / out,
                        "--format", "xlsx")
        assert rc == 0
    name = f"{SAMPLE.stem}_cleaning.xlsx"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_cli_question_named_like_the_id_column(tmp_path, capsys):
    """A question whose id is the respondent-id column's name: the written tables then
    repeat a column name, which used to crash the writer."""
    text = FIRMS.read_text(encoding="utf-8").replace(
        "{id: os, text: Operating system", "{id: respondent_id, text: Operating system").replace(
        "targets: ../sample_data/", f"targets: {ROOT / 'sample_data'}/")
    path = tmp_path / "firms.yaml"
    path.write_text(text, encoding="utf-8")
    rc, _, err = _cli(capsys, "clean", path, SAMPLE, "--out", tmp_path / "o")
    assert rc == 0, err
    with (tmp_path / "o" / f"{SAMPLE.stem}_kept.csv").open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header.count("respondent_id") == 2
    _cli_accounted(tmp_path / "o", SAMPLE.stem, 700)
