"""Reading and writing response files: readers and writers, one module per format, and
the mapping of an export onto the questionnaire and back.

Files (no questionnaire involved):

* ``raw``: the raw table a reader returns (:class:`~survey_kit.io.raw.RawTable`), the
  labels a writer stores (``ExportSpec``), ``as_text`` and ``TEXT_DTYPE``;
* ``formats``: which format a file is (by extension) and the reader or writer for it;
* ``csv_format`` (CSV, TSV, Qualtrics CSV; encodings), ``csv_shape`` (every row as
  wide as the header, no quote left open), ``excel`` (no formula without its saved
  result), ``spss_stata`` (pyreadstat), ``parquet``.

Reading is strict: a ragged or truncated row, a blank-named column holding data, a
repeated column name or a formula without a saved result is an error naming the row,
column or cell; blank-named empty columns are left out with a warning. CSV and XLSX
writers neutralise formula-leading text; every writer gives the same bytes for the same
table.

Responses against the questionnaire:

* ``frame``: the labelled frame's contract and names (``RAW_ID``, ``MISSING_SUFFIX``);
* ``read``: :func:`~survey_kit.io.read.read_responses`; ``decode`` (one question's
  columns to variables), ``cells`` (raw cells to numbers, codes, dates), ``problems``
  (offending cells reported as one error);
* ``value_labels``: a file's value labels checked on reading, labels for writing;
* ``export``: :func:`~survey_kit.io.export.to_export`, the frame back to export codes;
* ``write``: :func:`~survey_kit.io.write.write_responses` and ``convert_responses``.

May import: ``instrument`` and the shared helpers.
"""
