"""The two-way classification every test of association starts from.

:func:`two_way` turns two columns of a DataFrame into integer codes of a
two-way table: respondents with a missing answer are left out (or refused,
``na_rm=False``), levels nobody in the table has are dropped, each with a
warning the result carries. The cell code of a respondent is
``row + n_rows * col``: cells in column-major order, rows fastest, as R.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": ["x", "y", "x", None], "b": ["p", "p", "q", "q"]})
>>> tb = two_way(df, "a", "b", None, True, what="")
>>> tb.shape, tb.cell.tolist(), tb.valid.tolist()
((2, 2), [0, 1, 2, 0], [True, True, True, False])
>>> cell_counts(tb).tolist()
[[1, 1], [1, 0]]
>>> tb.warnings
("1 of 4 respondents with a missing 'a' (1) or 'b' (0) are left out of the table",)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CrosstabError, UsageError

__all__ = ["TwoWay", "all_levels", "cell_counts", "column", "factor", "level_list",
           "require_values", "two_way"]


def column(frame: pd.DataFrame, name: Any, role: str) -> pd.Series:
    """The column ``name`` of ``frame``; the error lists the columns when it is not one."""
    if not isinstance(name, str) and not np.isscalar(name):
        raise UsageError(f"{role} must be a column name; got {type(name).__name__}")
    if name not in frame.columns:
        cols = ", ".join(map(str, list(frame.columns)[:30]))
        raise CrosstabError(f"the {role} variable is not a column of the data; "
                            f"columns are: {cols}", column=name)
    return frame[name]


def factor(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
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
class TwoWay:
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
        """(rows, columns) of the table after empty levels are dropped."""
        return len(self.rlabels), len(self.clabels)


def level_list(labels: np.ndarray) -> str:
    """Levels for a message: ``'a', 'b', 3``."""
    return ", ".join(repr(x) if isinstance(x, str) else str(x) for x in labels)


def two_way(frame: pd.DataFrame, row: str, col: str, weights: np.ndarray | None,
            na_rm: bool, *, what: str, counts: np.ndarray | None = None) -> TwoWay:
    """Classify respondents by ``row`` and ``col``; drop empty levels with a warning.

    Parameters
    ----------
    frame : DataFrame
    row, col : str
        Column names of the two variables.
    weights : ndarray or None
        A level is empty when its weighted count among respondents answering
        both is zero (its count, when None).
    na_rm : bool
        Leave out respondents with a missing answer (else raise).
    what : str
        Appended to the warning about missing answers.
    counts : ndarray, optional
        Respondents per row of ``frame`` when a row stands for several (the atoms of
        an out-of-core design); the counts in messages and ``n_missing`` use them.

    Raises
    ------
    UsageError
        ``row == col``, or a name that is not a column name.
    CrosstabError
        An unknown column, a variable with no non-missing value, no
        respondent answering both, weights all zero among those answering
        both, missing answers with ``na_rm=False``, or fewer than 2
        non-empty levels of a variable.
    """
    if row == col:
        raise UsageError(f"row and col are the same variable {row!r}; a test of association "
                         "needs two different variables")
    rc, rl = factor(column(frame, row, "row"))
    cc, cl = factor(column(frame, col, "col"))
    n = len(frame)
    require_values(rc, row, n)
    require_values(cc, col, n)
    valid = (rc >= 0) & (cc >= 0)
    if not valid.any():
        raise CrosstabError(f"no respondent answers both {row!r} and {col!r}; a test of "
                            "association needs respondents with a value of each", column=row)
    msgs: list[str] = []

    def count(mask: np.ndarray) -> int:
        return int(mask.sum()) if counts is None else int(np.asarray(counts)[mask].sum())
    n_missing = count(~valid)
    if n_missing:
        n = count(np.ones(n, dtype=bool))
        n_r = count(rc < 0)
        n_c = count(cc < 0)
        if not na_rm:
            raise CrosstabError(
                f"{n_missing} of {n} respondents have a missing value ({n_r} in {row!r}, "
                f"{n_c} in {col!r}); pass na_rm=True to leave them out of the table, or "
                "recode the missing answers as a level of their own", column=row)
        msgs.append(f"{n_missing} of {n} respondents with a missing {row!r} ({n_r}) or "
                    f"{col!r} ({n_c}) are left out of the table{what}")
    w = np.ones(n) if weights is None else weights
    nr0, nc0 = len(rl), len(cl)
    all_valid = bool(valid.all())
    cell = rc + nr0 * cc
    if all_valid:
        tab = np.bincount(cell, weights=w, minlength=nr0 * nc0)
    else:
        tab = np.bincount(cell[valid], weights=w[valid], minlength=nr0 * nc0)
    tab = tab.reshape(nc0, nr0).T
    if weights is not None and not tab.sum() > 0:
        raise CrosstabError(f"every respondent answering both {row!r} and {col!r} has weight "
                            "zero; there is no weighted table to test", column=row)
    keep_r = tab.sum(axis=1) > 0
    keep_c = tab.sum(axis=0) > 0
    for keep, labels, name in ((keep_r, rl, row), (keep_c, cl, col)):
        if not keep.all():
            basis = " with positive weight" if weights is not None else ""
            msgs.append(f"level(s) {level_list(labels[~keep])} of {name!r} have no "
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
    basis = " with positive weight" if weights is not None else ""
    for labels, name in ((rl, row), (cl, col)):
        if len(labels) < 2:
            raise CrosstabError(
                f"{name!r} has {len(labels)} level(s) with respondents{basis} "
                f"({level_list(labels) or 'none'}) among those answering both questions; a "
                "test of association needs at least 2 levels of each variable", column=name)
    if not all_valid:
        rc = np.where(valid, rc, 0)
        cc = np.where(valid, cc, 0)
        cell = np.where(valid, cell, 0)
    return TwoWay(rc, cc, cell, valid, all_valid, rl, cl, tuple(msgs), n_missing, rkept,
                  ckept)


def require_values(codes: np.ndarray, name: Any, n: int) -> None:
    """Raise naming the variable when every respondent's value is missing (codes -1)."""
    if not n:
        raise CrosstabError("the data have no respondents; nothing to test", column=name)
    if not (codes >= 0).any():
        raise CrosstabError(f"{name!r} has no non-missing values (all {n} respondents are "
                            "missing); choose a variable with answers, or check how the "
                            "column was read", column=name)


def cell_counts(tb: TwoWay) -> np.ndarray:
    """The unweighted (rows, columns) table of counts."""
    nr, nc = tb.shape
    v = tb.valid
    return np.bincount(tb.rcodes[v] + nr * tb.ccodes[v], minlength=nr * nc) \
        .reshape(nc, nr).T.astype(np.int64)


def all_levels(values: pd.Series) -> np.ndarray:
    """Every level of ``values`` in :func:`factor` order (unused categories included)."""
    return factor(values)[1]

