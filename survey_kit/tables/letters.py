"""Significance letters: pairwise comparisons of the columns of each banner variable.

For every row and every pair of columns of one banner variable,
:func:`column_pairs` gives the difference, its standard error (design-based
from the covariance of the two columns' estimates; pooled two-proportion z or
Welch t when unweighted), the statistic and the two-sided p-value. The pairs
of one row and banner variable form a family, adjusted together
(:func:`adjust_families`); :func:`compare_columns` marks in column a the
letter of each column b it is significantly higher than, and lists every
comparison for :attr:`Crosstab.comparisons`.

Example
-------
>>> import numpy as np
>>> adjust_families(np.array([[0.01, 0.04, np.nan, 0.03]]), "holm")
array([[0.03, 0.06,  nan, 0.06]])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .blocks import Block, Sub
from .cells import SubResult
from .design_info import DesignInfo
from .variables import Var

__all__ = ["COMPARISON_COLUMNS", "adjust_families", "column_pairs", "compare_columns"]

#: the columns of :attr:`Crosstab.comparisons`
COMPARISON_COLUMNS = ["block", "row_variable", "row_level", "banner_variable", "column_a",
                      "column_b", "letter_a", "letter_b", "estimate_a", "estimate_b",
                      "difference", "se", "statistic", "df", "pvalue", "pvalue_adjusted",
                      "significant"]


def compare_columns(block: Block, sub: Sub, res: SubResult, groups: list[tuple[int, int]],
                    banners: list[Var], col_letter: list[str], dz: DesignInfo, *,
                    min_base: int, adjust: str | None, alpha: float
                    ) -> tuple[np.ndarray, list[pd.DataFrame]]:
    """Letters (R, K) of the rows of ``sub`` and the comparisons behind them, one frame
    per banner variable."""
    R, K = res.est.shape
    letters = np.full((R, K), "", dtype=object)
    parts: list[pd.DataFrame] = []
    for g, (a, b) in enumerate(groups):
        pr = column_pairs(res, a, b, g, dz, min_base, sub.values is not None)
        padj = adjust_families(pr["p"], adjust)
        sig = padj < alpha
        i, j = pr["i"], pr["j"]
        for r in range(R):
            for k in np.flatnonzero(sig[r]):
                hi_col, lo_col = (a + i[k], a + j[k]) if pr["diff"][r, k] > 0 else (
                    a + j[k], a + i[k])
                letters[r, hi_col] += col_letter[lo_col]
        if len(i):
            parts.append(_comparisons(block, sub, banners[g], pr, padj, sig,
                                      np.array(col_letter, dtype=object)[a:b]))
    return letters, parts


def _comparisons(block: Block, sub: Sub, banner: Var, pr: dict[str, Any], padj: np.ndarray,
                 sig: np.ndarray, letters: np.ndarray) -> pd.DataFrame:
    """Every pair of one banner variable, for every row of ``sub``."""
    i, j = pr["i"], pr["j"]
    npair, R = len(i), len(sub.rows)
    levels = np.array(banner.levels, dtype=object)
    return pd.DataFrame({
        "block": block.name,
        "row_variable": np.repeat([rw.variable for rw in sub.rows], npair),
        "row_level": np.repeat(np.array([rw.level for rw in sub.rows], dtype=object), npair),
        "banner_variable": banner.name,
        "column_a": np.tile(levels[i], R),
        "column_b": np.tile(levels[j], R),
        "letter_a": np.tile(letters[i], R),
        "letter_b": np.tile(letters[j], R),
        "estimate_a": pr["pa"].ravel(), "estimate_b": pr["pb"].ravel(),
        "difference": pr["diff"].ravel(), "se": pr["se"].ravel(),
        "statistic": pr["t"].ravel(), "df": np.asarray(pr["df"]).ravel(),
        "pvalue": pr["p"].ravel(), "pvalue_adjusted": padj.ravel(),
        "significant": sig.ravel(),
    })


def column_pairs(res: SubResult, a: int, b: int, g: int, dz: DesignInfo, min_base: int,
           numeric: bool) -> dict:
    """All pairs of columns a..b-1 of one banner group, for every row: diff, se, stat, p."""
    from scipy import stats

    L = b - a
    i, j = np.triu_indices(L, 1)
    p = res.pcol[:, a:b]
    R = p.shape[0]
    diff = p[:, i] - p[:, j]
    nu = res.base_u[a:b]
    ok_base = (nu[i] >= max(min_base, 2)) & (nu[j] >= max(min_base, 2))
    if dz.weighted:
        cg = res.cov[g]
        v = cg[:, i, i] + cg[:, j, j] - 2 * cg[:, i, j]
        se = np.sqrt(np.clip(v, 0, None))
        df = np.full(diff.shape, dz.degf)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = diff / se
        pv = 2 * stats.t.sf(np.abs(t), dz.degf) if dz.degf > 0 else np.full(diff.shape, np.nan)
    elif numeric:
        sd = res.sd[a:b]
        va, vb = sd[i] ** 2 / nu[i], sd[j] ** 2 / nu[j]
        se = np.sqrt(va + vb)[None, :].repeat(R, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = ((va + vb) ** 2 / (va ** 2 / (nu[i] - 1) + vb ** 2 / (nu[j] - 1)))[None, :]
            df = df.repeat(R, 0)
            t = diff / se
            pv = 2 * stats.t.sf(np.abs(t), df)
    else:
        x = res.count_u[:, a:b]
        with np.errstate(divide="ignore", invalid="ignore"):
            pbar = (x[:, i] + x[:, j]) / (nu[i] + nu[j])[None, :]
            se = np.sqrt(pbar * (1 - pbar) * (1 / nu[i] + 1 / nu[j])[None, :])
            t = diff / se
        df = np.full(diff.shape, np.inf)
        pv = 2 * stats.norm.sf(np.abs(t))
    testable = ok_base[None, :] & np.isfinite(pv) & (se > 0)
    pv = np.where(testable, pv, np.nan)
    return {"i": i, "j": j, "diff": diff, "se": se, "t": np.where(testable, t, np.nan),
            "df": df, "p": pv, "pa": p[:, i], "pb": p[:, j]}


def adjust_families(p: np.ndarray, method: str | None) -> np.ndarray:
    """Adjust each row of ``p`` (one family); NaN stays NaN and is not counted.

    Holm, Benjamini-Hochberg and Bonferroni are computed for all families at
    once with the formulas of ``statsmodels.stats.multitest.multipletests``
    (the tests check they agree); other methods call it row by row. (Its Holm
    branch runs ``gc.collect()`` on every call, far too slow for hundreds of
    families.)
    """
    p = np.asarray(p, dtype=float)
    if method is None:
        return p.copy()
    if p.ndim == 1:
        return adjust_families(p[None, :], method)[0]
    if method not in ("holm", "fdr_bh", "bonferroni"):
        from statsmodels.stats.multitest import multipletests

        out = np.full(p.shape, np.nan)
        for r in range(p.shape[0]):
            ok = np.isfinite(p[r])
            if ok.any():
                out[r, ok] = multipletests(p[r, ok], method=method)[1]
        return out
    m = np.isfinite(p).sum(axis=1, keepdims=True).astype(float)
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(np.where(np.isfinite(p), p, np.inf), axis=1, kind="stable")
    ps = np.take_along_axis(p, order, axis=1)                  # NaN last
    rank = np.arange(p.shape[1], dtype=float)[None, :]        # 0-based
    if method == "holm":
        adj = np.fmax.accumulate(ps * (m - rank), axis=1)
    else:
        adj = np.fmin.accumulate((ps * m / (rank + 1))[:, ::-1], axis=1)[:, ::-1]
    adj = np.where(np.isfinite(ps), np.minimum(adj, 1.0), np.nan)
    out = np.empty_like(adj)
    np.put_along_axis(out, order, adj, axis=1)
    return out
