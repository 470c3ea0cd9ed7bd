"""Calibrated designs: the calibration steps a design records, and their residuals.

After post-stratification, raking or calibration (GREG) the standard errors
must account for the adjustment. As R, where ``postStratify``, ``rake`` and
``calibrate`` append to the design's ``postStrata`` list and ``svyrecvar``
replaces the influence functions :math:`z_i = w_i x_i` by their residuals
before the stratified PSU variance (Lumley 2010, ch. 7; Deville and Sarndal
1992), a design keeps one step per adjustment, each with a ``residualize``:

- :class:`PostStratifyStep`: :math:`z_i - w_i \\bar u_{c(i)}`, with
  :math:`\\bar u_c` the mean of :math:`z / w` in cell c weighted by the weights
  before post-stratification;
- :class:`RakeStep`: ten backfitting passes over the margins, each
  subtracting :math:`w_i` times the unweighted mean of :math:`z / w` in the
  respondent's level of that margin (R's fixed ten passes). R uses the
  weights after each margin's step in the last raking pass; we use the final
  weights, the same once raking has converged;
- :class:`GregStep` (linear calibration, any calibration function, bounded or
  not): the residual of :math:`z / (g \\sqrt d)` after least squares on
  :math:`X \\sqrt d`, times :math:`g \\sqrt d`, with :math:`d` the base
  weights and :math:`g = w / d`.

:func:`with_weighting` turns a weighting result into a step;
:func:`trim_design` trims a design's weights and keeps its steps, as R's
``trimWeights`` (each step residualises with the weights it was calibrated
with, the trimming factors being fixed multipliers);
:func:`poststratify_design`, :func:`rake_design` and :func:`calibrate_design`
run the weighting functions of ``survey_kit.weighting`` from a design's
weights.

Example
-------
>>> import numpy as np
>>> step = PostStratifyStep(cells=np.array([0, 0, 1, 1]), weights=np.array([2.0, 2, 3, 3]),
...                         oldweights=np.ones(4))
>>> step.residualize(np.array([[2.0], [4.0], [3.0], [3.0]])).ravel().tolist()
[-1.0, 1.0, 0.0, 0.0]

References
----------
Deville, J.-C. and Sarndal, C.-E. (1992). Calibration estimators in survey
sampling. JASA 87, 376-382. Lumley, T. (2010). Complex Surveys: A Guide to
Analysis Using R. Wiley.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError
from ..weighting.calibrate import calibrate
from ..weighting.poststratify import poststratify
from ..weighting.rake import rake
from ..weighting.trim import trim_weights
from .variance import degf, group_sums

__all__ = ["GregStep", "PostStratifyStep", "RakeStep", "calibrate_design", "new_weights",
           "poststratify_design", "rake_design", "trim_design", "with_weighting"]


# ---------------------------------------------------------------------------
# the steps
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PostStratifyStep:
    """Post-stratification: subtract the within-cell mean (weighted by the weights
    before post-stratification), R's default postStrata branch."""

    cells: np.ndarray        # int codes, one per row
    weights: np.ndarray      # weights after post-stratification (R attr "weights")
    oldweights: np.ndarray   # weights before (R attr "oldweights")

    @cached_property
    def n_cells(self) -> int:
        return int(self.cells.max()) + 1 if len(self.cells) else 0

    def residualize(self, xw: np.ndarray) -> np.ndarray:
        psw = self.weights.copy()
        oldw = self.oldweights
        psw[(psw == 0) & (oldw == 0)] = 1.0
        ncell = self.n_cells
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(psw[:, None] != 0, xw * (oldw / psw)[:, None], 0.0)
        denom = np.bincount(self.cells, weights=oldw, minlength=ncell)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = group_sums(self.cells, ratio, ncell) / denom[:, None]
        means[~np.isfinite(means)] = 0.0
        return xw - means[self.cells] * psw[:, None]

    def joint_cells(self) -> tuple[np.ndarray, int]:
        """The cell of each row (int64, read-only) and the number of cells."""
        grp = self.cells.astype(np.int64)
        grp.setflags(write=False)
        return grp, max(self.n_cells, 1)

    def residualize_grouped(self, Y: np.ndarray, grp: np.ndarray,
                            old_sums: np.ndarray) -> np.ndarray:
        """:meth:`residualize` of values ``y = z / w`` given per group of respondents
        with the same y and cell ``grp``; ``old_sums`` are the group sums of the weights
        before post-stratification. Returns the residual y per group."""
        ncell = max(self.n_cells, 1)
        denom = np.bincount(self.cells, weights=self.oldweights, minlength=ncell)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = group_sums(grp, old_sums[:, None] * Y, ncell) / denom[:, None]
        means[~np.isfinite(means)] = 0.0
        return Y - means[grp]


