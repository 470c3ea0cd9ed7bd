"""``survey-kit init DATA --out QUESTIONNAIRE.yaml``: a questionnaire from the file's metadata.

Drafts a complete, commented questionnaire from what the data file already
says (SPSS/Stata variable and value labels and missing codes; Qualtrics header
rows; names and values of a plain CSV), or from the survey definition beside it
(``--qsf`` for Qualtrics, ``--xlsform`` for ODK, KoboToolbox and SurveyCTO).
Guesses are marked in comments; ``survey-kit validate`` on the same file is
clean, and running ``init`` again writes the same bytes.

Example
-------
$ survey-kit init responses.sav --out questionnaire.yaml
$ survey-kit init export.csv --qsf survey.qsf --out questionnaire.yaml
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from . import sheet_arg


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "init",
        help="draft a questionnaire YAML from a data file's own metadata",
        description="Draft a commented questionnaire YAML from a response file: SPSS .sav "
                    "or Stata .dta labels and missing codes, a Qualtrics export (with its "
                    ".qsf for choices and recodes), an XLSForm, or a plain CSV (inferred, "
                    "every guess marked in a comment). Check the comments, then run "
                    "'survey-kit validate' on the questionnaire and the file.",
    )
    p.add_argument("data", metavar="DATA", help="response file (CSV, XLSX, SAV, DTA, Parquet, "
                                                "Qualtrics CSV)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--qsf", metavar="FILE", help="the Qualtrics survey definition (.qsf)")
    src.add_argument("--xlsform", metavar="FILE", help="the XLSForm (.xlsx) of the data")
    p.add_argument("--out", required=True, metavar="QUESTIONNAIRE.yaml",
                   help="questionnaire YAML to write")
    p.add_argument("--encoding", help="text encoding of a CSV (default: detected; e.g. cp932)")
    p.add_argument("--sheet", type=sheet_arg,
                   help="sheet of a workbook, by name or 0-based position")
    p.add_argument("--format", dest="file_format",
                   help="force the file format (csv, tsv, qualtrics, xlsx, sav, dta, parquet)")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from ..io.draft import init_questionnaire
    from ..instrument.questionnaire import load_questionnaire
    from . import input_files

    input_files(args.data, args.qsf, args.xlsform)
    path = init_questionnaire(args.data, args.out, qsf=args.qsf, xlsform=args.xlsform,
                              format=args.file_format, encoding=args.encoding, sheet=args.sheet)
    q = load_questionnaire(path)
    text = path.read_text(encoding="utf-8")
    types = Counter(x.type for x in q.questions)
    print(f"wrote {path}: {len(q.questions)} questions "
          f"({', '.join(f'{t} {n}' for t, n in types.items())}); "
          f"{text.count('# guess:')} guess(es) to confirm (search for 'guess:')")
    print(f"next: survey-kit validate {path} {args.data}")
    return 0
