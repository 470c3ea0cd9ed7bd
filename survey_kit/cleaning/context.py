"""Access to the labelled frame for the rules: codes, numbers, answered, scores.

A :class:`Context` holds one run of :func:`survey_kit.clean`: the responses,
the questionnaire, the resolved parameters, the warnings so far and the
outcomes of the rules already applied. Rules read the answers through it, so
that the conversions (option keys to integer codes, scores, durations to
seconds) are made once per column and checked the same way everywhere.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> ctx = Context(raw, q, {"skip_unavailable": False})
>>> ctx.codes("screener_role")[:5].tolist()          # positions of decision_maker, ...
[0, 1, 0, 0, 1]
>>> int(ctx.answered("export_share").sum()), ctx.n
(683, 700)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import CleaningError
from .outcome import Outcome


#: how a warning of a rule skipped with ``skip_unavailable`` ends
SKIPPED = "skipped (skip_unavailable=True)"


def meta_variable(frame: pd.DataFrame, q, role: str) -> str | None:
    """The variable holding a meta role (``duration``, ``finished``, ``response_type``, ...).

    The questionnaire's meta question with that role, else the Qualtrics system
    column the reader found (``frame.attrs["qualtrics"]``, see
    :mod:`survey_kit.io.qualtrics`), else None. A Qualtrics system column the
    questionnaire declares under another role (``Finished`` as ``status``)
    keeps the meaning of its export name.
    """
    system = (frame.attrs.get("qualtrics") or {}).get("columns", {})
    var = q.meta_column(role)
    if var is not None:
        meant = {r for r, v in system.items() if v == var}
        if not meant or role in meant:
            return var
        # a Qualtrics system column declared under another role (Finished as 'status'):
        # its export name says what it holds
    return system.get(role)


class QuestionnaireLookups:
    """What a rule asks of the questionnaire, the same in memory (:class:`Context`) and
    out of core (:class:`~survey_kit.cleaning.sql_context.SqlContext`); needs ``q``,
    ``questions`` (id -> question) and ``variables``."""

    def known(self, name: str, rule: str) -> None:
        if name not in self.variables and name not in self.questions:
            raise CleaningError(f"rule {rule!r} names unknown question {name!r}; valid names "
                                f"are: {', '.join(self.variables)}", file=self.q.source)

    def question_of(self, var: str):
        return self.questions[self.variables[var].question]

    def options_of(self, var: str) -> tuple[dict, dict]:
        """(code -> key, missing code/key -> missing key) of an option variable."""
        qq = self.question_of(var)
        if qq.bands is not None and var == qq.bands.id:
            codes = {}
            missing = {}
        else:
            codes = {o.code: o.key for o in qq.options}
            missing = {m.code: m.key for m in qq.missing}
            missing.update({m.key: m.key for m in qq.missing})
        return codes, missing


    def is_option(self, var: str) -> bool:
        return self.variables[var].kind in ("categorical", "ordinal")


class Context(QuestionnaireLookups):
    """The responses, the questionnaire, the parameters and the warnings of one run."""

    def __init__(self, frame: pd.DataFrame, q, params: dict) -> None:
        self.frame = frame
        self.q = q
        self.params = params
        self.n = len(frame)
        self.warnings: list[str] = []
        self.questions = {qq.id: qq for qq in q.questions}
        self.variables = q.variables
        self.outcomes: dict[str, Outcome] = {}
        #: (rule, why) of every rule part skipped for a missing column
        self.skipped: list[tuple[str, str]] = []
        self._codes: dict[str, np.ndarray] = {}

    # -- unavailable columns ----------------------------------------------

    def unavailable(self, rule: str, message: str) -> None:
        """Raise CleaningError, or record a warning when the user asked to skip."""
        if self.params["skip_unavailable"]:
            self.warnings.append(f"{rule}: {message}; {SKIPPED}")
            self.skipped.append((rule, message))
            return
        raise CleaningError(f"rule {rule!r}: {message}. Give the labelled frame from "
                            "sk.read_responses with that column, switch the rule off "
                            f"({rule}_action='off'; on the command line --rule "
                            f"{rule}_action=off), or pass skip_unavailable=True "
                            "(--skip-unavailable) to skip it with a warning")

    def skipped_without(self, rule: str, column: str) -> Outcome | None:
        """None when the responses have ``column``; otherwise :meth:`unavailable` and the
        outcome of the skipped rule."""
        if self.has(column):
            return None
        self.unavailable(rule, f"it needs column {column!r}, which the responses do not have")
        return Outcome(self.nobody(), f"column {column!r} missing", "skipped")

    def meta(self, role: str) -> str | None:
        """The variable holding a meta role (:func:`meta_variable`)."""
        return meta_variable(self.frame, self.q, role)

    def has(self, column: str) -> bool:
        return column in self.frame.columns

    def nobody(self) -> np.ndarray:
        """Flags of a rule that flags no one (not applicable, skipped or off)."""
        return np.zeros(self.n, dtype=bool)

    # -- variables ----------------------------------------------------------

    def codes(self, var: str) -> np.ndarray:
        """Position of each answer in the variable's levels; -1 blank or missing code.

        The caller has checked that the column exists. The array is read-only and
        as narrow as the levels allow (int8 below 128 levels): for a Categorical
        whose categories are the levels, it is a view of the column's own codes.
        """
        if var in self._codes:
            return self._codes[var]
        levels = list(self.variables[var].levels)
        col = self.frame[var]
        dtype = _code_dtype(len(levels))
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = list(col.cat.categories)
            raw = np.asarray(col.array.codes)          # a view of the codes, no copy
            if cats == levels:
                out = raw.astype(dtype, copy=False)
            else:
                pos = np.array([levels.index(c) if c in levels else -2 for c in cats] or [0],
                               dtype=dtype)
                out = np.where(raw >= 0, pos[np.clip(raw, 0, None)], -1).astype(dtype)
        elif pd.api.types.is_numeric_dtype(col.dtype) and col.notna().any():
            first = col[col.notna()].iloc[0]
            first = first.item() if isinstance(first, np.generic) else first
            raise CleaningError(f"column {var!r} holds numbers (e.g. {first!r}) where option "
                                f"keys ({', '.join(levels)}) are expected; pass the labelled "
                                "frame from sk.read_responses", column=var)
        else:
            pos = col.astype(object).map({k: i for i, k in enumerate(levels)})
            out = pos.fillna(-1).to_numpy(dtype=dtype)
            out[col.notna().to_numpy() & pos.isna().to_numpy()] = -2
        bad = out == -2
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CleaningError(f"respondent {self.frame.index[i]!r} has {col.iloc[i]!r}, which "
                                f"is not an option key of {var!r} (keys: {', '.join(levels)}); "
                                "pass the labelled frame from sk.read_responses", column=var,
                                value=col.iloc[i])
        out = out.view()
        out.flags.writeable = False                    # may share the frame's memory
        self._codes[var] = out
        return out

    def number(self, var: str) -> np.ndarray:
        col = self.frame[var]
        if pd.api.types.is_timedelta64_dtype(col.dtype):
            return col.dt.total_seconds().to_numpy(dtype=np.float64, na_value=np.nan)
        if isinstance(col.dtype, pd.CategoricalDtype):
            raise CleaningError(f"column {var!r} is categorical where numbers are expected; pass "
                                "the labelled frame from sk.read_responses", column=var)
        if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
            return col.to_numpy(dtype=np.float64, na_value=np.nan)
        conv = pd.to_numeric(col, errors="coerce")
        bad = conv.isna() & col.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise CleaningError(f"respondent {self.frame.index[i]!r} has {col.iloc[i]!r} where a "
                                f"number is expected", column=var, value=col.iloc[i])
        return conv.to_numpy(dtype=np.float64, na_value=np.nan)

    def missing_keys(self, var: str) -> np.ndarray | None:
        """The ``<var>__missing`` reasons as an object array (None if no such column)."""
        name = f"{var}__missing"
        if name not in self.frame.columns:
            return None
        return self.frame[name].astype(object).where(self.frame[name].notna(), None).to_numpy()

    def value_present(self, var: str) -> np.ndarray:
        col = self.frame[var]
        if self.variables.get(var) is not None and self.is_option(var):
            return self.codes(var) >= 0
        present = col.notna().to_numpy()
        if self.variables.get(var) is not None and self.variables[var].kind == "text":
            present = present & (col.astype("string").str.strip().str.len() > 0).fillna(
                False).to_numpy(dtype=bool)          # a new array: to_numpy may be read-only
        return present

    def answered(self, var: str) -> np.ndarray:
        """A value or a missing code (``don't know`` counts as an answer; blank does not)."""
        out = self.value_present(var)
        miss = self.missing_keys(var)
        if miss is not None:
            out = out | pd.notna(miss)
        return out

    def score_table(self, var: str) -> np.ndarray:
        """Score of each level of an option variable, then NaN (indexed by code, -1 = NaN)."""
        key = f"score_table:{var}"
        if key not in self._codes:
            score = self.q.score(var)
            self._codes[key] = np.array([score[k] for k in self.variables[var].levels]
                                        + [np.nan])
        return self._codes[key]

    def scores(self, var: str) -> np.ndarray:
        """Numeric score of each answer of an option variable (NaN when blank)."""
        return self.score_table(var)[self.codes(var)]     # code -1 takes the last entry, NaN


def _code_dtype(n_levels: int):
    """The narrowest signed integer type holding codes -2 .. n_levels - 1."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_levels <= np.iinfo(dtype).max:
            return dtype
    return np.int64

