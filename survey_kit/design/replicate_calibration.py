"""Calibration of a replicate-weight design: every replicate calibrated again, as R.

R's ``postStratify``, ``rake`` and ``calibrate`` on a replicate design
(``postStratify.svyrep.design``, ``rake``, ``calibrate.svyrep.design``)
adjust each column of replicate weights to the same population totals as the
full-sample weights; the replicate variance then carries the calibration (no
residuals are needed). Here the full-sample weighting is done once by
:mod:`survey_kit.weighting`; its result says the cells, margins or model
matrix and reached the totals, and the replicates are adjusted to those
totals all at once, as (n, R) matrices:

- post-stratification: :math:`w_{ri} N_c / \\sum_{j \\in c} w_{rj}`;
- raking: iterative proportional fitting of every replicate column, margin by
  margin, until each margin's factors are within ``tol`` of 1;
- linear calibration (GREG): :math:`w_{ri}(1 + x_i^T\\lambda_r)` with
  :math:`(\\sum_i w_{ri} x_i x_i^T)\\lambda_r = T - \\sum_i w_{ri} x_i`;
  raking calibration (``calfun="raking"``, unbounded): :math:`w_{ri}\\exp(x_i^T\\lambda_r)`
  by Newton's method on all replicates at once.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.DataFrame({"g": list("aabbb"), "y": [1.0, 2, 3, 4, 6]})
>>> t = sk.as_targets({"g": {"a": 40, "b": 60}}, kind="count")
>>> d = sk.SurveyDesign(df).as_replicate("JK1").poststratify(t)
>>> float(d.replicates.analysis()[:, 2][df["g"] == "b"].sum().round(6))
60.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DesignError
from .replicate import replicate_degf

__all__ = ["recalibrated"]


def _cell_sums(codes: np.ndarray, W: np.ndarray, m: int) -> np.ndarray:
    """(m, R) sums of the columns of ``W`` within codes 0..m-1."""
    from scipy import sparse

    ind = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                            shape=(m, len(codes)))
    return np.asarray(ind @ W)


def _codes(values: Any) -> tuple[np.ndarray, int]:
    codes = np.asarray(values)
    codes = np.where(codes < 0, codes.max() + 1, codes).astype(np.intp)
    return codes, int(codes.max()) + 1


def _poststratify(W: np.ndarray, w: np.ndarray, cells: Any) -> np.ndarray:
    codes, m = _codes(cells)
    target = np.bincount(codes, weights=w, minlength=m)
    S = _cell_sums(codes, W, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(S > 0, target[:, None] / S, 0.0)
    return W * f[codes]


def _rake(W: np.ndarray, w: np.ndarray, margins: Any, tol: float,
          max_iter: int = 1000) -> np.ndarray:
    coded = [_codes(m) for m in margins]
    targets = [np.bincount(c, weights=w, minlength=m) for c, m in coded]
    W = W.copy()
    for _ in range(max_iter):
        worst = 0.0
        for (c, m), t in zip(coded, targets):
            S = _cell_sums(c, W, m)
            with np.errstate(divide="ignore", invalid="ignore"):
                f = np.where(S > 0, t[:, None] / S, 1.0)
            worst = max(worst, float(np.max(np.abs(f - 1))))
            W *= f[c]
        if worst < tol:
            return W
    raise DesignError(f"raking a replicate did not converge in {max_iter} iterations "
                      f"(largest factor off 1 by {worst:.3g})")


def _greg(W: np.ndarray, w: np.ndarray, X: np.ndarray) -> np.ndarray:
    T = X.T @ w
    A = np.einsum("ir,ij,ik->rjk", W, X, X)
    lam = np.linalg.solve(A, (T[None, :] - W.T @ X)[:, :, None])[:, :, 0]   # (R, p)
    return W * (1.0 + X @ lam.T)


def _greg_raking(W: np.ndarray, w: np.ndarray, X: np.ndarray, tol: float,
                 max_iter: int = 100) -> np.ndarray:
    """Every replicate calibrated with R's ``calfun="raking"``: :math:`w_{ri}
    \\exp(x_i^T\\lambda_r)`, Newton's method on all replicates at once."""
    T = X.T @ w
    lam = np.zeros((W.shape[1], X.shape[1]))
    for _ in range(max_iter):
        G = W * np.exp(X @ lam.T)                                        # (n, R)
        miss = T[None, :] - G.T @ X                                      # (R, p)
        if np.max(np.abs(miss) / np.maximum(np.abs(T), 1.0)) < tol:
            return G
        J = np.einsum("ir,ij,ik->rjk", G, X, X)
        lam += np.linalg.solve(J, miss[:, :, None])[:, :, 0]
    raise DesignError(f"raking calibration of a replicate did not converge in {max_iter} "
                      "Newton steps")


def recalibrated(design: Any, info: Any, w: np.ndarray, tol: float,
                 calfun: str = "linear") -> Any:
    """A replicate design with full-sample weights ``w`` (calibrated as ``info`` says) and
    every replicate calibrated to the same totals."""
    rep = design._replicate
    W = rep.analysis()
    method = getattr(info, "method", None)
    if method == "poststratify":
        W = _poststratify(W, w, info.cells)
    elif method == "rake":
        W = _rake(W, w, info.margins, tol)
    elif method == "calibrate":
        X = np.asarray(info.model_matrix, dtype=float)
        fit = _greg_raking(W, w, X, tol) if calfun == "raking" else _greg(W, w, X)
        W = np.where((X != 0).any(axis=1)[:, None], fit, 0.0)
    else:
        raise DesignError(f"unknown calibration method {method!r}")
    w = np.array(w, dtype=float)
    w.setflags(write=False)
    W.setflags(write=False)
    new_rep = rep.with_weights(w, W)
    new = design._replace(weights=w, _replicate=new_rep, _calibrated=True)
    if calfun == "linear":      # R recomputes degf (the rank of the new weights) after
        new._remember("degf", replicate_degf(new_rep))   # postStratify, rake and linear
    return new                  # calibrate; after calfun="raking" it keeps the old one
