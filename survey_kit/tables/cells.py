"""The cells of a banner table: estimates, bases, variances and confidence intervals.

:func:`compute_sub` turns one :class:`~.blocks.Sub` into a :class:`SubResult`
for every column: the statistic shown (column, row or total percentage as a
proportion, weighted count, or mean) with its variance, the column
proportions (or means) and their covariances within each banner variable
(for the letters), the weighted and unweighted counts and the three bases
(unweighted, weighted and Kish's effective base). Variances of weighted
tables come from the design through :mod:`.variance`; unweighted tables use
the classical formulas. :func:`intervals` gives the confidence intervals.

Example
-------
>>> import numpy as np, pandas as pd
>>> from survey_kit.tables.aggregate import BannerIndex
>>> from survey_kit.tables.banner import resolve_banners
>>> from survey_kit.tables.blocks import row_blocks
>>> from survey_kit.tables.design_info import design_info
>>> frame = pd.DataFrame({"a": list("xyxx"), "g": list("ppqq")})
>>> sub = row_blocks(frame, ["a"], None, True, "en", [])[0].subs[0]
>>> banners = resolve_banners(frame, ["g"], None, "en", [])
>>> res = compute_sub(sub, BannerIndex(banners), design_info(None, False, 4),
...                   banners, "col")
>>> res.est                                      # rows x, y by columns Total, p, q
array([[0.75, 0.5 , 1.  ],
       [0.25, 0.5 , 0.  ]])
>>> res.base_u
array([4., 2., 2.])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..stats.kish import effective_n
from .aggregate import BannerIndex
from .banner import banner_groups
from .blocks import Sub
from .design_info import DesignInfo
from .variables import Var
from .variance import influence_variance

__all__ = ["SubResult", "ci_n", "compute_sub", "intervals"]


@dataclass
class SubResult:
    """Estimates of one sub-block for all K columns."""

    est: np.ndarray             # (R, K): proportion, count or mean (display statistic)
    var: np.ndarray             # (R, K) variance of est
    pcol: np.ndarray            # (R, K) column proportion / mean (for letters)
    cov: list                   # per banner group: (R, L, L) covariance of pcol in the group
    count_w: np.ndarray         # (R, K) weighted count
    count_u: np.ndarray         # (R, K) unweighted count
    base_u: np.ndarray          # (K,)
    base_w: np.ndarray
    base_e: np.ndarray
    sums: list                  # aggregated arrays (for the tests)
    sd: np.ndarray | None = None   # (K,) unweighted SD of a numeric variable
    codes: dict = field(default_factory=dict)   # banner group -> respondents' group code


class _Bases(NamedTuple):
    """Per column: unweighted, weighted and effective base; per row: unweighted count."""

    base_u: np.ndarray
    base_w: np.ndarray
    base_e: np.ndarray
    count_u: np.ndarray


def compute_sub(sub: Sub, idx: BannerIndex, dz: DesignInfo, banners: list[Var],
                percent: str) -> SubResult:
    """Estimates, variances and bases of the rows of ``sub`` in every column."""
    w = dz.w
    wl = [dz.counts, w, w * w if dz.w2 is None else dz.w2] if dz.weighted else [dz.counts]
    if sub.values is not None:
        y = sub.values
        wl += [w * y] if dz.weighted else [y, y * y]
    sums = idx.aggregate(sub.codes, sub.nbase, wl)
    bases = _bases(sums, dz, sub.M)
    cache: dict = {}
    if sub.values is not None:
        return _numeric_result(sub, sums, bases, dz, banners, cache)
    S1 = sums[1] if dz.weighted else sums[0]
    count_w = np.einsum("rb,bk->rk", sub.M, S1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pcol = count_w / bases.base_w[None, :]
    p0 = np.where(np.isfinite(pcol), pcol, 0.0)
    var_col, cov = _column_variance(sub, p0, bases, dz, banners, cache)
    if percent == "col":
        est, var = pcol, var_col
    else:
        est, var = _shown(percent, sub, count_w, p0, bases, dz, banners, cache)
    return SubResult(est, var, pcol, cov, count_w, bases.count_u, bases.base_u, bases.base_w,
                     bases.base_e, sums, codes=cache)


def _bases(sums: list, dz: DesignInfo, M: np.ndarray) -> _Bases:
    """The three bases per column and the unweighted count per row."""
    C = sums[0]
    S1, S2 = (sums[1], sums[2]) if dz.weighted else (C, C)
    base_w = S1.sum(axis=0)
    return _Bases(base_u=C.sum(axis=0), base_w=base_w, base_e=effective_n(base_w, S2.sum(axis=0)),
                  count_u=np.einsum("rb,bk->rk", M, C))


def _numeric_result(sub: Sub, sums: list, bases: _Bases, dz: DesignInfo, banners: list[Var],
                    cache: dict) -> SubResult:
    """The mean row of a numeric variable: weighted (design variance) or not (SD / n)."""
    base_u, base_w = bases.base_u, bases.base_w
    K = len(base_w)
    Sy = sums[3 if dz.weighted else 1][0]
    count_w = np.broadcast_to(base_w, (1, K)).copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = Sy[None, :] / base_w                                # (1, K)
    m0 = np.where(np.isfinite(mean), mean, 0.0)
    if dz.weighted:
        var, cov = influence_variance(dz, sub, banners, "col", m0, base_w, cache)
        return SubResult(mean, var, mean, cov, count_w, bases.count_u, base_u, base_w,
                         bases.base_e, sums, codes=cache)
    Syy = sums[2][0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ss = Syy - base_u * m0[0] ** 2
        sd = np.sqrt(np.where(base_u > 1, np.maximum(ss, 0) / (base_u - 1), np.nan))
        var = np.where(base_u > 0, sd ** 2 / base_u, np.nan)[None]
    cov = [np.diag(var[0, a:b])[None] for a, b in banner_groups(banners)]
    return SubResult(mean, var, mean, cov, count_w, bases.count_u, base_u, base_w,
                     bases.base_e, sums, sd)


def _column_variance(sub: Sub, p0: np.ndarray, bases: _Bases, dz: DesignInfo,
                     banners: list[Var], cache: dict) -> tuple[np.ndarray, list]:
    """Variance (R, K) of the column proportions and their covariance within each banner
    variable (R, L, L); binomial and independent across columns when unweighted."""
    if dz.weighted:
        return influence_variance(dz, sub, banners, "col", p0, bases.base_w, cache)
    base_u = bases.base_u
    with np.errstate(divide="ignore", invalid="ignore"):
        var_col = np.where(base_u > 0, p0 * (1 - p0) / base_u, np.nan)
    cov = []
    for a, b in banner_groups(banners):
        L = b - a
        cg = np.zeros((p0.shape[0], L, L))
        cg[:, np.arange(L), np.arange(L)] = var_col[:, a:b]
        cov.append(cg)
    return var_col, cov


def _shown(percent: str, sub: Sub, count_w: np.ndarray, p0: np.ndarray, bases: _Bases,
           dz: DesignInfo, banners: list[Var], cache: dict) -> tuple[np.ndarray, np.ndarray]:
    """The statistic shown and its variance for ``percent`` "none", "total" or "row"."""
    if percent == "none":
        if not dz.weighted:
            return count_w, np.full_like(count_w, np.nan)
        return count_w, influence_variance(dz, sub, banners, "none", p0, None, cache)[0]
    if percent == "total":
        den = np.full(len(bases.base_w), bases.base_w[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            est = count_w / den
        pe = np.where(np.isfinite(est), est, 0.0)
        if not dz.weighted:
            n0 = bases.base_u[0]
            return est, np.where(n0 > 0, pe * (1 - pe) / n0, np.nan)
        return est, influence_variance(dz, sub, banners, "total", pe, den, cache)[0]
    # row percentages: within each banner variable, the share of the row's count
    den = _row_denominators(count_w, banners)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = count_w / den
    pe = np.where(np.isfinite(est), est, 0.0)
    if not dz.weighted:
        den_u = _row_denominators(bases.count_u, banners)
        with np.errstate(divide="ignore", invalid="ignore"):
            return est, np.where(den_u > 0, pe * (1 - pe) / den_u, np.nan)
    return est, influence_variance(dz, sub, banners, "row", pe, den, cache)[0]


def _row_denominators(counts: np.ndarray, banners: list[Var]) -> np.ndarray:
    """Per row and column: the row's count in the Total column, or summed over the columns
    of the column's banner variable."""
    den = np.empty(counts.shape)
    den[:, 0] = counts[:, 0]
    for a, b in banner_groups(banners):
        den[:, a:b] = counts[:, a:b].sum(axis=1, keepdims=True)
    return den


