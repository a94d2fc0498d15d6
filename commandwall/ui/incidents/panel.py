"""The incident panel: live list with filters (overdue incidents highlighted), a detail view with the workflow
buttons the user's role may press (the others disabled, the tooltip says why), the 督办 row (overdue tasks and
the one-action 超时上报), the task list, the timeline, an add-note field and the incident's attachments (附件…,
or a file dropped on the detail; a double click opens a local copy)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QEvent, QItemSelection, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QDragEnterEvent, QDropEvent, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from commandwall.app.areas import Placement
from commandwall.app.attachments import AttachmentRef
from commandwall.app.incident_filter import NO_FILTER, IncidentFilter
from commandwall.app.incidents import (
    PRIORITY_LABELS,
    ActionChoice,
    ActionRights,
    PendingSteps,
    describe_place,
)
from commandwall.domain.models import CATEGORIES, MAX_FREE_TEXT_CHARS, Incident
from commandwall.i18n import translate
from commandwall.localtime import to_display
from commandwall.textsafe import display_text
from commandwall.ui.incidents.model import IncidentTableModel
from commandwall.ui.language import format_time
from commandwall.ui.split import ShareSplitter
from commandwall.ui.text import SteadyLabel, WrappingLabel, plain_label, plain_tooltip

#: A description is shown up to this many characters (the platform cuts it at 4000).
DESCRIPTION_MAX_LEN = 10_000
#: The description's box is as tall as its text, up to this (px; a longer one scrolls in it).
DESCRIPTION_MAX_PX = 64

#: At most this many files are taken from one drop (each is copied and queued).
MAX_DROPPED_FILES = 10

#: While batches of incidents keep coming, the list is repainted at most this often (ms): a batch inserted at
#: the top moves every row on screen, and repainting a screenful (the model's cells, the text) was
#: most of the GUI thread's time for the list in a burst. The rows are in the model at once.
LIST_REPAINT_MS = 250
#: The incident title, the column that takes the width left (the others fit their contents).
TITLE_COLUMN = 3
FITTED_COLUMNS = (0, 1, 2, 4, 5)
#: The widest a column fits its contents, in lines' heights (a CJK character is a little narrower: about 22).
FIT_MAX_EMS = 18
#: The title is what the officer reads: it keeps this many lines' heights beside the other columns, or a third
#: of the list's width where that is less and the other columns cut to their least do not leave more beside
#: the report time.
TITLE_MIN_EMS = 12
#: In a list too narrow for every column's contents, the columns that give way to the title, round by round
#: (widest first within a round): the town (镇街) and the category (类别), then the report time (上报时间).
#: The level (级别) and the status (状态) never do: they stay whole and in sight.
YIELDING_COLUMNS = ((4, 2), (1,))
#: The narrowest a column that gives way becomes, in lines' heights (a word or three characters and …).
YIELD_MIN_EMS = 3

#: Colour of overdue tasks and of the 督办 line.
OVERDUE_COLOUR = "#ff4d4f"
#: Colour of the line saying a unit refused the incident's task.
REFUSED_COLOUR = "#fa8c16"
#: Colour of the lines saying which of the incident's actions still wait to be sent (待发送).
PENDING_COLOUR = "#faad14"


def share_columns(wanted: dict[int, int], width: int, title: tuple[int, int], floor: int) -> dict[int, int]:
    """The widths of the fitted columns in a list ``width`` px wide, the title's share being ``title`` (the
    most it is sure of, the least): each column as ``wanted`` (its contents) while the title keeps the most
    beside them. Otherwise the :data:`YIELDING_COLUMNS` give way, round by round and widest first, none below
    ``floor`` (nor below what it wanted); the title settles for less, down to the least, rather than the last
    round (the report time) giving way. The title takes what is left (the stretched column)."""
    widths = dict(wanted)
    most, least = title
    earlier = {c for columns in YIELDING_COLUMNS[:-1] for c in columns}
    beside = sum(min(w, floor) if c in earlier else w for c, w in widths.items())  # all but the last round cut
    excess = sum(widths.values()) + max(min(most, width - beside), least) - width
    for columns in YIELDING_COLUMNS:
        while excess > 0:
            top = max(widths[c] for c in columns)
            widest = [c for c in columns if widths[c] == top]
            level = max([floor, *(widths[c] for c in columns if widths[c] < top)])
            if top <= level:
                break
            take = min(excess, (top - level) * len(widest))
            each, extra = divmod(take, len(widest))
            for i, column in enumerate(widest):
                widths[column] = top - each - (1 if i < extra else 0)
            excess -= take
    return widths


def _plain_label(text: str = "") -> QLabel:
    """A label that never interprets backend text as markup, wrapped (a long unbroken run too)."""
    label = WrappingLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class IncidentDetail(QWidget):
    """Details of one incident, the actions its status allows, and its tasks."""

    sig_action = Signal(str, str, int, str)  # incident id, action, version seen, note (a reason)
    sig_dispatch = Signal(str)  # incident id
    sig_locate = Signal(str)  # incident id
    sig_note = Signal(str, str)  # incident id, text
    sig_escalate = Signal(str)  # incident id: escalate the overdue incident (超时上报)
    sig_choose_attachment = Signal(str)  # incident id: the user pressed 附件…
    sig_attach = Signal(str, str)  # incident id, local file path (dropped on the detail)
    sig_open_attachment = Signal(object)  # AttachmentRef: open a local copy
    sig_save_attachment = Signal(object)  # AttachmentRef: save a copy where the user chooses (另存为…)
    sig_cameras_to_wall = Signal(list)  # camera ids: 区域摄像机上墙 of an early warning

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._incident: Incident | None = None
        self._rights = ActionRights(None)
        #: Where a shown incident's town and grid cell came from (``IncidentsController.placement``); the
        #: feature sets it (without it the detail says they are the platform's).
        self.placement_of: Callable[[str], Placement | None] = lambda _incident_id: None
        #: The shown incident's actions still in the outbox (``IncidentsController.pending_steps``): said under
        #: the steps, which wait while one of them does. The feature sets it (without it nothing waits).
        self.pending_of: Callable[[str], PendingSteps] = lambda _incident_id: PendingSteps()
        self.title = _plain_label()
        self.title.setObjectName("incidentTitle")
        self.fields = {name: _plain_label() for name in ("id", "category", "priority", "status", "place", "time")}
        # Two label/value pairs per row keep the detail compact so the list keeps most of the height.
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        captions = (("id", translate("IncidentPanel", "编号")), ("category", translate("IncidentPanel", "类别")),
                    ("priority", translate("IncidentPanel", "级别")), ("status", translate("IncidentPanel", "状态")),
                    ("place", translate("IncidentPanel", "位置")), ("time", translate("IncidentPanel", "上报时间")))
        for i, (name, caption) in enumerate(captions):
            row, col = divmod(i, 2)
            caption_label = plain_label(caption)
            caption_label.setStyleSheet("color: #7f9bb3")
            grid.addWidget(caption_label, row, col * 2)
            grid.addWidget(self.fields[name], row, col * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.description = QPlainTextEdit()
        self.description.setReadOnly(True)
        self.description.setFixedHeight(DESCRIPTION_MAX_PX)  # then as tall as the shown text (_fit_description)
        self.actions_row = QHBoxLayout()
        # the workflow buttons of the shown incident, kept here: asking the layout (itemAt) would have PySide wrap
        # its items, and a wrapper left on an item Qt deletes can come back later as another object
        self._step_buttons: list[QPushButton] = []
        self.locate_button = QPushButton(translate("IncidentPanel", "地图定位"))
        self.locate_button.clicked.connect(lambda: self._incident and self.sig_locate.emit(self._incident.id))
        self.dispatch_button = QPushButton(translate("IncidentPanel", "派遣任务…"))
        self.dispatch_button.setObjectName("dispatchButton")
        self.dispatch_button.clicked.connect(lambda: self._incident and self.sig_dispatch.emit(self._incident.id))
        self.feedback = _plain_label()
        self.feedback.setObjectName("actionFeedback")
        self.pending = _plain_label()  # the incident's own actions not yet on the platform (待发送)
        self.pending.setObjectName("pendingActions")
        self.pending.setStyleSheet(f"color: {PENDING_COLOUR};")
        self.pending.hide()
        #: the incident's own actions the platform refused or another desk overtook (未送达), until set aside
        self.undelivered = _plain_label()
        self.undelivered.setObjectName("undeliveredActions")
        self.undelivered.setWordWrap(True)
        self.undelivered.setStyleSheet(f"color: {REFUSED_COLOUR};")
        self.undelivered.setToolTip(translate("IncidentDetail", "在事件列表上方的「未送达的操作」中重试或忽略"))
        self.undelivered.hide()
        self._held = ""  # why the steps wait (a step of this incident is still in the outbox), or ""
        self.warning_reach = _plain_label()  # an early warning: what its area holds
        self.warning_reach.setObjectName("warningReach")
        self.warning_to_wall = QPushButton(translate("IncidentDetail", "区域摄像机上墙"))
        self.warning_to_wall.setObjectName("warningToWall")
        self.warning_to_wall.setToolTip(translate("IncidentDetail", "把预警区域内的摄像机放到视频墙上"))
        self.warning_to_wall.clicked.connect(lambda: self.sig_cameras_to_wall.emit(list(self._reach_cameras)))
        self._reach_cameras: list[str] = []
        self.overdue = _plain_label()
        self.overdue.setObjectName("overdueLine")
        self.overdue.setStyleSheet(f"color: {OVERDUE_COLOUR}; font-weight: bold;")
        self.escalate_button = QPushButton(translate("IncidentPanel", "超时上报"))
        self.escalate_button.setObjectName("escalateOverdue")
        self.escalate_button.clicked.connect(self._escalate)
        self._overdue_choice: ActionChoice | None = None
        self.refused = _plain_label()  # a unit refused the dispatch: to be dispatched again
        self.refused.setObjectName("refusedLine")
        self.refused.setWordWrap(True)
        self.refused.setStyleSheet(f"color: {REFUSED_COLOUR}; font-weight: bold;")
        self.refused.hide()
        self.tasks = QListWidget()
        self.tasks.setObjectName("taskList")
        self.tasks.setMaximumHeight(96)
        self.timeline = QPlainTextEdit()  # plain text: platform text is never markup
        self.timeline.setObjectName("incidentTimeline")
        self.timeline.setReadOnly(True)
        self.timeline.setMinimumHeight(90)
        self.timeline.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.note = QLineEdit()
        self.note.setObjectName("noteField")
        self.note.setPlaceholderText(translate("IncidentPanel", "备注（退回时为退回原因）"))
        self.note.setMaxLength(MAX_FREE_TEXT_CHARS)
        self.note_button = QPushButton(translate("IncidentPanel", "添加备注"))
        self.note_button.setObjectName("noteButton")
        self.note_button.clicked.connect(self._add_note)
        self.note.returnPressed.connect(self._add_note)
        self.attach_button = QPushButton(translate("IncidentDetail", "附件…"))
        self.attach_button.setObjectName("attachButton")
        self.attach_button.clicked.connect(
            lambda: self._incident and self.attach_button.isEnabled() and self.sig_choose_attachment.emit(
                self._incident.id))
        self.attachments = QListWidget()  # labels are plain text: a file name is never markup
        self.attachments.setObjectName("attachmentList")
        self.attachments.setMaximumHeight(72)
        self.attachments.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.attachments.setToolTip(translate("IncidentDetail", "双击打开附件；右键可另存为"))
        self.attachments.itemActivated.connect(lambda item: self._emit_attachment(item, self.sig_open_attachment))
        self.attachments.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.attachments.customContextMenuRequested.connect(self._attachment_menu)
        self._attachment_refs: list[AttachmentRef] = []
        self._attachments_skipped_row = False  # the list starts with the "earlier ones left out" line
        self.setAcceptDrops(True)
        self.note.setAcceptDrops(False)  # a file dropped on the note field is an attachment, not its path as text

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        # 地图定位 and 派遣任务… beside the title: in sight with the detail a hundred pixels tall (the incident
        # centre of a 768 or 720 px desk), whatever the fields and the description take below, and a row less
        # between the title and the workflow steps (in sight without scrolling in a 1080p console's dock).
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.locate_button, 0, Qt.AlignmentFlag.AlignTop)
        heading.addWidget(self.dispatch_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(heading)
        supervision = QHBoxLayout()  # right under the title: the first thing seen of an overdue incident
        supervision.addWidget(self.overdue, 1)
        supervision.addWidget(self.escalate_button)
        layout.addLayout(supervision)
        layout.addWidget(self.refused)
        layout.addLayout(grid)
        layout.addWidget(self.description)
        # What the officer acts with comes next, high enough to be seen without scrolling in a short dock: the
        # note (a 退回's reason) right above the steps it goes with, then what the platform answered.
        note_row = QHBoxLayout()
        note_row.addWidget(self.note, 1)
        note_row.addWidget(self.note_button)
        note_row.addWidget(self.attach_button)
        layout.addLayout(note_row)
        self._workflow = workflow = QHBoxLayout()  # a row of its own: up to four steps fit the narrow column
        workflow.addLayout(self.actions_row)
        workflow.addStretch(1)
        layout.addLayout(workflow)
        layout.addWidget(self.feedback)
        layout.addWidget(self.pending)
        layout.addWidget(self.undelivered)
        reach = QHBoxLayout()
        reach.addWidget(self.warning_reach, 1)
        reach.addWidget(self.warning_to_wall)
        layout.addLayout(reach)
        layout.addWidget(plain_label(translate("IncidentPanel", "处置任务")))
        layout.addWidget(self.tasks)
        layout.addWidget(plain_label(translate("IncidentPanel", "时间线")))
        layout.addWidget(self.timeline, 1)
        self.attachments_caption = plain_label(translate("IncidentDetail", "附件（可拖放文件到此处）"))
        layout.addWidget(self.attachments_caption)
        layout.addWidget(self.attachments)
        self.show_incident(None)

    def _fit_description(self) -> None:
        """Make the description's box as tall as its text at the width it has (a line at least, at most
        DESCRIPTION_MAX_PX): a short description leaves its room to the note row and the workflow steps."""
        box = self.description
        margin = box.document().documentMargin()
        width = box.viewport().width() - 2 * margin
        chrome = box.height() - box.viewport().height()  # the frame and the theme's padding
        if box.viewport().height() <= 0 or chrome < 0:
            chrome = 2 * box.frameWidth()
        metrics = box.fontMetrics()
        text = box.toPlainText() or " "
        if width > 0:
            lines = metrics.boundingRect(QRect(0, 0, int(width), 100_000), Qt.TextFlag.TextWordWrap, text).height()
        else:
            lines = DESCRIPTION_MAX_PX
        # + a few px: the last line's leading and rounding (without them a one-line text scrolled by a pixel)
        height = min(DESCRIPTION_MAX_PX, max(lines, metrics.lineSpacing()) + round(2 * margin) + chrome + 4)
        if height != box.minimumHeight():
            box.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Another width: the description's text takes another number of lines."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_description()

    def essentials_height(self) -> int:
        """The height the detail needs to show everything down to the workflow steps (受理, 开始处置, 办结 …) without
        scrolling: the title, what is said under it, 地图定位 and 派遣任务…, the fields, the description and the
        note row; the steps' row counts with its buttons even while no incident gives it any."""
        layout = self.layout()
        layout.activate()  # laid out for what is shown now (a step added, a field now two lines)
        row = self._workflow.geometry()
        steps = max(row.height(), self.note_button.sizeHint().height())
        return row.top() + steps + layout.contentsMargins().bottom()

    @property
    def incident(self) -> Incident | None:
        """The incident shown, if any."""
        return self._incident

    def set_rights(self, rights: ActionRights) -> None:
        """Enable only the buttons the user's roles may press (the others explain why in their tooltip)."""
        self._rights = rights
        self.show_incident(self._incident)

    def _apply(self, button: QPushButton, choice: ActionChoice) -> None:
        button.setEnabled(choice.enabled)
        button.setToolTip(plain_tooltip(choice.tooltip) if choice.tooltip else "")

    def show_incident(self, incident: Incident | None) -> None:
        """Fill the view from ``incident`` (None clears it)."""
        previous = self._incident
        self._incident = incident
        for button in self._step_buttons:
            self.actions_row.removeWidget(button)
            button.setParent(None)
            button.deleteLater()
        self._step_buttons = []
        if incident is None:
            self.title.setText(translate("IncidentPanel", "未选择事件"))
            for label in self.fields.values():
                label.setText("")
            self.fields["place"].setToolTip("")
            self.description.setPlainText("")
            self._fit_description()
            self.tasks.clear()
            self.timeline.clear()
            self.locate_button.setEnabled(False)
            self.dispatch_button.setEnabled(False)
            self.show_overdue(None, "")
            self.show_refusal("")
            self.show_warning_reach(None, [])
            self.note.setEnabled(False)
            self.note_button.setEnabled(False)
            self.attach_button.setEnabled(False)
            self.show_attachments([])
            self._show_pending(PendingSteps())
            return
        if previous is None or previous.id != incident.id:
            self.show_overdue(None, "")
            self.show_refusal("")
            self.show_warning_reach(None, [])
            self.feedback.setText("")
            self.tasks.clear()
            self.timeline.clear()
            self.show_attachments([])
            self.note.clear()
        self.title.setText(display_text(incident.title))
        self.fields["id"].setText(display_text(incident.id))
        category = (display_text(incident.category_label, isolate=True), display_text(incident.source, isolate=True))
        self.fields["category"].setText("  ".join(part for part in category if part))
        priority = PRIORITY_LABELS.get(incident.priority)
        self.fields["priority"].setText(translate("incidents", priority) if priority else str(incident.priority))
        merged = f" → {display_text(incident.merged_into, isolate=True)}" if incident.merged_into else ""
        self.fields["status"].setText(f"{incident.status_label}{merged}  (v{incident.version})")
        place, where = describe_place(incident, self.placement_of(incident.id))
        self.fields["place"].setText(place)
        self.fields["place"].setToolTip(plain_tooltip(where))
        self.fields["time"].setText(format_time(to_display(incident.reported_at),
                                                 translate("DateFormat", "yyyy-MM-dd HH:mm:ss")))
        self.description.setPlainText(display_text(incident.description, DESCRIPTION_MAX_LEN, multiline=True))
        self._fit_description()
        self.locate_button.setEnabled(True)
        self._apply(self.dispatch_button, self._rights.dispatch_choice(incident))
        note = self._rights.note_choice(incident)
        self._apply(self.note_button, note)
        self.note.setEnabled(note.enabled)
        self.note.setToolTip(self.note_button.toolTip())
        self._apply(self.attach_button, self._rights.attach_choice(incident))
        for choice in self._rights.choices(incident):
            button = QPushButton(choice.label)
            button.setObjectName(f"action_{choice.action}")
            self._apply(button, choice)
            button.clicked.connect(lambda _=False, a=choice.action, i=incident: self._act(i, a))
            self.actions_row.addWidget(button)
            self._step_buttons.append(button)
        self._show_pending(self.pending_of(incident.id))
        self._order_tabs()

    def show_pending(self) -> None:
        """Say again which of the shown incident's actions wait in the outbox (one was queued, sent or refused);
        while a step waits, the steps are disabled, their tooltip saying why."""
        if self._incident is not None:
            self._show_pending(self.pending_of(self._incident.id))

    def _show_pending(self, pending: PendingSteps) -> None:
        self.pending.setText("\n".join(pending.lines))
        self.pending.setVisible(bool(pending.lines))
        self.undelivered.setText("\n".join(pending.undelivered))
        self.undelivered.setVisible(bool(pending.undelivered))
        self._held = pending.hold
        if pending.hold:
            for button in (*self._step_buttons, self.escalate_button):
                button.setEnabled(False)
                button.setToolTip(plain_tooltip(pending.hold))

    def _order_tabs(self) -> None:
        """Tab goes through the detail as it reads, the workflow buttons (made anew for each incident) right after
        the note, which is their reason: not at the end of the window's focus chain, after the map."""
        chain = [self.escalate_button, self.locate_button, self.dispatch_button, self.description, self.note,
                 *self._step_buttons, self.note_button, self.attach_button,
                 self.warning_to_wall, self.tasks, self.timeline, self.attachments]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _act(self, incident: Incident, action: str) -> None:
        """Emit the action once (with the note field as its reason): the buttons stay disabled until the
        incident changes or an answer comes."""
        for button in self._step_buttons:
            button.setEnabled(False)
        self.sig_action.emit(incident.id, action, incident.version, self.note.text())

    def _add_note(self) -> None:
        if self._incident is not None and self.note_button.isEnabled():
            self.sig_note.emit(self._incident.id, self.note.text())

    def note_taken(self) -> None:
        """The note field's text was queued (as a note or a reason): clear it."""
        self.note.clear()

    def show_timeline(self, lines: list[str]) -> None:
        """Show the shown incident's timeline (lines already made safe to show), newest last, scrolled down."""
        self.timeline.setPlainText("\n".join(lines))
        bar = self.timeline.verticalScrollBar()
        bar.setValue(bar.maximum())

    def show_attachments(self, refs: list[AttachmentRef], earlier: int = 0) -> None:
        """List the shown incident's attached files (name and size, plain text), oldest first, after a line saying
        how many ``earlier`` ones are left out (the app layer lists the newest few hundred)."""
        self._attachment_refs = list(refs)
        self._attachments_skipped_row = earlier > 0
        self.attachments.clear()
        if earlier:
            line = QListWidgetItem(translate("IncidentDetail", "较早的 {count} 个附件未列出").format(count=earlier))
            line.setFlags(Qt.ItemFlag.NoItemFlags)  # a note, not a file: neither selected nor opened
            self.attachments.addItem(line)
        for ref in refs:
            item = QListWidgetItem(ref.label)
            item.setToolTip(plain_tooltip(ref.label))
            self.attachments.addItem(item)
        self.attachments.setVisible(bool(refs))

    def _emit_attachment(self, item: QListWidgetItem | None, signal: Signal) -> None:
        row = self.attachments.row(item) if item is not None else -1
        row -= 1 if self._attachments_skipped_row else 0
        if 0 <= row < len(self._attachment_refs):
            signal.emit(self._attachment_refs[row])

    def _attachment_menu(self, at: QPoint) -> None:
        item = self.attachments.itemAt(at)
        if item is None:
            return
        menu = QMenu(self)
        menu.addAction(translate("IncidentDetail", "打开"),
                       lambda: self._emit_attachment(item, self.sig_open_attachment))
        menu.addAction(translate("IncidentDetail", "另存为…"),
                       lambda: self._emit_attachment(item, self.sig_save_attachment))
        menu.exec(self.attachments.viewport().mapToGlobal(at))

    @staticmethod
    def dropped_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        """The local files a drag carries (other URLs, folders and text are not attachments)."""
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        return [path for path in paths if path.is_file()][:MAX_DROPPED_FILES]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Take a drag of local files while the user may attach to the shown incident."""
        if self._incident is not None and self.attach_button.isEnabled() and self.dropped_files(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        """Keep accepting the drag over the child widgets."""
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Attach each dropped file to the shown incident."""
        files = self.dropped_files(event)
        if self._incident is None or not self.attach_button.isEnabled() or not files:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in files:
            self.sig_attach.emit(self._incident.id, str(path))

    def show_tasks(self, lines: list[tuple[str, bool]]) -> None:
        """List the shown incident's tasks: (line made safe to show, overdue); overdue ones in red."""
        self.tasks.clear()
        for line, late in lines:
            item = QListWidgetItem(line)
            if late:
                item.setForeground(QBrush(QColor(OVERDUE_COLOUR)))
            self.tasks.addItem(item)

    def show_overdue(self, choice: ActionChoice | None, text: str) -> None:
        """The 督办 row: ``text`` (how many tasks are late) and the 超时上报 button as ``choice`` allows (None: the
        incident is not overdue, the row is hidden)."""
        self._overdue_choice = choice
        self.overdue.setText(text)
        self.overdue.setVisible(choice is not None)
        self.escalate_button.setVisible(choice is not None)
        if choice is not None:
            self._apply(self.escalate_button, choice)
            if self._held:  # a step of this incident waits: 超时上报 is a step too
                self.escalate_button.setEnabled(False)
                self.escalate_button.setToolTip(plain_tooltip(self._held))

    def show_refusal(self, text: str) -> None:
        """The line saying a unit refused the incident's task and it wants a new dispatch (``text`` made safe to
        show; empty hides it)."""
        if text != self.refused.text():
            self.refused.setText(text)
        self.refused.setVisible(bool(text))

    def show_warning_reach(self, text: str | None, camera_ids: list[str]) -> None:
        """The early-warning row: ``text`` (how many cameras and open incidents its area holds) and
        区域摄像机上墙 for ``camera_ids`` (disabled without cameras); None hides it (no active warning shown)."""
        self._reach_cameras = list(camera_ids)
        self.warning_reach.setText(text or "")
        self.warning_reach.setVisible(text is not None)
        self.warning_to_wall.setVisible(text is not None)
        self.warning_to_wall.setEnabled(bool(camera_ids))

    def _escalate(self) -> None:
        if (self._incident is not None and self._overdue_choice is not None and self._overdue_choice.enabled
                and not self._held):
            self.escalate_button.setEnabled(False)  # once: it comes back with the answer
            self.sig_escalate.emit(self._incident.id)

    def set_feedback(self, text: str, *, settled: bool = True) -> None:
        """Show where the last action stands; once ``settled`` (answered) the action buttons come back.

        ``text`` may quote the platform's answer: it is shown through ``display_text``.
        """
        self.feedback.setText(display_text(text))
        if settled and self._incident is not None:
            self.show_incident(self._incident)


