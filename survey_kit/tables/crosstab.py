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
>>> print(tab.to_text().splitlines()[0])
share by size

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
(tests through :func:`survey_kit.stats.design_tests.svychisq`).

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
:func:`survey_kit.stats.design_tests.svychisq`, both through the one core
:func:`survey_kit.stats.raoscott.association_test`) with Cramer's V from the weighted cell
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

The computation is spread over small modules: ``variables`` (names, kinds,
levels, codes), ``blocks`` (rows and nets), ``banner`` (columns and letters),
``aggregate`` (weight sums per column), ``cells`` (estimates and intervals),
``variance`` (influence functions through the design), ``letters`` (pairwise
comparisons), ``block_tests`` (overall tests) and ``notes``; the result is a
:class:`~survey_kit.tables.result.Crosstab`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CrosstabError, UsageError
from ..instrument.labels import check_lang
from ..stats.design_protocol import is_design
from .aggregate import BannerIndex
from .banner import banner_groups, columns_frame, resolve_banners
from .block_tests import TEST_COLUMNS, block_tests
from .blocks import Block, Sub, row_blocks
from .cells import SubResult, ci_n, compute_sub, intervals
from .design_info import DesignInfo, design_info
from .letters import COMPARISON_COLUMNS, compare_columns
from .notes import default_title, table_notes
from .result import Crosstab
from .variables import Var, as_list, resolve_questionnaire

__all__ = ["ADJUST_METHODS", "PERCENT_MODES", "check_options", "crosstab"]

PERCENT_MODES = ("col", "row", "total", "none")
#: accepted ``adjust`` values -> statsmodels ``multipletests`` method
ADJUST_METHODS: dict[Any, str | None] = {
    "holm": "holm", "bh": "fdr_bh", "fdr_bh": "fdr_bh", "bonferroni": "bonferroni",
    "none": None, None: None,
}


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
        Unknown variables (the message lists the valid names), a variable
        with no non-missing value, a numeric or multi-select banner, an
        option column that is not 0/1, a numeric row with infinite values, a
        name given to several columns of the data, a base whose weights are
        all zero, no respondents.
    UsageError
        Bad option values (percent, adjust, alpha, conf_level, min_base,
        lang, title, questionnaire).

    A banner with one level, the same variable as rows and banner, or a
    banner column whose weights are all zero give a table whose test is
    skipped with a warning on :attr:`Crosstab.warnings`.

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
    check_options(percent, adjust, alpha, conf_level, lang, min_base)
    design, frame, weighted = _data(_reduced(design_or_frame, rows, cols), weighted)
    warnings: list[str] = []
    q = resolve_questionnaire(questionnaire, frame, warnings)
    row_names, col_names = as_list(rows, "rows"), as_list(cols, "cols")
    _check_unique_columns(frame, row_names + col_names)
    if title is not None and not isinstance(title, str):
        raise UsageError(f"title must be text; got {type(title).__name__}")
    blocks = row_blocks(frame, row_names, q, nets, lang, warnings)
    banners = resolve_banners(frame, col_names, q, lang, warnings)
    opts = _Options(percent=percent, letters=letters, alpha=alpha,
                    adjust=ADJUST_METHODS[adjust], min_base=int(min_base),
                    conf_level=conf_level)
    dz = design_info(design, weighted, len(frame))
    columns = columns_frame(banners, lang)
    parts = _Parts()
    idx = BannerIndex(banners)
    for block in blocks:
        for sub in block.subs:
            _tabulate(block, sub, idx, dz, banners, columns, opts, parts, warnings)
    show_letters = letters and percent in ("col", "none")
    notes = table_notes(dz.weighted, percent, show_letters, alpha, opts.adjust, opts.min_base,
                        blocks, lang, conf_level, ci,
                        variance="replicate weights" if dz.mode == "replicate"
                        else "linearisation")
    return Crosstab(cells=pd.concat([pd.DataFrame(p) for p in parts.cells], ignore_index=True),
                    columns=columns, tests=pd.DataFrame(parts.tests, columns=TEST_COLUMNS),
                    comparisons=(pd.concat(parts.comparisons, ignore_index=True)
                                 if parts.comparisons
                                 else pd.DataFrame(columns=COMPARISON_COLUMNS)),
                    blocks=_blocks_frame(blocks),
                    title=default_title(blocks, banners, lang) if title is None else title,
                    notes=tuple(notes), percent=percent, weighted=dz.weighted, nets=nets, ci=ci,
                    letters=show_letters, alpha=alpha, adjust=opts.adjust,
                    min_base=opts.min_base, conf_level=conf_level, lang=lang,
                    degf=dz.degf if dz.weighted else None,
                    warnings=tuple(dict.fromkeys(warnings)))


@dataclass(frozen=True)
class _Options:
    """The options every sub-block is computed with (``adjust``: the statsmodels name)."""

    percent: str
    letters: bool
    alpha: float
    adjust: str | None
    min_base: int
    conf_level: float


@dataclass
class _Parts:
    """What the sub-blocks add up to: cell columns, test records, comparison frames."""

    cells: list = field(default_factory=list)
    tests: list = field(default_factory=list)
    comparisons: list = field(default_factory=list)


