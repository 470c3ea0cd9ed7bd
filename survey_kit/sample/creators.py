"""The creators survey's answer profile: the association of Figure 13 of the reference study.

:func:`creator_answers` draws the honest answers of the 2024 survey of Japanese
creators so that, on the rows that stay clean, 53% of those spending over a
quarter of their budget abroad report a competitiveness gain of 10% or more;
:func:`creator_headlines` measures that on a sample.

Example
-------
>>> import numpy as np
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> from survey_kit.sample.variables import InstrumentView
>>> inst = InstrumentView(load_questionnaire("questionnaires/japan_creators_2024.yaml"))
>>> a = creator_answers(np.random.default_rng(1), inst, np.ones(100, dtype=bool))
>>> int((a["screener_creator"] == "individual").sum())
55
"""

from __future__ import annotations

import numpy as np

from .draws import band_values, flag_rows, isin, keys_at, pick_levels, proportion
from .variables import InstrumentView, band_levels, level_tables, missing_key

__all__ = ["creator_answers", "creator_headlines"]


def creator_answers(rng: np.random.Generator, inst: InstrumentView, clean: np.ndarray) -> dict:
    """Creators survey: the association of Figure 13."""
    n = clean.size
    c = clean
    z = rng.standard_normal(n)

    def noise(s: float = 1.0) -> np.ndarray:
        return rng.normal(0.0, s, n)

    a: dict[str, np.ndarray] = {}
    v = inst.var
    lv = inst.levels
    kind = pick_levels(rng, lv[v("screener_creator", "profile")],
                       {"individual": .55, "firm": .45}, c, what="screener_creator")
    a["screener_creator"] = keys_at(lv["screener_creator"], kind)
    field = pick_levels(rng, lv[v("field", "profile")], [
        {"anime": .26, "games": .10, "music": .20, "video": .30, "design_ads": .14},
        {"anime": .22, "games": .28, "music": .10, "video": .12, "design_ads": .28}],
        c, sub=np.where(kind == lv["screener_creator"].index("firm"), 1, 0), what="field")
    a["field"] = keys_at(lv["field"], field)
    firm = (kind == lv["screener_creator"].index("firm")).astype(np.int64)

    eb = band_levels(inst, v("export_share", "profile"))
    ekeys = [b.key for b in eb]
    ei = pick_levels(rng, ekeys, [{"none": .34, "low": .42, "high": .24},
                                  {"none": .25, "low": .42, "high": .33}],
                     c, sub=firm, score=0.3 * z + noise(), what="export_share bands")
    a["export_share"] = band_values(rng, eb, ei)

    dk = flag_rows(rng, c, 0.03)
    budget = pick_levels(rng, lv[v("foreign_budget", "profile")], [
        {"none": {"up_to_25": .75, "over_25": .25},
         "low": {"up_to_25": .60, "over_25": .40},
         "high": {"up_to_25": .38, "over_25": .62}}[k] for k in ekeys],
        c, sub=ei, score=z + noise(), skip=dk, what="foreign_budget")
    a["foreign_budget"] = np.where(dk, missing_key(inst, "foreign_budget", "dont_know"),
                                   keys_at(lv["foreign_budget"], budget))

    # Figure 13: 53% of creators spending over a quarter abroad gain 10% or more
    tab = {"up_to_25": {"none": .18, "under_10": .50, "10_19": .22, "20_plus": .10},
           "over_25": {"none": .07, "under_10": .40, "10_19": .30, "20_plus": .23},
           "dont_know": {"none": .20, "under_10": .50, "10_19": .20, "20_plus": .10}}
    sub = np.where(budget < 0, len(lv["foreign_budget"]), budget)
    comp = pick_levels(rng, lv[v("competitiveness", "profile")],
                       level_tables(inst, "foreign_budget", tab) + [tab["dont_know"]],
                       c, sub=sub, score=z + noise(0.8), what="competitiveness")
    a["competitiveness"] = keys_at(lv["competitiveness"], comp)

    rates = {"video_editing": .55, "graphic_design": .50, "content_marketing": .30,
             "social_media": .45, "distribution": .50, "cloud": .60}
    tools = [x for x in inst.vars_of[v("tools", "profile")] if not inst.exclusive(x)]
    for x in tools:
        a[x] = flag_rows(rng, c, rates.get(x[len("tools_"):], 0.4)).astype(float)
    none_used = np.sum([a[x] for x in tools], axis=0) == 0
    a["tools_cloud" if "tools_cloud" in tools else tools[0]][none_used] = 1.0
    for x in inst.vars_of["tools"]:
        if inst.exclusive(x):
            a[x] = np.zeros(n)

    outlook = {"out_overseas_growth": ((.06, .16, .30, .32, .16), 0.5 * ei),
               "out_platform_fees": ((.05, .15, .32, .30, .18), 0.0 * z),
               "out_ai_tools": ((.07, .15, .28, .32, .18), 0.3 * z)}
    for x in inst.q.grid_variables(v("outlook", "profile")):
        if x in outlook:
            p, s = outlook[x]
            a[x] = keys_at(lv[x], pick_levels(rng, lv[x], dict(zip(lv[x], p)), c,
                                              score=s + noise(), what=x))
    return a


def creator_headlines(sheet: dict, clean: np.ndarray, inst: InstrumentView) -> list[tuple]:
    """The study's creator findings, measured on the clean rows of the sample."""
    g = {k: sheet[k][clean] for k in sheet}
    over = g["foreign_budget"] == "over_25"
    ten = isin(g["competitiveness"], ["10_19", "20_plus"])
    return [
        ("10%+ more competitive, creators spending over 25% abroad", 53.0,
         100 * proportion(ten[over])),
        ("Creator type: individual", 55.0, 100 * proportion(g["screener_creator"] == "individual")),
        ("Creator type: firm", 45.0, 100 * proportion(g["screener_creator"] == "firm")),
    ]
