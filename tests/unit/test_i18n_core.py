"""The Qt-free layers' and the map page's words in English, from the committed catalogue (no Qt here).

``resources/i18n/commandwall_core_en.ts`` is read as the XML it is and put behind ``commandwall.i18n`` as the
UI puts Qt's translator there; ``tests/ui/test_i18n_map_page.py`` does the same with the compiled ``.qm`` in
a real ``QTranslator``. Without a translator (every other test) the Chinese source text is shown.
"""

from __future__ import annotations

import ast
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commandwall import i18n
from commandwall.app.alarm import Alarm
from commandwall.app.dashboard import STATUS_GROUPS, DashboardController, status_group_label
from commandwall.app.dispatch import DispatchOrder, describe_task
from commandwall.app.incidents import ActionRights, IncidentsController, describe_outbox_item, priority_label
from commandwall.app.login import LoginController, describe_user
from commandwall.app.platform import PlatformFactory
from commandwall.app.ptz import ptz_error_message
from commandwall.app.screens import ScreenRole
from commandwall.app.session import ClientListener, ClientSession, DeskUser
from commandwall.backend.api import PlatformClient
from commandwall.backend.errors import BackendUnavailableError, PermissionDeniedError
from commandwall.backend.outbox import OutboxItem, OutboxState
from commandwall.config import Settings
from commandwall.demo import DemoBackend
from commandwall.domain.models import Camera, Incident, IncidentStatus, Task, TaskStatus, category_label, status_label
from commandwall.domain.supervision import escalation_note
from commandwall.domain.workflow import PLATFORM_TEXT, refusal, role_label
from commandwall.mapdoc.page import build_map_page
from commandwall.mapdoc.strings import PAGE_STRINGS, page_locale, page_strings
from commandwall.video.layout import WallLayout
from commandwall.video.presets import WallPreset
from commandwall.video.tour import Tour, tour_status_text

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "resources" / "i18n" / "commandwall_core_en.ts"
#: CJK ideographs, CJK punctuation and full-width forms (（）：；…), the marks of text written for Chinese readers.
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff60]")
FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
NOW = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)

#: Where the Chinese in the Qt-free layers may stay as it is, and why.
DATA_MODULES = {
    # The exercise backend stands for the platform: its incidents, cameras, units, CAP texts, accounts and
    # error messages are the platform's data, in the platform's language, whatever the desk's language.
    "commandwall/demo/",
}
DATA_STRINGS = {
    # Road classes (道路等级) are values of the roads layer's "class" property: keys of a style table, never shown.
    ("commandwall/mapdoc/page.py", "主干道"),
    ("commandwall/mapdoc/page.py", "次干道"),
    ("commandwall/mapdoc/page.py", "支路"),
}


def core_sources() -> list[Path]:
    """Every .py the core catalogue is made from: commandwall/ except ui/, cli.py and config.py (the UI's)."""
    skip = {"commandwall/cli.py", "commandwall/config.py"}
    return [p for p in sorted((ROOT / "commandwall").rglob("*.py"))
            if not (rel := p.relative_to(ROOT).as_posix()).startswith("commandwall/ui/") and rel not in skip]


def read_catalogue(path: Path = CATALOGUE) -> dict[tuple[str, str], str]:
    """(context, source) -> finished translation, from a Qt Linguist .ts file."""
    found = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") is None and translation.text:
                found[(name, message.findtext("source"))] = translation.text
    return found


@pytest.fixture
def english() -> Iterator[dict[tuple[str, str], str]]:
    """The English catalogue behind ``commandwall.i18n.translate`` for one test."""
    catalogue = read_catalogue()
    i18n.install(lambda context, text: catalogue.get((context, text), ""))
    yield catalogue
    i18n.install(None)


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def marked_messages() -> set[tuple[str, str]]:
    """(context, source) of every ``translate``/``QT_TRANSLATE_NOOP`` with literal arguments in the core."""
    found = set()
    for path in core_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) in ("translate", "QT_TRANSLATE_NOOP"):
                args = node.args
                if len(args) == 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                    found.add((args[0].value, args[1].value))
    return found


# --- the catalogue ------------------------------------------------------------------------------------------


