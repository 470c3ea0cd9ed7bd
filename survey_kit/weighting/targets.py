"""Population targets for weighting: margins and joint cells, counts or shares.

A :class:`Targets` holds what the weighting functions adjust to:

* ``margins`` -- one Series per variable, level -> population count (or share),
  e.g. the number of firms per size class from an establishment census;
* ``cells`` -- optionally, a joint table (e.g. size class x sector) for
  post-stratification.

Targets come from a mapping, a DataFrame or a file (:func:`load_targets`).

Counts or shares, per margin
----------------------------
Each margin (and the joint cells) is either population counts or shares.
Shares must sum to 1 within :data:`SHARE_TOLERANCE` (1e-6, absolute: a
margin of shares summing to 0.9999995 is accepted, one summing to 0.99 or
1.1 is not). With ``kind="auto"`` (the default) a margin summing to 1 is
read as shares and any other as counts -- except that a margin whose values
are all at most 1, some of them fractions, looks like shares: if it does not
sum to 1 it is an error naming the margin and its sum (never silently
rescaled as counts). Every margin must be of one kind: shares in one margin
and counts in another is an error naming both. Shares are turned into counts
with the population total ``total=`` if given, else with the sum of the base
weights at weighting time. Count margins whose totals disagree are an error,
unless ``rescale=True`` (which also scales shares that do not sum to 1).

A :class:`Targets` keeps its provenance: the file it was read from
(``source``, named in every error and in the weighting report), what the
file says of its figures per variable (``provenance``: official or
illustrative, their source and reference date, from the optional
``status, source, date`` columns; :mod:`survey_kit.weighting.provenance`) and
the levels merged by :func:`~survey_kit.weighting.collapse.collapse_levels`
(``collapsed``).

Example
-------
>>> import survey_kit as sk
>>> t = sk.as_targets({"size_class": {"micro": 600, "small": 250, "large": 150},
...                    "sector": {"manufacturing": 400, "services": 600}})
>>> t.total
1000.0
>>> sk.as_targets({"sector": {"manufacturing": 0.4, "services": 0.6}}, total=1000
...               ).margins["sector"].tolist()
[400.0, 600.0]
>>> from survey_kit.errors import WeightingError
>>> try:
...     sk.as_targets({"sector": {"manufacturing": 0.5, "services": 0.6}})
... except WeightingError as exc:
...     print(exc.message[:76])
targets of 'sector' look like shares (every value at most 1) but sum to 1.1,
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin
from .._yaml import parse_yaml
from ..errors import UsageError, WeightingError, _shown
from .provenance import NOT_STATED, Provenance, split_provenance

__all__ = ["SHARE_TOLERANCE", "TARGET_COLUMN", "Targets", "as_targets", "level_key",
           "load_targets"]

_RTOL_TOTAL = 1e-6      # margins whose totals differ by more than this (relative) disagree
#: shares must sum to 1 within this (absolute); a margin summing to 1 within it is shares
SHARE_TOLERANCE = 1e-6
_SHARE_TOL = SHARE_TOLERANCE
TARGET_COLUMN = "target"  # the column of target values in a table of targets


def level_key(value: Any) -> str:
    """The string under which a level is matched between data and targets.

    Integral numbers become ``"3"`` (not ``"3.0"``) so that a region coded
    3 in the data matches ``3`` in a YAML file and ``"3"`` in a CSV file.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isfinite(value) and float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    return str(value).strip()


