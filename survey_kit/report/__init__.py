"""The whole job: the run (read -> clean -> weight -> design), the survey appendix,
its figures, the published-vs-reproduced check and the report folder.

Modules, in the order the job uses them:

- ``spec_models`` -- the report spec of one survey (``<questionnaire>.report.yaml``);
- ``spec`` -- reading it and checking it against the questionnaire; the default spec;
- ``derived`` -- derived variables of the spec (counts, grid nets): labels and values;
- ``precision`` -- Kish's design effect of weighting and the margin of error;
- ``run`` -- :func:`prepare` and :class:`SurveyRun`: read -> clean -> weight -> design;
- ``methodology`` -- section 1: the AAPOR disclosure items and the key numbers;
- ``sections`` -- sections 3-5: sample composition, weighting diagnostics, codebook;
- ``reproduce`` -- section 7: published vs reproduced figures and their verdict;
- ``figures`` -- bar charts of the headline banner tables (matplotlib, seaborn);
- ``appendix`` -- :class:`Appendix`, :func:`build_appendix` and :func:`appendix`;
- ``outputs`` -- :func:`run_report`: every survey to its report folder, and the summary.

May import every stage below it (instrument, io, cleaning, weighting, stats,
design, tables); never ``sample`` or ``cli``.
"""
