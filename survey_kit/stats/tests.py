"""Tests of association for two-way tables, design-based and unweighted.

Design-based (on a :class:`~survey_kit.design.survey_design.SurveyDesign`):

- :func:`svychisq` -- Rao-Scott first- and second-order corrections of
  Pearson's X^2, Wald and adjusted Wald tests, and the exact ("lincom") and
  saddlepoint distributions of X^2, as R ``survey::svychisq``.
- :func:`cramers_v` on a design -- Cramer's V of the estimated population
  table.

Unweighted (on a :class:`pandas.DataFrame`):

- :func:`pearson_chisq`, :func:`g_test` (likelihood ratio) -- from pingouin's
  ``chi2_independence``;
- :func:`fisher_exact` -- 2x2 (scipy) and r x c (exact network algorithm, or
  Monte Carlo as R's ``simulate.p.value``);
- :func:`linear_by_linear` and :func:`cochran_armitage` -- trend tests for
  ordered bands.

Every test returns a :class:`TestResult`. p-values come from survival
functions or upper-tail integrals, never ``1 - cdf``, so a p-value of 1e-60
is reported as 1e-60.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.read_csv("tests/fixtures/r/stats_apistrat.csv")        # doctest: +SKIP
>>> d = sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")  # doctest: +SKIP
>>> print(sk.svychisq(d, "sch.wide", "stype"))                      # doctest: +SKIP
Pearson's X^2: Rao & Scott second-order adjustment
data: sch.wide by stype (design-based)
F = 17.247, ndf = 1.8287, ddf = 360.25, p-value = 2.035e-07

References
----------
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
contingency tables with cell proportions estimated from survey data. Annals
of Statistics 12, 46-60.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 6.
Agresti, A. (2013). Categorical Data Analysis, 3rd ed. Wiley.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings as _warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin
from ..errors import CrosstabError, DesignError, UsageError

__all__ = [
    "SVYCHISQ_STATISTICS",
    "TestResult",
    "cochran_armitage",
    "cramers_v",
    "fisher_exact",
    "g_test",
    "linear_by_linear",
    "pearson_chisq",
    "svychisq",
]

SVYCHISQ_STATISTICS = ("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint")


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class TestResult(ResultMixin):
    """The outcome of a significance test.

    Attributes
    ----------
    method : str
        What was computed, e.g. ``"Pearson's X^2: Rao & Scott second-order
        adjustment"``.
    statistic : float
        The test statistic, named by ``statistic_name``.
    df : float, (float, float) or None
        Degrees of freedom: one number for a chi-squared reference
        distribution, ``(numerator, denominator)`` for an F, ``None`` when
        the reference distribution is not a chi-squared or F (``"lincom"``,
        ``"saddlepoint"``, Fisher's exact test).
    pvalue : float
        Upper-tail probability, computed from survival functions.
    statistic_name : str
        ``"F"``, ``"X-squared"``, ``"G"``, ``"M-squared"``, ...
    row, col : str or None
        The variables tested.
    details : mapping
        Further quantities (Pearson X^2, design effects, Cramer's V, odds
        ratio, numbers of respondents used...).
    warnings : tuple of str
        Everything the reader of the test should know: respondents left out
        for missing values, empty levels dropped, sparse cells.

    Examples
    --------
    >>> r = TestResult("Pearson's Chi-squared test", 3.2, 1.0, 0.0736, row="a", col="b")
    >>> float(r.to_frame().loc[0, "pvalue"])
    0.0736
    """

    __test__ = False   # not a pytest test class

    method: str
    statistic: float
    df: float | tuple[float, float] | None
    pvalue: float
    statistic_name: str = "X-squared"
    row: str | None = None
    col: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    warnings: tuple[str, ...] = ()

    @property
    def ndf(self) -> float | None:
        """Numerator (or only) degrees of freedom."""
        if self.df is None:
            return None
        return self.df[0] if isinstance(self.df, tuple) else self.df

    @property
    def ddf(self) -> float | None:
        """Denominator degrees of freedom of an F reference distribution."""
        return self.df[1] if isinstance(self.df, tuple) else None

    def to_frame(self) -> pd.DataFrame:
        """One row: method, variables, statistic, df, p-value and scalar details."""
        rec: dict[str, Any] = {
            "method": self.method, "row": self.row, "col": self.col,
            "statistic_name": self.statistic_name, "statistic": self.statistic,
            "ndf": np.nan if self.ndf is None else self.ndf,
            "ddf": np.nan if self.ddf is None else self.ddf,
            "pvalue": self.pvalue,
        }
        for key, value in self.details.items():
            if isinstance(value, (int, float, np.integer, np.floating, str, bool)):
                rec[key] = value
        rec["warnings"] = "; ".join(self.warnings)
        return pd.DataFrame([rec])

    def __str__(self) -> str:
        lines = [self.method]
        if self.row is not None:
            kind = self.details.get("design_based")
            lines.append(f"data: {self.row} by {self.col}"
                         + (" (design-based)" if kind else ""))
        parts = [f"{self.statistic_name} = {_fmt(self.statistic, 5)}"]
        if isinstance(self.df, tuple):
            parts += [f"ndf = {_fmt(self.df[0], 5)}", f"ddf = {_fmt(self.df[1], 5)}"]
        elif self.df is not None:
            parts.append(f"df = {_fmt(self.df, 5)}")
        parts.append(f"p-value = {_fmt(self.pvalue, 4)}")
        lines.append(", ".join(parts))
        if self.warnings:
            lines.append("warnings:")
            lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


def _fmt(x: float, digits: int) -> str:
    if x is None or not np.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


# ---------------------------------------------------------------------------
# shared input handling
# ---------------------------------------------------------------------------

def _column(frame: pd.DataFrame, name: Any, role: str) -> pd.Series:
    if not isinstance(name, str) and not np.isscalar(name):
        raise UsageError(f"{role} must be a column name; got {type(name).__name__}")
    if name not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:30]))
        raise CrosstabError(f"the {role} variable is not a column of the data; "
                            f"columns are: {cols}", column=name)
    return frame[name]


def _factor(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing) and level labels.

    A categorical keeps its category order (including unused categories,
    which the caller drops with a warning); other values are sorted.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return (np.asarray(values.cat.codes, dtype=np.intp),
                np.asarray(values.cat.categories, dtype=object))
    try:
        codes, labels = pd.factorize(values, sort=True)
    except TypeError:       # unorderable mixture of types
        codes, labels = pd.factorize(values, sort=False)
    return np.asarray(codes, dtype=np.intp), np.asarray(labels, dtype=object)


@dataclass(frozen=True)
class _Table:
    """Codes of a two-way classification after missing values and empty levels."""

    rcodes: np.ndarray      # per respondent, 0..nr-1 (0 where not valid)
    ccodes: np.ndarray
    cell: np.ndarray        # rcodes + nr * ccodes: cells in column-major order, as R
    valid: np.ndarray       # bool per respondent: both answers present, levels kept
    all_valid: bool
    rlabels: np.ndarray
    clabels: np.ndarray
    warnings: tuple[str, ...]
    n_missing: int
    rkept: np.ndarray       # positions of the kept levels among all levels
    ckept: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rlabels), len(self.clabels)


def _level_list(labels: np.ndarray) -> str:
    return ", ".join(repr(x) if isinstance(x, str) else str(x) for x in labels)


def _two_way(frame: pd.DataFrame, row: str, col: str, weights: np.ndarray | None,
             na_rm: bool, *, what: str) -> _Table:
    """Classify respondents by ``row`` and ``col``; drop empty levels with a warning."""
    if row == col:
        raise UsageError(f"row and col are the same variable {row!r}; a test of association "
                         "needs two different variables")
    rc, rl = _factor(_column(frame, row, "row"))
    cc, cl = _factor(_column(frame, col, "col"))
    n = len(frame)
    valid = (rc >= 0) & (cc >= 0)
    msgs: list[str] = []
    n_missing = int(n - valid.sum())
    if n_missing:
        n_r = int((rc < 0).sum())
        n_c = int((cc < 0).sum())
        if not na_rm:
            raise CrosstabError(
                f"{n_missing} of {n} respondents have a missing value ({n_r} in {row!r}, "
                f"{n_c} in {col!r}); pass na_rm=True to leave them out of the table, or "
                "recode the missing answers as a level of their own", column=row)
        msgs.append(f"{n_missing} of {n} respondents with a missing {row!r} ({n_r}) or "
                    f"{col!r} ({n_c}) are left out of the table{what}")
    w = np.ones(n) if weights is None else weights
    nr0, nc0 = len(rl), len(cl)
    all_valid = n_missing == 0
    cell = rc + nr0 * cc
    if all_valid:
        tab = np.bincount(cell, weights=w, minlength=nr0 * nc0)
    else:
        tab = np.bincount(cell[valid], weights=w[valid], minlength=nr0 * nc0)
    tab = tab.reshape(nc0, nr0).T
    keep_r = tab.sum(axis=1) > 0
    keep_c = tab.sum(axis=0) > 0
    for keep, labels, name in ((keep_r, rl, row), (keep_c, cl, col)):
        if not keep.all():
            basis = " with positive weight" if weights is not None else ""
            msgs.append(f"level(s) {_level_list(labels[~keep])} of {name!r} have no "
                        f"respondents{basis} among those answering both questions; "
                        "left out of the table")
    rkept, ckept = np.flatnonzero(keep_r), np.flatnonzero(keep_c)
    if not (keep_r.all() and keep_c.all()):
        rmap = np.cumsum(keep_r) - 1
        cmap = np.cumsum(keep_c) - 1
        ok = valid.copy()
        ok[valid] = keep_r[rc[valid]] & keep_c[cc[valid]]
        rc = np.where(ok, rmap[np.maximum(rc, 0)], 0)
        cc = np.where(ok, cmap[np.maximum(cc, 0)], 0)
        valid = ok
        all_valid = bool(ok.all())
        rl, cl = rl[keep_r], cl[keep_c]
        cell = rc + len(rl) * cc
    for labels, name in ((rl, row), (cl, col)):
        if len(labels) < 2:
            raise CrosstabError(
                f"{name!r} has {len(labels)} level(s) with respondents "
                f"({_level_list(labels) or 'none'}) among those answering both questions; a "
                "test of association needs at least 2 levels of each variable", column=name)
    if not all_valid:
        rc = np.where(valid, rc, 0)
        cc = np.where(valid, cc, 0)
        cell = np.where(valid, cell, 0)
    return _Table(rc, cc, cell, valid, all_valid, rl, cl, tuple(msgs), n_missing, rkept,
                  ckept)


def _is_design(obj: Any) -> bool:
    return hasattr(obj, "vcov_total") and hasattr(obj, "weights") and hasattr(obj, "frame")


# ---------------------------------------------------------------------------
# design-based tests
# ---------------------------------------------------------------------------

def svychisq(design: Any, row: str, col: str, statistic: str = "F", *,
             na_rm: bool = True) -> TestResult:
    """Design-based test of association in a two-way table, as R ``svychisq``.

    Parameters
    ----------
    design : SurveyDesign
        The survey design; its weights, strata, PSUs, fpc and calibration all
        enter the variance.
    row, col : str
        Column names of ``design.frame``: the two categorical variables.
    statistic : {"F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint"}
        ``"F"`` (default, as R): Pearson's X^2 with the Rao-Scott
        second-order correction, referred to an F distribution.
        ``"Chisq"``: first-order correction (X^2 divided by the mean design
        effect) referred to chi-squared. ``"Wald"``: Wald test of the
        interaction on the scale of the cell totals, divided by its df and
        referred to F(df, design df). ``"adjWald"``: the same with Fellegi's
        adjustment, F(df, design df - df + 1). ``"lincom"``: X^2 referred to
        its asymptotic exact distribution, a linear combination of
        chi-squares (with the denominator uncertainty of an F).
        ``"saddlepoint"``: a saddlepoint approximation to that distribution.
    na_rm : bool, default True
        Leave respondents with a missing ``row`` or ``col`` out of the table
        (they stay in the design, as a domain, for the variance; as R's
        ``na.rm=TRUE``); a warning on the result says how many. With
        ``False``, missing values raise :class:`~survey_kit.errors.CrosstabError`.

    Returns
    -------
    TestResult
        ``statistic`` is F for "F", "Wald" and "adjWald" (``df`` is the
        pair (ndf, ddf)) and Pearson's X^2 for "Chisq" (``df`` is its
        (r-1)(c-1) degrees of freedom), "lincom" and "saddlepoint" (``df`` is
        None), exactly as R reports them. ``details`` holds Pearson's X^2,
        the eigenvalues and mean of the generalised design effects, the
        design df and the weighted Cramer's V.

    Raises
    ------
    CrosstabError
        A variable is unknown, has fewer than 2 non-empty levels, or has
        missing values with ``na_rm=False``.
    DesignError
        The design gives no variance for the table (a census), the design
        degrees of freedom are too few, or the covariance is singular.
    UsageError
        An unknown ``statistic``.

    Notes
    -----
    Let :math:`\\hat p` be the estimated cell proportions (vectorised with
    rows varying fastest), :math:`n` the number of rows of the design
    (as R, *including* those with missing values: it scales X^2 but cancels
    from every p-value) and :math:`X^2 = n \\sum_{ij} (\\hat p_{ij} - \\hat
    p_{i+}\\hat p_{+j})^2 / (\\hat p_{i+}\\hat p_{+j})`. With :math:`C` a basis
    of the interaction contrasts (the model matrix of the row-by-column
    interaction, residualised on the main effects), :math:`D = \\mathrm{diag}(\\hat
    p)` and :math:`V` the design covariance of :math:`\\hat p`, the generalised
    design-effect matrix is

    .. math:: \\Delta = (C^T D^{-1} C / n)^{-1} (C^T D^{-1} V D^{-1} C).

    Second order: :math:`F = X^2 / \\mathrm{tr}\\,\\Delta` on
    :math:`d_0 = (\\mathrm{tr}\\,\\Delta)^2 / \\mathrm{tr}(\\Delta^2)` and
    :math:`d_0 \\nu` df, :math:`\\nu` the design df (PSUs minus strata,
    ``design.degf``). First order: :math:`X^2 / \\bar\\delta` on
    :math:`(r-1)(c-1)` df. "lincom": :math:`P(\\sum_k \\delta_k \\chi^2_1 -
    (X^2 / d_0\\nu) \\chi^2_{\\lfloor d_0 \\nu \\rfloor} > 0)`, the
    :math:`\\delta_k` the eigenvalues of :math:`\\Delta`; R evaluates it with
    Davies' algorithm (CompQuadForm, accuracy 1e-7, degrees of freedom
    truncated to an integer); here it is computed by numerical inversion of
    the characteristic function along a vertical line through the saddle
    point, accurate to about 1e-10 relative also far in the tail.
    "saddlepoint": Lugannani-Rice type approximation
    :math:`\\bar\\Phi(w + \\log(v/w)/w)` (Kuonen 1999) of the same probability,
    with the root found by Brent's method exactly as R's ``uniroot``; when
    the saddle point is within 1e-4 of zero it falls back, as R, to the F
    approximation.

    Wald: :math:`Y_{ij} = \\hat T_{ij} - \\hat T_{i+}\\hat T_{+j} / \\hat N`
    for :math:`i, j \\ge 2`, :math:`W = Y^T \\hat V(Y)^{-1} Y`, with
    :math:`\\hat V(Y)` from the influence functions of Y (the linearisation
    R applies through its Jacobian); "Wald" is :math:`W / df` on
    :math:`(df, \\nu)`, "adjWald" :math:`W (\\nu - df + 1) / (df\\,\\nu)` on
    :math:`(df, \\nu - df + 1)`.

    No dense respondent-by-cell indicator matrix is built: each respondent's
    influence row is a gather from a small (cells x contrasts) matrix by its
    cell code, so the design variance is taken of an n x (r-1)(c-1) matrix
    once.

    Differences from R, on purpose: a level with no respondent (an unused
    category, or one seen only where the other variable is missing) is left
    out with a warning (R returns NaN or a meaningless value); missing values
    with ``na_rm=False`` raise instead of returning NA. ``design.degf`` counts
    PSUs with non-zero weight (R's ``degf``; ``svychisq`` in R counts all).

    Examples
    --------
    >>> import pandas as pd, survey_kit as sk
    >>> df = pd.DataFrame({"a": list("xxyyxyxyyx") * 3, "b": list("ppqqqpqpqp") * 3,
    ...                    "w": [1.0, 2.0, 1.5] * 10})
    >>> d = sk.SurveyDesign(df, weights="w")
    >>> r = sk.svychisq(d, "a", "b")
    >>> r.statistic_name, r.df[1] > 28
    ('F', True)

    References
    ----------
    Rao, J. N. K. and Scott, A. J. (1984). Annals of Statistics 12, 46-60.
    Koch, G. G., Freeman, D. H. and Freeman, J. L. (1975). Strategies in the
    multivariate analysis of data from complex surveys. International
    Statistical Review 43, 59-78.
    Kuonen, D. (1999). Saddlepoint approximations for distributions of
    quadratic forms in normal variables. Biometrika 86, 929-935.
    Imhof, J. P. (1961). Computing the distribution of quadratic forms in
    normal variables. Biometrika 48, 419-426.
    Lumley, T. (2010). Complex Surveys. Wiley, section 6.2.
    """
    if statistic not in SVYCHISQ_STATISTICS:
        raise UsageError(f"statistic must be one of {', '.join(SVYCHISQ_STATISTICS)}; "
                         f"got {statistic!r}")
    if not _is_design(design):
        raise UsageError("design must be a SurveyDesign (build one with "
                         f"survey_kit.SurveyDesign(frame, weights=...)); got "
                         f"{type(design).__name__}")
    w = np.asarray(design.weights, dtype=float)
    tb = _two_way(design.frame, row, col, w, na_rm,
                  what=" (they stay in the design for the variance)")
    nr, nc = tb.shape
    q = (nr - 1) * (nc - 1)
    nu = float(design.degf)
    n_rows = design.n
    valid = tb.valid
    all_valid = tb.all_valid
    subset = None if all_valid else valid
    cell = tb.cell

    if all_valid:
        totals = np.bincount(cell, weights=w, minlength=nr * nc)
    else:
        totals = np.bincount(cell[valid], weights=w[valid], minlength=nr * nc)
    psum = totals.sum()
    m = totals / psum                                  # cell proportions, column-major
    P = m.reshape(nc, nr).T
    pr, pc = P.sum(axis=1), P.sum(axis=0)
    E = np.outer(pr, pc)
    phi2 = float(((P - E) ** 2 / E).sum())
    x2 = n_rows * phi2                                 # R's chisq.test on svytable(Ntotal=n)
    details: dict[str, Any] = {
        "design_based": True, "pearson_x2": x2, "design_df": nu,
        "cramers_v": math.sqrt(phi2 / (min(nr, nc) - 1)),
        "n_used": int(valid.sum()), "n_missing": tb.n_missing,
        "rows": tuple(tb.rlabels), "cols": tuple(tb.clabels),
    }
    if nu < 1:
        raise DesignError(f"the design has {nu:g} degrees of freedom (PSUs minus strata); "
                          "a design-based test needs at least 1")
    counts = np.bincount(cell[valid] if not all_valid else cell, minlength=nr * nc)
    sparse = int((counts < 5).sum())
    if sparse:
        note = (f"{sparse} of {nr * nc} cells have fewer than 5 respondents; the "
                "design-based variance of those cells, and so the test, rests on very few "
                "observations")
        tb = dataclasses.replace(tb, warnings=(*tb.warnings, note))

    if statistic in ("Wald", "adjWald"):
        return _wald(design, tb, statistic, totals, psum, nu, subset, details, row, col)

    # Rao-Scott: contrasts of the interaction, projected influence functions
    C = _interaction_contrasts(nr, nc)                 # (nr*nc, q)
    inv_m = np.divide(1.0, m, out=np.zeros_like(m), where=m > 0)
    B = inv_m[:, None] * C                             # D^-1 C
    denom = (C.T @ B) / n_rows
    center = m @ B                                     # mean of the gathered rows
    V = _vcov_cells(design, B - center, tb) / psum ** 2
    try:
        Delta = np.linalg.solve(denom, V)
    except np.linalg.LinAlgError as exc:               # pragma: no cover - guarded above
        raise DesignError(f"the Rao-Scott design-effect matrix of {row!r} by {col!r} "
                          "cannot be formed (singular contrasts)") from exc
    tr = float(np.trace(Delta))
    if not np.isfinite(tr) or tr <= 0:
        raise DesignError(f"the design gives no variance for the table of {row!r} by {col!r} "
                          "(a census, or all weight in one PSU per stratum); a test of "
                          "association is not defined")
    tr2 = float(np.trace(Delta @ Delta))
    d0 = tr * tr / tr2
    eig = np.sort(np.linalg.eigvals(Delta).real)[::-1]
    details.update({"deff_mean": tr / q, "deff_eigenvalues": tuple(eig.tolist()),
                    "rao_scott_ndf": d0, "rao_scott_ddf": d0 * nu})
    from scipy import stats as st

    if statistic == "F":
        fstat = x2 / tr
        return TestResult("Pearson's X^2: Rao & Scott second-order adjustment", fstat,
                          (d0, d0 * nu), float(st.f.sf(fstat, d0, d0 * nu)), "F", row, col,
                          details, tb.warnings)
    if statistic == "Chisq":
        return TestResult("Pearson's X^2: Rao & Scott first-order adjustment", x2, float(q),
                          float(st.chi2.sf(x2 / (tr / q), q)), "X-squared", row, col,
                          details, tb.warnings)
    if statistic == "lincom":
        p = _pfsum_exact_upper(x2, eig, d0 * nu)
        return TestResult("Pearson's X^2: asymptotic exact distribution", x2, None, p,
                          "X-squared", row, col, details, tb.warnings)
    p = _pfsum_saddlepoint_upper(x2, eig, d0 * nu)
    return TestResult("Pearson's X^2: saddlepoint approximation", x2, None, p,
                      "X-squared", row, col, details, tb.warnings)


def _vcov_cells(design: Any, rows: np.ndarray, tb: _Table) -> np.ndarray:
    """Design covariance of the totals of ``rows[cell_i]`` (zero for respondents
    outside the table): per-cell sums when the design offers ``vcov_total_coded``,
    else the gathered n x q matrix through ``vcov_total``."""
    subset = None if tb.all_valid else tb.valid
    coded = getattr(design, "vcov_total_coded", None)
    if coded is not None:
        code = tb.cell if tb.all_valid else np.where(tb.valid, tb.cell, -1)
        return coded(rows, code, subset=subset)
    infl = _gather(rows, tb.cell, tb.valid, np.zeros(rows.shape[1]), tb.all_valid)
    return design.vcov_total(infl, subset=subset)


def _gather(B: np.ndarray, cell: np.ndarray, valid: np.ndarray, center: np.ndarray,
            all_valid: bool) -> np.ndarray:
    """Row ``B[cell_i] - center`` for valid respondents, zero for the others."""
    Bc = np.ascontiguousarray(B - center)
    if all_valid:
        return np.take(Bc, cell, axis=0)
    out = np.zeros((len(cell), B.shape[1]))
    out[valid] = np.take(Bc, cell[valid], axis=0)
    return out


def _interaction_contrasts(nr: int, nc: int) -> np.ndarray:
    """R's contrast matrix: treatment-coded interaction columns of ~rows*cols,
    residualised on the main-effects model matrix; cells in column-major order."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    R = (rows[:, None] == np.arange(1, nr)[None, :]).astype(float)
    K = (cols[:, None] == np.arange(1, nc)[None, :]).astype(float)
    X1 = np.column_stack([np.ones(nr * nc), R, K])
    X12 = (K[:, :, None] * R[:, None, :]).reshape(nr * nc, -1)   # rows fastest within cols
    Q, _ = np.linalg.qr(X1)
    return X12 - Q @ (Q.T @ X12)


def _wald(design: Any, tb: _Table, statistic: str, totals: np.ndarray, psum: float,
          nu: float, subset: np.ndarray | None, details: dict[str, Any], row: str,
          col: str) -> TestResult:
    nr, nc = tb.shape
    q = (nr - 1) * (nc - 1)
    T = totals.reshape(nc, nr).T                       # estimated cell totals
    Rt, Ct = T.sum(axis=1), T.sum(axis=0)
    Y = (T - np.outer(Rt, Ct) / psum)[1:, 1:].T.ravel()   # i >= 2, j >= 2, rows fastest
    # influence of Y_ij for a respondent in cell (a, b), for every (a, b)
    a = np.tile(np.arange(nr), nc)[:, None]
    b = np.repeat(np.arange(nc), nr)[:, None]
    ii = np.tile(np.arange(1, nr), nc - 1)[None, :]
    jj = np.repeat(np.arange(1, nc), nr - 1)[None, :]
    G = ((a == ii) & (b == jj)).astype(float)
    G -= (a == ii) * (Ct[jj] / psum)
    G -= (b == jj) * (Rt[ii] / psum)
    G += Rt[ii] * Ct[jj] / psum ** 2
    V = _vcov_cells(design, G, tb)
    try:
        W = float(Y @ np.linalg.solve(V, Y))
    except np.linalg.LinAlgError as exc:
        raise DesignError(f"the design covariance of the {nr} x {nc} table of {row!r} by "
                          f"{col!r} is singular (too few PSUs for the size of the table, or "
                          "empty cells); use statistic='F'") from exc
    from scipy import stats as st

    details = dict(details, wald_chisq=W)
    if statistic == "Wald":
        ndf, ddf, fstat = float(q), nu, W / q
        method = "Design-based Wald test of association"
    else:
        ndf, ddf = float(q), nu - q + 1
        if ddf < 1:
            raise DesignError(f"the adjusted Wald test needs more design degrees of freedom "
                              f"({nu:g}) than the table has interaction df ({q}); use "
                              "statistic='F' or 'Wald'")
        fstat = W * ddf / (q * nu)
        method = "Design-based Wald test of association (adjusted)"
    return TestResult(method, fstat, (ndf, ddf), float(st.f.sf(fstat, ndf, ddf)), "F",
                      row, col, details, tb.warnings)


# ---------------------------------------------------------------------------
# the distribution of a linear combination of chi-squares
# ---------------------------------------------------------------------------

_EPS = np.finfo(float).eps


def _zeroin(f: Any, lower: float, upper: float, tol: float, maxiter: int = 1000) -> float:
    """Brent's (1973) root finder step for step as R's ``uniroot`` (zeroin2), so
    that a root accepted at R's tolerance is the same root R accepts."""
    a, b = lower, upper
    fa, fb = f(a), f(b)
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    if fa * fb > 0:
        raise ValueError("no sign change")
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * _EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:                       # secant
                t1 = fb / fa
                p = cb * t1
                qq = 1.0 - t1
            else:                            # inverse quadratic interpolation
                qq = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0))
                qq = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                qq = -qq
            else:
                p = -p
            if p < (0.75 * cb * qq - abs(tol_act * qq) / 2) and p < abs(prev_step * qq / 2):
                new_step = p / qq
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def _pfsum_saddlepoint_upper(x: float, eig: np.ndarray, ddf: float) -> float:
    """R's ``pFsum(x, 1, eig, ddf, lower.tail=FALSE, method="saddlepoint")``.

    P(sum_k eig_k chi2_1 - (x/ddf) chi2_ddf > 0) by the saddlepoint
    approximation of Kuonen (1999), ddf truncated to an integer count of
    unit chi-squares as R's ``rep()`` does; the F approximation when the
    saddle point is within 1e-4 of zero.
    """
    from scipy import stats as st

    eig = np.atleast_1d(np.asarray(eig, dtype=float))
    k = len(eig)
    tr = eig.mean()
    tr2 = (eig ** 2).mean() / tr ** 2
    fallback = float(st.f.sf(x / (k / tr2) / (tr * tr2), k / tr2, ddf))
    if x <= 0:
        return 1.0
    lam = np.concatenate([eig, [-x / ddf]])
    cnt = np.concatenate([np.ones(k), [math.floor(ddf) if ddf > 1 else 1.0]])
    keep = cnt > 0
    lam, cnt = lam[keep], cnt[keep]
    lam = lam / lam.max()

    def k0(z: float) -> float:
        return float(-(cnt * np.log(1 - 2 * z * lam)).sum() / 2)

    def k1(z: float) -> float:
        return float((cnt * lam / (1 - 2 * z * lam)).sum())

    def k2(z: float) -> float:
        return float(2 * (cnt * lam ** 2 / (1 - 2 * z * lam) ** 2).sum())

    neg, pos = lam[lam < 0], lam[lam > 0]
    if neg.size == 0:
        return fallback
    shrink = 0.99999
    for _ in range(3):
        lmin = float(np.max(1 / (2 * neg))) * shrink
        lmax = float(np.min(1 / (2 * pos))) * shrink
        try:
            z = _zeroin(k1, lmin, lmax, 1e-8)
            break
        except ValueError:          # R stops here; widen the bracket instead
            shrink = 1 - (1 - shrink) * 1e-4
    else:                           # pragma: no cover - bracket always found
        return fallback
    if abs(z) < 1e-4:
        return fallback
    w = math.copysign(math.sqrt(max(2 * (0.0 - k0(z)), 0.0)), z)
    v = z * math.sqrt(k2(z))
    return float(st.norm.sf(w + math.log(v / w) / w))


