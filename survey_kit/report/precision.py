"""The precision a report quotes: Kish's design effect of weighting and the margin of error.

Example
-------
>>> round(margin_of_error(600), 4)                 # ±4.0 points for n = 600
0.04
>>> kish_deff([1.0, 1.0, 2.0, 2.0])                # 4 * 10 / 6**2
1.1111111111111112
>>> round(margin_of_error(600, kish_deff([1.0, 1.0, 2.0, 2.0])), 4)
0.0422

Notes
-----
Margin of error at 95% for a proportion of 50% (the largest):
:math:`\\mathrm{MoE} = 1.96 \\sqrt{0.25 / n}`; with the design effect of
weighting (Kish 1965) :math:`\\mathrm{deff} = n \\sum w_i^2 / (\\sum w_i)^2`,
:math:`\\mathrm{MoE}_w = \\mathrm{MoE} \\sqrt{\\mathrm{deff}}`; the effective
sample size is :math:`n / \\mathrm{deff}`.

References
----------
Kish, L. (1965). Survey Sampling. Wiley.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..errors import UsageError

__all__ = ["kish_deff", "margin_of_error"]


def kish_deff(weights: Sequence[float] | np.ndarray) -> float:
    """Kish's design effect of unequal weighting, ``n Σw² / (Σw)²``, over non-zero weights.

    NaN when every weight is zero.
    """
    w = np.asarray(weights, dtype=float)
    w = w[w != 0]
    if not len(w):
        return float("nan")
    return float(len(w) * np.dot(w, w) / w.sum() ** 2)


def margin_of_error(n: int, deff: float = 1.0, p: float = 0.5, z: float = 1.96) -> float:
    """Half-width of the 95% CI of a proportion, in proportion units.

    ``z * sqrt(p (1 - p) / n) * sqrt(deff)``; the defaults give the survey
    margin of error ``1.96 * sqrt(0.25 / n)`` (times ``sqrt(deff)`` for the
    design effect of weighting).

    Parameters
    ----------
    n : int
        Number of respondents (with a non-zero weight).
    deff : float
        Design effect (1 for simple random sampling).
    p : float
        The proportion; 0.5 gives the largest margin.
    z : float
        Normal quantile of the confidence level.

    Returns
    -------
    float

    Raises
    ------
    UsageError
        If ``n`` is not positive.

    Example
    -------
    >>> round(margin_of_error(600), 4)
    0.04
    """
    if n <= 0:
        raise UsageError(f"n must be positive; got {n}")
    return float(z * math.sqrt(p * (1 - p) / n) * math.sqrt(deff))
