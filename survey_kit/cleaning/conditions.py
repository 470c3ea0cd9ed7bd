"""Declarative conditions (screening, ``implies`` rules), evaluated on whole columns.

A condition ``{question, op, value}`` is never run as Python. Ops: ``in``,
``not_in``, ``eq``, ``ne`` (set membership), ``lt``, ``le``, ``gt``, ``ge``,
``between`` (order), ``missing``, ``answered`` (presence), ``matches`` (a
regular expression found in a text answer, case-insensitive). Values may be
option keys, option codes, or missing-code keys/codes (which test the
``<var>__missing`` column). :func:`condition` returns ``(holds, evaluable)``:
a condition on a blank answer is not evaluable, except ``missing`` and
``answered``, which always are (a missing code counts as answered). Order
comparisons on option questions use the option scores.

The question decides how a condition is read: a multi-select or grid
question id (:func:`_question_condition`), an option variable
(:func:`_option_condition`), a text variable (:func:`_text_condition`) or a
number (:func:`_numeric_condition`).

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> cond = q.survey.screening[0]
>>> condition_text(cond)
'screener_role in [decision_maker, influencer]'
>>> holds, evaluable = condition(Context(raw, q, {}), cond, "screened_out")
>>> int(holds.sum()), int(evaluable.sum()), len(raw)
(684, 700, 700)
"""

from __future__ import annotations

import operator
import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CleaningError
from .context import Context

#: ops testing membership of a set of values; "in"/"eq" hold on a hit, the others on a miss
SET_OPS = ("in", "not_in", "eq", "ne")
#: ops comparing a number (or an option's score) with one value
ORDER_OPS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}

Result = tuple[np.ndarray, np.ndarray]        # (holds, evaluable), one entry per respondent


def condition_text(c) -> str:
    """A condition as one line of the flow's ``parameter`` column."""
    v = c.value
    if c.op in ("missing", "answered"):
        return f"{c.question} {c.op}"
    if isinstance(v, list):
        v = "[" + ", ".join(str(x) for x in v) + "]"
    return f"{c.question} {c.op} {v}"


def condition(ctx: Context, cond, rule: str) -> Result | None:
    """(holds, evaluable) of a condition; None if its column is unavailable (and skipped)."""
    name, op = cond.question, cond.op
    ctx.known(name, rule)
    if name not in ctx.variables:                       # a multi or grid question id
        return _question_condition(ctx, cond, rule)
    if not ctx.has(name):
        ctx.unavailable(rule, f"it needs column {name!r}, which the responses do not have")
        return None
    if op in ("answered", "missing"):
        return _presence(ctx.answered(name), op)
    if ctx.is_option(name):
        return _option_condition(ctx, cond, rule)
    info = ctx.variables[name]
    if op == "matches" or info.kind == "text" or (info.kind == "meta" and not (
            pd.api.types.is_numeric_dtype(ctx.frame[name].dtype))):
        return _text_condition(ctx, cond, rule)
    return _numeric_condition(ctx, cond, rule)


def _presence(answered: np.ndarray, op: str) -> Result:
    """``answered`` / ``missing``: always evaluable."""
    everyone = np.ones(answered.shape[0], dtype=bool)
    return (answered if op == "answered" else ~answered), everyone


def _set_result(hit: np.ndarray, present: np.ndarray, mkeys: list, miss, op: str) -> Result:
    """A set op from the hits on values, widened by the hits on missing codes."""
    evaluable = present.copy()
    if mkeys and miss is not None:
        hit |= np.isin(miss.astype(object), mkeys) & pd.notna(miss)
        evaluable |= pd.notna(miss)
    return (hit if op in ("in", "eq") else ~hit), evaluable


