"""Banner tables: row variables by banner variables, with bases, nets and significance letters.

:func:`crosstab` turns one or more row variables (single-choice, Likert,
banded numeric, multi-select, numeric) and one or more banner variables into
a :class:`Crosstab`: weighted percentages (or means) for every column, the
unweighted, weighted and effective base of every column, design-based
standard errors and confidence intervals, significance letters for pairwise
column comparisons and an overall test of association for every block.
Labels and level order come from the questionnaire.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.DataFrame({"share": list("abab") * 20, "size": list("xxyy") * 20,
...                    "w": [1.0, 3.0] * 40})
>>> tab = sk.crosstab(sk.SurveyDesign(df, weights="w"), "share", "size")
>>> float(tab.cell("a", "x")["percent"])
25.0
>>> print(tab)                                  # doctest: +SKIP
>>> tab.to_excel("out/share_by_size.xlsx")     # doctest: +SKIP

With the questionnaire (labels, level order, nets, multi-select questions by
id), on a design from the pipeline::

    q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
    tab = sk.crosstab(design, ["foreign_share", "foreign_services"],
                      ["export_intensity", "size_class"], questionnaire=q)

Notes
-----
**Cells.** For a row category :math:`r` (an option, a net, a selected
multi-select option) and a column domain :math:`c` (a level of a banner
variable, or Total), with :math:`a_i` = 1 when respondent :math:`i` answered
the row question (the *base*), the column percentage is the ratio of
weighted totals

.. math:: \\hat p_{rc}
          = \\frac{\\sum_i w_i\\, a_i\\, d_{ic}\\, y_{ir}}{\\sum_i w_i\\, a_i\\, d_{ic}}
          = \\frac{\\hat T(y_r 1_c)}{\\hat N_c}.

Row percentages divide by the weighted count of row category :math:`r` among
respondents with a value of the banner variable, total percentages by the
weighted base of the Total column. Mean rows of numeric variables are
:math:`\\hat T(y 1_c) / \\hat N_c`.

**Variance.** Each estimate is a ratio :math:`\\hat T(u)/\\hat T(v)` with
influence function :math:`z_i = (u_i - \\hat p\\, v_i) / \\hat T(v)`
(Binder 1983); its variance is the design variance of :math:`\\hat T(z)`,
exactly what :meth:`SurveyDesign.vcov_total` gives (strata, PSUs, fpc and
calibration). The design owns all of it; this module only forms the
influence values. Because :math:`z` takes one value per (row category,
banner level) pair, a categorical block never builds a respondent-by-cell
matrix when the design can avoid it: the influence rows of all cells of a
banner variable form a small table, each respondent carries the code of its
pair, and :meth:`SurveyDesign.vcov_total_coded` works on per-code weight
sums (by stratum for respondents as PSUs, by PSU for clustered designs, by
calibration cell for one raking or post-stratification step; see
:meth:`SurveyDesign.coded_path`). The Rao-Scott tests use the same codes
with the cells' influence rows. Numeric rows, and designs without a coded
path (GREG calibration, several calibration steps), go through
:meth:`SurveyDesign.vcov_total` on respondents, once per banner variable
(tests through :func:`survey_kit.stats.tests.svychisq`).

Each block needs a few ``np.bincount`` calls per banner variable, so a
20 x 12 banner on a million respondents takes a fraction of a second
(``benchmarks/banner.py``). The tests check every path against
``vcov_total``, ``design.by`` and ``design.compare``.

**Letters.** For every row and every pair of columns :math:`(a, b)` of the
same banner variable, :math:`t = (\\hat p_a - \\hat p_b) / se`, with
:math:`se^2 = V_{aa} + V_{bb} - 2 V_{ab}` the design variance of the
difference of the two influence functions (so covariances from shared PSUs,
strata and calibration count), referred to Student's t on the design degrees
of freedom (two-sided; :meth:`SurveyDesign.compare` gives the same for one
pair). The p-values of one *family* -- all pairs of columns of one banner
variable for one row -- are adjusted together (Holm by default,
``statsmodels.stats.multitest.multipletests``). The letter of column
:math:`b` is shown in column :math:`a` when :math:`\\hat p_a` is
significantly higher. Columns with an unweighted base below ``min_base`` are
not tested. Unweighted tables use the pooled two-proportion z test (Welch's
t test for means).

**Overall tests.** For a categorical block and a banner variable: the
Rao-Scott second-order corrected Pearson X^2 referred to an F distribution
(Rao and Scott 1984; R ``svychisq(statistic="F")``, as
:func:`survey_kit.stats.tests.svychisq`) with Cramer's V from the weighted cell
proportions; unweighted: Pearson's chi-squared. For each option of a
multi-select block the option-by-banner 2 x c table is tested. For a numeric
block: the design-based Wald F test that all column means are equal (as
R ``regTermTest`` on ``svyglm(y ~ banner)``), or one-way ANOVA unweighted.

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators
from complex surveys. International Statistical Review 51, 279-292.
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
contingency tables with cell proportions estimated from survey data. Annals
of Statistics 12, 46-60.
Kish, L. (1965). Survey Sampling. Wiley (effective sample size).
Holm, S. (1979). A simple sequentially rejective multiple test procedure.
Scandinavian Journal of Statistics 6, 65-70.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._results import ResultMixin
from ..instrument.labels import check_lang
from ..instrument.labels import words as label_words
from ..errors import CrosstabError, DesignError, UsageError
from .document import write_workbook  # the one workbook writer, re-exported here

__all__ = ["ADJUST_METHODS", "PERCENT_MODES", "Crosstab", "crosstab", "write_workbook"]

PERCENT_MODES = ("col", "row", "total", "none")
#: accepted ``adjust`` values -> statsmodels ``multipletests`` method
ADJUST_METHODS: dict[Any, str | None] = {
    "holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni",
    "none": None, None: None,
}
_ADJUST_NAMES = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg", "bonferroni": "Bonferroni"}

#: joint banner cells above which the banner variables are aggregated one by one
_JOINT_LIMIT = 2_000_000
#: respondent x influence-column elements per call of vcov_total in the general path
_CHUNK = 4_000_000

TOTAL = "total"



# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------

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
        from .crosstab_render import render_text

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
        from .crosstab_render import render_markdown

        return _maybe_write(render_markdown(self), path)

    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained HTML table (inline style) whose caption gives the tests and notes."""
        from .crosstab_render import render_html

        return _maybe_write(render_html(self), path)

    def to_latex(self, path: str | Path | None = None) -> str:
        """A LaTeX ``table`` with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
        from .crosstab_render import render_latex

        return _maybe_write(render_latex(self), path)

    def to_excel(self, path: str | Path, sheet_name: str | None = None) -> Path:
        """Write the table to an XLSX workbook (one formatted sheet).

        See :func:`survey_kit.tables.document.write_workbook` to put several tables
        (Crosstabs and DataFrames) in one workbook.
        """
        name = sheet_name or str(self.blocks["block"].iloc[0] if len(self.blocks) else "table")
        return write_workbook(path, {name: self})

    def to_csv(self, path: str | Path | None = None) -> str:
        """The tidy long form (:meth:`to_frame`) as CSV text; also written to ``path`` if given."""
        text = self.cells.to_csv(index=False, lineterminator="\n")
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
        from .._files import write_text

        write_text(path, text)
    return text


# ---------------------------------------------------------------------------
# resolving the input
# ---------------------------------------------------------------------------

@dataclass
class _Var:
    """A categorical variable resolved to integer codes."""

    name: str
    label: str
    codes: np.ndarray          # intp, -1 = missing
    levels: list               # keys, in display order
    labels: list


@dataclass
class _Row:
    variable: str
    level: Any
    label: str
    kind: str                  # level, net, option, mean


@dataclass
class _Sub:
    """The unit of computation: base categories of one variable and the rows built on them.

    Rows are 0/1 combinations of disjoint base categories (levels and nets),
    or the mean of ``values`` (numeric)."""

    variable: str              # the data column (for the tests)
    codes: np.ndarray          # base category per respondent, -1 outside the base
    nbase: int
    M: np.ndarray              # (rows, nbase) 0/1
    rows: list
    test: str                  # "chisq", "means" or "none"
    test_cats: np.ndarray      # base categories entering the chi-square
    values: np.ndarray | None = None


@dataclass
class _Block:
    name: str
    label: str
    kind: str                  # categorical, multi, binary, numeric
    subs: list
    base: str
    title: str | None = None   # name in the table title (the grid question for its items)


def _is_design(obj: Any) -> bool:
    return hasattr(obj, "vcov_total") and hasattr(obj, "weights") and hasattr(obj, "frame")


def _find_questionnaire(frame: pd.DataFrame, warnings: list[str]):
    """The questionnaire named by ``frame.attrs``, if it can be found; else None."""
    from ..instrument.questionnaire import Questionnaire, load_questionnaire

    attr = frame.attrs.get("questionnaire")
    if attr is None or attr == "":
        return None
    if isinstance(attr, Questionnaire):
        return attr
    if not isinstance(attr, (str, Path)):
        return None
    cands = []
    p = Path(attr)
    if p.suffix.lower() in (".yaml", ".yml"):
        cands.append(p)
    else:
        cands.append(Path("questionnaires") / f"{attr}.yaml")
        src = frame.attrs.get("source")
        if isinstance(src, (str, Path)):
            base = Path(src).resolve().parent
            cands += [base / "questionnaires" / f"{attr}.yaml",
                      base.parent / "questionnaires" / f"{attr}.yaml"]
    for c in cands:
        if c.is_file():
            return load_questionnaire(c)
    warnings.append(f"the data name questionnaire {str(attr)!r} but its YAML was not found; "
                    "labels and level order fall back to the data (pass questionnaire=)")
    return None


def _as_list(spec: Any, what: str) -> list[str]:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, (list, tuple)) and spec and all(isinstance(s, str) for s in spec):
        return list(spec)
    raise UsageError(f"{what} must be a variable name or a list of names; got {spec!r}")


def _valid_names(frame: pd.DataFrame, q) -> list[str]:
    names = [str(c) for c in frame.columns if not str(c).endswith("__missing")
             and not str(c).startswith("_")]
    if q is not None:
        for qu in q.questions:
            if qu.type in ("multi", "grid") and qu.id not in names:
                names.append(qu.id)
    return names


def _unknown(name: str, role: str, frame: pd.DataFrame, q) -> CrosstabError:
    valid = _valid_names(frame, q)
    return CrosstabError(f"unknown {role} variable {name!r}; valid names are: "
                         f"{', '.join(valid)}", column=name)


def _codes_for(series: pd.Series, levels: list) -> np.ndarray:
    """Codes of ``series`` over ``levels`` (-1 for missing)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = list(series.cat.categories)
        table = np.append(pd.Index(levels, dtype=object).get_indexer(
            pd.Index(cats, dtype=object)), -1).astype(np.intp)
        cc = np.asarray(series.cat.codes, dtype=np.intp)
        return table[np.where(cc >= 0, cc, len(cats))]
    vals = series.to_numpy(dtype=object)
    out = pd.Index(levels, dtype=object).get_indexer(vals).astype(np.intp)
    out[pd.isna(vals)] = -1
    return out


