"""``questionnaire_from`` and ``init_questionnaire``: a questionnaire from a file's metadata.

The data file is read by this package's readers (:mod:`.describe`); the
questionnaire is drafted by :mod:`survey_kit.instrument.infer` from what the file
says about itself, or from the survey definition beside it: a Qualtrics ``.qsf``
(``qsf=``) or an XLSForm (``xlsform=``). The draft is written as commented YAML
(every guess a comment to confirm) and read back through the same loader as any
questionnaire, so what ``init`` writes is what ``validate`` reads. The same input
gives the same bytes.

Example
-------
>>> q = questionnaire_from("sample_data/japan_creators_2024_raw.csv")
>>> q.survey.respondent_id, q.question("Q1").type
('respondent_id', 'single')
"""

from __future__ import annotations

import os
from pathlib import Path

from .._files import write_text
from .._yaml import parse_yaml
from ..errors import QuestionnaireError, UsageError
from ..instrument.infer.columns import draft_from_file
from ..instrument.infer.qsf import draft_from_qsf, read_qsf
from ..instrument.infer.xlsform import draft_from_xlsform, read_xlsform
from ..instrument.infer.yaml_text import draft_yaml
from ..instrument.questionnaire import Questionnaire
from .describe import file_facts

__all__ = ["draft_text", "init_questionnaire", "questionnaire_from"]


def draft_text(data: str | os.PathLike, *, qsf: str | os.PathLike | None = None,
               xlsform: str | os.PathLike | None = None, format: str | None = None,
               encoding: str | None = None, sheet: str | int | None = None) -> str:
    """The commented questionnaire YAML drafted from ``data`` (and a .qsf or XLSForm)."""
    if qsf is not None and xlsform is not None:
        raise UsageError("give the survey definition as qsf= or as xlsform=, not both")
    facts = file_facts(data, format, encoding=encoding, sheet=sheet)
    if qsf is not None:
        draft = draft_from_qsf(read_qsf(qsf), facts)
    elif xlsform is not None:
        draft = draft_from_xlsform(read_xlsform(xlsform), facts)
    else:
        draft = draft_from_file(facts)
    return draft_yaml(draft.finish())


def questionnaire_from(data: str | os.PathLike, qsf: str | os.PathLike | None = None,
                       xlsform: str | os.PathLike | None = None, *, format: str | None = None,
                       encoding: str | None = None, sheet: str | int | None = None
                       ) -> Questionnaire:
    """A questionnaire derived from a data file's own metadata.

    Parameters
    ----------
    data : str or path
        The responses: SPSS ``.sav`` or Stata ``.dta`` (variable and value labels,
        numeric or text codes, user-missing codes, measurement levels, multiple-response
        sets), a Qualtrics CSV (three header rows, or the legacy two), a plain CSV, XLSX
        or Parquet (inferred from names and values, every guess marked).
    qsf : str or path, optional
        The Qualtrics survey definition of the export (question texts, choices, recodes,
        matrices, multiple answers, text entry, embedded data).
    xlsform : str or path, optional
        The XLSForm (ODK, KoboToolbox, SurveyCTO) the data were collected with.
    format, encoding, sheet
        As for :func:`~survey_kit.read_responses`.

    Returns
    -------
    Questionnaire
        Valid against the file: ``read_responses(data, q)`` reads it. Write the
        commented YAML with :func:`init_questionnaire` to edit it.

    Raises
    ------
    DataError
        The data file cannot be read.
    QuestionnaireError
        The .qsf or XLSForm cannot be read.
    """
    text = draft_text(data, qsf=qsf, xlsform=xlsform, format=format, encoding=encoding,
                      sheet=sheet)
    return _load(text, None)


def init_questionnaire(data: str | os.PathLike, out: str | os.PathLike, *,
                       qsf: str | os.PathLike | None = None,
                       xlsform: str | os.PathLike | None = None, format: str | None = None,
                       encoding: str | None = None, sheet: str | int | None = None) -> Path:
    """Write the commented questionnaire YAML drafted from ``data`` to ``out``; return it.

    The file is written atomically and only once it loads as a valid questionnaire;
    see :func:`questionnaire_from` for the parameters.
    """
    text = draft_text(data, qsf=qsf, xlsform=xlsform, format=format, encoding=encoding,
                      sheet=sheet)
    _load(text, Path(out))
    return write_text(out, text)


def _load(text: str, path: Path | None) -> Questionnaire:
    try:
        return Questionnaire.from_dict(parse_yaml(text, QuestionnaireError, file=path),
                                       source=path)
    except QuestionnaireError as exc:
        raise QuestionnaireError(f"the drafted questionnaire is not valid ({exc.message}); "
                                 "please report this with the file that caused it",
                                 file=path, path=exc.path) from None
