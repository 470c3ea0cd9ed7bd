"""Properties of replicate designs that hold for any data (Hypothesis).

For a linear statistic (a total) the jackknife and balanced half-samples reproduce the
linearization variance exactly (Wolter 2007, ch. 3-4): JK1 on an unstratified design,
JKn on a stratified one (with its fpc), and BRR / Fay with two PSUs per stratum (full
orthogonal balance of R's Hadamard rows). Replicate weights supplied as columns give the
same answers as the design they were built from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import survey_kit as sk


@st.composite
def stratified(draw, psus_per_stratum=None):
    H = draw(st.integers(1, 9))
    rows = []
    for h in range(H):
        n_h = psus_per_stratum or draw(st.integers(2, 4))
        for j in range(n_h):
            for _ in range(draw(st.integers(1, 3))):
                rows.append((f"h{h}", f"h{h}p{j}",
                             draw(st.floats(0.5, 20, allow_nan=False)),
                             draw(st.floats(-50, 50, allow_nan=False)), 50 + 10 * h))
    return pd.DataFrame(rows, columns=["h", "psu", "w", "y", "N"])


@settings(max_examples=40, deadline=None)
@given(stratified())
def test_jkn_total_is_the_linearization_variance(df):
    d = sk.SurveyDesign(df, weights="w", strata="h", cluster="psu", fpc="N")
    r = d.as_replicate("JKn")
    assert np.isclose(r.total("y").se, d.total("y").se, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(stratified(psus_per_stratum=2), st.sampled_from([0.0, 0.3, 0.5]))
def test_brr_and_fay_total_is_the_linearization_variance(df, rho):
    d = sk.SurveyDesign(df, weights="w", strata="h", cluster="psu")
    r = d.as_replicate("Fay", fay_rho=rho) if rho else d.as_replicate("BRR")
    assert np.isclose(r.total("y").se, d.total("y").se, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(stratified())
def test_jk1_total_and_columns_round_trip(df):
    d = sk.SurveyDesign(df, weights="w", cluster="psu")
    r = d.as_replicate("JK1")
    assert np.isclose(r.total("y").se, d.total("y").se, rtol=1e-9, atol=1e-9)
    W = r.replicates.analysis()
    cols = pd.concat([df, pd.DataFrame(W, columns=[f"rep{k}" for k in range(W.shape[1])])],
                     axis=1)
    c = sk.SurveyDesign(cols, weights="w", replicate_weights="rep", replicate_type="JK1",
                        scale=r.replicates.scale)
    for stat in ("mean", "total"):
        a, b = getattr(r, stat)("y"), getattr(c, stat)("y")
        assert np.isclose(a.se, b.se, rtol=1e-10, atol=1e-12)
    assert c.degf == r.degf