def _observed_levels(series: pd.Series) -> list:
    """Levels of a column without questionnaire: categories, else sorted observed values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    if series.dtype == bool:
        return [False, True]
    vals = pd.unique(series.dropna())
    try:
        return sorted(vals.tolist())
    except TypeError:
        return list(vals)


def _categorical(frame: pd.DataFrame, name: str, q, lang: str, warnings: list[str],
                 role: str) -> _Var:
    """Resolve a categorical column: questionnaire levels first, then any others seen."""
    series = frame[name]
    if q is not None and q.has_variable(name) and q.variable(name).levels:
        levels = list(q.levels(name))
        labels = [q.label(name, lv, lang) for lv in levels]
        extra = [lv for lv in _observed_levels(series) if lv not in levels]
        if isinstance(series.dtype, pd.CategoricalDtype):
            used = set(pd.unique(series.dropna()).tolist())
            extra = [lv for lv in extra if lv in used]
        if extra:
            warnings.append(f"{name!r} has level(s) {extra} that the questionnaire does not "
                            "list; shown after its levels")
        levels += extra
        labels += [str(x) for x in extra]
        label = q.label(name, None, lang)
    elif q is not None and q.has_variable(name) and q.variable(name).kind == "binary":
        levels = [0.0, 1.0]
        sel = {"en": ("Not selected", "Selected"), "ja": ("選択なし", "選択")}[lang]
        labels = list(sel)
        label = q.label(name, None, lang)
    else:
        levels = _observed_levels(series)
        labels = [str(x) for x in levels]
        label = str(name)
    codes = _codes_for(series, levels)
    return _Var(name, label, codes, levels, labels)


def _kind(frame: pd.DataFrame, name: str, q) -> str:
    """categorical, binary, numeric or text."""
    if q is not None and q.has_variable(name):
        k = q.variable(name).kind
        if k in ("categorical", "ordinal"):
            return "categorical"
        if k in ("binary", "numeric", "text"):
            return k
    s = frame[name]
    if isinstance(s.dtype, pd.CategoricalDtype):
        return "categorical"
    if s.dtype == bool or str(s.dtype) == "boolean":
        return "binary"
    if pd.api.types.is_numeric_dtype(s.dtype):
        vals = pd.unique(s.dropna())
        if len(vals) and np.isin(np.asarray(vals, dtype=float), (0.0, 1.0)).all():
            return "binary"                  # a 0/1 indicator: share of 1s, not a mean
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return "text"
    return "categorical"


def _question_label(q, qid: str, lang: str) -> str:
    qu = q.question(qid)
    if lang == "ja":
        return qu.short_ja or qu.text_ja or qu.short or qu.text
    return qu.short or qu.text


def _row_blocks(frame: pd.DataFrame, names: list[str], q, nets: bool, lang: str,
                warnings: list[str]) -> list[_Block]:
    words = label_words(lang, "table")
    blocks: list[_Block] = []
    for name in names:
        if name in frame.columns:
            kind = _kind(frame, name, q)
            if kind == "text":
                raise CrosstabError(f"{name!r} is an open-ended (text) or date variable and "
                                    "cannot be tabulated; code it into categories first",
                                    column=name)
            if kind == "numeric":
                y = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float,
                                                                          na_value=np.nan)
                label = q.label(name, None, lang) if q is not None and q.has_variable(name) \
                    else str(name)
                codes = np.where(np.isnan(y), -1, 0).astype(np.intp)
                sub = _Sub(name, codes, 1, np.ones((1, 1)),
                           [_Row(name, "mean", words["mean"], "mean")], "means",
                           np.array([0]), values=np.where(np.isnan(y), 0.0, y))
                blocks.append(_Block(name, label, "numeric", [sub], "answered"))
                continue
            if kind == "binary":
                label = q.label(name, None, lang) if q is not None and q.has_variable(name) \
                    else str(name)
                blocks.append(_multi_block(frame, name, [name], q, lang, label=label,
                                           kind="binary"))
                continue
            var = _categorical(frame, name, q, lang, warnings, "row")
            B = len(var.levels)
            rows = [_Row(name, lv, lb, "level") for lv, lb in zip(var.levels, var.labels)]
            M = np.eye(B)
            if nets and q is not None and q.has_variable(name):
                extra = []
                for net in q.nets(name):
                    ind = np.zeros(B)
                    ind[[var.levels.index(lv) for lv in net.levels]] = 1.0
                    extra.append(ind)
                    lab = net.label_ja if lang == "ja" and net.label_ja else net.label
                    sep = "" if lang == "ja" else " "
                    rows.append(_Row(name, net.key, f"{lab}{sep}{words['net']}", "net"))
                if extra:
                    M = np.vstack([M] + extra)
            sub = _Sub(name, var.codes, B, M, rows, "chisq", np.arange(B))
            blocks.append(_Block(name, var.label, "categorical", [sub], "answered"))
        elif q is not None and name in {qu.id for qu in q.questions}:
            qu = q.question(name)
            if qu.type == "multi":
                opts = q.multi_variables(name)
                missing = [v for v in opts if v not in frame.columns]
                if missing:
                    raise CrosstabError(f"multi-select question {name!r} needs the columns "
                                        f"{missing}, which the data lack; read the export with "
                                        "survey_kit.read_responses", column=name)
                blocks.append(_multi_block(frame, name, opts, q, lang,
                                           label=_question_label(q, name, lang), kind="multi"))
            elif qu.type == "grid":
                items = [it for it in q.grid_variables(name) if it in frame.columns]
                if not items:
                    raise CrosstabError(f"grid question {name!r}: none of its items "
                                        f"{q.grid_variables(name)} is in the data", column=name)
                qlabel = _question_label(q, name, lang)
                sep = "：" if lang == "ja" else ": "
                for blk in _row_blocks(frame, items, q, nets, lang, warnings):
                    blk.label = f"{qlabel}{sep}{blk.label}"
                    blk.title = qlabel
                    blocks.append(blk)
            else:
                raise _unknown(name, "row", frame, q)
        else:
            raise _unknown(name, "row", frame, q)
    return blocks


def _multi_block(frame: pd.DataFrame, name: str, options: list[str], q, lang: str,
                 label: str, kind: str) -> _Block:
    """A block with one row per option; base = respondents who answered the question."""
    vals = []
    for opt in options:
        col = frame[opt]
        if col.dtype == bool or str(col.dtype) == "boolean":
            col = col.astype("Float64")
        v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(v) & ~np.isin(v, (0.0, 1.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CrosstabError(f"option variable {opt!r} must hold 0/1 (NaN when the "
                                f"question was not answered); found {float(v[i])!r} at data row "
                                f"{i + 1}", column=opt, value=float(v[i]))
        vals.append(v)
    V = np.column_stack(vals)
    answered = ~np.isnan(V).all(axis=1)
    subs = []
    qid = name
    for opt, v in zip(options, vals):
        codes = np.where(answered, (v == 1.0).astype(np.intp), -1).astype(np.intp)
        if q is not None and q.has_variable(opt):
            info = q.variable(opt)
            key = opt[len(info.question) + 1:] if opt.startswith(info.question + "_") else opt
            lab = q.label(opt, None, lang)
        else:
            key, lab = opt, opt
        subs.append(_Sub(opt, codes, 2, np.array([[0.0, 1.0]]),
                         [_Row(opt, key, lab, "option")], "chisq", np.array([0, 1])))
    return _Block(qid, label, kind, subs, "answered the question")


def _banners(frame: pd.DataFrame, names: list[str], q, lang: str,
             warnings: list[str]) -> list[_Var]:
    out = []
    for name in names:
        if name not in frame.columns:
            if q is not None and name in {qu.id for qu in q.questions}:
                qu = q.question(name)
                if qu.type == "multi":
                    raise CrosstabError(
                        f"{name!r} is a multi-select question; a banner needs one categorical "
                        f"variable (respondents in exactly one column); use one option, e.g. "
                        f"{q.multi_variables(name)[0]!r}", column=name)
            raise _unknown(name, "banner (cols)", frame, q)
        kind = _kind(frame, name, q)
        if kind == "numeric":
            hint = ""
            if q is not None and q.has_variable(name):
                qu = q.question(q.variable(name).question)
                if qu.bands is not None:
                    hint = f"; use its bands {qu.bands.id!r}"
            raise CrosstabError(f"banner variable {name!r} is numeric; a banner needs a "
                                f"categorical variable{hint or ' (band it first)'}", column=name)
        if kind == "text":
            raise CrosstabError(f"banner variable {name!r} is open-ended text or a date; code "
                                "it into categories first", column=name)
        var = _categorical(frame, name, q, lang, warnings, "banner")
        if not var.levels:
            raise CrosstabError(f"banner variable {name!r} has no levels (every value is "
                                "missing)", column=name)
        out.append(var)
    return out


def _letters_seq(n: int) -> list[str]:
    out = []
    for i in range(n):
        s, k = "", i
        while True:
            s = chr(65 + k % 26) + s
            k = k // 26 - 1
            if k < 0:
                break
        out.append(s)
    return out


# ---------------------------------------------------------------------------
# aggregation: per (base category, stratum, column) sums with one bincount each
# ---------------------------------------------------------------------------

class _Index:
    """Joint codes of variance units and banner levels, and their marginals per column.

    A unit is a stratum (respondents as PSUs), a PSU (clustered designs) or
    the whole sample (other designs and unweighted tables). Sums are taken
    with one ``np.bincount`` per statistic over the joint cells of all banner
    variables when that table is small, else one per banner variable."""

    def __init__(self, banners: list[_Var], units: np.ndarray | None, X: int) -> None:
        n = len(banners[0].codes)
        self.n = n
        self.X = X
        self.sizes = [len(b.levels) + 1 for b in banners]       # 0 = missing
        self.K = 1 + sum(s - 1 for s in self.sizes)
        self.starts = np.cumsum([1] + [s - 1 for s in self.sizes])[:-1].tolist()
        h = np.zeros(n, dtype=np.int64) if units is None else units.astype(np.int64)
        self.J = int(np.prod(self.sizes, dtype=np.float64))
        self.joint = None
        if X * self.J <= _JOINT_LIMIT:
            code = np.zeros(n, dtype=np.int64)
            for g, b in enumerate(banners):
                code = code * self.sizes[g] + (b.codes.astype(np.int64) + 1)
            self.joint = h * self.J + code
        self._h = h
        self._banners = banners
        self._single: list | None = None

    @property
    def single(self) -> list:
        if self._single is None:
            self._single = [self._h * s + (b.codes.astype(np.int64) + 1)
                            for s, b in zip(self.sizes, self._banners)]
        return self._single

    def _use_joint(self, nbase: int) -> bool:
        if self.joint is None:
            return False
        U = len(self.sizes)
        size = nbase * self.X * self.J
        return self.n + size * (U + 1) <= U * self.n + nbase * self.X * sum(self.sizes)

    def aggregate(self, codes: np.ndarray, nbase: int, weights: list) -> list[np.ndarray]:
        """Sum each weight (None = count) over (base category, unit, column).

        Returns arrays of shape (nbase, X, K): column 0 is Total, then the
        levels of each banner variable in order."""
        X, K = self.X, self.K
        out = [np.zeros((nbase, X, K)) for _ in weights]
        valid = codes >= 0
        c64 = codes.astype(np.int64)
        if self._use_joint(nbase):
            size = nbase * X * self.J
            key = np.where(valid, c64 * (X * self.J) + self.joint, size)
            for arr, wt in zip(out, weights):
                s = np.bincount(key, weights=wt, minlength=size + 1)[:size]
                s = s.reshape((nbase, X) + tuple(self.sizes))
                arr[:, :, 0] = s.reshape(nbase, X, -1).sum(axis=2)
                for g, start in enumerate(self.starts):
                    axes = tuple(2 + a for a in range(len(self.sizes)) if a != g)
                    marg = s.sum(axis=axes) if axes else s
                    arr[:, :, start:start + self.sizes[g] - 1] = marg[:, :, 1:]
            return out
        for g, (start, hg) in enumerate(zip(self.starts, self.single)):
            L1 = self.sizes[g]
            size = nbase * X * L1
            key = np.where(valid, c64 * (X * L1) + hg, size)
            for arr, wt in zip(out, weights):
                s = np.bincount(key, weights=wt, minlength=size + 1)[:size]
                s = s.reshape(nbase, X, L1)
                if g == 0:
                    arr[:, :, 0] = s.sum(axis=2)
                arr[:, :, start:start + L1 - 1] = s[:, :, 1:]
        return out


# ---------------------------------------------------------------------------
# the computation
# ---------------------------------------------------------------------------

class _Design:
    """What the engine needs of the design (or of the unweighted data).

    ``mode`` says how variances are computed:

    - ``"srs"``, ``"psu"``, ``"atoms"``: the design's coded path
      (:meth:`SurveyDesign.coded_path`): influence values of categorical rows
      are constant within (row category, banner level), so they go through
      :meth:`SurveyDesign.vcov_total_coded` with one code per such pair, and
      the Rao-Scott tests with one code per table cell;
    - ``"general"``: the design has no coded path (GREG calibration, several
      calibration steps, ...): influence functions are formed for the
      respondents and go through :meth:`SurveyDesign.vcov_total`, and tests
      through :func:`survey_kit.stats.tests.svychisq`;
    - ``"unweighted"``: classical formulas.

    Numeric rows always go through :meth:`SurveyDesign.vcov_total`.
    """

    def __init__(self, mode: str, design: Any, w: np.ndarray, degf: float) -> None:
        self.mode = mode
        self.design = design
        self.w = w
        self.degf = float(degf)

    @property
    def weighted(self) -> bool:
        return self.mode != "unweighted"


def _design_info(design: Any, weighted: bool, n: int) -> _Design:
    if not weighted or design is None:
        return _Design("unweighted", design, np.ones(n), np.inf)
    return _Design(design.coded_path(), design, np.asarray(design.weights, dtype=float),
                   float(design.degf))


@dataclass
class _SubResult:
    """Estimates of one sub-block for all K columns."""

    est: np.ndarray             # (R, K): proportion, count or mean (display statistic)
    var: np.ndarray             # (R, K) variance of est
    pcol: np.ndarray            # (R, K) column proportion / mean (for letters)
    cov: list                   # per banner group: (R, L, L) covariance of pcol in the group
    count_w: np.ndarray         # (R, K) weighted count
    count_u: np.ndarray         # (R, K) unweighted count
    base_u: np.ndarray          # (K,)
    base_w: np.ndarray
    base_e: np.ndarray
    sums: list                  # aggregated arrays (for the tests)
    sd: np.ndarray | None = None   # (K,) unweighted SD of a numeric variable
    codes: dict = field(default_factory=dict)   # banner group -> respondents' group code


def _groups(K: int, banners: list[_Var]) -> list[tuple[int, int]]:
    """(start, stop) column slices of the banner groups (Total excluded)."""
    out, start = [], 1
    for b in banners:
        out.append((start, start + len(b.levels)))
        start += len(b.levels)
    return out


def _compute_sub(sub: _Sub, idx: _Index, dz: _Design, banners: list[_Var],
                 percent: str) -> _SubResult:
    w = dz.w
    numeric = sub.values is not None
    wl = [None, w, w * w] if dz.weighted else [None]
    if numeric:
        y = sub.values
        wl += [w * y] if dz.weighted else [y, y * y]
    sums = idx.aggregate(sub.codes, sub.nbase, wl)
    C = sums[0]
    S1, S2 = (sums[1], sums[2]) if dz.weighted else (C, C)
    M = sub.M
    K = idx.K
    R = M.shape[0]
    groups = _groups(K, banners)
    cache: dict = {}

    # sums of the rows (r, 1, k) and of the base (1, k)
    D1x = S1.sum(axis=0)
    D2x = S2.sum(axis=0)
    base_u = C.sum(axis=(0, 1))
    base_w = D1x.sum(axis=0)
    sw2 = D2x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        base_e = np.where(sw2 > 0, base_w ** 2 / sw2, 0.0)
    count_u = np.einsum("rb,bk->rk", M, C.sum(axis=1))

    if numeric:
        Sy = sums[3 if dz.weighted else 1][0]
        count_w = np.broadcast_to(base_w, (1, K)).copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = Sy.sum(axis=0)[None, :] / base_w                    # (1, K)
        m0 = np.where(np.isfinite(mean), mean, 0.0)
        if not dz.weighted:
            Syy = sums[2][0]
            with np.errstate(divide="ignore", invalid="ignore"):
                ss = Syy.sum(axis=0) - base_u * m0[0] ** 2
                sd = np.sqrt(np.where(base_u > 1, np.maximum(ss, 0) / (base_u - 1), np.nan))
                var = np.where(base_u > 0, sd ** 2 / base_u, np.nan)[None]
            cov = []
            for a, b in groups:
                cov.append(np.diag(var[0, a:b])[None])
            return _SubResult(mean, var, mean, cov, count_w, count_u, base_u, base_w, base_e,
                              sums, sd)
        var, cov = _infl_var(dz, sub, banners, "col", m0, base_w, cache)
        return _SubResult(mean, var, mean, cov, count_w, count_u, base_u, base_w, base_e,
                          sums, codes=cache)

    N1x = np.einsum("rb,bxk->rxk", M, S1)
    count_w = N1x.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pcol = count_w / base_w[None, :]
    p0 = np.where(np.isfinite(pcol), pcol, 0.0)

    # -- column proportions: variance and covariance within banner groups
    if not dz.weighted:
        with np.errstate(divide="ignore", invalid="ignore"):
            var_col = np.where(base_u > 0, p0 * (1 - p0) / base_u, np.nan)
        cov = []
        for a, b in groups:
            L = b - a
            cg = np.zeros((R, L, L))
            cg[:, np.arange(L), np.arange(L)] = var_col[:, a:b]
            cov.append(cg)
    else:
        var_col, cov = _infl_var(dz, sub, banners, "col", p0, base_w, cache)

    # -- the statistic shown
    if percent == "col":
        return _SubResult(pcol, var_col, pcol, cov, count_w, count_u, base_u, base_w,
                          base_e, sums, codes=cache)
    if percent == "none":
        est = count_w
        if not dz.weighted:
            var = np.full_like(est, np.nan)
        else:
            var, _ = _infl_var(dz, sub, banners, "none", p0, None, cache)
        return _SubResult(est, var, pcol, cov, count_w, count_u, base_u, base_w, base_e,
                          sums, codes=cache)
    if percent == "total":
        den = np.full(K, base_w[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            est = count_w / den
        pe = np.where(np.isfinite(est), est, 0.0)
        if not dz.weighted:
            var = np.where(base_u[0] > 0, pe * (1 - pe) / base_u[0], np.nan)
        else:
            var, _ = _infl_var(dz, sub, banners, "total", pe, den, cache)
        return _SubResult(est, var, pcol, cov, count_w, count_u, base_u, base_w, base_e,
                          sums, codes=cache)
    # row percentages: within each banner group, the share of the row's count
    den = np.empty((R, K))
    den[:, 0] = count_w[:, 0]
    den_u = np.empty((R, K))
    den_u[:, 0] = count_u[:, 0]
    for a, b in groups:
        den[:, a:b] = count_w[:, a:b].sum(axis=1, keepdims=True)
        den_u[:, a:b] = count_u[:, a:b].sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = count_w / den
    pe = np.where(np.isfinite(est), est, 0.0)
    if not dz.weighted:
        with np.errstate(divide="ignore", invalid="ignore"):
            var = np.where(den_u > 0, pe * (1 - pe) / den_u, np.nan)
    else:
        var, _ = _infl_var(dz, sub, banners, "row", pe, den, cache)
    return _SubResult(est, var, pcol, cov, count_w, count_u, base_u, base_w, base_e, sums,
                      codes=cache)


def _group_codes(banners: list[_Var], n: int) -> list[tuple[np.ndarray, int]]:
    return [(np.zeros(n, dtype=np.intp), 1)] + [(b.codes, len(b.levels)) for b in banners]


def _sub_rows(sub: _Sub) -> np.ndarray:
    """(n, R) values of the rows (0 outside the base)."""
    ok = sub.codes >= 0
    if sub.values is not None:
        return np.where(ok, sub.values, 0.0)[:, None]
    Mx = np.hstack([sub.M, np.zeros((sub.M.shape[0], 1))])
    return Mx[:, np.where(ok, sub.codes, sub.nbase)].T


# -- influence functions: variances through the design ---------------------------------------

def _group_code(sub: _Sub, codes: np.ndarray, L: int) -> np.ndarray:
    """Per respondent: (row base category) * (L + 1) + banner level + 1, -1 outside the
    base; the code of :meth:`SurveyDesign.vcov_total_coded`."""
    return np.where(sub.codes >= 0, sub.codes.astype(np.int64) * (L + 1) + codes + 1, -1)


def _unit_sets(dz: _Design, sub: _Sub, banners: list[_Var], cache: dict) -> list:
    """Per banner group (Total first): row values Y, base flag, banner level, L, the
    covariance function of influence columns and the sizes and subsets it takes.

    Categorical rows (coded designs): one entry per (row base category, banner level or
    missing), coded respondents (``cache[g]``, kept for the tests) and
    :meth:`SurveyDesign.vcov_total_coded`; subsets are given by codes. Otherwise:
    respondents and :meth:`SurveyDesign.vcov_total`."""
    design = dz.design
    n = len(dz.w)
    out = []
    if sub.values is None and dz.mode != "general":
        B = sub.nbase
        for gi, (codes, L) in enumerate(_group_codes(banners, n)):
            L1 = L + 1
            if gi not in cache:
                cache[gi] = _group_code(sub, codes, L)
            l_of = np.arange(B * L1) % L1
            Y = sub.M.T[np.arange(B * L1) // L1]                 # (m, R)
            direct = design.coded_path(B * L1) != "general"

            def vfn(Z, subset, code=cache[gi]):
                return design.vcov_total_coded(Z, code, code_subset=subset)
            ans_t = np.ones(B * L1, dtype=bool)
            out.append((Y, ans_t, l_of - 1, L, vfn, B * L1 if direct else n,
                        l_of >= 1, ans_t))
        return out
    Y = _sub_rows(sub)
    ans = sub.codes >= 0

    def vcov(Z, subset):
        return design.vcov_total(Z, subset=subset)
    for codes, L in _group_codes(banners, n):
        out.append((Y, ans, codes, L, vcov, n, ans & (codes >= 0), ans))
    return out


def _vcov_blocks(vfn, N: int, build, R: int, L: int, subset: np.ndarray) -> np.ndarray:
    """Covariance (R, L, L) of the L influence columns of each row, chunked over rows so
    that at most about ``_CHUNK`` values of ``N`` units x columns are held at once."""
    out = np.zeros((R, L, L))
    per = max(1, _CHUNK // max(1, N * L))
    for r0 in range(0, R, per):
        rs = list(range(r0, min(R, r0 + per)))
        Z = np.concatenate([build(r) for r in rs], axis=1)             # (m, len(rs) * L)
        V = vfn(Z, subset)
        for j, r in enumerate(rs):
            out[r] = V[j * L:(j + 1) * L, j * L:(j + 1) * L]
    return out


def _infl_var(dz: _Design, sub: _Sub, banners: list[_Var], mode: str, p: np.ndarray,
              den: np.ndarray | None, cache: dict) -> tuple[np.ndarray, list]:
    """Variances (R, K) (and, for ``mode="col"``, covariances within banner groups) from
    the influence function of every cell.

    col: 1_c a (y - p) / N_c; total: a (y 1_c - p) / N; row: y (1_c - p 1_g) / N_rg;
    none: y 1_c (a weighted count)."""
    R, K = p.shape
    var = np.full((R, K), np.nan)
    cov = []
    start = 0
    for gi, (Y, ans, lc, L, vfn, N, inside_r, ans_r) in enumerate(
            _unit_sets(dz, sub, banners, cache)):
        inside = ans & (lc >= 0)
        onehot = np.zeros((len(ans), L))
        onehot[np.flatnonzero(inside), lc[inside]] = 1.0
        sl = slice(start, start + L)
        pg = p[:, sl]
        if mode == "col":
            dg = np.where(den[sl] > 0, den[sl], 1.0)

            def build(r, onehot=onehot, pg=pg, dg=dg, Y=Y):
                return onehot * (Y[:, r:r + 1] - pg[r][None, :]) / dg[None, :]
            subset = inside_r
        elif mode == "none":
            def build(r, onehot=onehot, Y=Y):
                return onehot * Y[:, r:r + 1]
            subset = inside_r
        elif mode == "total":
            dg = np.where(den[sl] > 0, den[sl], 1.0)

            def build(r, onehot=onehot, pg=pg, dg=dg, Y=Y, ans=ans):
                return (onehot * Y[:, r:r + 1] - ans[:, None] * pg[r][None, :]) / dg[None, :]
            subset = ans_r
        else:
            rowin = inside[:, None].astype(float)

            def build(r, onehot=onehot, pg=pg, dr=den[:, sl], rowin=rowin, Y=Y):
                d = np.where(dr[r] > 0, dr[r], 1.0)
                return Y[:, r:r + 1] * (onehot - rowin * pg[r][None, :]) / d[None, :]
            subset = inside_r
        cg = _vcov_blocks(vfn, N, build, R, L, subset)
        var[:, sl] = np.maximum(np.diagonal(cg, axis1=1, axis2=2), 0.0)
        if mode == "col" and gi > 0:
            L_ = cg.shape[1]
            cg[:, np.arange(L_), np.arange(L_)] = var[:, sl]
            cov.append(cg)
        start += L
    if den is not None:
        var = np.where(np.broadcast_to(np.asarray(den), (R, K)) > 0, var, np.nan)
    return var, cov


# ---------------------------------------------------------------------------
# confidence intervals
# ---------------------------------------------------------------------------

def _intervals(est: np.ndarray, var: np.ndarray, kind: str, dz: _Design, conf_level: float,
               n_u: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """CIs: logit (design proportions, as SurveyDesign.proportion), Wilson (unweighted
    proportions), t (means and counts)."""
    from scipy import stats

    a = (1 - conf_level) / 2
    se = np.sqrt(var)
    if kind == "mean" or kind == "count":
        if dz.weighted:
            q = stats.t.isf(a, dz.degf) if np.isfinite(dz.degf) and dz.degf > 0 else (
                stats.norm.isf(a) if np.isinf(dz.degf) else np.nan)
        else:
            with np.errstate(invalid="ignore"):
                q = np.where(n_u > 1, stats.t.isf(a, np.maximum(n_u - 1, 1)), np.nan)
        return est - q * se, est + q * se
    if dz.weighted:
        q = stats.t.isf(a, dz.degf) if dz.degf > 0 else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            eta = np.log(est / (1 - est))
            half = q * se / (est * (1 - est))
            lo = 1 / (1 + np.exp(-(eta - half)))
            hi = 1 / (1 + np.exp(-(eta + half)))
        degenerate = (se == 0) | (est <= 0) | (est >= 1)
        lo = np.where(degenerate, est, lo)
        hi = np.where(degenerate, est, hi)
        return lo, hi
    z = stats.norm.isf(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        nn = n_u.astype(float)
        centre = (est + z * z / (2 * nn)) / (1 + z * z / nn)
        half = z * np.sqrt(est * (1 - est) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


# ---------------------------------------------------------------------------
# pairwise comparisons (letters)
# ---------------------------------------------------------------------------

def _pairs(res: _SubResult, a: int, b: int, g: int, dz: _Design, min_base: int,
           numeric: bool) -> dict:
    """All pairs of columns a..b-1 of one banner group, for every row: diff, se, stat, p."""
    from scipy import stats

    L = b - a
    i, j = np.triu_indices(L, 1)
    p = res.pcol[:, a:b]
    R = p.shape[0]
    diff = p[:, i] - p[:, j]
    nu = res.base_u[a:b]
    ok_base = (nu[i] >= max(min_base, 2)) & (nu[j] >= max(min_base, 2))
    if dz.weighted:
        cg = res.cov[g]
        v = cg[:, i, i] + cg[:, j, j] - 2 * cg[:, i, j]
        se = np.sqrt(np.clip(v, 0, None))
        df = np.full(diff.shape, dz.degf)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = diff / se
        pv = 2 * stats.t.sf(np.abs(t), dz.degf) if dz.degf > 0 else np.full(diff.shape, np.nan)
    elif numeric:
        sd = res.sd[a:b]
        va, vb = sd[i] ** 2 / nu[i], sd[j] ** 2 / nu[j]
        se = np.sqrt(va + vb)[None, :].repeat(R, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            df = ((va + vb) ** 2 / (va ** 2 / (nu[i] - 1) + vb ** 2 / (nu[j] - 1)))[None, :]
            df = df.repeat(R, 0)
            t = diff / se
            pv = 2 * stats.t.sf(np.abs(t), df)
    else:
        x = res.count_u[:, a:b]
        with np.errstate(divide="ignore", invalid="ignore"):
            pbar = (x[:, i] + x[:, j]) / (nu[i] + nu[j])[None, :]
            se = np.sqrt(pbar * (1 - pbar) * (1 / nu[i] + 1 / nu[j])[None, :])
            t = diff / se
        df = np.full(diff.shape, np.inf)
        pv = 2 * stats.norm.sf(np.abs(t))
    testable = ok_base[None, :] & np.isfinite(pv) & (se > 0)
    pv = np.where(testable, pv, np.nan)
    return {"i": i, "j": j, "diff": diff, "se": se, "t": np.where(testable, t, np.nan),
            "df": df, "p": pv, "pa": p[:, i], "pb": p[:, j]}


def _adjust(p: np.ndarray, method: str | None) -> np.ndarray:
    """Adjust each row of ``p`` (one family); NaN stays NaN and is not counted.

    Holm, Benjamini-Hochberg and Bonferroni are computed for all families at
    once with the formulas of ``statsmodels.stats.multitest.multipletests``
    (the tests check they agree); other methods call it row by row. (Its Holm
    branch runs ``gc.collect()`` on every call, far too slow for hundreds of
    families.)
    """
    p = np.asarray(p, dtype=float)
    if method is None:
        return p.copy()
    if p.ndim == 1:
        return _adjust(p[None, :], method)[0]
    if method not in ("holm", "fdr_bh", "bonferroni"):
        from statsmodels.stats.multitest import multipletests

        out = np.full(p.shape, np.nan)
        for r in range(p.shape[0]):
            ok = np.isfinite(p[r])
            if ok.any():
                out[r, ok] = multipletests(p[r, ok], method=method)[1]
        return out
    m = np.isfinite(p).sum(axis=1, keepdims=True).astype(float)
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(np.where(np.isfinite(p), p, np.inf), axis=1, kind="stable")
    ps = np.take_along_axis(p, order, axis=1)                  # NaN last
    rank = np.arange(p.shape[1], dtype=float)[None, :]        # 0-based
    if method == "holm":
        adj = np.fmax.accumulate(ps * (m - rank), axis=1)
    else:
        adj = np.fmin.accumulate((ps * m / (rank + 1))[:, ::-1], axis=1)[:, ::-1]
    adj = np.where(np.isfinite(ps), np.minimum(adj, 1.0), np.nan)
    out = np.empty_like(adj)
    np.put_along_axis(out, order, adj, axis=1)
    return out


# ---------------------------------------------------------------------------
# overall tests
# ---------------------------------------------------------------------------

def _contrast_basis(nr: int, nc: int) -> np.ndarray:
    """A basis of the interaction space (r x c tables with zero row and column sums);
    cells ordered column by column (rows fastest)."""
    def centred(k):
        return np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])
    return np.kron(centred(nc), centred(nr))


def _rao_scott_fast(S1: np.ndarray, dz: _Design, n_rows: int, code: np.ndarray,
                    cats: np.ndarray, nbase: int) -> dict:
    """Rao-Scott second-order F from the weighted cell totals and the design.

    Same quantity as ``stats.svychisq(statistic="F")`` (R ``svychisq``):
    :math:`X^2 = n \\sum (p_{ij} - p_{i.} p_{.j})^2 / (p_{i.} p_{.j})`, with
    ``n`` all rows of the design; :math:`\\Delta = (C'D^{-1}C/n)^{-1}
    C'D^{-1} V D^{-1} C`, ``C`` a basis of the interaction contrasts and ``V``
    the design covariance of the cell proportions, whose influence function
    for a respondent in cell ``k`` is :math:`(D^{-1}C)_k` centred (Rao and
    Scott 1984); :math:`F = X^2 / \\mathrm{tr}\\,\\Delta` on
    :math:`d_0 = \\mathrm{tr}^2 / \\mathrm{tr}(\\Delta^2)` and :math:`d_0 \\nu`
    df. ``V`` comes from :meth:`SurveyDesign.vcov_total_coded` on the
    respondents' (row base category, banner level) codes ``code``, whose
    table rows are the cells' influence rows, without a respondent-level
    matrix."""
    from scipy import stats

    T = S1.sum(axis=1)                                   # (r, c)
    keep_r = T.sum(axis=1) > 0
    keep_c = T.sum(axis=0) > 0
    T = T[keep_r][:, keep_c]
    nr, nc = T.shape
    if nr < 2 or nc < 2:
        return {"skip": f"fewer than 2 levels with respondents ({nr} x {nc})"}
    if dz.degf < 1:
        return {"skip": f"the design has {dz.degf:g} degrees of freedom"}
    psum = T.sum()
    P = T / psum
    pr, pc = P.sum(axis=1), P.sum(axis=0)
    E = np.outer(pr, pc)
    phi2 = float(((P - E) ** 2 / E).sum())
    x2 = n_rows * phi2
    m = P.T.ravel()                                      # column-major cells
    C = _contrast_basis(nr, nc)
    with np.errstate(divide="ignore"):
        inv_m = np.where(m > 0, 1.0 / np.where(m > 0, m, 1.0), 0.0)
    U = inv_m[:, None] * C                               # D^-1 C, one row per cell
    U = U - m @ U
    rix = np.full(nbase, -1)
    rix[np.asarray(cats)[keep_r]] = np.arange(nr)
    cix = np.full(len(keep_c) + 1, -1)
    cix[1 + np.flatnonzero(keep_c)] = np.arange(nc)      # level 0 = banner missing
    ra = np.repeat(rix, len(cix))                       # rows of the code table
    ca = np.tile(cix, nbase)
    valid = (ra >= 0) & (ca >= 0)
    table = np.zeros((len(valid), U.shape[1]))
    table[valid] = U[ca[valid] * nr + ra[valid]]
    try:
        A = dz.design.vcov_total_coded(table, code, code_subset=valid)
    except DesignError as exc:
        return {"skip": exc.message}
    V = A / psum ** 2
    denom = (C.T @ (inv_m[:, None] * C)) / n_rows
    Delta = np.linalg.solve(denom, V)
    tr = float(np.trace(Delta))
    if not np.isfinite(tr) or tr <= 0:
        return {"skip": "the design gives no variance for this table"}
    d0 = tr * tr / float(np.trace(Delta @ Delta))
    f = x2 / tr
    return {"method": "Rao-Scott F", "statistic_name": "F", "statistic": f, "df1": d0,
            "df2": d0 * dz.degf, "pvalue": float(stats.f.sf(f, d0, d0 * dz.degf)),
            "cramers_v": math.sqrt(phi2 / (min(nr, nc) - 1)), "warnings": ""}


def _pearson(counts: np.ndarray) -> dict:
    """Pearson's chi-squared on an unweighted r x c table (empty rows/columns dropped)."""
    from scipy import stats

    T = counts[counts.sum(axis=1) > 0][:, counts.sum(axis=0) > 0]
    nr, nc = T.shape
    if nr < 2 or nc < 2:
        return {"skip": f"fewer than 2 levels with respondents ({nr} x {nc})"}
    N = T.sum()
    E = np.outer(T.sum(axis=1), T.sum(axis=0)) / N
    x2 = float(((T - E) ** 2 / E).sum())
    df = (nr - 1) * (nc - 1)
    warn = ""
    if (E < 5).mean() > 0.2:
        warn = "more than 20% of expected counts below 5: the chi-squared approximation is poor"
    return {"method": "Pearson chi-square", "statistic_name": "X-squared", "statistic": x2,
            "df1": float(df), "df2": np.nan, "pvalue": float(stats.chi2.sf(x2, df)),
            "cramers_v": math.sqrt(x2 / N / (min(nr, nc) - 1)), "warnings": warn}


