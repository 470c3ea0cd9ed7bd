"""The survey instrument: the questionnaire schema, its loading and cross-checks,
and the en/ja labels every renderer uses.

Modules
-------
``questionnaire``  :class:`Questionnaire` (variables, levels, labels, nets, codebook),
                   :func:`load_questionnaire`, :func:`as_questionnaire`
``schema``         the pydantic models of a questionnaire YAML file (questions, options,
                   bands, nets, traps, rules, weighting section)
``loading``        YAML file -> validated schema; errors naming the file, line and key
``checks``         the cross-checks the schema cannot express, one small named check each
``answers``        what a name used in conditions, traps and rules holds, and the checks of
                   the values given to it (types, empty ranges, nested lists)
``labels``         the fixed en/ja words of every rendered output

May import: the package's shared helpers (``errors``, ``_yaml``, ``_files``).
"""
