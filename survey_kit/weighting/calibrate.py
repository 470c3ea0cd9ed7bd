"""Calibration to population margins: GREG (linear), bounded raking and logit, as R's ``calibrate``.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
...                    "sector": ["it", "manufacturing", "it", "it"]})
>>> res = calibrate(df, {"size_class": {"micro": 60, "small": 30, "large": 10},
...                      "sector": {"it": 70, "manufacturing": 30}}, method="raking")
>>> float(round(res.weights.sum(), 6)), res.calibration.labels
(100.0, ('(Intercept)', 'size_classsmall', 'size_classlarge', 'sectormanufacturing'))

References
----------
Deville, J.-C. and Sarndal, C.-E. (1992). Calibration estimators in survey
sampling. *JASA* 87, 376-382.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError, WeightingError
from .distances import Distance, check_bounds
from .inputs import check_control
from .margins import Group, Level, build_result, excluded_counts, margin_setup, readonly
from .result import CalibrationInfo, WeightingResult

__all__ = ["calibrate"]

_R_RESCALE_THRESHOLD = 20.0            # as R's grake: rescale weights when pop/sample > 20


def _model_matrix(levels: Sequence[Level], per_var: list[np.ndarray]
                  ) -> tuple[np.ndarray, list[str]]:
    """R's model.matrix(~ v1 + v2 + ...) on the combination table: intercept + dummies."""
    k = per_var[0].size if per_var else 0
    cols = [np.ones(k)]
    names = ["(Intercept)"]
    for lv, codes in zip(levels, per_var):
        for j in range(1, len(lv.labels)):
            cols.append((codes == j).astype(float))
            names.append(f"{lv.name}{lv.labels[j]}")
    return np.column_stack(cols), names


