"""The sentences of the methodology that describe the sample design a survey declares.

For a probability sample (``design: sample: probability``) the appendix
describes the design actually declared: strata, primary sampling units and
later stages, with or without a finite population correction, the base
weights, any calibration; precision is framed design-based, with the design
effects of the headline estimates. For a non-probability sample the precision
figures carry AAPOR's caveat: they rest on a model assumption, not on random
selection. Every sentence is built from the questionnaire and the data; what
neither states is said to be not stated.

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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SurveyKitError
from .precision import margin_of_error
from .response_rates import EDITION, declared_rates

__all__ = ["and_list", "design_parts", "design_precision_rows", "is_probability",
           "moe_summary", "rates_note", "replicate_text", "response_rate_text",
           "structure_text", "weights_text"]


def is_probability(declared: Any) -> bool:
    """True when the declared design says ``sample: probability``."""
    return declared is not None and declared.sample == "probability"


def _stages(declared: Any) -> list[str]:
    c = declared.cluster
    return [] if c is None else list(c) if isinstance(c, list) else [c]


def _fpcs(declared: Any) -> list[str]:
    f = declared.fpc
    return [] if f is None else list(f) if isinstance(f, list) else [f]


def _fraction_text(frac: np.ndarray, stratified: bool) -> str:
    lo, hi = float(np.min(frac)), float(np.max(frac))
    if np.isclose(lo, hi):
        return f"sampling fraction {100 * lo:.1f}%" + (" in every stratum" if stratified else "")
    return f"sampling fractions {100 * lo:.1f}% to {100 * hi:.1f}% across strata"


def _first_stage_fpc(declared: Any, data: pd.DataFrame, n_h: pd.Series, unit: str) -> str:
    """The fpc of the first stage in words: population size and sampling fractions."""
    col = _fpcs(declared)[0]
    vals = pd.to_numeric(data[col], errors="coerce")
    strata = data[declared.strata] if declared.strata else pd.Series(0, index=data.index)
    per = vals.groupby(strata.to_numpy()).first().reindex(n_h.index)
    stage = " at stage 1" if len(_stages(declared)) > 1 else ""
    where = "population strata" if declared.strata else "population"
    if (vals <= 1).all():
        return (f"finite population correction{stage} from {col}: "
                f"{_fraction_text(per.to_numpy(), bool(declared.strata))}")
    frac = n_h.to_numpy(float) / per.to_numpy(float)
    return (f"finite population correction{stage} from {col}: {per.sum():,.0f} {unit} in the "
            f"{where}, {_fraction_text(frac, bool(declared.strata))}")


def _selected_per_stratum(declared: Any, data: pd.DataFrame) -> tuple[pd.Series, str]:
    """First-stage units selected per stratum, and what a unit is."""
    strata = data[declared.strata] if declared.strata else pd.Series(0, index=data.index)
    stages = _stages(declared)
    if stages:
        n_h = data.groupby(strata.to_numpy())[stages[0]].nunique()
        return n_h, "PSUs"
    return strata.value_counts(sort=False).sort_index(), "units"


def _replicate_names(declared: Any, data: pd.DataFrame) -> list[str]:
    """The replicate weight columns a declared design names (a list, prefix or pattern)."""
    from ..design.replicate import replicate_columns

    return replicate_columns(data, declared.replicate_weights)[1]


def replicate_text(declared: Any, data: pd.DataFrame) -> str:
    """One sentence on a design given by replicate weights shipped with the data."""
    names = _replicate_names(declared, data)
    shown = f"{names[0]} ... {names[-1]}" if len(names) > 2 else ", ".join(names)
    fay = (f", Fay's factor {declared.fay_rho:g}" if declared.fay_rho is not None else "")
    return (f"Replicate-weight design: {len(names)} {declared.replicate_type} replicate "
            f"weights supplied with the data ({shown}{fay}); the strata and primary sampling "
            "units are carried by the replicate weights, not by columns of the data.")


def structure_text(declared: Any, data: pd.DataFrame) -> str:
    """One sentence on how the sample was drawn: strata, stages, fpc or with replacement."""
    if getattr(declared, "replicate_weights", None) is not None:
        return replicate_text(declared, data)
    stages = _stages(declared)
    n_h, unit = _selected_per_stratum(declared, data)
    n_stages = {2: "two", 3: "three", 4: "four"}.get(len(stages), str(len(stages)))
    kind = (f"{'Stratified ' if declared.strata else ''}"
            + (f"{n_stages}-stage cluster sample" if len(stages) > 1
               else "cluster sample" if stages else "random sample"))
    kind = kind[0].upper() + kind[1:]
    parts = []
    if declared.strata:
        parts.append(f"{len(n_h)} strata ({declared.strata})")
    if stages:
        parts.append(f"{int(n_h.sum())} primary sampling units ({stages[0]}) selected")
        for k, col in enumerate(stages[1:], start=2):
            parts.append(f"stage {k}: {data.groupby(stages[:k]).ngroups} units ({col}) "
                         f"selected within the units of stage {k - 1}")
    else:
        parts.append(f"{int(n_h.sum())} units selected")
    if _fpcs(declared):
        parts[1 if declared.strata else 0] += " without replacement"
        text = f"{kind}: {', '.join(parts)} ({_first_stage_fpc(declared, data, n_h, unit)}"
        for k, col in enumerate(_fpcs(declared)[1:], start=2):
            text += f"; at stage {k} from {col}"
        return text + ")."
    return (f"{kind}: {', '.join(parts)}; no finite population correction declared, so "
            f"the {'primary sampling units' if stages else 'units'} are treated as selected "
            "with replacement in the variance (conservative when sampling fractions are "
            "large).")


def weights_text(declared: Any, data: pd.DataFrame) -> str:
    """The base weights of a declared design, in words (no final full stop)."""
    if declared.weights:
        w = pd.to_numeric(data[declared.weights], errors="coerce")
        spread = (f"are all {w.min():,.2f}" if w.min() == w.max()
                  else f"range from {w.min():,.2f} to {w.max():,.2f}")
        return f"Base (design) weights from {declared.weights}: they sum to {w.sum():,.0f} " \
               f"and {spread}"
    if _fpcs(declared) and not (pd.to_numeric(data[_fpcs(declared)[0]]) <= 1).all():
        return ("Base weights: the inverse of the selection probabilities implied by the "
                "finite population correction")
    return "No base weights declared: every respondent weighs the same before calibration"


def and_list(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def design_parts(declared: Any) -> list[str]:
    """What the variance takes from the declared design: strata, PSUs, fpc (or the
    replicate weights)."""
    if getattr(declared, "replicate_weights", None) is not None:
        return [f"{declared.replicate_type} replicate weights"]
    what = ["strata"] if declared.strata else []
    what += ["primary sampling units"] if _stages(declared) else []
    what += ["later-stage units"] if len(_stages(declared)) > 1 else []
    what += ["finite population corrections"] if _fpcs(declared) else []
    return what


def _variance_text(declared: Any, degf: int) -> str:
    if getattr(declared, "replicate_weights", None) is not None:
        centre = ("the full-sample estimate" if declared.mse
                  else "the mean of the replicate estimates")
        return (f"standard errors from the {declared.replicate_type} replicate weights: every "
                "estimate is computed again with each replicate weight and its variance is "
                f"the scaled sum of squared deviations around {centre} (R survey's "
                f"svrepdesign); confidence intervals use t with {degf} degrees of freedom "
                "(the rank of the replicate weights minus one)")
    stages = _stages(declared)
    what = design_parts(declared)
    with_ = f" with the declared {and_list(what)}" if what else ""
    multi = ("; later stages add their terms (R survey's svyrecvar)"
             if len(stages) > 1 and len(_fpcs(declared)) > 1 else "")
    return (f"standard errors by Taylor linearization{with_}{multi}; confidence intervals "
            f"use t with {degf} design degrees of freedom")


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


def design_precision_rows(run: Any, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Margins of error of a probability sample: design-based, with design effects."""
    n = facts["n_weighted"]
    rows = [("Margin of error under simple random sampling (95%, p = 50%)",
             f"±{facts['moe']:.1f} percentage points = 1.96 × sqrt(0.25 / n) with n = {n}; "
             "a reference only: the estimates' own intervals are design-based")]
    deffs = _headline_deffs(run)
    if deffs:
        worst = max(deffs)
        rows.append(("Design effects of the headline estimates",
                     f"{min(deffs):.2f} to {worst:.2f} (whole-sample shares of the "
                     f"{len(deffs)} headline categories: design-based variance over that of "
                     "simple random sampling of the same size); with the largest, the margin "
                     f"of error at p = 50% is ±{100 * margin_of_error(n, worst):.1f} points"))
    rows.append(("Design-based precision",
                 "Every confidence interval in the results tables is design-based: "
                 + _variance_text(run.declared, run.design.degf)))
    return rows


