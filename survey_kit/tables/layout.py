"""The layout every renderer of a banner table draws: header groups, formatted lines, tests.

:func:`layout` reads a computed :class:`~survey_kit.tables.result.Crosstab`
(it receives the result; it never imports the code that computed it) and
returns a :class:`Layout`: the title, the banner groups over the value columns,
the column labels and letters, and per block a :class:`Section` of
:class:`Line` objects (percentages or means with their letters, optional CIs
or SEs, the three bases) and the test sentences. Every format -- text,
Markdown, HTML, LaTeX, XLSX -- draws the same layout, so they agree.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> tab = sk.crosstab(pd.DataFrame({"a": list("xyxy") * 5, "g": list("pqpq") * 5}), "a", "g")
>>> lay = layout(tab)
>>> lay.col_labels, lay.col_letters
(['Total', 'p', 'q'], ['', '(A)', '(B)'])
>>> [(ln.label, ln.texts) for ln in lay.sections[0].lines[:2]]
[('x', ['50.0', '100.0', '0.0']), ('y', ['50.0', '0.0', '100.0'])]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..instrument.labels import words as label_words

__all__ = ["DASH", "Layout", "Line", "Section", "cell_text", "fmt_count", "fmt_mean", "fmt_p",
           "fmt_pct", "layout", "skip_reason"]

DASH = "-"


@dataclass
class Line:
    """One line of the table body."""

    kind: str                       # row, ci, se, base_u, base_w, base_e
    label: str
    values: list                    # per column: float (or None for a dash / blank)
    texts: list                     # per column: formatted text (no letters)
    letters: list                   # per column: letters ("" if none)
    fmt: str = "pct"                # pct, count, mean, se, ci, int, float
    row_kind: str = ""
    bounds: list = field(default_factory=list)  # ci: per column (low, high), or None
    bound_fmt: str = ""             # ci: the format of the bounds (pct, count or mean)


@dataclass
class Section:
    """One block: title, lines, test lines."""

    name: str
    title: str
    lines: list
    tests: list                     # formatted test sentences
    low: np.ndarray                 # per column: low base


@dataclass
class Layout:
    """The whole table: title, banner groups, column heads, sections, notes, warnings."""

    title: str
    groups: list                    # (label, first column index, span) over value columns
    col_labels: list
    col_letters: list
    sections: list
    notes: list
    warnings: list = field(default_factory=list)
    lang: str = "en"


def _num(v: Any) -> float | None:
    """A finite float, or None."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def fmt_pct(v: float) -> str:
    """A percentage: one decimal."""
    return f"{v:.1f}"


def fmt_count(v: float) -> str:
    """A count or base: thousands separators from 10 on."""
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.1f}"


def fmt_mean(v: float) -> str:
    """A mean: fewer decimals as it grows."""
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_p(p: float) -> str:
    """A p-value for a test sentence."""
    if p is None or not np.isfinite(p):
        return "p = n/a"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def skip_reason(reason: str, lang: str = "en") -> str:
    """Why a test was not computed, in ``lang`` (a reason the word table does not know
    stays as given)."""
    words = label_words(lang, "table")
    m = re.fullmatch(r"fewer than 2 levels with respondents \((\d+) x (\d+)\)", str(reason))
    if m:
        return words["few_levels"].format(nr=m.group(1), nc=m.group(2))
    return str(reason)


def _test_sentence(t: pd.Series, prefix: str, lang: str = "en") -> str:
    """A test as a sentence: statistic, df, p-value, Cramer's V."""
    if t["method"] == "not computed":
        words = label_words(lang, "table")
        return f"{prefix}{words['no_test']}（{skip_reason(t['warnings'], lang)}）" \
            if lang == "ja" else f"{prefix}no test ({t['warnings']})"
    stat = t["statistic"]
    if t["method"] == "Pearson chi-square":
        core = f"Pearson chi-square = {stat:.2f}, df = {t['df1']:.0f}"
    elif t["method"] == "Rao-Scott F":
        core = f"Rao-Scott F({t['df1']:.2f}, {t['df2']:.1f}) = {stat:.2f}"
    elif t["method"] == "One-way ANOVA F":
        core = f"ANOVA F({t['df1']:.0f}, {t['df2']:.0f}) = {stat:.2f}"
    else:
        core = f"Wald F({t['df1']:.0f}, {t['df2']:.0f}) = {stat:.2f}"
    out = f"{prefix}{core}, {fmt_p(t['pvalue'])}"
    if _num(t["cramers_v"]) is not None:
        out += f"; Cramer's V = {t['cramers_v']:.2f}"
    return out


