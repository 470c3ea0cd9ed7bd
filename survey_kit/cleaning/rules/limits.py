"""Numeric answers outside the limits the questionnaire declares.

``numeric_limits`` fires on a numeric answer below the question's ``min``,
above its ``max``, or not whole where the question is ``integer``.

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> out = flag_numeric_limits(ctx, "numeric_limits")
>>> out.parameter.split("; ")[0], int(out.flagged.sum())
('employees in [1, 500000] whole', 6)
>>> list(out.extra)[:2]
['outside_limits_employees', 'outside_limits_revenue_japan_pct']
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..context import Context
from ..outcome import Outcome


def flag_numeric_limits(ctx: Context, rule: str) -> Outcome:
    """A numeric answer outside its question's min/max, or not whole."""
    qs = [qq for qq in ctx.q.questions if qq.type == "numeric"
          and (qq.min is not None or qq.max is not None or qq.integer)]
    if not qs:
        return Outcome(ctx.nobody(), "no numeric question has limits", "not applicable")
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    parts = []
    for qq in qs:
        if not ctx.has(qq.id):
            ctx.unavailable(rule, f"it needs column {qq.id!r}, which the responses do not have")
            continue
        x = ctx.number(qq.id)
        with np.errstate(invalid="ignore"):
            out = np.zeros(ctx.n, dtype=bool)
            if qq.min is not None:
                out |= x < qq.min
            if qq.max is not None:
                out |= x > qq.max
            if qq.integer:
                out |= np.isfinite(x) & (x != np.round(x))
        extra[f"outside_limits_{qq.id}"] = out
        flagged |= out
        lo = "-inf" if qq.min is None else f"{qq.min:g}"
        hi = "inf" if qq.max is None else f"{qq.max:g}"
        parts.append(f"{qq.id} in [{lo}, {hi}]" + (" whole" if qq.integer else ""))
    return Outcome(flagged, "; ".join(parts), extra=extra)



def sql_numeric_limits(ctx, rule: str) -> Outcome:
    """:func:`flag_numeric_limits` out of core (a SQL expression)."""
    qs = [qq for qq in ctx.q.questions if qq.type == "numeric"
          and (qq.min is not None or qq.max is not None or qq.integer)]
    if not qs:
        return Outcome(ctx.nobody(), "no numeric question has limits", "not applicable")
    outs, parts = [], []
    for qq in qs:
        if not ctx.has(qq.id):
            ctx.unavailable(rule, f"it needs column {qq.id!r}, which the responses do not have")
            continue
        x = ctx.number(qq.id)
        if qq.min is not None:
            outs.append(f"{x} < {float(qq.min)!r}")
        if qq.max is not None:
            outs.append(f"{x} > {float(qq.max)!r}")
        if qq.integer:
            outs.append(f"(NOT isinf({x}) AND {x} <> round({x}))")
        lo = "-inf" if qq.min is None else f"{qq.min:g}"
        hi = "inf" if qq.max is None else f"{qq.max:g}"
        parts.append(f"{qq.id} in [{lo}, {hi}]" + (" whole" if qq.integer else ""))
    flagged = "coalesce(" + " OR ".join(f"coalesce({o}, false)" for o in outs) + ", false)" \
        if outs else "false"
    return Outcome(flagged, "; ".join(parts))
