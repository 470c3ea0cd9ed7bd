"""Banner tables (survey_kit/tables/): cells, bases, nets, letters, tests, formats, CLI.

Every weighted number is checked against the design module (``design.by``,
``design.compare``, ``design.total``, ``design.mean``, ``vcov_total``) and
every test against the stats module (``stats.svychisq``,
``stats.pearson_chisq``), on designs with weights only, strata and fpc,
clusters, and calibration (raking, post-stratification, GREG), so each of the
crosstab engine's variance paths (per-stratum sums, PSU totals, vcov_total)
is covered.
"""

from __future__ import annotations

import dataclasses
import html.parser
import importlib
import io
import math
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from conftest import FIRM_YAML, SAMPLE_CSV
from hypothesis import given, settings
from hypothesis import strategies as st

import survey_kit as sk
from survey_kit.tables.crosstab import crosstab
from survey_kit.tables.design_info import DesignInfo
from survey_kit.tables.doc_xlsx import write_workbook
from survey_kit.tables.letters import adjust_families
from survey_kit.tables.result import Crosstab
from survey_kit.errors import CrosstabError, UsageError

# the module (the attribute survey_kit.tables.crosstab may be the function or the module)
ctmod = importlib.import_module("survey_kit.tables.crosstab")

REL = 1e-9


def close(a, b, rel=REL, abs_=1e-12):
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------

def make_frame(n=420, seed=7):
    rng = np.random.default_rng(seed)
    a = rng.choice(["x", "y", "z"], n, p=[0.25, 0.35, 0.40])
    g = rng.choice(["p", "q", "r"], n, p=[0.3, 0.3, 0.4])
    # make 'x' more common in column 'p' so that letters appear
    a = np.where((g == "p") & (rng.random(n) < 0.35), "x", a)
    frame = pd.DataFrame({
        # 'e' is a level nobody chose: kept, shown with a dash
        "a": pd.Categorical(a, categories=["x", "y", "z", "e"]),
        "g": pd.Categorical(g, categories=["p", "q", "r"]),
        "h": pd.Categorical(rng.choice(["u", "v"], n)),
        "y": rng.gamma(3.0, 2.0, n) + (g == "r") * 1.5,
        "s": rng.choice(["s1", "s2", "s3", "s4"], n),
        "psu": rng.integers(0, 40, n),
        "w": rng.uniform(0.5, 4.0, n),
    })
    frame.loc[rng.random(n) < 0.06, "a"] = np.nan
    frame.loc[rng.random(n) < 0.04, "g"] = np.nan
    frame.loc[rng.random(n) < 0.05, "y"] = np.nan
    frame["fpc"] = frame["s"].map({"s1": 900, "s2": 1200, "s3": 1500, "s4": 2000}).astype(float)
    # a multi-select question with three options; 8% did not answer at all
    answered = rng.random(n) > 0.08
    for k, prob in zip(("m_one", "m_two", "m_three"), (0.5, 0.3, 0.15)):
        frame[k] = np.where(answered, (rng.random(n) < prob + 0.15 * (g == "q")).astype(float),
                            np.nan)
    frame.index = pd.Index([f"R{i:04d}" for i in range(n)], name="respondent_id")
    return frame


FRAME = make_frame()


def designs():
    f = FRAME
    base = sk.SurveyDesign(f, weights="w")
    cal_frame = f.dropna(subset=["g"])
    cal = sk.SurveyDesign(cal_frame, weights="w")
    margins = {"s": {"s1": 900.0, "s2": 1200.0, "s3": 1500.0, "s4": 2000.0},
               "g": {"p": 1500.0, "q": 1700.0, "r": 2400.0}}
    # stratified, raked to margins of which one is missing for some respondents: they are
    # excluded from weighting (weight 0) but stay in the design
    g2 = f.assign(g2=f["g"])
    strat = sk.SurveyDesign(g2, weights="w", strata="s")
    return {
        "weights": base,
        "strata_fpc": sk.SurveyDesign(f, weights="w", strata="s", fpc="fpc"),
        "cluster": sk.SurveyDesign(f, weights="w", strata="s", cluster="psu"),
        "raked": cal.rake(margins),
        "raked_strata_zero": strat.rake({"s": margins["s"], "g2": margins["g"]},
                                        not_stated="exclude"),
        "poststratified": cal.poststratify({"s": margins["s"]}),
        "greg": cal.calibrate(margins),
    }


DESIGNS = designs()
KINDS = list(DESIGNS)


def indicator(frame, var, levels):
    v = frame[var]
    return v.isin(levels).astype(float).where(v.notna())


def cellrow(tab, row_level, col_level, block=None, banner=None):
    return tab.cell(row_level, col_level, block=block, banner_variable=banner)


# ---------------------------------------------------------------------------
# the engine picks the variance path we think it does
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind,mode", [("weights", "srs"), ("strata_fpc", "srs"),
                                       ("cluster", "psu"), ("raked", "atoms"),
                                       ("raked_strata_zero", "atoms"),
                                       ("poststratified", "atoms"), ("greg", "general")])
def test_variance_paths(kind, mode):
    d = DESIGNS[kind]
    assert ctmod.design_info(d, True, d.n).mode == mode
    if kind == "raked_strata_zero":
        assert (d.weights == 0).sum() == FRAME["g"].isna().sum() > 0


