"""Estimators of a design: mean, total, proportion and quantile, with their intervals.

Each returns an :class:`~survey_kit.design.estimate.Estimate` that knows its
standard error (linearization, :mod:`survey_kit.design.variance`),
confidence interval and design effect, as R's ``svymean``, ``svytotal``,
``svyciprop`` and ``svyquantile``. :class:`SurveyDesign` exposes them as
methods.

Conventions (what "as R" means here)
------------------------------------
- Confidence intervals use Student's t with ``design.degf`` degrees of
  freedom, as ``confint(svymean(...), df = degf(design))`` and R's
  ``svyciprop`` (whose default ``df`` is ``degf``). R's ``confint`` default
  for ``svymean``/``svytotal``/``svyby`` is the normal quantile: pass
  ``df=numpy.inf`` for it.
- Quantiles use ``degf`` of the non-missing rows, as R's ``svyquantile``.
- Missing values are handled as R's ``na.rm=TRUE`` (a domain analysis), and
  counted in the results.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 2, 1, 2]}), weights="w")
>>> round(mean(d, "y").estimate, 4)
2.6667
>>> lo, hi = proportion_ci(0.3, 0.01, "wilson", 0.95, 20, n_rows=30, n_resp=30)
>>> round(lo, 4), round(hi, 4)
(0.1414, 0.5273)

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators
from complex surveys. International Statistical Review 51, 279-292.
Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for
proportions with small expected number of positive counts estimated from
survey data. Survey Methodology 24, 193-201. Woodruff, R. S. (1952).
Confidence intervals for medians and other position measures. JASA 47,
635-646. Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R.
Wiley.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import DesignError, UsageError
from .estimate import Estimate
from .variables import indicator, numeric, require_some, require_weight
from . import replicate_variance
from .variance import degf, vcov_total

__all__ = ["CI_METHODS", "Sums", "df_value", "logit_interval", "mean", "mean_parts",
           "moment_estimate", "proportion", "proportion_ci", "quantile", "replicate_logit_ci",
           "tcrit", "total", "total_parts"]

#: interval methods for a proportion (R ``svyciprop`` names, and Wilson)
CI_METHODS = ("logit", "xlogit", "beta", "mean", "asin", "wilson")


def _is_real(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def df_value(default: float, df: Any) -> float:
    """The t degrees of freedom: ``df`` as given (checked), else the design's ``default``."""
    if df is None:
        return float(default)
    if not (_is_real(df) and df >= 0):
        raise UsageError(f"df must be a non-negative number of degrees of freedom (numpy.inf "
                         f"for the normal quantile) or None for the design's; got {df!r}")
    return float(df)


def tcrit(conf_level: float, df: float | None) -> float:
    """The two-sided quantile of Student's t on ``df`` (normal for None or inf).

    ``conf_level`` must be a number strictly between 0 and 1 and ``df`` None or a
    non-negative number (UsageError otherwise); ``df = 0`` gives NaN.
    """
    from scipy import stats

    if not (_is_real(conf_level) and 0 < conf_level < 1):
        raise UsageError(f"conf_level must be a number between 0 and 1 (e.g. 0.95); "
                         f"got {conf_level!r}")
    df = None if df is None else df_value(0.0, df)
    a = (1 - conf_level) / 2
    if df is None or np.isinf(df):
        return float(stats.norm.isf(a))
    if df <= 0:
        return float("nan")
    return float(stats.t.isf(a, df))


# ---------------------------------------------------------------------------
# means and totals
# ---------------------------------------------------------------------------

def has_population_size(design: Any) -> bool:
    """Whether the design knows its population size (an fpc was given)."""
    return design._popsize_h is not None


def srs_fraction(design: Any, N: Any, nobs: Any) -> Any:
    """The finite-population factor of a design effect's SRS variance.

    With an fpc the weights sum to a population size and the comparison is
    simple random sampling without replacement, :math:`(N - n)/N` (R
    ``deff=TRUE``). Without one it is sampling with replacement, factor 1 (R
    ``deff="replace"``), so the design effect does not depend on the scale of
    the weights: weights calibrated to population shares (summing to n) would
    otherwise make :math:`(N - n)/N` zero and the deff infinite.
    """
    if not has_population_size(design):
        return 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return (N - nobs) / N


