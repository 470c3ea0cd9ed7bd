"""AAPOR outcome rates: response, cooperation, refusal and contact rates from dispositions.

:func:`response_rates` counts the final dispositions of every case released to
the field (given as counts, or one disposition per case with a mapping of the
fieldwork codes to AAPOR's categories) and returns the rates of AAPOR's
*Standard Definitions* (10th edition, 2023), section "Calculating rates from
response distributions".

Categories
----------
``I`` complete interview, ``P`` partial interview, ``R`` refusal and break-off,
``NC`` non-contact, ``O`` other eligible non-interview, ``UH`` unknown if
household (unit) is occupied / eligible, ``UO`` unknown eligibility, other,
``NE`` not eligible (out of every denominator). ``e`` is the estimated share
of eligible cases among the cases of unknown eligibility (UH + UO).

Formulas
--------
With :math:`E = (I + P) + (R + NC + O)` the known eligible cases and
:math:`U = UH + UO`::

    RR1 = I / (E + U)            RR2 = (I + P) / (E + U)
    RR3 = I / (E + eU)           RR4 = (I + P) / (E + eU)
    RR5 = I / E                  RR6 = (I + P) / E
    COOP1 = I / ((I + P) + R + O)        COOP2 = (I + P) / ((I + P) + R + O)
    COOP3 = I / ((I + P) + R)            COOP4 = (I + P) / ((I + P) + R)
    REF1 = R / (E + U)   REF2 = R / (E + eU)   REF3 = R / E
    CON1 = ((I + P) + R + O) / (E + U)
    CON2 = ((I + P) + R + O) / (E + eU)
    CON3 = ((I + P) + R + O) / E

RR3, RR4, REF2 and CON2 need ``e`` when some eligibility is unknown; AAPOR
requires the basis of the estimate to be stated. ``e="eligible_share"`` takes
the share of eligible cases among those whose eligibility was determined,
:math:`E / (E + NE)` (the proportional allocation AAPOR describes as one
defensible estimate); a number is taken as given (its basis is then the
user's to report).

Example
-------
>>> rr = response_rates({"I": 400, "P": 50, "R": 150, "NC": 200, "O": 50,
...                      "UH": 100, "UO": 50, "NE": 100}, e=0.8)
>>> round(rr["RR1"], 4), round(rr["RR3"], 4), round(rr["COOP1"], 4)
(0.4, 0.4124, 0.6154)
>>> rr.to_frame().loc["RR3", "formula"]
'I / ((I + P) + (R + NC + O) + e (UH + UO))'

References
----------
The American Association for Public Opinion Research (2023). Standard Definitions:
Final Dispositions of Case Codes and Outcome Rates for Surveys, 10th edition. AAPOR.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._results import ResultMixin
from ..errors import DataError, UsageError

__all__ = ["CATEGORIES", "EDITION", "ResponseRates", "declared_rates", "response_rates"]

#: AAPOR's disposition categories, in the order of the Standard Definitions
CATEGORIES = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")

#: the edition whose formulas are followed
EDITION = "AAPOR Standard Definitions, 10th edition (2023)"

_CATEGORY_WORDS = {"I": "complete interviews", "P": "partial interviews",
                   "R": "refusals and break-offs", "NC": "non-contacts",
                   "O": "other eligible non-interviews",
                   "UH": "unknown if household/unit eligible",
                   "UO": "unknown eligibility, other", "NE": "not eligible"}

_E = "(I + P) + (R + NC + O)"
_EU = f"{_E} + (UH + UO)"
_EEU = f"{_E} + e (UH + UO)"
_CONTACTED = "(I + P) + R + O"
#: name -> (numerator, denominator) in words; the order of the Standard Definitions
FORMULAS: dict[str, tuple[str, str]] = {
    "RR1": ("I", _EU), "RR2": ("(I + P)", _EU), "RR3": ("I", _EEU),
    "RR4": ("(I + P)", _EEU), "RR5": ("I", _E), "RR6": ("(I + P)", _E),
    "COOP1": ("I", _CONTACTED), "COOP2": ("(I + P)", _CONTACTED),
    "COOP3": ("I", "(I + P) + R"), "COOP4": ("(I + P)", "(I + P) + R"),
    "REF1": ("R", _EU), "REF2": ("R", _EEU), "REF3": ("R", _E),
    "CON1": (f"({_CONTACTED})", _EU), "CON2": (f"({_CONTACTED})", _EEU),
    "CON3": (f"({_CONTACTED})", _E),
}
_NEEDS_E = ("RR3", "RR4", "REF2", "CON2")


@dataclass(frozen=True, eq=False)
class ResponseRates(ResultMixin):
    """AAPOR outcome rates of one survey (see the module docstring for the formulas).

    Attributes
    ----------
    counts : dict of str -> int
        Cases in each AAPOR category (every category present, 0 if none).
    e : float or None
        The eligible share of the unknown-eligibility cases used (None: not given).
    e_basis : str
        How ``e`` was obtained, in words.
    rates : dict of str -> float
        RR1-RR6, COOP1-COOP4, REF1-REF3, CON1-CON3; NaN where not computable.
    reasons : dict of str -> str
        For each rate that is NaN, why.
    edition : str
    """

    counts: Mapping[str, int]
    e: float | None
    e_basis: str
    rates: Mapping[str, float]
    reasons: Mapping[str, str] = field(default_factory=dict)
    edition: str = EDITION

    def __getitem__(self, name: str) -> float:
        if name not in self.rates:
            raise UsageError(f"no rate {name!r}; rates are {', '.join(self.rates)}")
        return self.rates[name]

    @property
    def n_cases(self) -> int:
        """Every case released to the field (all categories, NE included)."""
        return int(sum(self.counts.values()))

    def to_frame(self) -> pd.DataFrame:
        """One row per rate: value, formula, and why it is missing (if it is)."""
        return pd.DataFrame(
            {"value": [self.rates[k] for k in FORMULAS],
             "formula": [f"{num} / ({den})" for num, den in FORMULAS.values()],
             "note": [self.reasons.get(k, "") for k in FORMULAS]},
            index=pd.Index(list(FORMULAS), name="rate"))

    def counts_frame(self) -> pd.DataFrame:
        """The disposition counts: category, meaning, cases."""
        return pd.DataFrame({"meaning": [_CATEGORY_WORDS[c] for c in CATEGORIES],
                             "cases": [int(self.counts[c]) for c in CATEGORIES]},
                            index=pd.Index(list(CATEGORIES), name="category"))

    def summary(self) -> str:
        """RR1-RR6 (and COOP1, REF1, CON1) in one line, with the basis of ``e``."""
        shown = [f"{k} {_pct(self.rates[k])}" for k in
                 ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "REF1", "CON1")]
        counts = ", ".join(f"{c} {self.counts[c]}" for c in CATEGORIES)
        return f"{'; '.join(shown)} ({self.edition}; {counts}; {self.e_basis})"


def _pct(x: float) -> str:
    return "not computed" if not np.isfinite(x) else f"{100 * x:.1f}%"


# ---------------------------------------------------------------------------
# the counts
# ---------------------------------------------------------------------------

def _count_value(cat: str, v: Any) -> int:
    """A count: a whole number >= 0."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        x = float("nan")
    if not np.isfinite(x) or x < 0 or x != int(x):
        raise UsageError(f"disposition count {cat}={v!r} is not a whole number >= 0; "
                         "give the number of cases in each AAPOR category")
    return int(x)


