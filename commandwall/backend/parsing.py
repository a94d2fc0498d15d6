"""Turning the platform's answers into models and errors, leniently where a list allows it.

A malformed record in a list is logged and skipped; a malformed single answer is a ``MalformedAnswerError``;
an error status becomes the matching ``BackendError`` subclass with the server's message (cut to
``MAX_SERVER_MESSAGE_CHARS``). The outer shape of each answer is checked first, in ``answers``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from commandwall.backend.errors import (
    AuthError,
    BackendError,
    BackendUnavailableError,
    ConflictError,
    MalformedAnswerError,
    NotFoundError,
    PermissionDeniedError,
    RejectedError,
)
from commandwall.i18n import MAX_TITLE_CHARS, english_title, translate

log = logging.getLogger(__name__)

#: A server's error message is cut to this many characters before it reaches errors, logs and the banner.
MAX_SERVER_MESSAGE_CHARS = 200
#: Malformed records of one list logged one by one; the rest are counted in one line.
MAX_LOGGED_DROPS = 3
#: Longest ``rel=next`` link followed.
MAX_LINK_CHARS = 2048

M = TypeVar("M", bound=BaseModel)

#: HTTP status -> error class (5xx: ``BackendUnavailableError``; others: ``BackendError``).
STATUS_ERRORS: dict[int, type[BackendError]] = {
    400: RejectedError,
    401: AuthError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: RejectedError,
    413: RejectedError,  # the body was too large: resending the same one cannot help
}


@dataclass(frozen=True)
class LayerInfo:
    """One entry of the server's layer catalogue (``GET /api/v1/layers``). ``title_en`` is its optional English
    title (plain text, at most ``i18n.MAX_TITLE_CHARS``): an English desk shows it (``geo.layers.shown_title``)."""

    id: str
    title: str
    kind: str
    crs: str
    style: dict[str, Any]
    items_url: str
    feature_count: int | None = None
    title_en: str | None = None


def parse_models(model: type[M], items: Iterable[Any], what: str) -> list[M]:
    """Validate each record; a malformed one is logged (the first ``MAX_LOGGED_DROPS``, then a count) and
    skipped, the rest are returned."""
    parsed: list[M] = []
    dropped = 0
    for raw in items:
        try:
            parsed.append(model.model_validate(raw))
        except ValidationError as exc:
            dropped += 1
            if dropped <= MAX_LOGGED_DROPS:
                log.warning("dropping malformed %s %s: %s", what, describe_ident(raw), short_error(exc))
    if dropped > MAX_LOGGED_DROPS:
        log.warning("dropped %d malformed %s record(s) in all", dropped, what)
    return parsed


def describe_ident(raw: Any) -> str:
    """The ``id`` of a raw record for a log line, cut short (``?`` if it has none)."""
    ident = raw.get("id") if isinstance(raw, Mapping) else None
    return "?" if ident is None else repr(str(ident)[:64])


def short_error(exc: ValidationError) -> str:
    """A one-line summary of a validation error (count and the first problem)."""
    first = exc.errors(include_url=False, include_input=False)[0] if exc.error_count() else {}
    loc = ".".join(str(p)[:40] for p in first.get("loc", ()))
    return f"{exc.error_count()} error(s), first: {loc}: {first.get('msg', '')}"


def normalise_layer_features(features: list[dict[str, Any]], layer_id: str, crs: str) -> list[dict[str, Any]]:
    """Features with WGS84 geometry; a feature that cannot be normalised is logged and skipped."""
    from commandwall.geo.crs import UnsupportedCRS  # geo pulls in pyproj: load it on demand
    from commandwall.geo.layers import normalize_features

    try:
        return normalize_features(features, crs)
    except UnsupportedCRS as exc:
        raise BackendError(f"layer {layer_id}: {exc}") from None
    except ValueError as exc:
        log.warning("layer %s has malformed features (%s); normalising one by one", layer_id, exc)
    usable: list[dict[str, Any]] = []
    for i, feature in enumerate(features):
        try:
            usable.extend(normalize_features([feature], crs))
        except ValueError as exc:
            props = feature.get("properties")
            ident = feature.get("id") or (props.get("id") if isinstance(props, dict) else None) or i
            log.warning("layer %s: dropping feature %s: %s", layer_id, ident, exc)
    return usable


def describe_request_error(exc: requests.RequestException) -> str:
    """Exception class names only (``ConnectionError (ReadTimeoutError)``): messages may carry URLs."""
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None)
    return f"{type(exc).__name__} ({type(reason).__name__})" if reason is not None else type(exc).__name__


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc``, what it wraps (requests wraps urllib3's error, which wraps the socket's) and their causes."""
    found: list[BaseException] = []
    todo: list[object] = [exc]
    while todo and len(found) < 12:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is f for f in found):
            continue  # None, or a reason given as text
        found.append(item)
        inner = item.args[0] if item.args and isinstance(item.args[0], BaseException) else None
        todo += [inner, getattr(item, "reason", None), item.__cause__, item.__context__]
    return found


