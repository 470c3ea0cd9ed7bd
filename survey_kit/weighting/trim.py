"""Trimming weights to bounds, spreading the trimmed amount over the others (R's ``trimWeights``).

Example
-------
>>> res = trim_weights([1.0, 1.0, 1.0, 5.0], upper=3)
>>> res.weights.round(6).tolist(), float(res.diagnostics["share_trimmed"])
([1.666667, 1.666667, 1.666667, 3.0], 0.25)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError, WeightingError
from .diagnostics import weight_diagnostics
from .inputs import list_ids
from .margins import margins_table
from .result import WeightingResult

__all__ = ["trim_grouped", "trim_weights"]


def trim_weights(weights: Any, lower: float | None = None, upper: float | None = None,
                 strict: bool = False, *, max_rounds: int = 10_000) -> WeightingResult:
    """Trim weights to ``[lower, upper]`` and spread the trimmed amount over the others.

    Parameters
    ----------
    weights : WeightingResult, pandas.Series or array-like
        Weights to trim. Zero weights (excluded respondents) stay 0 and get
        no share of the trimmed amount.
    lower, upper : float, optional
        Bounds on the weights themselves (not on the adjustment).
    strict : bool, default False
        Repeat until no weight is outside the bounds (spreading can push other
        weights over a bound).
    max_rounds : int
        Safety limit of rounds under ``strict``.

    Returns
    -------
    WeightingResult
        With the trimmed weights; margins recomputed when ``weights`` was a
        result (trimming moves the weighted margins away from the targets),
        whose ``iterations`` it keeps (for plain weights, ``iterations`` is the
        number of trimming rounds); ``diagnostics["share_trimmed"]`` is the
        share of weights trimmed.

    Notes
    -----
    As R's ``trimWeights``: weights outside the bounds are set to the bound
    and the total trimmed, ``sum(w - w_trimmed)``, is added in equal parts to
    the weights that were inside the bounds, so the total is preserved.

    Example
    -------
    >>> trim_weights([1.0, 1.0, 1.0, 5.0], upper=3).weights.round(6).tolist()
    [1.666667, 1.666667, 1.666667, 3.0]
    """
    prev = weights if isinstance(weights, WeightingResult) else None
    series = prev.weights if prev is not None else _as_series(weights)
    try:
        if series.dtype.kind == "b":
            raise TypeError("true/false values")
        w = series.to_numpy(dtype=float).copy()
    except (TypeError, ValueError):
        raise WeightingError("weights to trim are not all numbers") from None
    if not np.isfinite(w).all():
        raise WeightingError(f"{int((~np.isfinite(w)).sum())} weight(s) are missing or "
                             f"infinite ({list_ids(series.index, ~np.isfinite(w))}); trim finite "
                             "weights")
    lo, hi = _bounds(lower, upper, strict, max_rounds)
    units = w != 0
    _check_feasible(w, units, lo, hi)
    w, ever, rounds, still = _trim(w, units, lo, hi, max_rounds if strict else 1)
    warnings = _trim_warnings(ever, still, units, lo, hi, rounds, strict, max_rounds)
    out_series = pd.Series(w, index=series.index, name=series.name or "weight")
    diag = weight_diagnostics(w, trimmed=ever)
    if prev is None:
        return WeightingResult(weights=out_series, converged=not still.any(), iterations=rounds,
                               max_margin_error=np.nan, margins=pd.DataFrame(),
                               diagnostics=diag, warnings=tuple(warnings), method="trim")
    margins, max_err = _margins_after(prev, w, ever, warnings)
    # the calibration keeps the calibrated weights: as R's trimWeights, a design
    # residualises with them, the trimming factors being fixed multipliers
    return replace(prev, weights=out_series, converged=prev.converged and not still.any(),
                   max_margin_error=max_err, margins=margins,
                   diagnostics=diag, warnings=prev.warnings + tuple(warnings),
                   method=prev.method + " + trim")


def trim_grouped(values: Any, counts: Any, lower: float | None = None,
                 upper: float | None = None, strict: bool = False, *,
                 max_rounds: int = 10_000) -> tuple[np.ndarray, tuple[str, ...], bool]:
    """:func:`trim_weights` of weights given as distinct values and how many respondents
    hold each (``counts``): the same rounds, on a table instead of the respondents (the
    out-of-core designs trim per combination of the weighting cells this way).

    Returns the trimmed values, the warnings and whether every weight ended within the
    bounds.

    >>> v, notes, ok = trim_grouped([1.0, 5.0], [3, 1], upper=3)
    >>> v.round(6).tolist(), ok
    ([1.666667, 3.0], True)
    """
    w = np.array(values, dtype=float)
    c = np.asarray(counts, dtype=float)
    if w.shape != c.shape or w.ndim != 1:
        raise UsageError(f"values and counts must be one-dimensional and alike; got shapes "
                         f"{w.shape} and {c.shape}")
    if not (np.isfinite(w).all() and np.isfinite(c).all() and (c >= 0).all()):
        raise WeightingError("weights to trim must be finite, with non-negative counts")
    lo, hi = _bounds(lower, upper, strict, max_rounds)
    units = (w != 0) & (c > 0)
    _check_feasible(w, units, lo, hi, c)
    w, ever, rounds, still = _trim(w, units, lo, hi, max_rounds if strict else 1, c)
    notes = _trim_warnings(ever, still, units, lo, hi, rounds, strict, max_rounds, c)
    return w, tuple(notes), not still.any()


def _bounds(lower: Any, upper: Any, strict: bool, max_rounds: Any) -> tuple[float, float]:
    """The bounds as floats (-inf/inf when not given), checked."""
    lo = -np.inf if lower is None else _bound(lower, "lower")
    hi = np.inf if upper is None else _bound(upper, "upper")
    if np.isnan(lo) or np.isnan(hi) or not lo < hi:
        raise UsageError(f"trim bounds need lower < upper; got lower={lower!r}, upper={upper!r}")
    if strict and (not isinstance(max_rounds, (int, np.integer)) or isinstance(max_rounds, bool)
                   or max_rounds < 1):
        raise UsageError(f"max_rounds must be a positive integer, not {max_rounds!r}")
    return lo, hi


def _bound(value: Any, name: str) -> float:
    """A trimming bound as a float (UsageError naming it when it is not a number)."""
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError("a boolean")
        return float(value)
    except (TypeError, ValueError):
        raise UsageError(f"trim bound {name}={value!r} is not a number") from None


def _as_series(weights: Any) -> pd.Series:
    """Plain weights as a Series (a Series as given)."""
    if isinstance(weights, pd.Series):
        return weights
    try:
        arr = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise WeightingError("weights to trim are not all numbers") from None
    if arr.ndim != 1:
        raise UsageError(f"weights must be one-dimensional, got shape {arr.shape}")
    return pd.Series(arr, name="weight")


def _check_feasible(w: np.ndarray, units: np.ndarray, lo: float, hi: float,
                    counts: np.ndarray | None = None) -> None:
    """The non-zero weights can all lie within [lo, hi] and keep their total."""
    m = int(units.sum() if counts is None else counts[units].sum())
    total = float(w[units].sum() if counts is None else (counts * w)[units].sum())
    if w.size == 0:
        raise WeightingError("there are no weights to trim")
    if m == 0:
        raise WeightingError("every weight is zero; nothing to trim")
    if hi * m < total * (1 - 1e-12):
        raise WeightingError(f"upper={hi:g} is too low: {m} weights summing to {total:,.6g} "
                             f"cannot all be <= {hi:g} (their mean is {total / m:,.6g}); "
                             "raise upper")
    if lo * m > total * (1 + 1e-12):
        raise WeightingError(f"lower={lo:g} is too high: {m} weights summing to {total:,.6g} "
                             f"cannot all be >= {lo:g} (their mean is {total / m:,.6g}); "
                             "lower it")


def _trim(w: np.ndarray, units: np.ndarray, lo: float, hi: float, max_rounds: int,
          counts: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """Clip to the bounds and spread the amount clipped, for up to ``max_rounds`` rounds.

    ``counts`` (default one each) are how many respondents share each weight.
    Returns the weights, which were ever trimmed, the rounds run, and which
    are still outside the bounds.
    """
    m = int(units.sum() if counts is None else counts[units].sum())
    total = float(w[units].sum() if counts is None else (counts * w)[units].sum())
    ever = np.zeros(w.size, dtype=bool)
    rounds = 0
    # a weight within 1e-12 (relative) of a bound is at the bound: without this
    # slack, strict trimming can cycle on rounding errors for ever
    slack = 1e-12 * max([abs(b) for b in (lo, hi) if np.isfinite(b)] + [total / m])
    lo_test, hi_test = lo - slack, hi + slack
    while True:
        outside = units & ((w < lo_test) | (w > hi_test))
        if not outside.any():
            break
        if rounds >= max_rounds:
            break
        rounds += 1
        clipped = np.where(outside, np.clip(w, lo, hi), w)
        diff = w - clipped
        trimmed_amount = float(diff.sum() if counts is None else (counts * diff).sum())
        inside = units & ~outside
        if not inside.any():
            raise WeightingError("every weight is outside the trimming bounds; widen them")
        clipped[inside] += trimmed_amount / (inside.sum() if counts is None
                                             else counts[inside].sum())
        ever |= outside
        w = clipped
    still = units & ((w < lo_test) | (w > hi_test))
    return w, ever, rounds, still


def _trim_warnings(ever: np.ndarray, still: np.ndarray, units: np.ndarray, lo: float,
                   hi: float, rounds: int, strict: bool, max_rounds: int,
                   counts: np.ndarray | None = None) -> list[str]:
    """What trimming did (and did not manage), in words."""
    c = np.ones(units.size) if counts is None else np.asarray(counts, dtype=float)
    n_ever, n_still = int(c[ever].sum()), int(c[still].sum())
    span = (f"[{lo:.6g}, {hi:.6g}]" if np.isfinite(lo) and np.isfinite(hi)
            else f"at most {hi:.6g}" if np.isfinite(hi) else f"at least {lo:.6g}")
    if ever.any():
        warnings = [(f"{n_ever} weight(s) ({n_ever / c[units].sum():.1%}) trimmed to "
                     f"{span} in {rounds} round(s); the trimmed amount was spread equally over "
                     "the other weights")]
    else:
        warnings = [f"trimming to {span}: no weight was outside the bounds"]
    if still.any():
        warnings.append(f"{n_still} weight(s) are not {span} after "
                        + ("one round; use strict=True to repeat until none is"
                           if not strict else f"{max_rounds} rounds"))
    return warnings


def _margins_after(prev: WeightingResult, w: np.ndarray, ever: np.ndarray,
                   warnings: list[str]) -> tuple[pd.DataFrame, float]:
    """The margins table of a weighting result recomputed with the trimmed weights."""
    if not prev._groups:
        return prev.margins, prev.max_margin_error
    table, groups, n_c, base_c = prev._groups
    margins, max_err = margins_table(groups, n_c, base_c, table.sums(w))
    if ever.any() and max_err > 1e-6:
        j = int(np.nanargmax(np.abs(margins["rel_error"].to_numpy(dtype=float))))
        row = margins.iloc[j]
        warnings.append(f"trimming moved the weighted margins off their targets: largest "
                        f"relative error {row.rel_error:+.3g} ({row.variable}="
                        f"{row.level}); raise the cap, or weight again with the trimmed "
                        "weights as base weights")
    return margins, max_err
