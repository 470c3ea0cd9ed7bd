"""Ratio estimation of a design, as R's ``svyratio``.

The ratio of two population totals is estimated by the ratio of their
weighted totals,

.. math:: \\hat R = \\frac{\\hat Y}{\\hat X} = \\frac{\\sum_i w_i y_i}{\\sum_i w_i x_i},

and its variance by linearization (Lumley 2010, sec. 2.4.2; R's ``svyratio``):
the influence function :math:`z_i = (y_i - \\hat R x_i) / \\hat X` goes
through the design's one variance engine, :func:`~survey_kit.design.variance.vcov_total`,
so strata, PSUs, fpc, later stages of a multistage design and the
residualisation of a calibrated design are handled exactly as for means and
totals. Rows where either variable is missing are left out as a domain (R's
``na.rm=TRUE``: they keep their place in strata and PSUs). The interval is
:math:`\\hat R \\pm t_{df}\\, se` with ``df = degf(design)`` by default (R
``confint(svyratio(...), df = degf(design))``), and the design effect is R's
``deff=TRUE``: that of the total of :math:`z`.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.DataFrame({"y": [2.0, 3, 5, 8], "x": [1.0, 2, 2, 4], "w": [1.0, 2, 1, 2]})
>>> e = ratio(sk.SurveyDesign(df, weights="w"), "y", "x")
>>> round(e.estimate, 4), round(e.se, 4)
(1.9333, 0.1647)

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley,
sec. 2.4.2 (ratio estimators). Binder, D. A. (1983). On the variances of
asymptotically normal estimators from complex surveys. International
Statistical Review 51, 279-292.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DesignError
from . import replicate_variance
from .estimate import Estimate
from .estimators import df_value, tcrit, total_parts
from .variables import numeric, require_some, require_weight
from .variance import vcov_total

__all__ = ["ratio"]


def ratio(design: Any, numerator: Any, denominator: Any, conf_level: float = 0.95,
          df: float | None = None) -> Estimate:
    """Ratio of the weighted totals of ``numerator`` and ``denominator`` (R ``svyratio``).

    Returns an :class:`~survey_kit.design.estimate.Estimate` with statistic
    ``"ratio"`` and variable ``"numerator/denominator"``; ``n`` counts the rows
    where both are present, ``n_missing`` the others. Raises
    :class:`~survey_kit.errors.DesignError` (naming the column) for an unknown
    or non-numeric variable, one missing everywhere, or a denominator whose
    weighted total is zero.
    """
    y, yname = numeric(design, numerator)
    x, xname = numeric(design, denominator)
    name = f"{yname}/{xname}"
    require_some(~np.isnan(y), yname)
    require_some(~np.isnan(x), xname)
    mask = ~(np.isnan(y) | np.isnan(x))
    if not mask.any():
        raise DesignError(f"no respondent has values of both {yname!r} and {xname!r}; "
                          "nothing to estimate", column=xname)
    require_weight(design.weights, mask, name)
    w = np.where(mask, design.weights, 0.0)
    yz, xz = np.where(mask, y, 0.0), np.where(mask, x, 0.0)
    x_hat = float(w @ xz)
    if x_hat == 0:
        raise DesignError(f"the weighted total of the denominator {xname!r} is zero (over "
                          "the rows where both variables are present); the ratio is "
                          "undefined", column=xname)
    est = float(w @ yz) / x_hat
    infl = (yz - est * xz) / x_hat
    if design._replicate is not None:          # R: the ratio again on each replicate
        v = replicate_variance.ratio_variance(design, yz, xz, est)
    else:
        v = float(vcov_total(design, infl, subset=mask)[0, 0])
    _, _, deff, _, _ = total_parts(design, infl, mask)
    se = float(np.sqrt(max(v, 0.0)))
    dfv = df_value(design.degf, df)
    q = tcrit(conf_level, dfv)
    return Estimate(variable=name, statistic="ratio", estimate=est, se=se,
                    ci_low=est - q * se, ci_high=est + q * se, conf_level=conf_level,
                    df=dfv, deff=float(deff), n=int(mask.sum()),
                    n_missing=int((~mask).sum()))
