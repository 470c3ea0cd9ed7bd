"""Fisher's exact test beyond 2 x 2: the exact network algorithm and Monte Carlo.

:func:`fisher_network` is the exact two-sided p-value of an r x c table
(Mehta and Patel 1983): columns are filled one at a time; partial tables with
the same remaining row margins (as a multiset) and the same probability so far
are merged; a node whose every completion is at most as probable as the
observed table contributes its total mass in closed form, and one none of
whose completions is, is dropped (bounds from relaxing the row or the column
margins). :func:`fisher_monte_carlo` is R's ``simulate.p.value=TRUE``.
:func:`survey_kit.stats.unweighted.fisher_exact` chooses between them.

Example
-------
>>> import numpy as np
>>> p, p_table = fisher_network(np.array([[3, 1, 0], [0, 2, 3]]), 10**6, "a", "b")
>>> round(p, 6), round(p_table, 6)
(0.142857, 0.02381)

References
----------
Mehta, C. R. and Patel, N. R. (1983). A network algorithm for performing
Fisher's exact test in r x c contingency tables. JASA 78, 427-434.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import CrosstabError

__all__ = ["fisher_monte_carlo", "fisher_network", "log_factorials"]

_EPS = np.finfo(float).eps


def log_factorials(n: int) -> np.ndarray:
    """``log(k!)`` for k = 0..n."""
    from scipy.special import gammaln

    return gammaln(np.arange(n + 1, dtype=float) + 1.0)


def fisher_monte_carlo(table: np.ndarray, B: int, random_state: Any) -> tuple[float, float]:
    """Monte Carlo p-value from ``B`` random tables with the observed margins, and
    P(observed table): :math:`(1 + \\#\\{\\text{tables no more probable}\\}) / (B + 1)`."""
    from scipy import stats as st

    lf = log_factorials(int(table.sum()))
    rng = np.random.default_rng(random_state)
    sims = st.random_table(table.sum(axis=1), table.sum(axis=0), seed=rng).rvs(size=B)
    s_obs = float(lf[table].sum())
    s_sim = lf[sims].sum(axis=(1, 2))
    almost_one = 1 + 64 * _EPS
    extreme = int((s_sim >= s_obs / almost_one).sum())
    const = float(lf[table.sum(axis=1)].sum() + lf[table.sum(axis=0)].sum()
                  - lf[int(table.sum())])
    return (1 + extreme) / (B + 1), math.exp(const - s_obs)


def _column_fillings(rho: np.ndarray, total: int) -> np.ndarray:
    """All integer vectors x with 0 <= x <= rho and sum(x) == total, one per row."""
    k = len(rho)
    suffix = np.concatenate([np.cumsum(rho[::-1])[::-1], [0]])
    out: list[list[int]] = []
    cur = [0] * k

    def rec(i: int, left: int) -> None:
        if i == k - 1:
            if left <= rho[i]:
                cur[i] = left
                out.append(cur.copy())
            return
        lo = max(0, left - int(suffix[i + 1]))
        for v in range(lo, min(int(rho[i]), left) + 1):
            cur[i] = v
            rec(i + 1, left - v)

    rec(0, int(total))
    return np.array(out, dtype=np.int64).reshape(-1, k)


def _count_fillings(rho: np.ndarray, total: int) -> int:
    """Number of integer vectors 0 <= x <= rho with sum(x) == total."""
    ways = np.zeros(total + 1, dtype=float)
    ways[0] = 1.0
    for cap in rho:
        c = np.concatenate([[0.0], np.cumsum(ways)])
        lo = np.maximum(np.arange(total + 1) - int(cap), 0)
        ways = c[np.arange(total + 1) + 1] - c[lo]
    return round(float(ways[total]))


def _even_fill(total: int, caps: np.ndarray, lf: np.ndarray) -> float:
    """Smallest sum of log(x!) with sum(x) == total, 0 <= x <= caps (spread evenly)."""
    caps = np.sort(caps)
    left, m, s = int(total), len(caps), 0.0
    for i, cap in enumerate(caps):
        share = left // (m - i)
        if cap <= share:
            s += lf[cap]
            left -= int(cap)
        else:
            rest = m - i
            q, r = divmod(left, rest)
            return s + (rest - r) * lf[q] + r * lf[q + 1]
    return s


def _greedy_fill(total: int, caps: np.ndarray, lf: np.ndarray) -> float:
    """Largest sum of log(x!) with sum(x) == total, 0 <= x <= caps (concentrate)."""
    left, s = int(total), 0.0
    for cap in np.sort(caps)[::-1]:
        v = min(int(cap), left)
        s += lf[v]
        left -= v
        if left == 0:
            break
    return s


def fisher_network(table: np.ndarray, max_paths: int, row: str,
                    col: str) -> tuple[float, float]:
    """Exact two-sided Fisher p-value of an r x c table; also P(observed table)."""
    t = table if table.shape[0] <= table.shape[1] else table.T
    rows = t.sum(axis=1)
    cols = np.sort(t.sum(axis=0))[::-1]
    N = int(t.sum())
    lf = log_factorials(N + 1)
    const = float(lf[rows].sum() + lf[cols].sum() - lf[N])    # log P = const - S
    s_obs = float(lf[t].sum())
    threshold = s_obs - 1e-7          # count tables with P <= P_obs (1 + 1e-7)
    ncol = len(cols)
    col_rest = [cols[k:] for k in range(ncol + 1)]
    lf_col_rest = [float(lf[c].sum()) for c in col_rest]

    def bounds(rho: np.ndarray, k: int) -> tuple[float, float]:
        cr = col_rest[k]
        lo = max(sum(_even_fill(c, rho, lf) for c in cr),
                 sum(_even_fill(r, cr, lf) for r in rho))
        hi = min(sum(_greedy_fill(c, rho, lf) for c in cr),
                 sum(_greedy_fill(r, cr, lf) for r in rho))
        return lo, hi

    pvalue = 0.0
    work = paths = 0
    # node (remaining row margins, sorted) -> distinct past values S and their counts
    stage: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {
        tuple(sorted(rows.tolist())): (np.zeros(1), np.ones(1))}
    for k in range(ncol):
        grow: dict[tuple[int, ...], list[tuple[np.ndarray, np.ndarray]]] = {}
        for key, (S, cnt) in stage.items():
            rho = np.array(key, dtype=np.int64)
            lo, hi = bounds(rho, k)
            log_mass = float(lf[int(rho.sum())] - lf[rho].sum()) - lf_col_rest[k]
            done = S + lo >= threshold                # every completion is extreme
            if done.any():
                pvalue += float((cnt[done] * np.exp(const - S[done] + log_mass)).sum())
            pend = ~done & (S + hi >= threshold)      # some completions are: expand
            if not pend.any():
                continue
            Sp, cp = S[pend], cnt[pend]
            n_fill = _count_fillings(rho, int(cols[k]))
            work += n_fill
            paths += n_fill * len(Sp)
            if work > max_paths or paths > 100 * max_paths:
                raise CrosstabError(
                    f"the {table.shape[0]} x {table.shape[1]} table of {row!r} by {col!r} "
                    f"(n = {N}) is too large for the exact Fisher test within max_paths="
                    f"{max_paths}; use fisher_exact(..., simulate=True) for a Monte Carlo "
                    "p-value, or pearson_chisq when expected counts are large enough")
            fills = _column_fillings(rho, int(cols[k]))
            ds = lf[fills].sum(axis=1)
            rest = np.sort(rho[None, :] - fills, axis=1)
            for f_i, nkey in enumerate(map(tuple, rest.tolist())):
                grow.setdefault(nkey, []).append((Sp + ds[f_i], cp))
        stage = {}
        for nkey, parts in grow.items():      # merge equal past values
            S = np.concatenate([p_[0] for p_ in parts])
            cnt = np.concatenate([p_[1] for p_ in parts])
            uniq, first, inv = np.unique(np.round(S * 1e9).astype(np.int64),
                                         return_index=True, return_inverse=True)
            stage[nkey] = (S[first], np.bincount(inv.ravel(), weights=cnt,
                                                 minlength=len(uniq)))
    for S, cnt in stage.values():
        hit = S >= threshold
        pvalue += float((cnt[hit] * np.exp(const - S[hit])).sum())
    return float(min(pvalue, 1.0)), math.exp(const - s_obs)
