"""``survey-kit validate QUESTIONNAIRE [RESPONSES]``: check an instrument and a response file.

Prints what the questionnaire defines (questions, variables, traps, rules,
weighting) and, when a response file is given, how it maps onto the
instrument: rows, mapped and extra columns, missing values per variable,
repeated respondent ids and warnings. Exit code 0 when both are valid, 2 when
either is not (the error names the file, row, column and value).

With a response file it also does what the later commands would do, without
writing anything: it cleans the responses (a dry run of ``clean`` with the
same ``--rule`` options) and weights the kept respondents when the
questionnaire names population targets (with the same ``--collapse``
options), so that ``validate`` refuses what ``clean``, ``weight``,
``crosstab``, ``appendix`` and ``report`` would refuse. A rule that cannot run
on the file (no duration column: the speeder rule) is an error naming the
rule and why, unless ``--skip-unavailable`` is given (then a warning).

Example
-------
$ survey-kit validate questionnaires/japan_digital_services_2024.yaml \\
      sample_data/japan_digital_services_2024_raw.csv
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from . import (
    add_cleaning_args,
    add_collapse_args,
    add_not_stated_arg,
    cleaning_overrides,
    collapse_options,
    missing_columns,
    sheet_arg,
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "validate",
        help="check a questionnaire and, optionally, a response file against it",
        description="Check a questionnaire YAML and, if given, a response file (CSV, XLSX, "
                    "SPSS .sav, Stata .dta, Parquet, Qualtrics CSV) against it. "
                    "Exit code 0 when valid, 2 when not.",
    )
    p.add_argument("questionnaire", metavar="QUESTIONNAIRE", help="questionnaire YAML file")
    p.add_argument("responses", metavar="RESPONSES", nargs="?",
                   help="response file to check against the questionnaire")
    p.add_argument("--encoding", help="text encoding of a CSV (default: detected; e.g. cp932)")
    p.add_argument("--sheet", type=sheet_arg,
                   help="sheet of a workbook, by name or 0-based position")
    p.add_argument("--format", dest="file_format",
                   help="force the file format (csv, tsv, qualtrics, xlsx, sav, dta, parquet)")
    p.add_argument("--targets", metavar="TARGETS",
                   help="population targets CSV/YAML to check the weighting with (default: "
                        "the questionnaire's weighting.targets)")
    add_collapse_args(p)
    add_not_stated_arg(p)
    add_cleaning_args(p)
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..cleaning.parameters import resolve_parameters
    from ..instrument.questionnaire import load_questionnaire

    q = load_questionnaire(args.questionnaire)
    overrides = cleaning_overrides(args)
    resolve_parameters(q, overrides)  # quality.overrides and --rule, as `clean` reads them
    collapse = collapse_options(args)
    targets_text, target_warnings = targets_report(q, args.targets, collapse)
    print(instrument_report(q))
    if targets_text:
        print(targets_text)
    warnings = len(target_warnings)
    if args.responses:
        from ..io.read import read_responses

        frame = read_responses(args.responses, q, encoding=args.encoding, sheet=args.sheet,
                               format=args.file_format, missing_columns=missing_columns(args),
                               duplicate_ids="keep")
        text, n = responses_report(frame, q)
        later, n_later = later_stages_report(frame, q, overrides, args.targets, collapse,
                                             not_stated=args.not_stated)
        warnings += n + n_later
        print()
        print(text)
        print(later)
    print()
    what = "questionnaire and responses are" if args.responses else "questionnaire is"
    note = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
    print(f"Result: the {what} valid{note}.")
    return 0


def targets_report(q: Any, targets: str | None = None, collapse: tuple = ()
                   ) -> tuple[str, list[str]]:
    """The population targets the questionnaire names (or ``targets``), checked against it.

    Returns the text (empty when no targets file is named or it does not exist)
    and the warnings it lists. A targets file that cannot be read, or whose
    levels the questionnaire does not have, raises a WeightingError. Levels
    merged by ``collapse`` need no target of their own.
    """
    from ..weighting.plan import check_targets, targets_path

    path = Path(targets) if targets else targets_path(q)
    if path is None or not path.exists():
        return "", []
    t, warnings = check_targets(q, path)
    merged = {(v, lv) for v, levels, _ in collapse for lv in levels}
    warnings = [w for w in warnings if not any(f"--collapse {v}={lv} " in w
                                               for v, lv in merged)]
    margins = ", ".join(f"{v} ({len(t.margin(v))} levels)" for v in t.variables)
    kind = "shares" if t.total is None else f"counts, total {t.total:,.10g}"
    lines = [f"  Targets:        {margins}; {kind}"]
    lines.extend(f"    warning: {w}" for w in warnings)
    return "\n".join(lines), warnings


def _counts(items: list[str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in Counter(items).items())


def instrument_report(q: Any) -> str:
    """Plain-text summary of a questionnaire."""
    s = q.survey
    lines = [f"Questionnaire: {q.source}" if q.source else "Questionnaire",
             f"  Title:          {s.title} ({s.id})"]
    if s.title_ja:
        lines.append(f"                  {s.title_ja}")
    dates = (f"{s.fieldwork.start} to {s.fieldwork.end}" if s.fieldwork is not None
             else "dates not stated")
    lines.append(f"  Fieldwork:      {dates}, {s.platform or 'platform not stated'}; "
                 f"target n = {s.target_sample_size or 'not stated'}; "
                 f"languages {', '.join(s.languages)}")
    lines.append(f"  Questions:      {len(q.questions)} ({_counts([x.type for x in q.questions])})")
    variables = q.variables
    lines.append(f"  Variables:      {len(variables)} "
                 f"({_counts([v.kind for v in variables.values()])})")
    columns = [v.column for v in variables.values() if v.column]
    lines.append(f"  Export columns: {len(columns) + 1} (respondent id in "
                 + (f"{s.respondent_id!r})" if s.respondent_id else
                    "none: respondents numbered by their row)"))
    traps = q.quality.traps
    lines.append(f"  Traps:          {len(traps)}")
    for t in traps:
        if t.type == "instructed":
            detail = f"instructed, {t.question} expects {', '.join(map(str, t.expected or []))}"
        elif t.type == "text":
            wanted = [repr(str(e)) for e in t.expected or []]
            if t.pattern:
                wanted.append(f"pattern {t.pattern!r}")
            detail = f"text, {t.question} expects {' or '.join(wanted)}"
        else:
            detail = f"consistency, {t.question} vs {t.repeat}"
            if t.tolerance:
                detail += f" (tolerance {t.tolerance:g})"
        lines.append(f"    {t.id}: {detail}")
    rules = q.quality.rules
    lines.append(f"  Rules:          {len(rules)}" + (f" ({_counts([r.kind for r in rules])})"
                                                      if rules else ""))
    for r in rules:
        lines.append(f"    {r.id} [{r.kind}, {r.action}]" + (f": {r.label}" if r.label else ""))
    if q.quality.open_ended:
        lines.append(f"  Open-ended:     {', '.join(q.quality.open_ended)}")
    w = q.weighting
    if w is not None:
        target = ""
        if w.targets:
            path = (Path(q.source).parent / w.targets) if q.source else Path(w.targets)
            target = f"; targets {w.targets}" + ("" if path.exists() else " (file not found)")
        lines.append(f"  Weighting:      {w.method} on {', '.join(w.variables)}{target}")
    if q.design is not None:
        lines.append(f"  Design:         {_design_line(q)}")
    return "\n".join(lines)


def _design_line(q: Any) -> str:
    """The declared sample design in one line: sample type, columns, dispositions."""
    d = q.design
    parts = [d.sample.replace("_", "-")] + [f"{where.split('.')[1]} {col}"
                                             for where, col in d.columns()]
    disp = d.dispositions
    if disp is not None and disp.counts is not None:
        parts.append(f"dispositions: {sum(disp.counts.values())} cases (counts)")
    elif disp is not None:
        path = (Path(q.source).parent / disp.file) if q.source else Path(disp.file)
        parts.append(f"dispositions: {disp.file}, column {disp.column}"
                     + ("" if path.exists() else " (file not found)"))
    return "; ".join(parts)


def later_stages_report(frame: Any, q: Any, overrides: dict[str, Any],
                        targets: str | None = None, collapse: tuple = (),
                        not_stated: str | None = None) -> tuple[str, int]:
    """What ``clean`` and the weighting would do with the file (nothing is written).

    Returns the text and the number of warnings it lists. Raises what those
    commands would raise: a CleaningError naming each rule that cannot run on
    the file and why (unless ``skip_unavailable`` is among ``overrides``), a
    WeightingError or a DesignError.
    """
    from ..cleaning.context import SKIPPED
    from ..cleaning.engine import clean
    from ..cleaning.parameters import resolve_parameters
    from ..errors import CleaningError
    from ..weighting.plan import check_design_columns, weighting_plan

    skip = resolve_parameters(q, overrides)[0]["skip_unavailable"]   # the questionnaire's too
    res = clean(frame, q, **{**overrides, "skip_unavailable": True})
    skipped = [w[: -len(SKIPPED) - 2] for w in res.warnings if w.endswith(SKIPPED)]
    if skipped and not skip:
        raise CleaningError(
            f"clean would refuse this file: {len(skipped)} rule(s) cannot run on it: "
            + "; ".join(f"rule {w.split(':', 1)[0]!r} {w.split(':', 1)[1].strip()}"
                        for w in skipped)
            + ". Switch each off (--rule NAME_action=off) or give --skip-unavailable to skip "
            "them with a warning (validate, clean, weight, crosstab, appendix and report take "
            "both)", file=frame.attrs.get("source"))
    if len(frame) and not len(res.kept):
        raise CleaningError(f"cleaning would exclude all {len(frame)} respondents, so weight, "
                            "crosstab, appendix and report would have nothing to work on; run "
                            "survey-kit clean on the file to see which rules removed them",
                            file=frame.attrs.get("source"))
    flow = res.flow.iloc[1:]
    na = flow.loc[flow["status"] == "not applicable", "rule"].tolist()
    lines = [f"Cleaning (dry run): {len(res.kept)} kept, {len(res.excluded)} excluded, "
             f"{len(res.review)} kept but flagged for review"]
    if na:
        lines.append(f"  Not applicable:   {', '.join(na)}")
    warnings = list(res.warnings)
    if len(res.kept) == 1:
        warnings.append("only 1 respondent is kept after cleaning; appendix and report need "
                        "at least 2")
    declared = q.declared_design()
    check_design_columns(declared, frame, frame.attrs.get("source"))
    plan = weighting_plan(q, targets, weights=declared.weights if declared else None,
                          collapse=collapse, not_stated=not_stated)
    if plan is not None and len(res.kept):
        _, wres = plan.apply(res.kept)
        lines.append(f"Weighting (dry run): {wres.method} of {len(res.kept)} kept respondents "
                     f"to {plan.variables_text()}; "
                     f"{'converged' if wres.converged else 'did NOT converge'}")
        warnings += list(wres.warnings or ())
    if warnings:
        lines.append(f"  Warnings:         {len(warnings)}")
        lines.extend(f"    - {w}" for w in warnings)
    return "\n".join(lines), len(warnings)


def responses_report(frame: Any, q: Any) -> tuple[str, int]:
    """Plain-text summary of a labelled frame read with ``duplicate_ids='keep'``.

    Returns the text and the number of warnings it lists.
    """
    from ..io.frame import MISSING_SUFFIX, RAW_ID

    attrs = frame.attrs
    cols = attrs.get("columns", {})
    enc = f", {attrs['encoding']}" if attrs.get("encoding") else ""
    first = attrs.get("first_row", "?")
    lines = [f"Responses: {attrs.get('source', '')} ({attrs.get('format', '?')}{enc})",
             f"  Rows:             {len(frame)} (first respondent on row {first})"]
    mapped = cols.get("mapped", [])
    missing = cols.get("missing", [])
    extra = cols.get("extra", [])
    lines.append(f"  Columns:          {cols.get('in_file', '?')} in the file; {len(mapped)} "
                 "mapped to the questionnaire (respondent id included)")
    shown = ", ".join(extra[:15]) + (" ..." if len(extra) > 15 else "")
    lines.append(f"  Extra columns:    {len(extra)}" + (f" kept as they are: {shown}"
                                                        if extra else ""))
    if missing:
        lines.append(f"  Missing columns:  {len(missing)} left empty: {', '.join(missing)}")
    warnings = list(attrs.get("warnings", []))

    # repeated respondent ids
    if RAW_ID in frame.columns:
        raw_ids = frame[RAW_ID]
        rep = raw_ids[raw_ids.duplicated(keep=False)]
        if len(rep):
            counts = rep.value_counts(sort=False)
            ex = ", ".join(f"{i!r} x{n}" for i, n in counts.iloc[:5].items())
            lines.append(f"  Duplicate ids:    {len(counts)} id(s) repeated in {len(rep)} rows "
                         f"({ex}{' ...' if len(counts) > 5 else ''})")
            warnings.append(f"{len(counts)} respondent id(s) appear more than once; cleaning's "
                            "duplicate rule will flag the repeats")
        else:
            lines.append("  Duplicate ids:    0")

    # missing values per variable: blank vs each missing-code reason
    rows = []
    complete = 0
    seen_multi: set[str] = set()
    for name, info in q.variables.items():
        if info.kind == "binary":
            if info.question in seen_multi:
                continue
            seen_multi.add(info.question)
            label = info.question
            values = frame[q.multi_variables(info.question)[0]]
            reason_col = info.question + MISSING_SUFFIX
        else:
            label = name
            values = frame[name]
            reason_col = name + MISSING_SUFFIX
        isna = values.isna().to_numpy()
        reasons: dict[str, int] = {}
        if reason_col in frame.columns:
            r = frame[reason_col]
            reasons = {str(k): int(v) for k, v in r.value_counts(sort=False).items() if v}
            isna = isna & r.isna().to_numpy()
        blank = int(isna.sum())
        if blank == 0 and not reasons:
            complete += 1
            continue
        rows.append((label, blank, reasons))
    lines.append(f"  Missing values:   {complete} variable(s) complete; {len(rows)} with blanks "
                 "or missing codes")
    if rows:
        keys = list(dict.fromkeys(k for _, _, r in rows for k in r))
        width = max(len(r[0]) for r in rows) + 2
        head = f"    {'variable':<{width}}{'blank':>8}" + "".join(f"{k:>13}" for k in keys)
        lines.append(head)
        for label, blank, reasons in rows:
            cells = "".join(f"{reasons.get(k, 0) or '-':>13}" for k in keys)
            lines.append(f"    {label:<{width}}{blank:>8}" + cells)
    if warnings:
        lines.append(f"  Warnings:         {len(warnings)}")
        lines.extend(f"    - {w}" for w in warnings)
    else:
        lines.append("  Warnings:         none")
    return "\n".join(lines), len(warnings)
