"""Rendering of :class:`~survey_kit.tables.crosstab.Crosstab`: terminal text, Markdown, HTML,
LaTeX (booktabs) and the sheet of an XLSX workbook (openpyxl).

Every format is built from one layout (:func:`layout`): the header (banner
variables, their levels and letters) and, per block, the lines of the table
(percentages or means with their letters, optional CIs or SEs, the three
bases and the test lines). Output is deterministic.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> from survey_kit.tables.crosstab_render import render_markdown
>>> df = pd.DataFrame({"a": list("xyxy") * 5, "g": list("ppqq") * 5})
>>> print(render_markdown(sk.crosstab(df, "a", "g")).splitlines()[4])
|  | Total | p (A) | q (B) |
"""

from __future__ import annotations

import html as _html
import math
import textwrap
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..instrument.labels import words as label_words

__all__ = [
    "layout",
    "render_html",
    "render_latex",
    "render_markdown",
    "render_text",
    "write_crosstab_sheet",
]

DASH = "-"


# ---------------------------------------------------------------------------
# the layout shared by all formats
# ---------------------------------------------------------------------------

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
    title: str
    groups: list                    # (label, first column index, span) over value columns
    col_labels: list
    col_letters: list
    sections: list
    notes: list
    warnings: list = field(default_factory=list)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def fmt_pct(v: float) -> str:
    return f"{v:.1f}"


def fmt_count(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.1f}"


