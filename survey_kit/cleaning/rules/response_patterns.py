"""Careless response patterns: straight-lining, Mahalanobis outliers, even-odd consistency.

* ``straightliner_contradictory`` (exclude): one answer to every item of a
  grid of >= ``straightline_min_items`` (4) items whose items point opposite
  ways (the instrument marks reverse-keyed items, ``reverse: true``), unless
  that answer is the scale midpoint: agreeing with a statement and with its
  opposite contradicts itself.
* ``straightliner`` (review): every item of a grid of >= 4 items answered, all
  identically, where this is no contradiction (every item points the same
  way, or the answer is the midpoint). On a same-direction scale an identical
  answer to every item can be an honest one, so by default it is flagged for
  review, not excluded (``straightliner_action="exclude"`` to exclude it).
  The longstring, average string and IRV of every grid go to the flags table.

Long-string indices are weak evidence of carelessness on their own and
strongest where items are reverse-keyed (Meade & Craig, 2012; Curran, 2016);
hence the split default.
* ``mahalanobis``: D2 on the rating items (likert questions and grid items,
  instructed traps left out) above the chi-square quantile at
  ``mahalanobis_confidence`` (0.99). Numeric counts such as employees are
  left out: they would make D2 flag large firms, not careless answers.
* ``even_odd``: even-odd consistency below ``even_odd_min`` (0.3), where
  the questionnaire has ``even_odd_min_scales`` (5) grids of 2+ rating items
  to act as scales.

The indices come from :mod:`survey_kit.cleaning.careless`.

References
----------
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey
data. Psychological Methods, 17(3), 437-455.
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses
in survey data. Journal of Experimental Social Psychology, 66, 4-19.

Example
-------
>>> import survey_kit as sk
>>> from survey_kit.cleaning.context import Context
>>> from survey_kit.cleaning.parameters import resolve_parameters
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, resolve_parameters(q)[0])
>>> flag_straightliner_contradictory(ctx, "straightliner_contradictory").status
'not applicable'
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


def _grid_run(ctx: Context, g) -> tuple[np.ndarray, np.ndarray] | None:
    """(longest run, average run) of identical answers in a grid; None if columns lack."""
    key = f"longstring:{g.id}"
    if key not in ctx._codes:
        items = [it.id for it in g.items]
        if any(not ctx.has(c) for c in items):
            return None
        ctx._codes[key] = longstring_codes([ctx.codes(c) for c in items])
    return ctx._codes[key]


def _directions(g) -> tuple[int, int]:
    """(items keyed one way, reverse-keyed items) of a grid."""
    n_rev = sum(1 for it in g.items if it.reverse)
    return len(g.items) - n_rev, n_rev


def _off_midpoint(ctx: Context, g) -> np.ndarray:
    """The first item's answer is not the midpoint of the scale (per respondent)."""
    first = g.items[0].id
    table = ctx.score_table(first)
    scores = table[:-1][~np.isnan(table[:-1])]
    mid = (scores.min() + scores.max()) / 2 if scores.size else np.nan
    with np.errstate(invalid="ignore"):
        return ctx.scores(first) != mid


def flag_straightliner_contradictory(ctx: Context, rule: str) -> Outcome:
    """Identical answers, off the midpoint, across items keyed in opposite directions."""
    minimum = ctx.params["straightline_min_items"]
    grids = [g for g in ctx.q.grids() if len(g.items) >= minimum and all(_directions(g))]
    if not grids:
        return Outcome(ctx.nobody(), f"no grid of >= {minimum} items marks reverse-keyed "
                       "items (items: reverse: true)", "not applicable")
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    checked = []
    for g in grids:
        run = _grid_run(ctx, g)
        if run is None:
            absent = [it.id for it in g.items if not ctx.has(it.id)]
            ctx.unavailable(rule, f"grid {g.id!r} needs columns {absent}, which the responses "
                                  "do not have")
            continue
        same = (run[0] == len(g.items)) & _off_midpoint(ctx, g)
        extra[f"contradictory_{g.id}"] = same
        flagged |= same
        fwd, rev = _directions(g)
        checked.append(f"{g.id} ({fwd} + {rev} reverse-keyed)")
    if not checked:
        return Outcome(flagged, "grid columns missing", "skipped", extra)
    return Outcome(flagged, "one answer, not the midpoint, to every item of a grid with "
                   "reverse-keyed items: " + ", ".join(checked), extra=extra)


def flag_straightliner(ctx: Context, rule: str) -> Outcome:
    """Every item of a long enough grid answered, all identically (and not contradictory)."""
    grids = ctx.q.grids()
    if not grids:
        return Outcome(ctx.nobody(), "no grid questions", "not applicable")
    minimum = ctx.params["straightline_min_items"]
    flagged = np.zeros(ctx.n, dtype=bool)
    extra: dict[str, Any] = {}
    checked = []
    for g in grids:
        items = [it.id for it in g.items]
        run = _grid_run(ctx, g)
        if run is None:
            absent = [c for c in items if not ctx.has(c)]
            ctx.unavailable(rule, f"grid {g.id!r} needs columns {absent}, which the responses do "
                                  "not have")
            continue
        longest, avgstr = run
        codes = [ctx.codes(c) for c in items]
        extra[f"longstring_{g.id}"] = longest
        extra[f"avgstr_{g.id}"] = avgstr
        extra[f"irv_{g.id}"] = irv_codes(codes, [ctx.score_table(c) for c in items],
                                         na_rm=True)
        if len(items) >= minimum:
            # a run as long as the grid needs every item answered (a blank breaks runs)
            same = longest == len(items)
            if all(_directions(g)):          # the contradictory ones are the rule before
                same = same & ~_off_midpoint(ctx, g)
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


