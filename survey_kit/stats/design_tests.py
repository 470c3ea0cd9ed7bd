"""Design-based tests of association on a survey design: :func:`svychisq`.

The design is received, never imported (``stats`` is below ``design``; see
:mod:`survey_kit.stats.design_protocol`). :func:`svychisq` classifies the
respondents by the two variables (:func:`~survey_kit.stats.two_way.two_way`),
sums their weights per cell and hands the cell totals to the one Rao-Scott /
Wald core (:func:`~survey_kit.stats.raoscott.association_test`), whose
covariances come from ``design.vcov_total_coded`` with the respondents' cell
codes.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.read_csv("tests/fixtures/r/stats_apistrat.csv")
>>> d = sk.SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")
>>> print(svychisq(d, "sch.wide", "stype"))
Pearson's X^2: Rao & Scott second-order adjustment
data: sch.wide by stype (design-based)
F = 17.247, ndf = 1.8287, ddf = 360.25, p-value = 2.035e-07
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..errors import UsageError
from .design_protocol import DesignLike, is_design
from .raoscott import STATISTICS, CellVcov, association_test
from .result import TestResult
from .two_way import TwoWay, two_way

__all__ = ["svychisq"]


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
        A variable is unknown, has no non-missing value, has fewer than 2
        levels with positive weight, or has missing values with
        ``na_rm=False``; no respondent answers both, or all who do have
        weight zero.
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
    if statistic not in STATISTICS:
        raise UsageError(f"statistic must be one of {', '.join(STATISTICS)}; "
                         f"got {statistic!r}")
    if not is_design(design):
        raise UsageError("design must be a SurveyDesign (build one with "
                         f"survey_kit.SurveyDesign(frame, weights=...)); got "
                         f"{type(design).__name__}")
    w = np.asarray(design.weights, dtype=float)
    counts = getattr(design, "row_counts", None)     # respondents per row (atoms)
    tb = two_way(design.frame, row, col, w, na_rm,
                 what=" (they stay in the design for the variance)", counts=counts)
    nr, nc = tb.shape
    cell = tb.cell if tb.all_valid else tb.cell[tb.valid]
    totals = np.bincount(cell, weights=w if tb.all_valid else w[tb.valid],
                         minlength=nr * nc)
    core = association_test(totals.reshape(nc, nr).T,
                            _cell_vcov(design, tb, statistic, totals.sum()), n_rows=design.n,
                            degf=design.degf, statistic=statistic, what=f"{row!r} by {col!r}")
    details: dict[str, Any] = {
        "design_based": True, "pearson_x2": core.details["pearson_x2"],
        "design_df": core.details["design_df"], "cramers_v": core.details["cramers_v"],
        "n_used": int(tb.valid.sum() if counts is None else counts[tb.valid].sum()),
        "n_missing": tb.n_missing,
        "rows": tuple(tb.rlabels), "cols": tuple(tb.clabels),
    }
    details.update(core.details)              # then the test's own: design effects, Wald X^2
    return dataclasses.replace(core, row=row, col=col, details=details,
                               warnings=tb.warnings + _sparse_cells(
                                   cell, nr * nc, None if counts is None
                                   else (counts if tb.all_valid else counts[tb.valid])))


def _sparse_cells(cell: np.ndarray, ncells: int,
                  counts: np.ndarray | None = None) -> tuple[str, ...]:
    """A warning when cells have fewer than 5 respondents (``counts``: respondents per row)."""
    sparse = int((np.bincount(cell, weights=counts, minlength=ncells) < 5).sum())
    if not sparse:
        return ()
    return (f"{sparse} of {ncells} cells have fewer than 5 respondents; the design-based "
            "variance of those cells, and so the test, rests on very few observations",)


def _cell_vcov(design: DesignLike, tb: TwoWay, statistic: str, psum: float) -> CellVcov:
    """``cell_vcov`` of the core: the design covariance of the totals of ``table[cell_i]``
    (zero for respondents outside the table), by ``design.vcov_total_coded``.

    A replicate-weight design (one with ``replicates``) answers as R's
    ``svychisq.svyrep.design``: the Rao-Scott statistics take the replicate
    covariance of the cell shares (R ``svymean`` of the cell indicators, each
    replicate's shares of its own total), the Wald tests that of the cell totals."""
    code = tb.cell if tb.all_valid else np.where(tb.valid, tb.cell, -1)
    subset = None if tb.all_valid else tb.valid
    rep = getattr(design, "replicates", None)
    if rep is not None:
        shares = statistic not in ("Wald", "adjWald")
        V = rep.cell_vcov(code, tb.shape[0] * tb.shape[1], shares) * (psum ** 2 if shares
                                                                     else 1.0)

        def replicate_cells(table: np.ndarray) -> np.ndarray:
            return table.T @ V @ table
        return replicate_cells

    def cell_vcov(table: np.ndarray) -> np.ndarray:
        return design.vcov_total_coded(table, code, subset=subset)
    return cell_vcov
