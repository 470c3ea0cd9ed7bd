"""Ratio estimation against R's svyratio (tests/r/ratio_fixtures.R).

R: ``svyratio(~num, ~den, design, na.rm = TRUE, deff = TRUE)`` and
``confint(r, df = degf(design))`` on stratified, one-stage cluster, two-stage,
stratified two-stage (with missing values), post-stratified and raked designs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk
from survey_kit.errors import DesignError

FIX = Path(__file__).resolve().parent / "fixtures" / "r"
REF = pd.read_csv(FIX / "ratio_reference.csv", dtype={"num": str, "den": str, "value": str},
                  keep_default_na=False)
TARGETS = (REF[REF.design == "target"]
           .rename(columns={"num": "variable", "den": "level"})
           .assign(target=lambda t: t["value"].astype(float))[["variable", "level", "target"]])
REF = REF[~REF.design.isin(["meta", "target"])]
RTOL = 1e-8
STATS = ("est", "se", "deff", "ci_low", "ci_high", "df")


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(FIX / name)


def _api_strat() -> sk.SurveyDesign:
    return sk.SurveyDesign(_data("apistrat.csv"), weights="pw", strata="stype", fpc="fpc")


DESIGNS = {
    "api_strat": _api_strat,
    "api_clus1": lambda: sk.SurveyDesign(_data("apiclus1.csv"), weights="pw", cluster="dnum",
                                         fpc="fpc"),
    "clus2": lambda: sk.SurveyDesign(_data("apiclus2.csv"), cluster=["dnum", "snum"],
                                     fpc=["fpc1", "fpc2"]),
    "strat2": lambda: sk.SurveyDesign(_data("multistage_firms.csv"), strata="h",
                                      cluster=["psu", "firm"], fpc=["N1", "N2"]),
    "api_strat_ps": lambda: _api_strat().poststratify(TARGETS[TARGETS.variable == "stype"],
                                                      variables="stype"),
    "api_strat_rake": lambda: _api_strat().rake(TARGETS, tol=1e-12),
}

CASES = [tuple(r) for r in REF[["design", "num", "den"]].drop_duplicates()
         .itertuples(index=False)]


def _ours(est) -> dict[str, float]:
    return {"est": est.estimate, "se": est.se, "deff": est.deff, "ci_low": est.ci_low,
            "ci_high": est.ci_high, "df": est.df}


@pytest.mark.parametrize("design_name, num, den", CASES, ids=["-".join(c) for c in CASES])
def test_ratio_matches_r_svyratio(design_name, num, den):
    design = DESIGNS[design_name]()
    got = _ours(design.ratio(num, den))
    ref = REF[(REF.design == design_name) & (REF.num == num) & (REF.den == den)]
    ref = ref.set_index("stat")["value"].astype(float)
    for stat in STATS:
        np.testing.assert_allclose(got[stat], ref[stat], rtol=RTOL, err_msg=stat)


def test_every_design_and_missing_values_are_covered():
    assert set(REF.design) == set(DESIGNS)
    d = DESIGNS["api_strat"]()
    e = d.ratio("acs.46", "acs.k3")
    both = d.frame[["acs.46", "acs.k3"]].notna().all(axis=1)
    assert e.n == int(both.sum()) and e.n_missing == int((~both).sum()) > 0
    assert e.statistic == "ratio" and e.variable == "acs.46/acs.k3"


def test_ratio_of_a_variable_to_a_constant_is_the_mean():
    d = DESIGNS["clus2"]()
    one = np.ones(d.n)
    r, m = d.ratio("api00", one), d.mean("api00")
    np.testing.assert_allclose([r.estimate, r.se], [m.estimate, m.se], rtol=1e-12)


def test_conf_level_and_df():
    d = DESIGNS["api_clus1"]()
    e = d.ratio("api.stu", "enroll", conf_level=0.9, df=np.inf)
    np.testing.assert_allclose(e.ci_high - e.estimate, 1.6448536269514722 * e.se, rtol=1e-12)
    assert e.conf_level == 0.9 and np.isinf(e.df)


def test_unknown_column_names_it():
    with pytest.raises(DesignError, match="nope"):
        DESIGNS["api_strat"]().ratio("api.stu", "nope")
    with pytest.raises(DesignError, match="nope"):
        DESIGNS["api_strat"]().ratio("nope", "enroll")


def test_zero_denominator_names_the_column():
    df = pd.DataFrame({"y": [1.0, 2, 3], "zero": [0.0, 0, 0], "w": [1.0, 1, 2]})
    with pytest.raises(DesignError, match="'zero'") as info:
        sk.SurveyDesign(df, weights="w").ratio("y", "zero")
    assert "zero" in str(info.value)


def test_no_row_with_both_values():
    df = pd.DataFrame({"y": [1.0, None], "x": [None, 2.0]})
    with pytest.raises(DesignError, match="both"):
        sk.SurveyDesign(df).ratio("y", "x")
