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

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators
from complex surveys. International Statistical Review 51, 279-292.
Lumley, T. (2004). Analysis of complex survey samples. Journal of
Statistical Software 9(8). Lumley, T. (2010). Complex Surveys: A Guide to
Analysis Using R. Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .errors import DesignError, UsageError

__all__ = ["SurveyDesign", "LONELY_PSU_OPTIONS"]

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
    coincide once raking has converged)."""

    margins: tuple[np.ndarray, ...]   # int codes per margin
    weights: np.ndarray

    def residualize(self, xw: np.ndarray) -> np.ndarray:
        w = self.weights
        nz = w != 0
        safe = np.where(nz, w, 1.0)
        counts = [np.bincount(m, minlength=int(m.max()) + 1).astype(float) for m in self.margins]
        x = xw.copy()
        for _ in range(10):
            for m, cnt in zip(self.margins, counts):
                y = np.where(nz[:, None], x / safe[:, None], 0.0)
                means = _group_sums(m, y, len(cnt))
                with np.errstate(divide="ignore", invalid="ignore"):
                    means /= cnt[:, None]
                means[~np.isfinite(means)] = 0.0
                x -= w[:, None] * means[m]
        return x


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
              final_weights: np.ndarray) -> "_GregStep":
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
        psu_first_row = np.full(npsu, n, dtype=np.intp)
        np.minimum.at(psu_first_row, psu, np.arange(n, dtype=np.intp))
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
        sets(self, "_psu_first_row", psu_first_row)
        sets(self, "_n_h", n_h)
        sets(self, "_popsize_h", popsize_h)
        sets(self, "_f_h", fr)          # 1 - sampling fraction, per stratum
        sets(self, "_calibration", ())  # residualisation steps, applied in order
        sets(self, "_calibrated", False)
        sets(self, "_sparse", None)
        inset = w != 0
        degf = len(np.unique(psu[inset])) - len(np.unique(s_codes[inset]))
        sets(self, "degf", int(degf))

    # immutability -----------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"SurveyDesign is immutable; cannot set {name!r} "
                             "(methods return new designs)")

    def _replace(self, **changes: Any) -> "SurveyDesign":
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
            return self._vcov_srs_chunked(x, w if subset is None else np.where(subset, w, 0.0))
        xw = x * w[:, None]
        present = None
        if subset is not None:
            xw[~subset] = 0.0
            if not self._calibrated:
                present = np.zeros(self.n_strata, dtype=bool)
                present[self._strata[subset]] = True
        for step in self._calibration:
            xw = step.residualize(xw)
        return self._stratified_crossprod(xw, present)

    def _vcov_srs_chunked(self, x: np.ndarray, w: np.ndarray, block: int = 32768) -> np.ndarray:
        """One stratum, respondents as PSUs, no calibration: the centred cross-product
        of x * w in cache-sized blocks (no n x k temporary)."""
        n, k = x.shape
        mean = (w @ x) / n
        out = np.zeros((k, k))
        buf = np.empty((min(block, n), k))
        for start in range(0, n, block):
            xb = x[start:start + block]
            b = buf[:len(xb)]
            np.multiply(xb, w[start:start + block, None], out=b)
            b -= mean
            out += b.T @ b
        return (self._f_h[0] * n / (n - 1)) * out

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
        k = xw.shape[1]
        T = self._psu_totals(xw)
        if T is xw:
            T = T if T.flags.writeable else T.copy()
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
        opt = self.lonely_psu
        if lonely.any() and opt == "fail":
            h = int(np.flatnonzero(lonely)[0])
            raise DesignError(
                f"stratum {self._strata_labels[h]!r} has only one PSU, so its variance "
                "contribution cannot be estimated; choose lonely_psu='remove', 'adjust', "
                "'average' or 'certainty', or merge the stratum with a similar one")
        ps = self._psu_stratum
        sums = _group_sums(ps, T, H) if k else np.zeros((H, 0))
        means = sums / n_h[:, None]
        if opt == "adjust":
            means[lonely] = 0.0
        T -= means[ps]
        scale_h = np.where(n_h > 1, f_h * n_h / np.maximum(n_h - 1, 1), f_h)
        scale_h = np.where(f_h < 1e-7, 0.0, scale_h)
        scale_h = np.where(present, scale_h, 0.0)
        factor = 1.0
        if lonely.any():
            if opt in ("remove", "certainty"):
                scale_h = np.where(lonely, 0.0, scale_h)
            elif opt == "average":
                scale_h = np.where(lonely, 0.0, scale_h)
                nstrat = int(present.sum())
                nok = nstrat - int(lonely.sum())
                factor = nstrat / nok if nok > 0 else np.nan
        s = scale_h[ps]
        return factor * ((T * s[:, None]).T @ T)