@dataclass(frozen=True)
class RakeStep:
    """Raking: exactly 10 backfitting passes over the margins, each pass
    subtracting the unweighted within-cell mean of x / w times w (R's ``raking``
    branch of svyrecvar). The final weights stand in for each margin's weights
    (R keeps the weights after each margin's step of the last raking pass; they
    coincide once raking has converged).

    The passes run on small tables, not on the respondents: with
    :math:`y = x / w` and :math:`a_j` the means subtracted so far on margin j,
    the level sums of :math:`y` on margin j are
    :math:`G_j - \\sum_{j'} N_{jj'} a_{j'}`, with :math:`G_j` the level sums of
    the initial :math:`y` and :math:`N_{jj'}` the cross-counts of the levels of
    margins j and j' (respondents with non-zero weight). The respondents are
    touched once before and once after the ten passes.
    """

    margins: tuple[np.ndarray, ...]   # int codes per margin
    weights: np.ndarray

    @cached_property
    def _tables(self) -> tuple:
        """Per margin: level count (all rows); cross-counts of non-zero-weight rows."""
        nz = self.weights != 0
        sizes = [int(m.max()) + 1 if m.size else 0 for m in self.margins]
        counts = [np.bincount(m, minlength=L).astype(float)
                  for m, L in zip(self.margins, sizes)]
        mz = [m if nz.all() else m[nz] for m in self.margins]
        cross = {}
        for j, (mj, Lj) in enumerate(zip(mz, sizes)):
            for i in range(j + 1):
                Li = sizes[i]
                key = mj.astype(np.int64) * Li + mz[i]
                cross[j, i] = np.bincount(key, minlength=Lj * Li).astype(float) \
                    .reshape(Lj, Li)
                cross[i, j] = cross[j, i].T
        return sizes, counts, cross

    @property
    def sizes(self) -> list[int]:
        """Number of levels of each margin."""
        return self._tables[0]

    def level_offsets(self, G0: list[np.ndarray]) -> list[np.ndarray]:
        """The ten backfitting passes on the level sums ``G0`` (one (L_j, k) array per
        margin, sums of y over rows with non-zero weight): the amounts a_j subtracted
        from y per level of each margin."""
        sizes, counts, cross = self._tables
        k = G0[0].shape[1] if G0 else 0
        a = [np.zeros((L, k)) for L in sizes]
        J = len(sizes)
        for _ in range(10):
            for j in range(J):
                cur = G0[j].copy()
                for i in range(J):
                    cur -= cross[j, i] @ a[i]
                with np.errstate(divide="ignore", invalid="ignore"):
                    means = cur / counts[j][:, None]
                means[~np.isfinite(means)] = 0.0
                a[j] += means
        return a

    def residualize(self, xw: np.ndarray) -> np.ndarray:
        w = self.weights
        nz = w != 0
        safe = np.where(nz, w, 1.0)
        y = xw / safe[:, None]
        if not nz.all():
            y[~nz] = 0.0
        G0 = [group_sums(m, y, L) for m, L in zip(self.margins, self.sizes)]
        for m, a in zip(self.margins, self.level_offsets(G0)):
            y -= a[m]
        out = y * w[:, None]
        if not nz.all():
            out[~nz] = xw[~nz]            # rows without weight are left as they came
        return out

    @property
    def n_joint_cells(self) -> int:
        """Number of combinations of the margins' levels."""
        return int(np.prod(self.sizes, dtype=np.float64))

    def joint_cells(self) -> tuple[np.ndarray, int]:
        """The combination of margin levels of each row (int64, read-only; the first
        margin varies slowest) and the number of combinations."""
        grp = self.margins[0].astype(np.int64)
        for mj, L in zip(self.margins[1:], self.sizes[1:]):
            grp *= L
            grp += mj
        grp.setflags(write=False)
        return grp, self.n_joint_cells

    def residualize_grouped(self, Y: np.ndarray, grp: np.ndarray,
                            counts: np.ndarray) -> np.ndarray:
        """:meth:`residualize` of values ``y = z / w`` given per group of ``counts``
        respondents (with non-zero weight) with the same y and combination ``grp`` of
        margin levels (:meth:`joint_cells`). Returns the residual y per group."""
        levels, rest = [], grp.copy()
        for L in reversed(self.sizes):
            levels.append(rest % L)
            rest //= L
        levels.reverse()
        G0 = [group_sums(lv, counts[:, None] * Y, L) for lv, L in zip(levels, self.sizes)]
        for lv, a in zip(levels, self.level_offsets(G0)):
            Y = Y - a[lv]
        return Y


