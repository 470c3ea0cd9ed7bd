"""Weights: targets with their provenance, post-stratification, raking,
calibration, trimming, diagnostics, and the weighting plan a questionnaire declares.

Modules
-------
``targets``       :class:`Targets` (margins, joint cells, counts or shares; the file they
                  came from), :func:`as_targets`, :func:`load_targets`
``collapse``      :func:`collapse_levels`: merge levels in the data and the targets alike
``poststratify``  :func:`poststratify` (R ``postStratify``)
``rake``          :func:`rake` (R ``rake``)
``calibrate``     :func:`calibrate`: GREG, bounded raking, logit (R ``calibrate``)
``distances``     the calibration functions F of ``calibrate`` and their bounds
``trim``          :func:`trim_weights` (R ``trimWeights``)
``diagnostics``   :func:`weight_diagnostics`: spread, Kish design effect, effective n
``result``        :class:`WeightingResult`, :class:`CalibrationInfo` (what a design needs)
``plan``          :func:`weighting_plan`: the questionnaire's ``weighting`` section, applied;
                  :func:`check_targets`: its targets compared with its levels (validate)

Shared by the three methods: ``inputs`` (checks of frame, base weights and
variables; the not-stated strategy), ``factors`` (a variable as integer codes),
``hotdeck`` (imputation of a missing weighting variable) and ``margins`` (levels
matched to targets, the table of level combinations the methods iterate on,
the margins table and the result).

May import: ``instrument`` and the shared helpers.
"""
