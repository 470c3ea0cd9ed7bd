"""Careless response patterns: straight-lining, Mahalanobis outliers, even-odd consistency.

* ``straightliner``: every item of a grid of >= ``straightline_min_items``
  (4) items answered, all identically. The longstring, average string and IRV
  of every grid go to the flags table.
* ``mahalanobis``: D2 on the rating items (likert questions and grid items,
  instructed traps left out) above the chi-square quantile at
  ``mahalanobis_confidence`` (0.99). Numeric counts such as employees are
  left out: they would make D2 flag large firms, not careless answers.
* ``even_odd``: even-odd consistency below ``even_odd_min`` (0.3), where
  the questionnaire has ``even_odd_min_scales`` (5) grids of 2+ rating items
  to act as scales.

The indices come from :mod:`survey_kit.cleaning.careless`.

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> out = flag_straightliner(ctx, "straightliner")
>>> int(out.flagged.sum()), [k for k in out.extra if k.startswith("straightlined")]
(12, ['straightlined_impact', 'straightlined_attitudes'])
>>> out = flag_mahalanobis(ctx, "mahalanobis")
>>> out.parameter, int(out.flagged.sum())
('D2 > chi-square quantile 0.99 with 11 df = 24.72 (11 rating items)', 8)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import CleaningError
from ..careless.evenodd import evenodd
from ..careless.irv import irv_codes
from ..careless.longstring import longstring_codes
from ..careless.mahad import chi2_quantile, mahad_cov, mahad_distances, mahad_inverse
from ..careless.rows import CodedRows, code_counts
from ..context import Context
from ..outcome import Outcome


def flag_straightliner(ctx: Context, rule: str) -> Outcome:
    """Every item of a long enough grid answered, all identically."""
    grids = ctx.q.grids()
    if not grids:
        return Outcome(ctx.nobody(), "no grid questions", "not applicable")
    minimum = ctx.params["straightline_min_items"]
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    checked = []
    for g in grids:
        items = [it.id for it in g.items]
        absent = [c for c in items if not ctx.has(c)]
        if absent:
            ctx.unavailable(rule, f"grid {g.id!r} needs columns {absent}, which the responses do "
                                  "not have")
            continue
        codes = [ctx.codes(c) for c in items]
        longest, avgstr = longstring_codes(codes)
        extra[f"longstring_{g.id}"] = longest
        extra[f"avgstr_{g.id}"] = avgstr
        extra[f"irv_{g.id}"] = irv_codes(codes, [ctx.score_table(c) for c in items],
                                         na_rm=True)
        if len(items) >= minimum:
            # a run as long as the grid needs every item answered (a blank breaks runs)
            same = longest == len(items)
            extra[f"straightlined_{g.id}"] = same
            flagged |= same
            checked.append(f"{g.id} ({len(items)})")
    if not checked:
        return Outcome(flagged, f"no grid has >= {minimum} items", "not applicable", extra)
    return Outcome(flagged, f"every item answered and identical in a grid of >= {minimum} items: "
                   + ", ".join(checked), extra=extra)



def _rating_items(ctx: Context) -> list[str]:
    trap_q = {t.question for t in ctx.q.quality.traps if t.type == "instructed"}
    out = []
    for qq in ctx.q.questions:
        if qq.type == "likert" and qq.id not in trap_q:
            out.append(qq.id)
        elif qq.type == "grid":
            out += [it.id for it in qq.items if it.id not in trap_q]
    return [v for v in out if ctx.has(v)]


def flag_mahalanobis(ctx: Context, rule: str) -> Outcome:
    """D2 on the rating items above the chi-square quantile."""
    items = _rating_items(ctx)
    if len(items) < 2:
        return Outcome(ctx.nobody(), f"needs >= 2 rating items, the questionnaire has "
                       f"{len(items)}", "not applicable")
    codes = {v: ctx.codes(v) for v in items}
    tables = {v: ctx.score_table(v) for v in items}

    def varies(v: str) -> bool:                      # the scores given differ
        used = code_counts(codes[v], len(tables[v]) - 1)[1:] > 0
        ok = tables[v][:-1][used]
        ok = ok[~np.isnan(ok)]
        return ok.size > 0 and ok.min() < ok.max()

    dropped = [v for v in items if not varies(v)]
    items = [v for v in items if v not in dropped]
    note = f"; constant items left out: {', '.join(dropped)}" if dropped else ""
    if len(items) < 2:
        return Outcome(ctx.nobody(), f"needs >= 2 rating items that vary{note}", "not applicable")
    rows = np.zeros(ctx.n, dtype=bool)
    for v in items:                                  # loop over items, not respondents
        if rows.all():
            break
        rows |= ~np.isnan(tables[v])[codes[v]]        # a score given (code -1: NaN)
    if rows.sum() <= len(items):
        return Outcome(ctx.nobody(), f"needs more than {len(items)} respondents with ratings",
                       "not applicable")
    every = bool(rows.all())
    # the answers as 1-byte codes and a score table per item: D2 is computed in
    # row blocks, never holding the n x k float matrix
    source = CodedRows([codes[v] if every else codes[v][rows] for v in items],
                                 [tables[v] for v in items])
    conf = ctx.params["mahalanobis_confidence"]
    d2 = np.full(ctx.n, np.nan)
    cov, centre, complete = mahad_cov(source)
    try:
        inv = mahad_inverse(cov, "error")
    except CleaningError:
        ctx.warnings.append("mahalanobis: the covariance matrix of the rating items is singular "
                            "(collinear items); the pseudo-inverse was used")
        try:
            inv = mahad_inverse(cov, "pinv")
        except CleaningError as exc2:
            ctx.warnings.append(f"mahalanobis: not computed ({exc2.message})")
            return Outcome(ctx.nobody(), "not computable", "not applicable")
    d2[rows] = mahad_distances(source, centre, complete, inv)
    cut = chi2_quantile(conf, len(items))
    with np.errstate(invalid="ignore"):
        flagged = d2 > cut
    return Outcome(flagged, f"D2 > chi-square quantile {conf:g} with {len(items)} df = "
                   f"{cut:.4g} ({len(items)} rating items{note})", extra={"mahalanobis_d2": d2})


def flag_even_odd(ctx: Context, rule: str) -> Outcome:
    """Low even-odd consistency over enough scales."""
    trap_q = {t.question for t in ctx.q.quality.traps if t.type == "instructed"}
    scales = []
    for g in ctx.q.grids():
        items = [it.id for it in g.items if it.id not in trap_q and ctx.has(it.id)]
        if len(items) >= 2:
            scales.append(items)
    need = ctx.params["even_odd_min_scales"]
    if len(scales) < need:
        return Outcome(ctx.nobody(), f"needs >= {need} scales (grids of 2+ rating items); the "
                       f"questionnaire has {len(scales)}", "not applicable")
    x = np.column_stack([ctx.scores(v) for items in scales for v in items])
    eo = evenodd(x, [len(s) for s in scales])
    lim = ctx.params["even_odd_min"]
    with np.errstate(invalid="ignore"):
        flagged = eo < lim
    return Outcome(flagged, f"even-odd consistency < {lim:g} over {len(scales)} scales",
                   extra={"even_odd_consistency": eo})