def _pfsum_exact_upper(x: float, eig: np.ndarray, ddf: float) -> float:
    """P(sum_k eig_k chi2_1 - (x/ddf) chi2_floor(ddf) > 0), computed exactly.

    Numerical inversion of the characteristic function (Imhof 1961) along
    the vertical line Re(s) = c through the saddle point of the cumulant
    generating function K: for c > 0,

        P(Q > 0) = exp(K(c)) / pi * int_0^inf (c cos th(t) + t sin th(t))
                   / (c^2 + t^2) * prod_j (1 + b_j^2 t^2)^(-h_j/4) dt,

    with b_j = 2 l_j / (1 - 2 l_j c), th(t) = sum_j h_j/2 atan(b_j t); for
    c < 0 the integral is -P(Q < 0). On that line the integrand does not
    oscillate and has no cancellation, so tiny tail probabilities keep their
    relative accuracy. The integer df of the last term is what R's
    CompQuadForm::davies uses (``as.integer``).
    """
    from scipy import integrate

    if x <= 0:
        return 1.0
    eig = np.atleast_1d(np.asarray(eig, dtype=float))
    eig = eig[eig > 1e-13 * eig.max()]
    lam = np.concatenate([eig, [-x / ddf]])
    h = np.concatenate([np.ones(len(eig)), [max(math.floor(ddf), 1)]])
    hi = 1.0 / (2 * lam[lam > 0].max())
    lo = 1.0 / (2 * lam[lam < 0].min())

    def k1(s: float) -> float:
        return float((h * lam / (1 - 2 * lam * s)).sum())

    from scipy.optimize import brentq

    z = brentq(k1, lo * (1 - 1e-12), hi * (1 - 1e-12), xtol=1e-300, rtol=4 * _EPS,
               maxiter=500)
    c = z if abs(z) > 1e-3 * min(hi, -lo) else 0.5 * hi
    alpha = 1 - 2 * lam * c
    beta = 2 * lam / alpha
    log_kc = float(-(h / 2 * np.log(alpha)).sum())
    sigma = math.sqrt(2.0 / float((h * beta ** 2).sum()))

    def g(t: float) -> float:
        bt = beta * t
        theta = float((h / 2 * np.arctan(bt)).sum())
        amp = math.exp(float(-(h / 4 * np.log1p(bt * bt)).sum()))
        return amp * (c * math.cos(theta) + t * math.sin(theta)) / (c * c + t * t)

    knots = sorted({0.0, abs(c), sigma, 4 * sigma, 16 * sigma})
    knots = [k for k in knots if k <= 16 * sigma] + [16 * sigma]
    total = 0.0
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a_, b_ in itertools.pairwise(knots):
            if b_ > a_:
                total += integrate.quad(g, a_, b_, epsabs=0, epsrel=1e-13, limit=400)[0]
        # the tail beyond 16 sigma is small: tolerance relative to the bulk
        total += integrate.quad(g, knots[-1], np.inf, epsabs=abs(total) * 1e-15,
                                epsrel=1e-13, limit=400)[0]
    val = math.exp(log_kc) * total / math.pi
    p = val if c > 0 else 1.0 + val
    return float(min(max(p, 0.0), 1.0))