# ---------------------------------------------------------------------------
# cells and bases against the design module
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_cells_match_design_by(kind):
    d = DESIGNS[kind]
    f = d.frame
    tab = crosstab(d, "a", "g")
    worst = 0.0
    for lev in ["x", "y", "z"]:
        ref = d.by("a", "g", stat="proportion", level=lev)
        tot = d.proportion("a", lev)
        for col in ["p", "q", "r"]:
            c = cellrow(tab, lev, col)
            e = ref.loc[col]
            for mine, theirs in ((c["percent"] / 100, e["estimate"]), (c["se"] / 100, e["se"]),
                                 (c["ci_low"] / 100, e["ci_low"]),
                                 (c["ci_high"] / 100, e["ci_high"])):
                assert close(mine, theirs), (lev, col, mine, theirs)
                worst = max(worst, abs(mine - theirs) / abs(theirs))
        c = cellrow(tab, lev, "total")
        assert close(c["percent"] / 100, tot.estimate) and close(c["se"] / 100, tot.se)
    assert worst < 1e-9
    # bases: unweighted, weighted and Kish effective base per column
    answered = f["a"].notna()
    for col in ["p", "q", "r"]:
        m = answered & (f["g"] == col)
        w = d.weights[m.to_numpy()]
        c = cellrow(tab, "x", col)
        assert c["unweighted_base"] == m.sum()
        assert close(c["weighted_base"], w.sum())
        assert close(c["effective_base"], w.sum() ** 2 / (w ** 2).sum())
        assert c["unweighted_count"] == (m & (f["a"] == "x")).sum()
    assert cellrow(tab, "x", "total")["unweighted_base"] == answered.sum()


@pytest.mark.parametrize("kind", KINDS)
def test_rao_scott_matches_svychisq(kind):
    d = DESIGNS[kind]
    tab = crosstab(d, "a", ["g", "h"])
    for banner in ("g", "h"):
        ref = sk.svychisq(d, "a", banner, statistic="F")
        t = tab.tests[tab.tests["banner_variable"] == banner].iloc[0]
        assert t["method"] == "Rao-Scott F"
        assert close(t["statistic"], ref.statistic)
        assert close(t["df1"], ref.df[0]) and close(t["df2"], ref.df[1])
        assert close(t["pvalue"], ref.pvalue, rel=1e-6)
        assert close(t["cramers_v"], ref.details["cramers_v"])


@pytest.mark.parametrize("kind", KINDS)
def test_letters_match_design_compare(kind):
    d = DESIGNS[kind]
    tab = crosstab(d, "a", "g")
    cmp = tab.comparisons
    for lev in ["x", "y", "z"]:
        fam = cmp[(cmp["row_level"] == lev) & (cmp["banner_variable"] == "g")]
        assert len(fam) == 3
        for _, r in fam.iterrows():
            ref = d.compare("a", "g", r["column_a"], r["column_b"], stat="proportion",
                            level=lev)
            assert close(r["difference"], ref.difference)
            assert close(r["se"], ref.se)
            assert close(r["statistic"], ref.t)
            assert r["df"] == d.degf
            assert close(r["pvalue"], ref.p_value, rel=1e-6)
        # Holm across the three pairs of this row (one family)
        from statsmodels.stats.multitest import multipletests

        with mock.patch("gc.collect", lambda *args: 0):
            adj = multipletests(fam["pvalue"].to_numpy(), method="holm")[1]
        np.testing.assert_allclose(fam["pvalue_adjusted"].to_numpy(), adj, rtol=1e-12)
        # letters sit in the higher column and name the lower one
        for _, r in fam.iterrows():
            hi, lo = ((r["column_a"], r["letter_b"]) if r["difference"] > 0
                      else (r["column_b"], r["letter_a"]))
            assert (lo in cellrow(tab, lev, hi)["letters"]) == bool(r["significant"])
            assert r["significant"] == (r["pvalue_adjusted"] < 0.05)


def test_letter_by_hand_with_vcov_total():
    """One pair's difference, SE and p from the influence functions, by hand."""
    from scipy import stats

    d = DESIGNS["strata_fpc"]
    f = d.frame
    tab = crosstab(d, "a", "g")
    w = d.weights
    y = (f["a"] == "x").to_numpy(float)
    ans = f["a"].notna().to_numpy()
    z = []
    for col in ("p", "r"):
        dom = ans & (f["g"] == col).to_numpy()
        N = w[dom].sum()
        p = (w * y)[dom].sum() / N
        z.append(np.where(dom, (y - p) / N, 0.0))
    diff_est = (tab.cell("x", "p")["percent"] - tab.cell("x", "r")["percent"]) / 100
    V = d.vcov_total(np.column_stack(z))
    se = math.sqrt(V[0, 0] + V[1, 1] - 2 * V[0, 1])
    pv = 2 * stats.t.sf(abs(diff_est / se), d.degf)
    r = tab.comparisons.query("row_level == 'x' and column_a == 'p' and column_b == 'r'").iloc[0]
    assert close(r["difference"], diff_est) and close(r["se"], se) and close(r["pvalue"], pv)
    assert "C" in tab.cell("x", "p")["letters"]          # p (A) is higher than r (C)
    assert r["significant"]


@pytest.mark.parametrize("kind", KINDS)
def test_numeric_means(kind):
    """Mean rows with SEs, pairwise letters and the Wald F test of equal means."""
    d = DESIGNS[kind]
    tab = crosstab(d, "y", "g")
    ref = d.by("y", "g", stat="mean")
    for col in ["p", "q", "r"]:
        c = cellrow(tab, "mean", col)
        assert close(c["mean"], ref.loc[col, "estimate"])
        assert close(c["se"], ref.loc[col, "se"])
        assert c["unweighted_base"] == ref.loc[col, "n"]
    cm = tab.comparisons.query("column_a == 'q' and column_b == 'r'").iloc[0]
    cref = d.compare("y", "g", "q", "r")
    assert close(cm["se"], cref.se) and close(cm["pvalue"], cref.p_value, rel=1e-6)
    # Wald F of equal means = the svyglm Wald test of the banner terms
    fit = d.glm("y ~ C(g)")
    terms = [k for k in fit.params.index if k.startswith("C(g)")]
    b = fit.params[terms].to_numpy()
    V = fit.vcov.loc[terms, terms].to_numpy()
    F = float(b @ np.linalg.solve(V, b)) / len(terms)
    t = tab.tests.iloc[0]
    assert t["method"] == "Design-based Wald F"
    assert close(t["statistic"], F, rel=1e-7)
    assert t["df1"] == 2 and t["df2"] == fit.df_resid


