"""A draft from a Qualtrics survey definition (``.qsf``) and the export it belongs to.

The ``.qsf`` is JSON: ``SurveyEntry`` (name, language) and ``SurveyElements``,
among them one ``SQ`` element per question (``DataExportTag``, ``QuestionType``,
``Selector``, ``QuestionText``, ``Choices``/``ChoiceOrder``, ``Answers``/
``AnswerOrder``, ``RecodeValues``) and the survey flow ``FL`` (embedded data
fields). Questions become

=====================================  ==========================================
``MC`` single answer (SAVR, SAHR, DL,  ``single``: codes are the recode values
SB, SACOL), ``NPS``                    (else the choice ids), labels the choices
``MC`` multiple answer (MAVR, MAHR,    ``multi``: one 0/1 column per choice;
MACOL, MSB)                            exclusive choices are ``exclusive``
``Matrix`` single answer (Likert)      ``grid``: statements are items, scale
                                       points options (recoded)
``TE`` (single line, essay, form)      ``open`` (``numeric`` if validated as
                                       a number); a choice's text entry too
``Slider``, ``CS`` (constant sum)      ``numeric``, one per statement
embedded data fields                   ``meta``
=====================================  ==========================================

Columns are found by the export's ImportIds (``QID12``, ``QID12_1``,
``QID12-1``, ``QID12_TEXT``) when it has them, else by their names
(``<tag>``, ``<tag>_<code>``). Other question types (side by side, rank order,
matrix with several answers per row, heat maps, timing) are not drafted as a
whole: their columns are described one by one as in a plain CSV, with a
comment. Descriptive text blocks hold no data.

Example
-------
>>> qsf = {"SurveyEntry": {"SurveyName": "Fruit", "SurveyLanguage": "EN"},
...        "SurveyElements": [{"Element": "SQ", "PrimaryAttribute": "QID1", "Payload": {
...            "QuestionID": "QID1", "DataExportTag": "fav", "QuestionType": "MC",
...            "Selector": "SAVR", "QuestionText": "<b>Favourite</b> fruit?",
...            "Choices": {"1": {"Display": "Kiwi"}, "2": {"Display": "Fig"}},
...            "ChoiceOrder": [1, 2], "RecodeValues": {"1": "5", "2": "7"}}}]}
>>> from .facts import ColumnFacts, FileFacts
>>> facts = FileFacts("f.csv", "qualtrics", (
...     ColumnFacts("ResponseId", kind="text", values=("R_1",), n=1, unique=True),
...     ColumnFacts("fav", values=(5.0,), n=1)))
>>> d = draft_from_qsf(parse_qsf(qsf, "f.qsf"), facts)
>>> d.survey["title"], d.questions[0].data["options"][1]
('Fruit', {'code': 7, 'key': 'fig', 'label': 'Fig'})
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import QuestionnaireError
from .columns import emit_claimed, header_notes, id_column, id_notes
from .draft import Draft, Names, code_of, options_of, plain_text, survey_section
from .facts import ColumnFacts, FileFacts

__all__ = ["Qsf", "draft_from_qsf", "parse_qsf", "read_qsf"]

_SINGLE = {"SAVR", "SAHR", "DL", "SB", "SACOL"}
_MULTI = {"MAVR", "MAHR", "MACOL", "MSB"}
_IMPORT = re.compile(r"^(QID\d+)(?:[_\-#](.+))?$")


@dataclass
class Qsf:
    """The parts of a ``.qsf`` the draft uses."""

    path: str
    name: str | None
    language: str | None
    questions: list[dict[str, Any]] = field(default_factory=list)    # SQ payloads
    embedded: list[str] = field(default_factory=list)                 # embedded data fields


def read_qsf(path: str | Path) -> Qsf:
    """Read a ``.qsf`` file.

    Raises
    ------
    QuestionnaireError
        The file is missing, not JSON, or not a Qualtrics survey definition.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise QuestionnaireError(f"cannot read the .qsf file ({exc.strerror}); check the path",
                                 file=p) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise QuestionnaireError(f"not a Qualtrics .qsf file (not JSON: {exc}); export the "
                                 "survey again with Tools > Import/Export > Export survey",
                                 file=p) from None
    return parse_qsf(data, p.name)


def parse_qsf(data: Any, path: str) -> Qsf:
    """The :class:`Qsf` of a parsed ``.qsf`` document."""
    if not isinstance(data, dict) or not isinstance(data.get("SurveyElements"), list):
        raise QuestionnaireError("not a Qualtrics .qsf file: it has no SurveyElements list",
                                 file=Path(path))
    entry = data.get("SurveyEntry") or {}
    qsf = Qsf(path, entry.get("SurveyName"), entry.get("SurveyLanguage"))
    for el in data["SurveyElements"]:
        if not isinstance(el, dict):
            continue
        payload = el.get("Payload")
        if el.get("Element") == "SQ" and isinstance(payload, dict):
            qsf.questions.append(payload)
        elif el.get("Element") == "FL" and isinstance(payload, dict):
            qsf.embedded += _embedded(payload)
    return qsf