# --------------------------------------------------------------------------
# the normalised object
# --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Targets(ResultMixin):
    """Normalised population targets.

    Attributes
    ----------
    margins : dict of str -> pandas.Series
        Variable -> Series indexed by level key (str), float values. Counts
        when ``total`` is known, else shares summing to 1.
    cells : pandas.DataFrame or None
        Joint targets: one column per variable (level keys) plus ``target``.
    total : float or None
        Population total; None when only shares were given.
    source : str or None
        File the targets came from, for messages.
    collapsed : tuple of dict
        Levels merged with :func:`collapse_levels` (variable, levels, into).
    provenance : dict of str -> Provenance
        Per variable, what the targets file says of its figures (status
        official / illustrative, source, date); see :meth:`provenance_of`.
    """

    margins: Mapping[str, pd.Series]
    cells: pd.DataFrame | None = None
    total: float | None = None
    source: str | None = None
    collapsed: tuple = ()
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    def provenance_of(self, variable: str) -> Provenance:
        """What the file says of ``variable``'s targets (all None when it says nothing)."""
        return self.provenance.get(variable, NOT_STATED)

    @property
    def illustrative(self) -> bool:
        """True when the targets of any variable are called illustrative."""
        return any(p.illustrative for p in self.provenance.values())

    @property
    def variables(self) -> list[str]:
        """Variables with targets: the margins', then those only in ``cells``."""
        out = list(self.margins)
        if self.cells is not None:
            out += [c for c in self.cells.columns if c != TARGET_COLUMN and c not in out]
        return out

    @property
    def cell_variables(self) -> list[str]:
        """Variables of the joint cells (empty when there are none)."""
        if self.cells is None:
            return []
        return [c for c in self.cells.columns if c != TARGET_COLUMN]

    @property
    def is_share(self) -> bool:
        """True when no population total is known (every target is a share)."""
        return self.total is None

    def resolve(self, total: float) -> Targets:
        """Counts: shares times ``total`` when no population total is known."""
        if self.total is not None:
            return self
        if not (np.isfinite(total) and total > 0):
            raise WeightingError(f"cannot turn target shares into counts with total {total!r}; "
                                 "give a positive population total")
        margins = {v: s * float(total) for v, s in self.margins.items()}
        cells = None
        if self.cells is not None:
            cells = self.cells.copy()
            cells[TARGET_COLUMN] = cells[TARGET_COLUMN] * float(total)
        return replace(self, margins=margins, cells=cells, total=float(total))

    def margin(self, variable: str) -> pd.Series:
        """Targets of one variable: its margin, or the cells summed over the others."""
        if variable in self.margins:
            return self.margins[variable]
        if variable in self.cell_variables:
            s = self.cells.groupby(variable, sort=False)[TARGET_COLUMN].sum()
            s.index = s.index.astype(object)
            s.name = variable
            return s.astype(float)
        raise WeightingError(f"no targets for variable {variable!r}; targets exist for "
                             f"{self.variables}")

    def to_frame(self) -> pd.DataFrame:
        """Long table ``variable, level, target`` (cells as ``a:b`` and ``x:y``)."""
        rows = [pd.DataFrame({"variable": v, "level": s.index.astype(str),
                              "target": s.to_numpy(dtype=float)})
                for v, s in self.margins.items()]
        if self.cells is not None:
            cv = self.cell_variables
            rows.append(pd.DataFrame({
                "variable": ":".join(cv),
                "level": self.cells[cv].astype(str).agg(":".join, axis=1).to_numpy(),
                "target": self.cells[TARGET_COLUMN].to_numpy(dtype=float)}))
        if not rows:
            return pd.DataFrame(columns=["variable", "level", "target"])
        return pd.concat(rows, ignore_index=True)

    def __str__(self) -> str:
        head = "Targets (" + ("shares" if self.total is None else f"total {self.total:,.6g}")
        head += f", from {self.source})" if self.source else ")"
        return head + "\n" + self.to_frame().to_string(index=False)


# --------------------------------------------------------------------------
# building Targets from what a user has
# --------------------------------------------------------------------------

def _as_float(value: Any, *, variable: str, level: Any, source: str | None) -> float:
    try:
        if isinstance(value, (bool, np.bool_)):
            raise TypeError("a boolean")
        out = float(value)
    except (TypeError, ValueError):
        raise WeightingError(f"target for variable {variable!r}, level {level!r} is "
                             f"{_shown(value)}, not a number; give a population count or share",
                             file=source) from None
    if not math.isfinite(out):
        raise WeightingError(f"target for variable {variable!r}, level {level!r} is {out!r}; "
                             "targets must be finite numbers", file=source)
    if out < 0:
        raise WeightingError(f"target for variable {variable!r}, level {level!r} is negative "
                             f"({out!r}); targets are population counts or shares >= 0",
                             file=source)
    return out


