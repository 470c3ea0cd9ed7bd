"""Repeated respondents: duplicate ids, duplicate device fingerprints, near-duplicates.

* ``duplicate_id``: a repeat of an earlier respondent id (``_raw_id`` if
  present, else the index); the first is kept.
* ``duplicate_fingerprint``: a repeat of an earlier device fingerprint (the
  meta question with role ``fingerprint``); the first is kept, blanks never
  match.
* ``near_duplicate``: the share of identical answers with an earlier
  respondent reaches ``near_duplicate_threshold``. Items are each
  single/likert question, grid item and numeric question, and each
  multi-select question as its whole selection pattern; open answers and
  meta data are left out; missing codes count as not answered. The later
  respondent of a pair is flagged. See
  :func:`survey_kit.cleaning.careless.near_duplicates.near_duplicates` for the
  method and its guarantee.

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> out = flag_duplicate_fingerprint(ctx, "duplicate_fingerprint")
>>> int(out.flagged.sum()), out.extra["duplicate_fingerprint_of"][out.flagged][:2].tolist()
(7, ['tnwmbpsksm', '2udhvuxjqh'])
>>> out = flag_near_duplicate(ctx, "near_duplicate")
>>> int(out.flagged.sum()), round(float(out.extra["near_duplicate_share"][out.flagged].min()), 4)
(10, 0.9167)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..careless.grouping import group_ids
from ..careless.near_duplicates import near_duplicates
from ..context import Context
from ..outcome import Outcome, fmt_num


def _first_of(labels: pd.Index, keys: pd.Series, dup: np.ndarray) -> np.ndarray:
    """Index label of the first respondent with the same key, for the flagged rows."""
    out = np.full(len(keys), None, dtype=object)
    if dup.any():
        repeated = keys[dup]
        first = ~dup & keys.isin(repeated.unique()).to_numpy()     # only the keys that repeat
        firsts = pd.Series(np.asarray(labels[first], dtype=object),
                           index=keys[first].to_numpy(dtype=object))
        firsts = firsts[~firsts.index.duplicated(keep="first")]
        out[dup] = firsts.reindex(repeated.to_numpy(dtype=object)).to_numpy()
    return out


def flag_duplicate_id(ctx: Context, rule: str) -> Outcome:
    """A repeat of an earlier respondent id (``_raw_id``, else the index)."""
    if ctx.has("_raw_id"):
        keys, where = ctx.frame["_raw_id"], "column _raw_id"
    else:
        keys, where = None, "respondent index"
    text = f"same id in {where} as an earlier respondent (first kept)"
    if keys is None and ctx.frame.index.is_unique:   # cached by pandas on the index
        return Outcome(ctx.nobody(), text,
                       extra={"duplicate_id_of": np.full(ctx.n, None, dtype=object)})
    if keys is None:
        keys = pd.Series(ctx.frame.index, index=ctx.frame.index)
    present = keys.notna().to_numpy()
    dup = keys.duplicated(keep="first").to_numpy() & present
    return Outcome(dup, text, extra={"duplicate_id_of": _first_of(ctx.frame.index, keys, dup)})


def _fingerprint_column(ctx, rule: str) -> tuple[str, Outcome | None]:
    """The fingerprint column, and the rule's outcome when there is none to check."""
    var = ctx.q.meta_column("fingerprint")
    if var is None:
        return "", Outcome(ctx.nobody(), "no fingerprint meta question in the questionnaire",
                           "not applicable")
    return var, ctx.skipped_without(rule, var)


def flag_duplicate_fingerprint(ctx: Context, rule: str) -> Outcome:
    """A repeat of an earlier device fingerprint (blanks never match)."""
    var, skipped = _fingerprint_column(ctx, rule)
    if skipped is not None:
        return skipped
    keys = ctx.frame[var].astype("string").str.strip()
    present = (keys.notna() & (keys.str.len() > 0)).fillna(False).to_numpy(dtype=bool)
    dup = keys.duplicated(keep="first").to_numpy() & present
    return Outcome(dup, f"same {var} as an earlier respondent (first kept; blanks never match)",
                   extra={"duplicate_fingerprint_of": _first_of(ctx.frame.index, keys, dup)})