def _embedded(flow: dict[str, Any]) -> list[str]:
    out: list[str] = []
    stack = [flow]
    while stack:
        node = stack.pop()
        if node.get("Type") == "EmbeddedData":
            out += [f["Field"] for f in node.get("EmbeddedData") or [] if f.get("Field")]
        stack.extend(reversed([n for n in node.get("Flow") or [] if isinstance(n, dict)]))
    return out


# ---------------------------------------------------------------------------
# columns of a question


def _columns_of(q: dict[str, Any], facts: FileFacts) -> dict[str | None, ColumnFacts]:
    """The export columns of question ``q``, keyed by what follows its QID (None: the
    question's own column), from ImportIds or else from the export tag."""
    qid, tag = q.get("QuestionID"), str(q.get("DataExportTag") or "")
    out: dict[str | None, ColumnFacts] = {}
    have_ids = any(c.import_id for c in facts.columns)
    for c in facts.columns:
        if have_ids:
            m = _IMPORT.match((c.import_id or "").replace("-", "_"))
            if m and m.group(1) == qid:
                out[m.group(2)] = c
        elif c.name == tag:
            out[None] = c
        elif tag and c.name.startswith(tag + "_"):
            out[c.name[len(tag) + 1:]] = c
    return out


def _choices(q: dict[str, Any], key: str = "Choices", order: str = "ChoiceOrder"
             ) -> list[tuple[str, str]]:
    """(choice id, text) in the order shown."""
    choices = q.get(key) or {}
    if not isinstance(choices, dict):
        return []
    ids = [str(i) for i in (q.get(order) or choices.keys())]
    return [(i, plain_text(choices[i].get("Display", ""))) for i in ids
            if i in choices and isinstance(choices[i], dict)]


def _recode(q: dict[str, Any], cid: str) -> Any:
    rec = q.get("RecodeValues") or {}
    return _code(rec.get(cid, cid) if isinstance(rec, dict) else cid)


def _code(value: Any) -> Any:
    try:
        return code_of(float(value))
    except (TypeError, ValueError):
        return code_of(value)


# ---------------------------------------------------------------------------
# the draft


def draft_from_qsf(qsf: Qsf, facts: FileFacts) -> Draft:
    """A draft from a ``.qsf`` and the facts of its export."""
    id_col = id_column(facts)
    lang = [qsf.language.lower()] if qsf.language and qsf.language.isalpha() else None
    survey, notes = survey_section(facts.path, qsf.name, id_col, lang)
    draft = Draft(survey, header=header_notes(facts, f", with {qsf.path}"),
                  survey_notes=notes + id_notes(facts, id_col))
    names = Names()
    claimed: dict[str, Any] = {}           # column -> the question built for it
    for q in qsf.questions:
        for made in _question(q, _columns_of(q, facts), names):
            made = _unlisted(made, facts)
            for c in made[2]:
                claimed.setdefault(c, made)
    for name in qsf.embedded:
        col = facts.column(name)
        if col is not None and name not in claimed and name != id_col:
            claimed[name] = ({"id": names.ident(name), "text": f"Embedded data: {name}",
                              "type": "meta", "role": "other", "column": name},
                             ["embedded data field of the survey flow"], [name])
    emit_claimed(draft, facts, claimed, id_col, names)
    return draft


def _unlisted(made: tuple[dict[str, Any], list[str], list[str]], facts: FileFacts
              ) -> tuple[dict[str, Any], list[str], list[str]]:
    """Values in a choice question's columns that the .qsf does not list (Qualtrics
    writes -99 for "seen but unanswered" when the export asks for it) become missing
    codes labelled by the code, with a comment."""
    data, notes, columns = made
    if data["type"] not in ("single", "multi", "grid"):
        return made
    known = {0, 1} if data["type"] == "multi" else set()
    known |= {o["code"] for o in data["options"]}
    seen = set()
    for name in columns:
        col = facts.column(name)
        seen |= {code_of(v) for v in (col.values if col is not None else ())
                 if col.kind == "number"}
    extra = sorted(v for v in seen - known if isinstance(v, int))
    if not extra:
        return made
    missing, _ = options_of([(v, None) for v in extra])
    what = ", ".join(map(str, extra))
    hint = " (-99: Qualtrics' 'seen but unanswered')" if -99 in extra else ""
    return ({**data, "missing": missing},
            [*notes, f"guess: code(s) {what} are in the data but not among the .qsf's choices"
             f"{hint}: read as missing codes, labelled by the code"], columns)


