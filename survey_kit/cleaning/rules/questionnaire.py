"""The rules a questionnaire declares in ``quality.rules``, one function per kind.

* ``range``: the answer (a number, or an option's score) outside [min, max];
* ``sum``: the sum of several answers outside [min, max];
* ``band_match``: an option answer that is not the band of a numeric answer
  (e.g. the size class ticked against the employees given);
* ``implies``: every ``when`` condition holds but some ``then`` condition
  does not (see :mod:`survey_kit.cleaning.conditions`; a condition on a
  blank answer is not evaluable, so the rule never fires on it);
* ``exclude_if``: the survey's own exclusion rule, firing where every
  ``when`` condition holds (e.g. ``{question: employees, op: gt, value:
  100000}`` and ``{question: size_class, op: eq, value: micro}``); its
  ``action`` is ``exclude`` unless the YAML says ``review``.

They run, in YAML order, right after the built-in ``numeric_limits`` rule
(:mod:`survey_kit.cleaning.registry`), each under its own id with the action
the YAML gives (``<rule id>_action`` overrides it).

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> r = q.quality.rules[0]
>>> out = flag_questionnaire_rule(ctx, r)
>>> r.id, r.kind, out.parameter, int(out.flagged.sum())
('export_share_range', 'range', 'export_share in [0, 100]', 3)
"""

from __future__ import annotations

import numpy as np

from ...errors import CleaningError
from ..conditions import condition, condition_text
from ..context import Context
from ..outcome import Outcome


def flag_questionnaire_rule(ctx: Context, r) -> Outcome:
    """Apply one rule ``r`` of ``quality.rules`` (a questionnaire ``Rule``)."""
    names = _questions(ctx, r)
    return _KINDS[r.kind](ctx, r, names)


def _questions(ctx: Context, r) -> list[str]:
    """The questions the rule names, each checked to be a known question."""
    names = {"range": [r.question], "sum": list(r.questions),
             "band_match": [r.question, r.numeric],
             "implies": [c.question for c in list(r.when) + list(r.then)],
             "exclude_if": [c.question for c in r.when]}[r.kind]
    for name in names:
        if name is None:
            raise CleaningError(f"rule {r.id!r} ({r.kind}) is incomplete; see quality.rules",
                                file=ctx.q.source)
        ctx.known(name, r.id)
    return names


def _skipped(ctx: Context, r, names: list[str]) -> Outcome | None:
    """The outcome of a rule whose columns the responses lack (None when all are there)."""
    absent = [c for c in names if not ctx.has(c)]
    if not absent:
        return None
    ctx.unavailable(r.id, f"it needs column(s) {absent}, which the responses do not have")
    return Outcome(ctx.nobody(), r.label or r.id, "skipped")


def _range_or_sum(ctx: Context, r, names: list[str]) -> Outcome:
    skipped = _skipped(ctx, r, names)
    if skipped is not None:
        return skipped
    xs = [ctx.scores(c) if ctx.is_option(c) else ctx.number(c) for c in names]
    x = xs[0] if r.kind == "range" else np.sum(np.column_stack(xs), axis=1)
    with np.errstate(invalid="ignore"):
        out = np.zeros(ctx.n, dtype=bool)
        if r.min is not None:
            out |= x < r.min
        if r.max is not None:
            out |= x > r.max
    lo = "-inf" if r.min is None else f"{r.min:g}"
    hi = "inf" if r.max is None else f"{r.max:g}"
    what = names[0] if r.kind == "range" else " + ".join(names)
    return Outcome(out & ~np.isnan(x), f"{what} in [{lo}, {hi}]")


def _band_match(ctx: Context, r, names: list[str]) -> Outcome:
    skipped = _skipped(ctx, r, names)
    if skipped is not None:
        return skipped
    rule = r.id
    nq = ctx.questions.get(r.numeric)
    if nq is None or nq.bands is None:
        raise CleaningError(f"rule {rule!r}: question {r.numeric!r} has no bands",
                            file=ctx.q.source)
    levels = list(ctx.variables[r.question].levels)
    x = ctx.number(r.numeric)
    band = np.full(ctx.n, -1, dtype=np.int64)
    for b in nq.bands.levels:                       # loop over bands, not respondents
        if b.key not in levels:
            raise CleaningError(f"rule {rule!r}: band {b.key!r} of {r.numeric!r} is not an "
                                f"option of {r.question!r}", file=ctx.q.source)
        with np.errstate(invalid="ignore"):
            band[(x >= b.min) & (x <= b.max)] = levels.index(b.key)
    codes = ctx.codes(r.question)
    evaluable = (codes >= 0) & (band >= 0)
    return Outcome(evaluable & (codes != band), f"{r.question} equals the band of {r.numeric}")


