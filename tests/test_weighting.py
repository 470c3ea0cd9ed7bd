"""Tests of survey_kit.weighting: poststratify, rake, calibrate, trim, targets, collapse.

Conformance: weights from R `survey` (tests/r/weighting_fixtures.R, committed
under tests/fixtures/r/weighting_*) on three data sets (apistrat with its
sampling weights; 600 synthetic firms with panel base weights, and with
equal weights), for postStratify, rake (2 and 3 margins), calibrate
(linear, raking, bounded linear/raking, logit) and trimWeights (strict and
not), agree to 1e-8 relative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.errors import UsageError, WeightingError
from survey_kit.weighting.factors import NOT_STATED

FIX = Path(__file__).parent / "fixtures" / "r"
RTOL = 1e-8

CASES = pd.read_csv(FIX / "weighting_cases.csv", keep_default_na=False).replace("NA", "")


def _data(name: str) -> pd.DataFrame:
    if name == "apistrat":
        return pd.read_csv(FIX / "weighting_apistrat.csv", dtype={"id": str}).set_index("id")
    return pd.read_csv(FIX / "weighting_firms.csv").set_index("id")


def _base(ds: str) -> str:
    return "apistrat" if ds == "apistrat" else "firms"


_cache: dict = {}


def _run_case(ds: str, case: str) -> sk.WeightingResult:
    key = (ds, case)
    if key in _cache:
        return _cache[key]
    c = CASES[(CASES.dataset == ds) & (CASES.case == case)].iloc[0]
    df = _data(_base(ds))
    weights = c.weights or None
    variables = c.variables.split("+")
    margins = sk.load_targets(FIX / f"weighting_{_base(ds)}_margins.csv")
    if c.method == "poststratify":
        targets = sk.load_targets(FIX / f"weighting_{_base(ds)}_cells.csv") \
            if len(variables) > 1 else margins
        res = sk.poststratify(df, targets, weights, variables=variables)
    elif c.method == "rake":
        res = sk.rake(df, margins, weights, variables=variables)
    elif c.method == "calibrate":
        bounds = None if c.lower == "" else (float(c.lower), float(c.upper))
        res = sk.calibrate(df, margins, c.calfun, bounds, weights, variables=variables)
    else:
        res = sk.trim_weights(_run_case(ds, c.of),
                              lower=None if c.lower == "" else float(c.lower),
                              upper=float(c.upper), strict=c.strict == "TRUE")
    _cache[key] = res
    return res


def _reference(ds: str) -> pd.DataFrame:
    return pd.read_csv(FIX / f"weighting_reference_{ds}.csv", dtype={"id": str}).set_index("id")


# --------------------------------------------------------------------------
# conformance with R survey
# --------------------------------------------------------------------------

@pytest.mark.parametrize("ds,case", list(zip(CASES.dataset, CASES.case)))
def test_agrees_with_r(ds, case):
    res = _run_case(ds, case)
    ref = _reference(ds)[case]
    ours = res.weights.copy()
    ours.index = ours.index.astype(str)
    ours = ours.reindex(ref.index)
    assert not ours.isna().any()
    rel = np.max(np.abs(ours.to_numpy() - ref.to_numpy()) / np.abs(ref.to_numpy()))
    assert rel < RTOL, f"{ds}/{case}: max relative difference {rel:.3g}"
    if CASES[(CASES.dataset == ds) & (CASES.case == case)].method.iloc[0] != "trim":
        assert res.converged
        assert res.max_margin_error < 1e-8


def test_fixture_cases_cover_the_issue():
    methods = CASES.groupby("dataset")["case"].apply(set)
    need = {"poststratify_1", "poststratify_cells", "rake_2", "rake_3", "calibrate_linear",
            "calibrate_linear_bounded", "calibrate_logit_bounded", "trim_once", "trim_strict"}
    for ds in ("apistrat", "firms", "firms_equal"):
        assert need <= methods[ds]
    assert "calibrate_raking_bounded" in methods["apistrat"]
    assert "calibrate_raking_bounded" in methods["firms"]


def test_strict_trimming_differs_from_one_round():
    once = _run_case("firms", "trim_once")
    strict = _run_case("firms", "trim_strict")
    assert not once.converged and strict.converged
    assert strict.weights.max() <= 1400 * (1 + 1e-12)
    assert once.weights.max() > 1400
    assert strict.diagnostics["share_trimmed"] >= once.diagnostics["share_trimmed"] > 0
    assert np.isclose(once.weights.sum(), strict.weights.sum(), rtol=1e-12)


def test_linear_calibration_negative_weights_are_reported():
    res = _run_case("firms_equal", "calibrate_linear")
    assert (res.weights < 0).any()
    assert res.diagnostics["n_negative"] == (res.weights < 0).sum()
    assert any("negative" in w for w in res.warnings)


def test_grake_rescaling_is_reported():
    res = _run_case("firms_equal", "calibrate_logit_bounded")
    assert any("multiplied by" in w and "bounds apply" in w for w in res.warnings)


def test_bounded_raking_converges_where_r_grake_stalls():
    # R's grake fails on these data for any bounds (see the R script); the
    # solution is unique, so check it: margins reached and g within bounds.
    df = _data("firms")
    t = sk.load_targets(FIX / "weighting_firms_margins.csv")
    res = sk.calibrate(df, t, "raking", (0.1, 3.0))
    assert res.converged and res.max_margin_error < 1e-9
    scale = float(res.warnings[0].split("multiplied by ")[1].split(" ")[0])
    g = res.weights.to_numpy() / scale
    assert g.min() >= 0.1 * (1 - 1e-5) and g.max() <= 3.0 * (1 + 1e-5)
    assert np.isclose(g.min(), 0.1, rtol=1e-5)      # the bound is active


# --------------------------------------------------------------------------
# the row-level computation gives the same weights
# --------------------------------------------------------------------------

def _rowlevel_rake(df, margins, d, sweeps=2000):
    w = d.astype(float).copy()
    for _ in range(sweeps):
        for var, target in margins.items():
            sums = pd.Series(w).groupby(df[var].to_numpy()).sum()
            w = w * df[var].map(lambda k, s=sums, t=target: t[k] / s[k]).to_numpy(float)
    return w


def test_rake_equals_row_level_ipf():
    df = _data("firms")
    t = sk.load_targets(FIX / "weighting_firms_margins.csv")
    res = sk.rake(df, t, "base_w", tol=1e-13)
    margins = {v: t.margins[v].to_dict() for v in t.margins}
    w = _rowlevel_rake(df, margins, df["base_w"].to_numpy(), sweeps=60)
    assert np.allclose(res.weights.to_numpy(), w, rtol=1e-9, atol=0)


def test_poststratify_equals_row_level():
    df = _data("firms")
    cells = sk.load_targets(FIX / "weighting_firms_cells.csv")
    res = sk.poststratify(df, cells, "base_w")
    tc = cells.cells.set_index(["size_class", "sector"])["target"]
    sums = df.groupby(["size_class", "sector"])["base_w"].transform("sum")
    key = list(zip(df["size_class"], df["sector"]))
    expect = df["base_w"] * tc.reindex(key).to_numpy() / sums
    assert np.allclose(res.weights, expect, rtol=1e-13, atol=0)


def test_categorical_and_plain_columns_agree():
    df = _data("firms")
    t = sk.load_targets(FIX / "weighting_firms_margins.csv")
    cat = df.copy()
    cat["size_class"] = pd.Categorical(cat["size_class"],
                                       categories=["large", "medium", "small", "micro"])
    cat["sector"] = cat["sector"].astype("category")
    a = sk.rake(df, t, "base_w").weights
    b = sk.rake(cat, t, "base_w").weights
    assert np.allclose(a, b, rtol=1e-12)
    c1 = sk.calibrate(df, t, "logit", (0.7, 2), "base_w").weights
    c2 = sk.calibrate(cat, t, "logit", (0.7, 2), "base_w").weights
    assert np.allclose(c1, c2, rtol=1e-9)


def test_integer_coded_levels_match_csv_targets(tmp_path):
    df = pd.DataFrame({"region": [1, 2, 2, 3, 3, 3]}, index=list("abcdef"))
    path = tmp_path / "t.csv"
    path.write_text("# regions coded 1-3\nvariable,level,target\nregion,1,10\nregion,2,20\n"
                    "region,3,30\n")
    res = sk.poststratify(df, sk.load_targets(path))
    assert res.weights.tolist() == [10.0, 10.0, 10.0, 10.0, 10.0, 10.0]
    df_float = pd.DataFrame({"region": [1.0, 2.0, 2.0, 3.0, 3.0, np.nan]}, index=list("abcdef"))
    res = sk.poststratify(df_float, {"region": {1: 10, 2: 20, 3: 30}}, not_stated="exclude")
    assert res.weights["f"] == 0


# --------------------------------------------------------------------------
# calibration info for SurveyDesign
# --------------------------------------------------------------------------

def test_calibration_info_poststratify():
    df = _data("firms")
    res = _run_case("firms", "poststratify_cells")
    info = res.calibration
    assert info.method == "poststratify" and info.margins is None and info.model_matrix is None
    assert info.cells.shape == (len(df),) and info.cells.min() == 0
    assert len(info.labels) == info.cells.max() + 1
    # respondents share a code exactly when they share (size_class, sector)
    key = df["size_class"] + ":" + df["sector"]
    assert (pd.Series(info.cells).groupby(key.to_numpy()).nunique() == 1).all()
    assert [info.labels[c] for c in info.cells] == key.tolist()
    assert np.allclose(info.base_weights, df["base_w"])
    assert np.array_equal(info.weights, res.weights.to_numpy())


def test_calibration_info_rake_and_calibrate_model_matrix():
    df = _data("apistrat")
    res = _run_case("apistrat", "rake_3")
    info = res.calibration
    assert info.method == "rake" and len(info.margins) == 3
    for codes, labels, var in zip(info.margins, info.labels, ["stype", "sch_wide", "comp_imp"]):
        assert [labels[c] for c in codes] == df[var].tolist()
    res = _run_case("apistrat", "calibrate_linear")
    mm = res.calibration.model_matrix
    assert res.calibration.labels == ("(Intercept)", "stypeH", "stypeM", "sch_wideYes",
                                      "comp_impYes")
    expect = np.column_stack([np.ones(len(df)), df.stype.eq("H"), df.stype.eq("M"),
                              df.sch_wide.eq("Yes"), df.comp_imp.eq("Yes")]).astype(float)
    assert np.array_equal(mm, expect)
    # the calibration equations hold: X'w = T
    t = sk.load_targets(FIX / "weighting_apistrat_margins.csv")
    T = [t.total, t.margins["stype"]["H"], t.margins["stype"]["M"],
         t.margins["sch_wide"]["Yes"], t.margins["comp_imp"]["Yes"]]
    assert np.allclose(mm.T @ res.weights.to_numpy(), T, rtol=1e-10)


def test_design_can_use_the_result():
    df = _data("apistrat")
    design = sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
    for case in ("poststratify_cells", "rake_2", "calibrate_logit_bounded"):
        res = _run_case("apistrat", case)
        new = design.with_weighting(res)
        assert new.is_calibrated
        assert np.allclose(np.asarray(new.weights), res.weights.to_numpy(), rtol=1e-15)
    # and the design's own shortcut calls this module with its weights as base
    t = sk.load_targets(FIX / "weighting_apistrat_margins.csv")
    raked = design.rake(t, variables=["stype", "sch_wide"])
    assert np.allclose(np.asarray(raked.weights), _run_case("apistrat", "rake_2").weights)


# --------------------------------------------------------------------------
# targets
# --------------------------------------------------------------------------

def test_load_targets_csv_margins_and_cells():
    t = sk.load_targets(FIX / "weighting_firms_margins.csv")
    assert list(t.margins) == ["size_class", "sector", "region"]
    assert t.total == 403056
    assert t.cells is None
    c = sk.load_targets(FIX / "weighting_firms_cells.csv")
    assert c.cell_variables == ["size_class", "sector"]
    assert c.total == 403056
    assert np.allclose(c.margin("size_class").reindex(t.margins["size_class"].index),
                       t.margins["size_class"])
    frame = t.to_frame()
    assert list(frame.columns) == ["variable", "level", "target"] and len(frame) == 14
    assert "total 403,056" in str(t)


def test_load_targets_yaml_keeps_yes_no_levels(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text("size_class:\n  micro: 600\n  small: 300\n  large: 100\n"
                 "exporter:\n  yes: 300\n  no: 700\n  off: 0\n")
    t = sk.load_targets(p)
    assert t.margins["exporter"].index.tolist() == ["yes", "no", "off"]
    assert t.total == 1000
    assert t.margins["size_class"].tolist() == pytest.approx([600, 300, 100])


def test_load_targets_yaml_shares_with_total(tmp_path):
    p = tmp_path / "t.yaml"
    p.write_text("size_class:\n  micro: 0.6\n  small: 0.3\n  large: 0.1\n"
                 "exporter:\n  yes: 0.3\n  no: 0.7\n")
    t = sk.load_targets(p, total=1000)
    assert t.margins["size_class"].tolist() == pytest.approx([600, 300, 100])
    assert t.margins["exporter"].to_dict() == pytest.approx({"yes": 300, "no": 700})
    assert sk.load_targets(p).is_share


def test_shares_only_scale_to_base_weights():
    df = pd.DataFrame({"size_class": ["micro"] * 3 + ["large"]})
    res = sk.poststratify(df, {"size_class": {"micro": 0.5, "large": 0.5}}, [2, 2, 2, 2])
    assert res.weights.tolist() == pytest.approx([4 / 3] * 3 + [4.0])
    t = sk.as_targets({"size_class": {"micro": 0.5, "large": 0.5}}, total=1000)
    assert sk.poststratify(df, t).weights.sum() == pytest.approx(1000)


def test_disagreeing_totals_error_and_rescale():
    bad = {"size_class": {"micro": 60, "large": 40}, "sector": {"a": 50, "b": 55}}
    with pytest.raises(WeightingError, match="disagree.*rescale=True"):
        sk.as_targets(bad)
    t = sk.as_targets(bad, rescale=True)
    assert t.margins["sector"].sum() == pytest.approx(100)
    with pytest.raises(WeightingError, match="disagree"):
        sk.as_targets({"size_class": {"micro": 60, "large": 40}}, total=120)


@pytest.mark.parametrize("value,match", [(np.inf, "finite"), (np.nan, "finite"),
                                         (-5, "negative"), ("many", "not a number")])
def test_bad_target_values(value, match):
    with pytest.raises(WeightingError, match=match):
        sk.as_targets({"size_class": {"micro": 10, "large": value}})


def test_targets_file_errors(tmp_path):
    with pytest.raises(WeightingError, match="not found"):
        sk.load_targets(tmp_path / "none.csv")
    p = tmp_path / "t.json"
    p.write_text("{}")
    with pytest.raises(WeightingError, match="not supported"):
        sk.load_targets(p)
    p = tmp_path / "t.csv"
    p.write_text("variable,level,count\nsize_class,micro,3\n")
    with pytest.raises(WeightingError, match="'target'"):
        sk.load_targets(p)
    p.write_text("variable,level,target\nsize_class,micro,3\nsize_class,micro,4\n")
    with pytest.raises(WeightingError, match="two targets"):
        sk.load_targets(p)
    p.write_text("size_class,sector,target\nmicro,a,3\nmicro,a,4\n")
    with pytest.raises(WeightingError, match="two targets"):
        sk.load_targets(p)


def test_targets_accept_dataframe_and_targets():
    long = pd.DataFrame({"variable": ["size_class"] * 2, "level": ["micro", "large"],
                         "target": [70, 30]})
    t = sk.as_targets(long)
    assert sk.as_targets(t) is t
    df = pd.DataFrame({"size_class": ["micro", "large"]})
    assert sk.poststratify(df, long).weights.tolist() == [70, 30]
    with pytest.raises(UsageError):
        sk.as_targets([1, 2, 3])


def test_cells_and_margins_must_agree():
    cells = sk.as_targets(pd.DataFrame({"a": ["x", "y"], "target": [10, 20]})).cells
    both = sk.Targets(margins={"a": pd.Series([15.0, 15.0], index=["x", "y"])}, cells=cells)
    with pytest.raises(WeightingError, match="make the two agree"):
        sk.as_targets(both, kind="count")
    ok = sk.Targets(margins={"a": pd.Series([10.0, 20.0], index=["x", "y"])}, cells=cells)
    assert sk.as_targets(ok, kind="count").total == 30


def test_rake_on_margins_of_cell_targets():
    df = _data("firms")
    cells = sk.load_targets(FIX / "weighting_firms_cells.csv")
    margins = sk.load_targets(FIX / "weighting_firms_margins.csv")
    a = sk.rake(df, cells, "base_w")
    b = sk.rake(df, margins, "base_w", variables=["size_class", "sector"])
    assert np.allclose(a.weights, b.weights, rtol=1e-12)


# --------------------------------------------------------------------------
# hard cases: clear errors
# --------------------------------------------------------------------------

@pytest.fixture
def small():
    return pd.DataFrame({
        "size_class": ["micro", "micro", "small", "small", "medium", "large", "large", "micro",
                       "micro", "medium", "large", "small"],
        "sector": ["it", "manu", "it", "manu", "it", "manu", "it", "it", "manu", "manu", "it",
                   "it"],
        "w": [1.0, 2.0, 1.0, 1.5, 2.0, 1.0, 1.0, 1.0, 1.2, 0.8, 1.3, 0.9],
    }, index=[f"R{i}" for i in range(12)])


ALL_CELLS = pd.DataFrame({
    "size_class": ["micro", "micro", "small", "small", "medium", "medium", "large", "large"],
    "sector": ["it", "manu"] * 4,
    "target": [300.0, 200, 150, 150, 100, 50, 30, 20]})


SMALL_T = {"size_class": {"micro": 500, "small": 300, "medium": 150, "large": 50},
           "sector": {"it": 600, "manu": 400}}


def test_sample_cell_without_target(small):
    t = {"size_class": {"micro": 500, "small": 300, "large": 200}}
    with pytest.raises(WeightingError, match=r"sample cell size_class=medium has 2.*"
                                             r"collapse_levels"):
        sk.poststratify(small, t)


def test_population_cell_without_respondents(small):
    t = {"size_class": {"micro": 400, "small": 300, "medium": 150, "large": 50, "huge": 100}}
    with pytest.raises(WeightingError, match=r"population cell size_class=huge .*no "
                                             r"respondents.*collapse_levels"):
        sk.rake(small, t)


def test_joint_cell_problems_named(small):
    res = sk.poststratify(small, ALL_CELLS, "w")
    by_cell = res.weights.groupby([small.size_class, small.sector]).sum()
    assert by_cell[("micro", "it")] == pytest.approx(300)
    extra = pd.concat([ALL_CELLS, pd.DataFrame({"size_class": ["medium"], "sector": ["retail"],
                                                "target": [5.0]})])
    with pytest.raises(WeightingError, match=r"population cell \(size_class=medium, "
                                             r"sector=retail\) \(target 5\) has no "
                                             r"respondents.*collapse_levels"):
        sk.poststratify(small, extra)
    fewer = ALL_CELLS[~((ALL_CELLS.size_class == "large") & (ALL_CELLS.sector == "it"))]
    with pytest.raises(WeightingError, match=r"sample cell \(size_class=large, sector=it\) "
                                             r"has 2 respondent"):
        sk.poststratify(small, fewer)


def test_zero_target_with_respondents(small):
    t = {"size_class": {"micro": 500, "small": 300, "medium": 0, "large": 50}}
    with pytest.raises(WeightingError, match="target of 0"):
        sk.poststratify(small, t)
    # a zero target with no respondents is harmless
    t = {"size_class": {"micro": 500, "small": 300, "medium": 100, "large": 50, "huge": 0}}
    assert sk.poststratify(small, t).weights.sum() == pytest.approx(950)


def test_poststratify_on_margins_only_needs_cells(small):
    with pytest.raises(WeightingError, match="joint cell targets"):
        sk.poststratify(small, SMALL_T, variables=["size_class", "sector"])


def test_target_variable_absent_from_data(small):
    with pytest.raises(WeightingError, match=r"\['region'\].*not have"):
        sk.rake(small, {**SMALL_T, "region": {"kanto": 1000}})


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_bad_base_weights(small, bad):
    w = small["w"].copy()
    w.iloc[3] = bad
    with pytest.raises(WeightingError, match="R3"):
        sk.rake(small, SMALL_T, w)


def test_base_weights_forms(small):
    a = sk.rake(small, SMALL_T, "w").weights
    b = sk.rake(small, SMALL_T, small["w"].to_numpy()).weights
    c = sk.rake(small, SMALL_T, small["w"].iloc[::-1]).weights       # aligned by id
    assert np.allclose(a, b) and np.allclose(a, c)
    with pytest.raises(WeightingError, match="not in the data"):
        sk.rake(small, SMALL_T, "nope")
    with pytest.raises(WeightingError, match="shape"):
        sk.rake(small, SMALL_T, [1.0, 2.0])
    with pytest.raises(WeightingError, match="lack respondent"):
        sk.rake(small, SMALL_T, small["w"].iloc[1:])


def test_frame_checks(small):
    with pytest.raises(UsageError):
        sk.rake(small.to_dict(), SMALL_T)
    dup = small.copy()
    dup.index = ["R0"] * len(dup)
    with pytest.raises(WeightingError, match="more than once"):
        sk.rake(dup, SMALL_T)
    with pytest.raises(WeightingError, match="no respondents"):
        sk.rake(small.iloc[:0], SMALL_T)


def test_rake_nonconvergence(small):
    # two sweeps cannot reach a 1e-14 tolerance
    with pytest.raises(WeightingError, match=r"did not converge in 2 sweeps.*size_class: "):
        sk.rake(small, SMALL_T, max_iter=2, tol=1e-14)
    res = sk.rake(small, SMALL_T, max_iter=2, tol=1e-14, on_nonconvergence="warn")
    assert not res.converged and res.iterations == 2
    assert any("did not converge" in w for w in res.warnings)


def test_calibrate_nonconvergence_and_bounds_checks(small):
    with pytest.raises(WeightingError, match="did not converge"):
        sk.calibrate(small, SMALL_T, "linear", (0.99, 1.01), max_iter=20)
    res = sk.calibrate(small, SMALL_T, "linear", (0.99, 1.01), max_iter=20,
                       on_nonconvergence="warn")
    assert not res.converged
    with pytest.raises(UsageError, match="finite bounds"):
        sk.calibrate(small, SMALL_T, "logit")
    with pytest.raises(UsageError, match="lower < 1 < upper"):
        sk.calibrate(small, SMALL_T, "logit", (1.2, 3))
    with pytest.raises(UsageError, match="lower < upper"):
        sk.calibrate(small, SMALL_T, "raking", (2, 1))
    with pytest.raises(UsageError, match="method"):
        sk.calibrate(small, SMALL_T, "probit")
    with pytest.raises(UsageError, match="max_iter"):
        sk.rake(small, SMALL_T, max_iter=0)
    with pytest.raises(UsageError, match="on_nonconvergence"):
        sk.rake(small, SMALL_T, on_nonconvergence="ignore")


# --------------------------------------------------------------------------
# not stated
# --------------------------------------------------------------------------

@pytest.fixture
def with_missing(small):
    df = small.copy()
    df.loc["R1", "size_class"] = np.nan
    df.loc["R6", "size_class"] = np.nan
    return df


def test_missing_without_strategy_is_an_error(with_missing):
    with pytest.raises(WeightingError, match=r"size_class: 2 \('R1', 'R6'\).*not_stated="):
        sk.rake(with_missing, SMALL_T)
    with pytest.raises(UsageError):
        sk.rake(with_missing, SMALL_T, not_stated="ignore")


def test_not_stated_separate_gets_overall_adjustment(with_missing):
    t = {"size_class": SMALL_T["size_class"]}
    res = sk.poststratify(with_missing, t, "w", not_stated="separate")
    w, d = res.weights, with_missing["w"]
    overall = 1000 / d.sum()
    assert w["R1"] == pytest.approx(d["R1"] * overall)
    assert w["R6"] == pytest.approx(d["R6"] * overall)
    assert w.sum() == pytest.approx(1000)
    row = res.margins[res.margins.level == NOT_STATED].iloc[0]
    assert row.n == 2 and row.achieved == pytest.approx(row.target)
    assert res.not_stated.iloc[0].to_dict()["n_not_stated"] == 2
    assert any("separate group" in x for x in res.warnings)
    # raking and calibration treat it as an extra level with that share
    r = sk.rake(with_missing, SMALL_T, "w", not_stated="separate")
    assert r.converged and r.weights.sum() == pytest.approx(1000)
    c = sk.calibrate(with_missing, SMALL_T, "raking", weights="w", not_stated="separate")
    assert np.allclose(c.weights, r.weights, rtol=1e-8)
    assert "size_class" + NOT_STATED in c.calibration.labels


def test_not_stated_separate_with_cells(with_missing):
    cells = ALL_CELLS
    res = sk.poststratify(with_missing, cells, "w", not_stated="separate")
    d = with_missing["w"]
    assert res.weights["R1"] == pytest.approx(d["R1"] * 1000 / d.sum())
    assert res.weights.sum() == pytest.approx(1000)
    assert res.calibration.labels[-1] == NOT_STATED


def test_not_stated_exclude(with_missing):
    res = sk.rake(with_missing, SMALL_T, "w", not_stated="exclude")
    assert res.weights["R1"] == 0 and res.weights["R6"] == 0
    assert res.weights.sum() == pytest.approx(1000)
    assert res.max_margin_error < 1e-10
    assert res.diagnostics["n"] == 10 and res.diagnostics["n_zero"] == 2
    row = res.margins[res.margins.level == NOT_STATED + " excluded"].iloc[0]
    assert row.n == 2 and row.variable == "size_class"
    assert any("excluded" in x for x in res.warnings)
    assert res.calibration.margins[0][1] == -1
    cal = sk.calibrate(with_missing, SMALL_T, "linear", weights="w", not_stated="exclude")
    assert np.all(cal.calibration.model_matrix[[1, 6]] == 0)
    assert cal.weights["R1"] == 0 and cal.weights["R6"] == 0
    assert cal.converged and cal.max_margin_error < 1e-10


def test_not_stated_impute_is_seeded_and_recorded(with_missing):
    a = sk.rake(with_missing, SMALL_T, "w", not_stated="impute", seed=7)
    b = sk.rake(with_missing, SMALL_T, "w", not_stated="impute", seed=7)
    assert a.weights.equals(b.weights)
    imp = a.imputations
    assert list(imp.respondent) == ["R1", "R6"] and set(imp.variable) == {"size_class"}
    # donors come from the same sector (the other weighting variable)
    for _, r in imp.iterrows():
        assert with_missing.loc[r.donor, "sector"] == with_missing.loc[r.respondent, "sector"]
        assert r.value == with_missing.loc[r.donor, "size_class"]
        assert r.within == f"sector={with_missing.loc[r.respondent, 'sector']}"
    assert a.converged and (a.weights > 0).all()
    assert any("seed 7" in x for x in a.warnings)
    # the input frame is not modified
    assert with_missing["size_class"].isna().sum() == 2


def test_impute_falls_back_when_class_has_no_donor():
    df = pd.DataFrame({"size_class": ["micro", "small", np.nan],
                       "sector": ["it", "it", "manu"]})
    res = sk.rake(df, {"size_class": {"micro": 6, "small": 4},
                       "sector": {"it": 7, "manu": 3}}, not_stated="impute")
    assert len(res.imputations) == 1
    assert any("no donor" in w for w in res.warnings)


# --------------------------------------------------------------------------
# collapsing levels
# --------------------------------------------------------------------------

def test_collapse_levels_named_and_adjacent(small):
    t = {"size_class": {"micro": 500, "small": 300, "medium": 150, "large": 50}}
    df2, t2 = sk.collapse_levels(small, t, "size_class", ["medium", "large"], into="mid_large")
    assert t2.margins["size_class"].to_dict() == {"micro": 500, "small": 300, "mid_large": 200}
    assert (df2.size_class == "mid_large").sum() == 5
    assert small.size_class.eq("medium").sum() == 2           # input untouched
    assert t2.collapsed[0]["into"] == "mid_large"
    res = sk.poststratify(df2, t2)
    assert any("merged" in w for w in res.warnings)
    # a single level is merged with its neighbour in the category order
    cat = small.copy()
    cat["size_class"] = pd.Categorical(cat.size_class,
                                       categories=["micro", "small", "medium", "large"])
    out = sk.collapse_levels(cat, t, "size_class", "large")
    assert out.record["levels"] == ("medium", "large")
    assert list(out.frame.size_class.cat.categories) == ["micro", "small", "medium+large"]
    out = sk.collapse_levels(cat, t, "size_class", "micro")
    assert out.record["levels"] == ("micro", "small")
    with pytest.raises(WeightingError, match="neither"):
        sk.collapse_levels(small, t, "size_class", "huge")


def test_collapse_fixes_an_empty_population_cell(small):
    t = {"size_class": {"micro": 400, "small": 300, "medium": 150, "large": 50, "huge": 100}}
    df2, t2 = sk.collapse_levels(small, t, "size_class", ["large", "huge"])
    res = sk.rake(df2, t2)
    assert res.weights.sum() == pytest.approx(1000)


def test_collapse_in_cells(small):
    df2, t2 = sk.collapse_levels(small, ALL_CELLS, "size_class", ["medium", "large"])
    assert len(t2.cells) == 6
    res = sk.poststratify(df2, t2)
    assert res.weights.sum() == pytest.approx(1000)
    by_cell = res.weights.groupby([df2.size_class, df2.sector]).sum()
    assert by_cell[("medium+large", "it")] == pytest.approx(130)


# --------------------------------------------------------------------------
# trimming
# --------------------------------------------------------------------------

def test_trim_weights_like_r():
    res = sk.trim_weights([1.0, 1.0, 1.0, 5.0], upper=3)
    assert res.weights.tolist() == pytest.approx([5 / 3, 5 / 3, 5 / 3, 3.0])
    assert res.diagnostics["share_trimmed"] == 0.25
    assert sk.trim_weights(pd.Series([1.0, 2.0], index=["a", "b"]), upper=5).weights.tolist() \
        == [1.0, 2.0]


def test_trim_errors():
    with pytest.raises(WeightingError, match="too low"):
        sk.trim_weights([1.0, 2.0, 3.0], upper=1.5)
    with pytest.raises(WeightingError, match="too high"):
        sk.trim_weights([1.0, 2.0, 3.0], lower=2.5)
    with pytest.raises(UsageError, match="lower < upper"):
        sk.trim_weights([1.0, 2.0], lower=3, upper=2)
    with pytest.raises(WeightingError, match="missing or infinite"):
        sk.trim_weights([1.0, np.nan])


def test_trim_keeps_excluded_at_zero_and_updates_margins(with_missing):
    res = sk.rake(with_missing, SMALL_T, "w", not_stated="exclude")
    tr = sk.trim_weights(res, upper=res.weights.max() * 0.8, strict=True)
    assert tr.weights["R1"] == 0 and tr.weights["R6"] == 0
    assert tr.weights.sum() == pytest.approx(res.weights.sum())
    assert tr.method == "rake + trim"
    assert tr.max_margin_error > 0
    # as R's trimWeights, the calibration keeps the calibrated weights (its residuals
    # use them; the trimming factors are fixed multipliers)
    assert np.array_equal(tr.calibration.weights, res.calibration.weights)
    assert not np.array_equal(tr.calibration.weights, tr.weights.to_numpy())


# --------------------------------------------------------------------------
# the result object
# --------------------------------------------------------------------------

def test_result_shows_itself(small):
    res = sk.rake(small, SMALL_T, "w")
    text = str(res)
    assert "rake" in text and "deff_kish" in text and "Margins" in text
    assert "<table" in res._repr_html_()
    assert res.to_frame() is res.margins
    tables = res.report_tables()
    assert {"margins", "diagnostics", "warnings"} <= set(tables)
    out = res.with_weights(small)
    assert "weight" in out.columns and "weight" not in small.columns
    with pytest.raises(UsageError):
        res.with_weights(small.iloc[:3])
    m = res.margins
    assert set(m.columns) >= {"variable", "level", "n", "sample_share", "target", "achieved",
                              "rel_error"}
    assert m.n.sum() == 2 * len(small)
    from dataclasses import FrozenInstanceError
    with pytest.raises(FrozenInstanceError):
        res.weights = None


def test_weight_diagnostics():
    d = sk.weight_diagnostics([1.0, 1.0, 2.0, 4.0, 0.0])
    assert d["n"] == 4 and d["n_zero"] == 1
    assert d["deff_kish"] == pytest.approx(4 * 22 / 64)
    assert d["ess"] == pytest.approx(64 / 22)
    assert d["deff_kish"] == pytest.approx(1 + d["cv"] ** 2)
    assert d["max_min_ratio"] == 4


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------

@st.composite
def _survey(draw):
    k1 = draw(st.integers(2, 4))
    k2 = draw(st.integers(2, 3))
    n = draw(st.integers(k1 * k2, 60))
    a = np.array(draw(st.lists(st.integers(0, k1 - 1), min_size=n, max_size=n)))
    b = np.array(draw(st.lists(st.integers(0, k2 - 1), min_size=n, max_size=n)))
    # every level present; and with full=True every combination (IPF then converges)
    if draw(st.booleans()):
        a[:k1 * k2] = np.repeat(np.arange(k1), k2)
        b[:k1 * k2] = np.tile(np.arange(k2), k1)
    else:
        a[:k1] = np.arange(k1)
        b[k1:k1 + k2] = np.arange(k2)
    d = np.array(draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n)))
    share1 = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=k1, max_size=k1)))
    share2 = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=k2, max_size=k2)))
    total = draw(st.floats(100, 1e6))
    df = pd.DataFrame({"a": [f"a{i}" for i in a], "b": [f"b{i}" for i in b]})
    targets = {"a": dict(zip([f"a{i}" for i in range(k1)], total * share1 / share1.sum())),
               "b": dict(zip([f"b{i}" for i in range(k2)], total * share2 / share2.sum()))}
    return df, d, targets


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_survey())
def test_property_rake_reproduces_margins(case):
    df, d, targets = case
    res = sk.rake(df, targets, d, max_iter=5000, on_nonconvergence="warn")
    if not res.converged:        # sparse random tables can make IPF very slow; say so
        assert any("did not converge" in w for w in res.warnings)
        return
    for var, tv in targets.items():
        got = res.weights.groupby(df[var].to_numpy()).sum()
        for level, target in tv.items():
            assert got[level] == pytest.approx(target, rel=1e-9)
    assert (res.weights > 0).all()


@settings(max_examples=40, deadline=None)
@given(_survey())
def test_property_poststratified_cells_sum_to_targets(case):
    df, d, _ = case
    cells = df.drop_duplicates().reset_index(drop=True)
    cells["target"] = np.arange(1, len(cells) + 1) * 17.5
    res = sk.poststratify(df, cells, d)
    got = res.weights.groupby([df.a.to_numpy(), df.b.to_numpy()]).sum()
    for _, row in cells.iterrows():
        assert got[(row.a, row.b)] == pytest.approx(row.target, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.1, 100.0), min_size=3, max_size=80),
       st.floats(0.05, 0.95), st.floats(0.05, 0.95), st.booleans())
def test_property_trimming(ws, qlo, qhi, strict):
    w = np.array(ws)
    mean = w.mean()
    upper = mean + qhi * (w.max() - mean) + 1e-9
    lower = w.min() + qlo * (mean - w.min()) - 1e-9
    if not lower < upper:
        return
    if not ((w >= lower) & (w <= upper)).any():
        # R divides by zero here; we say what to do
        with pytest.raises(WeightingError, match="every weight is outside"):
            sk.trim_weights(w, lower=lower, upper=upper, strict=strict)
        return
    res = sk.trim_weights(w, lower=lower, upper=upper, strict=strict)
    out = res.weights.to_numpy()
    assert out.sum() == pytest.approx(w.sum(), rel=1e-12)
    if strict:
        slack = 1e-11 * max(abs(upper), abs(lower))     # bounds are met up to rounding
        assert out.max() <= upper + slack and out.min() >= lower - slack
        assert res.converged


# --------------------------------------------------------------------------
# the `survey-kit weight` command
# --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
FIRM_Q = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
FIRM_RAW = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"
FIRM_TARGETS = ROOT / "sample_data" / "japan_firm_population_targets.csv"


def _cli(argv):
    from survey_kit.cli import main

    return main([str(a) for a in argv])


@pytest.fixture(scope="module")
def clean_raw(tmp_path_factory):
    """The sample export without its repeated respondent ids (as cleaning would leave it)."""
    raw = pd.read_csv(FIRM_RAW, dtype=str, keep_default_na=False)
    path = tmp_path_factory.mktemp("cli") / "firms_raw.csv"
    raw[~raw["respondent_id"].duplicated()].to_csv(path, index=False)
    return path


@pytest.mark.parametrize("extra,match", [
    (["--method", "calibrate", "--bounds", "0.5"], "two numbers"),
    (["--method", "calibrate", "--bounds", "3,1"], "below HI"),
    (["--bounds", "0.5,2"], "calibrate only"),
    (["--trim-upper", "lots"], "multiple of the mean"),
    (["--trim-upper", "-3"], "positive"),
    (["--max-iter", "0"], "positive integer"),
])
def test_cli_argument_errors(tmp_path, capsys, extra, match):
    code = _cli(["weight", FIRM_Q, FIRM_RAW, "--out", tmp_path / "o", *extra])
    assert code == 2
    assert match in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_cli_needs_out_and_targets(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        _cli(["weight", FIRM_Q, FIRM_RAW])
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err
    q = tmp_path / "q.yaml"
    text = FIRM_Q.read_text(encoding="utf-8")
    q.write_text(text.replace("  targets: ../sample_data/japan_firm_population_targets.csv\n",
                              ""), encoding="utf-8")
    assert _cli(["weight", q, FIRM_RAW, "--out", tmp_path / "o"]) == 2
    assert "--targets" in capsys.readouterr().err


def test_cli_weights_and_writes_report(clean_raw, tmp_path, capsys):
    out = tmp_path / "out"
    code = _cli(["weight", FIRM_Q, clean_raw, "--targets", FIRM_TARGETS, "--method", "rake",
                 "--not-stated", "exclude", "--trim-upper", "6x", "--no-clean", "--out", out])
    text = capsys.readouterr().out
    assert code == 0
    assert "deff_kish" in text and "excluded" in text and "wrote" in text
    data = pd.read_csv(out / "firms_raw_weighted.csv")
    t = sk.load_targets(FIRM_TARGETS)
    assert data["weight"].sum() == pytest.approx(t.total)
    missing = data["size_class"].isna() | data["sector"].isna()
    assert (data.loc[missing, "weight"] == 0).all() and (data.loc[~missing, "weight"] > 0).all()
    assert data["weight"].max() <= 6 * data.loc[~missing, "weight"].mean() * (1 + 1e-9)
    margins = pd.read_csv(out / "firms_raw_weighting_margins.csv")
    assert {"variable", "level", "target", "achieved"} <= set(margins.columns)
    book = pd.read_excel(out / "firms_raw_weighting_report.xlsx", sheet_name=None)
    assert {"settings", "margins", "diagnostics", "not_stated", "warnings"} <= set(book)
    settings = dict(zip(book["settings"].setting, book["settings"].value))
    assert settings["not_stated"] == "exclude" and settings["trim_upper"] == "6x"


def test_cli_calibrate_and_poststratify(clean_raw, tmp_path, capsys):
    code = _cli(["weight", FIRM_Q, clean_raw, "--method", "calibrate", "--calfun", "logit",
                 "--bounds", "0.01,20", "--not-stated", "impute", "--seed", "3", "--no-clean",
                 "--weight-column", "w_cal", "--out", tmp_path / "cal"])
    assert code == 0, capsys.readouterr().err
    data = pd.read_csv(tmp_path / "cal" / "firms_raw_weighted.csv")
    assert (data["w_cal"] > 0).all()
    assert (tmp_path / "cal" / "firms_raw_weighting_imputations.csv").exists()
    code = _cli(["weight", FIRM_Q, clean_raw, "--method", "poststratify", "--variables",
                 "size_class", "--not-stated", "separate", "--no-clean", "--out",
                 tmp_path / "ps"])
    assert code == 0, capsys.readouterr().err
    data = pd.read_csv(tmp_path / "ps" / "firms_raw_weighted.csv")
    assert data.groupby("size_class")["weight"].nunique().max() == 1


def test_cli_weight_column_clash(clean_raw, tmp_path, capsys):
    code = _cli(["weight", FIRM_Q, clean_raw, "--no-clean", "--weight-column", "sector",
                 "--out", tmp_path / "o"])
    assert code == 2 and "already have a column" in capsys.readouterr().err


def test_cli_cleans_before_weighting(tmp_path, capsys):
    code = _cli(["weight", FIRM_Q, FIRM_RAW, "--out", tmp_path / "o"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "kept after cleaning" in captured.out
    data = pd.read_csv(tmp_path / "o" / "japan_digital_services_2024_raw_weighted.csv")
    assert data["weight"].sum() == pytest.approx(sk.load_targets(FIRM_TARGETS).total)
