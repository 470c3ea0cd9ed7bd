"""What a rule returns: its flags, the text of its flow row, its status, its index columns.

Every rule of the registry (:mod:`survey_kit.cleaning.registry`) returns an
:class:`Outcome`; :func:`survey_kit.clean` stacks them into the flags table,
the exclusion flow and the overlap table.

Example
-------
>>> import numpy as np
>>> out = Outcome(np.array([False, True]), f"duration < {fmt_num(1 / 3)} x median")
>>> out.status, out.parameter, int(out.flagged.sum())
('applied', 'duration < 1/3 x median', 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Outcome:
    """The result of one rule on every raw respondent.

    Attributes
    ----------
    flagged : bool ndarray
        One entry per raw respondent, in row order.
    parameter : str
        What the rule checked, as shown in the ``parameter`` column of the flow.
    status : str
        What became of the rule: it ran ("applied"), had nothing to check
        ("not applicable"), lacked its columns ("skipped", with
        ``skip_unavailable``) or was switched "off".
    extra : dict
        Index columns for the flags table (trap score, duration ratio, ...).
    """

    flagged: np.ndarray
    parameter: str
    status: str = "applied"
    extra: dict = field(default_factory=dict)


def fmt_num(x: float) -> str:
    """A parameter value as written in the flow: 1/3 as "1/3", other numbers as ``%g``."""
    if isinstance(x, float) and abs(x - 1 / 3) < 1e-12:
        return "1/3"
    return f"{x:g}"