def calibrate(frame: pd.DataFrame, targets: Any, method: str = "linear",
              bounds: tuple[float, float] | None = None, weights: Any = None, *,
              variables: Sequence[str] | str | None = None, max_iter: int = 100,
              tol: float = 1e-10, on_nonconvergence: str = "error",
              not_stated: str | None = None, impute_within: str | Sequence[str] | None = None,
              seed: int | None = 0,
              numeric_totals: Mapping[str, float] | None = None) -> WeightingResult:
    """Calibrate the weights to population margins (GREG, bounded raking, logit).

    Parameters
    ----------
    frame, targets, weights, not_stated, impute_within, seed
        As in :func:`~survey_kit.poststratify`; ``targets`` gives one margin per variable.
    method : {"linear", "raking", "logit"}
        Calibration function, as R's ``calfun``: linear (GREG; may give negative
        weights), raking (multiplicative, positive) or logit (bounded).
    bounds : (float, float), optional
        Bounds on ``g = w / d``, as R's ``bounds``. Required (finite, with
        lower < 1 < upper) for ``"logit"``.
    variables : str or list of str, optional
        The calibration variables (formula ``~ v1 + v2 + ...``); default every
        margin of the targets.
    max_iter : int, default 100
        Maximum Newton steps.
    tol : float, default 1e-10
        Convergence: ``max |T - X'w| / (1 + |T|) < tol`` over the totals ``T``
        of the model matrix columns (R's ``epsilon``).
    on_nonconvergence : {"error", "warn"}
        As in :func:`~survey_kit.rake`.
    numeric_totals : mapping of str to float, optional
        Population totals of numeric variables (columns of ``frame``): each adds
        its values as a column of the model matrix, after the margins' dummies,
        as R's ``calibrate(design, ~v1 + x, population = c(..., x = T))``. A
        missing value in such a column (of a respondent being weighted) is an error.

    Returns
    -------
    WeightingResult
        ``calibration.model_matrix`` is R's ``model.matrix`` of the formula.

    Notes
    -----
    The calibrated weights are ``w_i = d_i F(x_i' eta)`` with ``eta`` solving
    ``sum_i d_i F(x_i' eta) x_i = T`` (Deville and Sarndal 1992). Without
    bounds, linear calibration has the closed form
    ``g = 1 + x' (X' D X)^{-1} (T - X' d)`` (R's ``regcalibrate``). Otherwise
    Newton steps as in R's ``grake`` (generalised inverse of ``X' D F'(X eta) X``),
    safeguarded by a backtracking line search on the convex dual objective
    and, when a step stalls because weights sit at a bound, a Levenberg-Marquardt
    term; the solution is the same unique one R reaches when it converges (and
    this function also reaches it in cases where R's ``grake`` stalls). As in
    R, when every ratio population/sample total exceeds 20 the base weights are
    first multiplied by the mean ratio and the bounds apply to ``g`` relative
    to the scaled weights (a warning says so).

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
    ...                    "sector": ["it", "manufacturing", "it", "it"]})
    >>> res = calibrate(df, {"size_class": {"micro": 60, "small": 30, "large": 10},
    ...                      "sector": {"it": 70, "manufacturing": 30}}, method="raking")
    >>> float(round(res.weights.sum(), 6))
    100.0
    """
    if method not in ("linear", "raking", "logit"):
        raise UsageError(f"method must be 'linear', 'raking' or 'logit', not {method!r}")
    lo, hi = check_bounds(method, bounds)
    check_control(max_iter, tol, on_nonconvergence)
    prep, levels, table, per_var, n_c = margin_setup(
        frame, targets, weights, variables, not_stated, impute_within, seed)
    base = prep.base
    s = table.sums(base)
    X, names = _model_matrix(levels, per_var)
    T = np.concatenate([[levels[0].target.sum()]] + [lv.target[1:] for lv in levels])
    lookup = np.full(table.size, -1, dtype=np.int64)
    lookup[table.ids] = np.arange(table.ids.size)
    entry = lookup[table.code]
    num_names, num_cols, num_T = _numeric_columns(frame, numeric_totals, prep, names)
    warnings: list[str] = []
    if num_names:
        # g varies within a combination of levels: solve per respondent
        rows = np.arange(base.size) if table.include is None else np.flatnonzero(table.include)
        Xr = np.column_stack([X[entry[rows]], num_cols[rows]])
        names = names + num_names
        T = np.concatenate([T, num_T])
        g_r, it, converged, misfit = _solve(Xr, base[rows], T, names, method, lo, hi, warnings,
                                            tol, max_iter)
        w_full = np.zeros(base.size)
        w_full[rows] = base[rows] * g_r
        w_c = table.sums(w_full)
    else:
        g, it, converged, misfit = _solve(X, s, T, names, method, lo, hi, warnings, tol,
                                          max_iter)
        w_full = table.expand(g, base)
        w_c = s * g
    unbounded = not (np.isfinite(lo) or np.isfinite(hi))
    if not converged:
        worst = np.argsort(-np.abs(misfit) / (1 + np.abs(T)))[:3]
        detail = "; ".join(f"{names[j]}: misfit {misfit[j]:.6g} of {T[j]:.6g}" for j in worst)
        msg = (f"calibration ({method}, bounds ({lo:g}, {hi:g})) did not converge in "
               f"{max_iter} steps: {detail}. The bounds may be too tight for these targets; "
               "widen them, merge sparse levels (sk.collapse_levels), or raise max_iter")
        if on_nonconvergence == "error":
            raise WeightingError(msg)
        warnings.append(msg)
    mm = X[entry]
    if num_names:
        mm = np.column_stack([mm, num_cols])
    if table.include is not None:
        mm[~table.include] = 0.0
    groups = [Group(lv.name, lv.labels, lv.target, pv, excluded_counts(prep, lv.name))
              for lv, pv in zip(levels, per_var)]
    cal = CalibrationInfo("calibrate", cells=None, margins=None, model_matrix=readonly(mm),
                          base_weights=readonly(base), weights=readonly(w_full),
                          labels=tuple(names))
    label = f"calibrate ({method}" + ("" if unbounded else f", bounds ({lo:g}, {hi:g})") + ")"
    return build_result(prep, label, w_full, table, groups, n_c, s, w_c, converged, it, cal,
                        warnings)


def _solve(X: np.ndarray, s: np.ndarray, T: np.ndarray, names: list[str], method: str,
           lo: float, hi: float, warnings: list[str], tol: float, max_iter: int
           ) -> tuple[np.ndarray, int, bool, np.ndarray]:
    """g solving sum_k s_k g_k x_k = T: closed form for unbounded linear, else Newton."""
    unbounded = not (np.isfinite(lo) or np.isfinite(hi))
    if method == "linear" and unbounded:
        return _linear_closed_form(X, s, T, names)
    t_hat = X.T @ s
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = T / t_hat
    scale = 1.0
    if np.all(scales > _R_RESCALE_THRESHOLD):
        # as R's grake; it changes the result only through the bounds
        scale = float(scales.mean())
        if not unbounded:
            warnings.append(f"base weights were first multiplied by {scale:.6g} (every "
                            "population/sample ratio > 20, as R's grake does); the "
                            "bounds apply to g relative to these scaled weights")
    dist = Distance(method, lo, hi)
    g, it, converged, misfit = _newton(X, s * scale, T, dist, tol, max_iter)
    return g * scale, it, converged, misfit


