"""Tables: the crosstab (banner) computation and its renderers, and the generic
table/document writers (Markdown, HTML, LaTeX, XLSX).

Compute (``crosstab()`` in ``crosstab``, returning a ``result.Crosstab``):

- ``variables``: names, kinds, levels and codes of the requested variables;
- ``blocks``: row blocks (levels, nets, multi-select options, means);
- ``banner``: the columns and their letters;
- ``design_info``: what the engine needs of the design;
- ``aggregate``: weight sums per (base category, column), one bincount each;
- ``cells``: estimates, bases and confidence intervals;
- ``variance``: influence functions, their covariance from the design;
- ``letters``: pairwise column comparisons;
- ``block_tests``: the overall test of each block (Rao-Scott through
  ``stats.raoscott``);
- ``notes``: the lines under a table, its default title.

Render (they receive a Crosstab, never import the compute code): ``layout``
(shared by all), ``render_text``, ``render_markup`` (Markdown, HTML, LaTeX),
``render_xlsx``.

Generic writers: ``document`` (Table, FigureDoc, value formats),
``doc_markdown``, ``doc_html``, ``doc_latex``, ``doc_xlsx`` (the one workbook
writer; objects with ``_write_xlsx_sheet(ws)``, such as a Crosstab, write their
own sheet).

May import: ``design``, ``stats``, ``weighting``, ``instrument`` and the shared
helpers (in practice ``stats`` and ``instrument``; the design is received).
"""