# ---------------------------------------------------------------------------
# unweighted tests
# ---------------------------------------------------------------------------

def _counts(tb: _Table) -> np.ndarray:
    nr, nc = tb.shape
    v = tb.valid
    return np.bincount(tb.rcodes[v] + nr * tb.ccodes[v], minlength=nr * nc) \
        .reshape(nc, nr).T.astype(np.int64)


def _sparse_warning(table: np.ndarray) -> tuple[str, ...]:
    E = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    low = int((E < 5).sum())
    if low:
        note = (f"{low} of {E.size} cells have an expected count below 5; the chi-squared "
                "approximation may be poor (consider fisher_exact)")
        return (note,)
    return ()


def _pingouin_row(tb: _Table, test: str, correction: bool) -> pd.Series:
    """One row of ``pingouin.chi2_independence`` on the cleaned codes."""
    import pingouin

    v = tb.valid
    codes = pd.DataFrame({"row": tb.rcodes[v], "col": tb.ccodes[v]})
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")        # its low-count warning: ours is recorded
        _, _, res = pingouin.chi2_independence(codes, x="row", y="col", correction=correction)
    return res.set_index("test").loc[test]


def pearson_chisq(data: pd.DataFrame, row: str, col: str, *, correction: bool = False,
                  na_rm: bool = True) -> TestResult:
    """Pearson's chi-squared test of independence (unweighted counts).

    Parameters
    ----------
    data : pandas.DataFrame
    row, col : str
        The two categorical variables.
    correction : bool, default False
        Yates' continuity correction for a 2x2 table (R's ``chisq.test``
        applies it by default; survey practice and ``svychisq`` do not).
    na_rm : bool, default True
        Leave out respondents with a missing answer (counted in a warning);
        with ``False`` missing values raise :class:`CrosstabError`.

    Returns
    -------
    TestResult
        X-squared on (r-1)(c-1) df; ``details`` has ``cramers_v`` and ``n``.

    Notes
    -----
    :math:`X^2 = \\sum_{ij} (O_{ij} - E_{ij})^2 / E_{ij}`,
    :math:`E_{ij} = O_{i+} O_{+j} / N`, computed by
    ``pingouin.chi2_independence``; p-value from the chi-squared survival
    function. Empty levels are left out (with a warning); cells with
    expected count below 5 are reported in ``warnings``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("xxxyyy") * 5, "b": list("pqpqqq") * 5})
    >>> round(pearson_chisq(df, "a", "b").statistic, 4)
    15.0

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.2.
    """
    tb = _two_way(data, row, col, None, na_rm, what="")
    res = _pingouin_row(tb, "pearson", correction)
    table = _counts(tb)
    method = "Pearson's Chi-squared test" + (
        " with Yates' continuity correction" if correction and table.shape == (2, 2) else "")
    return TestResult(method, float(res["chi2"]), float(res["dof"]), float(res["pval"]),
                      "X-squared", row, col,
                      {"cramers_v": float(res["cramer"]), "n": int(table.sum())},
                      tb.warnings + _sparse_warning(table))


