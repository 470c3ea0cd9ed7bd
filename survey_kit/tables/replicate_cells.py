"""Variances of a banner table's cells on a replicate-weight design, recomputed per replicate.

R's ``svyby(~row, ~banner, svymean)`` on a replicate design computes every
cell's percentage again with each column of replicate weights and takes the
replicate variance (``svrVar``); so does this module. For each banner
variable (Total first) the respondents' (row base category, banner level)
codes give the weight sums per code for the full sample and every replicate
at once (``design.replicates.coded_sums``), from which the numerators and
denominators of every cell follow:

- ``"col"``: the row's weighted count in the column over the column's base;
- ``"total"``: over the whole base; ``"row"``: over the row's count in the
  banner variable; ``"none"``: the weighted count itself;
- a numeric row: the weighted mean in the column.

The covariances within a banner variable (for the letters) come with them.

Example
-------
>>> import numpy as np, pandas as pd, survey_kit as sk
>>> from survey_kit.tables.banner import resolve_banners
>>> from survey_kit.tables.blocks import row_blocks
>>> from survey_kit.tables.design_info import design_info
>>> frame = pd.DataFrame({"a": list("xyxxyxyy"), "g": list("ppqqqpqp"), "w": [1.0, 2] * 4})
>>> d = sk.SurveyDesign(frame, weights="w").as_replicate("JK1")
>>> sub = row_blocks(frame, ["a"], None, True, "en", [])[0].subs[0]
>>> banners = resolve_banners(frame, ["g"], None, "en", [])
>>> p = np.full((2, 3), 0.5)
>>> var, cov = replicate_variance(design_info(d, True, 8), sub, banners, "col", p,
...                               np.array([12.0, 6.0, 6.0]))
>>> bool(np.isclose(var[0, 0], d.proportion("a", "x").se ** 2))
True
"""

from __future__ import annotations

import numpy as np

from .blocks import Sub
from .design_info import DesignInfo
from .variables import Var

__all__ = ["replicate_variance"]


def _categorical(rep, w: np.ndarray, sub: Sub, codes: np.ndarray, L: int) -> tuple:
    """(Q, R, L) row counts per level, (Q, L) level bases, (Q,) base totals, Q = 1 + reps."""
    L1 = L + 1
    m = sub.nbase * L1
    ans = sub.codes >= 0
    code = np.where(ans, sub.codes.astype(np.int64) * L1 + codes + 1, -1)
    s = np.bincount(code[ans], weights=w[ans], minlength=m)
    SS = np.column_stack([s, rep.coded_sums(code, m)])                  # (m, Q)
    lvl = np.arange(m) % L1 - 1
    G = np.zeros((m, L))
    G[np.flatnonzero(lvl >= 0), lvl[lvl >= 0]] = 1.0
    Y = sub.M.T[np.arange(m) // L1].astype(float)                        # (m, R)
    num = np.einsum("cq,cr,cl->qrl", SS, Y, G)
    return num, SS.T @ G, SS.sum(axis=0)


def _numeric(rep, w: np.ndarray, sub: Sub, codes: np.ndarray, L: int) -> tuple:
    ans = sub.codes >= 0
    inside = ans & (codes >= 0)
    onehot = np.zeros((len(w), L))
    onehot[np.flatnonzero(inside), codes[inside]] = 1.0
    y = np.where(ans, sub.values, 0.0)
    X = np.column_stack([onehot * y[:, None], onehot, ans.astype(float)])
    T = np.vstack([w @ X, rep.totals(X)])                               # (Q, 2L + 1)
    return T[:, None, :L], T[:, L:2 * L], T[:, 2 * L]


def _estimates(mode: str, num: np.ndarray, lev: np.ndarray, tot: np.ndarray) -> np.ndarray:
    """(Q, R, L) cell statistics of ``mode`` from the counts (full sample first)."""
    den = {"col": lev[:, None, :], "none": 1.0, "total": tot[:, None, None],
           "row": num.sum(axis=2, keepdims=True) if mode == "row" else 1.0}[mode]
    with np.errstate(divide="ignore", invalid="ignore"):
        return num / den


def replicate_variance(dz: DesignInfo, sub: Sub, banners: list[Var], mode: str,
                       p: np.ndarray, den: np.ndarray | None) -> tuple[np.ndarray, list]:
    """Variances (R, K) and, for ``mode="col"``, covariances (R, L, L) per banner variable
    of the cells of ``sub``, as :func:`survey_kit.tables.variance.influence_variance`
    but by recomputation on each replicate (R ``svyby`` on a replicate design)."""
    rep = dz.design.replicates
    n = len(dz.w)
    R, K = p.shape
    var = np.full((R, K), np.nan)
    cov = []
    start = 0
    groups = [(np.zeros(n, dtype=np.intp), 1)] + [(b.codes, len(b.levels)) for b in banners]
    parts = _categorical if sub.values is None else _numeric
    for gi, (codes, L) in enumerate(groups):
        num, lev, tot = parts(rep, dz.w, sub, codes, L)
        est = _estimates(mode, num, lev, tot)
        cg = np.stack([rep.vcov(np.nan_to_num(est[0, r]), est[1:, r]) for r in range(R)])
        sl = slice(start, start + L)
        var[:, sl] = np.maximum(np.diagonal(cg, axis1=1, axis2=2), 0.0)
        if mode == "col" and gi > 0:
            cov.append(cg)
        start += L
    if den is not None:
        var = np.where(np.broadcast_to(np.asarray(den), (R, K)) > 0, var, np.nan)
    return var, cov
