"""The margin set-up that post-stratification, raking and calibration share.

Every weighting method works on the table of base-weight sums per
combination of the weighting variables' levels (``np.bincount`` on one
combined code per respondent): the adjustment factor of a respondent
depends only on its combination, so iterations run on a table of a few
dozen entries whatever the sample size, and factors are mapped back to
respondents once (:meth:`ComboTable.expand`).

This module matches each variable's levels to its targets (reporting every
sample cell without target and every population cell without respondents at
once, with the :func:`~survey_kit.collapse_levels` call that fixes it),
builds the :class:`ComboTable`, and turns the per-entry sums into the
margins table and the :class:`~survey_kit.weighting.result.WeightingResult`.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
...                    "sector": ["it", "manufacturing", "it", "it"]})
>>> prep, levels, table, per_var, n_c = margin_setup(
...     df, {"size_class": {"micro": 60, "small": 30, "large": 10},
...          "sector": {"it": 70, "manufacturing": 30}}, None, None, None, None, 0)
>>> [lv.labels for lv in levels], n_c.tolist()
([['micro', 'small', 'large'], ['it', 'manufacturing']], [1, 1, 1, 1])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import WeightingError
from .diagnostics import weight_diagnostics
from .factors import NOT_STATED, small_int
from .inputs import Prepared, as_list, prepare_inputs
from .result import CalibrationInfo, WeightingResult

__all__ = ["DENSE_LIMIT", "ComboTable", "Group", "Level", "build_result", "excluded_counts",
           "margin_setup", "margins_table", "match_and_combine", "raise_problems", "readonly",
           "suggest_collapse"]

DENSE_LIMIT = 1 << 22                  # combined-code tables up to this size are dense
_MAX_LISTED = 8                        # problems listed in one error message


@dataclass
class Level:
    """A weighting variable matched to its targets."""

    name: str
    labels: list[str]           # level keys (+ NOT_STATED last when separate)
    target: np.ndarray          # population count per label
    codes: np.ndarray           # per respondent: 0..L-1; -1 excluded


@dataclass
class Group:
    """A margin of the table: level of each table entry, and its targets."""

    name: str
    labels: list[str]
    target: np.ndarray
    entry_codes: np.ndarray     # (K,) level of each occupied table entry
    excluded: tuple = (0, 0.0)  # (respondents, base total) excluded as not stated


@dataclass
class ComboTable:
    """Respondents grouped by their combination of levels.

    ``code`` places each respondent in a table of ``size`` entries, of which
    ``ids`` are occupied; all sums run through ``np.bincount`` on it.
    """

    code: np.ndarray
    size: int
    ids: np.ndarray
    include: np.ndarray | None  # None: every respondent is weighted

    def sums(self, values: np.ndarray | None = None) -> np.ndarray:
        """Per occupied entry: the sum of ``values`` (the count when None)."""
        code = self.code if self.include is None else self.code[self.include]
        if values is not None and self.include is not None:
            values = values[self.include]
        return np.bincount(code, weights=values, minlength=self.size)[self.ids]

    def expand(self, per_entry: np.ndarray, times: np.ndarray | None = None) -> np.ndarray:
        """Per-respondent values of a per-entry array (times ``times``, in place)."""
        full = np.zeros(self.size)
        full[self.ids] = per_entry
        out = full.take(self.code)
        if times is not None:
            out *= times
        if self.include is not None:
            out[~self.include] = 0.0
        return out


def suggest_collapse(var: str, level: str) -> str:
    """The :func:`~survey_kit.collapse_levels` call that merges ``level`` away."""
    return (f"sk.collapse_levels(frame, targets, {var!r}, {level!r}) (on the command line: "
            f"--collapse {var}={level})")


def _match_margin(prep: Prepared, v: str, problems: list[str]) -> Level:
    f = prep.factors[v]
    target = prep.targets.margin(v)
    tkeys = [str(k) for k in target.index]
    tval = dict(zip(tkeys, target.to_numpy(dtype=float)))
    inc = prep.include
    complete = not f.missing.any()
    if prep.all_in and complete:
        counts = np.bincount(f.raw, minlength=len(f.keys))
    else:
        counts = np.bincount(f.raw[inc & (f.raw >= 0)], minlength=len(f.keys))
    n_of = dict(zip(f.keys, counts))
    for k, c in zip(f.keys, counts):
        if c > 0 and k not in tval:
            problems.append(f"sample cell {v}={k} has {c} respondent(s) but no population "
                            f"target: add a target for it, or merge it into a level that has "
                            f"one with {suggest_collapse(v, k)}")
        elif c > 0 and tval[k] == 0:
            problems.append(f"sample cell {v}={k} has {c} respondent(s) but a population target "
                            "of 0: correct the target or merge the level with "
                            f"{suggest_collapse(v, k)}")
    for k in tkeys:
        if tval[k] > 0 and n_of.get(k, 0) == 0:
            problems.append(f"population cell {v}={k} (target {tval[k]:,.6g}) has no "
                            f"respondents: merge it with a neighbouring level with "
                            f"{suggest_collapse(v, k)}")
    if f.categorical:
        order = [k for k in f.keys if k in tval] + [k for k in tkeys if k not in f.keys]
    else:
        order = tkeys
    labels = [k for k in order if tval[k] > 0]
    pos = {k: i for i, k in enumerate(labels)}
    remap = np.array([pos.get(k, -1) for k in f.keys] + [-1],
                     dtype=small_int(len(labels) + 1))
    if (complete and prep.all_in and remap.size - 1 == len(labels)
            and np.array_equal(remap[:-1], np.arange(len(labels)))):
        codes = f.raw                  # levels in data order, all with targets: no copy
    else:
        codes = remap[f.raw]
    lev = Level(v, labels, np.array([tval[k] for k in labels], dtype=float), codes)
    if prep.strategy == "separate" and f.missing.any():
        share = (float(prep.base[f.missing & inc].sum()) / float(prep.base[inc].sum()))
        total = lev.target.sum()
        lev.target = np.append(lev.target * (1.0 - share), total * share)
        lev.codes = np.where(f.missing, len(labels), lev.codes)
        lev.labels = labels + [NOT_STATED]
    if not prep.all_in:
        lev.codes[~inc] = -1
    return lev


def raise_problems(problems: list[str]) -> None:
    """One WeightingError listing the first cell problems, if there are any."""
    if problems:
        shown = problems[:_MAX_LISTED]
        more = len(problems) - len(shown)
        raise WeightingError("cannot weight: " + "; ".join(shown)
                             + (f"; and {more} more such cell(s)" if more else "")
                             + ". No respondent is dropped silently: fix the targets or merge "
                             "levels first.")


def match_and_combine(prep: Prepared, variables: Sequence[str]):
    """Each margin matched to the data (all problems reported at once), then combined."""
    problems: list[str] = []
    levels = [_match_margin(prep, v, problems) for v in variables]
    raise_problems(problems)
    return (levels, *_combine(levels, prep))


def margin_setup(frame, targets, weights, variables, not_stated, impute_within, seed):
    """What raking and calibration start from: (prep, levels, table, per_var, n_c)."""
    prep, names = prepare_inputs(frame, targets, weights, as_list(variables), "margins",
                                 not_stated, impute_within, seed)
    return (prep, *match_and_combine(prep, names))


def _combine(levels: Sequence[Level], prep: Prepared
             ) -> tuple[ComboTable, list[np.ndarray], np.ndarray]:
    """Table of the combinations of the levels' codes.

    Returns the table, the level code of each occupied entry per variable,
    and the number of respondents per entry.
    """
    include = None if prep.all_in else prep.include
    sizes = [len(lv.labels) for lv in levels]
    size = int(np.prod(sizes, dtype=np.float64))
    if size >= 2 ** 62:
        raise WeightingError(f"{len(levels)} weighting variables with {sizes} levels have too "
                             "many combinations; weight on fewer variables or merge levels")
    code = None
    ctype = np.int32 if size < 2 ** 31 else np.int64
    for lv, s in zip(levels, sizes):          # in place: one array of the combined codes
        c = lv.codes if include is None else np.maximum(lv.codes, 0)
        if code is None:
            code = c.astype(ctype)
        else:
            code *= s
            code += c
    if size <= DENSE_LIMIT:
        counts = np.bincount(code if include is None else code[include], minlength=size)
        ids = np.flatnonzero(counts)
        n_c = counts[ids]
        entries = ids
    else:
        entries, inverse = np.unique(code if include is None else code[include],
                                     return_inverse=True)
        if include is None:
            code = inverse.astype(np.int64)
        else:
            code = np.zeros(code.size, dtype=np.int64)
            code[include] = inverse
        size = entries.size
        ids = np.arange(size)
        n_c = np.bincount(inverse, minlength=size)
    per_var = []
    rest = entries.copy()
    for s in reversed(sizes):
        per_var.append(rest % s)
        rest //= s
    per_var.reverse()
    return ComboTable(code, size, ids, include), per_var, n_c


def excluded_counts(prep: Prepared, v: str) -> tuple:
    """(respondents, base total) excluded for a missing ``v`` under ``not_stated='exclude'``."""
    if prep.strategy != "exclude":
        return (0, 0.0)
    m = prep.factors[v].missing & ~prep.include
    return (int(m.sum()), float(prep.base[m].sum()))


# -- the margins table and the result ---------------------------------------

def margins_table(groups: Sequence[Group], n_c: np.ndarray, base_c: np.ndarray,
                  w_c: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Target vs achieved vs sample per level, from per-entry sums.

    Built as whole columns (one DataFrame, no concatenation per variable): at a
    million respondents the per-variable frames cost more than the raking.
    """
    cols: dict[str, list] = {k: [] for k in (
        "variable", "level", "n", "sample_share", "base_total", "base_share", "target",
        "target_share", "achieved", "achieved_share")}
    for g in groups:
        L = len(g.labels)
        n = np.bincount(g.entry_codes, weights=n_c, minlength=L)[:L]
        bt = np.bincount(g.entry_codes, weights=base_c, minlength=L)[:L]
        ach = np.bincount(g.entry_codes, weights=w_c, minlength=L)[:L]
        tgt = np.asarray(g.target, dtype=float)
        parts = {"variable": [g.name] * L, "level": list(g.labels), "n": n,
                 "sample_share": n / n.sum(), "base_total": bt, "base_share": bt / bt.sum(),
                 "target": tgt, "target_share": tgt / tgt.sum(), "achieved": ach,
                 "achieved_share": ach / ach.sum()}
        if g.excluded[0]:
            extra = {"variable": [g.name], "level": [NOT_STATED + " excluded"],
                     "n": [float(g.excluded[0])], "sample_share": [np.nan],
                     "base_total": [g.excluded[1]], "base_share": [np.nan],
                     "target": [np.nan], "target_share": [np.nan], "achieved": [0.0],
                     "achieved_share": [0.0]}
            parts = {k: list(v) + extra[k] for k, v in parts.items()}
        for k, v in parts.items():
            cols[k].extend(v)
    m = pd.DataFrame({k: (v if k in ("variable", "level") else np.asarray(v, dtype=float))
                      for k, v in cols.items()})
    m["n"] = m["n"].round().astype(np.int64)
    m["error"] = m["achieved"] - m["target"]
    with np.errstate(divide="ignore", invalid="ignore"):
        m["rel_error"] = np.where(m["target"] > 0, m["error"] / m["target"], np.nan)
    rel = np.abs(m["rel_error"].to_numpy(dtype=float))
    rel = rel[np.isfinite(rel)]
    return m, float(rel.max()) if rel.size else 0.0


