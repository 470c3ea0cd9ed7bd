"""Trap questions: instructed-response items, consistency pairs and phrases to type.

An instructed-response item left blank (or answered with a missing code)
counts as failed: the respondent did not follow the instruction. A
consistency pair is *not evaluable* when either side is blank or a missing
code, and then never fails. Option answers of a pair are compared by their
position in the question's option list, so ``tolerance: 1`` accepts adjacent
bands; numeric pairs by ``|a - b| <= tolerance``. A text trap (the respondent
types a phrase into an open question) passes when the answer equals an
``expected`` phrase ignoring case, spaces and full-width forms (NFKC), or when
its ``pattern`` (case-insensitive) matches the whole answer; a blank or any
other text (a pasted id, say) fails. ``trap_failed`` fires at
``trap_max_failures`` failed traps.

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> out = flag_trap_failed(ctx, "trap_failed")
>>> int(out.flagged.sum()), int(out.extra["trap_score"].max())
(54, 2)
>>> normalise_typed(pd.Series(["  I  Agree ", "ＩＡＧＲＥＥ", None])).tolist()
['iagree', 'iagree', <NA>]
"""

from __future__ import annotations

from typing import Any

import re

import numpy as np
import pandas as pd

from ...errors import CleaningError
from ..context import Context
from ..outcome import Outcome


def _option_positions(ctx: Context, var: str, values, where: str) -> list[int]:
    levels = list(ctx.variables[var].levels)
    by_code, _ = ctx.options_of(var)
    out = []
    for v in values:
        if isinstance(v, str) and v in levels:
            out.append(levels.index(v))
        elif not isinstance(v, (bool, str)) and v in by_code:
            out.append(levels.index(by_code[v]))
        else:
            raise CleaningError(f"{where}: {v!r} is not a valid code or key of question {var!r}; "
                                f"valid keys are {', '.join(levels)}; correct the expected "
                                "answer of the trap", file=ctx.q.source)
    return out


def _columns_present(ctx: Any, rule: str, t: Any, where: str) -> bool:
    """Whether the trap's question(s) are in the responses (an unknown name is an error;
    a missing column skips the trap, noted on the rule)."""
    vars_ = [t.question] + ([t.repeat] if t.type == "consistency" else [])
    for v in vars_:
        if v not in ctx.variables:
            raise CleaningError(f"{where} names unknown question {v!r}; valid names are: "
                                f"{', '.join(ctx.variables)}", file=ctx.q.source)
    absent = [v for v in vars_ if not ctx.has(v)]
    if absent:
        ctx.unavailable(rule, f"trap {t.id!r} needs column(s) {absent}, which the responses "
                              "do not have")
    return not absent


def flag_trap_failed(ctx: Context, rule: str) -> Outcome:
    """At least ``trap_max_failures`` traps failed."""
    traps = ctx.q.quality.traps
    if not traps:
        return Outcome(ctx.nobody(), "no traps in the questionnaire", "not applicable")
    score = np.zeros(ctx.n, dtype=np.int64)
    evaluated = np.zeros(ctx.n, dtype=np.int64)
    extra: dict[str, Any] = {}
    used = 0
    for t in traps:
        where = f"quality.traps {t.id!r}"
        if not _columns_present(ctx, rule, t, where):
            continue
        check = {"instructed": _instructed, "text": _typed_text}.get(t.type, _consistency)
        fail, evaluable = check(ctx, t, where)
        used += 1
        score += fail
        evaluated += evaluable
        extra[f"failed_{t.id}"] = fail
    extra["trap_score"] = score
    extra["traps_evaluated"] = evaluated
    m = ctx.params["trap_max_failures"]
    if not used:
        return Outcome(ctx.nobody(), "trap columns missing", "skipped", extra)
    return Outcome(score >= m, f"failed >= {m} of {used} traps (blank instructed or text item "
                   "= failed; consistency pair with a blank side not evaluable)", extra=extra)


