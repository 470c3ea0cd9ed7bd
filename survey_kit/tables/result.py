"""The result of :func:`~survey_kit.tables.crosstab.crosstab`: :class:`Crosstab`.

An immutable record of the computed table -- tidy cells, the banner columns,
the tests, the pairwise comparisons behind the letters, the blocks, title and
notes -- that shows itself in every format. The renderers receive it and
never import the code that computed it; the workbook writer calls the
table's :meth:`Crosstab._write_xlsx_sheet`.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> tab = sk.crosstab(pd.DataFrame({"a": list("xyxy") * 5, "g": list("pqpq") * 5}), "a", "g")
>>> tab
<Crosstab 'a by g': 1 block(s), 3 columns, unweighted, percent='col'>
>>> float(tab.cell("x", "p")["percent"])
100.0
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import write_text
from .._formulas import csv_quoting, escape_frame
from .._results import ResultMixin
from ..errors import CrosstabError
from .doc_xlsx import write_workbook
from .render_markup import render_html, render_latex, render_markdown
from .render_text import render_text
from .render_xlsx import write_crosstab_sheet

__all__ = ["Crosstab"]


@dataclass(frozen=True, eq=False)
class Crosstab(ResultMixin):
    """A banner table: cells, bases, letters and tests of one or more row blocks.

    Built by :func:`crosstab`. Immutable; every view is derived from the
    tidy ``cells`` frame and the small frames beside it.

    Attributes
    ----------
    cells : DataFrame
        One row per (row, column): see :meth:`to_frame`.
    columns : DataFrame
        The banner columns in display order: ``banner_variable,
        banner_label, column_level, column_label, column_letter`` (the Total
        column has ``banner_variable == "total"`` and no letter).
    tests : DataFrame
        One row per block and banner variable (per option and banner
        variable for multi-select blocks): ``block, row_variable,
        banner_variable, method, statistic_name, statistic, df1, df2,
        pvalue, cramers_v, n, warnings``.
    comparisons : DataFrame
        Every pairwise column comparison behind the letters: ``block,
        row_variable, row_level, banner_variable, column_a, column_b,
        letter_a, letter_b, estimate_a, estimate_b, difference, se,
        statistic, df, pvalue, pvalue_adjusted, significant``. Estimates are
        proportions (0-1) or means.
    blocks : DataFrame
        ``block, label, kind, base`` per row block.
    title : str
    notes : tuple of str
        Lines printed under the table (what the numbers are, the letters,
        the tests, low bases).
    percent, weighted, nets, ci, letters, alpha, adjust, min_base,
    conf_level, lang, degf
        The options the table was built with (``degf``: the design degrees
        of freedom, None when unweighted).
    warnings : tuple of str
        Everything a reader should know (levels outside the questionnaire,
        tests not computed, questionnaire not found).
    """

    cells: pd.DataFrame
    columns: pd.DataFrame
    tests: pd.DataFrame
    comparisons: pd.DataFrame
    blocks: pd.DataFrame
    title: str
    notes: tuple[str, ...]
    percent: str = "col"
    weighted: bool = True
    nets: bool = True
    ci: bool = False
    letters: bool = True
    alpha: float = 0.05
    adjust: str | None = "holm"
    min_base: int = 30
    conf_level: float = 0.95
    lang: str = "en"
    degf: float | None = None
    warnings: tuple[str, ...] = ()

    # -- views ---------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The table in tidy long form, one row per (row, column).

        Columns: ``block, block_label, row_variable, row_level, row_label,
        row_kind`` (level, net, option, mean), ``banner_variable,
        banner_label, column_level, column_label, column_letter, percent``
        (0-100; NaN for counts and means), ``count`` (weighted count of the
        row in the column; unweighted when the table is), ``unweighted_count,
        mean, se, ci_low, ci_high`` (of the statistic shown: percent in
        percentage points, count or mean), ``letters`` (columns this one is
        significantly higher than), ``unweighted_base, weighted_base,
        effective_base, low_base``.
        """
        return self.cells.copy()

    def __str__(self) -> str:
        return render_text(self)

    def __repr__(self) -> str:
        nb = len(self.blocks)
        nc = len(self.columns)
        return (f"<Crosstab {self.title!r}: {nb} block(s), {nc} columns, "
                f"{'weighted' if self.weighted else 'unweighted'}, percent={self.percent!r}>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_text(self) -> str:
        """The terminal rendering (same as ``str(table)``)."""
        return str(self)

    def to_markdown(self, path: str | Path | None = None) -> str:
        """A Markdown (pipe) table with the tests and notes below it.

        If ``path`` is given the text is also written there (atomically).
        """
        return _maybe_write(render_markdown(self), path)

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML table (inline style) whose caption gives the tests and notes."""
        return _maybe_write(render_html(self), path)

    def to_latex(self, path: str | Path | None = None) -> str:
        """A LaTeX ``table`` with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
        return _maybe_write(render_latex(self), path)

    def to_excel(self, path: str | Path, sheet_name: str | None = None) -> Path:
        """Write the table to an XLSX workbook (one formatted sheet).

        See :func:`survey_kit.tables.doc_xlsx.write_workbook` to put several tables
        (Crosstabs and DataFrames) in one workbook.
        """
        name = sheet_name or str(self.blocks["block"].iloc[0] if len(self.blocks) else "table")
        return write_workbook(path, {name: self})

    def _write_xlsx_sheet(self, ws: Any) -> None:
        """Fill an empty openpyxl worksheet with the banner layout (the sheet protocol of
        :func:`survey_kit.tables.doc_xlsx.write_workbook`)."""
        write_crosstab_sheet(ws, self)

    def to_csv(self, path: str | Path | None = None) -> str:
        """The tidy long form (:meth:`to_frame`) as CSV text; also written to ``path`` if given.

        Text that a spreadsheet would run as a formula (a label beginning with ``=``,
        ``+``, ``-``, ``@``) gets a leading apostrophe
        (:func:`survey_kit._formulas.escape_frame`; ``sk.formula_escaping(False)`` turns
        this off for trusted data). A table whose text holds a carriage return is written
        with every text field quoted: Python's csv writer would leave such a field bare,
        and a spreadsheet would start a new row -- beginning with what follows -- there.
        """
        cells = escape_frame(self.cells)
        quoting = csv_quoting(cells)
        text = cells.to_csv(index=False, lineterminator="\n", quoting=quoting)
        return _maybe_write(text, path)

    # -- conveniences ----------------------------------------------------------
    def cell(self, row_level: Any, column_level: Any, *, block: str | None = None,
             banner_variable: str | None = None) -> pd.Series:
        """The record of one cell (a row of :meth:`to_frame`).

        ``column_level="total"`` is the Total column. ``block`` and
        ``banner_variable`` are needed only when ambiguous.
        """
        c = self.cells
        m = (c["row_level"].astype(str) == str(row_level)) & (
            c["column_level"].astype(str) == str(column_level))
        if block is not None:
            m &= c["block"] == block
        if banner_variable is not None:
            m &= c["banner_variable"] == banner_variable
        hits = c[m]
        if len(hits) != 1:
            raise CrosstabError(f"{len(hits)} cells match row level {row_level!r} and column "
                                f"{column_level!r}; give block= and banner_variable= to pick one")
        return hits.iloc[0]




def _maybe_write(text: str, path: str | Path | None) -> str:
    if path is not None:
        write_text(path, text)
    return text
