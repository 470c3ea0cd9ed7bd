"""Quantile rules and intervals, and the likelihood interval of a proportion, against R
`survey` (fixtures from tests/r/quantile_ci_fixtures.R)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from survey_kit.design.intervals import qrule_hf7
from survey_kit.stats.roots import zeroin
from survey_kit.design.survey_design import SurveyDesign
from survey_kit.errors import UsageError

FIX = Path(__file__).parent / "fixtures" / "r"
REL = 1e-8
# R's own svyciprop(method = "likelihood") interpolates a spline through at most ten
# profile points; the exact profile roots (kind prop_likelihood) are compared at REL
REL_R_SPLINE = 5e-3


@cache
def reference() -> pd.DataFrame:
    ref = pd.read_csv(FIX / "quantile_ci_reference.csv", dtype={"level": str},
                      keep_default_na=False)
    ref = ref[ref["design"] != "meta"].copy()
    ref["value"] = pd.to_numeric(ref["value"].replace("", np.nan))
    return ref


@cache
def design(name: str) -> SurveyDesign:
    if name == "api_strat":
        return SurveyDesign(pd.read_csv(FIX / "apistrat.csv"), weights="pw", strata="stype",
                            fpc="fpc")
    return SurveyDesign(pd.read_csv(FIX / "apiclus1.csv"), weights="pw", cluster="dnum",
                        fpc="fpc")


def _value(row) -> float:
    d = design(row.design)
    if row.kind.startswith("quantile_"):
        _, qrule, interval_type = row.kind.split("_")
        e = d.quantile(row.var, float(row.level), qrule=qrule, interval_type=interval_type)
    else:
        e = d.proportion(row.var, row.level, ci_method="likelihood")
    return getattr(e, row.stat)


def _groups():
    ref = reference()
    return sorted(set(zip(ref["design"], ref["kind"])))


def test_fixture_covers_the_cases():
    kinds = set(reference()["kind"])
    assert {"quantile_math_mean", "quantile_math_score", "quantile_hf7_mean",
            "quantile_hf7_score", "prop_likelihood", "prop_likelihood_r"} <= kinds
    props = reference().query("kind == 'prop_likelihood' and stat == 'estimate'")["value"]
    assert props.min() < 0.06          # one proportion near 0


@pytest.mark.parametrize("dname,kind", _groups())
def test_agrees_with_r(dname, kind):
    ref = reference()
    sub = ref[(ref["design"] == dname) & (ref["kind"] == kind)]
    assert len(sub)
    rel = REL_R_SPLINE if kind == "prop_likelihood_r" else REL
    bad = []
    for row in sub.itertuples(index=False):
        py = float(_value(row))
        if np.isnan(row.value):
            ok = np.isnan(py)
        else:
            ok = abs(py - row.value) <= rel * abs(row.value)
        if not ok:
            bad.append((row.var, row.level, row.stat, py, row.value))
    assert not bad, bad


def test_sequence_of_probabilities_and_labels():
    d = design("api_strat")
    es = d.quantile("api00", [0.1, 0.5], qrule="hf7", interval_type="score")
    assert len(es) == 2 and es[1].level == 0.5 and es[1].ci_method == "score"
    assert d.quantile("api00", 0.5).ci_method == "woodruff"
    assert d.proportion("sch.wide", "Yes", ci_method="likelihood").ci_method == "likelihood"


def test_defaults_unchanged():
    d = design("api_clus1")
    a, b = d.quantile("api00", 0.5), d.quantile("api00", 0.5, qrule="math",
                                                interval_type="mean")
    assert (a.estimate, a.ci_low, a.ci_high) == (b.estimate, b.ci_low, b.ci_high)


def test_hf7_equal_weights_is_type_7():
    x = np.array([3.0, 1, 7, 2, 9, 4])
    xs = np.sort(x)
    for p in (0.0, 0.1, 0.33, 0.5, 0.9, 1.0):
        assert qrule_hf7(xs, np.cumsum(np.ones(6)), p) == pytest.approx(np.quantile(x, p),
                                                                         rel=1e-14)


def test_zeroin_finds_a_root():
    root = zeroin(lambda t: t * t - 2, 0.0, 2.0, 1e-12, f_lower=-2.0, f_upper=2.0)
    assert root == pytest.approx(np.sqrt(2), abs=1e-12)


def test_likelihood_degenerate_proportion():
    d = SurveyDesign(pd.DataFrame({"a": ["x", "x", "x", "x"]}))
    e = d.proportion("a", "x", ci_method="likelihood")
    assert (e.estimate, e.ci_low, e.ci_high) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize("kwargs,names", [
    ({"qrule": "hf8"}, ("'math'", "'hf7'")),
    ({"qrule": None}, ("'math'", "'hf7'")),
    ({"interval_type": "beta"}, ("'mean'", "'score'")),
])
def test_unknown_quantile_options(kwargs, names):
    with pytest.raises(UsageError) as info:
        design("api_strat").quantile("api00", 0.5, **kwargs)
    assert all(n in str(info.value) for n in names)


def test_unknown_ci_method():
    with pytest.raises(UsageError) as info:
        design("api_strat").proportion("sch.wide", "Yes", ci_method="profile")
    msg = str(info.value)
    assert "'likelihood'" in msg and "'logit'" in msg and "'wilson'" in msg
