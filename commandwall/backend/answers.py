"""The platform's answers as typed envelopes: bytes are read with a size cap, decoded as strict JSON with a
depth limit, and validated against the contract's shape before anything looks inside them.

Every step that finds the answer unusable raises one ``MalformedAnswerError`` naming the resource and the
problem (never the body: it may carry tokens or camera passwords). The envelopes check the outer shape
(``{"cameras": [...]}``, ``cursor``, ``has_more`` …); the records inside a list stay ``Any`` here and are
validated one by one by ``parsing.parse_models``, so one bad record costs that record, not the list.

Limits, and why:

- body size: ``LAYER_PAGE_MAX_BYTES`` (64 MiB) for feature pages, ``CAMERA_LIST_MAX_BYTES`` (96 MiB) for the
  camera list (one answer for a whole platform), ``LIST_MAX_BYTES`` (16 MiB) for other lists,
  ``OBJECT_MAX_BYTES`` (1 MiB) for single objects and error bodies — bytes are counted as they arrive
  (after content decoding, so a gzip bomb stops at the cap too);
- body time: ``BODY_DEADLINE_S`` in all, however steadily a server trickles bytes;
- JSON nesting: ``MAX_JSON_DEPTH`` levels, checked on the bytes before decoding, so ``RecursionError``
  can never happen (the contract's deepest answer, a MultiPolygon page, has 8);
- ``NaN``/``Infinity`` are not JSON and are refused;
- cursors: opaque strings (an integer is taken as its decimal text) of at most ``MAX_CURSOR_CHARS``
  printable characters, so that they can go back into a query string;
- tokens: visible ASCII only, at most ``MAX_TOKEN_CHARS``, so that they can go back into a header.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import numpy as np
import requests
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
)

from commandwall import jsonslices
from commandwall.backend.errors import BackendUnavailableError, MalformedAnswerError
from commandwall.domain.models import Identifier, ShortText

E = TypeVar("E", bound=BaseModel)

#: Size cap of one page of layer features.
LAYER_PAGE_MAX_BYTES = 64 * 1024 * 1024
#: Size cap of a list answer (units, tasks, an incidents page, the layer catalogue).
LIST_MAX_BYTES = 16 * 1024 * 1024
#: Size cap of the camera list, which comes whole in one answer: about 350 bytes a camera, so 16 MiB held only
#: ~46 000; 96 MiB holds ~280 000 (a city's platform), a few hundred MB of memory while it is parsed.
CAMERA_LIST_MAX_BYTES = 96 * 1024 * 1024
#: Size cap of a single object (login, incident, task, health) and of an error body.
OBJECT_MAX_BYTES = 1024 * 1024
#: Longest time one body may take to arrive, however steadily it trickles (the read timeout only bounds
#: the gap between two packets, so a server sending a byte a second would otherwise hold a worker forever).
BODY_DEADLINE_S = 120.0
#: Deepest JSON nesting accepted (arrays and objects).
MAX_JSON_DEPTH = 64
#: Longest incidents cursor accepted.
MAX_CURSOR_CHARS = 256
#: Longest bearer token accepted.
MAX_TOKEN_CHARS = 8192
#: Most records one list answer may hold.
MAX_LIST_ITEMS = 1_000_000
#: A body larger than this is decoded in slices (:func:`decode_json`): one ``json.loads`` of a 26 MB layer page
#: held the interpreter lock — and so the GUI thread — for 0.7–3.5 s.
SLICED_DECODE_BYTES = 1024 * 1024

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENERS = np.frombuffer(b"[{", dtype=np.uint8)


def json_depth(body: bytes) -> int:
    """Deepest nesting of arrays and objects in a JSON text (strings skipped), without decoding it.

    Linear and vectorised: fine for a 64 MiB layer page. For text that is not JSON the figure is only an
    estimate, but such text fails decoding anyway.
    """
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where(np.isin(codes, _OPENERS), 1, -1).astype(np.int64)
    return int(np.cumsum(steps).max())


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_piece_depth(piece: str, outer: int) -> None:
    """The depth limit on one element of a document decoded in slices (``outer`` containers hold it)."""
    if piece.count("[") + piece.count("{") > MAX_JSON_DEPTH - outer and (
            json_depth(piece.encode("utf-8", "surrogatepass")) + outer > MAX_JSON_DEPTH):
        raise _TooDeepError


class _TooDeepError(ValueError):
    pass


def decode_json(body: bytes | str, resource: str, status: int | None = None, *,
                non_finite: Callable[[str], Any] | None = None) -> Any:
    """Strict JSON from a body: ``MalformedAnswerError`` if it is not JSON, nested deeper than
    ``MAX_JSON_DEPTH`` or holds ``NaN``/``Infinity`` — unless ``non_finite`` is given: it is then called with
    each such literal (``NaN``, ``Infinity``, ``-Infinity``) and its answer stands for it (a GeoJSON file
    written by a GIS that lets them through is read, its bad values dealt with by the caller).

    A body over :data:`SLICED_DECODE_BYTES` (a layer page) is decoded in slices (``jsonslices.loads``: one
    feature per C call, its depth checked as it goes), so that the thread decoding it lets the GUI thread run;
    the value is the same."""
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if len(raw) > SLICED_DECODE_BYTES:
        try:
            return jsonslices.loads(raw, parse_constant=_refuse_constant if non_finite is None else non_finite,
                                    check=_check_piece_depth)
        except _TooDeepError:
            raise MalformedAnswerError(resource, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", status) from None
        except RecursionError:
            raise MalformedAnswerError(resource, "JSON nested too deep", status) from None
        except ValueError as exc:
            raise MalformedAnswerError(resource, f"not JSON ({type(exc).__name__})", status) from None
    # a text with no more openers than the limit cannot nest deeper: an event of the live feed costs two byte
    # counts, not json_depth's array work (half of the feed thread's time in a burst of 50 incidents a second)
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and json_depth(raw) > MAX_JSON_DEPTH:
        raise MalformedAnswerError(resource, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", status)
    try:
        return json.loads(raw, parse_constant=_refuse_constant if non_finite is None else non_finite)
    except RecursionError:  # cannot happen after the depth check; kept so that it never escapes
        raise MalformedAnswerError(resource, "JSON nested too deep", status) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN, an int of 5000 digits
        raise MalformedAnswerError(resource, f"not JSON ({type(exc).__name__})", status) from None


def read_body(resp: requests.Response, resource: str, limit: int, *, deadline_s: float = BODY_DEADLINE_S) -> bytes:
    """The whole body of a (streamed) response, refusing more than ``limit`` bytes; closes the response.

    Raises ``MalformedAnswerError`` when the body is too large, ``BackendUnavailableError`` when reading it
    fails (reset, timeout, broken chunking or compression) or takes longer than ``deadline_s`` in all: a
    timer shuts the socket's read side down (urllib3's ``HTTPResponse.shutdown``), which wakes a read
    blocked on a trickling server.
    """
    expired = threading.Event()  # set before the read is woken (Timer.finished is set only after the call)
    watchdog = threading.Timer(deadline_s, _shut_down_read, args=(resp, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        declared = (resp.headers.get("Content-Length") or "").strip()
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise MalformedAnswerError(resource, f"body larger than {limit} bytes", resp.status_code)
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(65536):
            size += len(chunk)
            if size > limit:
                raise MalformedAnswerError(resource, f"body larger than {limit} bytes", resp.status_code)
            chunks.append(chunk)
        if expired.is_set():  # the timer fired: what arrived is a cut-off body
            raise BackendUnavailableError(f"{resource}: the answer took longer than {deadline_s:g} s")
        return b"".join(chunks)
    except (requests.RequestException, OSError) as exc:
        if expired.is_set():
            raise BackendUnavailableError(f"{resource}: the answer took longer than {deadline_s:g} s") from None
        raise BackendUnavailableError(f"{resource}: reading the answer failed ({type(exc).__name__})") from None
    finally:
        watchdog.cancel()
        resp.close()


def _shut_down_read(resp: requests.Response, expired: threading.Event) -> None:
    """Wake a read blocked on ``resp`` (the body's deadline passed); harmless if the body is done."""
    expired.set()
    with contextlib.suppress(AttributeError, ValueError, RuntimeError, OSError):  # released: read has ended
        resp.raw.shutdown()


def parse_answer(envelope: type[E], data: Any, resource: str, status: int | None = None) -> E:
    """``data`` validated against ``envelope``; ``MalformedAnswerError`` with the first problem otherwise."""
    try:
        return envelope.model_validate(data)
    except ValidationError as exc:
        raise MalformedAnswerError(resource, describe_validation(exc, data), status) from None
    except RecursionError:  # pydantic on a cyclic or absurdly deep Python value
        raise MalformedAnswerError(resource, "value nested too deep", status) from None


def describe_validation(exc: ValidationError, data: Any = None) -> str:
    """First problem of a validation error, short, without the offending value (it may be secret)."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {json_type(data)}"
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0] if errors else {}
    loc = ".".join(str(p)[:40] for p in first.get("loc", ()))
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{loc or 'answer'}: {first.get('msg', 'invalid')}{more}"


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type (``object``, ``array``, ``string`` …)."""
    for kind, name in ((dict, "object"), (list, "array"), (str, "string"), (bool, "boolean"),
                       (int, "number"), (float, "number")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


# -- envelopes ------------------------------------------------------------------------------------------


def _none_as_empty_list(value: Any) -> Any:
    return [] if value is None else value


def _cursor_text(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _printable(value: str) -> str:
    if not value.isprintable() or re.search(r"[\ud800-\udfff]", value):
        raise ValueError("must be printable text")
    return value


#: A list of records validated one by one later; ``null`` counts as empty (as the platform sends it).
Records = Annotated[list[Any], BeforeValidator(_none_as_empty_list), Field(max_length=MAX_LIST_ITEMS)]
#: An opaque incidents cursor (integers accepted as their decimal text).
Cursor = Annotated[
    str,
    BeforeValidator(_cursor_text),
    StringConstraints(min_length=1, max_length=MAX_CURSOR_CHARS),
    AfterValidator(_printable),
]
#: A bearer token: visible ASCII only, so that it can be sent back as a header.
Token = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_CHARS, pattern=r"^[!-~]+$")]


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class LoginAnswer(_Envelope):
    """``POST /auth/token``: the token, its lifetime (default 3600 s), the display name and roles."""

    access_token: Token
    expires_in: float | None = Field(default=None, gt=0, le=366 * 86400)
    display_name: ShortText | None = None
    roles: Annotated[list[ShortText], BeforeValidator(_none_as_empty_list), Field(max_length=64)] = []


class LayerEntry(_Envelope):
    """One entry of the layer catalogue (``items_url`` defaults to the collection's items; ``title_en``, the
    optional English title, is taken as given and checked by ``parsing.parse_layer_info``: an unusable one is
    left aside, never the entry)."""

    id: Identifier
    title: ShortText | None = None
    title_en: Any = None
    kind: ShortText | None = None
    crs: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    style: Annotated[dict[str, Any], BeforeValidator(lambda v: {} if v is None else v)] = {}
    items_url: Annotated[str, StringConstraints(max_length=2048), AfterValidator(_printable)] | None = None
    feature_count: int | None = Field(default=None, ge=0)


class LayerCatalogue(_Envelope):
    """``GET /layers``."""

    layers: Records


class FeaturePage(_Envelope):
    """``GET /collections/{id}/items``: features and the paging links."""

    features: Records
    links: Records = []


class CameraList(_Envelope):
    """``GET /cameras``."""

    cameras: Records


class UnitList(_Envelope):
    """``GET /units``."""

    units: Records


class SensorList(_Envelope):
    """``GET /sensors``."""

    sensors: Records


class TaskList(_Envelope):
    """``GET /tasks``."""

    tasks: Records


class TimelineList(_Envelope):
    """``GET /incidents/{id}/timeline``."""

    entries: Records


class IncidentPage(_Envelope):
    """``GET /incidents``: the incidents, the next cursor (absent: keep the one sent) and ``has_more``."""

    incidents: Records
    cursor: Cursor | None = None
    has_more: StrictBool = False


class HealthAnswer(_Envelope):
    """``GET /health``."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)

    status: ShortText
    server_time: ShortText | None = None
    #: the platform's data epoch (the same as every answer's ``X-Platform-Epoch`` header)
    epoch: ShortText | None = None
