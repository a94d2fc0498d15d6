"""The incident workflow (事件处置流程) and who may do what in it, as data: one table each.

States: 上报 ``new`` (reported) → 受理 ``accepted`` → 核实 ``verified`` → 派遣 ``dispatched`` → 处置
``in_progress`` → 办结 ``resolved`` → 结案 ``closed``; besides these 退回 ``returned`` (a reason is required),
上报上级 ``escalated``, 合并 ``merged`` (a duplicate points to the incident it was merged into) and 重新打开.
An urgent incident may be dispatched straight from ``new``.

:data:`ROLE_ACTIONS` is the one place that says which role may take which action; the exercise backend
enforces it (403 ``forbidden_for_role``) and the client disables and explains what the user may not do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from commandwall.domain.models import IncidentStatus
from commandwall.i18n import QT_TRANSLATE_NOOP, translate

S = IncidentStatus

#: Statuses a duplicate may be merged from: everything not finished.
_MERGEABLE = frozenset({S.NEW, S.ACCEPTED, S.VERIFIED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED})

#: action -> (allowed source statuses, target status), in the order the buttons appear.
TRANSITIONS: dict[str, tuple[frozenset[IncidentStatus], IncidentStatus]] = {
    "accept": (frozenset({S.NEW, S.ESCALATED}), S.ACCEPTED),
    "verify": (frozenset({S.ACCEPTED}), S.VERIFIED),
    "dispatch": (frozenset({S.NEW, S.ACCEPTED, S.VERIFIED}), S.DISPATCHED),
    "start": (frozenset({S.DISPATCHED}), S.IN_PROGRESS),
    "resolve": (frozenset({S.ACCEPTED, S.VERIFIED, S.DISPATCHED, S.IN_PROGRESS}), S.RESOLVED),
    "close": (frozenset({S.RESOLVED}), S.CLOSED),
    "return": (frozenset({S.NEW, S.ACCEPTED, S.VERIFIED}), S.RETURNED),
    "escalate": (frozenset({S.NEW, S.ACCEPTED, S.VERIFIED, S.DISPATCHED, S.IN_PROGRESS}), S.ESCALATED),
    "merge": (_MERGEABLE, S.MERGED),
    "reopen": (frozenset({S.RESOLVED, S.CLOSED, S.RETURNED}), S.ACCEPTED),
}

#: Statuses in which tasks may be dispatched: those dispatch moves on from, and while the incident is handled.
TASKABLE: frozenset[IncidentStatus] = frozenset({S.NEW, S.ACCEPTED, S.VERIFIED, S.DISPATCHED, S.IN_PROGRESS})

#: Actions that need a reason in the note (退回 without a reason is refused).
REASON_REQUIRED: frozenset[str] = frozenset({"return"})
#: Actions that need another incident (``into``: the survivor of a merge).
NEEDS_TARGET: frozenset[str] = frozenset({"merge"})

#: Non-transition actions the role table also covers.
NOTE = "note"  # 添加备注 (POST /incidents/{id}/notes)
TASK = "dispatch"  # dispatching a task (POST /tasks) is the 派遣 right
ATTACH = "attach"  # 添加附件 (POST /incidents/{id}/attachments)

#: action -> its name on the button (translated where shown: :func:`action_label`).
ACTION_LABELS: dict[str, str] = {
    "accept": QT_TRANSLATE_NOOP("domain", "受理"),
    "verify": QT_TRANSLATE_NOOP("domain", "核实"),
    "dispatch": QT_TRANSLATE_NOOP("domain", "派遣"),
    "start": QT_TRANSLATE_NOOP("domain", "开始处置"),
    "resolve": QT_TRANSLATE_NOOP("domain", "办结"),
    "close": QT_TRANSLATE_NOOP("domain", "结案"),
    "return": QT_TRANSLATE_NOOP("domain", "退回"),
    "escalate": QT_TRANSLATE_NOOP("domain", "上报上级"),
    "merge": QT_TRANSLATE_NOOP("domain", "合并"),
    "reopen": QT_TRANSLATE_NOOP("domain", "重新打开"),
    NOTE: QT_TRANSLATE_NOOP("domain", "添加备注"),
    ATTACH: QT_TRANSLATE_NOOP("domain", "添加附件"),
}

#: role code -> its name (translated where shown: :func:`role_label`).
ROLE_LABELS: dict[str, str] = {
    "viewer": QT_TRANSLATE_NOOP("domain", "观察员"),
    "duty_officer": QT_TRANSLATE_NOOP("domain", "值班员"),
    "commander": QT_TRANSLATE_NOOP("domain", "指挥长"),
    "admin": QT_TRANSLATE_NOOP("domain", "系统管理员"),
}

_DUTY = frozenset({"accept", "verify", "dispatch", "start", "resolve", "return", "escalate", NOTE, ATTACH})
_ALL = frozenset(TRANSITIONS) | {NOTE, ATTACH}

#: role -> the actions it may take. Duty officers handle incidents; finishing (结案), reopening and merging
#: are the commander's (and the administrator's) decisions; a viewer only reads.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset(),
    "duty_officer": _DUTY,
    "commander": _ALL,
    "admin": _ALL,
}


class InvalidTransitionError(ValueError):
    """The action is unknown or not allowed from the incident's current status."""


