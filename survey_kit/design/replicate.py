"""Replicate weights: what a replicate-weight design carries, and its one variance formula.

A replicate-weight design estimates a statistic :math:`\\hat\\theta` with the
full-sample weights and again with each of the :math:`R` columns of
replicate weights, :math:`\\hat\\theta_r`; its variance is (R ``svrVar``)

.. math::

    \\hat V(\\hat\\theta) = c \\sum_{r=1}^R c_r (\\hat\\theta_r - \\bar\\theta)
        (\\hat\\theta_r - \\bar\\theta)^T,

with the overall ``scale`` :math:`c`, the per-replicate ``rscales``
:math:`c_r`, and :math:`\\bar\\theta` the mean of the replicates (over those
with :math:`c_r > 0`), or the full-sample estimate when ``mse=True``.
Replicates whose estimate is NaN are left out, with a warning, as R does.

:class:`Replicates` holds the replicate weights, either compressed (one row
of multipliers per PSU, times the sampling weights: the designs built by
:mod:`survey_kit.design.replicate_build`) or as the full n x R matrix of
analysis weights (columns supplied with a public-use file), and computes the
replicate totals ``W.T @ x`` every estimator starts from.
:func:`from_columns` reads supplied columns with R ``svrepdesign``'s defaults
per type.

Example
-------
>>> import numpy as np
>>> rep = Replicates(full=np.array([[0.0, 2], [2, 0]]), pweights=np.ones(2), scale=0.5,
...                  rscales=np.ones(2), mse=False, type="JK1")
>>> rep.totals(np.array([1.0, 3.0])).ravel().tolist()
[6.0, 2.0]
>>> replicate_vcov(np.array([4.0]), rep.totals(np.array([1.0, 3.0])), rep)
array([[4.]])

References
----------
Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed.
Springer. Lumley, T. (2010). Complex Surveys, ch. 2.8 (replicate weights).
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError

__all__ = ["REPLICATE_TYPES", "Replicates", "from_columns", "rank_degf", "replicate_columns",
           "replicate_degf", "replicate_names", "replicate_vcov", "type_scales"]

#: replicate types (R ``svrepdesign(type=)``; "other" needs ``scale``/``rscales``)
REPLICATE_TYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "ACS",
                   "successive-difference", "other")


@dataclasses.dataclass(frozen=True, eq=False)
class Replicates:
    """The replicate weights of a design and how their spread becomes a variance.

    Either ``full`` (n, R): the analysis weights of each replicate; or
    ``multipliers`` (m, R) with ``index`` (n,): replicate ``r`` weights row
    ``i`` by ``pweights[i] * multipliers[index[i], r]`` (R's compressed
    form). ``scale``, ``rscales`` and ``mse`` are those of the formula in the
    module docstring; ``type`` and ``rho`` (Fay's factor) describe the design.
    """

    pweights: np.ndarray
    scale: float
    rscales: np.ndarray
    mse: bool
    type: str
    full: np.ndarray | None = None
    multipliers: np.ndarray | None = None
    index: np.ndarray | None = None
    rho: float | None = None

    @property
    def n_replicates(self) -> int:
        return int(len(self.rscales))

    def analysis(self) -> np.ndarray:
        """The (n, R) analysis weights of every replicate."""
        if self.full is not None:
            return self.full
        return self.pweights[:, None] * self.multipliers[self.index]

    def totals(self, x: np.ndarray) -> np.ndarray:
        """Replicate totals ``W_r' x`` of values ``x`` (n,) or (n, k): an (R, k) array."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        if self.full is not None:
            return self.full.T @ x
        m = self.multipliers.shape[0]
        xw = x * self.pweights[:, None]
        z = np.empty((m, x.shape[1]))
        for j in range(x.shape[1]):
            z[:, j] = np.bincount(self.index, weights=xw[:, j], minlength=m)
        return self.multipliers.T @ z

    def coded_sums(self, code: np.ndarray, m: int) -> np.ndarray:
        """Replicate weight sums per code (codes 0..m-1; -1 ignored): an (m, R) array."""
        ok = code >= 0
        if self.full is None:
            M = self.multipliers.shape[0]
            key = code[ok].astype(np.int64) * M + self.index[ok]
            pw = np.bincount(key, weights=self.pweights[ok], minlength=m * M).reshape(m, M)
            return pw @ self.multipliers
        W = self.full
        if W.flags.f_contiguous:                         # columns contiguous: bincount each
            c = code[ok]
            rows = np.flatnonzero(ok) if not ok.all() else slice(None)
            return np.column_stack([np.bincount(c, weights=W[rows, r], minlength=m)
                                    for r in range(W.shape[1])])
        from scipy import sparse
        rows = np.flatnonzero(ok)
        ind = sparse.csr_matrix((np.ones(len(rows)), (code[ok], rows)),
                                shape=(m, len(code)))
        return np.asarray(ind @ W)

    def vcov(self, full: Any, reps: Any) -> np.ndarray:
        """:func:`replicate_vcov` of estimates ``full`` (k,) and replicates ``reps`` (R, k)."""
        return replicate_vcov(full, reps, self)

    def cell_vcov(self, code: np.ndarray, m: int, shares: bool) -> np.ndarray:
        """Replicate covariance (m, m) of the weighted totals (or, with ``shares``, the
        shares of the total) of cells 0..m-1 (code -1: outside), as R's ``svytotal`` /
        ``svymean`` of cell indicators."""
        ok = code >= 0
        s = np.bincount(code[ok], weights=self.pweights[ok], minlength=m)
        S = self.coded_sums(code, m).T                  # (R, m)
        if not shares:
            return self.vcov(s, S)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.vcov(s / s.sum(), S / S.sum(axis=1, keepdims=True))

    def with_weights(self, pweights: np.ndarray, full: np.ndarray) -> Replicates:
        """The same replicate design with new full-sample and replicate weights."""
        return dataclasses.replace(self, pweights=pweights, full=full, multipliers=None,
                                   index=None)


def replicate_vcov(full: Any, reps: Any, rep: Replicates) -> np.ndarray:
    """The replicate variance (R ``svrVar``) of estimates ``full`` (k,) from ``reps`` (R, k).

    Examples
    --------
    >>> import numpy as np
    >>> rep = Replicates(pweights=np.ones(3), scale=1.0, rscales=np.ones(2), mse=True,
    ...                  type="other", full=np.ones((3, 2)))
    >>> replicate_vcov(np.array([1.0]), np.array([[2.0], [0.0]]), rep)
    array([[2.]])
    """
    full = np.atleast_1d(np.asarray(full, dtype=float))
    reps = np.asarray(reps, dtype=float).reshape(rep.n_replicates, -1)
    rscales = rep.rscales
    ok = np.isfinite(reps).all(axis=1)          # R: na.omit of the replicates
    if not ok.all():
        if not ok.any():
            return np.full((reps.shape[1],) * 2, np.nan)
        warnings.warn(f"{int((~ok).sum())} replicates gave NaN or infinite estimates and "
                      "were left out of the variance (as R)", RuntimeWarning, stacklevel=3)
        reps, rscales = reps[ok], rscales[ok]
    centre = full if rep.mse else reps[rscales > 0].mean(axis=0)
    dev = (reps - centre) * np.sqrt(rscales)[:, None]
    return rep.scale * (dev.T @ dev)


def replicate_degf(rep: Replicates, tol: float = 1e-5) -> int:
    """R ``degf()`` of a replicate design: the rank of the analysis weights minus one.

    The rank is that of R's ``qr(tol = 1e-5)`` (LINPACK ``dqrdc2``, Householder
    with limited pivoting): in column order, a column counts when its norm,
    after projecting out the columns before it that count, is at least
    ``tol`` times its own norm (here by Gram-Schmidt, orthogonalising twice).
    For many rows the same is done on a count sketch of the rows
    (:func:`_sketch`: each row added, with a random sign, to one of
    ``max(8 R, 512)`` buckets; Clarkson and Woodruff 2013), which keeps the
    rank (with probability one for continuous weights) at O(n R) cost instead
    of O(n R^2); the norms, and so the ``tol`` rule, hold to a few percent.
    """
    return rank_degf(_sketch(rep.full if rep.full is not None else rep.analysis()), tol)


def rank_degf(A: np.ndarray, tol: float = 1e-5) -> int:
    """The rank of ``A`` by R's ``qr(tol=)`` rule (see :func:`replicate_degf`), minus one."""
    norms = np.linalg.norm(A, axis=0)
    Q = np.empty(A.shape)
    k = 0
    for j in range(A.shape[1]):
        v = np.array(A[:, j], dtype=float)
        for _ in range(2):
            v -= Q[:, :k] @ (Q[:, :k].T @ v)
        r = float(np.linalg.norm(v))
        if norms[j] > 0 and r >= tol * norms[j]:
            Q[:, k] = v / r
            k += 1
    return k - 1


def _sketch(W: np.ndarray) -> np.ndarray:
    """``W`` itself when small, else its count sketch (k, R), seeded (deterministic)."""
    n, R = W.shape
    k = max(8 * R, 512)
    if n <= 8 * k:
        return W
    rng = np.random.default_rng(0)
    sign, bucket = rng.choice(np.array([-1.0, 1.0]), n), rng.integers(0, k, n)
    if W.flags.f_contiguous:         # columns contiguous: bincount each, + and - apart
        b2 = bucket + k * (sign > 0)
        B = np.column_stack([np.bincount(b2, weights=W[:, r], minlength=2 * k)
                             for r in range(R)])
        return B[k:] - B[:k]
    from scipy import sparse

    S = sparse.csr_matrix((sign, (bucket, np.arange(n))), shape=(k, n))
    return np.asarray(S @ W)


def replicate_columns(frame: pd.DataFrame, spec: Any) -> tuple[np.ndarray, list[str]]:
    """The replicate weight columns named by ``spec`` as an (n, R) float array.

    ``spec`` is a list of column names, a regular expression (a string with
    any of ``^$*+?[](){}|\\``, searched in each name as R's ``grep``) or a
    prefix (a plain string: every column whose name starts with it), or an
    (n, R) array.
    """
    if isinstance(spec, str) or (isinstance(spec, Sequence)
                                 and all(isinstance(c, str) for c in spec)):
        names = replicate_names(list(frame.columns), spec)
    else:
        arr = np.asarray(spec, dtype=float)
        if arr.ndim != 2 or arr.shape[0] != len(frame):
            raise UsageError(f"replicate_weights must be column names, a pattern or an "
                             f"array of shape ({len(frame)}, R); got shape {arr.shape}")
        return _checked_matrix(arr, "replicate weights"), []
    values = frame[names]
    bad = [c for c in names if not pd.api.types.is_numeric_dtype(values[c])]
    if bad:
        raise DesignError("replicate weights must be numeric", column=bad[0])
    return _checked_matrix(values.to_numpy(dtype=float), names), names


def replicate_names(columns: list, spec: str | Sequence[str]) -> list[str]:
    """The replicate weight columns among ``columns`` that ``spec`` names: a list of names,
    a regular expression (a string with any of ``^$*+?[](){}|\\``, searched in each name
    as R's ``grep``) or a prefix (every column whose name starts with it)."""
    if isinstance(spec, str):
        if any(c in spec for c in "^$*+?[](){}|\\"):
            try:
                pat = re.compile(spec)
            except re.error as exc:
                raise UsageError(f"replicate_weights {spec!r} is not a valid regular "
                                 f"expression: {exc}") from exc
            names = [c for c in columns if pat.search(str(c))]
        else:
            names = [c for c in columns if str(c).startswith(spec)]
        if not names:
            raise DesignError(f"no column matches the replicate weights {spec!r}; columns "
                              f"are: {', '.join(map(str, list(columns)[:30]))}")
        return names
    names = list(spec)
    missing = [c for c in names if c not in columns]
    if missing:
        raise DesignError("replicate weight column not in the data", column=missing[0])
    return names


def _checked_matrix(arr: np.ndarray, names: Any) -> np.ndarray:
    """``arr`` (kept in its memory order: no copy) after checking every value is a finite,
    non-negative number (two reductions; the row and column are found only on failure)."""
    lo, hi = float(arr.min()), float(arr.max())          # NaN propagates into both
    if not (np.isfinite(lo) and np.isfinite(hi) and lo >= 0):
        bad = np.argwhere(~np.isfinite(arr) | (arr < 0))
        i, j = (int(v) for v in bad[0])
        col = names[j] if isinstance(names, list) else f"column {j + 1}"
        raise DesignError(f"replicate weights must be non-negative numbers, not missing or "
                          f"infinite (data row {i + 1}, 1-based)", column=str(col),
                          value=float(arr[i, j]))
    return arr


def type_scales(rtype: str, R: int, scale: float | None, rscales: Any,
                 rho: float | None, combined: bool) -> tuple[float, np.ndarray]:
    """``scale`` and ``rscales`` with R ``svrepdesign``'s default for each type."""
    if rtype == "BRR":
        scale = 1.0 / R
    elif rtype == "Fay":
        if rho is None:
            raise UsageError("replicate_type='Fay' needs fay_rho (Fay's factor, e.g. 0.5)")
        scale = 1.0 / (R * (1 - rho) ** 2)
    elif rtype in ("bootstrap", "subbootstrap") and scale is None:
        scale = 1.0 / (R - 1)
    elif rtype == "JK1" and scale is None:
        scale = (R - 1) / R
    elif rtype in ("ACS", "successive-difference"):
        scale, rscales = 4.0 / R, None
    elif rtype == "JKn" and rscales is None:
        raise UsageError("replicate_type='JKn' needs rscales: (n_h - 1) / n_h of the "
                         "stratum each replicate drops a PSU from")
    elif rtype == "other" and (scale is None or rscales is None):
        raise UsageError("replicate_type='other' needs both scale and rscales")
    rs = np.ones(R) if rscales is None else np.asarray(rscales, dtype=float).ravel()
    if rs.size == 1:
        rs = np.full(R, float(rs[0]))
    if rs.size != R or not np.isfinite(rs).all() or (rs < 0).any():
        raise UsageError(f"rscales must hold {R} non-negative numbers (one per replicate); "
                         f"got {rs.size}")
    scale = 1.0 if scale is None else float(scale)
    if not np.isfinite(scale) or scale < 0:
        raise UsageError(f"scale must be a non-negative number; got {scale!r}")
    return scale, rs


def from_columns(frame: pd.DataFrame, pweights: np.ndarray, spec: Any, rtype: str | None,
                 scale: float | None = None, rscales: Any = None, mse: bool = False,
                 combined_weights: bool = True, fay_rho: float | None = None) -> Replicates:
    """Replicate weights supplied as columns (R ``svrepdesign``).

    ``combined_weights=True`` (R's default): the columns are the analysis
    weights of each replicate; ``False``: they are multipliers of the
    sampling weights. Default ``scale``/``rscales`` per type as R: JK1
    :math:`(R-1)/R`, BRR :math:`1/R`, Fay :math:`1/(R(1-\\rho)^2)`, bootstrap
    :math:`1/(R-1)`, ACS/successive-difference :math:`4/R`; JKn needs
    ``rscales`` and "other" both.
    """
    if rtype is None:
        raise UsageError(f"replicate_type is needed with replicate weights; one of "
                         f"{', '.join(REPLICATE_TYPES)}")
    if rtype not in REPLICATE_TYPES:
        raise UsageError(f"replicate_type must be one of {', '.join(REPLICATE_TYPES)}; "
                         f"got {rtype!r}")
    W, _ = replicate_columns(frame, spec)
    if not combined_weights:
        W = W * pweights[:, None]
    s, rs = type_scales(rtype, W.shape[1], scale, rscales, fay_rho, combined_weights)
    W.setflags(write=False)
    return Replicates(pweights=pweights, scale=s, rscales=rs, mse=bool(mse), type=rtype,
                      full=W, rho=fay_rho)