def g_test(data: pd.DataFrame, row: str, col: str, *, na_rm: bool = True) -> TestResult:
    """Likelihood-ratio (G) test of independence (unweighted counts).

    Parameters
    ----------
    data : pandas.DataFrame
    row, col : str
    na_rm : bool, default True
        As :func:`pearson_chisq`.

    Returns
    -------
    TestResult
        G on (r-1)(c-1) df.

    Notes
    -----
    :math:`G = 2 \\sum_{ij} O_{ij} \\log(O_{ij} / E_{ij})` (empty cells
    contribute 0), the ``log-likelihood`` row of
    ``pingouin.chi2_independence`` (power divergence with lambda = 0).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("xxxyyy") * 5, "b": list("pqpqqq") * 5})
    >>> round(g_test(df, "a", "b").statistic, 4)
    19.0954

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.2.
    """
    tb = _two_way(data, row, col, None, na_rm, what="")
    res = _pingouin_row(tb, "log-likelihood", False)
    table = _counts(tb)
    return TestResult("Likelihood-ratio (G) test of independence", float(res["chi2"]),
                      float(res["dof"]), float(res["pval"]), "G", row, col,
                      {"n": int(table.sum())}, tb.warnings + _sparse_warning(table))


def cramers_v(data: Any, row: str, col: str, *, na_rm: bool = True) -> float:
    """Cramer's V of a two-way table, weighted when given a design.

    Parameters
    ----------
    data : pandas.DataFrame or SurveyDesign
        A DataFrame gives V of the unweighted counts (from pingouin); a
        SurveyDesign gives V of the *estimated population table*, i.e. of the
        weighted cell proportions.
    row, col : str
    na_rm : bool, default True

    Returns
    -------
    float
        :math:`V = \\sqrt{\\phi^2 / (\\min(r, c) - 1)}`, between 0 and 1.

    Notes
    -----
    With :math:`\\hat p_{ij}` the (weighted) cell proportions,
    :math:`\\phi^2 = \\sum_{ij} (\\hat p_{ij} - \\hat p_{i+}\\hat p_{+j})^2 /
    (\\hat p_{i+}\\hat p_{+j})`. On a design this is the plug-in estimate of the
    population's V: it does not depend on the sample size, nor on the design
    effect. The Rao-Scott correction belongs to the *test* (X^2 divided by
    the mean design effect), not to the size of the association, so it is
    not applied here. ``svychisq`` reports the same value in its details.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("xxxyyy") * 5, "b": list("pqpqqq") * 5})
    >>> round(cramers_v(df, "a", "b"), 4)
    0.7071

    References
    ----------
    Cramer, H. (1946). Mathematical Methods of Statistics. Princeton, p. 282.
    """
    if _is_design(data):
        w = np.asarray(data.weights, dtype=float)
        tb = _two_way(data.frame, row, col, w, na_rm, what="")
        nr, nc = tb.shape
        v = tb.valid
        P = np.bincount(tb.cell[v], weights=w[v], minlength=nr * nc).reshape(nc, nr).T
        P = P / P.sum()
        E = np.outer(P.sum(axis=1), P.sum(axis=0))
        return math.sqrt(float(((P - E) ** 2 / E).sum()) / (min(nr, nc) - 1))
    tb = _two_way(data, row, col, None, na_rm, what="")
    return float(_pingouin_row(tb, "pearson", False)["cramer"])


