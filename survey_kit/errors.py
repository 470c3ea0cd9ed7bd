"""One exception family for every bad input survey_kit can meet.

Every message names what is at fault (file, row, column, value, YAML path)
and says how to fix it. The CLI turns any :class:`SurveyKitError` into a
one-paragraph message and exit code 2, never a traceback.

Example
-------
>>> from survey_kit.errors import DataError
>>> raise DataError("unknown code 9", file="raw.csv", row=12, column="q3", value=9)
Traceback (most recent call last):
...
survey_kit.errors.DataError: raw.csv, row 12, column 'q3', value 9: unknown code 9
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = [
    "SurveyKitError",
    "QuestionnaireError",
    "DataError",
    "CleaningError",
    "WeightingError",
    "DesignError",
    "CrosstabError",
    "ReportError",
    "UsageError",
]


class SurveyKitError(Exception):
    """Base class of every error survey_kit raises on purpose.

    Parameters
    ----------
    message : str
        What went wrong and what to do about it.
    file, row, column, value, path : optional
        Where the fault is. ``row`` is 1-based as a user sees it in a
        spreadsheet (the header is row 1 unless said otherwise); ``path`` is a
        YAML path such as ``questions[4].options[2].code``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: Any = None,
        row: Any = None,
        column: Any = None,
        value: Any = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.row = row
        self.column = column
        self.value = value
        self.path = path
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.path is not None:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {_shown(self.column)}")
        if self.value is not None:
            where.append(f"value {_shown(self.value)}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 120
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 8
_REPR.maxlevel = 3


def _shown(value: Any) -> str:
    """``repr`` of a value named in a message, bounded in size whatever the value."""
    return _REPR.repr(value)


class QuestionnaireError(SurveyKitError):
    """The survey instrument (YAML) is invalid or a question id is unknown."""


class DataError(SurveyKitError):
    """A response file cannot be read as the instrument describes."""


class CleaningError(SurveyKitError):
    """A quality rule is misconfigured or cannot run on the data given."""


class WeightingError(SurveyKitError):
    """Weights cannot be computed: empty cells, bad targets, no convergence."""


class DesignError(SurveyKitError):
    """A survey design or an estimate on it is ill-defined."""


class CrosstabError(SurveyKitError):
    """A table cannot be built from the variables asked for."""


class ReportError(SurveyKitError):
    """An appendix, figure or report cannot be produced or written."""


class UsageError(SurveyKitError):
    """Bad command-line arguments or API arguments."""