def _near_duplicate_items(ctx: Context, rule: str) -> tuple[list[str], list[np.ndarray]]:
    names, cols = [], []
    for qq in ctx.q.questions:
        if qq.type in ("single", "likert", "numeric"):
            if not ctx.has(qq.id):
                ctx.unavailable(rule, f"it needs column {qq.id!r}, which the responses do not "
                                      "have")
                continue
            if qq.type == "numeric":
                codes, _ = pd.factorize(ctx.frame[qq.id].to_numpy(dtype=np.float64,
                                                                  na_value=np.nan))
                codes = codes.astype(np.int32)
            else:
                codes = ctx.codes(qq.id)               # narrow (int8) codes, not copied
            names.append(qq.id)
            cols.append(codes)
        elif qq.type == "grid":
            for it in qq.items:
                if not ctx.has(it.id):
                    ctx.unavailable(rule, f"it needs column {it.id!r}, which the responses do "
                                          "not have")
                    continue
                names.append(it.id)
                cols.append(ctx.codes(it.id))
        elif qq.type == "multi":
            opts = [f"{qq.id}_{o.key}" for o in qq.options]
            absent = [c for c in opts if not ctx.has(c)]
            if absent:
                ctx.unavailable(rule, f"it needs columns {absent}, which the responses do not "
                                      "have")
                continue
            sel = np.column_stack([ctx.number(c) for c in opts])
            blank = np.isnan(sel).all(axis=1)
            gid, _ = group_ids((sel == 1).astype(np.int32).T)
            codes = np.full(ctx.n, -1, dtype=np.int32)
            if (~blank).any():
                codes[~blank] = pd.factorize(gid[~blank])[0]
            names.append(qq.id)
            cols.append(np.asarray(codes, dtype=np.int32))
    return names, cols


def flag_near_duplicate(ctx: Context, rule: str) -> Outcome:
    """Answers almost identical to an earlier respondent's."""
    _, cols = _near_duplicate_items(ctx, rule)
    if not cols:
        return Outcome(ctx.nobody(), "no answer items", "not applicable")
    p = ctx.params
    k = len(cols)
    res = near_duplicates(cols, p["near_duplicate_threshold"],
                          p["near_duplicate_min_items"], p["near_duplicate_dense_max"])
    need = max(1, min(p["near_duplicate_min_items"], k))
    full_cover = math.floor((1 - p["near_duplicate_threshold"]) * k + 1e-9)
    if 0 <= res.exact_upto < full_cover:
        ctx.warnings.append(f"near_duplicate: {ctx.n} respondents exceed near_duplicate_dense_max;"
                            f" the blocked method compares every pair differing in at most "
                            f"{res.exact_upto} of {k} items, so some near-duplicates differing in "
                            f"{res.exact_upto + 1}-{full_cover} items may be missed")
    of = np.full(ctx.n, None, dtype=object)
    hit = res.match >= 0
    of[hit] = np.asarray(ctx.frame.index.take(res.match[hit]), dtype=object)
    method = res.method.split(":")[0]
    return Outcome(res.flagged,
                   f"share of identical answers >= {fmt_num(p['near_duplicate_threshold'])} "
                    f"with an earlier respondent, over >= {need} of {k} items both answered "
                    f"({method})",
                    extra={"near_duplicate_share": res.share, "near_duplicate_of": of})



def _sql_repeat(key: str) -> str:
    """A non-NULL ``key`` seen on an earlier row (in file order)."""
    return (f"({key} IS NOT NULL AND row_number() OVER (PARTITION BY {key} "
            "ORDER BY __pos) > 1)")


def sql_duplicate_id(ctx, rule: str) -> Outcome:
    """:func:`flag_duplicate_id` out of core (``_raw_id``: the id as exported)."""
    return Outcome(_sql_repeat(ctx.text("_raw_id")),
                   "same id in column _raw_id as an earlier respondent (first kept)")


def sql_duplicate_fingerprint(ctx, rule: str) -> Outcome:
    """:func:`flag_duplicate_fingerprint` out of core (blanks never match)."""
    var, skipped = _fingerprint_column(ctx, rule)
    if skipped is not None:
        return skipped
    from ...io.sql import blank_sql, strip_sql

    text = f"CAST({ctx.text(var)} AS VARCHAR)"
    key = f"(CASE WHEN {blank_sql(text)} THEN NULL ELSE {strip_sql(text)} END)"
    return Outcome(_sql_repeat(key),
                   f"same {var} as an earlier respondent (first kept; blanks never match)")