def check_options(percent: str, adjust: Any, alpha: float, conf_level: float, lang: str,
                   min_base: Any) -> None:
    """Refuse bad option values (UsageError naming the accepted ones)."""
    if percent not in PERCENT_MODES:
        raise UsageError(f"percent must be one of {', '.join(PERCENT_MODES)}; got {percent!r}")
    if not isinstance(adjust, (str, type(None))) or adjust not in ADJUST_METHODS:
        raise UsageError(f"adjust must be 'holm', 'bh', 'bonferroni' or None; got {adjust!r}")
    for name, value in (("alpha", alpha), ("conf_level", conf_level)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(
                value, (int, float, np.integer, np.floating)) or not 0 < value < 1:
            raise UsageError(f"{name} must be a number between 0 and 1; got {value!r}")
    check_lang(lang)
    if isinstance(min_base, bool) or not isinstance(min_base, (int, np.integer)) or min_base < 0:
        raise UsageError(f"min_base must be a non-negative integer; got {min_base!r}")


def _check_unique_columns(frame: pd.DataFrame, names: list[str]) -> None:
    """Refuse a requested variable that names several columns of the data."""
    if not frame.columns.has_duplicates:
        return
    dup = [n for n in dict.fromkeys(names) if n in frame.columns
           and not isinstance(frame.columns.get_loc(n), int)]
    if dup:
        raise CrosstabError(f"the data have several columns named {dup[0]!r}; rename or "
                            "drop the duplicates first", column=dup[0])


def _reduced(design: Any, rows: Any, cols: Any) -> Any:
    """An out-of-core design (it has ``atoms_for``) as the atoms of the variables the table
    names: the columns named, and those starting with a named question id and ``_``
    (options of a multi-select question, items of a grid) when no column has that name."""
    if not hasattr(design, "atoms_for"):
        return design
    names = as_list(rows, "rows") + as_list(cols, "cols")
    ids = [n for n in names if n not in design.columns]
    needed = [c for c in design.columns
              if c in names or any(c.startswith(f"{n}_") for n in ids)]
    return design.atoms_for(needed)


def _data(design_or_frame: Any, weighted: bool) -> tuple[Any, pd.DataFrame, bool]:
    """(design or None, respondents, weighted): a DataFrame gives an unweighted table."""
    if is_design(design_or_frame):
        design, frame = design_or_frame, design_or_frame.frame
    elif isinstance(design_or_frame, pd.DataFrame):
        design, frame, weighted = None, design_or_frame, False
    else:
        raise UsageError("design_or_frame must be a SurveyDesign or a pandas DataFrame; got "
                         f"{type(design_or_frame).__name__}")
    if len(frame) == 0:
        raise CrosstabError("the data have no respondents; nothing to tabulate")
    return design, frame, weighted


def _tabulate(block: Block, sub: Sub, idx: BannerIndex, dz: DesignInfo, banners: list[Var],
              columns: pd.DataFrame, opts: _Options, parts: _Parts,
              warnings: list[str]) -> None:
    """Cells, letters, comparisons and tests of one sub-block, added to ``parts``."""
    groups = banner_groups(banners)
    res = compute_sub(sub, idx, dz, banners, opts.percent)
    if dz.weighted and not res.base_w[0] > 0:
        raise CrosstabError(f"every respondent in the base of {sub.variable!r} has weight zero; "
                            "the weighted table would be empty (check the weights, or "
                            "tabulate unweighted)", column=sub.variable)
    numeric = sub.values is not None
    kind = "mean" if numeric else ("count" if opts.percent == "none" else "prop")
    lo, hi = intervals(res.est, res.var, kind, dz, opts.conf_level,
                       ci_n(res, opts.percent, groups))
    letters = np.full(res.est.shape, "", dtype=object)
    if opts.letters:
        letters, comparisons = compare_columns(
            block, sub, res, groups, banners, columns["column_letter"].tolist(), dz,
            min_base=opts.min_base, adjust=opts.adjust, alpha=opts.alpha)
        parts.comparisons += comparisons
    if opts.percent not in ("col", "none") and not numeric:
        letters[:] = ""                     # letters are shown for "col" and "none" only
    parts.tests += block_tests(block, sub, res, groups, banners, dz, dz.n_rows, warnings)
    scale = 1.0 if numeric or opts.percent == "none" else 100.0
    parts.cells.append(_cell_columns(block, sub, res, lo, hi, letters, scale, opts.percent,
                                    numeric, columns, opts.min_base))


def _blocks_frame(blocks: list[Block]) -> pd.DataFrame:
    """``block, label, kind, base`` per row block."""
    return pd.DataFrame({"block": [b.name for b in blocks],
                         "label": [b.label for b in blocks],
                         "kind": [b.kind for b in blocks],
                         "base": [b.base for b in blocks]})


def _cell_columns(block: Block, sub: Sub, res: SubResult, lo: np.ndarray, hi: np.ndarray,
                  letters_arr: np.ndarray, scale: float, percent: str, numeric: bool,
                  columns: pd.DataFrame, min_base: int) -> dict:
    """The columns of :attr:`Crosstab.cells` for the rows of ``sub``, one row per
    (row, column); ``scale`` turns proportions into the percentages shown."""
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