def _means_test(res: _SubResult, a: int, b: int, g: int, dz: _Design, sub: _Sub,
                banner: _Var) -> dict:
    """Equality of the column means of one banner variable: design Wald F or one-way ANOVA."""
    from scipy import stats

    nu = res.base_u[a:b]
    keep = nu > 0
    if dz.weighted:
        keep &= res.base_w[a:b] > 0
    L = int(keep.sum())
    if L < 2:
        return {"skip": f"fewer than 2 columns of {banner.name!r} with respondents"}
    m = res.pcol[0, a:b][keep]
    if not dz.weighted:
        sums = res.sums
        n = nu[keep]
        grand = float((m * n).sum() / n.sum())
        ssb = float((n * (m - grand) ** 2).sum())
        sd = res.sd[a:b][keep]
        ssw = float(np.nansum((n - 1) * sd ** 2))
        df1, df2 = L - 1, float(n.sum() - L)
        if df2 <= 0 or ssw <= 0:
            return {"skip": "no within-column variation"}
        f = (ssb / df1) / (ssw / df2)
        del sums
        return {"method": "One-way ANOVA F", "statistic_name": "F", "statistic": f,
                "df1": float(df1), "df2": df2, "pvalue": float(stats.f.sf(f, df1, df2)),
                "cramers_v": np.nan, "warnings": ""}
    V = res.cov[g][0][np.ix_(keep, keep)]
    A = np.hstack([np.ones((L - 1, 1)), -np.eye(L - 1)])
    d = A @ m
    try:
        W = float(d @ np.linalg.solve(A @ V @ A.T, d))
    except np.linalg.LinAlgError:
        return {"skip": "the covariance of the column means is singular"}
    used = (sub.codes >= 0) & (banner.codes >= 0)
    degf = _degf_used(dz, used)
    df2 = degf + 1 - L
    if df2 <= 0:
        return {"skip": f"too few design degrees of freedom ({degf:g}) for {L} columns"}
    f = W / (L - 1)
    return {"method": "Design-based Wald F", "statistic_name": "F", "statistic": f,
            "df1": float(L - 1), "df2": float(df2), "pvalue": float(stats.f.sf(f, L - 1, df2)),
            "cramers_v": np.nan, "warnings": ""}


