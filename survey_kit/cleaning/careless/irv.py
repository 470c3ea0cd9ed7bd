"""IRV: intra-individual response variability, the standard deviation of a row.

Example
-------
>>> irv([[3, 3, 3, 3], [1, 2, 2, 5]]).round(4).tolist()
[0.0, 1.7321]
"""

from __future__ import annotations

import numpy as np

from .inputs import as_matrix, with_index
from .rows import score_line


def irv_codes(codes: list[np.ndarray], tables: list[np.ndarray], na_rm: bool) -> np.ndarray:
    """:func:`_irv_columns` of the scores ``tables[j][codes[j]]`` (code -1 = last entry, NaN).

    The same arithmetic in the same order, so the result is identical. When
    every answer is present the count is k on every row (no masking), and
    scores that are a line in the code (``a + b * code``, e.g. code + 1) are
    made by a cast instead of a look-up.
    """
    n, k = codes[0].shape[0], len(codes)
    if n == 0 or any(c.min() < 0 or not np.isfinite(t[:-1]).all() for c, t in zip(codes, tables)):
        return _irv_columns([t[c] for c, t in zip(codes, tables)], na_rm)
    lines = [score_line(t) for t in tables]

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
    arr, index = as_matrix(x, "irv")
    return with_index(_irv_columns(list(np.ascontiguousarray(arr.T)), na_rm), index, "irv")


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

