"""Tests of association: the one Rao-Scott / Wald core (design-based), the
unweighted tests and effect sizes.

Modules:

- ``result``: :class:`TestResult`, what every test returns;
- ``raoscott``: the one Rao-Scott / Wald core, on arrays (cell totals and a
  function giving their design covariance); every design-based test calls it;
- ``chisq_lincomb``: the tail of a linear combination of chi-squares (the
  "lincom" and "saddlepoint" p-values);
- ``design_tests``: ``svychisq`` on a design;
- ``design_protocol``: what a design must offer here, and ``is_design``;
- ``two_way``: the two-way classification every test starts from;
- ``unweighted``: Pearson, G, Fisher, linear-by-linear, Cochran-Armitage;
- ``fisher_rxc``: Fisher's exact test of r x c tables (network, Monte Carlo);
- ``effect_size``: Cramer's V (weighted or not);
- ``kish``: Kish's effective sample size from weight sums.

Design-based tests receive a design object; nothing here imports ``design``.
May import: ``weighting``, ``cleaning``, ``io``, ``instrument`` and the shared
helpers (in practice only the shared helpers).
"""
