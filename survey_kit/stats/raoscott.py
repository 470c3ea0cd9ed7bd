"""The one Rao-Scott / Wald core: a test of association from cell totals and their design
covariance.

Everything here works on arrays. The caller gives the weighted cell totals of
an r x c table and ``cell_vcov``, its link to the design: a function that
takes a (cells, k) table of per-cell values and returns the design covariance
(k, k) of their weighted totals :math:`\\sum_i w_i\\, t_{c(i)}`, respondent
:math:`i` being in cell :math:`c(i)` (cells in column-major order, rows
fastest, as R). For a survey design that is ``design.vcov_total_coded(table,
code)`` with the respondents' cell codes: no respondent-level matrix is ever
formed. :func:`association_test` builds the influence values the statistic
needs, asks ``cell_vcov`` for their covariance, and returns a
:class:`~survey_kit.stats.result.TestResult`. Two callers, one core:
:func:`survey_kit.stats.design_tests.svychisq` (a design and two columns) and
``survey_kit.tables`` (a banner table's coded cells).

Example
-------
A census of four equal cells has no sampling variance, so a test is not
defined; with the covariance of independent Poisson counts (a design effect of
one) the Rao-Scott F is Pearson's X^2:

>>> import numpy as np
>>> T = np.array([[30.0, 10.0], [20.0, 40.0]])
>>> def poisson(table):                      # var of sum_i t_c(i): sum_c T_c t_c t_c'
...     return table.T @ (T.T.ravel()[:, None] * table)
>>> r = association_test(T, poisson, n_rows=100, degf=1e9, statistic="F")
>>> round(r.statistic, 4), round(r.details["pearson_x2"], 4), round(r.df[0], 6)
(16.6667, 16.6667, 1.0)

References
----------
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
contingency tables with cell proportions estimated from survey data. Annals
of Statistics 12, 46-60.
Koch, G. G., Freeman, D. H. and Freeman, J. L. (1975). Strategies in the
multivariate analysis of data from complex surveys. International
Statistical Review 43, 59-78.
Lumley, T. (2010). Complex Surveys. Wiley, section 6.2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import DesignError, UsageError
from .chisq_lincomb import pfsum_exact_upper, pfsum_saddlepoint_upper
from .effect_size import phi_squared, table_cramers_v
from .result import TestResult

__all__ = ["STATISTICS", "CellVcov", "association_test", "interaction_contrasts"]

#: the statistics of :func:`association_test` (R ``svychisq``'s ``statistic``)
STATISTICS = ("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint")

#: ``cell_vcov(table) -> (k, k)``: design covariance of the weighted totals of per-cell values
CellVcov = Callable[[np.ndarray], np.ndarray]


def interaction_contrasts(nr: int, nc: int) -> np.ndarray:
    """R's contrast matrix of the row-by-column interaction, (nr * nc, (nr-1)(nc-1)).

    The treatment-coded interaction columns of ``~rows*cols``, residualised on
    the main-effects model matrix; cells in column-major order.
    """
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    R = (rows[:, None] == np.arange(1, nr)[None, :]).astype(float)
    K = (cols[:, None] == np.arange(1, nc)[None, :]).astype(float)
    X1 = np.column_stack([np.ones(nr * nc), R, K])
    X12 = (K[:, :, None] * R[:, None, :]).reshape(nr * nc, -1)   # rows fastest within cols
    Q, _ = np.linalg.qr(X1)
    return X12 - Q @ (Q.T @ X12)


def association_test(totals: np.ndarray, cell_vcov: CellVcov, *, n_rows: float,
                     degf: float, statistic: str = "F", what: str = "the table",
                     eigenvalues: bool = True) -> TestResult:
    """Design-based test of association of an r x c table, as R ``svychisq``.

    Parameters
    ----------
    totals : ndarray (r, c)
        Estimated (weighted) cell totals; every row and column has a positive
        total.
    cell_vcov : callable
        ``cell_vcov(table)`` -> (k, k): the design covariance of the totals of
        ``table[cell]`` for a (r * c, k) ``table`` (see the module docstring).
    n_rows : float
        The number of respondents scaling X^2 (R: all rows of the design).
    degf : float
        Design degrees of freedom (PSUs minus strata).
    statistic : {"F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint"}
        See :func:`survey_kit.stats.design_tests.svychisq`.
    what : str
        Names the table in error messages, e.g. ``"'a' by 'b'"``.
    eigenvalues : bool, default True
        Report the eigenvalues of the design-effect matrix in ``details``
        (always computed for "lincom" and "saddlepoint"). False skips the
        eigen-decomposition when only "F" or "Chisq" is wanted.

    Returns
    -------
    TestResult
        ``row`` and ``col`` None and no warnings (the caller knows them);
        ``details``: ``pearson_x2, design_df, cramers_v`` and, for the
        Rao-Scott statistics, ``deff_mean, deff_eigenvalues, rao_scott_ndf,
        rao_scott_ddf``; for the Wald tests ``wald_chisq``.

    Raises
    ------
    DesignError
        Fewer than 1 design degree of freedom; no variance (a census); a
        singular covariance (Wald) or design-effect matrix.
    UsageError
        An unknown ``statistic``.

    Notes
    -----
    With :math:`\\hat p` the cell proportions (column-major),
    :math:`X^2 = n \\sum_{ij} (\\hat p_{ij} - \\hat p_{i+}\\hat p_{+j})^2 /
    (\\hat p_{i+}\\hat p_{+j})`, :math:`C` the interaction contrasts
    (:func:`interaction_contrasts`), :math:`D = \\mathrm{diag}(\\hat p)` and
    :math:`V` the design covariance of :math:`\\hat p` -- of the totals of the
    per-cell influence rows :math:`(D^{-1} C)_c - \\hat p^T D^{-1} C`, divided
    by :math:`\\hat N^2` -- the generalised design-effect matrix is
    :math:`\\Delta = (C^T D^{-1} C / n)^{-1} (C^T D^{-1} V D^{-1} C)`.
    Second order ("F"): :math:`X^2 / \\mathrm{tr}\\,\\Delta` on :math:`d_0 =
    (\\mathrm{tr}\\,\\Delta)^2 / \\mathrm{tr}(\\Delta^2)` and :math:`d_0 \\nu` df.
    First order ("Chisq"): :math:`X^2 / \\bar\\delta` on :math:`(r-1)(c-1)` df.
    "lincom" and "saddlepoint": the upper tail of :math:`\\sum_k \\delta_k
    \\chi^2_1 - (X^2 / d_0\\nu) \\chi^2_{d_0 \\nu}` (:mod:`.chisq_lincomb`).
    Wald: :math:`Y_{ij} = \\hat T_{ij} - \\hat T_{i+}\\hat T_{+j} / \\hat N`,
    :math:`i, j \\ge 2`, :math:`W = Y^T \\hat V(Y)^{-1} Y` with :math:`\\hat V(Y)`
    from the per-cell influence of Y; "Wald" is :math:`W / df` on
    :math:`(df, \\nu)`, "adjWald" :math:`W (\\nu - df + 1) / (df\\,\\nu)` on
    :math:`(df, \\nu - df + 1)`. p-values from survival functions.
    """
    if statistic not in STATISTICS:
        raise UsageError(f"statistic must be one of {', '.join(STATISTICS)}; "
                         f"got {statistic!r}")
    nu = float(degf)
    if nu < 1:
        raise DesignError(f"the design has {nu:g} degrees of freedom (PSUs minus strata); "
                          "a design-based test needs at least 1")
    T = np.asarray(totals, dtype=float)
    nr, nc = T.shape
    cells = T.T.ravel()                                # column-major, as R
    psum = cells.sum()
    m = cells / psum                                   # cell proportions
    P = m.reshape(nc, nr).T
    details: dict[str, Any] = {"pearson_x2": n_rows * phi_squared(P), "design_df": nu,
                               "cramers_v": table_cramers_v(P)}
    if statistic in ("Wald", "adjWald"):
        return _wald(T, psum, cell_vcov, nu, statistic, details, what)
    return _rao_scott(m, psum, cell_vcov, (nr, nc), n_rows, nu, statistic, details, what,
                      eigenvalues or statistic in ("lincom", "saddlepoint"))


def _design_effects(m: np.ndarray, psum: float, cell_vcov: CellVcov, shape: tuple[int, int],
                    n_rows: float, what: str) -> np.ndarray:
    """Rao and Scott's generalised design-effect matrix :math:`\\Delta` (q x q)."""
    C = interaction_contrasts(*shape)                  # (nr*nc, q)
    inv_m = np.divide(1.0, m, out=np.zeros_like(m), where=m > 0)
    B = inv_m[:, None] * C                             # D^-1 C, one row per cell
    denom = (C.T @ B) / n_rows
    center = m @ B                                     # mean of the respondents' rows
    V = cell_vcov(B - center) / psum ** 2
    try:
        return np.linalg.solve(denom, V)
    except np.linalg.LinAlgError as exc:
        raise DesignError(f"the Rao-Scott design-effect matrix of {what} cannot be formed "
                          "(singular contrasts)") from exc


