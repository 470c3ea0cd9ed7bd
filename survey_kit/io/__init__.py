"""Reading and writing response files: readers and writers, one module per format, and
the mapping of an export onto the questionnaire and back.

Files (no questionnaire involved):

* ``raw``: the raw table a reader returns (:class:`~survey_kit.io.raw.RawTable`), the
  labels a writer stores (``ExportSpec``), ``as_text`` and ``TEXT_DTYPE``;
* ``formats``: which format a file is (by extension) and the reader or writer for it;
* ``csv_format`` (CSV, TSV, Qualtrics CSV; encodings), ``excel``, ``spss_stata``
  (pyreadstat), ``parquet``.

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