def _instructed(ctx: Context, t, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(failed, evaluable) of an instructed-response item: any other answer, or none, fails."""
    if not t.expected:
        raise CleaningError(f"{where}: an instructed-response trap needs its expected "
                            "answer(s)", file=ctx.q.source)
    if ctx.is_option(t.question):
        pos = _option_positions(ctx, t.question, t.expected, where)
        fail = ~np.isin(ctx.codes(t.question), pos)
    else:
        nums = []
        for e in t.expected:
            if isinstance(e, bool) or not isinstance(e, (int, float)):
                raise CleaningError(f"{where}: expected answer {e!r} of the numeric "
                                    f"question {t.question!r} must be a number",
                                    file=ctx.q.source)
            nums.append(float(e))
        fail = ~np.isin(ctx.number(t.question), nums)
    return fail, np.ones(ctx.n, dtype=bool)


def normalise_typed(s: pd.Series) -> pd.Series:
    """Typed text as compared by a text trap: NFKC (full-width forms folded), case folded,
    every space removed."""
    return (s.astype("string").str.normalize("NFKC").str.casefold()
            .str.replace(r"\s+", "", regex=True))


def _typed_text(ctx: Context, t, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(failed, evaluable) of a phrase to type: any other text, or none, fails."""
    col = ctx.frame[t.question]
    typed = normalise_typed(col)
    ok = np.zeros(ctx.n, dtype=bool)
    if t.expected:
        accepted = normalise_typed(pd.Series([str(e) for e in t.expected])).tolist()
        ok |= typed.isin(accepted).fillna(False).to_numpy(dtype=bool)
    if t.pattern:
        text = col.astype("string").str.normalize("NFKC").str.strip()
        try:
            hit = text.str.fullmatch(t.pattern, case=False)
        except re.error as exc:
            raise CleaningError(f"{where}: pattern {t.pattern!r} is not a valid regular "
                                f"expression ({exc})", file=ctx.q.source) from None
        ok |= hit.fillna(False).to_numpy(dtype=bool)
    return ~ok, np.ones(ctx.n, dtype=bool)


def _repeat_positions(ctx: Any, t: Any, where: str) -> list[int]:
    """Position, among the options of a consistency pair's question, of each option of its
    repeat (both option questions; their option keys must be the same)."""
    la = list(ctx.variables[t.question].levels)
    lb = list(ctx.variables[t.repeat].levels)
    absent_keys = [k for k in lb if k not in la]
    if absent_keys:
        raise CleaningError(f"{where}: options {absent_keys} of {t.repeat!r} are not "
                            f"options of {t.question!r}; a consistency pair needs the "
                            "same option keys", file=ctx.q.source)
    return [la.index(k) for k in lb]


def _consistency(ctx: Context, t, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(failed, evaluable) of a consistency pair: answers further apart than the tolerance."""
    a_opt, b_opt = ctx.is_option(t.question), ctx.is_option(t.repeat)
    if a_opt and b_opt:
        remap = np.array(_repeat_positions(ctx, t, where) + [-1], dtype=np.int64)
        a = ctx.codes(t.question).astype(np.int64)
        cb = ctx.codes(t.repeat)
        b = remap[np.where(cb >= 0, cb, len(remap) - 1)]
        evaluable = (a >= 0) & (b >= 0)
        diff = np.abs(a - b).astype(np.float64)
    elif not a_opt and not b_opt:
        a, b = ctx.number(t.question), ctx.number(t.repeat)
        evaluable = ~np.isnan(a) & ~np.isnan(b)
        diff = np.abs(a - b)
    else:
        raise CleaningError(f"{where}: {t.question!r} and {t.repeat!r} must both be "
                            "option questions or both numeric", file=ctx.q.source)
    with np.errstate(invalid="ignore"):
        fail = evaluable & (diff > t.tolerance + 1e-9)
    return fail, evaluable


def sql_trap_failed(ctx, rule: str) -> Outcome:
    """:func:`flag_trap_failed` out of core: each trap's failure as a SQL expression."""
    from ...errors import UsageError
    from ..sql_context import both, isin

    traps = ctx.q.quality.traps
    if not traps:
        return Outcome(ctx.nobody(), "no traps in the questionnaire", "not applicable")
    fails = []
    for t in traps:
        where = f"quality.traps {t.id!r}"
        if not _columns_present(ctx, rule, t, where):
            continue
        if t.type == "text":
            raise UsageError(f"trap {t.id!r} compares typed text (NFKC, regular expressions), "
                             "which is done in memory only; switch the rule off (--rule "
                             "trap_failed_action=off) or use --engine pandas")
        if t.type == "instructed":
            if not t.expected:
                raise CleaningError(f"{where}: an instructed-response trap needs its expected "
                                    "answer(s)", file=ctx.q.source)
            if ctx.is_option(t.question):
                pos = _option_positions(ctx, t.question, t.expected, where)
                fails.append(f"NOT {isin(ctx.codes(t.question), pos)}")
            else:
                for e in t.expected:
                    if isinstance(e, bool) or not isinstance(e, (int, float)):
                        raise CleaningError(f"{where}: expected answer {e!r} of the numeric "
                                            f"question {t.question!r} must be a number",
                                            file=ctx.q.source)
                fails.append(f"NOT {isin(ctx.number(t.question), [float(e) for e in t.expected])}")
        else:
            fails.append(_sql_consistency(ctx, t, where, both))
    m = ctx.params["trap_max_failures"]
    if not fails:
        return Outcome(ctx.nobody(), "trap columns missing", "skipped")
    score = " + ".join(f"CAST({f} AS INTEGER)" for f in fails)
    return Outcome(f"({score}) >= {m}", f"failed >= {m} of {len(fails)} traps (blank instructed "
                   "or text item = failed; consistency pair with a blank side not evaluable)")


def _sql_consistency(ctx, t, where: str, both) -> str:
    a_opt, b_opt = ctx.is_option(t.question), ctx.is_option(t.repeat)
    if a_opt and b_opt:
        a = ctx.codes(t.question)
        whens = " ".join(f"WHEN {i} THEN {j}"
                         for i, j in enumerate(_repeat_positions(ctx, t, where)))
        b = f"(CASE {ctx.codes(t.repeat)} {whens} ELSE -1 END)"
        return both(f"{a} >= 0 AND {b} >= 0 AND abs({a} - {b}) > {t.tolerance + 1e-9!r}")
    if not a_opt and not b_opt:
        a, b = ctx.number(t.question), ctx.number(t.repeat)
        return both(f"abs({a} - {b}) > {t.tolerance + 1e-9!r}")
    raise CleaningError(f"{where}: {t.question!r} and {t.repeat!r} must both be "
                        "option questions or both numeric", file=ctx.q.source)
