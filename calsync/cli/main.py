"""Command line: parse arguments, run one command, turn errors into one line and an exit code."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from calsync.cli.arguments import build_parser

log = logging.getLogger("calsync")


def setup_logging(verbose: bool) -> None:
    from calsync.cli.logs import configure_logging

    configure_logging(verbose)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    verbose = bool(getattr(args, "verbose", False))
    setup_logging(verbose)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    from calsync.errors import CalsyncError
    from calsync.ics.redaction import scrub

    try:
        code = dispatch(args)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return code
    except CalsyncError as exc:
        if verbose:
            log.exception("%s", exc)
        else:
            for line in _lines(exc):
                print(f"calsync: {scrub(line)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`calsync status | head`): nothing left to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        from calsync.errors import EX_IOERR, describe_os_error

        if verbose:
            log.exception("%s", exc)
        print(f"calsync: {describe_os_error(exc)}", file=sys.stderr)
        return EX_IOERR
    except Exception as exc:  # a bug: say so in one line, traceback only with --verbose
        if verbose:
            log.exception("unexpected error")
        else:
            print(f"calsync: unexpected error: {type(exc).__name__}: {scrub(str(exc))} (run with --verbose for details)", file=sys.stderr)
        return 70


# Each command's module, imported only when that command runs: `calsync status` must not pay for the
# engine, HTTP, Google or the feed server (tests/test_lazy_imports.py holds it to that).
COMMANDS = {
    "plan": ("plan_commands", "cmd_plan"), "check-config": ("plan_commands", "cmd_check_config"),
    "run": ("state_commands", "cmd_run"), "serve": ("state_commands", "cmd_serve"), "doctor": ("state_commands", "cmd_doctor"),
    "auth": ("state_commands", "cmd_auth"), "feed-url": ("state_commands", "cmd_feed_url"),
    "rotate-feed-token": ("state_commands", "cmd_rotate_feed_token"),
    "mark": ("record_commands", "cmd_mark"), "done": ("record_commands", "cmd_done"),
    "confirm": ("record_commands", "cmd_confirm"), "dismiss": ("record_commands", "cmd_dismiss"),
    "status": ("status_view", "cmd_status"), "init": ("setup_commands", "cmd_init"), "completion": ("setup_commands", "cmd_completion"),
}


def dispatch(args: argparse.Namespace) -> int:
    """Run the command ``args`` names."""
    module, function = COMMANDS[args.command]
    command = getattr(importlib.import_module(f"calsync.cli.{module}"), function)
    try:
        return command(args)
    finally:
        state_dir = getattr(args, "state_dir_used", None)
        if state_dir is not None:
            from calsync.cli.context import hand_back_state

            hand_back_state(state_dir)


def _lines(exc: Exception) -> list[str]:
    from calsync.errors import ConfigError

    if isinstance(exc, ConfigError) and len(exc.problems) > 1:
        where = f"{exc.file}: " if exc.file else ""
        return [f"{where}{p}" for p in exc.problems]
    return [str(exc)]
