"""A draft from an XLSForm (ODK, KoboToolbox, SurveyCTO) and the data collected with it.

The ``survey`` sheet lists the questions (``type``, ``name``, ``label`` or
``label::<language>``), the ``choices`` sheet the answer lists (``list_name``,
``name``, ``label``), the optional ``settings`` sheet the ``form_title``. The
sheets are read with openpyxl (already a dependency) rather than pyxform, which
would add a dependency for what is a simple reading of two tables. Types become

==========================================  ======================================
``select_one L`` (``select one from L``,     ``single``; the choice names are the
``... or_other``)                            codes (text codes such as ``yes``)
``select_multiple L``                        ``multi``: one 0/1 column per choice
                                             (``q/choice``, as KoboToolbox splits)
``integer``, ``decimal``, ``range``          ``numeric``
``text``                                     ``open``
``start``, ``end``                           ``meta`` (start and end time)
``today``, ``date``, ``time``, ``datetime``,  ``meta``
``calculate``, ``deviceid``, ``geopoint``
and other metadata
``note``, ``begin/end group``                no data
==========================================  ======================================

A question's column is its ``name``, or its group path joined by ``/`` or ``-``
(``household/age``, as exports write it). Questions inside a repeat are stored in
a separate table by ODK and are left out, with a comment; so are questions whose
column the data lack.

Example
-------
>>> form = XlsForm("f.xlsx", "Visit", [
...     {"type": "select_one yn", "name": "ok", "label": "All well?"},
...     {"type": "integer", "name": "age", "label": "Age"}],
...     {"yn": [("yes", "Yes"), ("no", "No")]})
>>> from .facts import ColumnFacts, FileFacts
>>> facts = FileFacts("d.csv", "csv", (ColumnFacts("ok", kind="text", values=("no", "yes")),
...                                    ColumnFacts("age", values=(30.0,))))
>>> d = draft_from_xlsform(form, facts)
>>> [o["code"] for o in d.questions[0].data["options"]], d.questions[1].data["type"]
(['yes', 'no'], 'numeric')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import QuestionnaireError
from .columns import emit_claimed, header_notes, id_column, id_notes
from .draft import Draft, Names, code_of, options_of, plain_text, survey_section
from .facts import ColumnFacts, FileFacts

__all__ = ["XlsForm", "draft_from_xlsform", "read_xlsform"]

_META_TYPES = {"today", "date", "time", "datetime", "calculate", "deviceid", "subscriberid",
               "simserial", "phonenumber", "username", "email", "audit", "geopoint",
               "geotrace", "geoshape", "barcode", "image", "audio", "video", "file",
               "acknowledge", "hidden", "start-geopoint", "background-audio"}
_SELECT = re.compile(r"^select[_ ](one|multiple|all that apply)(?:[_ ]from)?\s+(\S+)"
                     r"(?:\s+or[_ ]other)?$", re.I)


@dataclass
class XlsForm:
    """The parts of an XLSForm the draft uses."""

    path: str
    title: str | None
    survey: list[dict[str, Any]]                  # rows: type, name, label
    choices: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)


def _cell(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    t = str(v).strip()
    return t or None


def _label_column(header: list[str | None]) -> int | None:
    """The label column: ``label``, else the first ``label::<language>``."""
    names = [(h or "").strip().lower() for h in header]
    if "label" in names:
        return names.index("label")
    for j, h in enumerate(names):
        if h.startswith("label:"):
            return j
    return None


def _rows(ws: Any) -> list[dict[str, Any]]:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        return []
    header = [_cell(h) for h in rows[0]]
    lab = _label_column(header)
    keys = [(h or "").lower().replace(" ", "_") for h in header]
    out = []
    for r in rows[1:]:
        d = {k: _cell(v) for k, v in zip(keys, r) if k}
        d["label"] = _cell(r[lab]) if lab is not None and lab < len(r) else None
        if any(v for v in d.values()):
            out.append(d)
    return out


def read_xlsform(path: str | Path) -> XlsForm:
    """Read an XLSForm workbook (``survey`` and ``choices`` sheets).

    Raises
    ------
    QuestionnaireError
        The file is missing, not a workbook, or has no ``survey`` sheet.
    """
    import openpyxl

    p = Path(path)
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except FileNotFoundError:
        raise QuestionnaireError("XLSForm not found; check the path", file=p) from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds
        raise QuestionnaireError(f"cannot be read as an XLSForm workbook ({exc}); give the "
                                 ".xlsx file of the form", file=p) from None
    sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
    if "survey" not in sheets:
        raise QuestionnaireError(f"an XLSForm needs a 'survey' sheet; this workbook has "
                                 f"{', '.join(map(repr, sheets))}", file=p)
    choices: dict[str, list[tuple[str, str | None]]] = {}
    for row in _rows(sheets["choices"]) if "choices" in sheets else []:
        lst = row.get("list_name")
        if lst and row.get("name") is not None:
            choices.setdefault(lst, []).append((row["name"], row.get("label")))
    settings = _rows(sheets["settings"]) if "settings" in sheets else []
    title = settings[0].get("form_title") if settings else None
    form = XlsForm(p.name, title, _rows(sheets["survey"]), choices)
    wb.close()
    return form


def _find(facts: FileFacts, name: str, groups: list[str]) -> ColumnFacts | None:
    for sep in ("/", "-", "."):
        col = facts.column(sep.join([*groups, name]))
        if col is not None:
            return col
    return facts.column(name) or next(
        (c for c in facts.columns if re.search(rf"(^|[/\-.]){re.escape(name)}$", c.name)), None)


def draft_from_xlsform(form: XlsForm, facts: FileFacts) -> Draft:
    """A draft from an XLSForm and the facts of the data collected with it."""
    id_col = id_column(facts)
    survey, notes = survey_section(facts.path, form.title, id_col)
    draft = Draft(survey, header=header_notes(facts, f", with the XLSForm {form.path}"),
                  survey_notes=notes + id_notes(facts, id_col))
    names = Names()
    claimed: dict[str, Any] = {}
    groups: list[str] = []
    repeat = 0
    absent: list[str] = []
    for row in form.survey:
        typ = (row.get("type") or "").strip()
        low = typ.lower().replace("_", " ")
        name = row.get("name")
        if low in ("begin group", "begin repeat"):
            groups.append(name or "")
            repeat += low == "begin repeat"
            continue
        if low in ("end group", "end repeat"):
            repeat -= low == "end repeat" and repeat > 0
            groups = groups[:-1]
            continue
        if not name or low == "note" or repeat:
            if repeat and name and low != "note":
                absent.append(f"{name} (in a repeat)")
            continue
        made = _question(row, typ, name, groups, form, facts, names)
        if made is None:
            absent.append(name)
            continue
        for c in made[2]:
            claimed.setdefault(c, made)
    if absent:
        draft.header.append("XLSForm questions without a column in the data (left out): "
                            + ", ".join(absent))
    emit_claimed(draft, facts, claimed, id_col, names)
    return draft


def _question(row: dict[str, Any], typ: str, name: str, groups: list[str], form: XlsForm,
              facts: FileFacts, names: Names
              ) -> tuple[dict[str, Any], list[str], list[str]] | None:
    text = plain_text(row.get("label") or "") or name
    notes = [] if row.get("label") else [f"the form gives {name!r} no label: its name "
                                         "stands in"]
    m = _SELECT.match(typ)
    low = typ.lower()
    if m:
        choices = form.choices.get(m.group(2), [])
        if m.group(1).lower() == "one":
            col = _find(facts, name, groups)
            opts, _ = options_of([(code_of(c), lab) for c, lab in choices])
            if col is None or len(opts) < 2:
                return None
            return ({"id": names.ident(name), "text": text, "type": "single",
                     "column": col.name, "options": opts}, notes, [col.name])
        return _multi(name, text, notes, groups, choices, facts, names)
    col = _find(facts, name, groups)
    if col is None:
        return None
    qid = names.ident(name)
    if low in ("integer", "decimal", "range"):
        data = {"id": qid, "text": text, "type": "numeric", "column": col.name}
        if low == "integer":
            data["integer"] = True
        return data, notes, [col.name]
    if low in ("text", "string"):
        return {"id": qid, "text": text, "type": "open", "column": col.name}, notes, [col.name]
    if low in ("start", "end"):
        return ({"id": qid, "text": text if row.get("label") else f"{low} time of the "
                 "interview", "type": "meta", "role": f"{low}_time", "column": col.name},
                [], [col.name])
    if low in _META_TYPES:
        return ({"id": qid, "text": text, "type": "meta", "role": "other", "column": col.name},
                notes, [col.name])
    return ({"id": qid, "text": text, "type": "meta", "role": "other", "column": col.name},
            [*notes, f"XLSForm type {typ!r} is kept as meta data"], [col.name])


def _multi(name, text, notes, groups, choices, facts, names):
    base = _find(facts, name, groups)
    stems = [base.name] if base is not None else []
    stems += ["/".join([*groups, name]), "-".join([*groups, name]), name]
    opts, _ = options_of([(j + 1, lab or c) for j, (c, lab) in enumerate(choices)])
    qid = names.ident(name)
    found = []
    for (choice, _lab), o in zip(choices, opts):
        col = next((c for s in stems for sep in ("/", ".", "_", "-")
                    if (c := facts.column(f"{s}{sep}{choice}")) is not None), None)
        if col is not None:
            names.take(f"{qid}_{o['key']}")
            found.append({**o, "column": col.name})
    if not found:
        return None
    notes = [*notes, "select_multiple: one 0/1 column per choice (as KoboToolbox splits "
             "them); the choice names are in the column names"]
    return ({"id": qid, "text": text, "type": "multi", "options": found}, notes,
            [o["column"] for o in found])
