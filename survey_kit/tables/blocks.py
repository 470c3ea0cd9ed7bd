"""The row blocks of a banner table: which rows a row variable gives, on which base.

Each requested row variable becomes a :class:`Block` of one or more
:class:`Sub` -- the unit of computation: the respondents' base category (-1
outside the base) and the rows built on those categories:

- a single-choice, Likert or banded variable: one row per level, then the
  questionnaire's nets (0/1 combinations of levels); base = answered;
- a multi-select question (by its id) or a 0/1 option variable: one Sub per
  option, each with the row "selected"; base = answered the question;
- a numeric variable: one mean row;
- a grid question (by its id): one block per item.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"a": ["x", "y", "x"], "y": [1.5, None, 2.0]})
>>> [(b.name, b.kind, [r.label for r in b.subs[0].rows]) for b in
...  row_blocks(frame, ["a", "y"], None, True, "en", [])]
[('a', 'categorical', ['x', 'y']), ('y', 'numeric', ['Mean'])]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CrosstabError
from ..instrument.labels import words as label_words
from .variables import categorical, question_label, unknown_variable, variable_kind

__all__ = ["Block", "Row", "Sub", "multi_block", "row_blocks"]


@dataclass
class Row:
    """One row of the table: a level, a net, a selected option or a mean."""

    variable: str
    level: Any
    label: str
    kind: str                  # level, net, option, mean


@dataclass
class Sub:
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
class Block:
    """The rows of one row variable (or question), shown under one heading."""

    name: str
    label: str
    kind: str                  # categorical, multi, binary, numeric
    subs: list
    base: str
    title: str | None = None   # name in the table title (the grid question for its items)


def row_blocks(frame: pd.DataFrame, names: list[str], q, nets: bool, lang: str,
               warnings: list[str]) -> list[Block]:
    """The blocks of the row variables ``names`` (columns, or question ids of ``q``)."""
    blocks: list[Block] = []
    for name in names:
        if name in frame.columns:
            blocks.append(_column_block(frame, name, q, nets, lang, warnings))
        elif q is not None and name in {qu.id for qu in q.questions}:
            blocks += _question_blocks(frame, name, q, nets, lang, warnings)
        else:
            raise unknown_variable(name, "row", frame, q)
    return blocks


def _variable_label(q, name: str, lang: str) -> str:
    return q.label(name, None, lang) if q is not None and q.has_variable(name) else str(name)


def _column_block(frame: pd.DataFrame, name: str, q, nets: bool, lang: str,
                  warnings: list[str]) -> Block:
    """The block of one data column, by its kind."""
    if not frame[name].notna().any():
        raise CrosstabError(f"row variable {name!r} has no non-missing values (all "
                            f"{len(frame)} respondents are missing); nothing to tabulate",
                            column=name)
    kind = variable_kind(frame, name, q)
    if kind == "text":
        raise CrosstabError(f"{name!r} is an open-ended (text) or date variable and "
                            "cannot be tabulated; code it into categories first", column=name)
    if kind == "numeric":
        return _numeric_block(frame, name, _variable_label(q, name, lang), lang)
    if kind == "binary":
        return multi_block(frame, name, [name], q, lang, label=_variable_label(q, name, lang),
                           kind="binary")
    return _categorical_block(frame, name, q, nets, lang, warnings)


def _numeric_block(frame: pd.DataFrame, name: str, label: str, lang: str) -> Block:
    """One mean row; base = respondents with a value."""
    y = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(y).any():
        i = int(np.flatnonzero(np.isinf(y))[0])
        raise CrosstabError(f"numeric variable {name!r} has infinite values (first at data "
                            f"row {i + 1}); recode them as missing or to a number first",
                            column=name, value=float(y[i]))
    codes = np.where(np.isnan(y), -1, 0).astype(np.intp)
    mean = label_words(lang, "table")["mean"]
    sub = Sub(name, codes, 1, np.ones((1, 1)), [Row(name, "mean", mean, "mean")], "means",
              np.array([0]), values=np.where(np.isnan(y), 0.0, y))
    return Block(name, label, "numeric", [sub], "answered")


def _categorical_block(frame: pd.DataFrame, name: str, q, nets: bool, lang: str,
                       warnings: list[str]) -> Block:
    """One row per level, then the questionnaire's nets."""
    var = categorical(frame, name, q, lang, warnings, "row")
    B = len(var.levels)
    rows = [Row(name, lv, lb, "level") for lv, lb in zip(var.levels, var.labels)]
    M = np.eye(B)
    if nets and q is not None and q.has_variable(name):
        net_rows, indicators = _nets(q, name, var.levels, lang)
        rows += net_rows
        if indicators:
            M = np.vstack([M] + indicators)
    sub = Sub(name, var.codes, B, M, rows, "chisq", np.arange(B))
    return Block(name, var.label, "categorical", [sub], "answered")


