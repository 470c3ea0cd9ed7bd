"""The bare-numpy floor: the least work a correct answer needs, with no checks.

Raking runs on the table of respondent counts per combination of the three
margins (320 cells) and maps the factors back with one gather; the Rao-Scott
test works on per-cell sums of w and w^2 (fixed weights) or per-(cell x margin
combination) sums (raked design: the raking residuals of R's svyrecvar, ten
backfitting passes, done on the combination table). Nothing here validates
input, handles missing values, labels or reports: it shows how far survey_kit
is from what the hardware allows, not an alternative to use.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from . import _common as c

NAME = "numpy floor"
NOTES = {
    "rake": "IPF on the 4x10x8 count table, stop at max relative margin error < 1e-8",
    "chisq_fixed": "bincount of w and w^2 per cell + Rao-Scott on the 20-cell table",
    "chisq_raked": "bincount per (cell x margin combination) + 10 raking backfits on it",
}
_VARS = ("size_class", "sector", "region")


def version() -> str:
    return np.__version__


def _codes(frame, names):
    return [np.asarray(frame[v].array.codes) for v in names]


def _ipf(counts, sizes, targets, tol=1e-8, max_iter=1000):
    """Raking factors per cell of a dense table of (base weight) sums."""
    lv = np.indices(sizes).reshape(len(sizes), -1)
    g = np.ones(counts.size)
    for _ in range(max_iter):
        for k, t in enumerate(targets):
            tot = np.bincount(lv[k], weights=counts * g, minlength=t.size)
            g *= np.divide(t, tot, out=np.ones_like(t), where=tot > 0)[lv[k]]
        err = max(float(np.max(np.abs(np.bincount(lv[k], weights=counts * g, minlength=t.size)
                                      - t) / t)) for k, t in enumerate(targets))
        if err < tol:
            break
    return g


def setup_rake(data):
    frame = c.frame(data)
    tg = c.targets()
    targets = [np.array(list(tg[v].values())) for v in _VARS]
    sizes = tuple(t.size for t in targets)

    def run():
        c0, c1, c2 = _codes(frame, _VARS)
        key = (c0.astype(np.int32) * sizes[1] + c1) * sizes[2] + c2
        counts = np.bincount(key, minlength=int(np.prod(sizes))).astype(float)
        return _ipf(counts, sizes, targets).take(key)

    return run, lambda w: {"weights": w}


def _contrasts(nr, nc):
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    R = (rows[:, None] == np.arange(1, nr)).astype(float)
    K = (cols[:, None] == np.arange(1, nc)).astype(float)
    X1 = np.column_stack([np.ones(nr * nc), R, K])
    X12 = (K[:, :, None] * R[:, None, :]).reshape(nr * nc, -1)
    Q, _ = np.linalg.qr(X1)
    return X12 - Q @ (Q.T @ X12)


def _rao_scott(S1, Y, S2, n, nr, nc, nu):
    """F test from per-group weight sums S1, S2 and influence rows Y (groups x q)."""
    M = Y.T @ (S2[:, None] * Y)                         # sum_i w_i^2 y_i y_i^T
    mean = (S1 @ Y) / n
    V = n / (n - 1) * (M - n * np.outer(mean, mean))
    return V


def _finish(m, V, n, nr, nc, nu, C):
    P = m.reshape(nc, nr).T
    E = np.outer(P.sum(axis=1), P.sum(axis=0))
    x2 = n * float(((P - E) ** 2 / E).sum())
    B = C / m[:, None]
    Delta = np.linalg.solve((C.T @ B) / n, V)
    tr = float(np.trace(Delta))
    d0 = tr * tr / float(np.trace(Delta @ Delta))
    F = x2 / tr
    return {"F": F, "ndf": d0, "ddf": d0 * nu, "p": float(stats.f.sf(F, d0, d0 * nu))}


def setup_chisq_fixed(data):
    frame = c.frame(data)
    w = frame["w"].to_numpy()
    nr, nc = len(c.CAT4), len(c.CAT5)
    C = _contrasts(nr, nc)

    def run():
        r, k = _codes(frame, ("cat4", "cat5"))
        cell = r.astype(np.int32) + nr * k
        S1 = np.bincount(cell, weights=w, minlength=nr * nc)
        S2 = np.bincount(cell, weights=w * w, minlength=nr * nc)
        n = cell.size
        W = S1.sum()
        m = S1 / W
        B = C / m[:, None]
        Y = (B - m @ B) / W                             # influence row of each cell
        V = _rao_scott(S1, Y, S2, n, nr, nc, n - 1)
        return _finish(m, V, n, nr, nc, n - 1, C)

    return run, lambda out: out


def setup_chisq_raked(data):
    frame = c.frame(data)
    tg = c.targets()
    targets = [np.array(list(tg[v].values())) for v in _VARS]
    sizes = tuple(t.size for t in targets)
    nr, nc = len(c.CAT4), len(c.CAT5)
    ncell = nr * nc
    C = _contrasts(nr, nc)
    # the raked weights (untimed, as the design is built before the test)
    c0, c1, c2 = _codes(frame, _VARS)
    mkey = (c0.astype(np.int32) * sizes[1] + c1) * sizes[2] + c2
    counts = np.bincount(mkey, minlength=int(np.prod(sizes))).astype(float)
    w = _ipf(counts, sizes, targets, tol=1e-12).take(mkey)
    nm = int(np.prod(sizes))
    lv = np.indices(sizes).reshape(len(sizes), -1)

    def run():
        r, k = _codes(frame, ("cat4", "cat5"))
        cell = r.astype(np.int32) + nr * k
        key = cell * nm + mkey                           # (cell, margin combination)
        G = ncell * nm
        N0 = np.bincount(key, minlength=G).astype(float)
        S1 = np.bincount(key, weights=w, minlength=G)
        S2 = np.bincount(key, weights=w * w, minlength=G)
        n = cell.size
        Sc = S1.reshape(ncell, nm).sum(axis=1)
        W = Sc.sum()
        m = Sc / W
        B = C / m[:, None]
        Yc = (B - m @ B) / W
        Y = np.repeat(Yc, nm, axis=0)                    # y = z / w per combination
        gl = [np.tile(lv[j], ncell) for j in range(len(sizes))]
        # ten backfitting passes on level sums: a_j subtracted per level of margin j,
        # cross-counts N_ji of the combinations (the respondents are not touched)
        E = [np.eye(s)[g] * N0[:, None] for g, s in zip(gl, sizes)]
        cnt = [e.sum(axis=0) for e in E]
        cross = {(j, i): E[j].T @ (E[i] / np.maximum(N0, 1)[:, None])
                 for j in range(3) for i in range(3)}
        G0 = [e.T @ Y for e in E]
        a = [np.zeros((s, Y.shape[1])) for s in sizes]
        for _ in range(10):
            for j in range(3):
                cur = G0[j] - sum(cross[j, i] @ a[i] for i in range(3))
                a[j] += cur / cnt[j][:, None]
        for g, aj in zip(gl, a):
            Y = Y - aj[g]
        V = _rao_scott(S1, Y, S2, n, nr, nc, n - 1)
        return _finish(m, V, n, nr, nc, n - 1, C)

    return run, lambda out: out


TASKS = {"rake": setup_rake, "chisq_fixed": setup_chisq_fixed,
         "chisq_raked": setup_chisq_raked}
