"""Section 1 of the appendix: the methodology statement and the key numbers it cites.

:func:`key_facts` gathers the numbers of a run (raw and final n, Kish's design
effect, effective sample size, margins of error, how the weighting went);
:func:`methodology_table` writes the AAPOR Transparency Initiative disclosure
items as (item, value) rows: for an opt-in online panel (a non-probability
sample, the default) or, when the questionnaire declares ``design: sample:
probability``, for the design it declares (:mod:`.design_text`). Items the
questionnaire does not state (sponsor, mode, dates, ...) are said to be not
stated, never filled in.

Example
-------
>>> from survey_kit.report.run import prepare
>>> run = prepare("questionnaires/japan_creators_2024.yaml",
...               "sample_data/japan_creators_2024_raw.csv")
>>> f = key_facts(run)
>>> f["n_raw"], f["n_kept"], round(f["moe"], 1), round(f["moe_deff"], 1)
(140, 121, 8.9, 10.0)
>>> table, notes = methodology_table(run, f)
>>> table.set_index("Item").loc["Retention after quality checks", "Value"]
'86.4% of interviews kept'

References
----------
AAPOR (2021). AAPOR Code of Professional Ethics and Practices, section III
(disclosure elements); AAPOR Transparency Initiative.
Kish, L. (1965). Survey Sampling. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..cleaning.completion import completion
from ..instrument.labels import word
from ..instrument.questionnaire import Questionnaire
from .design_text import (
    MODEL_ASSUMPTION,
    and_list,
    design_parts,
    design_precision_rows,
    is_probability,
    rates_note,
    response_rate_text,
    structure_text,
    weights_text,
)
from .precision import kish_deff, margin_of_error
from .run import SurveyRun

__all__ = ["key_facts", "methodology_table"]

_NOTES = ("Disclosure items of the AAPOR Code of Professional Ethics and Practices (2021), "
          "section III, and the AAPOR Transparency Initiative, as they apply to an opt-in "
          "online panel survey.",)
_NOTES_PROBABILITY = ("Disclosure items of the AAPOR Code of Professional Ethics and Practices "
                      "(2021), section III, and the AAPOR Transparency Initiative, as they "
                      "apply to a probability sample.",)

#: what the appendix says of an item the questionnaire leaves out
NOT_STATED = "Not stated in the questionnaire"

#: words of a screening condition's operator
_OPS = {"in": "is one of", "not_in": "is not one of", "eq": "is", "ne": "is not",
        "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "between": "is between",
        "missing": "is missing", "answered": "is answered"}


def key_facts(run: SurveyRun) -> dict[str, Any]:
    """Raw, excluded, kept and weighted n; Kish deff; effective n; margins of error (points)."""
    w = run.data["weight"].to_numpy(dtype=float)
    n_w = int((w != 0).sum())
    deff = kish_deff(w)
    out = {"survey": run.questionnaire.id, "n_raw": run.n_raw, "n_kept": run.n_kept,
           "n_excluded": run.n_raw - run.n_kept, "n_weighted": n_w, "deff_kish": deff,
           "n_effective": n_w / deff if deff and np.isfinite(deff) else float("nan"),
           "moe": 100 * margin_of_error(n_w), "moe_deff": 100 * margin_of_error(n_w, deff),
           "weighted": run.weighting is not None or bool(len(w) and np.ptp(w) > 0),
           "probability": is_probability(run.declared)}
    if run.weighting is not None:
        out.update(weighting_method=run.weighting.method, converged=bool(run.weighting.converged),
                   iterations=int(run.weighting.iterations),
                   max_margin_error=float(run.weighting.max_margin_error))
    return out


def methodology_table(run: SurveyRun, facts: Mapping[str, Any], lang: str = "en"
                      ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The AAPOR Transparency Initiative disclosure items that apply, as (item, value) rows.

    Returns
    -------
    (DataFrame, tuple of str)
        The rows (columns "Item" and "Value" in ``lang``) and the table's notes.
    """
    prob = is_probability(run.declared)
    rows = _design_rows(run, lang) + _sample_rows(run, facts)
    rows += design_precision_rows(run, facts) if prob else _precision_rows(facts)
    rows.append(("Weighting", _weighting_text(run, lang)))
    rows += _analysis_rows(run)
    frame = pd.DataFrame(rows, columns=[word(lang, "item"), word(lang, "value")])
    notes = _NOTES_PROBABILITY + (rates_note(),) if prob else _NOTES
    return frame, notes


# ---------------------------------------------------------------------------
# the rows, in the order of the table
# ---------------------------------------------------------------------------

