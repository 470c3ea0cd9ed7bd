"""Speeders: respondents much faster than the median of completes.

A duration below ``speeder_fraction`` (1/3) of the median, or with
``speeder_method="sd"`` more than ``speeder_sd`` (2) SD below it. The median
is taken over *completes* (respondents passing screening and completeness
with a positive duration, when those rules ran before); a respondent without
a duration, or with an impossible one (negative or infinite), is not judged
(and counted in a warning). A duration of 0 is judged (and flagged).

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> out = flag_speeder(ctx, "speeder")
>>> out.parameter, int(out.flagged.sum())
('duration < 1/3 x median of completes (539 s) = 179.7 s', 28)
"""

from __future__ import annotations

import numpy as np

from ..context import Context
from ..outcome import Outcome, fmt_num


def _duration_column(ctx, rule: str) -> tuple[str, Outcome | None]:
    """The duration variable, and the rule's outcome when the responses lack it."""
    declared = ctx.meta("duration")
    var = declared or "duration"
    if ctx.has(var):
        return var, None
    ctx.unavailable(rule, f"it needs the duration column {var!r}, which the responses do "
                          "not have" + ("" if declared else " (the questionnaire declares "
                                        "no meta question with role: duration)"))
    return var, Outcome(ctx.nobody(), f"no duration column {var!r}", "skipped")


def flag_speeder(ctx: Context, rule: str) -> Outcome:
    """A duration far below the median of completes."""
    var, skipped = _duration_column(ctx, rule)
    if skipped is not None:
        return skipped
    dur, n_bad = _usable_durations(ctx, var)
    have = ~np.isnan(dur)
    if ctx.n and not have.any():
        ctx.unavailable(rule, f"no respondent has a duration in column {var!r}"
                              + (f" ({n_bad} negative or infinite)" if n_bad else ""))
        return Outcome(ctx.nobody(), f"column {var!r} is empty", "skipped")
    base = have & (dur > 0)
    for r in ("screened_out", "incomplete"):
        o = ctx.outcomes.get(r)
        if o is not None and o.status == "applied":
            base &= ~o.flagged
    if not base.any():
        base = have & (dur > 0)
        if base.any():
            ctx.warnings.append("speeder: no complete respondent has a duration; the median is "
                                "taken over all respondents with one")
    if not base.any():
        if ctx.n:
            ctx.warnings.append(f"speeder: no respondent has a positive duration in column "
                                f"{var!r}; the rule was not applied")
        return Outcome(ctx.nobody(), "no positive durations", "not applicable")
    median = float(np.median(dur[base]))
    p = ctx.params
    u = ctx.q.duration_unit()[1]          # durations are in the unit the instrument declares
    if p["speeder_method"] == "fraction":
        cut = p["speeder_fraction"] * median
        text = (f"duration < {fmt_num(p['speeder_fraction'])} x median of completes "
                f"({median:.4g} {u}) = {cut:.4g} {u}")
    else:
        sd = float(np.std(dur[base], ddof=1)) if base.sum() > 1 else float("nan")
        cut = median - p["speeder_sd"] * sd
        text = (f"duration < median of completes ({median:.4g} {u}) - "
                f"{fmt_num(p['speeder_sd'])} SD ({sd:.4g} {u}) = {cut:.4g} {u}")
        if not cut > 0:
            ctx.warnings.append(f"speeder: median - {fmt_num(p['speeder_sd'])} SD = {cut:.4g} {u} "
                                "is not positive, so no respondent can be flagged; the durations "
                                "are too dispersed for speeder_method='sd' (try 'fraction')")
    n_none = int((~have).sum()) - n_bad
    if n_none:
        ctx.warnings.append(f"speeder: {n_none} respondent(s) have no duration and were not "
                            "checked")
    with np.errstate(invalid="ignore"):
        flagged = have & (dur < cut)
        ratio = dur / median
    return Outcome(flagged, text, extra={"duration_ratio": ratio})