def next_status(current: IncidentStatus, action: str) -> IncidentStatus:
    """Status an incident in ``current`` moves to under ``action``; raises ``InvalidTransitionError``."""
    try:
        sources, target = TRANSITIONS[action]
    except KeyError:
        raise InvalidTransitionError(f"unknown action {action!r}") from None
    if current not in sources:
        raise InvalidTransitionError(f"cannot {action} an incident that is {current.value}")
    return target


def allowed_actions(current: IncidentStatus) -> list[str]:
    """Actions allowed from ``current``, in workflow order."""
    return [a for a, (sources, _) in TRANSITIONS.items() if current in sources]


def may(roles: Iterable[str], action: str) -> bool:
    """Whether a user with ``roles`` may take ``action`` (a transition, ``note`` or ``dispatch``)."""
    return any(action in ROLE_ACTIONS.get(role, frozenset()) for role in roles)


def action_label(action: str) -> str:
    """The action's name in the chosen language (an unknown action as it is)."""
    label = ACTION_LABELS.get(action)
    return action if label is None else translate("domain", label)


def _untranslated(context: str, text: str) -> str:
    return text


#: The translation the exercise backend passes: none (its messages are the platform's own, in Chinese).
PLATFORM_TEXT: Callable[[str, str], str] = _untranslated

_ROLE_SEPARATOR = QT_TRANSLATE_NOOP("domain", "、")
_NO_ROLE = QT_TRANSLATE_NOOP("domain", "未登录")
_REFUSAL = QT_TRANSLATE_NOOP("domain", "当前角色（{roles}）无权执行「{action}」")


def role_label(roles: Iterable[str], *, translator: Callable[[str, str], str] = translate) -> str:
    """The user's roles in the chosen language (separated by ``、``; unknown codes as they are), or 未登录 for
    none. The exercise backend, which stands for the platform, passes ``translator=PLATFORM_TEXT``."""
    names = [translator("domain", ROLE_LABELS[role]) if role in ROLE_LABELS else role for role in roles]
    return translator("domain", _ROLE_SEPARATOR).join(names) if names else translator("domain", _NO_ROLE)


def refusal(roles: Iterable[str], action: str, *, translator: Callable[[str, str], str] = translate) -> str | None:
    """Why a user with ``roles`` may not take ``action`` (names the role and the action), or None; ``translator``
    as in :func:`role_label`."""
    roles = list(roles)
    if may(roles, action):
        return None
    label = translator("domain", ACTION_LABELS[action]) if action in ACTION_LABELS else action
    return translator("domain", _REFUSAL).format(roles=role_label(roles, translator=translator), action=label)
