"""Trimming a calibrated design against R's trimWeights (tests/r/trim_fixtures.R).

R: ``trimWeights`` changes only the weights; the design keeps its calibration, whose
residualisation uses the weights stored at calibration time, so the trimming factors
act as fixed multipliers of the calibrated weights. Raking, linear calibration and
post-stratification of the firm survey, post-stratification of apistrat (strata, fpc),
and apistrat trimmed without calibration; through ``SurveyDesign.trim`` and through
``with_weighting`` of a trimmed weighting result.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk

FIX = Path(__file__).resolve().parent / "fixtures" / "r"
REF = pd.read_csv(FIX / "trim_reference.csv", dtype={"level": str, "value": str},
                  keep_default_na=False)
REF = REF[REF.design != "meta"]
RTOL = 1e-8
API_TARGETS = {"sch.wide": {"No": 1000.0, "Yes": 5194.0}}


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(FIX / name)


def _targets() -> pd.DataFrame:
    return _data("design_firms_targets.csv")


def _base(name: str) -> sk.SurveyDesign:
    if name.startswith("api"):
        return sk.SurveyDesign(_data("apistrat.csv"), weights="pw", strata="stype", fpc="fpc")
    return sk.SurveyDesign(_data("design_firms.csv"), weights="w")


def _calibrated(name: str) -> sk.SurveyDesign:
    d, t = _base(name), _targets()
    return {"firm_rake_trim": lambda: d.rake(t, tol=1e-12),
            "firm_cal_trim": lambda: d.calibrate(t, method="linear"),
            "firm_ps_trim": lambda: d.poststratify(t[t.variable == "size_class"],
                                                   variables="size_class"),
            "api_ps_trim": lambda: d.poststratify(API_TARGETS),
            "api_trim": lambda: d}[name]()


def _weighting(name: str, frame: pd.DataFrame, weights: str):
    t = _targets()
    return {"firm_rake_trim": lambda: sk.rake(frame, t, weights=weights, tol=1e-12),
            "firm_cal_trim": lambda: sk.calibrate(frame, t, method="linear", weights=weights),
            "firm_ps_trim": lambda: sk.poststratify(frame, t[t.variable == "size_class"],
                                                    weights=weights, variables="size_class"),
            "api_ps_trim": lambda: sk.poststratify(frame, API_TARGETS, weights=weights),
            "api_trim": lambda: frame[weights]}[name]()


def _bounds(name: str) -> dict:
    b = REF[(REF.design == name) & (REF.kind == "bounds")].set_index("stat")["value"]
    lower = float(b["lower"])
    return {"lower": None if np.isinf(lower) else lower, "upper": float(b["upper"]),
            "strict": bool(float(b["strict"]))}


def _via_method(name: str) -> sk.SurveyDesign:
    return _calibrated(name).trim(**_bounds(name))


def _via_weighting(name: str) -> sk.SurveyDesign:
    base = _base(name)
    res = sk.trim_weights(_weighting(name, base.frame, "pw" if name.startswith("api") else "w"),
                          **_bounds(name))
    return base.with_weighting(res)


NAMES = sorted(REF.design.unique())
PATHS = {"method": _via_method, "weighting": _via_weighting}


def _ref(name: str, kind: str) -> pd.DataFrame:
    return REF[(REF.design == name) & (REF.kind == kind)]


@pytest.mark.filterwarnings("ignore:.*after one round")
@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("name", NAMES)
def test_trimmed_design_matches_r(name, path):
    d = PATHS[path](name)
    w = np.asarray(d.weights, dtype=float)
    wref = _ref(name, "weights").set_index("stat")["value"].astype(float)
    got = {"sum": w.sum(), "sumsq": (w ** 2).sum(), "sum_id": (np.arange(1, w.size + 1) * w).sum(),
           "min": w.min(), "max": w.max()}
    for stat, value in got.items():
        np.testing.assert_allclose(value, wref[stat], rtol=RTOL, err_msg=stat)
    before = np.asarray(_calibrated(name).weights, dtype=float)
    assert int((np.abs(w - before) > 1e-9 * np.abs(before)).sum()) == wref["n_changed"]
    if name != "api_trim":
        assert d.is_calibrated
    ests = REF[(REF.design == name) & REF.kind.isin(["mean", "total", "prop"])]
    assert len(ests) == 10
    for (kind, var, level), grp in ests.groupby(["kind", "var", "level"]):
        want = grp.set_index("stat")["value"].astype(float)
        est = (d.proportion(var, level) if kind == "prop" else getattr(d, kind)(var))
        np.testing.assert_allclose(est.estimate, want["estimate"], rtol=RTOL,
                                   err_msg=f"{kind} {var}")
        np.testing.assert_allclose(est.se, want["se"], rtol=RTOL, err_msg=f"{kind} {var} se")


@pytest.mark.filterwarnings("ignore:.*after one round")
def test_trim_keeps_the_calibration_weights():
    """The steps of a trimmed design are those of the calibrated design (R keeps postStrata)."""
    cal = _calibrated("firm_rake_trim")
    trimmed = cal.trim(upper=300)
    assert trimmed._calibration == cal._calibration
    assert not np.allclose(trimmed.weights, cal.weights)


def test_trim_without_binding_bounds_is_the_same_design():
    d = _calibrated("firm_cal_trim")
    same = d.trim(lower=0.0, upper=1e9)
    np.testing.assert_array_equal(same.weights, d.weights)
    assert same.total("employees").se == d.total("employees").se