def _from_counts(counts: Mapping[Any, Any]) -> dict[str, int]:
    bad = [str(k) for k in counts if str(k) not in CATEGORIES]
    if bad:
        raise UsageError(f"unknown disposition categor{'y' if len(bad) == 1 else 'ies'} "
                         f"{', '.join(map(repr, bad))}; AAPOR's are {', '.join(CATEGORIES)}")
    out = dict.fromkeys(CATEGORIES, 0)
    for k, v in counts.items():
        out[str(k)] = _count_value(str(k), v)
    return out


def code_map(codes: Mapping[str, Any]) -> dict[str, str]:
    """Fieldwork code (as text) -> AAPOR category, from ``{category: code or [codes]}``.

    >>> code_map({"I": [1, 2], "R": 3})
    {'1': 'I', '2': 'I', '3': 'R'}
    """
    out: dict[str, str] = {}
    for cat, vals in codes.items():
        if str(cat) not in CATEGORIES:
            raise UsageError(f"unknown disposition category {cat!r} in the code mapping; "
                             f"AAPOR's are {', '.join(CATEGORIES)}")
        for v in vals if isinstance(vals, (list, tuple, set)) else [vals]:
            key = _code_text(v)
            if key in out and out[key] != cat:
                raise UsageError(f"disposition code {v!r} is mapped to both {out[key]} and "
                                 f"{cat}; map each code to one category")
            out[key] = str(cat)
    return out


