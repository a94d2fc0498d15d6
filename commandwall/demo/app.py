"""The Flask application of the exercise backend: shared context, JSON errors, bearer-token auth."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from commandwall.demo.auth import User, user_for_token
from commandwall.demo.db import Database
from commandwall.demo.events import EventHub
from commandwall.demo.layerdata import LayerCatalogue
from commandwall.demo.schemas import describe
from commandwall.demo.store import NotFoundError, RefusedError, StaleVersionError, Store
from commandwall.demo.streams import StreamHub

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)
_EXTENSION = "commandwall_demo"


@dataclass
class DemoContext:
    """Everything the request handlers share."""

    db: Database
    store: Store
    catalogue: LayerCatalogue
    streams: StreamHub
    hub: EventHub
    stop: threading.Event
    keepalive_s: float = 15.0


class ApiError(Exception):
    """An error answer: ``{"error": code, "message": message, **extra}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def ctx() -> DemoContext:
    """The context of the running application."""
    return current_app.extensions[_EXTENSION]


def current_user() -> User:
    """The caller of an ``@authenticated`` handler."""
    return g.user


def _error(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    response = jsonify({"error": code, "message": message, **extra})
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="commandwall"'
    return response, status


def authenticated(write: bool = False) -> Callable[[F], F]:
    """Require a valid bearer token; with ``write=True`` also a role that may change things."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, "unauthorized", "missing bearer token (Authorization: Bearer <token>)")
            user = user_for_token(ctx().db, token.strip())
            if user is None:
                raise ApiError(401, "unauthorized", "invalid or expired token")
            if write and not user.can_write:
                raise ApiError(403, "forbidden", f"role {', '.join(user.roles)} may only read")
            g.user = user
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def parse_body(model: type[M]) -> M:
    """The JSON body validated against ``model``; ApiError 422 with a readable message otherwise."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(422, "validation_error", "request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "validation_error", describe(exc)) from None


def int_arg(name: str, default: int | None, *, minimum: int = 0, maximum: int | None = None) -> int | None:
    """An integer query parameter (clamped to ``maximum``); ApiError 422 if it is not one."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(422, "validation_error", f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ApiError(422, "validation_error", f"{name} must be >= {minimum}")
    return value if maximum is None else min(value, maximum)


def create_app(context: DemoContext) -> Flask:
    """The WSGI application serving the backend contract."""
    from commandwall.demo import routes_api, routes_live, routes_ops

    app = Flask("commandwall.demo")
    app.extensions[_EXTENSION] = context
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.register_blueprint(routes_api.bp)
    app.register_blueprint(routes_ops.bp)
    app.register_blueprint(routes_live.bp)

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int]:
        return _error(exc.status, exc.code, exc.message, **exc.extra)

    @app.errorhandler(NotFoundError)
    def _not_found(exc: NotFoundError) -> tuple[Response, int]:
        return _error(404, "not_found", str(exc))

    @app.errorhandler(StaleVersionError)
    def _stale(exc: StaleVersionError) -> tuple[Response, int]:
        return _error(409, "stale_version", str(exc), current=exc.current.model_dump(mode="json"))

    @app.errorhandler(RefusedError)
    def _refused(exc: RefusedError) -> tuple[Response, int]:
        return _error(422, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Response, int]:
        code = (exc.name or "error").lower().replace(" ", "_")
        return _error(exc.code or 500, code, exc.description or code)

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal_error", "internal server error")

    return app