def _degf_used(dz: _Design, used: np.ndarray) -> float:
    """Design df of the respondents used (R svyglm: PSUs minus strata with weight)."""
    return float(dz.design.degf_of(used))


def _chisq_test(res: _SubResult, a: int, b: int, g: int, dz: _Design, sub: _Sub,
                banner: _Var, n_rows: int) -> dict:
    cats = sub.test_cats
    if sub.variable == banner.name:
        return {"skip": "the row and banner variables are the same"}
    if not dz.weighted:
        counts = res.sums[0][cats].sum(axis=1)[:, a:b]
        return _pearson(counts)
    if dz.mode != "general":
        S1 = res.sums[1][cats][:, :, a:b]
        code = res.codes.get(g + 1)
        if code is None:
            code = _group_code(sub, banner.codes, b - a)
        return _rao_scott_fast(S1, dz, n_rows, code, cats, sub.nbase)
    from ..stats import tests as st

    try:
        r = st.svychisq(dz.design, sub.variable, banner.name, statistic="F")
    except (CrosstabError, DesignError) as exc:
        return {"skip": exc.message}
    return {"method": "Rao-Scott F", "statistic_name": "F", "statistic": float(r.statistic),
            "df1": float(r.df[0]), "df2": float(r.df[1]), "pvalue": float(r.pvalue),
            "cramers_v": float(r.details.get("cramers_v", np.nan)),
            "warnings": "; ".join(r.warnings)}


