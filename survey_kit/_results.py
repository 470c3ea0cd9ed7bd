"""Shared behaviour of result objects: show themselves in a terminal and notebook.

A result is a frozen dataclass that implements ``to_frame()``; this mixin
derives ``__str__`` and ``_repr_html_`` from it.

Example
-------
>>> from dataclasses import dataclass
>>> import pandas as pd
>>> @dataclass(frozen=True)
... class Thing(ResultMixin):
...     table: pd.DataFrame
...     def to_frame(self):
...         return self.table
"""

from __future__ import annotations


class ResultMixin:
    """Mixin giving ``__str__`` and ``_repr_html_`` from ``to_frame()``."""

    def to_frame(self):  # pragma: no cover - overridden
        raise TypeError(f"{type(self).__name__} must define to_frame()")

    def __str__(self) -> str:
        return self.to_frame().to_string()

    def _repr_html_(self) -> str:
        return self.to_frame().to_html()
