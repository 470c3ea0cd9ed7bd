"""Indices of careless and fraudulent responding, vectorised over respondents.

The response-pattern indices follow the definitions of the R package
``careless`` (Yentes & Wilhelm): :func:`longstring` (longest and average run
of identical consecutive answers), :func:`irv` (intra-individual response
variability, the row standard deviation), :func:`mahad` (Mahalanobis
:math:`D^2` as computed by ``psych::outlier``, flagged above a chi-square
quantile) and :func:`evenodd` (even-odd consistency with the Spearman-Brown
correction). They agree with R on the fixtures in ``tests/fixtures/r/``.

Two detectors of fraudulent answers complete them: :func:`near_duplicates`
(respondents whose answer vectors are almost identical) and
:func:`gibberish` (keyboard mashing in open-ended answers).

Every function works on whole columns (numpy / pandas vector operations);
none loops over respondents in Python.

Example
-------
>>> import numpy as np
>>> from survey_kit.cleaning.careless import longstring, irv
>>> x = np.array([[3, 3, 3, 3], [1, 2, 2, 5]])
>>> longstring(x).tolist()
[4, 2]
>>> irv(x).round(4).tolist()
[0.0, 1.7321]

References
----------
Yentes, R. D., & Wilhelm, F. (2023). careless: Procedures for computing
indices of careless responding. R package.
Johnson, J. A. (2005). Ascertaining the validity of individual protocols from
web-based personality inventories. Journal of Research in Personality, 39, 103-129.
Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018).
Intra-individual response variability as an indicator of insufficient effort
responding. Journal of Business and Psychology, 33(1), 105-121.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey
data. Psychological Methods, 17(3), 437-455.
Curran, P. G. (2016). Methods for the detection of carelessly invalid
responses in survey data. Journal of Experimental Social Psychology, 66, 4-19.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import CleaningError

__all__ = [
    "NearDuplicates",
    "evenodd",
    "gibberish",
    "irv",
    "longstring",
    "mahad",
    "near_duplicates",
]


# ---------------------------------------------------------------------------
# input


def _matrix(x, what: str) -> tuple[np.ndarray, pd.Index | None]:
    """A float64 (n, k) matrix of ``x`` and its row index (None for arrays).

    Categorical columns are taken as their level positions 1..k, so that the
    indices can be computed on the labelled frame directly.
    """
    index = None
    if isinstance(x, pd.Series):
        x = x.to_frame()
    if isinstance(x, pd.DataFrame):
        index = x.index
        cols = []
        for name in x.columns:
            col = x[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                codes = col.cat.codes.to_numpy().astype(np.float64)
                codes[codes < 0] = np.nan
                cols.append(codes + 1.0)
            elif pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
                cols.append(col.to_numpy(dtype=np.float64, na_value=np.nan))
            else:
                raise CleaningError(f"{what}: column {name!r} is not numeric or categorical "
                                    f"(dtype {col.dtype}); give numeric item scores")
        arr = np.column_stack(cols) if cols else np.empty((len(x), 0))
    else:
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError):
            raise CleaningError(f"{what}: the data must be numeric item scores") from None
        if arr.ndim == 1:
            arr = arr[:, None]
    if arr.ndim != 2:
        raise CleaningError(f"{what}: the data must be a 2-d table (respondents x items)")
    if arr.shape[1] == 0:
        raise CleaningError(f"{what}: no items given; pass at least one column")
    return arr, index


def _wrap(values, index, name):
    return pd.Series(values, index=index, name=name) if index is not None else values


def _frame(columns: dict, index) -> pd.DataFrame:
    """Columns of per-respondent arrays, on the respondents' index when the input had one."""
    out = pd.DataFrame(columns)
    if index is not None:
        out.index = index
    return out


# ---------------------------------------------------------------------------
# careless-package indices


def longstring(x, avg: bool = False):
    """Longest run of identical consecutive answers (careless ``longstring``).

    Parameters
    ----------
    x : DataFrame or array-like, shape (n respondents, k items)
        Item answers in questionnaire order (scores, codes or categoricals).
    avg : bool, default False
        Also return ``avgstr``, the average length of the runs.

    Returns
    -------
    Series / ndarray of int (``longstr``), or a DataFrame with columns
    ``longstr`` and ``avgstr`` when ``avg=True``.

    Notes
    -----
    As R's ``careless::longstring``, which applies ``rle`` to each row: a run
    is a maximal stretch of equal consecutive answers; ``longstr`` is the
    longest run and ``avgstr`` the mean run length, ``k / number of runs``.
    As in ``rle``, a missing answer never equals its neighbour, so it breaks
    a run and forms a run of length 1 itself.

    References
    ----------
    Johnson (2005); Yentes & Wilhelm, R package careless.

    Example
    -------
    >>> longstring([[1, 1, 2, 2, 2], [4, 4, 4, 4, 4]], avg=True)
       longstr  avgstr
    0        3     2.5
    1        5     5.0
    """
    arr, index = _matrix(x, "longstring")
    longest, avgstr = _longstring_columns(list(np.ascontiguousarray(arr.T)))
    if not avg:
        return _wrap(longest, index, "longstr")
    return _frame({"longstr": longest, "avgstr": avgstr}, index)


