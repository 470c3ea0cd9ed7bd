"""Planted defects: which ones a sample gets, and how each is written into the answers.

A defect is named after what cleaning should find: ``screened_out``,
``partial``, ``speeder``, a trap id of the questionnaire (instructed or
consistency), ``straightline:<grid>``, ``gibberish:<open question>``, a rule
id, or one of the copies ``duplicate_id``, ``duplicate_fingerprint`` and
``near_duplicate`` (added by :mod:`survey_kit.sample.simulate`). A
profile's combinations say how many rows carry which defects together;
:func:`defect_plan` scales them to the sample size and :func:`plant` writes
them on the rows chosen, in the order of :data:`ORDER`.

Example
-------
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> from survey_kit.sample.profiles import PROFILES
>>> from survey_kit.sample.variables import InstrumentView
>>> inst = InstrumentView(load_questionnaire("questionnaires/japan_creators_2024.yaml"))
>>> kind_of(inst, "trap_colour"), kind_of(inst, "straightline:outlook")
('instructed', 'straightline')
>>> defect_plan(PROFILES["japan_creators_2024"], inst, 280)[:2]
[(('screened_out',), 8), (('partial',), 6)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import QuestionnaireError
from .comments import GIBBERISH
from .conditions import blank_out, make_cond, sync_repeat
from .draws import index_of, isin, loguniform
from .profiles import Profile
from .variables import InstrumentView, band_levels

__all__ = ["COPIES", "ORDER", "defect_plan", "kind_of", "plant"]

#: order in which defects are planted on one respondent, and in which they are listed
ORDER = ("screened_out", "partial", "rule", "consistency", "straightline", "instructed",
         "gibberish", "speeder", "duplicate_id", "duplicate_fingerprint", "near_duplicate")
#: defects that are copies of another row, appended after the planted rows
COPIES = ("duplicate_id", "duplicate_fingerprint", "near_duplicate")


def kind_of(inst: InstrumentView, name: str) -> str:
    """The kind of defect ``name`` (one of :data:`ORDER`), or a QuestionnaireError."""
    if name in ("screened_out", "partial", "speeder") or name in COPIES:
        return name
    if name.startswith("straightline:"):
        return "straightline"
    if name.startswith("gibberish:"):
        return "gibberish"
    if name in inst.traps:
        return "instructed" if inst.traps[name].type == "instructed" else "consistency"
    if name in inst.rules:
        return "rule"
    raise QuestionnaireError(f"the generator's defect {name!r} names no trap, rule, grid or "
                             "open question of the questionnaire", file=inst.q.source)


def defect_plan(profile: Profile, inst: InstrumentView, n: int
                ) -> list[tuple[tuple[str, ...], int]]:
    """The profile's defect combinations with their row counts scaled to ``n`` rows."""
    plan = []
    for combo, count in profile.combos:
        k = int(np.rint(count * n / profile.n))
        if k <= 0:
            continue
        for name in combo:
            kind = kind_of(inst, name)
            if kind == "straightline" and name.split(":", 1)[1] not in {
                    g.id for g in inst.q.grids()}:
                raise QuestionnaireError(f"defect {name!r}: no such grid", file=inst.q.source)
            if kind == "gibberish" and name.split(":", 1)[1] not in inst.q.quality.open_ended:
                raise QuestionnaireError(f"defect {name!r}: not an open-ended quality item",
                                         file=inst.q.source)
            if kind == "screened_out" and not inst.q.survey.screening:
                raise QuestionnaireError("defect 'screened_out': the questionnaire has no "
                                         "screening conditions", file=inst.q.source)
        plan.append((combo, k))
    return plan


@dataclass
class _Planting:
    """What every planter works on: the answers (``sheet``), durations (``meta``) and
    which rows carry which defects (``has``)."""

    rng: np.random.Generator
    inst: InstrumentView
    profile: Profile
    sheet: dict
    meta: dict
    has: dict[str, np.ndarray]


