"""Why the platform did not take an action, in the officer's language, without Qt.

The platform refuses with a machine code (``{"error": "<code>", "message": "<human text>"}``, the contract's
list in ``resources/api/openapi.yaml``) and an English sentence for its own log. The desk says the refusal by
its code (:data:`REFUSAL_REASONS`), an unknown code as a general sentence naming the HTTP status; the platform's
sentence is kept only as a detail (:func:`refusal_detail`: a tooltip, the log), never as what the officer reads.
"""

from __future__ import annotations

from commandwall.backend.outbox import ATTACHMENT_LOST, PLATFORM_WENT_BACK, UNREADABLE_ROW, OutboxItem, OutboxState
from commandwall.i18n import QT_TRANSLATE_NOOP, translate
from commandwall.textsafe import display_text

#: The contract's error codes (and the desk's own, for rows it failed itself) → what the officer reads.
REFUSAL_REASONS = {
    "invalid_json": QT_TRANSLATE_NOOP("refusals", "平台无法读取该请求"),
    "unauthorized": QT_TRANSLATE_NOOP("refusals", "登录已失效，平台未接受"),
    "invalid_credentials": QT_TRANSLATE_NOOP("refusals", "用户名或密码错误"),
    "forbidden": QT_TRANSLATE_NOOP("refusals", "当前账号无权进行该操作"),
    "forbidden_for_role": QT_TRANSLATE_NOOP("refusals", "当前账号的角色无权进行该操作"),
    "reason_required": QT_TRANSLATE_NOOP("refusals", "该操作须填写原因"),
    "merge_target_required": QT_TRANSLATE_NOOP("refusals", "合并须选择保留的事件"),
    "invalid_merge": QT_TRANSLATE_NOOP("refusals", "不能合并到所选事件（该事件已办结、已合并或是本事件）"),
    "not_found": QT_TRANSLATE_NOOP("refusals", "平台上没有该对象（可能已被删除）"),
    "method_not_allowed": QT_TRANSLATE_NOOP("refusals", "平台不支持该请求"),
    "payload_too_large": QT_TRANSLATE_NOOP("refusals", "内容过长，平台未接受"),
    "validation_error": QT_TRANSLATE_NOOP("refusals", "内容不符合平台要求"),
    "invalid_cursor": QT_TRANSLATE_NOOP("refusals", "平台不接受该查询位置"),
    "stale_version": QT_TRANSLATE_NOOP("refusals", "事件已被他人更新"),
    "invalid_transition": QT_TRANSLATE_NOOP("refusals", "事件当前的状态不允许该操作"),
    "deadline_in_past": QT_TRANSLATE_NOOP("refusals", "任务时限在送达平台前已过，请重新设定时限后派遣"),
    "unknown_incident": QT_TRANSLATE_NOOP("refusals", "平台上没有该事件（可能已被删除或平台数据已重置）"),
    "unknown_unit": QT_TRANSLATE_NOOP("refusals", "平台上没有该处置力量"),
    "idempotency_key_reused": QT_TRANSLATE_NOOP("refusals", "平台已收到内容不同的同一操作，未再执行"),
    "ptz_unsupported": QT_TRANSLATE_NOOP("refusals", "该摄像机不支持云台控制"),
    "camera_offline": QT_TRANSLATE_NOOP("refusals", "摄像机离线"),
    "attachment_too_large": QT_TRANSLATE_NOOP("refusals", "附件过大，平台未接受"),
    "internal_error": QT_TRANSLATE_NOOP("refusals", "平台内部错误"),
    UNREADABLE_ROW: QT_TRANSLATE_NOOP("refusals", "本机保存的记录已损坏，无法发送"),
    PLATFORM_WENT_BACK: QT_TRANSLATE_NOOP("refusals", "平台数据已重置或回退，该操作暂未发送：请核对事件后重试或忽略"),
    ATTACHMENT_LOST: QT_TRANSLATE_NOOP("refusals", "本机保存的附件文件已丢失，请重新添加附件"),
}


def refusal_reason(code: str, status: int | None) -> str:
    """What the officer reads for a refusal with ``code`` and HTTP ``status``: the code's sentence, else a general
    one naming the status (a code this version does not know), else a general one (a refusal recorded before
    codes were kept)."""
    known = REFUSAL_REASONS.get(code)
    if known is not None:
        return translate("refusals", known)
    if status is not None:
        return translate("refusals", "平台拒绝了该操作（HTTP {status}）").format(status=status)
    return translate("refusals", "平台拒绝了该操作")


def item_refusal(item: OutboxItem) -> str:
    """:func:`refusal_reason` of a refused or overtaken outbox row ("" for another row)."""
    if item.state not in (OutboxState.FAILED, OutboxState.CONFLICT):
        return ""
    code = item.error_code or ("stale_version" if item.state is OutboxState.CONFLICT else "")
    return refusal_reason(code, item.error_status)


def refusal_detail(item: OutboxItem) -> str:
    """The platform's own words on a refused row, for a tooltip or the log (made safe to show; "" for none)."""
    if not item.last_error:
        return ""
    text = display_text(item.last_error, 300)
    parts = [item.error_code, f"HTTP {item.error_status}" if item.error_status is not None else ""]
    where = " · ".join(part for part in parts if part)
    if not where:
        return translate("refusals", "平台原文：{text}").format(text=text)
    return translate("refusals", "平台原文：{text}（{where}）").format(text=text, where=where)
