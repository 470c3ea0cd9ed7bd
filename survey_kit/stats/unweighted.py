"""Unweighted tests of association on a DataFrame of respondents.

- :func:`pearson_chisq`, :func:`g_test` (likelihood ratio) -- from pingouin's
  ``chi2_independence``;
- :func:`fisher_exact` -- 2x2 (scipy) and r x c (exact network algorithm, or
  Monte Carlo as R's ``simulate.p.value``; :mod:`survey_kit.stats.fisher_rxc`);
- :func:`linear_by_linear` and :func:`cochran_armitage` -- trend tests for
  ordered bands.

Every test returns a :class:`~survey_kit.stats.result.TestResult`, p-values
from survival functions (never ``1 - cdf``). Respondents with a missing answer
are left out (``na_rm=True``) and empty levels dropped, each with a warning on
the result.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": list("xxxyyy") * 5, "b": list("pqpqqq") * 5})
>>> print(pearson_chisq(df, "a", "b"))
Pearson's Chi-squared test
data: a by b
X-squared = 15, df = 1, p-value = 0.0001075

References
----------
Agresti, A. (2013). Categorical Data Analysis, 3rd ed. Wiley.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._renamed import renamed
from ..errors import CrosstabError, UsageError
from .fisher_rxc import fisher_monte_carlo, fisher_network
from .result import TestResult
from .two_way import (
    TwoWay,
    all_levels,
    cell_counts,
    column,
    factor,
    level_list,
    require_values,
    two_way,
)

__all__ = ["cochran_armitage", "fisher_exact", "g_test", "linear_by_linear", "pearson_chisq"]


def _sparse_warning(table: np.ndarray) -> tuple[str, ...]:
    """A warning when expected counts fall below 5."""
    E = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    low = int((E < 5).sum())
    if low:
        note = (f"{low} of {E.size} cells have an expected count below 5; the chi-squared "
                "approximation may be poor (consider fisher_exact)")
        return (note,)
    return ()


def pingouin_row(tb: TwoWay, test: str, correction: bool) -> pd.Series:
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
    tb = two_way(data, row, col, None, na_rm, what="")
    res = pingouin_row(tb, "pearson", correction)
    table = cell_counts(tb)
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
    tb = two_way(data, row, col, None, na_rm, what="")
    res = pingouin_row(tb, "log-likelihood", False)
    table = cell_counts(tb)
    return TestResult("Likelihood-ratio (G) test of independence", float(res["chi2"]),
                      float(res["dof"]), float(res["pval"]), "G", row, col,
                      {"n": int(table.sum())}, tb.warnings + _sparse_warning(table))


def _seed_of(seed: Any, random_state: Any) -> Any:
    """``seed``, or the deprecated ``random_state`` (with a warning)."""
    return renamed("fisher_exact", "seed", seed, seed is not None, "random_state",
                   random_state)


def fisher_exact(data: pd.DataFrame, row: str, col: str, *, simulate: bool = False,
                 n_resamples: int = 2000, seed: Any = None,
                 max_paths: int = 300_000, na_rm: bool = True,
                 random_state: Any = None) -> TestResult:
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
    seed : None, int or numpy.random.Generator
        Seed of the simulation (the name every seeded function of survey_kit uses).
    max_paths : int, default 300,000
        Work limit of the exact r x c algorithm: the number of partial tables
        (distinct remaining margins times column fillings) it may expand, a
        few seconds' work; beyond it a :class:`CrosstabError` suggests
        ``simulate=True``.
    na_rm : bool, default True
        As :func:`pearson_chisq`.
    random_state : optional
        Deprecated alias of ``seed``; it emits a :class:`DeprecationWarning`, and
        passing both is a :class:`~survey_kit.errors.UsageError`.

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
    tb = two_way(data, row, col, None, na_rm, what="")
    table = cell_counts(tb)
    details: dict[str, Any] = {"n": int(table.sum())}
    from scipy import stats as st

    if simulate:
        if int(n_resamples) < 1:
            raise UsageError(f"n_resamples must be a positive integer; got {n_resamples!r}")
        p, stat = fisher_monte_carlo(table, int(n_resamples),
                                     _seed_of(seed, random_state))
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
    p, stat = fisher_network(table, max_paths, row, col)
    return TestResult("Fisher's exact test", stat, None, p, "P(table)", row, col, details,
                      tb.warnings)


def _scores(spec: Any, labels: np.ndarray, kept: np.ndarray, name: str,
            role: str) -> np.ndarray:
    """Scores of the kept levels: default 1..K over all levels, a sequence over all
    levels, or a mapping level -> score."""
    if spec is None:
        return (np.arange(len(labels), dtype=float) + 1.0)[kept]
    if isinstance(spec, Mapping):
        missing = [lab for lab in labels[kept] if lab not in spec]
        if missing:
            raise UsageError(f"{role} has no score for level(s) {level_list(np.array(missing))}"
                             f" of {name!r}; give a score for every level present")
        vals = [spec[lab] for lab in labels[kept]]
    else:
        vals = list(spec)
        if len(vals) != len(labels):
            raise UsageError(f"{role} has {len(vals)} scores but {name!r} has {len(labels)} "
                             f"levels ({level_list(labels)}); give one score per level in "
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
    """Pearson correlation of the row and column scores over the table."""
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

    tb = two_way(data, row, col, None, na_rm, what="")
    table = cell_counts(tb)
    u = _scores(row_scores, all_levels(data[row]), tb.rkept, row, "row_scores")
    v = _scores(col_scores, all_levels(data[col]), tb.ckept, col, "col_scores")
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

    out_values = column(data, outcome, "outcome")
    codes, labels = factor(out_values)
    require_values(codes, outcome, len(codes))
    if event is None:
        present = labels[np.unique(codes[codes >= 0])] if (codes >= 0).any() else labels
        if len(present) != 2:
            raise CrosstabError(
                f"{outcome!r} has {len(present)} levels ({level_list(present)}); give "
                "event= to name the level counted as the event", column=outcome)
        event = present[1]
    if event not in set(labels.tolist()):
        raise UsageError(f"event {event!r} is not a level of {outcome!r} "
                         f"({level_list(labels)})")
    binary = pd.Series(np.where(codes < 0, np.nan, (out_values.to_numpy() == event) * 1.0),
                       index=data.index)
    frame = pd.DataFrame({band: data[band], outcome: binary})
    tb = two_way(frame, band, outcome, None, na_rm, what="")
    table = cell_counts(tb)
    if tb.shape[1] != 2:    # pragma: no cover - _two_way ensures 2 levels
        raise CrosstabError(f"{outcome!r} needs both events and non-events")
    s = _scores(scores, all_levels(data[band]), tb.rkept, band, "scores")
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