def test_every_marked_message_has_a_finished_english_translation_with_the_same_fields() -> None:
    catalogue = read_catalogue()
    marked = marked_messages()
    assert len(marked) > 250
    missing = sorted(marked - catalogue.keys())
    assert not missing, f"not in the catalogue or unfinished (run lupdate, translate): {missing[:10]}"
    for (context, source), english in catalogue.items():
        assert sorted(FIELD.findall(english)) == sorted(FIELD.findall(source)), (context, source, english)
        if source != "zh-CN":
            assert not CJK.search(english), (context, source, english)
    stale = sorted(catalogue.keys() - marked)
    assert not stale, f"the catalogue has messages no code marks any more: {stale[:10]}"


def test_every_chinese_string_in_the_core_is_marked_or_platform_data() -> None:
    """A Chinese str constant (f-string pieces included, docstrings not) is inside ``translate`` or
    ``QT_TRANSLATE_NOOP``, or in :data:`DATA_MODULES` / :data:`DATA_STRINGS`."""
    unmarked = []
    for path in core_sources():
        rel = path.relative_to(ROOT).as_posix()
        if any(rel.startswith(prefix) for prefix in DATA_MODULES):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and body:
                first = body[0]
                if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                    skip.add(id(first.value))  # a docstring
            if isinstance(node, ast.Call) and _call_name(node) in ("translate", "QT_TRANSLATE_NOOP"):
                skip.update(id(arg) for arg in node.args)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                    and CJK.search(node.value) and (rel, node.value) not in DATA_STRINGS):
                unmarked.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert not unmarked, "\n".join(unmarked)


#: The map page's scripts as they are now: the check below must see every one of them.
MAP_SCRIPTS = {"cw-cards.js", "cw-i18n.js", "cw-incidents.js", "cw-layers.js", "cw-map.js", "cw-points.js",
               "cw-select.js", "cw-tools.js", "cw-warnings.js"}


def js_literals(code: str) -> list[str]:
    """The string and template literals of a script, quotes included; comments and regular expressions (a ``/``
    where a value may start) are skipped."""
    literals: list[str] = []
    i, last = 0, "("  # the last character of code seen
    while i < len(code):
        c, pair = code[i], code[i:i + 2]
        if pair in ("//", "/*"):
            end = code.find("\n" if pair == "//" else "*/", i + 2)
            i = len(code) if end < 0 else end + (0 if pair == "//" else 2)
            continue
        if c in "\"'`" or (c == "/" and last in "(,=:[!&|?{};+-*%<>~^"):
            j, in_class = i + 1, False
            while j < len(code) and (code[j] != c or in_class):
                if code[j] == "\\":
                    j += 1
                elif c == "/" and code[j] in "[]":
                    in_class = code[j] == "["
                j += 1
            if c != "/":
                literals.append(code[i:j + 1])
            i, last = j + 1, c
            continue
        if not c.isspace():
            last = c
        i += 1
    return literals


def test_the_map_scripts_spell_no_chinese_word_outside_comments() -> None:
    """The page's words come from CW.t; the only Chinese left in cw-*.js code is data: department names as
    keys of the marker colours. "…", '…' and `…` literals are all read."""
    departments = {"公安", "消防", "卫健", "城管", "应急", "交警", "环保"}
    scripts = sorted((ROOT / "resources" / "web").glob("cw-*.js"))
    assert {script.name for script in scripts} >= MAP_SCRIPTS
    seen: set[str] = set()
    for script in scripts:
        literals = {literal[1:-1] for literal in js_literals(script.read_text(encoding="utf-8"))}
        seen |= literals
        chinese = {literal for literal in literals if CJK.search(literal)} - departments
        assert not chinese, (script.name, sorted(chinese))
    assert departments <= seen, "the department keys are read as literals: the scan reached them"


# --- default: Chinese, nothing installed --------------------------------------------------------------------


def test_without_a_translator_the_source_text_is_shown() -> None:
    assert status_label(IncidentStatus.ACCEPTED) == "已受理"
    assert page_strings()["measure_line"] == "测距" and page_locale() == "zh-CN"
    assert ActionRights(["viewer"]).refusal("accept") == "当前角色（观察员）无权执行「受理」"


# --- English ------------------------------------------------------------------------------------------------


def incident(**changes) -> Incident:
    fields = {"id": "INC-9", "title": "道路积水", "category": "yingji", "lon": 117.3, "lat": 34.8, "town": "临城街道",
              "priority": 1, "status": IncidentStatus.NEW, "reported_at": NOW, "updated_at": NOW, "version": 1}
    return Incident(**{**fields, **changes})


