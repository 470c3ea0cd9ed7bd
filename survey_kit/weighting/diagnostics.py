"""Diagnostics of a set of weights: size, spread, Kish design effect, effective sample size.

Example
-------
>>> d = weight_diagnostics([1.0, 1.0, 2.0, 4.0])
>>> float(d["deff_kish"]), float(d["ess"])
(1.375, 2.909090909090909)

References
----------
Kish, L. (1965). *Survey Sampling*. Wiley (design effect of weighting).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["weight_diagnostics"]


def weight_diagnostics(weights: Any, trimmed: np.ndarray | None = None) -> pd.Series:
    """Summary of a set of weights: size, spread and the Kish design effect.

    Parameters
    ----------
    weights : array-like or pandas.Series
        Weights; zeros (excluded respondents) are counted but left out of the
        statistics.
    trimmed : array of bool, optional
        Which weights were trimmed (for ``share_trimmed``).

    Returns
    -------
    pandas.Series
        ``n`` (non-zero weights), ``n_zero``, ``n_negative``, ``sum``,
        ``mean``, ``min``, ``max``, ``max_min_ratio``, ``cv``, ``deff_kish``,
        ``ess``, ``share_trimmed``.

    Notes
    -----
    Kish's design effect of unequal weighting is
    ``deff = n * sum(w^2) / sum(w)^2 = 1 + cv^2`` with ``cv`` the coefficient of
    variation of the weights (population standard deviation over the mean);
    the effective sample size is ``n / deff = sum(w)^2 / sum(w^2)``.

    Example
    -------
    >>> float(weight_diagnostics([1.0, 1.0, 2.0, 4.0])["deff_kish"])
    1.375
    """
    w = np.asarray(weights, dtype=float)
    used = w != 0
    wu = w if used.all() else w[used]
    n = int(wu.size)
    total = float(wu.sum()) if n else 0.0
    # einsum, not np.dot: a BLAS dot of a long vector is slow on a loaded multi-core machine
    sq = float(np.einsum("i,i->", wu, wu)) if n else 0.0
    mean = total / n if n else np.nan
    wmin = float(wu.min()) if n else np.nan
    wmax = float(wu.max()) if n else np.nan
    cv = float(np.sqrt(max(sq / n - mean * mean, 0.0)) / mean) if n and mean != 0 else np.nan
    deff = n * sq / (total * total) if n and total != 0 else np.nan
    share_trimmed = (float(np.asarray(trimmed, bool)[used].mean())
                     if trimmed is not None and n else 0.0)
    return pd.Series({
        "n": n, "n_zero": int((~used).sum()), "n_negative": int((wu < 0).sum()),
        "sum": total, "mean": mean, "min": wmin, "max": wmax,
        "max_min_ratio": wmax / wmin if n and wmin > 0 else np.nan,
        "cv": cv, "deff_kish": deff, "ess": total * total / sq if sq > 0 else np.nan,
        "share_trimmed": share_trimmed,
    }, dtype=float, name="diagnostics")
