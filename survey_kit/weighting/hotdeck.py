"""Hot-deck imputation of missing weighting variables (``not_stated="impute"``).

Each missing value takes the value of a random donor in its imputation
class, drawn with ``numpy.random.default_rng(seed)`` so a run can be
repeated exactly.

Example
-------
>>> import pandas as pd
>>> from survey_kit.weighting.factors import factorize
>>> df = pd.DataFrame({"size_class": ["micro", None, "large", "micro"],
...                    "sector": ["it", "it", "it", "it"]})
>>> factors = {v: factorize(df, v) for v in df.columns}
>>> notes = []
>>> imp = hotdeck(df, factors, ["size_class"], list(df.columns), None, 0, notes)
>>> imp[["respondent", "variable", "within"]].to_dict("records")
[{'respondent': 1, 'variable': 'size_class', 'within': 'sector=it'}]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError, WeightingError
from .factors import NOT_STATED, Factor, factorize

__all__ = ["hotdeck"]


def hotdeck(frame: pd.DataFrame, factors: dict[str, Factor], missing_vars: list[str],
            variables: list[str], impute_within: Any, seed: int | None,
            warnings: list[str]) -> pd.DataFrame:
    """Random hot-deck: each missing value takes the value of a random donor in its class.

    The class is the combination of the ``impute_within`` variables (default:
    the other weighting variables), a missing value being a class of its own.
    Donors are respondents with the variable observed; drawn with equal
    probability using ``numpy.random.default_rng(seed)``.

    ``factors`` is updated in place (the imputed codes), ``warnings`` gets a
    line when a class has no donor; returns one row per imputed value
    (respondent, variable, value, donor, within).
    """
    if seed is None:
        raise UsageError("not_stated='impute' needs a seed (an int) so the imputation can "
                         "be reproduced")
    rng = np.random.default_rng(seed)
    out = []
    n = len(frame)
    observed = dict(factors)      # classes use observed values, not earlier imputations
    for v in missing_vars:
        if impute_within is None:
            within = [u for u in variables if u != v]
        elif isinstance(impute_within, str):
            within = [impute_within]
        else:
            within = list(impute_within)
        within = [u for u in within if u != v]
        for u in within:
            if u not in frame.columns:
                raise WeightingError(f"impute_within names {u!r}, which is not a column of "
                                     "the data")
        f = factors[v]
        recip = f.missing
        donors = ~f.missing
        if not donors.any():
            raise WeightingError(f"every respondent has {v} missing; there is no donor to "
                                 "impute from")
        if within:
            cls = np.zeros(n, dtype=np.int64)
            wf = [observed[u] if u in observed else factorize(frame, u) for u in within]
            for g in wf:
                cls = cls * (len(g.keys) + 1) + (g.raw.astype(np.int64) + 1)
        else:
            cls = np.zeros(n, dtype=np.int64)
        donor_idx = np.flatnonzero(donors)
        order = np.argsort(cls[donor_idx], kind="stable")
        donor_idx = donor_idx[order]
        donor_cls = cls[donor_idx]
        recip_idx = np.flatnonzero(recip)
        new_raw = f.raw.copy()
        donor_of = np.empty(recip_idx.size, dtype=np.int64)
        fallback = 0
        for c in np.unique(cls[recip_idx]):
            who = recip_idx[cls[recip_idx] == c]
            lo, hi = np.searchsorted(donor_cls, [c, c + 1])
            pool = donor_idx[lo:hi] if hi > lo else donor_idx
            fallback += int(hi <= lo) * who.size
            picks = pool[rng.integers(0, pool.size, size=who.size)]
            new_raw[who] = f.raw[picks]
            donor_of[np.searchsorted(recip_idx, who)] = picks
        if fallback:
            warnings.append(f"{fallback} respondent(s) missing {v} had no donor with the same "
                            f"{', '.join(within)}; their donors were drawn from the whole sample")
        if within:
            parts = [u + "=" + frame[u].iloc[recip_idx].astype(object)
                     .where(frame[u].iloc[recip_idx].notna(), NOT_STATED).astype(str)
                     .to_numpy(dtype=object) for u in within]
            desc = parts[0]
            for extra in parts[1:]:
                desc = desc + ", " + extra
        else:
            desc = np.full(recip_idx.size, "(whole sample)", dtype=object)
        out.append(pd.DataFrame({
            "respondent": frame.index[recip_idx], "variable": v,
            "value": [f.keys[k] for k in new_raw[recip_idx]],
            "donor": frame.index[donor_of], "within": desc}))
        factors[v] = Factor(v, f.keys, new_raw, f.categorical, missing=f.missing)
    return pd.concat(out, ignore_index=True)