def layout(ct: Any) -> Layout:
    """The table as lines of formatted values (shared by every renderer)."""
    cols = ct.columns
    bv = cols["banner_variable"].tolist()
    groups = _banner_spans(bv, cols["banner_label"].tolist())
    banner_label = {b: str(lab) for b, lab in zip(bv, cols["banner_label"])}
    sections = []
    for _, blk in ct.blocks.iterrows():
        bc = ct.cells[ct.cells["block"] == blk["block"]]
        lines = _value_lines(ct, bc, len(cols)) + _base_lines(ct, bc.iloc[:len(cols)])
        tests = _test_lines(ct.tests[ct.tests["block"] == blk["block"]], bc, banner_label,
                            multi_banner=len(groups) > 1, lang=getattr(ct, "lang", "en"))
        low = bc.iloc[:len(cols)]["low_base"].to_numpy(dtype=bool)
        sections.append(Section(str(blk["block"]), str(blk["label"]), lines, tests, low))
    return Layout(ct.title, groups, [str(x) for x in cols["column_label"]],
                  [f"({x})" if x else "" for x in cols["column_letter"]], sections,
                  list(ct.notes), _warnings(ct, banner_label), getattr(ct, "lang", "en"))


def _warnings(ct: Any, banner_label: dict) -> list[str]:
    """The table's warnings; in Japanese the tests not computed are said from the test
    records (the warnings the computation gave are English)."""
    lang = getattr(ct, "lang", "en")
    if lang != "ja":
        return list(ct.warnings)
    words = label_words(lang, "table")
    out = [w for w in ct.warnings if not str(w).startswith("no test for ")]
    for _, t in ct.tests[ct.tests["method"] == "not computed"].iterrows():
        rows = ct.cells.loc[ct.cells["row_variable"] == t["row_variable"], "row_label"]
        rl = str(rows.iloc[0]) if len(rows) else str(t["row_variable"])
        bl = banner_label.get(t["banner_variable"], str(t["banner_variable"]))
        out.append(f"{rl}×{bl}：{words['no_test']}（{skip_reason(t['warnings'], lang)}）")
    return out


def _banner_spans(bv: list, labels: list) -> list[tuple[str, int, int]]:
    """(label, first column, span) of each banner variable (column 0 is Total)."""
    groups = []
    j, K = 1, len(bv)
    while j < K:
        k = j
        while k < K and bv[k] == bv[j]:
            k += 1
        groups.append((str(labels[j]), j, k - j))
        j = k
    return groups