def _longstring_columns(cols: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(longstr, avgstr) from item columns (1-d float arrays, NaN = missing)."""
    n = cols[0].shape[0]
    current = np.ones(n, dtype=np.int64)
    longest = np.ones(n, dtype=np.int64)
    runs = np.ones(n, dtype=np.int64)
    for prev, cur in itertools.pairwise(cols):     # loop over items, not respondents
        same = prev == cur                          # NaN compares unequal
        current = np.where(same, current + 1, 1)
        np.maximum(longest, current, out=longest)
        runs += ~same
    return longest, len(cols) / runs


def _longstring_codes(codes: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_longstring_columns` from integer item codes (negative = missing).

    The same runs (a missing answer equals nothing), counted in 16-bit integers
    in place: ``longstr`` (int64) and ``avgstr`` (float64) are identical.
    """
    n, k = codes[0].shape[0], len(codes)
    small = np.int16 if k < np.iinfo(np.int16).max else np.int64
    current = np.ones(n, dtype=small)
    longest = np.ones(n, dtype=small)
    n_same = np.zeros(n, dtype=small)
    same = np.empty(n, dtype=bool)
    for prev, cur in itertools.pairwise(codes):     # loop over items, not respondents
        np.equal(prev, cur, out=same)
        if cur.size and cur.min() < 0:
            same &= cur >= 0
        current *= same                             # where(same, current + 1, 1)
        current += 1
        np.maximum(longest, current, out=longest)
        n_same += same
    runs = k - n_same.astype(np.int64)
    return longest.astype(np.int64), k / runs


def _irv_codes(codes: list[np.ndarray], tables: list[np.ndarray], na_rm: bool) -> np.ndarray:
    """:func:`_irv_columns` of the scores ``tables[j][codes[j]]`` (code -1 = last entry, NaN).

    The same arithmetic in the same order, so the result is identical. When
    every answer is present the count is k on every row (no masking), and
    scores that are a line in the code (``a + b * code``, e.g. code + 1) are
    made by a cast instead of a look-up.
    """
    n, k = codes[0].shape[0], len(codes)
    if n == 0 or any(c.min() < 0 or not np.isfinite(t[:-1]).all() for c, t in zip(codes, tables)):
        return _irv_columns([t[c] for c, t in zip(codes, tables)], na_rm)
    lines = [_line(t) for t in tables]

    def scores(j: int) -> np.ndarray:
        if lines[j] is None:
            return tables[j][codes[j]]
        a, b = lines[j]
        out = codes[j].astype(np.float64)
        if b != 1.0:
            out *= b
        out += a
        return out

    total = np.zeros(n)
    for j in range(k):                              # loop over items, not respondents
        total += scores(j)
    mean = total / float(k)
    del total
    ss = np.zeros(n)
    for j in range(k):
        d = scores(j)
        d -= mean
        d *= d
        ss += d
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(ss / (float(k) - 1.0))
    if k < 2:
        sd[:] = np.nan
    return sd


def irv(x, na_rm: bool = False):
    """Intra-individual response variability (careless ``irv``): the row SD.

    Parameters
    ----------
    x : DataFrame or array-like, shape (n, k)
        Numeric item scores.
    na_rm : bool, default False
        False (as careless, which calls ``sd`` without ``na.rm``): a row with
        any missing answer gets NaN. True: the SD of the answered items (NaN
        when fewer than two are answered).

    Notes
    -----
    :math:`IRV_i = \\sqrt{\\sum_j (x_{ij} - \\bar x_i)^2 / (k_i - 1)}`, the
    standard deviation with the ``n - 1`` denominator, as R's ``sd``.
    Low values point to straight-lining (Dunn et al., 2018), very high values
    to random answering (Marjanovic et al., 2015).

    Example
    -------
    >>> irv([[1, 2, 3], [2, 2, 2]]).round(4).tolist()
    [1.0, 0.0]
    """
    arr, index = _matrix(x, "irv")
    return _wrap(_irv_columns(list(np.ascontiguousarray(arr.T)), na_rm), index, "irv")


def _irv_columns(cols: list[np.ndarray], na_rm: bool) -> np.ndarray:
    """Row SD (n - 1) from item columns, accumulated item by item."""
    n = cols[0].shape[0]
    cnt = np.zeros(n)
    total = np.zeros(n)
    for c in cols:                                  # loop over items, not respondents
        ok = ~np.isnan(c)
        cnt += ok
        total += np.where(ok, c, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / cnt
        ss = np.zeros(n)
        for c in cols:
            d = c - mean
            ss += np.where(np.isnan(d), 0.0, d * d)
        sd = np.sqrt(ss / (cnt - 1))
    sd[cnt < 2] = np.nan
    if not na_rm:
        sd[cnt < len(cols)] = np.nan
    return sd


def _column_means(arr: np.ndarray) -> np.ndarray:
    """Means of the columns over their non-missing values (NaN for an empty column)."""
    total = np.zeros(arr.shape[1])
    count = np.zeros(arr.shape[1])
    for s0 in range(0, arr.shape[0], 65536):         # row blocks, no n x k temporary
        block = arr[s0:s0 + 65536]
        ok = ~np.isnan(block)
        total += np.where(ok, block, 0.0).sum(axis=0)
        count += ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


_ROW_BLOCK = 65536     # rows per block of the covariance and distance passes


class _Rows(ABC):
    """An n x k matrix of item scores (NaN = missing), handed out in row blocks.

    :func:`mahad` never needs the whole matrix at once: one pass for the
    column means, one for the covariance, one for the distances. Two sources:
    a float matrix (:class:`_ArrayRows`) and integer item codes with a score
    table per item (:class:`_CodedRows`, used by :func:`survey_kit.clean`),
    which hold 1 byte per answer instead of 8. Both give identical blocks, so
    :math:`D^2` is the same to the last bit.
    """

    n: int
    k: int

    @abstractmethod
    def has_missing(self) -> bool:
        ...

    @abstractmethod
    def means(self) -> np.ndarray:
        """Column means, summed row after row as ``arr.mean(axis=0)`` (no missing value)."""
        ...

    @abstractmethod
    def answered_means(self) -> np.ndarray:
        """Column means over the answered rows, summed per row block as :func:`_column_means`."""
        ...

    @abstractmethod
    def centred(self, s0: int, s1: int, centre: np.ndarray) -> np.ndarray:
        """Rows s0:s1 minus ``centre`` (NaN kept), a C-contiguous float64 block."""
        ...

    @abstractmethod
    def masked(self, s0: int, s1: int, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows minus ``centre`` with 0 where missing, 1.0 where answered else 0.0)."""
        ...


class _ArrayRows(_Rows):
    def __init__(self, arr: np.ndarray) -> None:
        self.arr = arr
        self.n, self.k = arr.shape

    def has_missing(self) -> bool:
        return bool(np.isnan(self.arr).any())

    def means(self) -> np.ndarray:
        return self.arr.mean(axis=0)

    def answered_means(self) -> np.ndarray:
        return _column_means(self.arr)

    def centred(self, s0, s1, centre):
        return self.arr[s0:s1] - centre

    def masked(self, s0, s1, centre):
        block = self.arr[s0:s1]
        ok = ~np.isnan(block)
        return np.where(ok, block - np.nan_to_num(centre), 0.0), ok.astype(np.float64)


class _CodedRows(_Rows):
    """Item j of row i scores ``tables[j][codes[j][i]]``; code -1 takes the last entry (NaN)."""

    def __init__(self, codes: list[np.ndarray], tables: list[np.ndarray]) -> None:
        self.codes = codes
        self.tables = [np.asarray(t, dtype=np.float64) for t in tables]
        self.n, self.k = codes[0].shape[0], len(codes)
        # answers per code (index 0: code -1), item by item
        self.counts = [_code_counts(c, t.size - 1) for c, t in zip(codes, self.tables)]
        # scores a + b * code (e.g. score = code + 1) on every item, and no blank:
        # blocks are then made by a cast and two vector operations, not a look-up
        lines = [_line(t) for t in self.tables]
        self._lines = None
        if all(ln is not None for ln in lines) and not any(cnt[0] for cnt in self.counts):
            self._lines = (np.array([ln[0] for ln in lines]), np.array([ln[1] for ln in lines]))
            self._code_type = np.result_type(*[c.dtype for c in codes])

    def _used(self, j: int) -> np.ndarray:
        """Positions in table j of the codes that occur (-1 as the last entry)."""
        cnt = self.counts[j]
        return np.r_[np.flatnonzero(cnt[1:]), [self.tables[j].size - 1] if cnt[0] else []
                     ].astype(np.intp)

    def has_missing(self) -> bool:
        return any(np.isnan(t[self._used(j)]).any() for j, t in enumerate(self.tables))

    def _exact_sums(self) -> bool:
        """Integer scores whose sums stay exact in float64: any order of adding is exact."""
        return all(np.all(np.isfinite(t[:-1]) & (t[:-1] == np.round(t[:-1])))
                   and float(np.abs(t[:-1]).max(initial=0.0)) * self.n < 2.0 ** 52
                   for t in self.tables)

    def _sums(self) -> tuple[np.ndarray, np.ndarray]:
        """(sum, count) of each column over its answered rows, exactly (integer scores)."""
        total, count = np.zeros(self.k), np.zeros(self.k)
        for j, (t, cnt) in enumerate(zip(self.tables, self.counts)):
            ok = ~np.isnan(t[:-1])
            total[j] = float(sum(int(c) * int(s) for c, s in zip(cnt[1:][ok], t[:-1][ok])))
            count[j] = float(cnt[1:][ok].sum())
        return total, count

    def _block(self, s0: int, s1: int, tables: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        for j, (c, t) in enumerate(zip(self.codes, tables)):   # loop over items
            np.take(t, c[s0:s1], out=out[:, j], mode="wrap")     # -1 wraps to the last entry
        return out

    def means(self) -> np.ndarray:
        if self._exact_sums():
            total, _ = self._sums()
            return total / self.n
        acc = np.zeros(self.k)                         # running sum carried as row 0
        for s0 in range(0, self.n, _ROW_BLOCK):
            s1 = min(self.n, s0 + _ROW_BLOCK)
            buf = np.empty((s1 - s0 + 1, self.k))
            buf[0] = acc
            self._block(s0, s1, self.tables, buf[1:])
            acc = buf.sum(axis=0)
        return acc / self.n

    def answered_means(self) -> np.ndarray:
        if self._exact_sums():
            total, count = self._sums()
        else:
            zero = [np.where(np.isnan(t), 0.0, t) for t in self.tables]
            answered = [(~np.isnan(t)).astype(np.float64) for t in self.tables]
            total, count = np.zeros(self.k), np.zeros(self.k)
            for s0 in range(0, self.n, _ROW_BLOCK):
                s1 = min(self.n, s0 + _ROW_BLOCK)
                total += self._block(s0, s1, zero, np.empty((s1 - s0, self.k))).sum(axis=0)
                count += self._block(s0, s1, answered,
                                     np.empty((s1 - s0, self.k))).sum(axis=0).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / count

    def centred(self, s0, s1, centre):
        out = np.empty((s1 - s0, self.k))
        if self._lines is not None:
            a, b = self._lines
            unit = bool(np.all(b == 1.0))
            step = 8192                                # pieces that stay in cache
            codes = np.empty((min(step, s1 - s0), self.k), dtype=self._code_type)
            for p0 in range(s0, s1, step):
                p1 = min(s1, p0 + step)
                piece, cp = out[p0 - s0:p1 - s0], codes[:p1 - p0]
                for j, c in enumerate(self.codes):     # loop over items
                    cp[:, j] = c[p0:p1]
                np.copyto(piece, cp)                   # score = a + b * code, exactly
                if not unit:
                    piece *= b
                piece += a
                piece -= centre
            return out
        key = ("centred", centre.tobytes())
        if getattr(self, "_key", None) != key:         # tables of score - centre
            self._key = key
            self._shifted = [t - c for t, c in zip(self.tables, centre)]
        return self._block(s0, s1, self._shifted, out)

    def masked(self, s0, s1, centre):
        key = ("masked", centre.tobytes())
        if getattr(self, "_key", None) != key:
            self._key = key
            shift = np.nan_to_num(centre)
            self._shifted = [np.where(np.isnan(t), 0.0, t - c) for t, c in zip(self.tables, shift)]
            self._answered = [(~np.isnan(t)).astype(np.float64) for t in self.tables]
        return (self._block(s0, s1, self._shifted, np.empty((s1 - s0, self.k))),
                self._block(s0, s1, self._answered, np.empty((s1 - s0, self.k))))


def _code_counts(codes: np.ndarray, n_levels: int) -> np.ndarray:
    """Answers per code: index 0 counts code -1 (blank), index c + 1 counts code c."""
    if n_levels <= 32:                                 # a few levels: one compare each
        return np.array([np.count_nonzero(codes == c) for c in range(-1, n_levels)],
                        dtype=np.int64)
    return np.bincount(codes.astype(np.intp) + 1, minlength=n_levels + 1)


def _line(table: np.ndarray) -> tuple[float, float] | None:
    """(a, b) when ``table[c] == a + b * c`` exactly in float64 for every level c, else None."""
    levels = table[:-1]
    if levels.size == 0 or not np.isfinite(levels).all():
        return None
    a = float(levels[0])
    b = float(levels[1] - levels[0]) if levels.size > 1 else 1.0
    c = np.arange(levels.size, dtype=np.float64)
    if not np.array_equal(c * b + a, levels):
        return None
    return a, b


def _mahad_cov(rows: _Rows) -> tuple[np.ndarray, np.ndarray, bool]:
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
        for s0 in range(0, n, _ROW_BLOCK):             # row blocks, no n x k temporary
            z = rows.centred(s0, min(n, s0 + _ROW_BLOCK), centre)
            acc += z.T @ z
        return acc / (n - 1), centre, True
    centre = rows.answered_means()
    npair, sum_j, prod = np.zeros((k, k)), np.zeros((k, k)), np.zeros((k, k))
    for s0 in range(0, n, _ROW_BLOCK):
        z, m = rows.masked(s0, min(n, s0 + _ROW_BLOCK), centre)
        npair += m.T @ m
        sum_j += z.T @ m               # [j, l]: sum of item j over rows where j and l exist
        prod += z.T @ z
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (prod - sum_j * sum_j.T / npair) / (npair - 1)
    cov[npair < 2] = np.nan
    return cov, centre, False


def _mahad_inverse(cov: np.ndarray, singular: str) -> np.ndarray:
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


def _mahad_distances(rows: _Rows, centre: np.ndarray, complete: bool,
                     inv: np.ndarray) -> np.ndarray:
    """:math:`D^2_i = z_i^\\top S^{-1} z_i`, a missing centred answer counting 0 (NaN if none)."""
    n = rows.n
    d2 = np.empty(n)
    for s0 in range(0, n, _ROW_BLOCK):                 # row blocks, to stay in cache
        s1 = min(n, s0 + _ROW_BLOCK)
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


def mahad(x, flag: bool = False, confidence: float = 0.99, singular: str = "error"):
    """Mahalanobis :math:`D^2` of each respondent (careless ``mahad``).

    Parameters
    ----------
    x : DataFrame or array-like, shape (n, k)
        Numeric item scores; missing values allowed.
    flag : bool, default False
        Also return ``flagged = D2 > qchisq(confidence, df = k)``.
    confidence : float, default 0.99
        Level of the chi-square quantile used to flag.
    singular : {"error", "pinv"}
        What to do when the covariance matrix cannot be inverted: raise
        CleaningError (as R's ``solve`` fails), or use the Moore-Penrose
        pseudo-inverse.

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
    arr, index = _matrix(x, "mahad")
    if singular not in ("error", "pinv"):
        raise CleaningError(f"mahad: singular must be 'error' or 'pinv', not {singular!r}")
    if not 0 < confidence < 1:
        raise CleaningError(f"mahad: confidence must be between 0 and 1, not {confidence!r}")
    n, k = arr.shape
    if n < 2:
        raise CleaningError(f"mahad: at least two respondents are needed, got {n}")
    rows = _ArrayRows(arr)
    cov, centre, complete = _mahad_cov(rows)
    d2 = _mahad_distances(rows, centre, complete, _mahad_inverse(cov, singular))
    if not flag:
        return _wrap(d2, index, "mahad")
    cut = chi2_quantile(confidence, k)
    return _frame({"raw": d2, "flagged": d2 > cut}, index)


def evenodd(x, factors, diag: bool = False):
    """Even-odd consistency (careless ``evenodd``).

    Parameters
    ----------
    x : DataFrame or array-like, shape (n, k)
        Item scores, the items of each unidimensional scale in adjacent columns.
    factors : sequence of int
        Length of each scale, in column order; must add up to k.
    diag : bool, default False
        Also return ``eo_pairs``, the number of scales where both halves have
        an answer (careless calls this column ``eo_missing``).

    Notes
    -----
    For each scale the mean of its even-numbered items (2nd, 4th, ...) and of
    its odd-numbered items (1st, 3rd, ...) is taken over the answered items.
    Across scales, the within-person Pearson correlation r of the two halves
    (pairwise complete scales) is corrected by Spearman-Brown,
    :math:`2r / (1 + r)`, and values below -1 are set to -1, as careless.
    Needs at least three scales to be informative; NaN where r is undefined.
    Low (or negative) values point to careless answering.

    Example
    -------
    >>> x = [[1, 1, 3, 3, 5, 5], [1, 5, 3, 3, 5, 1]]
    >>> evenodd(x, [2, 2, 2]).round(4).tolist()
    [1.0, -1.0]
    """
    arr, index = _matrix(x, "evenodd")
    factors = [int(f) for f in factors]
    if any(f < 1 for f in factors) or sum(factors) != arr.shape[1]:
        raise CleaningError(f"evenodd: factor lengths {factors} must be positive and add up to "
                            f"the {arr.shape[1]} items given")
    evens, odds = [], []
    start = 0
    with np.errstate(invalid="ignore"):
        for f in factors:
            block = arr[:, start:start + f]
            evens.append(_nanmean_rows(block[:, 1::2]))
            odds.append(_nanmean_rows(block[:, 0::2]))
            start += f
    e = np.column_stack(evens)
    o = np.column_stack(odds)
    both = ~np.isnan(e) & ~np.isnan(o)
    cnt = both.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ez = np.where(both, e, 0.0)
        oz = np.where(both, o, 0.0)
        me = ez.sum(axis=1) / cnt
        mo = oz.sum(axis=1) / cnt
        de = np.where(both, e - me[:, None], 0.0)
        do = np.where(both, o - mo[:, None], 0.0)
        r = (de * do).sum(axis=1) / np.sqrt((de ** 2).sum(axis=1) * (do ** 2).sum(axis=1))
        r[cnt < 2] = np.nan
        eo = 2 * r / (1 + r)
    eo[eo < -1] = -1.0
    if not diag:
        return _wrap(eo, index, "evenodd")
    return _frame({"evenodd": eo, "eo_pairs": cnt}, index)


def _nanmean_rows(block: np.ndarray) -> np.ndarray:
    if block.shape[1] == 0:
        return np.full(block.shape[0], np.nan)
    ok = ~np.isnan(block)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, block, 0.0).sum(axis=1) / ok.sum(axis=1)


# ---------------------------------------------------------------------------
# near-duplicate answer vectors


@dataclass(frozen=True)
class NearDuplicates:
    """Result of :func:`near_duplicates` (arrays in row order).

    Attributes
    ----------
    flagged : bool ndarray
        True for a respondent whose answers reach the threshold with an
        *earlier* respondent (the first of a group is kept).
    share : float ndarray
        Highest share of identical answers with any other respondent, where
        it reaches the threshold; NaN otherwise.
    match : int ndarray
        Row of the earliest earlier respondent it matches, -1 if none.
    method : str
        "dense" or "blocked", and the guarantee of the method used.
    exact_upto : int
        Pairs whose answer vectors differ (a blank counted as an answer) in at
        most this many items are always compared; -1 means every pair was.
    """

    flagged: np.ndarray
    share: np.ndarray
    match: np.ndarray
    method: str
    exact_upto: int


def _group_ids(cols) -> tuple[np.ndarray, int]:
    """Integer id of each distinct row, from item columns (-1 = blank), and the id range.

    ``cols`` is a (k, n) array or a list of k int arrays of length n. Exact:
    columns are packed in mixed radix into int64 while the product of their
    widths fits, and the packed value is re-numbered (factorized) only when
    the next column would overflow.
    """
    k = len(cols)
    n = len(cols[0]) if k else 0
    if k == 0 or n == 0:
        return np.zeros(n, dtype=np.int64), 1
    gid = np.zeros(n, dtype=np.int64)
    span = 1                                          # gid lies in [0, span)
    limit = 1 << 62
    for c in cols:                                    # loop over items, not respondents
        c = np.asarray(c)
        width = int(c.max()) + 2                      # codes -1..max -> 0..max+1
        if span * width >= limit:
            gid, uniq = pd.factorize(gid, sort=False)
            gid = gid.astype(np.int64)
            span = len(uniq)
        gid *= width                                  # in place: no n-sized temporaries
        gid += c
        gid += 1
        span *= width
    return gid, span


def _pair_counts(chunk: np.ndarray, codes: np.ndarray, onehot: np.ndarray | None,
                 onehot_chunk: np.ndarray | None, high: list[int],
                 answered: np.ndarray, answered_chunk: np.ndarray):
    """Agreements and commonly answered items of each row of ``chunk`` with every row."""
    common = answered_chunk @ answered.T
    if onehot is not None:
        agree = onehot_chunk @ onehot.T
    else:
        agree = np.zeros_like(common)
    for j in high:                                   # high-cardinality items (e.g. counts)
        a = chunk[:, j][:, None]
        agree += ((a == codes[:, j][None, :]) & (a >= 0)).astype(np.float32)
    return agree, common


def _onehot(codes: np.ndarray, items: list[int]) -> np.ndarray | None:
    if not items:
        return None
    widths = [int(codes[:, j].max()) + 1 for j in items]
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]])
    out = np.zeros((codes.shape[0], int(sum(widths))), dtype=np.float32)
    for off, j in zip(offsets, items):
        c = codes[:, j]
        rows = np.flatnonzero(c >= 0)
        out[rows, off + c[rows]] = 1.0
    return out


