"""Design effects do not depend on the scale of the weights (issue: weights calibrated to
population shares sum to n, which made R's without-replacement factor (N - n)/N zero).

Without an fpc the SRS comparison is with replacement (R ``deff="replace"``); with an fpc,
without replacement (R ``deff=TRUE``). Both are checked against R in
tests/test_design.py and tests/test_design_multistage.py; here, the invariances.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk

RNG = np.random.default_rng(11)
N = 400
FRAME = pd.DataFrame({
    "y": RNG.normal(50, 10, N),
    "b": RNG.integers(0, 2, N),
    "g": RNG.choice(["a", "b", "c"], N),
    "s": RNG.choice(["s1", "s2", "s3", "s4"], N),
    "psu": RNG.integers(0, 40, N),
    "w": RNG.uniform(0.5, 3.0, N),
})


@pytest.mark.parametrize("scale", [1e-6, 1.0, 250.0, 1e6])
@pytest.mark.parametrize("kind", ["mean", "total", "proportion", "by"])
def test_deff_is_scale_free_without_fpc(scale, kind):
    base = sk.SurveyDesign(FRAME, weights="w", strata="s", cluster="psu")
    scaled = sk.SurveyDesign(FRAME.assign(w=FRAME.w * scale), weights="w", strata="s",
                             cluster="psu")

    def deff(d):
        if kind == "mean":
            return d.mean("y").deff
        if kind == "total":
            return d.total("y").deff
        if kind == "proportion":
            return d.proportion("b", 1).deff
        return d.by("y", "g")["deff"].to_numpy()

    np.testing.assert_allclose(deff(scaled), deff(base), rtol=1e-10)


def test_shares_and_counts_targets_give_the_same_deff():
    counts = sk.as_targets({"g": {"a": 3000.0, "b": 5000.0, "c": 2000.0}})
    shares = sk.as_targets({"g": {"a": 0.3, "b": 0.5, "c": 0.2}}, total=float(N))
    d_counts = sk.SurveyDesign(FRAME, weights="w").rake(counts)
    d_shares = sk.SurveyDesign(FRAME, weights="w").rake(shares)
    assert np.isclose(d_shares.weights.sum(), N)
    for est in ("mean", "total"):
        a = getattr(d_counts, est)("y").deff
        b = getattr(d_shares, est)("y").deff
        assert np.isfinite(b) and 0.5 < b < 5
        np.testing.assert_allclose(b, a, rtol=1e-9)
    np.testing.assert_allclose(d_shares.proportion("b", 1).deff,
                               d_counts.proportion("b", 1).deff, rtol=1e-9)


def test_unweighted_design_has_deff_one_for_a_mean():
    d = sk.SurveyDesign(FRAME)
    assert d.mean("y").deff == pytest.approx(1.0, rel=1e-12)
    assert d.proportion("b", 1).deff == pytest.approx(1.0, rel=1e-12)


def test_with_fpc_the_comparison_is_without_replacement():
    frame = FRAME.assign(fpc=4000)
    with_fpc = sk.SurveyDesign(frame, strata="s", fpc="fpc")
    n = len(frame)
    # an SRS within strata with fpc has deff close to one against SRS without replacement
    assert 0.8 < with_fpc.mean("y").deff < 1.2
    assert with_fpc.weights.sum() == pytest.approx(4000 * 4)
    assert n < with_fpc.weights.sum()