def plain_request_error(exc: requests.RequestException, host: str) -> str:
    """What went wrong with a request, as the officer reads it (``平台拒绝连接…（host）``): the failure's kind,
    not the classes (those stay in the log's technical line, :func:`describe_request_error`)."""
    causes = _causes(exc)

    def has(*kinds: type[BaseException]) -> bool:
        return any(isinstance(c, kinds) for c in causes)

    if isinstance(exc, requests.exceptions.SSLError):
        text = translate("backend", "与平台的加密连接失败（证书或协议不符）")
    elif has(ConnectionRefusedError):
        text = translate("backend", "平台拒绝连接（服务未运行或端口不通）")
    elif has(socket.gaierror):
        text = translate("backend", "找不到平台地址（域名无法解析）")
    elif isinstance(exc, requests.exceptions.ConnectTimeout):
        text = translate("backend", "连接平台超时（网络不通或被拦截）")
    elif isinstance(exc, requests.exceptions.ReadTimeout) or has(TimeoutError):
        text = translate("backend", "平台响应超时")
    elif has(ConnectionAbortedError, ConnectionResetError, BrokenPipeError):
        text = translate("backend", "与平台的连接被中断")
    elif isinstance(exc, requests.exceptions.ConnectionError):
        text = translate("backend", "无法连接到平台")
    else:
        text = translate("backend", "与平台通信失败")
    return f"{text} · {host}" if host else text


def parse_one(model: type[M], data: Any, what: str) -> M:
    """One record the operation cannot do without; malformed -> ``MalformedAnswerError`` naming ``what``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problem = short_error(exc) if isinstance(data, Mapping) else "expected a JSON object"
        raise MalformedAnswerError(what, problem) from None


def error_body(body: bytes) -> Any:
    """The decoded JSON of an error answer's body, or ``None`` if it is not (sane) JSON."""
    from commandwall.backend.answers import decode_json

    try:
        return decode_json(body, "error body")
    except MalformedAnswerError:
        return None


def _clip(text: str) -> str:
    text = " ".join(text.split())  # no line breaks from the server in a log line or banner
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be stored or shown
    return text if len(text) <= MAX_SERVER_MESSAGE_CHARS else text[: MAX_SERVER_MESSAGE_CHARS - 1] + "…"


def error_message(body: Any, default: str) -> str:
    """The ``message`` of a decoded error body (else its ``error`` code, else ``default``), cut short."""
    if isinstance(body, Mapping):
        text = body.get("message") or body.get("error")
        if isinstance(text, str | int | float) and not isinstance(text, bool):
            return _clip(str(text))
    return default


def error_code(body: Any) -> str:
    """The ``error`` code of a decoded error body, or ``""``."""
    code = body.get("error") if isinstance(body, Mapping) else None
    return code[:64] if isinstance(code, str) else ""


def next_link(links: Iterable[Any]) -> str | None:
    """The ``href`` of the ``rel=next`` link among a FeatureCollection page's links, if any usable."""
    for link in links:
        if not isinstance(link, Mapping) or link.get("rel") != "next":
            continue
        href = link.get("href")
        if isinstance(href, str) and href and len(href) <= MAX_LINK_CHARS and href.isprintable():
            return href
        log.warning("ignoring an unusable rel=next link")
    return None


def parse_layer_info(raw: Any) -> LayerInfo | None:
    """One catalogue entry, or ``None`` (logged) if it lacks ``id`` or ``crs`` or is malformed. A ``title_en``
    that is not a non-blank string of at most ``i18n.MAX_TITLE_CHARS`` characters is logged and left aside: the
    entry keeps its title."""
    from commandwall.backend.answers import LayerEntry

    try:
        entry = LayerEntry.model_validate(raw)
    except ValidationError as exc:
        log.warning("dropping malformed layer entry %s: %s", describe_ident(raw), short_error(exc))
        return None
    title_en = english_title(entry.title_en)
    if title_en is None and entry.title_en is not None:
        log.warning("layer entry %s: title_en left aside (not a non-blank string of at most %d characters)",
                    describe_ident(raw), MAX_TITLE_CHARS)
    return LayerInfo(
        id=entry.id,
        title=entry.title or entry.id,
        kind=entry.kind or "",
        crs=entry.crs,
        style=dict(entry.style),
        items_url=entry.items_url or f"/api/v1/collections/{entry.id}/items",
        feature_count=entry.feature_count,
        title_en=title_en,
    )


def error_for_status(resp: requests.Response, body: bytes = b"") -> BackendError:
    """The error for a 4xx/5xx answer (``body``: its bytes, read with a cap), carrying the server's
    message, code and decoded body."""
    status = resp.status_code
    error_cls = BackendUnavailableError if status >= 500 else STATUS_ERRORS.get(status, BackendError)
    decoded = error_body(body) if body else None
    reason = resp.reason if isinstance(resp.reason, str) else ""
    return error_cls(
        error_message(decoded, _clip(reason) or "error"), status, code=error_code(decoded), body=decoded
    )
