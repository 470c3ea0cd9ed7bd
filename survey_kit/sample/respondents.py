"""Honest respondents: answers that pass every check of the instrument, and their meta data.

A calibrated :class:`~survey_kit.sample.profiles.Profile` draws the answers it
knows; :func:`fill_generic` draws every other answer uniformly;
:func:`enforce_honest` then makes every row qualify, keep every rule and trap
and vary its grid answers. :func:`draw_comments` writes the open ends and the
``draw_*`` functions the ids, devices and start times.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> draw_ids(rng, 3, 10, "abcdefghijkmnpqrstuvwxyz23456789").tolist()
['5wsijbcaf4', 'w7sv9zwtt7', 'i4xan5tb2z']
>>> draw_devices(rng, 2)[0].tolist()
['desktop', 'mobile']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..instrument.questionnaire import Questionnaire
from .comments import OPENERS_JA
from .conditions import cond_holds, make_cond, sync_repeat, unline
from .draws import flag_rows, isin, keys_at
from .profiles import Profile
from .variables import InstrumentView, band_levels

__all__ = ["draw_comments", "draw_devices", "draw_ids", "draw_starts", "enforce_honest",
           "fill_generic"]


def fill_generic(rng: np.random.Generator, inst: InstrumentView, sheet: dict, n: int) -> None:
    """Uniform answers for every variable the profile did not set."""
    for qu in inst.questions:
        names = inst.vars_of.get(qu.id, [])
        if all(x in sheet for x in names):
            continue
        if qu.type in ("single", "likert", "grid"):
            for x in names:
                if x not in sheet:
                    lv = inst.levels[x]
                    sheet[x] = keys_at(lv, rng.integers(0, len(lv), n))
        elif qu.type == "multi":
            ex = [x for x in names if inst.exclusive(x)]
            pick = [x for x in names if not inst.exclusive(x)]
            draws = (rng.random((n, len(pick))) < 0.4).astype(float)
            draws[draws.sum(axis=1) == 0, 0] = 1.0
            for j, x in enumerate(pick):
                sheet[x] = draws[:, j]
            for x in ex:
                sheet[x] = np.zeros(n)
        elif qu.type == "numeric":
            if qu.bands is not None:
                idx = rng.integers(0, len(qu.bands.levels), n)
                lo = np.array([max(b.min, 0) for b in qu.bands.levels])[idx]
                hi = np.array([min(b.max, max(b.min, 1) * 10 + 50) for b in qu.bands.levels])[idx]
                hi = np.maximum(hi, lo)
                val = np.floor(lo + rng.random(n) * (hi - lo + 1))
            else:
                lo = 0.0 if qu.min is None else qu.min
                hi = lo + 100.0 if qu.max is None else min(qu.max, lo + 1000.0)
                val = lo + rng.random(n) * (hi - lo)
                if qu.integer:
                    val = np.floor(val)
            sheet[qu.id] = np.minimum(val, qu.max if qu.max is not None else np.inf)
        elif qu.type == "open":
            sheet[qu.id] = np.full(n, None, dtype=object)


def enforce_honest(rng: np.random.Generator, inst: InstrumentView, profile: Profile,
                   sheet: dict, n: int) -> None:
    """Make every row pass the instrument's screeners, rules and traps and avoid
    straight-lining (the order matters: later steps keep what earlier ones set)."""
    for c in inst.q.survey.screening:            # honest respondents qualify
        if c.question in sheet and c.op in ("in", "eq"):
            ok = cond_holds(inst, sheet, c)
            if not ok.all():
                make_cond(rng, inst, sheet, c, np.flatnonzero(~ok), True)
    for r in inst.rules.values():
        _keep_rule(rng, inst, profile, sheet, r)
    for t in inst.traps.values():
        if t.type == "instructed":
            sheet[t.question] = np.full(n, inst.key_of(t.question, t.expected[0]), dtype=object)
    for t in inst.traps.values():
        if t.type == "consistency":
            sync_repeat(rng, inst, sheet, t, np.arange(n), profile.repeat_shift)
    for g in inst.q.grids():
        unline(inst, sheet, g.id, np.arange(n))


def _keep_rule(rng: np.random.Generator, inst: InstrumentView, profile: Profile, sheet: dict,
               r: Any) -> None:
    """Make every row satisfy plausibility rule ``r``. A calibrated profile keeps its
    sums and ranges by construction; a uniform one is clipped into them."""
    if r.kind == "band_match" and r.question in sheet and r.numeric in sheet:
        x = np.asarray(sheet[r.numeric], dtype=float)
        for b in band_levels(inst, r.numeric):
            hit = (x >= b.min) & (x <= b.max) & isin(sheet[r.question],
                                                     inst.levels[r.question])
            sheet[r.question][hit] = b.key
    elif r.kind == "sum" and len(r.questions) >= 2 and profile.answers is None:
        target = np.mean([x for x in (r.min, r.max) if x is not None])
        rest = np.sum([np.asarray(sheet[x], float) for x in r.questions[1:]], axis=0)
        qu = inst.q.question(inst.qid[r.questions[0]])
        sheet[r.questions[0]] = np.clip(np.round(target - rest),
                                        qu.min if qu.min is not None else -np.inf,
                                        qu.max if qu.max is not None else np.inf)
    elif r.kind == "range" and r.question in sheet and profile.answers is None:
        lo = -np.inf if r.min is None else r.min
        hi = np.inf if r.max is None else r.max
        sheet[r.question] = np.clip(np.asarray(sheet[r.question], float), lo, hi)
    elif r.kind == "implies":
        holds = np.all([cond_holds(inst, sheet, c) for c in r.when], axis=0)
        for c in r.then:
            bad = holds & ~cond_holds(inst, sheet, c)
            make_cond(rng, inst, sheet, c, np.flatnonzero(bad), True)


def draw_comments(rng: np.random.Generator, profile: Profile, clean: np.ndarray) -> np.ndarray:
    """Open-ended answers: a share of respondents comment, mostly in Japanese."""
    n = clean.size
    ja, en = profile.comments_ja, profile.comments_en
    if not ja and not en:
        return np.full(n, None, dtype=object)
    said = flag_rows(rng, clean, profile.comment_rate)
    use_ja = rng.random(n) < (profile.ja_share if ja and en else (1.0 if ja else 0.0))
    pool_ja = np.array(ja or en, dtype=object)
    pool_en = np.array(en or ja, dtype=object)
    core = pool_ja[rng.integers(0, pool_ja.size, n)]
    # longer Japanese comments get one of a few openers, so few comments repeat verbatim
    opener = np.array(OPENERS_JA, dtype=object)[rng.integers(0, len(OPENERS_JA), n)]
    long_ja = pd.Series(core, dtype=object).str.len().to_numpy() >= 14
    core = np.where(long_ja, opener + core, core)
    text = np.where(use_ja, core, pool_en[rng.integers(0, pool_en.size, n)])
    return np.where(said, text, None).astype(object)


def draw_ids(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    """``n`` distinct random strings."""
    chars = np.array(list(alphabet), dtype="<U1")
    out = np.empty(0, dtype=f"<U{length}")
    while out.size < n:
        draw = np.ascontiguousarray(chars[rng.integers(0, len(chars), (2 * n, length))])
        cand = np.concatenate([out, draw.view(f"<U{length}").ravel()])
        _, first = np.unique(cand, return_index=True)
        out = cand[np.sort(first)][:n]
    return out.astype(object)


def draw_devices(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Device type and operating system of ``n`` respondents."""
    dev = np.array(["mobile", "desktop", "tablet"], dtype=object)[
        rng.choice(3, n, p=[0.55, 0.40, 0.05])]
    u = rng.random(n)
    os_ = np.where(dev == "mobile", np.where(u < 0.65, "iOS", "Android"),
                   np.where(dev == "desktop", np.where(u < 0.75, "Windows", "macOS"),
                            np.where(u < 0.7, "iPadOS", "Android"))).astype(object)
    return dev, os_


#: the period start times are drawn over when a questionnaire states no fieldwork
_STAND_IN_PERIOD = (np.datetime64("2024-07-05"), np.datetime64("2024-10-05"))


def draw_starts(rng: np.random.Generator, q: Questionnaire, n: int) -> np.ndarray:
    """Start times (seconds since the epoch, Japan time) over the fieldwork period.

    A questionnaire that states no fieldwork (its export has no start times)
    still draws them over a stand-in period of 93 days, so that the random
    stream, and with it every other column of the sample, stays as it was.
    """
    fw = q.survey.fieldwork
    start, end = (fw.start, fw.end) if fw is not None else _STAND_IN_PERIOD
    day0 = np.datetime64(start, "s").astype(np.int64)
    days = (np.datetime64(end, "D") - np.datetime64(start, "D")).astype(int) + 1
    hour_w = np.array([1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 12, 12, 11, 10, 9, 9,
                       9, 8, 5, 2], dtype=float)
    hour = rng.choice(24, n, p=hour_w / hour_w.sum())
    return day0 + rng.integers(0, days, n) * 86400 + hour * 3600 + rng.integers(0, 3600, n)
