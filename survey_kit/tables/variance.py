"""Design variances of a banner table's cells, from the influence function of every cell.

Each cell estimate is a ratio of weighted totals; its influence values
(Binder 1983) are formed per (row, column) and their design covariance taken
by the design: by :meth:`SurveyDesign.vcov_total_coded` on one code per (row
base category, banner level) when the design has a coded path and the row is
categorical (no respondent-level matrix), else by
:meth:`SurveyDesign.vcov_total` on the respondents, chunked so that at most
about ``_CHUNK`` values are held at once. The covariances within a banner
variable feed the letters. A replicate-weight design recomputes every cell on
each replicate instead (:mod:`survey_kit.tables.replicate_cells`).

Example
-------
>>> import numpy as np, pandas as pd, survey_kit as sk
>>> from survey_kit.tables.banner import resolve_banners
>>> from survey_kit.tables.blocks import row_blocks
>>> from survey_kit.tables.design_info import design_info
>>> frame = pd.DataFrame({"a": list("xyxxyx"), "g": list("ppqqqp"), "w": [1.0, 2] * 3})
>>> d = sk.SurveyDesign(frame, weights="w")
>>> sub = row_blocks(frame, ["a"], None, True, "en", [])[0].subs[0]
>>> banners = resolve_banners(frame, ["g"], None, "en", [])
>>> p = np.array([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]])
>>> var, cov = influence_variance(design_info(d, True, 6), sub, banners, "col", p,
...                               np.array([9.0, 4.0, 5.0]), {})
>>> var.shape, cov[0].shape                  # (rows, columns), (rows, L, L) per banner
((2, 3), (2, 2, 2))
"""

from __future__ import annotations

import numpy as np

from .blocks import Sub
from .design_info import DesignInfo
from .replicate_cells import replicate_variance
from .variables import Var

__all__ = ["group_code", "influence_variance"]

#: respondent x influence-column elements per call of vcov_total in the general path
_CHUNK = 4_000_000


def _group_codes(banners: list[Var], n: int) -> list[tuple[np.ndarray, int]]:
    """(level code per respondent, number of levels) of Total and each banner variable."""
    return [(np.zeros(n, dtype=np.intp), 1)] + [(b.codes, len(b.levels)) for b in banners]


def _sub_rows(sub: Sub) -> np.ndarray:
    """(n, R) values of the rows (0 outside the base)."""
    ok = sub.codes >= 0
    if sub.values is not None:
        return np.where(ok, sub.values, 0.0)[:, None]
    Mx = np.hstack([sub.M, np.zeros((sub.M.shape[0], 1))])
    return Mx[:, np.where(ok, sub.codes, sub.nbase)].T


def group_code(sub: Sub, codes: np.ndarray, L: int) -> np.ndarray:
    """Per respondent: (row base category) * (L + 1) + banner level + 1, -1 outside the
    base; the code of :meth:`SurveyDesign.vcov_total_coded`."""
    return np.where(sub.codes >= 0, sub.codes.astype(np.int64) * (L + 1) + codes + 1, -1)


