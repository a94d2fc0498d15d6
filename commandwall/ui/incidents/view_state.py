"""The incident centre as a duty officer left it, kept per desk in ``view.ini`` (INI format) in the data folder:
the list's share of the height it shares with the detail (``incidents/list_share``), once the officer has dragged
the handle between them."""

from __future__ import annotations

from pathlib import Path

from commandwall.ui.view_file import read_view_file, write_view_file


class IncidentViewState:
    """Reads and writes the incident list's share of the incident centre's height in ``view.ini``."""

    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / "view.ini"

    def save_list_share(self, share: float) -> None:
        """Remember the list's share (0 … 1) of the height it shares with the detail."""
        write_view_file(self._path, {"incidents/list_share": f"{share:.4f}"})

    def list_share(self) -> object:
        """The saved share, as stored (None when nothing is): ``ShareSplitter.restore_share`` says what is
        taken."""
        return read_view_file(self._path).get("incidents/list_share")
