"""Merging levels of a weighting variable in both the data and the targets.

When a sample cell has no population target, or a population cell no
respondents, the weighting functions refuse and name the
:func:`collapse_levels` call that fixes it: merge the level with its
neighbour (or with named levels), in the respondents' frame and in the
targets alike. The merge is recorded in ``Targets.collapsed`` and reported
among the weighting warnings.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"region": ["north", "south", "south"]})
>>> frame, targets = collapse_levels(df, {"region": {"north": 40, "south": 50, "islands": 10}},
...                                  "region", ["south", "islands"], into="south")
>>> frame["region"].tolist(), targets.margins["region"].to_dict()
(['north', 'south', 'south'], {'north': 40.0, 'south': 60.0})
>>> targets.collapsed
({'variable': 'region', 'levels': ('south', 'islands'), 'into': 'south'},)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError, WeightingError
from .targets import TARGET_COLUMN, Targets, as_targets, level_key

__all__ = ["CollapsedLevels", "collapse_levels"]


@dataclass(frozen=True, eq=False)
class CollapsedLevels:
    """The frame and targets after merging levels; unpacks as ``frame, targets``."""

    frame: pd.DataFrame
    targets: Targets
    record: Mapping[str, Any]

    def __iter__(self) -> Iterator[Any]:
        yield self.frame
        yield self.targets


def _level_order(frame: pd.DataFrame, targets: Targets, variable: str) -> list[str]:
    col = frame[variable]
    data_levels = ([level_key(c) for c in col.cat.categories]
                   if isinstance(col.dtype, pd.CategoricalDtype)
                   else [level_key(x) for x in pd.unique(col.dropna())])
    target_levels = [str(k) for k in targets.margin(variable).index]
    if isinstance(col.dtype, pd.CategoricalDtype):
        order = data_levels + [k for k in target_levels if k not in data_levels]
    else:
        order = target_levels + [k for k in data_levels if k not in target_levels]
    return order


def collapse_levels(frame: pd.DataFrame, targets: Any, variable: str,
                    levels: str | Sequence[Any], into: str | None = None) -> CollapsedLevels:
    """Merge levels of a weighting variable in both the data and the targets.

    Use it when a cell has respondents but no population target, or a target
    but no respondents (the weighting functions say which).

    Parameters
    ----------
    frame : pandas.DataFrame
        Respondents. Not modified; a copy with the variable recoded is returned.
    targets : Targets, mapping or DataFrame
        Population targets (see :func:`as_targets`).
    variable : str
        The variable whose levels are merged.
    levels : str or sequence
        Two or more levels to merge; or one level, merged with the adjacent
        level (the next one in the category order, or the previous one when it
        is the last).
    into : str, optional
        Name of the merged level; default the merged names joined by ``+``.

    Returns
    -------
    CollapsedLevels
        ``frame``, ``targets`` (which records the merge in ``.collapsed``) and
        ``record``; unpack as ``frame, targets = sk.collapse_levels(...)``.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size_class": pd.Categorical(["micro", "small", "large"],
    ...                    categories=["micro", "small", "medium", "large"])})
    >>> t = {"size_class": {"micro": 60, "small": 25, "medium": 10, "large": 5}}
    >>> df2, t2 = collapse_levels(df, t, "size_class", "medium")
    >>> t2.margins["size_class"].to_dict()
    {'micro': 60.0, 'small': 25.0, 'medium+large': 15.0}
    """
    t = as_targets(targets)
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"frame must be a pandas DataFrame, not {type(frame).__name__}")
    if variable not in frame.columns:
        raise WeightingError(f"variable {variable!r} is not a column of the data; columns "
                             f"are {list(frame.columns)[:20]}")
    if variable not in t.variables:
        raise WeightingError(f"there are no targets for variable {variable!r}; targets "
                             f"exist for {t.variables}")
    order = _level_order(frame, t, variable)
    merged = _merged_levels(order, levels, variable)
    into = "+".join(merged) if into is None else level_key(into)
    if into in order and into not in merged:
        raise UsageError(f"{variable!r} already has a level {into!r}; choose another name "
                         "for the merged level")
    out = frame.copy()
    out[variable] = _recode(frame[variable], merged, into)
    record = {"variable": variable, "levels": tuple(merged), "into": into}
    return CollapsedLevels(frame=out, targets=_merge_targets(t, record), record=record)


def _merged_levels(order: list[str], levels: str | Sequence[Any], variable: str) -> list[str]:
    """The level keys to merge, in category order: one level and its neighbour, or those given."""
    if isinstance(levels, (str, int, float, np.integer)):
        key = level_key(levels)
        if key not in order:
            raise WeightingError(f"level {key!r} of {variable!r} is in neither the data nor "
                                 f"the targets; levels are {order}")
        if len(order) < 2:
            raise WeightingError(f"{variable!r} has a single level; nothing to merge with")
        i = order.index(key)
        return [order[i], order[i + 1]] if i + 1 < len(order) else [order[i - 1], order[i]]
    if not isinstance(levels, (list, tuple, set, pd.Index, np.ndarray, pd.Series)):
        raise UsageError(f"levels must be one level or a list of levels, not "
                         f"{type(levels).__name__}")
    merged = [level_key(x) for x in levels]
    if len(set(merged)) < 2:
        raise UsageError("give at least two different levels to merge, or one level to "
                         "merge with its neighbour")
    unknown = [k for k in merged if k not in order]
    if unknown:
        raise WeightingError(f"level(s) {unknown} of {variable!r} are in neither the data "
                             f"nor the targets; levels are {order}")
    return [k for k in order if k in merged]      # category order


def _recode(col: pd.Series, merged: list[str], into: str) -> pd.Series:
    """The data column with the merged levels recoded to ``into``.

    A Categorical keeps its category order, the merged level where the first
    of its parts was.
    """
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = [level_key(c) for c in col.cat.categories]
        keys = pd.Categorical(col.astype(object).map(
            lambda x: x if pd.isna(x) else level_key(x)), categories=cats)
        new_cats: list[str] = []
        for c in cats:
            c2 = into if c in merged else c
            if c2 not in new_cats:
                new_cats.append(c2)
        if into not in new_cats:
            new_cats.append(into)
        mapping = {c: (into if c in merged else c) for c in cats}
        codes = pd.Categorical(pd.Series(keys).map(mapping), categories=new_cats,
                               ordered=col.cat.ordered)
        return pd.Series(codes, index=col.index, name=col.name)

    def recode(x: Any) -> Any:
        if pd.isna(x):
            return x
        return into if level_key(x) in merged else x
    return col.astype(object).map(recode)


def _merge_targets(t: Targets, record: Mapping[str, Any]) -> Targets:
    """The targets with the merged levels summed, the merge recorded in ``collapsed``."""
    variable, merged, into = record["variable"], record["levels"], record["into"]
    margins = dict(t.margins)
    if variable in margins:
        s = margins[variable]
        grouped = s.groupby(s.index.map(lambda k: into if k in merged else k), sort=False).sum()
        grouped.index = grouped.index.astype(object)
        grouped.name = variable
        margins[variable] = grouped.astype(float)
    cells = t.cells
    if cells is not None and variable in t.cell_variables:
        cells = cells.copy()
        cells[variable] = cells[variable].map(lambda k: into if k in merged else k)
        cells = (cells.groupby(t.cell_variables, sort=False, as_index=False)[TARGET_COLUMN]
                 .sum())
    return replace(t, margins=margins, cells=cells, collapsed=t.collapsed + (record,))
