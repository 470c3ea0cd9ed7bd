"""Weighting by firm size (and sector, region, ...).

Post-stratification, raking, calibration (GREG, bounded raking, logit) and
trimming, each returning a :class:`WeightingResult` with the weights, the
margins reached, diagnostics and warnings. Results agree with R's
``survey`` package (``postStratify``, ``rake``, ``calibrate``,
``trimWeights``) to 1e-8 relative.

Example
-------
>>> import pandas as pd
>>> import survey_kit as sk
>>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
...                    "sector": ["it", "manufacturing", "it", "it"]})
>>> res = sk.rake(df, {"size_class": {"micro": 60, "small": 30, "large": 10},
...                    "sector": {"it": 70, "manufacturing": 30}})
>>> float(round(res.weights.sum(), 6))
100.0

Notes
-----
Every function works on the table of base-weight sums per combination of
the weighting variables (``np.bincount`` on a combined code): the
adjustment factor of a respondent depends only on its combination, so the
iterations run on a table of a few dozen cells whatever the sample size,
and factors are mapped back to respondents once.

References
----------
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, ch. 7.
Deville, J.-C. and Sarndal, C.-E. (1992). Calibration estimators in survey
sampling. *JASA* 87, 376-382.
Deville, J.-C., Sarndal, C.-E. and Sautory, O. (1993). Generalized raking
procedures in survey sampling. *JASA* 88, 1013-1020.
Kish, L. (1965). *Survey Sampling*. Wiley (design effect of weighting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin
from ..errors import UsageError, WeightingError
from .targets import Targets, as_targets, level_key

__all__ = [
    "NOT_STATED",
    "CalibrationInfo",
    "WeightingResult",
    "calibrate",
    "poststratify",
    "rake",
    "trim_weights",
    "weight_diagnostics",
]

NOT_STATED = "(not stated)"            # label of the 'separate' level in tables
_NOT_STATED_STRATEGIES = ("separate", "impute", "exclude")
_DENSE_LIMIT = 1 << 22                 # combined-code tables up to this size are dense
_R_RESCALE_THRESHOLD = 20.0            # as R's grake: rescale weights when pop/sample > 20
_MAX_LISTED = 8                        # problems listed in one error message


# ==========================================================================
# results
# ==========================================================================

@dataclass(frozen=True, eq=False)
class CalibrationInfo:
    """What a calibrated design needs to compute calibration-aware variances.

    Attributes
    ----------
    method : {"poststratify", "rake", "calibrate"}
    cells : numpy.ndarray of int or None
        Post-stratification: the cell of each respondent (0..K-1, one code
        per occupied cell); -1 for a respondent excluded from weighting.
    margins : list of numpy.ndarray of int, or None
        Raking: one array of level codes per margin, in the order raked;
        -1 for an excluded respondent.
    model_matrix : numpy.ndarray or None
        Calibration: the n x p matrix of R's ``model.matrix`` of the
        calibration formula (intercept + treatment dummies, first level the
        baseline); rows of excluded respondents are zero.
    base_weights : numpy.ndarray
        The weights before this adjustment (1 when none were given).
    weights : numpy.ndarray
        The final weights (0 for excluded respondents).
    labels : tuple
        Post-stratification: the cell names; raking: one tuple of level
        names per margin; calibration: the model-matrix column names.
    """

    method: str
    cells: np.ndarray | None
    margins: list | None
    model_matrix: np.ndarray | None
    base_weights: np.ndarray
    weights: np.ndarray
    labels: tuple = ()


@dataclass(frozen=True, eq=False)
class WeightingResult(ResultMixin):
    """Weights and what it took to get them.

    Attributes
    ----------
    weights : pandas.Series
        Final weights, aligned to the frame's index (0 for excluded respondents).
    converged : bool
        Whether the margins were reached within the tolerance.
    iterations : int
        Raking sweeps / Newton steps / trimming rounds (1 for closed forms).
    max_margin_error : float
        Largest ``|achieved - target| / target`` over all target levels.
    margins : pandas.DataFrame
        Per variable and level: respondents ``n``, ``sample_share``,
        ``base_total``, ``target``, ``achieved``, their shares, ``error`` and
        ``rel_error``.
    diagnostics : pandas.Series
        See :func:`weight_diagnostics`.
    warnings : tuple of str
        Negative weights, not-stated handling, rescaling, trimming, ...
    method : str
        "poststratify", "rake", "calibrate (linear)", ... (+ " + trim").
    calibration : CalibrationInfo or None
        For :class:`~survey_kit.design.survey_design.SurveyDesign` (calibration-aware variances).
    not_stated : pandas.DataFrame
        How respondents with a missing weighting variable were handled.
    imputations : pandas.DataFrame
        Hot-deck imputations (respondent, variable, value, donor, within).
    """

    weights: pd.Series
    converged: bool
    iterations: int
    max_margin_error: float
    margins: pd.DataFrame
    diagnostics: pd.Series
    warnings: tuple = ()
    method: str = ""
    calibration: CalibrationInfo | None = None
    not_stated: pd.DataFrame = field(default_factory=pd.DataFrame)
    imputations: pd.DataFrame = field(default_factory=pd.DataFrame)
    # level codes of each variable (for recomputing margins after trimming)
    _groups: tuple = field(default=(), repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The margins table (target vs achieved vs sample, per level)."""
        return self.margins

    def with_weights(self, frame: pd.DataFrame, column: str = "weight") -> pd.DataFrame:
        """A copy of ``frame`` with the weights as a new column."""
        if not isinstance(frame, pd.DataFrame):
            raise UsageError(f"frame must be a pandas DataFrame, not {type(frame).__name__}")
        if not frame.index.equals(self.weights.index):
            raise UsageError("the frame's index differs from the one the weights were computed "
                             "on; pass the same frame (respondent ids as index)")
        out = frame.copy()
        out[column] = self.weights.to_numpy()
        return out

    def report_tables(self) -> dict[str, pd.DataFrame]:
        """The tables of a weighting report: margins, diagnostics, not stated, ..."""
        out = {"margins": self.margins,
               "diagnostics": self.diagnostics.rename("value").rename_axis("statistic")
               .reset_index()}
        if len(self.not_stated):
            out["not_stated"] = self.not_stated
        if len(self.imputations):
            out["imputations"] = self.imputations
        out["warnings"] = pd.DataFrame({"warning": list(self.warnings)}, dtype=object)
        return out

    def __str__(self) -> str:
        status = "converged" if self.converged else "NOT converged"
        lines = [(f"WeightingResult: {self.method}, {status} after {self.iterations} "
                 f"iteration(s), max margin error {self.max_margin_error:.3g}"),
                 "", "Diagnostics:", self.diagnostics.to_string(float_format=lambda x: f"{x:.6g}"),
                 "", "Margins:", self.margins.to_string(index=False,
                                                         float_format=lambda x: f"{x:.6g}")]
        if self.warnings:
            lines += ["", "Warnings:"] + [f"- {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        warn = "".join(f"<li>{w}</li>" for w in self.warnings)
        return (f"<p><b>WeightingResult</b>: {self.method}, "
                f"{'converged' if self.converged else 'NOT converged'}, "
                f"max margin error {self.max_margin_error:.3g}</p>"
                + self.diagnostics.to_frame("value").to_html()
                + self.margins.to_html(index=False)
                + (f"<ul>{warn}</ul>" if warn else ""))


# ==========================================================================
# diagnostics
# ==========================================================================

def weight_diagnostics(weights: Any, trimmed: np.ndarray | None = None) -> pd.Series:
    """Summary of a set of weights: size, spread and the Kish design effect.

    Parameters
    ----------
    weights : array-like or pandas.Series
        Weights; zeros (excluded respondents) are counted but left out of the
        statistics.
    trimmed : array of bool, optional
        Which weights were trimmed (for ``share_trimmed``).

    Returns
    -------
    pandas.Series
        ``n`` (non-zero weights), ``n_zero``, ``n_negative``, ``sum``,
        ``mean``, ``min``, ``max``, ``max_min_ratio``, ``cv``, ``deff_kish``,
        ``ess``, ``share_trimmed``.

    Notes
    -----
    Kish's design effect of unequal weighting is
    ``deff = n * sum(w^2) / sum(w)^2 = 1 + cv^2`` with ``cv`` the coefficient of
    variation of the weights (population standard deviation over the mean);
    the effective sample size is ``n / deff = sum(w)^2 / sum(w^2)``.

    Example
    -------
    >>> float(weight_diagnostics([1.0, 1.0, 2.0, 4.0])["deff_kish"])
    1.375
    """
    w = np.asarray(weights, dtype=float)
    used = w != 0
    wu = w if used.all() else w[used]
    n = int(wu.size)
    total = float(wu.sum()) if n else 0.0
    # einsum, not np.dot: a BLAS dot of a long vector is slow on a loaded multi-core machine
    sq = float(np.einsum("i,i->", wu, wu)) if n else 0.0
    mean = total / n if n else np.nan
    wmin = float(wu.min()) if n else np.nan
    wmax = float(wu.max()) if n else np.nan
    cv = float(np.sqrt(max(sq / n - mean * mean, 0.0)) / mean) if n and mean != 0 else np.nan
    deff = n * sq / (total * total) if n and total != 0 else np.nan
    share_trimmed = (float(np.asarray(trimmed, bool)[used].mean())
                     if trimmed is not None and n else 0.0)
    return pd.Series({
        "n": n, "n_zero": int((~used).sum()), "n_negative": int((wu < 0).sum()),
        "sum": total, "mean": mean, "min": wmin, "max": wmax,
        "max_min_ratio": wmax / wmin if n and wmin > 0 else np.nan,
        "cv": cv, "deff_kish": deff, "ess": total * total / sq if sq > 0 else np.nan,
        "share_trimmed": share_trimmed,
    }, dtype=float, name="diagnostics")


# ==========================================================================
# preparing the data: base weights, factors, not-stated handling
# ==========================================================================

@dataclass
class _Factor:
    """One weighting variable: raw level keys and codes (-1 = not stated)."""

    name: str
    keys: list[str]
    raw: np.ndarray
    categorical: bool
    missing: np.ndarray = field(default=None)    # bool, not stated in the data


def _small_int(top: int) -> type:
    """The narrowest signed integer type holding -1..top (codes stay small in memory:
    at a million respondents every 8-byte array kept alive costs more than the raking)."""
    for dt in (np.int8, np.int16, np.int32):
        if top < np.iinfo(dt).max:
            return dt
    return np.int64


def _factorize(frame: pd.DataFrame, name: str) -> _Factor:
    col = frame[name]
    if isinstance(col.dtype, pd.CategoricalDtype):
        # the categorical's own codes (int8 / int16), read-only: never modified here
        raw = np.asarray(col.array.codes).view()
        raw.setflags(write=False)
        keys = [level_key(c) for c in col.cat.categories]
        categorical = True
    else:
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        raw = np.asarray(codes).astype(_small_int(len(uniques)))
        keys = [level_key(u) for u in uniques]
        categorical = False
    uniq = list(dict.fromkeys(keys))
    if len(uniq) != len(keys):           # e.g. 1 and "1" in one column: one level
        remap = np.array([uniq.index(k) for k in keys], dtype=np.int64)
        raw = np.where(raw >= 0, remap[np.maximum(raw, 0)], -1)
        keys = uniq
    return _Factor(name, keys, raw, categorical, missing=raw < 0)


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


def _ids(index: pd.Index, mask: np.ndarray, limit: int = 5) -> str:
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
            if not weights.index.is_unique or not frame.index.isin(weights.index).all():
                missing = ~frame.index.isin(weights.index)
                raise WeightingError("base weights (a Series) lack respondent(s) "
                                     f"{_ids(frame.index, missing)} of the frame; give one "
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
    try:
        arr = np.asarray(values)
        if arr.dtype.kind in "fiub":
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
                             f"infinite base weight ({_ids(frame.index, bad)}); fix or "
                             "remove them before weighting")
    bad = w <= 0
    if bad.any():
        raise WeightingError(f"{what}: {int(bad.sum())} respondent(s) have a zero or "
                             f"negative base weight ({_ids(frame.index, bad)}); base weights "
                             "must be positive")
    return w


@dataclass
class _Prepared:
    index: pd.Index
    base: np.ndarray
    targets: Targets                   # resolved to counts
    factors: dict[str, _Factor]        # raw codes after imputation
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


def _prepare(frame: pd.DataFrame, targets: Any, weights: Any, variables: list[str] | None,
             default_vars: str, not_stated: str | None, impute_within: Any,
             seed: int | None) -> tuple[_Prepared, list[str]]:
    _check_frame(frame)
    t = as_targets(targets)
    base = _base_weights(frame, weights)
    default = (t.cell_variables if default_vars == "cells" and t.cells is not None
               else (list(t.margins) or t.cell_variables))
    variables = _resolve_variables(t, variables, default)
    absent = [v for v in variables if v not in frame.columns]
    if absent:
        raise WeightingError(f"the targets are for variable(s) {absent}, which the data do "
                             f"not have; data columns are {list(frame.columns)[:30]}")
    if not_stated is not None and not_stated not in _NOT_STATED_STRATEGIES:
        raise UsageError(f"not_stated must be one of {_NOT_STATED_STRATEGIES} or None, not "
                         f"{not_stated!r}")
    factors = {v: _factorize(frame, v) for v in variables}
    include = np.ones(len(frame), dtype=bool)
    warnings: list[str] = []
    rows = []
    imputations = pd.DataFrame(columns=["respondent", "variable", "value", "donor", "within"])
    any_missing = [v for v, f in factors.items() if f.missing.any()]
    if any_missing and not_stated is None:
        listing = "; ".join(f"{v}: {int(factors[v].missing.sum())} "
                            f"({_ids(frame.index, factors[v].missing, 3)})"
                            for v in any_missing)
        raise WeightingError(
            f"respondents with 'not stated' (missing) weighting variables: {listing}. "
            "Choose how to weight them: not_stated='separate' (their own group, given the "
            "overall adjustment), 'impute' (hot-deck within classes, seeded) or 'exclude' "
            "(weight 0, reported)")
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
        imputations = _hotdeck(frame, factors, any_missing, variables, impute_within, seed,
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
    t = t.resolve(n_total)
    ns = pd.DataFrame(rows, columns=["variable", "strategy", "n_not_stated", "base_share"])
    prep = _Prepared(frame.index, base, t, factors, include, not_stated if any_missing else None,
                     ns, imputations, warnings, unit_base=weights is None)
    return prep, variables


def _hotdeck(frame: pd.DataFrame, factors: dict[str, _Factor], missing_vars: list[str],
             variables: list[str], impute_within: Any, seed: int | None,
             warnings: list[str]) -> pd.DataFrame:
    """Random hot-deck: each missing value takes the value of a random donor in its class.

    The class is the combination of the ``impute_within`` variables (default:
    the other weighting variables), a missing value being a class of its own.
    Donors are respondents with the variable observed; drawn with equal
    probability using ``numpy.random.default_rng(seed)``.
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
            wf = [observed[u] if u in observed else _factorize(frame, u) for u in within]
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
        factors[v] = _Factor(v, f.keys, new_raw, f.categorical, missing=f.missing)
    return pd.concat(out, ignore_index=True)


# ==========================================================================
# matching data levels to targets; the table of level combinations
# ==========================================================================

@dataclass
class _Level:
    """A weighting variable matched to its targets."""

    name: str
    labels: list[str]           # level keys (+ NOT_STATED last when separate)
    target: np.ndarray          # population count per label
    codes: np.ndarray           # per respondent: 0..L-1; -1 excluded


@dataclass
class _Group:
    """A margin of the table: level of each table entry, and its targets."""

    name: str
    labels: list[str]
    target: np.ndarray
    entry_codes: np.ndarray     # (K,) level of each occupied table entry
    excluded: tuple = (0, 0.0)  # (respondents, base total) excluded as not stated


@dataclass
class _Table:
    """Respondents grouped by their combination of levels.

    ``code`` places each respondent in a table of ``size`` entries, of which
    ``ids`` are occupied; all sums run through ``np.bincount`` on it.
    """

    code: np.ndarray
    size: int
    ids: np.ndarray
    include: np.ndarray | None  # None: every respondent is weighted

    def sums(self, values: np.ndarray | None = None) -> np.ndarray:
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


def _suggest(var: str, level: str) -> str:
    return f"sk.collapse_levels(frame, targets, {var!r}, {level!r})"


def _match_margin(prep: _Prepared, v: str, problems: list[str]) -> _Level:
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
                            f"one with {_suggest(v, k)}")
        elif c > 0 and tval[k] == 0:
            problems.append(f"sample cell {v}={k} has {c} respondent(s) but a population target "
                            f"of 0: correct the target or merge the level with {_suggest(v, k)}")
    for k in tkeys:
        if tval[k] > 0 and n_of.get(k, 0) == 0:
            problems.append(f"population cell {v}={k} (target {tval[k]:,.6g}) has no "
                            f"respondents: merge it with a neighbouring level with "
                            f"{_suggest(v, k)}")
    if f.categorical:
        order = [k for k in f.keys if k in tval] + [k for k in tkeys if k not in f.keys]
    else:
        order = tkeys
    labels = [k for k in order if tval[k] > 0]
    pos = {k: i for i, k in enumerate(labels)}
    remap = np.array([pos.get(k, -1) for k in f.keys] + [-1],
                     dtype=_small_int(len(labels) + 1))
    if (complete and prep.all_in and remap.size - 1 == len(labels)
            and np.array_equal(remap[:-1], np.arange(len(labels)))):
        codes = f.raw                  # levels in data order, all with targets: no copy
    else:
        codes = remap[f.raw]
    lev = _Level(v, labels, np.array([tval[k] for k in labels], dtype=float), codes)
    if prep.strategy == "separate" and f.missing.any():
        share = (float(prep.base[f.missing & inc].sum()) / float(prep.base[inc].sum()))
        total = lev.target.sum()
        lev.target = np.append(lev.target * (1.0 - share), total * share)
        lev.codes = np.where(f.missing, len(labels), lev.codes)
        lev.labels = labels + [NOT_STATED]
    if not prep.all_in:
        lev.codes[~inc] = -1
    return lev


def _raise_problems(problems: list[str]) -> None:
    if problems:
        shown = problems[:_MAX_LISTED]
        more = len(problems) - len(shown)
        raise WeightingError("cannot weight: " + "; ".join(shown)
                             + (f"; and {more} more such cell(s)" if more else "")
                             + ". No respondent is dropped silently: fix the targets or merge "
                             "levels first.")


def _match_and_combine(prep: _Prepared, variables: Sequence[str]):
    """Each margin matched to the data (all problems reported at once), then combined."""
    problems: list[str] = []
    levels = [_match_margin(prep, v, problems) for v in variables]
    _raise_problems(problems)
    return (levels, *_combine(levels, prep))


def _margin_setup(frame, targets, weights, variables, not_stated, impute_within, seed):
    """What raking and calibration start from: (prep, levels, table, per_var, n_c)."""
    prep, names = _prepare(frame, targets, weights, _as_list(variables), "margins",
                           not_stated, impute_within, seed)
    return (prep, *_match_and_combine(prep, names))


def _combine(levels: Sequence[_Level], prep: _Prepared
             ) -> tuple[_Table, list[np.ndarray], np.ndarray]:
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
    if size <= _DENSE_LIMIT:
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
    return _Table(code, size, ids, include), per_var, n_c


def _excluded_counts(prep: _Prepared, v: str) -> tuple:
    if prep.strategy != "exclude":
        return (0, 0.0)
    m = prep.factors[v].missing & ~prep.include
    return (int(m.sum()), float(prep.base[m].sum()))


# ==========================================================================
# margins table and the result
# ==========================================================================

def _margins(groups: Sequence[_Group], n_c: np.ndarray, base_c: np.ndarray,
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


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _result(prep: _Prepared, method: str, w_full: np.ndarray, table: _Table,
            groups: list[_Group], n_c: np.ndarray, base_c: np.ndarray, w_c: np.ndarray,
            converged: bool, iterations: int, calibration: CalibrationInfo,
            warnings: list[str]) -> WeightingResult:
    margins, max_err = _margins(groups, n_c, base_c, w_c)
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


# ==========================================================================
# post-stratification
# ==========================================================================

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
    prep, variables = _prepare(frame, targets, weights, _as_list(variables), "cells",
                               not_stated, impute_within, seed)
    t = prep.targets
    if len(variables) == 1 and (t.cells is None or variables[0] in t.margins
                                or len(t.cell_variables) == 1):
        (lv,), table, per_var, n_c = _match_and_combine(prep, variables[:1])
        cell_target = lv.target[per_var[0]]
        groups = [_Group(lv.name, lv.labels, lv.target, per_var[0],
                         _excluded_counts(prep, lv.name))]
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
    cal = CalibrationInfo("poststratify", cells=_readonly(cells), margins=None,
                          model_matrix=None, base_weights=_readonly(base),
                          weights=_readonly(w_full), labels=tuple(labels))
    return _result(prep, "poststratify", w_full, table, groups, n_c, base_c,
                   base_c * factor, True, 1, cal, [])


def _as_list(variables: Any) -> list[str] | None:
    if variables is None:
        return None
    return [variables] if isinstance(variables, str) else list(variables)


def _match_cells(prep: _Prepared, variables: list[str]):
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
    if size > _DENSE_LIMIT:
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
        return _suggest(v, level)

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
    _raise_problems(problems)
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
        groups.append(_Group(v, [ks[i] for i in keep], tv[keep], remap[lc],
                             _excluded_counts(prep, v)))
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
    groups.append(_Group(":".join(variables), labels, cell_target, entry_joint))
    include = cell_code >= 0
    table = _Table(np.maximum(cell_code, 0), K, np.arange(K),
                   None if include.all() else include)
    n_c = np.bincount(cell_code[include], minlength=K)
    return table, groups, n_c, labels, cell_target


# ==========================================================================
# raking
# ==========================================================================

def rake(frame: pd.DataFrame, targets: Any, weights: Any = None, *,
         variables: Sequence[str] | str | None = None, max_iter: int = 1000,
         tol: float = 1e-10, on_nonconvergence: str = "error",
         not_stated: str | None = None, impute_within: str | Sequence[str] | None = None,
         seed: int | None = 0) -> WeightingResult:
    """Rake (iterative proportional fitting) to several margins.

    Parameters
    ----------
    frame, targets, weights, not_stated, impute_within, seed
        As in :func:`poststratify`; ``targets`` gives one margin per variable.
    variables : str or list of str, optional
        Margins to rake to, in this order; default every margin of the targets.
    max_iter : int, default 1000
        Maximum number of sweeps over all margins.
    tol : float, default 1e-10
        Stop when every margin is reached: ``max |achieved - target| / target
        < tol`` (tight enough that the weights agree with R's ``rake`` run to
        convergence to 1e-8 relative).
    on_nonconvergence : {"error", "warn"}
        Raise a :class:`WeightingError` with the margin errors reached, or
        return the last weights with ``converged=False`` and a warning.

    Returns
    -------
    WeightingResult

    Notes
    -----
    Each sweep post-stratifies to each margin in turn, as R's ``rake``; the
    iterations run on the table of base-weight sums per combination of the
    margins' levels, so their cost does not depend on the sample size. The
    fixed point minimises the raking distance ``sum d (g log g - g + 1)`` under
    the margin constraints (Deville, Sarndal and Sautory 1993); R's ``rake``
    stops on the change of the weighted table, this function on the margins
    themselves.

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
    ...                    "sector": ["it", "manufacturing", "it", "it"]})
    >>> res = rake(df, {"size_class": {"micro": 60, "small": 30, "large": 10},
    ...                 "sector": {"it": 70, "manufacturing": 30}})
    >>> res.converged, res.max_margin_error < 1e-10
    (True, True)
    """
    _check_control(max_iter, tol, on_nonconvergence)
    prep, levels, table, per_var, n_c = _margin_setup(
        frame, targets, weights, variables, not_stated, impute_within, seed)
    base = prep.base
    # without base weights the base sums are the counts (no pass over the respondents)
    s0 = n_c.astype(float) if prep.unit_base else table.sums(base)
    g = np.ones(s0.size)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - `it` is reported after the loop
        for codes_k, lv in zip(per_var, levels):
            tot = np.bincount(codes_k, weights=s0 * g, minlength=lv.target.size)
            g *= (lv.target / tot)[codes_k]
        cur = s0 * g
        err = max(float(np.max(np.abs(np.bincount(ck, weights=cur, minlength=lv.target.size)
                                      - lv.target) / lv.target))
                  for ck, lv in zip(per_var, levels))
        if err < tol:
            converged = True
            break
    w_full = table.expand(g, None if prep.unit_base else base)
    warnings: list[str] = []
    if not converged:
        msg = (f"raking did not converge in {max_iter} sweeps (tol {tol:g}): largest relative "
               f"margin errors reached {_margin_errors(levels, per_var, s0 * g)}. Some "
               "combination of levels may be missing from the sample; merge sparse levels "
               "(sk.collapse_levels), rake on fewer margins, or raise max_iter")
        if on_nonconvergence == "error":
            raise WeightingError(msg)
        warnings.append(msg)
    groups = [_Group(lv.name, lv.labels, lv.target, pv, _excluded_counts(prep, lv.name))
              for lv, pv in zip(levels, per_var)]
    cal = CalibrationInfo("rake", cells=None, margins=[_readonly(lv.codes) for lv in levels],
                          model_matrix=None, base_weights=_readonly(base),
                          weights=_readonly(w_full),
                          labels=tuple(tuple(lv.labels) for lv in levels))
    return _result(prep, "rake", w_full, table, groups, n_c, s0, s0 * g, converged, it, cal,
                   warnings)


def _margin_errors(levels: Sequence[_Level], per_var: list[np.ndarray], cur: np.ndarray) -> str:
    parts = []
    for lv, ck in zip(levels, per_var):
        rel = np.abs(np.bincount(ck, weights=cur, minlength=lv.target.size) - lv.target) \
            / lv.target
        j = int(np.argmax(rel))
        parts.append(f"{lv.name}: {rel[j]:.3g} (level {lv.labels[j]})")
    return "; ".join(parts)


def _check_control(max_iter: Any, tol: Any, on_nonconvergence: str) -> None:
    if not isinstance(max_iter, (int, np.integer)) or isinstance(max_iter, bool) \
            or max_iter < 1:
        raise UsageError(f"max_iter must be a positive integer, not {max_iter!r}")
    if not (isinstance(tol, (int, float, np.floating)) and 0 < tol < 1):
        raise UsageError(f"tol must be a number between 0 and 1, not {tol!r}")
    if on_nonconvergence not in ("error", "warn"):
        raise UsageError(f"on_nonconvergence must be 'error' or 'warn', not "
                         f"{on_nonconvergence!r}")


# ==========================================================================
# calibration
# ==========================================================================

class _Distance:
    """Calibration function F (g = F(x'eta)), its derivative and its primitive.

    ``fm1(u) = F(u) - 1``; ``df(u) = F'(u)``; ``psi(u)`` is the primitive of
    ``fm1`` with ``psi(0) = 0``, so that ``sum d psi(x'eta) - eta'(T - t)`` is
    the convex dual objective whose gradient is minus the calibration misfit.
    """

    def __init__(self, method: str, lower: float, upper: float) -> None:
        self.method, self.lower, self.upper = method, lower, upper
        if method == "logit":
            L, U = lower, upper
            self.A = (U - L) / ((U - 1.0) * (1.0 - L))
            self.shift = np.log((1.0 - L) / (U - 1.0))
        if method == "raking":
            self.la = np.log(lower) if lower > 0 else -np.inf
            self.lb = np.log(upper) if np.isfinite(upper) else np.inf

    def fm1(self, u: np.ndarray) -> np.ndarray:
        L, U = self.lower, self.upper
        if self.method == "linear":
            return np.clip(u + 1.0, L, U) - 1.0
        if self.method == "raking":
            with np.errstate(over="ignore"):
                return np.clip(np.exp(u), L, U) - 1.0
        z = self.A * u + self.shift
        return L + (U - L) * _sigmoid(z) - 1.0

    def df(self, u: np.ndarray) -> np.ndarray:
        L, U = self.lower, self.upper
        if self.method == "linear":
            return ((u > L - 1.0) & (u < U - 1.0)).astype(float)
        if self.method == "raking":
            with np.errstate(over="ignore"):
                return np.where((u > self.la) & (u < self.lb), np.exp(u), 0.0)
        s = _sigmoid(self.A * u + self.shift)
        return (U - L) * self.A * s * (1.0 - s)

    def psi(self, u: np.ndarray) -> np.ndarray:
        L, U = self.lower, self.upper
        if self.method == "linear":
            a, b = L - 1.0, U - 1.0
            mid = 0.5 * u * u
            with np.errstate(invalid="ignore"):
                lo = a * u - 0.5 * a * a if np.isfinite(a) else mid
                hi = b * u - 0.5 * b * b if np.isfinite(b) else mid
            return np.where(u < a, lo, np.where(u > b, hi, mid))
        if self.method == "raking":
            la, lb = self.la, self.lb
            with np.errstate(over="ignore", invalid="ignore"):
                mid = np.expm1(u) - u
                lo = (np.expm1(la) - la) + (L - 1.0) * (u - la) if np.isfinite(la) else mid
                hi = (np.expm1(lb) - lb) + (U - 1.0) * (u - lb) if np.isfinite(lb) else mid
            return np.where(u < la, lo, np.where(u > lb, hi, mid))
        # logit: (L-1)u + (U-1)(1-L)[log(U-1+(1-L)e^{Au}) - log(U-L)]
        z = np.logaddexp(np.log(U - 1.0), np.log(1.0 - L) + self.A * u)
        return (L - 1.0) * u + (U - 1.0) * (1.0 - L) * (z - np.log(U - L))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _check_bounds(method: str, bounds: Any) -> tuple[float, float]:
    if bounds is None:
        lo, hi = -np.inf, np.inf
    else:
        try:
            lo, hi = (float(b) for b in bounds)
        except (TypeError, ValueError):
            raise UsageError(f"bounds must be a pair (lower, upper) of numbers, not "
                             f"{bounds!r}") from None
        if np.isnan(lo) or np.isnan(hi) or not lo < hi:
            raise UsageError(f"bounds {bounds!r}: need lower < upper")
    if method == "logit":
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise UsageError("logit calibration needs finite bounds, e.g. bounds=(0.5, 2.5)")
        if not lo < 1.0 < hi:
            raise UsageError(f"logit calibration needs lower < 1 < upper; got bounds "
                             f"({lo:g}, {hi:g})")
    return lo, hi


def _model_matrix(levels: Sequence[_Level], per_var: list[np.ndarray]
                  ) -> tuple[np.ndarray, list[str]]:
    """R's model.matrix(~ v1 + v2 + ...) on the combination table: intercept + dummies."""
    k = per_var[0].size if per_var else 0
    cols = [np.ones(k)]
    names = ["(Intercept)"]
    for lv, codes in zip(levels, per_var):
        for j in range(1, len(lv.labels)):
            cols.append((codes == j).astype(float))
            names.append(f"{lv.name}{lv.labels[j]}")
    return np.column_stack(cols), names


def calibrate(frame: pd.DataFrame, targets: Any, method: str = "linear",
              bounds: tuple[float, float] | None = None, weights: Any = None, *,
              variables: Sequence[str] | str | None = None, max_iter: int = 100,
              tol: float = 1e-10, on_nonconvergence: str = "error",
              not_stated: str | None = None, impute_within: str | Sequence[str] | None = None,
              seed: int | None = 0) -> WeightingResult:
    """Calibrate the weights to population margins (GREG, bounded raking, logit).

    Parameters
    ----------
    frame, targets, weights, not_stated, impute_within, seed
        As in :func:`poststratify`; ``targets`` gives one margin per variable.
    method : {"linear", "raking", "logit"}
        Calibration function, as R's ``calfun``: linear (GREG; may give negative
        weights), raking (multiplicative, positive) or logit (bounded).
    bounds : (float, float), optional
        Bounds on ``g = w / d``, as R's ``bounds``. Required (finite, with
        lower < 1 < upper) for ``"logit"``.
    variables : str or list of str, optional
        The calibration variables (formula ``~ v1 + v2 + ...``); default every
        margin of the targets.
    max_iter : int, default 100
        Maximum Newton steps.
    tol : float, default 1e-10
        Convergence: ``max |T - X'w| / (1 + |T|) < tol`` over the totals ``T``
        of the model matrix columns (R's ``epsilon``).
    on_nonconvergence : {"error", "warn"}
        As in :func:`rake`.

    Returns
    -------
    WeightingResult
        ``calibration.model_matrix`` is R's ``model.matrix`` of the formula.

    Notes
    -----
    The calibrated weights are ``w_i = d_i F(x_i' eta)`` with ``eta`` solving
    ``sum_i d_i F(x_i' eta) x_i = T`` (Deville and Sarndal 1992). Without
    bounds, linear calibration has the closed form
    ``g = 1 + x' (X' D X)^{-1} (T - X' d)`` (R's ``regcalibrate``). Otherwise
    Newton steps as in R's ``grake`` (generalised inverse of ``X' D F'(X eta) X``),
    safeguarded by a backtracking line search on the convex dual objective
    and, when a step stalls because weights sit at a bound, a Levenberg-Marquardt
    term; the solution is the same unique one R reaches when it converges (and
    this function also reaches it in cases where R's ``grake`` stalls). As in
    R, when every ratio population/sample total exceeds 20 the base weights are
    first multiplied by the mean ratio and the bounds apply to ``g`` relative
    to the scaled weights (a warning says so).

    Example
    -------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"size_class": ["micro", "micro", "small", "large"],
    ...                    "sector": ["it", "manufacturing", "it", "it"]})
    >>> res = calibrate(df, {"size_class": {"micro": 60, "small": 30, "large": 10},
    ...                      "sector": {"it": 70, "manufacturing": 30}}, method="raking")
    >>> float(round(res.weights.sum(), 6))
    100.0
    """
    if method not in ("linear", "raking", "logit"):
        raise UsageError(f"method must be 'linear', 'raking' or 'logit', not {method!r}")
    lo, hi = _check_bounds(method, bounds)
    _check_control(max_iter, tol, on_nonconvergence)
    prep, levels, table, per_var, n_c = _margin_setup(
        frame, targets, weights, variables, not_stated, impute_within, seed)
    base = prep.base
    s = table.sums(base)
    X, names = _model_matrix(levels, per_var)
    T = np.concatenate([[levels[0].target.sum()]] + [lv.target[1:] for lv in levels])
    warnings: list[str] = []
    unbounded = not (np.isfinite(lo) or np.isfinite(hi))
    if method == "linear" and unbounded:
        g, it, converged, misfit = _linear_closed_form(X, s, T, names)
    else:
        t_hat = X.T @ s
        scales = T / t_hat
        scale = 1.0
        if scales.min() > _R_RESCALE_THRESHOLD:
            # as R's grake; it changes the result only through the bounds
            scale = float(scales.mean())
            if not unbounded:
                warnings.append(f"base weights were first multiplied by {scale:.6g} (every "
                                "population/sample ratio > 20, as R's grake does); the "
                                "bounds apply to g relative to these scaled weights")
        dist = _Distance(method, lo, hi)
        g, it, converged, misfit = _newton(X, s * scale, T, dist, tol, max_iter)
        g = g * scale
    if not converged:
        worst = np.argsort(-np.abs(misfit) / (1 + np.abs(T)))[:3]
        detail = "; ".join(f"{names[j]}: misfit {misfit[j]:.6g} of {T[j]:.6g}" for j in worst)
        msg = (f"calibration ({method}, bounds ({lo:g}, {hi:g})) did not converge in "
               f"{max_iter} steps: {detail}. The bounds may be too tight for these targets; "
               "widen them, merge sparse levels (sk.collapse_levels), or raise max_iter")
        if on_nonconvergence == "error":
            raise WeightingError(msg)
        warnings.append(msg)
    w_full = table.expand(g, base)
    lookup = np.full(table.size, -1, dtype=np.int64)
    lookup[table.ids] = np.arange(table.ids.size)
    entry = lookup[table.code]
    mm = X[entry]
    if table.include is not None:
        mm[~table.include] = 0.0
    groups = [_Group(lv.name, lv.labels, lv.target, pv, _excluded_counts(prep, lv.name))
              for lv, pv in zip(levels, per_var)]
    cal = CalibrationInfo("calibrate", cells=None, margins=None, model_matrix=_readonly(mm),
                          base_weights=_readonly(base), weights=_readonly(w_full),
                          labels=tuple(names))
    label = f"calibrate ({method}" + ("" if unbounded else f", bounds ({lo:g}, {hi:g})") + ")"
    return _result(prep, label, w_full, table, groups, n_c, s, s * g, converged, it, cal,
                   warnings)


def _linear_closed_form(X: np.ndarray, s: np.ndarray, T: np.ndarray, names: list[str]
                        ) -> tuple[np.ndarray, int, bool, np.ndarray]:
    XtDX = X.T @ (s[:, None] * X)
    try:
        lam = np.linalg.solve(XtDX, T - X.T @ s)
    except np.linalg.LinAlgError:
        raise WeightingError("linear calibration: the calibration variables are collinear "
                             f"(model matrix columns {names}); drop a redundant variable") \
            from None
    g = 1.0 + X @ lam
    return g, 1, True, T - X.T @ (s * g)


def _newton(X: np.ndarray, s: np.ndarray, T: np.ndarray, dist: _Distance, tol: float,
            max_iter: int) -> tuple[np.ndarray, int, bool, np.ndarray]:
    """Solve sum_k s_k F(x_k'eta) x_k = T for eta (Newton on the convex dual)."""
    p = X.shape[1]
    t_hat = X.T @ s
    rhs = T - t_hat
    eta = np.zeros(p)
    u = np.zeros(X.shape[0])
    phi = 0.0
    misfit = rhs.copy()
    scale_T = 1.0 + np.abs(T)
    gram_diag = np.maximum(np.diag(X.T @ (s[:, None] * X)), 1e-300)
    rcond = 256 * np.finfo(float).eps        # as MASS::ginv's tolerance
    mu = 0.0
    converged = bool(np.all(np.abs(misfit) / scale_T < tol))
    it = 0
    stalls = 0
    while not converged and it < max_iter:
        it += 1
        H = X.T @ ((s * dist.df(u))[:, None] * X)
        if mu == 0.0:
            step_dir = np.linalg.pinv(H, rcond=rcond) @ misfit
        else:
            step_dir = np.linalg.solve(H + mu * np.diag(gram_diag), misfit)
        slope = float(step_dir @ misfit)
        accepted = False
        step = 1.0
        if slope > 0:
            for _ in range(60):
                eta_new = eta + step * step_dir
                u_new = X @ eta_new
                with np.errstate(over="ignore", invalid="ignore"):
                    phi_new = float(s @ dist.psi(u_new) - eta_new @ rhs)
                if np.isfinite(phi_new) and phi_new <= phi - 1e-4 * step * slope:
                    accepted = True
                    break
                step *= 0.5
        if not accepted:
            mu = max(mu * 10.0, 1e-6)
            if mu > 1e12:
                break
            continue
        old_err = float(np.max(np.abs(misfit) / scale_T))
        eta, u, phi = eta_new, u_new, phi_new
        misfit = rhs - X.T @ (s * dist.fm1(u))
        err = float(np.max(np.abs(misfit) / scale_T))
        converged = err < tol
        # a Newton step that barely moves the misfit means weights are stuck at a
        # bound with zero derivative: switch on the Levenberg-Marquardt term
        if err > 0.9 * old_err:
            stalls += 1
            if stalls >= 2:
                mu = max(mu * 10.0, 1e-6)
        else:
            stalls = 0
            mu = 0.0 if mu <= 1e-6 else mu / 10.0
    g = 1.0 + dist.fm1(u)
    return g, it, converged, misfit


# ==========================================================================
# trimming
# ==========================================================================

def trim_weights(weights: Any, lower: float | None = None, upper: float | None = None,
                 strict: bool = False, *, max_rounds: int = 10_000) -> WeightingResult:
    """Trim weights to ``[lower, upper]`` and spread the trimmed amount over the others.

    Parameters
    ----------
    weights : WeightingResult, pandas.Series or array-like
        Weights to trim. Zero weights (excluded respondents) stay 0 and get
        no share of the trimmed amount.
    lower, upper : float, optional
        Bounds on the weights themselves (not on the adjustment).
    strict : bool, default False
        Repeat until no weight is outside the bounds (spreading can push other
        weights over a bound).
    max_rounds : int
        Safety limit of rounds under ``strict``.

    Returns
    -------
    WeightingResult
        With the trimmed weights; margins recomputed when ``weights`` was a
        result (trimming moves the weighted margins away from the targets),
        whose ``iterations`` it keeps (for plain weights, ``iterations`` is the
        number of trimming rounds); ``diagnostics["share_trimmed"]`` is the
        share of weights trimmed.

    Notes
    -----
    As R's ``trimWeights``: weights outside the bounds are set to the bound
    and the total trimmed, ``sum(w - w_trimmed)``, is added in equal parts to
    the weights that were inside the bounds, so the total is preserved.

    Example
    -------
    >>> trim_weights([1.0, 1.0, 1.0, 5.0], upper=3).weights.round(6).tolist()
    [1.666667, 1.666667, 1.666667, 3.0]
    """
    prev = weights if isinstance(weights, WeightingResult) else None
    if prev is not None:
        series = prev.weights
    elif isinstance(weights, pd.Series):
        series = weights
    else:
        arr = np.asarray(weights, dtype=float)
        if arr.ndim != 1:
            raise UsageError(f"weights must be one-dimensional, got shape {arr.shape}")
        series = pd.Series(arr, name="weight")
    try:
        w = series.to_numpy(dtype=float).copy()
    except (TypeError, ValueError):
        raise WeightingError("weights to trim are not all numbers") from None
    if not np.isfinite(w).all():
        raise WeightingError(f"{int((~np.isfinite(w)).sum())} weight(s) are missing or "
                             f"infinite ({_ids(series.index, ~np.isfinite(w))}); trim finite "
                             "weights")
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if np.isnan(lo) or np.isnan(hi) or not lo < hi:
        raise UsageError(f"trim bounds need lower < upper; got lower={lower!r}, upper={upper!r}")
    units = w != 0
    m = int(units.sum())
    total = float(w[units].sum())
    if m == 0:
        raise WeightingError("every weight is zero; nothing to trim")
    if hi * m < total * (1 - 1e-12):
        raise WeightingError(f"upper={hi:g} is too low: {m} weights summing to {total:,.6g} "
                             f"cannot all be <= {hi:g} (their mean is {total / m:,.6g}); "
                             "raise upper")
    if lo * m > total * (1 + 1e-12):
        raise WeightingError(f"lower={lo:g} is too high: {m} weights summing to {total:,.6g} "
                             f"cannot all be >= {lo:g} (their mean is {total / m:,.6g}); "
                             "lower it")
    ever = np.zeros(w.size, dtype=bool)
    rounds = 0
    # a weight within 1e-12 (relative) of a bound is at the bound: without this
    # slack, strict trimming can cycle on rounding errors for ever
    slack = 1e-12 * max([abs(b) for b in (lo, hi) if np.isfinite(b)] + [total / m])
    lo_test, hi_test = lo - slack, hi + slack
    while True:
        outside = units & ((w < lo_test) | (w > hi_test))
        if not outside.any():
            break
        if rounds >= (max_rounds if strict else 1):
            break
        rounds += 1
        clipped = np.where(outside, np.clip(w, lo, hi), w)
        trimmed_amount = float((w - clipped).sum())
        inside = units & ~outside
        if not inside.any():
            raise WeightingError("every weight is outside the trimming bounds; widen them")
        clipped[inside] += trimmed_amount / inside.sum()
        ever |= outside
        w = clipped
    still = units & ((w < lo_test) | (w > hi_test))
    span = (f"[{lo:.6g}, {hi:.6g}]" if np.isfinite(lo) and np.isfinite(hi)
            else f"at most {hi:.6g}" if np.isfinite(hi) else f"at least {lo:.6g}")
    if ever.any():
        warnings = [(f"{int(ever.sum())} weight(s) ({ever[units].mean():.1%}) trimmed to "
                     f"{span} in {rounds} round(s); the trimmed amount was spread equally over "
                     "the other weights")]
    else:
        warnings = [f"trimming to {span}: no weight was outside the bounds"]
    if still.any():
        warnings.append(f"{int(still.sum())} weight(s) are not {span} after "
                        + ("one round; use strict=True to repeat until none is"
                           if not strict else f"{max_rounds} rounds"))
    out_series = pd.Series(w, index=series.index, name=series.name or "weight")
    diag = weight_diagnostics(w, trimmed=ever)
    if prev is None:
        return WeightingResult(weights=out_series, converged=not still.any(), iterations=rounds,
                               max_margin_error=np.nan, margins=pd.DataFrame(),
                               diagnostics=diag, warnings=tuple(warnings), method="trim")
    if prev._groups:
        table, groups, n_c, base_c = prev._groups
        margins, max_err = _margins(groups, n_c, base_c, table.sums(w))
        if ever.any() and max_err > 1e-6:
            j = int(np.nanargmax(np.abs(margins["rel_error"].to_numpy(dtype=float))))
            row = margins.iloc[j]
            warnings.append(f"trimming moved the weighted margins off their targets: largest "
                            f"relative error {row.rel_error:+.3g} ({row.variable}="
                            f"{row.level}); raise the cap, or weight again with the trimmed "
                            "weights as base weights")
    else:
        margins, max_err = prev.margins, prev.max_margin_error
    cal = prev.calibration
    if cal is not None:
        cal = replace(cal, weights=_readonly(w.copy()))
    return replace(prev, weights=out_series, converged=prev.converged and not still.any(),
                   max_margin_error=max_err, margins=margins,
                   diagnostics=diag, warnings=prev.warnings + tuple(warnings),
                   method=prev.method + " + trim", calibration=cal)
