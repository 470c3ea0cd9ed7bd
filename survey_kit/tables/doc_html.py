"""Appendix tables and documents as HTML: one ``<table>``, or a self-contained page.

The page prints: its print rules (``@media print``) set a page margin, drop the
screen width limit, tighten fonts and cell padding so that every table fits the
width of an A4 or Letter page, wrap long cell texts (at spaces for Latin text,
anywhere else only where a word would not fit), keep table rows and figures
whole across page breaks, and print the codebook (``table.t-codebook``) small.
``tests/test_browser.py`` checks this in headless Chromium.

Example
-------
>>> import pandas as pd
>>> from survey_kit.tables.document import Table
>>> t = Table("demo", "Demo", pd.DataFrame({"level": ["a"], "n": [3]}), notes=("a note",))
>>> print(table_html(t))
<h3 id="demo">Demo</h3>
<table class="t-demo">
<thead>
<tr><th>level</th><th class="num">n</th></tr>
</thead>
<tbody>
<tr><td>a</td><td class="num">3</td></tr>
</tbody>
</table>
<p class="note">a note</p>
<BLANKLINE>
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Sequence
from typing import Any

from ..errors import ReportError
from .document import Table, cell_texts, display_frame, header_rows, header_spans, numeric_columns

__all__ = ["html_page", "table_html"]

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
figure{margin:1.2rem 0;max-width:100%}
div.obj{margin:1.6rem 0 .6rem;overflow-x:auto}
div.obj caption{font-size:.85rem}
figure img{max-width:100%;height:auto;border:1px solid #eee;box-sizing:border-box}
figcaption{font-size:.8rem;color:#444;white-space:pre-line}
.warn{color:#8a4b00}
td{overflow-wrap:break-word}
table.t-codebook{font-size:.78rem}
table.t-methodology td:first-child{min-width:8em}
table.t-codebook td{padding:.08rem .4rem}
:lang(ja) td{line-break:strict}
@page{margin:12mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9pt;line-height:1.3}
h1{font-size:14pt}h2{font-size:12pt;margin-top:1.2rem;break-after:avoid}
h3{font-size:10pt;margin:.8rem 0 .3rem;break-after:avoid}
nav{display:none}
table{font-size:7.5pt;max-width:100%}
th,td{padding:.06rem .25rem;overflow-wrap:anywhere}
tr,figure,img{break-inside:avoid}
thead{display:table-header-group}
tbody tr:nth-child(even){background:none}
div.obj{overflow:visible;margin:.8rem 0 .3rem}
table.sk-crosstab{font-size:7pt!important}
table.sk-crosstab th,table.sk-crosstab td{padding:.05em .3em!important}
table.t-codebook{font-size:6.5pt}
table.t-codebook td{padding:0 .2rem}
figure img{max-width:100%;max-height:230mm}
p.note,figcaption,p.sk-notes{font-size:7pt}
}
"""


def _h(text: Any) -> str:
    return _html.escape(str(text), quote=True)


def table_html(table: Table) -> str:
    """One table as an HTML ``<table>`` with caption-like heading and notes."""
    frame = display_frame(table)
    heads = header_rows(frame)
    numeric = numeric_columns(frame)
    anchor = re.sub(r"[^A-Za-z0-9_-]", "_", table.name)
    out = [f'<h3 id="{anchor}">{_h(table.title)}</h3>', f'<table class="t-{anchor}">',
           "<thead>"]
    parents: list[str] | None = None
    for level, row in enumerate(heads):
        last = level == len(heads) - 1
        cells = []
        col = 0
        for text, span in header_spans(row, parents):
            cls = "group" if span > 1 else ("num" if last and numeric[col] else "")
            attr = (f' colspan="{span}"' if span > 1 else "") + (f' class="{cls}"' if cls else "")
            cells.append(f"<th{attr}>{_h(text)}</th>")
            col += span
        out.append("<tr>" + "".join(cells) + "</tr>")
        parents = ["\x1f".join(r[j] for r in heads[: level + 1]) for j in range(len(row))]
    out += ["</thead>", "<tbody>"]
    for row in cell_texts(table, frame):
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
