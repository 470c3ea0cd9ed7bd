"""The labels a file carries besides its codes: checked on reading, written on writing.

SPSS and Stata files declare value labels (code -> text) and variable labels;
a Qualtrics CSV carries question texts and ImportIds. On reading,
:func:`check_value_labels` makes sure a file's value labels agree with the
questionnaire's codes (a code labelled as another option is an error, a label
merely worded differently a warning). On writing, :func:`export_spec` gathers
what a writer stores: the question texts as variable labels, the option
labels as value labels, the missing codes as user-missing values, the
measurement level and the Qualtrics ImportIds; :func:`add_column_meta` adds
what the questionnaire does not describe -- the labels, user-missing values and
formats a source file declared for its other columns, and the labels of
derived columns (bands, the weight) -- so that nothing a file said is lost.

Example
-------
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> q = load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> spec = export_spec(q)
>>> spec.value_labels["Q3"][99.0], spec.missing_codes["Q3"], spec.measure["Q3"]
('Prefer not to say', [99.0], 'nominal')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..instrument.questionnaire import Questionnaire
from ..instrument.schema import Option, Question
from .cells import norm
from .frame import INDEX_NAME, export_columns
from .problems import SHOW_COLUMNS, codes_text, show
from .raw import ExportSpec, RawTable

__all__ = ["add_column_meta", "band_meta", "check_value_labels", "code_key", "export_spec"]

#: one fault: (message, column, code)
_Fault = tuple[str, str, Any]


def check_value_labels(q: Questionnaire, raw: RawTable, present: set[str],
                       warnings: list[str]) -> None:
    """Value labels declared in an SPSS/Stata file must agree with the instrument's codes.

    Raises
    ------
    DataError
        A labelled code is not a code of the question, or is labelled as another option.
    """
    if not raw.value_labels:
        return
    faults: list[_Fault] = []
    for qq in q.questions:
        if qq.type in ("single", "likert", "grid"):
            for col in export_columns(qq):
                labels = raw.value_labels.get(col)
                if col in present and labels:
                    _choice_faults(qq, col, labels, faults, warnings)
        elif qq.type == "multi":
            for o in qq.options:
                labels = raw.value_labels.get(o.column)
                if o.column in present and labels:
                    _multi_faults(qq, o, labels, faults)
    if faults:
        shown = [f[0] for f in faults[:SHOW_COLUMNS]]
        more = f"\n  ... and {len(faults) - len(shown)} more" if len(faults) > len(shown) else ""
        raise DataError(
            "the file's value labels do not match the questionnaire:\n  " + "\n  ".join(shown)
            + more + "\nWhat to do: check that the file and the questionnaire are the same "
            "version, and correct the codes in one of them.",
            file=raw.file, column=faults[0][1], value=faults[0][2])


def _choice_faults(qq: Question, col: str, labels: dict[Any, str], faults: list[_Fault],
                   warnings: list[str]) -> None:
    """Faults of the value labels of one single/likert/grid column."""
    by_code = {code_key(o.code): o for o in qq.options}
    miss = {code_key(m.code) for m in qq.missing}
    texts = {o.key: {norm(o.key), norm(o.label), norm(o.label_ja)} - {None}
             for o in qq.options}
    differ = []
    for code, text in labels.items():
        c = _as_in(code_key(code), by_code.keys() | miss)
        t = norm(text)
        if c in miss:
            continue
        if c not in by_code:
            faults.append((f"column {col!r}: code {show(c)} labelled {text!r} in the file is not "
                           f"a code of question {qq.id!r} [{codes_text(qq)}]", col, code))
            continue
        own = by_code[c]
        if t in texts[own.key]:
            continue
        other = [o for o in qq.options if t in texts[o.key]]
        if other:
            faults.append((f"column {col!r}: code {show(c)} is labelled {text!r} in the file, "
                           f"which is option {other[0].key!r} (code {other[0].code}) of question "
                           f"{qq.id!r}, not {own.key!r}", col, code))
        else:
            differ.append(show(c))
    if differ:
        warnings.append(f"column {col!r}: the file's value labels for code(s) "
                        f"{', '.join(differ)} are worded differently from the "
                        "questionnaire; the questionnaire's labels are used")


def _multi_faults(qq: Question, o: Option, labels: dict[Any, str],
                  faults: list[_Fault]) -> None:
    """Faults of the value labels of the 0/1 column of one multi option."""
    ok = {0.0, 1.0, code_key(o.code)} | {code_key(m.code) for m in qq.missing}
    for code, text in labels.items():
        if _as_in(code_key(code), ok) not in ok:
            faults.append((f"column {o.column!r}: code {show(code)} labelled {text!r} in the "
                           f"file is not valid for an option of the multi question {qq.id!r} "
                           f"(1 or {o.code} = selected, 0 = not selected)", o.column, code))


# ---------------------------------------------------------------------------
# writing


def export_spec(q: Questionnaire) -> ExportSpec:
    """Variable labels, value labels, user-missing codes and Qualtrics ImportIds by column."""
    spec = ExportSpec(file_label=q.title)
    id_col = q.survey.respondent_id or INDEX_NAME
    spec.column_labels[id_col] = "Respondent ID"
    spec.measure[id_col] = "nominal"
    spec.import_ids[id_col] = {"ImportId": "_recordId"}
    for n, qq in enumerate(q.questions, start=1):
        qid = f"QID{n}"
        if qq.type in ("single", "likert", "grid"):
            _choice_spec(spec, qq, qid)
        elif qq.type == "multi":
            _multi_spec(spec, qq, qid)
        else:
            _one_column_spec(spec, qq, qid)
    return spec


def code_key(code: Any) -> float | str:
    """A code as labels are keyed: a number as float (SPSS stores 1 as 1.0), a text code
    stripped (an SPSS/Stata string variable's ``"UKC"``).

    >>> code_key(3), code_key(3.0), code_key(" UKC ")
    (3.0, 3.0, 'UKC')
    """
    if isinstance(code, str):
        return code.strip()
    return float(code)


def _as_in(code: float | str, known: Any) -> float | str:
    """``code`` as ``known`` holds it: a text code that reads as a number (a string
    variable labelling ``"1"``) matches the number 1, as the reader matches its cells;
    a text code of the questionnaire (``"01"``) matches only itself."""
    if code in known or not isinstance(code, str):
        return code
    try:
        number = float(code)
    except ValueError:
        return code
    return number if number in known else code


def _missing_labels(qq: Question) -> dict[float | str, str]:
    return {code_key(m.code): m.label for m in qq.missing}


def _choice_spec(spec: ExportSpec, qq: Question, qid: str) -> None:
    miss = _missing_labels(qq)
    items = ([(qq.column, qq.text, qid)] if qq.type != "grid" else
             [(it.column, f"{qq.text} - {it.text}", f"{qid}_{j}")
              for j, it in enumerate(qq.items, start=1)])
    for col, text, imp in items:
        spec.column_labels[col] = text
        spec.value_labels[col] = {code_key(o.code): o.label for o in qq.options} | miss
        spec.measure[col] = "nominal" if qq.type == "single" else "ordinal"
        spec.import_ids[col] = {"ImportId": imp}
        if miss:
            spec.missing_codes[col] = list(miss)


def _multi_spec(spec: ExportSpec, qq: Question, qid: str) -> None:
    miss = _missing_labels(qq)
    for o in qq.options:
        spec.column_labels[o.column] = f"{qq.text} - {o.label}"
        spec.value_labels[o.column] = {0.0: "Not selected", 1.0: o.label} | miss
        spec.measure[o.column] = "nominal"
        spec.import_ids[o.column] = {"ImportId": f"{qid}_{o.code}"}
        if miss:
            spec.missing_codes[o.column] = list(miss)


def _one_column_spec(spec: ExportSpec, qq: Question, qid: str) -> None:
    """Numeric, open and meta questions."""
    miss = _missing_labels(qq)
    spec.column_labels[qq.column] = qq.text
    if qq.type == "numeric":
        spec.measure[qq.column] = "scale"
        if miss:
            spec.value_labels[qq.column] = miss
            spec.missing_codes[qq.column] = list(miss)
    elif qq.type == "meta" and qq.role in ("duration", "start_time", "end_time"):
        spec.measure[qq.column] = "scale"
    else:
        spec.measure[qq.column] = "nominal"
    role = {"start_time": "startDate", "end_time": "endDate",
            "duration": "duration"}.get(qq.role or "", None)
    spec.import_ids[qq.column] = ({"ImportId": role} if role else {"ImportId": qid})


def band_meta(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """Labels of the questionnaire's band variables (see :mod:`survey_kit.io.frame`:
    ``column_meta``): the bands' label (the question's text and "(bands)" when they have
    none of their own), each band key's label, ordinal."""
    out: dict[str, dict[str, Any]] = {}
    for qq in q.questions:
        if qq.bands is not None:
            own = qq.bands.label if qq.bands.label and qq.bands.label != qq.text else None
            out[qq.bands.id] = {"label": own or f"{qq.text} (bands)",
                                "values": {b.key: b.label for b in qq.bands.levels},
                                "measure": "ordinal"}
    return out


