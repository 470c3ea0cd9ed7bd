"""Sections 3-5 of the appendix: sample composition, weighting diagnostics, codebook.

Each function takes a :class:`~survey_kit.report.run.SurveyRun` and returns
DataFrames ready to render; column names come from the en/ja word table
(:mod:`survey_kit.instrument.labels`, group ``"appendix"``).

Example
-------
>>> from survey_kit.report.run import prepare
>>> run = prepare("questionnaires/japan_creators_2024.yaml",
...               "sample_data/japan_creators_2024_raw.csv")
>>> comp = composition_table(run)
>>> total = ("Creator type", "Total")
>>> print(comp["n"].loc[total], comp["% unweighted"].loc[total])
120 100.0
>>> margins, summary = weighting_tables(run)
>>> summary.set_index("Statistic").loc["Method", "Value"]
'poststratify'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instrument.labels import word
from ..weighting.diagnostics import weight_diagnostics
from .derived import grid_net_id
from .run import SurveyRun

__all__ = ["codebook_headers", "codebook_table", "composition_table", "flow_display",
           "flow_headers", "int_formats", "margins_headers", "overlap_display", "review_flags",
           "review_rules", "review_table", "rule_label", "weighting_tables",
           "weights_summary_formats", "word_or"]


def composition_table(run: SurveyRun, lang: str = "en") -> pd.DataFrame:
    """Unweighted n and %, weighted % and population % by each composition variable.

    The variables are the spec's ``composition`` (default: the weighting
    variables). Respondents whose variable is missing get a "Not stated" row;
    each variable ends with a total row. Indexed by (variable, level) labels.
    """
    names = list(run.spec.composition) or (list(run.questionnaire.weighting.variables)
                                           if run.questionnaire.weighting else [])
    rows = []
    for var in names:
        rows += _composition_rows(run, var, lang)
    cols = [word(lang, "variable"), word(lang, "level"), word(lang, "n"), word(lang, "pct_unw"),
            word(lang, "pct_w"), word(lang, "pct_pop")]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.set_index(cols[:2])


def _composition_rows(run: SurveyRun, var: str, lang: str) -> list[tuple]:
    inst = run.instrument
    data = run.data
    w = data["weight"].to_numpy(dtype=float)
    W = w.sum()
    N = len(data)
    s = data[var]
    vlab = inst.label(var, None, lang)
    pop = None
    if run.targets is not None and var in run.targets.variables:
        m = run.targets.margin(var)
        pop = m / m.sum() * 100
    rows = []
    for k in list(inst.levels(var)):
        hit = (s.astype(object) == k).to_numpy()
        rows.append((vlab, inst.label(var, k, lang), int(hit.sum()), 100 * hit.sum() / N,
                     100 * w[hit].sum() / W,
                     float(pop.get(str(k), np.nan)) if pop is not None else np.nan))
    miss = s.isna().to_numpy()
    if miss.any():
        rows.append((vlab, word(lang, "not_stated"), int(miss.sum()), 100 * miss.sum() / N,
                     100 * w[miss].sum() / W, np.nan))
    rows.append((vlab, word(lang, "total"), N, 100.0, 100.0,
                 100.0 if pop is not None else np.nan))
    return rows


def weighting_tables(run: SurveyRun, lang: str = "en") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(achieved vs target margins, summary of the weights).

    Without weighting the margins table is empty and the summary describes
    the equal weights.
    """
    return _margins_table(run, lang), _weights_summary(run, lang)


