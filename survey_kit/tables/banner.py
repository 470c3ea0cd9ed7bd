"""The banner: the columns of a table, one Total column then the levels of each banner
variable, lettered A, B, C, ... across the banner.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"size": ["s", "l", "s"], "region": ["n", "n", "s"]})
>>> banners = resolve_banners(frame, ["size", "region"], None, "en", [])
>>> banner_groups(banners)
[(1, 3), (3, 5)]
>>> cols = columns_frame(banners, "en")
>>> cols["column_level"].tolist(), cols["column_letter"].tolist()
(['total', 'l', 's', 'n', 's'], ['', 'A', 'B', 'C', 'D'])
"""

from __future__ import annotations

import pandas as pd

from ..errors import CrosstabError
from ..instrument.labels import words as label_words
from .variables import Var, categorical, unknown_variable, variable_kind

__all__ = ["TOTAL", "banner_groups", "columns_frame", "letter_sequence", "resolve_banners"]

#: ``banner_variable`` and ``column_level`` of the Total column
TOTAL = "total"


def resolve_banners(frame: pd.DataFrame, names: list[str], q, lang: str,
                    warnings: list[str]) -> list[Var]:
    """The banner variables ``names``, each a categorical :class:`~.variables.Var`."""
    return [_banner(frame, name, q, lang, warnings) for name in names]


def _banner(frame: pd.DataFrame, name: str, q, lang: str, warnings: list[str]) -> Var:
    """One banner variable; multi-select, numeric and text variables are refused."""
    if name not in frame.columns:
        if q is not None and name in {qu.id for qu in q.questions}:
            qu = q.question(name)
            if qu.type == "multi":
                raise CrosstabError(
                    f"{name!r} is a multi-select question; a banner needs one categorical "
                    f"variable (respondents in exactly one column); use one option, e.g. "
                    f"{q.multi_variables(name)[0]!r}", column=name)
        raise unknown_variable(name, "banner (cols)", frame, q)
    if not frame[name].notna().any():
        raise CrosstabError(f"banner variable {name!r} has no non-missing values (all "
                            f"{len(frame)} respondents are missing); choose another banner "
                            "variable", column=name)
    kind = variable_kind(frame, name, q)
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
    var = categorical(frame, name, q, lang, warnings, "banner")
    if not var.levels:
        raise CrosstabError(f"banner variable {name!r} has no levels (every value is "
                            "missing)", column=name)
    return var


def letter_sequence(n: int) -> list[str]:
    """Column letters: A..Z, then AA, AB, ... (as spreadsheet columns)."""
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


def banner_groups(banners: list[Var]) -> list[tuple[int, int]]:
    """(start, stop) column slices of the banner variables (column 0 is Total)."""
    out, start = [], 1
    for b in banners:
        out.append((start, start + len(b.levels)))
        start += len(b.levels)
    return out


def columns_frame(banners: list[Var], lang: str) -> pd.DataFrame:
    """The columns in display order: ``banner_variable, banner_label, column_level,
    column_label, column_letter`` (Total first, without a letter)."""
    total = label_words(lang, "table")["total"]
    col_var = [TOTAL]
    col_var_label = [total]
    col_level: list = [TOTAL]
    col_label = [total]
    for b in banners:
        col_var += [b.name] * len(b.levels)
        col_var_label += [b.label] * len(b.levels)
        col_level += list(b.levels)
        col_label += list(b.labels)
    return pd.DataFrame({"banner_variable": col_var, "banner_label": col_var_label,
                         "column_level": col_level, "column_label": col_label,
                         "column_letter": [""] + letter_sequence(len(col_var) - 1)})
