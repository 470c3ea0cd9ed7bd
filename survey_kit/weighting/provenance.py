"""Where population targets come from: status (official or illustrative), source and date.

A targets table may carry three optional columns beside ``variable, level,
target`` (or beside the cell columns of joint targets): ``status``
(``official`` or ``illustrative``), ``source`` (who published the figures,
which table) and ``date`` (the reference date or period, as the source
states it). They are read per weighting variable, so every row of one
variable must repeat the same three values; a blank cell is "not stated".
:func:`split_provenance` takes them off the table before the targets are
parsed; :class:`~survey_kit.weighting.targets.Targets` keeps the result by
variable (``targets.provenance``), and the appendix prints it beside every
use of the targets, calling illustrative figures illustrative.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"variable": ["sector", "sector"], "level": ["a", "b"],
...                       "target": ["60", "40"], "status": ["illustrative"] * 2,
...                       "source": ["invented for a demo"] * 2, "date": ["", ""]})
>>> table, prov = split_provenance(frame)
>>> list(table.columns)
['variable', 'level', 'target']
>>> prov["sector"]
Provenance(status='illustrative', source='invented for a demo', date=None)
>>> prov["sector"].illustrative
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..errors import WeightingError, _shown

__all__ = ["NOT_STATED", "PROVENANCE_COLUMNS", "STATUSES", "Provenance", "provenance_frame",
           "split_provenance"]

#: the optional provenance columns of a targets table
PROVENANCE_COLUMNS = ("status", "source", "date")

#: what a target's status may be
STATUSES = ("official", "illustrative")


@dataclass(frozen=True)
class Provenance:
    """The provenance of one variable's targets; None where the file does not say."""

    status: str | None = None
    source: str | None = None
    date: str | None = None

    @property
    def illustrative(self) -> bool:
        """True when the file calls the figures illustrative (not official statistics)."""
        return self.status == "illustrative"

    @property
    def stated(self) -> bool:
        """True when the file says anything about where the figures come from."""
        return any((self.status, self.source, self.date))


#: the provenance of targets whose file says nothing
NOT_STATED = Provenance()


def _clean(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def split_provenance(frame: pd.DataFrame, source: str | None = None
                     ) -> tuple[pd.DataFrame, dict[str, Provenance]]:
    """(the table without provenance columns, variable -> :class:`Provenance`).

    A margins table (``variable, level, target``) gives one provenance per
    variable; a table of joint cells gives the same provenance to every cell
    variable. A table without provenance columns gives an empty mapping.

    Raises
    ------
    WeightingError
        A status other than official / illustrative, or one variable whose
        rows disagree on status, source or date (the message names the row).
    """
    cols = [str(c).strip() for c in frame.columns]
    frame = frame.set_axis(cols, axis=1)
    present = [c for c in PROVENANCE_COLUMNS if c in cols]
    if not present:
        return frame, {}
    table = frame.drop(columns=present)
    info = frame[present].map(_clean)
    if "status" in present:
        status = info["status"].map(lambda s: s.lower() if s else s)
        bad = status.notna() & ~status.isin(STATUSES)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise WeightingError(
                f"targets row {i + 1}, column 'status': {_shown(info['status'].iloc[i])} is "
                f"not a status; write {' or '.join(STATUSES)} (or leave it blank: not stated)",
                file=source)
        info["status"] = status
    if "variable" in cols and "level" in cols:
        keys = frame["variable"].astype(str).str.strip()
        return table, _by_variable(info, keys, source)
    variables = [c for c in table.columns if c != "target"]
    return table, dict.fromkeys(variables, _one(info, source, "the joint cells"))


def _by_variable(info: pd.DataFrame, keys: pd.Series, source: str | None
                 ) -> dict[str, Provenance]:
    out = {}
    for variable, part in info.groupby(keys.to_numpy(), sort=False):
        out[str(variable)] = _one(part, source, f"variable {str(variable)!r}")
    return out


def _one(part: pd.DataFrame, source: str | None, what: str) -> Provenance:
    """The one provenance of some rows; rows that disagree are an error."""
    values: dict[str, str | None] = {}
    for col in part.columns:
        distinct = list(dict.fromkeys(part[col].tolist()))
        if len(distinct) > 1:
            row = next(int(i) for i, v in zip(part.index, part[col]) if v == distinct[1]) + 1
            raise WeightingError(
                f"targets row {row}, column {col!r}: {what} has {col} {_shown(distinct[1])} "
                f"here but {_shown(distinct[0])} above; one variable's targets share one "
                f"{col}", file=source)
        values[col] = distinct[0]
    return Provenance(**values)


def provenance_frame(provenance: Mapping[str, Provenance]) -> pd.DataFrame:
    """One row per variable: variable, status, source, date (blank where not stated)."""
    return pd.DataFrame([{"variable": v, "status": p.status or "", "source": p.source or "",
                          "date": p.date or ""} for v, p in provenance.items()],
                        columns=["variable", *PROVENANCE_COLUMNS])
