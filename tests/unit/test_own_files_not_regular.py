"""The desk's own settings and data files, when something else stands in their place: a named pipe (a read
would wait for ever: the start, the wall or the layer loader held), a folder, a link to a pipe. Each door reads
regular files only and says why it did not read the other kind; nothing waits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from commandwall.app.screens import ProfileError, ProfileStore
from commandwall.config import saved_language
from commandwall.geo.sources import LayerSourceSpec, load_source
from commandwall.paths import NotARegularFileError, read_small_file
from commandwall.video.presets import PresetStore
from commandwall.video.transport import RtspTransports


def stand_in(path: Path, kind: str) -> None:
    """Put ``kind`` (pipe, folder, link-to-pipe) where the file ``path`` would be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "pipe":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path.with_name("the-pipe"))
        path.symlink_to(path.with_name("the-pipe"))


KINDS = ["pipe", "folder", "link-to-pipe"]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_the_bounded_reader_reads_regular_files_only(tmp_path: Path, kind: str) -> None:
    stand_in(tmp_path / "x.json", kind)
    with pytest.raises(NotARegularFileError):
        read_small_file(tmp_path / "x.json", 1024)
    (tmp_path / "y.json").write_bytes(b"12345")
    assert read_small_file(tmp_path / "y.json", 5) == b"12345"
    with pytest.raises(ValueError, match="larger than 4 bytes"):
        read_small_file(tmp_path / "y.json", 4)


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_each_door_reads_around_what_is_no_file(tmp_path: Path, kind: str) -> None:
    stand_in(tmp_path / "config" / "language", kind)
    assert saved_language(tmp_path / "config") is None

    stand_in(tmp_path / "profiles" / "desk.json", kind)
    with pytest.raises(ProfileError, match="is not a regular file"):
        ProfileStore(tmp_path / "profiles").load("desk")

    stand_in(tmp_path / "data" / "rtsp_transport.json", kind)
    transports = RtspTransports.load(tmp_path / "data")
    assert transports.transport("CAM-1") == "tcp" and transports.problem

    stand_in(tmp_path / "presets" / "路口.json", kind)
    found = PresetStore(tmp_path / "presets", shipped=()).load()
    assert found.presets == [] and len(found.errors) == 1

    stand_in(tmp_path / "layers" / "roads.geojson", kind)
    spec = LayerSourceSpec(id="roads", title="道路", kind="geojson", path=str(tmp_path / "layers" / "roads.geojson"))
    loaded = load_source(spec)
    assert "is not a regular file" in loaded.error
