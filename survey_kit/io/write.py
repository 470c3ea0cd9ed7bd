"""Write responses: a labelled frame to any export format, and file-to-file conversion.

:func:`write_responses` writes CSV, TSV, Qualtrics CSV, XLSX, SPSS, Stata or
Parquet atomically. With a questionnaire the frame goes back to the export
layout (:func:`~survey_kit.io.export.to_export`) and SPSS/Stata files carry
the labels of :func:`~survey_kit.io.value_labels.export_spec`;
:func:`convert_responses` reads a file with every check of
:func:`~survey_kit.io.read.read_responses` and writes it in another format.

In CSV, TSV, Qualtrics CSV and XLSX output, text that a spreadsheet would
evaluate as a formula (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return, plain numbers aside) is written with a leading apostrophe
(:mod:`survey_kit._formulas`; off within ``survey_kit.formula_escaping(False)``).
SPSS, Stata and Parquet files are not spreadsheets and keep the text as it is.
An XLSX cell holds at most 32,767 characters: longer text is refused (write CSV
or Parquet), never cut. Writing the same frame twice gives identical bytes in
every format (the dates that SPSS, Stata and XLSX files carry are fixed).

Example
-------
>>> import tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp())
>>> q = "questionnaires/japan_creators_2024.yaml"
>>> path = convert_responses("sample_data/japan_creators_2024_raw.csv", out / "raw.sav", q,
...                          duplicate_ids="keep")
>>> path.name, read_responses(path, q, duplicate_ids="keep").shape
('raw.sav', (140, 26))
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pandas as pd

from ..errors import DataError, UsageError
from ..instrument.questionnaire import Questionnaire, as_questionnaire
from .export import to_export
from .formats import WRITE_FORMATS, format_of, write_raw
from .frame import COLUMN_META
from .raw import ExportSpec
from .read import read_responses
from .value_labels import add_column_meta, band_meta, export_spec

__all__ = ["convert_responses", "write_responses"]


def write_responses(frame: pd.DataFrame, path: str | os.PathLike,
                    questionnaire: Questionnaire | str | os.PathLike | None = None,
                    format: str | None = None, *, encoding: str = "utf-8",
                    bands: bool = False) -> Path:
    """Write responses atomically as CSV, TSV, Qualtrics CSV, XLSX, SPSS, Stata or Parquet.

    With a questionnaire the labelled frame goes back to the export layout
    (:func:`to_export`): export column names and codes. SPSS files then carry
    variable labels (the question text), value labels (the option labels) and the
    missing codes declared as user-missing values, so that
    ``read_responses(path, questionnaire)`` gives the same frame back. Without a
    questionnaire the frame is written as it is (the index as first column;
    categoricals as their keys, or as codes 1..k with value labels in SPSS/Stata).

    SPSS and Stata files keep everything else the frame knows about its columns
    (``frame.attrs["column_meta"]``, see :mod:`survey_kit.io.frame`): the variable
    labels, value labels, user-missing values, measurement levels and display formats
    that a source .sav/.dta declared for the columns the questionnaire does not map,
    and the labels later stages give derived columns (the weight, counts, bands).
    Whole numbers get integer formats (``F8.0``), names SPSS or Stata cannot hold
    (``_raw_id``, ``Duration (in seconds)``) a legal name with the original as
    variable label (:mod:`survey_kit.io.stat_columns`).

    Parameters
    ----------
    frame : DataFrame
    path : destination; its extension chooses the format unless ``format`` is given
    questionnaire : Questionnaire or path, optional
    format : {"csv", "tsv", "qualtrics", "xlsx", "sav", "dta", "parquet"}, optional
    encoding : text encoding of CSV output ("utf-8", "utf-8-sig" for Excel, "cp932")
    bands : also write the questionnaire's band variables (see :func:`to_export`); in
        SPSS and Stata as codes 1..k labelled with the bands' labels

    Returns
    -------
    Path of the file written.

    Raises
    ------
    DataError
        The frame does not fit the questionnaire, a text cannot be encoded, an XLSX cell
        would exceed 32,767 characters or hold a control character, or a name is not valid
        in SPSS/Stata; the message names the row and column. (A name SPSS or Stata
        cannot hold is renamed, not refused.)

    Notes
    -----
    CSV and XLSX output neutralise formula-leading text with a leading apostrophe
    (OWASP, "CSV Injection"); SPSS, Stata and Parquet output keep text as it is.

    Example
    -------
    >>> import tempfile
    >>> from pathlib import Path
    >>> frame = pd.DataFrame({"sector": pd.Categorical(["b", "a"])},
    ...                      index=pd.Index(["R1", "R2"], name="respondent_id"))
    >>> path = write_responses(frame, Path(tempfile.mkdtemp()) / "plain.csv")
    >>> print(path.read_text(), end="")
    respondent_id,sector
    R1,b
    R2,a
    """
    if not isinstance(frame, pd.DataFrame):
        raise UsageError(f"write_responses needs a DataFrame, not {type(frame).__name__}")
    path = Path(path)
    fmt = format_of(path, format)
    if fmt not in WRITE_FORMATS:  # pragma: no cover - every readable format is writable
        raise UsageError(f"cannot write {fmt!r}")
    meta = dict(frame.attrs.get(COLUMN_META) or {})
    id_column = None
    if questionnaire is not None:
        q = as_questionnaire(questionnaire)
        try:
            table = to_export(frame, q, bands=bands)
        except DataError as exc:
            raise DataError(exc.message, file=path, row=exc.row, column=exc.column,
                            value=exc.value) from None
        spec = export_spec(q)
        meta = band_meta(q) | meta
        id_column = q.survey.respondent_id
    else:
        table, spec = _plain_table(frame)
    if fmt in ("sav", "dta"):
        table = add_column_meta(table, spec, meta, id_column)
    return write_raw(table, path, fmt, spec, encoding=encoding)


def convert_responses(source: pd.DataFrame | str | os.PathLike, path: str | os.PathLike,
                      questionnaire: Questionnaire | str | os.PathLike, *,
                      format: str | None = None, encoding: str | None = None,
                      sheet: str | int | None = None, out_encoding: str = "utf-8",
                      missing_columns: Literal["error", "allow"] = "error",
                      duplicate_ids: Literal["error", "keep"] = "error") -> Path:
    """Convert a response file (or a labelled frame) to another format, checked on the way.

    The source is read with :func:`read_responses` (so every code is checked against the
    questionnaire) and written with :func:`write_responses`.

    Parameters
    ----------
    source : labelled DataFrame or path of a response file
    path : destination (format from its extension unless ``format`` is given)
    questionnaire : Questionnaire or path
    format : output format (see :func:`write_responses`)
    encoding, sheet, missing_columns, duplicate_ids : as in :func:`read_responses`
    out_encoding : text encoding of CSV output

    Example
    -------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = convert_responses("sample_data/japan_creators_2024_raw.csv",
    ...                          Path(tempfile.mkdtemp()) / "raw.xlsx",
    ...                          "questionnaires/japan_creators_2024.yaml", duplicate_ids="keep")
    >>> path.suffix
    '.xlsx'
    """
    q = as_questionnaire(questionnaire)
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        frame = read_responses(source, q, encoding=encoding, sheet=sheet,
                               missing_columns=missing_columns, duplicate_ids=duplicate_ids)
    return write_responses(frame, path, q, format=format, encoding=out_encoding)


def _plain_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, ExportSpec]:
    """A frame without a questionnaire: the index as first column."""
    table = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame.copy()
    table.columns = [str(c) for c in table.columns]
    return table, ExportSpec()
