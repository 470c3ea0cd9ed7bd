"""The seeded generator behind ``sample_data/``: synthetic raw exports with planted
defects.

* ``generator``: the public face (``generate_sample``, ``planted_defects``,
  ``write_sample``, ``population_targets``, ``sample_headlines``);
* ``simulate``: one run from the seed to the raw export and its defect list;
* ``profiles``: how each survey's sample is made (data), with the answer models
  ``firms`` and ``creators`` and the text pools of ``comments``;
* ``variables``: the questionnaire seen from the generator; ``draws``: exact-margin
  draws and array helpers; ``conditions``: setting answers so a condition holds;
* ``respondents``: honest answers and meta data; ``defects``: planting defects;
  ``similarity``: keeping honest rows apart, making near copies;
* ``export``: the raw export layout, the defect table, file names; ``readme``: the
  README of ``sample_data/``.

May import: ``instrument`` and the shared helpers.
"""
