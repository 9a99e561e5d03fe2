"""The ``rampkit`` command.

Each subcommand lives in its own module with an ``add_parser(subparsers)``
function that registers it and sets ``func`` on its parser. Errors print as
one line on stderr without a traceback: exit code 2 for usage errors (from
argparse) and 1 for everything else.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

from rampkit._version import __version__
from rampkit.errors import RampkitError

__all__ = ["build_parser", "main", "split_basis_pairs"]

# Subcommand modules, in the order `rampkit --help` lists them.
COMMAND_MODULES = (
    "rampkit.cli.ramps",
    "rampkit.cli.render",
    "rampkit.cli.batch",
    "rampkit.cli.serve",
    "rampkit.cli.lab",
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="rampkit",
        description="Color ramps for precision-agriculture maps: tune, render, export.",
    )
    parser.add_argument("--version", action="version", version=f"rampkit {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (repeat for debug output)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="log errors only")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def split_basis_pairs(argv: Sequence[str]) -> list[str]:
    """Return ``argv`` with each ``--basis MIN,MAX`` written as ``--basis MIN MAX``.

    Examples
    --------
    >>> split_basis_pairs(["ramps", "convert", "--basis=0,100", "yield", "y.qml"])
    ['ramps', 'convert', '--basis', '0', '100', 'yield', 'y.qml']
    """
    result: list[str] = []
    tokens = list(argv)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.startswith("--basis=") and "," in token:
            result += ["--basis", *token.split("=", 1)[1].split(",", 1)]
        elif token == "--basis" and index + 1 < len(tokens) and "," in tokens[index + 1]:
            result += ["--basis", *tokens[index + 1].split(",", 1)]
            index += 1
        else:
            result.append(token)
        index += 1
    return result


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print a warning as one ``rampkit: warning:`` line, without source lines."""
    print(f"rampkit: warning: {message}", file=sys.stderr)


def _log_level(verbose: int, quiet: bool) -> int:
    if quiet:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``rampkit`` command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(split_basis_pairs(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=_log_level(args.verbose, args.quiet),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    warnings.showwarning = _show_warning
    try:
        result = args.func(args)
    except (RampkitError, OSError) as exc:
        print(f"rampkit: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
