"""Turning the platform's answers into models and errors, leniently where a list allows it.

A malformed record in a list is logged and skipped; a malformed single answer is an error; an error
status becomes the matching ``BackendError`` subclass with the server's message.
"""

from __future__ import annotations

import logging
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
    NotFoundError,
    PermissionDeniedError,
    RejectedError,
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

#: HTTP status -> error class (5xx: ``BackendUnavailableError``; others: ``BackendError``).
STATUS_ERRORS: dict[int, type[BackendError]] = {
    400: RejectedError,
    401: AuthError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: RejectedError,
}


@dataclass(frozen=True)
class LayerInfo:
    """One entry of the server's layer catalogue (``GET /api/v1/layers``)."""

    id: str
    title: str
    kind: str
    crs: str
    style: dict[str, Any]
    items_url: str
    feature_count: int | None = None


def parse_models(model: type[M], items: Iterable[Any], what: str) -> list[M]:
    """Validate each record; a malformed one is logged and skipped, the rest are returned."""
    parsed: list[M] = []
    for raw in items:
        try:
            parsed.append(model.model_validate(raw))
        except ValidationError as exc:
            ident = raw.get("id") if isinstance(raw, Mapping) else None
            log.warning("dropping malformed %s %r: %s", what, ident, short_error(exc))
    return parsed


def short_error(exc: ValidationError) -> str:
    """A one-line summary of a validation error (count and the first problem)."""
    first = exc.errors()[0] if exc.errors() else {}
    loc = ".".join(str(p) for p in first.get("loc", ()))
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


def parse_one(model: type[M], data: Any, what: str) -> M:
    """One record the operation cannot do without; malformed -> ``BackendUnavailableError``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BackendUnavailableError(f"server sent a malformed {what}: {short_error(exc)}") from None


def response_json(resp: requests.Response) -> Any:
    """The decoded JSON body, or ``None`` if it is not JSON."""
    try:
        return resp.json()
    except ValueError:
        return None


def error_message(resp: requests.Response, default: str) -> str:
    """The ``message`` of an error body (else its ``error`` code, else ``default``)."""
    body = response_json(resp)
    if isinstance(body, Mapping):
        return str(body.get("message") or body.get("error") or default)
    return default


def error_code(resp: requests.Response) -> str:
    """The ``error`` code of an error body, or ``""``."""
    body = response_json(resp)
    return str(body.get("error") or "") if isinstance(body, Mapping) else ""


def next_link(page: Mapping[str, Any]) -> str | None:
    """The ``href`` of the ``rel=next`` link of a FeatureCollection page, if any."""
    for link in page.get("links") or ():
        if isinstance(link, Mapping) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def parse_layer_info(raw: Any) -> LayerInfo | None:
    """One catalogue entry, or ``None`` (logged) if it lacks ``id`` or ``crs``."""
    try:
        return LayerInfo(
            id=str(raw["id"]),
            title=str(raw.get("title") or raw["id"]),
            kind=str(raw.get("kind") or ""),
            crs=str(raw["crs"]),
            style=dict(raw.get("style") or {}),
            items_url=str(raw.get("items_url") or f"/api/v1/collections/{raw['id']}/items"),
            feature_count=raw.get("feature_count"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("dropping malformed layer entry %r: %r", raw, exc)
        return None


def error_for_status(resp: requests.Response) -> BackendError:
    """The error for a 4xx/5xx answer, carrying the server's message, code and body."""
    status = resp.status_code
    error_cls = BackendUnavailableError if status >= 500 else STATUS_ERRORS.get(status, BackendError)
    return error_cls(
        error_message(resp, resp.reason or "error"), status, code=error_code(resp), body=response_json(resp)
    )
