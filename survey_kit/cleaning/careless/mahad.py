"""Mahad: the Mahalanobis distance D2 of each respondent, and its chi-square cut-off.

The covariance, inverse and distances take a row source
(:mod:`survey_kit.cleaning.careless.rows`), so that the Mahalanobis rule of
:func:`survey_kit.clean` shares them with :func:`mahad`.

Example
-------
>>> x = [[1, 2], [2, 1], [3, 3], [4, 5], [5, 4]]
>>> mahad(x).round(4).tolist()
[2.0, 2.0, 0.0, 2.0, 2.0]
>>> round(chi2_quantile(0.99, 2), 4)
9.2103
"""

from __future__ import annotations


import numpy as np

from ..._renamed import renamed
from ...errors import CleaningError
from .inputs import as_matrix, frame_with_index, with_index
from .rows import ROW_BLOCK, ArrayRows, Rows


def mahad_cov(rows: Rows) -> tuple[np.ndarray, np.ndarray, bool]:
    """(covariance, column means, complete) as R's ``cov(x, use = "pairwise")``.

    Complete data: :math:`S = Z^\\top Z / (n - 1)` with Z the centred answers.
    With missing answers each entry uses the rows where both items exist,
    after a shift by the column means (covariance is shift invariant; the
    one-pass sums stay well conditioned):
    :math:`S_{jl} = (P_{jl} - s_{jl} s_{lj} / n_{jl}) / (n_{jl} - 1)` with
    :math:`P = Z^\\top Z`, :math:`s = Z^\\top M`, :math:`n = M^\\top M`, Z the
    shifted answers (0 where missing) and M the answered indicators.
    Accumulated over row blocks.
    """
    n, k = rows.n, rows.k
    if not rows.has_missing():
        centre = rows.means()
        acc = np.zeros((k, k))
        for s0 in range(0, n, ROW_BLOCK):             # row blocks, no n x k temporary
            z = rows.centred(s0, min(n, s0 + ROW_BLOCK), centre)
            acc += z.T @ z
        return acc / (n - 1), centre, True
    centre = rows.answered_means()
    npair, sum_j, prod = np.zeros((k, k)), np.zeros((k, k)), np.zeros((k, k))
    for s0 in range(0, n, ROW_BLOCK):
        z, m = rows.masked(s0, min(n, s0 + ROW_BLOCK), centre)
        npair += m.T @ m
        sum_j += z.T @ m               # [j, l]: sum of item j over rows where j and l exist
        prod += z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (prod - sum_j * sum_j.T / npair) / (npair - 1)
    cov[npair < 2] = np.nan
    return cov, centre, False


def mahad_inverse(cov: np.ndarray, singular: str) -> np.ndarray:
    """Inverse of the covariance matrix; CleaningError, or the pseudo-inverse, when singular."""
    if not np.isfinite(cov).all():
        raise CleaningError("mahad: some pair of items is never answered together, so their "
                            "covariance is undefined; drop the sparse items")
    try:
        if np.linalg.cond(cov) > 1e12:
            raise np.linalg.LinAlgError
        return np.linalg.inv(cov)
    except np.linalg.LinAlgError:
        if singular == "error":
            raise CleaningError("mahad: the covariance matrix of the items is singular (an item "
                                "is constant or items are collinear); drop such items or use "
                                "singular='pinv'") from None
        return np.linalg.pinv(cov)


def mahad_distances(rows: Rows, centre: np.ndarray, complete: bool,
                    inv: np.ndarray) -> np.ndarray:
    """:math:`D^2_i = z_i^\\top S^{-1} z_i`, a missing centred answer counting 0 (NaN if none)."""
    n = rows.n
    d2 = np.empty(n)
    for s0 in range(0, n, ROW_BLOCK):                 # row blocks, to stay in cache
        s1 = min(n, s0 + ROW_BLOCK)
        z = rows.centred(s0, s1, centre)
        if not complete:
            blank = np.isnan(z)
            z[blank] = 0.0
        d2[s0:s1] = np.einsum("ij,ij->i", z @ inv, z)
        if not complete:
            d2[s0:s1][blank.all(axis=1)] = np.nan
    return d2