def _code_text(v: Any) -> str:
    """A code as text, so that 1, 1.0 and '1' are the same code."""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def _from_cases(values: Any, codes: Mapping[str, Any] | None, where: str,
                rows: Sequence[int] | None = None) -> dict[str, int]:
    """Count one disposition per case, mapped to AAPOR categories (``rows``: the row
    number a user sees for each value; default 1, 2, ...)."""
    s = pd.Series(values)
    shown = list(rows) if rows is not None else list(range(1, len(s) + 1))
    if s.isna().any():
        row = shown[int(np.flatnonzero(s.isna().to_numpy())[0])]
        raise UsageError(f"{where}: row {row} has no disposition; every case released "
                         "needs its final disposition")
    mapping = code_map(codes) if codes is not None else {c: c for c in CATEGORIES}
    text = s.map(_code_text)
    cats = text.map(mapping)
    if cats.isna().any():
        unknown = sorted(set(text[cats.isna()]))
        row = shown[int(np.flatnonzero(cats.isna().to_numpy())[0])]
        hint = ("add it to the code mapping (design.dispositions.codes)" if codes is not None
                else "give a code mapping (codes={'I': [...], ...})")
        raise UsageError(f"{where}: disposition {unknown[0]!r} (row {row}; "
                         f"{len(unknown)} unmapped value(s): {', '.join(unknown[:5])}) is not "
                         f"an AAPOR category; {hint}")
    counts = cats.value_counts()
    return {c: int(counts.get(c, 0)) for c in CATEGORIES}


# ---------------------------------------------------------------------------
# the rates
# ---------------------------------------------------------------------------

def _resolve_e(e: Any, c: Mapping[str, int]) -> tuple[float | None, str]:
    """(e, its basis in words)."""
    known = c["I"] + c["P"] + c["R"] + c["NC"] + c["O"]
    if e is None:
        return None, "e not given"
    if isinstance(e, str):
        if e != "eligible_share":
            raise UsageError(f"e must be a number in [0, 1], 'eligible_share' or None; got {e!r}")
        if known + c["NE"] == 0:
            return None, "e not estimable: no case of known eligibility"
        val = known / (known + c["NE"])
        return val, (f"e = {val:.3f}, the eligible share of cases whose eligibility was "
                     f"determined, ((I + P) + (R + NC + O)) / (that + NE) = {known} / "
                     f"{known + c['NE']}")
    try:
        val = float(e)
    except (TypeError, ValueError):
        val = float("nan")
    if not 0 <= val <= 1:
        raise UsageError(f"e must be a number in [0, 1], 'eligible_share' or None; got {e!r}")
    return val, f"e = {val:g} as given"


def _rates(c: Mapping[str, int], e: float | None) -> tuple[dict[str, float], dict[str, str]]:
    ip, r, nc, o = c["I"] + c["P"], c["R"], c["NC"], c["O"]
    unknown = c["UH"] + c["UO"]
    known = ip + r + nc + o
    contacted = ip + r + o
    eu = e * unknown if e is not None else (0.0 if unknown == 0 else np.nan)
    parts = {"RR1": (c["I"], known + unknown), "RR2": (ip, known + unknown),
             "RR3": (c["I"], known + eu), "RR4": (ip, known + eu),
             "RR5": (c["I"], known), "RR6": (ip, known),
             "COOP1": (c["I"], contacted), "COOP2": (ip, contacted),
             "COOP3": (c["I"], ip + r), "COOP4": (ip, ip + r),
             "REF1": (r, known + unknown), "REF2": (r, known + eu), "REF3": (r, known),
             "CON1": (contacted, known + unknown), "CON2": (contacted, known + eu),
             "CON3": (contacted, known)}
    rates, reasons = {}, {}
    for name, (num, den) in parts.items():
        if name in _NEEDS_E and not np.isfinite(den):
            rates[name] = float("nan")
            reasons[name] = ("needs e, the estimated eligible share of the cases of unknown "
                             "eligibility (UH + UO)")
        elif den > 0:
            rates[name] = float(num / den)
        else:
            rates[name] = float("nan")
            reasons[name] = f"denominator {FORMULAS[name][1]} is 0"
    return rates, reasons