# ---------------------------------------------------------------------------
# the public function
# ---------------------------------------------------------------------------

def crosstab(design_or_frame: Any, rows: str | Sequence[str], cols: str | Sequence[str], *,
             percent: str = "col", weighted: bool = True, nets: bool = True, ci: bool = False,
             letters: bool = True, alpha: float = 0.05, adjust: str | None = "holm",
             min_base: int = 30, questionnaire: Any = None, lang: str = "en",
             conf_level: float = 0.95, title: str | None = None) -> Crosstab:
    """Banner table of ``rows`` by ``cols`` with bases, nets, letters and tests.

    Parameters
    ----------
    design_or_frame : SurveyDesign or pandas.DataFrame
        A design gives weighted, design-based tables; a DataFrame (or
        ``weighted=False``) gives unweighted tables with classical tests.
    rows : str or list of str
        Row variables, stacked as blocks: single-choice, Likert and grid
        items, banded numerics (each level a row, then the questionnaire's
        nets), multi-select questions by their question id (each option a
        row; base = respondents who answered the question, so percentages
        need not add to 100), single option variables, and numeric variables
        (a mean row with its SE). A grid question id expands to one block
        per item.
    cols : str or list of str
        Banner variables (categorical), side by side after one Total column.
        Their columns are lettered A, B, C, ... across the banner.
    percent : {"col", "row", "total", "none"}
        Column percentages (default), row percentages (share of the row
        within each banner variable), percentages of the Total base, or
        weighted counts. Letters are shown for "col" and "none".
    weighted : bool
        False computes unweighted counts and classical tests even for a
        design.
    nets : bool
        Add the questionnaire's nets (``q.nets(var)``) after the levels.
    ci : bool
        Show confidence intervals (always in :meth:`Crosstab.to_frame`).
    letters : bool
        Compute and show significance letters.
    alpha : float
        Significance level of the letters.
    adjust : {"holm", "bh", "bonferroni", None}
        Multiple-comparison adjustment within each family: the pairs of
        columns of one banner variable for one row.
    min_base : int
        Columns with fewer respondents (unweighted base) are marked and
        left out of the letters.
    questionnaire : Questionnaire or path, optional
        Labels and level order; default the questionnaire named by the
        data's ``attrs`` if found, else categorical order and keys.
    lang : {"en", "ja"}
        Language of labels and fixed words.
    conf_level : float
        Level of the confidence intervals.
    title : str, optional
        Default "<rows> by <banner variables>".

    Returns
    -------
    Crosstab

    Raises
    ------
    CrosstabError
        Unknown variables (the message lists the valid names), a numeric or
        multi-select banner, an option column that is not 0/1.
    UsageError
        Bad option values.

    Notes
    -----
    See the module docstring for the formulas (ratio estimators, their
    linearised variance, the letters and the tests).

    Examples
    --------
    >>> import pandas as pd, survey_kit as sk
    >>> df = pd.DataFrame({"a": list("xyxyxxyy") * 10, "g": list("ppppqqqq") * 10,
    ...                    "w": [1.0, 2.0] * 40})
    >>> tab = sk.crosstab(sk.SurveyDesign(df, weights="w"), "a", "g")
    >>> round(float(tab.cell("x", "p")["percent"]), 1)
    33.3
    """
    if percent not in PERCENT_MODES:
        raise UsageError(f"percent must be one of {', '.join(PERCENT_MODES)}; got {percent!r}")
    if adjust not in ADJUST_METHODS:
        raise UsageError(f"adjust must be 'holm', 'bh', 'bonferroni' or None; got {adjust!r}")
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must be between 0 and 1; got {alpha!r}")
    if not 0 < conf_level < 1:
        raise UsageError(f"conf_level must be between 0 and 1; got {conf_level!r}")
    check_lang(lang)
    if isinstance(min_base, bool) or not isinstance(min_base, (int, np.integer)) or min_base < 0:
        raise UsageError(f"min_base must be a non-negative integer; got {min_base!r}")
    warnings: list[str] = []
    if _is_design(design_or_frame):
        design = design_or_frame
        frame = design.frame
    elif isinstance(design_or_frame, pd.DataFrame):
        design, frame = None, design_or_frame
        weighted = False
    else:
        raise UsageError("design_or_frame must be a SurveyDesign or a pandas DataFrame; got "
                         f"{type(design_or_frame).__name__}")
    if len(frame) == 0:
        raise CrosstabError("the data have no respondents; nothing to tabulate")
    q = questionnaire
    if isinstance(q, (str, Path)):
        from ..instrument.questionnaire import load_questionnaire
        q = load_questionnaire(q)
    elif q is None:
        q = _find_questionnaire(frame, warnings)
    row_names = _as_list(rows, "rows")
    col_names = _as_list(cols, "cols")
    blocks = _row_blocks(frame, row_names, q, nets, lang, warnings)
    banners = _banners(frame, col_names, q, lang, warnings)
    n = len(frame)
    dz = _design_info(design, weighted, n)
    idx = _Index(banners, None, 1)
    K = idx.K
    groups = _groups(K, banners)
    method = ADJUST_METHODS[adjust]
    words = label_words(lang, "table")
    show_letters = letters and percent in ("col", "none")

    # column metadata
    col_var = [TOTAL]
    col_var_label = [words["total"]]
    col_level: list = [TOTAL]
    col_label = [words["total"]]
    for b in banners:
        col_var += [b.name] * len(b.levels)
        col_var_label += [b.label] * len(b.levels)
        col_level += list(b.levels)
        col_label += list(b.labels)
    col_letter = [""] + _letters_seq(K - 1)
    columns = pd.DataFrame({"banner_variable": col_var, "banner_label": col_var_label,
                            "column_level": col_level, "column_label": col_label,
                            "column_letter": col_letter})

    cell_parts: list[dict] = []
    test_rows: list[dict] = []
    comp_parts: list[pd.DataFrame] = []
    for block in blocks:
        for sub in block.subs:
            res = _compute_sub(sub, idx, dz, banners, percent)
            numeric = sub.values is not None
            R = len(sub.rows)
            kind = "mean" if numeric else ("count" if percent == "none" else "prop")
            lo, hi = _intervals(res.est, res.var, kind, dz, conf_level,
                                _ci_n(res, percent, groups))
            letters_arr = np.full((R, K), "", dtype=object)
            for g, (a, b) in enumerate(groups):
                if not letters:
                    break
                pr = _pairs(res, a, b, g, dz, min_base, numeric)
                padj = _adjust(pr["p"], method)
                sig = padj < alpha
                i, j = pr["i"], pr["j"]
                for r in range(R):
                    for k in np.flatnonzero(sig[r]):
                        hi_col, lo_col = (a + i[k], a + j[k]) if pr["diff"][r, k] > 0 else (
                            a + j[k], a + i[k])
                        letters_arr[r, hi_col] += col_letter[lo_col]
                npair = len(i)
                if npair:
                    comp_parts.append(pd.DataFrame({
                        "block": block.name,
                        "row_variable": np.repeat([rw.variable for rw in sub.rows], npair),
                        "row_level": np.repeat(np.array([rw.level for rw in sub.rows],
                                                        dtype=object), npair),
                        "banner_variable": banners[g].name,
                        "column_a": np.tile(np.array(banners[g].levels, dtype=object)[i], R),
                        "column_b": np.tile(np.array(banners[g].levels, dtype=object)[j], R),
                        "letter_a": np.tile(np.array(col_letter, dtype=object)[a + i], R),
                        "letter_b": np.tile(np.array(col_letter, dtype=object)[a + j], R),
                        "estimate_a": pr["pa"].ravel(), "estimate_b": pr["pb"].ravel(),
                        "difference": pr["diff"].ravel(), "se": pr["se"].ravel(),
                        "statistic": pr["t"].ravel(), "df": np.asarray(pr["df"]).ravel(),
                        "pvalue": pr["p"].ravel(), "pvalue_adjusted": padj.ravel(),
                        "significant": sig.ravel(),
                    }))
            if not show_letters and not numeric:
                letters_arr[:] = ""
            # overall tests
            for g, (a, b) in enumerate(groups):
                if sub.test == "means":
                    t = _means_test(res, a, b, g, dz, sub, banners[g])
                elif sub.test == "chisq":
                    t = _chisq_test(res, a, b, g, dz, sub, banners[g], n)
                else:
                    continue
                rec = {"block": block.name, "row_variable": sub.variable,
                       "banner_variable": banners[g].name}
                if "skip" in t:
                    warnings.append(f"no test for {sub.variable!r} by {banners[g].name!r}: "
                                    f"{t['skip']}")
                    rec.update(method="not computed", statistic_name="", statistic=np.nan,
                               df1=np.nan, df2=np.nan, pvalue=np.nan, cramers_v=np.nan,
                               warnings=t["skip"])
                else:
                    rec.update({k: t[k] for k in ("method", "statistic_name", "statistic",
                                                  "df1", "df2", "pvalue", "cramers_v",
                                                  "warnings")})
                rec["n"] = int(((sub.codes >= 0) & (banners[g].codes >= 0)).sum())
                test_rows.append(rec)
            scale = 1.0 if numeric or percent == "none" else 100.0
            cell_parts.append(_cell_columns(block, sub, res, lo, hi, letters_arr, scale,
                                            percent, numeric, columns, min_base))
    cells = pd.concat([pd.DataFrame(p) for p in cell_parts], ignore_index=True)
    tests = pd.DataFrame(test_rows, columns=[
        "block", "row_variable", "banner_variable", "method", "statistic_name", "statistic",
        "df1", "df2", "pvalue", "cramers_v", "n", "warnings"])
    comp_cols = ["block", "row_variable", "row_level", "banner_variable", "column_a",
                 "column_b", "letter_a", "letter_b", "estimate_a", "estimate_b", "difference",
                 "se", "statistic", "df", "pvalue", "pvalue_adjusted", "significant"]
    comparisons = (pd.concat(comp_parts, ignore_index=True) if comp_parts
                   else pd.DataFrame(columns=comp_cols))
    blocks_df = pd.DataFrame({"block": [b.name for b in blocks],
                              "label": [b.label for b in blocks],
                              "kind": [b.kind for b in blocks],
                              "base": [b.base for b in blocks]})
    if title is None:
        rl = "; ".join(dict.fromkeys(b.title or b.label for b in blocks))
        bl = f" {words['and']} ".join(b.label for b in banners) if lang == "en" else \
            words["and"].join(b.label for b in banners)
        title = f"{rl} {words['by']} {bl}"
    notes = _notes(dz.weighted, percent, show_letters and letters, alpha, method, min_base,
                   blocks, lang, conf_level, ci)
    return Crosstab(cells=cells, columns=columns, tests=tests, comparisons=comparisons,
                    blocks=blocks_df, title=title, notes=tuple(notes), percent=percent,
                    weighted=dz.weighted, nets=nets, ci=ci, letters=show_letters,
                    alpha=alpha, adjust=method, min_base=int(min_base), conf_level=conf_level,
                    lang=lang, degf=dz.degf if dz.weighted else None,
                    warnings=tuple(dict.fromkeys(warnings)))


