"""The overall test of every block of a banner table and every banner variable.

- categorical rows (each option of a multi-select block on its own): the
  Rao-Scott second-order corrected Pearson X^2 referred to an F distribution,
  computed by the one Rao-Scott core of :mod:`survey_kit.stats.raoscott` on the
  table's coded cell totals, with covariances from
  :meth:`SurveyDesign.vcov_total_coded` (designs without a coded path: by
  :func:`survey_kit.stats.design_tests.svychisq` on the two columns);
  unweighted: Pearson's chi-squared on the counts;
- numeric rows: the design-based Wald F test that all column means are equal
  (R ``regTermTest`` on ``svyglm(y ~ banner)``), or one-way ANOVA unweighted.

A test that cannot be computed is recorded as "not computed" with the reason,
which also goes to the table's warnings.

Example
-------
>>> import numpy as np
>>> r = pearson_counts(np.array([[20, 10], [10, 20]]))
>>> r["method"], round(r["statistic"], 4), round(r["pvalue"], 6), round(r["cramers_v"], 4)
('Pearson chi-square', 6.6667, 0.009823, 0.3333)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import CrosstabError, DesignError
from ..stats.design_tests import svychisq
from ..stats.effect_size import table_cramers_v
from ..stats.design_protocol import DesignLike
from ..stats.raoscott import CellVcov, association_test
from .blocks import Block, Sub
from .cells import SubResult
from .design_info import DesignInfo
from .variables import Var
from .variance import group_code

__all__ = ["TEST_COLUMNS", "block_tests", "pearson_counts"]

#: the columns of :attr:`Crosstab.tests`
TEST_COLUMNS = ["block", "row_variable", "banner_variable", "method", "statistic_name",
                "statistic", "df1", "df2", "pvalue", "cramers_v", "n", "warnings"]
_RESULT_KEYS = ("method", "statistic_name", "statistic", "df1", "df2", "pvalue", "cramers_v",
                "warnings")


def block_tests(block: Block, sub: Sub, res: SubResult, groups: list[tuple[int, int]],
                banners: list[Var], dz: DesignInfo, n_rows: int,
                warnings: list[str]) -> list[dict]:
    """One record (:data:`TEST_COLUMNS`) per banner variable for the rows of ``sub``;
    the reason a test is not computed is appended to ``warnings``."""
    out = []
    for g, (a, b) in enumerate(groups):
        banner = banners[g]
        if sub.test == "means":
            t = means_test(res, a, b, g, dz, sub, banner)
        elif sub.test == "chisq":
            t = chisq_test(res, a, b, g, dz, sub, banner, n_rows)
        else:
            continue
        rec: dict[str, Any] = {"block": block.name, "row_variable": sub.variable,
                               "banner_variable": banner.name}
        if "skip" in t:
            warnings.append(f"no test for {sub.variable!r} by {banner.name!r}: {t['skip']}")
            rec.update(method="not computed", statistic_name="", statistic=np.nan,
                       df1=np.nan, df2=np.nan, pvalue=np.nan, cramers_v=np.nan,
                       warnings=t["skip"])
        else:
            rec.update({k: t[k] for k in _RESULT_KEYS})
        both = (sub.codes >= 0) & (banner.codes >= 0)
        rec["n"] = int(both.sum() if dz.counts is None else dz.counts[both].sum())
        out.append(rec)
    return out


def chisq_test(res: SubResult, a: int, b: int, g: int, dz: DesignInfo, sub: Sub,
               banner: Var, n_rows: int) -> dict:
    """The test of association of the rows of ``sub`` with banner variable ``g``."""
    cats = sub.test_cats
    if sub.variable == banner.name:
        return {"skip": "the row and banner variables are the same"}
    if not dz.weighted:
        return pearson_counts(res.sums[0][cats][:, a:b])
    if dz.mode in ("general", "replicate"):    # replicate designs: R's svychisq.svyrep
        return _svychisq(dz, sub, banner)
    code = res.codes.get(g + 1)
    if code is None:
        code = group_code(sub, banner.codes, b - a)
    T = res.sums[1][cats][:, a:b]                         # weighted totals (cats, levels)
    keep_r, keep_c = T.sum(axis=1) > 0, T.sum(axis=0) > 0
    nr, nc = int(keep_r.sum()), int(keep_c.sum())
    if nr < 2 or nc < 2:
        return {"skip": f"fewer than 2 levels with respondents ({nr} x {nc})"}
    cell_vcov = _coded_cell_vcov(dz.design, code, cats[keep_r], keep_c, sub.nbase)
    try:
        r = association_test(T[keep_r][:, keep_c], cell_vcov, n_rows=n_rows, degf=dz.degf,
                             what=f"{sub.variable!r} by {banner.name!r}", eigenvalues=False)
    except DesignError as exc:
        return {"skip": exc.message}
    return {"method": "Rao-Scott F", "statistic_name": "F", "statistic": r.statistic,
            "df1": r.df[0], "df2": r.df[1], "pvalue": r.pvalue,
            "cramers_v": r.details["cramers_v"], "warnings": ""}


def _coded_cell_vcov(design: DesignLike, code: np.ndarray, cats: np.ndarray,
                     keep_c: np.ndarray, nbase: int) -> CellVcov:
    """``cell_vcov`` of the Rao-Scott core on the respondents' (row base category, banner
    level) codes: row ``c * (L + 1) + l + 1`` of the code table holds the values of the
    table cell of base category ``c`` and banner level ``l`` (level 0 = banner missing and
    base categories outside the table: zero, left out of the subpopulation)."""
    nr, nc = len(cats), int(keep_c.sum())
    rix = np.full(nbase, -1)
    rix[cats] = np.arange(nr)
    cix = np.full(len(keep_c) + 1, -1)
    cix[1 + np.flatnonzero(keep_c)] = np.arange(nc)
    ra = np.repeat(rix, len(cix))                       # rows of the code table
    ca = np.tile(cix, nbase)
    inside = (ra >= 0) & (ca >= 0)
    cell = ca[inside] * nr + ra[inside]                 # column-major cell of each code

    def cell_vcov(values: np.ndarray) -> np.ndarray:
        table = np.zeros((len(inside), values.shape[1]))
        table[inside] = values[cell]
        return design.vcov_total_coded(table, code, code_subset=inside)
    return cell_vcov


def _svychisq(dz: DesignInfo, sub: Sub, banner: Var) -> dict:
    """Designs without a coded path: svychisq on the two columns."""
    try:
        r = svychisq(dz.design, sub.variable, banner.name, statistic="F")
    except (CrosstabError, DesignError) as exc:
        return {"skip": exc.message}
    return {"method": "Rao-Scott F", "statistic_name": "F", "statistic": float(r.statistic),
            "df1": float(r.df[0]), "df2": float(r.df[1]), "pvalue": float(r.pvalue),
            "cramers_v": float(r.details.get("cramers_v", np.nan)),
            "warnings": "; ".join(r.warnings)}


def pearson_counts(counts: np.ndarray) -> dict:
    """Pearson's chi-squared on an unweighted r x c table (empty rows/columns dropped)."""
    from scipy import stats

    T = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    nr, nc = T.shape
    if nr < 2 or nc < 2:
        return {"skip": f"fewer than 2 levels with respondents ({nr} x {nc})"}
    N = T.sum()
    E = np.outer(T.sum(axis=1), T.sum(axis=0)) / N
    x2 = float(((T - E) ** 2 / E).sum())
    df = (nr - 1) * (nc - 1)
    warn = ""
    if (E < 5).mean() > 0.2:
        warn = "more than 20% of expected counts below 5: the chi-squared approximation is poor"
    return {"method": "Pearson chi-square", "statistic_name": "X-squared", "statistic": x2,
            "df1": float(df), "df2": np.nan, "pvalue": float(stats.chi2.sf(x2, df)),
            "cramers_v": table_cramers_v(T / N), "warnings": warn}