def _question_columns(ctx: Any, cond, rule: str) -> tuple[Any, list[str]] | None:
    """The question of a condition on a multi-select or grid as a whole, and its columns;
    None (the rule skipped) when some are not in the responses."""
    name = cond.question
    qq = ctx.questions[name]
    cols = ([f"{qq.id}_{o.key}" for o in qq.options] if qq.type == "multi"
            else [it.id for it in qq.items] if qq.type == "grid" else [name])
    absent = [c for c in cols if not ctx.has(c)]
    if absent:
        ctx.unavailable(rule, f"question {name!r} needs columns {absent}, which the "
                              "responses do not have")
        return None
    return qq, cols


def _grid_refused(cond, rule: str, cols: list[str]) -> CleaningError:
    return CleaningError(f"rule {rule!r}: op {cond.op!r} cannot be used on the grid question "
                         f"{cond.question!r}; test one of its items ({', '.join(cols)})")


def _multi_picked(cond, rule: str, qq) -> list[int]:
    """The positions of the options a set op on a multi-select names."""
    name, op, value = cond.question, cond.op, cond.value
    if op not in SET_OPS:
        raise CleaningError(f"rule {rule!r}: op {op!r} cannot be used on the multi-select "
                            f"question {name!r}; use in, not_in, eq, ne, missing, answered")
    keys = {o.key: i for i, o in enumerate(qq.options)}
    by_code = {o.code: o.key for o in qq.options}
    picked = []
    for v in (value if isinstance(value, list) else [value]):
        k = v if isinstance(v, str) else by_code.get(v)
        if k not in keys:
            raise CleaningError(f"rule {rule!r}: {v!r} is not an option of {name!r}; valid "
                                f"keys are {', '.join(keys)}")
        picked.append(keys[k])
    return picked


def _option_values(ctx: Any, cond, rule: str) -> tuple[list[int], list[str]]:
    """The option positions and missing-code keys a set op on an option variable names."""
    name = cond.question
    levels = list(ctx.variables[name].levels)
    by_code, missing_map = ctx.options_of(name)
    pos, mkeys = [], []
    for v in _values(cond):
        if isinstance(v, str) and v in levels:
            pos.append(levels.index(v))
        elif not isinstance(v, (bool, str)) and v in by_code:
            pos.append(levels.index(by_code[v]))
        elif v in missing_map and not isinstance(v, bool):
            mkeys.append(missing_map[v])
        else:
            raise CleaningError(f"rule {rule!r}: {v!r} is not a code or key of {name!r}; "
                                f"valid keys are {', '.join(levels)}")
    return pos, mkeys


def _numeric_values(ctx: Any, cond, rule: str) -> tuple[list[float], list[str]]:
    """The numbers and missing-code keys a set op on a numeric variable names."""
    name = cond.question
    qq = ctx.questions.get(ctx.variables[name].question)
    missing_map = {}
    if qq is not None:
        missing_map = {m.code: m.key for m in qq.missing}
        missing_map.update({m.key: m.key for m in qq.missing})
    nums, mkeys = [], []
    for v in _values(cond):
        if not isinstance(v, bool) and v in missing_map:
            mkeys.append(missing_map[v])
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            nums.append(float(v))
        else:
            raise CleaningError(f"rule {rule!r}: {v!r} is not a number or missing code "
                                f"of {name!r}")
    return nums, mkeys


def _text_set_op(cond, rule: str) -> None:
    if cond.op not in SET_OPS:
        raise CleaningError(f"rule {rule!r}: op {cond.op!r} needs a numeric question; "
                            f"{cond.question!r} holds text")


def _order_bound(cond, rule: str) -> tuple[float, float] | float:
    """``(low, high)`` of ``between``, or the number an order op compares with."""
    op, value = cond.op, cond.value
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2):
            raise CleaningError(f"rule {rule!r}: op 'between' needs [low, high]")
        lo, hi = (float(v) for v in value)
        return lo, hi
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CleaningError(f"rule {rule!r}: op {op!r} needs a number, got {value!r}")
    return float(value)


