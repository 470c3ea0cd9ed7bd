"""A banner table as plain text for the terminal (``str(table)``).

Columns are right-aligned and as wide as their widest cell (East Asian wide
characters count two), banner variables are centred over their columns, long
labels and notes wrap.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> tab = sk.crosstab(pd.DataFrame({"a": list("xyxy") * 5, "g": list("pqpq") * 5}), "a", "g")
>>> print("\\n".join(render_text(tab).splitlines()[4:9]))
              Total      p      q
                       (A)    (B)
=================================
a
  x            50.0  100.0    0.0
"""

from __future__ import annotations

import textwrap
import unicodedata
from typing import Any

from .layout import Layout, cell_text, layout

__all__ = ["render_text"]

_GAP = "  "
_HEAD_WIDTH = 14


def render_text(ct: Any) -> str:
    """Plain-text table for the terminal."""
    lay = layout(ct)
    widths = _column_widths(lay)
    lab_w = _label_width(lay)
    total_w = lab_w + sum(widths) + len(_GAP) * len(widths)
    out = [lay.title, ""] + _header(lay, widths, lab_w)
    out.append("=" * total_w)
    out += _body(lay, widths, lab_w, total_w)
    out.append("-" * total_w)
    for note in lay.notes:
        out += _wrap(note, total_w)
    for w in lay.warnings:
        out += _wrap("Warning: " + w, total_w)
    return "\n".join(out).rstrip() + "\n"


def _dw(s: str) -> int:
    """Display width in a terminal (East Asian wide characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _wrap(s: str, width: int) -> list[str]:
    """Lines of at most ``width`` display columns (wide characters wrap anywhere)."""
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


def _column_widths(lay: Layout) -> list[int]:
    """Each column as wide as its widest head line or cell (at least 5), widened so that
    every banner label fits over its columns."""
    heads = [_wrap(lab, _HEAD_WIDTH) for lab in lay.col_labels]
    widths = []
    for j in range(len(lay.col_labels)):
        w = max(_dw(x) for x in heads[j] + [lay.col_letters[j]])
        for sec in lay.sections:
            for ln in sec.lines:
                w = max(w, _dw(cell_text(ln, j)))
        widths.append(max(w, 5))
    for label, start, span in lay.groups:
        have = sum(widths[start:start + span]) + 2 * (span - 1)
        extra = _dw(label) - have
        for k in range(max(extra, 0)):
            widths[start + k % span] += 1
    return widths


def _label_width(lay: Layout) -> int:
    """Width of the label column (block titles and row labels, capped)."""
    lab_w = 12
    for sec in lay.sections:
        lab_w = max(lab_w, min(44, _dw(sec.title)))
        for ln in sec.lines:
            lab_w = max(lab_w, min(42, _dw(ln.label)) + 2)
    return lab_w


def _header(lay: Layout, widths: list[int], lab_w: int) -> list[str]:
    """Banner labels over ruled spans, the wrapped column labels and the letters."""
    out = []
    if lay.groups:
        labels = [" " * lab_w, " " * widths[0]]
        rules = list(labels)
        for label, start, span in lay.groups:
            w = sum(widths[start:start + span]) + len(_GAP) * (span - 1)
            labels.append(_center(label, w))
            rules.append("-" * w)
        out.append(_GAP.join(labels).rstrip())
        out.append(_GAP.join(rules).rstrip())
    heads = [_wrap(lab, _HEAD_WIDTH) for lab in lay.col_labels]
    nh = max(len(h) for h in heads)
    for i in range(nh):
        row = [" " * lab_w]
        for j, h in enumerate(heads):
            k = i - (nh - len(h))
            row.append(_rjust(h[k] if k >= 0 else "", widths[j]))
        out.append(_GAP.join(row).rstrip())
    out.append(_GAP.join([" " * lab_w] + [_rjust(lt, w) for lt, w in
                                          zip(lay.col_letters, widths)]).rstrip())
    return out


def _body(lay: Layout, widths: list[int], lab_w: int, total_w: int) -> list[str]:
    """Per block: its title, its lines (bases after a rule) and its tests."""
    out = []
    for sec in lay.sections:
        out.append(sec.title)
        for ln in sec.lines:
            if ln.kind == "base_u":
                out.append("  " + "-" * (total_w - 2))
            labs = _wrap(ln.label, lab_w - 2)
            cells = [_rjust(cell_text(ln, j), w) for j, w in enumerate(widths)]
            out.append(_GAP.join([_ljust("  " + labs[0], lab_w)] + cells).rstrip())
            for more in labs[1:]:
                out.append("    " + more)
        for t in sec.tests:
            for k, part in enumerate(_wrap(t, total_w - 2)):
                out.append(("  " if k == 0 else "    ") + part)
        out.append("")
    return out
