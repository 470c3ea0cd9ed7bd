"""A weighting variable as small integer codes, missing values marked "not stated".

:func:`factorize` turns one column of the respondents' frame into level keys
(:func:`~survey_kit.weighting.targets.level_key`, the strings matched against
the targets) and one code per respondent (-1 = not stated). Categoricals keep
their own codes and category order; other columns are coded in order of
appearance.

Example
-------
>>> import pandas as pd
>>> f = factorize(pd.DataFrame({"region": [3, 1, None, 3.0]}), "region")
>>> f.keys, f.raw.tolist(), f.missing.tolist()
(['3', '1'], [0, 1, -1, 0], [False, False, True, False])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import WeightingError, _shown
from .targets import level_key

__all__ = ["NOT_STATED", "Factor", "factorize", "small_int"]

NOT_STATED = "(not stated)"            # label of the 'separate' level in tables


@dataclass
class Factor:
    """One weighting variable: raw level keys and codes (-1 = not stated)."""

    name: str
    keys: list[str]
    raw: np.ndarray
    categorical: bool
    missing: np.ndarray = field(default=None)    # bool, not stated in the data


def small_int(top: int) -> type:
    """The narrowest signed integer type holding -1..top (codes stay small in memory:
    at a million respondents every 8-byte array kept alive costs more than the raking)."""
    for dt in (np.int8, np.int16, np.int32):
        if top < np.iinfo(dt).max:
            return dt
    return np.int64


def factorize(frame: pd.DataFrame, name: str) -> Factor:
    """Column ``name`` of ``frame`` as level keys and one code per respondent."""
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype):
        # the categorical's own codes (int8 / int16), read-only: never modified here
        raw = np.asarray(col.array.codes).view()
        raw.setflags(write=False)
        keys = [level_key(c) for c in col.cat.categories]
        categorical = True
    else:
        try:
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
        except TypeError:
            odd = next(x for x in col if isinstance(x, (list, dict, set)))
            raise WeightingError(f"the weighting variable holds {type(odd).__name__}s (e.g. "
                                 f"{_shown(odd)}), not levels; give one code or label per "
                                 "respondent", column=name) from None
        raw = np.asarray(codes).astype(small_int(len(uniques)))
        keys = [level_key(u) for u in uniques]
        categorical = False
    uniq = list(dict.fromkeys(keys))
    if len(uniq) != len(keys):           # e.g. 1 and "1" in one column: one level
        remap = np.array([uniq.index(k) for k in keys], dtype=np.int64)
        raw = np.where(raw >= 0, remap[np.maximum(raw, 0)], -1)
        keys = uniq
    return Factor(name, keys, raw, categorical, missing=raw < 0)