def _dense(codes: np.ndarray, threshold: float, min_items: int):
    """All pairs compared; returns (earliest earlier match or -1, best share or NaN)."""
    m, k = codes.shape
    answered = (codes >= 0).astype(np.float32)
    low = [j for j in range(k) if codes[:, j].max() < 64]
    high = [j for j in range(k) if codes[:, j].max() >= 64]
    onehot = _onehot(codes, low)
    match = np.full(m, -1, dtype=np.int64)
    best = np.full(m, np.nan)
    chunk = max(1, min(m, 4_000_000 // max(m, 1)))
    cols = np.arange(m)
    for s in range(0, m, chunk):                     # loop over row blocks, not respondents
        e = min(m, s + chunk)
        agree, common = _pair_counts(codes[s:e], codes, onehot,
                                     None if onehot is None else onehot[s:e], high,
                                     answered, answered[s:e])
        # the counts are exact in float32; divide in float64 so that the share is
        # the correctly rounded ratio (19/20 -> 0.95, not 0.949999988), as in the
        # blocked path, and a share exactly at the threshold is flagged
        with np.errstate(invalid="ignore", divide="ignore"):
            share = agree.astype(np.float64) / common
        ok = (common >= min_items) & (share >= threshold - 1e-12)
        rows = np.arange(s, e)
        ok[rows - s, rows] = False                   # not with oneself
        top = np.where(ok, share, -1.0).max(axis=1)
        best[s:e] = np.where(top >= 0, top, np.nan)
        earlier = ok & (cols[None, :] < rows[:, None])
        has = earlier.any(axis=1)
        match[s:e] = np.where(has, earlier.argmax(axis=1), -1)
    return match, best


def _item_columns(codes) -> list[np.ndarray]:
    """The items of ``codes`` as a list of 1-d integer code arrays (see near_duplicates).

    Columns given as a list keep their own integer type when it is at most 32 bits
    wide (no copy: the categoricals' int8 codes stay int8); anything else is
    converted to int32, as a 2-d array is (items as rows, one contiguous copy).
    """
    if isinstance(codes, (list, tuple)):
        cols = [_code_column(c) for c in codes]
        if any(c.ndim != 1 for c in cols) or len({c.shape[0] for c in cols}) > 1:
            raise CleaningError("near_duplicates: the item columns must be 1-d arrays of the "
                                "same length (one code per respondent)")
        return cols
    arr = np.asarray(codes)
    if arr.ndim != 2:
        raise CleaningError("near_duplicates: codes must be a 2-d array (respondents x "
                            "items) or a list of item columns")
    dtype = arr.dtype if _narrow_int(arr.dtype) else np.int32
    return list(np.ascontiguousarray(arr.T, dtype=dtype))


def _narrow_int(dtype) -> bool:
    """Integers whose every value fits int32 (so that they need no conversion)."""
    return ((dtype.kind == "i" and dtype.itemsize <= 4)
            or (dtype.kind == "u" and dtype.itemsize <= 2))


def _code_column(c) -> np.ndarray:
    c = np.asarray(c)
    return c if _narrow_int(c.dtype) else c.astype(np.int32)


def _row_matrix(cols: list[np.ndarray]) -> np.ndarray:
    """(rows, items) int32 matrix of item columns, for the dense comparison."""
    out = np.empty((cols[0].shape[0], len(cols)), dtype=np.int32)
    for j, c in enumerate(cols):
        out[:, j] = c
    return out


_MIX = np.uint64(0x9E3779B97F4A7C15)      # 2^64 / golden ratio: multiplicative hashing
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)


def _distinct_rows(rec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(id of each row's distinct record, first row of each id), ids in order of first appearance.

    ``rec`` holds one packed record (a few uint64 words) per row. The words are
    hashed into one uint64 and the hash factorized; every row is then compared
    with the first row of its id, so the grouping is exact (should two
    different records ever share a hash, the records themselves are sorted).
    """
    m, w = rec.shape
    if w == 1:
        h = rec[:, 0]
    else:
        h = rec[:, 0] * _MIX
        for j in range(1, w):                          # loop over words, not respondents
            h ^= h >> np.uint64(29)
            h += rec[:, j]
            h *= _MIX2
    gid, _ = pd.factorize(h, sort=False)
    del h
    gid = gid.astype(np.int64, copy=False)
    first = _first_rows(gid)
    if w > 1:
        step = 65536
        for s0 in range(0, m, step):                   # row blocks, no m x w temporary
            if not np.array_equal(rec.take(first[gid[s0:s0 + step]], axis=0), rec[s0:s0 + step]):
                _, inv = np.unique(rec, axis=0, return_inverse=True)      # hash collision
                gid, _ = pd.factorize(inv.ravel(), sort=False)
                gid = gid.astype(np.int64, copy=False)
                return gid, _first_rows(gid)
    return gid, first


def _first_rows(gid: np.ndarray) -> np.ndarray:
    """First row of each id, for ids numbered in order of first appearance."""
    seen = np.maximum.accumulate(gid)
    return np.flatnonzero(np.r_[True, gid[1:] > seen[:-1]])


def near_duplicates(codes, threshold: float = 0.85, min_items: int = 10,
                    dense_max: int = 5000) -> NearDuplicates:
    """Respondents whose answers are (almost) identical to an earlier respondent's.

    Parameters
    ----------
    codes : int array, shape (n, k)
        One column per item, answers as non-negative integer codes in file
        order, -1 where the item was not answered (blank or missing code).
    threshold : float, default 0.85
        Minimum share of identical answers among the items both answered.
    min_items : int, default 10
        Minimum number of items both answered for a pair to count (capped at
        k, so that short questionnaires can still be checked).
    dense_max : int, default 5000
        Up to this many respondents (with enough answers) every pair is
        compared; above it the blocked method is used.

    Returns
    -------
    NearDuplicates

    Notes
    -----
    Share for respondents i, j: :math:`a_{ij} / m_{ij}` with :math:`m_{ij}`
    the items both answered (at least ``min_items``) and :math:`a_{ij}` those
    answered identically. A respondent is flagged when the share with some
    *earlier* respondent is at least ``threshold``: the first of a group is
    kept.

    Methods. *Dense* (n <= ``dense_max``): the counts come from matrix
    products of one-hot answer indicators, in row blocks; exact, O(n^2 k).
    *Blocked* (larger n): (1) exact duplicates are grouped by hashing whole
    answer vectors (one representative kept per group, the others matched to
    it with share 1); (2) if the representatives still exceed ``dense_max``,
    the k items are dealt into b interleaved blocks and pairs are compared
    only when they agree completely on at least two blocks (a hash join on
    every pair of blocks). Guarantee: two vectors that differ in d items
    (a blank counted as an answer) differ in at most d blocks, so every pair
    with d <= b - 2 is compared, exactly. b is floor((1 - threshold) k) + 2
    (capped at max(2, k // 4) so that a join key spans at least about 8
    items), hence with complete answers every pair at or above the threshold
    is found; ``exact_upto`` reports b - 2. To bound the work on very large
    files, b is lowered until the b(b-1)/2 joins times the distinct vectors
    stay within 10 million (at 1,000,000 distinct vectors: 5 blocks, 10
    joins, every pair differing in at most 3 items is found; pairs with more
    differences are found when those fall in at most b - 2 blocks). Within a
    join, a group of more than 24 rows sharing the key (answers concentrated
    on a few patterns) is ordered by the other blocks and each row compared
    with its next 4 rows, which bounds the work at the cost of exactness in
    such groups.

    Memory: the codes are read in their own integer type (a list of int8
    columns stays 1 byte per answer) and never copied whole; the blocked
    method holds one record of 4 bits per item (a 64-bit word per item with
    15 or more levels) and one 32-bit id per block for each respondent.
    """
    cols = _item_columns(codes)
    k = len(cols)
    n = cols[0].shape[0] if k else 0
    if not 0 < threshold <= 1:
        raise CleaningError(f"near_duplicates: threshold must be in (0, 1], not {threshold!r}")
    need = max(1, min(int(min_items), k))
    dense = "dense: every pair compared"
    if k == 0 or n < 2:
        return _near_result(n, None, None, None, dense, -1)
    rows = None                                       # None: every row has enough answers
    if any(int(c.min()) < 0 for c in cols):           # some blanks: count the answers
        answered = np.zeros(n, dtype=np.int32)
        for c in cols:                                # loop over items, not respondents
            answered += c >= 0
        if (answered < need).any():
            rows = np.flatnonzero(answered >= need)
        del answered
    m = n if rows is None else rows.size
    sub = cols if rows is None else [c[rows] for c in cols]   # item columns of the rows compared
    if m < 2:
        return _near_result(n, None, None, None, dense, -1)
    if m <= dense_max:
        mt, best = _dense(_row_matrix(sub), threshold, need)
        return _near_result(n, rows, mt, best, dense, -1)
    # (1) exact duplicates: one representative (the first) per distinct vector
    packed = _Packed(sub)
    gid, reps = _distinct_rows(packed.rec)             # ids in order of first appearance
    rep_of_row = reps[gid]
    del gid

    # (2) the distinct vectors compared with each other
    if reps.size <= dense_max:
        rmatch, rbest = _dense(_row_matrix([c[reps] for c in sub]), threshold, need)
        method, exact_upto = ("blocked: identical answer vectors hashed, the distinct "
                              "vectors all compared"), -1
    else:
        b = _n_blocks(k, reps.size, threshold)
        # block ids of every row, then of the reps: the same ids as from the reps
        # alone (a block's values first appear on reps, in the same order)
        bids = _block_ids(sub, b)
        if reps.size < m:
            bids = [(g[reps], w) for g, w in bids]
        rmatch, rbest = _blocked(bids, packed, reps, threshold, need)
        del bids
        exact_upto = b - 2
        method = (f"blocked: identical answer vectors hashed, then pairs agreeing on 2 of "
                  f"{b} item blocks compared; exact for pairs differing in <= {b - 2} items")
    del packed
    # the later members of a repeated vector match its first row, with share 1
    mt = np.where(rep_of_row < np.arange(m), rep_of_row, -1)
    best = np.where(np.bincount(rep_of_row, minlength=m)[rep_of_row] > 1, 1.0, np.nan)
    has = rmatch >= 0
    mt[reps[has]] = reps[rmatch[has]]
    best[reps] = np.fmax(best[reps], rbest)
    best = np.fmax(best, best[rep_of_row])             # members share their vector's matches
    return _near_result(n, rows, mt, best, method, exact_upto)


def _near_result(n: int, rows: np.ndarray | None, mt: np.ndarray | None,
                 best: np.ndarray | None, method: str, exact_upto: int) -> NearDuplicates:
    """NearDuplicates of all n rows from the matches of the rows compared (None: every row)."""
    if mt is None:
        return NearDuplicates(np.zeros(n, dtype=bool), np.full(n, np.nan),
                              np.full(n, -1, dtype=np.int64), method, exact_upto)
    mt = mt.astype(np.int64, copy=False)
    if rows is None:                                   # row i of the comparison is row i
        return NearDuplicates(mt >= 0, best.astype(np.float64, copy=False), mt, method,
                              exact_upto)
    flagged = np.zeros(n, dtype=bool)
    share = np.full(n, np.nan)
    match = np.full(n, -1, dtype=np.int64)
    ok = mt >= 0
    flagged[rows[ok]] = True
    match[rows[ok]] = rows[mt[ok]]
    share[rows] = best
    return NearDuplicates(flagged, share, match, method, exact_upto)


_GROUP_MAX = 24        # join groups up to this size: every pair compared
_WINDOW = 4            # larger groups: each row against its next rows (sorted neighbourhood)
_VERIFY_CHUNK = 32768  # pairs verified at once (temporaries stay in cache)
_JOIN_BUDGET = 10_000_000   # rows x block-pair joins; fewer blocks above it


def _compact(gid: np.ndarray, span: int) -> tuple[np.ndarray, int]:
    """Block ids as int32: kept below 2^31, else renumbered in order of first appearance."""
    if span > (1 << 31):
        gid, uniq = pd.factorize(gid, sort=False)
        span = len(uniq)
    return gid.astype(np.int32), span


def _repeated(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, keys) of the keys that may repeat: every repeated key and a few others.

    Two rounds of hash-bucket counts, each dropping the keys alone in their
    bucket (a repeated key always shares its bucket). Small tables (about two
    and four buckets per key) stay in cache better than one large one.
    """
    pos = None
    for mix, per_key in ((_MIX, 2), (_MIX2, 4)):
        if key.size < 2:
            break
        bits = max(10, int(np.ceil(np.log2(per_key * key.size))))
        h = key * mix
        h >>= np.uint64(64 - bits)
        h = h.view(np.int64)
        keep = np.bincount(h, minlength=1 << bits)[h] >= 2
        del h
        pos = np.flatnonzero(keep) if pos is None else pos[keep]
        key = key[keep]
    return (np.arange(key.size) if pos is None else pos), key


def _join_pairs(ida: np.ndarray, idc: np.ndarray, span_c: int, order_key: np.ndarray):
    """Rows sharing the key ``ida * span_c + idc``: (order, pairs), pairs as positions in ``order``.

    ``order`` lists the candidate rows sorted by key, so that the rows of one
    group are adjacent; ``pairs`` is a list of (left, right) position arrays:
    every pair in groups of up to ``_GROUP_MAX`` rows, neighbours within
    ``_WINDOW`` in larger groups (sorted by ``order_key``). Hash-bucket counts
    first discard most rows whose key is unique (most rows, on varied
    answers). Returns (None, []) when no key repeats.
    """
    key = ida.astype(np.uint64)                      # exact: below span_a * span_c <= 2^62
    key *= np.uint64(span_c)
    key += idc.view(np.uint32)
    cand, key = _repeated(key)
    if cand.size < 2:
        return None, []
    by_key = np.argsort(key, kind="stable")
    order = cand[by_key]
    k_sorted = key[by_key]
    starts = np.flatnonzero(np.r_[True, k_sorted[1:] != k_sorted[:-1]])
    sizes = np.diff(np.r_[starts, order.size])
    size_of = np.repeat(sizes, sizes)
    big = size_of > _GROUP_MAX
    if big.any():                                    # order large groups by order_key
        sel = np.flatnonzero(big)
        order[sel] = order[sel][np.lexsort((order_key[order[sel]], k_sorted[sel]))]
    rank = np.arange(order.size) - np.repeat(starts, sizes)
    pairs = []
    # small groups: each row with every later row of its group
    pos = np.flatnonzero((size_of >= 2) & ~big)
    count = (size_of - rank - 1)[pos]
    total = int(count.sum())
    if total:
        left = np.repeat(pos, count)
        step = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        pairs.append((left, left + 1 + step))
    # large groups (answers concentrated on a few patterns): sorted neighbourhood
    pos = np.flatnonzero(big)
    for d in range(1, _WINDOW + 1):                 # loop over offsets, not respondents
        p = pos[(rank[pos] + d) < size_of[pos]]
        if p.size:
            pairs.append((p, p + d))
    return order, pairs


class _Packed:
    """Answer vectors packed into one record of 64-bit words per respondent.

    Items with fewer than 15 levels take 4 bits each, 16 to a word (0 = blank);
    items with more levels (e.g. counts) take a word each. Comparing a pair
    then takes one gather of a short record per side, a few word operations
    and a popcount, instead of a gather of k codes. A record is also an exact
    key of the whole answer vector (equal records, equal answers).
    """

    _LOW = np.uint64(0x1111111111111111)

    def __init__(self, cols: list[np.ndarray]) -> None:
        m = cols[0].shape[0]
        low = [int(c.min()) for c in cols]
        top = [int(c.max()) for c in cols]
        small = [j for j in range(len(cols)) if top[j] < 15]
        large = [j for j in range(len(cols)) if top[j] >= 15]
        self.nw = -(-len(small) // 16)
        self.rec = np.zeros((m, self.nw + len(large)), dtype=np.uint64)
        if small:
            # two items to a byte, 8 bytes to a word: 4-bit fields (code + 1, 0 = blank)
            octets = self.rec[:, :self.nw].view(np.uint8)
            for pos in range(0, len(small), 2):        # loop over items, not respondents
                byte = 8 * (pos // 16) + (pos % 16) // 2
                octets[:, byte] = self._nibbles(cols, small[pos:pos + 2], low)
        for pos, j in enumerate(large):
            c = cols[j] if low[j] >= -1 else np.maximum(cols[j], -1)   # any negative: blank
            self.rec[:, self.nw + pos] = c.astype(np.int64) + 1

    @staticmethod
    def _nibbles(cols: list[np.ndarray], items: list[int], low: list[int]) -> np.ndarray:
        """One byte per row holding the codes + 1 of one or two small items (low nibble first)."""
        out = None
        for shift, j in enumerate(items):
            c = cols[j] if low[j] >= -1 else np.maximum(cols[j], -1)   # any negative: blank
            v = c.astype(np.uint8)                     # -1 wraps to 255, and 255 + 1 to 0
            v += np.uint8(1)
            if shift:
                v <<= np.uint8(4)
                out |= v
            else:
                out = v
        return out

    def counts(self, left: np.ndarray, right: np.ndarray, rec: np.ndarray | None = None):
        """(agreements, items both answered) of each pair of rows of ``rec`` (default all)."""
        rec = self.rec if rec is None else rec
        a, b = rec.take(left, axis=0), rec.take(right, axis=0)    # faster than rec[left]
        nw = self.nw
        one, two = np.uint64(1), np.uint64(2)
        if nw:
            wa, wb = a[:, :nw], b[:, :nw]
            na = wa | (wa >> one)
            na |= na >> two
            nb = wb | (wb >> one)
            nb |= nb >> two
            both = na & nb & self._LOW                # bit per item answered by both
            x = wa ^ wb
            x |= x >> one
            x |= x >> two
            common = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
            differ = np.bitwise_count(x & both).sum(axis=1, dtype=np.int64)
            agree = common - differ
        else:
            common = np.zeros(len(left), dtype=np.int64)
            agree = np.zeros(len(left), dtype=np.int64)
        if a.shape[1] > nw:
            la, lb = a[:, nw:], b[:, nw:]
            bl = (la > 0) & (lb > 0)
            common += bl.sum(axis=1)
            agree += ((la == lb) & bl).sum(axis=1)
        return agree, common


def _n_blocks(k: int, m: int, threshold: float) -> int:
    """Number of item blocks b (see near_duplicates), lowered until the joins fit the budget."""
    b = min(int(np.floor((1 - threshold) * k + 1e-9)) + 2, max(2, k // 4), k)
    while b > 2 and b * (b - 1) // 2 * m > _JOIN_BUDGET:   # bounded work on huge files
        b -= 1
    return b


def _block_ids(cols: list[np.ndarray], b: int) -> list[tuple[np.ndarray, int]]:
    """(id, id range) of each row's answers on each of the b interleaved item blocks."""
    return [_compact(*_group_ids(cols[j::b])) for j in range(b)]


def _blocked(bids: list[tuple[np.ndarray, int]], packed: _Packed, reps: np.ndarray,
             threshold: float, need: int):
    """Compare the pairs agreeing on two of the b item blocks (see near_duplicates).

    ``bids`` holds the block ids of the distinct answer vectors (from
    :func:`_block_ids`), whose records are the rows ``reps`` of ``packed``.
    Returns, per vector, the earliest earlier vector it matches (-1 if none)
    and its best share.
    """
    b = len(bids)
    m = bids[0][0].size
    # order inside large join groups: by the ids of the first blocks, so that
    # rows agreeing on more blocks sit next to each other
    order_key = bids[0][0].astype(np.int64)
    span = bids[0][1]
    for g, w in bids[1:]:
        if span * w >= (1 << 62):
            break
        order_key *= w
        order_key += g
        span *= w
    los, his, shs = [], [], []
    for a in range(b):
        for c in range(a + 1, b):
            order, pairs = _join_pairs(bids[a][0], bids[c][0], bids[c][1], order_key)
            if order is None:
                continue
            # records of the candidates in key order: local access when verifying
            rec = packed.rec.take(order if reps.size == packed.rec.shape[0] else reps[order],
                                  axis=0)
            for left, right in pairs:
                for s0 in range(0, left.size, _VERIFY_CHUNK):
                    lft, rgt = left[s0:s0 + _VERIFY_CHUNK], right[s0:s0 + _VERIFY_CHUNK]
                    agree, common = packed.counts(lft, rgt, rec)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        sh = agree / common
                    ok = (common >= need) & (sh >= threshold - 1e-12)
                    if ok.any():
                        x, y = order[lft[ok]], order[rgt[ok]]
                        los.append(np.minimum(x, y))
                        his.append(np.maximum(x, y))
                        shs.append(sh[ok])
    rmatch = np.full(m, -1, dtype=np.int64)
    rbest = np.full(m, np.nan)
    if los:
        lo, hi, sh = np.concatenate(los), np.concatenate(his), np.concatenate(shs)
        big = np.iinfo(np.int64).max
        first = np.full(m, big, dtype=np.int64)
        np.minimum.at(first, hi, lo)                   # earliest earlier partner
        rmatch = np.where(first < big, first, -1)
        top = np.full(m, -1.0)
        np.maximum.at(top, lo, sh)
        np.maximum.at(top, hi, sh)
        rbest = np.where(top >= 0, top, np.nan)
    return rmatch, rbest


# ---------------------------------------------------------------------------
# gibberish in open-ended answers

# runs of 4 adjacent keys on a QWERTY keyboard (both directions), leaving out
# runs that occur inside English words ("erty" as in property, "wert")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_SAFE_IN_ENGLISH = {"erty", "wert", "ytre", "trew"}
_KEY_RUNS = sorted(({r[i:i + 4] for r in _ROWS for i in range(len(r) - 3)}
                    | {r[::-1][i:i + 4] for r in _ROWS for i in range(len(r) - 3)})
                   - _SAFE_IN_ENGLISH)
# answers that only say "nothing" with punctuation: not gibberish, just no comment
_PLACEHOLDER = r"[\-\u2010-\u2015\u30fc\u30fb.\u3002\u3001,/_~\u301c*\s]*"


def gibberish(texts) -> pd.Series:
    """Flag open-ended answers that are keyboard mashing rather than words.

    Parameters
    ----------
    texts : Series or sequence of str
        Open-ended answers; missing or empty answers are never flagged.

    Returns
    -------
    Series of bool, same index.

    Notes
    -----
    After Unicode NFKC normalisation (full-width ``ｋｋｋｋ`` becomes
    ``kkkk``), lower-casing and trimming, an answer is gibberish when it:

    1. contains no letter of any script (kana, kanji, Latin, ...), e.g.
       ``!!!!``, ``123123``; single characters and placeholders made only of
       dashes, dots or slashes (``-``, ``...``, ``ー``) are read as "no
       comment" and not flagged;
    2. is one character repeated three or more times (``aaaaa``, ``ああああ``),
       placeholders again excepted;
    3. is a short Latin/digit pattern of 2-4 characters repeated
       (``asdfasdf``, ``hahaha``);
    4. contains a run of four adjacent keys of a QWERTY keyboard row
       (``qwerty``, ``asdf``, ``zxcv``, ``lkjh``), leaving out runs that occur
       in English words (``erty`` as in *property*);
    5. contains six or more consecutive Latin consonants (``y`` counts as a
       vowel), as in ``sdfghjkl`` or ``fjdksla``.

    Ordinary Japanese answers (kana/kanji, with or without Latin acronyms
    such as AI, DX, CRM) and ordinary English sentences match none of these.
    All tests are pandas string methods with regular expressions, vectorised
    over answers.

    Example
    -------
    >>> gibberish(["asdfasdf", "特になし", "Better support in Japanese", "ｋｋｋｋ"]).tolist()
    [True, False, False, True]
    """
    s = pd.Series(texts) if not isinstance(texts, pd.Series) else texts
    t = s.astype("string").str.normalize("NFKC").str.strip().str.lower()
    present = t.notna() & (t.str.len() > 0)
    compact = t.str.replace(r"\s+", "", regex=True)
    placeholder = compact.str.fullmatch(_PLACEHOLDER)
    no_letter = ~compact.str.contains(r"[^\W\d_]", regex=True) & (compact.str.len() >= 2)
    repeated_char = compact.str.fullmatch(r"(.)\1{2,}")
    repeated_pattern = t.str.fullmatch(r"([a-z0-9]{2,4})\1+")
    key_run = t.str.contains("|".join(_KEY_RUNS), regex=True)
    consonants = t.str.contains(r"[b-df-hj-np-tv-xz]{6,}", regex=True)
    bad = ((no_letter | repeated_char) & ~placeholder) | repeated_pattern | key_run | consonants
    out = (present & bad.fillna(False)).astype(bool)
    out.name = s.name
    return pd.Series(out.to_numpy(dtype=bool), index=s.index, name=s.name)
