"""The labelled frame: the data contract between reading a file and every later stage.

:func:`~survey_kit.io.read.read_responses` returns it;
:func:`~survey_kit.io.export.to_export` turns it back into export columns and codes.

* index: respondent id as text, named ``respondent_id``; rows in file order;
* single, likert and grid items: ``Categorical`` of option keys in the
  instrument's order (ordered for likert and grid); missing codes (don't
  know, refused, not stated) become NaN and their key is kept in
  ``<var>__missing`` for questions that declare missing codes;
* multi: one float column ``<qid>_<key>`` per option, 1.0 / 0.0, NaN when
  the respondent left the whole question blank;
* numeric: float64, NaN when blank or a missing code; out-of-range values are
  kept (cleaning flags them); bands add an ordered categorical ``bands.id``;
* open: text, NaN when empty; meta: ``duration`` as a number in the unit its
  question declares (``unit: minutes``; seconds by default), ``start_time`` /
  ``end_time`` as datetime64, other meta roles as text;
* read with ``duplicate_ids="keep"``, the column ``_raw_id`` holds each row's
  id as exported (repeats get the index ``<id>~2``, ``<id>~3``, ...);
* export columns the instrument does not know are kept under their names;
* ``frame.attrs``: ``source`` (path), ``questionnaire`` (survey id),
  ``format``, ``encoding``, ``first_row`` (row number of the first
  respondent), ``warnings`` (list of messages), ``columns`` (export
  columns ``in_file`` (count), ``mapped``, ``missing`` and ``extra``) and
  ``column_meta``: what the file declares about the columns the instrument
  does not describe (the extra columns and the respondent id) -- per column a
  dict with any of ``label`` (variable label), ``values`` ({code: label}),
  ``missing`` (user-missing values and ranges), ``measure`` and ``format``
  (``F8.0``, ``EDATE10``, ``%td``). SPSS and Stata files fill it; later
  stages add their derived columns (the weight, counts, bands: for a
  categorical column ``values`` maps its keys to labels). The SPSS and Stata
  writers store it, so a file read and written again keeps every label.

Example
-------
>>> from survey_kit.instrument.questionnaire import load_questionnaire
>>> q = load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> export_columns(q.question("impact"))[:2]
['Q12_1', 'Q12_2']
>>> "size_class" + MISSING_SUFFIX
'size_class__missing'
"""

from __future__ import annotations

from ..instrument.schema import Question

__all__ = ["COLUMN_META", "INDEX_NAME", "MISSING_SUFFIX", "RAW_ID", "export_columns"]

#: name of the index of a labelled frame
INDEX_NAME = "respondent_id"
#: column holding each row's respondent id as exported (with ``duplicate_ids="keep"``)
RAW_ID = "_raw_id"
#: suffix of the column holding the missing-code key of a variable
MISSING_SUFFIX = "__missing"
#: key of ``frame.attrs`` holding the labels and formats of columns the instrument does not
#: describe (see above)
COLUMN_META = "column_meta"


def export_columns(q: Question) -> list[str]:
    """The export columns a question is read from: one per multi option or grid item."""
    if q.type == "multi":
        return [o.column for o in q.options]
    if q.type == "grid":
        return [it.column for it in q.items]
    return [q.column]