def _rao_scott(m: np.ndarray, psum: float, cell_vcov: CellVcov, shape: tuple[int, int],
               n_rows: float, nu: float, statistic: str, details: dict[str, Any], what: str,
               eigenvalues: bool) -> TestResult:
    """First- and second-order corrected X^2 and the exact and saddlepoint tails."""
    from scipy import stats as st

    q = (shape[0] - 1) * (shape[1] - 1)
    Delta = _design_effects(m, psum, cell_vcov, shape, n_rows, what)
    tr = float(np.trace(Delta))
    if not np.isfinite(tr) or tr <= 0:
        raise DesignError(f"the design gives no variance for the table of {what} (a census, "
                          "or all weight in one PSU per stratum); a test of association is "
                          "not defined")
    d0 = tr * tr / float(np.trace(Delta @ Delta))
    details["deff_mean"] = tr / q
    eig = np.sort(np.linalg.eigvals(Delta).real)[::-1] if eigenvalues else None
    if eig is not None:
        details["deff_eigenvalues"] = tuple(eig.tolist())
    details.update(rao_scott_ndf=d0, rao_scott_ddf=d0 * nu)
    x2 = details["pearson_x2"]
    if statistic == "F":
        fstat = x2 / tr
        return TestResult("Pearson's X^2: Rao & Scott second-order adjustment", fstat,
                          (d0, d0 * nu), float(st.f.sf(fstat, d0, d0 * nu)), "F",
                          details=details)
    if statistic == "Chisq":
        return TestResult("Pearson's X^2: Rao & Scott first-order adjustment", x2, float(q),
                          float(st.chi2.sf(x2 / (tr / q), q)), "X-squared", details=details)
    if statistic == "lincom":
        return TestResult("Pearson's X^2: asymptotic exact distribution", x2, None,
                          pfsum_exact_upper(x2, eig, d0 * nu), "X-squared", details=details)
    return TestResult("Pearson's X^2: saddlepoint approximation", x2, None,
                      pfsum_saddlepoint_upper(x2, eig, d0 * nu), "X-squared", details=details)