def ci_n(res: SubResult, percent: str, groups: list) -> np.ndarray:
    """Unweighted n behind each displayed statistic (for unweighted intervals)."""
    R, K = res.est.shape
    if percent == "total":
        return np.full((R, K), res.base_u[0])
    if percent == "row":
        out = np.empty((R, K))
        out[:, 0] = res.count_u[:, 0]
        for a, b in groups:
            out[:, a:b] = res.count_u[:, a:b].sum(axis=1, keepdims=True)
        return out
    return np.broadcast_to(res.base_u, (R, K)).astype(float)


def intervals(est: np.ndarray, var: np.ndarray, kind: str, dz: DesignInfo, conf_level: float,
              n_u: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """CIs: logit (design proportions, as SurveyDesign.proportion), Wilson (unweighted
    proportions), t (means and counts)."""
    from scipy import stats

    a = (1 - conf_level) / 2
    se = np.sqrt(var)
    if kind == "mean" or kind == "count":
        if dz.weighted:
            q = stats.t.isf(a, dz.degf) if np.isfinite(dz.degf) and dz.degf > 0 else (
                stats.norm.isf(a) if np.isinf(dz.degf) else np.nan)
        else:
            with np.errstate(invalid="ignore"):
                q = np.where(n_u > 1, stats.t.isf(a, np.maximum(n_u - 1, 1)), np.nan)
        return est - q * se, est + q * se
    if dz.weighted:
        q = stats.t.isf(a, dz.degf) if dz.degf > 0 else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            eta = np.log(est / (1 - est))
            half = q * se / (est * (1 - est))
            lo = 1 / (1 + np.exp(-(eta - half)))
            hi = 1 / (1 + np.exp(-(eta + half)))
        degenerate = (se == 0) | (est <= 0) | (est >= 1)
        lo = np.where(degenerate, est, lo)
        hi = np.where(degenerate, est, hi)
        return lo, hi
    z = stats.norm.isf(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        nn = n_u.astype(float)
        centre = (est + z * z / (2 * nn)) / (1 + z * z / nn)
        half = z * np.sqrt(est * (1 - est) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