def _margin_series(variable: str, values: Any, source: str | None) -> pd.Series:
    if isinstance(values, (pd.Series, Mapping)):
        items = list(values.items())
    elif isinstance(values, list) and all(isinstance(x, tuple) and len(x) == 2 for x in values):
        items = values
    else:
        raise WeightingError(f"targets for variable {variable!r} must be a mapping "
                             f"level -> count or share, not {type(values).__name__}",
                             file=source)
    if not items:
        raise WeightingError(f"targets for variable {variable!r} are empty", file=source)
    for k, _ in items:
        if k is None or (isinstance(k, float) and math.isnan(k)) or str(k).strip() == "":
            raise WeightingError(f"a level of variable {variable!r} has no name ({k!r}); name "
                                 "the level as the data code it", file=source)
    keys = [level_key(k) for k, _ in items]
    seen: set[str] = set()
    for k in keys:
        if k in seen:
            raise WeightingError(f"level {k!r} of variable {variable!r} has two targets; "
                                 "give each level once", file=source)
        seen.add(k)
    vals = [_as_float(v, variable=variable, level=k, source=source)
            for k, (_, v) in zip(keys, items)]
    return pd.Series(vals, index=pd.Index(keys, dtype=object), name=variable, dtype=float)


def _cells_frame(frame: pd.DataFrame, source: str | None) -> pd.DataFrame:
    variables = [c for c in frame.columns if c != TARGET_COLUMN]
    if not variables:
        raise WeightingError("cell targets need at least one variable column besides "
                             f"{TARGET_COLUMN!r}", file=source)
    out = pd.DataFrame({v: [level_key(x) for x in frame[v]] for v in variables})
    for v in variables:
        bad = frame[v].isna().to_numpy()
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise WeightingError(f"cell target row {i + 1} has no level for variable {v!r}; "
                                 "fill it in", file=source)
    out[TARGET_COLUMN] = [
        _as_float(t, variable=":".join(variables),
                  level=":".join(str(out.at[i, v]) for v in variables), source=source)
        for i, t in enumerate(frame[TARGET_COLUMN].tolist())]
    dup = out.duplicated(variables)
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        cell = ", ".join(f"{v}={out.at[i, v]}" for v in variables)
        raise WeightingError(f"cell ({cell}) has two targets; give each cell once", file=source)
    return out


def _is_share(values: np.ndarray) -> bool:
    return bool(values.max(initial=0.0) <= 1.0 + _SHARE_TOL
                and abs(values.sum() - 1.0) <= _SHARE_TOL)


def _build(margins: dict[str, pd.Series], cells: pd.DataFrame | None, *,
           total: float | None, rescale: bool, kind: str, source: str | None,
           collapsed: tuple = (), provenance: Mapping[str, Provenance] | None = None
           ) -> Targets:
    """Targets from parsed margins and cells: checked, shares told from counts, scaled."""
    if kind not in ("auto", "count", "share"):
        raise UsageError(f"kind must be 'auto', 'count' or 'share', not {kind!r}")
    if total is not None:
        given = total
        try:
            if isinstance(total, (bool, np.bool_)):
                raise TypeError("a boolean")
            total = float(total)
        except (TypeError, ValueError):
            total = math.nan
        if not (math.isfinite(total) and total > 0):
            raise WeightingError("population total must be a positive number, not "
                                 f"{_shown(given)}")
    blocks = _blocks(margins, cells, source)
    share = _share_flags(blocks, kind, rescale, source)
    reference = _reference_total(blocks, share, total, rescale, source)
    new_margins = {v: pd.Series(_scaled(s.to_numpy(), reference), index=s.index, name=v)
                   for v, s in margins.items()}
    new_cells = None
    if cells is not None:
        new_cells = cells.copy()
        new_cells[TARGET_COLUMN] = _scaled(cells[TARGET_COLUMN].to_numpy(), reference)
    targets = Targets(margins=new_margins, cells=new_cells, total=reference, source=source,
                      collapsed=collapsed, provenance=dict(provenance or {}))
    if new_cells is not None:
        _check_cells_agree(targets)
    return targets


def _blocks(margins: dict[str, pd.Series], cells: pd.DataFrame | None,
            source: str | None) -> list[tuple[str, np.ndarray]]:
    """Every block of targets (each margin, the cells) as (name, values); none all zero."""
    blocks: list[tuple[str, np.ndarray]] = [(v, s.to_numpy()) for v, s in margins.items()]
    if cells is not None:
        blocks.append((":".join(c for c in cells.columns if c != TARGET_COLUMN),
                       cells[TARGET_COLUMN].to_numpy()))
    for name, vals in blocks:
        if not (vals > 0).any():
            raise WeightingError(f"every target of {name!r} is zero; give population counts "
                                 "or shares", file=source)
        with np.errstate(over="ignore"):
            total = vals.sum()
        if not np.isfinite(total):
            raise WeightingError(f"targets of {name!r} sum to more than a float can hold; give "
                                 "them in larger units (thousands, millions)", file=source)
    return blocks


