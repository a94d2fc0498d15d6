"""The translation catalogues and the window's strings.

* The committed ``resources/i18n/*.ts`` are what ``pyside6-lupdate`` extracts from the sources now (no string
  added or dropped since the last ``make i18n``), and every message has a finished English translation.
* Every Chinese string constant in ``commandwall/ui`` is the text of a ``translate``/``QT_TRANSLATE_NOOP`` call
  (with a literal, upper-case context), so none can reach the screen untranslated; the few exceptions are data.
* The language setting: ``--lang``, ``COMMANDWALL_LANGUAGE``, the choice saved from the window.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pydantic import ValidationError

from commandwall import cli
from commandwall.config import Settings, language_code, save_language, saved_language

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "commandwall" / "ui"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
MARKERS = {"translate", "QT_TRANSLATE_NOOP"}
#: Chinese constants in commandwall/ui that are data, not text of the window's own: (file, constant) and why.
NOT_WINDOW_TEXT = {
    # each language by its own name in the language menu: the same in every language
    ("language.py", "简体中文"): "endonym",
    # suffixes cut off the platform's (Chinese) place and station names for axis labels
    ("dashboard/view.py", "街道"): "place-name suffix",
    ("dashboard/view.py", "镇"): "place-name suffix",
    ("dashboard/view.py", "乡"): "place-name suffix",
    ("dashboard/view.py", "水位站"): "station-name suffix",
}


def _script():
    spec = importlib.util.spec_from_file_location("cw_i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogues = _script()


def test_the_committed_catalogues_are_current_and_translated():
    problems = catalogues.problems()
    assert not problems, "\n".join(problems[:40]) + "\n(make i18n, then translate the new messages)"


def test_the_check_sees_a_new_string_and_an_unfinished_translation(tmp_path):
    """The check itself can fail: a marked string not in the committed catalogue, a message left unfinished."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "commandwall", copy / "commandwall", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "resources" / "i18n", copy / "resources" / "i18n",
                    ignore=shutil.ignore_patterns("*.qm"))
    (copy / "resources" / "web").mkdir()
    extra = copy / "commandwall" / "ui" / "extra.py"
    extra.write_text('from commandwall.i18n import translate\nX = translate("Extra", "新的文字")\n', "utf-8")
    ts = copy / "resources" / "i18n" / "commandwall_ui_en.ts"
    tree = ET.parse(ts)
    first = next(tree.getroot().iter("translation"))
    first.text, first.attrib["type"] = "", "unfinished"
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    problems = catalogues.problems(copy)
    assert any("not in the catalogue: Extra '新的文字'" in p for p in problems), problems
    assert any("untranslated" in p for p in problems), problems


def test_the_catalogue_keeps_the_template_fields():
    """A translation has exactly the ``{fields}`` of its source (a lost field would raise at .format)."""
    wrong = []
    for (context, source), (text, _kind) in catalogues.messages(catalogues.UI_CATALOGUE).items():
        if sorted(re.findall(r"\{\w+\}", source)) != sorted(re.findall(r"\{\w+\}", text)):
            wrong.append(f"{context}: {source!r} → {text!r}")
    assert not wrong, "\n".join(wrong)


def _marked(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in MARKERS


def _chinese_outside_markers(path: Path, rel: str) -> list[str]:
    """Chinese string constants of ``path`` that are not a marker's text (docstrings aside), and markers whose
    literal text has a context that is not a literal starting upper-case."""
    tree = ast.parse(path.read_text("utf-8"))
    allowed: set[int] = set()
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            allowed.add(id(node.value))  # a docstring or a bare string: never shown
        if isinstance(node, ast.Call) and _marked(node) and len(node.args) == 2:
            context, text = node.args
            if isinstance(text, ast.Constant):
                allowed.add(id(text))
                if not (isinstance(context, ast.Constant) and str(context.value)[:1].isupper()):
                    problems.append(f"line {node.lineno}: a window string needs a literal upper-case context")
            elif isinstance(text, ast.JoinedStr):
                problems.append(f"line {node.lineno}: an f-string cannot be translated (use a {{field}} template)")
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                allowed.add(id(part))
                if isinstance(part, ast.Constant) and CJK.search(str(part.value)):
                    problems.append(f"line {node.lineno}: Chinese in an f-string: {part.value!r}")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value)
              and id(node) not in allowed and (rel, node.value) not in NOT_WINDOW_TEXT):
            problems.append(f"line {node.lineno}: {node.value!r} is not marked for translation")
    return problems