def _design_rows(run: SurveyRun, lang: str) -> list[tuple[str, str]]:
    """Survey, sponsor, fieldwork agency, mode, population, sample, screening, dates."""
    q = run.questionnaire
    sv = q.survey
    if is_probability(run.declared):
        rec = "Probability sample. " + structure_text(run.declared, run.data)
        sample_item = "Sample design"
    else:
        rec = "Non-probability sample from an opt-in online panel."
        sample_item = "Sample and recruitment"
    if sv.recruitment:
        rec += " " + sv.recruitment
    mode = "; ".join(x for x in (sv.platform, sv.mode) if x) or NOT_STATED
    rows = [("Survey", (sv.title_ja if lang == "ja" and sv.title_ja else sv.title)),
            ("Sponsor", sv.sponsor or NOT_STATED),
            ("Conducted (fielded) by", sv.fielded_by or NOT_STATED),
            ("Platform and mode", mode),
            ("Population", f"{_stated(sv.population)} (country: {_stated(sv.country)})"),
            (sample_item, rec)]
    if sv.screening:
        rows.append(("Screening (eligibility)",
                     "; ".join(_condition_text(q, c, lang) for c in sv.screening)))
    rows.append(("Fieldwork dates", _fieldwork_dates(run)))
    return rows


def _sample_rows(run: SurveyRun, facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Languages, questionnaire, sample sizes, completion, response rate, retention."""
    q = run.questionnaire
    sv = q.survey
    nq = sum(1 for x in q.questions if x.type != "meta")
    prob = facts.get("probability", False)
    what = "responding units in the data" if prob else "interviews in the export"
    target = (f" (target {sv.target_sample_size})" if sv.target_sample_size
              else " (target sample size not stated)")
    return [
        ("Languages", ", ".join(sv.languages)),
        ("Questionnaire", f"{nq} questions; full wording, codes and labels in the codebook"),
        ("Sample sizes", f"{facts['n_raw']} {what}; {facts['n_excluded']} "
                         f"excluded by the quality checks; {facts['n_kept']} in the final "
                         f"sample{target}"),
        ("Completion rate", _status_completion(run) or (
            "Not available: the data have no status column recording who started and "
            "who completed the questionnaire" if prob else
            "Not available: the export holds completed interviews only (no record of "
            "respondents who started and broke off)")),
        ("Response rate", response_rate_text(run)),
        ("Retention after quality checks",
         f"{100 * facts['n_kept'] / max(facts['n_raw'], 1):.1f}% of "
         f"{'responding units' if prob else 'interviews'} kept"),
    ]


def _precision_rows(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Margin of error, and with weighting the design effect and the margin with it; the
    model assumption they rest on stated beside them (a non-probability sample)."""
    rows = [("Margin of error (95%, p = 50%)",
             f"±{facts['moe']:.1f} percentage points = 1.96 × sqrt(0.25 / n) with "
             f"n = {facts['n_weighted']}; {MODEL_ASSUMPTION}")]
    if facts["weighted"]:
        rows += [("Design effect of weighting (Kish)",
                  f"{facts['deff_kish']:.2f} = n × Σw² / (Σw)²; effective sample size "
                  f"{facts['n_effective']:.0f}"),
                 ("Margin of error with the design effect",
                  f"±{facts['moe_deff']:.1f} percentage points = 1.96 × sqrt(0.25 / n) × "
                  f"sqrt(deff); the same model assumption")]
    return rows


def _weighting_text(run: SurveyRun, lang: str) -> str:
    """How the weights were made: method, margins, targets, convergence, trimming."""
    base = ""
    if is_probability(run.declared):
        base = weights_text(run.declared, run.data) + "; "
    elif run.declared is not None and run.declared.weights:
        base = f"Base weights {run.declared.weights}; "
    if run.weighting is None and base:
        return base + "no calibration (no population targets were given): estimates use them"
    if run.weighting is None:
        return "None: no population targets were given; estimates are unweighted"
    q = run.questionnaire
    wr = run.weighting
    wcfg = q.weighting
    vars_ = list(wcfg.variables) if wcfg is not None else list(run.targets.variables)
    labels = ", ".join(q.label(v, None, lang) for v in vars_)
    src = Path(run.targets.source).name if getattr(run.targets, "source", None) else \
        "the targets given"
    text = (f"{base}{'then ' if base else ''}{wr.method} of the final sample to population "
            f"margins of {labels} "
            f"(targets: {src}); {'converged' if wr.converged else 'did NOT converge'} "
            f"after {wr.iterations} iteration(s), largest relative margin error "
            f"{wr.max_margin_error:.1e}")
    if wcfg is not None and wcfg.not_stated:
        text += f"; weighting variable not stated: {wcfg.not_stated}"
    if wcfg is not None and wcfg.trim_upper:
        text += f"; weights trimmed at {wcfg.trim_upper:g} × the mean weight"
    else:
        text += "; no trimming"
    return text


def _analysis_rows(run: SurveyRun) -> list[tuple[str, str]]:
    """Estimation, data-quality procedures, limitations."""
    q = run.questionnaire
    prob = is_probability(run.declared)
    lim = list(q.survey.limitations) or ([
        "Design-based margins of error cover sampling error only, not nonresponse, "
        "coverage or measurement error."] if prob else [
        "Opt-in online panel: no probability sample, so margins of error assume the weighted "
        "sample behaves like a random sample of the population."])
    parts = design_parts(run.declared) if prob else []
    design = f"the sample design as declared ({and_list(parts)}) and " if parts else ""
    return [
        ("Estimation", f"Weighted percentages; standard errors by Taylor linearization taking "
                       f"{design}the weighting (calibration) into account; 95% confidence "
                       "intervals for proportions on the logit scale with the design degrees "
                       "of freedom; tests of association: Rao-Scott second-order corrected F"),
        ("Data-quality procedures", _data_quality_text(run)),
        ("Limitations", " ".join(x if x.endswith(".") else x + "." for x in lim)),
    ]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _labels_of(q: Questionnaire, var: str, levels: Sequence[Any], lang: str) -> str:
    return ", ".join(q.label(var, str(v), lang) if q.has_variable(var) else str(v)
                     for v in levels)


def _condition_text(q: Questionnaire, c: Any, lang: str) -> str:
    """A screening condition in words: "Role is one of Owner, Manager"."""
    name = q.label(c.question, None, lang) if q.has_variable(c.question) else c.question
    vals = c.value if isinstance(c.value, list) else [c.value]
    if c.op in ("missing", "answered"):
        return f"{name} {_OPS[c.op]}"
    if q.has_variable(c.question) and q.variable(c.question).levels:
        shown = _labels_of(q, c.question, vals, lang)
    else:
        shown = ", ".join(map(str, vals))
    return f"{name} {_OPS.get(c.op, c.op)} {shown}"


def _stated(value: Any) -> str:
    """A metadata value as the appendix shows it; NOT_STATED when the questionnaire
    leaves it out (as one made by ``survey-kit init`` from a file does)."""
    return NOT_STATED if value is None else str(value)


def _fieldwork_dates(run: SurveyRun) -> str:
    """Declared fieldwork dates, with the dates of the interviews in the export if known."""
    q = run.questionnaire
    fw = q.survey.fieldwork
    dates = f"{fw.start.isoformat()} to {fw.end.isoformat()}" if fw is not None else NOT_STATED
    start_col = q.meta_column("start_time")
    if start_col and start_col in run.raw.columns:
        st = pd.to_datetime(run.raw[start_col], errors="coerce").dropna()
        if len(st):
            dates += (f" (interviews in the export dated {st.min().date().isoformat()} to "
                      f"{st.max().date().isoformat()})")
    return dates


def _status_completion(run: SurveyRun) -> str | None:
    """Completion rate from what the export records (finished flag, progress, status)."""
    c = completion(run.raw, run.questionnaire)
    return None if c is None else str(c)


def _flow_rules(run: SurveyRun) -> tuple[list[str], list[str]]:
    """Labels of the cleaning rules applied: (exclusion rules, review-only rules)."""
    flow = getattr(run.cleaning, "flow", None)
    if not isinstance(flow, pd.DataFrame) or not len(flow) or "label" not in flow.columns:
        return [], []
    f = flow
    if "step" in f.columns:
        f = f[pd.to_numeric(f["step"], errors="coerce").fillna(0) > 0]
    if "status" in f.columns:
        f = f[f["status"].astype(str) == "applied"]
    action = f["action"].astype(str) if "action" in f.columns else pd.Series("exclude",
                                                                             index=f.index)
    excl = [str(x) for x in f.loc[action != "review", "label"]]
    rev = [str(x) for x in f.loc[action == "review", "label"]]
    return excl, rev


def _data_quality_text(run: SurveyRun) -> str:
    """Trap questions, plausibility rules, exclusion and review rules applied."""
    q = run.questionnaire
    traps = [t.label or t.id for t in q.quality.traps]
    rules = [r.label or r.id for r in q.quality.rules if r.kind != "exclude_if"]
    own = [r.label or r.id for r in q.quality.rules if r.kind == "exclude_if"]
    dq = []
    if traps:
        dq.append("Trap questions: " + "; ".join(traps))
    if rules:
        dq.append("Plausibility rules: " + "; ".join(rules))
    if own:
        dq.append("Exclusion rules of this survey: " + "; ".join(own))
    excl, rev = _flow_rules(run)
    if excl:
        dq.append("Exclusion rules applied in order (exclusion flow, table 2a): "
                  + "; ".join(excl))
    if rev:
        dq.append("Flagged for review but kept: " + "; ".join(rev))
    return ". ".join(dq) if dq else "None declared"