def _looks_like_shares(values: np.ndarray) -> bool:
    """Every value at most 1 and some a fraction: meant as shares, whatever the sum."""
    return bool(values.max(initial=0.0) <= 1.0 + _SHARE_TOL
                and not np.array_equal(values, np.round(values)))


def _auto_share_flags(blocks: list[tuple[str, np.ndarray]], rescale: bool,
                      source: str | None) -> dict[str, bool]:
    """``kind="auto"``: shares sum to 1; a margin that looks like shares but does not sum
    to 1 is an error (shares with ``rescale``); shares and counts are not mixed."""
    share = {}
    for name, vals in blocks:
        share[name] = _is_share(vals)
        if not share[name] and _looks_like_shares(vals):
            if not rescale:
                raise WeightingError(
                    f"targets of {name!r} look like shares (every value at most 1) but sum "
                    f"to {vals.sum():.10g}, not 1 (shares must sum to 1 within "
                    f"{_SHARE_TOL:g}); correct them, pass rescale=True to scale them to 1, "
                    "or kind='count' if they are counts", file=source)
            share[name] = True
    shares = [n for n, is_share in share.items() if is_share]
    counts = [n for n, is_share in share.items() if not is_share]
    if shares and counts:
        raise WeightingError(
            f"targets mix shares ({', '.join(map(repr, shares))}) and counts "
            f"({', '.join(map(repr, counts))}); give every margin as population counts, or "
            "every margin as shares summing to 1 (with total= for the population total)",
            file=source)
    return share


def _share_flags(blocks: list[tuple[str, np.ndarray]], kind: str, rescale: bool,
                 source: str | None) -> dict[str, bool]:
    """Which blocks are shares (``kind="auto"``: those summing to 1); shares must sum to 1."""
    if kind == "auto":
        share = _auto_share_flags(blocks, rescale, source)
    else:
        share = {name: kind == "share" for name, _ in blocks}
    for name, vals in blocks:
        if share[name] and abs(vals.sum() - 1.0) > _SHARE_TOL and not rescale:
            raise WeightingError(f"shares of {name!r} sum to {vals.sum():.10g}, not 1; "
                                 "correct them or pass rescale=True", file=source)
    return share


def _reference_total(blocks: list[tuple[str, np.ndarray]], share: dict[str, bool],
                     total: float | None, rescale: bool, source: str | None) -> float | None:
    """The population total: ``total``, else the first count margin's; None for shares only.

    Count margins must agree with it (to ``_RTOL_TOTAL``) unless ``rescale``.
    """
    count_totals = {name: float(vals.sum()) for name, vals in blocks if not share[name]}
    reference = total
    if reference is None and count_totals:
        reference = next(iter(count_totals.values()))
    if reference is not None:
        disagree = {n: t for n, t in count_totals.items()
                    if abs(t - reference) > _RTOL_TOTAL * reference}
        if disagree and not rescale:
            listing = "; ".join(f"{n}: {t:,.10g}" for n, t in count_totals.items())
            what = (f"the population total {reference:,.10g} given" if total is not None
                    else "each other")
            raise WeightingError(
                f"target margins disagree with {what} ({listing}); raking to margins "
                "with different totals cannot converge. Correct the targets, or pass "
                "rescale=True to scale every margin to "
                + ("that total" if total is not None else "the first margin's total"),
                file=source)
    return reference


def _scaled(vals: np.ndarray, reference: float | None) -> np.ndarray:
    """Values scaled to sum to ``reference`` (to 1 when there is none: shares only)."""
    s = vals.sum()
    if reference is None:           # shares only
        return vals / s
    return vals * (reference / s)


def _check_cells_agree(targets: Targets) -> None:
    """Cells summed to a variable must equal that variable's margin, if both exist."""
    for v in targets.cell_variables:
        if v not in targets.margins:
            continue
        m = targets.margins[v]
        c = targets.cells.groupby(v, sort=False)[TARGET_COLUMN].sum()
        both = pd.concat([m.rename("margin"), c.rename("cells")], axis=1).fillna(0.0)
        scale = max(float(both["margin"].sum()), 1e-300)
        gap = (both["margin"] - both["cells"]).abs()
        if (gap > _RTOL_TOTAL * scale).any():
            level = gap.idxmax()
            raise WeightingError(
                f"the cell targets summed over the other variables give {v}={level} a target "
                f"of {both.at[level, 'cells']:,.10g}, but its margin says "
                f"{both.at[level, 'margin']:,.10g}; make the two agree", file=targets.source)


