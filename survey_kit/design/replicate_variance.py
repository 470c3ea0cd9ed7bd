"""Replicate variance of every statistic of the room, recomputed on each replicate as R.

R's estimators on a replicate-weight design (``svymean.svyrep.design``,
``svyratio.svyrep.design``, ``svyby``, ...) do not linearize: they compute
the statistic again with each column of replicate weights and take
:func:`~survey_kit.design.replicate.replicate_vcov` of the replicates. The
statistics here are ratios of weighted totals, so one product
``W.T @ [numerators, denominators]`` (:meth:`Replicates.totals`) gives all the
replicates at once:

- totals (:func:`vcov_total`): :math:`\\hat Y_r = \\sum_i w_{ri} x_i`, the
  covariance of the totals of any values ``x`` (so the Wald tests of
  ``stats``, which work on totals, are R's);
- means and proportions (:func:`mean_variance`):
  :math:`\\bar y_r = \\sum w_{ri} y_i / \\sum w_{ri}` over the rows of the
  domain (missing values are left out as R's ``na.rm=TRUE``);
- ratios (:func:`ratio_variance`): :math:`\\hat Y_r / \\hat X_r`;
- domain means (:func:`domain_means_vcov`): every domain's means, jointly;
- the logit of a proportion (:func:`logit_variance`), for R's ``svyciprop``
  logit interval (R refits an intercept-only ``svyglm`` per replicate);
- cell totals and shares of a two-way table (:meth:`Replicates.cell_vcov`), for
  R's ``svychisq.svyrep.design`` (used by ``stats`` through the design's
  ``replicates``).

Example
-------
>>> import numpy as np, pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, 4, 7]})).as_replicate("JK1")
>>> round(float(mean_variance(d, d.frame["y"].to_numpy(), np.ones(4, bool), 3.5)), 12)
1.75
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError
from .replicate import Replicates, replicate_degf, replicate_vcov

__all__ = ["subset_degf", "domain_means_vcov", "logit_variance", "mean_variance",
           "ratio_variance", "vcov_total", "vcov_total_coded"]


def subset_degf(design: Any, mask: np.ndarray) -> int:
    """R's ``degf(design[mask, ])`` of a replicate design: R's ``[`` recomputes it, the
    rank of the remaining rows' replicate weights minus one."""
    rep = design._replicate
    sub = Replicates(pweights=rep.pweights[mask], scale=rep.scale, rscales=rep.rscales,
                     mse=rep.mse, type=rep.type, full=rep.analysis()[mask])
    return replicate_degf(sub)


def per_respondent(design: Any, x: Any) -> np.ndarray:
    """``x`` as a float matrix with one row per respondent (a vector: one column).

    >>> import numpy as np, pandas as pd, survey_kit as sk
    >>> per_respondent(sk.SurveyDesign(pd.DataFrame({"a": [1, 2]})), [3, 4]).shape
    (2, 1)
    """
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or x.shape[0] != design.n:
        raise UsageError(f"x must have one row per respondent ({design.n}); got shape "
                         f"{x.shape}")
    return x


def vcov_total(design: Any, x: Any, subset: np.ndarray | None = None) -> np.ndarray:
    """Replicate covariance of the totals ``sum_i w_i x_i`` (rows outside ``subset``: 0)."""
    x = per_respondent(design, x)
    if subset is not None:
        x = np.where(subset[:, None], x, 0.0)
    rep = design._replicate
    full = design.weights @ x
    return replicate_vcov(full, rep.totals(x), rep)


def vcov_total_coded(design: Any, table: np.ndarray, code: np.ndarray,
                     subset: np.ndarray | None = None,
                     code_subset: np.ndarray | None = None) -> np.ndarray:
    """:func:`vcov_total` of ``table[code]``, from the replicate weight sums per code."""
    m = table.shape[0]
    if subset is not None:
        code = np.where(subset, code, -1)
    if code_subset is not None:
        table = np.where(np.asarray(code_subset, dtype=bool)[:, None], table, 0.0)
    rep = design._replicate
    ok = code >= 0
    s = np.bincount(code[ok], weights=design.weights[ok], minlength=m)
    S = rep.coded_sums(code, m)                        # (m, R)
    return replicate_vcov(s @ table, S.T @ table, rep)


def mean_variance(design: Any, y: np.ndarray, mask: np.ndarray, est: float) -> float:
    """Replicate variance of the weighted mean of ``y`` over the rows of ``mask``."""
    yz = np.where(mask, y, 0.0)
    T = design._replicate.totals(np.column_stack([yz, mask.astype(float)]))
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = T[:, 0] / T[:, 1]
    return float(replicate_vcov(np.array([est]), reps[:, None], design._replicate)[0, 0])


def logit_variance(design: Any, y: np.ndarray, mask: np.ndarray, est: float) -> float:
    """Replicate variance of :math:`\\mathrm{logit}(\\hat p)` (R's ``svyciprop`` logit)."""
    yz = np.where(mask, y, 0.0)
    T = design._replicate.totals(np.column_stack([yz, mask.astype(float)]))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = T[:, 0] / T[:, 1]
        reps = np.log(p / (1 - p))
    full = np.log(est / (1 - est))
    return float(replicate_vcov(np.array([full]), reps[:, None], design._replicate)[0, 0])


def ratio_variance(design: Any, yz: np.ndarray, xz: np.ndarray, est: float) -> float:
    """Replicate variance of the ratio of totals of ``yz`` and ``xz`` (zeros outside)."""
    T = design._replicate.totals(np.column_stack([yz, xz]))
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = T[:, 0] / T[:, 1]
    return float(replicate_vcov(np.array([est]), reps[:, None], design._replicate)[0, 0])


def domain_means_vcov(design: Any, Yz: np.ndarray, w_valid: np.ndarray, dcode: np.ndarray,
                      D: int, est: np.ndarray) -> np.ndarray:
    """Joint replicate covariance (D k, D k) of the means ``est`` (D, k) of the columns of
    ``Yz`` in domains ``dcode`` (code D: none), domain-major as ``est.ravel()``."""
    n, k = Yz.shape
    valid = w_valid
    X = np.zeros((n, D * (k + 1)))
    rows = np.flatnonzero(valid & (dcode < D))
    dr = dcode[rows]
    X[rows[:, None], dr[:, None] * (k + 1) + np.arange(k)] = Yz[rows]
    X[rows, dr * (k + 1) + k] = 1.0
    T = design._replicate.totals(X).reshape(-1, D, k + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = T[:, :, :k] / T[:, :, k:]
    return replicate_vcov(est.ravel(), reps.reshape(len(T), D * k), design._replicate)
