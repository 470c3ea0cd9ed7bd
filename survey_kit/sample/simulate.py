"""One simulated sample, from the seed to the raw export and its defect list.

:func:`simulate` runs the steps in a fixed order, every random draw coming
from one ``numpy.random.default_rng(seed)``, so the same seed and size give
the same bytes (changing the order of any draw changes the committed
``sample_data/``):

1. choose which rows carry which planted defects (:mod:`~survey_kit.sample.defects`);
2. draw honest answers (the profile, then :mod:`~survey_kit.sample.respondents`),
   start times, durations and devices;
3. plant the defects, then keep honest rows apart (:mod:`~survey_kit.sample.similarity`);
4. append duplicate records (same id, same device fingerprint, near copies);
5. put the rows in file order (chronological; a repeated id comes back some
   rows later), list honest rows that stayed near duplicates, and write the
   raw export and the defect list (:mod:`~survey_kit.sample.export`).

Example
-------
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> s = simulate(load_questionnaire("questionnaires/japan_creators_2024.yaml"), 1, 100)
>>> s.raw.shape, int((s.defects["defect"] == "duplicate_id").sum())
((100, 23), 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import QuestionnaireError, UsageError
from ..instrument.questionnaire import Questionnaire
from .defects import COPIES, defect_plan, plant
from .export import describe, encode
from .profiles import PROFILES, Profile, fallback_profile
from .respondents import (
    draw_comments,
    draw_devices,
    draw_ids,
    draw_starts,
    enforce_honest,
    fill_generic,
)
from .similarity import code_matrix, near_copy, repair_similar, similarity
from .variables import InstrumentView

__all__ = ["Sample", "simulate"]

_MIN_N = 40
_ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class Sample:
    """One simulated sample: the raw export, its planted defects and headline findings."""

    raw: pd.DataFrame
    defects: pd.DataFrame
    headlines: pd.DataFrame
    questionnaire: Questionnaire


def simulate(q: Questionnaire, seed: int, n: int | None) -> Sample:
    """Simulate ``n`` raw responses (the profile's size when None) of instrument ``q``."""
    inst = InstrumentView(q)
    profile = PROFILES.get(q.survey.id) or fallback_profile(inst)
    if n is None:
        n = profile.n
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < _MIN_N:
        raise UsageError(f"n must be a whole number of raw responses of at least {_MIN_N}, "
                         f"not {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"seed must be a non-negative whole number, not {seed!r}")
    rng = np.random.default_rng(int(seed))
    plan = defect_plan(profile, inst, int(n))
    n_copy = {d: sum(k for c, k in plan if c == (d,)) for d in COPIES}
    base_plan = [(c, k) for c, k in plan if c[0] not in COPIES]
    n_base = int(n) - sum(n_copy.values())
    n_bad = sum(k for _, k in base_plan)
    if n_base - n_bad < max(sum(n_copy.values()), 10):
        raise UsageError(f"n = {n} is too small for the defect plan; use n >= {_MIN_N * 2}")

    has, clean = _assign_defects(rng, base_plan, n_base, n_bad)
    sheet = _honest_answers(rng, inst, profile, clean)
    meta = _honest_meta(rng, q, profile.duration_median, n_base)
    done = plant(rng, inst, profile, sheet, meta, has)
    full = np.zeros(n_base, dtype=bool)      # screened out or partial: not judged alike
    for d in ("screened_out", "partial"):
        if d in done:
            full[done[d]] = True
    repair_similar(rng, inst, sheet, np.flatnonzero(~full), ~clean)
    originals, kinds = _add_copies(rng, inst, profile.duration_median, sheet, meta, clean,
                                   n_copy, n_base)
    order, position = _file_order(rng, meta["start"], originals, kinds, n_base)
    twins = _honest_twins(inst, sheet, order, full, n_base)
    clean[twins["row"].to_numpy()] = False

    raw = encode(inst, sheet, meta, order)
    m = originals.size
    records = [twins]
    for d, rows in done.items():
        records.append(pd.DataFrame({"row": rows, "defect": d, "of": -1}))
    records.append(pd.DataFrame({"row": n_base + np.arange(m), "defect": kinds,
                                 "of": originals}))
    defects = pd.concat(records, ignore_index=True)
    defects = describe(inst, raw, sheet, meta, defects, position)
    table = pd.DataFrame(
        profile.headlines(sheet, np.concatenate([clean, np.zeros(m, bool)]), inst)
        if profile.headlines else [], columns=["figure", "paper", "sample"])
    return Sample(raw, defects, table, q)


def _assign_defects(rng: np.random.Generator, base_plan: list, n_base: int, n_bad: int
                    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Which rows carry which defects (rows are in chronological order), and the clean rows."""
    perm = rng.permutation(n_base)
    has: dict[str, np.ndarray] = {}
    pos = 0
    for combo, k in base_plan:
        rows = perm[pos:pos + k]
        pos += k
        for d in combo:
            has.setdefault(d, np.zeros(n_base, dtype=bool))[rows] = True
    clean = np.ones(n_base, dtype=bool)
    clean[perm[:n_bad]] = False
    return has, clean


def _honest_answers(rng: np.random.Generator, inst: InstrumentView, profile: Profile,
                    clean: np.ndarray) -> dict:
    """The working sheet: the profile's answers, comments, uniform answers for the rest,
    all made to pass the instrument's checks."""
    n_base = clean.size
    sheet = dict(profile.answers(rng, inst, clean)) if profile.answers else {}
    for name in list(sheet):
        if name not in inst.kind:
            raise QuestionnaireError(f"the generator's profile sets {name!r}, which the "
                                     "questionnaire does not define", file=inst.q.source)
        sheet[name] = np.asarray(sheet[name], dtype=object if inst.kind[name] in (
            "cat", "open") else float).copy()
    for name in inst.q.quality.open_ended:
        if name not in sheet:
            sheet[name] = draw_comments(rng, profile, clean)
    fill_generic(rng, inst, sheet, n_base)
    enforce_honest(rng, inst, profile, sheet, n_base)
    return sheet


def _honest_meta(rng: np.random.Generator, q: Questionnaire, med: float, n_base: int
                 ) -> dict[str, np.ndarray]:
    """Start times (sorted), durations around the median (a few very slow) and devices."""
    start = np.sort(draw_starts(rng, q, n_base))
    dur = np.round(med * np.exp(rng.normal(0.0, 0.35, n_base)))
    dur = np.maximum(dur, np.round(0.5 * med))
    slow = rng.random(n_base) < 0.03
    dur = np.where(slow, np.round(dur * rng.uniform(3, 12, n_base)), dur)
    dev, os_ = draw_devices(rng, n_base)
    return {"start": start, "duration": dur.astype(float), "device": dev, "os": os_}


def _add_copies(rng: np.random.Generator, inst: InstrumentView, med: float, sheet: dict,
                meta: dict, clean: np.ndarray, n_copy: dict[str, int], n_base: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Append the duplicate records of clean rows; return their originals and kinds."""
    originals = rng.choice(np.flatnonzero(clean), sum(n_copy.values()), replace=False)
    kinds = np.repeat(np.array(COPIES, dtype=object), [n_copy[d] for d in COPIES])
    m = originals.size
    n_all = n_base + m
    ids = draw_ids(rng, n_all, 10, _ID_ALPHABET)
    prints = draw_ids(rng, n_all, 16, "0123456789abcdef")
    cdev, cos = draw_devices(rng, m)
    same_id = kinds == "duplicate_id"
    same_print = kinds != "near_duplicate"
    start, dev, os_ = meta["start"], meta["device"], meta["os"]
    later = start[originals] + rng.integers(3600, 5 * 86400, m)
    copy_start = np.where(same_id, start[originals], later)
    copy_dur = np.where(same_id, meta["duration"][originals],
                        np.maximum(np.round(med * np.exp(rng.normal(0, 0.35, m))), 0.5 * med))
    for name in inst.substantive:
        sheet[name] = np.concatenate([sheet[name], sheet[name][originals]])
    near = n_base + np.flatnonzero(kinds == "near_duplicate")
    near_copy(rng, inst, sheet, near)
    meta["start"] = np.concatenate([start, copy_start])
    meta["duration"] = np.concatenate([meta["duration"], copy_dur])
    meta["device"] = np.concatenate([dev, np.where(same_print, dev[originals], cdev)])
    meta["os"] = np.concatenate([os_, np.where(same_print, os_[originals], cos)])
    meta["fingerprint"] = np.concatenate([prints[:n_base],
                                          np.where(same_print, prints[originals], prints[n_base:])])
    meta["id"] = np.concatenate([ids[:n_base], np.where(same_id, ids[originals], ids[n_base:])])
    return originals, kinds


def _file_order(rng: np.random.Generator, start: np.ndarray, originals: np.ndarray,
                kinds: np.ndarray, n_base: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows in file order (chronological; a repeated id comes back some rows later), and
    the file position of every row."""
    m = originals.size
    n_all = n_base + m
    same_id = kinds == "duplicate_id"
    copy_start = start[n_base:]
    key = np.arange(n_base, dtype=float)
    ckey = np.where(same_id, np.minimum(originals + rng.uniform(5, 60, m), n_base - 0.5),
                    np.searchsorted(start[:n_base], copy_start) - 0.5)
    ckey = np.maximum(ckey, originals + 0.25) + np.arange(m) * 1e-6
    order = np.argsort(np.concatenate([key, ckey]), kind="stable")
    position = np.empty(n_all, dtype=np.int64)
    position[order] = np.arange(n_all)
    return order, position


def _honest_twins(inst: InstrumentView, sheet: dict, order: np.ndarray, full: np.ndarray,
                  n_base: int) -> pd.DataFrame:
    """Honest rows still near duplicates of an earlier row (copies included). An
    instrument with few free answers may keep some; they are listed, so the defect
    list stays complete."""
    m = order.size - n_base
    judged_all = np.concatenate([~full, np.ones(m, dtype=bool)])
    in_order = order[judged_all[order]]
    x, is_open, answered = code_matrix(inst, sheet, in_order)
    sim = np.tril(similarity(x, is_open, answered), -1)
    twin = (sim.max(axis=1, initial=0.0) >= 0.85) & (in_order < n_base)
    return pd.DataFrame({"row": in_order[twin], "defect": "near_duplicate",
                         "of": in_order[np.argmax(sim[twin], axis=1)]})
