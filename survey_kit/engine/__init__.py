"""Engines for data not in memory: the grouped sums every estimator reduces to.

A design over a Parquet dataset (``SurveyDesign.from_parquet``) never holds the
respondents: it asks an engine for weighted moments grouped by the design
cells (strata x PSUs x the variables of the analysis), and does the rest on
that small table (:mod:`survey_kit.design.atoms`). Three engines answer the
same questions (:mod:`.base`): pandas (in memory, the reference), DuckDB
(embedded, out of core, the default past a size threshold) and Dask
(``dask.dataframe``, on whatever cluster the active ``distributed.Client``
points at). Cleaning rules that are row-local or grouped run here too
(:mod:`.cleaning`).
"""