def _margins_table(run: SurveyRun, lang: str) -> pd.DataFrame:
    inst = run.instrument
    wr = run.weighting
    if wr is None:
        return pd.DataFrame(columns=[word(lang, "variable"), word(lang, "level"), "n"])
    m = wr.margins

    def lab(row: pd.Series) -> str:
        v, lv = str(row["variable"]), str(row["level"])
        if inst.has_variable(v) and lv in inst.levels(v):
            return inst.label(v, lv, lang)
        return word(lang, "not_stated") if lv.startswith("(") else lv

    return pd.DataFrame({
        word(lang, "variable"): [inst.label(v, None, lang) if inst.has_variable(v) else v
                                 for v in m["variable"].astype(str)],
        word(lang, "level"): [lab(r) for _, r in m.iterrows()],
        "n": m["n"].astype(int).to_numpy(),
        "% sample": 100 * m["sample_share"].to_numpy(dtype=float),
        "% target": 100 * m["target_share"].to_numpy(dtype=float),
        "% achieved": 100 * m["achieved_share"].to_numpy(dtype=float),
        "difference (points)": 100 * (m["achieved_share"] - m["target_share"]).to_numpy(
            dtype=float),
    })


def _no_weighting(run: SurveyRun, lang: str = "en") -> str:
    """The method row without weighting: the base weights declared, or none."""
    base = getattr(run.declared, "weights", None)
    if not base:
        return "none (unweighted)"
    form = "none (base weights {base}, not calibrated)"
    return word_or(lang, form, "weights_summary", form).format(base=base)


def _weights_summary(run: SurveyRun, lang: str) -> pd.DataFrame:
    """One row per statistic; numbers stay numbers (their display format per row is in
    :func:`weights_summary_formats`), so a workbook stores them as numbers."""
    wr = run.weighting
    w = run.data["weight"].to_numpy(dtype=float)
    d = wr.diagnostics if wr is not None else weight_diagnostics(w)
    items = [(label, value) for label, value, _ in _summary_items(wr, d, _no_weighting(run, lang))]
    if lang != "en":        # the statistics' names and word values in the word table
        items = [(word_or(lang, k, "weights_summary", k),
                  word_or(lang, v, "weights_summary", v) if isinstance(v, str) else v)
                 for k, v in items]
    frame = pd.DataFrame(items, columns=[word(lang, "statistic"), word(lang, "value")])
    frame[word(lang, "value")] = frame[word(lang, "value")].astype(object)
    return frame


def _summary_items(wr, d, unweighted: str = "none (unweighted)"
                   ) -> list[tuple[str, object, str]]:
    """(statistic, value, format) rows of the weights summary; ``unweighted`` is the
    method row when no weighting ran."""
    weighted = wr is not None
    return [
        ("Method", wr.method if weighted else unweighted, "text"),
        ("Converged", ("yes" if wr.converged else "NO") if weighted else None, "text"),
        ("Iterations", int(wr.iterations) if weighted else None, "int"),
        ("Largest relative margin error", float(wr.max_margin_error) if weighted else None,
         "sci"),
        ("Respondents weighted (non-zero weight)", int(d["n"]), "count"),
        ("Respondents with weight 0 (excluded from weighting)", int(d["n_zero"]), "count"),
        ("Sum of weights (population)", float(d["sum"]), "count"),
        ("Mean weight", float(d["mean"]), "f2"),
        ("Smallest weight", float(d["min"]), "f3"),
        ("Largest weight", float(d["max"]), "f3"),
        ("Largest / smallest weight", float(d["max_min_ratio"]), "f1"),
        ("Coefficient of variation of the weights", float(d["cv"]), "f3"),
        ("Design effect of weighting (Kish), n Σw² / (Σw)²", float(d["deff_kish"]), "f3"),
        ("Effective sample size, (Σw)² / Σw²", float(d["ess"]), "f1"),
        ("Share of weights trimmed (%)", 100 * float(d["share_trimmed"]), "pct"),
    ]


def weights_summary_formats(lang: str = "en") -> dict[str, tuple[str, ...]]:
    """Per-row display formats of the "Value" column of the weights summary
    (:class:`~survey_kit.tables.document.Table` ``formats``).

    >>> weights_summary_formats()["Value"][:4]
    ('text', 'text', 'int', 'sci')
    """
    d = {k: 0.0 for k in ("n", "n_zero", "sum", "mean", "min", "max", "max_min_ratio", "cv",
                          "deff_kish", "ess", "share_trimmed")}
    return {word(lang, "value"): tuple(f for _, _, f in _summary_items(None, d))}