#: The list's share of the incident centre's height until the officer drags the handle between them: half, so
#: that the detail shows its title, fields, note and workflow steps without scrolling in the dock under the wall
#: of a 1080p console (about 560 px).
LIST_SHARE = 0.5
#: In a shorter incident centre (a 768 or 720 px desk's) the list gets more than its share, up to this many rows,
#: as long as the detail keeps DETAIL_MIN_EMS lines' heights: its title, 地图定位 and 派遣任务…, the first fields.
LIST_MIN_ROWS = 4
DETAIL_MIN_EMS = 7
#: A split kept from an earlier run (``view.ini``) is given back with at least this much for each: the list its
#: filters, header and this many rows, the detail this many lines' heights (its title and first buttons). A
#: stale or hand-edited share never hides either.
LIST_LEAST_ROWS = 2
DETAIL_LEAST_EMS = 3


class IncidentTable(QTableView):
    """The incident list's table: when the selected row leaves the list (merged, closed under 仅未办结, filtered
    out), nothing is selected instead. Qt's own view makes the next row current and selected, which switched the
    detail to another incident in silence: the next 派遣 or 受理 went to an incident the officer never chose."""

    def rowsAboutToBeRemoved(self, parent, start: int, end: int) -> None:  # noqa: N802 (Qt's name)
        """Clear the selection, unannounced, before the selected row goes (the detail keeps its incident)."""
        current = self.currentIndex()
        if current.isValid() and start <= current.row() <= end:
            selection = self.selectionModel()
            blocked = selection.blockSignals(True)
            selection.clear()
            selection.blockSignals(blocked)
        super().rowsAboutToBeRemoved(parent, start, end)