def chi2_quantile(p: float, df: float) -> float:
    """Quantile of the chi-square distribution (R ``qchisq(p, df)``)."""
    from scipy.special import gammaincinv  # lighter than scipy.stats

    return float(2.0 * gammaincinv(df / 2.0, p))


class _Default(float):
    """A default value that can be told apart from the same number passed by the caller."""


#: the default of ``conf_level``: prints as 0.99, and is the object itself only when
#: the caller left ``conf_level`` out (so that passing it with ``confidence`` is an error)
_CONF_LEVEL = _Default(0.99)


def mahad(x, flag: bool = False, conf_level: float = _CONF_LEVEL, singular: str = "error", *,
          confidence: float | None = None):
    """Mahalanobis :math:`D^2` of each respondent (careless ``mahad``).

    Parameters
    ----------
    x : DataFrame or array-like, shape (n, k)
        Numeric item scores; missing values allowed.
    flag : bool, default False
        Also return ``flagged = D2 > qchisq(conf_level, df = k)``.
    conf_level : float, default 0.99
        Level of the chi-square quantile used to flag, strictly between 0
        and 1.
    singular : {"error", "pinv"}
        What to do when the covariance matrix cannot be inverted: raise
        CleaningError (as R's ``solve`` fails), or use the Moore-Penrose
        pseudo-inverse.
    confidence : float, optional
        Deprecated alias of ``conf_level`` (keyword only); it emits a
        :class:`DeprecationWarning`, and passing both is a
        :class:`~survey_kit.errors.UsageError`.

    Returns
    -------
    Series / ndarray of D2, or a DataFrame with ``raw`` and ``flagged``.

    Notes
    -----
    As careless, which calls ``psych::outlier``: the covariance matrix
    :math:`S` is the sample covariance (``n - 1``) from pairwise-complete
    observations, answers are centred on the column means, and
    :math:`D^2_i = z_i^\\top S^{-1} z_i` where a missing centred answer
    contributes 0. Rows with no answer at all get NaN (psych gives 0).
    Flagged above :math:`\\chi^2_{k}(0.99)` with k the number of items.
    The sums run over blocks of 65,536 rows, so that no n x k temporary is
    made beyond the input itself.

    References
    ----------
    Meade & Craig (2012); Revelle, R package psych (``outlier``).

    Example
    -------
    >>> rng = np.random.default_rng(1)
    >>> d2 = mahad(rng.normal(size=(200, 3)))
    >>> bool(abs(d2.mean() - 3 * 199 / 200) < 1e-9)    # mean of D2 is k (n-1)/n
    True
    """
    arr, index = as_matrix(x, "mahad")
    if singular not in ("error", "pinv"):
        raise CleaningError(f"mahad: singular must be 'error' or 'pinv', not {singular!r}")
    conf_level = _level(conf_level, confidence)
    if (isinstance(conf_level, (bool, np.bool_))
            or not isinstance(conf_level, (int, float, np.integer, np.floating))
            or not 0 < conf_level < 1):
        raise CleaningError(f"mahad: conf_level must be between 0 and 1 (a number, both ends "
                            f"excluded), not {conf_level!r}")
    n, k = arr.shape
    if n < 2:
        raise CleaningError(f"mahad: at least two respondents are needed, got {n}")
    rows = ArrayRows(arr)
    cov, centre, complete = mahad_cov(rows)
    d2 = mahad_distances(rows, centre, complete, mahad_inverse(cov, singular))
    if not flag:
        return with_index(d2, index, "mahad")
    cut = chi2_quantile(float(conf_level), k)
    return frame_with_index({"raw": d2, "flagged": d2 > cut}, index)



def _level(conf_level: float, confidence: float | None) -> float:
    """``conf_level``, or the deprecated ``confidence`` when that alone was given."""
    return renamed("mahad", "conf_level", conf_level, conf_level is not _CONF_LEVEL,
                   "confidence", confidence)
