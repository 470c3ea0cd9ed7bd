"""Checking and preparing what a weighting function is given.

:func:`prepare_inputs` checks the frame (respondent ids unique), the base
weights (positive numbers, one per respondent), the targets and the
weighting variables, and applies the not-stated strategy (``"separate"``,
``"impute"`` by hot-deck, ``"exclude"``) to respondents with a missing
weighting variable. Its :class:`Prepared` is what
:mod:`~survey_kit.weighting.margins` matches to the targets.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"size_class": ["micro", None, "large"]})
>>> prep, names = prepare_inputs(df, {"size_class": {"micro": 90, "large": 10}}, None,
...                              None, "margins", "exclude", None, 0)
>>> names, prep.include.tolist()
(['size_class'], [True, False, True])
>>> prep.warnings
['1 respondent(s) with a missing weighting variable (size_class) were excluded: weight 0']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError, WeightingError
from .factors import Factor, factorize
from .hotdeck import hotdeck
from .targets import Targets, as_targets

__all__ = ["Prepared", "as_list", "check_control", "list_ids", "prepare_inputs"]

_NOT_STATED_STRATEGIES = ("separate", "impute", "exclude")


def _check_frame(frame: Any) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"frame must be a pandas DataFrame of respondents, not "
                         f"{type(frame).__name__}")
    if len(frame) == 0:
        raise WeightingError("the frame has no respondents; nothing to weight")
    if not frame.index.is_unique:
        dup = frame.index[frame.index.duplicated()][0]
        raise WeightingError(f"respondent id {dup!r} appears more than once in the frame's "
                             "index; weights are aligned by respondent id, so ids must be "
                             "unique")


def list_ids(index: pd.Index, mask: np.ndarray, limit: int = 5) -> str:
    """The first ``limit`` respondent ids where ``mask`` holds, for messages."""
    pos = np.flatnonzero(mask)
    shown = ", ".join(repr(index[i]) for i in pos[:limit])
    return shown + (f" and {pos.size - limit} more" if pos.size > limit else "")


def _base_weights(frame: pd.DataFrame, weights: Any) -> np.ndarray:
    n = len(frame)
    if weights is None:
        return np.ones(n)
    if isinstance(weights, str):
        if weights not in frame.columns:
            raise WeightingError(f"base weight column {weights!r} is not in the data; "
                                 f"columns are {list(frame.columns)[:20]}")
        values = frame[weights]
        what = f"column {weights!r}"
    elif isinstance(weights, pd.Series):
        if not weights.index.equals(frame.index):
            if not weights.index.is_unique:
                dup = weights.index[weights.index.duplicated()]
                raise WeightingError(f"base weights (a Series) give respondent id {dup[0]!r} "
                                     f"{int((weights.index == dup[0]).sum())} weights; give one "
                                     "weight per respondent, indexed by respondent id")
            if not frame.index.isin(weights.index).all():
                missing = ~frame.index.isin(weights.index)
                raise WeightingError("base weights (a Series) lack respondent(s) "
                                     f"{list_ids(frame.index, missing)} of the frame; give one "
                                     "weight per respondent, indexed by respondent id")
            weights = weights.reindex(frame.index)
        values = weights
        what = "base weights"
    else:
        values = np.asarray(weights)
        if values.ndim != 1 or values.shape[0] != n:
            raise WeightingError(f"base weights have shape {values.shape}; give one weight per "
                                 f"respondent ({n})")
        what = "base weights"
    arr = np.asarray(values)
    if arr.dtype.kind == "b" or (arr.dtype.kind == "O" and any(
            isinstance(x, (bool, np.bool_)) for x in arr)):
        raise WeightingError(f"{what} are true/false values, not weights; give positive "
                             "numeric base weights")
    try:
        if arr.dtype.kind in "fiu":
            w = arr.astype(float)
        else:
            w = np.asarray(pd.to_numeric(pd.Series(arr.astype(object)), errors="raise"),
                           dtype=float)
    except (TypeError, ValueError):
        raise WeightingError(f"{what} are not all numbers; give positive numeric base "
                             "weights") from None
    bad = ~np.isfinite(w)
    if bad.any():
        raise WeightingError(f"{what}: {int(bad.sum())} respondent(s) have a missing or "
                             f"infinite base weight ({list_ids(frame.index, bad)}); fix or "
                             "remove them before weighting")
    bad = w <= 0
    if bad.any():
        raise WeightingError(f"{what}: {int(bad.sum())} respondent(s) have a zero or "
                             f"negative base weight ({list_ids(frame.index, bad)}); base weights "
                             "must be positive")
    with np.errstate(over="ignore"):
        total = w.sum()
    if not np.isfinite(total):
        raise WeightingError(f"{what} sum to more than a float can hold (largest "
                             f"{w.max():.6g}); give them in smaller units")
    return w


def _check_columns(frame: pd.DataFrame, variables: list[str]) -> None:
    """Each weighting variable is one column of the frame."""
    absent = [v for v in variables if v not in frame.columns]
    if absent:
        raise WeightingError(f"the targets are for variable(s) {absent}, which the data do "
                             f"not have; data columns are {list(frame.columns)[:30]}")
    repeated = [v for v in variables if isinstance(frame[v], pd.DataFrame)]
    if repeated:
        raise WeightingError(f"the data have more than one column named {repeated[0]!r}; "
                             "rename the copies so each weighting variable is one column")


@dataclass
class Prepared:
    """The checked inputs of one weighting: base weights, targets, coded variables."""

    index: pd.Index
    base: np.ndarray
    targets: Targets                   # resolved to counts
    factors: dict[str, Factor]         # raw codes after imputation
    include: np.ndarray                # False: excluded (weight 0)
    strategy: str | None
    not_stated: pd.DataFrame
    imputations: pd.DataFrame
    warnings: list[str]
    unit_base: bool = False            # no base weights given: all 1

    @property
    def all_in(self) -> bool:
        return self.strategy != "exclude"


def _resolve_variables(t: Targets, variables: Sequence[str] | str | None,
                       default: Sequence[str]) -> list[str]:
    if variables is None:
        return list(default)
    if isinstance(variables, str):
        variables = [variables]
    variables = list(variables)
    unknown = [v for v in variables if v not in t.variables]
    if unknown:
        raise WeightingError(f"no targets for variable(s) {unknown}; targets exist for "
                             f"{t.variables}")
    if len(set(variables)) != len(variables):
        raise UsageError(f"variables {variables} name a variable twice")
    return variables


def prepare_inputs(frame: pd.DataFrame, targets: Any, weights: Any, variables: list[str] | None,
                   default_vars: str, not_stated: str | None, impute_within: Any,
                   seed: int | None) -> tuple[Prepared, list[str]]:
    """Check a weighting function's inputs and apply the not-stated strategy.

    ``default_vars`` is ``"cells"`` (post-stratification: the targets' cell
    variables unless ``variables`` are given) or ``"margins"`` (raking,
    calibration: every margin). Returns the :class:`Prepared` inputs, with
    the targets resolved to counts, and the weighting variables.
    """
    _check_frame(frame)
    t = as_targets(targets)
    base = _base_weights(frame, weights)
    default = (t.cell_variables if default_vars == "cells" and t.cells is not None
               else (list(t.margins) or t.cell_variables))
    variables = _resolve_variables(t, variables, default)
    _check_columns(frame, variables)
    if not_stated is not None and not_stated not in _NOT_STATED_STRATEGIES:
        raise UsageError(f"not_stated must be one of {_NOT_STATED_STRATEGIES} or None, not "
                         f"{not_stated!r}")
    factors = {v: factorize(frame, v) for v in variables}
    include = np.ones(len(frame), dtype=bool)
    warnings: list[str] = []
    rows = []
    imputations = pd.DataFrame(columns=["respondent", "variable", "value", "donor", "within"])
    for v, f in factors.items():
        if f.missing.all():
            raise WeightingError(f"the weighting variable is missing (not stated) for every "
                                 f"respondent ({len(frame)}); check the column, or weight on "
                                 "other variables", column=v)
    any_missing = [v for v, f in factors.items() if f.missing.any()]
    if any_missing and not_stated is None:
        listing = "; ".join(f"{v}: {int(factors[v].missing.sum())} "
                            f"({list_ids(frame.index, factors[v].missing, 3)})"
                            for v in any_missing)
        raise WeightingError(
            f"respondents with 'not stated' (missing) weighting variables: {listing}. "
            "Choose how to weight them: not_stated='separate' (their own group, given the "
            "overall adjustment), 'impute' (hot-deck within classes, seeded) or 'exclude' "
            "(weight 0, reported); in a questionnaire weighting.not_stated, on the command "
            "line --not-stated")
    total_base = float(base.sum())
    for v in any_missing:
        m = factors[v].missing
        rows.append({"variable": v, "strategy": not_stated, "n_not_stated": int(m.sum()),
                     "base_share": float(base[m].sum()) / total_base})
    if any_missing and not_stated == "exclude":
        gone = np.zeros(len(frame), dtype=bool)
        for v in any_missing:
            gone |= factors[v].missing
        include &= ~gone
        if not include.any():
            raise WeightingError("every respondent has a missing weighting variable; nothing "
                                 "is left to weight with not_stated='exclude'")
        warnings.append(f"{int(gone.sum())} respondent(s) with a missing weighting variable "
                        f"({', '.join(any_missing)}) were excluded: weight 0")
    elif any_missing and not_stated == "impute":
        imputations = hotdeck(frame, factors, any_missing, variables, impute_within, seed,
                              warnings)
        warnings.append(f"{len(imputations)} missing value(s) of {', '.join(any_missing)} "
                        f"imputed by hot-deck (seed {seed}); see .imputations")
    elif any_missing:
        for v in any_missing:
            warnings.append(f"{int(factors[v].missing.sum())} respondent(s) with {v} not "
                            f"stated weighted as a separate group (their population share "
                            f"taken as their base-weighted sample share)")
    for rec in t.collapsed:
        warnings.append(f"levels {list(rec['levels'])} of {rec['variable']} were merged into "
                        f"{rec['into']!r} (sk.collapse_levels)")
    n_total = t.total if t.total is not None else total_base
    if not (0 < n_total / total_base < np.inf):
        raise WeightingError(f"the population total ({n_total:.6g}) divided by the sum of the "
                             f"base weights ({total_base:.6g}) is not a number a float can "
                             "hold; give the base weights in other units")
    t = t.resolve(n_total)
    ns = pd.DataFrame(rows, columns=["variable", "strategy", "n_not_stated", "base_share"])
    prep = Prepared(frame.index, base, t, factors, include, not_stated if any_missing else None,
                    ns, imputations, warnings, unit_base=weights is None)
    return prep, variables


def as_list(variables: Any) -> list[str] | None:
    """None, or the variable names as a list (one name given as a string)."""
    if variables is None:
        return None
    return [variables] if isinstance(variables, str) else list(variables)


def check_control(max_iter: Any, tol: Any, on_nonconvergence: str) -> None:
    """Check the iteration controls shared by raking and calibration."""
    if not isinstance(max_iter, (int, np.integer)) or isinstance(max_iter, bool) \
            or max_iter < 1:
        raise UsageError(f"max_iter must be a positive integer, not {max_iter!r}")
    if not (isinstance(tol, (int, float, np.floating)) and 0 < tol < 1):
        raise UsageError(f"tol must be a number between 0 and 1, not {tol!r}")
    if on_nonconvergence not in ("error", "warn"):
        raise UsageError(f"on_nonconvergence must be 'error' or 'warn', not "
                         f"{on_nonconvergence!r}")
