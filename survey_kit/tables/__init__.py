"""Tables: the crosstab (banner) computation and its renderers, and the generic
table/document writers (Markdown, HTML, LaTeX, XLSX).

Renderers receive computed results. May import: ``design``, ``stats``,
``weighting``, ``instrument`` and the shared helpers.
"""