def test_percent_modes_match_design():
    d = DESIGNS["strata_fpc"]
    f = d.frame
    ans = f["a"].notna()
    # total percentages: mean over all who answered of 1[a = x and g = p]
    tab = crosstab(d, "a", "g", percent="total")
    ind = ((f["a"] == "x") & (f["g"] == "p")).astype(float).where(ans)
    e = d.mean(ind)
    c = tab.cell("x", "p")
    assert close(c["percent"] / 100, e.estimate) and close(c["se"] / 100, e.se)
    # row percentages: share of column p among those with a = x and a banner value
    tab = crosstab(d, "a", "g", percent="row")
    ind = (f["g"] == "p").astype(float).where(f["g"].notna())
    e = d.by(ind, "a", stat="mean").loc["x"]
    c = tab.cell("x", "p")
    assert close(c["percent"] / 100, e["estimate"]) and close(c["se"] / 100, e["se"])
    assert close(tab.cell("x", "total")["percent"], 100.0)
    # counts: the weighted total of the indicator
    tab = crosstab(d, "a", "g", percent="none")
    ind = ((f["a"] == "x") & (f["g"] == "p")).astype(float)
    e = d.total(ind)
    c = tab.cell("x", "p")
    assert math.isnan(c["percent"])
    assert close(c["count"], e.estimate) and close(c["se"], e.se)


@pytest.mark.parametrize("percent", ["col", "row", "total", "none"])
@pytest.mark.parametrize("kind", ["weights", "strata_fpc", "cluster", "raked_strata_zero",
                                  "poststratified"])
def test_fast_paths_equal_vcov_total_path(kind, percent, monkeypatch):
    """The per-stratum-sum, PSU-total and atom paths give what vcov_total gives."""
    d = DESIGNS[kind]
    rows = ["a", "y", "m_one"]
    fast = crosstab(d, rows, ["g", "h"], percent=percent)
    real = ctmod.design_info

    def general(design, weighted, n):
        dz = real(design, weighted, n)
        return DesignInfo("general", design, dz.w, dz.degf)

    monkeypatch.setattr(ctmod, "design_info", general)
    slow = crosstab(d, rows, ["g", "h"], percent=percent)
    num = ["percent", "count", "mean", "se", "ci_low", "ci_high", "weighted_base",
           "effective_base"]
    pd.testing.assert_frame_equal(fast.cells[num], slow.cells[num], rtol=1e-9, atol=1e-12)
    assert fast.cells["letters"].tolist() == slow.cells["letters"].tolist()
    np.testing.assert_allclose(fast.comparisons["pvalue"], slow.comparisons["pvalue"],
                               rtol=1e-7, atol=1e-14)
    np.testing.assert_allclose(fast.tests["pvalue"], slow.tests["pvalue"], rtol=1e-6,
                               atol=1e-14)


# ---------------------------------------------------------------------------
# multi-select, nets, empty levels, low bases
# ---------------------------------------------------------------------------

def test_multi_select_bases_and_percentages():
    d = DESIGNS["weights"]
    f = d.frame
    tab = crosstab(d, ["m_one", "m_two"], "g")
    answered = f["m_one"].notna()
    for opt in ("m_one", "m_two"):
        ref = d.by(opt, "g", stat="proportion")
        for col in ("p", "q", "r"):
            c = tab.cells.query("row_variable == @opt and column_level == @col").iloc[0]
            assert c["row_kind"] == "option"
            assert c["unweighted_base"] == (answered & (f["g"] == col)).sum()
            assert close(c["percent"] / 100, ref.loc[col, "estimate"])
            assert close(c["se"] / 100, ref.loc[col, "se"])
    # a per-option 2 x c Rao-Scott test
    t = tab.tests.query("row_variable == 'm_two'").iloc[0]
    ref = sk.svychisq(d, "m_two", "g")
    assert close(t["pvalue"], ref.pvalue, rel=1e-6)


def test_multi_select_by_question_id(firm_q):
    """rows='foreign_services' expands to the option variables; base = answered the question."""
    rng = np.random.default_rng(3)
    n = 300
    opts = firm_q.multi_variables("foreign_services")
    frame = pd.DataFrame({v: (rng.random(n) < 0.4).astype(float) for v in opts})
    frame.loc[:19, opts] = np.nan                                    # 20 did not answer
    frame["size_class"] = pd.Categorical(rng.choice(["micro", "small", "medium", "large"], n),
                                         categories=firm_q.levels("size_class"))
    frame["w"] = rng.uniform(1, 3, n)
    tab = crosstab(sk.SurveyDesign(frame, weights="w"), "foreign_services", "size_class",
                   questionnaire=firm_q)
    assert tab.blocks["kind"].tolist() == ["multi"]
    assert tab.blocks["label"].iloc[0] == "Foreign digital services used"
    tot = tab.cells[tab.cells["column_level"] == "total"]
    assert tot["row_level"].tolist() == [o.key for o in firm_q.question("foreign_services").options]
    assert tot["row_label"].iloc[0] == "Communications (video calls, messaging)"
    assert (tot["unweighted_base"] == n - 20).all()
    assert tot["percent"].sum() > 100                      # options are not exclusive
    assert "Multi-select" in str(tab)