def _usable_durations(ctx: Context, var: str) -> tuple[np.ndarray, int]:
    """Durations (in the instrument's unit), and how many were impossible: a negative or
    infinite one (a clock or export fault) is NaN, counted in a warning, neither judged nor
    in the median."""
    dur = ctx.number(var)
    with np.errstate(invalid="ignore"):
        bad = (dur < 0) | np.isinf(dur)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        ctx.warnings.append(f"speeder: {int(bad.sum())} respondent(s) have an impossible duration "
                            f"(negative or infinite, e.g. respondent {ctx.frame.index[i]!r}: "
                            f"{dur[i]:g} {ctx.q.duration_unit()[1]}) in column {var!r}; they "
                            "were not checked")
        dur = np.where(bad, np.nan, dur)
    return dur, int(bad.sum())


def sql_speeder(ctx, rule: str) -> Outcome:
    """:func:`flag_speeder` out of core: the median of completes by one aggregate query."""
    var, skipped = _duration_column(ctx, rule)
    if skipped is not None:
        return skipped
    raw = ctx.number(var)
    bad = f"({raw} < 0 OR isinf({raw}))"
    dur = f"(CASE WHEN {bad} THEN NULL ELSE {raw} END)"
    done = [f"NOT ({o.flagged})" for r in ("screened_out", "incomplete")
            if (o := ctx.outcomes.get(r)) is not None and o.status == "applied"]
    positive = f"{dur} > 0"
    base = " AND ".join([positive] + done)
    n_have, n_bad, n_pos, n_base = ctx.scalar(
        f"count({dur}), count(*) FILTER (WHERE {bad}), count(*) FILTER (WHERE {positive}), "
        f"count(*) FILTER (WHERE {base})")
    u = ctx.q.duration_unit()[1]
    if n_bad:
        ctx.warnings.append(f"speeder: {n_bad} respondent(s) have an impossible duration "
                            f"(negative or infinite) in column {var!r}; they were not checked")
    if ctx.n and not n_have:
        ctx.unavailable(rule, f"no respondent has a duration in column {var!r}"
                              + (f" ({n_bad} negative or infinite)" if n_bad else ""))
        return Outcome(ctx.nobody(), f"column {var!r} is empty", "skipped")
    if not n_base and n_pos:
        base = positive
        ctx.warnings.append("speeder: no complete respondent has a duration; the median is "
                            "taken over all respondents with one")
    elif not n_base:
        if ctx.n:
            ctx.warnings.append(f"speeder: no respondent has a positive duration in column "
                                f"{var!r}; the rule was not applied")
        return Outcome(ctx.nobody(), "no positive durations", "not applicable")
    median, sd = ctx.scalar(f"median({dur}) FILTER (WHERE {base}), "
                            f"stddev_samp({dur}) FILTER (WHERE {base})")
    median = float(median)
    p = ctx.params
    if p["speeder_method"] == "fraction":
        cut = p["speeder_fraction"] * median
        text = (f"duration < {fmt_num(p['speeder_fraction'])} x median of completes "
                f"({median:.4g} {u}) = {cut:.4g} {u}")
    else:
        sd = float("nan") if sd is None else float(sd)
        cut = median - p["speeder_sd"] * sd
        text = (f"duration < median of completes ({median:.4g} {u}) - "
                f"{fmt_num(p['speeder_sd'])} SD ({sd:.4g} {u}) = {cut:.4g} {u}")
        if not cut > 0:
            ctx.warnings.append(f"speeder: median - {fmt_num(p['speeder_sd'])} SD = {cut:.4g} {u} "
                                "is not positive, so no respondent can be flagged; the durations "
                                "are too dispersed for speeder_method='sd' (try 'fraction')")
    n_none = ctx.n - n_have - n_bad
    if n_none:
        ctx.warnings.append(f"speeder: {n_none} respondent(s) have no duration and were not "
                            "checked")
    flagged = "false" if np.isnan(cut) else f"coalesce({dur} < {cut!r}, false)"
    return Outcome(flagged, text)