def readonly(a: np.ndarray) -> np.ndarray:
    """``a``, made read-only (the arrays a CalibrationInfo hands to a design)."""
    a.setflags(write=False)
    return a


def build_result(prep: Prepared, method: str, w_full: np.ndarray, table: ComboTable,
                 groups: list[Group], n_c: np.ndarray, base_c: np.ndarray, w_c: np.ndarray,
                 converged: bool, iterations: int, calibration: CalibrationInfo,
                 warnings: list[str]) -> WeightingResult:
    """The WeightingResult of a method, from its per-entry sums (warns of negative weights)."""
    margins, max_err = margins_table(groups, n_c, base_c, w_c)
    if w_full.min() < 0:
        neg = int((w_full < 0).sum())
        warnings.append(f"{neg} weight(s) are negative (min {w_full.min():.6g}), as linear "
                        "calibration allows; use bounds=(lo, hi) or method='raking'/'logit' "
                        "to keep weights positive")
    return WeightingResult(
        weights=pd.Series(w_full, index=prep.index, name="weight"),
        converged=converged, iterations=iterations, max_margin_error=max_err,
        margins=margins, diagnostics=weight_diagnostics(w_full),
        warnings=tuple(prep.warnings + warnings), method=method, calibration=calibration,
        not_stated=prep.not_stated, imputations=prep.imputations,
        _groups=(table, groups, n_c, base_c))
