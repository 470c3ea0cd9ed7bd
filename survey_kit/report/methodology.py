"""Section 1 of the appendix: the methodology statement and the key numbers it cites.

:func:`key_facts` gathers the numbers of a run (raw and final n, Kish's design
effect, effective sample size, margins of error, how the weighting went);
:func:`methodology_table` writes the AAPOR Transparency Initiative disclosure
items as (item, value) rows: for an opt-in online panel (a non-probability
sample, the default) or, when the questionnaire declares ``design: sample:
probability``, for the design it declares (:mod:`.design_text`). The rows are in
English or Japanese (the wording is in :mod:`survey_kit.instrument.labels`,
groups ``"methodology"`` and ``"design"``; the questionnaire's ``*_ja`` fields give the Japanese
of its free texts). The margin of error is stated with the model assumption it
rests on, as AAPOR asks for non-probability samples; what the questionnaire
does not state (platform, mode, fieldwork dates) is said to be not stated.

Example
-------
>>> from survey_kit.report.run import prepare
>>> run = prepare("questionnaires/japan_creators_2024.yaml",
...               "sample_data/japan_creators_2024_raw.csv")
>>> f = key_facts(run)
>>> f["n_raw"], f["n_kept"], round(f["moe"], 1), round(f["moe_deff"], 1)
(140, 120, 8.9, 10.1)
>>> table, notes = methodology_table(run, f)
>>> table.set_index("Item").loc["Retention after quality checks", "Value"]
'85.7% of interviews kept'
>>> table.set_index("Item").loc["Fieldwork dates", "Value"]    # the source states none
'not stated in the source'
>>> ja, _ = methodology_table(run, f, "ja")
>>> ja.set_index("項目").loc["品質チェック後の保持率", "内容"]
'回答の85.7％を保持'

References
----------
AAPOR (2021). AAPOR Code of Professional Ethics and Practices, section III
(disclosure elements); AAPOR Transparency Initiative.
Kish, L. (1965). Survey Sampling. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..cleaning.completion import completion
from ..instrument.labels import word
from ..instrument.questionnaire import Questionnaire
from .design_text import (
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
from .sections import rule_label, word_or
from .targets_notes import not_stated_lines, provenance_lines

__all__ = ["citation_text", "key_facts", "methodology_table"]

def _w(lang: str, key: str) -> str:
    return word(lang, key, "methodology")


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
    rows = _design_rows(run, lang) + _sample_rows(run, facts, lang)
    rows += design_precision_rows(run, facts, lang) if prob else _precision_rows(facts, lang)
    rows.append((_w(lang, "weighting"), _weighting_text(run, lang)))
    rows += _analysis_rows(run, lang)
    frame = pd.DataFrame(rows, columns=[word(lang, "item"), word(lang, "value")])
    notes = ((word(lang, "notes", "design"), rates_note(lang)) if prob
             else (_w(lang, "notes"),))
    return frame, notes


# ---------------------------------------------------------------------------
# the rows, in the order of the table
# ---------------------------------------------------------------------------

def _design_rows(run: SurveyRun, lang: str) -> list[tuple[str, str]]:
    """Survey, sponsor, fieldwork agency, mode, population, sample, screening, dates.

    What the questionnaire does not state (a platform, a mode, fieldwork dates) is
    said to be not stated, never filled in.
    """
    q = run.questionnaire
    sv = q.survey
    unstated = _w(lang, "not_stated")
    recruitment = sv.text("recruitment", lang)
    sep = "" if lang == "ja" else " "
    if is_probability(run.declared):
        rec = _w(lang, "probability") + sep + structure_text(run.declared, run.data, lang)
        rec += (sep + recruitment) if recruitment else ""
        sample_item = _w(lang, "sample_design")
    else:
        rec = _w(lang, "non_probability") + sep + (
            recruitment or _w(lang, "recruitment_not_stated"))
        sample_item = _w(lang, "recruitment")
    platform = sv.platform or unstated
    mode = sv.text("mode", lang) or unstated
    how = unstated if not (sv.platform or sv.mode) else \
        f"{platform}; {mode}" if lang != "ja" else f"{platform}。{mode}"
    country = sv.text("country", lang)
    rows = [(_w(lang, "survey"), (sv.title_ja if lang == "ja" and sv.title_ja else sv.title)),
            (_w(lang, "sponsor"), sv.sponsor or unstated),
            (_w(lang, "fielded_by"), sv.fielded_by or unstated),
            (_w(lang, "platform_mode"), how),
            (_w(lang, "population"), _w(lang, "population_text").format(
                population=sv.text("population", lang) or unstated,
                country=country or unstated)),
            (sample_item, rec)]
    if sv.screening:
        rows.append((_w(lang, "screening"), _w(lang, "and").join(
            _condition_text(q, c, lang) for c in sv.screening)))
    rows.append((_w(lang, "fieldwork"), _fieldwork_dates(run, lang)))
    if sv.citation is not None:
        rows.append((_w(lang, "publication"), citation_text(sv.citation, lang)))
    return rows


def _sample_rows(run: SurveyRun, facts: Mapping[str, Any], lang: str = "en"
                 ) -> list[tuple[str, str]]:
    """Languages, questionnaire, sample sizes, completion, response rate, retention."""
    q = run.questionnaire
    sv = q.survey
    nq = sum(1 for x in q.questions if x.type != "meta")
    prob = facts.get("probability", False)
    declared = run.declared
    rate = (response_rate_text(run, lang) if prob or getattr(declared, "dispositions", None)
            else _w(lang, "response_rate_text"))
    return [
        (_w(lang, "languages"), _w(lang, "and").join(sv.languages)),
        (_w(lang, "questionnaire"), _w(lang, "questionnaire_text").format(n=nq)),
        (_w(lang, "sample_sizes"), _w(lang, "sample_sizes_text" if sv.target_sample_size
                                      else "sample_sizes_no_target").format(
            raw=facts["n_raw"], excluded=facts["n_excluded"], kept=facts["n_kept"],
            target=sv.target_sample_size)),
        (_w(lang, "completion"), _status_completion(run, lang) or _w(
            lang, "completion_na_probability" if prob else "completion_na")),
        (_w(lang, "response_rate"), rate),
        (_w(lang, "retention"), _w(lang, "retention_text").format(
            pct=100 * facts["n_kept"] / max(facts["n_raw"], 1))),
    ]


def _precision_rows(facts: Mapping[str, Any], lang: str = "en") -> list[tuple[str, str]]:
    """The model assumption first, then the margin of error it licenses and, with
    weighting, the design effect and the margin with it (AAPOR's guidance on reporting
    precision for non-probability samples: the precision figure goes with its model)."""
    rows = [(_w(lang, "moe"), _w(lang, "moe_text").format(moe=facts["moe"],
                                                         n=facts["n_weighted"]))]
    if facts["weighted"]:
        rows += [(_w(lang, "deff"), _w(lang, "deff_text").format(
                    deff=facts["deff_kish"], ess=facts["n_effective"])),
                 (_w(lang, "moe_deff"), _w(lang, "moe_deff_text").format(
                    moe=facts["moe_deff"]))]
    return rows


def _weighting_text(run: SurveyRun, lang: str) -> str:
    """How the weights were made: method, margins, targets and their provenance,
    convergence, the not-stated group, trimming."""
    base = ""
    if is_probability(run.declared):
        base = weights_text(run.declared, run.data, lang)
    elif run.declared is not None and run.declared.weights:
        base = word(lang, "base_named", "design").format(col=run.declared.weights)
    if run.weighting is None:
        return (word(lang, "no_calibration", "design").format(base=base) if base
                else _w(lang, "unweighted"))
    q = run.questionnaire
    wr = run.weighting
    wcfg = q.weighting
    vars_ = list(wcfg.variables) if wcfg is not None else list(run.targets.variables)
    labels = _w(lang, "and").join(q.label(v, None, lang) for v in vars_)
    text = _w(lang, "weighting_text").format(
        method=word_or(lang, wr.method, "methods", wr.method), labels=labels,
        converged=_w(lang, "converged" if wr.converged else "not_converged"),
        iterations=wr.iterations, error=wr.max_margin_error)
    if base:
        text = word(lang, "then_calibrated", "design").format(base=base, text=text)
    parts = [text, *provenance_lines(run, lang),
             *not_stated_lines(run, lang)]
    if wcfg is not None and wcfg.trim_upper:
        parts.append(_w(lang, "trimmed").format(upper=wcfg.trim_upper))
    else:
        parts.append(_w(lang, "no_trimming"))
    return ("" if lang == "ja" else " ").join(parts)


def _analysis_rows(run: SurveyRun, lang: str = "en") -> list[tuple[str, str]]:
    """Estimation, data-quality procedures, limitations."""
    q = run.questionnaire
    prob = is_probability(run.declared)
    lim = list(q.survey.text("limitations", lang)) or [
        _w(lang, "default_limitation_probability" if prob else "default_limitation")]
    end = "。" if lang == "ja" else "."
    parts = design_parts(run.declared, lang) if prob else []
    how = _w(lang, "by_linearization")
    if getattr(run.declared, "replicate_weights", None):
        how = _w(lang, "by_replicates") + (_w(lang, "weighting_redone")
                                           if run.weighting is not None else "")
    items = [_w(lang, "declared_design").format(parts=and_list(parts, lang))] if parts else []
    if run.weighting is not None:
        items.append(_w(lang, "weighting_calibration"))
    accounting = (_w(lang, "accounting").format(items=_w(lang, "items_and").join(items))
                  if items else "")
    weighted = run.weighting is not None or bool(getattr(run.declared, "weights", None))
    estimation = _w(lang, "estimation_text").format(
        pct=_w(lang, "pct_weighted" if weighted else "pct_unweighted"), how=how,
        accounting=accounting)
    return [
        (_w(lang, "estimation"), estimation),
        (_w(lang, "data_quality"), _data_quality_text(run, lang)),
        (_w(lang, "limitations"), (" " if lang != "ja" else "").join(
            x if x.endswith(end) else x + end for x in lim)),
    ]


def citation_text(c: Any, lang: str = "en") -> str:
    """The publication as cited: "Kati Suominen (n.d.). Title: Subtitle. Publisher, Part."."""
    year = str(c.year) if c.year else _w(lang, "no_year")
    title = c.title + (f": {c.subtitle}" if c.subtitle else "")
    authors = _w(lang, "and").join(c.authors)
    part = f", {c.part}" if c.part else ""
    if lang == "ja":
        return f"{authors}（{year}）『{title}』{c.publisher}{part}。"
    return f"{authors} ({year}). {title}. {c.publisher}{part}."


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _labels_of(q: Questionnaire, var: str, levels: Sequence[Any], lang: str) -> str:
    return _w(lang, "and").join(q.label(var, str(v), lang) if q.has_variable(var) else str(v)
                                for v in levels)


def _condition_text(q: Questionnaire, c: Any, lang: str) -> str:
    """A screening condition in words: "Role is one of Owner, Manager" (役割がOwner、Managerの
    いずれか)."""
    name = q.label(c.question, None, lang) if q.has_variable(c.question) else c.question
    vals = c.value if isinstance(c.value, list) else [c.value]
    op = word_or(lang, c.op, "operators", c.op)
    if c.op in ("missing", "answered"):
        return op.format(name=name, values="")
    if q.has_variable(c.question) and q.variable(c.question).levels:
        shown = _labels_of(q, c.question, vals, lang)
    else:
        shown = _w(lang, "and").join(map(str, vals))
    return op.format(name=name, values=shown)


def _fieldwork_dates(run: SurveyRun, lang: str = "en") -> str:
    """Declared fieldwork dates, with the dates of the interviews in the export if known;
    "not stated" when the questionnaire gives none."""
    q = run.questionnaire
    fw = q.survey.fieldwork
    parts = []
    if fw is not None:
        parts.append(_w(lang, "dates").format(start=fw.start.isoformat(),
                                              end=fw.end.isoformat()))
    start_col = q.meta_column("start_time")
    if start_col and start_col in run.raw.columns:
        st = pd.to_datetime(run.raw[start_col], errors="coerce").dropna()
        if len(st):
            parts.append(_w(lang, "export_dates").format(start=st.min().date().isoformat(),
                                                         end=st.max().date().isoformat()))
    return ("" if lang == "ja" else " ").join(parts) if parts else _w(lang, "not_stated")


def _status_completion(run: SurveyRun, lang: str = "en") -> str | None:
    """Completion rate from what the export records (finished flag, progress, status;
    :func:`survey_kit.cleaning.completion.completion`), None when it records none."""
    c = completion(run.raw, run.questionnaire)
    if c is None:
        return None
    if lang == "en":
        return str(c)
    return _w(lang, "completion_text").format(pct=100 * c.rate, done=c.finished,
                                              known=c.started)


def _flow_rules(run: SurveyRun, lang: str = "en") -> tuple[list[str], list[str]]:
    """Names of the cleaning rules applied: (exclusion rules, review-only rules)."""
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
    rule = f["rule"].astype(str) if "rule" in f.columns else f["label"].astype(str)
    names = [rule_label(run, r, str(lab), lang) for r, lab in zip(rule, f["label"])]
    excl = [n for n, a in zip(names, action) if a != "review"]
    rev = [n for n, a in zip(names, action) if a == "review"]
    return excl, rev


def _data_quality_text(run: SurveyRun, lang: str = "en") -> str:
    """Trap questions, plausibility rules, exclusion and review rules applied."""
    q = run.questionnaire
    sep = "、" if lang == "ja" else "; "

    def name(item: Any) -> str:
        return (item.label_ja if lang == "ja" and item.label_ja else None) or item.label or \
            item.id

    traps = [name(x) for x in q.quality.traps]
    rules = [name(r) for r in q.quality.rules if r.kind != "exclude_if"]
    own = [name(r) for r in q.quality.rules if r.kind == "exclude_if"]
    dq = []
    if traps:
        dq.append(_w(lang, "traps") + sep.join(traps))
    if rules:
        dq.append(_w(lang, "rules") + sep.join(rules))
    if own:
        dq.append(_w(lang, "own_rules") + sep.join(own))
    excl, rev = _flow_rules(run, lang)
    if excl:
        dq.append(_w(lang, "exclusion_rules") + sep.join(excl))
    if rev:
        dq.append(_w(lang, "review_rules") + sep.join(rev))
    end = "。" if lang == "ja" else ". "
    return (end.join(dq) + ("。" if lang == "ja" else "")) if dq else _w(lang, "none_declared")
