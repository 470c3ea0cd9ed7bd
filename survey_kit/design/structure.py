"""How a design is laid out: strata, PSUs nested in strata, fpc and sampling weights.

Each design variable is given as a column name of the frame or as one value
per row. The functions here read it, check it (no missing values, numbers
where numbers are needed, fpc constant within a stratum) and turn it into the
integer codes the variance engine works on. :class:`SurveyDesign` calls them
once, in its constructor.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"s": ["b", "a", "b", "b"], "c": [1, 1, 1, 2]})
>>> s_codes, labels, _ = strata_codes(frame, "s")
>>> s_codes.tolist(), labels.tolist()
([1, 0, 1, 1], ['a', 'b'])
>>> psu, psu_is_row, _ = psu_codes(frame, "c", s_codes)
>>> psu.tolist(), psu_is_row
([1, 0, 1, 2], False)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError
from .variance import LONELY_PSU_OPTIONS

__all__ = ["check_no_missing", "checked_frame", "fpc_numbers", "popsize_per_group", "psu_codes",
           "psus_per_stratum", "population_sizes",
           "remaining_fractions", "resolve", "sampling_weights", "strata_codes"]


def checked_frame(frame: Any, lonely_psu: str) -> pd.DataFrame:
    """A shallow copy of the respondents, after checking the frame and ``lonely_psu``."""
    if not isinstance(frame, pd.DataFrame):
        raise DesignError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if lonely_psu not in LONELY_PSU_OPTIONS:
        raise UsageError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}; "
                         f"got {lonely_psu!r}")
    if len(frame) < 2:
        raise DesignError(f"a design needs at least 2 respondents; the data have {len(frame)}")
    return frame.copy(deep=False)


def resolve(frame: pd.DataFrame, spec: Any, role: str) -> tuple[np.ndarray | None, str | None]:
    """Return (values, name) of a design variable given as a column name or array-like."""
    if spec is None:
        return None, None
    if isinstance(spec, str):
        if spec not in frame.columns:
            raise DesignError(
                f"the {role} column is not in the data; columns are: "
                f"{', '.join(map(str, list(frame.columns)[:30]))}", column=spec)
        return frame[spec].to_numpy(), spec
    values = spec.to_numpy() if isinstance(spec, (pd.Series, pd.Index)) else np.asarray(spec)
    if values.ndim != 1 or len(values) != len(frame):
        raise DesignError(
            f"{role} must be a column name or a 1-d array with one value per row "
            f"({len(frame)} rows); got shape {values.shape}")
    return values, role


def check_no_missing(values: np.ndarray, name: str | None, role: str) -> None:
    """Raise naming the first row whose design variable is missing."""
    miss = pd.isna(values)
    if miss.any():
        first = int(np.flatnonzero(miss)[0])
        raise DesignError(
            f"{int(miss.sum())} missing value(s) in the {role} variable; every respondent needs "
            f"one (first at data row {first + 1}, 1-based); fill or drop those rows first",
            column=name)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..K-1 (sorted labels) and the labels."""
    codes, labels = pd.factorize(pd.Series(values), sort=True)
    return codes.astype(np.intp), np.asarray(labels)


