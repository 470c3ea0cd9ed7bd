"""The survey design: :class:`SurveyDesign` and the design-based estimators behind it.

Modules, from the bottom up:

- ``variance``: the one linearization engine, ``vcov_total`` (stratum factors
  with fpc and the lonely-PSU rules, defined once), and ``degf``;
- ``structure``: reading and checking strata, PSUs, fpc and weights;
- ``calibration``: the post-stratification, raking and GREG steps a design
  records and their residuals; a design reweighted by ``survey_kit.weighting``;
- ``coded``: ``vcov_total`` of values given per code (banner tables, tests);
- ``variables``: the analysis variables (numbers, 0/1 indicators, domain codes);
- ``estimators``: mean, total, proportion (and its intervals), quantile;
- ``intervals``: R's other quantile rule (``hf7``) and the score interval of a
  quantile, the likelihood interval of a proportion;
- ``ratio``: ratios of totals (R ``svyratio``);
- ``domains``: estimates by domain, domain shares, comparisons, ``adjust_pvalues``;
- ``glm``: survey-weighted GLMs (R ``svyglm``);
- ``replicate``, ``replicate_build``, ``replicate_variance``, ``replicate_calibration``:
  replicate-weight designs (R ``svrepdesign``/``as.svrepdesign``): the weights and
  ``svrVar``, building them from a design (JK1, JKn, BRR/Fay, bootstraps), every
  estimator recomputed per replicate, calibration of every replicate;
- ``estimate``: the result objects (Estimate, Comparison, DomainProportions,
  SvyGLMResult);
- ``survey_design``: :class:`SurveyDesign`, what a design is, with the
  estimators as thin methods;
- ``atoms``: a design reduced to atoms (respondents grouped by design cell and
  analysis levels) and the linearization on their moments;
- ``engine_design``: ``EngineDesign``, a design over a Parquet dataset on an
  engine of ``survey_kit.engine`` (``SurveyDesign.from_parquet``).

May import: ``weighting``, ``stats``, ``engine`` and the shared helpers.
"""
