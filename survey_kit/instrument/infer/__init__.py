"""A questionnaire drafted from what a file already says about itself.

The facts a reader gathers about each column of a data file (its name, label,
value labels, user-missing codes, measurement level and observed values:
:mod:`.facts`) and the survey definitions that travel beside the data (a
Qualtrics ``.qsf``: :mod:`.qsf`; an XLSForm: :mod:`.xlsform`) become a draft
questionnaire (:mod:`.draft`): one module per source (:mod:`.labels` for SPSS
and Stata metadata, :mod:`.columns` for plain CSV inference and Qualtrics
header rows), and :mod:`.yaml_text` writes the draft as a commented, editable
questionnaire YAML. Every guess is written as a comment for the user to confirm;
no label is invented (a code without a label in the file is labelled by the code
itself, and says so).

Reading the data file is the job of :mod:`survey_kit.io`
(:func:`survey_kit.questionnaire_from` there puts the two together).
"""
