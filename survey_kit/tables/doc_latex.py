"""Appendix tables and documents as LaTeX: booktabs tables (``longtable`` when long) and a
complete document for ``lualatex``.

Example
-------
>>> import pandas as pd
>>> from survey_kit.tables.document import Table
>>> print(tex_escape("50% of R&D_x"))
50\\% of R\\&D\\_x
>>> print(table_latex(Table("demo", "Demo", pd.DataFrame({"n": [3]}))).splitlines()[5])
\\toprule
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..errors import ReportError
from .document import Table, cell_texts, display_frame, header_rows, header_spans, numeric_columns

__all__ = ["LONG_TABLE_ROWS", "latex_document", "table_latex", "tex_escape"]


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
                "±": r"$\pm$", "×": r"$\times$", "Σ": r"$\Sigma$", "²": r"\textsuperscript{2}",
                "–": "--"}
_TEX_RE = re.compile("|".join(re.escape(k) for k in _TEX_SPECIAL))


def tex_escape(text: Any) -> str:
    """Escape LaTeX special characters in plain text."""
    return _TEX_RE.sub(lambda m: _TEX_SPECIAL[m.group()], str(text))


#: tables with more rows than this become a ``longtable`` (breaks across pages)
LONG_TABLE_ROWS = 40


def table_latex(table: Table) -> str:
    """One table as booktabs LaTeX: a ``table`` float, or a ``longtable`` when long.

    Text columns with long entries get a paragraph column (``p{...}``) so
    they wrap; tables with many columns are set in a smaller font.
    """
    frame = display_frame(table)
    heads = header_rows(frame)
    numeric = numeric_columns(frame)
    cells = cell_texts(table, frame)
    specs = []
    for j, num in enumerate(numeric):
        longest = max([len(r[j]) for r in cells] + [0])
        specs.append("r" if num else (r"p{4.2cm}" if longest > 40 else "l"))
    spec = "".join(specs)
    size = r"\scriptsize" if frame.shape[1] > 8 else r"\small"
    label = rf"\label{{tab:{re.sub(r'[^A-Za-z0-9]', '-', table.name)}}}"
    caption = rf"\caption{{{tex_escape(table.title)}}}"
    long = len(frame) > LONG_TABLE_ROWS
    head: list[str] = [r"\toprule"]
    parents: list[str] | None = None
    for level, row in enumerate(heads):
        hcells, rules, col = [], [], 0
        for text, span in header_spans(row, parents):
            if span > 1:
                hcells.append(rf"\multicolumn{{{span}}}{{c}}{{{tex_escape(text)}}}")
                rules.append(rf"\cmidrule(lr){{{col + 1}-{col + span}}}")
            else:
                hcells.append(tex_escape(text))
            col += span
        head.append(" & ".join(hcells) + r" \\")
        if rules and level < len(heads) - 1:
            head.append("".join(rules))
        parents = ["\x1f".join(r[j] for r in heads[: level + 1]) for j in range(len(row))]
    head.append(r"\midrule")
    body = [" & ".join(tex_escape(c) for c in row) + r" \\" for row in cells]
    notes = r"\\ ".join(tex_escape(n) for n in table.notes)
    if long:
        lines = ["{" + size, rf"\begin{{longtable}}{{{spec}}}", caption + label + r" \\"]
        lines += head + [r"\endhead", r"\bottomrule", r"\endfoot"] + body
        lines += [r"\end{longtable}", "}"]
        if notes:
            lines.append(r"{\footnotesize " + notes + "}\n\\medskip")
        return "\n".join(lines) + "\n"
    lines = [r"\begin{table}[htbp]", r"\centering" + size, caption, label,
             rf"\begin{{tabular}}{{{spec}}}"] + head + body + [r"\bottomrule", r"\end{tabular}"]
    if notes:
        lines += [r"\par\smallskip\begin{minipage}{\linewidth}\footnotesize", notes,
                  r"\end{minipage}"]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def latex_document(title: str, parts: Sequence[tuple[str, Any]], lang: str = "en",
                   intro: Sequence[str] = ()) -> str:
    """A complete LaTeX document (booktabs tables, figures by relative path).

    Compile with ``lualatex``: the preamble loads ``luatexja`` because
    codebooks and labels may hold Japanese text whatever ``lang`` is
    (``lang`` only tags the document).
    """
    pre = [f"% survey_kit appendix ({lang}); compile with: lualatex <file>.tex",
           r"\documentclass[11pt]{article}", r"\usepackage{luatexja}"]
    pre += [r"\usepackage{booktabs}", r"\usepackage{longtable}", r"\usepackage{graphicx}",
            r"\usepackage[margin=2cm,landscape]{geometry}", r"\usepackage{float}",
            rf"\title{{{tex_escape(title)}}}", r"\date{}", r"\begin{document}", r"\maketitle"]
    body = [tex_escape(p) + "\n" for p in intro]
    for kind, item in parts:
        if kind == "h2":
            body.append(rf"\section*{{{tex_escape(item)}}}")
        elif kind == "p":
            body.append(tex_escape(item) + "\n")
        elif kind == "table":
            body.append(table_latex(item))
        elif kind == "object":
            body.append(item[1].to_latex())
        elif kind == "figure":
            fig, rel = item
            body += [r"\begin{figure}[htbp]", r"\centering",
                     rf"\includegraphics[width=0.9\linewidth]{{{rel}}}",
                     rf"\caption{{{tex_escape(fig.caption)}}}", r"\end{figure}", ""]
        else:  # pragma: no cover
            raise ReportError(f"unknown document part {kind!r}")
    body.append(r"\clearpage")
    return "\n".join(pre + body + [r"\end{document}"]) + "\n"