def test_nets_from_questionnaire(firm_q):
    rng = np.random.default_rng(5)
    n = 500
    levels = firm_q.levels("foreign_share")
    frame = pd.DataFrame({
        "foreign_share": pd.Categorical(rng.choice(levels, n), categories=levels),
        "export_intensity": pd.Categorical(rng.choice(firm_q.levels("export_intensity"), n),
                                           categories=firm_q.levels("export_intensity")),
        "w": rng.uniform(1, 5, n)})
    d = sk.SurveyDesign(frame, weights="w")
    tab = crosstab(d, "foreign_share", "export_intensity", questionnaire=firm_q)
    net = tab.cells.query("row_kind == 'net'")
    assert set(net["row_level"]) == {"25_plus"}
    assert net["row_label"].iloc[0] == "25% or more (net)"
    ind = indicator(frame, "foreign_share", ["25_49", "50_74", "75_100"])
    ref = d.by(ind, "export_intensity", stat="mean")
    for col in firm_q.levels("export_intensity"):
        c = tab.cell("25_plus", col)
        assert close(c["percent"] / 100, ref.loc[col, "estimate"])
        assert close(c["se"] / 100, ref.loc[col, "se"])
        parts = sum(tab.cell(k, col)["percent"] for k in ["25_49", "50_74", "75_100"])
        assert close(c["percent"], parts)
    no_nets = crosstab(d, "foreign_share", "export_intensity", questionnaire=firm_q, nets=False)
    assert (no_nets.cells["row_kind"] == "level").all()
    # order and labels from the questionnaire
    rows = tab.cells.query("column_level == 'total'")
    assert rows["row_level"].tolist() == levels + ["25_plus"]
    assert tab.columns["column_label"].tolist()[1:] == [
        firm_q.label("export_intensity", k) for k in firm_q.levels("export_intensity")]


def test_empty_levels_kept_with_dash():
    d = DESIGNS["weights"]
    frame = d.frame.copy()
    frame["g2"] = pd.Categorical(frame["g"].astype(object), categories=["p", "q", "r", "zz"])
    d2 = sk.SurveyDesign(frame, weights="w")
    tab = crosstab(d2, "a", "g2")
    e = tab.cells.query("row_level == 'e'")
    assert len(e) == 5                                   # Total + 4 columns, none dropped
    assert (e["unweighted_count"] == 0).all()
    assert (e.query("column_level != 'zz'")["percent"] == 0).all()
    zz = tab.cells.query("column_level == 'zz'")
    assert (zz["unweighted_base"] == 0).all() and zz["percent"].isna().all()
    # the empty column takes part in no test
    assert not (tab.comparisons["column_a"].eq("zz") & tab.comparisons["pvalue"].notna()).any()
    assert not (tab.comparisons["column_b"].eq("zz") & tab.comparisons["pvalue"].notna()).any()
    text = str(tab)
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("e "))
    # nobody answered 'e' but the bases are not empty: a true zero reads 0.0; only the
    # column without respondents (zz) reads "-"
    assert line.split()[1:] == ["0.0", "0.0", "0.0", "0.0", "-"]
    # the test drops the empty level and column, as svychisq does
    ref = sk.svychisq(d2, "a", "g2")
    assert close(tab.tests["pvalue"].iloc[0], ref.pvalue, rel=1e-6)


def test_low_base_marked_and_not_tested():
    d = DESIGNS["weights"]
    tab = crosstab(d, "a", "g", min_base=130)
    bases = tab.cells.query("row_level == 'x' and banner_variable == 'g'")
    low = bases.set_index("column_level")["low_base"]
    ub = bases.set_index("column_level")["unweighted_base"]
    assert (low == (ub < 130)).all() and low.any() and not low.all()
    lowcols = set(low[low].index)
    cmp = tab.comparisons
    involved = cmp["column_a"].isin(lowcols) | cmp["column_b"].isin(lowcols)
    assert cmp.loc[involved, "pvalue"].isna().all()
    assert cmp.loc[~involved, "pvalue"].notna().all()
    assert f"{int(ub[min(lowcols)]):,}*" in str(tab)
    assert "below 130" in str(tab)


# ---------------------------------------------------------------------------
# unweighted tables
# ---------------------------------------------------------------------------

def test_unweighted_table_pearson_and_z_letters():
    from scipy import stats

    f = FRAME
    for data, kw in ((f, {}), (DESIGNS["strata_fpc"], {"weighted": False})):
        tab = crosstab(data, "a", "g", **kw)
        assert not tab.weighted
        t = tab.tests.iloc[0]
        ref = sk.pearson_chisq(f, "a", "g")
        assert t["method"] == "Pearson chi-square"
        assert close(t["statistic"], ref.statistic) and close(t["pvalue"], ref.pvalue)
        assert t["df1"] == ref.df
        sub = f.dropna(subset=["a", "g"])
        chi2, _, _, _ = stats.chi2_contingency(pd.crosstab(sub["a"], sub["g"]),
                                               correction=False)
        assert close(t["statistic"], chi2)
        assert close(t["cramers_v"], math.sqrt(chi2 / len(sub) / 2))
        # percentages are counts over the base; SE binomial
        m = f["a"].notna() & (f["g"] == "q")
        c = tab.cell("y", "q")
        p = (m & (f["a"] == "y")).sum() / m.sum()
        assert close(c["percent"], 100 * p)
        assert close(c["se"], 100 * math.sqrt(p * (1 - p) / m.sum()))
        assert c["weighted_base"] == m.sum() and c["effective_base"] == m.sum()
        # pooled two-proportion z test for one pair
        r = tab.comparisons.query(
            "row_level == 'x' and column_a == 'p' and column_b == 'q'").iloc[0]
        xa = ((f["g"] == "p") & (f["a"] == "x")).sum()
        na = (f["a"].notna() & (f["g"] == "p")).sum()
        xb = ((f["g"] == "q") & (f["a"] == "x")).sum()
        nb = (f["a"].notna() & (f["g"] == "q")).sum()
        pb = (xa + xb) / (na + nb)
        z = (xa / na - xb / nb) / math.sqrt(pb * (1 - pb) * (1 / na + 1 / nb))
        assert close(r["statistic"], z) and close(r["pvalue"], 2 * stats.norm.sf(abs(z)))
        assert "Unweighted percentages; Pearson chi-square tests" in tab.notes[0]