def _question(q: dict[str, Any], cols: dict[str | None, ColumnFacts], names: Names
              ) -> list[tuple[dict[str, Any], list[str], list[str]]]:
    """(question data, comments, its columns) for each question drafted from ``q``."""
    qtype, sel = q.get("QuestionType"), q.get("Selector")
    if not cols or qtype == "DB":
        return []
    tag = str(q.get("DataExportTag") or q.get("QuestionID"))
    text = plain_text(q.get("QuestionText") or "") or tag
    out = []
    if (qtype == "MC" and sel in _SINGLE) or qtype == "NPS":
        out += _single(q, tag, text, cols, names)
    elif qtype == "MC" and sel in _MULTI:
        out += _multi(q, tag, text, cols, names)
    elif qtype == "Matrix" and q.get("SubSelector") in ("SingleAnswer", None) and \
            sel in ("Likert", "Bipolar", None):
        out += _grid(q, tag, text, cols, names)
    elif qtype in ("TE", "Slider", "CS"):
        out += _entries(q, tag, text, cols, names)
    return out + _text_entries(q, tag, text, cols, names, {c for o in out for c in o[2]})


def _single(q, tag, text, cols, names):
    col = cols.get(None)
    if col is None:
        return []
    if q.get("QuestionType") == "NPS":
        pairs = [(i, str(i)) for i in range(11)]
    else:
        pairs = [(_recode(q, cid), label) for cid, label in _choices(q)]
    opts, _ = options_of(pairs)
    if len(opts) < 2:
        return []
    return [({"id": names.ident(tag), "text": text, "type": "single", "column": col.name,
              "options": opts}, [], [col.name])]


def _multi(q, tag, text, cols, names):
    qid = names.ident(tag)
    choices = _choices(q)
    pairs = [(_recode(q, cid), label) for cid, label in choices]
    opts, _ = options_of(pairs)
    found = []
    for (cid, _label), o in zip(choices, opts):
        col = cols.get(cid) or cols.get(str(o["code"]))
        if col is None:
            continue
        o = {**o, "column": col.name}
        if not isinstance(o["code"], int):
            o["code"] = len(found) + 1
        if (q.get("Choices") or {}).get(cid, {}).get("ExclusiveAnswer"):
            o["exclusive"] = True
        names.take(f"{qid}_{o['key']}")
        found.append(o)
    if not found:
        return []
    return [({"id": qid, "text": text, "type": "multi", "options": found}, [],
             [o["column"] for o in found])]


def _grid(q, tag, text, cols, names):
    qid = names.ident(tag)
    answers = _choices(q, "Answers", "AnswerOrder")
    opts, _ = options_of([(_recode(q, aid), label) for aid, label in answers])
    export_tags = q.get("ChoiceDataExportTags") or {}
    items = []
    for cid, label in _choices(q):
        col = cols.get(cid) or cols.get(str(export_tags.get(cid, "")))
        if col is not None:
            items.append({"id": names.ident(f"{tag}_{cid}"), "text": label or col.name,
                          "column": col.name})
    if len(opts) < 2 or not items:
        return []
    if len(items) == 1:             # a matrix of one statement is one question
        it = items[0]
        return [({"id": qid, "text": f"{text} - {it['text']}", "type": "single",
                  "column": it["column"], "options": opts},
                 ["a matrix with one statement in the data: drafted as a single question"],
                 [it["column"]])]
    return [({"id": qid, "text": text, "type": "grid", "options": opts, "items": items}, [],
             [i["column"] for i in items])]


def _entries(q, tag, text, cols, names):
    number = ((q.get("Validation") or {}).get("Settings") or {}).get("ContentType") == \
        "ValidNumber" or q.get("QuestionType") in ("Slider", "CS")
    kind = "numeric" if number else "open"
    own = cols.get(None) or cols.get("TEXT")
    if own is not None and q.get("Selector") != "FORM" and q.get("QuestionType") == "TE":
        return [({"id": names.ident(tag), "text": text, "type": kind, "column": own.name},
                 [], [own.name])]
    out = []
    for cid, label in _choices(q):
        col = cols.get(cid) or cols.get(f"{cid}_TEXT")
        if col is not None:
            out.append(({"id": names.ident(f"{tag}_{cid}"), "text": f"{text} - {label}",
                         "type": kind, "column": col.name}, [], [col.name]))
    return out


def _text_entries(q, tag, text, cols, names, used):
    """The text typed beside a choice ("Other, please specify")."""
    out = []
    labels = dict(_choices(q))
    for rest, col in cols.items():
        if rest and rest.upper().endswith("TEXT") and col.name not in used:
            cid = rest.upper().removesuffix("TEXT").strip("_")
            what = labels.get(cid, "")
            out.append(({"id": names.ident(col.name), "text": f"{text} - {what} (text)"
                         if what else f"{text} (text)", "type": "open", "column": col.name},
                        [], [col.name]))
    return out
