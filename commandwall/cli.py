"""Command line: ``commandwall [client options]`` (the GUI; same as ``commandwall run …``), ``demo-server``,
``screenshot``, ``login``, ``config``, ``layers check``, ``geo convert``."""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from commandwall import paths
from commandwall.app.platform import ExerciseAccount, Platform, PlatformFactory
from commandwall.buildinfo import VersionAction
from commandwall.config import (
    DEFAULT_LANGUAGE,
    LOG_LEVELS,
    Settings,
    describe_invalid,
    language_code,
    log_level_name,
    saved_language,
)
from commandwall.credentials import PASSWORD_SOURCES, resolve_password
from commandwall.i18n import translate
from commandwall.localdb import set_aside_database
from commandwall.logs import redact_secrets, setup_logging
from commandwall.oslimits import raise_open_file_limit

PASSWORD_REFUSED = (
    "--password is not accepted: other local users can read a command line (the process list). "
    "Instead, " + PASSWORD_SOURCES + "."
)


class _RefusePassword(argparse.Action):
    """``--password``: stops with an error saying where passwords come from (the value is never echoed)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        """Exit 2 with :data:`PASSWORD_REFUSED`."""
        parser.error(PASSWORD_REFUSED)


# The client options that set a setting: (argparse destination, setting).
CLIENT_OPTIONS = (("backend", "backend_url"), ("user", "username"), ("tiles", "wall_tiles"), ("data_dir", "data_dir"),
                  ("log_level", "log_level"), ("profile", "profile"), ("lang", "language"))


def _settings(args: argparse.Namespace, *, with_password: bool = True, prompt: bool | None = None) -> Settings:
    """Settings from ``COMMANDWALL_*`` with the command line's client options on top; then the password from
    the OS keyring or a prompt when the environment gave none (``with_password``; ``prompt=False``: never on
    the terminal — the GUI asks in its login dialog instead)."""
    overrides: dict[str, object] = {}
    for option, field in CLIENT_OPTIONS:
        value = getattr(args, option, None)
        if value is not None:
            overrides[field] = value
    settings = Settings(**overrides)
    if not with_password:
        return settings
    settings = resolve_password(settings, interactive=prompt)
    if settings.password is None and settings.backend_url is not None and prompt is not False:
        logging.getLogger(__name__).info(
            "no password for %s (%s): trying the exercise accounts' convention", settings.username, PASSWORD_SOURCES)
    return settings


def exercise_accounts() -> tuple[ExerciseAccount, ...]:
    """The exercise backend's well-known accounts (viewer, duty, commander, admin), for the login dialog."""
    from commandwall.demo.auth import DEMO_USERS

    return tuple(ExerciseAccount(name, password, display, tuple(roles))
                 for name, (password, roles, display) in DEMO_USERS.items())


def platform_factory(settings: Settings) -> PlatformFactory:
    """The platform the client works against: ``--backend URL`` (or ``COMMANDWALL_BACKEND_URL``) as it is,
    otherwise the embedded exercise backend (演练模式), started when the session opens it on its worker thread
    and stopped when the session stops."""
    if settings.backend_url is not None:
        return PlatformFactory.at_url(str(settings.backend_url))

    def start_exercise_backend() -> Platform:
        backend, aside = start_exercise_database_backend(settings.data_dir / EXERCISE_DATABASE, settings.layers_dir,
                                                         settings.demo_incident_rate)
        notice = "" if aside is None else translate(
            "cli", "演练数据库文件无法使用，已另存为 {name}，已开始新的演练").format(name=aside)
        return Platform(backend.base_url, close=backend.stop, notice=notice)

    return PlatformFactory(exercise=True, open=start_exercise_backend, accounts=exercise_accounts())


# the embedded exercise backend's database in the data folder
EXERCISE_DATABASE = "exercise.sqlite3"


