"""Drawing answers with exact margins, and the array helpers the draws need.

Exact allocation: within each group of rows (respondents that stay clean
versus those that carry a defect, crossed with a conditioning variable) the
number of rows given each answer is the largest-remainder rounding of
``m * p_k``; who gets which answer follows a latent score plus noise, so
ordinal answers drawn with related scores are associated while the margins on
the clean rows match their targets exactly.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(1)
>>> clean = np.ones(10, dtype=bool)
>>> idx = pick_levels(rng, ["yes", "no"], {"yes": 0.7, "no": 0.3}, clean)
>>> keys_at(["yes", "no"], idx).tolist().count("yes")
7
>>> int(flag_rows(rng, clean, 0.2).sum())
2
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import QuestionnaireError

__all__ = ["band_values", "flag_rows", "gumbel_top", "index_of", "isin", "keys_at",
           "loguniform", "pick_levels", "proportion"]


def _round_counts(m: int, p: np.ndarray) -> np.ndarray:
    """Largest-remainder rounding of ``m * p`` (p normalised) to integers summing to m."""
    p = np.asarray(p, dtype=float)
    p = p / p.sum()
    raw = m * p
    base = np.floor(raw).astype(np.int64)
    rest = m - int(base.sum())
    if rest > 0:
        base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


def _exact(rng: np.random.Generator, group: np.ndarray, probs: np.ndarray,
           score: np.ndarray | None = None) -> np.ndarray:
    """Category index per row with exact counts within each group.

    ``probs[g]`` are the category probabilities of group ``g``; rows of group
    -1 get -1. Rows are ranked by ``score`` (random when None) and the
    categories handed out in ascending order, so a higher score means a
    later category.
    """
    group = np.asarray(group)
    probs = np.atleast_2d(np.asarray(probs, dtype=float))
    tie = rng.random(group.size)
    key = tie if score is None else np.asarray(score, dtype=float)
    out = np.full(group.size, -1, dtype=np.int64)
    for g in np.unique(group[group >= 0]):
        idx = np.flatnonzero(group == g)
        order = idx[np.lexsort((tie[idx], key[idx]))]
        out[order] = np.repeat(np.arange(probs.shape[1]), _round_counts(idx.size, probs[g]))
    return out


def _vec(levels: list[str], probs: dict[str, float], what: str) -> np.ndarray:
    """A probability table as a vector over ``levels`` (absent levels get 0)."""
    unknown = set(probs) - set(levels)
    if unknown:
        raise QuestionnaireError(f"{what}: the generator's profile uses levels "
                                 f"{sorted(unknown)} that the questionnaire does not define "
                                 f"(levels: {', '.join(levels)}); update the survey's "
                                 "profile in survey_kit/sample/")
    return np.array([probs.get(k, 0.0) for k in levels], dtype=float)


def pick_levels(rng: np.random.Generator, levels: list[str], probs: dict | list, clean: np.ndarray,
                sub: np.ndarray | None = None, score: np.ndarray | None = None,
                skip: np.ndarray | None = None, what: str = "") -> np.ndarray:
    """Level index per row; ``probs`` is one table or one table per value of ``sub``."""
    tables = [probs] if isinstance(probs, dict) else list(probs)
    t = np.vstack([_vec(levels, tab, what) for tab in tables])
    n = clean.size
    sub = np.zeros(n, dtype=np.int64) if sub is None else np.asarray(sub)
    group = clean.astype(np.int64) * len(tables) + sub
    group = np.where(sub < 0, -1, group)
    if skip is not None:
        group = np.where(skip, -1, group)
    return _exact(rng, group, np.vstack([t, t]), score)


def flag_rows(rng: np.random.Generator, clean: np.ndarray, rate: float,
              skip: np.ndarray | None = None) -> np.ndarray:
    """Boolean flag with an exact share ``rate`` within clean and defective rows."""
    group = clean.astype(np.int64)
    if skip is not None:
        group = np.where(skip, -1, group)
    return _exact(rng, group, [[1 - rate, rate], [1 - rate, rate]]) == 1


def isin(x: np.ndarray, values: Any) -> np.ndarray:
    """Membership test for object arrays holding None (numpy's isin would sort them)."""
    return pd.Series(x, dtype=object).isin(list(values)).to_numpy()


def index_of(levels: list[str], values: np.ndarray) -> np.ndarray:
    """Position of each value in ``levels``; -1 for anything else (blank, missing code)."""
    pos = pd.Series(values, dtype=object).map({k: i for i, k in enumerate(levels)})
    return pos.fillna(-1).to_numpy(dtype=np.int64)


def keys_at(levels: list[str], idx: np.ndarray) -> np.ndarray:
    """The level at each index; None for -1."""
    lv = np.array(list(levels) + [None], dtype=object)
    return lv[np.where(idx < 0, len(levels), idx)]


def band_values(rng: np.random.Generator, bands: list, idx: np.ndarray,
                heap: float = 0.5) -> np.ndarray:
    """Integer values inside the chosen bands; wide top bands skewed to their low end."""
    lo = np.array([b.min for b in bands])[idx]
    hi = np.array([b.max for b in bands])[idx]
    u = rng.random(idx.size)
    top = (idx == len(bands) - 1) & (hi - lo > 30)
    u = np.where(top, u ** 1.8, u)
    v = np.floor(lo + u * (hi - lo + 1))
    heaped = (rng.random(idx.size) < heap) & (v > 10)
    v = np.where(heaped, np.round(v / 5) * 5, v)
    return np.clip(v, lo, hi)


def loguniform(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray,
               skew: float = 1.0) -> np.ndarray:
    """Integers in [lo, hi], uniform on the log scale (skew > 1 favours the low end)."""
    u = rng.random(np.size(lo)) ** skew
    v = np.floor(np.exp(np.log(lo) + u * (np.log(hi + 1.0) - np.log(lo))))
    big = v >= 1000
    mid = (v >= 100) & ~big
    heaped = rng.random(np.size(lo)) < 0.5
    v = np.where(heaped & big, np.round(v / 100) * 100, v)
    v = np.where(heaped & mid, np.round(v / 10) * 10, v)
    return np.clip(v, lo, hi)


def gumbel_top(rng: np.random.Generator, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
    """0/1 matrix choosing ``k[i]`` of the columns per row, proportionally to ``weights``."""
    keys = np.log(weights)[None, :] + rng.gumbel(size=(k.size, weights.size))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return (rank < k[:, None]).astype(float)


def proportion(x: np.ndarray) -> float:
    """Share of true values (NaN for no rows)."""
    return float(np.mean(x)) if np.size(x) else float("nan")
