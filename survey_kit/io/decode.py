"""Decode one question's export columns into its variables of the labelled frame.

A code is found by its number first, then by its text (option key, label or
Japanese label, compared after NFKC normalisation and case folding), so a
file that holds "Manufacturing" or "製造業" instead of 1 reads the same. A
missing code becomes NaN and its key goes to ``<var>__missing``. Every cell
that matches nothing is added to the :class:`~survey_kit.io.problems.Problems`
of the file, which :func:`~survey_kit.io.read.read_responses` raises once all
questions are decoded. The layout of the result is told in
:mod:`survey_kit.io.frame`.

Example
-------
>>> import numpy as np
>>> import pandas as pd
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> from survey_kit.io.problems import Problems
>>> q = load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = pd.DataFrame({"Q1": [3, "Manufacturing", "製造業", None]})
>>> d = Decoding(raw, {"Q1"}, Problems("export.csv", np.arange(4) + 2), [])
>>> decode_question(q.question("sector"), d)
>>> list(d.out["sector"])
['digital_services', 'manufacturing', 'manufacturing', nan]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..instrument.schema import Question
from .cells import (
    bands,
    categorical,
    code_numbers,
    datetimes,
    durations,
    lookup,
    match_text,
    numeric,
    text_cells,
    text_map,
    texts_of,
)
from .frame import MISSING_SUFFIX
from .problems import Problems, codes_text, show
from .raw import TEXT_DTYPE, as_text

__all__ = ["Decoding", "choice_cells", "decode_question", "multi_cells", "multi_problem"]


@dataclass
class Decoding:
    """What decoding one file shares from question to question.

    Attributes
    ----------
    frame : the raw table's frame (export columns)
    present : its column names
    probs : offending cells found so far
    warnings : messages for ``frame.attrs["warnings"]``
    derive_duration : the duration column is absent but start and end times are present
    out : variable -> values, in the order of the labelled frame's columns
    """

    frame: pd.DataFrame
    present: set[str]
    probs: Problems
    warnings: list[str]
    derive_duration: bool = False
    out: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.frame)

    def nothing(self) -> np.ndarray:
        """Positions of an absent column: -1 (NaN) for every row."""
        return np.full(self.n, -1, dtype=np.int64)

    def blank_text(self) -> pd.Series:
        """An absent text column: NaN for every row."""
        return pd.Series(np.full(self.n, np.nan), dtype=TEXT_DTYPE)


def decode_question(qq: Question, d: Decoding) -> None:
    """Add the variables of question ``qq`` to ``d.out`` (NaN where its column is absent)."""
    if qq.type in ("single", "likert", "grid"):
        _decode_choice(qq, d)
    elif qq.type == "multi":
        _decode_multi(qq, d)
    elif qq.type == "numeric":
        _decode_numeric(qq, d)
    elif qq.type == "open":
        d.out[qq.id] = as_text(d.frame[qq.column]) if qq.column in d.present else d.blank_text()
    else:
        _decode_meta(qq, d)


def _missing_reasons(d: Decoding, var: str, qq: Question, mpos: np.ndarray) -> None:
    if qq.missing:
        d.out[var + MISSING_SUFFIX] = categorical(mpos, [m.key for m in qq.missing], False)


def choice_cells(raw: pd.Series, q: Question, column: str, probs: Problems
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Codes of a single/likert/grid column -> (option positions, missing positions)."""
    num = numeric(raw)
    pos = lookup(num.values, code_numbers(q.options))
    mpos = lookup(num.values, code_numbers(q.missing))
    text = num.text
    if any(isinstance(e.code, str) for e in [*q.options, *q.missing]):
        text = text_cells(raw, np.flatnonzero(~num.blank & (pos < 0) & (mpos < 0)))
    if len(text):
        hit = match_text(text, texts_of(q.options))
        pos[hit.index.to_numpy()] = hit.to_numpy(dtype=np.int64)
        mhit = match_text(text, texts_of(q.missing))
        mpos[mhit.index.to_numpy()] = mhit.to_numpy(dtype=np.int64)
    unknown = ~num.blank & (pos < 0) & (mpos < 0)
    if unknown.any():
        probs.add(unknown, column, raw, f"unknown code(s) for question {q.id!r} "
                  f"[{codes_text(q)}]",
                  "correct the codes in the file, or add them to the question's options or "
                  "missing codes in the questionnaire if they are legitimate.")
    return pos, mpos


def _decode_choice(qq: Question, d: Decoding) -> None:
    items = ([(qq.id, qq.column)] if qq.type != "grid" else
             [(it.id, it.column) for it in qq.items])
    keys = [o.key for o in qq.options]
    ordered = qq.type != "single"
    for var, col in items:
        if col in d.present:
            pos, mpos = choice_cells(d.frame[col], qq, col, d.probs)
        else:
            pos, mpos = d.nothing(), d.nothing()
        d.out[var] = categorical(pos, keys, ordered)
        _missing_reasons(d, var, qq, mpos)