def start_exercise_database_backend(db_path: Path, layers_dir: Path, incident_rate: float) -> tuple[Any, str | None]:
    """The embedded exercise backend on ``db_path``, started. A file there that is no SQLite database (damaged,
    overwritten) failed every start with 内部错误 for ever: it is set aside as ``*.broken-<time>`` (with its
    journal), said in the log, and a new exercise begun — it holds only exercise data. A locked database raises
    (the session tries again). Returns the backend and the set-aside file's name (None: none was)."""
    import sqlite3

    from commandwall.demo import DemoBackend

    def start() -> DemoBackend:
        return DemoBackend(db_path=db_path, layers_dir=layers_dir, incident_rate_per_min=incident_rate).start()

    try:
        return start(), None
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:
        aside = set_aside_database(db_path)  # its journals with it: they belong to it, not to the new file
        if aside is None:
            raise
        logging.getLogger(__name__).error(
            "the exercise database %s is no usable database (%s): set aside as %s, a new exercise begun", db_path,
            exc, aside.name)
        return start(), aside.name


def _log_level(value: str) -> str:
    """argparse type for ``--log-level``."""
    try:
        return log_level_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _language(value: str) -> str:
    """argparse type for ``--lang``."""
    try:
        return language_code(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _seconds(value: str) -> float:
    """argparse type for ``screenshot``'s ``--after``, ``--interval``, ``--timeout``: a finite number of seconds,
    0 or more (``nan`` never compared as over, so the capture waited for ever; a negative one made no sense)."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value[:40]!r}") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise argparse.ArgumentTypeError(f"seconds must be a finite number, 0 or more, not {value[:40]!r}")
    return seconds


def _captures(value: str) -> int:
    """argparse type for ``screenshot --count``: a whole number, 1 or more."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value[:40]!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {count}")
    return count


def _folder_option(value: str) -> Path | None:
    """argparse type for ``--data-dir``: a folder, or None (unset: the default folder) for an empty one — as a
    ``Path`` empty text is ``.``, the folder the desk happened to be started in."""
    return Path(value) if value.strip() else None


