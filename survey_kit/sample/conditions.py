"""Set answers on a working sheet so that a condition, a trap or a grid comes out as wanted.

The questionnaire's conditions (screeners, ``implies`` rules), consistency
traps (a question asked twice) and grids (straight-lining) are declarative;
these helpers test them on the sheet (:func:`cond_holds`) and change answers so
that they hold or fail (:func:`make_cond`, :func:`sync_repeat`,
:func:`unline`). Honest respondents are made to pass with them, and defects
are planted with them.

Example
-------
>>> from types import SimpleNamespace
>>> import numpy as np
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> from survey_kit.sample.variables import InstrumentView
>>> inst = InstrumentView(load_questionnaire("questionnaires/japan_creators_2024.yaml"))
>>> sheet = {"screener_creator": np.array(["firm", "neither", None], dtype=object)}
>>> cond = SimpleNamespace(question="screener_creator", op="in", value=["individual", "firm"])
>>> cond_holds(inst, sheet, cond).tolist()
[True, False, False]
>>> make_cond(np.random.default_rng(0), inst, sheet, cond, np.array([1, 2]), True)
True
>>> sheet["screener_creator"].tolist()
['firm', 'individual', 'individual']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .draws import index_of, isin
from .variables import MISS, InstrumentView

__all__ = ["blank_out", "cond_holds", "make_cond", "sync_repeat", "unline"]


def cond_holds(inst: InstrumentView, sheet: dict, c: Any) -> np.ndarray:
    """Where a declarative condition holds (categorical, binary and numeric variables)."""
    name = c.question
    x = sheet[name]
    if c.op in ("missing", "answered"):
        blank = pd.Series(x, dtype=object).map(
            lambda v: v is None or (isinstance(v, float) and np.isnan(v))
            or (isinstance(v, str) and v.startswith(MISS))).to_numpy(dtype=bool)
        return blank if c.op == "missing" else ~blank
    vals = c.value if isinstance(c.value, list) else [c.value]
    if inst.kind.get(name) == "cat":
        keys = [inst.key_of(name, v) for v in vals]
        hit = isin(x, np.array(keys, dtype=object))
        return hit if c.op in ("in", "eq") else (~hit & pd.notna(pd.Series(x)).to_numpy())
    xv = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        if c.op in ("in", "eq"):
            return np.isin(xv, np.asarray(vals, dtype=float))
        if c.op in ("not_in", "ne"):
            return ~np.isin(xv, np.asarray(vals, dtype=float)) & ~np.isnan(xv)
        if c.op == "between":
            return (xv >= vals[0]) & (xv <= vals[1])
        return {"lt": xv < vals[0], "le": xv <= vals[0], "gt": xv > vals[0],
                "ge": xv >= vals[0]}[c.op]


def make_cond(rng: np.random.Generator, inst: InstrumentView, sheet: dict, c: Any, rows: np.ndarray,
              truth: bool) -> bool:
    """Set ``c.question`` on ``rows`` so the condition is ``truth``; False if unsupported."""
    name = c.question
    if name not in sheet or rows.size == 0:
        return rows.size == 0
    vals = c.value if isinstance(c.value, list) else [c.value]
    kind = inst.kind[name]
    positive = (c.op in ("in", "eq")) == truth
    if kind == "cat" and c.op in ("in", "eq", "not_in", "ne"):
        keys = [inst.key_of(name, v) for v in vals]
        if positive:
            sheet[name][rows] = keys[0]
        else:
            others = [k for k in inst.levels[name] if k not in keys]
            upper = others[len(others) // 2:] or others
            sheet[name][rows] = np.array(upper, dtype=object)[rng.integers(0, len(upper),
                                                                           rows.size)]
        return True
    if kind == "multi" and c.op in ("in", "eq", "not_in", "ne"):
        on = float(vals[0]) if positive else 1.0 - float(vals[0])
        sheet[name][rows] = on
        if on == 1.0 and inst.exclusive(name):
            for other in inst.vars_of[inst.qid[name]]:
                if other != name:
                    sheet[other][rows] = 0.0
        elif on == 1.0:
            for other in inst.vars_of[inst.qid[name]]:
                if inst.exclusive(other):
                    sheet[other][rows] = 0.0
        return True
    if kind == "num" and c.op in ("lt", "le", "gt", "ge", "eq", "between"):
        v = float(vals[0])
        want_high = (c.op in ("gt", "ge")) == truth
        if c.op in ("eq", "between"):
            sheet[name][rows] = v if truth else v + 10
        else:
            sheet[name][rows] = v + 5 if want_high else v - 5
        return True
    return False


def sync_repeat(rng: np.random.Generator, inst: InstrumentView, sheet: dict, t: Any,
                rows: np.ndarray, shift: float = 0.0) -> None:
    """Answer the repeated question like the original (within the trap's tolerance)."""
    src, rep = t.question, t.repeat
    if inst.kind.get(src) == "num":
        sheet[rep][rows] = sheet[src][rows]
        return
    val = sheet[src][rows].copy()
    lv_src = inst.levels[src]
    lv_rep = inst.levels[rep]
    idx = index_of(lv_src, val)
    out = val.astype(object)
    ok = idx >= 0
    if t.tolerance >= 1 and shift > 0:
        move = ok & (rng.random(rows.size) < shift)
        step = np.where(rng.random(rows.size) < 0.5, -1, 1)
        new = np.clip(idx + step, 0, len(lv_rep) - 1)
        idx = np.where(move, new, idx)
    out[ok] = np.array(lv_rep, dtype=object)[np.minimum(idx[ok], len(lv_rep) - 1)]
    rep_missing = {MISS + m.key for m in inst.q.question(inst.qid[rep]).missing}
    miss = ~ok & isin(val, rep_missing)
    out[~ok & ~miss] = None
    sheet[rep][rows] = out


def unline(inst: InstrumentView, sheet: dict, gid: str, rows: np.ndarray) -> None:
    """Break accidental straight-lining: move the last free item one level."""
    items = inst.q.grid_variables(gid)
    trap_items = {t.question for t in inst.traps.values() if t.type == "instructed"}
    free = [x for x in items if x not in trap_items]
    if not free or rows.size == 0:
        return
    vals = np.column_stack([sheet[x][rows] for x in items])
    same = np.all(vals == vals[:, :1], axis=1) & pd.notna(pd.Series(vals[:, 0])).to_numpy()
    if not same.any():
        return
    x = free[-1]
    lv = inst.levels[x]
    r = rows[same]
    idx = index_of(lv, sheet[x][r])
    sheet[x][r] = np.array(lv, dtype=object)[np.where(idx < len(lv) - 1, idx + 1, idx - 1)]


def blank_out(inst: InstrumentView, sheet: dict, names: list[str], rows: np.ndarray) -> None:
    """Leave variables ``names`` unanswered on ``rows``."""
    for x in names:
        if inst.kind[x] in ("cat", "open"):
            sheet[x][rows] = None
        else:
            sheet[x][rows] = np.nan