def _unit_sets(dz: DesignInfo, sub: Sub, banners: list[Var], cache: dict) -> list:
    """Per banner group (Total first): row values Y, base flag, banner level, L, the
    covariance function of influence columns and the sizes and subsets it takes.

    Categorical rows (coded designs): one entry per (row base category, banner level or
    missing), coded respondents (``cache[g]``, kept for the tests) and
    :meth:`SurveyDesign.vcov_total_coded`; subsets are given by codes. Otherwise:
    respondents and :meth:`SurveyDesign.vcov_total`."""
    design = dz.design
    n = len(dz.w)
    out = []
    if sub.values is None and dz.mode != "general":
        B = sub.nbase
        for gi, (codes, L) in enumerate(_group_codes(banners, n)):
            L1 = L + 1
            if gi not in cache:
                cache[gi] = group_code(sub, codes, L)
            l_of = np.arange(B * L1) % L1
            Y = sub.M.T[np.arange(B * L1) // L1]                 # (m, R)
            direct = design.coded_path(B * L1) != "general"

            def vfn(Z, subset, code=cache[gi]):
                return design.vcov_total_coded(Z, code, code_subset=subset)
            ans_t = np.ones(B * L1, dtype=bool)
            out.append((Y, ans_t, l_of - 1, L, vfn, B * L1 if direct else n,
                        l_of >= 1, ans_t))
        return out
    Y = _sub_rows(sub)
    ans = sub.codes >= 0

    def vcov(Z, subset):
        return design.vcov_total(Z, subset=subset)
    for codes, L in _group_codes(banners, n):
        out.append((Y, ans, codes, L, vcov, n, ans & (codes >= 0), ans))
    return out


def _vcov_blocks(vfn, N: int, build, R: int, L: int, subset: np.ndarray) -> np.ndarray:
    """Covariance (R, L, L) of the L influence columns of each row, chunked over rows so
    that at most about ``_CHUNK`` values of ``N`` units x columns are held at once."""
    out = np.zeros((R, L, L))
    per = max(1, _CHUNK // max(1, N * L))
    for r0 in range(0, R, per):
        rs = list(range(r0, min(R, r0 + per)))
        Z = np.concatenate([build(r) for r in rs], axis=1)             # (m, len(rs) * L)
        V = vfn(Z, subset)
        for j, r in enumerate(rs):
            out[r] = V[j * L:(j + 1) * L, j * L:(j + 1) * L]
    return out


def influence_variance(dz: DesignInfo, sub: Sub, banners: list[Var], mode: str,
                       p: np.ndarray, den: np.ndarray | None,
                       cache: dict) -> tuple[np.ndarray, list]:
    """Variances (R, K) (and, for ``mode="col"``, covariances within banner groups) from
    the influence function of every cell.

    col: 1_c a (y - p) / N_c; total: a (y 1_c - p) / N; row: y (1_c - p 1_g) / N_rg;
    none: y 1_c (a weighted count)."""
    if dz.mode == "replicate":        # R svyby on a replicate design: recompute per replicate
        return replicate_variance(dz, sub, banners, mode, p, den)
    R, K = p.shape
    var = np.full((R, K), np.nan)
    cov = []
    start = 0
    for gi, (Y, ans, lc, L, vfn, N, inside_r, ans_r) in enumerate(
            _unit_sets(dz, sub, banners, cache)):
        inside = ans & (lc >= 0)
        onehot = np.zeros((len(ans), L))
        onehot[np.flatnonzero(inside), lc[inside]] = 1.0
        sl = slice(start, start + L)
        build = _influence_builder(mode, onehot, p[:, sl], den, sl, Y, ans, inside)
        cg = _vcov_blocks(vfn, N, build, R, L, ans_r if mode == "total" else inside_r)
        var[:, sl] = np.maximum(np.diagonal(cg, axis1=1, axis2=2), 0.0)
        if mode == "col" and gi > 0:
            L_ = cg.shape[1]
            cg[:, np.arange(L_), np.arange(L_)] = var[:, sl]
            cov.append(cg)
        start += L
    if den is not None:
        var = np.where(np.broadcast_to(np.asarray(den), (R, K)) > 0, var, np.nan)
    return var, cov


def _influence_builder(mode: str, onehot: np.ndarray, pg: np.ndarray, den: np.ndarray | None,
                       sl: slice, Y: np.ndarray, ans: np.ndarray, inside: np.ndarray):
    """``build(r)``: the influence columns (units, L) of row ``r`` in the L columns of one
    banner group, for the percentage ``mode`` (see :func:`influence_variance`)."""
    if mode == "col":
        dg = np.where(den[sl] > 0, den[sl], 1.0)

        def build(r):
            return onehot * (Y[:, r:r + 1] - pg[r][None, :]) / dg[None, :]
    elif mode == "none":
        def build(r):
            return onehot * Y[:, r:r + 1]
    elif mode == "total":
        dg = np.where(den[sl] > 0, den[sl], 1.0)

        def build(r):
            return (onehot * Y[:, r:r + 1] - ans[:, None] * pg[r][None, :]) / dg[None, :]
    else:
        rowin = inside[:, None].astype(float)
        dr = den[:, sl]

        def build(r):
            d = np.where(dr[r] > 0, dr[r], 1.0)
            return Y[:, r:r + 1] * (onehot - rowin * pg[r][None, :]) / d[None, :]
    return build
