"""The `bulletin` command: ingest, build, serve, check.

Each subcommand's work lives in its pipeline module; this file only parses arguments,
loads site.yaml, and turns a BulletinError into one clear line and a non-zero exit.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from generator.config import SiteConfig, load_config
from generator.errors import BulletinError

Command = Callable[[argparse.Namespace, SiteConfig], int]


def _command(module: str, function: str) -> Command:
    """A subcommand's entry point, imported when it runs: a build need not load the code of
    serve, check and the parser (a third of a second, on every no-change build too)."""

    def run(args: argparse.Namespace, config: SiteConfig) -> int:
        return getattr(importlib.import_module(module), function)(args, config)

    return run


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bulletin", description="Publish Chinese regional news bulletins as websites."
    )
    parser.add_argument("--config", type=Path, default=Path("site.yaml"), help="site.yaml path")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="turn raw bulletins into Markdown articles")
    ingest.add_argument("files", nargs="*", type=Path, help="raw bulletins (default: new ones)")
    ingest.add_argument(
        "--json", action="store_true", help="print the parse as JSON, write nothing"
    )
    ingest.add_argument("--explain", action="store_true", help="print every parser decision")
    ingest.add_argument("--date", help="bulletin date YYYY-MM-DD when the text has none")
    ingest.add_argument("--force", action="store_true", help="re-ingest, backing up edits")
    ingest.set_defaults(run=_command("generator.ingest.command", "run_ingest"))

    build_cmd = commands.add_parser("build", help="ingest new bulletins and build the site")
    build_cmd.add_argument("--no-search", action="store_true", help="skip the search index")
    build_cmd.add_argument("--jobs", "-j", type=int, default=None, help="worker processes")
    build_cmd.set_defaults(run=_command("generator.build", "run_build_command"))

    serve_cmd = commands.add_parser("serve", help="live preview that rebuilds on save")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--no-search", action="store_true", help="skip the search index")
    serve_cmd.set_defaults(run=_command("generator.serve", "run_serve"))

    check_cmd = commands.add_parser("check", help="verify a built site without network")
    check_cmd.add_argument("site_dir", nargs="?", type=Path, help="built site (default: output)")
    check_cmd.set_defaults(run=_command("generator.check", "run_check_command"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        config = load_config(args.config)
        return args.run(args, config)
    except BulletinError as error:
        if args.debug:
            traceback.print_exc()
        print(f"bulletin: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader closed the pipe (`bulletin ingest --explain | head`): stop quietly as
        # Unix tools do, and keep Python from complaining again when it flushes stdout.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # an unexpected failure still gets one line without --debug
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"bulletin: internal error: {type(error).__name__}: {error} (rerun with --debug)",
                file=sys.stderr,
            )
        return 2


def entry() -> NoReturn:
    """The ``bulletin`` command (and ``python -m generator``): ``main``, then exit without
    tearing the interpreter down object by object. A cold build at 1,000 bulletins ends
    holding millions of objects (the site, its parses, the manifest); freeing them one by
    one took 0.15-0.35 s after the summary line, for nothing the user sees. Output is
    flushed and exit handlers run first; with a thread still running (it would be waited
    for), the exit is the usual one."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: leave it to the usual exit, which reports it
        sys.exit(code)
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()  # what the usual exit runs first (multiprocessing, logging)
    os._exit(code)