@dataclass(frozen=True)
class GregStep:
    """Generalised regression calibration (R's ``greg_calibration``, stage 0):
    residuals of x / (g sqrt(d)) on the model matrix scaled by sqrt(d), times
    g sqrt(d), where d are the weights before calibration and g = w / d."""

    basis: np.ndarray        # orthonormal basis of the column space of X * sqrt(d)
    scale: np.ndarray        # g * sqrt(d)

    def residualize(self, xw: np.ndarray) -> np.ndarray:
        s = self.scale
        nz = s != 0
        z = np.where(nz[:, None], xw / np.where(nz, s, 1.0)[:, None], 0.0)
        z = z - self.basis @ (self.basis.T @ z)
        return z * s[:, None]

    @classmethod
    def build(cls, model_matrix: np.ndarray, base_weights: np.ndarray,
              final_weights: np.ndarray) -> GregStep:
        d = np.asarray(base_weights, float)
        X = np.asarray(model_matrix, float)
        sq = np.sqrt(d)
        A = X * sq[:, None]
        # orthonormal basis of col(A), robust to rank deficiency (as R's pivoting qr)
        u, sv, _ = np.linalg.svd(A, full_matrices=False)
        tol = sv.max() * max(A.shape) * np.finfo(float).eps if sv.size else 0.0
        basis = u[:, sv > tol]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(d != 0, np.asarray(final_weights, float) / np.where(d != 0, d, 1.0), 0.0)
        return cls(basis=np.ascontiguousarray(basis), scale=g * sq)


# ---------------------------------------------------------------------------
# a design with new weights
# ---------------------------------------------------------------------------

def _spare_code(codes: np.ndarray) -> np.ndarray:
    """Integer codes with -1 (excluded respondents) mapped to a spare last code."""
    codes = np.asarray(codes).astype(np.intp)
    if codes.size and codes.min() < -1:
        raise DesignError("calibration cell codes must be >= -1")
    top = int(codes.max()) + 1 if codes.size else 0
    return np.where(codes < 0, top, codes)