def fisher_exact(data: pd.DataFrame, row: str, col: str, *, simulate: bool = False,
                 n_resamples: int = 2000, random_state: Any = None,
                 max_paths: int = 300_000, na_rm: bool = True) -> TestResult:
    """Fisher's exact test of independence, 2x2 and r x c (unweighted counts).

    Parameters
    ----------
    data : pandas.DataFrame
    row, col : str
    simulate : bool, default False
        Monte Carlo p-value from ``n_resamples`` random tables with the
        observed margins (as R's ``fisher.test(simulate.p.value=TRUE)``)
        instead of the exact one. Needed for large r x c tables.
    n_resamples : int, default 2000
        Number of simulated tables (R's ``B``).
    random_state : None, int or numpy.random.Generator
        Seed of the simulation.
    max_paths : int, default 300,000
        Work limit of the exact r x c algorithm: the number of partial tables
        (distinct remaining margins times column fillings) it may expand, a
        few seconds' work; beyond it a :class:`CrosstabError` suggests
        ``simulate=True``.
    na_rm : bool, default True
        As :func:`pearson_chisq`.

    Returns
    -------
    TestResult
        ``statistic`` is the conditional maximum-likelihood odds ratio for a
        2x2 table (as R; 95% interval in ``details``) and the probability of
        the observed table otherwise; ``df`` is None.

    Notes
    -----
    Two-sided p-value: the total probability, under the multivariate
    hypergeometric distribution of tables with the observed margins, of the
    tables no more probable than the observed one (relative tolerance 1e-7,
    as R). 2x2: ``scipy.stats.fisher_exact`` and
    ``scipy.stats.contingency.odds_ratio(kind="conditional")``. r x c: a
    network algorithm (Mehta and Patel 1983): columns are filled one at a
    time; partial tables with the same remaining row margins (as a multiset)
    and the same probability so far are merged; a node whose every
    completion is at most as probable as the observed table contributes its
    total mass in closed form, :math:`T! / (\\prod_i \\rho_i! \\prod_j c_j!)`,
    and one none of whose completions is, is dropped (bounds from relaxing
    the row or the column margins).
    Monte Carlo: :math:`(1 + \\#\\{\\text{simulated tables no more probable}\\}) /
    (B + 1)`, tables drawn by ``scipy.stats.random_table``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": list("xxxxxyyyyy"), "b": list("ppppqqqqqp")})
    >>> round(fisher_exact(df, "a", "b").pvalue, 5)
    0.20635

    References
    ----------
    Mehta, C. R. and Patel, N. R. (1983). A network algorithm for performing
    Fisher's exact test in r x c contingency tables. JASA 78, 427-434.
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.5.
    """
    tb = _two_way(data, row, col, None, na_rm, what="")
    table = _counts(tb)
    details: dict[str, Any] = {"n": int(table.sum())}
    from scipy import stats as st

    if simulate:
        if int(n_resamples) < 1:
            raise UsageError(f"n_resamples must be a positive integer; got {n_resamples!r}")
        p, stat = _fisher_monte_carlo(table, int(n_resamples), random_state)
        details["n_resamples"] = int(n_resamples)
        return TestResult(
            f"Fisher's exact test with simulated p-value (based on {int(n_resamples)} "
            "replicates)", stat, None, p, "P(table)", row, col, details, tb.warnings)
    if table.shape == (2, 2):
        p = float(st.fisher_exact(table).pvalue)
        orr = st.contingency.odds_ratio(table, kind="conditional")
        ci = orr.confidence_interval(0.95)
        details.update({"odds_ratio": float(orr.statistic), "conf_low": float(ci.low),
                        "conf_high": float(ci.high)})
        return TestResult("Fisher's exact test", float(orr.statistic), None, min(p, 1.0),
                          "odds ratio", row, col, details, tb.warnings)
    p, stat = _fisher_network(table, max_paths, row, col)
    return TestResult("Fisher's exact test", stat, None, p, "P(table)", row, col, details,
                      tb.warnings)


