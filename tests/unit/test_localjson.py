"""JSON from the desk's own files: every way the parser refuses a text is one error, and a byte order mark
(Windows Notepad) is skipped — in the parse and in each file that goes through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commandwall.app.layer_view import read_layer_view
from commandwall.app.user_layers import read_sources_file
from commandwall.localjson import JsonProblem, NotJsonError, parse_json
from commandwall.video.transport import FILE_NAME, RtspTransports

BOM = b"\xef\xbb\xbf"
LONG_NUMBER = "9" * 5000  # Python reads no int of more than 4300 digits: a plain ValueError


@pytest.mark.parametrize(("text", "problem", "line"), [
    ("{\n oops", JsonProblem.SYNTAX, 2),
    ("[" * 100_000, JsonProblem.TOO_DEEP, None),
    ('{"n": ' + LONG_NUMBER + "}", JsonProblem.NUMBER_TOO_LONG, None),
])  # fmt: skip
def test_every_refusal_is_one_error(text: str, problem: JsonProblem, line: int | None) -> None:
    with pytest.raises(NotJsonError) as refused:
        parse_json(text)
    assert refused.value.problem is problem and refused.value.line == line and "JSON" in str(refused.value)
    assert LONG_NUMBER[:50] not in str(refused.value)


def test_a_byte_order_mark_is_skipped() -> None:
    assert parse_json("\ufeff{\"a\": [1, 2.5]}") == {"a": [1, 2.5]}


def test_the_settings_and_data_files_read_a_notepad_file_and_refuse_a_long_number(tmp_path: Path) -> None:
    """layers.json, layer_view.json and rtsp_transport.json, each saved by Notepad (a byte order mark first), are
    read; each holding a 5000-digit number is refused with a short reason that names the problem."""
    sources = tmp_path / "layers.json"
    entry = {"id": "wells", "title": "水井", "kind": "geojson", "path": "wells.geojson"}
    sources.write_bytes(BOM + json.dumps([entry]).encode())
    specs, problems = read_sources_file(sources)
    assert [s.id for s in specs] == ["wells"] and not problems
    view = tmp_path / "layer_view.json"
    view.write_bytes(BOM + json.dumps({"order": ["wells"], "layers": {}}).encode())
    assert read_layer_view(view)[0].order == ["wells"]
    (tmp_path / FILE_NAME).write_bytes(BOM + json.dumps({"CAM-0001": "udp"}).encode())
    assert RtspTransports.load(tmp_path).transport("CAM-0001") == "udp"

    sources.write_text('[{"id": "wells", "kind": "geojson", "refresh_s": ' + LONG_NUMBER + "}]", "utf-8")
    specs, problems = read_sources_file(sources)
    assert not specs and problems == [f"layers.json: cannot read ({JsonProblem.NUMBER_TOO_LONG.value})"]
    view.write_text('{"order": [], "layers": {"wells": {"opacity": ' + LONG_NUMBER + "}}}", "utf-8")
    problem = read_layer_view(view)[1]
    assert problem is not None and JsonProblem.NUMBER_TOO_LONG.value in problem and len(problem) < 200
    (tmp_path / FILE_NAME).write_text('{"CAM-0001": ' + LONG_NUMBER + "}", "utf-8")
    transports = RtspTransports.load(tmp_path)
    assert transports.problem == JsonProblem.NUMBER_TOO_LONG.value and transports.transport("CAM-0001") == "tcp"
