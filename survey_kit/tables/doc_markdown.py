"""Appendix tables and documents as Markdown (GitHub-flavoured, CommonMark escapes).

Example
-------
>>> import pandas as pd
>>> from survey_kit.tables.document import Table
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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..errors import ReportError
from .document import Table, cell_texts, display_frame, header_rows, numeric_columns

__all__ = ["markdown_document", "md_escape", "table_markdown"]


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
    heads = header_rows(frame)
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
    align = ["--:" if num else ":--" for num in numeric_columns(frame)]
    lines = [f"{'#' * level} {md_escape(table.title)}", ""]
    lines.append("| " + " | ".join(md_escape(h) for h in head) + " |")
    lines.append("|" + "|".join(align) + "|")
    for row in cell_texts(table, frame):
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