def _log_factorials(n: int) -> np.ndarray:
    from scipy.special import gammaln

    return gammaln(np.arange(n + 1, dtype=float) + 1.0)


def _fisher_monte_carlo(table: np.ndarray, B: int, random_state: Any) -> tuple[float, float]:
    from scipy import stats as st

    lf = _log_factorials(int(table.sum()))
    rng = np.random.default_rng(random_state)
    sims = st.random_table(table.sum(axis=1), table.sum(axis=0), seed=rng).rvs(size=B)
    s_obs = float(lf[table].sum())
    s_sim = lf[sims].sum(axis=(1, 2))
    almost_one = 1 + 64 * _EPS
    extreme = int((s_sim >= s_obs / almost_one).sum())
    const = float(lf[table.sum(axis=1)].sum() + lf[table.sum(axis=0)].sum()
                  - lf[int(table.sum())])
    return (1 + extreme) / (B + 1), math.exp(const - s_obs)


def _column_fillings(rho: np.ndarray, total: int) -> np.ndarray:
    """All integer vectors x with 0 <= x <= rho and sum(x) == total, one per row."""
    k = len(rho)
    suffix = np.concatenate([np.cumsum(rho[::-1])[::-1], [0]])
    out: list[list[int]] = []
    cur = [0] * k

    def rec(i: int, left: int) -> None:
        if i == k - 1:
            if left <= rho[i]:
                cur[i] = left
                out.append(cur.copy())
            return
        lo = max(0, left - int(suffix[i + 1]))
        for v in range(lo, min(int(rho[i]), left) + 1):
            cur[i] = v
            rec(i + 1, left - v)

    rec(0, int(total))
    return np.array(out, dtype=np.int64).reshape(-1, k)


