"""The analysis variables of a design: a column name or one value per respondent.

Estimators take a variable as a column of the design's frame or as an array
(or Series) with one value per respondent. The functions here read it as
numbers, as a 0/1 indicator of one level (NaN where missing), or as domain
codes, and raise a :class:`~survey_kit.errors.DesignError` that names the
variable when it cannot be used.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> d = sk.SurveyDesign(pd.DataFrame({"a": ["x", "y", None, "x"]}))
>>> ind, name, level = indicator(d, "a", "x")
>>> ind.tolist(), name
([1.0, 0.0, nan, 1.0], 'a')
>>> codes, levels, _ = domain_codes(d, "a")
>>> codes.tolist(), levels
([0, 1, -1, 0], ['x', 'y'])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError

__all__ = ["domain_codes", "indicator", "numeric", "recode", "require_some", "require_weight",
           "variable"]


def variable(design: Any, var: Any, role: str = "variable") -> tuple[np.ndarray, str]:
    """The values of ``var`` (a column name or one value per respondent) and its name."""
    frame = design.frame
    if isinstance(var, str):
        if var not in frame.columns:
            raise DesignError(f"unknown {role}; the data have columns: "
                              f"{', '.join(map(str, list(frame.columns)[:30]))}",
                              column=var)
        return frame[var].to_numpy(), var
    values = var.to_numpy() if isinstance(var, (pd.Series, pd.Index)) else np.asarray(var)
    name = var.name if isinstance(var, pd.Series) and var.name is not None else role
    if values.ndim != 1 or len(values) != design.n:
        raise DesignError(f"{role} must be a column name or an array with one value per "
                          f"respondent ({design.n}); got shape {values.shape}")
    return values, str(name)


def numeric(design: Any, var: Any) -> tuple[np.ndarray, str]:
    """``var`` as floats (NaN where missing; booleans as 0/1) and its name."""
    values, name = variable(design, var)
    if values.dtype == bool:
        return values.astype(float), name
    try:
        y = pd.to_numeric(pd.Series(values), errors="raise").to_numpy(dtype=float,
                                                                         na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DesignError(f"variable {name!r} is not numeric; use proportion() or by(..., "
                          "stat='proportion') for a categorical variable",
                          column=name) from exc
    if np.isinf(y).any():
        raise DesignError(f"variable {name!r} has infinite values", column=name)
    return y, name


def _binary(values: np.ndarray, name: str, miss: np.ndarray) -> tuple[np.ndarray, str, Any]:
    """A boolean or 0/1 variable as its own indicator (of True, or of 1)."""
    if values.dtype == bool:
        return values.astype(float), name, True
    num = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float,
                                                                       na_value=np.nan)
    ok = ~miss
    if not np.all(np.isin(num[ok], (0.0, 1.0))):
        raise DesignError(f"variable {name!r} is not 0/1 or boolean; say which level to "
                          "estimate the proportion of (level=...)", column=name)
    return np.where(ok, num, np.nan), name, 1


def indicator(design: Any, var: Any, level: Any) -> tuple[np.ndarray, str, Any]:
    """0/1 indicator of ``var == level`` with NaN where ``var`` is missing, the
    variable's name and the level (True or 1 for a binary variable without level)."""
    values, name = variable(design, var)
    miss = pd.isna(values)
    if level is None:
        return _binary(values, name, miss)
    present = pd.unique(pd.Series(values[~miss]))
    frame = design.frame
    cat = isinstance(getattr(frame.get(name) if isinstance(var, str) else var,
                             "dtype", None), pd.CategoricalDtype)
    if level not in set(present.tolist()):
        known = list(frame[name].cat.categories) if cat and isinstance(var, str) else []
        if level not in known:
            raise DesignError(f"level {level!r} does not occur in variable {name!r}; "
                              f"levels present: {sorted(map(str, present))[:20]}",
                              column=name, value=level)
    ind = np.where(miss, np.nan, (values == level).astype(float))
    return ind, name, level


def require_some(mask: np.ndarray, name: str) -> None:
    """Raise when no respondent has a value of the variable."""
    if not mask.any():
        raise DesignError(f"variable {name!r} is missing for every respondent; nothing to "
                          "estimate", column=name)


def require_weight(weights: np.ndarray, mask: np.ndarray, name: str) -> None:
    """Raise when every respondent with a value of the variable has weight zero."""
    if not (weights[mask] > 0).any():
        raise DesignError(f"every respondent with a value of {name!r} has weight zero; a "
                          "weighted mean or proportion is undefined", column=name)


def domain_codes(design: Any, by: Any) -> tuple[np.ndarray, list, str]:
    """Codes 0..D-1 of the domain variable (-1 where missing), its levels and its name.

    Levels are the sorted observed values; for a pandas Categorical all
    categories, in their order (unused ones give empty domains).
    """
    values, name = variable(design, by, "by")
    series = (design.frame[by] if isinstance(by, str)
              else (by if isinstance(by, pd.Series) else pd.Series(values)))
    if isinstance(series.dtype, pd.CategoricalDtype):
        levels = list(series.cat.categories)
        codes = np.asarray(series.cat.codes, dtype=np.intp)
    else:
        codes, uniq = pd.factorize(pd.Series(values), sort=True)
        levels = list(uniq)
        codes = codes.astype(np.intp)
    if not (codes >= 0).any():
        raise DesignError(f"the domain variable {name!r} has no non-missing values; every "
                          "respondent would be outside every domain", column=name)
    return codes, levels, name


def recode(codes: np.ndarray, levels: list, wanted: Sequence) -> tuple[np.ndarray, list]:
    """Map codes over ``levels`` onto the order of ``wanted`` (-1 for others)."""
    wanted = list(wanted)
    pos = {lv: i for i, lv in enumerate(wanted)}
    table = np.array([pos.get(lv, -1) for lv in levels] + [-1], dtype=np.intp)
    return table[np.where(codes >= 0, codes, len(levels))], wanted