def _value_lines(ct: Any, bc: pd.DataFrame, K: int) -> list[Line]:
    """The lines of the rows of one block: values with letters, then SEs or CIs."""
    words = label_words(ct.lang, "table")
    lines: list[Line] = []
    for r in range(len(bc) // K):
        rc = bc.iloc[r * K:(r + 1) * K]
        kind = rc["row_kind"].iloc[0]
        lab = str(rc["row_label"].iloc[0])
        empty = (rc["unweighted_base"].to_numpy() == 0)
        letters = [str(x) for x in rc["letters"]]
        if kind == "mean":
            vals = [None if e else _num(v) for v, e in zip(rc["mean"], empty)]
            lines.append(Line("row", lab, vals,
                              [DASH if v is None else fmt_mean(v) for v in vals],
                              letters, "mean", kind))
            ses = [None if e else _num(v) for v, e in zip(rc["se"], empty)]
            lines.append(Line("se", words["se"], ses,
                              ["" if v is None else f"({fmt_mean(v)})" for v in ses],
                              [""] * K, "se", kind))
            if ct.ci:
                lines.append(_ci_line(rc, empty, fmt_mean, K, words, "mean"))
            continue
        zero = rc["unweighted_count"].to_numpy() == 0
        src = rc["count"] if ct.percent == "none" else rc["percent"]
        # a true zero (nobody gave the answer, the base is not empty) reads 0.0, not "-"
        vals = [None if e else 0.0 if z else _num(v) for v, e, z in zip(src, empty, zero)]
        f = fmt_count if ct.percent == "none" else fmt_pct
        lines.append(Line("row", lab, vals, [DASH if v is None else f(v) for v in vals],
                          [lt if v is not None else "" for lt, v in zip(letters, vals)],
                          "count" if ct.percent == "none" else "pct", kind))
        if ct.ci:
            lines.append(_ci_line(rc, empty | zero, f, K, words,
                                  "count" if ct.percent == "none" else "pct"))
    return lines


def _base_lines(ct: Any, first: pd.DataFrame) -> list[Line]:
    """The unweighted base (marked * when low) and, when weighted, the weighted and
    effective bases."""
    words = label_words(ct.lang, "table")
    K = len(first)
    low = first["low_base"].to_numpy(dtype=bool)
    bu = first["unweighted_base"].to_numpy()
    label_u = words["base_u"] if ct.weighted else words["base"]
    lines = [Line("base_u", label_u, [float(x) for x in bu],
                  [f"{int(x):,}" + ("*" if lo else "") for x, lo in zip(bu, low)],
                  [""] * K, "int")]
    if ct.weighted:
        bw = first["weighted_base"].to_numpy(dtype=float)
        be = first["effective_base"].to_numpy(dtype=float)
        lines.append(Line("base_w", words["base_w"], list(bw), [fmt_count(x) for x in bw],
                          [""] * K, "float"))
        lines.append(Line("base_e", words["base_e"], list(be), [fmt_count(x) for x in be],
                          [""] * K, "float"))
    return lines


def _test_lines(bt: pd.DataFrame, bc: pd.DataFrame, banner_label: dict,
                multi_banner: bool, lang: str = "en") -> list[str]:
    """One sentence per test of a block, prefixed by the option and banner when several."""
    tests = []
    multi_row = bt["row_variable"].nunique() > 1
    for _, t in bt.iterrows():
        parts = []
        if multi_row:
            opt = bc[bc["row_variable"] == t["row_variable"]]["row_label"]
            parts.append(str(opt.iloc[0]) if len(opt) else str(t["row_variable"]))
        if multi_banner:
            parts.append(banner_label.get(t["banner_variable"], str(t["banner_variable"])))
        prefix = " / ".join(parts) + ": " if parts else ""
        tests.append(_test_sentence(t, prefix, lang))
    return tests


def _ci_line(rc: pd.DataFrame, blank: np.ndarray, f, K: int, words: dict,
             bound_fmt: str) -> Line:
    """The confidence intervals of a row, as ``[lo, hi]`` texts and as numbers."""
    lo = rc["ci_low"].to_numpy(dtype=float)
    hi = rc["ci_high"].to_numpy(dtype=float)
    texts, bounds = [], []
    for a, b, e in zip(lo, hi, blank):
        shown = not e and np.isfinite(a) and np.isfinite(b)
        texts.append(f"[{f(a)}, {f(b)}]" if shown else "")
        bounds.append((float(a), float(b)) if shown else None)
    return Line("ci", words["ci"], [None] * K, texts, [""] * K, "ci", bounds=bounds,
                bound_fmt=bound_fmt)


def cell_text(line: Line, j: int, sep: str = " ") -> str:
    """The text of column ``j`` of ``line`` with its letters after ``sep``."""
    t = line.texts[j]
    return t + (sep + line.letters[j] if line.letters[j] else "")