def _even_odd_scales(ctx) -> list[list[str]]:
    """The scales even-odd consistency splits: grids of 2+ rating items (traps left out)."""
    trap_q = {t.question for t in ctx.q.quality.traps if t.type == "instructed"}
    scales = []
    for g in ctx.q.grids():
        items = [it.id for it in g.items if it.id not in trap_q and ctx.has(it.id)]
        if len(items) >= 2:
            scales.append(items)
    return scales


def even_odd_inapplicable(ctx, rule: str) -> Outcome | None:
    """The rule's outcome when the questionnaire has too few scales (the same in memory and
    out of core, where the rule itself cannot run)."""
    n, need = len(_even_odd_scales(ctx)), ctx.params["even_odd_min_scales"]
    if n < need:
        return Outcome(ctx.nobody(), f"needs >= {need} scales (grids of 2+ rating items); the "
                       f"questionnaire has {n}", "not applicable")
    return None


def flag_even_odd(ctx: Context, rule: str) -> Outcome:
    """Low even-odd consistency over enough scales."""
    if (skip := even_odd_inapplicable(ctx, rule)) is not None:
        return skip
    scales = _even_odd_scales(ctx)
    x = np.column_stack([ctx.scores(v) for items in scales for v in items])
    eo = evenodd(x, [len(s) for s in scales])
    lim = ctx.params["even_odd_min"]
    with np.errstate(invalid="ignore"):
        flagged = eo < lim
    return Outcome(flagged, f"even-odd consistency < {lim:g} over {len(scales)} scales",
                   extra={"even_odd_consistency": eo})



# ---------------------------------------------------------------------------
# straight-lining out of core: one answer to every item of a grid is row-local (the run
# of identical answers spans the grid exactly when every item is answered, all alike)


def _sql_same(ctx, g) -> str:
    codes = [ctx.codes(it.id) for it in g.items]
    return "(" + " AND ".join([f"{codes[0]} >= 0"] + [f"{c} = {codes[0]}"
                                                      for c in codes[1:]]) + ")"


def _sql_off_midpoint(ctx, g) -> str:
    first = g.items[0].id
    table = ctx.score_table(first)
    scores = table[:-1][~np.isnan(table[:-1])]
    if not scores.size:
        return "true"                                 # NaN != anything
    mid = (scores.min() + scores.max()) / 2
    return f"coalesce({ctx.scores(first)} <> {float(mid)!r}, true)"


def _sql_absent(ctx, g) -> list[str]:
    return [it.id for it in g.items if not ctx.has(it.id)]


def sql_straightliner_contradictory(ctx, rule: str) -> Outcome:
    """:func:`flag_straightliner_contradictory` out of core."""
    minimum = ctx.params["straightline_min_items"]
    grids = [g for g in ctx.q.grids() if len(g.items) >= minimum and all(_directions(g))]
    if not grids:
        return Outcome(ctx.nobody(), f"no grid of >= {minimum} items marks reverse-keyed "
                       "items (items: reverse: true)", "not applicable")
    flags, checked = [], []
    for g in grids:
        if (absent := _sql_absent(ctx, g)):
            ctx.unavailable(rule, f"grid {g.id!r} needs columns {absent}, which the responses "
                                  "do not have")
            continue
        flags.append(f"({_sql_same(ctx, g)} AND {_sql_off_midpoint(ctx, g)})")
        fwd, rev = _directions(g)
        checked.append(f"{g.id} ({fwd} + {rev} reverse-keyed)")
    if not checked:
        return Outcome("false", "grid columns missing", "skipped")
    return Outcome(" OR ".join(flags), "one answer, not the midpoint, to every item of a grid "
                   "with reverse-keyed items: " + ", ".join(checked))


def sql_straightliner(ctx, rule: str) -> Outcome:
    """:func:`flag_straightliner` out of core (the flag; the longstring, average string and
    IRV indices are computed in memory only)."""
    grids = ctx.q.grids()
    if not grids:
        return Outcome(ctx.nobody(), "no grid questions", "not applicable")
    minimum = ctx.params["straightline_min_items"]
    flags, checked = [], []
    for g in grids:
        if (absent := _sql_absent(ctx, g)):
            ctx.unavailable(rule, f"grid {g.id!r} needs columns {absent}, which the responses do "
                                  "not have")
            continue
        if len(g.items) >= minimum:
            same = _sql_same(ctx, g)
            if all(_directions(g)):
                same = f"({same} AND NOT {_sql_off_midpoint(ctx, g)})"
            flags.append(same)
            checked.append(f"{g.id} ({len(g.items)})")
    if not checked:
        return Outcome("false", f"no grid has >= {minimum} items", "not applicable")
    return Outcome(" OR ".join(flags), f"every item answered and identical in a grid of >= "
                   f"{minimum} items: " + ", ".join(checked))