def _ci_n(res: _SubResult, percent: str, groups: list) -> np.ndarray:
    """Unweighted n behind each displayed statistic (for unweighted intervals)."""
    R, K = res.est.shape
    if percent == "total":
        return np.full((R, K), res.base_u[0])
    if percent == "row":
        out = np.empty((R, K))
        out[:, 0] = res.count_u[:, 0]
        for a, b in groups:
            out[:, a:b] = res.count_u[:, a:b].sum(axis=1, keepdims=True)
        return out
    return np.broadcast_to(res.base_u, (R, K)).astype(float)


def _cell_columns(block: _Block, sub: _Sub, res: _SubResult, lo: np.ndarray, hi: np.ndarray,
                  letters_arr: np.ndarray, scale: float, percent: str, numeric: bool,
                  columns: pd.DataFrame, min_base: int) -> dict:
    R, K = res.est.shape

    def rep(x: Any) -> np.ndarray:
        return np.repeat(np.asarray(x, dtype=object), K)

    def tile(x: Any) -> np.ndarray:
        return np.tile(np.asarray(x), R)

    se = np.sqrt(res.var)
    empty = np.broadcast_to(res.base_u == 0, (R, K))
    est = np.where(empty, np.nan, res.est)
    if numeric:
        pct = np.full((R, K), np.nan)
        mean = est
        shown_se, clo, chi = se, lo, hi
    else:
        pct = est * scale if percent != "none" else np.full((R, K), np.nan)
        mean = np.full((R, K), np.nan)
        shown_se, clo, chi = se * scale, lo * scale, hi * scale
    return {
        "block": np.repeat(block.name, R * K),
        "block_label": np.repeat(block.label, R * K),
        "row_variable": rep([rw.variable for rw in sub.rows]),
        "row_level": rep([rw.level for rw in sub.rows]),
        "row_label": rep([rw.label for rw in sub.rows]),
        "row_kind": rep([rw.kind for rw in sub.rows]),
        "banner_variable": tile(columns["banner_variable"].to_numpy(dtype=object)),
        "banner_label": tile(columns["banner_label"].to_numpy(dtype=object)),
        "column_level": tile(columns["column_level"].to_numpy(dtype=object)),
        "column_label": tile(columns["column_label"].to_numpy(dtype=object)),
        "column_letter": tile(columns["column_letter"].to_numpy(dtype=object)),
        "percent": pct.ravel(),
        "count": (res.count_w if not numeric else np.full((R, K), np.nan)).ravel(),
        "unweighted_count": (res.count_u if not numeric else
                             np.broadcast_to(res.base_u, (R, K))).ravel().astype(np.int64),
        "mean": mean.ravel(),
        "se": np.where(empty, np.nan, shown_se).ravel(),
        "ci_low": np.where(empty, np.nan, clo).ravel(),
        "ci_high": np.where(empty, np.nan, chi).ravel(),
        "letters": letters_arr.ravel(),
        "unweighted_base": tile(res.base_u.astype(np.int64)),
        "weighted_base": tile(res.base_w),
        "effective_base": tile(res.base_e),
        "low_base": tile(res.base_u < min_base),
    }


