"""The sentences of the methodology that describe the sample design a survey declares.

For a probability sample (``design: sample: probability``) the appendix
describes the design actually declared: strata, primary sampling units and
later stages, with or without a finite population correction, the base
weights, any calibration; precision is framed design-based, with the design
effects of the headline estimates. For a non-probability sample the precision
figures carry AAPOR's caveat: they rest on a model assumption, not on random
selection. Every sentence is built from the questionnaire and the data; what
neither states is said to be not stated. The sentences are in English or
Japanese (``lang``); their wording is in :mod:`survey_kit.instrument.labels`,
group ``"design"``.

Response rates (AAPOR Standard Definitions, :mod:`.response_rates`) are
reported when the questionnaire declares the final dispositions of the cases
released (``design.dispositions``); otherwise the reason they are not computed
is given.

Example
-------
>>> import pandas as pd
>>> from survey_kit.instrument.schema import Design
>>> d = Design(sample="probability", weights="pw", strata="stype", fpc="fpc")
>>> df = pd.DataFrame({"stype": list("EEMMHH"), "pw": [2.0] * 6, "fpc": [12.0] * 6})
>>> text = structure_text(d, df)
>>> text[:text.index(" (finite")]
'Stratified random sample: 3 strata (stype), 6 units selected without replacement'
>>> text[text.index("36 units"):]
'36 units in the population strata, sampling fraction 16.7% in every stratum).'
>>> structure_text(d, df, "ja")
'層別無作為抽出：3層（stype）、6単位を非復元抽出（有限母集団修正はfpcによる：母集団の層全体で36単位、抽出率はすべての層で16.7％）。'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SurveyKitError
from ..instrument.labels import WORDS, word
from .precision import margin_of_error
from .response_rates import CATEGORIES, EDITION, ResponseRates, declared_rates

__all__ = ["and_list", "design_parts", "design_precision_rows", "is_probability",
           "moe_summary", "rates_note", "replicate_text", "response_rate_text",
           "structure_text", "weights_text"]


def _w(lang: str, key: str) -> str:
    return word(lang, key, "design")


def is_probability(declared: Any) -> bool:
    """True when the declared design says ``sample: probability``."""
    return declared is not None and declared.sample == "probability"


def _stages(declared: Any) -> list[str]:
    c = declared.cluster
    return [] if c is None else list(c) if isinstance(c, list) else [c]


def _fpcs(declared: Any) -> list[str]:
    f = declared.fpc
    return [] if f is None else list(f) if isinstance(f, list) else [f]


def _fraction_text(frac: np.ndarray, stratified: bool, lang: str) -> str:
    lo, hi = float(np.min(frac)), float(np.max(frac))
    if np.isclose(lo, hi):
        return _w(lang, "fraction_strata" if stratified else "fraction").format(lo=100 * lo)
    return _w(lang, "fraction_range").format(lo=100 * lo, hi=100 * hi)


def _first_stage_fpc(declared: Any, data: pd.DataFrame, n_h: pd.Series, psus: bool,
                     lang: str) -> str:
    """The fpc of the first stage in words: population size and sampling fractions."""
    col = _fpcs(declared)[0]
    vals = pd.to_numeric(data[col], errors="coerce")
    strata = data[declared.strata] if declared.strata else pd.Series(0, index=data.index)
    per = vals.groupby(strata.to_numpy()).first().reindex(n_h.index)
    stage = _w(lang, "at_stage1") if len(_stages(declared)) > 1 else ""
    if (vals <= 1).all():
        return _w(lang, "fpc").format(stage=stage, col=col, fraction=_fraction_text(
            per.to_numpy(), bool(declared.strata), lang))
    frac = n_h.to_numpy(float) / per.to_numpy(float)
    size = _w(lang, "size_psus" if psus else "size_units").format(n=f"{per.sum():,.0f}")
    where = _w(lang, "where_strata" if declared.strata else "where_all")
    return _w(lang, "fpc_sizes").format(stage=stage, col=col, size=size, where=where,
                                        fraction=_fraction_text(frac, bool(declared.strata),
                                                                lang))


def _selected_per_stratum(declared: Any, data: pd.DataFrame) -> pd.Series:
    """First-stage units selected per stratum."""
    strata = data[declared.strata] if declared.strata else pd.Series(0, index=data.index)
    stages = _stages(declared)
    if stages:
        return data.groupby(strata.to_numpy())[stages[0]].nunique()
    return strata.value_counts(sort=False).sort_index()


def _replicate_names(declared: Any, data: pd.DataFrame) -> list[str]:
    """The replicate weight columns a declared design names (a list, prefix or pattern)."""
    from ..design.replicate import replicate_columns

    return replicate_columns(data, declared.replicate_weights)[1]


def _type_name(declared: Any, lang: str) -> str:
    """The replicate type as named in ``lang`` (JK1, JKn, BRR stay as they are)."""
    t = str(declared.replicate_type)
    return WORDS["design"].get(lang, {}).get(f"type_{t}", t)


def replicate_text(declared: Any, data: pd.DataFrame, lang: str = "en") -> str:
    """One sentence on a design given by replicate weights shipped with the data."""
    names = _replicate_names(declared, data)
    shown = (_w(lang, "shown").format(first=names[0], last=names[-1]) if len(names) > 2
             else _w(lang, "join").join(names))
    fay = _w(lang, "fay").format(rho=declared.fay_rho) if declared.fay_rho is not None else ""
    return _w(lang, "replicate").format(n=len(names), type=_type_name(declared, lang),
                                        shown=shown, fay=fay)


def _kind(declared: Any, stages: list[str], lang: str) -> str:
    """"Stratified two-stage cluster sample", "Random sample", ... (層別無作為抽出)."""
    if len(stages) > 1:
        n = len(stages)
        kind = _w(lang, "stages").format(n=_w(lang, f"n{n}") if n <= 4 else str(n))
    else:
        kind = _w(lang, "cluster" if stages else "random")
    if declared.strata:
        kind = _w(lang, "stratified").format(kind=kind)
    return kind[0].upper() + kind[1:]


def structure_text(declared: Any, data: pd.DataFrame, lang: str = "en") -> str:
    """One sentence on how the sample was drawn: strata, stages, fpc or with replacement."""
    if getattr(declared, "replicate_weights", None) is not None:
        return replicate_text(declared, data, lang)
    stages = _stages(declared)
    n_h = _selected_per_stratum(declared, data)
    wor = "_wor" if _fpcs(declared) else ""
    parts = []
    if declared.strata:
        parts.append(_w(lang, "strata").format(n=len(n_h), col=declared.strata))
    if stages:
        parts.append(_w(lang, "psus" + wor).format(n=int(n_h.sum()), col=stages[0]))
        for k, col in enumerate(stages[1:], start=2):
            parts.append(_w(lang, "stage").format(k=k, n=data.groupby(stages[:k]).ngroups,
                                                  col=col, prev=k - 1))
    else:
        parts.append(_w(lang, "units" + wor).format(n=int(n_h.sum())))
    kind, joined = _kind(declared, stages, lang), _w(lang, "join").join(parts)
    if _fpcs(declared):
        fpc = _first_stage_fpc(declared, data, n_h, bool(stages), lang)
        for k, col in enumerate(_fpcs(declared)[1:], start=2):
            fpc += _w(lang, "later_fpc").format(k=k, col=col)
        return _w(lang, "with_fpc").format(kind=kind, parts=joined, fpc=fpc)
    return _w(lang, "with_replacement").format(
        kind=kind, parts=joined, units=_w(lang, "wr_psus" if stages else "wr_units"))


def weights_text(declared: Any, data: pd.DataFrame, lang: str = "en") -> str:
    """The base weights of a declared design, in words (no final full stop)."""
    if declared.weights:
        w = pd.to_numeric(data[declared.weights], errors="coerce")
        spread = (_w(lang, "all_equal").format(w=w.min()) if w.min() == w.max()
                  else _w(lang, "spread").format(lo=w.min(), hi=w.max()))
        return _w(lang, "base_weights").format(col=declared.weights, sum=w.sum(),
                                               spread=spread)
    if _fpcs(declared) and not (pd.to_numeric(data[_fpcs(declared)[0]]) <= 1).all():
        return _w(lang, "weights_from_fpc")
    return _w(lang, "no_base_weights")


def and_list(items: list[str], lang: str = "en") -> str:
    """"a", "a and b", "a, b and c" (ja: "aとb", "a、bとc")."""
    if lang == "ja":
        return items[0] if len(items) == 1 else f"{'、'.join(items[:-1])}と{items[-1]}"
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def design_parts(declared: Any, lang: str = "en") -> list[str]:
    """What the variance takes from the declared design: strata, PSUs, fpc (or the
    replicate weights)."""
    if getattr(declared, "replicate_weights", None) is not None:
        return [_w(lang, "part_replicates").format(type=_type_name(declared, lang))]
    keys = ["part_strata"] if declared.strata else []
    keys += ["part_psus"] if _stages(declared) else []
    keys += ["part_later"] if len(_stages(declared)) > 1 else []
    keys += ["part_fpc"] if _fpcs(declared) else []
    return [_w(lang, k) for k in keys]


def _variance_text(declared: Any, degf: int, lang: str = "en") -> str:
    if getattr(declared, "replicate_weights", None) is not None:
        centre = _w(lang, "centre_full" if declared.mse else "centre_mean")
        return _w(lang, "variance_replicates").format(type=_type_name(declared, lang),
                                                      centre=centre, degf=degf)
    stages = _stages(declared)
    what = design_parts(declared, lang)
    with_ = _w(lang, "variance_with").format(parts=and_list(what, lang)) if what else ""
    multi = (_w(lang, "variance_multi")
             if len(stages) > 1 and len(_fpcs(declared)) > 1 else "")
    return _w(lang, "variance").format(with_=with_, multi=multi, degf=degf)


def _headline_deffs(run: Any) -> list[float]:
    """Design effects of the whole-sample shares of every level of the headline row
    variables (categorical ones)."""
    out: list[float] = []
    inst = run.instrument
    for h in run.spec.headlines:
        if (h.net is not None or h.rows not in run.data.columns
                or not inst.has_variable(h.rows) or not inst.variable(h.rows).levels):
            continue
        present = set(run.data[h.rows].dropna().astype(str))
        for level in (lv for lv in inst.levels(h.rows) if lv in present):
            try:
                deff = run.design.proportion(h.rows, level).deff
            except SurveyKitError:
                continue
            if np.isfinite(deff):
                out.append(float(deff))
    return out


def design_precision_rows(run: Any, facts: Mapping[str, Any], lang: str = "en"
                          ) -> list[tuple[str, str]]:
    """Margins of error of a probability sample: design-based, with design effects."""
    n = facts["n_weighted"]
    rows = [(_w(lang, "moe_srs"), _w(lang, "moe_srs_text").format(moe=facts["moe"], n=n))]
    deffs = _headline_deffs(run)
    if deffs:
        worst = max(deffs)
        rows.append((_w(lang, "deffs"), _w(lang, "deffs_text").format(
            lo=min(deffs), hi=worst, k=len(deffs), moe=100 * margin_of_error(n, worst))))
    rows.append((_w(lang, "precision"), _w(lang, "precision_text").format(
        variance=_variance_text(run.declared, run.design.degf, lang))))
    return rows


def moe_summary(facts: Mapping[str, Any], lang: str = "en") -> str:
    """The margin of error in one line of a report summary, framed by the sample type."""
    if facts.get("probability"):
        return _w(lang, "moe_summary").format(moe=facts["moe"])
    return _w(lang, "moe_summary_model").format(moe=facts["moe"], moe_deff=facts["moe_deff"])


def _rates_summary(rates: ResponseRates, lang: str) -> str:
    """:meth:`ResponseRates.summary` in ``lang``: the rates, the edition, the counts, e."""
    if lang == "en":
        return rates.summary()
    shown = [f"{k} " + (_w(lang, "rate_na") if not np.isfinite(rates[k])
                        else f"{100 * rates[k]:.1f}％")
             for k in ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "REF1", "CON1")]
    c = rates.counts
    counts = "、".join(f"{k} {c[k]}" for k in CATEGORIES)
    known = sum(c[k] for k in ("I", "P", "R", "NC", "O"))
    if rates.e is None:
        e = _w(lang, "e_unknown" if "not estimable" in rates.e_basis else "e_none")
    elif "as given" in rates.e_basis:
        e = _w(lang, "e_given").format(e=rates.e)
    else:
        e = _w(lang, "e_share").format(e=rates.e, known=known, total=known + c["NE"])
    return _w(lang, "rates_summary").format(rates="、".join(shown), counts=counts, e=e,
                                            edition=_edition(lang))


def response_rate_text(run: Any, lang: str = "en") -> str:
    """The response rate row: AAPOR rates from declared dispositions, or why there are none."""
    declared = run.declared
    disp = declared.dispositions if declared is not None else None
    if not is_probability(declared):
        text = word(lang, "response_rate_text", "methodology")
        if disp is not None:
            text += _w(lang, "not_rates")
        return text
    if disp is None:
        return _w(lang, "no_dispositions")
    rates = declared_rates(disp, run.questionnaire.source)
    text = _rates_summary(rates, lang)
    if any(not np.isfinite(rates[k]) for k in ("RR3", "RR4")):
        text += _w(lang, "needs_e")
    return text


def _edition(lang: str) -> str:
    return EDITION if lang == "en" else _w(lang, "edition")


def rates_note(lang: str = "en") -> str:
    """The reference of the response rates."""
    return _w(lang, "rates_note").format(edition=_edition(lang))