def _numeric_columns(frame: pd.DataFrame, totals: Mapping[str, float] | None, prep: Any,
                     names: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The numeric calibration variables: names, values (n x q) and population totals."""
    if not totals:
        return [], np.zeros((len(frame), 0)), np.zeros(0)
    if not isinstance(totals, Mapping):
        raise UsageError("numeric_totals must be a mapping {column: population total}")
    cols, tot = [], []
    for name, total in totals.items():
        if name not in frame.columns:
            raise UsageError(f"numeric_totals: no column {name!r} in the frame")
        if name in prep.factors or name in names:
            raise UsageError(f"numeric_totals: {name!r} is also a categorical margin")
        try:
            t = float(total)
            x = pd.to_numeric(frame[name], errors="raise").to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise UsageError(f"numeric_totals: column {name!r} and its total must be "
                             "numeric") from None
        if not np.isfinite(t):
            raise UsageError(f"numeric_totals: the total of {name!r} must be finite")
        bad = ~np.isfinite(x) & prep.include
        if bad.any():
            first = int(np.flatnonzero(bad)[0])
            raise WeightingError(
                f"numeric calibration variable {name!r} is missing (or not finite) in "
                f"{int(bad.sum())} row(s), first row {prep.index[first]!r} (position {first}); "
                "impute or drop them before calibrating")
        cols.append(np.where(prep.include, x, 0.0))
        tot.append(t)
    return list(totals), np.column_stack(cols), np.array(tot)


def _linear_closed_form(X: np.ndarray, s: np.ndarray, T: np.ndarray, names: list[str]
                        ) -> tuple[np.ndarray, int, bool, np.ndarray]:
    XtDX = X.T @ (s[:, None] * X)
    try:
        lam = np.linalg.solve(XtDX, T - X.T @ s)
    except np.linalg.LinAlgError:
        raise WeightingError("linear calibration: the calibration variables are collinear "
                             f"(model matrix columns {names}); drop a redundant variable") \
            from None
    g = 1.0 + X @ lam
    return g, 1, True, T - X.T @ (s * g)


def _within_rounding(phi_new: float, phi: float, X: np.ndarray, s: np.ndarray,
                     rhs: np.ndarray, u_new: np.ndarray, dist: Distance, misfit: np.ndarray,
                     scale_T: np.ndarray) -> bool:
    """Near the solution the dual objective changes by less than its rounding error
    (large totals, e.g. of a numeric variable): accept a step there when it at least
    halves the misfit."""
    if abs(phi_new - phi) > 1e-9 * (1.0 + abs(phi)):
        return False
    new = rhs - X.T @ (s * dist.fm1(u_new))
    return bool(np.max(np.abs(new) / scale_T) < 0.5 * np.max(np.abs(misfit) / scale_T))


def _newton(X: np.ndarray, s: np.ndarray, T: np.ndarray, dist: Distance, tol: float,
            max_iter: int) -> tuple[np.ndarray, int, bool, np.ndarray]:
    """Solve sum_k s_k F(x_k'eta) x_k = T for eta (Newton on the convex dual)."""
    p = X.shape[1]
    t_hat = X.T @ s
    rhs = T - t_hat
    eta = np.zeros(p)
    u = np.zeros(X.shape[0])
    phi = 0.0
    misfit = rhs.copy()
    scale_T = 1.0 + np.abs(T)
    gram_diag = np.maximum(np.diag(X.T @ (s[:, None] * X)), 1e-300)
    rcond = 256 * np.finfo(float).eps        # as MASS::ginv's tolerance
    mu = 0.0
    converged = bool(np.all(np.abs(misfit) / scale_T < tol))
    it = 0
    stalls = 0
    while not converged and it < max_iter:
        it += 1
        H = X.T @ ((s * dist.df(u))[:, None] * X)
        if mu == 0.0:
            step_dir = np.linalg.pinv(H, rcond=rcond) @ misfit
        else:
            step_dir = np.linalg.solve(H + mu * np.diag(gram_diag), misfit)
        slope = float(step_dir @ misfit)
        accepted = False
        step = 1.0
        if slope > 0:
            for _ in range(60):
                eta_new = eta + step * step_dir
                u_new = X @ eta_new
                with np.errstate(over="ignore", invalid="ignore"):
                    phi_new = float(s @ dist.psi(u_new) - eta_new @ rhs)
                if np.isfinite(phi_new) and (
                        phi_new <= phi - 1e-4 * step * slope
                        or _within_rounding(phi_new, phi, X, s, rhs, u_new, dist, misfit,
                                            scale_T)):
                    accepted = True
                    break
                step *= 0.5
        if not accepted:
            mu = max(mu * 10.0, 1e-6)
            if mu > 1e12:
                break
            continue
        old_err = float(np.max(np.abs(misfit) / scale_T))
        eta, u, phi = eta_new, u_new, phi_new
        misfit = rhs - X.T @ (s * dist.fm1(u))
        err = float(np.max(np.abs(misfit) / scale_T))
        converged = err < tol
        # a Newton step that barely moves the misfit means weights are stuck at a
        # bound with zero derivative: switch on the Levenberg-Marquardt term
        if err > 0.9 * old_err:
            stalls += 1
            if stalls >= 2:
                mu = max(mu * 10.0, 1e-6)
        else:
            stalls = 0
            mu = 0.0 if mu <= 1e-6 else mu / 10.0
    g = 1.0 + dist.fm1(u)
    return g, it, converged, misfit