def _implies(ctx: Context, r, names: list[str]) -> Outcome:
    when = np.ones(ctx.n, dtype=bool)
    broken = np.zeros(ctx.n, dtype=bool)
    for c in r.when:
        res = condition(ctx, c, r.id)
        if res is None:
            return Outcome(ctx.nobody(), r.label or r.id, "skipped")
        when &= res[0] & res[1]
    for c in r.then:
        res = condition(ctx, c, r.id)
        if res is None:
            return Outcome(ctx.nobody(), r.label or r.id, "skipped")
        broken |= res[1] & ~res[0]
    text = ("if " + " and ".join(condition_text(c) for c in r.when) + " then "
            + " and ".join(condition_text(c) for c in r.then))
    return Outcome(when & broken, text)


def _exclude_if(ctx: Context, r, names: list[str]) -> Outcome:
    """Every ``when`` condition holds (a condition on a blank answer never holds)."""
    fires = np.ones(ctx.n, dtype=bool)
    for c in r.when:
        res = condition(ctx, c, r.id)
        if res is None:
            return Outcome(ctx.nobody(), r.label or r.id, "skipped")
        fires &= res[0] & res[1]
    return Outcome(fires, " and ".join(condition_text(c) for c in r.when))


#: kind of a questionnaire rule -> the function applying it
_KINDS = {"range": _range_or_sum, "sum": _range_or_sum, "band_match": _band_match,
          "implies": _implies, "exclude_if": _exclude_if}


def sql_questionnaire_rule(ctx, r) -> Outcome:
    """:func:`flag_questionnaire_rule` out of core (a SQL expression per kind)."""
    names = _questions(ctx, r)
    return _SQL_KINDS[r.kind](ctx, r, names)


def _sql_range_or_sum(ctx, r, names: list[str]) -> Outcome:
    skipped = _skipped(ctx, r, names)
    if skipped is not None:
        return skipped
    xs = [ctx.scores(c) if ctx.is_option(c) else ctx.number(c) for c in names]
    x = "(" + " + ".join(xs) + ")"
    outs = ([f"{x} < {float(r.min)!r}"] if r.min is not None else []) + \
        ([f"{x} > {float(r.max)!r}"] if r.max is not None else [])
    lo = "-inf" if r.min is None else f"{r.min:g}"
    hi = "inf" if r.max is None else f"{r.max:g}"
    what = names[0] if r.kind == "range" else " + ".join(names)
    flagged = f"coalesce({' OR '.join(outs)}, false)" if outs else "false"
    return Outcome(flagged, f"{what} in [{lo}, {hi}]")


def _sql_band_match(ctx, r, names: list[str]) -> Outcome:
    skipped = _skipped(ctx, r, names)
    if skipped is not None:
        return skipped
    nq = ctx.questions.get(r.numeric)
    if nq is None or nq.bands is None:
        raise CleaningError(f"rule {r.id!r}: question {r.numeric!r} has no bands",
                            file=ctx.q.source)
    levels = list(ctx.variables[r.question].levels)
    x = ctx.number(r.numeric)
    whens = []
    for b in nq.bands.levels:
        if b.key not in levels:
            raise CleaningError(f"rule {r.id!r}: band {b.key!r} of {r.numeric!r} is not an "
                                f"option of {r.question!r}", file=ctx.q.source)
        whens.append(f"WHEN {x} >= {float(b.min)!r} AND {x} <= {float(b.max)!r} "
                     f"THEN {levels.index(b.key)}")
    band = f"(CASE {' '.join(reversed(whens))} ELSE -1 END)"    # the last band wins
    codes = ctx.codes(r.question)
    return Outcome(f"({codes} >= 0 AND {band} >= 0 AND {codes} <> {band})",
                   f"{r.question} equals the band of {r.numeric}")


def _sql_conditions(ctx, r, conds) -> list[tuple[str, str]] | None:
    from ..conditions import sql_condition

    out = []
    for c in conds:
        res = sql_condition(ctx, c, r.id)
        if res is None:
            return None
        out.append(res)
    return out


def _sql_implies(ctx, r, names: list[str]) -> Outcome:
    when = _sql_conditions(ctx, r, r.when)
    then = _sql_conditions(ctx, r, r.then) if when is not None else None
    if when is None or then is None:
        return Outcome(ctx.nobody(), r.label or r.id, "skipped")
    text = ("if " + " and ".join(condition_text(c) for c in r.when) + " then "
            + " and ".join(condition_text(c) for c in r.then))
    holds = " AND ".join(f"{h} AND {e}" for h, e in when) or "true"
    broken = " OR ".join(f"({e} AND NOT {h})" for h, e in then) or "false"
    return Outcome(f"(({holds}) AND ({broken}))", text)


def _sql_exclude_if(ctx, r, names: list[str]) -> Outcome:
    when = _sql_conditions(ctx, r, r.when)
    if when is None:
        return Outcome(ctx.nobody(), r.label or r.id, "skipped")
    fires = " AND ".join(f"{h} AND {e}" for h, e in when) or "true"
    return Outcome(f"({fires})", " and ".join(condition_text(c) for c in r.when))


_SQL_KINDS = {"range": _sql_range_or_sum, "sum": _sql_range_or_sum,
              "band_match": _sql_band_match, "implies": _sql_implies,
              "exclude_if": _sql_exclude_if}