def mean_parts(design: Any, y: np.ndarray, mask: np.ndarray):
    """Ratio mean of y over rows ``mask``: estimate, variance, deff, weight sum, nobs.

    :math:`\\bar y = \\sum w_i y_i / \\sum w_i`; its influence function
    :math:`(y_i - \\bar y) / \\sum w_i` goes through ``vcov_total`` with the
    rows outside ``mask`` as a domain (Binder 1983; Lumley 2010, ch. 2). The
    design effect is the variance over :math:`s^2 c / n` with :math:`s^2` the
    weighted population variance estimate, :math:`n` the respondents with
    non-zero weight and :math:`c` the factor of :func:`srs_fraction`
    (:math:`(N - n)/N`, :math:`N = \\sum w_i`, with an fpc, else 1).
    """
    w = design.weights
    wm = np.where(mask, w, 0.0)
    psum = wm.sum()
    if psum <= 0:
        return np.nan, np.nan, np.nan, psum, int((mask & (w != 0)).sum())
    yz = np.where(mask, y, 0.0)
    est = float(wm @ yz / psum)
    if design._replicate is not None:          # R: the mean again on each replicate
        v = replicate_variance.mean_variance(design, y, mask, est)
    else:
        infl = np.where(mask, y - est, 0.0) / psum
        v = float(vcov_total(design, infl, subset=mask)[0, 0])
    nobs = int((mask & (w != 0)).sum())
    deff = np.nan
    if nobs > 1 and (psum >= nobs or not has_population_size(design)):
        svar = nobs / (nobs - 1) * float(wm @ np.where(mask, (y - est) ** 2, 0.0)) / psum
        vsrs = svar * srs_fraction(design, psum, nobs) / nobs
        with np.errstate(divide="ignore", invalid="ignore"):
            deff = v / vsrs if vsrs > 0 else np.nan
    return est, v, deff, psum, nobs


def total_parts(design: Any, y: np.ndarray, mask: np.ndarray):
    """Total of y over rows ``mask``: estimate, variance, deff, weight sum, nobs.

    :math:`\\hat Y = \\sum w_i y_i`; the design effect is the variance over
    :math:`N^2 s^2 c / n` with :math:`c` as :func:`mean_parts`.
    """
    w = design.weights
    wm = np.where(mask, w, 0.0)
    yz = np.where(mask, y, 0.0)
    est = float(wm @ yz)
    v = float(vcov_total(design, yz, subset=mask)[0, 0])
    psum = wm.sum()
    nobs = int((mask & (w != 0)).sum())
    deff = np.nan
    if nobs > 1 and (psum > nobs or not has_population_size(design)):
        ybar = est / psum
        svar = nobs / (nobs - 1) * float(wm @ np.where(mask, (y - ybar) ** 2, 0.0)) / psum
        vsrs = svar * psum ** 2 * srs_fraction(design, psum, nobs) / nobs
        deff = v / vsrs if vsrs > 0 else np.nan
    return est, v, deff, psum, nobs


def _point_estimate(design: Any, var: Any, statistic: str, parts: Any, conf_level: float,
                    df: float | None) -> Estimate:
    """Mean or total of ``var`` as an Estimate: t interval on ``degf`` (or ``df``)."""
    y, name = numeric(design, var)
    mask = ~np.isnan(y)
    require_some(mask, name)
    if statistic == "mean":
        require_weight(design.weights, mask, name)
    est, v, deff, _, _ = parts(design, y, mask)
    se = float(np.sqrt(max(v, 0.0)))
    dfv = df_value(design.degf, df)
    q = tcrit(conf_level, dfv)
    return Estimate(variable=name, statistic=statistic, estimate=est, se=se,
                    ci_low=est - q * se, ci_high=est + q * se, conf_level=conf_level,
                    df=dfv, deff=float(deff), n=int(mask.sum()),
                    n_missing=int((~mask).sum()))


def mean(design: Any, var: Any, conf_level: float = 0.95, df: float | None = None) -> Estimate:
    """Weighted mean (ratio estimator) of ``var``; see :func:`mean_parts`.

    Missing values are left out as R's ``na.rm=TRUE`` (a domain: they keep
    their place in strata and PSUs) and counted in ``n_missing``.
    """
    return _point_estimate(design, var, "mean", mean_parts, conf_level, df)


def total(design: Any, var: Any, conf_level: float = 0.95, df: float | None = None) -> Estimate:
    """Weighted total of ``var``; see :func:`total_parts`.

    Missing values count as zero in the total, as R's ``na.rm=TRUE`` (they are
    reported in ``n_missing``).
    """
    return _point_estimate(design, var, "total", total_parts, conf_level, df)