def response_rates(counts_or_dispositions: Mapping[str, Any] | Sequence[Any] | pd.Series,
                   e: float | str | None = None, *,
                   codes: Mapping[str, Any] | None = None) -> ResponseRates:
    """AAPOR response, cooperation, refusal and contact rates (Standard Definitions 2023).

    Parameters
    ----------
    counts_or_dispositions : mapping or sequence
        Either the number of cases per AAPOR category (``{"I": 400, "P": 50, ...}``;
        categories left out count 0), or one final disposition per case released
        (a list, array or Series): AAPOR category names, or fieldwork codes with
        ``codes``.
    e : float, "eligible_share" or None
        Estimated eligible share of the cases of unknown eligibility, used by
        RR3, RR4, REF2 and CON2; "eligible_share" estimates it as
        ``E / (E + NE)``. With None those four rates are NaN when some
        eligibility is unknown.
    codes : mapping, optional
        For per-case dispositions: AAPOR category -> code or list of codes
        (e.g. ``{"I": [110], "P": [120], "R": [211, 212], ...}``). Every value
        must be mapped.

    Returns
    -------
    ResponseRates
        ``rr["RR1"]``, ``.rates``, ``.to_frame()``, ``.summary()``.

    Raises
    ------
    UsageError
        An unknown category, a negative or fractional count, an unmapped or
        missing disposition, or ``e`` outside [0, 1].

    Examples
    --------
    >>> rr = response_rates(["I", "I", "R", "NC", "NE"])
    >>> rr["RR1"], rr["COOP1"], rr.counts["NE"]
    (0.5, 0.6666666666666666, 1)
    >>> response_rates([1, 1, 3, 9], codes={"I": 1, "R": 3, "UO": 9})["RR3"]
    nan
    """
    if isinstance(counts_or_dispositions, Mapping):
        if codes is not None:
            raise UsageError("codes= maps per-case dispositions; counts are given per AAPOR "
                             "category already")
        c = _from_counts(counts_or_dispositions)
    elif isinstance(counts_or_dispositions, (str, bytes)):
        raise UsageError("give the dispositions as a mapping of counts or one value per case, "
                         f"not the string {counts_or_dispositions!r}")
    else:
        c = _from_cases(counts_or_dispositions, codes, "dispositions")
    if sum(c.values()) == 0:
        raise UsageError("no cases: every disposition count is 0")
    val, basis = _resolve_e(e, c)
    rates, reasons = _rates(c, val)
    return ResponseRates(counts=c, e=val, e_basis=basis, rates=rates, reasons=reasons)


def declared_rates(dispositions: Any, base: str | os.PathLike | None = None) -> ResponseRates:
    """The rates of a questionnaire's ``design.dispositions`` section.

    Parameters
    ----------
    dispositions : survey_kit.instrument.schema.Dispositions
        ``counts``, or ``file`` + ``column`` (+ ``codes``), and ``e``.
    base : path, optional
        The questionnaire's file: a relative ``file`` is read beside it.

    Raises
    ------
    DataError
        The file cannot be read or lacks the column.
        A case has no disposition, or one that the code mapping does not list.

    Example
    -------
    >>> from survey_kit.instrument.schema import Dispositions
    >>> declared_rates(Dispositions(counts={"I": 3, "R": 1}))["RR1"]
    0.75
    """
    from ..io.formats import read_raw

    d = dispositions
    if d.counts is not None:
        return response_rates(dict(d.counts), e=d.e)
    path = Path(d.file)
    if not path.is_absolute() and base is not None:
        path = Path(base).parent / path
    raw = read_raw(path, text_columns=[d.column])
    if d.column not in raw.frame.columns:
        raise DataError(f"design.dispositions.column: no column {d.column!r} in the file of "
                        "case dispositions; name the column holding each case's final "
                        "disposition", file=path)
    try:
        counts = _from_cases(raw.frame[d.column], dict(d.codes) if d.codes else None,
                             f"column {d.column!r}", raw.rows)
    except UsageError as exc:
        raise DataError(str(exc), file=path) from None
    return response_rates(counts, e=d.e)