def test_unweighted_means_anova_and_welch():
    from scipy import stats

    f = FRAME
    tab = crosstab(f, "y", "g")
    groups = [f.loc[f["g"] == k, "y"].dropna() for k in ("p", "q", "r")]
    F, p = stats.f_oneway(*groups)
    t = tab.tests.iloc[0]
    assert t["method"] == "One-way ANOVA F" and close(t["statistic"], F) and close(t["pvalue"], p)
    ref = stats.ttest_ind(groups[0], groups[2], equal_var=False)
    r = tab.comparisons.query("column_a == 'p' and column_b == 'r'").iloc[0]
    assert close(r["statistic"], ref.statistic) and close(r["pvalue"], ref.pvalue)
    c = tab.cell("mean", "q")
    assert close(c["mean"], groups[1].mean()) and close(c["se"], groups[1].sem())


# ---------------------------------------------------------------------------
# adjustment, properties
# ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.floats(0, 1), st.just(float("nan"))), min_size=1,
                         max_size=8), min_size=1, max_size=5).filter(
    lambda rows: len({len(r) for r in rows}) == 1),
       st.sampled_from(["holm", "fdr_bh", "bonferroni"]))
def test_adjustment_matches_statsmodels(rows, method):
    from statsmodels.stats.multitest import multipletests

    P = np.array(rows, dtype=float)
    A = adjust_families(P, method)
    # statsmodels' Holm branch calls gc.collect() on every call; not what is tested here
    with mock.patch("gc.collect", lambda *args: 0):
        for r in range(P.shape[0]):
            ok = np.isfinite(P[r])
            assert np.isnan(A[r, ~ok]).all()
            if ok.any():
                np.testing.assert_allclose(A[r, ok], multipletests(P[r, ok], method=method)[1],
                                           rtol=1e-12, atol=1e-15)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(40, 150), st.booleans())