def _notes(weighted: bool, percent: str, letters: bool, alpha: float, method: str | None,
           min_base: int, blocks: list[_Block], lang: str, conf_level: float,
           ci: bool) -> list[str]:
    adj = _ADJUST_NAMES.get(method, "unadjusted") if method else "unadjusted"
    adj_txt = f"{adj}-adjusted" if method else "unadjusted"
    what = {"col": "percentages", "row": "row percentages", "total": "percentages of the total",
            "none": "counts"}[percent]
    if lang == "ja":
        w = "加重" if weighted else "非加重"
        kind = {"col": "列％", "row": "行％", "total": "全体に対する％", "none": "件数"}[percent]
        out = [f"{w}{kind}。" + ("検定はデザインに基づく（Rao-Scott）。" if weighted else
                                 "検定はピアソンのカイ二乗検定。")]
        if letters:
            out.append(f"記号：その列の比率が、記号の列より有意に高い（alpha={alpha:g}、"
                       f"{adj}法で調整、同じ変数の列の対比較を一族とする）。")
        if any(b.kind == "multi" for b in blocks):
            out.append("複数回答：質問に回答した人を基数とする（合計は100％を超えうる）。")
        if any(b.kind == "numeric" for b in blocks):
            out.append("平均：" + ("加重平均。平均の差はデザインに基づくWald F検定。" if weighted
                                  else "平均。一元配置分散分析のF検定。"))
        if ci:
            out.append(f"[ ] は{conf_level:.0%}信頼区間。")
        out.append(f"＊：非加重の回答者数が{min_base}未満（参考値、検定対象外）。"
                   "－：該当者なし。")
        return out
    if weighted:
        first = (f"Weighted {what}; design-based (Rao-Scott) tests; letters: column "
                 f"proportion significantly higher at alpha={alpha:g} ({adj_txt}) than the "
                 "column with that letter" if letters else
                 f"Weighted {what}; design-based (Rao-Scott) tests")
    else:
        first = (f"Unweighted {what}; Pearson chi-square tests; letters: column proportion "
                 f"significantly higher at alpha={alpha:g} ({adj_txt}, two-proportion z test) "
                 "than the column with that letter" if letters else
                 f"Unweighted {what}; Pearson chi-square tests")
    out = [first + "."]
    if letters:
        se_txt = ("design-based standard errors of the difference (linearisation), t test on "
                  "the design degrees of freedom" if weighted else
                  "pooled two-proportion z test; Welch t test for means")
        out.append(f"Letters compare columns within one banner variable; the family adjusted "
                   f"together is all pairs of columns of that banner variable for one row; "
                   f"{se_txt}.")
    if any(b.kind == "multi" for b in blocks):
        out.append("Multi-select questions: base = respondents who answered the question; "
                   "percentages can add to more than 100.")
    if any(b.kind == "numeric" for b in blocks):
        out.append("Mean rows: " + ("weighted means; design-based Wald F test of equal means."
                                    if weighted else "means; one-way ANOVA F test."))
    if ci:
        out.append(f"{conf_level:.0%} confidence intervals in brackets" + (
            " (logit intervals for proportions, t on the design degrees of freedom)."
            if weighted else " (Wilson intervals for proportions)."))
    out.append(f"* Unweighted base below {min_base}: treat with caution; not tested. "
               "- No respondents.")
    return out