def plant(rng: np.random.Generator, inst: InstrumentView, profile: Profile, sheet: dict,
          meta: dict, has: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Plant every defect on the rows flagged in ``has``; return the rows that carry it.

    A row is left out of a defect when it could not be planted there (a partial
    complete needs a required question after the first, a consistency trap needs
    an answer far enough from the first one).
    """
    p = _Planting(rng, inst, profile, sheet, meta, has)
    done: dict[str, np.ndarray] = {}
    for d in sorted(has, key=lambda d: (ORDER.index(kind_of(inst, d)), d)):
        rows = np.flatnonzero(has[d])
        planter = _PLANTERS.get(kind_of(inst, d))
        ok = planter(p, d, rows) if planter else np.ones(rows.size, dtype=bool)
        done[d] = rows[ok]
    return done


def _screen_out(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    """Fail the first screener; the rest of the questionnaire stays blank."""
    inst = p.inst
    c = inst.q.survey.screening[0]
    make_cond(p.rng, inst, p.sheet, c, rows, False)
    keep = set(inst.vars_of.get(c.question, [c.question]))
    blank_out(inst, p.sheet, [x for x in inst.substantive if x not in keep], rows)
    p.meta["duration"][rows] = np.round(p.rng.uniform(15, 60, rows.size))
    return np.ones(rows.size, dtype=bool)


def _drop_out(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    """Stop at a required question (later ones more likely); all after it blank."""
    inst = p.inst
    order = [x.id for x in inst.questions]
    first_req = next((i for i, x in enumerate(inst.questions) if x.required), 0)
    cand = [i for i, x in enumerate(inst.questions) if x.required and i > first_req]
    if not cand:
        return np.zeros(rows.size, dtype=bool)
    w = (np.arange(len(cand)) + 1.0) ** 2
    stop = np.array(cand)[p.rng.choice(len(cand), rows.size, p=w / w.sum())]
    for i in np.unique(stop):
        r = rows[stop == i]
        later = [x for qid in order[i:] for x in inst.vars_of.get(qid, [])]
        blank_out(inst, p.sheet, later, r)
    frac = stop / len(order)
    med = p.profile.duration_median
    p.meta["duration"][rows] = np.maximum(np.round(p.meta["duration"][rows] * frac),
                                          np.round(0.45 * med))
    return np.ones(rows.size, dtype=bool)


def _speed(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    """A duration of 8-25% of the median."""
    med = p.profile.duration_median
    p.meta["duration"][rows] = np.round(med * p.rng.uniform(0.08, 0.25, rows.size))
    return np.ones(rows.size, dtype=bool)


def _fail_instructed(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    """Answer an instructed item otherwise than instructed (without straight-lining)."""
    inst, sheet, q = p.inst, p.sheet, p.inst.q
    t = inst.traps[d]
    x = t.question
    expected = [inst.key_of(x, e) for e in t.expected]
    bad = [k for k in inst.levels[x] if k not in expected]
    gid = inst.qid[x]
    if f"straightline:{gid}" in p.has:   # already failed by the straight-liner
        lined = p.has[f"straightline:{gid}"][rows]
        fail = ~isin(sheet[x][rows], np.array(expected, dtype=object))
        rows_new = rows[~(lined & fail)]
    else:
        rows_new = rows
    pick = np.array(bad, dtype=object)[p.rng.integers(0, len(bad), rows_new.size)]
    if q.question(gid).type == "grid":
        others = [y for y in q.grid_variables(gid) if y != x]
        vals = np.column_stack([sheet[y][rows_new] for y in others])
        flat = np.all(vals == vals[:, :1], axis=1)
        clash = flat & (vals[:, 0] == pick)
        alt = np.array(bad[1:] + bad[:1], dtype=object)
        pick[clash] = alt[index_of(bad, pick[clash])]
    sheet[x][rows_new] = pick
    return np.ones(rows.size, dtype=bool)


def _contradict(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    """Answer the repeated question further from the first than the trap tolerates."""
    inst, sheet, rng = p.inst, p.sheet, p.rng
    t = inst.traps[d]
    src, rep = t.question, t.repeat
    if inst.kind[src] == "num":
        base = np.asarray(sheet[src][rows], float)
        sheet[rep][rows] = base + np.where(rng.random(rows.size) < 0.5, -1, 1) * (
            t.tolerance + rng.integers(5, 20, rows.size))
        return np.ones(rows.size, dtype=bool)
    lv = inst.levels[src]
    idx = index_of(lv, sheet[src][rows])
    fresh = rng.integers(0, len(lv), rows.size)
    sheet[src][rows] = np.where(idx < 0, np.array(lv, dtype=object)[fresh], sheet[src][rows])
    idx = np.where(idx < 0, fresh, idx)
    lv_rep = inst.levels[rep]
    dist = np.abs(np.arange(len(lv_rep))[None, :] - idx[:, None])
    keys = rng.random((rows.size, len(lv_rep))) + (dist > t.tolerance)
    choice = np.argmax(keys, axis=1)
    ok = dist[np.arange(rows.size), choice] > t.tolerance
    sheet[rep][rows[ok]] = np.array(lv_rep, dtype=object)[choice[ok]]
    return ok


def _straightline(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    """One answer for every item of the grid (failing its trap item only when planned)."""
    inst, rng = p.inst, p.rng
    items = inst.q.grid_variables(d.split(":", 1)[1])
    lv = inst.levels[items[0]]
    trap = next((t for t in inst.traps.values()
                 if t.type == "instructed" and t.question in items), None)
    pick = np.array(lv, dtype=object)[rng.integers(0, len(lv), rows.size)]
    if trap is not None:
        expected = [inst.key_of(trap.question, e) for e in trap.expected]
        bad = [k for k in lv if k not in expected]
        fail = p.has[trap.id][rows] if trap.id in p.has else np.zeros(rows.size, bool)
        pick = np.where(fail, np.array(bad, dtype=object)[
            rng.integers(0, len(bad), rows.size)], expected[0])
    for x in items:
        p.sheet[x][rows] = pick
    return np.ones(rows.size, dtype=bool)


def _gibberish(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    x = d.split(":", 1)[1]
    p.sheet[x][rows] = np.array(GIBBERISH, dtype=object)[
        p.rng.integers(0, len(GIBBERISH), rows.size)]
    return np.ones(rows.size, dtype=bool)


# -- breaking a plausibility rule ------------------------------------------------


def _break_rule(p: _Planting, d: str, rows: np.ndarray) -> np.ndarray:
    r = p.inst.rules[d]
    breaker = _RULE_BREAKERS.get(r.kind)
    return breaker(p, r, rows) if breaker else np.ones(rows.size, dtype=bool)


def _break_range(p: _Planting, r: Any, rows: np.ndarray) -> np.ndarray:
    """A value just below the minimum, or well above the maximum."""
    qu = p.inst.q.question(p.inst.qid[r.question])
    if r.min is not None and r.min > 0:
        value = r.min - 1
    elif r.max is not None:
        value = np.round(r.max * 1.5) if r.max > 0 else r.max + 10
    else:
        value = r.min - 10
    p.sheet[r.question][rows] = float(value) if not qu.integer else float(np.floor(value))
    return np.ones(rows.size, dtype=bool)


def _break_sum(p: _Planting, r: Any, rows: np.ndarray) -> np.ndarray:
    """Move the first part of the sum so the total leaves the allowed range."""
    sheet, rng = p.sheet, p.rng
    first = r.questions[0]
    qu = p.inst.q.question(p.inst.qid[first])
    qlo = -1e9 if qu.min is None else qu.min
    qhi = 1e9 if qu.max is None else qu.max
    rest = np.sum([np.asarray(sheet[x][rows], float) for x in r.questions[1:]], axis=0)
    total = rest + np.asarray(sheet[first][rows], float)
    broken = ((r.min is not None) & (total < (r.min or 0))) | (
        (r.max is not None) & (total > (r.max if r.max is not None else 0)))
    up_lo = np.maximum((r.max if r.max is not None else np.inf) + 10 - rest, qlo)
    dn_hi = np.minimum((r.min if r.min is not None else -np.inf) - 10 - rest, qhi)
    can_up = up_lo <= qhi
    can_dn = dn_hi >= qlo
    go_up = can_up & (~can_dn | (rng.random(rows.size) < 0.5))
    span = rng.random(rows.size)
    up_val = np.floor(up_lo + span * (np.minimum(qhi, up_lo + 30) - up_lo))
    dn_val = np.ceil(dn_hi - span * (dn_hi - np.maximum(qlo, dn_hi - 30)))
    val = np.where(go_up, up_val, dn_val)
    ok = broken | ((can_up | can_dn) & ~np.isnan(rest))
    change = ok & ~broken     # an out-of-range part may already break the sum
    sheet[first][rows[change]] = val[change]
    return ok


def _break_band_match(p: _Planting, r: Any, rows: np.ndarray) -> np.ndarray:
    """Answer the banded question with a band (mostly adjacent) the number is not in."""
    inst, sheet, rng = p.inst, p.sheet, p.rng
    bands = band_levels(inst, r.numeric)
    x = np.asarray(sheet[r.numeric][rows], float)
    bidx = np.full(rows.size, -1)
    for i, b in enumerate(bands):
        bidx[(x >= b.min) & (x <= b.max)] = i
    fresh = rng.integers(0, len(bands), rows.size)
    lo = np.array([b.min for b in bands])[fresh]
    hi = np.array([min(b.max, 30000) for b in bands])[fresh]
    x = np.where(bidx < 0, loguniform(rng, np.maximum(lo, 1), hi), x)
    bidx = np.where(bidx < 0, fresh, bidx)
    sheet[r.numeric][rows] = x
    lv = inst.levels[r.question]
    band_pos = np.array([lv.index(b.key) for b in bands])[bidx]
    step = np.where(rng.random(rows.size) < 0.5, -1, 1)
    adjacent = band_pos + step
    adjacent = np.where((adjacent < 0) | (adjacent >= len(lv)), band_pos - step, adjacent)
    far = (band_pos + rng.integers(1, len(lv), rows.size)) % len(lv)
    pos = np.where(rng.random(rows.size) < 0.7, adjacent, far)
    sheet[r.question][rows] = np.array(lv, dtype=object)[pos]
    return np.ones(rows.size, dtype=bool)


def _break_implies(p: _Planting, r: Any, rows: np.ndarray) -> np.ndarray:
    """Make the ``when`` conditions hold and the first ``then`` condition fail."""
    inst, sheet, rng = p.inst, p.sheet, p.rng
    ok = np.ones(rows.size, dtype=bool)
    for c in r.when:
        if not make_cond(rng, inst, sheet, c, rows, True):
            ok[:] = False
    if ok.all() and not make_cond(rng, inst, sheet, r.then[0], rows, False):
        ok[:] = False
    changed = {c.question for c in (*r.when, *r.then)}
    for t in inst.traps.values():   # keep the repeated question in step
        if t.type == "consistency" and t.question in changed:
            mine = p.has[t.id][rows] if t.id in p.has else np.zeros(rows.size, bool)
            sync_repeat(rng, inst, sheet, t, rows[~mine])
    return ok


_PLANTERS = {"screened_out": _screen_out, "partial": _drop_out, "speeder": _speed,
             "instructed": _fail_instructed, "consistency": _contradict,
             "straightline": _straightline, "gibberish": _gibberish, "rule": _break_rule}
_RULE_BREAKERS = {"range": _break_range, "sum": _break_sum, "band_match": _break_band_match,
                  "implies": _break_implies}
