"""Commands that run calsync or hand out its feed: run, serve, feed-url, rotate-feed-token, doctor, auth."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import threading

from calsync.cli.context import configured
from calsync.cli.moments import parse_moment
from calsync.config import Config
from calsync.errors import CalsyncError, StateError
from calsync.ics.redaction import scrub
from calsync.runtime import feed_path, open_store

log = logging.getLogger("calsync")


def cmd_run(args: argparse.Namespace) -> int:
    from calsync.daemon import Daemon, install_signal_handlers

    config = configured(args)
    clock = (lambda: parse_moment(args.now, config.plan.zone, "--now")) if args.now else None
    found = str(config.file) if config.file else None  # SIGHUP re-reads the file discovery found
    daemon = Daemon(config, found, clock=clock, force=args.force, serve=not args.no_serve and not args.once)
    if threading.current_thread() is threading.main_thread():
        install_signal_handlers(daemon)
    code = daemon.run(once=args.once)
    if args.once or sys.stdout.isatty():
        from calsync.web.urls import bound_port, subscription_url

        token, bound = _feed_access(config)
        url = subscription_url(config, token, bound_port(config, bound))
        with open_store(config) as store:
            items = store.plan_items()
        pending = [i for i in items if not i.missed]
        print(f"{len(pending)} follow-up(s) published to {feed_path(config)}")
        for item in pending[:50]:
            print(scrub(f"  {item.start[:16].replace('T', ' ')}  {item.kind:<22} {item.summary}"))
        print(f"Subscribe (while `calsync run` or `calsync serve` is running): {url}")
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    from calsync.daemon import bind_feed_server
    from calsync.statedir import StateLock
    from calsync.web.token import FeedToken

    config = configured(args)
    lock = StateLock.acquire(config.state_dir)  # one server per state directory; released when the process ends
    with open_store(config) as store:
        FeedToken(store, config.state_dir).ensure()
        server = bind_feed_server(config)
        store.set_meta("feed_bound", f"{config.feed.bind}:{server.port}")
    log.info("serving %s on %s port %d", feed_path(config), config.feed.bind, server.port)
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        import signal

        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    server.server_close()
    lock.release()
    return 0


def _feed_access(config: Config, rotate: bool = False) -> tuple[str | None, str | None]:
    """The feed token (made on first use, or anew with ``rotate``) and the address last bound."""
    from calsync.web.token import FeedToken

    with open_store(config) as store:
        tokens = FeedToken(store, config.state_dir)
        return (tokens.rotate() if rotate else tokens.ensure()), store.get_meta("feed_bound")


def cmd_feed_url(args: argparse.Namespace) -> int:
    from calsync.web.urls import board_url, bound_port, subscription_url

    config = configured(args)
    token, bound = _feed_access(config)
    print(subscription_url(config, token, bound_port(config, bound)))
    print(f"board (while `calsync run` runs): {board_url(config, token, bound_port(config, bound))}", file=sys.stderr)
    print(f"feed file: {feed_path(config)}", file=sys.stderr)
    return 0


def cmd_rotate_feed_token(args: argparse.Namespace) -> int:
    from calsync.web.urls import bound_port, subscription_url

    config = configured(args)
    token, bound = _feed_access(config, rotate=True)
    print(subscription_url(config, token, bound_port(config, bound)))
    print("the old URL no longer works; update your calendar subscriptions", file=sys.stderr)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from calsync.cli.doctor import run_checks

    config = configured(args)
    now = dt.datetime.now(config.plan.zone)
    try:
        token, bound = _feed_access(config)
    except StateError:  # the state checks say why
        from calsync.web.token import TOKEN_FILE, read_token_file

        token, bound = read_token_file(config.state_dir / TOKEN_FILE), None
    port = int(bound.rsplit(":", 1)[1]) if bound else config.feed.port
    findings = run_checks(config, now, lambda: token, port, args.config_found)
    for finding in findings:
        print(scrub(f"{'ok ' if finding.ok else 'BAD'}  {finding.what}" + (f"\n     fix: {finding.fix}" if finding.fix else "")))
    bad = sum(1 for f in findings if not f.ok)
    print(f"\n{len(findings) - bad} ok, {bad} to fix")
    return 1 if bad else 0


def cmd_auth(args: argparse.Namespace) -> int:
    from pathlib import Path

    from calsync.google.auth import grant_notes, run_flow, scopes_for

    config = configured(args)
    secrets = Path(args.client_secrets)
    if not secrets.is_file():
        raise CalsyncError(f"{secrets}: no such file; download the OAuth client JSON (type 'Desktop app') from Google Cloud")
    print("calsync asks Google for: " + ", ".join(s.rsplit("/", 1)[1] for s in scopes_for(config, args.write_existing)))
    try:
        path = run_flow(config, secrets, args.port, args.write_existing)
    except ValueError as exc:
        raise CalsyncError(f"{secrets}: not an OAuth client file ({exc})") from None
    print(f"authorized; the token is stored in {path} (mode 600)")
    for note in grant_notes(config, path):
        print(note)
    return 0
