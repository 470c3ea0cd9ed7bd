"""Even-odd consistency: within-person agreement of the two halves of each scale.

Example
-------
>>> evenodd([[1, 1, 3, 3, 5, 5], [1, 5, 3, 3, 5, 1]], [2, 2, 2]).round(4).tolist()
[1.0, -1.0]
"""

from __future__ import annotations

import numpy as np

from ...errors import CleaningError
from .inputs import as_matrix, frame_with_index, with_index


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
    arr, index = as_matrix(x, "evenodd")
    factors = _factor_lengths(factors, arr.shape[1])
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
        return with_index(eo, index, "evenodd")
    return frame_with_index({"evenodd": eo, "eo_pairs": cnt}, index)


def _factor_lengths(factors, k: int) -> list[int]:
    """The scale lengths as whole positive numbers adding up to the k items."""
    given = factors
    if isinstance(factors, (str, bytes)) or not np.iterable(factors):
        raise CleaningError(f"evenodd: factors must be a list of scale lengths (e.g. [3, 3]), "
                            f"not {given!r}")
    out = []
    for f in factors:
        if (isinstance(f, (bool, np.bool_)) or not isinstance(f, (int, float, np.number))
                or not float(f).is_integer()):
            raise CleaningError(f"evenodd: factor lengths must be whole numbers; got {f!r} in "
                                f"{list(factors)!r}")
        out.append(int(f))
    if any(f < 1 for f in out) or sum(out) != k:
        raise CleaningError(f"evenodd: factor lengths {out} must be positive and add up to "
                            f"the {k} items given")
    return out


def _nanmean_rows(block: np.ndarray) -> np.ndarray:
    if block.shape[1] == 0:
        return np.full(block.shape[0], np.nan)
    ok = ~np.isnan(block)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, block, 0.0).sum(axis=1) / ok.sum(axis=1)

