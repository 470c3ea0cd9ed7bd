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
121 100.0
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

__all__ = ["CODEBOOK_HEADERS", "codebook_table", "composition_table", "int_formats",
           "weighting_tables", "weights_summary_formats"]


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
        return pd.DataFrame(columns=["variable", "level", "n"])
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


def _no_weighting(run: SurveyRun) -> str:
    """The method row without weighting: the base weights declared, or none."""
    base = getattr(run.declared, "weights", None)
    return f"none (base weights {base}, not calibrated)" if base else "none (unweighted)"


def _weights_summary(run: SurveyRun, lang: str) -> pd.DataFrame:
    """One row per statistic; numbers stay numbers (their display format per row is in
    :func:`weights_summary_formats`), so a workbook stores them as numbers."""
    wr = run.weighting
    w = run.data["weight"].to_numpy(dtype=float)
    d = wr.diagnostics if wr is not None else weight_diagnostics(w)
    items = [(label, value) for label, value, _ in _summary_items(wr, d, _no_weighting(run))]
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


#: readable headers of the codebook's columns (en, ja)
CODEBOOK_HEADERS: dict[str, tuple[str, str]] = {
    "question": ("Question", "設問"), "variable": ("Variable", "変数"),
    "column": ("Export column", "データ列"), "type": ("Type", "種類"),
    "text": ("Text", "設問文（英語）"), "text_ja": ("Text (Japanese)", "設問文"),
    "code": ("Code", "コード"), "key": ("Key", "キー"),
    "label": ("Label", "ラベル（英語）"), "label_ja": ("Label (Japanese)", "ラベル"),
}


def codebook_table(run: SurveyRun, lang: str = "en") -> pd.DataFrame:
    """Every variable with its codes and labels, under readable headers.

    Variables the report derives read ``(derived)`` in the export-column
    column; the duration's row names its unit ("duration in minutes"). The
    Japanese columns appear only when the questionnaire holds Japanese text:
    an English-only survey gets no empty "Text (Japanese)" column.

    >>> from survey_kit.report.run import prepare
    >>> run = prepare("questionnaires/japan_creators_2024.yaml",
    ...               "sample_data/japan_creators_2024_raw.csv")
    >>> codebook_table(run).columns.tolist()[:5]
    ['Question', 'Variable', 'Export column', 'Type', 'Text']
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
    k = 1 if lang == "ja" else 0
    return cb.rename(columns={c: CODEBOOK_HEADERS[c][k] for c in cb.columns})


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
