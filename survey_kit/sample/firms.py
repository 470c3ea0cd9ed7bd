"""The firm survey's answer profile: Figures 6-11 and Appendix I of the reference study.

:func:`firm_answers` draws the honest answers of the 2024 survey of Japanese
firms on imported digital services so that, on the rows that stay clean, the
margins and associations the study reports hold (modal digital spending of
5-10% of revenue, a foreign share that rises with export intensity, the value
of foreign services and the competitiveness gain, the reasons, the expected
cost rise and the impact grid); :func:`firm_headlines` measures those findings
on a sample, for the README's table.

Example
-------
>>> import numpy as np
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> from survey_kit.sample.variables import InstrumentView
>>> inst = InstrumentView(load_questionnaire("questionnaires/japan_digital_services_2024.yaml"))
>>> a = firm_answers(np.random.default_rng(1), inst, np.ones(200, dtype=bool))
>>> sorted(set(a["sector"]))
['business_services', 'digital_services', 'manufacturing']
>>> int((a["sector"] == "manufacturing").sum())
80
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import QuestionnaireError
from .draws import (
    band_values,
    flag_rows,
    gumbel_top,
    isin,
    keys_at,
    loguniform,
    pick_levels,
    proportion,
)
from .variables import MISS, InstrumentView, band_levels, level_tables, missing_key

__all__ = ["firm_answers", "firm_headlines"]


def firm_answers(rng: np.random.Generator, inst: InstrumentView, clean: np.ndarray) -> dict:
    """Firms survey: the associations reported in Figures 6-11 and Appendix I."""
    n = clean.size
    c = clean
    z = rng.standard_normal(n)                    # latent reliance on foreign services

    def noise(s: float = 1.0) -> np.ndarray:
        return rng.normal(0.0, s, n)

    a: dict[str, np.ndarray] = {}
    v = inst.var
    lv = inst.levels

    a[v("screener_role", "profile")] = keys_at(lv["screener_role"], pick_levels(
        rng, lv["screener_role"], {"decision_maker": .62, "influencer": .38}, c,
        what="screener_role"))

    sec = pick_levels(rng, lv[v("sector", "profile")],
                      {"manufacturing": .40, "business_services": .30, "digital_services": .30},
                      c, what="sector")
    a["sector"] = keys_at(lv["sector"], sec)
    manuf = sec == lv["sector"].index("manufacturing")
    digi = sec == lv["sector"].index("digital_services")

    # firm size (Appendix I): size class or not stated; employees inside the class
    size_levels = lv[v("size_class", "profile")] + [missing_key(inst, "size_class", "not_stated")]
    size = pick_levels(rng, size_levels, {"micro": .27, "small": .11, "medium": .24,
                                          "large": .28, "!not_stated": .10}, c, what="size_class")
    a["size_class"] = keys_at(size_levels, size)
    bands = {b.key: b for b in band_levels(inst, v("employees", "profile"))}
    lo = np.ones(n)
    hi = np.ones(n)
    skew = np.ones(n)
    for i, key in enumerate(lv["size_class"]):
        if key not in bands:
            raise QuestionnaireError(f"size_class level {key!r} has no employee band",
                                     file=inst.q.source)
        lo[size == i] = bands[key].min
        hi[size == i] = min(bands[key].max, 30000)
        skew[size == i] = 1.0 if i < len(lv["size_class"]) - 1 else 1.7
    employees = loguniform(rng, lo, hi, skew)
    stated = size < len(lv["size_class"])
    not_stated_code = inst.codes["employees"][missing_key(inst, "employees", "not_stated")]
    blank = ~stated & (rng.random(n) < 0.35)
    a["employees"] = np.where(stated, employees, np.where(blank, np.nan, not_stated_code))
    size_ord = np.where(stated, size, 1.5)

    # export intensity by sector; larger firms export more
    eb = band_levels(inst, v("export_share", "profile"))
    ekeys = [b.key for b in eb]
    ei = pick_levels(rng, ekeys, level_tables(inst, "sector", {
        "manufacturing": {"none": .30, "low": .25, "mid": .15, "high": .30},
        "business_services": {"none": .42, "low": .25, "mid": .15, "high": .18},
        "digital_services": {"none": .35, "low": .25, "mid": .15, "high": .25}}),
        c, sub=sec, score=0.5 * size_ord + noise(), what="export_share bands")
    share = band_values(rng, eb, ei)
    a["export_share"] = share
    jitter = rng.choice(np.array([-2.0, -1.0, 1.0, 2.0]), n) * (rng.random(n) < 0.3)
    a[v("revenue_japan_pct", "profile")] = np.clip(100.0 - share + jitter, 0, 100)

    # Figure 6: digital spending, modal 5-10% of revenue
    dk = flag_rows(rng, c, 0.03)
    spend = pick_levels(rng, lv[v("digital_spend", "profile")], level_tables(inst, "sector", {
        "manufacturing": {"under_1": .10, "1_4": .30, "5_10": .37, "11_20": .15, "over_20": .08},
        "business_services": {"under_1": .09, "1_4": .28, "5_10": .38, "11_20": .16,
                              "over_20": .09},
        "digital_services": {"under_1": .04, "1_4": .17, "5_10": .36, "11_20": .25,
                             "over_20": .18}}),
        c, sub=sec, score=0.4 * z + noise(), skip=dk, what="digital_spend")
    a["digital_spend"] = np.where(dk, missing_key(inst, "digital_spend", "dont_know"),
                                  keys_at(lv["digital_spend"], spend))

    # Figure 8: foreign share of digital spending rises with export intensity
    def mix(over: float, under_split: tuple, over_split: tuple) -> dict:
        keys = ("none", "1_9", "10_24", "25_49", "50_74", "75_100")
        vals = [(1 - over) * s for s in under_split] + [over * s for s in over_split]
        return dict(zip(keys, vals))

    dk = flag_rows(rng, c, 0.02)
    fs = pick_levels(rng, lv[v("foreign_share", "profile")], [
        {"none": mix(.10, (.10, .55, .35), (.60, .30, .10)),
         "low": mix(.30, (.03, .42, .55), (.55, .30, .15)),
         "mid": mix(.45, (.02, .30, .68), (.50, .30, .20)),
         "high": mix(.70, (.00, .25, .75), (.42, .33, .25))}[k] for k in ekeys],
        c, sub=ei, score=z + noise(0.8), skip=dk, what="foreign_share")
    a["foreign_share"] = np.where(dk, missing_key(inst, "foreign_share", "dont_know"),
                                  keys_at(lv["foreign_share"], fs))
    fs_std = np.where(fs >= 0, (fs - 2.0) / 1.5, 0.0)

    # Figure 7: every firm uses a foreign service, over half five or more
    svc = [x for x in inst.vars_of[v("foreign_services", "profile")] if not inst.exclusive(x)]
    count = pick_levels(rng, [str(k) for k in range(1, len(svc) + 1)],
                        dict(zip([str(k) for k in range(1, 11)],
                                 (.04, .08, .12, .17, .18, .15, .11, .08, .04, .03))),
                        c, score=z + noise(), what="number of foreign services") + 1
    popularity = {"communications": .85, "collaboration": .75, "cloud": .70,
                  "cybersecurity": .55, "ai": .50, "crm": .45, "data_visualisation": .45,
                  "payments": .40, "marketing": .40, "ecommerce": .35}
    w = np.array([popularity.get(x[len("foreign_services_"):], 0.4) for x in svc])
    chosen = gumbel_top(rng, w, count)
    for j, x in enumerate(svc):
        a[x] = chosen[:, j]
    for x in inst.vars_of["foreign_services"]:
        if inst.exclusive(x):
            a[x] = np.zeros(n)

    # Figure 9: value of foreign services and the competitiveness gain
    val = pick_levels(rng, lv[v("foreign_value", "profile")], level_tables(inst, "sector", {
        "manufacturing": {"extremely": .305, "very": .32, "moderately": .235, "slightly": .095,
                          "not_at_all": .045},
        "business_services": {"extremely": .305, "very": .32, "moderately": .235,
                              "slightly": .095, "not_at_all": .045},
        "digital_services": {"extremely": .365, "very": .32, "moderately": .195,
                             "slightly": .08, "not_at_all": .04}}),
        c, sub=sec, score=-(0.8 * z + 0.5 * fs_std + noise(0.7)), what="foreign_value")
    a["foreign_value"] = keys_at(lv["foreign_value"], val)
    gain_by_value = {
        "extremely": {"10_19": .03, "20_plus": .97},
        "very": {"none": .03, "under_10": .17, "10_19": .45, "20_plus": .35},
        "moderately": {"none": .12, "under_10": .45, "10_19": .35, "20_plus": .08},
        "slightly": {"none": .30, "under_10": .60, "10_19": .10},
        "not_at_all": {"none": .80, "under_10": .20}}
    comp = pick_levels(rng, lv[v("competitiveness", "profile")],
                       level_tables(inst, "foreign_value", gain_by_value),
                       c, sub=val, score=z + noise(0.8), what="competitiveness")
    a["competitiveness"] = keys_at(lv["competitiveness"], comp)

    # Figure 10: reasons, quality > diversity > security > price; a quarter 'unavailable'
    rates = {"quality": .61, "diversity": .49, "security": .40, "price": .32,
             "unavailable": .25, "integration": .21}
    reasons = inst.vars_of[v("reasons", "profile")]
    for x in reasons:
        a[x] = flag_rows(rng, c, rates.get(x[len("reasons_"):], 0.2)).astype(float)
    none_given = np.sum([a[x] for x in reasons], axis=0) == 0
    a["reasons_quality" if "reasons_quality" in reasons else reasons[0]][none_given] = 1.0

    # Figure 11: cost rise and the impact grid
    dk = flag_rows(rng, c, 0.03)
    cost = pick_levels(rng, lv[v("cost_rise", "profile")],
                       {"none": .09, "1_10": .44, "11_20": .18, "21_40": .12, "over_40": .17}, c,
                       score=0.7 * z - 0.3 * val + noise(0.7), skip=dk, what="cost_rise")
    a["cost_rise"] = np.where(dk, missing_key(inst, "cost_rise", "dont_know"),
                              keys_at(lv["cost_rise"], cost))
    impact = {
        "impact_revenue": (.12, .33, .48, .05, .02),
        "impact_profitability": (.15, .37, .42, .04, .02),
        "impact_exports": (.14, .30, .51, .03, .02),
        "impact_innovation": (.10, .30, .54, .04, .02),
        "impact_hiring": (.05, .18, .70, .05, .02)}
    grid = [x for x in inst.q.grid_variables(v("impact", "profile"))]
    for x in grid:
        keys = lv[x]
        if x == "impact_dx":      # 35% of manufacturers negative
            tabs = [dict(zip(keys, (.15, .32, .46, .05, .02))),
                    dict(zip(keys, (.10, .25, .58, .05, .02)))]
            idx = pick_levels(rng, keys, tabs, c, sub=manuf.astype(np.int64),
                              score=-(0.9 * z + noise(0.8)), what=x)
        else:
            p = impact.get(x, (.1, .3, .5, .07, .03))
            idx = pick_levels(rng, keys, dict(zip(keys, p)), c,
                              score=-(0.9 * z + noise(0.8)), what=x)
        a[x] = keys_at(keys, idx)

    attitudes = {
        "att_cloud_first": ((.05, .15, .35, .32, .13), 0.5 * z),
        "att_data_rules": ((.06, .18, .38, .28, .10), 0.3 * ei),
        "att_ai_plans": ((.04, .10, .30, .36, .20), 0.4 * z + 0.5 * digi),
        "att_domestic_pref": ((.05, .14, .36, .30, .15), -0.4 * z)}
    for x in inst.q.grid_variables(v("attitudes", "profile")):
        if x in attitudes:
            p, s = attitudes[x]
            a[x] = keys_at(lv[x], pick_levels(rng, lv[x], dict(zip(lv[x], p)), c,
                                              score=s + noise(), what=x))
    return a


def firm_headlines(sheet: dict, clean: np.ndarray, inst: InstrumentView) -> list[tuple]:
    """The paper's survey findings, measured on the clean rows of the sample."""
    g = {k: sheet[k][clean] for k in sheet}
    out = []
    spend = pd.Series(g["digital_spend"], dtype=object)
    spend = spend[spend.isin(inst.levels["digital_spend"])]
    out.append(("Modal digital spending (% of revenue)", "5-10%",
                inst.q.label("digital_spend", str(spend.value_counts().idxmax()))))
    svc = [x for x in inst.vars_of["foreign_services"] if not inst.exclusive(x)]
    nsvc = np.sum([g[x] for x in svc], axis=0)
    out.append(("Use at least one foreign digital service", 100.0,
                100 * proportion(nsvc >= 1)))
    out.append(("Use five or more foreign digital services", "over 50",
                100 * proportion(nsvc >= 5)))
    fs = g["foreign_share"]
    answered = isin(fs, inst.levels["foreign_share"])
    over = isin(fs, ["25_49", "50_74", "75_100"])
    share = g["export_share"]
    high = share >= 26
    none = share == 0
    out.append(("Foreign share 25%+, firms exporting over 25% of revenue", 70.0,
                100 * proportion(over[high & answered])))
    out.append(("Foreign share 25%+, non-exporters", 10.0,
                100 * proportion(over[none & answered])))
    ext = g["foreign_value"] == "extremely"
    digi = g["sector"] == "digital_services"
    out.append(("Foreign services 'extremely' valuable", 31.0, 100 * proportion(ext)))
    out.append(("... among digital-services firms", 35.0, 100 * proportion(ext[digi])))
    out.append(("Foreign services 'very' valuable", 32.0,
                100 * proportion(g["foreign_value"] == "very")))
    both = ext & (g["competitiveness"] == "20_plus")
    out.append(("'Extremely' valuable and 20%+ more competitive", 31.0, 100 * proportion(both)))
    out.append(("... among digital-services firms", 35.0, 100 * proportion(both[digi])))
    cost = g["cost_rise"]
    ans = isin(cost, inst.levels["cost_rise"])
    out.append(("Costs would rise over 10% (of those answering)", 47.0,
                100 * proportion(isin(cost[ans], ["11_20", "21_40", "over_40"]))))
    out.append(("Costs would rise over 40% (of those answering)", 17.0,
                100 * proportion(cost[ans] == "over_40")))
    man = g["sector"] == "manufacturing"
    out.append(("Manufacturers: negative effect on digital transformation", 35.0,
                100 * proportion(isin(g["impact_dx"][man], ["large_negative", "some_negative"]))))
    for key, paper in (("quality", "1st"), ("diversity", "2nd"), ("security", "3rd"),
                       ("price", "4th"), ("unavailable", 25.0)):
        out.append((f"Reason: {inst.q.label('reasons_' + key)}", paper,
                    100 * proportion(g["reasons_" + key] == 1)))
    sizes = g["size_class"]
    for key, paper in (("micro", 27.0), ("small", 11.0), ("medium", 24.0), ("large", 28.0),
                       ("!not_stated", 10.0)):
        label = "not stated" if key.startswith(MISS) else key
        out.append((f"Size class: {label}", paper, 100 * proportion(sizes == key)))
    for key, paper in (("manufacturing", 40.0), ("business_services", 30.0),
                       ("digital_services", 30.0)):
        out.append((f"Sector: {key}", paper, 100 * proportion(g["sector"] == key)))
    for key, lo, hi, paper in (("none", 0, 0, 35.0), ("low", 1, 10, 25.0), ("mid", 11, 25, 15.0),
                               ("high", 26, 100, 25.0)):
        out.append((f"Export intensity: {key}", paper,
                    100 * proportion((share >= lo) & (share <= hi))))
    return out
