"""A draft questionnaire: the questionnaire's plain data plus comments for the user.

Every drafting module (:mod:`.labels`, :mod:`.columns`, :mod:`.qsf`,
:mod:`.xlsform`) fills a :class:`Draft`; :mod:`.yaml_text` writes it. Names are
made here, once: a question id from a column name (:meth:`Names.ident`), an
option key from its label or code (:func:`option_keys`), so the same file always
gives the same names.

Example
-------
>>> names = Names()
>>> names.ident("Q1 a"), names.ident("Q1_a"), names.ident("2nd")
('Q1_a', 'Q1_a_2', 'q_2nd')
>>> option_keys([(1, "Strongly agree"), (2, "Strongly agree"), (3, "日本"), (-1, "-1")])
['strongly_agree', 'strongly_agree_2', 'code_3', 'code_m1']
>>> plain_text("<b>Rate</b>&nbsp;this")
'Rate this'
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Draft", "DraftQuestion", "Names", "code_of", "code_text", "option_keys",
           "options_of", "plain_text", "survey_section"]

_NOT_WORD = re.compile(r"[^A-Za-z0-9_]+")
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass
class DraftQuestion:
    """One question of the draft: its schema data and the comments above it."""

    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """A questionnaire being drafted from a file.

    Attributes
    ----------
    survey : the ``survey`` section (only what the file states, plus id and title)
    questions : the questions in file order
    header : comments at the top of the file (source, what to check)
    commented : YAML lines written commented out at the end (e.g. a guessed design)
    """

    survey: dict[str, Any]
    questions: list[DraftQuestion] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    survey_notes: list[str] = field(default_factory=list)
    commented: list[str] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    quality_notes: list[str] = field(default_factory=list)

    def add(self, data: dict[str, Any], *notes: str) -> DraftQuestion:
        q = DraftQuestion(data, [n for n in notes if n])
        self.questions.append(q)
        return q

    def to_dict(self) -> dict[str, Any]:
        """The questionnaire as plain data (what the YAML holds, comments aside)."""
        out = {"survey": dict(self.survey), "questions": [dict(q.data) for q in self.questions]}
        if self.quality:
            out["quality"] = dict(self.quality)
        return out

    def finish(self) -> Draft:
        """Switch off the cleaning rules the file cannot feed, saying why; return self.

        The speeder rule needs an interview duration: a duration column, or start and
        end times to compute it from (then a duration question is added whose column the
        file lacks, which the reader fills with end minus start).
        """
        roles = {q.data.get("role") for q in self.questions if q.data.get("type") == "meta"}
        if "duration" not in roles and {"start_time", "end_time"} <= roles:
            ids = {str(q.data["id"]).lower() for q in self.questions}
            name = next(n for n in ("duration", "duration_sec", "duration_computed")
                        if n not in ids)
            columns = {q.data.get("column") for q in self.questions}
            column = next(c for c in (name, f"{name}_", f"{name}__") if c not in columns)
            self.add({"id": name, "text": "Time to complete (seconds)", "type": "meta",
                      "role": "duration", "column": column},
                     f"the file has no duration column: the duration is computed from the "
                     f"start and end times (column {column!r} is not in the file)")
        elif "duration" not in roles:
            self.quality.setdefault("overrides", {})["speeder_action"] = "off"
            self.quality_notes.append(
                "the file has no interview duration (no duration column, nor start and end "
                "times), so the speeder rule cannot run and is switched off; if a column holds "
                "the duration, make it a meta question with role: duration and remove this")
        return self


def plain_text(text: Any) -> str:
    """Question or choice text without HTML tags, entities and runs of white space."""
    t = html.unescape(_TAGS.sub(" ", str(text)))
    return _SPACE.sub(" ", t.replace("\u00a0", " ")).strip()


def _ascii(text: str) -> str:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub("_", t).strip("_")


class Names:
    """Question and variable ids, unique within one questionnaire."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def ident(self, text: str, prefix: str = "q") -> str:
        """An id (letters, digits, _; not starting with a digit) made from ``text``."""
        base = _ascii(text) or prefix
        if base[0].isdigit():
            base = f"{prefix}_{base}"
        name, n = base, 1
        while name.lower() in self.used:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name.lower())
        return name

    def take(self, name: str) -> None:
        """Reserve a name used as it is (e.g. a multi-select's variables)."""
        self.used.add(name.lower())


def code_text(code: Any) -> str:
    """A code as text: 3 for 3.0, the text of a text code."""
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def code_of(value: Any) -> int | str:
    """A value of the file as a questionnaire code: whole numbers as int, text as text
    (and a fractional number as its text, which the reader matches as text)."""
    if isinstance(value, str):
        return value.strip()
    f = float(value)
    return int(f) if f.is_integer() else repr(f)


def option_keys(pairs: list[tuple[Any, str]]) -> list[str]:
    """A key per (code, label): the label in lower case with _, else ``code_<code>``;
    repeats get ``_2``, ``_3``."""
    out: list[str] = []
    seen: set[str] = set()
    for code, label in pairs:
        base = _ascii(str(label)).lower()[:40].strip("_")
        if not base or str(label).strip() == code_text(code):     # the code stands in
            base = "code_" + _ascii(code_text(code).replace("-", "m")).lower()
        if base == "code_":                 # a code of no ASCII letter or digit
            base = f"code_{len(out) + 1}"
        key, n = base, 1
        while key in seen:
            n += 1
            key = f"{base}_{n}"
        seen.add(key)
        out.append(key)
    return out


def options_of(pairs: list[tuple[Any, str | None]]) -> tuple[list[dict[str, Any]], list[str]]:
    """Options from (code, label or None); a code without a label is labelled by the code
    itself. Returns the options and the codes that had no label (for a comment)."""
    bare = [code_text(c) for c, lab in pairs if not lab]
    labelled = [(c, plain_text(lab) if lab else code_text(c)) for c, lab in pairs]
    keys = option_keys(labelled)
    return ([{"code": code_of(c), "key": k, "label": lab or code_text(c)}
             for (c, lab), k in zip(labelled, keys)], bare)


def survey_section(path: str, title: str | None, respondent_id: str | None,
                   languages: list[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The ``survey`` section: an id from the file name, the title the file states (else
    the file name), the id column; and comments saying what the file does not state."""
    stem = Path(path).stem
    sid = Names().ident(stem, prefix="survey")
    notes = []
    if not title:
        title = Path(path).name
        notes.append("the file states no title: the file name stands in; give the survey's "
                     "title")
    survey: dict[str, Any] = {"id": sid, "title": plain_text(title)}
    if languages:
        survey["languages"] = languages
    survey["respondent_id"] = respondent_id
    notes.append("not stated in the file, so left out (add them for the appendix): sponsor, "
                 "fielded_by, platform, mode, population, country, fieldwork {start, end}, "
                 "target_sample_size")
    if respondent_id is None:
        notes.append("no respondent id column was recognised: respondents are numbered by "
                     "their row in the file (respondent_id: null); name the id column if "
                     "there is one")
    return survey, notes