def _wald_influence(T: np.ndarray, psum: float) -> tuple[np.ndarray, np.ndarray]:
    """The interaction contrasts Y (i, j >= 2, rows fastest) of the cell totals and the
    influence of each on a respondent of every cell: G (nr * nc, q)."""
    nr, nc = T.shape
    Rt, Ct = T.sum(axis=1), T.sum(axis=0)
    Y = (T - np.outer(Rt, Ct) / psum)[1:, 1:].T.ravel()
    a = np.tile(np.arange(nr), nc)[:, None]
    b = np.repeat(np.arange(nc), nr)[:, None]
    ii = np.tile(np.arange(1, nr), nc - 1)[None, :]
    jj = np.repeat(np.arange(1, nc), nr - 1)[None, :]
    G = ((a == ii) & (b == jj)).astype(float)
    G -= (a == ii) * (Ct[jj] / psum)
    G -= (b == jj) * (Rt[ii] / psum)
    G += Rt[ii] * Ct[jj] / psum ** 2
    return Y, G


def _wald(T: np.ndarray, psum: float, cell_vcov: CellVcov, nu: float, statistic: str,
          details: dict[str, Any], what: str) -> TestResult:
    """The Wald and adjusted Wald F tests on the scale of the cell totals."""
    from scipy import stats as st

    nr, nc = T.shape
    q = (nr - 1) * (nc - 1)
    Y, G = _wald_influence(T, psum)
    V = cell_vcov(G)
    try:
        W = float(Y @ np.linalg.solve(V, Y))
    except np.linalg.LinAlgError as exc:
        raise DesignError(f"the design covariance of the {nr} x {nc} table of {what} is "
                          "singular (too few PSUs for the size of the table, or empty "
                          "cells); use statistic='F'") from exc
    details["wald_chisq"] = W
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
                      details=details)
