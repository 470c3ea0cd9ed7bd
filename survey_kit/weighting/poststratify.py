"""Post-stratification: scale the weights in each cell to the cell's population count.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"size_class": ["micro", "micro", "large", "large"],
...                    "sector": ["it", "retail", "it", "it"]})
>>> cells = pd.DataFrame({"size_class": ["micro", "micro", "large"],
...                       "sector": ["it", "retail", "it"], "target": [50, 40, 10]})
>>> poststratify(df, cells).weights.tolist()
[50.0, 40.0, 5.0, 5.0]

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, sec. 7.2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import WeightingError
from .factors import NOT_STATED
from .inputs import Prepared, as_list, prepare_inputs
from .margins import (
    DENSE_LIMIT,
    ComboTable,
    Group,
    build_result,
    excluded_counts,
    match_and_combine,
    raise_problems,
    readonly,
    suggest_collapse,
)
from .result import CalibrationInfo, WeightingResult

__all__ = ["poststratify"]


def poststratify(frame: pd.DataFrame, targets: Any, weights: Any = None, *,
                 variables: Sequence[str] | str | None = None, not_stated: str | None = None,
                 impute_within: str | Sequence[str] | None = None,
                 seed: int | None = 0) -> WeightingResult:
    """Post-stratify: scale the weights in each cell to the cell's population count.

    Parameters
    ----------
    frame : pandas.DataFrame
        Respondents (respondent id as index). Weighting variables may be
        Categoricals (categories = level keys) or plain object/int columns;
        missing = "not stated".
    targets : Targets, mapping or DataFrame
        Joint cells (e.g. size class x sector, see :func:`~survey_kit.load_targets`)
        or a single margin. Counts or shares (shares are scaled to the sum of
        the base weights unless the targets carry a population total).
    weights : None, str, array-like or pandas.Series
        Base weights: None (all 1), a column name, or one value per respondent.
    variables : str or list of str, optional
        Which variables define the cells; default the targets' cell variables
        (or its only margin).
    not_stated : {"separate", "impute", "exclude"}, optional
        How to weight respondents whose weighting variable is missing
        (required when there are any): "separate" -- one extra cell whose
        target is its base-weighted sample share of the population (so those
        respondents get the overall adjustment ``N / sum(d)``); "impute" --
        random hot-deck within ``impute_within`` (default the other weighting
        variables), with ``seed``; "exclude" -- weight 0, reported.
    impute_within : str or list of str, optional
        Imputation classes for ``not_stated="impute"``.
    seed : int, default 0
        Seed of the hot-deck draws.

    Returns
    -------
    WeightingResult

    Raises
    ------
    WeightingError
        A sample cell without target, a population cell without respondents,
        missing weighting variables without a ``not_stated`` strategy, bad base
        weights or targets.

    Notes
    -----
    As R's ``postStratify``: ``w_i = d_i * N_c / sum_{j in c} d_j`` for the
    cell ``c`` of respondent ``i`` (Lumley 2010, sec. 7.2).

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size_class": ["micro", "micro", "large"]})
    >>> poststratify(df, {"size_class": {"micro": 90, "large": 10}}).weights.tolist()
    [45.0, 45.0, 10.0]
    """
    prep, variables = prepare_inputs(frame, targets, weights, as_list(variables), "cells",
                                     not_stated, impute_within, seed)
    t = prep.targets
    if len(variables) == 1 and (t.cells is None or variables[0] in t.margins
                                or len(t.cell_variables) == 1):
        (lv,), table, per_var, n_c = match_and_combine(prep, variables[:1])
        cell_target = lv.target[per_var[0]]
        groups = [Group(lv.name, lv.labels, lv.target, per_var[0],
                        excluded_counts(prep, lv.name))]
        labels = [lv.labels[j] for j in per_var[0]]
    else:
        if t.cells is None or not set(variables) <= set(t.cell_variables):
            raise WeightingError(
                f"post-stratification on {' x '.join(variables)} needs joint cell targets "
                "(a table with one column per variable plus 'target'); these targets have "
                "only margins. Give cell targets, or use sk.rake / sk.calibrate on margins")
        table, groups, n_c, labels, cell_target = _match_cells(prep, variables)
    base = prep.base
    base_c = table.sums(base)
    factor = cell_target / base_c
    w_full = table.expand(factor, base)
    cells = table.code.copy() if table.size == len(labels) else None
    if cells is None:          # dense single-variable table: entries are the occupied levels
        lookup = np.full(table.size, -1, dtype=np.int64)
        lookup[table.ids] = np.arange(table.ids.size)
        cells = lookup[table.code]
    if table.include is not None:
        cells[~table.include] = -1
    cal = CalibrationInfo("poststratify", cells=readonly(cells), margins=None,
                          model_matrix=None, base_weights=readonly(base),
                          weights=readonly(w_full), labels=tuple(labels))
    return build_result(prep, "poststratify", w_full, table, groups, n_c, base_c,
                        base_c * factor, True, 1, cal, [])


def _match_cells(prep: Prepared, variables: list[str]):
    """Cell of each respondent in the joint targets, checked both ways."""
    t = prep.targets
    problems: list[str] = []
    cells = t.cells.groupby(variables, sort=False, as_index=False)["target"].sum()
    inc = prep.include
    facs = [prep.factors[v] for v in variables]
    missing_any = np.zeros(inc.size, dtype=bool)
    for f in facs:
        missing_any |= f.missing
    # level lists: data order for Categoricals, else the cells' order
    level_lists = []
    for f, v in zip(facs, variables):
        ckeys = list(dict.fromkeys(cells[v].astype(str)))
        if f.categorical:
            ckeys = [k for k in f.keys if k in ckeys] + [k for k in ckeys if k not in f.keys]
        level_lists.append(ckeys)
    sizes = [len(ks) + 1 for ks in level_lists]        # +1: a data level without target
    strides = [int(np.prod(sizes[j + 1:], dtype=np.float64)) for j in range(len(sizes))]
    size = int(np.prod(sizes, dtype=np.float64))
    if size > DENSE_LIMIT:
        raise WeightingError(f"post-stratification on {' x '.join(variables)} would have "
                             f"{size:,} cells; use sk.rake or sk.calibrate on the margins")
    code = np.zeros(inc.size, dtype=np.int64)
    ccode = np.zeros(len(cells), dtype=np.int64)
    for f, v, ks, s in zip(facs, variables, level_lists, sizes):
        pos = {k: i for i, k in enumerate(ks)}
        remap = np.array([pos.get(k, len(ks)) for k in f.keys] + [0], dtype=np.int64)
        code = code * s + remap[f.raw]
        ccode = ccode * s + cells[v].astype(str).map(pos).to_numpy(dtype=np.int64)
    tarr = np.full(size, np.nan)
    tarr[ccode] = cells["target"].to_numpy(dtype=float)
    observed = inc & ~missing_any
    n_full = np.bincount(code[observed], minlength=size)

    def describe(cc: int) -> str:
        where = np.flatnonzero(observed & (code == cc))
        if where.size:
            i = where[0]
            return ", ".join(f"{v}={f.keys[f.raw[i]]}" for v, f in zip(variables, facs))
        return ", ".join(f"{v}={ks[(cc // st) % s]}"
                         for v, ks, st, s in zip(variables, level_lists, strides, sizes))

    def hint(cc: int) -> str:
        v, level = describe(cc).split(", ")[0].split("=", 1)
        return suggest_collapse(v, level)

    for cc in np.flatnonzero((n_full > 0) & np.isnan(tarr)):
        problems.append(f"sample cell ({describe(cc)}) has {n_full[cc]} respondent(s) but no "
                        f"population target: add one, or merge levels with e.g. {hint(cc)}")
    for cc in np.flatnonzero((n_full > 0) & (tarr == 0)):
        problems.append(f"sample cell ({describe(cc)}) has {n_full[cc]} respondent(s) but a "
                        f"population target of 0: correct it, or merge levels with e.g. "
                        f"{hint(cc)}")
    for cc in np.flatnonzero((n_full == 0) & (tarr > 0)):
        problems.append(f"population cell ({describe(cc)}) (target {tarr[cc]:,.6g}) has no "
                        f"respondents: merge levels with e.g. {hint(cc)}")
    raise_problems(problems)
    occupied = np.flatnonzero(n_full)
    K = occupied.size
    lookup = np.full(size, -1, dtype=np.int64)
    lookup[occupied] = np.arange(K)
    cell_code = np.where(observed, lookup[code], -1)
    level_of_cell = [(occupied // st) % s for st, s in zip(strides, sizes)]
    labels = [":".join(ks[lc[i]] for ks, lc in zip(level_lists, level_of_cell))
              for i in range(K)]
    cell_target = tarr[occupied]
    groups = []
    for v, ks, lc in zip(variables, level_lists, level_of_cell):
        tv = np.bincount(lc, weights=cell_target, minlength=len(ks))[:len(ks)]
        keep = np.flatnonzero(tv > 0)
        remap = np.full(len(ks), -1, dtype=np.int64)
        remap[keep] = np.arange(keep.size)
        groups.append(Group(v, [ks[i] for i in keep], tv[keep], remap[lc],
                            excluded_counts(prep, v)))
    entry_joint = np.arange(K)
    if prep.strategy == "separate" and missing_any.any():
        # one more cell: everyone with a cell variable not stated
        share = float(prep.base[missing_any & inc].sum()) / float(prep.base[inc].sum())
        total = cell_target.sum()
        cell_target = np.append(cell_target * (1.0 - share), total * share)
        cell_code = np.where(missing_any & inc, K, cell_code)
        labels = labels + [NOT_STATED]
        for g in groups:
            g.target = np.append(g.target * (1.0 - share), total * share)
            g.entry_codes = np.append(g.entry_codes, len(g.labels))
            g.labels = g.labels + [NOT_STATED]
        entry_joint = np.arange(K + 1)
        K += 1
    groups.append(Group(":".join(variables), labels, cell_target, entry_joint))
    include = cell_code >= 0
    table = ComboTable(np.maximum(cell_code, 0), K, np.arange(K),
                       None if include.all() else include)
    n_c = np.bincount(cell_code[include], minlength=K)
    return table, groups, n_c, labels, cell_target
