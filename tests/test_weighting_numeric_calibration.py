"""Calibration to totals of numeric variables against R's calibrate
(tests/r/numeric_calibration_fixtures.R).

R: ``calibrate(des, ~stype + enroll, population = c(`(Intercept)` = N, stypeH = .., stypeM = ..,
enroll = T), calfun = ...)`` on apistrat (stratified by stype, fpc), population totals from
apipop; linear, raking and logit (bounds 0.5, 2); then svymean / svytotal of api00 and meals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk
from survey_kit.errors import UsageError, WeightingError

FIX = Path(__file__).resolve().parent / "fixtures" / "r"
REF = pd.read_csv(FIX / "numeric_calibration_reference.csv", dtype={"name": str})
POP = REF[REF.case == "population"].set_index("name")["value"].astype(float)
REF = REF[REF.case != "population"]
RTOL = 1e-8
METHODS = {"linear": (None, "linear"), "raking": (None, "raking"), "logit": ((0.5, 2), "logit")}
CASES = sorted(REF.case.unique())


def _design() -> sk.SurveyDesign:
    return sk.SurveyDesign(pd.read_csv(FIX / "apistrat.csv"), weights="pw", strata="stype",
                           fpc="fpc")


def _targets() -> dict:
    return {"stype": {k: POP[k] for k in ("E", "H", "M")}}


def _calibrated(case: str) -> sk.SurveyDesign:
    method, var = case.split("_")
    bounds, _ = METHODS[method]
    return _design().calibrate(_targets(), method, bounds, tol=1e-13, max_iter=500,
                               numeric_totals={var: POP[var]})


@pytest.mark.parametrize("case", CASES)
def test_weights_and_estimates_match_r(case):
    d = _calibrated(case)
    ref = REF[REF.case == case]
    w = np.asarray(d.weights)
    got = {("weight", str(i)): w[i - 1] for i in (1, 17, 50, 123, 200)}
    got.update({("wsum", "sum"): w.sum(), ("wsum", "min"): w.min(), ("wsum", "max"): w.max()})
    for v in ("api00", "meals"):
        m, t = d.mean(v), d.total(v)
        got.update({("est", f"mean.{v}.est"): m.estimate, ("est", f"mean.{v}.se"): m.se,
                    ("est", f"total.{v}.est"): t.estimate, ("est", f"total.{v}.se"): t.se})
    assert len(got) == len(ref)
    for kind, name, value in ref[["kind", "name", "value"]].itertuples(index=False):
        np.testing.assert_allclose(got[kind, name], value, rtol=RTOL, err_msg=f"{kind} {name}")


def test_function_and_method_agree_and_totals_are_met():
    df = pd.read_csv(FIX / "apistrat.csv")
    res = sk.calibrate(df, _targets(), "raking", weights="pw", tol=1e-13,
                       numeric_totals={"enroll": POP["enroll"]})
    assert res.calibration.labels == ("(Intercept)", "stypeH", "stypeM", "enroll")
    assert res.calibration.model_matrix.shape == (len(df), 4)
    np.testing.assert_allclose(res.calibration.model_matrix[:, 3], df["enroll"])
    np.testing.assert_allclose((res.weights * df["enroll"]).sum(), POP["enroll"], rtol=1e-12)
    np.testing.assert_allclose(res.weights.sum(), POP["N"], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(_calibrated("raking_enroll").weights),
                               res.weights.to_numpy(), rtol=1e-12)


def test_missing_numeric_value_names_column_and_row():
    df = pd.read_csv(FIX / "apistrat.csv")
    df.loc[[5, 9], "enroll"] = np.nan
    with pytest.raises(WeightingError, match=r"'enroll'.*2 row\(s\), first row 5"):
        sk.calibrate(df, _targets(), weights="pw", numeric_totals={"enroll": POP["enroll"]})


def test_bad_numeric_totals():
    df = pd.read_csv(FIX / "apistrat.csv")
    with pytest.raises(UsageError, match="nope"):
        sk.calibrate(df, _targets(), weights="pw", numeric_totals={"nope": 1.0})
    with pytest.raises(UsageError, match="'sname'"):
        sk.calibrate(df, _targets(), weights="pw", numeric_totals={"sname": 1.0})
    with pytest.raises(UsageError, match="'stype'"):
        sk.calibrate(df, _targets(), weights="pw", numeric_totals={"stype": 1.0})
    with pytest.raises(UsageError, match="finite"):
        sk.calibrate(df, _targets(), weights="pw", numeric_totals={"enroll": np.inf})
