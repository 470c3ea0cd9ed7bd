"""The variance of values given per code, ``x_i = table[code_i]``, without forming x.

Banner tables and tests of association have influence functions that take one
row of a small table per respondent (one row per cell of the table). When the
design allows it, :func:`vcov_total_coded` works on sums per combination of
code and design cell instead of the n x k matrix:

- ``"srs"``: respondents as PSUs, uncalibrated: the weights and squared
  weights summed per (code, stratum) give the variance;
- ``"atoms"``: respondents as PSUs, one raking or post-stratification step:
  the same sums per (code, calibration cell, stratum), with the calibration
  residuals computed on that table (the steps' ``residualize_grouped``);
- ``"psu"``: clustered, uncalibrated: the weight sums :math:`S_{cj}` per code
  c and PSU j give the PSU totals :math:`T_j = \\sum_c S_{cj}\\, t_c`
  (``t_c`` the rows of the table), centred within strata;
- ``"general"`` (GREG, several steps, clustered and calibrated, very large
  tables): x is gathered and passed to :func:`~.variance.vcov_total`.

All of them use the stratum factors and lonely-PSU rules of
:mod:`survey_kit.design.variance`.

Example
-------
>>> import numpy as np, pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
>>> coded_path(d, 2)
'srs'
>>> vcov_total_coded(d, np.array([[1.0], [3.0]]), np.array([0, 0, 1, 1]))
array([[5.33333333]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError
from . import replicate_variance
from .calibration import PostStratifyStep, RakeStep
from .variance import (
    centred_crossprod,
    check_subset,
    group_sums,
    lonely_strata,
    stratum_scales,
    strata_met,
    vcov_total,
)

__all__ = ["CODED_LIMIT", "coded_path", "vcov_coded_fast", "vcov_total_coded"]

#: largest combinations table (codes x cells x strata, or codes x PSUs) of the fast paths
CODED_LIMIT = 1 << 22


def _checked(design: Any, table: Any, code: Any) -> tuple[np.ndarray, np.ndarray]:
    table = np.asarray(table, dtype=float)
    if table.ndim == 1:
        table = table[:, None]
    code = np.asarray(code)
    if code.shape != (design.n,) or code.dtype.kind not in "iu":
        raise UsageError(f"code must be an integer array with one code per respondent "
                         f"({design.n}); got shape {code.shape}")
    m = table.shape[0]
    if code.size and (int(code.max()) >= m or int(code.min()) < -1):
        raise UsageError(f"codes must lie in -1..{m - 1} (rows of table)")
    return table, code


def _by_code_subset(design: Any, table: np.ndarray, code: np.ndarray,
                    code_subset: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """A subpopulation given by codes: the table with zero rows outside it, and the
    respondents' subset when the design needs one (lonely PSUs of an uncalibrated
    design, whose rules depend on which strata the subpopulation meets)."""
    m = table.shape[0]
    code_subset = np.asarray(code_subset, dtype=bool)
    if code_subset.shape != (m,):
        raise UsageError(f"code_subset must be a boolean array of length {m} "
                         "(rows of table)")
    # outside the subpopulation x = 0, so zero rows of the table are the same
    table = np.where(code_subset[:, None], table, 0.0)
    subset = None
    if not design._calibrated and lonely_strata(design).any():
        subset = (code >= 0) & np.append(code_subset, False)[code]
    return table, subset


def vcov_total_coded(design: Any, table: Any, code: Any, subset: Any = None,
                     code_subset: Any = None) -> np.ndarray:
    """:func:`~.variance.vcov_total` of ``table[code]`` by the fastest path the design allows.

    Parameters
    ----------
    design : SurveyDesign
    table : array (m, k) or (m,)
        Values per code (e.g. the influence row of each cell of a table).
    code : int array (n,)
        Row of ``table`` for each respondent; -1 for a respondent whose
        values are 0.
    subset : boolean array (n,), optional
        As in :meth:`SurveyDesign.vcov_total`.
    code_subset : boolean array (m,), optional
        A subpopulation given by codes: the respondents whose code's entry
        is True, i.e. ``subset=code_subset[code]`` (codes -1 outside), but
        without a pass over the respondents unless the design needs one
        (an uncalibrated design with a lonely PSU, whose rules depend on
        which strata the subpopulation meets). Not together with ``subset``.

    Returns
    -------
    numpy.ndarray (k, k)
        The same as ``vcov_total(table[code], subset=subset)`` (up to rounding).
    """
    table, code = _checked(design, table, code)
    subset = check_subset(design, subset)
    if design._replicate is not None:
        if subset is not None and code_subset is not None:
            raise UsageError("give subset or code_subset, not both")
        return replicate_variance.vcov_total_coded(design, table, code, subset, code_subset)
    if code_subset is not None:
        if subset is not None:
            raise UsageError("give subset or code_subset, not both")
        table, subset = _by_code_subset(design, table, code, code_subset)
    out = vcov_coded_fast(design, table, code, subset)
    if out is None:
        x = np.zeros((design.n, table.shape[1]))
        ok = code >= 0
        x[ok] = table[code[ok]]
        return vcov_total(design, x, subset=subset)
    if not np.isfinite(out).all() and not np.isfinite(table).all():
        raise UsageError("vcov_total_coded: table has NaN or infinite values")
    return out


# ---------------------------------------------------------------------------
# which path
# ---------------------------------------------------------------------------

def coded_path(design: Any, m: int = 1) -> str:
    """``"srs"``, ``"psu"``, ``"atoms"`` or ``"general"``: how a table of ``m`` rows is
    treated (see the module's docstring); ``"replicate"`` for a replicate-weight design
    (replicate weight sums per code)."""
    if design._replicate is not None:
        return "replicate"
    plan = _plan(design, int(m))
    if plan is None:
        return "general"
    if plan == "psu":
        return "psu"
    return "srs" if plan[0] is None else "atoms"


def _plan(design: Any, m: int):
    """``"psu"``, ``(step, grp, G)`` (respondents as PSUs, at most one raking or
    post-stratification step; ``grp`` the calibration cell of each row and ``G`` their
    number) or None (gather x), for a table of ``m`` rows."""
    cells = _cells(design)
    if cells is None:
        return None
    if cells == "psu":
        return None if (m + 1) * design.n_psu > CODED_LIMIT else "psu"
    if (m + 1) * cells[2] * design.n_strata > CODED_LIMIT:
        return None
    return cells


def _cells(design: Any):
    """The part of :func:`_plan` that does not depend on the table, computed once per
    design (weights and calibration) and cached on it."""
    cached = design._coded_cache
    if cached is not None and cached[0] is design._calibration and cached[1] is design.weights:
        return cached[2]
    out = _cells_uncached(design)
    design._remember("_coded_cache", (design._calibration, design.weights, out))
    return out


def _one_residualizable_step(design: Any) -> Any:
    """The design's single raking or post-stratification step whose residuals are a
    function of (code, cell), None without calibration, False otherwise."""
    if len(design._calibration) > 1:
        return False
    if not design._calibration:
        return None
    step = design._calibration[0]
    w = design.weights
    if not isinstance(step, (RakeStep, PostStratifyStep)) or not np.array_equal(step.weights, w):
        return False
    if isinstance(step, PostStratifyStep) and np.any((w == 0) & (step.oldweights == 0)):
        return False                 # R's psw = 1 for such rows: not a function of code
    return step


def _cells_uncached(design: Any):
    if design._stages:
        return None                  # later stages: the general path of vcov_total
    if not design._psu_is_row:
        return None if design._calibration else "psu"
    step = _one_residualizable_step(design)
    if step is None:
        return None, None, 1
    if step is False:
        return None
    if isinstance(step, RakeStep) and step.n_joint_cells * design.n_strata > CODED_LIMIT:
        return None
    grp, G = step.joint_cells()
    return step, grp, G


# ---------------------------------------------------------------------------
# the fast paths
# ---------------------------------------------------------------------------

def vcov_coded_fast(design: Any, table: np.ndarray, code: np.ndarray,
                    subset: np.ndarray | None) -> np.ndarray | None:
    """The per-code variance of :func:`vcov_total_coded`, or None when x must be gathered."""
    plan = _plan(design, table.shape[0])
    if plan is None:
        return None
    if plan == "psu":
        return _vcov_psu(design, table, code, subset)
    return _vcov_combinations(design, plan, table, code, subset)


def _vcov_psu(design: Any, table: np.ndarray, code: np.ndarray,
              subset: np.ndarray | None) -> np.ndarray:
    """Clustered, uncalibrated designs: the weight sums per (code, PSU) by one
    ``np.bincount``, the PSU totals as their product with ``table``, then the
    stratified centred cross-product."""
    m = table.shape[0]
    P = design.n_psu
    ok = code >= 0
    if subset is not None:
        ok &= subset
    key = np.where(ok, code, m).astype(np.int64) * P + design._psu
    S = np.bincount(key, weights=design.weights, minlength=(m + 1) * P)[:m * P]
    T = S.reshape(m, P).T @ table                            # (P, k) PSU totals
    return centred_crossprod(design, T, strata_met(design, subset))


def _combination_keys(design: Any, plan: tuple, code: np.ndarray,
                      subset: np.ndarray | None, m: int) -> np.ndarray:
    """One key per respondent: (code, calibration cell, stratum), code m for zeros."""
    _, grp, G = plan
    ok = code >= 0
    if subset is not None:
        ok &= subset
    key = np.where(ok, code, m).astype(np.int64)       # m: a row of zeros
    if grp is not None:
        key *= G
        key += grp
    if design.n_strata > 1:
        key *= design.n_strata
        key += design._strata
    return key


def _vcov_combinations(design: Any, plan: tuple, table: np.ndarray, code: np.ndarray,
                       subset: np.ndarray | None) -> np.ndarray:
    """Respondents as PSUs: sums of w and w^2 per (code, cell, stratum) combination,
    calibration residuals on the combinations, then the stratified cross-product."""
    step, grp, G = plan
    m, k = table.shape
    w, H = design.weights, design.n_strata
    size = (m + 1) * G * H
    nz = w != 0
    key = _combination_keys(design, plan, code, subset, m)
    wz = w
    if not nz.all():
        key = key[nz]
        wz = w[nz]
    if step is None:
        # uncalibrated weights are positive here (zeros dropped): S1 > 0 marks the
        # occupied combinations, no count needed
        S1 = np.bincount(key, weights=wz, minlength=size)
        occ = np.flatnonzero(S1)
        S1 = S1[occ]
    else:
        N0 = np.bincount(key, minlength=size)
        occ = np.flatnonzero(N0)
        S1 = np.bincount(key, weights=wz, minlength=size)[occ]
        N0 = N0[occ].astype(float)
    S2 = np.bincount(key, weights=wz * wz, minlength=size)[occ]
    h_of = occ % H
    g_of = (occ // H) % G
    Y = np.vstack([table, np.zeros((1, k))])[occ // (H * G)]   # y = z / w per combination
    if isinstance(step, RakeStep):
        Y = step.residualize_grouped(Y, g_of, N0)
    elif isinstance(step, PostStratifyStep):
        old = step.oldweights if nz.all() else step.oldweights[nz]
        Y = step.residualize_grouped(Y, g_of,
                                     np.bincount(key, weights=old, minlength=size)[occ])
    present = strata_met(design, subset)
    scale_h, factor, centre = stratum_scales(design, present)
    Q = Y.T @ (Y * (S2 * scale_h[h_of])[:, None])
    Sh = group_sums(h_of, Y * S1[:, None], H)
    coef = np.where(centre, scale_h / design._n_h, 0.0)
    Q -= Sh.T @ (Sh * coef[:, None])
    return factor * Q