def as_targets(targets: Any, *, total: float | None = None, rescale: bool = False,
               kind: str = "auto") -> Targets:
    """Normalise targets given as a mapping, a DataFrame or a :class:`Targets`.

    Parameters
    ----------
    targets : Targets, mapping or pandas.DataFrame
        * mapping ``variable -> {level: target}`` (or ``variable -> Series``);
        * DataFrame in long form with columns ``variable, level, target``;
        * DataFrame of joint cells: one column per variable plus ``target``.
        A target is a population count or a share.
    total : float, optional
        Population total. Shares are multiplied by it; count margins must
        add up to it (or are rescaled to it with ``rescale=True``).
    rescale : bool, default False
        Scale count margins whose totals disagree to a common total (``total``
        if given, else the first margin's total) instead of raising.
    kind : {"auto", "count", "share"}
        Whether targets are counts or shares. ``"auto"`` reads a margin whose
        values sum to 1 as shares, anything else as counts.

    Returns
    -------
    Targets

    Raises
    ------
    WeightingError
        Non-numeric, negative or non-finite targets, a level given twice,
        shares not summing to 1, margins whose totals disagree.

    Example
    -------
    >>> import pandas as pd
    >>> t = as_targets(pd.DataFrame({"variable": ["size_class"] * 2,
    ...                              "level": ["small", "large"], "target": [0.8, 0.2]}))
    >>> t.is_share
    True
    """
    if isinstance(targets, Targets):
        if total is None and not rescale and kind == "auto":
            _check_built(targets)
            return targets
        cells = None if targets.cells is None else targets.cells.copy()
        return _build(dict(targets.margins), cells, total=total, rescale=rescale, kind=kind,
                      source=targets.source, collapsed=targets.collapsed,
                      provenance=targets.provenance)
    source = None
    margins: dict[str, pd.Series] = {}
    cells = None
    provenance: dict[str, Provenance] = {}
    if isinstance(targets, pd.DataFrame):
        table, provenance = split_provenance(targets, source)
        margins, cells = _from_frame(table, source)
    elif isinstance(targets, Mapping):
        if not targets:
            raise WeightingError("targets are empty; give at least one variable")
        for variable, values in targets.items():
            margins[str(variable)] = _margin_series(str(variable), values, source)
    else:
        raise UsageError("targets must be a mapping variable -> {level: target}, a DataFrame "
                         "(variable, level, target) or a Targets from sk.load_targets, not "
                         f"{type(targets).__name__}")
    return _build(margins, cells, total=total, rescale=rescale, kind=kind, source=source,
                  provenance=provenance)


def _check_built(t: Targets) -> None:
    """A Targets made by hand holds numbers that can be targets (as a built one does)."""
    for v, m in t.margins.items():
        for level, x in m.items():
            _as_float(x, variable=v, level=level, source=t.source)
    if t.cells is not None:
        variable = ":".join(t.cell_variables)
        for x in t.cells[TARGET_COLUMN].tolist():
            _as_float(x, variable=variable, level="(a cell)", source=t.source)
    total = t.total
    if total is not None and not (isinstance(total, (int, float, np.number))
                                  and not isinstance(total, bool) and 0 < total < math.inf):
        raise WeightingError(f"population total must be a positive number, not {total!r}",
                             file=t.source)


def _from_frame(frame: pd.DataFrame, source: str | None
                ) -> tuple[dict[str, pd.Series], pd.DataFrame | None]:
    cols = [str(c).strip() for c in frame.columns]
    frame = frame.set_axis(cols, axis=1)
    if TARGET_COLUMN not in cols:
        raise WeightingError(
            f"targets table has columns {cols}; it needs either 'variable, level, target' "
            "(margins) or one column per variable plus 'target' (joint cells)", file=source)
    if frame.empty:
        raise WeightingError("targets table has no rows", file=source)
    if len(set(cols)) != len(cols):
        repeated = sorted({c for c in cols if cols.count(c) > 1})
        raise WeightingError(f"targets table repeats column(s) {repeated}; give each column "
                             "once", file=source)
    extra = [c for c in cols if c not in ("variable", "level", TARGET_COLUMN)]
    if {"variable", "level"} <= set(cols) and extra:
        raise WeightingError(f"targets table has columns {cols}: margins take exactly "
                             f"'variable, level, target'; remove {extra} (or, for joint "
                             "cells, give one column per weighting variable plus 'target')",
                             file=source)
    if set(cols) == {"variable", "level", TARGET_COLUMN}:
        margins: dict[str, pd.Series] = {}
        if frame["variable"].isna().any() or frame["level"].isna().any():
            i = int(np.flatnonzero((frame["variable"].isna() | frame["level"].isna())
                                   .to_numpy())[0])
            raise WeightingError(f"targets row {i + 1} has no variable or no level; fill it in",
                                 file=source)
        for variable, part in frame.groupby("variable", sort=False):
            variable = str(variable).strip()
            pairs = list(zip(part["level"].tolist(), part[TARGET_COLUMN].tolist()))
            margins[variable] = _margin_series(variable, pairs, source)
        return margins, None
    return {}, _cells_frame(frame, source)


