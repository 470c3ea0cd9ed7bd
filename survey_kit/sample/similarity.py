"""How alike two respondents are, and keeping honest rows apart while copies stay close.

The similarity of two rows is the largest of three shares of identical
answers: over every substantive export column (question columns, not meta
data), a blank matching a blank; the same without the open ends; and over the
closed items both rows answered (blanks and missing codes left out, at least
10 items, as cleaning's near-duplicate index counts). Honest rows are kept
below 0.78 by nudging free answers (multi-select options no rule looks at);
planted near duplicates are at least 0.9 similar to their original.

Example
-------
>>> import numpy as np
>>> x = np.array([[0, 1, 2], [0, 1, 3], [1, 0, 0]])
>>> s = similarity(x, np.zeros(3, dtype=bool), np.ones((3, 3), dtype=bool), min_items=2)
>>> [round(float(v), 2) for v in s[0]]
[1.0, 0.67, 0.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .draws import isin
from .variables import MISS, InstrumentView

__all__ = ["code_matrix", "near_copy", "repair_similar", "similarity"]

_NEAR_HONEST_MAX = 0.78   # honest rows stay below this similarity to one another


def code_matrix(inst: InstrumentView, sheet: dict, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """Integer-coded substantive answers (blank is its own code), the open-column
    mask, and where a real answer was given (not blank, not a missing code)."""
    cols = inst.substantive
    x = np.empty((rows.size, len(cols)), dtype=np.int64)
    answered = np.empty((rows.size, len(cols)), dtype=bool)
    for j, name in enumerate(cols):
        col = pd.Series(sheet[name][rows], dtype=object)
        x[:, j] = pd.factorize(col, use_na_sentinel=False)[0]
        given = col.notna()
        if inst.kind[name] == "cat":
            given &= ~col.astype(str).str.startswith(MISS)
        elif inst.kind[name] == "num":
            given &= ~col.isin(list(inst.codes[name].values()))
        answered[:, j] = given.to_numpy(dtype=bool)
    is_open = np.array([inst.kind[c] == "open" for c in cols])
    return x, is_open, answered


def similarity(x: np.ndarray, is_open: np.ndarray, answered: np.ndarray,
               min_items: int = 10) -> np.ndarray:
    """Pairwise share of identical answers, the largest of three definitions.

    (a) identical columns over all substantive columns, a blank matching a
    blank; (b) the same without open ends; (c) identical answers among the
    closed items both respondents answered (blanks and missing codes left
    out), for pairs with at least ``min_items`` such items. Counts come from
    products of one-hot indicator matrices: the (i, j) entry of ``H @ H.T``
    is the number of columns where rows i and j agree.
    """
    def onehot(cols: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        width = cols.max(axis=0, initial=0) + 1
        offset = np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)
        h = np.zeros((cols.shape[0], int(width.sum())), dtype=np.float32)
        r = np.repeat(np.arange(cols.shape[0]), cols.shape[1])
        c = (cols + offset[None, :]).ravel()
        w = np.ones(c.size, dtype=np.float32) if keep is None else keep.ravel().astype(
            np.float32)
        h[r, c] = w
        return h

    def agree(h: np.ndarray) -> np.ndarray:
        return np.rint(h @ h.T)

    closed = agree(onehot(x[:, ~is_open])) if (~is_open).any() else 0.0
    opened = agree(onehot(x[:, is_open])) if is_open.any() else 0.0
    n_closed = int((~is_open).sum())
    both = answered[:, ~is_open].astype(np.float32)
    m = np.rint(both @ both.T)
    a = agree(onehot(x[:, ~is_open], answered[:, ~is_open]))
    need = min(min_items, n_closed)
    share = np.where(m >= max(need, 1), a / np.maximum(m, 1), 0.0)
    return np.maximum(np.maximum((closed + opened) / x.shape[1], closed / max(n_closed, 1)),
                      share)


def _nudge(inst: InstrumentView, sheet: dict, name: str, rows: np.ndarray) -> np.ndarray:
    """Change one free answer of ``rows`` slightly; True where it changed.

    A multi option is ticked, or unticked when another option stays ticked; a
    single answer moves to the next level (the first after the last).
    """
    if rows.size == 0:
        return np.zeros(0, dtype=bool)
    if inst.kind[name] == "multi":
        picked = np.sum([sheet[y][rows] for y in inst.vars_of[inst.qid[name]]
                         if not inst.exclusive(y)], axis=0)
        cur = sheet[name][rows]
        changed = (cur == 0) | ((cur == 1) & (picked > 1))
        sheet[name][rows[changed]] = 1.0 - cur[changed]
        return changed
    lv = inst.levels[name]
    cur = sheet[name][rows]
    ok = isin(cur, lv)
    idx = pd.Series(cur[ok], dtype=object).map({k: i for i, k in enumerate(lv)}).to_numpy(int)
    sheet[name][rows[ok]] = np.array(lv, dtype=object)[(idx + 1) % len(lv)]
    return ok


def repair_similar(rng: np.random.Generator, inst: InstrumentView, sheet: dict, rows: np.ndarray,
                   prefer: np.ndarray) -> None:
    """Change free answers until no two of ``rows`` are near duplicates of each other.

    Of each offending pair, the row flagged in ``prefer`` (a defective one) is
    changed, else the later one, on a free variable where the two agree
    (multi options first, so single-answer margins stay as drawn). Stops when
    the number of close pairs no longer falls (short instruments); the caller
    lists pairs that remain near duplicates.
    """
    multi, single = inst.safe_vars()
    free = multi + single
    if not free or rows.size < 2:
        return
    fidx = np.array([inst.substantive.index(v) for v in free])
    is_multi = np.array([v in multi for v in free])
    best, stalled = np.inf, 0
    for _ in range(100):
        x, is_open, answered = code_matrix(inst, sheet, rows)
        s = similarity(x, is_open, answered)
        s[np.tril_indices(rows.size)] = 0.0
        hit = np.argwhere(s >= _NEAR_HONEST_MAX)
        if hit.size == 0:
            return
        # too few free answers to separate everyone: stop once no longer improving
        stalled = 0 if len(hit) < best else stalled + 1
        best = min(best, len(hit))
        if stalled >= 15:
            return
        a, b = hit[:, 0], hit[:, 1]
        who = np.where(prefer[rows[a]] & ~prefer[rows[b]], a, b)
        other = np.where(who == b, a, b)
        who, first = np.unique(who, return_index=True)
        other = other[first]
        agree = x[who][:, fidx] == x[other][:, fidx]
        keys = rng.random(agree.shape) + agree + is_multi[None, :]
        j = np.argmax(keys, axis=1)
        for k in np.unique(j):           # a loop over the few free variables
            _nudge(inst, sheet, free[k], rows[who[j == k]])


def near_copy(rng: np.random.Generator, inst: InstrumentView, sheet: dict,
              rows: np.ndarray) -> None:
    """Change a few free answers of ``rows`` so they are near, not exact, duplicates."""
    multi, single = inst.safe_vars()
    free = multi + single
    if not free or rows.size == 0:
        return
    k = max(1, round(0.05 * len(inst.substantive)))
    need = np.full(rows.size, k)
    order = np.argsort(rng.random((rows.size, len(free))), axis=1)
    for step in range(len(free)):         # a loop over free variables, not respondents
        for j in np.unique(order[:, step]):
            sel = (order[:, step] == j) & (need > 0)
            changed = _nudge(inst, sheet, free[j], rows[sel])
            need[np.flatnonzero(sel)[changed]] -= 1
        if not need.any():
            break
