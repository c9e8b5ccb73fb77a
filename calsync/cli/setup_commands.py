"""`calsync init` (a starter configuration, the systemd units) and `calsync completion` (shell completion)."""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from importlib import resources
from pathlib import Path

from calsync.errors import CalsyncError, UsageError

UNITS = {"system": "calsync.service", "user": "calsync-user.service", "template": "calsync@.service"}
_UNIT_CALSYNC = ("/opt/calsync/venv/bin/calsync", "%h/.local/bin/calsync")


def packaged(name: str) -> str:
    """A file shipped inside the package (units, the annotated example configuration)."""
    return resources.files("calsync").joinpath("data", name).read_text(encoding="utf-8")


def this_calsync() -> str:
    """The calsync command of this installation, for ExecStart=."""
    beside = Path(sys.executable).parent / "calsync"
    found = str(beside) if beside.exists() else shutil.which("calsync")
    return str(Path(found).absolute()) if found else _UNIT_CALSYNC[0]


def unit_text(kind: str) -> str:
    text = packaged(UNITS[kind])
    for placeholder in _UNIT_CALSYNC:
        text = text.replace(placeholder, this_calsync())
    return text


def cmd_init(args: argparse.Namespace) -> int:
    from calsync.config.places import system_config_path, system_state_dir, system_zone, user_config_path
    from calsync.config.render import render_starter

    if args.print_unit:
        print(unit_text(args.print_unit), end="")
        return 0
    if args.print_example:
        print(packaged("calsync.example.toml"), end="")
        return 0
    if args.instance and not args.system:
        raise UsageError("init: --instance goes with --system")
    if args.system:
        name = f"{args.instance}.toml" if args.instance else "calsync.toml"
        target = system_config_path().with_name(name)
        state_dir = system_state_dir() / args.instance if args.instance else system_state_dir()
    else:
        target, state_dir = Path(args.config) if getattr(args, "config", None) else user_config_path(), None
    if target.exists() and not args.force:
        raise CalsyncError(f"{target} exists; edit it (`calsync check-config` shows what calsync reads), or pass --force")
    text = render_starter(system_zone().key, args.source, str(state_dir) if state_dir else None)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
    tmp = target.with_name(target.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644 if args.system else 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, target)
    print(f"wrote {target}")
    if not args.source:
        print("next: add your interview calendar under [[sources]] in it, then run `calsync check-config`")
    elif args.system:
        unit = "calsync@.service" if args.instance else "calsync.service"
        print(f"next: calsync init --print-unit {'template' if args.instance else 'system'} | sudo tee /etc/systemd/system/{unit}")
    else:
        print("next: calsync run --once")
    return 0


def cmd_completion(args: argparse.Namespace) -> int:
    from calsync.cli.arguments import build_parser

    parser = build_parser()
    if args.shell == "fish":
        print(fish_completion(parser))
        return 0
    import shtab

    print(shtab.complete(parser, shell=args.shell))
    return 0


def fish_completion(parser: argparse.ArgumentParser) -> str:
    """Subcommands and their options for fish (shtab covers bash, zsh and tcsh)."""
    lines = ["complete -c calsync -f"]
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    helps = {c.dest: c.help or "" for c in sub._choices_actions}  # noqa: SLF001
    for name, child in sub.choices.items():
        help_text = helps.get(name, "").replace("'", "\\'")
        lines.append(f"complete -c calsync -n '__fish_use_subcommand' -a {name} -d '{help_text}'")
        for action in child._actions:  # noqa: SLF001
            longs = [o[2:] for o in action.option_strings if o.startswith("--")]
            if not longs or action.help == argparse.SUPPRESS:
                continue
            choices = f" -xa '{' '.join(map(str, action.choices))}'" if action.choices else ""
            needs_file = " -r -F" if action.metavar in ("FILE", "PATH_OR_URL") else ""
            desc = (action.help or "").replace("'", "\\'")
            lines.append(f"complete -c calsync -n '__fish_seen_subcommand_from {name}' -l {longs[0]}{choices}{needs_file} -d '{desc}'")
    return "\n".join(lines)
