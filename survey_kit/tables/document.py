"""Writers of appendix tables: Markdown, HTML, LaTeX (booktabs) and XLSX.

A :class:`Table` is a titled DataFrame with notes and per-column number
formats. The writers here turn one table (or a list of them) into text or a
workbook; they know nothing about surveys. Numbers stay numbers in the
workbook (formatted with Excel number formats), and are formatted once, the
same way, in the text formats. :func:`write_workbook` is the one XLSX writer
of the package: ``Crosstab.to_excel`` and ``Appendix.to_excel`` both use it,
and it hands each banner table to
:func:`survey_kit.tables.crosstab_render.write_crosstab_sheet`.

Example
-------
>>> import pandas as pd
>>> from survey_kit.tables.document import Table, table_markdown
>>> t = Table("demo", "Demo", pd.DataFrame({"level": ["a", "b"], "n": [3, 5],
...                                           "%": [37.5, 62.5]}),
...           formats={"n": "int", "%": "pct"})
>>> print(table_markdown(t))
### Demo
<BLANKLINE>
| level | n | % |
|:--|--:|--:|
| a | 3 | 37.5 |
| b | 5 | 62.5 |
<BLANKLINE>

Notes
-----
Output is deterministic: the same tables give byte-identical Markdown,
HTML and LaTeX (no dates, no random ids), so a report can be diffed between
runs. Every file is written atomically (:mod:`survey_kit._files`).
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import atomic_write
from ..errors import ReportError

__all__ = [
    "FigureDoc",
    "Table",
    "display_frame",
    "format_value",
    "html_page",
    "latex_document",
    "markdown_document",
    "md_escape",
    "table_html",
    "table_latex",
    "table_markdown",
    "tex_escape",
    "write_sheet",
    "write_workbook",
]

#: number formats understood by the writers: text format and Excel format
FORMATS: dict[str, tuple[str, str]] = {
    "int": ("{:.0f}", "0"),
    "pct": ("{:.1f}", "0.0"),
    "f1": ("{:.1f}", "0.0"),
    "f2": ("{:.2f}", "0.00"),
    "f3": ("{:.3f}", "0.000"),
    "f4": ("{:.4f}", "0.0000"),
    "p": ("{:.4f}", "0.0000"),
    "text": ("{}", "@"),
}


@dataclass(frozen=True, eq=False)
class Table:
    """A titled table ready to render.

    Parameters
    ----------
    name : str
        Identifier, also the sheet name and anchor (letters, digits, ``_``).
    title : str
        Caption shown above the table.
    frame : pandas.DataFrame
        The values. A non-default index is shown as leading columns; a
        column MultiIndex becomes a multi-row header.
    notes : tuple of str
        Lines printed under the table (bases, tests, formulas, warnings).
    formats : mapping
        Column (its last header level) -> one of :data:`FORMATS`. Unlisted
        columns: integers as ``int``, floats with one decimal, others as text.
    section : str
        Heading of the appendix section the table belongs to.
    """

    name: str
    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=dict)
    section: str = ""


@dataclass(frozen=True, eq=False)
class FigureDoc:
    """A drawn figure: PNG bytes, SVG text, its caption and where it was saved."""

    name: str
    title: str
    caption: str
    png: bytes
    svg: str
    alt: str = ""


# ---------------------------------------------------------------------------
# values


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)):
        return math.isnan(v)
    return False


def format_value(v: Any, fmt: str | None = None) -> str:
    """Format one cell: missing -> ``""``; numbers by ``fmt`` (see :data:`FORMATS`)."""
    if _is_missing(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)) and fmt != "text":
        return str(int(v))
    if isinstance(v, (int, float, np.integer, np.floating)):
        if fmt is None:
            fmt = "f1"
        if fmt == "text":
            return f"{v:g}"
        if fmt == "p" and 0 < float(v) < 1e-4:
            return f"{float(v):.1e}"
        text = FORMATS.get(fmt, FORMATS["f1"])[0].format(float(v))
        return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text
    if isinstance(v, (_dt.date, pd.Timestamp)):
        return v.isoformat()[:10]
    return str(v)


def _fmt_of(table: Table, col: Any) -> str | None:
    key = col[-1] if isinstance(col, tuple) else col
    return table.formats.get(str(key))


def display_frame(table: Table) -> pd.DataFrame:
    """The frame with its index shown as leading columns (repeats blanked)."""
    frame = table.frame
    if not isinstance(frame, pd.DataFrame):
        raise ReportError(f"table {table.name!r} holds a {type(frame).__name__}, "
                          "not a DataFrame")
    idx = frame.index
    default = isinstance(idx, pd.RangeIndex) and idx.name is None
    if default:
        return frame
    names = [n if n is not None else "" for n in idx.names]
    nlev = frame.columns.nlevels
    out = frame.copy()
    out.index = pd.RangeIndex(len(out))
    values = [idx.get_level_values(i) for i in range(idx.nlevels)]
    lead = {}
    for i, (name, vals) in enumerate(zip(names, values)):
        col = list(map(_cell_text, vals))
        if i < idx.nlevels - 1:  # blank repeats of outer levels
            col = [c if j == 0 or c != col[j - 1] else "" for j, c in enumerate(col)]
        lead[("",) * (nlev - 1) + (name,) if nlev > 1 else name] = col
    for k in reversed(list(lead)):
        out.insert(0, k, lead[k], allow_duplicates=True)
    return out


def _cell_text(v: Any) -> str:
    return format_value(v, "text")


def _header_rows(frame: pd.DataFrame) -> list[list[str]]:
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        return [[str(c[i]) if not _is_missing(c[i]) else "" for c in cols]
                for i in range(cols.nlevels)]
    return [[str(c) for c in cols]]


def _spans(row: list[str], parents: list[str] | None) -> list[tuple[str, int]]:
    """Run-length groups of equal adjacent header cells (not crossing parent groups)."""
    out: list[tuple[str, int]] = []
    for j, cell in enumerate(row):
        same_parent = parents is None or (j > 0 and parents[j] == parents[j - 1])
        if out and j > 0 and cell == row[j - 1] and same_parent and cell != "":
            out[-1] = (cell, out[-1][1] + 1)
        else:
            out.append((cell, 1))
    return out


def _cells(table: Table, frame: pd.DataFrame) -> list[list[str]]:
    fmts = [_fmt_of(table, c) for c in frame.columns]
    cols = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
    return [[format_value(cols[j][i], fmts[j]) for j in range(len(cols))]
            for i in range(len(frame))]


def _numeric_cols(frame: pd.DataFrame) -> list[bool]:
    """Right-align columns of numbers (numeric dtype, or objects that are all numbers)."""
    out = []
    for j in range(frame.shape[1]):
        s = frame.iloc[:, j]
        if pd.api.types.is_bool_dtype(s.dtype):
            out.append(False)
        elif pd.api.types.is_numeric_dtype(s.dtype):
            out.append(True)
        else:
            vals = [v for v in s.tolist() if not _is_missing(v)]
            out.append(bool(vals) and all(isinstance(v, (int, float, np.integer, np.floating))
                                          and not isinstance(v, (bool, np.bool_))
                                          for v in vals))
    return out


# ---------------------------------------------------------------------------
# Markdown


_MD_UNDERSCORES = re.compile(r"_+")


def _md_underscores(m: re.Match) -> str:
    s, a, b = m.string, m.start(), m.end()
    inside_word = a > 0 and b < len(s) and s[a - 1].isalnum() and s[b].isalnum()
    return m.group() if inside_word else m.group().replace("_", "\\_")


def md_escape(text: Any) -> str:
    """Escape text for a Markdown table cell, heading or emphasised note (CommonMark).

    Backslashes, pipes and asterisks are escaped, and underscores that could
    open or close emphasis (not inside a word: ``size_class`` stays as it
    is, ``_raw_id`` becomes ``\\_raw_id``); a newline becomes a space. So a
    note such as ``* Unweighted base below 30`` keeps its asterisk when the
    note is set in italics (``*\\* Unweighted ...*``).
    """
    text = (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
            .replace("\n", " "))
    return _MD_UNDERSCORES.sub(_md_underscores, text)


def table_markdown(table: Table, level: int = 3) -> str:
    """One table as a GitHub-flavoured Markdown pipe table with title and notes."""
    frame = display_frame(table)
    heads = _header_rows(frame)
    if len(heads) > 1:  # flatten: join non-blank, non-repeated header parts
        flat = []
        for j in range(frame.shape[1]):
            parts: list[str] = []
            for row in heads:
                if row[j] and (not parts or parts[-1] != row[j]):
                    parts.append(row[j])
            flat.append(" / ".join(parts))
        head = flat
    else:
        head = heads[0]
    align = ["--:" if num else ":--" for num in _numeric_cols(frame)]
    lines = [f"{'#' * level} {md_escape(table.title)}", ""]
    lines.append("| " + " | ".join(md_escape(h) for h in head) + " |")
    lines.append("|" + "|".join(align) + "|")
    for row in _cells(table, frame):
        lines.append("| " + " | ".join(md_escape(c) for c in row) + " |")
    if table.notes:
        lines.append("")
        lines.extend(f"*{md_escape(n)}*  " if i < len(table.notes) - 1 else f"*{md_escape(n)}*"
                     for i, n in enumerate(table.notes))
    lines.append("")
    return "\n".join(lines)


def markdown_document(title: str, parts: Sequence[tuple[str, Any]], intro: Sequence[str] = ()
                      ) -> str:
    """Join sections into one Markdown document.

    ``parts`` is a sequence of ``(kind, item)``: ``("h2", text)``, ``("p", text)``,
    ``("table", Table)``, ``("object", (name, obj))`` for an object that renders
    itself (``to_markdown()``, ``to_html()``, ``to_latex()``, e.g. a Crosstab),
    ``("figure", (FigureDoc, relative_png_path))``.
    """
    out = [f"# {md_escape(title)}", ""]
    out.extend(line for p in intro for line in (p, ""))
    for kind, item in parts:
        if kind == "h2":
            out += [f"## {md_escape(item)}", ""]
        elif kind == "p":
            out += [str(item), ""]
        elif kind == "table":
            out.append(table_markdown(item))
        elif kind == "object":  # anything that renders itself (e.g. a Crosstab)
            name, obj = item
            out += [f'<a id="{name}"></a>', "", obj.to_markdown().rstrip("\n"), ""]
        elif kind == "figure":
            fig, rel = item
            out += [f"![{md_escape(fig.alt or fig.title)}]({rel})", "",
                    f"*{md_escape(fig.caption)}*", ""]
        else:  # pragma: no cover - programming error
            raise ReportError(f"unknown document part {kind!r}")
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------------------
# HTML

_CSS = """
body{font-family:-apple-system,"Segoe UI","Hiragino Sans","Noto Sans JP","Yu Gothic",
Helvetica,Arial,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1f2328;
line-height:1.45}
h1{font-size:1.7rem;border-bottom:2px solid #444;padding-bottom:.3rem}
h2{font-size:1.3rem;margin-top:2.5rem;border-bottom:1px solid #bbb}
h3{font-size:1.05rem;margin:1.6rem 0 .4rem}
nav ul{columns:2;font-size:.9rem}
table{border-collapse:collapse;font-size:.85rem;margin:.3rem 0 .4rem;
font-variant-numeric:tabular-nums}
thead th{border-bottom:1px solid #333;vertical-align:bottom}
thead tr:first-child th{border-top:2px solid #333}
tbody tr:last-child td{border-bottom:2px solid #333}
th,td{padding:.18rem .55rem;text-align:left}
td.num,th.num{text-align:right}
th.group{text-align:center;border-bottom:1px solid #999}
tbody tr:nth-child(even){background:#f6f8fa}
p.note{font-size:.8rem;color:#555;margin:.1rem 0}
figure{margin:1.2rem 0}
div.obj{margin:1.6rem 0 .6rem;overflow-x:auto}
div.obj caption{font-size:.85rem}
figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.8rem;color:#444}
.warn{color:#8a4b00}
"""


def _h(text: Any) -> str:
    return _html.escape(str(text), quote=True)


def table_html(table: Table) -> str:
    """One table as an HTML ``<table>`` with caption-like heading and notes."""
    frame = display_frame(table)
    heads = _header_rows(frame)
    numeric = _numeric_cols(frame)
    anchor = re.sub(r"[^A-Za-z0-9_-]", "_", table.name)
    out = [f'<h3 id="{anchor}">{_h(table.title)}</h3>', "<table>", "<thead>"]
    parents: list[str] | None = None
    for level, row in enumerate(heads):
        last = level == len(heads) - 1
        cells = []
        col = 0
        for text, span in _spans(row, parents):
            cls = "group" if span > 1 else ("num" if last and numeric[col] else "")
            attr = (f' colspan="{span}"' if span > 1 else "") + (f' class="{cls}"' if cls else "")
            cells.append(f"<th{attr}>{_h(text)}</th>")
            col += span
        out.append("<tr>" + "".join(cells) + "</tr>")
        parents = ["\x1f".join(r[j] for r in heads[: level + 1]) for j in range(len(row))]
    out += ["</thead>", "<tbody>"]
    for row in _cells(table, frame):
        tds = "".join(f'<td class="num">{_h(c)}</td>' if numeric[j] else f"<td>{_h(c)}</td>"
                      for j, c in enumerate(row))
        out.append(f"<tr>{tds}</tr>")
    out += ["</tbody>", "</table>"]
    out += [f'<p class="note">{_h(n)}</p>' for n in table.notes]
    return "\n".join(out) + "\n"


def html_page(title: str, parts: Sequence[tuple[str, Any]], lang: str = "en",
              intro: Sequence[str] = ()) -> str:
    """A complete, self-contained HTML page (inline CSS, figures as base64 PNG).

    ``parts`` as in :func:`markdown_document`; a figure item is a
    :class:`FigureDoc` (or ``(FigureDoc, path)``), embedded as a data URI so the
    page needs no other file and no network.
    """
    import base64

    toc = []
    body = []
    for kind, item in parts:
        if kind == "h2":
            anchor = "s" + str(len(toc) + 1)
            toc.append(f'<li><a href="#{anchor}">{_h(item)}</a></li>')
            body.append(f'<h2 id="{anchor}">{_h(item)}</h2>')
        elif kind == "p":
            body.append(f"<p>{_h(item)}</p>")
        elif kind == "table":
            body.append(table_html(item))
        elif kind == "object":
            name, obj = item
            body.append(f'<div class="obj" id="{_h(name)}">\n{obj.to_html()}</div>')
        elif kind == "figure":
            fig = item[0] if isinstance(item, tuple) else item
            data = base64.b64encode(fig.png).decode("ascii")
            body.append(f'<figure id="{_h(fig.name)}"><img alt="{_h(fig.alt or fig.title)}" '
                        f'src="data:image/png;base64,{data}">'
                        f"<figcaption>{_h(fig.caption)}</figcaption></figure>")
        else:  # pragma: no cover - programming error
            raise ReportError(f"unknown document part {kind!r}")
    intro_html = "".join(f"<p>{_h(p)}</p>" for p in intro)
    return ("<!DOCTYPE html>\n"
            f'<html lang="{_h(lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_h(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{_h(title)}</h1>\n{intro_html}\n"
            f'<nav><ul>{"".join(toc)}</ul></nav>\n' + "\n".join(body) + "\n</body>\n</html>\n")


# ---------------------------------------------------------------------------
# LaTeX

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
    heads = _header_rows(frame)
    numeric = _numeric_cols(frame)
    cells = _cells(table, frame)
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
        for text, span in _spans(row, parents):
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


# ---------------------------------------------------------------------------
# XLSX


def _sheet_names(names: Iterable[str]) -> list[str]:
    """Excel-safe, unique sheet names (max 31 chars, no []:*?/\\, no quote at either end)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'")[:31] or "Sheet"
        cand, k = base, 2
        while cand.lower() in seen:
            suffix = f"~{k}"
            cand = base[: 31 - len(suffix)] + suffix
            k += 1
        seen.add(cand.lower())
        out.append(cand)
    return out


def _excel_value(v: Any) -> Any:
    """A cell value openpyxl can store: numbers stay numbers, unknown objects become text."""
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if not isinstance(v, (int, float, str, bool, _dt.date)):
        return str(v)
    return v


def _table_sheet(ws: Any, table: Table) -> None:
    """A titled table: bold title, multi-row header with merged groups, formats, notes."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    thick = Side(style="medium")
    frame = display_frame(table)
    heads = _header_rows(frame)
    ncol = frame.shape[1]
    ws.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=12)
    r0 = 3
    parents: list[str] | None = None
    for level, row in enumerate(heads):
        col = 1
        for text, span in _spans(row, parents):
            c = ws.cell(row=r0 + level, column=col, value=text or None)
            c.font = Font(bold=True)
            c.alignment = Alignment(horizontal="center" if span > 1 else "general",
                                    wrap_text=True, vertical="bottom")
            if span > 1:
                ws.merge_cells(start_row=r0 + level, start_column=col,
                               end_row=r0 + level, end_column=col + span - 1)
            col += span
        parents = ["\x1f".join(r[j] for r in heads[: level + 1]) for j in range(len(row))]
    hdr_last = r0 + len(heads) - 1
    for j in range(1, ncol + 1):
        ws.cell(row=r0, column=j).border = Border(top=thick)
        ws.cell(row=hdr_last, column=j).border = Border(
            bottom=thin, top=thick if hdr_last == r0 else None)
    fmts = [_fmt_of(table, c) for c in frame.columns]
    widths = [max(len(h[j]) for h in heads) for j in range(ncol)]
    first = hdr_last + 1
    for i in range(len(frame)):
        for j in range(ncol):
            v = frame.iat[i, j]
            if _is_missing(v):
                continue
            v = _excel_value(v)
            c = ws.cell(row=first + i, column=j + 1, value=v)
            fmt = fmts[j]
            if isinstance(v, float):
                c.number_format = FORMATS.get(fmt or "f1", FORMATS["f1"])[1]
            elif isinstance(v, int) and not isinstance(v, bool):
                c.number_format = "0"
            if isinstance(v, str) and len(v) > 60:
                c.alignment = Alignment(wrap_text=True, vertical="top")
            widths[j] = max(widths[j], min(len(format_value(v, fmt)), 60))
    last = first + len(frame) - 1
    if len(frame):
        for j in range(1, ncol + 1):
            ws.cell(row=last, column=j).border = Border(bottom=thick)
    for k, note in enumerate(table.notes):
        ws.cell(row=last + 2 + k, column=1, value=note).font = Font(italic=True, size=9)
    for j, wdt in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(6, min(wdt + 2, 62))
    ws.freeze_panes = ws.cell(row=first, column=1)


def _data_sheet(ws: Any, frame: pd.DataFrame) -> None:
    """An untitled frame as data: bold header in row 1 (frozen), values as they are."""
    from openpyxl.styles import Font

    if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
        frame = frame.reset_index()
    for j, name in enumerate(frame.columns, start=1):
        ws.cell(row=1, column=j, value=str(name)).font = Font(bold=True)
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            if not _is_missing(v):
                ws.cell(row=i, column=j, value=_excel_value(v))
    ws.freeze_panes = "A2"


def write_sheet(ws: Any, table: Any, *, title: str | None = None, notes: Sequence[str] = (),
                formats: Mapping[str, str] | None = None) -> None:
    """Fill one openpyxl worksheet with a table.

    Parameters
    ----------
    ws : openpyxl Worksheet
        An empty sheet.
    table : Crosstab, Table or pandas.DataFrame
        A :class:`~survey_kit.tables.crosstab.Crosstab` gets the banner layout of
        :func:`survey_kit.tables.crosstab_render.write_crosstab_sheet` (its own title
        and notes). A :class:`Table`, or a DataFrame with a ``title`` or
        ``notes``, gets the titled layout: bold title, multi-row header with
        merged group cells, Excel number formats (``formats``, as in
        :class:`Table`), notes below, frozen header, fitted widths. A bare
        DataFrame is written as data: bold header in row 1 (frozen), a
        non-default index as leading columns, values unformatted.
    title, notes, formats
        For a DataFrame: the caption, the lines under the table and the
        per-column formats.

    Raises
    ------
    ReportError
        ``table`` is none of these.
    """
    from .crosstab import Crosstab

    if isinstance(table, Crosstab):
        from .crosstab_render import write_crosstab_sheet

        write_crosstab_sheet(ws, table)
    elif isinstance(table, Table):
        _table_sheet(ws, table)
    elif isinstance(table, pd.DataFrame):
        if title is None and not notes and not formats:
            _data_sheet(ws, table)
        else:
            _table_sheet(ws, Table(ws.title, ws.title if title is None else title, table,
                                   tuple(notes), dict(formats or {})))
    else:
        raise ReportError(f"table {ws.title!r} is a {type(table).__name__}; give a Crosstab, "
                          "a pandas DataFrame or a survey_kit.tables.document.Table")


def write_workbook(path: str | Path, tables: Mapping[str, Any] | Sequence[Table], *,
                   titles: Mapping[str, str] | None = None,
                   notes: Mapping[str, Sequence[str]] | None = None,
                   formats: Mapping[str, Mapping[str, str]] | None = None) -> Path:
    """Write several tables to one XLSX workbook, one formatted sheet per table.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file, written atomically.
    tables : mapping of sheet name -> Crosstab, DataFrame or Table; or a sequence of Table
        One sheet each, in order (see :func:`write_sheet` for the layouts).
        Sheet names are made Excel-safe (31 characters, no ``[]:*?/\\``) and
        unique; a sequence of :class:`Table` is named by ``Table.name``.
    titles, notes, formats : mapping keyed like ``tables``, optional
        Caption, notes and per-column formats of the DataFrames (a Crosstab
        carries its own title and notes).

    Returns
    -------
    Path

    Raises
    ------
    ReportError
        No tables, or a table that is not a Crosstab, DataFrame or Table.

    Notes
    -----
    The workbook properties carry a fixed date, so the same tables give the
    same workbook content on every run.

    Examples
    --------
    >>> write_workbook("out/tables.xlsx", {"foreign share": tab1, "bases": df},
    ...                titles={"bases": "Bases by size"})  # doctest: +SKIP
    """
    from openpyxl import Workbook

    if isinstance(tables, Mapping):
        items = list(tables.items())
    elif isinstance(tables, Sequence) and not isinstance(tables, str) and all(
            isinstance(t, Table) for t in tables):
        items = [(t.name, t) for t in tables]
    else:
        raise ReportError("give the tables as a mapping {sheet name: Crosstab or DataFrame} "
                          "or a list of survey_kit.tables.document.Table", file=path)
    if not items:
        raise ReportError("no tables to write to the workbook", file=path)
    titles, notes, formats = titles or {}, notes or {}, formats or {}
    wb = Workbook()
    wb.remove(wb.active)
    fixed = _dt.datetime(2000, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "survey_kit"
    for sheet, (name, table) in zip(_sheet_names(name for name, _ in items), items):
        write_sheet(wb.create_sheet(sheet), table, title=titles.get(name),
                    notes=notes.get(name, ()), formats=formats.get(name))
    with atomic_write(path) as tmp:
        wb.save(tmp)
    return Path(path)
