"""Calibration distances (R's ``calfun``): linear, raking and logit, with bounds on g.

A :class:`Distance` gives the calibration function ``F`` (``g = F(x'eta)``)
minus one, its derivative and its primitive, which
:func:`~survey_kit.weighting.calibrate.calibrate` needs for its Newton steps
and line search.

Example
-------
>>> import numpy as np
>>> d = Distance("raking", *check_bounds("raking", (0.5, 2.0)))
>>> (d.fm1(np.array([-1.0, 0.0, 1.0])) + 1).round(6).tolist()
[0.5, 1.0, 2.0]

References
----------
Deville, J.-C. and Sarndal, C.-E. (1992). Calibration estimators in survey
sampling. *JASA* 87, 376-382.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError

__all__ = ["Distance", "check_bounds"]


class Distance:
    """Calibration function F (g = F(x'eta)), its derivative and its primitive.

    ``fm1(u) = F(u) - 1``; ``df(u) = F'(u)``; ``psi(u)`` is the primitive of
    ``fm1`` with ``psi(0) = 0``, so that ``sum d psi(x'eta) - eta'(T - t)`` is
    the convex dual objective whose gradient is minus the calibration misfit.
    """

    def __init__(self, method: str, lower: float, upper: float) -> None:
        self.method, self.lower, self.upper = method, lower, upper
        if method == "logit":
            L, U = lower, upper
            self.A = (U - L) / ((U - 1.0) * (1.0 - L))
            self.shift = np.log((1.0 - L) / (U - 1.0))
        if method == "raking":
            self.la = np.log(lower) if lower > 0 else -np.inf
            self.lb = np.log(upper) if np.isfinite(upper) else np.inf

    def fm1(self, u: np.ndarray) -> np.ndarray:
        L, U = self.lower, self.upper
        if self.method == "linear":
            return np.clip(u + 1.0, L, U) - 1.0
        if self.method == "raking":
            with np.errstate(over="ignore"):
                return np.clip(np.exp(u), L, U) - 1.0
        z = self.A * u + self.shift
        return L + (U - L) * _sigmoid(z) - 1.0

    def df(self, u: np.ndarray) -> np.ndarray:
        L, U = self.lower, self.upper
        if self.method == "linear":
            return ((u > L - 1.0) & (u < U - 1.0)).astype(float)
        if self.method == "raking":
            with np.errstate(over="ignore"):
                return np.where((u > self.la) & (u < self.lb), np.exp(u), 0.0)
        s = _sigmoid(self.A * u + self.shift)
        return (U - L) * self.A * s * (1.0 - s)

    def psi(self, u: np.ndarray) -> np.ndarray:
        L, U = self.lower, self.upper
        if self.method == "linear":
            a, b = L - 1.0, U - 1.0
            mid = 0.5 * u * u
            with np.errstate(invalid="ignore"):
                lo = a * u - 0.5 * a * a if np.isfinite(a) else mid
                hi = b * u - 0.5 * b * b if np.isfinite(b) else mid
            return np.where(u < a, lo, np.where(u > b, hi, mid))
        if self.method == "raking":
            la, lb = self.la, self.lb
            with np.errstate(over="ignore", invalid="ignore"):
                mid = np.expm1(u) - u
                lo = (np.expm1(la) - la) + (L - 1.0) * (u - la) if np.isfinite(la) else mid
                hi = (np.expm1(lb) - lb) + (U - 1.0) * (u - lb) if np.isfinite(lb) else mid
            return np.where(u < la, lo, np.where(u > lb, hi, mid))
        # logit: (L-1)u + (U-1)(1-L)[log(U-1+(1-L)e^{Au}) - log(U-L)]
        z = np.logaddexp(np.log(U - 1.0), np.log(1.0 - L) + self.A * u)
        return (L - 1.0) * u + (U - 1.0) * (1.0 - L) * (z - np.log(U - L))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def check_bounds(method: str, bounds: Any) -> tuple[float, float]:
    if bounds is None:
        lo, hi = -np.inf, np.inf
    else:
        try:
            lo, hi = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise UsageError(f"bounds must be a pair (lower, upper) of numbers, not "
                             f"{bounds!r}") from None
        if np.isnan(lo) or np.isnan(hi) or not lo < hi:
            raise UsageError(f"bounds {bounds!r}: need lower < upper")
    if method == "logit":
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise UsageError("logit calibration needs finite bounds, e.g. bounds=(0.5, 2.5)")
        if not lo < 1.0 < hi:
            raise UsageError(f"logit calibration needs lower < 1 < upper; got bounds "
                             f"({lo:g}, {hi:g})")
    return lo, hi
