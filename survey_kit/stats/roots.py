"""R's root finder: Brent's (1973) method step for step as R's ``uniroot`` (``R_zeroin2``).

Used wherever survey_kit must land on the same root R accepts at R's own
tolerance (the saddlepoint tail of :mod:`survey_kit.stats.chisq_lincomb`, the
score interval of quantiles in :mod:`survey_kit.design.intervals`).

Example
-------
>>> round(zeroin(lambda x: x * x - 2, 0.0, 2.0, 1e-12), 10)
1.4142135624
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["zeroin"]

_EPS = np.finfo(float).eps

def zeroin(f: Any, lower: float, upper: float, tol: float, maxiter: int = 1000, *,
           f_lower: float | None = None, f_upper: float | None = None) -> float:
    """Brent's (1973) root finder step for step as R's ``uniroot`` (zeroin2), so
    that a root accepted at R's tolerance is the same root R accepts.

    ``f_lower``/``f_upper`` are ``f(lower)``/``f(upper)`` when already known (R's
    ``uniroot(f.lower=, f.upper=)``); they must have opposite signs.
    """
    a, b = lower, upper
    fa = f(a) if f_lower is None else f_lower
    fb = f(b) if f_upper is None else f_upper
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    if fa * fb > 0:
        raise ValueError("no sign change")
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:                       # secant
                t1 = fb / fa
                p = cb * t1
                qq = 1.0 - t1
            else:                            # inverse quadratic interpolation
                qq = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0))
                qq = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                qq = -qq
            else:
                p = -p
            if p < (0.75 * cb * qq - abs(tol_act * qq) / 2) and p < abs(prev_step * qq / 2):
                new_step = p / qq
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b