# ---------------------------------------------------------------------------
# proportions
# ---------------------------------------------------------------------------

def proportion(design: Any, var: Any, level: Any = None, ci_method: str = "logit",
               conf_level: float = 0.95, df: float | None = None) -> Estimate:
    """Proportion of respondents with ``var == level`` (the mean of the indicator), with
    the interval of :func:`proportion_ci`."""
    ind, name, lev = indicator(design, var, level)
    mask = ~np.isnan(ind)
    require_some(mask, name)
    require_weight(design.weights, mask, name)
    est, v, deff, _, _ = mean_parts(design, ind, mask)
    dfv = df_value(design.degf, df)
    lo, hi = proportion_ci(est, v, ci_method, conf_level, dfv, n_rows=design.n,
                           n_resp=int(mask.sum()))
    if ci_method == "logit" and design._replicate is not None:
        lo, hi = replicate_logit_ci(design, ind, mask, est, conf_level, dfv)
    return Estimate(variable=name, statistic="proportion", estimate=est,
                    se=float(np.sqrt(max(v, 0.0))), ci_low=lo, ci_high=hi,
                    conf_level=conf_level, df=dfv, deff=float(deff), n=int(mask.sum()),
                    n_missing=int((~mask).sum()), level=lev, ci_method=ci_method)


def replicate_logit_ci(design: Any, ind: np.ndarray, mask: np.ndarray, p: float,
                       conf_level: float, df: float) -> tuple[float, float]:
    """R's ``svyciprop(method="logit")`` on a replicate design: the logit of the
    proportion on each replicate gives the SE on the logit scale."""
    if not 0 < p < 1:
        return p, p
    return logit_interval(p, replicate_variance.logit_variance(design, ind, mask, p),
                          conf_level, df)


def logit_interval(p: float, v_logit: float, conf_level: float,
                   df: float) -> tuple[float, float]:
    """The t interval on the logit scale, given the variance of :math:`\\mathrm{logit}(p)`,
    back on the proportion scale."""
    eta, half = np.log(p / (1 - p)), tcrit(conf_level, df) * np.sqrt(max(v_logit, 0.0))
    return float(1 / (1 + np.exp(-(eta - half)))), float(1 / (1 + np.exp(-(eta + half))))


def _logit_ci(p: float, se: float, q: float) -> tuple[float, float]:
    eta = np.log(p / (1 - p))
    half = q * se / (p * (1 - p))
    return float(1 / (1 + np.exp(-(eta - half)))), float(1 / (1 + np.exp(-(eta + half))))


def _asin_ci(p: float, se: float, q: float) -> tuple[float, float]:
    eta = np.arcsin(np.sqrt(p))
    half = q * se / (2 * np.sqrt(p * (1 - p)))
    return float(np.sin(eta - half) ** 2), float(np.sin(eta + half) ** 2)


def _beta_ci(p: float, v: float, se: float, conf_level: float, df: float, n_rows: int,
             n_resp: int) -> tuple[float, float]:
    """Korn and Graubard (1998): Clopper-Pearson on the effective sample size."""
    from scipy import stats

    a = (1 - conf_level) / 2
    if se == 0:
        neff = float(n_resp)
    else:
        neff = p * (1 - p) / v
        neff *= (stats.t.ppf(a, n_rows - 1) / stats.t.ppf(a, df)) ** 2
    lo = stats.beta.ppf(a, neff * p, neff * (1 - p) + 1) if p > 0 else 0.0
    hi = stats.beta.ppf(1 - a, neff * p + 1, neff * (1 - p)) if p < 1 else 1.0
    return float(lo), float(hi)


def _wilson_ci(p: float, v: float, se: float, q: float, n_resp: int) -> tuple[float, float]:
    neff = float(n_resp) if se == 0 else p * (1 - p) / v
    z2 = q * q
    centre = (p + z2 / (2 * neff)) / (1 + z2 / neff)
    half = q * np.sqrt(p * (1 - p) / neff + z2 / (4 * neff * neff)) / (1 + z2 / neff)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))


