"""Read a raw survey export against its questionnaire into the labelled frame.

:func:`read_responses` turns a panel's export (CSV in UTF-8 or CP932, Excel,
SPSS, Stata, Parquet or a Qualtrics three-header CSV) into the *labelled
frame* every later stage works on (its layout: :mod:`survey_kit.io.frame`).
The file is read by :func:`~survey_kit.io.formats.read_raw`, each question
decoded by :mod:`survey_kit.io.decode`, and value labels the file declares
checked by :mod:`survey_kit.io.value_labels`.

Nothing is dropped silently: an unknown code, a non-numeric numeric, a missing
column or a duplicate respondent id is a :class:`~survey_kit.errors.DataError`
naming the file, the row as a user sees it (header = row 1), the column and
the value, with a count of all offending cells and what to do.

Example
-------
>>> frame = read_responses("sample_data/japan_creators_2024_raw.csv",
...                        "questionnaires/japan_creators_2024.yaml", duplicate_ids="keep")
>>> frame.shape, frame.index.name
((140, 26), 'respondent_id')
>>> frame["screener_creator"].cat.categories.tolist()
['individual', 'firm', 'neither']
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, UsageError
from ..instrument.questionnaire import Questionnaire, as_questionnaire
from ..instrument.schema import Question
from .cells import datetimes, durations, extra_column
from .decode import Decoding, decode_question
from .formats import read_raw
from .frame import COLUMN_META, INDEX_NAME, RAW_ID, export_columns
from .problems import SHOW_CELLS, Problems
from .qualtrics import SYSTEM_COLUMNS, legacy_names
from .raw import TEXT_DTYPE, RawTable, as_text, check_header
from .value_labels import check_value_labels

__all__ = ["read_responses"]


def read_responses(path: str | os.PathLike, questionnaire: Questionnaire | str | os.PathLike,
                   *, encoding: str | None = None, sheet: str | int | None = None,
                   format: str | None = None,
                   missing_columns: Literal["error", "allow"] = "error",
                   duplicate_ids: Literal["error", "keep"] = "error") -> pd.DataFrame:
    """Read a raw export into the labelled frame described by the questionnaire.

    Parameters
    ----------
    path : str or path
        The export: ``.csv`` / ``.txt`` / ``.tsv`` (UTF-8, UTF-8 with BOM, UTF-16 with BOM
        or CP932; a Qualtrics export with three header rows is detected), ``.xlsx``,
        ``.sav``, ``.dta`` or ``.parquet``.
    questionnaire : Questionnaire or path of its YAML file
        The instrument that says which export column holds which question and code.
    encoding : str, optional
        Text encoding of a CSV (e.g. ``"cp932"``); detected when omitted.
    sheet : str or int, optional
        Sheet of a workbook (name or 0-based position); the first by default.
    format : str, optional
        Force the format (``csv``, ``tsv``, ``qualtrics``, ``xlsx``, ``sav``, ``dta``,
        ``parquet``) instead of guessing it from the extension.
    missing_columns : {"error", "allow"}
        An export column the questionnaire names but the file lacks is an error by default;
        with ``"allow"`` its variables are all-NaN and a warning is recorded in
        ``frame.attrs["warnings"]``.
    duplicate_ids : {"error", "keep"}
        A respondent id seen twice is an error by default; with ``"keep"`` repeats get the
        index ``<id>~2``, ``<id>~3``, ... and the column ``_raw_id`` holds every row's
        original id (cleaning's duplicate rule reports them).

    Returns
    -------
    pandas.DataFrame
        The labelled frame (see :mod:`survey_kit.io.frame`), indexed by ``respondent_id``.

    Raises
    ------
    DataError
        Unreadable file, missing or repeated columns, unknown codes, non-numeric
        numerics, blank or duplicate ids: the message names the file, row, column and
        value and says what to do.

    Example
    -------
    >>> frame = read_responses("sample_data/japan_digital_services_2024_raw.csv",
    ...                        "questionnaires/japan_digital_services_2024.yaml",
    ...                        duplicate_ids="keep")
    >>> frame.loc["xvxnwb9dec", "sector"], frame.attrs["first_row"]
    ('business_services', 2)
    """
    if missing_columns not in ("error", "allow"):
        raise UsageError(f"missing_columns must be 'error' or 'allow', not {missing_columns!r}")
    if duplicate_ids not in ("error", "keep"):
        raise UsageError(f"duplicate_ids must be 'error' or 'keep', not {duplicate_ids!r}")
    q = as_questionnaire(questionnaire)
    raw = read_raw(path, format, encoding=encoding, sheet=sheet, text_columns=_text_columns(q))
    if raw.qualtrics == "legacy":
        raw = _legacy_names(raw, q)
    return _label(raw, q, missing_columns, duplicate_ids)


def _legacy_names(raw: RawTable, q: Questionnaire) -> RawTable:
    """A legacy Qualtrics export with its ``V`` columns named by their row-2 labels
    (``V7`` -> ``Status``), except the ones the questionnaire names itself."""
    named = {q.survey.respondent_id}
    for qq in q.questions:
        named.update(export_columns(qq))
    names = [str(c) for c in raw.frame.columns]
    labels = [raw.question_text.get(c, "") for c in names]
    new = [c if c in named else n for c, n in zip(names, legacy_names(names, labels))]
    check_header(new, raw.file, 1)
    renamed = [n for c, n in zip(names, new) if n != c]
    raw.warnings.append("legacy Qualtrics export (before 2017): row 2 holds the labels of the "
                        "columns, not a respondent" + (f"; the V columns are named by it "
                                                       f"({', '.join(renamed)})"
                                                       if renamed else ""))
    raw.question_text = {n: raw.question_text.get(c, "") for c, n in zip(names, new)}
    raw.frame = raw.frame.set_axis(new, axis=1)
    return raw


def _text_columns(q: Questionnaire) -> set[str]:
    """Columns a CSV reader keeps as text: the id, open answers, meta data but durations,
    and the columns of questions with text codes (so that ``01`` stays ``01``)."""
    cols = {q.survey.respondent_id} - {None}
    for qq in q.questions:
        if qq.column and (qq.type == "open" or (qq.type == "meta" and qq.role != "duration")):
            cols.add(qq.column)
        if any(isinstance(e.code, str) for e in [*qq.options, *qq.missing]):
            cols.update(export_columns(qq))
    return cols


def _label(raw: RawTable, q: Questionnaire, missing_columns: str, duplicate_ids: str
           ) -> pd.DataFrame:
    """The labelled frame of a raw table: ids, every question decoded, extra columns kept."""
    frame = raw.frame
    warnings = _file_warnings(raw)
    index, raw_ids = _ids(raw, q, duplicate_ids)
    present = set(frame.columns)
    absent, derive = _absent_columns(raw, q, present, missing_columns, warnings)
    d = Decoding(frame, present, Problems(raw.file, raw.rows), warnings, derive)
    if duplicate_ids == "keep":
        d.out[RAW_ID] = pd.Series(raw_ids.to_numpy(), dtype=TEXT_DTYPE)
    for qq in q.questions:
        decode_question(qq, d)
    d.probs.raise_if_any()
    if derive:
        _derive_duration(q, d)
    check_value_labels(q, raw, present, warnings)
    used = {q.survey.respondent_id} - {None}
    for qq in q.questions:
        used.update(export_columns(qq))
    extras, meta = _keep_extras(raw, used, d)
    id_meta = raw.column_meta.get(q.survey.respondent_id)
    if id_meta:
        meta[q.survey.respondent_id] = id_meta
    system = _qualtrics_columns(raw, q, d, extras) if raw.qualtrics else {}
    result = pd.DataFrame({k: (v.array if isinstance(v, pd.Series) else v)
                           for k, v in d.out.items()}, index=index)
    result.attrs = {
        "source": str(raw.file), "questionnaire": q.id, "format": raw.format,
        "encoding": raw.encoding, "first_row": raw.first_row, "warnings": warnings,
        "columns": {"in_file": int(frame.shape[1]),
                    "mapped": [c for c in frame.columns if c in used],
                    "missing": [c for c, _ in absent], "extra": extras},
        COLUMN_META: meta,
    }
    if raw.qualtrics:
        result.attrs["qualtrics"] = {"layout": raw.qualtrics, "columns": system}
    return result


def _qualtrics_columns(raw: RawTable, q: Questionnaire, d: Decoding, extras: list[str]
                       ) -> dict[str, str]:
    """Role -> variable of the Qualtrics system columns (see :mod:`survey_kit.io.qualtrics`).

    A system column the questionnaire declares is its question's variable; one it does
    not declare is kept as an extra column, its dates read as dates and its duration
    as seconds (a cell that is neither leaves the column as text, with a warning).
    """
    declared = {qq.column: qq.id for qq in q.questions if qq.type == "meta" and qq.column}
    out: dict[str, str] = {}
    for c, role in SYSTEM_COLUMNS.items():
        if c not in raw.frame.columns:
            continue
        if c in declared:
            out[role] = declared[c]
            continue
        name = c if c in extras else f"{c}__export"
        if name not in extras:
            continue                     # the column feeds a question that is not meta
        out[role] = name
        probs = Problems(raw.file, raw.rows)
        if role in ("start_time", "end_time", "recorded_date"):
            conv = datetimes(raw.frame[c], c, probs, d.warnings)
        elif role == "duration":
            conv = pd.Series(durations(raw.frame[c], c, probs))
        else:
            continue
        if probs.groups:
            d.warnings.append(f"Qualtrics column {c!r} holds values that are not "
                              f"{'seconds' if role == 'duration' else 'dates and times'}; "
                              "kept as text")
            continue
        d.out[name] = conv.to_numpy()
    return out


def _file_warnings(raw: RawTable) -> list[str]:
    """Warnings about the file as a whole: columns left out, skipped empty rows, no
    responses."""
    warnings: list[str] = list(raw.warnings)
    if raw.skipped_rows:
        rows = raw.skipped_rows
        warnings.append(f"{len(rows)} empty row(s) skipped: "
                        f"{', '.join(map(str, rows[:10]))}{' ...' if len(rows) > 10 else ''}")
    if len(raw.frame) == 0:
        warnings.append("the file holds a header but no responses")
    return warnings


# ---------------------------------------------------------------------------
# respondent ids


def _ids(raw: RawTable, q: Questionnaire, duplicate_ids: str) -> tuple[pd.Index, pd.Series]:
    """The index of the labelled frame and every row's id as exported (with
    ``respondent_id: null``, the row number a user sees in the file)."""
    id_col = q.survey.respondent_id
    frame = raw.frame
    if id_col is None:
        ids = pd.Series(raw.rows.astype(str), dtype=TEXT_DTYPE)
        return pd.Index(ids.to_numpy(), dtype=TEXT_DTYPE, name=INDEX_NAME), ids
    if id_col not in frame.columns:
        cols = ", ".join(map(repr, list(frame.columns)[:12]))
        raise DataError(f"the respondent id column {id_col!r} is missing (the file has "
                        f"{cols}{', ...' if frame.shape[1] > 12 else ''}); rename the id column of "
                        "the export, or set survey.respondent_id in the questionnaire to its name",
                        file=raw.file, column=id_col)
    ids = as_text(frame[id_col], strip=True)
    blank = ids.isna().to_numpy()
    if blank.any():
        rows = raw.rows[blank]
        shown = ", ".join(map(str, rows[:SHOW_CELLS].tolist()))
        more = f" and {len(rows) - SHOW_CELLS} more" if len(rows) > SHOW_CELLS else ""
        raise DataError(f"the respondent id is blank in {len(rows)} row(s): {shown}{more}; "
                        "every response needs an id: fill it in or remove the row",
                        file=raw.file, row=int(rows[0]), column=id_col)
    dup = ids.duplicated(keep=False).to_numpy()
    if not dup.any():
        return pd.Index(ids.to_numpy(), dtype=TEXT_DTYPE, name=INDEX_NAME), ids
    if duplicate_ids == "error":
        raise _duplicate_error(raw, ids, dup, id_col)
    n = ids.groupby(ids, sort=False).cumcount().to_numpy() + 1
    unique = ids.where(n == 1, ids + "~" + pd.Series(n, index=ids.index).astype(str))
    if unique.duplicated().any():
        clash = unique[unique.duplicated()].iloc[0]
        raise DataError(f"cannot make repeated ids unique: {clash!r} already exists; rename "
                        "the ids that end in '~' and a number", file=raw.file,
                        column=id_col, value=clash)
    return pd.Index(unique.to_numpy(), dtype=TEXT_DTYPE, name=INDEX_NAME), ids


def _duplicate_error(raw: RawTable, ids: pd.Series, dup: np.ndarray, id_col: str) -> DataError:
    """Which ids repeat in which rows."""
    rep = pd.DataFrame({"id": ids[dup].to_numpy(), "row": raw.rows[dup]})
    groups = rep.groupby("id", sort=False)["row"].agg(list)
    shown = "; ".join(f"{i!r} in rows {', '.join(map(str, r))}"
                      for i, r in groups.iloc[:SHOW_CELLS].items())
    more = f"; and {len(groups) - SHOW_CELLS} more" if len(groups) > SHOW_CELLS else ""
    first = groups.iloc[0]
    return DataError(
        f"{len(groups)} respondent id(s) appear more than once ({int(dup.sum())} rows): "
        f"{shown}{more}. Remove the repeated rows, or read with duplicate_ids='keep' "
        "so that cleaning flags them", file=raw.file, row=int(first[1]), column=id_col,
        value=groups.index[0])


# ---------------------------------------------------------------------------
# columns the file lacks, and columns the questionnaire does not know


def _start_end(q: Questionnaire) -> tuple[Question | None, Question | None]:
    """The meta questions holding start and end times, if the questionnaire has them."""
    start = next((qq for qq in q.questions if qq.type == "meta" and qq.role == "start_time"),
                 None)
    end = next((qq for qq in q.questions if qq.type == "meta" and qq.role == "end_time"), None)
    return start, end


def _absent_columns(raw: RawTable, q: Questionnaire, present: set[str], missing_columns: str,
                    warnings: list[str]) -> tuple[list[tuple[str, str]], bool]:
    """Export columns the file lacks as (column, question id), and whether the duration
    is to be computed from start and end times."""
    start_q, end_q = _start_end(q)
    can_derive = (start_q is not None and end_q is not None and start_q.column in present
                  and end_q.column in present)
    absent: list[tuple[str, str]] = []
    derive = False
    for qq in q.questions:
        for c in export_columns(qq):
            if c in present:
                continue
            if qq.type == "meta" and qq.role == "duration" and can_derive:
                derive = True
                continue
            absent.append((c, qq.id))
    if absent and missing_columns == "error":
        shown = ", ".join(f"{c!r} ({qid})" for c, qid in absent[:12])
        more = f" and {len(absent) - 12} more" if len(absent) > 12 else ""
        raise DataError(
            f"{len(absent)} column(s) the questionnaire names are not in the file: {shown}{more}."
            " Check the export and the 'column' entries of the questionnaire; to read the file "
            "anyway with these variables left empty, pass missing_columns='allow' "
            "(--missing-columns allow on the command line)",
            file=raw.file, column=absent[0][0])
    for c, qid in absent:
        warnings.append(f"column {c!r} ({qid}) is not in the file; its variable is left empty")
    return absent, derive


def _derive_duration(q: Questionnaire, d: Decoding) -> None:
    """The duration as end time minus start time, in the unit the instrument declares."""
    start_q, end_q = _start_end(q)
    dur_var = q.meta_column("duration")
    start = pd.Series(d.out[start_q.id])
    end = pd.Series(d.out[end_q.id])
    d.out[dur_var] = (end - start).dt.total_seconds().to_numpy() / q.duration_unit()[2]
    d.warnings.append(f"duration computed from {start_q.column!r} and {end_q.column!r} "
                      f"because the file has no column {q.question(dur_var).column!r}")


def _keep_extras(raw: RawTable, used: set[str], d: Decoding
                 ) -> tuple[list[str], dict[str, dict]]:
    """Add the export columns the questionnaire does not know; return their names and
    what the file declares about them (labels, formats), by their name in the frame."""
    frame = raw.frame
    extras: list[str] = []
    meta: dict[str, dict] = {}
    for c in frame.columns:
        if c in used:
            continue
        name = c
        if name in d.out:
            name = f"{c}__export"
            d.warnings.append(f"export column {c!r} is not in the questionnaire and its name is "
                              f"taken by a variable; kept as {name!r}")
        d.out[name] = extra_column(frame[c])
        extras.append(name)
        if raw.column_meta.get(c):
            meta[name] = raw.column_meta[c]
    return extras, meta