# --------------------------------------------------------------------------
# files
# --------------------------------------------------------------------------

def _read_csv_targets(p: Path) -> pd.DataFrame:
    """The table of a CSV targets file, as text (``#`` lines are comments)."""
    options = dict(comment="#", dtype=str, skipinitialspace=True, keep_default_na=False,
                   na_values=[""], encoding="utf-8-sig")
    try:
        frame = pd.read_csv(p, **options)
        header = pd.read_csv(p, header=None, nrows=1, **options).iloc[0].tolist()
    except pd.errors.EmptyDataError:
        raise WeightingError("targets file has no table (only comments or nothing)",
                             file=p) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise WeightingError(f"targets file is not a readable CSV: {exc}", file=p) from None
    blank = [i + 1 for i, c in enumerate(header) if pd.isna(c) or not str(c).strip()]
    if blank:
        raise WeightingError(f"column {blank[0]} of the targets table has no name; name it "
                             "(variable, level, target) or delete it", file=p)
    names = [str(c).strip() for c in header]
    if len(set(names)) != len(names):      # pandas would rename the copies target.1, ...
        frame.columns = names
    return frame


def _read_yaml_targets(p: Path) -> dict[str, pd.Series]:
    """Margins of a YAML targets file (bounded YAML; yes/no/on/off kept as level keys)."""
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WeightingError(f"cannot read the targets file ({exc}); save it as UTF-8 text",
                             file=p) from None
    data = parse_yaml(text, WeightingError, file=p, keep_bool_words=True)
    if not isinstance(data, Mapping) or not data:
        raise WeightingError("a YAML targets file must be a mapping variable -> "
                             "{level: target}", file=p)
    return {str(v): _margin_series(str(v), vals, str(p)) for v, vals in data.items()}


def load_targets(path: str | os.PathLike, *, total: float | None = None,
                 rescale: bool = False, kind: str = "auto") -> Targets:
    """Read population targets from a CSV or YAML file.

    Parameters
    ----------
    path : str or path
        * CSV (``.csv``, ``.txt``): lines starting with ``#`` are comments.
          Either long margins with columns ``variable,level,target``, or joint
          cells with one column per variable plus ``target``; optional columns
          ``status`` (official / illustrative), ``source`` and ``date`` say
          where the figures come from (:mod:`~survey_kit.weighting.provenance`).
        * YAML (``.yaml``, ``.yml``): a mapping ``variable: {level: target}``.
    total, rescale, kind
        As in :func:`as_targets`.

    Returns
    -------
    Targets

    Example
    -------
    >>> t = load_targets("sample_data/japan_firm_population_targets.csv")
    >>> t.total
    710000.0
    >>> t.margins["size_class"].to_dict()
    {'micro': 520000.0, 'small': 140000.0, 'medium': 44000.0, 'large': 6000.0}
    """
    p = Path(path)
    if not p.is_file():
        raise WeightingError("targets file not found; check the path", file=p)
    suffix = p.suffix.lower()
    provenance: dict[str, Provenance] = {}
    if suffix in (".csv", ".txt"):
        table, provenance = split_provenance(_read_csv_targets(p), str(p))
        margins, cells = _from_frame(table, str(p))
    elif suffix in (".yaml", ".yml"):
        margins = _read_yaml_targets(p)
        cells = None
    else:
        raise WeightingError(f"targets file type {suffix or '(none)'!r} is not supported; use "
                             ".csv, .yaml or .yml", file=p)
    return _build(margins, cells, total=total, rescale=rescale, kind=kind, source=str(p),
                  provenance=provenance)