def codebook_table(run: SurveyRun) -> pd.DataFrame:
    """Every variable with its codes and labels (readable headers per language:
    :func:`codebook_headers`).

    Variables the report derives read ``(derived)`` in the export-column
    column; the duration's row names its unit ("duration in minutes"). The
    Japanese columns appear only when the questionnaire holds Japanese text:
    an English-only survey gets no empty "Text (Japanese)" column.

    >>> from survey_kit.report.run import prepare
    >>> run = prepare("questionnaires/japan_creators_2024.yaml",
    ...               "sample_data/japan_creators_2024_raw.csv")
    >>> codebook_table(run).columns.tolist()[:5]
    ['question', 'variable', 'column', 'type', 'text']
    """
    cb = run.instrument.codebook()
    ids = {d.id for d in run.spec.derived} | {grid_net_id(h) for h in run.spec.headlines
                                              if h.net is not None}
    cb.loc[cb["question"].isin(ids), "column"] = "(derived)"
    cb["code"] = pd.array([None if v is None or (not isinstance(v, str) and pd.isna(v))
                           else v if isinstance(v, str)          # a text code (UKC)
                           else int(v) if float(v).is_integer() else v
                           for v in cb["code"]], dtype=object)
    if not (cb["text_ja"].notna().any() or cb["label_ja"].notna().any()):
        cb = cb.drop(columns=["text_ja", "label_ja"])
    return cb


def int_formats(frame: pd.DataFrame) -> dict[str, str]:
    """Display formats of a frame's numeric columns: integers as "int", shares as "pct",
    other floats with one decimal ("f1")."""
    out = {}
    for c in frame.columns:
        key = str(c[-1] if isinstance(c, tuple) else c)
        if pd.api.types.is_integer_dtype(frame[c].dtype):
            out[key] = "int"
        elif pd.api.types.is_float_dtype(frame[c].dtype):
            out[key] = "pct" if ("%" in key or "pct" in key or "share" in key) else "f1"
    return out


# ---------------------------------------------------------------------------
# data quality: the flow, the overlap and the review list as the appendix shows them
# ---------------------------------------------------------------------------

def rule_label(run: SurveyRun, rule: str, fallback: str, lang: str) -> str:
    """A cleaning rule's name in ``lang``: a trap's or rule's ``label_ja`` from the
    questionnaire, a built-in rule's from the word table, else ``fallback``."""
    if lang != "ja":
        return fallback
    q = run.questionnaire
    for item in (*q.quality.traps, *q.quality.rules):
        if item.id == rule and getattr(item, "label_ja", None):
            return item.label_ja
    return word_or(lang, rule, "rules", fallback)


def word_or(lang: str, key: str, group: str, fallback: str) -> str:
    """The word ``key`` of ``group`` in ``lang``, or ``fallback`` when there is none."""
    from ..instrument.labels import WORDS

    return WORDS[group].get(lang, {}).get(key, fallback)


def flow_display(flow: pd.DataFrame, run: SurveyRun, lang: str = "en") -> pd.DataFrame:
    """The exclusion flow with rule names, actions and statuses in ``lang``."""
    out = flow.copy()
    out["label"] = [rule_label(run, str(r), str(lab), lang)
                    for r, lab in zip(flow["rule"], flow["label"])]
    for col in ("action", "status"):
        out[col] = [word_or(lang, str(v), "flow_values", str(v)) if pd.notna(v) else ""
                    for v in flow[col]]
    return out


def flow_headers(lang: str) -> dict[str, str | None]:
    """Readable headers of the exclusion flow (the rule id and, in Japanese, the English
    criterion are not shown; both stay in ``tables/exclusion_flow.csv``)."""
    heads: dict[str, str | None] = {
        k: word(lang, f"flow_{k}") for k in ("step", "label", "action", "status", "n_flagged",
                                             "n_removed", "n_remaining", "pct_of_start",
                                             "parameter")}
    heads["rule"] = None
    if lang == "ja":
        heads["parameter"] = None
    return heads


