"""SurveyDesign.vcov_total_coded (the per-code fast path) against vcov_total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk
from survey_kit.design.coded import vcov_coded_fast
from survey_kit.errors import DesignError, UsageError


def _design(seed: int, kind: str, lonely: str, strata: bool, missing: bool):
    rng = np.random.default_rng(seed)
    n = 240
    a = rng.choice(list("xyz"), n).astype(object)
    if missing:
        a[:4] = None
    df = pd.DataFrame({"a": pd.Categorical(a, categories=list("xyz")),
                       "b": pd.Categorical(rng.choice(list("pq"), n)),
                       "s": rng.integers(0, 3, n), "w": rng.lognormal(0, 0.5, n)})
    df.loc[df.index[5], "s"] = 99                 # a lonely stratum
    d = sk.SurveyDesign(df, weights="w", strata="s" if strata else None, lonely_psu=lonely)
    if kind == "rake":
        d = d.rake({"a": {"x": 50, "y": 30, "z": 20}, "b": {"p": 40, "q": 60}},
                   not_stated="exclude" if missing else None)
    elif kind == "post":
        d = d.poststratify({"a": {"x": 50, "y": 30, "z": 20}},
                           not_stated="exclude" if missing else None)
    return d, rng


@pytest.mark.parametrize("kind", ["none", "rake", "post"])
@pytest.mark.parametrize("lonely", ["remove", "adjust", "average", "certainty"])
@pytest.mark.parametrize("strata", [False, True])
@pytest.mark.parametrize("missing", [False, True])
def test_coded_equals_gathered(kind, lonely, strata, missing):
    seed = ["none", "rake", "post"].index(kind) * 16 + len(lonely) * 4 + 2 * strata + missing
    d, rng = _design(seed, kind, lonely, strata, missing)
    table = rng.normal(size=(5, 3))
    code = rng.integers(-1, 5, d.n)
    x = np.zeros((d.n, 3))
    x[code >= 0] = table[code[code >= 0]]
    for subset in (None, rng.random(d.n) < 0.7):
        want = d.vcov_total(x, subset=subset)
        got = d.vcov_total_coded(table, code, subset=subset)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12 * np.abs(want).max())
    assert vcov_coded_fast(d, table, code, None) is not None   # the fast path was taken


def _cluster_design(seed: int, lonely: str, fpc: bool, zeros: bool):
    """Random stratified cluster design: uneven PSUs per stratum, one lonely PSU,
    optional fpc and zero weights."""
    rng = np.random.default_rng(seed)
    n = 300
    s = rng.integers(0, 4, n)
    c = rng.integers(0, 6, n)
    s[:7], c[:7] = 9, 0                        # stratum 9: a single PSU (lonely)
    w = rng.lognormal(0, 0.5, n)
    if zeros:
        w[rng.random(n) < 0.1] = 0.0
    df = pd.DataFrame({"s": s, "c": c, "w": w,
                       "N": pd.Series(s).map({0: 40, 1: 25, 2: 60, 3: 30, 9: 5}).astype(float)})
    d = sk.SurveyDesign(df, weights="w", strata="s", cluster="c",
                        fpc="N" if fpc else None, lonely_psu=lonely)
    return d, rng


@pytest.mark.parametrize("lonely", ["remove", "adjust", "average", "certainty"])
@pytest.mark.parametrize("fpc", [False, True])
@pytest.mark.parametrize("zeros", [False, True])
def test_coded_clusters_equal_gathered(lonely, fpc, zeros):
    d, rng = _cluster_design(len(lonely) * 4 + 2 * fpc + zeros, lonely, fpc, zeros)
    assert d.coded_path(6) == "psu"
    table = rng.normal(size=(6, 4))
    code = rng.integers(-1, 6, d.n)
    x = np.zeros((d.n, 4))
    x[code >= 0] = table[code[code >= 0]]
    for subset in (None, rng.random(d.n) < 0.6, d.frame["s"].to_numpy() != 9):
        want = d.vcov_total(x, subset=subset)
        got = d.vcov_total_coded(table, code, subset=subset)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12 * np.abs(want).max())
    assert vcov_coded_fast(d, table, code, None) is not None   # the per-PSU path was taken


def test_coded_clusters_lonely_fail_raises():
    d, rng = _cluster_design(5, "fail", False, False)
    table = rng.normal(size=(3, 2))
    code = rng.integers(0, 3, d.n)
    with pytest.raises(DesignError):
        d.vcov_total_coded(table, code)
    with pytest.raises(DesignError):
        d.vcov_total(table[code])


def test_coded_falls_back_for_calibrated_clusters():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"c": rng.integers(0, 20, 200), "w": rng.lognormal(0, 0.3, 200),
                       "a": pd.Categorical(rng.choice(list("xy"), 200))})
    d = sk.SurveyDesign(df, weights="w", cluster="c").poststratify({"a": {"x": 90, "y": 110}})
    table = rng.normal(size=(4, 2))
    code = rng.integers(0, 4, 200)
    assert d.coded_path(4) == "general"
    assert vcov_coded_fast(d, table, code, None) is None
    np.testing.assert_allclose(d.vcov_total_coded(table, code), d.vcov_total(table[code]),
                               rtol=1e-12)


def test_coded_path_names():
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"c": rng.integers(0, 20, 200), "w": rng.lognormal(0, 0.3, 200),
                       "a": pd.Categorical(rng.choice(list("xy"), 200))})
    plain = sk.SurveyDesign(df, weights="w")
    assert plain.coded_path() == "srs"
    assert plain.poststratify({"a": {"x": 90, "y": 110}}).coded_path() == "atoms"
    assert sk.SurveyDesign(df, weights="w", cluster="c").coded_path() == "psu"
    assert plain.calibrate({"a": {"x": 90, "y": 110}}).coded_path() == "general"


def test_degf_of_subset():
    d, _ = _cluster_design(1, "remove", False, True)
    mask = d.frame["s"].to_numpy() != 9
    assert d.degf_of(np.ones(d.n, dtype=bool)) == d.degf
    used = d.frame[mask & (d.weights != 0)]      # R: degf(design[mask, ]) counts rows with weight
    expected = len(used.groupby(["s", "c"])) - used["s"].nunique()
    assert d.degf_of(mask) == expected
    with pytest.raises(UsageError):
        d.degf_of(mask[:-1])


def test_coded_rejects_bad_codes():
    d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
    with pytest.raises(UsageError):
        d.vcov_total_coded(np.ones((2, 1)), np.array([0, 1, 2, 0]))
    with pytest.raises(UsageError):
        d.vcov_total_coded(np.ones((2, 1)), np.array([0, 1, 0]))