def test_invariants(seed, n, weighted):
    """Levels add to 100 in every non-empty column; nets never exceed 100; column bases add
    up to the Total base less those without a banner value; letters name lower columns."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "a": pd.Categorical(rng.choice(["x", "y", "z"], n), categories=["x", "y", "z"]),
        "g": pd.Categorical(rng.choice(["p", "q", "r", None], n), categories=["p", "q", "r"]),
        "w": rng.uniform(0.2, 5, n)})
    data = sk.SurveyDesign(frame, weights="w") if weighted else frame
    tab = crosstab(data, "a", "g", min_base=5)
    c = tab.cells
    sums = c.groupby("column_level", observed=True)["percent"].sum()
    nonempty = c.groupby("column_level", observed=True)["unweighted_base"].first() > 0
    np.testing.assert_allclose(sums[nonempty[nonempty].index], 100.0)
    first = c.drop_duplicates("column_level").set_index("column_level")
    missing_g = (frame["a"].notna() & frame["g"].isna()).sum()
    assert first.loc[["p", "q", "r"], "unweighted_base"].sum() + missing_g == \
        first.loc["total", "unweighted_base"]
    letter_of = dict(zip(tab.columns["column_level"], tab.columns["column_letter"]))
    for _, r in c[c["letters"] != ""].iterrows():
        for letter in r["letters"]:
            other = next(k for k, v in letter_of.items() if v == letter)
            assert r["percent"] > c[(c["row_level"] == r["row_level"])
                                    & (c["column_level"] == other)]["percent"].iloc[0]


# ---------------------------------------------------------------------------
# labels, languages, errors
# ---------------------------------------------------------------------------

def test_labels_fallback_without_questionnaire():
    tab = crosstab(DESIGNS["weights"], "a", "g")
    assert tab.columns["column_label"].tolist() == ["Total", "p", "q", "r"]
    assert tab.columns["column_letter"].tolist() == ["", "A", "B", "C"]
    assert tab.cells.query("column_level == 'total'")["row_level"].tolist() == list("xyze")
    assert tab.title == "a by g"


def test_japanese_labels(firm_q):
    rng = np.random.default_rng(1)
    n = 200
    frame = pd.DataFrame({
        "sector": pd.Categorical(rng.choice(firm_q.levels("sector"), n),
                                 categories=firm_q.levels("sector")),
        "foreign_value": pd.Categorical(rng.choice(firm_q.levels("foreign_value"), n),
                                        categories=firm_q.levels("foreign_value"),
                                        ordered=True)})
    tab = crosstab(frame, "foreign_value", "sector", questionnaire=firm_q, lang="ja")
    text = str(tab)
    assert "製造業" in text and "全体" in text and "非常に価値がある" in text
    assert "（ネット）" in text
    assert tab.columns["banner_label"].iloc[1] == "業種"


def test_questionnaire_found_from_attrs(tmp_path, firm_q):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"sector": pd.Categorical(rng.choice(firm_q.levels("sector"), 60),
                                                   categories=firm_q.levels("sector")),
                          "size_class": pd.Categorical(rng.choice(["micro", "large"], 60),
                                                       categories=firm_q.levels("size_class"))})
    frame.attrs["questionnaire"] = str(FIRM_YAML)
    tab = crosstab(frame, "sector", "size_class")
    assert tab.columns["column_label"].iloc[1] == "Micro (1-10 employees)"
    frame.attrs["questionnaire"] = "no_such_survey"
    tab = crosstab(frame, "sector", "size_class")
    assert tab.columns["column_label"].iloc[1] == "micro"
    assert any("no_such_survey" in w for w in tab.warnings)


def test_errors(firm_q):
    d = DESIGNS["weights"]
    with pytest.raises(CrosstabError, match="unknown row variable 'nope'; valid names are: .*a, g"):
        crosstab(d, "nope", "g")
    with pytest.raises(CrosstabError, match="unknown banner"):
        crosstab(d, "a", "nope")
    with pytest.raises(CrosstabError, match="numeric"):
        crosstab(d, "a", "y")
    with pytest.raises(UsageError, match="percent"):
        crosstab(d, "a", "g", percent="cell")
    with pytest.raises(UsageError, match="adjust"):
        crosstab(d, "a", "g", adjust="tukey")
    with pytest.raises(UsageError):
        crosstab(d, 3, "g")
    frame = pd.DataFrame({"export_share": [1.0, 20, 40], "sector": ["a", "b", "a"]})
    with pytest.raises(CrosstabError, match="use its bands 'export_intensity'"):
        crosstab(frame, "sector", "export_share", questionnaire=firm_q)
    opts = firm_q.multi_variables("foreign_services")
    bad = pd.DataFrame({v: [0.0, 1.0, 1.0] for v in opts}).assign(sector=["a", "b", "a"])
    bad.loc[1, "foreign_services_ai"] = 2.0
    with pytest.raises(CrosstabError, match="foreign_services_ai.*0/1.*found 2.0 at data row 2"):
        crosstab(bad, "foreign_services", "sector", questionnaire=firm_q)
    with pytest.raises(CrosstabError, match="multi-select question"):
        crosstab(bad, "sector", "foreign_services", questionnaire=firm_q)


def test_result_is_frozen():
    tab = crosstab(DESIGNS["weights"], "a", "g")
    assert isinstance(tab, Crosstab)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tab.title = "x"
    out = tab.to_frame()
    out.loc[0, "percent"] = -1
    assert tab.cells.loc[0, "percent"] != -1


# ---------------------------------------------------------------------------
# output formats
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def table():
    return crosstab(DESIGNS["strata_fpc"], ["a", "m_one", "y"], ["g", "h"], ci=True)


def test_text_rendering(table):
    text = str(table)
    assert text.startswith(table.title)
    assert "(A)" in text and "(E)" in text
    assert "Unweighted base" in text and "Effective base" in text
    assert "Rao-Scott F(" in text and "Wald F(" in text
    assert "letters: column proportion significantly higher at alpha=0.05 (Holm-adjusted)" \
        in " ".join(text.split())
    assert "[" in text                                    # CIs shown
    assert repr(table).startswith("<Crosstab")


def test_markdown(table):
    md = table.to_markdown()
    lines = md.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("| "))
    ncol = lines[head].count("|")
    body = [ln for ln in lines if ln.startswith("|")]
    assert all(ln.count("|") - ln.count("\\|") == ncol for ln in body)
    assert "Columns A-C: g; D-E: h." in md
    assert "| *Unweighted base* |" in md
    assert "Rao-Scott F" in md


def test_markdown_low_base_note_keeps_its_asterisk():
    """The note on low bases starts with '*': escaped inside the italics, never '**'."""
    md = crosstab(FRAME, "a", "g", min_base=130).to_markdown()
    note = next(ln for ln in md.splitlines() if "Unweighted base below 130" in ln)
    assert note.rstrip().startswith("*\\* Unweighted base below 130")
    assert note.rstrip().endswith("*") and "**" not in note
    assert "| *Base* | *397* | *114\\** | *124\\** | *146* |" in md   # low bases: '114*'


class _Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.row, self.caption, self.where = [], None, "", []
        self.sup = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "hr", "img"):
            return
        self.where.append(tag)
        if tag == "tr":
            self.row = []
        if tag in ("td", "th") and self.row is not None:
            self.row.append("")

    def handle_endtag(self, tag):
        self.where.pop()
        if tag == "tr":
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if "caption" in self.where:
            self.caption += data
        elif self.row is not None and self.row:
            self.row[-1] += data
            if "sup" in self.where:
                self.sup.append(data)


def test_html_parses(table):
    page = table.to_html()
    p = _Cells()
    p.feed(page)
    # the caption is the title; each test is printed once, in a row under its block, and
    # the notes follow the table
    assert p.caption == table.title
    tests = [r[0] for r in p.rows if r and " F(" in r[0]]
    assert len(tests) == len(set(tests)) == int(table.tests["statistic"].notna().sum())
    assert page.count("Rao-Scott F") == sum("Rao-Scott F" in x for x in tests) > 0
    assert page.index("Weighted percentages") > page.index("</table>")
    assert "<style" not in page and "script" not in page          # self-contained, inline
    rows = {}
    for r in p.rows:
        if r:
            rows.setdefault(r[0].strip(), r[1:])          # first block: 'a'

    x = rows["x"]
    assert len(x) == len(table.columns)
    assert x[0] == f"{table.cell('x', 'total')['percent']:.1f}"
    letters = table.cell("x", "p")["letters"]
    if letters:
        assert letters in p.sup
    assert rows["Unweighted base"][1].rstrip("*") == f"{table.cell('x', 'p')['unweighted_base']:,}"
    # pandas can read it too when lxml is around
    try:
        import lxml  # noqa: F401
    except ImportError:
        return
    frames = pd.read_html(io.StringIO(page))
    assert len(frames) == 1


def test_latex(table):
    tex = table.to_latex()
    for token in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{lrrrrrr}",
                  r"\multicolumn{3}{c}{g}", r"\cmidrule(lr){3-5}", r"\textit{Unweighted base}"):
        assert token in tex
    assert "alpha=0.05" in tex
    assert " % " not in tex and "50%" not in tex          # percent signs escaped


def test_workbook_writer_takes_any_object_that_writes_its_own_sheet(tmp_path):
    """write_workbook knows no Crosstab: a table writes its sheet through _write_xlsx_sheet."""
    from openpyxl import load_workbook

    class Note:
        def _write_xlsx_sheet(self, ws):
            ws["A1"] = "written by the object"

    tab = crosstab(FRAME, "a", "g")
    wb = load_workbook(write_workbook(tmp_path / "p.xlsx", {"note": Note(), "tab": tab}))
    assert wb["note"]["A1"].value == "written by the object"
    assert wb["tab"]["A1"].value == tab.title


def test_excel_roundtrip(table, tmp_path):
    from openpyxl import load_workbook

    path = table.to_excel(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert len(wb.sheetnames) == 1
    ws = wb.active
    assert ws["A1"].value == table.title and ws["A1"].font.bold
    cells = {(c.row, c.column): c for row in ws.iter_rows() for c in row if c.value is not None}
    header = next(c for c in cells.values() if c.value == "Total")
    assert header.font.bold
    xrow = next(c for c in cells.values() if c.column == 1 and c.value == "x").row
    vals = [ws.cell(row=xrow, column=j + 2) for j in range(len(table.columns))]
    assert vals[0].number_format == "0.0"     # percentages on the 0-100 scale, as every sheet
    assert close(vals[0].value, table.cell("x", "total")["percent"])
    # letters in their own sub-row below the percentages
    letters = table.cells.query("row_level == 'x'")["letters"].tolist()
    below = [ws.cell(row=xrow + 1, column=j + 2).value or "" for j in range(len(letters))]
    if any(letters):
        assert below == letters
    base = next(c for c in cells.values() if c.column == 1 and c.value == "Unweighted base")
    assert base.font.italic and ws.cell(row=base.row, column=2).font.italic
    notes = [c.value for c in cells.values() if isinstance(c.value, str)
             and c.value.startswith("Weighted percentages")]
    assert notes


def test_write_workbook_many(table, tmp_path):
    from openpyxl import load_workbook

    other = crosstab(FRAME, "a", "h")
    path = write_workbook(tmp_path / "many.xlsx", {"first: table": table, "first: table?": other,
                                                    "bases": table.cells.head(5)})
    wb = load_workbook(path)
    assert wb.sheetnames == ["first_ table", "first_ table_", "bases"]
    assert wb["bases"]["A1"].value == "block" and wb["bases"]["A1"].font.bold
    with pytest.raises(sk.ReportError):
        write_workbook(tmp_path / "bad.xlsx", {"x": 3})


def test_csv(table, tmp_path):
    text = table.to_csv()
    back = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert list(back.columns) == list(table.cells.columns)
    np.testing.assert_allclose(back["percent"].to_numpy(float),
                               table.cells["percent"].to_numpy(float), rtol=1e-12)
    path = tmp_path / "sub" / "t.csv"
    table.to_csv(path)
    assert path.read_text(encoding="utf-8") == text
    md = tmp_path / "t.md"
    table.to_markdown(md)
    assert md.read_text(encoding="utf-8") == table.to_markdown()


def test_to_frame_columns(table):
    expected = ["block", "block_label", "row_variable", "row_level", "row_label", "row_kind",
                "banner_variable", "banner_label", "column_level", "column_label",
                "column_letter", "percent", "count", "unweighted_count", "mean", "se",
                "ci_low", "ci_high", "letters", "unweighted_base", "weighted_base",
                "effective_base", "low_base"]
    assert list(table.to_frame().columns) == expected


# ---------------------------------------------------------------------------
# the bundled sample and the CLI
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_design():
    from survey_kit.cleaning.engine import clean
    from survey_kit.cli.crosstab import weighted_design

    q = sk.load_questionnaire(FIRM_YAML)
    raw = sk.read_responses(SAMPLE_CSV, q, duplicate_ids="keep")
    kept = clean(raw, q).kept
    design, _ = weighted_design(kept, q)
    return q, design


def test_core_table_on_sample(sample_design):
    """The paper's table: foreign share of digital spending by export intensity."""
    q, d = sample_design
    tab = crosstab(d, "foreign_share", "export_intensity", questionnaire=q)
    ind = indicator(d.frame, "foreign_share", ["25_49", "50_74", "75_100"])
    ref = d.by(ind, "export_intensity", stat="mean")
    for lev in q.levels("export_intensity"):
        c = tab.cell("25_plus", lev)
        assert close(c["percent"] / 100, ref.loc[lev, "estimate"])
        assert close(c["se"] / 100, ref.loc[lev, "se"])
    high, none = tab.cell("25_plus", "high"), tab.cell("25_plus", "none")
    assert high["percent"] > 50 and none["percent"] < 20
    assert "A" in high["letters"]                         # exporters above non-exporters
    ref = sk.svychisq(d, "foreign_share", "export_intensity")
    t = tab.tests.iloc[0]
    assert close(t["statistic"], ref.statistic) and close(t["pvalue"], ref.pvalue, rel=1e-6)
    assert t["pvalue"] < 1e-6