class IncidentPanel(QWidget):
    """The live incident list (filterable) above the detail view of the selected incident."""

    sig_incident_selected = Signal(str)
    sig_filter_cleared = Signal()  # the user cleared the filter set from outside (the dashboard's)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = IncidentTableModel(self)  # filters itself: the table shows it directly

        self.only_open = QCheckBox(translate("IncidentPanel", "仅未办结"))
        self.only_open.setChecked(True)
        self.model.set_only_open(True)
        self.only_open.toggled.connect(self.model.set_only_open)
        self.category = QComboBox()
        self.category.addItem(translate("IncidentPanel", "全部类别"), "")
        for code, label in CATEGORIES.items():
            self.category.addItem(translate("domain", label), code)
        self.category.currentIndexChanged.connect(
            lambda _: self.model.set_category(self.category.currentData())
        )
        self.search = QLineEdit()
        self.search.setPlaceholderText(translate("IncidentPanel", "搜索事件、镇街、编号"))
        self.search.textChanged.connect(self.model.set_text)
        self.count_label = SteadyLabel()  # a new count per batch of a burst: no layout each time
        self.filter_chip = QPushButton()  # shows the outside filter; a click clears it
        self.filter_chip.setObjectName("incidentFilterChip")
        self.filter_chip.setToolTip(translate("IncidentPanel", "点击显示全部事件"))
        self.filter_chip.hide()
        self.filter_chip.clicked.connect(self._clear_filter)
        #: 未送达的操作 N: this desk's actions the platform refused or another desk overtook (kept across restarts);
        #: hidden while there are none. The feature opens their list on a click.
        self.undelivered_button = QPushButton()
        self.undelivered_button.setObjectName("undeliveredButton")
        self.undelivered_button.setStyleSheet(f"color: {REFUSED_COLOUR}; font-weight: bold;")
        self.undelivered_button.setToolTip(
            translate("IncidentPanel", "平台拒绝或被他人抢先的操作：查看原因、重试或忽略"))
        self.undelivered_button.hide()

        self.table = IncidentTable()
        self.table.setObjectName("incidentTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the list for the detail (arrows move in it)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # fitted by _fit_columns/_widen_columns
        header.setSectionResizeMode(TITLE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setResizeContentsPrecision(0)  # a fit measures the rows on screen only, not a thousand rows
        self._fit_due = True  # the widths wait for the list to be on screen
        self._wanted: dict[int, int] = {}  # the fitted columns' widths for their contents (see _share_width)
        self.table.viewport().installEventFilter(self)
        self._fit_later = QTimer(self)  # one fit for several filter changes in a row (typing in the search)
        self._fit_later.setSingleShot(True)
        self._fit_later.setInterval(0)
        self._fit_later.timeout.connect(self._fit_columns)
        self.model.modelReset.connect(self._fit_later.start)
        self.model.refiltered.connect(self._fit_later.start)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.rowsInserted.connect(self._reselect_shown)
        self._repaint_hold = QTimer(self)  # running: a batch painted lately, the next ones wait for it
        self._repaint_hold.setSingleShot(True)
        self._repaint_hold.setInterval(LIST_REPAINT_MS)
        self._repaint_hold.timeout.connect(self._release_repaint)

        self.detail = IncidentDetail()

        filters = QHBoxLayout()
        filters.addWidget(self.only_open)
        filters.addWidget(self.category)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.filter_chip)
        filters.addWidget(self.undelivered_button)
        filters.addWidget(self.count_label)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(filters)
        self._filters = filters
        top_layout.addWidget(self.table)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        detail_scroll.setWidget(self.detail)
        self.splitter = ShareSplitter(Qt.Orientation.Vertical, self._list_and_detail, least=self._least_heights)
        self.splitter.addWidget(top)
        self.splitter.addWidget(detail_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.model.counts_changed.connect(self._update_count)
        self._update_count()

    def _list_and_detail(self, height: int) -> list[int]:
        """The heights of the list (with its filters) and of the detail in ``height`` px: the list's share
        (LIST_SHARE) as long as the detail keeps its essentials (down to the workflow steps), else less, but
        LIST_MIN_ROWS rows where the detail can spare them, and never less than either's least height (see
        :meth:`_least_heights`) where both fit."""
        spacing = self.splitter.widget(0).layout().spacing()
        rows = (self._filters.sizeHint().height() + spacing + self.table.horizontalHeader().sizeHint().height()
                + 2 * self.table.frameWidth() + LIST_MIN_ROWS * self.table.verticalHeader().defaultSectionSize())
        detail = DETAIL_MIN_EMS * QFontMetrics(self.detail.font()).height()
        list_height = min(round(height * LIST_SHARE), height - self.detail.essentials_height())
        list_height = max(list_height, min(rows, height - detail))
        least_list, least_detail = self._least_heights()  # where both fit, neither gets less (a short dock)
        if least_list + least_detail <= height:
            list_height = min(max(list_height, least_list), height - least_detail)
        return [list_height, height - list_height]

    def _least_heights(self) -> tuple[int, int]:
        """The least heights a split kept from an earlier run leaves the list (its filters, header and
        LIST_LEAST_ROWS rows) and the detail (DETAIL_LEAST_EMS lines' heights)."""
        spacing = self.splitter.widget(0).layout().spacing()
        rows = (self._filters.sizeHint().height() + spacing + self.table.horizontalHeader().sizeHint().height()
                + 2 * self.table.frameWidth() + LIST_LEAST_ROWS * self.table.verticalHeader().defaultSectionSize())
        return rows, DETAIL_LEAST_EMS * QFontMetrics(self.detail.font()).height()

    # --- column widths -------------------------------------------------------------------------------------
    # Columns other than the title fit their contents. Qt's own fitting (ResizeToContents) measured the rows on
    # screen again after every batch of a burst, asking the model for each cell's roles through Python: a
    # quarter of the GUI thread at 50 incidents/s, 12 ms a batch. Here the rows on screen are measured when
    # they become another set (shown, a reset, a filter, a font), and a batch only widens a column for its own
    # texts (grow only; a few font-metric calls per incident). A column never fits past FIT_MAX_EMS: a hostile
    # town name is cut with … rather than pushing the rest away. What the columns want is then shared out over
    # the list's width (again when that changes): in a narrow dock (a 1280 or 1366 px desk, English) the town,
    # the category and then the time are cut with … before the title goes under TITLE_MIN_EMS, and the status
    # stays in sight.

    def _fit_columns(self) -> None:
        """Fit the columns to the rows on screen (out of sight: when shown again; Qt would measure every row of
        a table that is not visible, seconds with 15 000 incidents)."""
        if not self.table.isVisible():
            self._fit_due = True
            return
        self._fit_due = False
        header, cap = self.table.horizontalHeader(), self._fit_cap()
        for column in FITTED_COLUMNS:
            width = max(self.table.sizeHintForColumn(column), header.sectionSizeHint(column))
            self._wanted[column] = min(width, max(cap, header.sectionSizeHint(column)))
        self._share_width()

    def _widen_columns(self, incidents: list[Incident]) -> None:
        """Widen the fitted columns that are too narrow for these (new or changed) incidents' texts."""
        if self._fit_due or not self.table.isVisible():
            self._fit_due = True
            return
        shown = [inc for inc in incidents if self.model.passes(inc)]
        if not shown:
            return
        bold = QFont(self.table.font())  # a new row is bold (the model's font role): the wider case
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        margin = 2 * (self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table)
                      + 1) + 3  # the item's text margins, the grid line, a pixel of rounding either side
        cap = self._fit_cap()
        cells = [self.model.cells(inc) for inc in shown]
        widened = False
        for column in FITTED_COLUMNS:
            needed = margin + max(metrics.horizontalAdvance(text) for text in {row[column] for row in cells})
            if self._wanted.get(column, 0) < min(needed, cap):
                self._wanted[column] = min(needed, cap)
                widened = True
        if widened:
            self._share_width()

    def _share_width(self) -> None:
        """Give the fitted columns their widths for the list's width now (see :func:`share_columns`): the
        title keeps its share and the status stays in sight, without a horizontal scroll bar."""
        if len(self._wanted) < len(FITTED_COLUMNS):
            return  # not fitted yet
        em = QFontMetrics(self.table.font()).height()
        width = self.table.viewport().width()
        title = (TITLE_MIN_EMS * em, min(TITLE_MIN_EMS * em, width // 3))
        header = self.table.horizontalHeader()
        for column, size in share_columns(self._wanted, width, title, YIELD_MIN_EMS * em).items():
            if header.sectionSize(column) != size:
                header.resizeSection(column, size)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """The list's width changed (the dock, the window, a vertical scroll bar): the columns share it again
        (from the widths their contents want, measured before: nothing is measured here)."""
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize and not self._fit_due:
            self._share_width()
        return False

    def _fit_cap(self) -> int:
        return QFontMetrics(self.table.font()).height() * FIT_MAX_EMS

    def changeEvent(self, event) -> None:  # noqa: N802
        """Another font: the texts take other widths."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_later.start()

    def showEvent(self, event) -> None:  # noqa: N802
        """The columns fit the rows on screen if they changed out of sight."""
        super().showEvent(event)
        if self._fit_due:
            self._fit_later.start()

    def set_incidents(self, incidents: list[Incident]) -> None:
        """Replace the list (initial load)."""
        selected = self.detail.incident.id if self.detail.incident else None
        self.model.set_incidents(incidents)
        if selected:
            self.select(selected)

    def upsert_incident(self, incident: Incident, *, unseen: bool = False) -> bool:
        """Add or refresh one incident; the detail view follows if it shows that incident.

        Returns True if the incident is new to the list (``unseen`` then highlights it until selected).
        """
        return bool(self.upsert_incidents([incident], unseen=unseen))

    def upsert_incidents(self, incidents: list[Incident], *, unseen: bool = False) -> list[Incident]:
        """Add or refresh a batch of incidents at once (the detail view follows its incident); returns the
        incidents new to the list, newest first."""
        if self._repaint_hold.isActive():
            self.table.viewport().setUpdatesEnabled(False)  # painted when the hold ends, with what came meanwhile
        else:
            self._repaint_hold.start()  # this batch is painted now
        shown = self.detail.incident
        listed = shown is not None and self.model.row_of(shown.id) is not None
        added = self.model.upsert_many(incidents, unseen=unseen)
        self._widen_columns(incidents)
        if shown is not None:
            fresh = max((i for i in incidents if i.id == shown.id), key=lambda i: i.version, default=None)
            if fresh is not None and fresh.version >= shown.version:
                self.detail.show_incident(fresh)
                if listed and self.model.row_of(shown.id) is None:  # merged or closed under 仅未办结
                    gone = translate("IncidentPanel", "该事件{status}，不在当前列表中；详情仍显示该事件")
                    self.detail.set_feedback(gone.format(status=fresh.status_label))
        return added

    def _reselect_shown(self, *_args: object) -> None:
        """The incident the detail shows is back in the list (a filter let it in again): select its row,
        quietly (it is already shown; the map need not fly to it again)."""
        shown = self.detail.incident
        if shown is None or self.table.selectionModel().hasSelection():
            return
        row = self.model.row_of(shown.id)
        if row is not None:
            selection = self.table.selectionModel()
            blocked = selection.blockSignals(True)
            self.table.selectRow(row)
            selection.blockSignals(blocked)
            self.table.viewport().update()

    def _release_repaint(self) -> None:
        viewport = self.table.viewport()
        if not viewport.updatesEnabled():
            viewport.setUpdatesEnabled(True)  # one repaint for the batches held
            self._repaint_hold.start()

    def list_painted(self) -> bool:
        """Whether the list on screen shows every batch given (False while batches wait for the next repaint)."""
        return self.table.viewport().updatesEnabled()

    def select(self, incident_id: str) -> bool:
        """Select an incident by id (clearing filters that hide it); False if unknown."""
        if self.model.incident(incident_id) is None:
            return False
        row = self.model.row_of(incident_id)
        if row is None:
            self.only_open.setChecked(False)
            self.category.setCurrentIndex(0)
            self.search.clear()
            row = self.model.row_of(incident_id)
        if row is None:  # still hidden: by the filter set from outside (its chip clears it)
            return True
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def set_undelivered(self, count: int) -> None:
        """Show how many of this desk's actions did not reach the platform (未送达的操作), hidden at none."""
        self.undelivered_button.setText(translate("IncidentPanel", "未送达的操作 {count}").format(count=count))
        self.undelivered_button.setVisible(count > 0)

    def set_filter(self, incident_filter: IncidentFilter) -> None:
        """Show only what ``incident_filter`` passes (an inactive one shows all again), named on a chip that
        clears it; a filter asking for incidents no longer being handled unticks 仅未办结 so they show."""
        active = incident_filter.active
        self.model.set_extra_filter(incident_filter.matches if active else None)
        # a button's text: & would mark a shortcut and vanish (a town named "A&B")
        chip = translate("IncidentPanel", "筛选：{filter} ✕").format(filter=incident_filter.describe())
        self.filter_chip.setText(chip.replace("&", "&&") if active else "")
        self.filter_chip.setVisible(active)
        if active and incident_filter.wants_closed:
            self.only_open.setChecked(False)

    def _clear_filter(self) -> None:
        self.set_filter(NO_FILTER)
        self.sig_filter_cleared.emit()

    def visible_count(self) -> int:
        """Rows shown after filtering."""
        return self.model.rowCount()

    def _update_count(self) -> None:
        unseen = self.model.unseen_count()
        text = translate("IncidentPanel", "{shown} / {total} 起").format(shown=self.model.rowCount(),
                                                                total=self.model.total_count())
        if unseen:
            text = translate("IncidentPanel", "新 {count} · {text}").format(count=unseen, text=text)
        self.count_label.setText(text)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        incident = self.model.incident_at(indexes[0].row())
        self.model.mark_seen(incident.id)
        self.detail.show_incident(incident)
        if not self.splitter.user_sized:  # the split follows what this incident's detail needs (its essentials)
            self.splitter.apply_share()
        self.sig_incident_selected.emit(incident.id)