def moe_summary(facts: Mapping[str, Any]) -> str:
    """The margin of error in one line of a report summary, framed by the sample type."""
    if facts.get("probability"):
        return (f"margin of error (95%, p = 50%) under simple random sampling: "
                f"±{facts['moe']:.1f} points; the design-based intervals are in the appendix")
    return (f"margin of error (95%, p = 50%): ±{facts['moe']:.1f} points; with the design "
            f"effect ±{facts['moe_deff']:.1f} points (assuming the weighted sample behaves "
            "like a simple random sample)")


def response_rate_text(run: Any) -> str:
    """The response rate row: AAPOR rates from declared dispositions, or why there are none."""
    declared = run.declared
    disp = declared.dispositions if declared is not None else None
    if not is_probability(declared):
        text = ("Not computed: on an opt-in panel there is no frame of eligible units, so "
                "AAPOR response rates (RR1-RR6) are undefined; estimates rest on the weighting "
                "model, not on random selection")
        if disp is not None:
            text += "; the case dispositions declared are therefore not turned into rates"
        return text
    if disp is None:
        return ("Not computed: the questionnaire declares no final dispositions of the cases "
                "released to the field (design.dispositions: counts per AAPOR category, or a "
                "file of the cases), so the number of sampled units that did not respond is "
                "not known")
    rates = declared_rates(disp, run.questionnaire.source)
    text = rates.summary()
    if any(not np.isfinite(rates[k]) for k in ("RR3", "RR4")):
        text += "; RR3 and RR4 need e (design.dispositions.e)"
    return text


def rates_note() -> str:
    """The reference of the response rates."""
    return f"Response rates: {EDITION}."
