"""Offline base-map files the map cannot use (a named pipe, a folder named *.mbtiles, an MBTiles file whose tiles
never end) are refused in bounded time with the reason the officer reads; the log line of a refusal stays short."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from commandwall.app.map import base_map_catalogue
from commandwall.config import Settings
from commandwall.geo import basemaps
from commandwall.geo.basemaps import MBTilesReader, WmtsError, wmts_from_capabilities
from tests.wmts_server import LAYER, SET, capabilities_xml

ENDLESS_VIEW = """CREATE VIEW tiles AS WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
    WHERE i < 1000000000) SELECT 10 AS zoom_level, i % 1024 AS tile_column, 4096 + i % 7 AS tile_row,
    x'89504e47' AS tile_data FROM n"""


def endless_mbtiles(path: Path, metadata: dict[str, str]) -> Path:
    """A small MBTiles file whose ``tiles`` is a recursive view of a billion rows: its zoom levels or any tile
    (none is found: the rows lie outside the grid) are a scan of them all."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE metadata (name text, value text)")
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "endless"), ("format", "png"), *metadata.items()])
    db.execute(ENDLESS_VIEW)
    db.commit()
    db.close()
    return path


def in_time(call: Any, seconds: float, fifos: tuple[Path, ...] = ()) -> Any:
    """``call()``'s result if it returns within ``seconds``; the test fails otherwise (the call is left on a
    daemon thread, a reader waiting on one of ``fifos`` released by a writer's open)."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        for fifo in fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail(f"still running after {seconds} s")
    assert result, "the call raised (see the thread's exception above)"
    return result[0]


def catalogue_problems(tmp_path: Path, entries: list[dict], seconds: float, fifos: tuple[Path, ...] = ()) -> tuple:
    settings = Settings(data_dir=tmp_path, base_maps=entries)
    catalogue, problems = in_time(lambda: base_map_catalogue(settings, district_map=tmp_path / "none.mbtiles"),
                                  seconds, fifos)
    return [b.id for b in catalogue.base_maps], problems


def test_a_capabilities_document_that_is_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "caps.xml"
    os.mkfifo(fifo)
    good = tmp_path / "good.xml"
    good.write_bytes(capabilities_xml("https://gis.city.example", sets=(SET,)))
    ids, problems = catalogue_problems(tmp_path, [
        {"id": "pipe", "title": "管道", "kind": "wmts", "layer": LAYER, "capabilities": fifo},
        {"id": "good", "title": "城市", "kind": "wmts", "layer": LAYER, "capabilities": good},
    ], 20, (fifo,))
    assert ids == ["good"]
    assert problems == ["底图 管道 不可用：服务说明文件 caps.xml 不是普通文件（是文件夹、命名管道或设备），未读取"]


def test_a_named_pipe_or_a_folder_named_mbtiles_is_refused_with_the_reason(tmp_path: Path) -> None:
    fifo, folder = tmp_path / "pipe.mbtiles", tmp_path / "folder.mbtiles"
    os.mkfifo(fifo)
    (folder / "10" / "0").mkdir(parents=True)
    (folder / "10" / "0" / "0.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    plain = tmp_path / "plain.png"
    plain.write_bytes(b"\x89PNG\r\n\x1a\n")
    ids, problems = catalogue_problems(tmp_path, [
        {"id": "pipe", "title": "管道", "kind": "mbtiles", "path": fifo},
        {"id": "folder", "title": "目录", "kind": "mbtiles", "path": folder},
        {"id": "file", "title": "文件", "kind": "folder", "path": plain},
        {"id": "tiles", "title": "瓦片目录", "kind": "folder", "path": folder},  # as a folder it is fine
    ], 20, (fifo,))
    assert ids == ["tiles"]
    assert problems == ["底图 管道 不可用：pipe.mbtiles 不是普通文件（是文件夹、命名管道或设备），未打开",
                        "底图 目录 不可用：folder.mbtiles 不是普通文件（是文件夹、命名管道或设备），未打开",
                        "底图 文件 不可用：plain.png 不是文件夹，不能作为瓦片目录"]


def test_an_mbtiles_file_whose_tiles_never_end_is_refused_in_bounded_time(tmp_path: Path) -> None:
    endless = endless_mbtiles(tmp_path / "view.mbtiles", {})
    started = time.monotonic()
    ids, problems = catalogue_problems(tmp_path, [
        {"id": "view", "title": "无尽", "kind": "mbtiles", "path": endless},
        {"id": "city", "title": "城市", "kind": "xyz", "url": "http://127.0.0.1:9/{z}/{x}/{y}.png"},
    ], 40)
    assert time.monotonic() - started < 40
    assert ids == ["city"]
    assert problems == [f"底图 无尽 不可用：view.mbtiles 读取超时（超过 {basemaps.OPEN_QUERY_SECONDS:g} 秒）："
                        "文件可能已损坏，或过大且没有瓦片索引"]


def test_a_tile_query_that_runs_too_long_fails_that_tile_and_then_the_file_gives_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the metadata names the zoom levels: the file opens without a scan of its (endless) tiles
    endless = endless_mbtiles(tmp_path / "view.mbtiles", {"minzoom": "8", "maxzoom": "12"})
    monkeypatch.setattr(basemaps, "TILE_QUERY_SECONDS", 1.0)
    reader = in_time(lambda: MBTilesReader(endless), 30)
    assert (reader.min_zoom, reader.max_zoom, reader.indexed) == (8, 12, False)
    started = time.monotonic()
    for _ in range(basemaps.TILE_TIMEOUTS_TO_GIVE_UP):
        assert in_time(lambda: reader.tile(10, 1, 1), 30) is None
    assert time.monotonic() - started >= basemaps.TILE_TIMEOUTS_TO_GIVE_UP * 1.0  # each ran to its deadline
    started = time.monotonic()
    assert in_time(lambda: reader.tile(10, 2, 2), 30) is None
    assert time.monotonic() - started < 1.0  # given up: not asked again
    reader.close()


def test_closing_a_reader_interrupts_a_tile_query_running_now(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tile query that would run a minute ends when the reader is closed (the base map switched off, the desk
    closing), not at its own deadline."""
    monkeypatch.setattr(basemaps, "TILE_QUERY_SECONDS", 60.0)
    endless = endless_mbtiles(tmp_path / "view.mbtiles", {"minzoom": "8", "maxzoom": "12"})
    reader = in_time(lambda: MBTilesReader(endless), 30)
    answers: list[Any] = []
    worker = threading.Thread(target=lambda: answers.append(reader.tile(10, 1, 1)), daemon=True)
    worker.start()
    deadline = time.monotonic() + 10
    while not reader._lock.locked() and time.monotonic() < deadline:  # the query is running (bounded wait)
        time.sleep(0.01)
    assert reader._lock.locked(), "the tile query never started"
    time.sleep(0.2)
    started = time.monotonic()
    in_time(reader.close, 30)
    worker.join(30)
    assert not worker.is_alive() and answers == [None]
    assert time.monotonic() - started < 5


def test_an_unknown_format_among_a_hundred_thousand_names_a_few_of_them() -> None:
    formats = "".join(f"<Format>image/x{i}</Format>" for i in range(100_000)).encode()
    document = capabilities_xml("https://gis.city.example", sets=(SET,)).replace(
        b"<Format>image/png</Format>", b"<Format>image/png</Format>" + formats)
    with pytest.raises(WmtsError) as info:
        wmts_from_capabilities(document, LAYER, image_format="image/nope")
    message = str(info.value)
    assert len(message) < 1000, len(message)
    assert "image/jpeg, image/png, image/x0" in message and "… 99992 more" in message
