"""Let a module that shares its name with its main function be called like it.

``survey_kit.crosstab`` is both a module and the function ``sk.crosstab``. Once
the module is imported, Python binds the package attribute to the module, so the
module itself forwards calls to the function: ``sk.crosstab(...)`` then works
whatever was imported first.

Example
-------
>>> # at the end of survey_kit/crosstab.py
>>> make_callable(__name__, "crosstab")          # doctest: +SKIP
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    _call_target: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self._call_target)(*args, **kwargs)


def make_callable(module_name: str, function_name: str) -> None:
    """Make the module ``module_name`` callable as its function ``function_name``."""
    module = sys.modules[module_name]
    module.__class__ = _CallableModule
    module._call_target = function_name
