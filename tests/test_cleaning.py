"""Tests of sk.clean (survey_kit.cleaning), the careless indices and `survey-kit clean`."""

from __future__ import annotations

import copy
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.cleaning.careless import blocked as blocked_method
from survey_kit.cleaning.careless.evenodd import evenodd
from survey_kit.cleaning.careless.gibberish import gibberish
from survey_kit.cleaning.careless.irv import irv
from survey_kit.cleaning.careless.longstring import longstring
from survey_kit.cleaning.careless.mahad import (
    chi2_quantile,
    mahad,
    mahad_cov,
    mahad_distances,
    mahad_inverse,
)
from survey_kit.cleaning.careless.near_duplicates import near_duplicates
from survey_kit.cleaning.careless.rows import ROW_BLOCK, CodedRows
from survey_kit.cleaning.engine import clean
from survey_kit.cleaning.parameters import parameter_names, resolve_parameters
from survey_kit.cleaning.result import CleaningResult
from survey_kit.errors import CleaningError, SurveyKitError, UsageError
from survey_kit.instrument.questionnaire import Questionnaire
from survey_kit.instrument.schema import Quality, Rule, Trap

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "r"
FIRMS = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
SAMPLE = ROOT / "sample_data"


# ---------------------------------------------------------------------------
# a small instrument and labelled frames built per the data contract

FIVE = [{"code": i + 1, "key": k, "label": k} for i, k in
        enumerate(["sd", "d", "n", "a", "sa"])]


def tiny_dict(n_grid: int = 4, quality: dict | None = None, screening=True) -> dict:
    survey = {
        "id": "tiny", "title": "Tiny survey", "sponsor": "s", "fielded_by": "f",
        "platform": "p", "mode": "online", "population": "firms", "country": "Japan",
        "fieldwork": {"start": "2024-01-01", "end": "2024-02-01"}, "target_sample_size": 10,
    }
    if screening:
        survey["screening"] = [{"question": "role", "op": "in", "value": ["yes"]}]
    questions = [
        {"id": "duration", "text": "d", "type": "meta", "role": "duration", "column": "dur"},
        {"id": "fingerprint", "text": "f", "type": "meta", "role": "fingerprint",
         "column": "fp"},
        {"id": "role", "text": "r", "type": "single", "column": "S1", "required": True,
         "options": [{"code": 1, "key": "yes", "label": "Yes"},
                     {"code": 2, "key": "no", "label": "No"}]},
        {"id": "emp", "text": "e", "type": "numeric", "column": "Q1", "min": 1, "max": 1000,
         "integer": True, "required": True,
         "missing": [{"code": -99, "key": "not_stated", "label": "NS"}],
         "bands": {"id": "emp_band", "levels": [
             {"key": "small", "label": "S", "min": 1, "max": 10},
             {"key": "big", "label": "B", "min": 11, "max": 1000}]}},
        {"id": "size", "text": "s", "type": "single", "column": "Q2",
         "options": [{"code": 1, "key": "small", "label": "S"},
                     {"code": 2, "key": "big", "label": "B"}],
         "missing": [{"code": 99, "key": "not_stated", "label": "NS"}]},
        {"id": "share", "text": "h", "type": "single", "column": "Q3", "required": True,
         "options": [{"code": i + 1, "key": k, "label": k}
                     for i, k in enumerate(["none", "low", "mid", "high"])],
         "missing": [{"code": 98, "key": "dont_know", "label": "DK"}]},
        {"id": "share_again", "text": "h2", "type": "single", "column": "Q4",
         "options": [{"code": i + 1, "key": k, "label": k}
                     for i, k in enumerate(["none", "low", "mid", "high"])],
         "missing": [{"code": 98, "key": "dont_know", "label": "DK"}]},
        {"id": "fruit", "text": "pick apple", "type": "single", "column": "Q5",
         "options": [{"code": 1, "key": "car", "label": "Car"},
                     {"code": 2, "key": "apple", "label": "Apple"}]},
        {"id": "pct_a", "text": "a", "type": "numeric", "column": "Q6", "min": 0, "max": 100},
        {"id": "pct_b", "text": "b", "type": "numeric", "column": "Q7", "min": 0, "max": 100},
        {"id": "grid", "text": "g", "type": "grid", "options": FIVE,
         "items": [{"id": f"g{j}", "text": f"item {j}", "column": f"G{j}"}
                   for j in range(1, n_grid + 1)]},
        {"id": "tools", "text": "t", "type": "multi", "options": [
            {"code": 1, "key": "x", "label": "X", "column": "M1"},
            {"code": 2, "key": "y", "label": "Y", "column": "M2"},
            {"code": 9, "key": "none", "label": "None", "column": "M9", "exclusive": True}]},
        {"id": "comment", "text": "c", "type": "open", "column": "T"},
    ]
    q = {"survey": survey, "questions": questions,
         "quality": quality if quality is not None else {
             "traps": [
                 {"id": "trap_fruit", "type": "instructed", "question": "fruit",
                  "expected": ["apple"]},
                 {"id": "trap_share", "type": "consistency", "question": "share",
                  "repeat": "share_again", "tolerance": 1}],
             "rules": [
                 {"id": "pct_sum", "kind": "sum", "questions": ["pct_a", "pct_b"],
                  "min": 95, "max": 105},
                 {"id": "size_band", "kind": "band_match", "question": "size", "numeric": "emp"},
                 {"id": "none_means_none", "kind": "implies",
                  "when": [{"question": "tools_none", "op": "eq", "value": 1}],
                  "then": [{"question": "share", "op": "in", "value": ["none"]}]}],
             "open_ended": ["comment"]}}
    return q


def tiny_q(**kw) -> Questionnaire:
    return Questionnaire.from_dict(tiny_dict(**kw))


GRID_PATTERNS = [["sd", "d", "n", "a", "sa", "d", "n"], ["a", "n", "d", "sa", "sd", "a", "d"],
                 ["n", "sa", "a", "d", "n", "sd", "a"], ["d", "a", "sa", "n", "d", "n", "sd"]]
COMMENTS = ["Better support in Japanese", "特になし", "料金が下がれば利用を増やしたい", None,
            "More training for staff", "セキュリティの説明がほしい"]


