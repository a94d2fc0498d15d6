"""What a client may send the backend, declared with pydantic: request bodies, query parameters, headers.

Everything from a client is parsed here, at the edge, before any handler or SQL sees it:

- **Bodies** are parsed and validated in one step by pydantic's Rust JSON parser
  (``model_validate_json``), which does not recurse on the Python stack and refuses nesting deeper than its
  limit, invalid UTF-8, lone surrogates (not Unicode text) and raw control characters (not JSON). Their
  size is capped by ``MAX_BODY_BYTES`` before they are read.
- **Numbers and cursors in the query string or headers** (``QueryInt``) are 1 to 19 ASCII digits within
  SQLite's INTEGER range: no superscripts or other Unicode digits, signs, spaces or underscores, which
  ``str.isdigit`` or ``int()`` would let through.
- **Free text** (task instructions, transition notes: ``VerbatimText``) is data. It is stored and answered
  back exactly as sent: template syntax, markup, bidirectional controls, emoji, whitespace and NUL (JSON
  carries it as ``\\u0000``) included. Only its length is bounded.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from commandwall.domain.models import MAX_FREE_TEXT_CHARS

#: Largest request body accepted (bytes); larger ones are answered 413. The biggest valid body (a task with
#: 2000 characters of instructions, each written as a JSON escape) is well below this.
MAX_BODY_BYTES = 64 * 1024
#: Largest integer a query parameter or header may carry (SQLite's INTEGER range).
MAX_QUERY_INT = 2**63 - 1
#: Longest id in a URL path that can name anything; longer ones are answered 404 without a lookup.
MAX_PATH_ID = 64
#: Longest free text (instructions, notes), in characters: the contract's limit the desks also keep.
MAX_FREE_TEXT = MAX_FREE_TEXT_CHARS
#: Longest Idempotency-Key, in characters.
MAX_IDEMPOTENCY_KEY = 200

DEFAULT_ITEMS = 100
MAX_ITEMS = 1000
DEFAULT_INCIDENTS = 500
MAX_INCIDENTS = 1000

_ASCII_INTEGER = re.compile(r"[0-9]{1,19}")  # [0-9], unlike \d or str.isdigit, is ASCII only
_BBOX_NUMBER = r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?"
_BBOX = re.compile(rf"({_BBOX_NUMBER}),({_BBOX_NUMBER}),({_BBOX_NUMBER}),({_BBOX_NUMBER})")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")


def _shown(value: str, limit: int = 40) -> str:
    """``value`` quoted for an error message, cut to ``limit`` characters."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _ascii_integer(value: Any) -> Any:
    if isinstance(value, str) and not _ASCII_INTEGER.fullmatch(value):
        raise PydanticCustomError(
            "ascii_integer", "must be a whole number of 1 to 19 ASCII digits, not {value}", {"value": _shown(value)}
        )
    return value


def _clamp(maximum: int) -> AfterValidator:
    return AfterValidator(lambda value: min(value, maximum))


def _bbox(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    match = _BBOX.fullmatch(value)
    if match is None:
        raise PydanticCustomError(
            "bbox", "must be minx,miny,maxx,maxy as four decimal numbers (WGS84), not {value}", {"value": _shown(value)}
        )
    minx, miny, maxx, maxy = (float(v) for v in match.groups())
    if minx > maxx or miny > maxy:
        raise PydanticCustomError("bbox", "must be minx,miny,maxx,maxy with min <= max (WGS84)")
    return minx, miny, maxx, maxy


def _printable_ascii(value: str) -> str:
    if not _PRINTABLE_ASCII.fullmatch(value):
        raise ValueError("must be printable ASCII (e.g. a UUID)")
    return value


#: A non-negative integer from the query string or a header (ASCII digits only, within SQLite's range).
QueryInt = Annotated[int, BeforeValidator(_ascii_integer), Field(ge=0, le=MAX_QUERY_INT)]
#: A WGS84 bounding box ``minx,miny,maxx,maxy`` of plain decimal numbers (finite by construction), min <= max.
BBox = Annotated[tuple[float, float, float, float], BeforeValidator(_bbox)]
#: Free text stored and answered back verbatim (no whitespace stripping), only bounded in length.
VerbatimText = Annotated[str, StringConstraints(strip_whitespace=False, max_length=MAX_FREE_TEXT)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TokenRequest(_Body):
    """``POST /api/v1/auth/token``."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(max_length=256)


class TransitionRequest(_Body):
    """``POST /api/v1/incidents/{id}/transitions``: the action and the version the caller saw."""

    action: Literal["accept", "verify", "dispatch", "start", "resolve", "close", "return", "escalate", "merge",
                    "reopen"]
    version: int = Field(ge=1, le=MAX_QUERY_INT)
    note: VerbatimText = ""
    into: str | None = Field(default=None, min_length=1, max_length=64)  # merge: the surviving incident


class NoteRequest(_Body):
    """``POST /api/v1/incidents/{id}/notes``: a note for the incident's timeline."""

    text: Annotated[VerbatimText, Field(min_length=1)]


class TaskRequest(_Body):
    """``POST /api/v1/tasks``: dispatch a task for an incident to a unit and/or department."""

    incident_id: str = Field(min_length=1, max_length=64)
    unit_id: str | None = Field(default=None, max_length=64)
    department: str = Field(default="", max_length=32)
    instructions: VerbatimText = ""
    priority: int = Field(default=3, ge=1, le=4)
    deadline: AwareDatetime | None = None  # 督办: by when it must be done; default from the priority


class PtzRequest(_Body):
    """``POST /api/v1/cameras/{id}/ptz``."""

    action: Literal["left", "right", "up", "down", "zoom_in", "zoom_out", "stop"]
    speed: int = Field(default=4, ge=1, le=8)


class _Query(BaseModel):
    """Query parameters: unknown ones are ignored; an empty value counts as absent (see ``app.parse_query``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ItemsQuery(_Query):
    """``GET /api/v1/collections/{layerId}/items``: ``limit`` above ``MAX_ITEMS`` is clamped."""

    limit: Annotated[QueryInt, Field(ge=1), _clamp(MAX_ITEMS)] = DEFAULT_ITEMS
    offset: QueryInt = 0
    bbox: BBox | None = None


class IncidentsQuery(_Query):
    """``GET /api/v1/incidents``: ``since`` is a cursor this server issued; ``limit`` is clamped."""

    since: QueryInt | None = None
    limit: Annotated[QueryInt, Field(ge=1), _clamp(MAX_INCIDENTS)] = DEFAULT_INCIDENTS


class EventsQuery(_Query):
    """``GET /api/v1/events``: the ``Last-Event-ID`` header or ``last_event_id`` parameter."""

    last_event_id: QueryInt | None = None


class TaskHeaders(BaseModel):
    """``POST /api/v1/tasks`` headers: the ``Idempotency-Key`` (printable ASCII, e.g. a UUID)."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    idempotency_key: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_IDEMPOTENCY_KEY), AfterValidator(_printable_ascii)
    ] = Field(alias="Idempotency-Key")


class DeskHeaders(BaseModel):
    """The optional ``X-Desk-Id`` header: which desk (workstation and data folder) a change came from."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    desk_id: Annotated[str, StringConstraints(max_length=128), AfterValidator(_printable_ascii)] = Field(
        default="", alias="X-Desk-Id"
    )


def describe(error: ValidationError) -> str:
    """One line per problem: ``field: message``."""
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e.get("loc", ())) or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)