def _decode_numeric(qq: Question, d: Decoding) -> None:
    if qq.column in d.present:
        raw_col = d.frame[qq.column]
        num = numeric(raw_col)
        mpos = lookup(num.values, code_numbers(qq.missing))
        bad = num.bad.copy()
        if bad.any() and qq.missing:
            mhit = match_text(num.text, texts_of(qq.missing))
            mpos[mhit.index.to_numpy()] = mhit.to_numpy(dtype=np.int64)
            bad[mhit.index.to_numpy()] = False
        miss_txt = ", ".join(f"{show(m.code)} ({m.key})" for m in qq.missing)
        d.probs.add(bad, qq.column, raw_col, f"non-numeric value(s) for numeric question "
                    f"{qq.id!r}", "enter numbers in numeric columns, leave unanswered "
                    "cells blank" + (f", or use a missing code: {miss_txt}" if miss_txt
                                     else "") + ".")
        vals = np.where(mpos >= 0, np.nan, num.values)
    else:
        vals, mpos = np.full(d.n, np.nan), d.nothing()
    d.out[qq.id] = vals
    _missing_reasons(d, qq.id, qq, mpos)
    if qq.bands is not None:
        d.out[qq.bands.id] = bands(vals, qq)


def _decode_meta(qq: Question, d: Decoding) -> None:
    col = qq.column
    if qq.role == "duration":
        if col in d.present:
            d.out[qq.id] = durations(d.frame[col], col, d.probs)
        elif d.derive_duration:
            d.out[qq.id] = None  # filled from start and end once every question is read
        else:
            d.out[qq.id] = np.full(d.n, np.nan)
    elif qq.role in ("start_time", "end_time"):
        d.out[qq.id] = (datetimes(d.frame[col], col, d.probs, d.warnings).to_numpy()
                        if col in d.present else np.full(d.n, np.datetime64("NaT"), "M8[ns]"))
    else:
        d.out[qq.id] = (as_text(d.frame[col], strip=True) if col in d.present
                        else d.blank_text())


def multi_cells(raw_col: pd.Series, o, mcodes: list[float], qq: Question
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(selected, unselected, missing position, unknown) of the cells of one multi option's
    column (elementwise: the out-of-core reader applies it to a column's distinct values)."""
    num = numeric(raw_col)
    v = num.values
    sel = (v == 1) | (v == o.code)
    unsel = (v == 0) & (o.code != 0)
    if len(num.text):
        hit = match_text(num.text, text_map([(1, [o.key, o.label, o.label_ja])]))
        sel[hit.index.to_numpy()] = True
    mpos = lookup(v, mcodes)
    if len(num.text) and mcodes:
        mhit = match_text(num.text, texts_of(qq.missing))
        mpos[mhit.index.to_numpy()] = mhit.to_numpy(dtype=np.int64)
    unknown = ~num.blank & ~sel & ~unsel & (mpos < 0)
    return sel, unsel, mpos, unknown


def multi_problem(o, mcodes: list[float], qq: Question) -> tuple[str, str]:
    """(what, what to do) of invalid cells of a multi option's column."""
    allowed = f"1 or {o.code}" if o.code != 1 else "1"
    return (f"invalid value(s) for option {o.key!r} of multi question {qq.id!r} "
            f"[{allowed} = selected, 0 or blank = not selected"
            + (f"; missing codes {', '.join(show(c) for c in mcodes)}" if mcodes else "")
            + "]", "use 1 for a selected option and 0 or blank otherwise.")


def _decode_multi(qq: Question, d: Decoding) -> None:
    """One 0/1 variable per option; a question left wholly blank is NaN throughout."""
    n = d.n
    k = len(qq.options)
    vals = np.full((n, k), np.nan)
    have = np.zeros(k, bool)
    reason = np.full(n, -1, dtype=np.int64)
    mcodes = code_numbers(qq.missing)
    for j, o in enumerate(qq.options):
        if o.column not in d.present:
            continue
        have[j] = True
        raw_col = d.frame[o.column]
        sel, unsel, mpos, unknown = multi_cells(raw_col, o, mcodes, qq)
        what, todo = multi_problem(o, mcodes, qq)
        d.probs.add(unknown, o.column, raw_col, what, todo)
        vals[sel, j] = 1.0
        vals[unsel, j] = 0.0
        reason = np.where((reason < 0) & (mpos >= 0), mpos, reason)
    answered = ~np.isnan(vals[:, have]).all(axis=1) if have.any() else np.zeros(n, bool)
    fill = answered & (reason < 0)
    sub = vals[:, have]
    sub[fill[:, None] & np.isnan(sub)] = 0.0
    sub[reason >= 0] = np.nan
    sub[~answered & (reason < 0)] = np.nan
    vals[:, have] = sub
    for j, o in enumerate(qq.options):
        d.out[f"{qq.id}_{o.key}"] = vals[:, j]
    if qq.missing:
        d.out[qq.id + MISSING_SUFFIX] = categorical(reason, [m.key for m in qq.missing], False)