def test_domain_labels_in_english(english) -> None:
    assert status_label(IncidentStatus.ACCEPTED) == "Accepted"
    assert incident(status=IncidentStatus.ESCALATED).status_label == "Escalated"
    assert category_label("yingji") == "Emergency" and category_label("no-such") == "no-such"
    assert role_label(["duty_officer", "commander"]) == "Duty officer, Commander"
    assert priority_label(1) == "Critical" and priority_label(9) == "9"
    assert ScreenRole.WALL.title == "Video wall"
    assert status_group_label(STATUS_GROUPS[0][0]) == "Awaiting acceptance"


def test_messages_are_english_templates_that_keep_their_fields(english) -> None:
    assert ActionRights(["viewer"]).refusal("accept") == "Your role (Observer) may not “Accept”"
    rights = ActionRights(["duty_officer"])
    choice = rights.dispatch_choice(incident(status=IncidentStatus.CLOSED))
    assert (choice.label, choice.tooltip) == ("Dispatch task…", "Incident is Closed; cannot dispatch")
    choices = rights.choices(incident())
    assert [(c.action, c.label) for c in choices] == [
        ("accept", "Accept"), ("return", "Return"), ("escalate", "Escalate"), ("merge", "Merge")]
    assert choices[1].tooltip == "Write the reason for returning in the note field"
    assert choices[3].tooltip == "Your role (Duty officer) may not “Merge”"

    notice = IncidentsController.arrival_notice(incident())
    assert notice.text.startswith("New incident [Critical·Emergency] ") and "道路积水" in notice.text  # data stays

    item = OutboxItem(id=1, kind="transition", payload={}, idempotency_key="k", state=OutboxState.FAILED,
                      attempts=1, last_error="incident INC-1 is closed", created_at=NOW, sent_at=None, result=None,
                      error_code="invalid_transition", error_status=422)
    assert describe_outbox_item(item) == ("Status change refused by the platform: The incident's current status does "
                                          "not allow this action")  # by its code, not the platform's words
    unknown = replace(item, error_code="quota_exceeded", error_status=429)
    assert describe_outbox_item(unknown) == "Status change refused by the platform: The platform refused the action " \
        "(HTTP 429)"
    waiting = replace(item, state=OutboxState.PENDING, last_error=None)
    assert describe_outbox_item(waiting, live=True) == "Status change sending…"  # the platform is heard
    assert describe_outbox_item(waiting).startswith("Status change queued (sent automatically")  # not heard
    failed_once = replace(waiting, last_error="502")
    assert describe_outbox_item(failed_once, live=True) == describe_outbox_item(failed_once)  # a try failed

    camera = Camera(id="CAM-1", name="人民广场", lon=117.3, lat=34.8,
                    streams={"main": "http://127.0.0.1:1/m", "sub": "http://127.0.0.1:1/s"})
    alarm = Alarm(incident(), [camera, camera], others=3)
    assert alarm.message.startswith("[Critical alarm] ") and alarm.message.endswith(
        ": 2 video feed(s) switched to the wall; 3 more alarm incident(s)")

    assert tour_status_text("临城街道", 2, 9, paused=True) == "Tour: 临城街道 page 2/9 (paused)"
    assert WallLayout.named("9").title == "9-tile" and WallLayout.named("1+5").title == "1+5-tile"
    with pytest.raises(ValueError, match=r"^No such layout: '7' \(choose from "):
        WallLayout.named("7")
    with pytest.raises(ValueError, match="has no cameras"):
        Tour("空", ())
    with pytest.raises(ValueError, match=r"^Preset “北门” has cameras for 2 tiles; layout 1 has only 1$"):
        WallPreset("北门", "1", ("CAM-1", "CAM-2"))
    assert ptz_error_message(BackendUnavailableError("timeout")) == (
        "PTZ control failed: cannot reach the platform; check the network")

    task = Task(id="T-1", incident_id="INC-9", department="公安", status=TaskStatus.REJECTED, reason="车辆故障",
                created_at=NOW, deadline=NOW + timedelta(minutes=15))
    line = describe_task(task, NOW + timedelta(minutes=20))  # platform text is isolated (bidi marks)
    assert " · Rejected: " in line and "车辆故障" in line and line.endswith(" · due 16:45")
    late = task.model_copy(update={"status": TaskStatus.EN_ROUTE, "reason": ""})
    assert describe_task(late, NOW + timedelta(minutes=20)).endswith(" · En route · due 16:45 · 5 min overdue")
    assert describe_user(DeskUser(username="duty", display_name="值班员", roles=["duty_officer"])) == \
        "值班员 (duty) · Duty officer"


