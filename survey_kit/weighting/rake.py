"""Raking (iterative proportional fitting) to several margins, as R's ``rake``.

The sweeps run on the table of base-weight sums per combination of the
margins' levels (:mod:`~survey_kit.weighting.margins`), so their cost does
not depend on the number of respondents.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
...                    "sector": ["it", "manufacturing", "it", "it"]})
>>> res = rake(df, {"size_class": {"micro": 60, "small": 30, "large": 10},
...                 "sector": {"it": 70, "manufacturing": 30}})
>>> res.weights.round(6).tolist()
[30.0, 30.0, 30.0, 10.0]

References
----------
Deville, J.-C., Sarndal, C.-E. and Sautory, O. (1993). Generalized raking
procedures in survey sampling. *JASA* 88, 1013-1020.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import WeightingError
from .inputs import check_control
from .margins import Group, Level, build_result, excluded_counts, margin_setup, readonly
from .result import CalibrationInfo, WeightingResult

__all__ = ["rake"]


def rake(frame: pd.DataFrame, targets: Any, weights: Any = None, *,
         variables: Sequence[str] | str | None = None, max_iter: int = 1000,
         tol: float = 1e-10, on_nonconvergence: str = "error",
         not_stated: str | None = None, impute_within: str | Sequence[str] | None = None,
         seed: int | None = 0) -> WeightingResult:
    """Rake (iterative proportional fitting) to several margins.

    Parameters
    ----------
    frame, targets, weights, not_stated, impute_within, seed
        As in :func:`~survey_kit.poststratify`; ``targets`` gives one margin per variable.
    variables : str or list of str, optional
        Margins to rake to, in this order; default every margin of the targets.
    max_iter : int, default 1000
        Maximum number of sweeps over all margins.
    tol : float, default 1e-10
        Stop when every margin is reached: ``max |achieved - target| / target
        < tol`` (tight enough that the weights agree with R's ``rake`` run to
        convergence to 1e-8 relative).
    on_nonconvergence : {"error", "warn"}
        Raise a :class:`~survey_kit.errors.WeightingError` with the margin errors reached, or
        return the last weights with ``converged=False`` and a warning.

    Returns
    -------
    WeightingResult

    Notes
    -----
    Each sweep post-stratifies to each margin in turn, as R's ``rake``; the
    iterations run on the table of base-weight sums per combination of the
    margins' levels, so their cost does not depend on the sample size. The
    fixed point minimises the raking distance ``sum d (g log g - g + 1)`` under
    the margin constraints (Deville, Sarndal and Sautory 1993); R's ``rake``
    stops on the change of the weighted table, this function on the margins
    themselves.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
    ...                    "sector": ["it", "manufacturing", "it", "it"]})
    >>> res = rake(df, {"size_class": {"micro": 60, "small": 30, "large": 10},
    ...                 "sector": {"it": 70, "manufacturing": 30}})
    >>> res.converged, res.max_margin_error < 1e-10
    (True, True)
    """
    check_control(max_iter, tol, on_nonconvergence)
    prep, levels, table, per_var, n_c = margin_setup(
        frame, targets, weights, variables, not_stated, impute_within, seed)
    base = prep.base
    # without base weights the base sums are the counts (no pass over the respondents)
    s0 = n_c.astype(float) if prep.unit_base else table.sums(base)
    g = np.ones(s0.size)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - `it` is reported after the loop
        for codes_k, lv in zip(per_var, levels):
            tot = np.bincount(codes_k, weights=s0 * g, minlength=lv.target.size)
            g *= (lv.target / tot)[codes_k]
        cur = s0 * g
        err = max(float(np.max(np.abs(np.bincount(ck, weights=cur, minlength=lv.target.size)
                                      - lv.target) / lv.target))
                  for ck, lv in zip(per_var, levels))
        if err < tol:
            converged = True
            break
    w_full = table.expand(g, None if prep.unit_base else base)
    warnings: list[str] = []
    if not converged:
        msg = (f"raking did not converge in {max_iter} sweeps (tol {tol:g}): largest relative "
               f"margin errors reached {_margin_errors(levels, per_var, s0 * g)}. Some "
               "combination of levels may be missing from the sample; merge sparse levels "
               "(sk.collapse_levels), rake on fewer margins, or raise max_iter")
        if on_nonconvergence == "error":
            raise WeightingError(msg)
        warnings.append(msg)
    groups = [Group(lv.name, lv.labels, lv.target, pv, excluded_counts(prep, lv.name))
              for lv, pv in zip(levels, per_var)]
    cal = CalibrationInfo("rake", cells=None, margins=[readonly(lv.codes) for lv in levels],
                          model_matrix=None, base_weights=readonly(base),
                          weights=readonly(w_full),
                          labels=tuple(tuple(lv.labels) for lv in levels))
    return build_result(prep, "rake", w_full, table, groups, n_c, s0, s0 * g, converged, it, cal,
                        warnings)


def _margin_errors(levels: Sequence[Level], per_var: list[np.ndarray], cur: np.ndarray) -> str:
    parts = []
    for lv, ck in zip(levels, per_var):
        rel = np.abs(np.bincount(ck, weights=cur, minlength=lv.target.size) - lv.target) \
            / lv.target
        j = int(np.argmax(rel))
        parts.append(f"{lv.name}: {rel[j]:.3g} (level {lv.labels[j]})")
    return "; ".join(parts)