def _question_condition(ctx: Context, cond, rule: str) -> Result | None:
    """A condition on a multi-select or grid question as a whole."""
    found = _question_columns(ctx, cond, rule)
    if found is None:
        return None
    qq, cols = found
    if qq.type == "grid":             # answered (any item answered) or missing
        if cond.op in ("answered", "missing"):
            return _presence(np.column_stack([ctx.answered(c) for c in cols]).any(axis=1),
                             cond.op)
        raise _grid_refused(cond, rule, cols)
    sel = np.column_stack([ctx.number(c) for c in cols])       # multi: 1 / 0 / NaN
    answered = ~np.isnan(sel).all(axis=1)
    if cond.op in ("answered", "missing"):
        return _presence(answered, cond.op)
    hit = (sel[:, _multi_picked(cond, rule, qq)] == 1).any(axis=1)
    return (hit if cond.op in ("in", "eq") else ~hit), answered


def _option_condition(ctx: Context, cond, rule: str) -> Result:
    """An option variable: set ops on keys, codes or missing codes; order ops on scores."""
    name, op = cond.question, cond.op
    codes = ctx.codes(name)
    if op not in SET_OPS:
        return _compare(ctx.scores(name), cond, rule)
    pos, mkeys = _option_values(ctx, cond, rule)
    return _set_result(np.isin(codes, pos), codes >= 0, mkeys, ctx.missing_keys(name), op)


def _text_condition(ctx: Context, cond, rule: str) -> Result:
    """A text (or non-numeric meta) variable: set ops on the text, or ``matches``."""
    name, op = cond.question, cond.op
    if op == "matches":
        return _matches(ctx, cond, rule)
    _text_set_op(cond, rule)
    col = ctx.frame[name]
    present = col.notna().to_numpy()
    hit = col.astype(object).isin([str(v) for v in _values(cond)]).to_numpy() & present
    return (hit if op in ("in", "eq") else ~hit), present


def _matches(ctx: Context, cond, rule: str) -> Result:
    """The regular expression ``value`` is found in the text (case-insensitive)."""
    col = ctx.frame[cond.question].astype("string")
    present = col.notna().to_numpy()
    try:
        hit = col.str.contains(str(cond.value), case=False, regex=True)
    except re.error as exc:
        raise CleaningError(f"rule {rule!r}: {cond.value!r} is not a valid regular expression "
                            f"({exc})") from None
    return hit.fillna(False).to_numpy(dtype=bool) & present, present


def _numeric_condition(ctx: Context, cond, rule: str) -> Result:
    """A number: set ops on values or missing codes, order ops on the value."""
    name, op = cond.question, cond.op
    x = ctx.number(name)
    if op not in SET_OPS:
        return _compare(x, cond, rule)
    nums, mkeys = _numeric_values(ctx, cond, rule)
    present = ~np.isnan(x)
    return _set_result(np.isin(x, nums) & present, present, mkeys, ctx.missing_keys(name), op)


def _values(cond) -> list:
    return cond.value if isinstance(cond.value, list) else [cond.value]


def _compare(x: np.ndarray, cond, rule: str) -> Result:
    """``between`` or an order op on numbers (NaN: not evaluable)."""
    bound = _order_bound(cond, rule)
    present = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        if cond.op == "between":
            hit = (x >= bound[0]) & (x <= bound[1])
        else:
            hit = ORDER_OPS[cond.op](x, bound)
    return hit & present, present


# ---------------------------------------------------------------------------
# the same conditions out of core: (holds, evaluable) as SQL booleans, never NULL

SqlResult = tuple[str, str]


def sql_condition(ctx, cond, rule: str) -> SqlResult | None:
    """:func:`condition` on a :class:`~survey_kit.cleaning.sql_context.SqlContext`."""
    name, op = cond.question, cond.op
    ctx.known(name, rule)
    if name not in ctx.variables:
        return _sql_question_condition(ctx, cond, rule)
    if not ctx.has(name):
        ctx.unavailable(rule, f"it needs column {name!r}, which the responses do not have")
        return None
    if op in ("answered", "missing"):
        return _sql_presence(ctx.answered(name), op)
    if ctx.is_option(name):
        return _sql_option_condition(ctx, cond, rule)
    info = ctx.variables[name]
    if op == "matches" or info.kind == "text" or (info.kind == "meta"
                                                  and ctx.kind(name) == "text"):
        return _sql_text_condition(ctx, cond, rule)
    return _sql_numeric_condition(ctx, cond, rule)