def proportion_ci(p: float, v: float, method: str, conf_level: float, df: float,
                  n_rows: int, n_resp: int) -> tuple[float, float]:
    """Confidence interval of a proportion ``p`` with variance ``v``.

    Parameters
    ----------
    p, v : float
        The estimate and its design-based variance.
    method : {"logit", "xlogit", "beta", "mean", "asin", "wilson"}
        ``"logit"``/``"xlogit"``: Wald on the logit scale,
        :math:`\\mathrm{expit}(\\mathrm{logit}\\,\\hat p \\pm t\\,se/(\\hat p(1-\\hat p)))`
        (R fits an intercept-only quasibinomial ``svyglm``; its estimate and SE
        are exactly these, to the fit's convergence). ``"beta"``: Korn and
        Graubard (1998), Clopper-Pearson with the effective sample size
        :math:`n^* = \\hat p(1-\\hat p)/\\hat V \\cdot (t_{n-1}/t_{df})^2`.
        ``"mean"``: :math:`\\hat p \\pm t\\,se`. ``"asin"``: Wald on the arcsine
        square-root scale. ``"wilson"``: the Wilson score interval with the
        effective sample size :math:`\\hat p(1-\\hat p)/\\hat V` and the t
        quantile on ``df`` (as Stata's ``citype(wilson)``; R's ``svyciprop`` has
        no Wilson method; its ``"likelihood"`` method needs the data and is
        :func:`survey_kit.design.intervals.likelihood_interval`).
    conf_level, df : float
        Confidence level and t degrees of freedom.
    n_rows : int
        Rows of the design (or domain), for the ``t_{n-1}`` of ``"beta"``.
    n_resp : int
        Respondents with a value: the sample size when ``se`` is zero.

    Returns
    -------
    (float, float)

    Notes
    -----
    With :math:`\\hat p \\in \\{0, 1\\}` the SE is zero: the logit, xlogit,
    mean and asin intervals collapse to the point, the beta interval uses
    :math:`n^* = n` (Korn and Graubard 1998) and Wilson uses the unweighted n.
    """
    if method not in CI_METHODS:
        raise UsageError(f"ci_method must be one of {', '.join(CI_METHODS)}; got "
                         f"{method!r} ('likelihood' is offered by SurveyDesign.proportion)")
    if not np.isfinite(p):
        return np.nan, np.nan
    q = tcrit(conf_level, df)
    se = np.sqrt(max(v, 0.0))
    degenerate = se == 0 or p <= 0 or p >= 1
    if method == "mean":
        return p - q * se, p + q * se
    if method in ("logit", "xlogit", "asin"):
        if degenerate:
            return p, p
        return _asin_ci(p, se, q) if method == "asin" else _logit_ci(p, se, q)
    if method == "beta":
        return _beta_ci(p, v, se, conf_level, df, n_rows, n_resp)
    return _wilson_ci(p, v, se, q, n_resp)


# ---------------------------------------------------------------------------
# quantiles
# ---------------------------------------------------------------------------

def qrule_math(x_sorted: np.ndarray, cumw: np.ndarray, p: float) -> float:
    """Inverse of the weighted CDF: min{x : F(x) >= p} (R qrule="math")."""
    total = cumw[-1]
    pos = int(np.searchsorted(cumw, p * total, side="right")) - 1
    if pos < 0:
        return float(x_sorted[0])
    if p - cumw[pos] / total == 0:
        return float(x_sorted[pos])
    return float(x_sorted[min(pos + 1, len(x_sorted) - 1)])


def _probabilities(q: Any) -> np.ndarray:
    """``q`` as a 1-d array of probabilities in [0, 1] (UsageError otherwise)."""
    try:
        qs = None if isinstance(q, (str, bytes)) else np.atleast_1d(np.asarray(q, dtype=float))
    except (TypeError, ValueError):
        qs = None
    if qs is None or qs.ndim != 1 or qs.size == 0 or not np.all((qs >= 0) & (qs <= 1)):
        raise UsageError(f"quantile probabilities must be numbers in [0, 1] (one, or a "
                         f"non-empty list); got {q!r}")
    return qs


