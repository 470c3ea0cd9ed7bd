"""Domain estimation: estimates by group, domain shares with their covariance, comparisons.

Each domain estimate is computed on the full design (Lumley 2010, sec. 2.3):
respondents outside the domain get zero influence but keep their strata and
PSUs, never a subset re-analysed as if it were the sample. Domain estimates
use the whole design's ``degf`` (R's ``svyby(..., svyciprop)`` would use the
domain's). A family of comparisons is adjusted with :func:`adjust_pvalues`.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 7], "g": list("aaabbb")}))
>>> by(d, "y", "g")["estimate"].tolist()
[2.0, 5.333333333333333]
>>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
[0.03, 0.06, 0.06]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError
from . import replicate_variance
from .estimate import Comparison, DomainProportions
from .estimators import (
    df_value,
    has_population_size,
    mean_parts,
    proportion_ci,
    replicate_logit_ci,
    srs_fraction,
    tcrit,
    total_parts,
)
from .intervals import PROPORTION_CI_METHODS, likelihood_interval
from .variables import domain_codes, indicator, numeric, recode, require_some
from .variance import group_sums, vcov_total

__all__ = ["adjust_pvalues", "by", "compare", "domain_means", "domain_proportions"]

_COLUMNS = ["estimate", "se", "ci_low", "ci_high", "deff", "n", "n_missing"]


def _values(design: Any, var: Any, stat: str, level: Any) -> tuple[np.ndarray, str, Any]:
    """The values estimated: a 0/1 indicator for a proportion, else the numbers."""
    if stat == "proportion":
        return indicator(design, var, level)
    y, name = numeric(design, var)
    return y, name, None


def by(design: Any, var: Any, by: Any, stat: str = "mean", level: Any = None,
       ci_method: str = "logit", conf_level: float = 0.95,
       df: float | None = None) -> pd.DataFrame:
    """Estimates for each level of ``by``, as R ``svyby``; parameters as
    :meth:`SurveyDesign.by`. Missing values of ``var`` are left out as R's
    ``na.rm=TRUE``."""
    if stat not in ("mean", "total", "proportion"):
        raise UsageError(f"stat must be 'mean', 'total' or 'proportion'; got {stat!r}")
    if stat == "proportion" and ci_method not in PROPORTION_CI_METHODS:
        raise UsageError(f"ci_method must be one of {', '.join(PROPORTION_CI_METHODS)}; got "
                         f"{ci_method!r}")
    codes, levels, byname = domain_codes(design, by)
    y, name, _ = _values(design, var, stat, level)
    notna = ~np.isnan(y)
    require_some(notna, name)
    dfv = df_value(design.degf, df)
    q = tcrit(conf_level, dfv)
    rows = []
    for d in range(len(levels)):
        indom = codes == d
        mask = indom & notna
        n_d, miss_d = int(mask.sum()), int((indom & ~notna).sum())
        if not (mask & (design.weights != 0)).any():
            rows.append((np.nan,) * 5 + (n_d, miss_d))
            continue
        parts = total_parts if stat == "total" else mean_parts
        est, v, deff, _, _ = parts(design, y, mask)
        se = float(np.sqrt(max(v, 0.0)))
        if stat == "proportion" and ci_method == "likelihood":
            lo, hi = likelihood_interval(design, y, mask, est, v, q, rows=indom)
        elif stat == "proportion":
            lo, hi = proportion_ci(est, v, ci_method, conf_level, dfv,
                                   n_rows=int(indom.sum()), n_resp=n_d)
            if ci_method == "logit" and design._replicate is not None:
                lo, hi = replicate_logit_ci(design, y, mask, est, conf_level, dfv)
        else:
            lo, hi = est - q * se, est + q * se
        rows.append((est, se, lo, hi, float(deff), n_d, miss_d))
    out = pd.DataFrame(rows, columns=_COLUMNS, index=pd.Index(levels, name=byname))
    out.attrs.update(variable=name, statistic=stat, level=level, df=dfv,
                     conf_level=conf_level)
    return out


def _domain_deff(design: Any, V: np.ndarray, valid: np.ndarray, w: np.ndarray,
                 dcode: np.ndarray, Yz: np.ndarray, est_safe: np.ndarray,
                 W: np.ndarray) -> np.ndarray:
    """Design effects of domain means (R ``svyby(..., deff=)``; see ``srs_fraction``)."""
    D, k = est_safe.shape
    nobs = np.bincount(dcode, weights=(w != 0).astype(float), minlength=D + 1)[:D]
    dev = np.where(valid[:, None], Yz - est_safe[np.minimum(dcode, D - 1)], 0.0)
    sq = group_sums(dcode, dev * dev * w[:, None], D + 1)[:D]
    with np.errstate(divide="ignore", invalid="ignore"):
        svar = nobs[:, None] / (nobs[:, None] - 1) * sq / W[:, None]
        vsrs = svar * (srs_fraction(design, W, nobs) / nobs)[:, None]
        deff = np.diag(V).reshape(D, k) / vsrs
    deff[~((nobs > 1) & ((W >= nobs) | (not has_population_size(design))))] = np.nan
    return deff


def domain_means(design: Any, Y: Any, domains: Any, n_domains: int) -> tuple:
    """Vectorised domain means of several variables and their joint covariance.

    Parameters
    ----------
    design : SurveyDesign
    Y : array (n, k)
        Values per respondent (for proportions: 0/1 indicators of the k
        row categories). Rows with NaN anywhere are left out of all
        domains (R ``na.rm=TRUE``).
    domains : int array (n,)
        Domain code 0..n_domains-1 of each respondent; -1 for none.
    n_domains : int

    Returns
    -------
    est : ndarray (n_domains, k)
        Domain means (NaN for a domain without weight).
    vcov : ndarray (n_domains * k, n_domains * k)
        Joint covariance of ``est.ravel()`` (row-major: domain, then variable),
        including covariances between domains.
    n : ndarray (n_domains,)
        Respondents used per domain.
    weighted_n : ndarray (n_domains,)
        Sum of weights per domain.
    deff : ndarray (n_domains, k)
        Design effects as R ``svyby(..., deff=TRUE)``.

    Notes
    -----
    The influence function of the mean of variable j in domain d is
    :math:`z_{i,dj} = 1[d_i = d] (y_{ij} - \\bar y_{dj}) / W_d`; all of them
    go through one call of ``vcov_total``, so the cost is one n x (Dk)
    product.
    """
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    domains = np.asarray(domains, dtype=np.intp)
    n, k = Y.shape
    D = int(n_domains)
    if D < 1:
        raise DesignError("no domain to estimate (n_domains must be at least 1)")
    if domains.shape != (n,) or np.any(domains >= D):
        raise UsageError(f"domains must hold one code in -1..{D - 1} per respondent")
    valid = (domains >= 0) & ~np.isnan(Y).any(axis=1)
    w = np.where(valid, design.weights, 0.0)
    dcode = np.where(valid, domains, D)          # spare code D for "no domain"
    W = np.bincount(dcode, weights=w, minlength=D + 1)[:D]
    nd = np.bincount(dcode, minlength=D + 1)[:D]
    Yz = np.where(valid[:, None], Y, 0.0)
    sums = group_sums(dcode, Yz * w[:, None], D + 1)[:D]
    with np.errstate(divide="ignore", invalid="ignore"):
        est = sums / W[:, None]
    est_safe = np.where(np.isfinite(est), est, 0.0)
    if design._replicate is not None:          # R svyby: the means on each replicate
        V = replicate_variance.domain_means_vcov(design, Yz, valid, dcode, D, est)
        return est, V, nd, W, _domain_deff(design, V, valid, w, dcode, Yz, est_safe, W)
    Wsafe = np.where(W > 0, W, 1.0)
    Z = np.zeros((n, D * k))
    rows = np.flatnonzero(valid)
    dr = dcode[rows]
    resid = (Yz[rows] - est_safe[dr]) / Wsafe[dr][:, None]
    cols = dr[:, None] * k + np.arange(k)
    Z[rows[:, None], cols] = resid
    V = vcov_total(design, Z, subset=valid)
    deff = _domain_deff(design, V, valid, w, dcode, Yz, est_safe, W)
    return est, V, nd, W, deff


def _recoded(codes: np.ndarray, levels: list, wanted: Any, name: str,
             role: str) -> tuple[np.ndarray, list]:
    """:func:`recode` onto ``wanted``; raises when no respondent has one of them."""
    if isinstance(wanted, str) or not isinstance(wanted, Sequence) or not len(wanted):
        raise UsageError(f"{role} must be a non-empty list of levels of {name!r}; "
                         f"got {wanted!r}")
    codes, wanted = recode(codes, levels, wanted)
    if not (codes >= 0).any():
        raise DesignError(f"no respondent has one of the {role} {list(wanted)[:20]} of "
                          f"{name!r}; its levels are {list(levels)[:20]}", column=name)
    return codes, wanted


def domain_proportions(design: Any, row: Any, col: Any, row_levels: Sequence | None = None,
                       col_levels: Sequence | None = None) -> DomainProportions:
    """Shares of each ``row`` category within each ``col`` domain, with the full
    covariance (:func:`domain_means` of the row indicators); parameters as
    :meth:`SurveyDesign.domain_proportions`."""
    rcodes, rlev, rname = domain_codes(design, row)
    ccodes, clev, cname = domain_codes(design, col)
    if row_levels is not None:
        rcodes, rlev = _recoded(rcodes, rlev, row_levels, rname, "row_levels")
    if col_levels is not None:
        ccodes, clev = _recoded(ccodes, clev, col_levels, cname, "col_levels")
    k = len(rlev)
    Y = np.zeros((design.n, k))
    ok = rcodes >= 0
    Y[np.flatnonzero(ok), rcodes[ok]] = 1.0
    Y[~ok] = np.nan
    est, V, nd, W, deff = domain_means(design, Y, ccodes, len(clev))
    ci = pd.Index(clev, name=cname)
    ri = pd.Index(rlev, name=rname)
    return DomainProportions(estimates=pd.DataFrame(est, index=ci, columns=ri), vcov=V,
                             n=pd.Series(nd, index=ci, name="n"),
                             weighted_n=pd.Series(W, index=ci, name="weighted_n"),
                             df=float(design.degf),
                             deff=pd.DataFrame(deff, index=ci, columns=ri))


def _two_sided_p(t: float, df: float) -> float:
    from scipy import stats

    if np.isfinite(df):
        return float(2 * stats.t.sf(abs(t), df))
    return float(2 * stats.norm.sf(abs(t)))


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def compare(design: Any, var: Any, by: Any, a: Any, b: Any, stat: str = "mean",
            level: Any = None, conf_level: float = 0.95, df: float | None = None) -> Comparison:
    """Difference of a mean (or proportion) between domains ``a`` and ``b``, with a t test;
    parameters as :meth:`SurveyDesign.compare`.

    Notes
    -----
    The variance of :math:`\\bar y_a - \\bar y_b` is that of the difference of
    the two domain influence functions, so the covariance induced by shared
    PSUs is included (R: ``svycontrast`` on ``svyby(..., covmat=TRUE)``).
    :math:`t = (\\bar y_a - \\bar y_b)/se` and the two-sided p-value is from
    Student's t on ``df`` (Korn and Graubard 1999, sec. 5.2).
    """
    if stat not in ("mean", "proportion"):
        raise UsageError(f"stat must be 'mean' or 'proportion'; got {stat!r}")
    codes, levels, byname = domain_codes(design, by)
    if _same(a, b):
        raise UsageError(f"a and b are the same level {a!r} of {byname!r}; compare two "
                         "different domains")
    for lv in (a, b):
        if lv not in levels:
            raise DesignError(f"level {lv!r} is not a level of {byname!r}; levels are "
                              f"{levels[:20]}", column=byname, value=lv)
    y, name, lev = _values(design, var, stat, level)
    ia, ib = levels.index(a), levels.index(b)
    dom = np.where(codes == ia, 0, np.where(codes == ib, 1, -1))
    est, V, nd, _, _ = domain_means(design, y, dom, 2)
    for lv, cnt in ((a, nd[0]), (b, nd[1])):
        if cnt == 0:
            raise DesignError(f"domain {lv!r} of {byname!r} has no respondent with a value "
                              f"of {name!r}; nothing to compare", column=byname, value=lv)
    diff = float(est[0, 0] - est[1, 0])
    se = float(np.sqrt(max(V[0, 0] + V[1, 1] - 2 * V[0, 1], 0.0)))
    dfv = df_value(design.degf, df)
    t = diff / se if se > 0 else (np.inf * np.sign(diff) if diff != 0 else np.nan)
    q = tcrit(conf_level, dfv)
    return Comparison(variable=name, by=byname, a=a, b=b, statistic=stat,
                      estimate_a=float(est[0, 0]), estimate_b=float(est[1, 0]),
                      difference=diff, se=se, t=float(t), df=dfv,
                      p_value=_two_sided_p(t, dfv), ci_low=diff - q * se,
                      ci_high=diff + q * se, conf_level=conf_level,
                      n_a=int(nd[0]), n_b=int(nd[1]), level=lev)


def adjust_pvalues(p: Sequence[float], method: str = "holm") -> np.ndarray:
    """Adjust a family of p-values for multiple comparisons.

    Parameters
    ----------
    p : sequence of float
    method : str
        ``"holm"`` (Holm 1979), ``"fdr_bh"`` or ``"bh"`` (Benjamini and
        Hochberg 1995), ``"bonferroni"``, or any other method of
        :func:`statsmodels.stats.multitest.multipletests`.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values (same order). NaN entries stay NaN and are not
        counted in the family.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    from statsmodels.stats.multitest import multipletests

    arr = np.asarray(p, dtype=float)
    m = {"bh": "fdr_bh", "by": "fdr_by"}.get(method, method)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if ok.any():
        try:
            out[ok] = multipletests(arr[ok], method=m)[1]
        except ValueError as exc:
            raise UsageError(f"unknown p-value adjustment method {method!r}; use 'holm', "
                             "'fdr_bh', 'bonferroni', ...") from exc
    return out
