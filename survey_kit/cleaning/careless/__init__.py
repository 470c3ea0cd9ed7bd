"""Indices of careless and fraudulent responding, vectorised over respondents.

The response-pattern indices follow the definitions of the R package
``careless`` (Yentes & Wilhelm), one module per index as in that package:
``longstring`` (longest and average run of identical consecutive answers),
``irv`` (intra-individual response variability, the row standard deviation),
``mahad`` (Mahalanobis D2 as computed by ``psych::outlier``, flagged above a
chi-square quantile) and ``evenodd`` (even-odd consistency with the
Spearman-Brown correction). They agree with R on the fixtures in
``tests/fixtures/r/``. Two detectors of fraudulent answers complete them:
``near_duplicates`` (respondents whose answer vectors are almost identical)
and ``gibberish`` (keyboard mashing in open-ended answers). Every function
works on whole columns (numpy / pandas vector operations); none loops over
respondents in Python.

Modules
-------
inputs           the indices' input as a float matrix, their output back as pandas
longstring       ``longstring`` (and ``longstring_codes`` for the straight-lining rule)
irv              ``irv`` (and ``irv_codes``)
rows             row sources for D2: a float matrix, or item codes with score tables
mahad            ``mahad``: covariance, inverse, distances, ``chi2_quantile``
evenodd          ``evenodd``
grouping         ``group_ids``: an exact id for each distinct row of item codes
near_duplicates  ``near_duplicates`` and its result, the dense method
blocked          the blocked method of ``near_duplicates`` for large files
gibberish        ``gibberish``

May import: the shared helpers (``errors``); nothing else of survey_kit.

References
----------
Yentes, R. D., & Wilhelm, F. (2023). careless: Procedures for computing
indices of careless responding. R package.
Johnson, J. A. (2005). Ascertaining the validity of individual protocols from
web-based personality inventories. Journal of Research in Personality, 39, 103-129.
Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018).
Intra-individual response variability as an indicator of insufficient effort
responding. Journal of Business and Psychology, 33(1), 105-121.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey
data. Psychological Methods, 17(3), 437-455.
Curran, P. G. (2016). Methods for the detection of carelessly invalid
responses in survey data. Journal of Experimental Social Psychology, 66, 4-19.
"""