def means_test(res: SubResult, a: int, b: int, g: int, dz: DesignInfo, sub: Sub,
               banner: Var) -> dict:
    """Equality of the column means of one banner variable: design Wald F or one-way ANOVA."""
    nu = res.base_u[a:b]
    keep = nu > 0
    if dz.weighted:
        keep &= res.base_w[a:b] > 0
    L = int(keep.sum())
    if L < 2:
        return {"skip": f"fewer than 2 columns of {banner.name!r} with respondents"}
    m = res.pcol[0, a:b][keep]
    if not dz.weighted:
        return _anova(m, nu[keep], res.sd[a:b][keep])
    V = res.cov[g][0][np.ix_(keep, keep)]
    A = np.hstack([np.ones((L - 1, 1)), -np.eye(L - 1)])
    d = A @ m
    try:
        W = float(d @ np.linalg.solve(A @ V @ A.T, d))
    except np.linalg.LinAlgError:
        return {"skip": "the covariance of the column means is singular"}
    # design df of the respondents used (R svyglm: PSUs minus strata with weight)
    degf = float(dz.design.degf_of((sub.codes >= 0) & (banner.codes >= 0)))
    df2 = degf + 1 - L
    if df2 <= 0:
        return {"skip": f"too few design degrees of freedom ({degf:g}) for {L} columns"}
    from scipy import stats

    f = W / (L - 1)
    return {"method": "Design-based Wald F", "statistic_name": "F", "statistic": f,
            "df1": float(L - 1), "df2": float(df2), "pvalue": float(stats.f.sf(f, L - 1, df2)),
            "cramers_v": np.nan, "warnings": ""}


def _anova(m: np.ndarray, n: np.ndarray, sd: np.ndarray) -> dict:
    """One-way ANOVA F from the column means, counts and standard deviations."""
    from scipy import stats

    L = len(m)
    grand = float((m * n).sum() / n.sum())
    ssb = float((n * (m - grand) ** 2).sum())
    ssw = float(np.nansum((n - 1) * sd ** 2))
    df1, df2 = L - 1, float(n.sum() - L)
    if df2 <= 0 or ssw <= 0:
        return {"skip": "no within-column variation"}
    f = (ssb / df1) / (ssw / df2)
    return {"method": "One-way ANOVA F", "statistic_name": "F", "statistic": f,
            "df1": float(df1), "df2": df2, "pvalue": float(stats.f.sf(f, df1, df2)),
            "cramers_v": np.nan, "warnings": ""}