def fmt_mean(v: float) -> str:
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_p(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "p = n/a"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def _test_sentence(t: pd.Series, prefix: str) -> str:
    if t["method"] == "not computed":
        return f"{prefix}no test ({t['warnings']})"
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


def layout(ct) -> Layout:
    """The table as lines of formatted values (shared by every renderer)."""

    words = label_words(ct.lang, "table")
    cols = ct.columns
    K = len(cols)
    groups = []
    bv = cols["banner_variable"].tolist()
    j = 1
    while j < K:
        k = j
        while k < K and bv[k] == bv[j]:
            k += 1
        groups.append((str(cols["banner_label"].iloc[j]), j, k - j))
        j = k
    multi_banner = len(groups) > 1
    banner_label = {b: str(lab) for b, lab in zip(bv, cols["banner_label"])}
    cells = ct.cells
    sections = []
    for _, blk in ct.blocks.iterrows():
        bc = cells[cells["block"] == blk["block"]]
        nrow = len(bc) // K
        lines: list[Line] = []
        for r in range(nrow):
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
                    lines.append(_ci_line(rc, empty, fmt_mean, K, words))
                continue
            zero = rc["unweighted_count"].to_numpy() == 0
            src = rc["count"] if ct.percent == "none" else rc["percent"]
            vals = [None if (e or z) else _num(v) for v, e, z in zip(src, empty, zero)]
            f = fmt_count if ct.percent == "none" else fmt_pct
            lines.append(Line("row", lab, vals, [DASH if v is None else f(v) for v in vals],
                              [lt if v is not None else "" for lt, v in zip(letters, vals)],
                              "count" if ct.percent == "none" else "pct", kind))
            if ct.ci:
                lines.append(_ci_line(rc, empty | zero, f, K, words))
        first = bc.iloc[:K]
        low = first["low_base"].to_numpy(dtype=bool)
        bu = first["unweighted_base"].to_numpy()
        label_u = words["base_u"] if ct.weighted else words["base"]
        lines.append(Line("base_u", label_u, [float(x) for x in bu],
                          [f"{int(x):,}" + ("*" if lo else "") for x, lo in zip(bu, low)],
                          [""] * K, "int"))
        if ct.weighted:
            bw = first["weighted_base"].to_numpy(dtype=float)
            be = first["effective_base"].to_numpy(dtype=float)
            lines.append(Line("base_w", words["base_w"], list(bw), [fmt_count(x) for x in bw],
                              [""] * K, "float"))
            lines.append(Line("base_e", words["base_e"], list(be), [fmt_count(x) for x in be],
                              [""] * K, "float"))
        tests = []
        bt = ct.tests[ct.tests["block"] == blk["block"]]
        multi_row = bt["row_variable"].nunique() > 1
        for _, t in bt.iterrows():
            parts = []
            if multi_row:
                opt = bc[bc["row_variable"] == t["row_variable"]]["row_label"]
                parts.append(str(opt.iloc[0]) if len(opt) else str(t["row_variable"]))
            if multi_banner:
                parts.append(banner_label.get(t["banner_variable"], str(t["banner_variable"])))
            prefix = " / ".join(parts) + ": " if parts else ""
            tests.append(_test_sentence(t, prefix))
        sections.append(Section(str(blk["block"]), str(blk["label"]), lines, tests, low))
    return Layout(ct.title, groups, [str(x) for x in cols["column_label"]],
                  [f"({x})" if x else "" for x in cols["column_letter"]], sections,
                  list(ct.notes), list(ct.warnings))


def _ci_line(rc: pd.DataFrame, blank: np.ndarray, f, K: int, words: dict) -> Line:
    lo = rc["ci_low"].to_numpy(dtype=float)
    hi = rc["ci_high"].to_numpy(dtype=float)
    texts = []
    for a, b, e in zip(lo, hi, blank):
        texts.append("" if e or not (np.isfinite(a) and np.isfinite(b)) else f"[{f(a)}, {f(b)}]")
    return Line("ci", words["ci"], [None] * K, texts, [""] * K, "ci")


def _cell(line: Line, j: int, sep: str = " ") -> str:
    t = line.texts[j]
    return t + (sep + line.letters[j] if line.letters[j] else "")


# ---------------------------------------------------------------------------
# terminal text
# ---------------------------------------------------------------------------

def _dw(s: str) -> int:
    """Display width in a terminal (East Asian wide characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _wrap(s: str, width: int) -> list[str]:
    if _dw(s) <= width:
        return [s]
    if any(unicodedata.east_asian_width(ch) in "WF" for ch in s):
        out, cur = [], ""
        for ch in s:
            if _dw(cur + ch) > width:
                out.append(cur)
                cur = ch
            else:
                cur += ch
        return out + ([cur] if cur else [])
    return textwrap.wrap(s, width) or [s]


def _rjust(s: str, width: int) -> str:
    return " " * max(0, width - _dw(s)) + s


def _ljust(s: str, width: int) -> str:
    return s + " " * max(0, width - _dw(s))


def _center(s: str, width: int) -> str:
    pad = max(0, width - _dw(s))
    return " " * (pad // 2) + s + " " * (pad - pad // 2)


def render_text(ct) -> str:
    """Plain-text table for the terminal."""
    lay = layout(ct)
    K = len(lay.col_labels)
    head_w = 14
    heads = [_wrap(lab, head_w) for lab in lay.col_labels]
    widths = []
    for j in range(K):
        w = max(_dw(x) for x in heads[j] + [lay.col_letters[j]])
        for sec in lay.sections:
            for ln in sec.lines:
                w = max(w, _dw(_cell(ln, j)))
        widths.append(max(w, 5))
    # make room for the group labels
    for label, start, span in lay.groups:
        have = sum(widths[start:start + span]) + 2 * (span - 1)
        need = _dw(label)
        if need > have:
            extra = need - have
            for k in range(extra):
                widths[start + k % span] += 1
    lab_w = 12
    for sec in lay.sections:
        lab_w = max(lab_w, min(44, _dw(sec.title)))
        for ln in sec.lines:
            lab_w = max(lab_w, min(42, _dw(ln.label)) + 2)
    gap = "  "
    out = [lay.title, ""]
    # group header
    if lay.groups:
        labels = [" " * lab_w, " " * widths[0]]
        rules = list(labels)
        for label, start, span in lay.groups:
            w = sum(widths[start:start + span]) + len(gap) * (span - 1)
            labels.append(_center(label, w))
            rules.append("-" * w)
        out.append(gap.join(labels).rstrip())
        out.append(gap.join(rules).rstrip())
    nh = max(len(h) for h in heads)
    for i in range(nh):
        row = [" " * lab_w]
        for j in range(K):
            h = heads[j]
            k = i - (nh - len(h))
            row.append(_rjust(h[k] if k >= 0 else "", widths[j]))
        out.append(gap.join(row).rstrip())
    out.append(gap.join([" " * lab_w] + [_rjust(lay.col_letters[j], widths[j])
                                          for j in range(K)]).rstrip())
    total_w = lab_w + sum(widths) + len(gap) * K
    out.append("=" * total_w)
    for sec in lay.sections:
        out.append(sec.title)
        for ln in sec.lines:
            if ln.kind == "base_u":
                out.append("  " + "-" * (total_w - 2))
            labs = _wrap(ln.label, lab_w - 2)
            cells = [_rjust(_cell(ln, j), widths[j]) for j in range(K)]
            out.append(gap.join([_ljust("  " + labs[0], lab_w)] + cells).rstrip())
            for more in labs[1:]:
                out.append("    " + more)
        for t in sec.tests:
            for k, part in enumerate(_wrap(t, total_w - 2)):
                out.append(("  " if k == 0 else "    ") + part)
        out.append("")
    out.append("-" * total_w)
    for note in lay.notes:
        out += _wrap(note, total_w)
    for w in lay.warnings:
        out += _wrap("Warning: " + w, total_w)
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------

def _md(s: str) -> str:
    return (str(s).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
            .replace("_", "\\_").replace("\n", " "))


def render_markdown(ct) -> str:
    """A Markdown pipe table: block titles in bold rows, bases in italics, tests and notes below."""
    lay = layout(ct)
    K = len(lay.col_labels)
    out = [f"**{_md(lay.title)}**", ""]
    if lay.groups:
        parts = []
        for label, start, span in lay.groups:
            a, b = lay.col_letters[start].strip("()"), lay.col_letters[start + span - 1].strip("()")
            parts.append(f"{a}-{b}: {_md(label)}" if span > 1 else f"{a}: {_md(label)}")

        word = label_words(ct.lang, "table")["columns"]
        out += [f"{word} " + "; ".join(parts) + ".", ""]
    head = [""] + [_md(lab) + (f" {lay.col_letters[j]}" if lay.col_letters[j] else "")
                   for j, lab in enumerate(lay.col_labels)]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + ":--|" + "--:|" * K)
    for sec in lay.sections:
        out.append("| " + " | ".join([f"**{_md(sec.title)}**"] + [""] * K) + " |")
        for ln in sec.lines:
            cells = [_md(_cell(ln, j)) for j in range(K)]
            if ln.kind.startswith("base"):
                cells = [f"*{c}*" if c else c for c in cells]
                label = f"*{_md(ln.label)}*"
            else:
                label = _md(ln.label)
            out.append("| " + " | ".join([label] + cells) + " |")
    out.append("")
    for sec in lay.sections:
        for t in sec.tests:
            title = f"{sec.title}: " if len(lay.sections) > 1 else ""
            out.append(f"- {_md(title + t)}")
    out.append("")
    for note in lay.notes:
        out.append(f"*{_md(note)}*  ")
    for w in lay.warnings:
        out.append(f"*Warning: {_md(w)}*  ")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

def _h(s: Any) -> str:
    return _html.escape(str(s), quote=True)


_CSS = {
    "table": "border-collapse:collapse;font-family:sans-serif;font-size:0.9em;"
             "font-variant-numeric:tabular-nums",
    "caption": "caption-side:top;text-align:left;padding:0 0 0.5em 0",
    "th": "padding:0.2em 0.6em;border-bottom:1px solid #999;text-align:center;"
          "vertical-align:bottom",
    "td": "padding:0.15em 0.6em;text-align:right",
    "rowhead": "padding:0.15em 0.6em;text-align:left;font-weight:normal",
    "block": "padding:0.5em 0.6em 0.15em 0.6em;text-align:left;border-top:1px solid #999",
    "base": "padding:0.15em 0.6em;text-align:right;font-style:italic;color:#555",
    "test": "padding:0.1em 0.6em 0.4em 0.6em;text-align:left;font-size:0.85em;color:#333",
    "low": "color:#999",
}


def render_html(ct) -> str:
    """A self-contained HTML ``<table>`` (inline styles) with the tests and notes in its caption."""
    lay = layout(ct)
    K = len(lay.col_labels)
    cap = [f"<strong>{_h(lay.title)}</strong>"]
    for sec in lay.sections:
        for t in sec.tests:
            title = f"{sec.title}: " if len(lay.sections) > 1 else ""
            cap.append(f'<span class="sk-test">{_h(title + t)}</span>')
    for note in lay.notes:
        cap.append(f'<small class="sk-note">{_h(note)}</small>')
    for w in lay.warnings:
        cap.append(f'<small class="sk-warning">Warning: {_h(w)}</small>')
    out = [f'<table class="sk-crosstab" style="{_CSS["table"]}">',
           f'<caption style="{_CSS["caption"]}">' + "<br>".join(cap) + "</caption>",
           "<thead>"]
    th = _CSS["th"]
    if lay.groups:
        row = [f'<th rowspan="3" style="{th}"></th>',
               f'<th rowspan="2" style="{th}">{_h(lay.col_labels[0])}</th>']
        for label, _, span in lay.groups:
            row.append(f'<th colspan="{span}" scope="colgroup" style="{th}">{_h(label)}</th>')
        out.append("<tr>" + "".join(row) + "</tr>")
        out.append("<tr>" + "".join(f'<th scope="col" style="{th}">{_h(lay.col_labels[j])}</th>'
                                    for j in range(1, K)) + "</tr>")
        out.append("<tr>" + "".join(f'<th style="{th}">{_h(lay.col_letters[j])}</th>'
                                    for j in range(K)) + "</tr>")
    else:
        out.append(f'<tr><th style="{th}"></th><th scope="col" style="{th}">'
                   f"{_h(lay.col_labels[0])}</th></tr>")
    out.append("</thead>")
    for sec in lay.sections:
        out.append(f'<tbody class="sk-block" data-block="{_h(sec.name)}">')
        out.append(f'<tr><th colspan="{K + 1}" scope="rowgroup" style="{_CSS["block"]}">'
                   f"{_h(sec.title)}</th></tr>")
        for ln in sec.lines:
            base = ln.kind.startswith("base")
            cells = []
            for j in range(K):
                style = _CSS["base"] if base else _CSS["td"]
                if sec.low[j] and not base:
                    style += ";" + _CSS["low"]
                text = _h(ln.texts[j])
                if ln.letters[j]:
                    text += f"<sup>{_h(ln.letters[j])}</sup>"
                if base:
                    text = f"<em>{text}</em>"
                cells.append(f'<td style="{style}">{text}</td>')
            lab = f"<em>{_h(ln.label)}</em>" if base else _h(ln.label)
            out.append(f'<tr class="sk-{ln.kind}"><th scope="row" style="{_CSS["rowhead"]}">'
                       f"{lab}</th>" + "".join(cells) + "</tr>")
        for t in sec.tests:
            out.append(f'<tr class="sk-test"><td colspan="{K + 1}" style="{_CSS["test"]}">'
                       f"{_h(t)}</td></tr>")
        out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------

_TEX = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
        "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def tex(s: Any) -> str:
    return "".join(_TEX.get(ch, ch) for ch in str(s))


def render_latex(ct) -> str:
    """A ``table`` float with a booktabs ``tabular``; tests as table rows, notes below."""
    lay = layout(ct)
    K = len(lay.col_labels)
    out = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{tex(lay.title)}}}", r"\small",
           r"\begin{tabular}{l" + "r" * K + "}", r"\toprule"]
    if lay.groups:
        row = ["", ""]
        rules = []
        for label, start, span in lay.groups:
            row.append(rf"\multicolumn{{{span}}}{{c}}{{{tex(label)}}}")
            rules.append(rf"\cmidrule(lr){{{start + 2}-{start + span + 1}}}")
        out.append(" & ".join(row) + r" \\")
        out.append(" ".join(rules))
    out.append(" & ".join([""] + [tex(x) for x in lay.col_labels]) + r" \\")
    if any(lay.col_letters):
        out.append(" & ".join([""] + [tex(x) for x in lay.col_letters]) + r" \\")
    out.append(r"\midrule")
    for s, sec in enumerate(lay.sections):
        if s:
            out.append(r"\midrule")
        out.append(rf"\multicolumn{{{K + 1}}}{{l}}{{\textbf{{{tex(sec.title)}}}}} \\")
        for ln in sec.lines:
            base = ln.kind.startswith("base")
            if ln.kind == "base_u":
                out.append(r"\addlinespace")
            cells = []
            for j in range(K):
                c = tex(ln.texts[j])
                if ln.letters[j]:
                    c += rf"\textsuperscript{{{tex(ln.letters[j])}}}"
                if base and c:
                    c = rf"\textit{{{c}}}"
                cells.append(c)
            label = rf"\textit{{{tex(ln.label)}}}" if base else r"\quad " + tex(ln.label)
            out.append(" & ".join([label] + cells) + r" \\")
        for t in sec.tests:
            out.append(rf"\multicolumn{{{K + 1}}}{{l}}{{\footnotesize {tex(t)}}} \\")
    out += [r"\bottomrule", r"\end{tabular}"]
    notes = lay.notes + [f"Warning: {w}" for w in lay.warnings]
    if notes:
        out.append(r"\par\smallskip")
        out.append(r"\parbox{\linewidth}{\footnotesize " + r" \\ ".join(tex(x) for x in notes)
                   + "}")
    out.append(r"\end{table}")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------

_XLFMT = {"pct": "0.0%", "count": "#,##0", "mean": "0.00", "se": "(0.00)", "int": "#,##0",
          "float": "#,##0"}


def write_crosstab_sheet(ws: Any, ct: Any) -> None:
    """Fill an empty openpyxl worksheet with a banner table.

    Bold title and headers (banner groups merged), percentages as Excel
    percentages, letters in a sub-row, bases in italics, columns with a low
    base in grey, tests and notes below. Workbooks are written by
    :func:`survey_kit.tables.document.write_workbook`, which calls this for every
    Crosstab.
    """
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    lay = layout(ct)
    K = len(lay.col_labels)
    bold = Font(bold=True)
    thin = Side(style="thin")
    ws.cell(row=1, column=1, value=lay.title).font = Font(bold=True, size=12)
    r = 3
    if lay.groups:
        for label, start, span in lay.groups:
            c = ws.cell(row=r, column=start + 2, value=label)
            c.font = bold
            c.alignment = Alignment(horizontal="center", wrap_text=True)
            if span > 1:
                ws.merge_cells(start_row=r, start_column=start + 2, end_row=r,
                               end_column=start + span + 1)
        r += 1
    for j, lab in enumerate(lay.col_labels):
        c = ws.cell(row=r, column=j + 2, value=lab)
        c.font = bold
        c.alignment = Alignment(horizontal="center", wrap_text=True, vertical="bottom")
    r += 1
    for j, lt in enumerate(lay.col_letters):
        if lt:
            c = ws.cell(row=r, column=j + 2, value=lt)
            c.font = bold
            c.alignment = Alignment(horizontal="center")
    for j in range(K + 1):
        ws.cell(row=r, column=j + 1).border = Border(bottom=thin)
    r += 1
    ws.freeze_panes = ws.cell(row=r, column=2)
    grey = "FF808080"
    for sec in lay.sections:
        ws.cell(row=r, column=1, value=sec.title).font = bold
        r += 1
        for ln in sec.lines:
            base = ln.kind.startswith("base")
            lab = ws.cell(row=r, column=1, value=ln.label)
            lab.alignment = Alignment(indent=1)
            if base:
                lab.font = Font(italic=True)
            for j in range(K):
                v = ln.values[j]
                if ln.kind == "ci":
                    val: Any = ln.texts[j] or None
                elif v is None:
                    val = DASH if ln.kind == "row" else None
                elif ln.fmt == "pct":
                    val = v / 100.0
                else:
                    val = v
                if val is None:
                    continue
                c = ws.cell(row=r, column=j + 2, value=val)
                c.alignment = Alignment(horizontal="right")
                if isinstance(val, float):
                    c.number_format = _XLFMT.get(ln.fmt, "General")
                color = grey if sec.low[j] else None
                c.font = Font(italic=base, color=color, bold=base and ln.kind == "base_u"
                              and bool(sec.low[j]))
            r += 1
            if ln.kind == "row" and ct.letters and any(ln.letters):
                for j in range(K):
                    if ln.letters[j]:
                        c = ws.cell(row=r, column=j + 2, value=ln.letters[j])
                        c.font = Font(size=8, color="FF1F4E79")
                        c.alignment = Alignment(horizontal="right")
                ws.cell(row=r, column=1).value = None
                r += 1
        for t in sec.tests:
            ws.cell(row=r, column=1, value=t).font = Font(size=9)
            r += 1
        r += 1
    for j in range(K + 1):
        ws.cell(row=r - 1, column=j + 1).border = Border(top=thin)
    for note in lay.notes + [f"Warning: {w}" for w in lay.warnings]:
        ws.cell(row=r, column=1, value=note).font = Font(italic=True, size=9)
        r += 1
    if any(sec.low.any() for sec in lay.sections):
        ws.cell(row=r, column=1, value=f"Grey: unweighted base below {ct.min_base}.").font = \
            Font(italic=True, size=9, color=grey)
    lab_w = max([len(lay.title) // 3, 12] + [min(60, len(ln.label) + 2)
                                              for s in lay.sections for ln in s.lines]
                + [min(60, len(s.title)) for s in lay.sections])
    ws.column_dimensions["A"].width = lab_w
    for j in range(K):
        w = max(10, min(24, len(lay.col_labels[j]) + 2))
        ws.column_dimensions[get_column_letter(j + 2)].width = w