def test_the_escalation_note_is_translated_for_the_desk_and_chinese_for_the_platform(english) -> None:
    late = [Task(id="T-7", incident_id="INC-9", priority=1, created_at=NOW, deadline=NOW)]
    later = NOW + timedelta(minutes=12)
    assert escalation_note(late, later) == "Supervision: T-7 12 min overdue; escalated"
    assert escalation_note(late, later, translator=PLATFORM_TEXT) == "督办：T-7 超时 12 分钟，上报上级"
    assert refusal(["viewer"], "accept", translator=PLATFORM_TEXT) == "当前角色（观察员）无权执行「受理」"


def test_the_map_page_is_built_in_english(english) -> None:
    strings = page_strings()
    assert strings.keys() >= PAGE_STRINGS.keys()
    assert strings["measure_line"] == "Distance" and strings["search_placeholder"].startswith("Search: ")
    assert strings["severity_Minor"] == "Minor" and strings["priority_3"] == "Normal"  # same word, two contexts
    assert not [key for key, text in strings.items() if CJK.search(text)]
    page = build_map_page()
    assert "<title>Xuecheng District Map</title>" in page and '"locale": "en"' in page
    assert "\\u6d4b" not in page  # 测 of 测距 is not in the config block


def test_identifiers_are_the_same_in_every_language(english) -> None:
    order = DispatchOrder("INC-9", ("U-1", "U-2"), "公安", 1, "尽快到场", 30)
    english_payloads = order.payloads(NOW)
    i18n.install(None)
    assert order.payloads(NOW) == english_payloads  # what is sent does not depend on the language
    assert {p["unit_id"] for p in english_payloads} == {"U-1", "U-2"}
    i18n.install(lambda context, text: english.get((context, text), ""))
    # the dashboard's status groups are keyed by their Chinese name, shown translated
    keys = [key for key, _ in STATUS_GROUPS]
    assert keys == ["待受理", "处置中", "已办结", "退回/上报", "已合并"]


# --- a desk in English against the exercise backend -------------------------------------------------------


@pytest.fixture(scope="module")
def exercise(tmp_path_factory) -> Iterator[DemoBackend]:
    backend = DemoBackend(db_path=tmp_path_factory.mktemp("exercise") / "exercise.sqlite3",
                          incident_rate_per_min=0, simulate=False).start()
    yield backend
    backend.stop()


def _wait(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_an_english_desk_sends_the_same_actions_and_the_platform_keeps_its_language(english, exercise, tmp_path):
    ready = threading.Event()
    progress: list[str] = []
    platform = PlatformFactory.at_url(exercise.base_url, exercise=True)
    session = ClientSession(Settings(data_dir=tmp_path, username="duty"), platform,
                            ClientListener(on_ready=ready.set, on_progress=progress.append))
    session.start()
    try:
        assert ready.is_set()
        assert "Logging in to the platform…" in progress
        controller = IncidentsController(session)
        target = next(i for i in controller.incidents() if i.status is IncidentStatus.NEW)
        assert controller.transition(target.id, "accept", target.version) == (
            "Submitted, waiting for the platform to confirm…")
        assert _wait(lambda: (i := controller.incident(target.id)) is not None
                     and i.status is IncidentStatus.ACCEPTED)
        entries = session.timeline(target.id)
        step = [e for e in entries if e.action == "accept"]
        assert step and step[-1].to_status is IncidentStatus.ACCEPTED  # the action id, not its English label
        assert controller.describe_entry(step[-1]).split(" ", 2)[2].startswith("Accept (Reported→Accepted) · ")

        # the dashboard filters by the group's key and shows its English name
        dashboard = DashboardController(session)
        chosen = dashboard.status_filter("待受理")
        assert chosen.statuses == {IncidentStatus.NEW} and chosen.describe() == "Today·Awaiting acceptance"
        assert LoginController(session).log_in("duty", "").message == "Enter the password"
    finally:
        session.stop()

    # The platform's own refusal stays in its language (the exercise backend stands for it).
    client = PlatformClient(exercise.base_url, "viewer", "viewer")
    try:
        with pytest.raises(PermissionDeniedError) as refused:
            client.transition(target.id, "verify", 99)
        assert refused.value.message == "当前角色（观察员）无权执行「核实」"
    finally:
        client.close()
