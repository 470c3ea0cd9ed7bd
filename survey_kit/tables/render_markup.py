"""A banner table as markup: Markdown (pipe table), HTML (inline-styled ``<table>``) and
LaTeX (booktabs), each drawn from the shared :func:`~survey_kit.tables.layout.layout`.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> tab = sk.crosstab(pd.DataFrame({"a": list("xyxy") * 5, "g": list("pqpq") * 5}), "a", "g")
>>> print(render_markdown(tab).splitlines()[4])
|  | Total | p (A) | q (B) |
>>> print(render_latex(tab).splitlines()[4])
\\begin{tabular}{lrrr}
"""

from __future__ import annotations

import html as _html
from typing import Any

from ..instrument.labels import words as label_words
from .layout import Layout, Line, cell_text, layout

__all__ = ["render_html", "render_latex", "render_markdown", "tex"]


def _md(s: str) -> str:
    return (str(s).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
            .replace("_", "\\_").replace("\n", " "))


def render_markdown(ct: Any) -> str:
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
            cells = [_md(cell_text(ln, j)) for j in range(K)]
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
    "notes": "margin:0.3em 0 0 0;max-width:48em;line-height:1.3",
}


def render_html(ct: Any) -> str:
    """A self-contained HTML ``<table>`` (inline styles): the title in its caption, each
    block's tests once, in a row under the block, and the notes in a paragraph under the
    table."""
    lay = layout(ct)
    out = [f'<table class="sk-crosstab" style="{_CSS["table"]}">',
           f'<caption style="{_CSS["caption"]}"><strong>{_h(lay.title)}</strong></caption>',
           "<thead>"] + _html_head(lay) + ["</thead>"]
    K = len(lay.col_labels)
    for sec in lay.sections:
        out.append(f'<tbody class="sk-block" data-block="{_h(sec.name)}">')
        out.append(f'<tr><th colspan="{K + 1}" scope="rowgroup" style="{_CSS["block"]}">'
                   f"{_h(sec.title)}</th></tr>")
        for ln in sec.lines:
            base = ln.kind.startswith("base")
            cells = [_html_cell(ln, j, base, bool(sec.low[j])) for j in range(K)]
            lab = f"<em>{_h(ln.label)}</em>" if base else _h(ln.label)
            out.append(f'<tr class="sk-{ln.kind}"><th scope="row" style="{_CSS["rowhead"]}">'
                       f"{lab}</th>" + "".join(cells) + "</tr>")
        for t in sec.tests:
            out.append(f'<tr class="sk-test"><td colspan="{K + 1}" style="{_CSS["test"]}">'
                       f"{_h(t)}</td></tr>")
        out.append("</tbody>")
    out.append("</table>")
    out += _html_notes(lay)
    return "\n".join(out) + "\n"


def _html_notes(lay: Layout) -> list[str]:
    """Notes and warnings, under the table."""
    if not (lay.notes or lay.warnings):
        return []
    warn = label_words(lay.lang, "table")["warning"]
    items = [f'<small class="sk-note">{_h(note)}</small>' for note in lay.notes]
    items += [f'<small class="sk-warning">{_h(warn)}: {_h(w)}</small>' for w in lay.warnings]
    return [f'<p class="sk-notes" style="{_CSS["notes"]}">' + "<br>".join(items) + "</p>"]


def _html_head(lay: Layout) -> list[str]:
    """Header rows: banner groups, column labels, letters (one row without a banner)."""
    th = _CSS["th"]
    K = len(lay.col_labels)
    if not lay.groups:
        return [f'<tr><th style="{th}"></th><th scope="col" style="{th}">'
                f"{_h(lay.col_labels[0])}</th></tr>"]
    row = [f'<th rowspan="3" style="{th}"></th>',
           f'<th rowspan="2" style="{th}">{_h(lay.col_labels[0])}</th>']
    for label, _, span in lay.groups:
        row.append(f'<th colspan="{span}" scope="colgroup" style="{th}">{_h(label)}</th>')
    return ["<tr>" + "".join(row) + "</tr>",
            "<tr>" + "".join(f'<th scope="col" style="{th}">{_h(lay.col_labels[j])}</th>'
                             for j in range(1, K)) + "</tr>",
            "<tr>" + "".join(f'<th style="{th}">{_h(lay.col_letters[j])}</th>'
                             for j in range(K)) + "</tr>"]


def _html_cell(ln: Line, j: int, base: bool, low: bool) -> str:
    """One ``<td>``: letters as superscript, bases in italics, low-base columns grey."""
    style = _CSS["base"] if base else _CSS["td"]
    if low and not base:
        style += ";" + _CSS["low"]
    text = _h(ln.texts[j])
    if ln.letters[j]:
        text += f"<sup>{_h(ln.letters[j])}</sup>"
    if base:
        text = f"<em>{text}</em>"
    return f'<td style="{style}">{text}</td>'


# ---------------------------------------------------------------------------
# LaTeX
# ---------------------------------------------------------------------------

_TEX = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
        "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def tex(s: Any) -> str:
    """Escape LaTeX special characters (the banner renderer's set)."""
    return "".join(_TEX.get(ch, ch) for ch in str(s))


def render_latex(ct: Any) -> str:
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
