"""The Flask application of the exercise backend: shared context, JSON errors, bearer-token auth."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from commandwall.demo.auth import User, user_for_token
from commandwall.demo.db import Database
from commandwall.demo.events import EventHub
from commandwall.demo.layerdata import LayerCatalogue
from commandwall.demo.schemas import MAX_BODY_BYTES, MAX_PATH_ID, describe
from commandwall.demo.sensors import SensorField
from commandwall.demo.store import NotFoundError, RefusedError, StaleVersionError, Store
from commandwall.demo.streams import StreamHub

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)
_EXTENSION = "commandwall_demo"
#: Error codes for HTTP errors raised by werkzeug/Flask whose name would give another code.
_HTTP_CODES = {413: "payload_too_large"}
#: Route converter for an id in a URL path: a longer segment matches no route (404) and is never looked up.
PATH_ID = f"string(maxlength={MAX_PATH_ID})"


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
    sensors: SensorField | None = None
    #: the database's data epoch, sent as ``X-Platform-Epoch`` with every answer ("": none sent)
    epoch: str = ""


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
    """The JSON body parsed and validated against ``model`` in one step (pydantic's JSON parser).

    413 ``payload_too_large`` above ``MAX_BODY_BYTES``; 400 ``invalid_json`` for a body that is not JSON
    text (syntax, invalid UTF-8, lone surrogates, nesting deeper than the parser's limit); 422
    ``validation_error`` for JSON of the wrong shape or a request that is not ``application/json``.
    """
    if not request.is_json:
        raise ApiError(422, "validation_error", "request body must be a JSON object (Content-Type: application/json)")
    try:
        raw = request.get_data(cache=True)  # a chunked body is cut one byte past the limit, hence the check
    except RequestEntityTooLarge:
        raw = None
    if raw is None or len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"request body larger than {MAX_BODY_BYTES} bytes")
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        invalid = [str(e["msg"]).removeprefix("Invalid JSON: ") for e in errors if e["type"] == "json_invalid"]
        if invalid:
            raise ApiError(400, "invalid_json", f"request body is not JSON text in UTF-8: {invalid[0]}") from None
        if any(e["type"] == "model_type" and not e["loc"] for e in errors):
            raise ApiError(422, "validation_error", "request body must be a JSON object") from None
        raise ApiError(422, "validation_error", describe(exc)) from None


def parse_query(
    model: type[M], extra: Mapping[str, str | None] | None = None, *, codes: Mapping[str, str] | None = None
) -> M:
    """The query parameters (first value of each, plus ``extra``, e.g. from a header) validated against
    ``model``; an empty value counts as absent. ApiError 422 otherwise: ``validation_error``, or the code
    ``codes`` gives for the first failing field it names (e.g. ``invalid_cursor``)."""
    values = {**request.args.to_dict(), **(extra or {})}
    try:
        return model.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as exc:
        failed = [str(e["loc"][0]) for e in exc.errors() if e["loc"]]
        code = next((codes[f] for f in failed if f in (codes or {})), "validation_error")
        raise ApiError(422, code, describe(exc)) from None


def parse_headers(model: type[M]) -> M:
    """The request headers validated against ``model`` (fields aliased by header name); 422 otherwise."""
    fields = [f.alias or name for name, f in model.model_fields.items()]
    present = {name: request.headers[name] for name in fields if name in request.headers}
    try:
        return model.model_validate(present)
    except ValidationError as exc:
        raise ApiError(422, "validation_error", describe(exc)) from None


def create_app(context: DemoContext) -> Flask:
    """The WSGI application serving the backend contract."""
    from commandwall.demo import routes_api, routes_live, routes_ops, routes_sensors

    app = Flask("commandwall.demo")
    # werkzeug answers 413 above this before reading; a chunked body is only read up to it (see parse_body)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1
    app.extensions[_EXTENSION] = context
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.register_blueprint(routes_api.bp)
    app.register_blueprint(routes_ops.bp)
    app.register_blueprint(routes_live.bp)
    from commandwall.demo import loadgen

    app.register_blueprint(loadgen.bp)
    from commandwall.demo import capfeed

    app.register_blueprint(capfeed.bp)
    app.register_blueprint(routes_sensors.bp)

    @app.after_request
    def _epoch(response: Response) -> Response:
        """Every answer says which generation of the platform's data it comes from (the contract)."""
        if context.epoch:
            response.headers["X-Platform-Epoch"] = context.epoch
        return response

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
        """Every HTTP error werkzeug/Flask raise (404, 405, 413 …) as the JSON error body, keeping its
        headers (e.g. ``Allow``)."""
        status = exc.code or 500
        code = _HTTP_CODES.get(status) or (exc.name or "error").lower().replace(" ", "_")
        response, status = _error(status, code, exc.description or code)
        for name, value in exc.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response, status

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> tuple[Response, int]:
        """A bug, not a client's mistake: logged with its traceback, answered 500 with the JSON error body."""
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal_error", "internal server error")

    return app
