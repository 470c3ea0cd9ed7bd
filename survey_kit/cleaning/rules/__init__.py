"""The cleaning rules, one module per family; each function flags every raw respondent.

Modules
-------
platform           ``preview_or_spam``, ``not_finished`` (what the platform records)
screening          ``screened_out``, ``incomplete``
duplicates         ``duplicate_id``, ``duplicate_fingerprint``, ``near_duplicate``
traps              ``trap_failed``
speeders           ``speeder``
limits             ``numeric_limits``
questionnaire      the questionnaire's ``quality.rules`` (range, sum, band_match, implies)
open_ended         ``gibberish``
response_patterns  ``straightliner``, ``mahalanobis``, ``even_odd``

A rule is ``flag_<name>(ctx, name) -> Outcome`` on a
:class:`~survey_kit.cleaning.context.Context`; the registry
(:mod:`survey_kit.cleaning.registry`) lists them in the order they run.

May import: the rest of ``cleaning``, ``instrument``, ``io`` and the shared helpers.
"""