def _nets(q, name: str, levels: list, lang: str) -> tuple[list[Row], list[np.ndarray]]:
    """The questionnaire's nets of ``name``: their rows and 0/1 indicators over ``levels``."""
    net_word = label_words(lang, "table")["net"]
    sep = "" if lang == "ja" else " "
    rows, indicators = [], []
    for net in q.nets(name):
        ind = np.zeros(len(levels))
        ind[[levels.index(lv) for lv in net.levels]] = 1.0
        indicators.append(ind)
        lab = net.label_ja if lang == "ja" and net.label_ja else net.label
        rows.append(Row(name, net.key, f"{lab}{sep}{net_word}", "net"))
    return rows, indicators


def _question_blocks(frame: pd.DataFrame, name: str, q, nets: bool, lang: str,
                     warnings: list[str]) -> list[Block]:
    """A multi-select question (one block) or a grid (one block per item) by its id."""
    qu = q.question(name)
    if qu.type == "multi":
        opts = q.multi_variables(name)
        missing = [v for v in opts if v not in frame.columns]
        if missing:
            raise CrosstabError(f"multi-select question {name!r} needs the columns "
                                f"{missing}, which the data lack; read the export with "
                                "survey_kit.read_responses", column=name)
        return [multi_block(frame, name, opts, q, lang, label=question_label(q, name, lang),
                            kind="multi")]
    if qu.type != "grid":
        raise unknown_variable(name, "row", frame, q)
    items = [it for it in q.grid_variables(name) if it in frame.columns]
    if not items:
        raise CrosstabError(f"grid question {name!r}: none of its items "
                            f"{q.grid_variables(name)} is in the data", column=name)
    qlabel = question_label(q, name, lang)
    sep = "：" if lang == "ja" else ": "
    blocks = row_blocks(frame, items, q, nets, lang, warnings)
    for blk in blocks:
        blk.label = f"{qlabel}{sep}{blk.label}"
        blk.title = qlabel
    return blocks


def _option_values(frame: pd.DataFrame, opt: str) -> np.ndarray:
    """An option column as floats 0/1 (NaN: not answered); anything else is an error."""
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
    return v


def multi_block(frame: pd.DataFrame, name: str, options: list[str], q, lang: str,
                label: str, kind: str) -> Block:
    """A block with one row per option; base = respondents who answered the question."""
    vals = [_option_values(frame, opt) for opt in options]
    answered = ~np.isnan(np.column_stack(vals)).all(axis=1)
    if not answered.any():
        raise CrosstabError(f"{name!r}: no respondent answered (every option column "
                            f"{', '.join(options[:10])} is missing); nothing to tabulate",
                            column=name)
    subs = []
    for opt, v in zip(options, vals):
        codes = np.where(answered, (v == 1.0).astype(np.intp), -1).astype(np.intp)
        if q is not None and q.has_variable(opt):
            info = q.variable(opt)
            key = opt[len(info.question) + 1:] if opt.startswith(info.question + "_") else opt
            lab = q.label(opt, None, lang)
        else:
            key, lab = opt, opt
        subs.append(Sub(opt, codes, 2, np.array([[0.0, 1.0]]),
                        [Row(opt, key, lab, "option")], "chisq", np.array([0, 1])))
    return Block(name, label, kind, subs, "answered the question")
