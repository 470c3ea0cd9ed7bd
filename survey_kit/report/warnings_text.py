"""The notes of a run and the cleaning warnings, as the appendix shows them (Table 2c).

The cleaning layer and :func:`~.run.prepare` write their warnings in English. A
Japanese appendix recognises the few forms it can show -- a rule skipped because
the responses lack a column it needs (``skip_unavailable``), the tables weighted
by the base weights or unweighted -- and says them in Japanese (wording in
:mod:`survey_kit.instrument.labels`, group ``"warnings"``). A form it does not
recognise keeps its English rather than being guessed at.

Example
-------
>>> run_note("no population targets: the tables are weighted by the base weights 'pw'", "ja")
'母集団の目標値なし：集計表は基本ウェイトpwで加重'
>>> skipped_text("it needs column 'q1', which the responses do not have", "ja")
'回答データに必要な列q1がない'
>>> skipped_text("something else", "ja") is None
True
"""

from __future__ import annotations

import ast
import re
from typing import Any

from ..cleaning.context import SKIPPED
from ..instrument.labels import WORDS
from .sections import rule_label

__all__ = ["cleaning_warning", "run_note", "skipped_text"]

_LACK = r", which (?:the )?responses do not have"
_COLS = r"(?P<cols>'[^']*'|\[[^\]]*\])"
#: the English forms of a rule skipped for a missing column -> the key of their Japanese
_FORMS = (
    (re.compile(rf"it needs the duration column {_COLS}{_LACK}(?P<role> \(the questionnaire "
                r"declares no meta question with role: duration\))?"), "duration"),
    (re.compile(rf"it needs columns? {_COLS}{_LACK}"), "column"),
    (re.compile(rf"it needs column\(s\) {_COLS}{_LACK}"), "column"),
    (re.compile(rf"(?P<kind>required question|question|grid|trap) '(?P<name>[^']*)' needs "
                rf"column(?:s|\(s\)) {_COLS}{_LACK}"), None),
    (re.compile(rf"no respondent has a duration in column {_COLS}"
                r"(?: \((?P<bad>\d+) negative or infinite\))?"), "no_durations"),
)


def _ja(key: str) -> str:
    return WORDS["warnings"]["ja"][key]


def _columns(text: str) -> str:
    """"'a'" or "['a', 'b']" (a Python repr) -> "a" or "a、b"."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return "、".join(map(str, value)) if isinstance(value, list) else str(value)


def run_note(note: str, lang: str) -> str:
    """A note of :func:`~.run.prepare` in ``lang`` (English kept when not recognised)."""
    if lang != "ja":
        return note
    m = re.fullmatch(r"no population targets: the tables are weighted by the base weights "
                     r"'(?P<col>[^']*)'", note)
    if m:
        return _ja("base_weighted").format(col=m["col"])
    if note == "no population targets: the tables are unweighted":
        return _ja("unweighted")
    return note


def skipped_text(message: str, lang: str) -> str | None:
    """Why a rule was skipped, in ``lang``; None when the message is not a known form."""
    if lang != "ja":
        return message
    for pattern, key in _FORMS:
        m = pattern.fullmatch(message)
        if m is None:
            continue
        groups = m.groupdict()
        text = _ja(key or groups["kind"]).format(cols=_columns(m["cols"]),
                                                 name=groups.get("name"))
        if groups.get("role"):
            text += _ja("no_duration_role")
        if groups.get("bad"):
            text += _ja("bad_durations").format(n=groups["bad"])
        return text
    return None


def cleaning_warning(warning: str, run: Any, lang: str) -> str:
    """A warning of cleaning as Table 2c shows it: "cleaning: ..." in English; in Japanese
    the skipped-rule forms are said in Japanese, others keep their English text."""
    if lang != "ja":
        return f"cleaning: {warning}"
    head = f"{_ja('cleaning')}："
    rule, sep, rest = warning.partition(": ")
    end = f"; {SKIPPED}"
    if sep and rest.endswith(end):
        reason = skipped_text(rest[:-len(end)], lang)
        if reason is not None:
            name = rule_label(run, rule, rule, lang)
            return head + _ja("skipped").format(rule=name, reason=reason)
    return head + warning