def _add_client_options(p: argparse._ActionsContainer) -> None:
    """Options of the client itself; ``SUPPRESS`` defaults so the top level and ``run …`` can both take them."""
    quiet = argparse.SUPPRESS
    p.add_argument("--backend", metavar="URL", default=quiet,
                   help="platform base URL (default: COMMANDWALL_BACKEND_URL, else the embedded exercise backend)")
    p.add_argument("--user", default=quiet, help="user name (default: COMMANDWALL_USERNAME or 'duty')")
    p.add_argument("--password", nargs="?", action=_RefusePassword, default=quiet, help=argparse.SUPPRESS)
    p.add_argument("--tiles", type=int, choices=(1, 4, 9, 16), default=quiet, help="wall tiles at start")
    p.add_argument("--data-dir", type=_folder_option, default=quiet,
                   help="folder for the outbox and exercise databases (empty: the default folder)")
    p.add_argument("--profile", metavar="NAME", default=quiet,
                   help="screen profile: which screen shows what (default: COMMANDWALL_PROFILE or 'default')")
    p.add_argument("--lang", type=_language, metavar="zh_CN|en", default=quiet,
                   help="language of the window (default: COMMANDWALL_LANGUAGE, else the one chosen in the window, "
                        "else zh_CN)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and --help)."""
    parser = argparse.ArgumentParser(
        prog="commandwall", description="薛城区一体化综合指挥平台 桌面客户端",
        usage="%(prog)s [-h] [--version] [--log-level LEVEL] [client options] | %(prog)s COMMAND …",
        epilog="Without a command the client starts (same as 'run'). Passwords: " + PASSWORD_SOURCES + ".",
    )
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--log-level", type=_log_level, default=None, metavar="LEVEL",
                        help=f"{', '.join(LOG_LEVELS)} (default: COMMANDWALL_LOG_LEVEL or INFO)")
    _add_client_options(parser.add_argument_group("client options"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="commandwall")

    run = sub.add_parser("run", help="start the client (the default)")
    _add_client_options(run)

    demo = sub.add_parser("demo-server", help="run the exercise backend alone")
    demo.add_argument("--port", type=int, default=8700)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    demo.add_argument("--rate", type=float, default=1.0, help="new incidents per minute")
    demo.add_argument("--clock-skew", type=float, default=0.0, metavar="SECONDS",
                      help="run the platform's clock this far ahead (negative: behind), to drill a desk whose "
                           "clock is off")
    demo.add_argument("--keepalive", type=float, default=15.0, metavar="SECONDS",
                      help="send a keepalive comment on the event stream after this long without an event")

    shot = sub.add_parser("screenshot", help="start the client, wait, save one PNG per screen, exit")
    _add_client_options(shot)
    shot.add_argument("--out", type=Path, required=True)
    shot.add_argument("--after", type=_seconds, default=8.0, help="seconds to wait before the capture")
    shot.add_argument("--when-ready", action="store_true",
                      help="capture as soon as the client has settled (connected, map drawn, every wall tile live "
                           "or said offline, figures in); --after is then the longest wait")
    shot.add_argument("--count", type=_captures, default=1, help="captures to take")
    shot.add_argument("--interval", type=_seconds, default=1.0, help="seconds between captures")
    shot.add_argument("--timeout", type=_seconds, default=90.0,
                      help="seconds to wait at most for the client to connect and draw its map")
    shot.add_argument("--preset", metavar="NAME", help="recall this wall preset (预案) once connected")

    login = sub.add_parser("login", help="log in once to check the password; --remember stores it in the OS keyring")
    _add_client_options(login)
    keep = login.add_mutually_exclusive_group()
    keep.add_argument("--remember", action="store_true", help="after a good login, store the password in the keyring")
    keep.add_argument("--forget", action="store_true", help="remove the password stored in the OS keyring, then exit")

    config = sub.add_parser("config", help="print the settings the client would start with (secrets hidden)")
    _add_client_options(config)

    sub.add_parser("decode-host", help="the video decoder process the client starts itself (not for users)")
    layers = sub.add_parser("layers", help="layer tools")
    layers_sub = layers.add_subparsers(dest="layers_command", required=True)
    check = layers_sub.add_parser(
        "check", help="validate a layers folder (manifest), a GeoJSON file or an OGC API Features / WFS / GeoJSON URL"
    )
    check.add_argument("folder", nargs="?", metavar="FOLDER_OR_URL")
    check.add_argument("--crs", help="the CRS of a file or URL whose data does not declare it (e.g. EPSG:4548)")

    geo = sub.add_parser("geo", help="coordinate tools")
    geo_sub = geo.add_subparsers(dest="geo_command", required=True)
    conv = geo_sub.add_parser("convert", help="convert one point between CRSs (EPSG:…, GCJ-02, BD-09)")
    conv.add_argument("x", type=float)
    conv.add_argument("y", type=float)
    conv.add_argument("--from", dest="from_crs", required=True)
    conv.add_argument("--to", dest="to_crs", default="EPSG:4326")
    return parser


def _login(args: argparse.Namespace) -> int:
    """``commandwall login``: log in once with the resolved password; ``--remember``/``--forget`` the keyring."""
    from commandwall.backend.api import PlatformClient
    from commandwall.backend.errors import AuthError, BackendError
    from commandwall.backend.http import redact
    from commandwall.credentials import KeyringUnavailableError, forget_password, keyring_service, remember_password
    from commandwall.geo.layers import printable  # the platform's words may hold terminal escapes: never sent as such

    settings = _settings(args, with_password=False)
    url = settings.backend_url
    if url is None:
        print("commandwall: login needs a platform (--backend URL or COMMANDWALL_BACKEND_URL); "
              "the embedded exercise backend needs no password", file=sys.stderr)
        return 2
    try:
        if args.forget:
            removed = forget_password(url, settings.username)
            print(f"{'removed' if removed else 'no'} password for {settings.username} in the OS keyring "
                  f"({keyring_service(url)})")
            return 0
        settings = resolve_password(settings)
        if settings.password is None:
            print(f"commandwall: no password for {settings.username}: {PASSWORD_SOURCES}", file=sys.stderr)
            return 2
        client = PlatformClient(str(url).rstrip("/"), settings.username, settings.password_value(),
                                timeout=settings.request_timeout_s, verify=settings.verify_tls, retries=0)
        try:
            login = client.login()
        except AuthError as exc:
            print(f"commandwall: login refused: {printable(str(exc), 400)}", file=sys.stderr)
            return 1
        except BackendError as exc:
            print(f"commandwall: no answer from the platform: {printable(str(exc), 400)}", file=sys.stderr)
            return 1
        finally:
            client.close()
        roles = printable(", ".join(sorted(login.roles)), 400) or "no roles"
        who = printable(login.display_name or login.username)
        print(f"logged in to {redact(str(url)).rstrip('/')} as {who} ({roles})")
        if args.remember:
            remember_password(url, settings.username, settings.password_value())
            print(f"password stored in the OS keyring ({keyring_service(url)})")
        return 0
    except KeyringUnavailableError as exc:
        print(f"commandwall: {exc}; {PASSWORD_SOURCES}", file=sys.stderr)
        return 1


def _print_config(args: argparse.Namespace) -> int:
    """``commandwall config``: one ``name = value`` line per setting; the password only as set or not, and no
    password or key in a URL (``cap_url``, a base map's or a layer's: ``user:***@``, ``token=***``)."""
    settings = _settings(args, with_password=False)
    for name, value in settings.model_dump(mode="json").items():
        if name == "password":
            value = "(set)" if settings.password is not None else "(not set: " + PASSWORD_SOURCES + ")"
        print(redact_secrets(f"{name} = {value}"))
    return 0


def setting_source(field: str) -> str:
    """Where a setting comes from, as the user sets it: its ``COMMANDWALL_*`` variable, and the option too when
    there is one (``alarm_radius_m`` → ``COMMANDWALL_ALARM_RADIUS_M``; ``profile`` → ``COMMANDWALL_PROFILE
    或 --profile``)."""
    variable = f"COMMANDWALL_{field.upper()}"
    option = next((dest for dest, name in CLIENT_OPTIONS if name == field), None)
    if option is None:
        return variable
    return translate("cli", "{variable} 或 {option}").format(variable=variable,
                                                             option="--" + option.replace("_", "-"))


def start_problem_text(error: Exception) -> str:
    """What the window says when the client cannot start because of its settings: each invalid setting named
    (its variable or option) with what is wrong, never the value (it may be a secret), and what to do."""
    if isinstance(error, ValidationError):
        problems = []
        for found in error.errors(include_url=False, include_input=False, include_context=False):
            field = str(found["loc"][0]) if found["loc"] else ""
            where = setting_source(field) if field else translate("cli", "设置")
            problems.append(f"{where}：{found['msg'].removeprefix('Value error, ')}")
        detail = "\n".join(problems)
    else:
        detail = str(error)
    text = translate("cli", "客户端无法启动，设置无效：\n\n{problems}\n\n请改正以上环境变量或启动参数后重新启动。")
    return text.format(problems=detail)


def start_language(option: str | None) -> str:
    """The language to say a start problem in, when the settings could not be read: ``--lang``, else
    ``COMMANDWALL_LANGUAGE`` if it names one, else the one saved from the window, else Simplified Chinese."""
    for given in (option, os.environ.get("COMMANDWALL_LANGUAGE")):
        if given:
            try:
                return language_code(given)
            except ValueError:
                continue
    return saved_language(paths.user_config_dir()) or DEFAULT_LANGUAGE


def _say_start_problem(command: str, error: Exception, language: str) -> None:
    """The GUI client (``run``) could not start: besides stderr, a message box in ``language``, for a desk started
    from a launcher has no terminal to show stderr (only where a screen can show it)."""
    if command != "run":
        return
    from commandwall.ui.app import show_start_problem

    show_start_problem(lambda: start_problem_text(error), language)


def _screenshot_problem(args: argparse.Namespace, settings: Settings) -> str | None:
    """Why ``screenshot`` cannot do what it is asked, before anything starts: ``--out`` is a file (or below one),
    ``--preset`` names no wall preset of this desk; None when it can."""
    from commandwall.app.wall import preset_store
    from commandwall.geo.layers import printable

    out = Path(args.out)
    in_the_way = next((part for part in (out, *out.parents) if os.path.exists(part) and not os.path.isdir(part)),
                      None)
    if in_the_way is not None:  # made only once the desk holds its data folder: said here, before anything starts
        return (f"--out {printable(str(out), 400)} cannot be the folder for the pictures: "
                f"{printable(str(in_the_way), 400)} is a file")
    if args.preset:
        presets = preset_store(settings.data_dir, exercise=platform_factory(settings).exercise).load()
        if presets.get(args.preset) is None:
            known = ", ".join(printable(p.name, 40) for p in presets.presets[:20]) or "none"
            return f"--preset: no wall preset named {printable(args.preset, 80)!r} (this desk has: {known})"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``commandwall`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    setup_logging(args.log_level or "INFO")
    # streams hold files, a desk starts programs with 1024 (commandwall.oslimits): every command, the decoder
    # process's (decode-host) and the client's, raises it once here
    raise_open_file_limit()
    try:
        if command in ("run", "screenshot"):
            settings = _settings(args, prompt=False if command == "run" else None)
            if args.log_level is None:
                logging.getLogger().setLevel(settings.log_level)
            if command == "run":
                from commandwall.ui.app import run_gui

                return run_gui(settings, platform_factory(settings))
            problem = _screenshot_problem(args, settings)
            if problem is not None:  # said before the client starts, not as a traceback once it has
                print(f"commandwall: {problem}", file=sys.stderr)
                return 2
            from commandwall.ui.app import run_screenshot

            return run_screenshot(settings, platform_factory(settings), args.out, args.after, args.count,
                                  args.interval, args.timeout, preset=args.preset, when_ready=args.when_ready)
        if command == "decode-host":
            from commandwall.video.decode_host import serve

            return serve()
        if command == "login":
            return _login(args)
        if command == "config":
            return _print_config(args)
        if command == "demo-server":
            from commandwall.demo import serve_forever

            serve_forever(port=args.port, host=args.host, db_path=args.db, incident_rate_per_min=args.rate,
                          clock_skew_s=args.clock_skew, keepalive_s=args.keepalive)
            return 0
        if command == "layers":
            from commandwall.geo.check import check_target

            if args.folder is not None and not args.folder.strip():  # not the shipped folder, checked silently
                print("commandwall: layers check: the folder, file or URL to check is empty (leave it out to "
                      "check the shipped layers folder)", file=sys.stderr)
                return 2
            report, code = check_target(args.folder or str(paths.layers_dir()), args.crs)
            print(report)
            return code
        if command == "geo":
            from commandwall.geo.layers import convert_point

            x, y = convert_point(args.x, args.y, args.from_crs, args.to_crs)
            print(f"{x:.8f} {y:.8f}")
            return 0
    except ValidationError as exc:
        print(f"commandwall: invalid setting: {describe_invalid(exc)}", file=sys.stderr)
        _say_start_problem(command, exc, start_language(getattr(args, "lang", None)))
        return 2
    except SettingsError as exc:
        print(f"commandwall: invalid setting: {exc}", file=sys.stderr)
        _say_start_problem(command, exc, start_language(getattr(args, "lang", None)))
        return 2
    except ValueError as exc:
        print(f"commandwall: {exc}", file=sys.stderr)
        _say_start_problem(command, exc, start_language(getattr(args, "lang", None)))
        return 2
    parser.error(f"unknown command {command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