def _sql_presence(answered: str, op: str) -> SqlResult:
    return (answered if op == "answered" else f"NOT {answered}"), "true"


def _sql_set_result(hit: str, present: str, mkeys: list, miss: str | None, op: str
                    ) -> SqlResult:
    from .sql_context import isin

    evaluable = present
    if mkeys and miss is not None:
        hit = f"({hit} OR {isin(miss, mkeys)})"
        evaluable = f"({present} OR {miss} IS NOT NULL)"
    return (hit if op in ("in", "eq") else f"NOT {hit}"), evaluable


def _sql_question_condition(ctx, cond, rule: str) -> SqlResult | None:
    from .sql_context import isin

    op = cond.op
    found = _question_columns(ctx, cond, rule)
    if found is None:
        return None
    qq, cols = found
    if qq.type == "grid":
        if op in ("answered", "missing"):
            return _sql_presence("(" + " OR ".join(ctx.answered(c) for c in cols) + ")", op)
        raise _grid_refused(cond, rule, cols)
    answered = "(" + " OR ".join(f"{ctx.number(c)} IS NOT NULL" for c in cols) + ")"
    if op in ("answered", "missing"):
        return _sql_presence(answered, op)
    picked = _multi_picked(cond, rule, qq)
    hit = "(" + " OR ".join(isin(ctx.number(cols[j]), [1.0]) for j in picked) + ")"
    return (hit if op in ("in", "eq") else f"NOT {hit}"), answered


def _sql_option_condition(ctx, cond, rule: str) -> SqlResult:
    from .sql_context import isin

    name, op = cond.question, cond.op
    codes = ctx.codes(name)
    if op not in SET_OPS:
        return _sql_compare(ctx.scores(name), cond, rule)
    pos, mkeys = _option_values(ctx, cond, rule)
    return _sql_set_result(isin(codes, pos), f"({codes} >= 0)", mkeys, ctx.missing_keys(name),
                           op)


def _sql_text_condition(ctx, cond, rule: str) -> SqlResult:
    from .sql_context import isin

    name, op = cond.question, cond.op
    col = ctx.text(name)
    present = f"({col} IS NOT NULL)"
    if op == "matches":
        pattern = str(cond.value)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CleaningError(f"rule {rule!r}: {cond.value!r} is not a valid regular "
                                f"expression ({exc})") from None
        hit = ctx.mapped(col, lambda s: s.astype("string").str.contains(
            pattern, case=False, regex=True).fillna(False).to_numpy(dtype=bool), "false")
        return f"({hit} AND {present})", present
    _text_set_op(cond, rule)
    hit = isin(col, [str(v) for v in _values(cond)])
    return (hit if op in ("in", "eq") else f"NOT {hit}"), present


def _sql_numeric_condition(ctx, cond, rule: str) -> SqlResult:
    from .sql_context import isin

    name, op = cond.question, cond.op
    x = ctx.number(name)
    if op not in SET_OPS:
        return _sql_compare(x, cond, rule)
    nums, mkeys = _numeric_values(ctx, cond, rule)
    return _sql_set_result(isin(x, nums), f"({x} IS NOT NULL)", mkeys, ctx.missing_keys(name),
                           op)


def _sql_compare(x: str, cond, rule: str) -> SqlResult:
    bound = _order_bound(cond, rule)
    present = f"({x} IS NOT NULL)"
    if cond.op == "between":
        hit = f"({x} >= {bound[0]!r} AND {x} <= {bound[1]!r})"
    else:
        sym = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}[cond.op]
        hit = f"({x} {sym} {bound!r})"
    return f"coalesce({hit}, false)", present
