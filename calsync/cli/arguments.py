"""The command line's grammar: every command, option and help text (argparse)."""
from __future__ import annotations

import argparse

from calsync import __version__

OUTCOME_CHOICES = ("responded", "rejected", "form-rejection", "offer", "withdrawn")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calsync",
        description="Plan job-search follow-ups (thank-you notes, check-ins, feedback requests) from your interview calendar.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"calsync {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and full tracebacks")
    parser.add_argument("-c", "--config", metavar="FILE", help="TOML configuration (default: $CALSYNC_CONFIG, ~/.config/calsync/calsync.toml, /etc/calsync/calsync.toml)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.add_argument("-c", "--config", metavar="FILE", default=argparse.SUPPRESS, help="TOML configuration")
        return p

    p = command("plan", "print the follow-ups the rules plan; writes nothing")
    p.add_argument("--source", action="append", metavar="PATH_OR_URL", help="read this .ics instead of the configured sources (repeatable)")
    p.add_argument("--now", metavar="ISO8601", help="fix the clock (first-seen time, undated outcomes)")
    p.add_argument("--json", action="store_true", help="print the machine-readable plan")

    p = command("check-config", "validate the configuration and print it resolved, as TOML that loads back")
    p.add_argument("--show-secrets", action="store_true", help="print source URLs in full (they may carry a secret)")
    p.add_argument("--annotated", action="store_true", help="say what each key means")

    p = command("run", "poll sources, publish follow-ups, serve the feed; repeat")
    p.add_argument("--once", action="store_true", help="one pass, then exit")
    p.add_argument("--force", action="store_true", help="apply a pass even if it would remove most follow-ups")
    p.add_argument("--no-serve", action="store_true", help="do not start the feed server")
    p.add_argument("--now", metavar="ISO8601", help=argparse.SUPPRESS)

    command("serve", "serve the .ics feed only")

    p = command("mark", "record an outcome for an interview (or --undo it)")
    p.add_argument("interview", help="an interview UID, or words from its title or company")
    p.add_argument("outcome", nargs="?", choices=OUTCOME_CHOICES, help="what happened")
    p.add_argument("--at", metavar="WHEN", help='when it happened: "2026-12-04 15:30", "yesterday", "Dec 4" (default: now)')
    p.add_argument("--undo", action="store_true", help="remove the recorded outcome (the latest one if none is named)")

    p = command("done", "mark one follow-up as done (or --undo it)")
    p.add_argument("followup", help="a follow-up ID as shown by `calsync status`")
    p.add_argument("--undo", action="store_true", help="make it pending again")

    p = command("confirm", "plan a suggested (untagged) interview like a tagged one")
    p.add_argument("event", help="a suggestion's event id, or words from its title (`calsync status` lists them)")

    p = command("dismiss", "never suggest this untagged event again")
    p.add_argument("event", help="a suggestion's event id, or words from its title")

    p = command("status", "interviews, their outcomes and follow-ups, and the health of each source")
    p.add_argument("--upcoming", action="store_true", help="only interviews ahead or with follow-ups still to do")
    p.add_argument("--company", metavar="WORDS", help="only interviews whose company or title contains WORDS")
    p.add_argument("--json", action="store_true", help="machine-readable (shape: see the README)")
    p.add_argument("--now", metavar="ISO8601", help=argparse.SUPPRESS)

    command("feed-url", "print the feed's subscription URL")
    command("rotate-feed-token", "replace the feed token; the old URL stops working at once")
    command("doctor", "check configuration, state, authorization, feed and sources")

    p = command("init", "write a starter configuration (or print a systemd unit)")
    p.add_argument("--system", action="store_true", help="for the system service: /etc/calsync/calsync.toml, state in /var/lib/calsync")
    p.add_argument("--instance", metavar="NAME", help="with --system: /etc/calsync/NAME.toml for calsync@NAME.service")
    p.add_argument("--source", metavar="PATH_OR_URL", help="your interview calendar (.ics file or URL)")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--print-unit", choices=("system", "user", "template"), help="print a systemd unit for this installation")
    p.add_argument("--print-example", action="store_true", help="print the annotated example configuration (every key)")

    p = command("completion", "print shell completion (bash: source <(calsync completion bash))")
    p.add_argument("shell", choices=("bash", "zsh", "tcsh", "fish"))

    p = command("auth", "authorize calsync with Google Calendar")
    p.add_argument("provider", choices=("google",))
    p.add_argument("--client-secrets", metavar="FILE", required=True, help="OAuth client JSON from Google Cloud")
    p.add_argument("--port", type=int, default=8088, help="loopback port for the OAuth redirect (default 8088)")
    p.add_argument("--write-existing", action="store_true", help="also ask for calendar.events (write into an existing calendar)")
    return parser