def strata_codes(frame: pd.DataFrame, strata: Any) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Stratum code of each row (0..H-1, sorted labels), the labels and the variable's name.

    Without strata every row is in one stratum labelled 1.
    """
    values, name = resolve(frame, strata, "strata")
    if values is None:
        return np.zeros(len(frame), dtype=np.intp), np.array([1]), None
    check_no_missing(values, name, "strata")
    codes, labels = _codes(values)
    return codes, labels, name


def psu_codes(frame: pd.DataFrame, cluster: Any,
              s_codes: np.ndarray) -> tuple[np.ndarray, bool, str | None]:
    """PSU code of each row (ids taken within strata, R ``nest=TRUE``), whether every
    row is its own PSU, and the variable's name.

    When each row is its own PSU the codes are ``0..n-1`` in row order, so the
    PSU totals are the rows themselves.
    """
    n = len(frame)
    values, name = resolve(frame, cluster, "cluster")
    if values is None:
        return np.arange(n, dtype=np.intp), True, None
    check_no_missing(values, name, "cluster")
    c_codes, c_labels = _codes(values)
    key = s_codes.astype(np.int64) * len(c_labels) + c_codes
    _, psu = np.unique(key, return_inverse=True)
    psu = psu.astype(np.intp).ravel()
    if len(c_labels) == n and len(np.unique(psu)) == n:
        return np.arange(n, dtype=np.intp), True, name
    return psu, False, name


def psus_per_stratum(psu: np.ndarray, s_codes: np.ndarray,
                     nstrata: int) -> tuple[np.ndarray, np.ndarray]:
    """The stratum of each PSU and the number of PSUs ``n_h`` in each stratum."""
    npsu = int(psu.max()) + 1
    if npsu < 2:
        raise DesignError("the design has only one primary sampling unit; variances "
                          "cannot be estimated (give strata, or more PSUs)")
    psu_stratum = np.zeros(npsu, dtype=np.intp)
    psu_stratum[psu] = s_codes
    return psu_stratum, np.bincount(psu_stratum, minlength=nstrata)


def fpc_numbers(values: np.ndarray, name: str | None) -> tuple[np.ndarray, bool]:
    """fpc as floats, and whether they are population sizes (else sampling fractions)."""
    try:
        fv = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DesignError("fpc must be numeric (population sizes or sampling "
                          "fractions)", column=name) from exc
    if np.any(fv < 0):
        raise DesignError("fpc must not be negative", column=name, value=float(fv[fv < 0][0]))
    is_size = bool(np.any(fv > 1))
    if is_size and not np.all(fv >= 1):
        raise DesignError("fpc mixes population sizes (>1) and sampling fractions (<1); "
                          "give all as one or the other", column=name)
    return fv, is_size


def popsize_per_group(fv: np.ndarray, is_size: bool, codes: np.ndarray,
                      n_sampled: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Population size of each group (stratum, or unit of the stage above) from its
    fpc values, and the lowest and highest fpc value of the group: they differ where
    the fpc is not constant within the group, which the caller reports.

    ``fv`` are sizes when ``is_size``, else sampling fractions (size = n / fraction).
    """
    lo = np.full(len(n_sampled), np.inf)
    hi = np.full(len(n_sampled), -np.inf)
    np.minimum.at(lo, codes, fv)
    np.maximum.at(hi, codes, fv)
    with np.errstate(divide="ignore"):
        popsize = lo if is_size else n_sampled / lo
    return popsize, lo, hi


def population_sizes(frame: pd.DataFrame, fpc: Any, s_codes: np.ndarray,
                     s_labels: np.ndarray, n_h: np.ndarray) -> tuple[np.ndarray | None, str | None]:
    """Population number of PSUs per stratum from ``fpc`` (sizes or sampling fractions,
    as R ``svydesign(fpc=)``), or None without fpc; and the variable's name."""
    values, name = resolve(frame, fpc, "fpc")
    if values is None:
        return None, None
    check_no_missing(values, name, "fpc")
    fv, is_size = fpc_numbers(values, name)
    popsize_h, lo, hi = popsize_per_group(fv, is_size, s_codes, n_h)
    varies = np.flatnonzero(lo != hi)
    if varies.size:
        raise DesignError(
            f"fpc varies within stratum {s_labels[varies[0]]!r} (from {lo[varies[0]]} "
            f"to {hi[varies[0]]}); give one value per stratum", column=name)
    bad = np.flatnonzero(popsize_h < n_h)
    if bad.size:
        h = bad[0]
        raise DesignError(
            f"fpc implies more than 100% sampling in stratum {s_labels[h]!r}: "
            f"population size {popsize_h[h]:g} but {n_h[h]} sampled PSUs", column=name)
    return popsize_h, name


def remaining_fractions(popsize_h: np.ndarray | None, n_h: np.ndarray) -> np.ndarray:
    """``1 - f_h`` per stratum: 1 without fpc (or an infinite population)."""
    if popsize_h is None:
        return np.ones(len(n_h))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isinf(popsize_h), 1.0, (popsize_h - n_h) / popsize_h)


def sampling_weights(frame: pd.DataFrame, weights: Any, s_codes: np.ndarray, n_h: np.ndarray,
                     popsize_h: np.ndarray | None, stages: Sequence[Any] = ()
                     ) -> tuple[np.ndarray, str | None]:
    """The weights as a read-only float array, and the variable's name.

    Without weights: ``N_h / n_h`` when fpc gives population sizes (as R
    ``svydesign``), times ``N / n`` of every later stage, else 1. Weights must
    be finite and non-negative, and not all zero.
    """
    values, name = resolve(frame, weights, "weights")
    if values is None:
        if popsize_h is not None:
            w = (popsize_h / n_h)[s_codes].astype(float)
            for stage in stages:
                w = w / stage.sampled_fraction()[stage.row_parent]
        else:
            w = np.ones(len(frame))
    else:
        check_no_missing(values, name, "weights")
        try:
            w = np.asarray(values, dtype=float).copy()
        except (TypeError, ValueError) as exc:
            raise DesignError("weights must be numeric", column=name) from exc
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
        if bad.size:
            raise DesignError(
                f"weights must be finite and non-negative (data row {bad[0] + 1}, 1-based)",
                column=name, value=float(w[bad[0]]))
    if not np.any(w > 0):
        raise DesignError("all weights are zero", column=name)
    w.setflags(write=False)
    return w, name