def _count_fillings(rho: np.ndarray, total: int) -> int:
    """Number of integer vectors 0 <= x <= rho with sum(x) == total."""
    ways = np.zeros(total + 1, dtype=float)
    ways[0] = 1.0
    for cap in rho:
        c = np.concatenate([[0.0], np.cumsum(ways)])
        lo = np.maximum(np.arange(total + 1) - int(cap), 0)
        ways = c[np.arange(total + 1) + 1] - c[lo]
    return round(float(ways[total]))


def _even_fill(total: int, caps: np.ndarray, lf: np.ndarray) -> float:
    """Smallest sum of log(x!) with sum(x) == total, 0 <= x <= caps (spread evenly)."""
    caps = np.sort(caps)
    left, m, s = int(total), len(caps), 0.0
    for i, cap in enumerate(caps):
        share = left // (m - i)
        if cap <= share:
            s += lf[cap]
            left -= int(cap)
        else:
            rest = m - i
            q, r = divmod(left, rest)
            return s + (rest - r) * lf[q] + r * lf[q + 1]
    return s


def _greedy_fill(total: int, caps: np.ndarray, lf: np.ndarray) -> float:
    """Largest sum of log(x!) with sum(x) == total, 0 <= x <= caps (concentrate)."""
    left, s = int(total), 0.0
    for cap in np.sort(caps)[::-1]:
        v = min(int(cap), left)
        s += lf[v]
        left -= v
        if left == 0:
            break
    return s


def _fisher_network(table: np.ndarray, max_paths: int, row: str,
                    col: str) -> tuple[float, float]:
    """Exact two-sided Fisher p-value of an r x c table; also P(observed table)."""
    t = table if table.shape[0] <= table.shape[1] else table.T
    rows = t.sum(axis=1)
    cols = np.sort(t.sum(axis=0))[::-1]
    N = int(t.sum())
    lf = _log_factorials(N + 1)
    const = float(lf[rows].sum() + lf[cols].sum() - lf[N])    # log P = const - S
    s_obs = float(lf[t].sum())
    threshold = s_obs - 1e-7          # count tables with P <= P_obs (1 + 1e-7)
    ncol = len(cols)
    col_rest = [cols[k:] for k in range(ncol + 1)]
    lf_col_rest = [float(lf[c].sum()) for c in col_rest]

    def bounds(rho: np.ndarray, k: int) -> tuple[float, float]:
        cr = col_rest[k]
        lo = max(sum(_even_fill(c, rho, lf) for c in cr),
                 sum(_even_fill(r, cr, lf) for r in rho))
        hi = min(sum(_greedy_fill(c, rho, lf) for c in cr),
                 sum(_greedy_fill(r, cr, lf) for r in rho))
        return lo, hi

    pvalue = 0.0
    work = paths = 0
    # node (remaining row margins, sorted) -> distinct past values S and their counts
    stage: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {
        tuple(sorted(rows.tolist())): (np.zeros(1), np.ones(1))}
    for k in range(ncol):
        grow: dict[tuple[int, ...], list[tuple[np.ndarray, np.ndarray]]] = {}
        for key, (S, cnt) in stage.items():
            rho = np.array(key, dtype=np.int64)
            lo, hi = bounds(rho, k)
            log_mass = float(lf[int(rho.sum())] - lf[rho].sum()) - lf_col_rest[k]
            done = S + lo >= threshold                # every completion is extreme
            if done.any():
                pvalue += float((cnt[done] * np.exp(const - S[done] + log_mass)).sum())
            pend = ~done & (S + hi >= threshold)      # some completions are: expand
            if not pend.any():
                continue
            Sp, cp = S[pend], cnt[pend]
            n_fill = _count_fillings(rho, int(cols[k]))
            work += n_fill
            paths += n_fill * len(Sp)
            if work > max_paths or paths > 100 * max_paths:
                raise CrosstabError(
                    f"the {table.shape[0]} x {table.shape[1]} table of {row!r} by {col!r} "
                    f"(n = {N}) is too large for the exact Fisher test within max_paths="
                    f"{max_paths}; use fisher_exact(..., simulate=True) for a Monte Carlo "
                    "p-value, or pearson_chisq when expected counts are large enough")
            fills = _column_fillings(rho, int(cols[k]))
            ds = lf[fills].sum(axis=1)
            rest = np.sort(rho[None, :] - fills, axis=1)
            for f_i, nkey in enumerate(map(tuple, rest.tolist())):
                grow.setdefault(nkey, []).append((Sp + ds[f_i], cp))
        stage = {}
        for nkey, parts in grow.items():      # merge equal past values
            S = np.concatenate([p_[0] for p_ in parts])
            cnt = np.concatenate([p_[1] for p_ in parts])
            uniq, first, inv = np.unique(np.round(S * 1e9).astype(np.int64),
                                         return_index=True, return_inverse=True)
            stage[nkey] = (S[first], np.bincount(inv.ravel(), weights=cnt,
                                                 minlength=len(uniq)))
    for S, cnt in stage.values():
        hit = S >= threshold
        pvalue += float((cnt[hit] * np.exp(const - S[hit])).sum())
    return float(min(pvalue, 1.0)), math.exp(const - s_obs)


def _scores(spec: Any, labels: np.ndarray, kept: np.ndarray, name: str,
            role: str) -> np.ndarray:
    """Scores of the kept levels: default 1..K over all levels, a sequence over all
    levels, or a mapping level -> score."""
    if spec is None:
        return (np.arange(len(labels), dtype=float) + 1.0)[kept]
    if isinstance(spec, Mapping):
        missing = [lab for lab in labels[kept] if lab not in spec]
        if missing:
            raise UsageError(f"{role} has no score for level(s) {_level_list(np.array(missing))}"
                             f" of {name!r}; give a score for every level present")
        vals = [spec[lab] for lab in labels[kept]]
    else:
        vals = list(spec)
        if len(vals) != len(labels):
            raise UsageError(f"{role} has {len(vals)} scores but {name!r} has {len(labels)} "
                             f"levels ({_level_list(labels)}); give one score per level in "
                             "that order, or a mapping level -> score")
        vals = [vals[i] for i in kept]
    try:
        out = np.asarray(vals, dtype=float)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{role} must be numbers; got {vals!r}") from exc
    if not np.all(np.isfinite(out)):
        raise UsageError(f"{role} must be finite numbers; got {vals!r}")
    return out