def _as_weights(design: Any, values: Any, what: str,
                allow_negative: bool = False) -> np.ndarray:
    if isinstance(values, pd.Series):
        if len(values) == design.n:  # taken in row order, as R takes a weight vector
            arr = values.to_numpy(dtype=float)
        else:
            raise DesignError(f"{what}: {len(values)} values for {design.n} respondents")
    else:
        arr = np.asarray(values, dtype=float)
    if arr.shape != (design.n,):
        raise DesignError(f"{what}: expected {design.n} values, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or (not allow_negative and np.any(arr < 0)):
        raise DesignError(f"{what} must be finite and non-negative")
    return arr


def new_weights(design: Any, w: np.ndarray, steps: tuple) -> Any:
    """A copy of ``design`` with weights ``w`` and ``steps`` appended to its calibration."""
    w = np.array(w, dtype=float)
    if not np.any(w > 0):
        raise DesignError("all weights are zero")
    w.setflags(write=False)
    calibrated = design._calibrated or bool(steps)
    new = design._replace(weights=w, _calibration=design._calibration + steps,
                          _calibrated=calibrated)
    new._remember("degf", degf(new, np.ones(design.n, dtype=bool)))
    return new


def _step(design: Any, info: Any, w: np.ndarray, base: np.ndarray) -> Any:
    """The calibration step recorded by a weighting result's ``calibration``."""
    method = getattr(info, "method", None)
    if method == "poststratify":
        return PostStratifyStep(cells=_spare_code(np.asarray(info.cells)), weights=w,
                                oldweights=base)
    if method == "rake":
        margins = tuple(_spare_code(np.asarray(m)) for m in info.margins)
        if not margins:
            raise DesignError("the raking result has no margins")
        return RakeStep(margins=margins, weights=w)
    if method == "calibrate":
        mm = np.asarray(info.model_matrix, dtype=float)
        if mm.shape[0] != design.n:
            raise DesignError(f"the calibration model matrix has {mm.shape[0]} rows; the "
                              f"design has {design.n} respondents")
        return GregStep.build(mm, base, w)
    raise DesignError(f"unknown calibration method {method!r}; expected "
                      "'poststratify', 'rake' or 'calibrate'")


def with_weighting(design: Any, result: Any) -> Any:
    """A new design carrying the weights and calibration of a weighting result.

    Parameters
    ----------
    design : SurveyDesign
    result : WeightingResult or CalibrationInfo
        As :meth:`SurveyDesign.with_weighting`.

    Returns
    -------
    SurveyDesign
    """
    info = getattr(result, "calibration", result)
    if design._replicate is not None:
        return _replicate_weighting(design, result, info)
    if info is None:
        final = getattr(result, "weights", None)
        return new_weights(design, _as_weights(design, final, "weights"), ())
    # linear calibration may give negative weights; R keeps them (with a warning
    # recorded on the weighting result), so the design accepts them too
    w = _as_weights(design, info.weights, "calibration weights", allow_negative=True)
    base = _as_weights(design, info.base_weights, "base weights")
    step = _step(design, info, w, base)
    if info is not result:
        # the result's own weights, trimmed after calibration or not: as R's
        # trimWeights, the step keeps the weights it was calibrated with
        w = _as_weights(design, result.weights, "weights", allow_negative=True)
    return new_weights(design, w, (step,))


def _replicate_weighting(design: Any, result: Any, info: Any, calfun: str = "linear") -> Any:
    """A replicate design reweighted: each replicate calibrated again (R's methods for
    svyrep designs; :mod:`survey_kit.design.replicate_calibration`)."""
    from .replicate_calibration import recalibrated

    if info is None or info is not result and not np.allclose(
            np.asarray(result.weights, dtype=float), np.asarray(info.weights, dtype=float)):
        raise UsageError("a replicate-weight design takes poststratify, rake or calibrate "
                         "results (each replicate is calibrated again); trimming is not "
                         "offered on it")
    if not np.allclose(np.asarray(info.base_weights, dtype=float), design.weights):
        raise UsageError("a replicate-weight design is calibrated from its own weights; "
                         "do not pass weights=")
    w = _as_weights(design, info.weights, "calibration weights", allow_negative=True)
    return recalibrated(design, info, w, tol=1e-12, calfun=calfun)


def trim_design(design: Any, lower: float | None = None, upper: float | None = None,
                strict: bool = False) -> Any:
    """:func:`survey_kit.trim_weights` of the design's weights (R ``trimWeights``).

    Parameters as :meth:`SurveyDesign.trim`. The design keeps its calibration
    steps, which keep the weights they were calibrated with: as R, the
    trimming factors are fixed multipliers of the calibrated weights.
    """
    if design._replicate is not None:
        raise UsageError("trimming is not offered on a replicate-weight design")
    res = trim_weights(np.asarray(design.weights, dtype=float), lower=lower, upper=upper,
                       strict=strict)
    if not res.converged:
        warnings.warn(res.warnings[-1], stacklevel=3)
    return new_weights(design, res.weights.to_numpy(dtype=float), ())


# ---------------------------------------------------------------------------
# the weighting functions, from a design's weights
# ---------------------------------------------------------------------------

def _base(design: Any, weights: Any) -> Any:
    """The base weights: the design's own (as a Series on the frame's index) unless given."""
    if weights is None:
        return pd.Series(np.asarray(design.weights), index=design.frame.index)
    return weights


def poststratify_design(design: Any, targets: Any, *, weights: Any = None,
                        variables: Sequence[str] | str | None = None,
                        not_stated: str | None = None,
                        impute_within: str | Sequence[str] | None = None,
                        seed: int | None = 0) -> Any:
    """:func:`survey_kit.poststratify` from the design's weights, then :func:`with_weighting`.

    Parameters as :meth:`SurveyDesign.poststratify`.
    """
    result = poststratify(design.frame, targets, weights=_base(design, weights),
                          variables=variables, not_stated=not_stated,
                          impute_within=impute_within, seed=seed)
    return with_weighting(design, result)


def rake_design(design: Any, targets: Any, *, weights: Any = None,
                variables: Sequence[str] | str | None = None, max_iter: int = 1000,
                tol: float = 1e-10, on_nonconvergence: str = "error",
                not_stated: str | None = None,
                impute_within: str | Sequence[str] | None = None,
                seed: int | None = 0) -> Any:
    """:func:`survey_kit.rake` from the design's weights, then :func:`with_weighting`.

    Parameters as :meth:`SurveyDesign.rake`.
    """
    result = rake(design.frame, targets, weights=_base(design, weights), variables=variables,
                  max_iter=max_iter, tol=tol, on_nonconvergence=on_nonconvergence,
                  not_stated=not_stated, impute_within=impute_within, seed=seed)
    return with_weighting(design, result)


def calibrate_design(design: Any, targets: Any, method: str = "linear",
                     bounds: tuple[float, float] | None = None, *, weights: Any = None,
                     variables: Sequence[str] | str | None = None, max_iter: int = 100,
                     tol: float = 1e-10, on_nonconvergence: str = "error",
                     not_stated: str | None = None,
                     impute_within: str | Sequence[str] | None = None,
                     seed: int | None = 0, numeric_totals: Any = None) -> Any:
    """:func:`survey_kit.calibrate` from the design's weights, then :func:`with_weighting`.

    Parameters as :meth:`SurveyDesign.calibrate`.
    """
    if design._replicate is not None and (method not in ("linear", "raking") or bounds):
        raise UsageError("a replicate-weight design is calibrated with method='linear' or "
                         "'raking' and no bounds (every replicate is calibrated again)")
    result = calibrate(design.frame, targets, method=method, bounds=bounds,
                       weights=_base(design, weights), variables=variables,
                       max_iter=max_iter, tol=tol, on_nonconvergence=on_nonconvergence,
                       not_stated=not_stated, impute_within=impute_within, seed=seed,
                       numeric_totals=numeric_totals)
    if design._replicate is not None:
        return _replicate_weighting(design, result, result.calibration, calfun=method)
    return with_weighting(design, result)
