"""SurveyDesign: design-based estimates and their variance by linearization.

A :class:`SurveyDesign` carries the final weights, the strata, the primary
sampling units (PSUs), the finite population correction and, after
calibration, what is needed to account for the calibration in standard
errors. Every estimator (mean, total, proportion, quantile, domain
estimates, comparisons, regression) returns a result that knows its
standard error, confidence interval and design effect.

The variance machinery reproduces R's ``survey`` package (Lumley 2004,
2010): ``svyrecvar`` for single-stage stratified cluster designs, with
``postStratify``, ``rake`` and ``calibrate`` residualisation.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 2, 1, 2], "s": ["a", "a", "b", "b"]})
>>> d = sk.SurveyDesign(df, weights="w", strata="s")
>>> d.degf
2
>>> round(d.mean("y").estimate, 4)
2.6667

Notes
-----
For a total :math:`\\hat Y = \\sum_i w_i x_i` the linearized variance is

.. math::

    \\hat V(\\hat Y) = \\sum_h (1 - f_h) \\frac{n_h}{n_h - 1}
        \\sum_{j=1}^{n_h} (z_{hj} - \\bar z_h)(z_{hj} - \\bar z_h)^T,
    \\qquad z_{hj} = \\sum_{i \\in (h, j)} w_i x_i,

with :math:`n_h` PSUs in stratum :math:`h` and sampling fraction
:math:`f_h` (zero without fpc). Nonlinear statistics are handled by
applying this to their influence functions (Binder 1983).

Conventions (what "as R" means here)
------------------------------------
- Confidence intervals use Student's t with ``design.degf`` degrees of
  freedom, as ``confint(svymean(...), df = degf(design))`` and R's
  ``svyciprop`` (whose default ``df`` is ``degf``). R's ``confint`` default
  for ``svymean``/``svytotal``/``svyby`` is the normal quantile: pass
  ``df=numpy.inf`` for it.
- Domain estimates (:meth:`SurveyDesign.by`) also use the whole design's
  ``degf`` (R's ``svyby(..., svyciprop)`` would use the domain's).
- Quantiles use ``degf`` of the non-missing rows, as R's ``svyquantile``.
- Regression tests use ``degf - rank + 1`` of the rows used, as ``svyglm``.
- Missing values are handled as R's ``na.rm=TRUE`` (a domain analysis), and
  counted in the results.

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators
from complex surveys. International Statistical Review 51, 279-292.
Lumley, T. (2004). Analysis of complex survey samples. Journal of
Statistical Software 9(8). Lumley, T. (2010). Complex Surveys: A Guide to
Analysis Using R. Wiley.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError

__all__ = ["LONELY_PSU_OPTIONS", "SurveyDesign", "adjust_pvalues"]

LONELY_PSU_OPTIONS = ("fail", "remove", "adjust", "average", "certainty")


# ---------------------------------------------------------------------------
# input resolution
# ---------------------------------------------------------------------------

def _resolve(frame: pd.DataFrame, spec: Any, role: str) -> tuple[np.ndarray | None, str | None]:
    """Return (values, name) of a design variable given as a column name or array-like."""
    if spec is None:
        return None, None
    if isinstance(spec, str):
        if spec not in frame.columns:
            raise DesignError(
                f"the {role} column is not in the data; columns are: "
                f"{', '.join(map(str, list(frame.columns)[:30]))}", column=spec)
        return frame[spec].to_numpy(), spec
    values = spec.to_numpy() if isinstance(spec, (pd.Series, pd.Index)) else np.asarray(spec)
    if values.ndim != 1 or len(values) != len(frame):
        raise DesignError(
            f"{role} must be a column name or a 1-d array with one value per row "
            f"({len(frame)} rows); got shape {values.shape}")
    return values, role


def _check_no_missing(values: np.ndarray, name: str, role: str) -> None:
    miss = pd.isna(values)
    if miss.any():
        first = int(np.flatnonzero(miss)[0])
        raise DesignError(
            f"{int(miss.sum())} missing value(s) in the {role} variable; every respondent needs "
            f"one (first at data row {first + 1}, 1-based); fill or drop those rows first",
            column=name)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..K-1 (sorted labels) and the labels."""
    codes, labels = pd.factorize(pd.Series(values), sort=True)
    return codes.astype(np.intp), np.asarray(labels)


# ---------------------------------------------------------------------------
# calibration residualisation (R svyrecvar's postStrata handling)
# ---------------------------------------------------------------------------

