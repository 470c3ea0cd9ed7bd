"""The ``survey-kit`` command.

Each subcommand lives in its own module of this package and exposes
``add_parser(subparsers)`` and ``run(args) -> int``. Modules import heavy
libraries only inside ``run`` so that ``survey-kit --help`` starts fast.

Every :class:`~survey_kit.errors.SurveyKitError` becomes a clear message on
stderr and exit code 2; there is no traceback for bad input.
"""

from __future__ import annotations

import argparse
import importlib
import sys

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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except SurveyKitError as exc:
        print(f"survey-kit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"survey-kit {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