def test_every_chinese_string_in_the_window_is_marked():
    problems = []
    for path in sorted(UI.rglob("*.py")):
        rel = path.relative_to(UI).as_posix()
        problems += [f"{path.relative_to(ROOT)} {p}" for p in _chinese_outside_markers(path, rel)]
    assert not problems, "\n".join(problems)


def test_the_static_check_finds_unmarked_text(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('from commandwall.i18n import translate\n"""文档"""\nA = translate("Ok", "好")\n'
                     'B = "未标记"\nC = f"数量 {A}"\nD = translate("lower", "小写")\nE = "镇"\n', "utf-8")
    problems = _chinese_outside_markers(probe, "dashboard/view.py")
    assert any("'未标记' is not marked" in p for p in problems)
    assert any("Chinese in an f-string" in p for p in problems)
    assert any("upper-case context" in p for p in problems)
    assert len(problems) == 3, problems


@pytest.mark.parametrize(("given", "code"), [("zh_CN", "zh_CN"), ("zh", "zh_CN"), ("zh-CN", "zh_CN"),
                                             ("en", "en"), ("en_US", "en"), ("EN-GB", "en")])
def test_language_codes(given, code):
    assert language_code(given) == code


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(ValidationError, match="language must be one of zh_CN, en"):
        Settings(language="fr")
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--lang", "fr"])


def test_the_language_comes_from_the_option_the_environment_or_the_window(tmp_path, monkeypatch):
    config = tmp_path / "config"
    monkeypatch.delenv("COMMANDWALL_LANGUAGE", raising=False)
    monkeypatch.setenv("COMMANDWALL_CONFIG_DIR", str(config))
    assert Settings().ui_language() == "zh_CN"  # the default
    save_language(config, "en")  # chosen in the window's 语言 menu
    assert saved_language(config) == "en"
    assert Settings().ui_language() == "en"
    monkeypatch.setenv("COMMANDWALL_LANGUAGE", "zh_CN")
    assert Settings().ui_language() == "zh_CN"  # the environment wins over the saved choice
    for argv in (["--lang", "en"], ["run", "--lang", "en"], ["screenshot", "--out", "x", "--lang", "en"]):
        args = cli.build_parser().parse_args(argv)
        assert cli._settings(args, with_password=False).ui_language() == "en"  # the option wins over both
    (config / "language").write_text("klingon", "utf-8")
    monkeypatch.delenv("COMMANDWALL_LANGUAGE")
    assert Settings().ui_language() == "zh_CN"  # an unreadable choice is ignored
    for garbage in (b"\xff\xfe\x00e\x00n", b"x" * 50_000_000, b"\x00" * 10):
        (config / "language").write_bytes(garbage)  # not UTF-8; huge (only its start is read); NULs
        assert Settings().ui_language() == "zh_CN"
    (config / "language").write_bytes(b"en" + b" " * 50_000_000)  # a choice with a long tail of blanks
    assert Settings().ui_language() == "en"
    (config / "language").unlink()
    (config / "language").mkdir()  # a folder in its place
    assert Settings().ui_language() == "zh_CN"


def test_each_item_of_an_english_status_bar_line_starts_with_a_capital() -> None:
    """The status bar's items read "Open incidents 3 · Cameras online 12/15": an item after a " · " that started
    lower-case ("· cameras online") read as a broken sentence beside the capitalised ones."""
    root = ET.parse(ROOT / "resources" / "i18n" / "commandwall_ui_en.ts").getroot()
    context = next(c for c in root.iter("context") if c.findtext("name") == "StatusBar")
    items = [part.strip() for message in context.iter("message") if " · " in (message.findtext("source") or "")
             for part in (message.findtext("translation") or "").split(" · ")]
    assert items
    lower = [item for item in items if item[:1].islower()]
    assert not lower, lower
