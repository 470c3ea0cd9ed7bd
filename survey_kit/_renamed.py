"""Renamed parameters: the new name wins, the old one still works for a while.

One rule for every rename of the public API (README, "Renamed parameters"): the
old keyword alone gives its value with a :class:`DeprecationWarning`; the old and
the new together are a :class:`~survey_kit.errors.UsageError`.

Example
-------
>>> renamed("fisher_exact", "seed", 7, True, "random_state", None)
7
"""

from __future__ import annotations

import warnings
from typing import Any

from .errors import UsageError


def renamed(function: str, new: str, new_value: Any, new_given: bool, old: str,
            old_value: Any) -> Any:
    """``new_value``, or ``old_value`` (deprecated) when only the old keyword was given.

    ``new_given`` says whether the caller passed the new keyword (a default
    sentinel or None tells the function that it did not). Call it from one helper
    of the public function: the warning then points at the user's call.
    """
    if old_value is None:
        return new_value
    if new_given:
        raise UsageError(f"{function}: pass {new} only; {old} is its deprecated alias")
    warnings.warn(f"{function}: {old!r} is deprecated; use {new!r}", DeprecationWarning,
                  stacklevel=4)
    return old_value
