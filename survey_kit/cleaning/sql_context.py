"""The out-of-core twin of :class:`~survey_kit.cleaning.context.Context`: answers as SQL.

A rule's out-of-core form (``sql_<rule>`` beside ``flag_<rule>`` in its module of
:mod:`survey_kit.cleaning.rules`) reads the answers through a :class:`SqlContext`
with the same methods as the in-memory context, but each returns a SQL
expression over the view of :class:`survey_kit.io.sql.SqlFrame` instead of an
array: ``codes`` (option position, -1 blank), ``number``, ``answered``,
``scores``. A rule's :class:`~survey_kit.cleaning.outcome.Outcome` then holds
its flags as a SQL boolean expression that is never NULL. Aggregates a rule
needs (the median duration of completes) are asked of the engine with
:meth:`SqlContext.scalar`. The engine (:mod:`survey_kit.engine.cleaning`) runs
the expressions; nothing here imports it.

Example
-------
>>> both("x > 1"), either("a", "b")
('coalesce(x > 1, false)', '((a) OR (b))')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CleaningError, UsageError
from ..io.sql import MAX_DISTINCT, SqlFrame, quote, sql_literal
from .context import SKIPPED, QuestionnaireLookups
from .outcome import Outcome

__all__ = ["SqlContext", "both", "either", "isin"]


def both(expr: str) -> str:
    """``expr`` with NULL read as false (a flag is never NULL)."""
    return f"coalesce({expr}, false)"


def either(*exprs: str) -> str:
    return "(" + " OR ".join(f"({e})" for e in exprs) + ")" if exprs else "false"


def isin(expr: str, values: list) -> str:
    """``expr IN (values)``, false for no values and for NULL."""
    if not values:
        return "false"
    return both(f"{expr} IN ({', '.join(sql_literal(v) for v in values)})")


class SqlContext(QuestionnaireLookups):
    """The questionnaire, the parameters, the warnings and the view of one out-of-core run.

    Parameters
    ----------
    frame : SqlFrame
    q : Questionnaire
    params : resolved parameters
    n : rows of the dataset
    scalar : SQL select list -> the row it gives over the view (one aggregate query)
    distinct : SQL expression -> its distinct values over the view
    """

    def __init__(self, frame: SqlFrame, q, params: dict, n: int,
                 scalar: Callable[[str], tuple], distinct: Callable[[str], list]) -> None:
        self.sql = frame
        self.q = q
        self.params = params
        self.n = n
        self.scalar = scalar
        self._distinct = distinct
        self.warnings: list[str] = list(frame.warnings)
        self.questions = {qq.id: qq for qq in q.questions}
        self.variables = q.variables
        self.outcomes: dict[str, Outcome] = {}
        self.skipped: list[tuple[str, str]] = []

    # -- as Context -------------------------------------------------------------

    def unavailable(self, rule: str, message: str) -> None:
        if self.params["skip_unavailable"]:
            self.warnings.append(f"{rule}: {message}; {SKIPPED}")
            self.skipped.append((rule, message))
            return
        raise CleaningError(f"rule {rule!r}: {message}. Give a dataset with that column, "
                            f"switch the rule off (--rule {rule}_action=off), or give "
                            "--skip-unavailable to skip it with a warning")

    def skipped_without(self, rule: str, column: str) -> Outcome | None:
        if self.has(column):
            return None
        self.unavailable(rule, f"it needs column {column!r}, which the responses do not have")
        return Outcome(self.nobody(), f"column {column!r} missing", "skipped")

    def meta(self, role: str) -> str | None:
        return self.q.meta_column(role)      # a Parquet dataset carries no Qualtrics layout

    def has(self, column: str) -> bool:
        return column in self.sql.kinds

    def nobody(self) -> str:
        return "false"

    # -- answers as SQL ---------------------------------------------------------

    def _column(self, var: str) -> str:
        why = self.sql.unsupported.get(var)
        if why is not None:
            raise UsageError(f"variable {var!r} cannot be read out of core: {why}; use "
                             "--engine pandas, or switch off the rule that needs it",
                             column=var)
        return quote("v:" + var)

    def kind(self, var: str) -> str:
        return self.sql.kinds[var]

    def codes(self, var: str) -> str:
        """Position of the answer among the variable's levels; -1 blank or missing code."""
        return self._column(var)

    def number(self, var: str) -> str:
        """The answer as DOUBLE (NULL blank)."""
        kind = self.kind(var)
        if kind == "code":
            raise CleaningError(f"column {var!r} is categorical where numbers are expected",
                                column=var)
        if kind == "text":
            return f"TRY_CAST({self._column(var)} AS DOUBLE)"
        return self._column(var)

    def text(self, var: str) -> str:
        return self._column(var)

    def missing_keys(self, var: str) -> str | None:
        name = "m:" + var
        return quote(name) if name in self.sql.columns else None

    def value_present(self, var: str) -> str:
        if self.variables.get(var) is not None and self.is_option(var):
            return f"({self.codes(var)} >= 0)"
        return f"({self._column(var)} IS NOT NULL)"

    def answered(self, var: str) -> str:
        miss = self.missing_keys(var)
        present = self.value_present(var)
        return f"({present} OR {miss} IS NOT NULL)" if miss else present

    def score_table(self, var: str) -> np.ndarray:
        score = self.q.score(var)
        return np.array([score[k] for k in self.variables[var].levels] + [np.nan])

    def scores(self, var: str) -> str:
        """The option's score as DOUBLE (NULL blank or unscored)."""
        table = self.score_table(var)[:-1]
        whens = " ".join(f"WHEN {i} THEN {float(s)!r}" for i, s in enumerate(table)
                         if not np.isnan(s))
        return f"(CASE {self.codes(var)} {whens} END)::DOUBLE" if whens else "NULL::DOUBLE"

    def mapped(self, expr: str, convert: Callable[[pd.Series], Any], default: str = "NULL"
               ) -> str:
        """``convert`` (elementwise, in memory) applied to ``expr`` through its distinct
        values: a ``CASE`` on them (for low-cardinality columns: statuses, flags)."""
        values = [v for v in self._distinct(expr) if v is not None]
        if len(values) > MAX_DISTINCT:
            raise UsageError(f"{expr} has more than {MAX_DISTINCT:,} distinct values; out of "
                             "core it cannot be mapped; use --engine pandas")
        if not values:
            return default
        out = np.asarray(convert(pd.Series(values, dtype=object)))
        whens = " ".join(f"WHEN {sql_literal(v)} THEN {_sql_value(r)}"
                         for v, r in zip(values, out))
        return f"(CASE {expr} {whens} ELSE {default} END)"

    def count(self, where: str) -> int:
        return int(self.scalar(f"count(*) FILTER (WHERE {where})")[0])


def _sql_value(r: Any) -> str:
    if isinstance(r, (bool, np.bool_)):
        return "true" if r else "false"
    if isinstance(r, (float, np.floating)) and np.isnan(r):
        return "NULL"
    return sql_literal(r)
