"""Cells that do not match the questionnaire, gathered and reported as one error.

Reading goes column by column; each converter adds the offending cells it
finds to a :class:`Problems` collection, which raises one
:class:`~survey_kit.errors.DataError` at the end naming the file, the row as
a user sees it, the column and the value, with a count of all offending cells
and what to do.

Example
-------
>>> import numpy as np
>>> import pandas as pd
>>> probs = Problems("export.csv", np.array([2, 3, 4]))
>>> probs.add(np.array([False, True, True]), "Q1", pd.Series([1, 7, 8]),
...           "unknown code(s)", "correct the codes.")
>>> try:
...     probs.raise_if_any()
... except Exception as exc:
...     print(exc.message)
2 cell(s) in 1 column(s) do not match the questionnaire:
  column 'Q1': 2 unknown code(s) (row 3: 7; row 4: 8)
What to do: correct the codes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..instrument.schema import Question

__all__ = ["SHOW_CELLS", "SHOW_COLUMNS", "Problems", "codes_text", "show"]

SHOW_CELLS = 5        # offending cells shown per column
SHOW_COLUMNS = 8      # columns with problems shown in one message


def show(value: Any) -> str:
    """A cell value as a message shows it: 3 for 3.0, quotes around text."""
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (str, np.str_)):
        return repr(str(value))
    return repr(value.item() if isinstance(value, np.generic) else value)


def codes_text(q: Question) -> str:
    """The valid and missing codes of a question, for a message."""
    opts = ", ".join(f"{o.code}={o.key}" for o in q.options)
    miss = ", ".join(f"{show(m.code)}={m.key}" for m in q.missing)
    return f"valid codes {opts}" + (f"; missing codes {miss}" if miss else "")


class Problems:
    """Offending cells, gathered column by column and raised as one DataError."""

    def __init__(self, file: Path, rows: np.ndarray) -> None:
        self.file = file
        self.rows = rows
        self.groups: list[dict[str, Any]] = []

    def add(self, mask: np.ndarray, column: str, raw: pd.Series, what: str, advice: str) -> None:
        """Record the cells of ``raw`` where ``mask`` is true (nothing if none)."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        shown = idx[:SHOW_CELLS]
        cells = list(zip(self.rows[shown].tolist(), raw.iloc[shown].tolist()))
        self.groups.append({"column": column, "problem": what, "count": len(idx),
                            "cells": cells, "advice": advice})

    def raise_if_any(self) -> None:
        """Raise one DataError for everything recorded, if anything was."""
        if not self.groups:
            return
        total = sum(g["count"] for g in self.groups)
        lines = []
        for g in self.groups[:SHOW_COLUMNS]:
            cells = "; ".join(f"row {r}: {show(v)}" for r, v in g["cells"])
            more = f"; and {g['count'] - len(g['cells'])} more" if g["count"] > len(g["cells"]) \
                else ""
            lines.append(f"  column {g['column']!r}: {g['count']} {g['problem']} "
                         f"({cells}{more})")
        if len(self.groups) > SHOW_COLUMNS:
            lines.append(f"  ... and {len(self.groups) - SHOW_COLUMNS} more columns with "
                         "problems")
        advice = list(dict.fromkeys(g["advice"] for g in self.groups))
        first = self.groups[0]
        row, value = first["cells"][0]
        err = DataError(
            f"{total} cell(s) in {len(self.groups)} column(s) do not match the questionnaire:\n"
            + "\n".join(lines) + "\nWhat to do: " + " ".join(advice),
            file=self.file, row=row, column=first["column"], value=value)
        err.problems = self.groups  # type: ignore[attr-defined]
        raise err
