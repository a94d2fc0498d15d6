"""Command line: ``commandwall`` (GUI), ``demo-server``, ``screenshot``, ``layers check``, ``geo convert``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from commandwall.buildinfo import VersionAction
from commandwall.logs import setup_logging


def _settings(args: argparse.Namespace):
    from commandwall.config import Settings

    overrides = {}
    if getattr(args, "backend", None):
        overrides["backend_url"] = args.backend
    if getattr(args, "user", None):
        overrides["username"] = args.user
    if getattr(args, "password", None):
        overrides["password"] = args.password
    if getattr(args, "tiles", None):
        overrides["wall_tiles"] = args.tiles
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    return Settings(**overrides)


def _add_client_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", metavar="URL", help="platform base URL (default: embedded exercise backend)")
    p.add_argument("--user", help="user name (default: COMMANDWALL_USERNAME or 'duty')")
    p.add_argument("--password", help="password (default: COMMANDWALL_PASSWORD)")
    p.add_argument("--tiles", type=int, choices=(1, 4, 9, 16), help="wall tiles at start")
    p.add_argument("--data-dir", type=Path, help="folder for the outbox and exercise databases")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and --help)."""
    parser = argparse.ArgumentParser(prog="commandwall", description="薛城区一体化综合指挥平台 桌面客户端")
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING …")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="start the client (the default)")
    _add_client_options(run)

    demo = sub.add_parser("demo-server", help="run the exercise backend alone")
    demo.add_argument("--port", type=int, default=8700)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    demo.add_argument("--rate", type=float, default=1.0, help="new incidents per minute")

    shot = sub.add_parser("screenshot", help="start the client, wait, save one PNG per screen, exit")
    _add_client_options(shot)
    shot.add_argument("--out", type=Path, required=True)
    shot.add_argument("--after", type=float, default=8.0, help="seconds to wait before the capture")
    shot.add_argument("--count", type=int, default=1, help="captures to take")
    shot.add_argument("--interval", type=float, default=1.0, help="seconds between captures")
    shot.add_argument("--timeout", type=float, default=90.0,
                      help="seconds to wait at most for the client to connect and draw its map")

    layers = sub.add_parser("layers", help="layer tools")
    layers_sub = layers.add_subparsers(dest="layers_command", required=True)
    check = layers_sub.add_parser("check", help="load and validate every layer in a folder")
    check.add_argument("folder", nargs="?", type=Path)

    geo = sub.add_parser("geo", help="coordinate tools")
    geo_sub = geo.add_subparsers(dest="geo_command", required=True)
    conv = geo_sub.add_parser("convert", help="convert one point between CRSs (EPSG:…, GCJ-02, BD-09)")
    conv.add_argument("x", type=float)
    conv.add_argument("y", type=float)
    conv.add_argument("--from", dest="from_crs", required=True)
    conv.add_argument("--to", dest="to_crs", default="EPSG:4326")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``commandwall`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    setup_logging(args.log_level or "INFO")
    try:
        if command == "run":
            from commandwall.ui.app import run_gui

            return run_gui(_settings(args))
        if command == "screenshot":
            from commandwall.ui.app import run_screenshot

            return run_screenshot(_settings(args), args.out, args.after, args.count, args.interval, args.timeout)
        if command == "demo-server":
            from commandwall.demo import serve_forever

            serve_forever(port=args.port, host=args.host, db_path=args.db, incident_rate_per_min=args.rate)
            return 0
        if command == "layers":
            from commandwall import paths
            from commandwall.geo.layers import check_layers

            report, code = check_layers(args.folder or paths.layers_dir())
            print(report)
            return code
        if command == "geo":
            from commandwall.geo.layers import convert_point

            x, y = convert_point(args.x, args.y, args.from_crs, args.to_crs)
            print(f"{x:.8f} {y:.8f}")
            return 0
    except ValidationError as exc:
        print(f"commandwall: invalid setting: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"commandwall: {exc}", file=sys.stderr)
        return 2
    parser.error(f"unknown command {command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