def quantile(design: Any, var: Any, q: float | Sequence[float] = 0.5,
             conf_level: float = 0.95, df: float | None = None, *,
             rule: Any = qrule_math, interval: Any = None, ci_method: str = "woodruff"):
    """Weighted quantile(s) with Woodruff intervals; one Estimate, or a tuple for a sequence.

    Notes
    -----
    R's defaults since survey 4.1: ``qrule="math"`` and ``interval.type="mean"``.
    The quantile is the smallest value whose weighted CDF reaches ``q``. The
    interval is Woodruff's (1952): the CDF at the estimate,
    :math:`\\hat F = \\hat P(y \\le \\hat Q)`, gets a t interval
    :math:`\\hat F \\pm t\\,se(\\hat F)`, whose ends are mapped back through the
    same quantile rule (NaN if an end leaves [0, 1]);
    ``se = (upper - lower) / (2 t)``. One difference from R: for a probability
    below the smallest weight share R's rule returns the second-smallest value,
    ours the smallest. ``deff`` is NaN. Dorfman and Valliant (1993) compare
    quantile variance estimators in complex surveys.

    ``rule`` (a function of sorted values, cumulative weights and p) and
    ``interval`` (a function of ``(design, y, mask, p, rule, xs, cumw, t)``
    returning the limits, instead of Woodruff's) give R's other ``qrule`` and
    ``interval.type``; :func:`survey_kit.design.intervals.quantile` chooses them.
    """
    y, name = numeric(design, var)
    mask = ~np.isnan(y)
    require_some(mask, name)
    qs = _probabilities(q)
    keep = mask & (design.weights != 0)
    if not keep.any():
        raise DesignError(f"every respondent with a value of {name!r} has weight zero; "
                          "there is no weighted distribution to take a quantile of",
                          column=name)
    order = np.argsort(y[keep], kind="stable")
    xs = y[keep][order]
    cumw = np.cumsum(design.weights[keep][order])
    # R's svyquantile(na.rm=TRUE) takes design[!is.na(y), ], whose degf a replicate
    # design recomputes even when no row is dropped
    dfv = df_value(replicate_variance.subset_degf(design, mask) if design._replicate
                   is not None else degf(design, mask), df)
    tq = tcrit(conf_level, dfv)
    out = []
    for p in qs:
        qhat = rule(xs, cumw, float(p))
        if interval is None:
            ind = np.where(mask, (y <= qhat).astype(float), np.nan)
            fhat, v, _, _, _ = mean_parts(design, ind, mask)
            se_f = np.sqrt(max(v, 0.0))
            lo_p, hi_p = fhat - tq * se_f, fhat + tq * se_f
            lo = rule(xs, cumw, lo_p) if 0 <= lo_p <= 1 else np.nan
            hi = rule(xs, cumw, hi_p) if 0 <= hi_p <= 1 else np.nan
        else:
            lo, hi = interval(design, y, mask, float(p), rule, xs, cumw, tq)
        out.append(Estimate(variable=name, statistic="quantile", estimate=qhat,
                            se=float((hi - lo) / (2 * tq)), ci_low=float(lo),
                            ci_high=float(hi), conf_level=conf_level, df=dfv,
                            deff=float("nan"), n=int(mask.sum()),
                            n_missing=int((~mask).sum()), level=float(p),
                            ci_method=ci_method))
    return out[0] if np.ndim(q) == 0 else tuple(out)


# ---------------------------------------------------------------------------
# from sums (the out-of-core designs)
# ---------------------------------------------------------------------------

class Sums(NamedTuple):
    """The sums behind a mean or total: of the weights and of w y, w y^2 (rows with y), the
    respondents with y and non-zero weight (``nobs``) and with y (``n_used``)."""

    psum: float
    swy: float
    swyy: float
    nobs: int
    n_used: int


def moment_estimate(var: str, statistic: str, est: float, v: float, sums: Sums, *,
                    n_rows: int, degf: int, conf_level: float, df: float | None,
                    srs: float = 1.0, popsize_known: bool = False) -> Estimate:
    """A mean or total as an :class:`Estimate` from its variance ``v`` and ``sums``: the t
    interval on ``degf`` and the design effect of :func:`~.estimators.mean_parts` /
    :func:`~.estimators.total_parts` (the SRS variance from the weighted moments)."""
    psum, swy, swyy, nobs, n_used = sums
    deff = np.nan
    enough = psum >= nobs if statistic == "mean" else psum > nobs
    if nobs > 1 and (enough or not popsize_known):
        ybar = swy / psum
        svar = nobs / (nobs - 1) * (swyy - 2 * ybar * swy + ybar ** 2 * psum) / psum
        vsrs = svar * (1.0 if statistic == "mean" else psum ** 2) * srs / nobs
        deff = v / vsrs if vsrs > 0 else np.nan
    se = float(np.sqrt(max(v, 0.0)))
    dfv = df_value(degf, df)
    q = tcrit(conf_level, dfv)
    return Estimate(variable=var, statistic=statistic, estimate=float(est), se=se,
                    ci_low=est - q * se, ci_high=est + q * se, conf_level=conf_level,
                    df=dfv, deff=float(deff), n=n_used, n_missing=n_rows - n_used)