def overlap_display(overlap: pd.DataFrame, run: SurveyRun, lang: str = "en") -> pd.DataFrame:
    """The overlap of rules with numbered rows ("3. Duplicate respondent id") and the numbers
    as column heads, so the square table stays narrow."""
    flow = run.cleaning.flow.set_index("rule")
    names = [str(r) for r in overlap.index]
    num = {r: str(int(flow.loc[r, "step"])) if r in flow.index else r for r in names}
    lab = {r: rule_label(run, r, str(flow.loc[r, "label"]) if r in flow.index else r, lang)
           for r in names}
    out = overlap.copy()
    out.index = pd.Index([f"{num[r]}. {lab[r]}" for r in names], name=word(lang, "rule"))
    out.columns = [num.get(str(c), str(c)) for c in overlap.columns]
    return out


def margins_headers(lang: str, mark: str = "") -> dict[str, str | None]:
    """Headers of the achieved-vs-target table (``mark``: " (illustrative)" for targets)."""
    return {"% sample": word(lang, "pct_sample"), "% target": word(lang, "pct_target") + mark,
            "% achieved": word(lang, "pct_achieved"), "difference (points)": word(lang, "diff")}


def codebook_headers(lang: str, japanese: bool = True) -> dict[str, str | None]:
    """Headers of the codebook: one language's wording (Japanese beside English labels);
    ``japanese=False``: the questionnaire has no Japanese text, so the English is shown."""
    heads: dict[str, str | None] = {
        "question": None, "variable": word(lang, "variable"), "column": word(lang, "cb_column"),
        "type": word(lang, "cb_type"), "code": word(lang, "cb_code"),
        "key": word(lang, "cb_key")}
    if lang == "ja" and japanese:
        heads |= {"text": None, "label": None, "text_ja": word(lang, "cb_text"),
                  "label_ja": word(lang, "cb_label")}
    else:
        heads |= {"text": word(lang, "cb_text"), "text_ja": None,
                  "label": word(lang, "cb_label"), "label_ja": word(lang, "cb_label_ja")}
    return heads


def review_rules(run: SurveyRun) -> list[str]:
    """The cleaning rules applied with action "review" (flagged, kept)."""
    flow = run.cleaning.flow
    if not {"action", "status", "rule"} <= set(flow.columns):
        return []
    hit = (flow["action"].astype(str) == "review") & (flow["status"].astype(str) == "applied")
    return [str(r) for r in flow.loc[hit, "rule"]]


def review_flags(run: SurveyRun, index: pd.Index) -> pd.DataFrame:
    """One boolean column ``review_<rule>`` per review rule, for the respondents ``index``."""
    flags = run.cleaning.flags
    cols = {f"review_{r}": flags[r].reindex(index).fillna(False).astype(bool)
            for r in review_rules(run) if r in flags.columns}
    return pd.DataFrame(cols, index=index)


def review_table(run: SurveyRun, lang: str = "en") -> pd.DataFrame:
    """Every kept respondent flagged by a review rule: id, the rules, what they measured."""
    rules = review_rules(run)
    flags = run.cleaning.flags
    kept = run.data.index
    rows = []
    flow = run.cleaning.flow.set_index("rule")
    for rid in kept:
        hit = [r for r in rules if r in flags.columns and bool(flags.at[rid, r])]
        if not hit:
            continue
        detail = []
        for r in hit:
            for c in flags.columns:
                if c.startswith(f"{r}_") and pd.notna(flags.at[rid, c]):
                    v = flags.at[rid, c]
                    name = word_or(lang, c, "measures", c)
                    detail.append(f"{name} = {v:.2f}" if isinstance(v, float)
                                  else f"{name} = {v}")
        rows.append((str(rid), "; ".join(rule_label(run, r, str(flow.loc[r, "label"]), lang)
                                         for r in hit), "; ".join(detail)))
    return pd.DataFrame(rows, columns=[word(lang, "respondent"), word(lang, "reasons"),
                                       word(lang, "detail")])
