"""The one linearization engine: the design-based covariance of weighted totals.

For a total :math:`\\hat Y = \\sum_i w_i x_i` the linearized variance is

.. math::

    \\hat V(\\hat Y) = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1}
        \\sum_{j=1}^{n_h} (z_{hj} - \\bar z_h)(z_{hj} - \\bar z_h)^T,
    \\qquad z_{hj} = \\sum_{i \\in (h, j)} w_i x_i,

with :math:`n_h` PSUs in stratum :math:`h` and sampling fraction
:math:`f_h` (zero without fpc), as R's ``svyrecvar`` (Lumley 2004).
Nonlinear statistics go through it as influence functions (Binder 1983):
every estimator of the room, and the tests of ``stats`` and the tables of
``tables``, end here.

Later stages of a multistage design with fpc at every stage add the terms
of :func:`later_stages_vcov`.

The stratum factor :math:`(1 - f_h) n_h / (n_h - 1)` is :func:`psu_scale`
and the lonely-PSU rules are :func:`stratum_scales`; every code path uses
them: :func:`vcov_total` (one stratum of single-row PSUs in blocks, or PSU
totals centred within strata) and the per-code paths of
:mod:`survey_kit.design.coded`.

Example
-------
>>> import numpy as np, pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"s": [1, 1, 2, 2, 2]}), strata="s")
>>> stratum_scales(d)[0].tolist()
[2.0, 1.5]
>>> vcov_total(d, np.array([1.0, 3, 1, 2, 3]))
array([[7.]])

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators
from complex surveys. International Statistical Review 51, 279-292.
Lumley, T. (2004). Analysis of complex survey samples. Journal of
Statistical Software 9(8).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DesignError, UsageError
from . import replicate_variance

__all__ = ["LONELY_PSU_OPTIONS", "centred_crossprod", "check_subset", "degf", "degf_of",
           "group_sums", "later_stages_vcov", "lonely_strata", "psu_scale", "stratum_scales",
           "strata_met", "vcov_total"]

#: what to do with a stratum holding one PSU (R ``options(survey.lonely.psu=)``)
LONELY_PSU_OPTIONS = ("fail", "remove", "adjust", "average", "certainty")

#: a stratum whose 1 - f_h is below this was sampled entirely: it adds no variance
CENSUS = 1e-7


def group_sums(codes: np.ndarray, x: np.ndarray, ngroups: int) -> np.ndarray:
    """Column sums of ``x`` (n, k) within groups ``codes``: a (ngroups, k) array."""
    out = np.empty((ngroups, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(codes, weights=x[:, j], minlength=ngroups)
    return out


def check_subset(design: Any, subset: Any) -> np.ndarray | None:
    """``subset`` as a boolean array of one value per respondent (or None)."""
    if subset is None:
        return None
    subset = np.asarray(subset, dtype=bool)
    if subset.shape != (design.n,):
        raise UsageError(f"subset must be a boolean array of length {design.n}")
    return subset


# ---------------------------------------------------------------------------
# stratum factors and the lonely-PSU rules (defined once)
# ---------------------------------------------------------------------------

def psu_scale(n_h: Any, f_h: Any) -> Any:
    """:math:`(1 - f_h) n_h / (n_h - 1)`: the factor of a stratum's centred sum of squares
    of PSU totals (``f_h`` here is the remaining fraction :math:`1 - f_h`)."""
    return f_h * n_h / np.maximum(n_h - 1, 1)


def strata_met(design: Any, subset: np.ndarray | None) -> np.ndarray | None:
    """The strata holding a row of ``subset``, for the lonely-PSU rules of an uncalibrated
    design (R drops the other rows, so their strata do not count); None for all strata."""
    if subset is None or design._calibrated:
        return None
    present = np.zeros(design.n_strata, dtype=bool)
    present[design._strata[subset]] = True
    return present


def lonely_strata(design: Any, present: np.ndarray | None = None) -> np.ndarray:
    """Strata (among ``present``) with a single PSU that were not sampled entirely."""
    if present is None:
        present = np.ones(design.n_strata, dtype=bool)
    return (design._n_h == 1) & present & (design._f_h >= CENSUS)


def stratum_scales(design: Any, present: np.ndarray | None = None) -> tuple:
    """Per stratum the factor :func:`psu_scale` after the lonely-PSU rule; the overall
    factor of ``lonely_psu="average"``; and whether PSU totals are centred on the
    stratum mean (not for an ``"adjust"``-ed lonely stratum, centred on zero).

    ``"fail"`` raises naming the stratum; ``"remove"`` and ``"certainty"`` give a
    lonely stratum zero; ``"average"`` gives it zero and scales the variance by
    (strata) / (strata with more than one PSU).
    """
    H = design.n_strata
    n_h, f_h = design._n_h, design._f_h
    if present is None:
        present = np.ones(H, dtype=bool)
    lonely = lonely_strata(design, present)
    opt = design.lonely_psu
    if lonely.any() and opt == "fail":
        h = int(np.flatnonzero(lonely)[0])
        raise DesignError(
            f"stratum {design._strata_labels[h]!r} has only one PSU, so its variance "
            "contribution cannot be estimated; choose lonely_psu='remove', 'adjust', "
            "'average' or 'certainty', or merge the stratum with a similar one")
    scale_h = np.where(n_h > 1, psu_scale(n_h, f_h), f_h)
    scale_h = np.where(f_h < CENSUS, 0.0, scale_h)
    scale_h = np.where(present, scale_h, 0.0)
    centre = np.ones(H, dtype=bool)
    factor = 1.0
    if lonely.any():
        if opt in ("remove", "certainty", "average"):
            scale_h = np.where(lonely, 0.0, scale_h)
        if opt == "average":
            nstrat = int(present.sum())
            nok = nstrat - int(lonely.sum())
            factor = nstrat / nok if nok > 0 else np.nan
        elif opt == "adjust":
            centre = ~lonely
    return scale_h, factor, centre


# ---------------------------------------------------------------------------
# the covariance of totals
# ---------------------------------------------------------------------------

def vcov_total(design: Any, x: Any, subset: Any = None) -> np.ndarray:
    """Design-based covariance of the weighted totals ``sum_i w_i x_i``.

    Parameters
    ----------
    design : SurveyDesign
    x, subset
        As :meth:`SurveyDesign.vcov_total`.

    Returns
    -------
    numpy.ndarray (k, k)

    Notes
    -----
    As R ``svyrecvar(x * w, ...)``: the calibration residuals of the design's
    steps (post-stratification, raking, GREG; :mod:`survey_kit.design.calibration`)
    replace ``x * w``, then the PSU totals are centred within strata and
    combined with :func:`stratum_scales`. One stratum of single-row PSUs
    without calibration is summed in cache-sized blocks, with no n x k
    temporary.
    """
    x = replicate_variance.per_respondent(design, x)
    subset = check_subset(design, subset)
    if design._replicate is not None:
        out = replicate_variance.vcov_total(design, x, subset)
        _check_finite(out, x)
        return out
    if (design._psu_is_row and design.n_strata == 1 and not design._calibration
            and design._f_h[0] >= CENSUS and design.n_psu > 1 and not design._stages):
        out = _vcov_rows_one_stratum(design, x, subset)
    else:
        xw = x * design.weights[:, None]
        if subset is not None:
            xw[~subset] = 0.0
        for step in design._calibration:
            xw = step.residualize(xw)
        totals = _psu_totals(design, xw)
        if design._stages and totals is xw:
            totals = xw.copy()           # centred in place below; xw is needed again
        out = centred_crossprod(design, totals, strata_met(design, subset))
        if design._stages:
            out = out + later_stages_vcov(design, xw, subset)
    _check_finite(out, x)
    return out


def later_stages_vcov(design: Any, xw: np.ndarray, subset: np.ndarray | None) -> np.ndarray:
    r"""The variance terms of the stages after the first (R ``svyrecvar``'s recursion).

    For stage ``s`` and each sampled unit ``p`` of stage ``s - 1`` holding
    :math:`n_p` sampled stage-``s`` units with totals :math:`z_{pj}`:

    .. math::

        \pi_p (1 - f_p) \frac{n_p}{n_p - 1} \sum_j (z_{pj} - \bar z_p)(z_{pj} - \bar z_p)^T

    where :math:`\pi_p` is the product of the sampling fractions of the
    stages above ``p`` (``n/N`` of each). A parent with one sampled unit
    follows the design's lonely-PSU rule, as R applies it at every stage:
    ``"remove"``/``"certainty"`` add nothing, ``"adjust"`` centres the unit
    total at zero, ``"average"`` makes the variance NaN (as R does within a
    unit of the stage above) and ``"fail"`` raises.
    """
    k = xw.shape[1]
    out = np.zeros((k, k))
    for stage in design._stages:
        present = _parents_met(design, stage, subset)
        T = group_sums(stage.unit, xw, stage.n_units)
        n_p, f_p = stage.n_in_parent, stage.remaining
        lonely = (n_p == 1) & (f_p >= CENSUS) & present
        if lonely.any():
            _lonely_unit_rule(design, stage, lonely)
        scale = np.where(n_p > 1, psu_scale(n_p, f_p), f_p) * stage.above
        scale = np.where((f_p < CENSUS) | ~present, 0.0, scale)
        centre = np.ones(stage.n_parents, dtype=bool)
        if design.lonely_psu == "adjust":
            centre = ~lonely
        elif design.lonely_psu == "average" and lonely.any():
            return np.full((k, k), np.nan)
        else:
            scale = np.where(lonely, 0.0, scale)
        means = group_sums(stage.unit_parent, T, stage.n_parents) / n_p[:, None]
        means[~centre] = 0.0
        T -= means[stage.unit_parent]
        out += (T * scale[stage.unit_parent][:, None]).T @ T
    return out


def _parents_met(design: Any, stage: Any, subset: np.ndarray | None) -> np.ndarray:
    """Parents holding a row of ``subset`` (R drops the others from an uncalibrated
    design's subset); all parents otherwise."""
    present = np.zeros(stage.n_parents, dtype=bool)
    if subset is None or design._calibrated:
        present[:] = True
    else:
        present[stage.row_parent[subset]] = True
    return present


def _lonely_unit_rule(design: Any, stage: Any, lonely: np.ndarray) -> None:
    if design.lonely_psu == "fail":
        p = int(np.flatnonzero(lonely)[0])
        raise DesignError(
            f"a unit of stage {stage.number - 1} (number {stage.parent_labels[p]}) has only "
            f"one sampled unit at stage {stage.number}, so its variance contribution cannot "
            "be estimated; choose lonely_psu='remove', 'adjust', 'average' or 'certainty'")


def _check_finite(out: np.ndarray, x: np.ndarray) -> None:
    if np.isfinite(out).all():
        return
    bad = np.flatnonzero(~np.isfinite(x).all(axis=0))
    if bad.size:
        raise UsageError(f"vcov_total: x has NaN or infinite values (column {bad[0]}); "
                         "set the values of respondents outside the estimate to 0 and "
                         "pass subset= instead")


def _vcov_rows_one_stratum(design: Any, x: np.ndarray, subset: np.ndarray | None,
                           block: int = 32768) -> np.ndarray:
    """One stratum, respondents as PSUs, no calibration: the centred cross-product
    of x * w in cache-sized blocks (no n x k temporary)."""
    n, k = x.shape
    w = design.weights
    out = np.zeros((k, k))
    buf = np.empty((min(block, n), k))
    total = (w if subset is None else np.where(subset, w, 0.0)) @ x
    if not np.isfinite(total).all() and subset is not None:
        total = np.zeros(k)              # NaN outside the subset: sum block by block
        for start in range(0, n, block):
            b = buf[:len(x[start:start + block])]
            _block_xw(x, w, subset, start, block, b)
            total += b.sum(axis=0)
    mean = total / n
    for start in range(0, n, block):     # centred cross-product
        b = buf[:len(x[start:start + block])]
        _block_xw(x, w, subset, start, block, b)
        b -= mean
        out += b.T @ b
    return psu_scale(n, design._f_h[0]) * out


def _block_xw(x, w, subset, start, block, out) -> None:
    np.multiply(x[start:start + block], w[start:start + block, None], out=out)
    if subset is not None:
        out[~subset[start:start + block]] = 0.0


def _psu_totals(design: Any, xw: np.ndarray) -> np.ndarray:
    """Sums of the rows of ``xw`` per PSU (a writeable array; ``xw`` itself for
    single-row PSUs)."""
    if design._psu_is_row:
        return xw if xw.flags.writeable else xw.copy()
    if design._sparse is None:
        from scipy import sparse
        ind = sparse.csr_matrix(
            (np.ones(design.n), (design._psu, np.arange(design.n))),
            shape=(design.n_psu, design.n))
        design._remember("_sparse", ind)
    return np.asarray(design._sparse @ xw)


def centred_crossprod(design: Any, T: np.ndarray, present: np.ndarray | None) -> np.ndarray:
    """``sum_h scale_h sum_{j in h} (T_j - mean_h)(T_j - mean_h)'`` of PSU totals ``T``
    (modified in place), with the lonely-PSU rules of :func:`stratum_scales`."""
    k = T.shape[1]
    H = design.n_strata
    n_h, f_h = design._n_h, design._f_h
    if H == 1 and not lonely_strata(design, present).any():
        if f_h[0] < CENSUS:
            return np.zeros((k, k))
        T -= T.mean(axis=0)
        return psu_scale(n_h[0], f_h[0]) * (T.T @ T)
    scale_h, factor, centre = stratum_scales(design, present)   # raises for "fail"
    ps = design._psu_stratum
    sums = group_sums(ps, T, H) if k else np.zeros((H, 0))
    means = sums / n_h[:, None]
    means[~centre] = 0.0            # "adjust": a lonely PSU is centred on zero
    T -= means[ps]
    s = scale_h[ps]
    return factor * ((T * s[:, None]).T @ T)


# ---------------------------------------------------------------------------
# degrees of freedom
# ---------------------------------------------------------------------------

def degf(design: Any, mask: np.ndarray) -> int:
    """R's ``degf()`` of ``design[mask, ]``: PSUs minus strata among rows with weight
    (for a replicate design, the rank of the subset's replicate weights minus one, as R's
    ``[`` recomputes it; the design's own ``degf`` when the mask keeps every row)."""
    if getattr(design, "_replicate", None) is not None:
        return design.degf if mask.all() else replicate_variance.subset_degf(design, mask)
    inset = mask & (design.weights != 0)
    # counts of distinct codes by bincount (codes are 0..K-1): O(n), no sort
    if design._psu_is_row:
        n_psu = int(np.count_nonzero(inset))
    else:
        n_psu = int(np.count_nonzero(np.bincount(design._psu[inset],
                                                 minlength=design.n_psu)))
    n_str = int(np.count_nonzero(np.bincount(design._strata[inset],
                                             minlength=design.n_strata)))
    return n_psu - n_str


def degf_of(design: Any, subset: Any) -> int:
    """:func:`degf` of a subset given by the user (checked first)."""
    if subset is None:
        raise UsageError(f"subset must be a boolean array of length {design.n}")
    return degf(design, check_subset(design, subset))
