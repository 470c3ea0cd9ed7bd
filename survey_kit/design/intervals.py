"""Quantile rules and the score and likelihood intervals, as R ``survey``.

- ``qrule_hf7``: R's ``qrule="hf7"`` (Hyndman and Fan's type 7 with weights);
  ``QRULES`` maps the rule names offered by ``SurveyDesign.quantile`` to functions
  of ``(sorted values, cumulative weights, p)``.
- ``score_interval``: R's ``interval.type="score"`` of ``svyquantile``
  (``survey:::ffullerCI``): the limits are the roots of the score statistic of the
  estimating equation, found with R's ``uniroot``
  (:func:`survey_kit.stats.roots.zeroin` reproduces R's ``R_zeroin2`` step by step,
  so the same roots are found).
- ``likelihood_interval``: R's ``svyciprop(method="likelihood")``: the profile
  likelihood interval of the logit of the proportion, Rao-Scott scaled.

Example
-------
>>> import numpy as np
>>> xs = np.array([1.0, 2, 3, 4]); cumw = np.cumsum([1.0, 1, 1, 1])
>>> qrule_hf7(xs, cumw, 0.5), qrule_math(xs, cumw, 0.5)
(2.5, 2.0)
>>> lo, hi = likelihood_limits(0.3, 0.001, 1.2, 1.96)
>>> round(lo, 6), round(hi, 6)
(0.23535, 0.370464)

References
----------
Francisco, C. A. and Fuller, W. A. (1991). Quantile estimation with a complex
survey design. Annals of Statistics 19, 454-469. Hyndman, R. J. and Fan, Y.
(1996). Sample quantiles in statistical packages. The American Statistician 50,
361-365. Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for
multiway contingency tables with cell proportions estimated from survey data.
Annals of Statistics 12, 46-60. Lumley, T. (2010). Complex Surveys. Wiley.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import UsageError
from ..stats.roots import zeroin
from . import estimators
from .estimators import mean_parts, qrule_math
from .variables import indicator

__all__ = ["INTERVAL_TYPES", "PROPORTION_CI_METHODS", "QRULES", "likelihood_interval",
           "likelihood_limits", "proportion", "qrule_hf7", "quantile", "score_interval"]

_EPS = np.finfo(float).eps


def qrule_hf7(x_sorted: np.ndarray, cumw: np.ndarray, p: float) -> float:
    """R's ``qrule_hf7``: linear interpolation of the sorted values at the
    weighted plotting positions :math:`p_k = W_{k-1} / W_{n-1}` (with
    :math:`W_k` the cumulative weights, :math:`W_0 = 0`), constant outside
    [0, 1] (R ``approx(..., rule = 2)``). With equal weights this is the
    ordinary type-7 quantile."""
    n = len(x_sorted)
    if n == 1:
        return float(x_sorted[0])
    pk = np.concatenate(([0.0], cumw[:-1])) / cumw[n - 2]
    if p < pk[0]:
        return float(x_sorted[0])
    if p > pk[-1]:
        return float(x_sorted[-1])
    i, j = 0, n - 1                      # R's approx1: bisection, then interpolation
    while i < j - 1:
        ij = (i + j) // 2
        if p < pk[ij]:
            j = ij
        else:
            i = ij
    if p == pk[j]:
        return float(x_sorted[j])
    if p == pk[i]:
        return float(x_sorted[i])
    return float(x_sorted[i] + (x_sorted[j] - x_sorted[i]) * ((p - pk[i]) / (pk[j] - pk[i])))


#: quantile rules (R ``qrule=`` names) as functions of (sorted x, cumulative weights, p)
QRULES: dict[str, Callable[[np.ndarray, np.ndarray, float], float]] = {
    "math": qrule_math, "hf7": qrule_hf7}
#: interval types of a quantile (R ``interval.type=``)
INTERVAL_TYPES = ("mean", "score")




def _r_quantile7(x: np.ndarray, prob: float) -> float:
    """R ``quantile(x, prob, type = 7)`` (the arithmetic of R's code)."""
    xs = np.sort(x)
    index = (len(xs) - 1) * prob
    lo, hi = int(np.floor(index)), int(np.ceil(index))
    q = xs[lo]
    if index > lo and xs[hi] != q:
        h = index - lo
        q = (1 - h) * q + h * xs[hi]
    return float(q)


def score_interval(design: Any, y: np.ndarray, mask: np.ndarray, p: float,
                   rule: Callable, xs: np.ndarray, cumw: np.ndarray,
                   tq: float) -> tuple[float, float]:
    """R's score (Francisco-Fuller) interval of the ``p`` quantile (``survey:::ffullerCI``).

    The score statistic of the estimating function :math:`U_i(\\theta) =
    1\\{y_i > \\theta\\} - (1 - p)`, :math:`T(\\theta) = \\bar U(\\theta) /
    se(\\bar U(\\theta))` (design-based mean over the rows of ``mask``), is set to
    :math:`\\pm t` with R's ``uniroot`` between ``min(x) + IQR/100`` and
    ``max(x) - IQR/100`` (``tol = 1/(100 \\sqrt n)``). As R, each root
    :math:`\\theta^*` is mapped back through the quantile ``rule`` at the
    unweighted share of values :math:`\\le \\theta^*`. Here ``x`` and ``n`` are
    those of R's design after ``na.rm``: the rows with a value (a calibrated
    design keeps every row, the missing ones as zeros of zero weight). NaN
    limits if the statistic does not change sign on that range.
    """
    x = np.where(mask, y, 0.0) if design.is_calibrated else y[mask]
    iqr = _r_quantile7(x, 0.75) - _r_quantile7(x, 0.25)
    lower, upper = float(x.min() + iqr / 100), float(x.max() - iqr / 100)
    tol = 1 / (100 * np.sqrt(len(x)))
    yz = np.where(mask, y, 0.0)

    def stat(theta: float) -> float:
        est, v, _, _, _ = mean_parts(design, (yz > theta) - (1 - p), mask)
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(est / np.sqrt(v))

    f_lo, f_hi = stat(lower), stat(upper)
    out = []
    for qlimit in (tq, -tq):
        fa, fb = f_lo - qlimit, f_hi - qlimit
        if not (lower < upper and np.isfinite(fa) and np.isfinite(fb)
                and np.sign(fa) * np.sign(fb) <= 0):
            out.append(np.nan)
            continue
        root = zeroin(lambda t, ql=qlimit: stat(t) - ql, lower, upper, tol,
                      f_lower=fa, f_upper=fb)
        out.append(rule(xs, cumw, float(np.mean(x <= root))))
    return float(out[0]), float(out[1])


def likelihood_limits(p: float, v: float, disp: float, tq: float) -> tuple[float, float]:
    """The two solutions :math:`\\mu` of
    :math:`p\\log(p/\\mu) + (1-p)\\log((1-p)/(1-\\mu)) = t^2\\,\\phi\\,V / (2p(1-p))`
    (see :func:`likelihood_interval`), to full precision."""
    from scipy.optimize import brentq

    if not (0 < p < 1) or not v > 0:
        return p, p
    target = tq * tq * disp * v / (2 * p * (1 - p))
    b0 = np.log(p / (1 - p))

    def g(b: float) -> float:
        # Kullback-Leibler divergence of Bernoulli(expit(b)) from Bernoulli(p)
        log_mu = -np.logaddexp(0.0, -b)
        log_1mu = -np.logaddexp(0.0, b)
        return p * (np.log(p) - log_mu) + (1 - p) * (np.log1p(-p) - log_1mu) - target

    limits = []
    for sgn in (-1.0, 1.0):
        step = 1.0
        while g(b0 + sgn * step) < 0:
            step *= 2
        a, b = sorted((b0, b0 + sgn * step))
        root = brentq(g, a, b, xtol=1e-300, rtol=4 * _EPS, maxiter=500)
        limits.append(float(1 / (1 + np.exp(-root))))
    return limits[0], limits[1]


def likelihood_interval(design: Any, ind: np.ndarray, mask: np.ndarray, p: float, v: float,
                        tq: float, rows: np.ndarray | None = None) -> tuple[float, float]:
    """R's ``svyciprop(method = "likelihood")``: the Rao-Scott scaled profile likelihood
    interval of a proportion.

    R fits the intercept-only quasibinomial ``svyglm`` (prior weights
    :math:`W_i = w_i / \\bar w`, the mean over all rows of the design) and
    inverts the profile deviance: the limits :math:`\\mu = \\mathrm{expit}(b)` satisfy
    :math:`(D(b) - D(\\hat b))/\\phi = t^2 \\lambda`, with :math:`\\phi` the
    design-based variance (``svyvar``) of R's ``svyglm`` Pearson residuals
    :math:`(y_i - \\hat p)/\\sqrt{\\hat p(1-\\hat p)}` (about :math:`n/(n-1)`) and
    :math:`\\lambda` the design effect of :math:`\\hat b` (the sandwich over the
    model-based variance :math:`1/(\\sum W_i \\hat p(1-\\hat p))`). With
    :math:`D(b) - D(\\hat b) = 2\\sum W_i\\,\\mathrm{KL}(\\hat p, \\mu)` this is
    :func:`likelihood_limits` with the variance ``v`` of :math:`\\hat p`. R
    interpolates a spline through at most ten profile points; here the roots are
    exact (R agrees to about 1e-4; see tests/r/quantile_ci_fixtures.R).

    ``rows`` (a boolean mask) gives the rows of a domain, as R's ``svyby(...,
    svyciprop)``: R subsets the design to the domain, so the mean weight is
    taken over the domain's rows (for an uncalibrated design; a calibrated one
    keeps every row, with zero weight outside the domain).
    """
    if not np.isfinite(p):
        return np.nan, np.nan
    if not (0 < p < 1):
        return p, p
    w = design.weights
    wm = np.where(mask, w, 0.0)
    # R's Pearson residuals of svyglm: sqrt(prior weight / design weight), both scaled
    # to mean 1, is 1 but for the rows R drops for a missing value (not when calibrated)
    w_rows = w if rows is None or design.is_calibrated else w[rows]
    k = 1.0 if design.is_calibrated else float(wm.sum() / mask.sum() / w_rows.mean())
    r = np.where(mask, (ind - p) * np.sqrt(k / (p * (1 - p))), 0.0)
    n = int((mask & (w != 0)).sum())
    rbar = float(wm @ r / wm.sum())
    disp = float(wm @ ((r - rbar) ** 2 * n / (n - 1))) / wm.sum() if n > 1 else np.nan
    return likelihood_limits(p, v, disp, tq)


#: interval methods of SurveyDesign.proportion: those of ``proportion_ci`` and "likelihood"
PROPORTION_CI_METHODS = (*estimators.CI_METHODS, "likelihood")


def _choice(what: str, value: Any, valid: Any) -> None:
    if not (isinstance(value, str) and value in valid):
        raise UsageError(f"{what} must be one of {', '.join(map(repr, valid))}; got {value!r}")


def quantile(design: Any, var: Any, q: Any = 0.5, conf_level: float = 0.95,
             df: float | None = None, qrule: str = "math", interval_type: str = "mean"):
    """:func:`survey_kit.design.estimators.quantile` with R's ``qrule`` ("math",
    "hf7") and ``interval.type`` ("mean": Woodruff; "score": :func:`score_interval`).

    Examples
    --------
    >>> import pandas as pd, survey_kit as sk
    >>> d = sk.SurveyDesign(pd.DataFrame({"y": [3.0, 1, 2, 5, 4, 6]}))
    >>> quantile(d, "y", 0.5, qrule="hf7").estimate
    3.5
    """
    _choice("qrule", qrule, tuple(QRULES))
    _choice("interval_type", interval_type, INTERVAL_TYPES)
    if interval_type == "score":
        return estimators.quantile(design, var, q, conf_level, df, rule=QRULES[qrule],
                                   interval=score_interval, ci_method="score")
    return estimators.quantile(design, var, q, conf_level, df, rule=QRULES[qrule])


def proportion(design: Any, var: Any, level: Any = None, ci_method: str = "logit",
               conf_level: float = 0.95, df: float | None = None):
    """:func:`survey_kit.design.estimators.proportion`, and the ``"likelihood"``
    interval (:func:`likelihood_interval`).

    Examples
    --------
    >>> import pandas as pd, survey_kit as sk
    >>> d = sk.SurveyDesign(pd.DataFrame({"a": [1, 0, 0, 1, 0, 0, 0, 1, 0, 0]}))
    >>> e = proportion(d, "a", 1, ci_method="likelihood")
    >>> round(e.ci_low, 4), round(e.ci_high, 4)
    (0.0515, 0.6876)
    """
    _choice("ci_method", ci_method, PROPORTION_CI_METHODS)
    if ci_method != "likelihood":
        return estimators.proportion(design, var, level, ci_method, conf_level, df)
    from dataclasses import replace

    if design._replicate is not None:
        raise UsageError("ci_method='likelihood' is not offered on a replicate-weight design; "
                         "use 'logit', 'beta' or another method")
    e = estimators.proportion(design, var, level, "mean", conf_level, df)
    ind, _, _ = indicator(design, var, level)
    lo, hi = likelihood_interval(design, ind, ~np.isnan(ind), e.estimate, e.se ** 2,
                                 estimators.tcrit(conf_level, e.df))
    return replace(e, ci_low=lo, ci_high=hi, ci_method="likelihood")