def run_cli(capsys, *argv):
    from survey_kit.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_core_table(capsys):
    code, out, err = run_cli(capsys, "crosstab", FIRM_YAML, SAMPLE_CSV, "--rows",
                             "foreign_share", "--cols", "export_intensity")
    assert code == 0, err
    assert "Foreign share of digital spending by Export share of revenue" in out
    assert "25% or more (net)" in out and "Rao-Scott F(" in out
    assert "Effective base" in out
    assert "kept after cleaning; weights: rake to size_class, sector" in err


def test_cli_formats_and_errors(capsys, tmp_path):
    base = ["crosstab", FIRM_YAML, SAMPLE_CSV, "--rows", "foreign_share"]
    code, out, err = run_cli(capsys, *base, "--cols", "no_such_var")
    assert code == 2 and "no_such_var" in err and "valid names are:" in err
    assert "export_intensity" in err and "Traceback" not in err
    code, out, err = run_cli(capsys, *base, "--cols", "export_intensity", "--format", "xlsx")
    assert code == 2 and "--out" in err
    path = tmp_path / "core.xlsx"
    code, out, err = run_cli(capsys, *base, "--cols", "export_intensity", "--cols",
                             "size_class", "--out", path)
    assert code == 0 and path.exists()
    from openpyxl import load_workbook

    assert load_workbook(path).active["A1"].value.startswith("Foreign share")
    code, out, err = run_cli(capsys, *base, "--cols", "export_intensity", "--unweighted",
                             "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert frame["weighted_base"].equals(frame["unweighted_base"].astype(float)) or \
        np.allclose(frame["weighted_base"], frame["unweighted_base"])
    code, out, err = run_cli(capsys, *base, "--cols", "export_intensity", "--format", "md",
                             "--lang", "ja")
    assert code == 0 and "25％以上（ネット）" in out


def test_cli_weight_column(capsys, tmp_path):
    raw = pd.read_csv(SAMPLE_CSV)
    raw["w"] = np.linspace(0.5, 2.0, len(raw))
    path = tmp_path / "weighted.csv"
    raw.to_csv(path, index=False)
    code, out, err = run_cli(capsys, "crosstab", FIRM_YAML, path, "--rows", "foreign_share",
                             "--cols", "sector", "--weight-column", "w", "--format", "html")
    assert code == 0, err
    assert "<table" in out and "weights from column 'w'" in err
    code, out, err = run_cli(capsys, "crosstab", FIRM_YAML, path, "--rows", "foreign_share",
                             "--cols", "sector", "--weight-column", "nope")
    assert code == 2 and "nope" in err


def test_grid_question_expands_to_items(sample_design):
    q, d = sample_design
    tab = crosstab(d, "impact", "sector", questionnaire=q)
    items = q.grid_variables("impact")
    assert tab.blocks["block"].tolist() == items
    assert tab.blocks["label"].iloc[0] == "Impact if foreign services were unavailable: Revenue"
    assert tab.title == "Impact if foreign services were unavailable by Sector"
    assert set(tab.tests["row_variable"]) == set(items)


def test_sk_crosstab_is_the_function_whatever_was_imported():
    import survey_kit

    importlib.import_module("survey_kit.tables.crosstab")
    tab = survey_kit.crosstab(FRAME, "a", "g")
    assert isinstance(tab, Crosstab)
    assert "crosstab" in survey_kit._LAZY and "Crosstab" in survey_kit._LAZY


# ---------------------------------------------------------------------------
# R reference (tests/r/crosstab_fixtures.R -> tests/fixtures/r/crosstab*.{csv,json})
# ---------------------------------------------------------------------------

R_DIR = FIRM_YAML.parents[1] / "tests" / "fixtures" / "r"


@pytest.fixture(scope="module")
def r_reference():
    import json

    ref = json.loads((R_DIR / "crosstab.json").read_text(encoding="utf-8"))
    cat = {"band": ["lt550", "550_649", "650_749", "750_up"], "size3": ["small", "mid", "large"]}
    frames = {}
    for name in ("apistrat", "apiclus1"):
        f = pd.read_csv(R_DIR / f"crosstab_{name}.csv")
        for k, lv in cat.items():
            f[k] = pd.Categorical(f[k], categories=lv)
        frames[name] = f
    strat = sk.SurveyDesign(frames["apistrat"], weights="pw", strata="stype", fpc="fpc")
    pops = {k: {lv: float(v) for lv, v in m.items()} for k, m in ref["populations"].items()}
    designs = {
        "apistrat": strat,
        "apiclus1": sk.SurveyDesign(frames["apiclus1"], weights="pw", cluster="dnum",
                                    fpc="fpc"),
        "weights_only": sk.SurveyDesign(frames["apistrat"], weights="pw"),
        "raked": strat.rake(pops),
    }
    return ref, designs


R_KINDS = ["apistrat", "apiclus1", "weights_only", "raked"]


@pytest.mark.parametrize("kind", R_KINDS)
def test_against_r_survey(kind, r_reference):
    """Cells, SEs, pairwise differences (SE, t, p), means and the Rao-Scott F as R's
    svyby / svyglm / svychisq; worst relative error well below 1e-8."""
    ref, designs = r_reference
    d = designs[kind]
    r = ref[kind]
    np.testing.assert_allclose(d.weights, r["weights"], rtol=1e-8)
    assert d.degf == r["degf"]
    tab = crosstab(d, "band", "size3", min_base=2)
    worst = 0.0

    def check(mine, theirs, rel=1e-8):
        # relative error; values that are zero up to rounding (a difference of two equal
        # proportions, its t) are compared absolutely
        nonlocal worst
        if abs(theirs) < 1e-12:
            assert abs(mine - theirs) < 1e-12, (mine, theirs)
            return
        err = abs(mine - theirs) / abs(theirs)
        worst = max(worst, err)
        assert err < rel, (mine, theirs)

    for c in r["cells"]:
        cell = tab.cell(c["row"], c["col"])
        check(cell["percent"] / 100, c["estimate"])
        check(cell["se"] / 100, c["se"])
    cmp = tab.comparisons
    for c in r["comparisons"]:
        hit = cmp[(cmp["row_level"] == c["row"]) & (cmp["column_a"] == c["a"])
                  & (cmp["column_b"] == c["b"])]
        sign = 1.0
        if hit.empty:
            hit = cmp[(cmp["row_level"] == c["row"]) & (cmp["column_a"] == c["b"])
                      & (cmp["column_b"] == c["a"])]
            sign = -1.0
        row = hit.iloc[0]
        check(sign * row["difference"], c["difference"])
        check(row["se"], c["se"])
        check(sign * row["statistic"], c["t"] if abs(c["difference"]) > 1e-12 else 0.0)
        check(row["pvalue"], c["p"], rel=1e-6)
    t = tab.tests.iloc[0]
    check(t["statistic"], r["chisq"]["statistic"])
    check(t["df1"], r["chisq"]["ndf"])
    check(t["df2"], r["chisq"]["ddf"])
    check(t["pvalue"], r["chisq"]["p"], rel=1e-6)
    means = crosstab(d, "api99", "size3")
    for m in r["means"]:
        cell = means.cell("mean", m["col"])
        check(cell["mean"], m["estimate"])
        check(cell["se"], m["se"])
    assert worst < 1e-8
    print(f"{kind}: worst relative error against R {worst:.2e}")