def _group_sums(codes: np.ndarray, x: np.ndarray, ngroups: int) -> np.ndarray:
    """Column sums of ``x`` (n, k) within groups ``codes``: a (ngroups, k) array."""
    out = np.empty((ngroups, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(codes, weights=x[:, j], minlength=ngroups)
    return out


@dataclass(frozen=True)
class _PostStep:
    """Post-stratification: subtract the within-cell mean (weighted by the weights
    before post-stratification), R's default postStrata branch."""

    cells: np.ndarray        # int codes, one per row
    weights: np.ndarray      # weights after post-stratification (R attr "weights")
    oldweights: np.ndarray   # weights before (R attr "oldweights")

    def residualize(self, xw: np.ndarray) -> np.ndarray:
        psw = self.weights.copy()
        oldw = self.oldweights
        psw[(psw == 0) & (oldw == 0)] = 1.0
        ncell = int(self.cells.max()) + 1 if len(self.cells) else 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(psw[:, None] != 0, xw * (oldw / psw)[:, None], 0.0)
        denom = np.bincount(self.cells, weights=oldw, minlength=ncell)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = _group_sums(self.cells, ratio, ncell) / denom[:, None]
        means[~np.isfinite(means)] = 0.0
        return xw - means[self.cells] * psw[:, None]


@dataclass(frozen=True)
class _RakeStep:
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
        sizes = self._tables[0]
        y = xw / safe[:, None]
        if not nz.all():
            y[~nz] = 0.0
        G0 = [_group_sums(m, y, L) for m, L in zip(self.margins, sizes)]
        for m, a in zip(self.margins, self.level_offsets(G0)):
            y -= a[m]
        out = y * w[:, None]
        if not nz.all():
            out[~nz] = xw[~nz]            # rows without weight are left as they came
        return out


@dataclass(frozen=True)
class _GregStep:
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
              final_weights: np.ndarray) -> _GregStep:
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
# the design
# ---------------------------------------------------------------------------

class SurveyDesign:
    """A single-stage stratified cluster sample with weights, fpc and calibration.

    Parameters
    ----------
    frame : pandas.DataFrame
        The respondents, one row each. Kept as given (a shallow copy); never
        modified.
    weights : str or array-like, optional
        Sampling (or final) weights; a column of ``frame`` or one value per
        row. ``None`` means 1 for everyone, or ``N_h / n_h`` when ``fpc`` gives
        population sizes (as R ``svydesign``). Zero weights are allowed: such
        rows contribute nothing to estimates, yet keep their place in the
        strata and PSU structure (as in R); they do not count in ``degf``.
    strata : str or array-like, optional
        Stratum of each respondent. ``None``: one stratum.
    cluster : str or array-like, optional
        Primary sampling unit of each respondent. ``None``: each respondent is
        its own PSU. PSU ids are taken within strata (R ``nest=TRUE``).
    fpc : str or array-like, optional
        Finite population correction per respondent, constant within a
        stratum: either the number of PSUs in the population stratum (all
        values >= 1) or the sampling fraction (all values <= 1), as R's
        ``svydesign(fpc=)``.
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        What to do with a stratum holding a single PSU, as R's
        ``options(survey.lonely.psu=)``: ``"fail"`` raises
        :class:`~survey_kit.errors.DesignError` naming the stratum;
        ``"remove"`` and ``"certainty"`` let it contribute zero; ``"adjust"``
        centres its PSU total at zero instead of the stratum mean;
        ``"average"`` drops it and scales the variance by (number of strata) /
        (strata with more than one PSU).

    Attributes
    ----------
    frame : pandas.DataFrame
    weights : numpy.ndarray
        Final weights (after any calibration), float64.
    degf : int
        Design degrees of freedom as R ``degf()``: PSUs minus strata, counting
        only rows with non-zero weight.

    Notes
    -----
    :meth:`vcov_total` is the one variance engine; every estimator (and the
    tests of association in ``stats.py`` and banner tables in
    ``crosstab.py``) feeds it influence functions.
    """

    def __init__(self, frame: pd.DataFrame, weights: Any = None, strata: Any = None,
                 cluster: Any = None, fpc: Any = None, lonely_psu: str = "fail") -> None:
        if not isinstance(frame, pd.DataFrame):
            raise DesignError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise UsageError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}; "
                             f"got {lonely_psu!r}")
        n = len(frame)
        if n < 2:
            raise DesignError(f"a design needs at least 2 respondents; the data have {n}")
        frame = frame.copy(deep=False)

        # strata
        s_values, s_name = _resolve(frame, strata, "strata")
        if s_values is None:
            s_codes = np.zeros(n, dtype=np.intp)
            s_labels = np.array([1])
        else:
            _check_no_missing(s_values, s_name, "strata")
            s_codes, s_labels = _codes(s_values)
        # PSUs (nested in strata)
        c_values, c_name = _resolve(frame, cluster, "cluster")
        if c_values is None:
            psu = np.arange(n, dtype=np.intp)
            psu_is_row = True
        else:
            _check_no_missing(c_values, c_name, "cluster")
            c_codes, c_labels = _codes(c_values)
            key = s_codes.astype(np.int64) * len(c_labels) + c_codes
            _, psu = np.unique(key, return_inverse=True)
            psu = psu.astype(np.intp).ravel()
            psu_is_row = len(c_labels) == n and len(np.unique(psu)) == n
            if psu_is_row:
                psu = np.arange(n, dtype=np.intp)
        npsu = int(psu.max()) + 1
        if npsu < 2:
            raise DesignError("the design has only one primary sampling unit; variances "
                              "cannot be estimated (give strata, or more PSUs)")
        nstrata = len(s_labels)
        psu_stratum = np.zeros(npsu, dtype=np.intp)
        psu_stratum[psu] = s_codes
        n_h = np.bincount(psu_stratum, minlength=nstrata)

        # fpc -> population size per stratum
        f_values, f_name = _resolve(frame, fpc, "fpc")
        popsize_h: np.ndarray | None = None
        if f_values is not None:
            _check_no_missing(f_values, f_name, "fpc")
            try:
                fv = np.asarray(f_values, dtype=float)
            except (TypeError, ValueError) as exc:
                raise DesignError("fpc must be numeric (population sizes or sampling "
                                  "fractions)", column=f_name) from exc
            if np.any(fv < 0):
                raise DesignError("fpc must not be negative", column=f_name,
                                  value=float(fv[fv < 0][0]))
            is_size = bool(np.any(fv > 1))
            if is_size and not np.all(fv >= 1):
                raise DesignError("fpc mixes population sizes (>1) and sampling fractions (<1); "
                                  "give all as one or the other", column=f_name)
            lo = np.full(nstrata, np.inf)
            hi = np.full(nstrata, -np.inf)
            np.minimum.at(lo, s_codes, fv)
            np.maximum.at(hi, s_codes, fv)
            varies = np.flatnonzero(lo != hi)
            if varies.size:
                raise DesignError(
                    f"fpc varies within stratum {s_labels[varies[0]]!r} (from {lo[varies[0]]} "
                    f"to {hi[varies[0]]}); give one value per stratum", column=f_name)
            with np.errstate(divide="ignore"):
                popsize_h = lo if is_size else n_h / lo
            bad = np.flatnonzero(popsize_h < n_h)
            if bad.size:
                h = bad[0]
                raise DesignError(
                    f"fpc implies more than 100% sampling in stratum {s_labels[h]!r}: "
                    f"population size {popsize_h[h]:g} but {n_h[h]} sampled PSUs", column=f_name)

        # weights
        w_values, w_name = _resolve(frame, weights, "weights")
        if w_values is None:
            if popsize_h is not None:
                w = (popsize_h / n_h)[s_codes].astype(float)
            else:
                w = np.ones(n)
        else:
            _check_no_missing(w_values, w_name, "weights")
            try:
                w = np.asarray(w_values, dtype=float).copy()
            except (TypeError, ValueError) as exc:
                raise DesignError("weights must be numeric", column=w_name) from exc
            bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
            if bad.size:
                raise DesignError(
                    f"weights must be finite and non-negative (data row {bad[0] + 1}, 1-based)",
                    column=w_name, value=float(w[bad[0]]))
        if not np.any(w > 0):
            raise DesignError("all weights are zero", column=w_name)
        w.setflags(write=False)

        fr = np.ones(nstrata)
        if popsize_h is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                fr = np.where(np.isinf(popsize_h), 1.0, (popsize_h - n_h) / popsize_h)

        sets = object.__setattr__
        sets(self, "frame", frame)
        sets(self, "weights", w)
        sets(self, "lonely_psu", lonely_psu)
        sets(self, "_names", {"weights": w_name, "strata": s_name, "cluster": c_name,
                              "fpc": f_name})
        sets(self, "_strata", s_codes)
        sets(self, "_strata_labels", s_labels)
        sets(self, "_psu", psu)
        sets(self, "_psu_is_row", psu_is_row)
        sets(self, "_psu_stratum", psu_stratum)
        sets(self, "_n_h", n_h)
        sets(self, "_popsize_h", popsize_h)
        sets(self, "_f_h", fr)          # 1 - sampling fraction, per stratum
        sets(self, "_calibration", ())  # residualisation steps, applied in order
        sets(self, "_calibrated", False)
        sets(self, "_sparse", None)
        sets(self, "_coded_cache", None)  # (calibration, weights, _coded_cells result)
        sets(self, "degf", self._degf_of(np.ones(n, dtype=bool)))

    # immutability -----------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"SurveyDesign is immutable; cannot set {name!r} "
                             "(methods return new designs)")

    def _replace(self, **changes: Any) -> SurveyDesign:
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        for k, v in changes.items():
            object.__setattr__(new, k, v)
        return new

    # basic facts ------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of respondents (rows)."""
        return len(self.frame)

    @property
    def n_strata(self) -> int:
        return len(self._strata_labels)

    @property
    def n_psu(self) -> int:
        return len(self._psu_stratum)

    @property
    def is_calibrated(self) -> bool:
        """True after poststratify, rake or calibrate."""
        return bool(self._calibrated)

    def __repr__(self) -> str:
        parts = [f"{self.n} respondents", f"{self.n_strata} strata" if self._names["strata"]
                 else "no strata",
                 f"{self.n_psu} PSUs" if not self._psu_is_row else "respondents as PSUs",
                 "fpc" if self._popsize_h is not None else "no fpc",
                 f"degf {self.degf}"]
        if self._calibrated:
            parts.append("calibrated")
        return f"<SurveyDesign: {', '.join(parts)}>"

    # ----------------------------------------------------------------------
    # variance engine
    # ----------------------------------------------------------------------
    # vcov_total is the shared entry point of the variance machinery: stats.py
    # (Rao-Scott and Wald tests) and crosstab.py (banner tables) call it with
    # influence functions. Keep its signature stable.
    def vcov_total(self, x: np.ndarray, *, subset: np.ndarray | None = None) -> np.ndarray:
        """Design-based covariance of the weighted totals ``sum_i w_i x_i``.

        Parameters
        ----------
        x : array (n,) or (n, k)
            Per-respondent values, not multiplied by the weights, with no NaN.
        subset : boolean array (n,), optional
            Rows of a subpopulation (as R's ``design[subset, ]``): values of
            other rows are treated as zero. For an uncalibrated design, strata
            with no row in the subset are left out (this matters only for
            ``lonely_psu="fail"`` and ``"average"``), exactly as R, which drops
            those rows; a calibrated design keeps all rows (R gives them zero
            weight).

        Returns
        -------
        numpy.ndarray (k, k)

        Notes
        -----
        As R ``svyrecvar(x * w, ...)``: the calibration residualisation
        (post-stratification, raking, GREG) is applied to ``x * w``, then the
        PSU totals are centred within strata and combined with the factor
        :math:`(1 - f_h) n_h / (n_h - 1)` (lonely PSUs per ``lonely_psu``).

        Examples
        --------
        >>> import pandas as pd, numpy as np, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
        >>> d.vcov_total(np.array([1.0, 2, 3, 4]))
        array([[6.66666667]])
        """
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[0] != self.n:
            raise UsageError(f"x must have one row per respondent ({self.n}); got shape "
                             f"{x.shape}")
        w = self.weights
        if subset is not None:
            subset = np.asarray(subset, dtype=bool)
            if subset.shape != (self.n,):
                raise UsageError(f"subset must be a boolean array of length {self.n}")
        if (self._psu_is_row and self.n_strata == 1 and not self._calibration
                and self._f_h[0] >= 1e-7 and self.n_psu > 1):
            out = self._vcov_srs_chunked(x, w, subset)
            self._check_finite(out, x)
            return out
        xw = x * w[:, None]
        present = None
        if subset is not None:
            xw[~subset] = 0.0
            if not self._calibrated:
                present = np.zeros(self.n_strata, dtype=bool)
                present[self._strata[subset]] = True
        for step in self._calibration:
            xw = step.residualize(xw)
        out = self._stratified_crossprod(xw, present)
        self._check_finite(out, x)
        return out

    def vcov_total_coded(self, table: np.ndarray, code: np.ndarray, *,
                         subset: np.ndarray | None = None,
                         code_subset: np.ndarray | None = None) -> np.ndarray:
        """:meth:`vcov_total` of ``x_i = table[code_i]``, without forming ``x``.

        Parameters
        ----------
        table : array (m, k) or (m,)
            Values per code (e.g. the influence row of each cell of a table).
        code : int array (n,)
            Row of ``table`` for each respondent; -1 for a respondent whose
            values are 0.
        subset : boolean array (n,), optional
            As in :meth:`vcov_total`.
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

        Notes
        -----
        When respondents are the PSUs and the design is uncalibrated, raked or
        post-stratified once, the respondents' contributions depend only on
        their combination of code, calibration cell (or margin levels) and
        stratum: one ``np.bincount`` of the weights and squared weights per
        combination gives the variance, and the calibration residuals are
        computed on the combination table. For clustered, uncalibrated designs
        one ``np.bincount`` gives the weight sums :math:`S_{cj}` per code
        :math:`c` and PSU :math:`j`; the PSU totals are
        :math:`T_j = \\sum_c S_{cj}\\, t_c` (``t_c`` the rows of ``table``),
        centred within strata as in :meth:`vcov_total`. Other designs (GREG,
        several calibration steps, clustered and calibrated, very large
        tables) gather ``x`` and call :meth:`vcov_total`; :meth:`coded_path`
        tells which path a table takes.

        Examples
        --------
        >>> import pandas as pd, numpy as np, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
        >>> d.vcov_total_coded(np.array([[1.0], [3.0]]), np.array([0, 0, 1, 1]))
        array([[5.33333333]])
        """
        table = np.asarray(table, dtype=float)
        if table.ndim == 1:
            table = table[:, None]
        code = np.asarray(code)
        if code.shape != (self.n,) or code.dtype.kind not in "iu":
            raise UsageError(f"code must be an integer array with one code per respondent "
                             f"({self.n}); got shape {code.shape}")
        m, k = table.shape
        if code.size and (int(code.max()) >= m or int(code.min()) < -1):
            raise UsageError(f"codes must lie in -1..{m - 1} (rows of table)")
        if subset is not None:
            subset = np.asarray(subset, dtype=bool)
            if subset.shape != (self.n,):
                raise UsageError(f"subset must be a boolean array of length {self.n}")
        if code_subset is not None:
            if subset is not None:
                raise UsageError("give subset or code_subset, not both")
            code_subset = np.asarray(code_subset, dtype=bool)
            if code_subset.shape != (m,):
                raise UsageError(f"code_subset must be a boolean array of length {m} "
                                 "(rows of table)")
            # outside the subpopulation x = 0, so zero rows of the table are the same
            table = np.where(code_subset[:, None], table, 0.0)
            if self._subset_strata_matter():
                subset = (code >= 0) & np.append(code_subset, False)[code]
        out = self._vcov_coded_fast(table, code, subset)
        if out is None:
            x = np.zeros((self.n, k))
            ok = code >= 0
            x[ok] = table[code[ok]]
            return self.vcov_total(x, subset=subset)
        if not np.isfinite(out).all() and not np.isfinite(table).all():
            raise UsageError("vcov_total_coded: table has NaN or infinite values")
        return out

    _CODED_LIMIT = 1 << 22          # combinations table size for the coded fast path

    def _subset_strata_matter(self) -> bool:
        """Whether the strata a subpopulation meets change its variance beyond zeroing
        the values outside it: only for uncalibrated designs with a lonely PSU."""
        return not self._calibrated and bool(np.any((self._n_h == 1) & (self._f_h >= 1e-7)))

    def coded_path(self, m: int = 1) -> str:
        """How :meth:`vcov_total_coded` treats a table of ``m`` rows (package-internal).

        Returns
        -------
        str
            ``"srs"`` (respondents as PSUs, uncalibrated: per-(code, stratum) sums of
            the weights and squared weights), ``"psu"`` (clustered, uncalibrated:
            per-(code, PSU) weight sums, PSU totals as their product with the table),
            ``"atoms"`` (respondents as PSUs, one raking or post-stratification step:
            residuals on per-(code, calibration cell, stratum) sums) or ``"general"``
            (the n x k matrix is gathered and passed to :meth:`vcov_total`; callers with
            many table columns should chunk them).

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> sk.SurveyDesign(pd.DataFrame({"w": [1.0, 2, 3]}), weights="w").coded_path()
        'srs'
        """
        plan = self._coded_plan(int(m))
        if plan is None:
            return "general"
        if plan == "psu":
            return "psu"
        return "srs" if plan[0] is None else "atoms"

    def _coded_plan(self, m: int):
        """How :meth:`vcov_total_coded` handles a table of ``m`` rows: ``"psu"``
        (clustered, uncalibrated: per-(code, PSU) sums), ``(step, grp, G)`` (respondents
        as PSUs, at most one raking or post-stratification step: per-(code, calibration
        cell, stratum) sums, ``grp`` the calibration cell of each row and ``G`` their
        number) or None (gather x)."""
        cells = self._coded_cells()
        if cells is None:
            return None
        if cells == "psu":
            return None if (m + 1) * self.n_psu > self._CODED_LIMIT else "psu"
        if (m + 1) * cells[2] * self.n_strata > self._CODED_LIMIT:
            return None
        return cells

    def _coded_cells(self):
        """The part of :meth:`_coded_plan` that does not depend on the table, computed
        once per design (weights and calibration) and cached."""
        cached = getattr(self, "_coded_cache", None)
        if cached is not None and cached[0] is self._calibration and cached[1] is self.weights:
            return cached[2]
        out = self._coded_cells_uncached()
        object.__setattr__(self, "_coded_cache", (self._calibration, self.weights, out))
        return out

    def _coded_cells_uncached(self):
        if not self._psu_is_row:
            return None if self._calibration else "psu"
        if len(self._calibration) > 1:
            return None
        w = self.weights
        step = self._calibration[0] if self._calibration else None
        if step is not None:
            if not isinstance(step, (_RakeStep, _PostStep)) \
                    or not np.array_equal(step.weights, w):
                return None
            if isinstance(step, _PostStep) and np.any((w == 0) & (step.oldweights == 0)):
                return None              # R's psw = 1 for such rows: not a function of code
        if step is None:
            return None, None, 1
        if isinstance(step, _RakeStep):
            sizes = step._tables[0]
            G = int(np.prod(sizes, dtype=np.float64))
            if G * self.n_strata > self._CODED_LIMIT:
                return None
            grp = step.margins[0].astype(np.int64)
            for mj, L in zip(step.margins[1:], sizes[1:]):
                grp *= L
                grp += mj
        else:
            G = int(step.cells.max()) + 1 if self.n else 1
            grp = step.cells.astype(np.int64)
        grp.setflags(write=False)
        return step, grp, G

    def _vcov_coded_psu(self, table: np.ndarray, code: np.ndarray,
                        subset: np.ndarray | None) -> np.ndarray:
        """Clustered, uncalibrated designs: the weight sums per (code, PSU) by one
        ``np.bincount``, the PSU totals as their product with ``table``, then the
        stratified centred cross-product of :meth:`vcov_total`."""
        m = table.shape[0]
        P = self.n_psu
        ok = code >= 0
        if subset is not None:
            ok &= subset
        key = np.where(ok, code, m).astype(np.int64) * P + self._psu
        S = np.bincount(key, weights=self.weights, minlength=(m + 1) * P)[:m * P]
        T = S.reshape(m, P).T @ table                            # (P, k) PSU totals
        present = None
        if subset is not None:
            present = np.zeros(self.n_strata, dtype=bool)
            present[self._strata[subset]] = True
        return self._centred_crossprod(T, present)

    def _vcov_coded_fast(self, table: np.ndarray, code: np.ndarray,
                         subset: np.ndarray | None) -> np.ndarray | None:
        """The combination-table variance of :meth:`vcov_total_coded`, or None."""
        m, k = table.shape
        plan = self._coded_plan(m)
        if plan is None:
            return None
        if plan == "psu":
            return self._vcov_coded_psu(table, code, subset)
        step, grp, G = plan
        w, H = self.weights, self.n_strata
        size = (m + 1) * G * H
        nz = w != 0
        ok = code >= 0
        if subset is not None:
            ok &= subset
        key = np.where(ok, code, m).astype(np.int64)       # m: a row of zeros
        if grp is not None:
            key *= G
            key += grp
        if H > 1:
            key *= H
            key += self._strata
        if not nz.all():
            key = key[nz]
            wz = w[nz]
        else:
            wz = w
        if step is None:
            # uncalibrated weights are positive here (zeros dropped): S1 > 0 marks the
            # occupied combinations, no count needed
            S1 = np.bincount(key, weights=wz, minlength=size)
            occ = np.flatnonzero(S1)
            S1 = S1[occ]
            N0 = None
        else:
            N0 = np.bincount(key, minlength=size)
            occ = np.flatnonzero(N0)
            S1 = np.bincount(key, weights=wz, minlength=size)[occ]
            N0 = N0[occ].astype(float)
        S2 = np.bincount(key, weights=wz * wz, minlength=size)[occ]
        h_of = occ % H
        g_of = (occ // H) % G
        c_of = occ // (H * G)
        Y = np.vstack([table, np.zeros((1, k))])[c_of]        # y = z / w per combination
        if isinstance(step, _RakeStep):
            sizes = step._tables[0]
            levels, rest = [], g_of.copy()
            for L in reversed(sizes):
                levels.append(rest % L)
                rest //= L
            levels.reverse()
            G0 = [_group_sums(lv, N0[:, None] * Y, L) for lv, L in zip(levels, sizes)]
            for lv, a in zip(levels, step.level_offsets(G0)):
                Y = Y - a[lv]
        elif isinstance(step, _PostStep):
            old = step.oldweights if nz.all() else step.oldweights[nz]
            Sold = np.bincount(key, weights=old, minlength=size)[occ]
            denom = np.bincount(step.cells, weights=step.oldweights, minlength=G)
            with np.errstate(divide="ignore", invalid="ignore"):
                means = _group_sums(g_of, Sold[:, None] * Y, G) / denom[:, None]
            means[~np.isfinite(means)] = 0.0
            Y = Y - means[g_of]
        present = None
        if subset is not None and not self._calibrated:
            present = np.zeros(H, dtype=bool)
            present[self._strata[subset]] = True
        scale_h, factor, centre = self._stratum_scales(present)
        sc = scale_h[h_of]
        Q = Y.T @ (Y * (S2 * sc)[:, None])
        Sh = _group_sums(h_of, Y * S1[:, None], H)
        coef = np.where(centre, scale_h / self._n_h, 0.0)
        Q -= Sh.T @ (Sh * coef[:, None])
        return factor * Q

    def _stratum_scales(self, present: np.ndarray | None) -> tuple:
        """Per stratum: (1 - f_h) n_h / (n_h - 1) after the lonely-PSU rule, the overall
        factor of lonely_psu="average", and whether PSU totals are centred (not for
        "adjust"-ed lonely strata). The rules of :meth:`_stratified_crossprod`."""
        H = self.n_strata
        n_h = self._n_h
        f_h = self._f_h
        if present is None:
            present = np.ones(H, dtype=bool)
        lonely = (n_h == 1) & present & (f_h >= 1e-7)
        opt = self.lonely_psu
        if lonely.any() and opt == "fail":
            h = int(np.flatnonzero(lonely)[0])
            raise DesignError(
                f"stratum {self._strata_labels[h]!r} has only one PSU, so its variance "
                "contribution cannot be estimated; choose lonely_psu='remove', 'adjust', "
                "'average' or 'certainty', or merge the stratum with a similar one")
        scale_h = np.where(n_h > 1, f_h * n_h / np.maximum(n_h - 1, 1), f_h)
        scale_h = np.where(f_h < 1e-7, 0.0, scale_h)
        scale_h = np.where(present, scale_h, 0.0)
        centre = np.ones(H, dtype=bool)
        factor = 1.0
        if lonely.any():
            if opt in ("remove", "certainty"):
                scale_h = np.where(lonely, 0.0, scale_h)
            elif opt == "average":
                scale_h = np.where(lonely, 0.0, scale_h)
                nstrat = int(present.sum())
                nok = nstrat - int(lonely.sum())
                factor = nstrat / nok if nok > 0 else np.nan
            elif opt == "adjust":
                centre = ~lonely
        return scale_h, factor, centre

    @staticmethod
    def _check_finite(out: np.ndarray, x: np.ndarray) -> None:
        if np.isfinite(out).all():
            return
        bad = np.flatnonzero(~np.isfinite(x).all(axis=0))
        if bad.size:
            raise UsageError(f"vcov_total: x has NaN or infinite values (column {bad[0]}); "
                             "set the values of respondents outside the estimate to 0 and "
                             "pass subset= instead")

    def _vcov_srs_chunked(self, x: np.ndarray, w: np.ndarray, subset: np.ndarray | None,
                          block: int = 32768) -> np.ndarray:
        """One stratum, respondents as PSUs, no calibration: the centred cross-product
        of x * w in cache-sized blocks (no n x k temporary)."""
        n, k = x.shape
        out = np.zeros((k, k))
        buf = np.empty((min(block, n), k))
        total = (w if subset is None else np.where(subset, w, 0.0)) @ x
        if not np.isfinite(total).all() and subset is not None:
            total = np.zeros(k)              # NaN outside the subset: sum block by block
            for start in range(0, n, block):
                b = buf[:len(x[start:start + block])]
                self._block_xw(x, w, subset, start, block, b)
                total += b.sum(axis=0)
        mean = total / n
        for start in range(0, n, block):     # centred cross-product
            b = buf[:len(x[start:start + block])]
            self._block_xw(x, w, subset, start, block, b)
            b -= mean
            out += b.T @ b
        return (self._f_h[0] * n / (n - 1)) * out

    @staticmethod
    def _block_xw(x, w, subset, start, block, out) -> None:
        np.multiply(x[start:start + block], w[start:start + block, None], out=out)
        if subset is not None:
            out[~subset[start:start + block]] = 0.0

    def _psu_totals(self, xw: np.ndarray) -> np.ndarray:
        if self._psu_is_row:
            return xw
        if self._sparse is None:
            from scipy import sparse
            ind = sparse.csr_matrix(
                (np.ones(self.n), (self._psu, np.arange(self.n))), shape=(self.n_psu, self.n))
            object.__setattr__(self, "_sparse", ind)
        return np.asarray(self._sparse @ xw)

    def _stratified_crossprod(self, xw: np.ndarray, present: np.ndarray | None) -> np.ndarray:
        T = self._psu_totals(xw)
        if T is xw:
            T = T if T.flags.writeable else T.copy()
        return self._centred_crossprod(T, present)

    def _centred_crossprod(self, T: np.ndarray, present: np.ndarray | None) -> np.ndarray:
        """sum_h scale_h sum_{j in h} (T_j - mean_h)(T_j - mean_h)' of PSU totals ``T``
        (modified in place), with the lonely-PSU rules."""
        k = T.shape[1]
        H = self.n_strata
        n_h = self._n_h
        f_h = self._f_h
        if present is None:
            present = np.ones(H, dtype=bool)
        lonely = (n_h == 1) & present & (f_h >= 1e-7)
        if H == 1 and not lonely.any():
            if f_h[0] < 1e-7:
                return np.zeros((k, k))
            T -= T.mean(axis=0)
            return (f_h[0] * n_h[0] / (n_h[0] - 1)) * (T.T @ T)
        scale_h, factor, centre = self._stratum_scales(present)   # raises for "fail"
        ps = self._psu_stratum
        sums = _group_sums(ps, T, H) if k else np.zeros((H, 0))
        means = sums / n_h[:, None]
        means[~centre] = 0.0            # "adjust": a lonely PSU is centred on zero
        T -= means[ps]
        s = scale_h[ps]
        return factor * ((T * s[:, None]).T @ T)

    # ----------------------------------------------------------------------
    # calibrated designs
    # ----------------------------------------------------------------------
    def with_weighting(self, result: Any) -> SurveyDesign:
        """A new design carrying the weights and calibration of a weighting result.

        Parameters
        ----------
        result : survey_kit.weighting.methods.WeightingResult or CalibrationInfo
            Its ``calibration`` (method, cells / margins / model matrix,
            base and final weights) tells how the standard errors must account
            for the adjustment. A result without calibration information
            (e.g. trimming alone) gives a design with the new weights as plain
            sampling weights.

        Returns
        -------
        SurveyDesign
            Same strata, PSUs and fpc; final weights; one more calibration step.

        Notes
        -----
        As R, where ``postStratify``, ``rake`` and ``calibrate`` append to the
        design's ``postStrata`` list, and ``svyrecvar`` replaces the
        influence functions :math:`z_i = w_i x_i` by their residuals before
        the usual stratified PSU variance (Lumley 2010, ch. 7; Deville and
        Sarndal 1992):

        - post-stratification: :math:`z_i - w_i \\bar u_{c(i)}`, with
          :math:`\\bar u_c` the mean of :math:`z / w` in cell c weighted by the
          weights before post-stratification;
        - raking: ten backfitting passes over the margins, each subtracting
          :math:`w_i` times the unweighted mean of :math:`z / w` in the
          respondent's level of that margin (R's fixed ten passes). R uses the
          weights after each margin's step in the last raking pass; we use the
          final weights, the same once raking has converged;
        - linear / GREG calibration (any calibration function, bounded or
          not): the residual of :math:`z / (g \\sqrt d)` after least squares
          on :math:`X \\sqrt d`, times :math:`g \\sqrt d`, with :math:`d` the
          base weights and :math:`g = w / d`.
        """
        info = getattr(result, "calibration", result)
        final = getattr(result, "weights", None)
        if info is None:
            return self._new_weights(self._as_weights(final, "weights"), ())
        method = getattr(info, "method", None)
        # linear calibration may give negative weights; R keeps them (with a warning
        # recorded on the weighting result), so the design accepts them too
        w = self._as_weights(info.weights, "calibration weights", allow_negative=True)
        base = self._as_weights(info.base_weights, "base weights")
        if method == "poststratify":
            cells = _spare_code(np.asarray(info.cells))
            step = _PostStep(cells=cells, weights=w, oldweights=base)
        elif method == "rake":
            margins = tuple(_spare_code(np.asarray(m)) for m in info.margins)
            if not margins:
                raise DesignError("the raking result has no margins")
            step = _RakeStep(margins=margins, weights=w)
        elif method == "calibrate":
            mm = np.asarray(info.model_matrix, dtype=float)
            if mm.shape[0] != self.n:
                raise DesignError(f"the calibration model matrix has {mm.shape[0]} rows; the "
                                  f"design has {self.n} respondents")
            step = _GregStep.build(mm, base, w)
        else:
            raise DesignError(f"unknown calibration method {method!r}; expected "
                              "'poststratify', 'rake' or 'calibrate'")
        return self._new_weights(w, (step,))

    def _as_weights(self, values: Any, what: str, allow_negative: bool = False) -> np.ndarray:
        if isinstance(values, pd.Series):
            if len(values) == self.n:  # taken in row order, as R takes a weight vector
                arr = values.to_numpy(dtype=float)
            else:
                raise DesignError(f"{what}: {len(values)} values for {self.n} respondents")
        else:
            arr = np.asarray(values, dtype=float)
        if arr.shape != (self.n,):
            raise DesignError(f"{what}: expected {self.n} values, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)) or (not allow_negative and np.any(arr < 0)):
            raise DesignError(f"{what} must be finite and non-negative")
        return arr

    def _new_weights(self, w: np.ndarray, steps: tuple) -> SurveyDesign:
        w = np.array(w, dtype=float)
        if not np.any(w > 0):
            raise DesignError("all weights are zero")
        w.setflags(write=False)
        calibrated = self._calibrated or bool(steps)
        new = self._replace(weights=w, _calibration=self._calibration + steps,
                            _calibrated=calibrated)
        object.__setattr__(new, "degf", new._degf_of(np.ones(self.n, dtype=bool)))
        return new

    def _weighting_call(self, fname: str, *args: Any, **kwargs: Any) -> SurveyDesign:
        from ..weighting import methods as weighting

        func = getattr(weighting, fname, None)
        if func is None:
            raise DesignError(f"survey_kit.weighting.methods has no {fname}() yet")
        import inspect

        params = inspect.signature(func).parameters
        if "weights" in params and "weights" not in kwargs:
            kwargs["weights"] = pd.Series(np.asarray(self.weights), index=self.frame.index)
        elif "base_weights" in params and "base_weights" not in kwargs:
            kwargs["base_weights"] = pd.Series(np.asarray(self.weights), index=self.frame.index)
        result = func(self.frame, *args, **kwargs)
        return self.with_weighting(result)

    def poststratify(self, targets: Any, **kwargs: Any) -> SurveyDesign:
        """Post-stratify the weights to population cell counts (R ``postStratify``).

        ``targets`` and keyword arguments go to
        :func:`survey_kit.weighting.methods.poststratify`, starting from this design's
        weights; the returned design's standard errors account for the
        post-stratification (see :meth:`with_weighting`).
        """
        return self._weighting_call("poststratify", targets, **kwargs)

    def rake(self, targets: Any, **kwargs: Any) -> SurveyDesign:
        """Rake the weights to population margins (R ``rake``); see :meth:`poststratify`."""
        return self._weighting_call("rake", targets, **kwargs)

    def calibrate(self, targets: Any, method: str = "linear", bounds: Any = None,
                  **kwargs: Any) -> SurveyDesign:
        """Calibrate the weights to population totals (R ``calibrate``).

        ``method`` ("linear", "raking", "logit") and ``bounds`` go to
        :func:`survey_kit.weighting.methods.calibrate` with ``targets`` and the other
        keyword arguments; standard errors use GREG residuals (see
        :meth:`with_weighting`).
        """
        if bounds is not None:
            kwargs["bounds"] = bounds
        return self._weighting_call("calibrate", targets, method=method, **kwargs)

    # ----------------------------------------------------------------------
    # helpers shared by the estimators
    # ----------------------------------------------------------------------
    def _variable(self, var: Any, role: str = "variable") -> tuple[np.ndarray, str]:
        if isinstance(var, str):
            if var not in self.frame.columns:
                raise DesignError(f"unknown {role}; the data have columns: "
                                  f"{', '.join(map(str, list(self.frame.columns)[:30]))}",
                                  column=var)
            return self.frame[var].to_numpy(), var
        values = var.to_numpy() if isinstance(var, (pd.Series, pd.Index)) else np.asarray(var)
        name = var.name if isinstance(var, pd.Series) and var.name is not None else role
        if values.ndim != 1 or len(values) != self.n:
            raise DesignError(f"{role} must be a column name or an array with one value per "
                              f"respondent ({self.n}); got shape {values.shape}")
        return values, str(name)

    def _numeric(self, var: Any) -> tuple[np.ndarray, str]:
        values, name = self._variable(var)
        if values.dtype == bool:
            return values.astype(float), name
        try:
            y = pd.to_numeric(pd.Series(values), errors="raise").to_numpy(dtype=float,
                                                                             na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise DesignError(f"variable {name!r} is not numeric; use proportion() or by(..., "
                              "stat='proportion') for a categorical variable",
                              column=name) from exc
        if np.isinf(y).any():
            raise DesignError(f"variable {name!r} has infinite values", column=name)
        return y, name

    def degf_of(self, subset: np.ndarray) -> int:
        """Design degrees of freedom of ``design[subset, ]`` (R ``degf``): PSUs minus
        strata among the rows of ``subset`` with non-zero weight.

        Examples
        --------
        >>> import pandas as pd, numpy as np, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
        >>> d.degf_of(np.array([True, True, True, False]))
        2
        """
        subset = np.asarray(subset, dtype=bool)
        if subset.shape != (self.n,):
            raise UsageError(f"subset must be a boolean array of length {self.n}")
        return self._degf_of(subset)

    def _degf_of(self, mask: np.ndarray) -> int:
        """R's degf() of ``design[mask, ]``: PSUs minus strata among rows with weight."""
        inset = mask & (self.weights != 0)
        # counts of distinct codes by bincount (codes are 0..K-1): O(n), no sort
        if self._psu_is_row:
            n_psu = int(np.count_nonzero(inset))
        else:
            n_psu = int(np.count_nonzero(np.bincount(self._psu[inset],
                                                     minlength=self.n_psu)))
        n_str = int(np.count_nonzero(np.bincount(self._strata[inset],
                                                 minlength=self.n_strata)))
        return n_psu - n_str

    @staticmethod
    def _tcrit(conf_level: float, df: float) -> float:
        from scipy import stats

        if not 0 < conf_level < 1:
            raise UsageError(f"conf_level must be between 0 and 1; got {conf_level!r}")
        a = (1 - conf_level) / 2
        if df is None or np.isinf(df):
            return float(stats.norm.isf(a))
        if df <= 0:
            return float("nan")
        return float(stats.t.isf(a, df))

    def _mean_parts(self, y: np.ndarray, mask: np.ndarray):
        """Ratio-mean of y over rows ``mask``: estimate, variance, deff, psum, nobs."""
        w = self.weights
        wm = np.where(mask, w, 0.0)
        psum = wm.sum()
        if psum <= 0:
            return np.nan, np.nan, np.nan, psum, int((mask & (w != 0)).sum())
        yz = np.where(mask, y, 0.0)
        est = float(wm @ yz / psum)
        infl = np.where(mask, y - est, 0.0) / psum
        v = float(self.vcov_total(infl, subset=mask)[0, 0])
        nobs = int((mask & (w != 0)).sum())
        deff = np.nan
        if nobs > 1 and psum >= nobs:
            svar = nobs / (nobs - 1) * float(wm @ np.where(mask, (y - est) ** 2, 0.0)) / psum
            vsrs = svar * (psum - nobs) / (psum * nobs)
            with np.errstate(divide="ignore", invalid="ignore"):
                deff = v / vsrs if vsrs > 0 else np.nan
        return est, v, deff, psum, nobs

    def _total_parts(self, y: np.ndarray, mask: np.ndarray):
        w = self.weights
        wm = np.where(mask, w, 0.0)
        yz = np.where(mask, y, 0.0)
        est = float(wm @ yz)
        v = float(self.vcov_total(yz, subset=mask)[0, 0])
        psum = wm.sum()
        nobs = int((mask & (w != 0)).sum())
        deff = np.nan
        if nobs > 1 and psum > nobs:
            ybar = est / psum
            svar = nobs / (nobs - 1) * float(wm @ np.where(mask, (y - ybar) ** 2, 0.0)) / psum
            vsrs = svar * psum ** 2 * (psum - nobs) / (psum * nobs)
            deff = v / vsrs if vsrs > 0 else np.nan
        return est, v, deff, psum, nobs

    def _require_some(self, mask: np.ndarray, name: str) -> None:
        if not mask.any():
            raise DesignError(f"variable {name!r} is missing for every respondent; nothing to "
                              "estimate", column=name)

    # ----------------------------------------------------------------------
    # estimates
    # ----------------------------------------------------------------------
    def mean(self, var: Any, *, conf_level: float = 0.95, df: float | None = None):
        """Weighted mean (ratio estimator) with linearized SE, CI and design effect.

        Parameters
        ----------
        var : str or array-like
            A numeric (or boolean) column of the frame, or values per respondent.
        conf_level : float
            Confidence level of the interval.
        df : float, optional
            Degrees of freedom of the t quantile; default ``design.degf`` (R
            ``confint(svymean(...), df = degf(design))``). ``numpy.inf`` gives
            the normal interval of R's ``confint`` default.

        Returns
        -------
        Estimate

        Notes
        -----
        :math:`\\bar y = \\sum w_i y_i / \\sum w_i`; its influence function
        :math:`(y_i - \\bar y) / \\sum w_i` goes through :meth:`vcov_total`
        (Binder 1983; Lumley 2010, ch. 2). Missing values are left out as R's
        ``na.rm=TRUE`` (a domain: they keep their place in strata and PSUs)
        and counted in ``n_missing``. The design effect is R's: the variance
        over :math:`s^2 (N - n)/(N n)` with :math:`s^2` the weighted
        population variance estimate, :math:`N = \\sum w_i` and :math:`n` the
        respondents with non-zero weight (NaN when :math:`N < n`).

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, None, 4], "w": [10.0, 10, 10, 10]}),
        ...                     weights="w")
        >>> e = d.mean("y")
        >>> round(e.estimate, 4), e.n, e.n_missing
        (2.3333, 3, 1)
        """
        return self._point_estimate(var, "mean", self._mean_parts, conf_level, df)

    def total(self, var: Any, *, conf_level: float = 0.95, df: float | None = None):
        """Weighted total with linearized SE, CI and design effect (R ``svytotal``).

        Notes
        -----
        :math:`\\hat Y = \\sum w_i y_i`, variance from :meth:`vcov_total`.
        Missing values count as zero in the total, as R's ``na.rm=TRUE``
        (they are reported in ``n_missing``). The design effect is R's:
        variance over :math:`N^2 s^2 (N - n)/(N n)`; NaN when the weights
        sum to less than the sample size. Parameters as :meth:`mean`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [10.0, 10, 10, 10]}),
        ...                     weights="w")
        >>> d.total("y").estimate
        100.0
        """
        return self._point_estimate(var, "total", self._total_parts, conf_level, df)

    def _point_estimate(self, var: Any, statistic: str, parts: Any, conf_level: float,
                        df: float | None):
        """Mean or total of ``var`` as an Estimate: t interval on ``degf`` (or ``df``)."""
        from .estimate import Estimate

        y, name = self._numeric(var)
        mask = ~np.isnan(y)
        self._require_some(mask, name)
        est, v, deff, _, _ = parts(y, mask)
        se = float(np.sqrt(max(v, 0.0)))
        dfv = float(self.degf if df is None else df)
        q = self._tcrit(conf_level, dfv)
        return Estimate(variable=name, statistic=statistic, estimate=est, se=se,
                        ci_low=est - q * se, ci_high=est + q * se, conf_level=conf_level,
                        df=dfv, deff=float(deff), n=int(mask.sum()),
                        n_missing=int((~mask).sum()))

    def _indicator(self, var: Any, level: Any) -> tuple[np.ndarray, str, Any]:
        """0/1 indicator of ``var == level`` with NaN where var is missing."""
        values, name = self._variable(var)
        miss = pd.isna(values)
        if level is None:
            if values.dtype == bool:
                return values.astype(float), name, True
            num = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float,
                                                                               na_value=np.nan)
            ok = ~miss
            if not np.all(np.isin(num[ok], (0.0, 1.0))):
                raise DesignError(f"variable {name!r} is not 0/1 or boolean; say which level to "
                                  "estimate the proportion of (level=...)", column=name)
            return np.where(ok, num, np.nan), name, 1
        present = pd.unique(pd.Series(values[~miss]))
        cat = isinstance(getattr(self.frame.get(name) if isinstance(var, str) else var,
                                 "dtype", None), pd.CategoricalDtype)
        if level not in set(present.tolist()):
            known = (list(self.frame[name].cat.categories) if cat and isinstance(var, str)
                     else [])
            if level not in known:
                raise DesignError(f"level {level!r} does not occur in variable {name!r}; "
                                  f"levels present: {sorted(map(str, present))[:20]}",
                                  column=name, value=level)
        ind = np.where(miss, np.nan, (values == level).astype(float))
        return ind, name, level

    def proportion(self, var: Any, level: Any = None, *, ci_method: str = "logit",
                   conf_level: float = 0.95, df: float | None = None):
        """Proportion of respondents with ``var == level``, with a CI for a proportion.

        Parameters
        ----------
        var : str or array-like
            The variable. For a boolean or 0/1 variable ``level`` may be omitted.
        level : object
            The category whose share is estimated.
        ci_method : {"logit", "xlogit", "beta", "mean", "asin", "wilson"}
            How the interval is formed, with R's ``svyciprop`` names:

            - ``"logit"`` (R ``method="logit"``; also ``"xlogit"``): the
              Wald interval on the logit scale, :math:`\\mathrm{expit}(
              \\mathrm{logit}\\,\\hat p \\pm t\\,se/(\\hat p(1-\\hat p)))`. R fits
              an intercept-only quasibinomial ``svyglm``; its estimate and
              SE are exactly these, to the fit's convergence.
            - ``"beta"`` (R ``"beta"``): Korn and Graubard (1998), a
              Clopper-Pearson interval with the effective sample size
              :math:`n^* = \\hat p(1-\\hat p)/\\hat V \\cdot (t_{n-1}/t_{df})^2`.
            - ``"mean"`` (R ``"mean"``): :math:`\\hat p \\pm t\\,se`.
            - ``"asin"`` (R ``"asin"``): Wald interval on the arcsine
              square-root scale.
            - ``"wilson"``: the Wilson score interval with the effective
              sample size :math:`\\hat p(1-\\hat p)/\\hat V` and the t
              quantile on ``df`` (as Stata's ``citype(wilson)``). R's
              ``svyciprop`` has no Wilson method (its ``"likelihood"`` method,
              a Rao-Scott scaled profile likelihood, is not offered here).
        conf_level, df
            As :meth:`mean`.

        Returns
        -------
        Estimate
            ``deff`` is the design effect of the proportion as a mean of the
            indicator (R ``svymean(..., deff=TRUE)``).

        Notes
        -----
        With :math:`\\hat p \\in \\{0, 1\\}` the SE is zero: the logit,
        xlogit, mean and asin intervals collapse to the point, the beta
        interval uses :math:`n^* = n` (Korn and Graubard 1998) and Wilson uses
        the unweighted n.

        References
        ----------
        Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for
        proportions with small expected number of positive counts estimated
        from survey data. Survey Methodology 24, 193-201.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"a": ["x", "y", "x", "x"], "w": [1.0, 1, 1, 1]})
        >>> sk.SurveyDesign(df, weights="w").proportion("a", "x").estimate
        0.75
        """
        from .estimate import Estimate

        ind, name, lev = self._indicator(var, level)
        mask = ~np.isnan(ind)
        self._require_some(mask, name)
        est, v, deff, _, _ = self._mean_parts(ind, mask)
        dfv = float(self.degf if df is None else df)
        lo, hi = self._prop_ci(est, v, ci_method, conf_level, dfv, n_rows=self.n,
                               n_resp=int(mask.sum()))
        return Estimate(variable=name, statistic="proportion", estimate=est,
                        se=float(np.sqrt(max(v, 0.0))), ci_low=lo, ci_high=hi,
                        conf_level=conf_level, df=dfv, deff=float(deff), n=int(mask.sum()),
                        n_missing=int((~mask).sum()), level=lev, ci_method=ci_method)

    _CI_METHODS = ("logit", "xlogit", "beta", "mean", "asin", "wilson")

    def _prop_ci(self, p: float, v: float, method: str, conf_level: float, df: float,
                 n_rows: int, n_resp: int) -> tuple[float, float]:
        from scipy import stats

        if method not in self._CI_METHODS:
            raise UsageError(f"ci_method must be one of {', '.join(self._CI_METHODS)}; got "
                             f"{method!r} (R's 'likelihood' method is not offered)")
        if not np.isfinite(p):
            return np.nan, np.nan
        q = self._tcrit(conf_level, df)
        se = np.sqrt(max(v, 0.0))
        degenerate = se == 0 or p <= 0 or p >= 1
        if method == "mean":
            return p - q * se, p + q * se
        if method in ("logit", "xlogit"):
            if degenerate:
                return p, p
            eta = np.log(p / (1 - p))
            half = q * se / (p * (1 - p))
            return float(1 / (1 + np.exp(-(eta - half)))), float(1 / (1 + np.exp(-(eta + half))))
        if method == "asin":
            if degenerate:
                return p, p
            eta = np.arcsin(np.sqrt(p))
            half = q * se / (2 * np.sqrt(p * (1 - p)))
            return float(np.sin(eta - half) ** 2), float(np.sin(eta + half) ** 2)
        a = (1 - conf_level) / 2
        if method == "beta":
            if se == 0:
                neff = float(n_resp)
            else:
                neff = p * (1 - p) / v
                neff *= (stats.t.ppf(a, n_rows - 1) / stats.t.ppf(a, df)) ** 2
            lo = stats.beta.ppf(a, neff * p, neff * (1 - p) + 1) if p > 0 else 0.0
            hi = stats.beta.ppf(1 - a, neff * p + 1, neff * (1 - p)) if p < 1 else 1.0
            return float(lo), float(hi)
        # wilson
        neff = float(n_resp) if se == 0 else p * (1 - p) / v
        z2 = q * q
        centre = (p + z2 / (2 * neff)) / (1 + z2 / neff)
        half = q * np.sqrt(p * (1 - p) / neff + z2 / (4 * neff * neff)) / (1 + z2 / neff)
        return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))

    @staticmethod
    def _qrule_math(x_sorted: np.ndarray, cumw: np.ndarray, p: float) -> float:
        """Inverse of the weighted CDF: min{x : F(x) >= p} (R qrule="math")."""
        total = cumw[-1]
        pos = int(np.searchsorted(cumw, p * total, side="right")) - 1
        if pos < 0:
            return float(x_sorted[0])
        if p - cumw[pos] / total == 0:
            return float(x_sorted[pos])
        return float(x_sorted[min(pos + 1, len(x_sorted) - 1)])

    def quantile(self, var: Any, q: float | Sequence[float] = 0.5, *,
                 conf_level: float = 0.95, df: float | None = None):
        """Weighted quantile(s) with Woodruff confidence intervals (R ``svyquantile``).

        Parameters
        ----------
        var : str or array-like
            Numeric variable.
        q : float or sequence of float
            Probabilities in [0, 1].
        conf_level : float
        df : float, optional
            Default: ``degf`` of the design restricted to non-missing rows
            (what R uses after ``na.rm=TRUE``).

        Returns
        -------
        Estimate, or a tuple of Estimate for a sequence ``q``.

        Notes
        -----
        R's defaults since survey 4.1: ``qrule="math"`` and
        ``interval.type="mean"``. The quantile is the smallest value whose
        weighted CDF reaches ``q``. The interval is Woodruff's (1952): the
        CDF at the estimate, :math:`\\hat F = \\hat P(y \\le \\hat Q)`, gets a
        t interval :math:`\\hat F \\pm t\\,se(\\hat F)`, whose ends are
        mapped back through the same quantile rule (NaN if an end leaves
        [0, 1]); ``se = (upper - lower) / (2 t)``. One difference from R: for
        a probability below the smallest weight share R's rule returns the
        second-smallest value, ours the smallest. ``deff`` is NaN.

        References
        ----------
        Woodruff, R. S. (1952). Confidence intervals for medians and other
        position measures. JASA 47, 635-646. Dorfman, A. and Valliant, R.
        (1993). Quantile variance estimators in complex surveys.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"y": [3.0, 1, 2, 5, 4]}))
        >>> d.quantile("y", 0.5).estimate
        3.0
        """
        from .estimate import Estimate

        y, name = self._numeric(var)
        mask = ~np.isnan(y)
        self._require_some(mask, name)
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        if np.any((qs < 0) | (qs > 1)):
            raise UsageError(f"quantile probabilities must be in [0, 1]; got {q!r}")
        keep = mask & (self.weights != 0)
        order = np.argsort(y[keep], kind="stable")
        xs = y[keep][order]
        cumw = np.cumsum(self.weights[keep][order])
        dfv = float(self._degf_of(mask) if df is None else df)
        tq = self._tcrit(conf_level, dfv)
        out = []
        for p in qs:
            qhat = self._qrule_math(xs, cumw, float(p))
            ind = np.where(mask, (y <= qhat).astype(float), np.nan)
            fhat, v, _, _, _ = self._mean_parts(ind, mask)
            se_f = np.sqrt(max(v, 0.0))
            lo_p, hi_p = fhat - tq * se_f, fhat + tq * se_f
            lo = self._qrule_math(xs, cumw, lo_p) if 0 <= lo_p <= 1 else np.nan
            hi = self._qrule_math(xs, cumw, hi_p) if 0 <= hi_p <= 1 else np.nan
            out.append(Estimate(variable=name, statistic="quantile", estimate=qhat,
                                se=float((hi - lo) / (2 * tq)), ci_low=float(lo),
                                ci_high=float(hi), conf_level=conf_level, df=dfv,
                                deff=float("nan"), n=int(mask.sum()),
                                n_missing=int((~mask).sum()), level=float(p),
                                ci_method="woodruff"))
        return out[0] if np.ndim(q) == 0 else tuple(out)

    # ----------------------------------------------------------------------
    # domains
    # ----------------------------------------------------------------------
    def _domain_codes(self, by: Any) -> tuple[np.ndarray, list, str]:
        """Codes 0..D-1 of the domain variable (-1 where missing) and its levels.

        Levels are the sorted observed values; for a pandas Categorical all
        categories, in their order (unused ones give empty domains)."""
        values, name = self._variable(by, "by")
        series = (self.frame[by] if isinstance(by, str)
                  else (by if isinstance(by, pd.Series) else pd.Series(values)))
        if isinstance(series.dtype, pd.CategoricalDtype):
            levels = list(series.cat.categories)
            codes = np.asarray(series.cat.codes, dtype=np.intp)
        else:
            codes, uniq = pd.factorize(pd.Series(values), sort=True)
            levels = list(uniq)
            codes = codes.astype(np.intp)
        return codes, levels, name

    def by(self, var: Any, by: Any, stat: str = "mean", *, level: Any = None,
           ci_method: str = "logit", conf_level: float = 0.95,
           df: float | None = None) -> pd.DataFrame:
        """Estimates for each domain (level of ``by``), as R ``svyby``.

        Parameters
        ----------
        var : str or array-like
            The variable estimated.
        by : str or array-like
            The domain variable. Respondents with a missing ``by`` belong to
            no domain.
        stat : {"mean", "total", "proportion"}
        level : object
            For ``stat="proportion"``: the category of ``var``.
        ci_method : str
            For proportions, as :meth:`proportion`.
        conf_level : float
        df : float, optional
            t degrees of freedom; default the whole design's ``degf`` (R's
            ``confint(svyby(...), df = degf(design))``).

        Returns
        -------
        pandas.DataFrame
            Indexed by the domain levels, with columns ``estimate, se, ci_low,
            ci_high, deff, n, n_missing`` (n: respondents in the domain with a
            value). A domain with no respondent (an unused category of a
            pandas Categorical) gets a row of NaN with ``n = 0``.

        Notes
        -----
        Each domain estimate is computed on the full design (Lumley 2010,
        sec. 2.3): respondents outside the domain get zero influence but keep
        their strata and PSUs, never a subset re-analysed as if it were the
        sample. Missing values of ``var`` are left out as R's ``na.rm=TRUE``.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": ["a", "a", "b", "b"]})
        >>> sk.SurveyDesign(df).by("y", "g")["estimate"].tolist()
        [1.5, 3.5]
        """
        if stat not in ("mean", "total", "proportion"):
            raise UsageError(f"stat must be 'mean', 'total' or 'proportion'; got {stat!r}")
        codes, levels, byname = self._domain_codes(by)
        if stat == "proportion":
            y, name, _ = self._indicator(var, level)
        else:
            y, name = self._numeric(var)
        notna = ~np.isnan(y)
        self._require_some(notna, name)
        dfv = float(self.degf if df is None else df)
        q = self._tcrit(conf_level, dfv)
        rows = []
        for d in range(len(levels)):
            indom = codes == d
            mask = indom & notna
            n_d, miss_d = int(mask.sum()), int((indom & ~notna).sum())
            if not (mask & (self.weights != 0)).any():
                rows.append((np.nan,) * 5 + (n_d, miss_d))
                continue
            if stat == "total":
                est, v, deff, _, _ = self._total_parts(y, mask)
            else:
                est, v, deff, _, _ = self._mean_parts(y, mask)
            se = float(np.sqrt(max(v, 0.0)))
            if stat == "proportion":
                lo, hi = self._prop_ci(est, v, ci_method, conf_level, dfv,
                                       n_rows=int(indom.sum()), n_resp=n_d)
            else:
                lo, hi = est - q * se, est + q * se
            rows.append((est, se, lo, hi, float(deff), n_d, miss_d))
        out = pd.DataFrame(rows, columns=["estimate", "se", "ci_low", "ci_high", "deff", "n",
                                          "n_missing"],
                           index=pd.Index(levels, name=byname))
        out.attrs.update(variable=name, statistic=stat, level=level, df=dfv,
                         conf_level=conf_level)
        return out

    def domain_means(self, Y: np.ndarray, domains: np.ndarray, n_domains: int) -> tuple:
        """Vectorised domain means of several variables and their joint covariance.

        The engine of banner tables (crosstab.py) and of :meth:`compare`.

        Parameters
        ----------
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
        go through one call of :meth:`vcov_total`, so the cost is one
        n x (Dk) product. For 100,000 respondents and a 10 x 10 table this
        takes a fraction of a second.
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
        w = np.where(valid, self.weights, 0.0)
        dcode = np.where(valid, domains, D)          # spare code D for "no domain"
        W = np.bincount(dcode, weights=w, minlength=D + 1)[:D]
        nd = np.bincount(dcode, minlength=D + 1)[:D]
        Yz = np.where(valid[:, None], Y, 0.0)
        sums = _group_sums(dcode, Yz * w[:, None], D + 1)[:D]
        with np.errstate(divide="ignore", invalid="ignore"):
            est = sums / W[:, None]
        est_safe = np.where(np.isfinite(est), est, 0.0)
        Wsafe = np.where(W > 0, W, 1.0)
        Z = np.zeros((n, D * k))
        rows = np.flatnonzero(valid)
        dr = dcode[rows]
        resid = (Yz[rows] - est_safe[dr]) / Wsafe[dr][:, None]
        cols = dr[:, None] * k + np.arange(k)
        Z[rows[:, None], cols] = resid
        V = self.vcov_total(Z, subset=valid)
        # design effects (R svymean deff within each domain)
        nobs = np.bincount(dcode, weights=(w != 0).astype(float), minlength=D + 1)[:D]
        dev = np.where(valid[:, None], Yz - est_safe[np.minimum(dcode, D - 1)], 0.0)
        sq = _group_sums(dcode, dev * dev * w[:, None], D + 1)[:D]
        with np.errstate(divide="ignore", invalid="ignore"):
            svar = nobs[:, None] / (nobs[:, None] - 1) * sq / W[:, None]
            vsrs = svar * ((W - nobs) / (W * nobs))[:, None]
            deff = np.diag(V).reshape(D, k) / vsrs
        deff[~((nobs > 1) & (W >= nobs))] = np.nan
        return est, V, nd, W, deff

    def domain_proportions(self, row: Any, col: Any, *, row_levels: Sequence | None = None,
                           col_levels: Sequence | None = None):
        """Shares of each ``row`` category within each ``col`` domain, with the full covariance.

        Parameters
        ----------
        row : str or array-like
            Categorical row variable (k categories).
        col : str or array-like
            Column (domain) variable (c levels).
        row_levels, col_levels : sequence, optional
            Categories to use and their order; default the observed values
            sorted (or the categories of a pandas Categorical). Respondents
            with a row value outside ``row_levels`` are left out, as missing.

        Returns
        -------
        DomainProportions
            ``estimates`` (c x k), ``vcov`` (ck x ck) and
            ``difference(a, b)`` for pairwise column tests.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"r": list("xyxyxx"), "c": list("AABBBB")})
        >>> dp = sk.SurveyDesign(df).domain_proportions("r", "c")
        >>> float(dp.estimates.loc["B", "x"])
        0.75
        """
        from .estimate import DomainProportions

        rcodes, rlev, rname = self._domain_codes(row)
        ccodes, clev, cname = self._domain_codes(col)
        if row_levels is not None:
            rcodes, rlev = _recode(rcodes, rlev, row_levels)
        if col_levels is not None:
            ccodes, clev = _recode(ccodes, clev, col_levels)
        k = len(rlev)
        Y = np.zeros((self.n, k))
        ok = rcodes >= 0
        Y[np.flatnonzero(ok), rcodes[ok]] = 1.0
        Y[~ok] = np.nan
        est, V, nd, W, deff = self.domain_means(Y, ccodes, len(clev))
        ci = pd.Index(clev, name=cname)
        ri = pd.Index(rlev, name=rname)
        return DomainProportions(estimates=pd.DataFrame(est, index=ci, columns=ri), vcov=V,
                                 n=pd.Series(nd, index=ci, name="n"),
                                 weighted_n=pd.Series(W, index=ci, name="weighted_n"),
                                 df=float(self.degf),
                                 deff=pd.DataFrame(deff, index=ci, columns=ri))

    def chisq(self, row: Any, col: Any, statistic: str = "F", **kwargs: Any):
        """Test of association between two categorical variables, as R ``svychisq``.

        ``statistic`` is one of "F" (Rao-Scott second order, R's default),
        "Chisq", "Wald", "adjWald", "lincom", "saddlepoint"; see
        :func:`survey_kit.stats.tests.svychisq` for the formulas and references.

        Example
        -------
        >>> design.chisq("foreign_share", "export_intensity").pvalue   # doctest: +SKIP
        """
        from ..stats.tests import svychisq

        return svychisq(self, row, col, statistic=statistic, **kwargs)

    def compare(self, var: Any, by: Any, a: Any, b: Any, *, stat: str = "mean",
                level: Any = None, conf_level: float = 0.95, df: float | None = None):
        """Difference of a mean (or proportion) between domains ``a`` and ``b``, with a t test.

        Parameters
        ----------
        var, by : str or array-like
            The variable and the domain variable.
        a, b : object
            The two levels of ``by`` compared; the difference is a - b.
        stat : {"mean", "proportion"}
        level : object
            For proportions, the category of ``var``.
        conf_level : float
        df : float, optional
            Default the design's ``degf``.

        Returns
        -------
        Comparison

        Notes
        -----
        The variance of :math:`\\bar y_a - \\bar y_b` is that of the
        difference of the two domain influence functions, so the covariance
        induced by shared PSUs is included (R: ``svycontrast`` on
        ``svyby(..., covmat=TRUE)``). :math:`t = (\\bar y_a - \\bar y_b)/se`
        and the two-sided p-value is from Student's t on ``df`` (Korn and
        Graubard 1999, sec. 5.2). Adjust a family of such p-values with
        :func:`adjust_pvalues`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 7], "g": list("aaabbb")})
        >>> round(sk.SurveyDesign(df).compare("y", "g", "b", "a").difference, 4)
        3.3333
        """
        from scipy import stats

        from .estimate import Comparison

        if stat not in ("mean", "proportion"):
            raise UsageError(f"stat must be 'mean' or 'proportion'; got {stat!r}")
        codes, levels, byname = self._domain_codes(by)
        for lv in (a, b):
            if lv not in levels:
                raise DesignError(f"level {lv!r} is not a level of {byname!r}; levels are "
                                  f"{levels[:20]}", column=byname, value=lv)
        if stat == "proportion":
            y, name, lev = self._indicator(var, level)
        else:
            (y, name), lev = self._numeric(var), None
        ia, ib = levels.index(a), levels.index(b)
        dom = np.where(codes == ia, 0, np.where(codes == ib, 1, -1))
        est, V, nd, _, _ = self.domain_means(y, dom, 2)
        for lv, cnt in ((a, nd[0]), (b, nd[1])):
            if cnt == 0:
                raise DesignError(f"domain {lv!r} of {byname!r} has no respondent with a value "
                                  f"of {name!r}; nothing to compare", column=byname, value=lv)
        diff = float(est[0, 0] - est[1, 0])
        var_d = V[0, 0] + V[1, 1] - 2 * V[0, 1]
        se = float(np.sqrt(max(var_d, 0.0)))
        dfv = float(self.degf if df is None else df)
        t = diff / se if se > 0 else (np.inf * np.sign(diff) if diff != 0 else np.nan)
        p = float(2 * stats.t.sf(abs(t), dfv)) if np.isfinite(dfv) else float(
            2 * stats.norm.sf(abs(t)))
        q = self._tcrit(conf_level, dfv)
        return Comparison(variable=name, by=byname, a=a, b=b, statistic=stat,
                          estimate_a=float(est[0, 0]), estimate_b=float(est[1, 0]),
                          difference=diff, se=se, t=float(t), df=dfv, p_value=p,
                          ci_low=diff - q * se, ci_high=diff + q * se, conf_level=conf_level,
                          n_a=int(nd[0]), n_b=int(nd[1]), level=lev)

    # ----------------------------------------------------------------------
    # regression
    # ----------------------------------------------------------------------
    def glm(self, formula: str, family: str = "gaussian"):
        """Survey-weighted generalised linear model with linearization SEs (R ``svyglm``).

        Parameters
        ----------
        formula : str
            A patsy formula over the frame's columns, e.g.
            ``"foreign25 ~ export_intensity + C(size_class)"``. A boolean
            outcome counts as 0/1. Factors use treatment coding with the first
            (sorted) level as reference, as R.
        family : {"gaussian", "binomial"}
            ``"binomial"`` is R's ``quasibinomial``: logit link, outcome in
            [0, 1]; the coefficients and SEs equal those of ``binomial``.

        Returns
        -------
        SvyGLMResult
            ``params``, ``se``, ``tvalues``, ``pvalues``, ``conf_int()``,
            ``summary()``.

        Notes
        -----
        The coefficients solve the weighted score equations
        :math:`\\sum_i w_i x_i (y_i - \\mu_i) \\mu'_i / V(\\mu_i) = 0` (fitted
        by statsmodels' IRLS, to full convergence). Their design-based
        covariance is the sandwich of Binder (1983), as R's ``svy.varcoef``:
        with :math:`A = \\sum_i w_i \\mu_i'^2 / V(\\mu_i) x_i x_i^T` and the
        influence functions :math:`h_i = A^{-1} x_i (y_i - \\mu_i)\\mu_i'/V(\\mu_i)`,
        :math:`\\hat V(\\hat\\beta) =` :meth:`vcov_total` of :math:`h`.
        Respondents with a missing model variable are dropped as a domain
        (``na.action = na.omit`` then ``design[-nas, ]``). Tests use Student's
        t on ``degf - rank + 1`` degrees of freedom, where ``degf`` counts
        the PSUs and strata of the respondents used, as R.

        References
        ----------
        Binder, D. A. (1983). Lumley, T. and Scott, A. (2017). Fitting
        regression models to survey data. Statistical Science 32, 265-278.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [1.0, 2, 2.5, 4, 5.5, 6], "x": [1.0, 2, 3, 4, 5, 6]})
        >>> fit = sk.SurveyDesign(df).glm("y ~ x")
        >>> round(float(fit.params["x"]), 4)
        1.0571
        """
        import patsy
        import statsmodels.api as sm
        from scipy import stats

        from .estimate import SvyGLMResult

        fam_name = {"binomial": "binomial", "quasibinomial": "binomial",
                    "gaussian": "gaussian"}.get(family)
        if fam_name is None:
            raise UsageError(f"family must be 'gaussian' or 'binomial'; got {family!r}")
        data = self.frame.reset_index(drop=True)
        for col in data.columns:
            if data[col].dtype == bool:
                data[col] = data[col].astype(float)
        try:
            ymat, xmat = patsy.dmatrices(formula, data, NA_action="drop",
                                         return_type="dataframe")
        except patsy.PatsyError as exc:
            raise DesignError(f"cannot build the model from formula {formula!r}: "
                              f"{exc.message}") from None
        if (ymat.shape[1] == 2 and str(ymat.columns[0]).endswith("[False]")
                and str(ymat.columns[1]).endswith("[True]")):
            ymat = ymat.iloc[:, [1]]          # a logical outcome such as I(x > 700)
        if ymat.shape[1] != 1:
            raise DesignError(f"the outcome of {formula!r} must be numeric or boolean (one "
                              f"column); it expands to {list(ymat.columns)}")
        rows = np.asarray(ymat.index, dtype=np.intp)
        used = np.zeros(self.n, dtype=bool)
        used[rows] = True
        if len(rows) == 0:
            raise DesignError(f"no respondent has all variables of {formula!r}")
        y = ymat.to_numpy()[:, 0]
        X = xmat.to_numpy()
        names = list(xmat.columns)
        rank = int(np.linalg.matrix_rank(X))
        if rank < X.shape[1]:
            raise DesignError(f"the model matrix of {formula!r} is rank deficient ({rank} of "
                              f"{X.shape[1]} columns): drop or merge collinear terms "
                              f"({', '.join(names)})")
        if fam_name == "binomial" and (np.any(y < 0) or np.any(y > 1)):
            raise DesignError(f"a binomial outcome must lie in [0, 1]; {formula!r} has values "
                              f"from {y.min():g} to {y.max():g}")
        w = self.weights[rows]
        fam = sm.families.Binomial() if fam_name == "binomial" else sm.families.Gaussian()
        import warnings as _w
        with _w.catch_warnings():
            _w.simplefilter("ignore")
            res = sm.GLM(y, X, family=fam, var_weights=w / w.mean()).fit(
                tol=1e-13, maxiter=200)
        beta = np.asarray(res.params)
        eta = X @ beta
        mu = fam.link.inverse(eta)
        dmu = fam.link.inverse_deriv(eta)
        vmu = fam.variance(mu)
        ww = w * dmu * dmu / vmu
        A = (X * ww[:, None]).T @ X
        Ainv = np.linalg.inv(A)
        score = X * ((y - mu) * dmu / vmu)[:, None]     # per-respondent, without w
        infl = np.zeros((self.n, X.shape[1]))
        infl[rows] = score @ Ainv
        V = self.vcov_total(infl, subset=used)
        se = np.sqrt(np.clip(np.diag(V), 0, None))
        df_resid = float(self._degf_of(used) + 1 - rank)
        with np.errstate(divide="ignore", invalid="ignore"):
            tv = beta / se
        pv = 2 * stats.t.sf(np.abs(tv), df_resid) if df_resid > 0 else np.full_like(tv, np.nan)
        idx = pd.Index(names)
        return SvyGLMResult(
            params=pd.Series(beta, index=idx), se=pd.Series(se, index=idx),
            tvalues=pd.Series(tv, index=idx), pvalues=pd.Series(pv, index=idx),
            vcov=pd.DataFrame(V, index=idx, columns=idx), df_resid=df_resid,
            family="quasibinomial" if fam_name == "binomial" else "gaussian",
            formula=formula, nobs=len(rows), n_missing=int(self.n - len(rows)),
            naive_vcov=pd.DataFrame(Ainv * w.mean(), index=idx, columns=idx))


def _spare_code(codes: np.ndarray) -> np.ndarray:
    """Integer codes with -1 (excluded respondents) mapped to a spare last code."""
    codes = np.asarray(codes).astype(np.intp)
    if codes.size and codes.min() < -1:
        raise DesignError("calibration cell codes must be >= -1")
    top = int(codes.max()) + 1 if codes.size else 0
    return np.where(codes < 0, top, codes)


def _recode(codes: np.ndarray, levels: list, wanted: Sequence) -> tuple[np.ndarray, list]:
    """Map codes over ``levels`` onto the order of ``wanted`` (-1 for others)."""
    wanted = list(wanted)
    pos = {lv: i for i, lv in enumerate(wanted)}
    table = np.array([pos.get(lv, -1) for lv in levels] + [-1], dtype=np.intp)
    return table[np.where(codes >= 0, codes, len(levels))], wanted


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
