"""Wall presets (预案) in the window: the 预案 menu (Alt+1…9 recall the first nine), 保存当前画面为预案…,
and recalling one onto the walls (per wall screen its layout, cameras and tour)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget

from commandwall import localtime
from commandwall.app.wall import WallController
from commandwall.i18n import translate
from commandwall.textsafe import display_text
from commandwall.ui.over import asking_window
from commandwall.ui.wall.walls import WallsOnScreen
from commandwall.video.presets import MAX_NAME_LEN, PresetError, PresetList, WallPreset

#: presets 1…9 in menu order have shortcuts Alt+1…Alt+9 (Ctrl+1…4 choose the layout)
SHORTCUT_PRESETS = 9
#: presets the menu lists at most (a line says how many more there are): a menu of thousands is no use and
#: takes seconds to build
MAX_MENU_PRESETS = 100



def default_preset_name(layout_title: str) -> str:
    """The name 保存预案 offers: the layout and the time as the desk shows times (China time, by the platform's
    clock), not the machine's own zone."""
    return f"{layout_title} {localtime.now():%m-%d %H:%M}"

class WallPresets(QObject):
    """The 预案 menu bound to the walls on screen (``walls()``, wall 1 first), their tour runners and the
    controller's preset files.

    Saving keeps every wall on screen; recalling arranges the first walls with the preset's walls in order — a
    preset of more walls than this desk has wall screens leaves its last walls out (the status bar says so), a
    desk with more wall screens keeps its other walls as they are.

    The list is read again each time the menu opens (a preset saved on another desk sharing the data folder
    appears), after a save, and on :meth:`reload` — only the files that changed, and the menu is built again
    only when the list changed; it lists the first :data:`MAX_MENU_PRESETS`. Bad files are named in the status
    bar; the others work.
    Signals: ``sig_message(text, timeout_ms)`` (text safe to show), ``sig_tour_started()`` when a recalled
    preset started its tour.
    """

    sig_message = Signal(str, int)
    sig_tour_started = Signal()

    def __init__(self, controller: WallController, walls: WallsOnScreen, shortcut_host: QWidget,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._walls = walls
        self._list = PresetList([], [])
        self._reported: set[str] = set()
        self.menu = QMenu(translate("WallPresets", "预案"))
        self.menu.setObjectName("wallPresetMenu")
        self.menu.aboutToShow.connect(self.reload)
        self.recall_actions: list[QAction] = []
        for n in range(1, SHORTCUT_PRESETS + 1):
            action = QAction(translate("WallPresets", "预案 {number}").format(number=n), self)
            action.setShortcut(QKeySequence(f"Alt+{n}"))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # also on a wall screen of its own
            action.triggered.connect(lambda _=False, i=n - 1: self._recall_nth(i))
            self.recall_actions.append(action)
        shortcut_host.addActions(self.recall_actions)  # the shortcuts work before the menu was ever opened
        self.save_action = QAction(translate("WallPresets", "保存当前画面为预案…"), self)
        self.save_action.triggered.connect(self.ask_and_save)
        self.menu_action = QAction(translate("WallPresets", "预案"), self)
        self.menu_action.setToolTip(translate("WallPresets", "调取或保存视频墙预案（Alt+1…9 调取前九个）"))
        self.menu_action.setMenu(self.menu)
        self.menu_action.triggered.connect(lambda: self.menu.popup(QCursor.pos()))
        self._rebuild()

    @property
    def presets(self) -> list[WallPreset]:
        """The presets as last read, in menu order."""
        return list(self._list.presets)

    def reload(self) -> PresetList:
        """Read the preset files again (those that changed) and rebuild the menu if the list changed; name newly
        broken files in the status bar."""
        loaded = self._controller.presets()
        if loaded is not self._list:  # the store hands back the same list when no file changed
            self._list = loaded
            self._rebuild()
        fresh = [str(e) for e in self._list.errors if str(e) not in self._reported]
        if fresh:
            self._reported.update(fresh)
            self.sig_message.emit(display_text("；".join(fresh)), 10_000)
        return self._list

    def recall(self, name: str) -> bool:
        """Put preset ``name`` on the wall (reading the files again first); False if there is none."""
        preset = self.reload().get(name)
        if preset is None:
            self.sig_message.emit(translate("WallPresets", "没有名为「{name}」的预案").format(
                name=display_text(name, isolate=True)), 5000)
            return False
        self._apply(preset)
        return True

    def save_current_as(self, name: str) -> WallPreset | None:
        """Save the walls as they are (per wall: layout, cameras, the running tour) as preset ``name``; None
        (with a message) if the name cannot be used or the file cannot be written."""
        walls = [(w.view.wall_layout.key, w.view.cameras(), w.tour_runner.current_tour) for w in self._walls()]
        try:
            preset = self._controller.save_preset(name, walls)
        except PresetError as error:
            self.sig_message.emit(display_text(str(error)), 8000)
            return None
        except OSError as error:
            self.sig_message.emit(translate("WallPresets", "预案保存失败：{error}").format(
                error=display_text(str(error.strerror or error))), 8000)
            return None
        self.reload()
        self.sig_message.emit(translate("WallPresets", "已保存预案「{name}」").format(
            name=display_text(preset.name, isolate=True)), 5000)
        return preset

    def ask_and_save(self) -> None:
        """Ask for a name and save the wall under it; the dialog opens over the window 保存当前画面为预案… was chosen
        in (the map's, on a desk where the wall has a screen of its own)."""
        view = self._walls()[0].view
        default = default_preset_name(view.wall_layout.title)
        label = translate("WallPresets", "预案名称（最多 {count} 字）：").format(count=MAX_NAME_LEN)
        name, ok = QInputDialog.getText(asking_window(view.window()), translate("WallPresets", "保存预案"), label,
                                        QLineEdit.EchoMode.Normal, default)  # fmt: skip
        if ok:
            self.save_current_as(name)

    # ---- internals ----------------------------------------------------------------------------------
    def _recall_nth(self, index: int) -> None:
        """Alt+N or the menu: the N-th preset as the menu listed it (read when the menu opened), not read again."""
        presets = self._list.presets
        if index < len(presets):
            self._apply(presets[index])

    def _apply(self, preset: WallPreset) -> None:
        walls = self._walls()
        recall = self._controller.recall(preset, len(walls))
        toured = False
        for wall, part in zip(walls, recall.walls, strict=False):
            wall.tour_runner.stop()
            wall.view.model.arrange(part.layout, part.cameras)
            if part.tour is not None:
                wall.tour_runner.start(part.tour)
                toured = True
        if toured:
            self.sig_tour_started.emit()
        self.sig_message.emit(recall.message, 6000)  # made safe to show piece by piece

    def _rebuild(self) -> None:
        self.menu.clear()
        presets = self._list.presets
        for i, action in enumerate(self.recall_actions):
            action.setVisible(i < len(presets))
            action.setEnabled(i < len(presets))
            if i < len(presets):
                action.setText(_menu_text(presets[i].name))
                self.menu.addAction(action)
        for preset in presets[SHORTCUT_PRESETS:MAX_MENU_PRESETS]:
            action = self.menu.addAction(_menu_text(preset.name))
            action.triggered.connect(lambda _=False, held=preset: self._apply(held))
        if len(presets) > MAX_MENU_PRESETS:
            more = translate("WallPresets", "另有 {count} 个预案未列出（最多列出 {most} 个）").format(
                count=len(presets) - MAX_MENU_PRESETS, most=MAX_MENU_PRESETS)
            self.menu.addAction(more).setEnabled(False)
        if not presets:
            self.menu.addAction(translate("WallPresets", "（暂无预案）")).setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction(self.save_action)


def _menu_text(name: str) -> str:
    """A preset name as a menu item shows it: safe text, and ``&`` as itself, not a shortcut marker."""
    return display_text(name, 40).replace("&", "&&")
