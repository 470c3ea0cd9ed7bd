"""Who belongs in the survey: screened-out and incomplete respondents.

* ``screened_out``: not eligible by ``survey.screening`` (all conditions must
  hold; a blank screening answer is not eligible).
* ``incomplete``: a ``required`` question unanswered. A missing code such as
  "don't know" counts as answered, a blank does not; a required grid needs
  every item, a required multi-select at least one selection.

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> out = flag_screened_out(ctx, "screened_out")
>>> out.parameter, int(out.flagged.sum())
('eligible if screener_role in [decision_maker, influencer]', 16)
>>> out = flag_incomplete(ctx, "incomplete")
>>> int(out.flagged.sum()), int(out.extra["n_required_missing"].max())
(32, 8)
"""

from __future__ import annotations

import numpy as np

from ..conditions import condition, condition_text
from ..context import Context
from ..outcome import Outcome


def flag_screened_out(ctx: Context, rule: str) -> Outcome:
    """Not eligible by ``survey.screening``."""
    conds = ctx.q.survey.screening
    if not conds:
        return Outcome(ctx.nobody(), "no screening conditions in the questionnaire",
                       "not applicable")
    eligible = np.ones(ctx.n, dtype=bool)
    for c in conds:
        res = condition(ctx, c, rule)
        if res is None:
            return Outcome(ctx.nobody(), "screening column missing", "skipped")
        holds, evaluable = res
        eligible &= holds & evaluable
    return Outcome(~eligible, "eligible if " + " and ".join(condition_text(c) for c in conds))


def _required_columns(ctx, rule: str, qq) -> list[str] | None:
    """The columns of a required question, or None (the question skipped, noted on the
    rule) when some are not in the responses."""
    if qq.type == "multi":
        cols = [f"{qq.id}_{o.key}" for o in qq.options]
    elif qq.type == "grid":
        cols = [it.id for it in qq.items]
    else:
        cols = [qq.id]
    absent = [c for c in cols if not ctx.has(c)]
    if absent:
        ctx.unavailable(rule, f"required question {qq.id!r} needs columns {absent}, which "
                              "the responses do not have")
        return None
    return cols


def flag_incomplete(ctx: Context, rule: str) -> Outcome:
    """A required question unanswered (a missing code counts as an answer)."""
    required = [qq for qq in ctx.q.questions if qq.required]
    if not required:
        return Outcome(ctx.nobody(), "no required questions", "not applicable")
    n_missing = np.zeros(ctx.n, dtype=np.int64)
    used = 0
    for qq in required:
        cols = _required_columns(ctx, rule, qq)
        if cols is None:
            continue
        used += 1
        if qq.type == "multi":
            answered = np.zeros(ctx.n, dtype=bool)
            for c in cols:                           # loop over options, not respondents
                answered |= ctx.value_present(c)
        else:
            answered = np.ones(ctx.n, dtype=bool)
            for c in cols:
                answered &= ctx.answered(c)
        n_missing += ~answered
    return Outcome(n_missing > 0, f"{used} required questions answered (a missing code "
                   "counts as an answer)", extra={"n_required_missing": n_missing})



def sql_screened_out(ctx, rule: str) -> Outcome:
    """:func:`flag_screened_out` out of core."""
    from ..conditions import sql_condition

    conds = ctx.q.survey.screening
    if not conds:
        return Outcome(ctx.nobody(), "no screening conditions in the questionnaire",
                       "not applicable")
    eligible = []
    for c in conds:
        res = sql_condition(ctx, c, rule)
        if res is None:
            return Outcome(ctx.nobody(), "screening column missing", "skipped")
        eligible.append(f"({res[0]} AND {res[1]})")
    return Outcome(f"NOT ({' AND '.join(eligible)})",
                   "eligible if " + " and ".join(condition_text(c) for c in conds))


def sql_incomplete(ctx, rule: str) -> Outcome:
    """:func:`flag_incomplete` out of core."""
    required = [qq for qq in ctx.q.questions if qq.required]
    if not required:
        return Outcome(ctx.nobody(), "no required questions", "not applicable")
    unanswered = []
    used = 0
    for qq in required:
        cols = _required_columns(ctx, rule, qq)
        if cols is None:
            continue
        used += 1
        if qq.type == "multi":
            answered = " OR ".join(ctx.value_present(c) for c in cols)
        else:
            answered = " AND ".join(ctx.answered(c) for c in cols)
        unanswered.append(f"NOT ({answered})")
    return Outcome(" OR ".join(unanswered) or "false",
                   f"{used} required questions answered (a missing code counts as an answer)")
