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

__all__ = ["codebook_table", "composition_table", "int_formats", "weighting_tables"]


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


def _weights_summary(run: SurveyRun, lang: str) -> pd.DataFrame:
    wr = run.weighting
    w = run.data["weight"].to_numpy(dtype=float)
    d = wr.diagnostics if wr is not None else weight_diagnostics(w)
    items = [
        ("Method", wr.method if wr is not None else "none (unweighted)"),
        ("Converged", ("yes" if wr.converged else "NO") if wr is not None else ""),
        ("Iterations", str(wr.iterations) if wr is not None else ""),
        ("Largest relative margin error",
         f"{wr.max_margin_error:.2e}" if wr is not None else ""),
        ("Respondents weighted (non-zero weight)", f"{int(d['n'])}"),
        ("Respondents with weight 0 (excluded from weighting)", f"{int(d['n_zero'])}"),
        ("Sum of weights (population)", f"{d['sum']:,.0f}"),
        ("Mean weight", f"{d['mean']:,.2f}"),
        ("Smallest weight", f"{d['min']:,.3f}"),
        ("Largest weight", f"{d['max']:,.3f}"),
        ("Largest / smallest weight", f"{d['max_min_ratio']:,.1f}"),
        ("Coefficient of variation of the weights", f"{d['cv']:.3f}"),
        ("Design effect of weighting (Kish), n Σw² / (Σw)²", f"{d['deff_kish']:.3f}"),
        ("Effective sample size, (Σw)² / Σw²", f"{d['ess']:.1f}"),
        ("Share of weights trimmed", f"{100 * d['share_trimmed']:.1f}%"),
    ]
    return pd.DataFrame(items, columns=[word(lang, "statistic"), word(lang, "value")])


def codebook_table(run: SurveyRun) -> pd.DataFrame:
    """Every variable with its codes and labels, English and Japanese.

    Variables the report derives read ``(derived)`` in the ``column`` column.
    """
    cb = run.instrument.codebook()
    ids = {d.id for d in run.spec.derived} | {grid_net_id(h) for h in run.spec.headlines
                                              if h.net is not None}
    cb.loc[cb["question"].isin(ids), "column"] = "(derived)"
    cb["code"] = pd.array([None if v is None or (not isinstance(v, str) and pd.isna(v))
                           else v if isinstance(v, str)          # a text code (UKC)
                           else int(v) if float(v).is_integer() else v
                           for v in cb["code"]], dtype=object)
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