def _score_correlation(table: np.ndarray, u: np.ndarray, v: np.ndarray) -> float:
    N = table.sum()
    pu, pv = table.sum(axis=1) / N, table.sum(axis=0) / N
    du, dv = u - pu @ u, v - pv @ v
    su, sv = float(pu @ du ** 2), float(pv @ dv ** 2)
    if su <= 0 or sv <= 0:
        return float("nan")
    return float(du @ (table / N) @ dv) / math.sqrt(su * sv)


def linear_by_linear(data: pd.DataFrame, row: str, col: str, *, row_scores: Any = None,
                     col_scores: Any = None, na_rm: bool = True) -> TestResult:
    """Linear-by-linear association (Mantel) test for two ordered variables.

    Parameters
    ----------
    data : pandas.DataFrame
    row, col : str
        Ordered variables, e.g. size bands. Level order is the category order
        of an (ordered) pandas Categorical, else the sorted values: make
        bands such as ``"1-9", "10-49"`` a Categorical, or give scores as a
        mapping.
    row_scores, col_scores : sequence or mapping, optional
        Scores of the levels: a sequence with one number per level (in level
        order, including unused categories) or a mapping level -> score.
        Default: 1, 2, ..., K in level order (equally spaced).
    na_rm : bool, default True

    Returns
    -------
    TestResult
        M-squared on 1 df; ``details`` has the score correlation ``r`` and
        the signed ``z``.

    Notes
    -----
    With :math:`r` the Pearson correlation of the row and column scores
    over the N respondents, :math:`M^2 = (N - 1) r^2`, asymptotically
    chi-squared with 1 df under independence (Agresti 2013, 3.4.1; coin's
    ``lbl_test`` with its default scores). Empty levels are left out with
    a warning; the scores of the remaining levels are kept.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size": [1, 1, 2, 2, 3, 3, 3, 1], "use": [1, 2, 2, 3, 3, 3, 2, 1]})
    >>> round(linear_by_linear(df, "size", "use").statistic, 4)
    3.8291

    References
    ----------
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.4.
    Mantel, N. (1963). Chi-square tests with one degree of freedom. JASA 58,
    690-700.
    """
    from scipy import stats as st

    tb = _two_way(data, row, col, None, na_rm, what="")
    table = _counts(tb)
    u = _scores(row_scores, _all_levels(data[row]), tb.rkept, row, "row_scores")
    v = _scores(col_scores, _all_levels(data[col]), tb.ckept, col, "col_scores")
    r = _score_correlation(table, u, v)
    if not np.isfinite(r):
        raise CrosstabError(f"the scores of {row!r} or {col!r} are all equal on the levels "
                            "present; the linear-by-linear test needs varying scores")
    N = int(table.sum())
    m2 = (N - 1) * r * r
    return TestResult("Linear-by-linear association test", m2, 1.0,
                      float(st.chi2.sf(m2, 1)), "M-squared", row, col,
                      {"r": r, "z": math.copysign(math.sqrt(m2), r), "n": N,
                       "row_scores": tuple(u.tolist()), "col_scores": tuple(v.tolist())},
                      tb.warnings)


def _all_levels(values: pd.Series) -> np.ndarray:
    return _factor(values)[1]


def cochran_armitage(data: pd.DataFrame, outcome: str, band: str, *, event: Any = None,
                     scores: Any = None, na_rm: bool = True) -> TestResult:
    """Cochran-Armitage test for a trend in a proportion across ordered bands.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        A binary variable (two levels), or any variable with ``event``
        naming the level counted as the event (all others: no event).
    band : str
        The ordered grouping (see :func:`linear_by_linear` for level order).
    event : optional
        The level of ``outcome`` that is the event. Default: the second of
        two levels (e.g. ``"Yes"`` of ``"No"``, ``"Yes"``; ``1`` of 0, 1).
    scores : sequence or mapping, optional
        Scores of the bands; default 1, 2, ..., K.
    na_rm : bool, default True

    Returns
    -------
    TestResult
        X-squared on 1 df, as R's ``prop.trend.test``; ``details`` has the
        signed ``z`` (positive: the proportion rises with the score) and the
        proportions by band.

    Notes
    -----
    With :math:`x_k` events out of :math:`n_k` in band k, :math:`\\bar p =
    \\sum x_k / N` and :math:`\\bar s = \\sum n_k s_k / N`,
    :math:`Z = \\sum_k x_k (s_k - \\bar s) / \\sqrt{\\bar p (1 - \\bar p)
    \\sum_k n_k (s_k - \\bar s)^2}`; :math:`Z^2 = N r^2` with r the
    correlation of event and score (cf. :func:`linear_by_linear`, which
    uses N - 1).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"band": [1, 1, 1, 2, 2, 2, 3, 3, 3, 3],
    ...                    "uses": ["no", "no", "yes", "no", "yes", "yes", "yes", "yes",
    ...                             "yes", "no"]})
    >>> round(cochran_armitage(df, "uses", "band", event="yes").statistic, 4)
    1.1836

    References
    ----------
    Armitage, P. (1955). Tests for linear trends in proportions and
    frequencies. Biometrics 11, 375-386.
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 5.3.5.
    """
    from scipy import stats as st

    out_values = _column(data, outcome, "outcome")
    codes, labels = _factor(out_values)
    if event is None:
        present = labels[np.unique(codes[codes >= 0])] if (codes >= 0).any() else labels
        if len(present) != 2:
            raise CrosstabError(
                f"{outcome!r} has {len(present)} levels ({_level_list(present)}); give "
                "event= to name the level counted as the event", column=outcome)
        event = present[1]
    if event not in set(labels.tolist()):
        raise UsageError(f"event {event!r} is not a level of {outcome!r} "
                         f"({_level_list(labels)})")
    binary = pd.Series(np.where(codes < 0, np.nan, (out_values.to_numpy() == event) * 1.0),
                       index=data.index)
    frame = pd.DataFrame({band: data[band], outcome: binary})
    tb = _two_way(frame, band, outcome, None, na_rm, what="")
    table = _counts(tb)
    if tb.shape[1] != 2:    # pragma: no cover - _two_way ensures 2 levels
        raise CrosstabError(f"{outcome!r} needs both events and non-events")
    s = _scores(scores, _all_levels(data[band]), tb.rkept, band, "scores")
    u01 = tb.clabels.astype(float)                 # 0.0 / 1.0
    r = _score_correlation(table, s, u01)
    if not np.isfinite(r):
        raise CrosstabError(f"the scores of {band!r} are all equal on the bands present; "
                            "the trend test needs varying scores", column=band)
    N = int(table.sum())
    z2 = N * r * r
    ev = table[:, list(u01).index(1.0)]
    return TestResult("Chi-squared test for trend in proportions (Cochran-Armitage)", z2,
                      1.0, float(st.chi2.sf(z2, 1)), "X-squared", band, outcome,
                      {"z": math.copysign(math.sqrt(z2), r), "n": N, "event": event,
                       "scores": tuple(s.tolist()),
                       "proportions": tuple((ev / table.sum(axis=1)).tolist())},
                      tb.warnings)
