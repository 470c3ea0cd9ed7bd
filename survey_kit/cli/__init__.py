"""The ``survey-kit`` command.

Each subcommand lives in its own module of this package and exposes
``add_parser(subparsers)`` and ``run(args) -> int``. Modules import heavy
libraries only inside ``run`` so that ``survey-kit --help`` starts fast.

Every :class:`~survey_kit.errors.SurveyKitError` becomes a clear message on
stderr and exit code 2; there is no traceback for bad input. Ctrl-C stops a
command with exit code 130 and leaves no partial or temporary files.

Every subcommand also takes ``--force`` (replace existing files that
survey-kit did not write) and ``--no-escape-formulas`` (write text that begins
with ``=``, ``+``, ``-``, ``@`` as it is, for trusted data). Outputs never
replace the command's own input files (:func:`survey_kit._files.output_policy`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from pathlib import Path

from ..errors import SurveyKitError

# subcommand modules, in the order `survey-kit --help` lists them
COMMANDS = (
    "validate",
    "clean",
    "weight",
    "crosstab",
    "appendix",
    "report",
    "generate",
)


def sheet_arg(text: str) -> int | str:
    """``--sheet``: a 0-based position when all digits, else a sheet name."""
    return int(text) if text.isdigit() else text


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that exits with code 2 and a one-line hint."""

    def error(self, message: str) -> None:  # pragma: no cover - argparse path
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\nRun '{self.prog} --help' for details.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="survey-kit",
        description="Clean, weight, tabulate and report business surveys fielded on online panels.",
    )
    parser.add_argument("--version", action="version", version="survey-kit 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f".{name}", __name__).add_parser(sub)
    for command in sub.choices.values():
        _add_output_safety(command)
    return parser


def _add_output_safety(command: argparse.ArgumentParser) -> None:
    group = command.add_argument_group("output safety")
    group.add_argument("--force", action="store_true",
                       help="replace existing files in the output location that survey-kit "
                            "did not write (input files are never replaced)")
    group.add_argument("--no-escape-formulas", action="store_true",
                       help="write text beginning with = + - @ as it is in CSV and XLSX "
                            "outputs (only for trusted data; by default such text is "
                            "prefixed with an apostrophe so spreadsheets do not run it)")


def _input_files(args: argparse.Namespace) -> list[Path]:
    """Every existing file named by an argument: the command's inputs."""
    found = []
    for dest, value in vars(args).items():
        if dest in ("out", "run", "command") or not isinstance(value, (str, os.PathLike)):
            continue
        path = Path(value)
        with contextlib.suppress(OSError, ValueError):
            if path.is_file():
                found.append(path)
    return found


def _run(args: argparse.Namespace) -> int:
    from .._files import output_policy
    from .._formulas import formula_escaping

    with output_policy(inputs=_input_files(args), force=getattr(args, "force", False)), \
            formula_escaping(not getattr(args, "no_escape_formulas", False)):
        return int(args.run(args) or 0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return _run(args)
    except SurveyKitError as exc:
        print(f"survey-kit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"survey-kit {args.command}: interrupted; no partial output was left",
              file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"survey-kit {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
