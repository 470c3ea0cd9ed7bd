"""What a file says about one of its columns: the input of every drafting module.

A :class:`ColumnFacts` is built by the reader (:mod:`survey_kit.io.describe`)
from the data file, so the drafting modules never read data themselves.

Example
-------
>>> f = ColumnFacts("Q1", label="Sector", value_labels={1.0: "Manufacturing"},
...                 values=(1.0, 2.0), n=10, n_blank=0)
>>> f.kind, f.integer, f.unlabelled_values()
('number', True, [2.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["ColumnFacts", "FileFacts", "MAX_VALUES"]

#: distinct values kept per column (more means: not a set of codes)
MAX_VALUES = 60


@dataclass(frozen=True)
class ColumnFacts:
    """One column of a data file, as the file describes it.

    Attributes
    ----------
    name : the column name in the file
    label : its variable label or header text (None when the file has none)
    value_labels : code -> label declared by the file (SPSS/Stata)
    missing : user-missing codes declared by the file (discrete values)
    missing_ranges : user-missing ranges ``(lo, hi)`` declared by the file
    measure : SPSS measurement level (nominal, ordinal, scale) or None
    kind : ``number``, ``text`` or ``datetime`` (how the file stores it)
    values : distinct non-blank values, sorted (at most :data:`MAX_VALUES` + 1)
    n, n_blank : rows, and rows where the cell is blank
    unique : every non-blank value differs (an id candidate)
    n_distinct : the number of distinct non-blank values
    import_id : Qualtrics ImportId of the column (third header row), if any
    """

    name: str
    label: str | None = None
    value_labels: dict[Any, str] = field(default_factory=dict)
    missing: tuple[Any, ...] = ()
    missing_ranges: tuple[tuple[float, float], ...] = ()
    measure: str | None = None
    kind: Literal["number", "text", "datetime"] = "number"
    values: tuple[Any, ...] = ()
    n: int = 0
    n_blank: int = 0
    unique: bool = False
    n_distinct: int = 0
    import_id: str | None = None

    @property
    def integer(self) -> bool:
        """Numbers that are all whole."""
        return self.kind == "number" and all(float(v).is_integer() for v in self.values)

    @property
    def few_values(self) -> bool:
        """At most :data:`MAX_VALUES` distinct values."""
        return len(self.values) <= MAX_VALUES

    def is_missing(self, code: Any) -> bool:
        """``code`` is a user-missing code or falls in a user-missing range."""
        if code in self.missing:
            return True
        if isinstance(code, str):
            return False
        return any(lo <= float(code) <= hi for lo, hi in self.missing_ranges)

    def unlabelled_values(self) -> list[Any]:
        """Observed values without a value label that are not user-missing."""
        return [v for v in self.values
                if v not in self.value_labels and not self.is_missing(v)]


@dataclass(frozen=True)
class FileFacts:
    """A data file as the drafting modules see it.

    Attributes
    ----------
    path : the file's name (for comments)
    format : the reader's format (csv, qualtrics, sav, dta, xlsx, parquet)
    columns : one :class:`ColumnFacts` per column, in file order
    file_label : the file's own label (SPSS/Stata), if any
    mr_sets : SPSS multiple-response sets: name -> {type, label, variables, counted}
    legacy_qualtrics : a Qualtrics export with the pre-2017 header (``V1``, ``V2``, ...)
    """

    path: str
    format: str
    columns: tuple[ColumnFacts, ...]
    file_label: str | None = None
    mr_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    legacy_qualtrics: bool = False

    def column(self, name: str) -> ColumnFacts | None:
        return next((c for c in self.columns if c.name == name), None)