def add_column_meta(table: pd.DataFrame, spec: ExportSpec, meta: dict[str, dict[str, Any]],
                    id_column: str | None = None) -> pd.DataFrame:
    """Give an SPSS/Stata writer what ``meta`` says about columns ``spec`` does not describe.

    ``spec`` (from :func:`export_spec`) wins for the questionnaire's columns; ``meta``
    (``frame.attrs["column_meta"]`` and :func:`band_meta`) fills in the rest: variable
    labels (and the respondent id's label from the file), value labels, user-missing values,
    measurement levels and display formats. A categorical column becomes codes 1..k in the
    order of its categories, labelled with ``meta``'s labels of its keys (or the keys).
    Returns the table to write; ``spec`` is completed in place.

    >>> t = pd.DataFrame({"band": pd.Categorical(["lo", "hi", None], ["lo", "hi"])})
    >>> spec = ExportSpec()
    >>> add_column_meta(t, spec, {"band": {"label": "Band", "values": {"lo": "Low"}}}
    ...                 )["band"].tolist(), spec.value_labels["band"]
    ([1.0, 2.0, nan], {1.0: 'Low', 2.0: 'hi'})
    """
    out = {}
    for c in table.columns:
        m = meta.get(c, {})
        s = table[c]
        if m.get("label") and (c not in spec.column_labels or c == id_column):
            spec.column_labels[c] = str(m["label"])
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = _coded(s, c, spec, m.get("values") or {})
        elif m.get("values") and c not in spec.value_labels:
            spec.value_labels[c] = dict(m["values"])
        if m.get("missing") and c not in spec.missing_codes:
            spec.missing_ranges[c] = list(m["missing"])
        if m.get("measure") and c not in spec.measure:
            spec.measure[c] = str(m["measure"])
        if m.get("format") and c not in spec.formats:
            spec.formats[c] = str(m["format"])
        out[c] = s
    return pd.DataFrame(out, index=table.index)


def _coded(s: pd.Series, name: str, spec: ExportSpec, labels: dict[Any, str]) -> pd.Series:
    """A categorical as codes 1..k with value labels; its measure from its order."""
    codes = s.cat.codes.to_numpy().astype(float) + 1
    codes[codes == 0] = np.nan
    spec.value_labels[name] = {float(i + 1): str(labels.get(k, k))
                               for i, k in enumerate(s.cat.categories)}
    spec.measure.setdefault(name, "ordinal" if s.cat.ordered else "nominal")
    return pd.Series(codes, index=s.index)