def tiny_frame(q: Questionnaire, n: int = 12, **cells) -> pd.DataFrame:
    """A clean labelled frame of ``n`` respondents; ``cells`` = {column: {row: value}}."""
    idx = pd.Index([f"R{i:03d}" for i in range(n)], name="respondent_id")
    grid_items = q.grid_variables("grid")
    data: dict = {
        "duration": [600.0] * n,
        "fingerprint": [f"fp{i:03d}" for i in range(n)],
        "role": ["yes"] * n,
        "emp": [float(1 + (i * 7) % 9) for i in range(n)],
        "share": [["none", "low", "mid", "high"][i % 4] for i in range(n)],
        "fruit": ["apple"] * n,
        "pct_a": [float(40 + i) for i in range(n)],
        "tools_x": [float(i % 2) for i in range(n)],
        "tools_y": [float((i // 2) % 2) for i in range(n)],
        "tools_none": [0.0] * n,
        "comment": [COMMENTS[i % len(COMMENTS)] for i in range(n)],
    }
    data["pct_b"] = [100.0 - a for a in data["pct_a"]]
    data["size"] = ["small" if e <= 10 else "big" for e in data["emp"]]
    data["share_again"] = list(data["share"])
    for j, item in enumerate(grid_items):
        data[item] = [GRID_PATTERNS[i % 4][(j + i) % 7] for i in range(n)]
    for col, changes in cells.items():
        if col not in data:
            data[col] = [None] * n
        for row, value in changes.items():
            data[col][row] = value
    return build(q, data, idx)


def build(q: Questionnaire, data: dict, idx: pd.Index) -> pd.DataFrame:
    """Columns typed as read_responses returns them (categoricals of keys, floats, strings)."""
    out = {}
    for name, values in data.items():
        if name.endswith("__missing"):
            base = name[: -len("__missing")]
            qq = q.question(q.variable(base).question)
            out[name] = pd.Categorical(values, categories=[m.key for m in qq.missing])
        elif name in q.variables and q.variables[name].kind in ("categorical", "ordinal"):
            info = q.variables[name]
            out[name] = pd.Categorical(values, categories=list(info.levels),
                                       ordered=info.kind == "ordinal")
        elif (name in q.variables and q.variables[name].kind == "text"
              or name in ("fingerprint", "_raw_id")):
            out[name] = pd.array(values, dtype="string")
        else:
            out[name] = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    for qq in q.questions:                      # missing-code columns present, all blank
        if qq.missing and qq.type != "grid" and f"{qq.id}__missing" not in out:
            out[f"{qq.id}__missing"] = pd.Categorical([None] * len(idx),
                                                      categories=[m.key for m in qq.missing])
    if "emp" in out and "emp_band" not in out:
        emp = out["emp"]
        out["emp_band"] = pd.Categorical(np.where(emp <= 10, "small", "big").astype(object),
                                         categories=["small", "big"], ordered=True)
        out["emp_band"][np.isnan(emp)] = np.nan
    return pd.DataFrame(out, index=idx)


def flagged(res: CleaningResult, rule: str) -> list[str]:
    return res.flags.index[res.flags[rule].astype(bool)].tolist()


def check_invariants(raw: pd.DataFrame, res: CleaningResult) -> None:
    assert len(res.kept) + len(res.excluded) == len(raw)
    assert set(res.kept.index).isdisjoint(res.excluded.index)
    assert sorted(map(str, list(res.kept.index) + list(res.excluded.index))) == \
        sorted(map(str, raw.index))
    assert list(res.kept.columns) == list(raw.columns)
    assert list(res.excluded.columns) == list(raw.columns) + ["reason", "reasons"]
    flow = res.flow
    assert flow["n_removed"].sum() == len(res.excluded)
    assert flow["n_remaining"].iloc[-1] == len(res.kept)
    assert flow["n_remaining"].iloc[0] == len(raw)
    assert (np.diff(flow["n_remaining"].to_numpy()) == -flow["n_removed"].to_numpy()[1:]).all()
    applied = flow["status"] == "applied"
    for rule, n in zip(flow.loc[applied, "rule"], flow.loc[applied, "n_flagged"]):
        assert int(res.flags[rule].sum()) == n
        assert res.overlap.loc[rule, rule] == n
    assert (res.flow.loc[res.flow["action"] == "review", "n_removed"] == 0).all()
    assert len(res.flags) == len(raw)
    assert res.flags.index.equals(raw.index)
    # every excluded respondent's reason is a rule that flagged it
    for rid, reason in res.excluded["reason"].items():
        assert res.flags.loc[rid, reason]
    assert set(res.review.index) <= set(res.kept.index)


@pytest.fixture(scope="module")
def q() -> Questionnaire:
    return tiny_q()


# ---------------------------------------------------------------------------
# the bundled sample (generated by survey_kit.sample.generator)


def _defect_flag(defect: str) -> str:
    if defect.startswith("trap_"):
        return f"failed_{defect}"
    if defect.startswith("straightline:"):
        return f"straightlined_{defect.split(':')[1]}"
    if defect.startswith("gibberish:"):
        return f"gibberish_{defect.split(':')[1]}"
    return {"partial": "incomplete"}.get(defect, defect)


@pytest.mark.parametrize("survey,expected_kept", [("japan_digital_services_2024", 600),
                                                  ("japan_creators_2024", 120)])
def test_bundled_sample_flow_and_planted_defects(survey, expected_kept):
    raw_path = SAMPLE / f"{survey}_raw.csv"
    defects_path = SAMPLE / f"{survey}_planted_defects.csv"
    qq = sk.load_questionnaire(ROOT / "questionnaires" / f"{survey}.yaml")
    raw = sk.read_responses(raw_path, qq, duplicate_ids="keep")
    before = raw.copy()
    res = sk.clean(raw, qq)
    pd.testing.assert_frame_equal(raw, before)
    check_invariants(raw, res)
    assert res.flow["n_remaining"].iloc[0] == len(raw)
    # the bundled questionnaires exclude near-duplicates: the published sample size exactly
    assert len(res.kept) == expected_kept
    planted = pd.read_csv(defects_path)
    # every planted defect is flagged by its rule (recall 1)
    for defect, rows in planted.groupby("defect"):
        hit = res.flags.loc[rows["frame_id"], _defect_flag(defect)]
        assert hit.all(), (defect, hit[~hit].index.tolist())
    # nothing without a planted defect is excluded (precision 1 on exclusion)
    assert set(res.excluded.index) <= set(planted["frame_id"])
    assert set(res.excluded.index) == set(planted["frame_id"])
    # with near-duplicates flagged for review only (the toolkit's default), the planted rows
    # still kept are exactly the near-duplicates, flagged for review
    review = sk.clean(raw, qq, near_duplicate_action="review")
    kept_planted = set(planted["frame_id"]) & set(review.kept.index)
    assert kept_planted == set(planted.loc[planted["defect"] == "near_duplicate", "frame_id"])
    assert kept_planted <= set(review.review.index)
    assert len(review.kept) == expected_kept + len(kept_planted)


# ---------------------------------------------------------------------------
# invariants, determinism, no mutation


def test_clean_frame_keeps_everyone_and_does_not_mutate(q):
    raw = tiny_frame(q, 12)
    before = raw.copy()
    res = clean(raw, q, near_duplicate_action="off")
    pd.testing.assert_frame_equal(raw, before)
    check_invariants(raw, res)
    assert len(res.excluded) == 0
    assert res.kept.index.equals(raw.index)
    pd.testing.assert_frame_equal(res.kept, raw)


def _random_frame(q: Questionnaire, data) -> pd.DataFrame:
    n = data.draw(st.integers(0, 25))

    def cat(levels):
        return st.one_of(st.none(), st.sampled_from(levels))

    cols: dict = {}
    for name, info in q.variables.items():
        if name == "emp_band":
            continue
        if info.kind in ("categorical", "ordinal"):
            cols[name] = data.draw(st.lists(cat(list(info.levels)), min_size=n, max_size=n))
        elif info.kind == "binary":
            cols[name] = data.draw(st.lists(st.sampled_from([None, 0.0, 1.0]), min_size=n,
                                            max_size=n))
        elif info.kind == "numeric":
            cols[name] = data.draw(st.lists(st.one_of(st.none(), st.integers(-5, 1200)),
                                            min_size=n, max_size=n))
        elif info.kind == "text":
            cols[name] = data.draw(st.lists(st.sampled_from(
                [None, "asdfasdf", "特になし", "Good", "!!!!"]), min_size=n, max_size=n))
    cols["duration"] = data.draw(st.lists(st.one_of(st.none(), st.floats(1, 2000)),
                                          min_size=n, max_size=n))
    cols["fingerprint"] = data.draw(st.lists(st.sampled_from([None, "a", "b", "c", "d"]),
                                             min_size=n, max_size=n))
    cols["_raw_id"] = data.draw(st.lists(st.sampled_from(["x", "y", "z", "w", "v"]),
                                         min_size=n, max_size=n))
    cols["share__missing"] = [None if v is not None else
                              data.draw(st.sampled_from([None, "dont_know"]))
                              for v in cols["share"]]
    cols["emp"] = [None if v is None else float(v) for v in cols["emp"]]
    idx = pd.Index([f"id{i}" for i in range(n)], name="respondent_id")
    return build(q, cols, idx)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_kept_plus_excluded_is_raw_and_rerun_identical(data):
    q = tiny_q()
    raw = _random_frame(q, data)
    overrides = data.draw(st.fixed_dictionaries({}, optional={
        "trap_max_failures": st.integers(1, 3),
        "speeder_fraction": st.floats(0.05, 0.95),
        "near_duplicate_action": st.sampled_from(["exclude", "review", "off"]),
        "speeder_method": st.sampled_from(["fraction", "sd"]),
        "straightline_min_items": st.integers(2, 5),
    }))
    overrides["skip_unavailable"] = True        # an all-blank duration column is possible
    before = raw.copy()
    res = clean(raw, q, **overrides)
    pd.testing.assert_frame_equal(raw, before)
    check_invariants(raw, res)
    again = clean(raw, q, **overrides)
    for name in ("kept", "excluded", "flags", "flow", "overlap", "review"):
        pd.testing.assert_frame_equal(getattr(res, name), getattr(again, name))
    assert res.params == again.params and res.warnings == again.warnings


# ---------------------------------------------------------------------------
# each defect, planted in a small frame: exactly who is flagged


def test_screened_out_including_blank_screener(q):
    raw = tiny_frame(q, 8, role={2: "no", 5: None})
    res = clean(raw, q)
    assert flagged(res, "screened_out") == ["R002", "R005"]
    assert res.excluded.loc["R002", "reason"] == "screened_out"
    # the blank screener is also a partial complete, but screening comes first
    assert res.excluded.loc["R005", "reason"] == "screened_out"
    assert "incomplete" in res.excluded.loc["R005", "reasons"]


def test_incomplete_missing_code_counts_as_answered(q):
    raw = tiny_frame(q, 8, share={1: None, 2: None, 3: None},
                     share__missing={2: "dont_know"}, emp__missing={6: "not_stated"},
                     emp={4: None, 6: None}, size={4: None, 6: None})
    res = clean(raw, q)
    # R001: blank required single; R003 blank; R002 "don't know" is an answer;
    # R004 blank numeric; R006 numeric "not stated" is an answer
    assert flagged(res, "incomplete") == ["R001", "R003", "R004"]
    assert res.flags.loc["R001", "n_required_missing"] == 1
    assert res.flags.loc["R002", "n_required_missing"] == 0


def test_duplicate_ids_first_occurrence_kept(q):
    raw = tiny_frame(q, 6, _raw_id={0: "a", 1: "b", 2: "a", 3: "c", 4: "a", 5: "b"})
    res = clean(raw, q)
    assert flagged(res, "duplicate_id") == ["R002", "R004", "R005"]
    assert res.flags.loc["R004", "duplicate_id_of"] == "R000"
    assert res.flags.loc["R005", "duplicate_id_of"] == "R001"
    assert pd.isna(res.flags.loc["R000", "duplicate_id_of"])


def test_duplicate_ids_from_the_index_when_no_raw_id(q):
    raw = tiny_frame(q, 4)
    raw.index = pd.Index(["a", "b", "a", "c"], name="respondent_id")
    res = clean(raw, q)
    assert res.flags["duplicate_id"].tolist() == [False, False, True, False]
    assert len(res.kept) == 3 and len(res.excluded) == 1
    assert res.excluded["fingerprint"].tolist() == ["fp002"]      # the repeat, by position


def test_duplicate_fingerprints_blank_never_matches(q):
    raw = tiny_frame(q, 7, fingerprint={1: "fp000", 3: None, 4: None, 5: "", 6: ""})
    res = clean(raw, q)
    assert flagged(res, "duplicate_fingerprint") == ["R001"]
    assert res.flags.loc["R001", "duplicate_fingerprint_of"] == "R000"


def test_fingerprint_rule_not_applicable_without_fingerprint_question():
    d = tiny_dict()
    d["questions"] = [x for x in d["questions"] if x["id"] != "fingerprint"]
    qq = Questionnaire.from_dict(d)
    res = clean(tiny_frame(qq, 5), qq)
    row = res.flow.set_index("rule").loc["duplicate_fingerprint"]
    assert row["status"] == "not applicable" and pd.isna(row["n_flagged"])


def test_trap_instructed_blank_fails_consistency_blank_not_evaluable(q):
    raw = tiny_frame(q, 10, fruit={1: "car", 2: None},
                     share={3: "none", 4: "none", 5: "none"},
                     share_again={3: "mid", 4: "low", 5: None, 6: None},
                     share_again__missing={5: "dont_know"})
    res = clean(raw, q)
    # R001 wrong fruit, R002 blank fruit (failed), R003 two bands apart (> tolerance 1);
    # R004 adjacent band (allowed); R005 "don't know" and R006 blank: not evaluable
    assert flagged(res, "trap_failed") == ["R001", "R002", "R003"]
    assert flagged(res, "failed_trap_fruit") == ["R001", "R002"]
    assert flagged(res, "failed_trap_share") == ["R003"]
    assert res.flags.loc["R005", "traps_evaluated"] == 1
    assert res.flags.loc["R000", "traps_evaluated"] == 2


def test_trap_max_failures_edges(q):
    raw = tiny_frame(q, 6, fruit={1: "car", 2: "car"}, share={2: "none"},
                     share_again={2: "high"})
    scores = clean(raw, q).flags["trap_score"].tolist()
    assert scores == [0, 1, 2, 0, 0, 0]
    assert flagged(clean(raw, q, trap_max_failures=1), "trap_failed") == ["R001", "R002"]
    assert flagged(clean(raw, q, trap_max_failures=2), "trap_failed") == ["R002"]   # at
    assert flagged(clean(raw, q, trap_max_failures=3), "trap_failed") == []         # above


def test_trap_expected_answer_as_code():
    d = tiny_dict()
    d["quality"]["traps"][0]["expected"] = [2]          # code of "apple"
    qq = Questionnaire.from_dict(d)
    res = clean(tiny_frame(qq, 4, fruit={3: "car"}), qq)
    assert flagged(res, "trap_failed") == ["R003"]


def _durations(n, **rows):
    d = {i: 600.0 for i in range(n)}
    d.update({int(k[1:]): v for k, v in rows.items()})
    return d


def test_speeder_threshold_edges(q):
    # median of completes stays 600 s, so the cut is 200 s
    raw = tiny_frame(q, 12, duration=_durations(12, r1=200.0, r2=199.999, r3=200.001,
                                                r4=None, r5=20.0))
    res = clean(raw, q)
    assert flagged(res, "speeder") == ["R002", "R005"]
    assert res.flags.loc["R001", "duration_ratio"] == pytest.approx(1 / 3)
    assert any("1 respondent(s) have no duration" in w for w in res.warnings)
    # fraction 0.5: cut 300
    raw2 = tiny_frame(q, 12, duration=_durations(12, r1=300.0, r2=299.99, r3=300.01))
    assert flagged(clean(raw2, q, speeder_fraction=0.5), "speeder") == ["R002"]


def test_speeder_median_of_completes_only(q):
    # screen-outs with short durations do not pull the median down
    raw = tiny_frame(q, 10, role={0: "no", 1: "no", 2: "no", 3: "no", 4: "no"},
                     duration={0: 10.0, 1: 10.0, 2: 10.0, 3: 10.0, 4: 10.0, 5: 150.0})
    res = clean(raw, q)
    assert "median of completes (600 s)" in res.flow.set_index("rule").loc["speeder",
                                                                           "parameter"]
    assert flagged(res, "speeder") == ["R000", "R001", "R002", "R003", "R004", "R005"]


def test_speeder_sd_method_edges(q):
    base = [500.0, 550.0, 600.0, 650.0, 700.0, 580.0, 620.0, 610.0, 590.0, 600.0]
    n = len(base) + 2
    dur = {i: v for i, v in enumerate(base)}
    probe = np.array(base + [600.0, 600.0])
    med, sd = np.median(probe), np.std(probe, ddof=1)
    # two probes change the SD, so solve: put them at the cut computed with them inside
    lo = med - 2 * sd
    for _ in range(50):                                   # fixed point for the probes
        probe[-2:] = [lo - 1e-6, lo + 1e-6]
        med, sd = np.median(probe), np.std(probe, ddof=1)
        lo = med - 2 * sd
    dur.update({len(base): float(probe[-2]), len(base) + 1: float(probe[-1])})
    raw = tiny_frame(q, n, duration=dur)
    res = clean(raw, q, speeder_method="sd")
    assert flagged(res, "speeder") == [f"R{len(base):03d}"]
    assert "2 SD" in res.flow.set_index("rule").loc["speeder", "parameter"]


def test_speeder_without_duration_column(q):
    raw = tiny_frame(q, 5).drop(columns=["duration"])
    with pytest.raises(CleaningError, match="duration"):
        clean(raw, q)
    res = clean(raw, q, skip_unavailable=True)
    assert res.flow.set_index("rule").loc["speeder", "status"] == "skipped"
    assert any(w.startswith("speeder:") and "skip_unavailable" in w for w in res.warnings)
    all_blank = tiny_frame(q, 5, duration={i: None for i in range(5)})
    with pytest.raises(CleaningError, match="no respondent has a duration"):
        clean(all_blank, q)


def test_straightliner_grid_edges():
    q4 = tiny_q(n_grid=4)
    items = q4.grid_variables("grid")
    same = {it: {1: "a"} for it in items}                       # 4 identical: flagged
    cells = {it: {1: "a", 2: "a", 3: "a"} for it in items}
    cells[items[-1]] = {1: "a", 2: "d", 3: None}                 # R002 3 of 4; R003 one blank
    del same
    res = clean(tiny_frame(q4, 6, **cells), q4)
    assert flagged(res, "straightliner") == ["R001"]
    assert res.flags.loc["R001", "longstring_grid"] == 4
    assert res.flags.loc["R001", "irv_grid"] == 0
    assert res.flags.loc["R002", "longstring_grid"] == 3
    # a 3-item grid is below the default minimum of 4 ...
    q3 = tiny_q(n_grid=3)
    cells3 = {it: {1: "n"} for it in q3.grid_variables("grid")}
    res3 = clean(tiny_frame(q3, 4, **cells3), q3)
    assert res3.flow.set_index("rule").loc["straightliner", "status"] == "not applicable"
    assert flagged(res3, "straightliner") == []
    # ... and checked when the minimum is lowered to it
    assert flagged(clean(tiny_frame(q3, 4, **cells3), q3, straightline_min_items=3),
                   "straightliner") == ["R001"]


def test_numeric_limits_edges(q):
    raw = tiny_frame(q, 8, emp={1: 1.0, 2: 0.0, 3: 1000.0, 4: 1001.0, 5: 7.5},
                     size={1: "small", 2: "small", 3: "big", 4: "big", 5: "small"})
    res = clean(raw, q)
    assert flagged(res, "numeric_limits") == ["R002", "R004", "R005"]
    assert flagged(res, "outside_limits_emp") == ["R002", "R004", "R005"]


def test_sum_rule_edges(q):
    raw = tiny_frame(q, 8, pct_b={1: 55.0, 2: 54.0, 3: 66.0, 4: 67.0, 5: None})
    # pct_a = 40 + i: sums R1 41+55=96, R2 42+54=96 ... set exact edges:
    raw.loc["R001", "pct_b"] = 95 - 41          # 95: at the minimum
    raw.loc["R002", "pct_b"] = 94.999 - 42      # just below
    raw.loc["R003", "pct_b"] = 105 - 43         # at the maximum
    raw.loc["R004", "pct_b"] = 105.001 - 44     # just above
    res = clean(raw, q)
    assert flagged(res, "pct_sum") == ["R002", "R004"]      # R005 blank: not evaluable


def test_band_match(q):
    raw = tiny_frame(q, 8, emp={1: 10.0, 2: 11.0, 3: 11.0, 4: None, 5: 2000.0},
                     size={1: "small", 2: "small", 3: "big", 4: "big", 5: "small", 6: None},
                     size__missing={6: "not_stated"})
    res = clean(raw, q)
    # R001 edge of the band (ok), R002 wrong band; R004 blank and R005 (no band) not evaluable
    assert flagged(res, "size_band") == ["R002"]


def test_implies_rule_and_missing_not_evaluable(q):
    raw = tiny_frame(q, 8, tools_none={1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0},
                     share={1: "none", 2: "low", 3: None, 4: None},
                     share_again={1: "none", 2: "low", 3: None, 4: None},
                     share__missing={3: "dont_know"})
    res = clean(raw, q)
    assert flagged(res, "none_means_none") == ["R002"]


def test_gibberish_open_ends(q):
    raw = tiny_frame(q, 8, comment={1: "asdfasdf", 2: "ｋｋｋｋ", 3: "!!!!", 4: "特になし",
                                    5: "-", 6: None})
    res = clean(raw, q)
    assert flagged(res, "gibberish") == ["R001", "R002", "R003"]


REAL_COMMENTS = [
    "クラウドサービスの価格がもっと安くなれば利用を拡大したい。",
    "特になし", "なし", "とくにありません", "社内のITリテラシー向上が必要です",
    "セキュリティ面の不安が解消されれば導入を検討します",
    "円安でコストが上がっているので国内サービスも検討中",
    "AIツールの日本語対応を充実させてほしい", "DXを進めたい", "ありがとうございました",
    "海外サービスのサポート窓口が日本語に対応していると助かる", "CRMとSFAの連携", "ええ",
    "Better Japanese language support", "Lower prices and clearer contracts", "None", "N/A",
    "n/a", "No comment", "Nothing in particular.", "Training for staff on cloud tools",
    "More local support staff", "AWS and Azure pricing in yen", "HTML5 and CSS tools", "CRM",
    "OK", "Data localisation rules are a headache", "Faster customer support response times",
    "Property rights and liberty of data", "Support for SaaS integrations (API)",
    "We need strength in rhythm", "-", "ー", "...", "5", "Yes", "no",
]
GIBBERISH = ["asdfasdf", "jjjjjjjj", "!!!!", "123123", "qwerty", "aaaaa", "ｋｋｋｋ", "sdfghjkl",
             "ああああああ", "？？？？", "zxcvbn", "fjdksla", "hjkl", "qweqwe", "lkjhgf", "11111",
             "asdf jkl", "...!!!", "hahaha", "xxxxxxxx"]


def test_gibberish_detector_real_answers_and_mashing():
    ok = gibberish(pd.Series(REAL_COMMENTS))
    assert not ok.any(), [t for t, f in zip(REAL_COMMENTS, ok) if f]
    bad = gibberish(pd.Series(GIBBERISH))
    assert bad.all(), [t for t, f in zip(GIBBERISH, bad) if not f]
    blank = gibberish(pd.Series([None, "", "   ", np.nan], dtype=object))
    assert not blank.any()


# ---------------------------------------------------------------------------
# near-duplicates


def _codes_with_share(k: int, same: int, rng) -> np.ndarray:
    a = rng.integers(0, 5, k)
    b = a.copy()
    b[same:] = (a[same:] + 1) % 5
    return np.vstack([a, b]).astype(np.int32)


@pytest.mark.parametrize("same,expected", [(17, True), (16, False), (18, True)])
def test_near_duplicate_threshold_edges(same, expected):
    rng = np.random.default_rng(1)
    codes = _codes_with_share(20, same, rng)          # 17/20 = 0.85 exactly
    res = near_duplicates(codes, threshold=0.85, min_items=10)
    assert res.flagged.tolist() == [False, expected]
    if expected:
        assert res.match[1] == 0 and res.share[1] == pytest.approx(same / 20)
    # just above the share: not flagged
    above = near_duplicates(codes, threshold=same / 20 + 1e-6, min_items=10)
    assert not above.flagged.any()


def test_near_duplicate_common_items_and_minimum():
    rng = np.random.default_rng(2)
    codes = _codes_with_share(12, 12, rng)
    codes[1, 6:] = -1                                 # identical on the 6 both answered
    assert not near_duplicates(codes, min_items=10).flagged.any()
    assert near_duplicates(codes, min_items=6).flagged.tolist() == [False, True]
    assert not near_duplicates(codes, min_items=7).flagged.any()


def test_near_duplicate_blocked_equals_dense():
    rng = np.random.default_rng(3)
    n, k = 2500, 26
    codes = rng.integers(0, 5, size=(n, k)).astype(np.int32)
    codes[rng.random((n, k)) < 0.03] = -1
    for _ in range(40):                                # plant near copies
        src, dst = rng.integers(0, n, 2)
        codes[dst] = codes[src]
        j = rng.choice(k, 3, replace=False)
        codes[dst, j] = rng.integers(0, 5, 3)
    codes[100] = codes[50]                             # exact copies
    codes[2000] = codes[50]
    dense = near_duplicates(codes, dense_max=10_000)
    blocked = near_duplicates(codes, dense_max=0)
    reps_dense = near_duplicates(codes, dense_max=2400)
    assert dense.method.startswith("dense") and blocked.method.startswith("blocked")
    assert blocked.exact_upto == 3                    # floor(0.15 * 26) + 2 - 2
    for other in (blocked, reps_dense):
        np.testing.assert_array_equal(dense.flagged, other.flagged)
        np.testing.assert_array_equal(dense.match, other.match)
        np.testing.assert_allclose(dense.share, other.share, equal_nan=True)
    assert dense.flagged[100] and dense.match[100] == 50 and dense.match[2000] == 50
    assert dense.flagged.sum() >= 30


def test_near_duplicate_work_budget_lowers_blocks_and_warns(q, monkeypatch):
    rng = np.random.default_rng(4)
    codes = rng.integers(0, 5, size=(300, 20)).astype(np.int32)
    codes[200] = codes[10]                            # exact copy: always found
    codes[250] = codes[20]
    codes[250, :2] = (codes[20, :2] + 1) % 5          # 2 differences: 18/20 = 0.9
    full = near_duplicates(codes, dense_max=0)
    assert full.exact_upto == 3
    monkeypatch.setattr(blocked_method, "_JOIN_BUDGET", 300 * 3)  # 3 joins -> b = 3
    small = near_duplicates(codes, dense_max=0)
    assert small.exact_upto == 1
    assert small.flagged[200] and small.match[200] == 10
    assert full.flagged[250] and full.match[250] == 20
    # through clean(): the weaker guarantee is reported as a warning
    monkeypatch.setattr(blocked_method, "_JOIN_BUDGET", 10)  # b = 2: exact copies only
    raw = tiny_frame(q, 40)
    res = clean(raw, q, near_duplicate_dense_max=0, near_duplicate_min_items=5)
    assert any(w.startswith("near_duplicate:") and "may be missed" in w for w in res.warnings)
    assert "(blocked)" in res.flow.set_index("rule").loc["near_duplicate", "parameter"]


def test_near_duplicate_is_review_by_default_and_can_exclude(q):
    raw = tiny_frame(q, 10)
    copy_cols = [c for c in raw.columns if c not in ("fingerprint", "duration")]
    raw.loc["R007", copy_cols] = raw.loc["R003", copy_cols].to_numpy()
    res = clean(raw, q, near_duplicate_min_items=5)
    assert flagged(res, "near_duplicate") == ["R007"]
    assert res.flags.loc["R007", "near_duplicate_of"] == "R003"
    assert res.flags.loc["R007", "near_duplicate_share"] == 1.0
    # a review rule flags but does not remove
    assert "R007" in res.kept.index and "R007" in res.review.index
    assert res.review.loc["R007", "reasons"] == "near_duplicate"
    assert res.flow.set_index("rule").loc["near_duplicate", "n_removed"] == 0
    excl = clean(raw, q, near_duplicate_min_items=5, near_duplicate_action="exclude")
    assert excl.excluded.loc["R007", "reason"] == "near_duplicate"
    assert "R003" in excl.kept.index


def _planted_codes(rng, n: int, k: int) -> np.ndarray:
    """Random answers (5 levels, 3% blank, one count-like item) with near and exact copies."""
    codes = rng.integers(0, 5, size=(n, k)).astype(np.int64)
    codes[:, 3] = rng.integers(0, 400, n)             # a high-cardinality item (a count)
    codes[rng.random((n, k)) < 0.03] = -1
    for _ in range(60):                                # near copies: up to 3 items changed
        src, dst = rng.integers(0, n, 2)
        codes[dst] = codes[src]
        j = rng.choice(k, 3, replace=False)
        codes[dst, j] = rng.integers(0, 5, 3)
    codes[n - 1] = codes[0]                            # exact copies
    codes[n - 2] = codes[0]
    return codes


def _same_near_duplicates(a, b, exact: bool = True) -> None:
    np.testing.assert_array_equal(a.flagged, b.flagged)
    np.testing.assert_array_equal(a.match, b.match)
    if exact:
        np.testing.assert_array_equal(a.share, b.share)
    else:                                              # the dense shares are float32 ratios
        np.testing.assert_allclose(a.share, b.share, rtol=1e-6, equal_nan=True)
    assert a.match.dtype == b.match.dtype == np.int64 and a.share.dtype == np.float64


def test_near_duplicate_input_forms_agree_and_inputs_untouched():
    rng = np.random.default_rng(11)
    codes = _planted_codes(rng, 3000, 24)
    dense = near_duplicates(codes, dense_max=10_000)
    blocked = near_duplicates(codes, dense_max=0)
    assert blocked.method.startswith("blocked") and blocked.exact_upto == 3
    _same_near_duplicates(dense, blocked, exact=False)
    narrow = [c.astype(np.int16 if c.max() > 126 else np.int8) for c in codes.T]
    kept = [c.copy() for c in narrow]
    for form in (codes.astype(np.int32), list(codes.T), narrow):
        _same_near_duplicates(blocked, near_duplicates(form, dense_max=0))
    for c, before in zip(narrow, kept):                # the columns are read, never written
        np.testing.assert_array_equal(c, before)
    assert dense.flagged[-1] and dense.match[-1] == 0 and dense.share[-1] == 1.0
    assert dense.flagged.sum() >= 40


def test_near_duplicate_hash_collisions_fall_back_to_exact_grouping(monkeypatch):
    rng = np.random.default_rng(12)
    codes = _planted_codes(rng, 1500, 20)              # 19 small items: two packed words
    blocked = near_duplicates(codes, dense_max=0)
    dense = near_duplicates(codes, dense_max=10_000)
    monkeypatch.setattr(blocked_method, "_MIX", np.uint64(0))  # every record hashes alike
    monkeypatch.setattr(blocked_method, "_MIX2", np.uint64(0))
    _same_near_duplicates(blocked, near_duplicates(codes, dense_max=0))
    distinct = len(np.unique(codes, axis=0))           # exact copies grouped, the rest dense
    assert distinct < len(codes)
    _same_near_duplicates(dense, near_duplicates(codes, dense_max=distinct))
    assert blocked.flagged[-1] and blocked.match[-1] == 0


def test_near_duplicate_columns_of_unequal_length():
    with pytest.raises(CleaningError, match="same length"):
        near_duplicates([np.zeros(5, dtype=np.int8), np.zeros(4, dtype=np.int8)])


def _rated_frame(qq: Questionnaire, n: int, blank: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    raw = tiny_frame(qq, n)
    keys = list(qq.variables[qq.grid_variables("grid")[0]].levels)
    for it in qq.grid_variables("grid"):
        vals = np.array(keys, dtype=object)[rng.integers(0, len(keys), n)]
        vals[rng.random(n) < blank] = None
        raw[it] = pd.Categorical(vals, categories=keys, ordered=True)
    if blank:
        for it in qq.grid_variables("grid"):           # a respondent with no rating at all
            raw.loc[raw.index[3], it] = np.nan
    return raw


@pytest.mark.parametrize("scores", [None, [0.0, 0.5, 2.25, 3.1, 10.0]])
@pytest.mark.parametrize("blank", [0.0, 0.05])
def test_clean_indices_equal_the_careless_functions(scores, blank):
    """Straight-lining and D2 from the coded answers equal the public functions on scores."""
    d = tiny_dict(n_grid=8)
    if scores is not None:                             # option scores that are not the codes
        grid = next(qq for qq in d["questions"] if qq["type"] == "grid")
        grid["options"] = [dict(o, score=s) for o, s in zip(grid["options"], scores)]
    qq = Questionnaire.from_dict(d)
    raw = _rated_frame(qq, 400, blank, seed=13)
    res = clean(raw, qq)
    items = qq.grid_variables("grid")
    pos = np.column_stack([raw[it].cat.codes.to_numpy().astype(float) for it in items])
    pos[pos < 0] = np.nan
    score = qq.score(items[0])
    table = np.array([score[k] for k in qq.variables[items[0]].levels] + [np.nan])
    x = np.column_stack([table[raw[it].cat.codes.to_numpy()] for it in items])
    runs = longstring(pos, avg=True)
    np.testing.assert_array_equal(res.flags["longstring_grid"].to_numpy(), runs["longstr"])
    np.testing.assert_array_equal(res.flags["avgstr_grid"].to_numpy(), runs["avgstr"])
    np.testing.assert_array_equal(res.flags["irv_grid"].to_numpy(), irv(x, na_rm=True))
    rated = ~np.isnan(x).all(axis=1)
    d2 = np.full(len(raw), np.nan)
    d2[rated] = mahad(x[rated])
    np.testing.assert_array_equal(res.flags["mahalanobis_d2"].to_numpy(), d2)
    assert np.isnan(res.flags.loc["R003", "mahalanobis_d2"]) == (blank > 0)


@pytest.mark.parametrize("table", [[1.0, 2.0, 3.0, 4.0, 5.0, np.nan],
                                   [0.0, 0.5, 2.25, 3.1, 10.0, np.nan]])
@pytest.mark.parametrize("blank", [0.0, 0.03])
def test_mahad_from_codes_equals_mahad_over_several_row_blocks(table, blank):
    rng = np.random.default_rng(14)
    n, k = ROW_BLOCK + 4000, 5               # two row blocks
    codes = [rng.integers(0, 5, n).astype(np.int8) for _ in range(k)]
    for c in codes:
        c[rng.random(n) < blank] = -1
    same = rng.random(n) < 0.3                         # correlated items
    codes[1][same] = codes[0][same]
    t = np.array(table)
    x = np.column_stack([t[c] for c in codes])
    src = CodedRows(codes, [t] * k)
    cov, centre, complete = mahad_cov(src)
    d2 = mahad_distances(src, centre, complete, mahad_inverse(cov, "error"))
    assert complete == (blank == 0)
    np.testing.assert_array_equal(d2, mahad(x))


def test_clean_results_own_their_data(q):
    raw = tiny_frame(q, 12, duration={1: 10.0})
    before = raw.copy()
    res = clean(raw, q)
    again = clean(raw, q)
    assert again.flags.loc["R001", "speeder"] and again.excluded.loc["R001", "reason"] == "speeder"
    res.flags.loc["R001", "speeder"] = False           # editing one result ...
    res.flags.loc["R002", "duration_ratio"] = -1.0
    res.excluded.loc["R001", "reason"] = "edited"
    res.kept.loc["R000", "duration"] = 1.0
    pd.testing.assert_frame_equal(raw, before)          # ... changes neither the input ...
    assert again.flags.loc["R001", "speeder"]           # ... nor another run's result
    assert again.flags.loc["R002", "duration_ratio"] == 1.0
    assert again.excluded.loc["R001", "reason"] == "speeder"
    assert again.kept.loc["R000", "duration"] == 600.0
    raw.loc["R000", "duration"] = 5.0                   # nor does editing the input later
    assert again.kept.loc["R000", "duration"] == 600.0
    assert again.flags.loc["R000", "duration_ratio"] == 1.0


# ---------------------------------------------------------------------------
# attribution, actions, overrides


def test_first_rule_attribution_in_flow(q):
    # R001: trap failure and speeder -> removed by trap_failed (step before speeder)
    # R002: speeder only; R003: screened out and speeder -> screened_out
    raw = tiny_frame(q, 10, fruit={1: "car"}, duration={1: 50.0, 2: 50.0, 3: 50.0},
                     role={3: "no"})
    res = clean(raw, q)
    flow = res.flow.set_index("rule")
    assert flow.loc["speeder", "n_flagged"] == 3
    assert flow.loc["speeder", "n_removed"] == 1
    assert flow.loc["trap_failed", "n_removed"] == 1
    assert flow.loc["screened_out", "n_removed"] == 1
    assert res.excluded.loc["R001", "reason"] == "trap_failed"
    assert res.excluded.loc["R001", "reasons"] == "trap_failed; speeder"
    assert res.excluded.loc["R002", "reason"] == "speeder"
    assert res.excluded.loc["R003", "reason"] == "screened_out"
    assert res.overlap.loc["trap_failed", "speeder"] == 1
    assert res.overlap.loc["speeder", "screened_out"] == 1
    assert flow["step"].tolist() == list(range(len(flow)))
    assert flow.loc["speeder", "pct_of_start"] == pytest.approx(70.0)


def test_review_action_flags_but_does_not_remove(q):
    raw = tiny_frame(q, 8, duration={2: 30.0})
    res = clean(raw, q, speeder_action="review")
    assert flagged(res, "speeder") == ["R002"]
    assert "R002" in res.kept.index and len(res.excluded) == 0
    assert res.review["reasons"].to_dict() == {"R002": "speeder"}
    row = res.flow.set_index("rule").loc["speeder"]
    assert row["n_flagged"] == 1 and row["n_removed"] == 0 and row["action"] == "review"


def test_action_off(q):
    raw = tiny_frame(q, 8, duration={2: 30.0})
    res = clean(raw, q, speeder_action="off")
    row = res.flow.set_index("rule").loc["speeder"]
    assert row["status"] == "off" and pd.isna(row["n_flagged"])
    assert not res.flags["speeder"].any() and len(res.excluded) == 0


def test_questionnaire_overrides_then_call_overrides():
    d = tiny_dict()
    d["quality"]["overrides"] = {"speeder_fraction": 0.5, "pct_sum_action": "review"}
    qq = Questionnaire.from_dict(d)
    raw = tiny_frame(qq, 10, duration={1: 250.0}, pct_b={2: 10.0})
    res = clean(raw, qq)
    assert res.params["speeder_fraction"] == 0.5
    assert res.param_sources["speeder_fraction"] == "questionnaire"
    assert flagged(res, "speeder") == ["R001"]
    assert "R002" in res.kept.index and "R002" in res.review.index
    res2 = clean(raw, qq, speeder_fraction=0.4)
    assert res2.params["speeder_fraction"] == 0.4
    assert res2.param_sources["speeder_fraction"] == "call"
    assert flagged(res2, "speeder") == []
    assert res2.param_sources["trap_max_failures"] == "default"


def test_params_record_every_threshold(q):
    res = clean(tiny_frame(q, 6), q)
    assert set(res.params) == set(parameter_names(q))
    assert res.params["near_duplicate_threshold"] == 0.85
    assert res.params["speeder_fraction"] == pytest.approx(1 / 3)
    assert res.params["trap_max_failures"] == 1
    assert res.params["near_duplicate_action"] == "review"
    assert res.params["pct_sum_action"] == "exclude"
    frame = res.params_frame()
    assert list(frame.columns) == ["parameter", "value", "source"]


# ---------------------------------------------------------------------------
# conditions: every op, values as keys or codes


def _implies(when, then) -> Questionnaire:
    d = tiny_dict()
    d["quality"]["rules"] = [{"id": "r", "kind": "implies", "when": when, "then": then}]
    return Questionnaire.from_dict(d)


ALWAYS = [{"question": "role", "op": "eq", "value": "yes"}]


@pytest.mark.parametrize("cond,expected", [
    ({"question": "share", "op": "in", "value": ["low", "mid"]}, ["R001", "R002"]),
    ({"question": "share", "op": "in", "value": [2, 3]}, ["R001", "R002"]),     # codes
    ({"question": "share", "op": "not_in", "value": ["none"]}, ["R001", "R002", "R003"]),
    ({"question": "share", "op": "eq", "value": "high"}, ["R003"]),
    ({"question": "share", "op": "ne", "value": "high"}, ["R000", "R001", "R002"]),
    ({"question": "share", "op": "ge", "value": 3}, ["R002", "R003"]),         # scores
    ({"question": "share", "op": "missing"}, ["R005"]),
    ({"question": "share", "op": "answered"}, ["R000", "R001", "R002", "R003", "R004"]),
    ({"question": "emp", "op": "lt", "value": 3}, ["R000"]),
    ({"question": "emp", "op": "le", "value": 3}, ["R000", "R001"]),
    ({"question": "emp", "op": "gt", "value": 4}, ["R003", "R004"]),
    ({"question": "emp", "op": "between", "value": [3, 4]}, ["R001", "R002"]),
    ({"question": "emp", "op": "eq", "value": -99}, ["R005"]),                   # missing code
    ({"question": "tools", "op": "in", "value": ["y"]}, ["R002", "R003"]),       # multi question
    ({"question": "tools", "op": "ne", "value": "x"}, ["R000", "R002", "R004"]),
    ({"question": "grid", "op": "answered"}, ["R000", "R001", "R002", "R003", "R004", "R005"]),
])
def test_condition_ops(cond, expected):
    # the rule "if role=yes then NOT(cond)" fires exactly where cond holds (and is evaluable)
    neg = {"in": "not_in", "not_in": "in", "eq": "ne", "ne": "eq", "missing": "answered",
           "answered": "missing"}
    qq = _implies(ALWAYS, [{**cond, "op": neg.get(cond["op"], cond["op"])}])
    raw = tiny_frame(qq, 6, share={0: "none", 1: "low", 2: "mid", 3: "high", 4: None, 5: None},
                     share__missing={4: "dont_know"},
                     emp={0: 2.0, 1: 3.0, 2: 4.0, 3: 5.0, 4: 6.0, 5: None},
                     emp__missing={5: "not_stated"})
    if cond["op"] in ("lt", "le", "gt", "ge", "between"):
        # order ops have no negation: use them in 'when' with a then that always fails
        qq = _implies([cond], [{"question": "role", "op": "eq", "value": "no"}])
        res = clean(raw, qq)
    else:
        res = clean(raw, qq)
    assert flagged(res, "r") == expected


@pytest.mark.parametrize("value", [["dont_know"], [98]])
def test_condition_on_missing_code(q, value):
    from survey_kit.instrument.schema import Condition

    rule = Rule(id="r", kind="implies",
                when=[Condition(question="share", op="in", value=value)],
                then=[Condition(question="role", op="eq", value="no")])
    qq = _patched(q, rules=[rule])
    raw = tiny_frame(q, 5, share={3: None, 4: None}, share__missing={3: "dont_know"})
    assert flagged(clean(raw, qq), "r") == ["R003"]


# ---------------------------------------------------------------------------
# bad input


def test_unknown_parameter_lists_valid_names(q):
    with pytest.raises(CleaningError, match="unknown cleaning parameter 'speeder_fractio'.*"
                                            "speeder_fraction"):
        clean(tiny_frame(q, 4), q, speeder_fractio=0.4)


@pytest.mark.parametrize("name,value,expected", [
    ("speeder_fraction", "abc", "strictly between 0 and 1"),
    ("speeder_fraction", 1.0, "strictly between 0 and 1"),
    ("trap_max_failures", 1.5, "whole number >= 1"),
    ("trap_max_failures", 0, "whole number >= 1"),
    ("near_duplicate_action", "drop", "'exclude', 'review', 'off'"),
    ("speeder_method", "mad", "'fraction', 'sd'"),
    ("skip_unavailable", "maybe", "true or false"),
    ("near_duplicate_threshold", True, "above 0 and at most 1"),
])
def test_bad_parameter_values_say_expected_type(q, name, value, expected):
    with pytest.raises(CleaningError, match=expected):
        clean(tiny_frame(q, 4), q, **{name: value})


def test_string_values_are_parsed(q):
    params, _ = resolve_parameters(q, {"speeder_fraction": "0.4", "trap_max_failures": "2",
                                       "skip_unavailable": "true", "gibberish_action": "Review"})
    assert params["speeder_fraction"] == 0.4 and params["trap_max_failures"] == 2
    assert params["skip_unavailable"] is True and params["gibberish_action"] == "review"


def test_bad_questionnaire_override():
    d = tiny_dict()
    d["quality"]["overrides"] = {"speeder_fraction": 3}
    qq = Questionnaire.from_dict(d)
    with pytest.raises(CleaningError, match="quality.overrides.*speeder_fraction"):
        clean(tiny_frame(qq, 4), qq)


def _patched(q: Questionnaire, **quality) -> Questionnaire:
    qq = copy.copy(q)
    base = q.quality.model_dump()
    base.update(quality)
    qq.quality = Quality.model_construct(**{**{k: getattr(q.quality, k) for k in base},
                                            **quality})
    return qq


def test_trap_with_invalid_expected_code(q):
    bad = _patched(q, traps=[Trap(id="t", type="instructed", question="fruit", expected=[7])])
    with pytest.raises(CleaningError, match="7 is not a valid code or key of question 'fruit'"):
        clean(tiny_frame(q, 4), bad)


def test_rule_naming_unknown_question(q):
    bad = _patched(q, rules=[Rule(id="r", kind="range", question="nope", min=0, max=1)])
    with pytest.raises(CleaningError, match="unknown question 'nope'"):
        clean(tiny_frame(q, 4), bad)


def test_frame_missing_a_trap_column(q):
    raw = tiny_frame(q, 5).drop(columns=["fruit"])
    with pytest.raises(CleaningError, match="trap 'trap_fruit'.*'fruit'"):
        clean(raw, q, near_duplicate_action="off")
    res = clean(raw, q, skip_unavailable=True)
    assert any(w.startswith("near_duplicate:") for w in res.warnings)
    assert any("trap 'trap_fruit'" in w for w in res.warnings)
    assert "failed_trap_fruit" not in res.flags.columns
    assert "failed_trap_share" in res.flags.columns


def test_frame_with_codes_instead_of_keys(q):
    raw = tiny_frame(q, 4)
    raw["fruit"] = [2, 2, 1, 2]
    with pytest.raises(CleaningError, match="holds numbers"):
        clean(raw, q)
    raw["fruit"] = ["apple", "pear", "apple", "apple"]
    with pytest.raises(CleaningError, match="'pear'.*not an option key of 'fruit'"):
        clean(raw, q)


def test_bad_arguments(q):
    with pytest.raises(CleaningError, match="DataFrame"):
        clean([1, 2], q)
    with pytest.raises(CleaningError, match="Questionnaire"):
        clean(tiny_frame(q, 3), "questionnaire.yaml")
    raw = tiny_frame(q, 3)
    raw["reason"] = "x"
    with pytest.raises(CleaningError, match="'reason'"):
        clean(raw, q)
    assert issubclass(CleaningError, SurveyKitError)


def test_empty_frame(q):
    raw = tiny_frame(q, 3).iloc[:0]
    res = clean(raw, q)
    check_invariants(raw, res)
    assert len(res.kept) == 0 and res.flow["n_remaining"].tolist()[0] == 0


# ---------------------------------------------------------------------------
# display


def test_result_display(q):
    raw = tiny_frame(q, 8, duration={2: 30.0}, fruit={3: "car"})
    res = clean(raw, q)
    text = str(res)
    assert "Exclusion flow: tiny" in text and "8 raw respondents" in text
    assert "speeder" in text and "trap_failed" in text
    html = res._repr_html_()
    assert "<table" in html and "speeder" in html
    pd.testing.assert_frame_equal(res.to_frame(), res.flow)
    summary = res.summary()
    assert "Removed, by first reason" in summary and "speeder_fraction" in summary
    assert list(res.flow.columns[:9]) == ["step", "rule", "label", "action", "status",
                                         "n_flagged", "n_removed", "n_remaining",
                                         "pct_of_start"]


# ---------------------------------------------------------------------------
# careless indices against R (tests/r/careless_fixtures.R)


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert (np.isnan(a) == np.isnan(b)).all()
    m = ~np.isnan(a)
    return float(np.max(np.abs(a[m] - b[m]) / np.maximum(np.abs(b[m]), 1e-12)))


@pytest.mark.parametrize("suffix", ["", "_complete"])
def test_careless_indices_match_r(suffix):
    x = pd.read_csv(FIX / f"careless_items{suffix}.csv")
    ref = pd.read_csv(FIX / f"careless_values{suffix}.csv")
    ls = longstring(x, avg=True)
    np.testing.assert_array_equal(ls["longstr"].to_numpy(), ref["longstr"].to_numpy())
    assert _rel(ls["avgstr"], ref["avgstr"]) < 1e-12
    assert _rel(irv(x), ref["irv"]) < 1e-12
    assert _rel(irv(x, na_rm=True), ref["irv_narm"]) < 1e-12
    m = mahad(x, flag=True)
    assert _rel(m["raw"], ref["mahad"]) < 1e-10
    np.testing.assert_array_equal(m["flagged"].to_numpy(), ref["mahad_flag"].to_numpy())
    eo = evenodd(x, [4, 4, 4], diag=True)
    assert _rel(eo["evenodd"], ref["evenodd"]) < 1e-10
    np.testing.assert_array_equal(eo["eo_pairs"].to_numpy(), ref["eo_pairs"].to_numpy())
    assert chi2_quantile(0.99, 12) == pytest.approx(26.216967305535846, rel=1e-12)


def test_careless_public_names():
    assert sk.longstring is longstring and sk.mahad is mahad
    assert sk.irv is irv and sk.evenodd is evenodd
    assert sk.clean is clean and sk.CleaningResult is CleaningResult
    with pytest.raises(CleaningError, match="singular"):
        mahad(np.column_stack([np.arange(10.0), np.arange(10.0) * 2]))
    with pytest.raises(CleaningError, match="add up"):
        evenodd(np.ones((3, 4)), [2, 3])


def test_mahad_conf_level_and_its_deprecated_alias():
    x = np.random.default_rng(3).normal(size=(200, 3))
    new = mahad(x, flag=True, conf_level=0.9)
    assert new["flagged"].sum() > mahad(x, flag=True)["flagged"].sum()    # default 0.99
    pd.testing.assert_frame_equal(mahad(x, True, 0.9), new)              # third positional
    pd.testing.assert_frame_equal(mahad(x, flag=True, conf_level=0.99), mahad(x, flag=True))
    with pytest.warns(DeprecationWarning, match="'confidence' is deprecated") as caught:
        old = mahad(x, flag=True, confidence=0.9)
    assert caught[0].filename == __file__                               # points at the caller
    pd.testing.assert_frame_equal(old, new)
    for level in (0.9, 0.99):                       # the default value passed counts as given
        with pytest.raises(UsageError, match="pass conf_level only"):
            mahad(x, conf_level=level, confidence=0.9)
    with pytest.raises(CleaningError, match="conf_level must be between 0 and 1"):
        mahad(x, conf_level=1.5)
    with pytest.warns(DeprecationWarning), pytest.raises(CleaningError, match="conf_level"):
        mahad(x, confidence=0)
    sig = inspect.signature(mahad)
    assert sig.parameters["conf_level"].default == 0.99
    assert sig.parameters["confidence"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "Deprecated alias of ``conf_level``" in mahad.__doc__


def test_mahalanobis_confidence_parameter_keeps_its_name():
    qq = Questionnaire.from_dict(tiny_dict(n_grid=8))
    raw = _rated_frame(qq, 400, 0.0, seed=13)
    res = clean(raw, qq, mahalanobis_confidence=0.5)
    assert res.params["mahalanobis_confidence"] == 0.5
    assert "chi-square quantile 0.5 with" in res.flow.set_index("rule").loc["mahalanobis",
                                                                             "parameter"]
    assert res.flow.set_index("rule").loc["mahalanobis", "n_flagged"] > \
        clean(raw, qq).flow.set_index("rule").loc["mahalanobis", "n_flagged"]


def test_mahalanobis_and_even_odd_are_review_diagnostics():
    d = tiny_dict(n_grid=4)
    # three grids of 4 items: even-odd consistency becomes applicable
    for name in ("grid2", "grid3"):
        d["questions"].append({"id": name, "text": name, "type": "grid", "options": FIVE,
                               "items": [{"id": f"{name}_{j}", "text": str(j),
                                          "column": f"{name}C{j}"} for j in range(1, 5)]})
    qq = Questionnaire.from_dict(d)
    rng = np.random.default_rng(5)
    n = 60
    keys = ["sd", "d", "n", "a", "sa"]
    lat = rng.integers(1, 4, n)
    cells = {}
    for it in [v for g in qq.grids() for v in qq.grid_variables(g.id)]:
        vals = np.clip(lat + rng.integers(-1, 2, n), 0, 4)
        cells[it] = {i: keys[v] for i, v in enumerate(vals)}
    raw = tiny_frame(qq, n, **cells)
    assert clean(raw, qq).flow.set_index("rule").loc["even_odd", "status"] == "not applicable"
    res = clean(raw, qq, straightliner_action="off", even_odd_min_scales=3)
    flow = res.flow.set_index("rule")
    assert flow.loc["even_odd", "status"] == "applied"
    assert flow.loc["mahalanobis", "action"] == "review"
    assert flow.loc["even_odd", "n_removed"] == 0 and flow.loc["mahalanobis", "n_removed"] == 0
    assert res.flags["mahalanobis_d2"].notna().all()
    x = np.column_stack([raw[v].cat.codes.to_numpy() + 1.0
                         for g in qq.grids() for v in qq.grid_variables(g.id)])
    np.testing.assert_allclose(res.flags["even_odd_consistency"].to_numpy(),
                               evenodd(x, [4, 4, 4]), equal_nan=True)


# ---------------------------------------------------------------------------
# the command line


def _cli(*argv) -> int:
    from survey_kit.cli import main

    return main(list(argv))


@pytest.fixture(scope="module")
def sample_csv() -> Path:
    return SAMPLE / "japan_digital_services_2024_raw.csv"


def test_cli_writes_every_table(tmp_path, capsys, sample_csv):
    out = tmp_path / "out"
    rc = _cli("clean", str(FIRMS), str(sample_csv), "--out", str(out),
              "--rule", "speeder_fraction=0.3", "--rule", "near_duplicate_action=exclude")
    assert rc == 0
    printed = capsys.readouterr().out
    assert "Exclusion flow" in printed and "near_duplicate" in printed
    stem = sample_csv.stem
    for name in ("flow", "kept", "excluded", "review", "flags", "overlap"):
        assert (out / f"{stem}_{name}.csv").exists(), name
    flow = pd.read_csv(out / f"{stem}_flow.csv")
    excluded = pd.read_csv(out / f"{stem}_excluded.csv", index_col=0)
    kept = pd.read_csv(out / f"{stem}_kept.csv", index_col=0)
    assert flow["n_remaining"].iloc[0] == len(kept) + len(excluded)
    assert flow["n_removed"].sum() == len(excluded)
    assert {"reason", "reasons"} <= set(excluded.columns)
    book = pd.read_excel(out / f"{stem}_cleaning.xlsx", sheet_name=None)
    assert {"flow", "kept", "excluded", "review", "flags", "overlap", "parameters",
            "warnings"} <= set(book)
    params = book["parameters"].set_index("parameter")
    assert params.loc["speeder_fraction", "value"] == 0.3         # a number, not its text
    assert params.loc["speeder_fraction", "source"] == "call"


def test_cli_csv_only(tmp_path, sample_csv):
    out = tmp_path / "o"
    assert _cli("clean", str(FIRMS), str(sample_csv), "--out", str(out), "--format", "csv") == 0
    assert not list(out.glob("*.xlsx")) and list(out.glob("*_flow.csv"))


@pytest.mark.parametrize("argv,message", [
    (["--rule", "speeder_fractio=0.4"],
     "unknown cleaning parameter 'speeder_fractio'; valid names are: skip_unavailable"),
    (["--rule", "speeder_fraction=fast"],
     "must be a number strictly between 0 and 1; got 'fast'"),
    (["--rule", "trap_max_failures=1.5"], "must be a whole number >= 1"),
    (["--rule", "speeder_fraction"], "write NAME=VALUE"),
    (["--format", "pdf"], "--format 'pdf'"),
])
def test_cli_bad_arguments_exit_2(tmp_path, capsys, argv, message):
    rc = _cli("clean", str(FIRMS), str(tmp_path / "missing.csv"), "--out", str(tmp_path),
              *argv)
    assert rc == 2
    assert message in capsys.readouterr().err


def test_cli_missing_file_exit_2(tmp_path, capsys):
    rc = _cli("clean", str(FIRMS), str(tmp_path / "nope.csv"), "--out", str(tmp_path))
    assert rc == 2
    assert "nope.csv" in capsys.readouterr().err


def test_cli_no_duration_column(tmp_path, capsys, sample_csv):
    raw = pd.read_csv(sample_csv, dtype=str, keep_default_na=False)
    path = tmp_path / "no_duration.csv"
    raw.drop(columns=["duration_sec", "start_time", "end_time"]).to_csv(path, index=False)
    rc = _cli("clean", str(FIRMS), str(path), "--out", str(tmp_path / "o"))
    assert rc == 2
    assert "duration" in capsys.readouterr().err
    rc = _cli("clean", str(FIRMS), str(path), "--out", str(tmp_path / "o"),
              "--skip-unavailable")
    assert rc == 0
    printed = capsys.readouterr().out
    assert "speeder: " in printed and "skipped" in printed


@pytest.mark.parametrize("same,k", [(19, 20), (9, 10), (29, 30), (7, 10)])
def test_near_duplicate_share_exactly_at_any_threshold_is_flagged(same, k):
    """A share equal to the threshold is flagged, whichever decimal it is (float64 ratio)."""
    codes = _codes_with_share(k, same, np.random.default_rng(3))
    res = near_duplicates(codes, threshold=same / k, min_items=5)
    assert res.flagged.tolist() == [False, True]
    assert res.share[1] == same / k
